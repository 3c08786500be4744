//! getrandom(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use lx_abi::flags::GrndFlags;

/// Linux returns at most this much per call (`MAX_RW_COUNT` for urandom
/// reads is larger; getrandom caps at 32 MiB - 1).
const MAX_GETRANDOM: u64 = (1 << 25) - 1;

/// getrandom(2): unknown flags, or GRND_RANDOM with GRND_INSECURE, are EINVAL.
pub fn sys_getrandom(c: &mut Ctx<'_>, buf: u64, len: u64, flags: u32) -> SysResult {
    let f = GrndFlags::from_bits(flags).ok_or(Errno::EINVAL)?;
    if f.contains(GrndFlags::RANDOM | GrndFlags::INSECURE) {
        return Err(Errno::EINVAL);
    }
    let len = len.min(MAX_GETRANDOM);
    user::slice(buf, len)?;
    let mut chunk = [0u8; 4096];
    let mut done = 0u64;
    while done < len {
        let n = ((len - done) as usize).min(chunk.len());
        let got = match c.host.getrandom(&mut chunk[..n], flags) {
            Ok(g) => g,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        user::copy_out(c.host, buf + done, &chunk[..got])?;
        done += got as u64;
        if got < n {
            break;
        }
    }
    Ok(done as usize)
}
