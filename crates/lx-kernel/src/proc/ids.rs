//! getpid(2) and friends, getuid(2) and friends, getgroups(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use zerocopy::IntoBytes;

/// getpid(2).
pub fn sys_getpid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.pid as usize)
}
/// gettid(2).
pub fn sys_gettid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.tid as usize)
}
/// getppid(2).
pub fn sys_getppid(c: &mut Ctx<'_>) -> SysResult {
    // The host's: orphans are reparented (to lx, the run's subreaper).
    let p = c.host.syscall(lx_abi::syscalls::nr::getppid, [0; 6])? as i32;
    c.k.id.ppid = p;
    Ok(p as usize)
}

/// Is `pid` 0 (the caller) or a process of the run?
pub(crate) fn in_run(c: &Ctx<'_>, pid: i32) -> bool {
    pid == 0 || pid == c.k.id.pid || c.host.registry_pids().contains(&pid)
}

fn host_call(c: &Ctx<'_>, n: u32, a: i64, b: i64) -> SysResult {
    c.host.syscall(n, [a as u64, b as u64, 0, 0, 0, 0])
}

/// The host pid a query about `pid` names: in a vfork helper (`proc::vfork`)
/// the caller is the child it runs for.
fn target(c: &Ctx<'_>, pid: i32) -> i32 {
    if pid == 0 && c.k.vfork_helper {
        c.k.id.pid
    } else {
        pid
    }
}

/// getpgid(2).
pub fn sys_getpgid(c: &mut Ctx<'_>, pid: i32) -> SysResult {
    if !in_run(c, pid) {
        return Err(crate::Errno::ESRCH);
    }
    host_call(
        c,
        lx_abi::syscalls::nr::getpgid,
        i64::from(target(c, pid)),
        0,
    )
}

/// getpgrp(2).
pub fn sys_getpgrp(c: &mut Ctx<'_>) -> SysResult {
    host_call(c, lx_abi::syscalls::nr::getpgid, i64::from(target(c, 0)), 0)
}

/// setpgid(2): process groups are the host's (job control on the real
/// terminal works natively).
pub fn sys_setpgid(c: &mut Ctx<'_>, pid: i32, pgid: i32) -> SysResult {
    if pid < 0 || pgid < 0 {
        return Err(crate::Errno::EINVAL);
    }
    if !in_run(c, pid) {
        return Err(crate::Errno::ESRCH);
    }
    if pid != 0 && pid != c.k.id.pid && c.host.registry_execed(pid) {
        // A child that has exec'd in place: the host did not see that exec
        // and would allow the change; Linux refuses it (EPERM first when
        // the child is in another session).
        if let Some((ppid, sid)) = crate::vfs::virt::host_parent_and_session(c.host, pid)
            && ppid == c.k.id.pid
        {
            return Err(if sid == c.k.id.sid {
                crate::Errno::EACCES
            } else {
                crate::Errno::EPERM
            });
        }
    }
    if c.k.vfork_helper && (pid == 0 || pid == c.k.id.pid) {
        // A vfork helper: the child moves (and the helper with it when it
        // can, so the terminal's signals for the group reach it too).
        crate::proc::vfork::call_in_child(c, lx_abi::syscalls::nr::setpgid, 0, pgid as u64)?;
        let pg = if pgid == 0 { c.k.id.pid } else { pgid };
        let _ = host_call(c, lx_abi::syscalls::nr::setpgid, 0, i64::from(pg));
    } else {
        host_call(
            c,
            lx_abi::syscalls::nr::setpgid,
            i64::from(pid),
            i64::from(pgid),
        )?;
    }
    if pid == 0 || pid == c.k.id.pid {
        c.k.id.pgid = if pgid == 0 { c.k.id.pid } else { pgid };
    }
    Ok(0)
}

/// getsid(2).
pub fn sys_getsid(c: &mut Ctx<'_>, pid: i32) -> SysResult {
    if !in_run(c, pid) {
        return Err(crate::Errno::ESRCH);
    }
    host_call(
        c,
        lx_abi::syscalls::nr::getsid,
        i64::from(target(c, pid)),
        0,
    )
}

/// setsid(2).
pub fn sys_setsid(c: &mut Ctx<'_>) -> SysResult {
    let s = if c.k.vfork_helper {
        // A vfork helper: the child starts the session.
        let s = crate::proc::vfork::call_in_child(c, lx_abi::syscalls::nr::setsid, 0, 0)?;
        // A session without a controlling terminal: its first terminal
        // opened becomes it (`proc::vfork::opened`).
        c.k.vfork_session = true;
        s
    } else {
        host_call(c, lx_abi::syscalls::nr::setsid, 0, 0)?
    };
    c.k.id.sid = s as i32;
    c.k.id.pgid = s as i32;
    Ok(s)
}
/// getuid(2).
pub fn sys_getuid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.uid as usize)
}
/// geteuid(2).
pub fn sys_geteuid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.euid as usize)
}
/// getgid(2).
pub fn sys_getgid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.gid as usize)
}
/// getegid(2).
pub fn sys_getegid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.egid as usize)
}

/// getgroups(2): size 0 asks for the count; a smaller buffer is EINVAL.
pub fn sys_getgroups(c: &mut Ctx<'_>, size: i32, list: u64) -> SysResult {
    let n = c.k.id.groups.len();
    if size == 0 {
        return Ok(n);
    }
    if size < 0 || (size as usize) < n {
        return Err(Errno::EINVAL);
    }
    user::copy_out(c.host, list, c.k.id.groups.as_bytes()).map(|()| n)
}

fn put3(c: &Ctx<'_>, a: u64, b: u64, d: u64, v: [u32; 3]) -> SysResult {
    c.write(a, &v[0])?;
    c.write(b, &v[1])?;
    c.write(d, &v[2])?;
    Ok(0)
}

/// getresuid(2).
pub fn sys_getresuid(c: &mut Ctx<'_>, r: u64, e: u64, s: u64) -> SysResult {
    let id = &c.k.id;
    let v = [id.uid, id.euid, id.suid];
    put3(c, r, e, s, v)
}

/// getresgid(2).
pub fn sys_getresgid(c: &mut Ctx<'_>, r: u64, e: u64, s: u64) -> SysResult {
    let id = &c.k.id;
    let v = [id.gid, id.egid, id.sgid];
    put3(c, r, e, s, v)
}

// ---------------------------------------------------------------- set*id
//
// Credentials are lx's view: a guest that is root (uid 0, or `-0`) may take
// any ids; others may only move among their real, effective and saved ids,
// as POSIX allows. The host process keeps the host user's credentials.

const KEEP: u32 = u32::MAX;

fn may(c: &Ctx<'_>, v: u32, r: u32, e: u32, s: u32) -> bool {
    v == KEEP || c.k.id.euid == 0 || v == r || v == e || v == s
}

/// setresuid(2).
pub fn sys_setresuid(c: &mut Ctx<'_>, r: u32, e: u32, s: u32) -> SysResult {
    let id = &c.k.id;
    let (cr, ce, cs) = (id.uid, id.euid, id.suid);
    if !(may(c, r, cr, ce, cs) && may(c, e, cr, ce, cs) && may(c, s, cr, ce, cs)) {
        return Err(Errno::EPERM);
    }
    let id = &mut c.k.id;
    if r != KEEP {
        id.uid = r;
    }
    if e != KEEP {
        id.euid = e;
    }
    if s != KEEP {
        id.suid = s;
    }
    Ok(0)
}

/// setresgid(2).
pub fn sys_setresgid(c: &mut Ctx<'_>, r: u32, e: u32, s: u32) -> SysResult {
    let id = &c.k.id;
    let (cr, ce, cs) = (id.gid, id.egid, id.sgid);
    if !(may(c, r, cr, ce, cs) && may(c, e, cr, ce, cs) && may(c, s, cr, ce, cs)) {
        return Err(Errno::EPERM);
    }
    let id = &mut c.k.id;
    if r != KEEP {
        id.gid = r;
    }
    if e != KEEP {
        id.egid = e;
    }
    if s != KEEP {
        id.sgid = s;
    }
    Ok(0)
}

/// setuid(2): root sets all three ids, others the effective one.
pub fn sys_setuid(c: &mut Ctx<'_>, uid: u32) -> SysResult {
    if uid == KEEP {
        return Err(Errno::EINVAL);
    }
    if c.k.id.euid == 0 {
        sys_setresuid(c, uid, uid, uid)
    } else {
        sys_setresuid(c, KEEP, uid, KEEP)
    }
}

/// setgid(2).
pub fn sys_setgid(c: &mut Ctx<'_>, gid: u32) -> SysResult {
    if gid == KEEP {
        return Err(Errno::EINVAL);
    }
    if c.k.id.euid == 0 {
        sys_setresgid(c, gid, gid, gid)
    } else {
        sys_setresgid(c, KEEP, gid, KEEP)
    }
}

/// setreuid(2).
pub fn sys_setreuid(c: &mut Ctx<'_>, r: u32, e: u32) -> SysResult {
    let old_r = c.k.id.uid;
    sys_setresuid(c, r, e, KEEP)?;
    // The saved id follows the effective one when the real one changed or
    // the effective one differs from the old real one.
    if r != KEEP || (e != KEEP && e != old_r) {
        c.k.id.suid = c.k.id.euid;
    }
    Ok(0)
}

/// setregid(2).
pub fn sys_setregid(c: &mut Ctx<'_>, r: u32, e: u32) -> SysResult {
    let old_r = c.k.id.gid;
    sys_setresgid(c, r, e, KEEP)?;
    if r != KEEP || (e != KEEP && e != old_r) {
        c.k.id.sgid = c.k.id.egid;
    }
    Ok(0)
}

/// setgroups(2): root only.
pub fn sys_setgroups(c: &mut Ctx<'_>, n: i32, list: u64) -> SysResult {
    if !(0..=65536).contains(&n) {
        return Err(Errno::EINVAL);
    }
    if c.k.id.euid != 0 {
        return Err(Errno::EPERM);
    }
    let mut g = alloc::vec![0u32; n as usize];
    user::copy_in(c.host, list, g.as_mut_bytes())?;
    c.k.id.groups = g;
    Ok(0)
}

/// setfsuid(2): returns the previous fs uid (lx keeps it equal to the
/// effective uid).
pub fn sys_setfsuid(c: &mut Ctx<'_>, _uid: u32) -> SysResult {
    Ok(c.k.id.euid as usize)
}

/// setfsgid(2).
pub fn sys_setfsgid(c: &mut Ctx<'_>, _gid: u32) -> SysResult {
    Ok(c.k.id.egid as usize)
}
