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
                let _ = c.k.fds.release(c.host, en);
            }
            return Err(e);
        }
    };
    let pair = [r as i32, w as i32];
    if let Err(e) = c.copy_out(fds, zerocopy::IntoBytes::as_bytes(&pair)) {
        for n in pair {
            if let Ok(en) = c.k.fds.remove(n) {
                let _ = c.k.fds.release(c.host, en);
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

/// splice(2) between guest fds (offsets are guest pointers the host uses).
pub fn sys_splice(
    c: &mut Ctx<'_>,
    fin: i32,
    oin: u64,
    fout: i32,
    oout: u64,
    len: u64,
    flags: u32,
) -> SysResult {
    if flags & !0xf != 0 {
        return Err(Errno::EINVAL);
    }
    let hi = c.k.fds.host_fd(fin)?;
    let ho = c.k.fds.host_fd(fout)?;
    for p in [oin, oout] {
        if p != 0 {
            crate::user::slice(p, 8)?;
        }
    }
    crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host.syscall(
            nr::splice,
            [hi as u64, oin, ho as u64, oout, len, u64::from(flags)],
        )
    })
}

/// tee(2).
pub fn sys_tee(c: &mut Ctx<'_>, fin: i32, fout: i32, len: u64, flags: u32) -> SysResult {
    if flags & !0xf != 0 {
        return Err(Errno::EINVAL);
    }
    let hi = c.k.fds.host_fd(fin)?;
    let ho = c.k.fds.host_fd(fout)?;
    crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host
            .syscall(nr::tee, [hi as u64, ho as u64, len, u64::from(flags), 0, 0])
    })
}

/// vmsplice(2): the iovec array and its buffers are guest memory, checked.
pub fn sys_vmsplice(c: &mut Ctx<'_>, fd: i32, iov: u64, n: u64, flags: u32) -> SysResult {
    if flags & !0xf != 0 || n > 1024 {
        return Err(Errno::EINVAL);
    }
    let h = c.k.fds.host_fd(fd)?;
    let mut v = alloc::vec![lx_abi::structs::Iovec::default(); n as usize];
    crate::user::copy_in(
        c.host,
        iov,
        zerocopy::IntoBytes::as_mut_bytes(v.as_mut_slice()),
    )?;
    for e in &v {
        crate::user::slice(e.iov_base, e.iov_len)?;
    }
    crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host.syscall(
            nr::vmsplice,
            [h as u64, v.as_ptr() as u64, n, u64::from(flags), 0, 0],
        )
    })
}

/// signalfd4(2): a host signalfd (the guest's blocked signals are blocked
/// on the host too, so they queue there and the fd reads them).
pub fn sys_signalfd4(c: &mut Ctx<'_>, fd: i32, mask: u64, size: u64, flags: u32) -> SysResult {
    const SFD_CLOEXEC: u32 = 0o2000000;
    const SFD_NONBLOCK: u32 = 0o4000;
    if size != 8 || flags & !(SFD_CLOEXEC | SFD_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let m: u64 = c.read(mask)?;
    if fd >= 0 {
        let h = c.k.fds.host_fd(fd)?;
        return c
            .host
            .syscall(
                nr::signalfd4,
                [h as u64, &m as *const u64 as u64, 8, 0, 0, 0],
            )
            .map(|_| fd as usize);
    }
    if fd != -1 {
        return Err(Errno::EBADF);
    }
    let h = c.host.syscall(
        nr::signalfd4,
        [
            u64::MAX,
            &m as *const u64 as u64,
            8,
            u64::from((flags & SFD_NONBLOCK) | SFD_CLOEXEC),
            0,
            0,
        ],
    )? as i32;
    install(
        c,
        OpenFile::host(h, b"anon_inode:[signalfd]".to_vec()),
        flags & SFD_CLOEXEC != 0,
    )
}

/// signalfd(2).
pub fn sys_signalfd(c: &mut Ctx<'_>, fd: i32, mask: u64, size: u64) -> SysResult {
    sys_signalfd4(c, fd, mask, size, 0)
}
