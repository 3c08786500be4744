//! wait4(2), waitid(2): guest processes are host processes of the run and
//! guest pids are host pids, so the host's answer is the guest's.

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use lx_abi::syscalls::nr;

const WNOHANG: u32 = 1;
const WUNTRACED: u32 = 2;
const WEXITED: u32 = 4;
const WCONTINUED: u32 = 8;
const WNOWAIT: u32 = 0x0100_0000;
const WNOTHREAD: u32 = 0x2000_0000;
const WALL: u32 = 0x4000_0000;
const WCLONE: u32 = 0x8000_0000;

/// A waited-for child leaves the run's registry when the wait reaped it
/// (it ended), not when it only reported a stop or a continue.
fn forget_if_reaped(c: &Ctx<'_>, pid: i32, reaped: bool) {
    if reaped {
        c.host.registry_remove(pid);
    }
}

/// wait4(2).
pub fn sys_wait4(c: &mut Ctx<'_>, pid: i32, status: u64, options: u32, rusage: u64) -> SysResult {
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    if status != 0 {
        user::slice(status, 4)?;
    }
    if rusage != 0 {
        user::slice(rusage, 144)?;
    }
    // The status comes to lx first: it tells whether the child was reaped.
    let mut st: i32 = 0;
    let st_addr = &mut st as *mut i32 as u64;
    let r = crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host.syscall(
            nr::wait4,
            [pid as i64 as u64, st_addr, u64::from(options), rusage, 0, 0],
        )
    })?;
    if r > 0 {
        if status != 0 {
            c.write(status, &st)?;
        }
        // Stopped (0x7f in the low byte) or continued (0xffff): still there.
        forget_if_reaped(c, r as i32, st & 0xff != 0x7f && st != 0xffff);
    }
    Ok(r)
}

/// waitid(2).
pub fn sys_waitid(
    c: &mut Ctx<'_>,
    idtype: u32,
    id: i32,
    info: u64,
    options: u32,
    rusage: u64,
) -> SysResult {
    if options & !(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE)
        != 0
    {
        return Err(Errno::EINVAL);
    }
    if idtype == 3 {
        // P_PIDFD: pidfds are not handed out by lx.
        return Err(Errno::EINVAL);
    }
    if info != 0 {
        user::slice(info, 128)?;
    }
    if rusage != 0 {
        user::slice(rusage, 144)?;
    }
    let r = crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host.syscall(
            nr::waitid,
            [
                u64::from(idtype),
                id as i64 as u64,
                info,
                u64::from(options),
                rusage,
                0,
            ],
        )
    })?;
    if info != 0 && options & WNOWAIT == 0 {
        let si: lx_abi::structs::Siginfo = c.read(info)?;
        if si.pid() > 0 {
            // CLD_EXITED, CLD_KILLED, CLD_DUMPED: reaped; a stop or continue
            // leaves it there.
            forget_if_reaped(c, si.pid(), matches!(si.si_code, 1..=3));
        }
    }
    Ok(r)
}
