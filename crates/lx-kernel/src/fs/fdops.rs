//! close(2), dup(2), dup2, dup3, fcntl(2).

use crate::ctx::{Ctx, SysResult};
use crate::fd::FdEntry;
use crate::user;
use lx_abi::Errno;
use lx_abi::flags::{FD_CLOEXEC, OpenFlags};

/// close(2).
pub fn sys_close(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let e = c.k.fds.remove(fd)?;
    c.k.fds.release(c.host, e).map(|()| 0)
}

/// dup(2): lowest free fd, close-on-exec clear.
pub fn sys_dup(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let file = c.k.fds.get(fd)?.file.clone();
    c.k.fds
        .insert_from(
            0,
            FdEntry {
                file,
                cloexec: false,
            },
        )
        .map(|n| n as usize)
}

fn dup_to(c: &mut Ctx<'_>, old: i32, new: i32, cloexec: bool) -> SysResult {
    let file = c.k.fds.get(old)?.file.clone();
    if let Some(prev) = c.k.fds.insert_at(new, FdEntry { file, cloexec })? {
        // dup2(2): errors closing the old file are silently ignored.
        let _ = c.k.fds.release(c.host, prev);
    }
    Ok(new as usize)
}

/// dup2(2): `new` names the same description as `old`; equal fds are a no-op.
pub fn sys_dup2(c: &mut Ctx<'_>, old: i32, new: i32) -> SysResult {
    if old == new {
        c.k.fds.get(old)?;
        return Ok(new as usize);
    }
    dup_to(c, old, new, false)
}

/// dup3(2): like dup2 with O_CLOEXEC allowed; equal fds are EINVAL.
pub fn sys_dup3(c: &mut Ctx<'_>, old: i32, new: i32, flags: i32) -> SysResult {
    if flags as u32 & !OpenFlags::CLOEXEC.bits() != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    dup_to(c, old, new, flags as u32 & OpenFlags::CLOEXEC.bits() != 0)
}

const F_DUPFD: i32 = 0;
const F_GETFD: i32 = 1;
const F_SETFD: i32 = 2;
const F_GETFL: i32 = 3;
const F_SETFL: i32 = 4;
const F_GETLK: i32 = 5;
const F_SETLK: i32 = 6;
const F_SETLKW: i32 = 7;
const F_OFD_GETLK: i32 = 36;
const F_OFD_SETLK: i32 = 37;
const F_OFD_SETLKW: i32 = 38;
const F_DUPFD_CLOEXEC: i32 = 1030;
const F_SETPIPE_SZ: i32 = 1031;
const F_GETPIPE_SZ: i32 = 1032;
const F_ADD_SEALS: i32 = 1033;
const F_GET_SEALS: i32 = 1034;
/// `sizeof(struct flock)` on x86_64.
const FLOCK_SIZE: u64 = 32;

/// fcntl(2).
pub fn sys_fcntl(c: &mut Ctx<'_>, fd: i32, cmd: i32, arg: u64) -> SysResult {
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = arg as u32 as i32;
            let file = c.k.fds.get(fd)?.file.clone();
            if min < 0 || min as u64 >= c.k.fds.limit() {
                return Err(Errno::EINVAL);
            }
            let e = FdEntry {
                file,
                cloexec: cmd == F_DUPFD_CLOEXEC,
            };
            c.k.fds.insert_from(min as u32, e).map(|n| n as usize)
        }
        F_GETFD => Ok(if c.k.fds.get(fd)?.cloexec {
            FD_CLOEXEC as usize
        } else {
            0
        }),
        F_SETFD => {
            c.k.fds.set_cloexec(fd, arg as u32 & FD_CLOEXEC != 0)?;
            Ok(0)
        }
        F_GETFL => {
            let h = c.k.fds.host_fd(fd)?;
            c.host.get_status_flags(h).map(|f| f as usize)
        }
        F_SETFL => {
            let h = c.k.fds.host_fd(fd)?;
            c.host.set_status_flags(h, arg as u32).map(|()| 0)
        }
        F_SETLKW | F_OFD_SETLKW => {
            // Waiting for a record lock is interruptible (restarted under
            // SA_RESTART).
            let h = c.k.fds.host_fd(fd)?;
            user::slice(arg, FLOCK_SIZE)?;
            crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
                c.host.syscall(
                    lx_abi::syscalls::nr::fcntl,
                    [h as u64, cmd as u32 as u64, arg, 0, 0, 0],
                )
            })
        }
        F_GETLK | F_SETLK | F_OFD_GETLK | F_OFD_SETLK => {
            let h = c.k.fds.host_fd(fd)?;
            user::slice(arg, FLOCK_SIZE)?;
            c.host.fcntl(h, cmd, arg)
        }
        F_SETPIPE_SZ | F_GETPIPE_SZ | F_ADD_SEALS | F_GET_SEALS => {
            let h = c.k.fds.host_fd(fd)?;
            c.host.fcntl(h, cmd, arg as u32 as u64)
        }
        _ => {
            c.k.fds.get(fd)?;
            Err(Errno::EINVAL)
        }
    }
}
