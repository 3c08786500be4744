//! sysinfo(2), getrusage(2), times(2).

use crate::ctx::{Ctx, SysResult};

/// sysinfo(2): the host's memory and load, lx's process count.
pub fn sys_sysinfo(c: &mut Ctx<'_>, buf: u64) -> SysResult {
    let mut s = c.host.sysinfo()?;
    // The guest's world has one process until processes land.
    s.procs = 1;
    c.write(buf, &s).map(|()| 0)
}

/// getrusage(2): the host's accounting (a guest process is a host process,
/// its children host processes it reaps). lx's own work in the process
/// counts too, as user time where Linux would count the syscalls' work as
/// system time.
pub fn sys_getrusage(c: &mut Ctx<'_>, who: i32, usage: u64) -> SysResult {
    const RUSAGE_SELF: i32 = 0;
    const RUSAGE_CHILDREN: i32 = -1;
    const RUSAGE_THREAD: i32 = 1;
    if !matches!(who, RUSAGE_SELF | RUSAGE_CHILDREN | RUSAGE_THREAD) {
        return Err(lx_abi::Errno::EINVAL);
    }
    // (The host writes the struct rusage, 144 bytes: EFAULT, never a fault.)
    crate::user::slice(usage, 144)?;
    c.host.syscall(
        lx_abi::syscalls::nr::getrusage,
        [who as i64 as u64, usage, 0, 0, 0, 0],
    )
}

/// times(2): the host's, as getrusage's (a NULL buffer only returns the
/// clock).
pub fn sys_times(c: &mut Ctx<'_>, buf: u64) -> SysResult {
    if buf != 0 {
        crate::user::slice(buf, 32)?;
    }
    c.host
        .syscall(lx_abi::syscalls::nr::times, [buf, 0, 0, 0, 0, 0])
}
