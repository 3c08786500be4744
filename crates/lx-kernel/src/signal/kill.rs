//! kill(2), tkill(2), tgkill(2). A guest reaches the processes of its run
//! (the registry every guest process joins) and nothing else on the host:
//! other pids do not exist for it (ESRCH). Guest pids are host pids.

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;

fn check_sig(sig: i32) -> Result<u32, Errno> {
    if (0..=64).contains(&sig) {
        Ok(sig as u32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn send(c: &mut Ctx<'_>, sig: u32, thread: bool) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    if c.k.vfork_helper
        && c.k.sig.mask.0 & (1u64 << (sig - 1)) != 0
        && let Some(h) = c.host.vfork_helper().filter(|h| h.child != 0)
    {
        // A vfork child's code blocking the signal: it stays pending in the
        // child process, for the program it execs (`proc::vfork`).
        return host_kill(c, h.child, sig);
    }
    c.host.raise(sig, thread)?;
    Ok(0)
}

fn host_kill(c: &Ctx<'_>, pid: i32, sig: u32) -> SysResult {
    c.host
        .syscall(
            lx_abi::syscalls::nr::kill,
            [pid as i64 as u64, u64::from(sig), 0, 0, 0, 0],
        )
        .map(|_| 0)
}

fn pgid_of(c: &Ctx<'_>, pid: i32) -> Option<i32> {
    c.host
        .syscall(
            lx_abi::syscalls::nr::getpgid,
            [pid as i64 as u64, 0, 0, 0, 0, 0],
        )
        .ok()
        .map(|g| g as i32)
}

/// kill(2): a pid of the run, a process group of the run (0: the caller's),
/// or -1: every process of the run but the caller.
pub fn sys_kill(c: &mut Ctx<'_>, pid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    let me = c.k.id.pid;
    if pid == me {
        return send(c, sig, false);
    }
    let run = c.host.registry_pids();
    match pid {
        p if p > 0 => {
            if !run.contains(&p) {
                return Err(Errno::ESRCH);
            }
            host_kill(c, p, sig)
        }
        -1 => {
            let mut any = false;
            for p in run.into_iter().filter(|&p| p != me) {
                any |= host_kill(c, p, sig).is_ok();
            }
            if any { Ok(0) } else { Err(Errno::ESRCH) }
        }
        _ => {
            let g = if pid == 0 {
                pgid_of(c, 0).ok_or(Errno::ESRCH)?
            } else {
                -pid
            };
            // Only the run's members of the group: lx itself may share it.
            let mut any = false;
            let mut me_too = false;
            for p in run {
                if pgid_of(c, p) == Some(g) {
                    if p == me {
                        me_too = true;
                    } else {
                        any |= host_kill(c, p, sig).is_ok();
                    }
                }
            }
            if me_too {
                send(c, sig, false)?;
                any = true;
            }
            if any { Ok(0) } else { Err(Errno::ESRCH) }
        }
    }
}

/// tkill(2).
pub fn sys_tkill(c: &mut Ctx<'_>, tid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tid == c.k.id.tid {
        return send(c, sig, true);
    }
    // Another thread of this process (the host checks it is one), else the
    // main thread of another process of the run.
    let pid = c.k.id.pid;
    match sys_tgkill(c, pid, tid, sig as i32) {
        Err(Errno::ESRCH) => sys_tgkill(c, tid, tid, sig as i32),
        r => r,
    }
}

/// tgkill(2).
pub fn sys_tgkill(c: &mut Ctx<'_>, tgid: i32, tid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tgid == c.k.id.pid && tid == c.k.id.tid {
        return send(c, sig, true);
    }
    // Another thread of this process (the host checks it is one), or
    // another process of the run.
    if tgid != c.k.id.pid && !c.host.registry_pids().contains(&tgid) {
        return Err(Errno::ESRCH);
    }
    c.host
        .syscall(
            lx_abi::syscalls::nr::tgkill,
            [tgid as u64, tid as u64, u64::from(sig), 0, 0, 0],
        )
        .map(|_| 0)
}

/// rt_sigqueueinfo(2): a signal with data to a process of the run. As on
/// Linux, a guest may not pretend to be the kernel (si_code >= 0).
pub fn sys_rt_sigqueueinfo(c: &mut Ctx<'_>, pid: i32, sig: i32, info: u64) -> SysResult {
    let sig = check_sig(sig)?;
    let si: lx_abi::structs::Siginfo = c.read(info)?;
    if pid != c.k.id.pid && (si.si_code >= 0 || si.si_code == -6) {
        return Err(Errno::EPERM);
    }
    if pid != c.k.id.pid && !c.host.registry_pids().contains(&pid) {
        return Err(Errno::ESRCH);
    }
    c.host
        .syscall(
            lx_abi::syscalls::nr::rt_sigqueueinfo,
            [pid as u64, u64::from(sig), info, 0, 0, 0],
        )
        .map(|_| 0)
}

/// rt_tgsigqueueinfo(2).
pub fn sys_rt_tgsigqueueinfo(
    c: &mut Ctx<'_>,
    tgid: i32,
    tid: i32,
    sig: i32,
    info: u64,
) -> SysResult {
    let sig = check_sig(sig)?;
    let si: lx_abi::structs::Siginfo = c.read(info)?;
    if si.si_code >= 0 || si.si_code == -6 {
        return Err(Errno::EPERM);
    }
    let mine = tgid == c.k.id.pid;
    if !mine && (tgid != tid || !c.host.registry_pids().contains(&tgid)) {
        return Err(Errno::ESRCH);
    }
    c.host
        .syscall(
            lx_abi::syscalls::nr::rt_tgsigqueueinfo,
            [tgid as u64, tid as u64, u64::from(sig), info, 0, 0],
        )
        .map(|_| 0)
}
