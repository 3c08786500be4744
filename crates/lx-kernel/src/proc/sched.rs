//! sched_yield(2), sched_getaffinity(2), getcpu(2), getpriority(2),
//! setpriority(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;

/// sched_yield(2).
pub fn sys_sched_yield(c: &mut Ctx<'_>) -> SysResult {
    c.host.sched_yield();
    Ok(0)
}

/// sched_getaffinity(2): the raw call returns the bytes written.
pub fn sys_sched_getaffinity(c: &mut Ctx<'_>, pid: i32, len: u64, mask: u64) -> SysResult {
    if pid != 0 && pid != c.k.id.pid && pid != c.k.id.tid {
        return Err(Errno::ESRCH);
    }
    if !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    let mut buf = [0u8; 1024];
    let n = (len as usize).min(buf.len());
    let got = c.host.sched_getaffinity(&mut buf[..n])?;
    user::copy_out(c.host, mask, &buf[..got]).map(|()| got)
}

/// getcpu(2).
pub fn sys_getcpu(c: &mut Ctx<'_>, cpu: u64, node: u64) -> SysResult {
    let (cp, nd) = c.host.getcpu()?;
    c.write_opt(cpu, &cp)?;
    c.write_opt(node, &nd)?;
    Ok(0)
}

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;

/// The threads of host process `pid` (its /proc/PID/task on the host; the
/// guest's threads are the host's: lx adds none).
fn tids_of(c: &Ctx<'_>, pid: i32) -> alloc::vec::Vec<i32> {
    let path = alloc::format!("/proc/{pid}/task");
    let tids = crate::hostfs::open_abs(c.host, path.as_bytes(), 0o200000 | 0o2000000)
        .and_then(|fd| {
            let r = crate::hostfs::read_dir(c.host, fd);
            let _ = c.host.close(fd);
            r
        })
        .map(|v| {
            v.into_iter()
                .filter_map(|(n, _, _)| core::str::from_utf8(&n).ok()?.parse::<i32>().ok())
                .collect::<alloc::vec::Vec<_>>()
        })
        .unwrap_or_default();
    if tids.is_empty() {
        alloc::vec![pid]
    } else {
        tids
    }
}

/// The host threads a priority call names, all of the run: a thread (0:
/// the caller; a pid names its main thread, as on Linux), every thread of
/// the run's processes in a process group (0: the caller's), every thread
/// of the run for PRIO_USER of the caller's uid (lx keeps ids per process:
/// a process of the run that changed its uid is not told apart). Nothing
/// outside the run is ever named.
fn prio_targets(c: &Ctx<'_>, which: i32, who: i32) -> Result<alloc::vec::Vec<i32>, Errno> {
    use lx_abi::syscalls::nr;
    let run = || {
        let mut v = c.host.registry_pids();
        if !v.contains(&c.k.id.pid) {
            v.push(c.k.id.pid);
        }
        v
    };
    let all_threads = |pids: alloc::vec::Vec<i32>| -> alloc::vec::Vec<i32> {
        pids.into_iter().flat_map(|p| tids_of(c, p)).collect()
    };
    let found = match which {
        PRIO_PROCESS if who == 0 => alloc::vec![c.k.id.tid],
        PRIO_PROCESS if who == c.k.id.tid || crate::proc::ids::in_run(c, who) => alloc::vec![who],
        PRIO_PROCESS if who > 0 && run().into_iter().any(|p| tids_of(c, p).contains(&who)) => {
            alloc::vec![who]
        }
        PRIO_PROCESS => alloc::vec![],
        PRIO_PGRP => {
            let pg = if who == 0 {
                c.host.syscall(nr::getpgid, [0; 6])? as i32
            } else {
                who
            };
            all_threads(
                run()
                    .into_iter()
                    .filter(|&p| {
                        c.host.syscall(nr::getpgid, [p as u64, 0, 0, 0, 0, 0]) == Ok(pg as usize)
                    })
                    .collect(),
            )
        }
        PRIO_USER if who == 0 || who as u32 == c.k.id.uid => all_threads(run()),
        PRIO_USER => alloc::vec![],
        _ => return Err(Errno::EINVAL),
    };
    if found.is_empty() {
        return Err(Errno::ESRCH);
    }
    Ok(found)
}

/// getpriority(2): the raw call's 20 - nice of the highest-priority target.
pub fn sys_getpriority(c: &mut Ctx<'_>, which: i32, who: i32) -> SysResult {
    let mut best: Option<usize> = None;
    for t in prio_targets(c, which, who)? {
        // (A target that just ended is skipped.)
        if let Ok(v) = c.host.syscall(
            lx_abi::syscalls::nr::getpriority,
            [PRIO_PROCESS as u64, t as u64, 0, 0, 0, 0],
        ) {
            best = Some(best.map_or(v, |b| b.max(v)));
        }
    }
    best.ok_or(Errno::ESRCH)
}

/// setpriority(2) on every target, with Linux's result: the error of the
/// last target that could not be changed, if any.
pub fn sys_setpriority(c: &mut Ctx<'_>, which: i32, who: i32, prio: i32) -> SysResult {
    let mut result = Err(Errno::ESRCH);
    for t in prio_targets(c, which, who)? {
        match c.host.syscall(
            lx_abi::syscalls::nr::setpriority,
            [PRIO_PROCESS as u64, t as u64, prio as i64 as u64, 0, 0, 0],
        ) {
            Ok(_) if result == Err(Errno::ESRCH) => result = Ok(0),
            Ok(_) => {}
            // (A target that just ended is skipped.)
            Err(Errno::ESRCH) => {}
            Err(e) => result = Err(e),
        }
    }
    result
}
