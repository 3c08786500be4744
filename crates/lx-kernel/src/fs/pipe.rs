//! pipe(2), pipe2(2): host pipes (so every process of the run, and the
//! host at the ends lx was started with, share them) in lx's fd table.

use super::open::install;
use crate::ctx::{Ctx, SysResult};
use crate::fd::OpenFile;
use alloc::format;
use lx_abi::Errno;
use lx_abi::syscalls::nr;

const O_CLOEXEC: u32 = 0o2000000;
const O_NONBLOCK: u32 = 0o4000;
const O_DIRECT: u32 = 0o40000;
const O_NOTIFICATION_PIPE: u32 = 0o200000;

/// pipe2(2).
pub fn sys_pipe2(c: &mut Ctx<'_>, fds: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & O_NOTIFICATION_PIPE != 0 {
        return Err(Errno::ENOPKG);
    }
    crate::user::slice(fds, 8)?;
    let mut p = [0i32; 2];
    c.host.syscall(
        nr::pipe2,
        [
            p.as_mut_ptr() as u64,
            u64::from((flags & !O_CLOEXEC) | O_CLOEXEC),
            0,
            0,
            0,
            0,
        ],
    )?;
    let ino = c.host.fstat(p[0]).map_or(0, |s| s.st_ino);
    let name = format!("pipe:[{ino}]").into_bytes();
    let cloexec = flags & O_CLOEXEC != 0;
    let r = install(c, OpenFile::host(p[0], name.clone()), cloexec)?;
    let w = match install(c, OpenFile::host(p[1], name), cloexec) {
        Ok(w) => w,
        Err(e) => {
            if let Ok(en) = c.k.fds.remove(r as i32) {
                let _ = crate::fd::release(c.host, en);
            }
            return Err(e);
        }
    };
    let pair = [r as i32, w as i32];
    if let Err(e) = c.copy_out(fds, zerocopy::IntoBytes::as_bytes(&pair)) {
        for n in pair {
            if let Ok(en) = c.k.fds.remove(n) {
                let _ = crate::fd::release(c.host, en);
            }
        }
        return Err(e);
    }
    Ok(0)
}

/// pipe(2).
pub fn sys_pipe(c: &mut Ctx<'_>, fds: u64) -> SysResult {
    sys_pipe2(c, fds, 0)
}
