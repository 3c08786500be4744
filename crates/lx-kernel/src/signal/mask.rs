//! rt_sigprocmask(2), rt_sigpending(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use lx_abi::signal::{SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SigSet};

/// rt_sigprocmask(2). The new mask reaches the host when the trap returns.
pub fn sys_rt_sigprocmask(c: &mut Ctx<'_>, how: i32, set: u64, oset: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let old = c.k.sig.mask;
    let new = if set != 0 {
        let s = SigSet(c.read::<u64>(set)?);
        Some(match how as u32 {
            SIG_BLOCK => old.union(s),
            SIG_UNBLOCK => old.difference(s),
            SIG_SETMASK => s,
            _ => return Err(Errno::EINVAL),
        })
    } else {
        None
    };
    if oset != 0 {
        c.write(oset, &old.0)?;
    }
    if let Some(m) = new {
        c.k.sig.set_mask(m);
    }
    Ok(0)
}

/// rt_sigpending(2): blocked signals waiting for delivery.
pub fn sys_rt_sigpending(c: &mut Ctx<'_>, set: u64, size: u64) -> SysResult {
    if size > 8 {
        return Err(Errno::EINVAL);
    }
    let p = SigSet(c.host.pending()).union(c.k.sig.pending).0 & c.k.sig.mask.0;
    user::copy_out(c.host, set, &p.to_le_bytes()[..size as usize]).map(|()| 0)
}

/// rt_sigsuspend(2): wait with `set` as the mask until a signal the guest
/// handles arrives; its handler runs with the mask saved as the old one.
pub fn sys_rt_sigsuspend(c: &mut Ctx<'_>, set: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let new = SigSet(c.read::<u64>(set)?);
    c.k.sig.set_temporary_mask(new);
    if c.k.has_deliverable() {
        return Err(Errno::EINTR);
    }
    let m = c.k.sig.mask.0;
    let r = crate::signal::suspend(c, m);
    match r {
        Err(Errno::EINTR) | Ok(_) => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
}

/// pause(2).
pub fn sys_pause(c: &mut Ctx<'_>) -> SysResult {
    if c.k.has_deliverable() {
        return Err(Errno::EINTR);
    }
    crate::signal::blocking(c, crate::signal::Restart::Never, |c| {
        c.host.syscall(lx_abi::syscalls::nr::pause, [0; 6])
    })
}

/// rt_sigtimedwait(2): take a signal of `set` (which the guest blocks)
/// from lx's pending set or wait for one from the host.
pub fn sys_rt_sigtimedwait(
    c: &mut Ctx<'_>,
    set: u64,
    info: u64,
    timeout: u64,
    size: u64,
) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let want = SigSet(c.read::<u64>(set)?);
    if timeout != 0 {
        let t: lx_abi::structs::Timespec = c.read(timeout)?;
        if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
            return Err(Errno::EINVAL);
        }
    }
    if info != 0 {
        crate::user::slice(info, 128)?;
    }
    if let Some(si) = c.k.sig.take_pending_in(want) {
        if info != 0 {
            c.write(info, &si)?;
        }
        return Ok(si.si_signo as usize);
    }
    let host_set = want.0;
    crate::signal::blocking(c, crate::signal::Restart::Never, |c| {
        c.host.syscall(
            lx_abi::syscalls::nr::rt_sigtimedwait,
            [&host_set as *const u64 as u64, info, timeout, 8, 0, 0],
        )
    })
}
