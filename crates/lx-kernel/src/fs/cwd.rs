//! getcwd(2), umask(2).

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;

/// getcwd(2): the raw syscall returns the length including the NUL.
pub fn sys_getcwd(c: &mut Ctx<'_>, buf: u64, size: u64) -> SysResult {
    let n = c.k.cwd.len() + 1;
    if (size as usize) < n {
        return Err(Errno::ERANGE);
    }
    let mut out = c.k.cwd.clone();
    out.push(0);
    c.copy_out(buf, &out).map(|()| n)
}

/// umask(2): returns the previous mask.
pub fn sys_umask(c: &mut Ctx<'_>, mask: u32) -> SysResult {
    let old = c.k.umask;
    c.k.umask = mask & 0o777;
    Ok(old as usize)
}
