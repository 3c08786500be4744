//! fstat(2), newfstatat(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use lx_abi::flags::AtFlags;

/// fstat(2).
pub fn sys_fstat(c: &mut Ctx<'_>, fd: i32, buf: u64) -> SysResult {
    let h = c.k.fds.host_fd(fd)?;
    let st = c.host.fstat(h)?;
    c.write(buf, &st).map(|()| 0)
}

/// newfstatat(2). With AT_EMPTY_PATH and "" it is fstat of `dirfd`; path
/// lookup needs lx's VFS, which is not there yet: such calls are reported
/// and get ENOSYS rather than a made-up answer.
pub fn sys_newfstatat(c: &mut Ctx<'_>, dirfd: i32, path: u64, buf: u64, flags: u32) -> SysResult {
    let known = AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH | AtFlags::NO_AUTOMOUNT;
    let flags = AtFlags::from_bits(flags)
        .filter(|f| known.contains(*f))
        .ok_or(Errno::EINVAL)?;
    let p = user::read_cstr(c.host, path, 4096)?;
    if p.is_empty() {
        if !flags.contains(AtFlags::EMPTY_PATH) {
            return Err(Errno::ENOENT);
        }
        return sys_fstat(c, dirfd, buf);
    }
    Err(c.k.unimplemented(c.host, c.nr))
}
