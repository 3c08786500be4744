//! clock_gettime(2), clock_getres(2), gettimeofday(2), time(2),
//! nanosleep(2), clock_nanosleep(2).

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;
use lx_abi::structs::{Timespec, Timeval, Timezone};

const CLOCK_REALTIME: u32 = 0;
const CLOCK_MONOTONIC: u32 = 1;
const CLOCK_THREAD_CPUTIME_ID: u32 = 3;
/// CLOCK_REALTIME .. CLOCK_TAI. Clocks naming other processes (negative
/// ids) are not offered: there are no other processes to name yet.
const MAX_CLOCK: i32 = 11;
const TIMER_ABSTIME: i32 = 1;

fn clock(id: i32) -> Result<u32, Errno> {
    if (0..=MAX_CLOCK).contains(&id) {
        Ok(id as u32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn valid(t: &Timespec) -> bool {
    t.tv_sec >= 0 && (0..1_000_000_000).contains(&t.tv_nsec)
}

/// clock_gettime(2).
pub fn sys_clock_gettime(c: &mut Ctx<'_>, id: i32, tp: u64) -> SysResult {
    let t = c.host.clock_gettime(clock(id)?)?;
    c.write(tp, &t).map(|()| 0)
}

/// clock_getres(2): `res` may be NULL.
pub fn sys_clock_getres(c: &mut Ctx<'_>, id: i32, res: u64) -> SysResult {
    let t = c.host.clock_getres(clock(id)?)?;
    c.write_opt(res, &t).map(|()| 0)
}

/// gettimeofday(2): the kernel's timezone is zero (UTC).
pub fn sys_gettimeofday(c: &mut Ctx<'_>, tv: u64, tz: u64) -> SysResult {
    if tv != 0 {
        let t = c.host.clock_gettime(CLOCK_REALTIME)?;
        c.write(
            tv,
            &Timeval {
                tv_sec: t.tv_sec,
                tv_usec: t.tv_nsec / 1000,
            },
        )?;
    }
    c.write_opt(tz, &Timezone::default()).map(|()| 0)
}

/// time(2).
pub fn sys_time(c: &mut Ctx<'_>, tloc: u64) -> SysResult {
    let t = c.host.clock_gettime(CLOCK_REALTIME)?;
    c.write_opt(tloc, &t.tv_sec)?;
    Ok(t.tv_sec as usize)
}

fn sleep(c: &mut Ctx<'_>, clk: u32, abs: bool, req: u64, rem: u64) -> SysResult {
    let t: Timespec = c.read(req)?;
    if !valid(&t) {
        return Err(Errno::EINVAL);
    }
    // Interruptible by the guest's handled signals (then EINTR with the
    // time left, never restarted: Linux's ERESTART_RESTARTBLOCK after a
    // handler); a stop and continue resumes the sleep for what remains.
    let mut t = t;
    loop {
        c.host.begin_blocking(c.k.host_sigmask());
        let r = if c.host.interrupted() {
            Err((Errno::EINTR, t))
        } else {
            c.host.clock_nanosleep(clk, abs, &t)
        };
        let got = c.host.end_blocking();
        let interrupted = !got.is_empty();
        for info in got {
            c.k.sig.make_pending(info);
        }
        match r {
            Ok(()) => return Ok(0),
            Err((Errno::EINTR, left)) if !interrupted => {
                if !abs {
                    t = left;
                }
            }
            Err((e, left)) => {
                if e == Errno::EINTR && !abs {
                    c.write_opt(rem, &left)?;
                }
                return Err(e);
            }
        }
    }
}

/// nanosleep(2).
pub fn sys_nanosleep(c: &mut Ctx<'_>, req: u64, rem: u64) -> SysResult {
    sleep(c, CLOCK_MONOTONIC, false, req, rem)
}

/// clock_nanosleep(2): the thread CPU clock cannot be slept on (EINVAL).
pub fn sys_clock_nanosleep(c: &mut Ctx<'_>, id: i32, flags: i32, req: u64, rem: u64) -> SysResult {
    if flags & !TIMER_ABSTIME != 0 {
        return Err(Errno::EINVAL);
    }
    let clk = clock(id)?;
    if clk == CLOCK_THREAD_CPUTIME_ID {
        return Err(Errno::EINVAL);
    }
    sleep(c, clk, flags & TIMER_ABSTIME != 0, req, rem)
}

// ------------------------------------------------------------------ timers
//
// alarm, interval timers and POSIX timers are the host's: they belong to
// the guest process (which is a host process) and their signals arrive
// like any other, through lx's delivery. Guest pointers are checked here
// and handed to the host, which copies through them (EFAULT, never a fault).

fn host(c: &Ctx<'_>, n: u32, a: [u64; 4]) -> SysResult {
    c.host.syscall(n, [a[0], a[1], a[2], a[3], 0, 0])
}

fn opt(addr: u64, len: u64) -> Result<u64, Errno> {
    if addr == 0 {
        Ok(0)
    } else {
        crate::user::slice(addr, len).map(|s| s.addr)
    }
}

/// alarm(2).
pub fn sys_alarm(c: &mut Ctx<'_>, secs: u32) -> SysResult {
    if c.k.vfork_helper {
        // A vfork helper: the alarm is the child's, across its exec.
        return crate::proc::vfork::call_in_child(
            c,
            lx_abi::syscalls::nr::alarm,
            u64::from(secs),
            0,
        );
    }
    host(c, lx_abi::syscalls::nr::alarm, [u64::from(secs), 0, 0, 0])
}

/// getitimer(2).
pub fn sys_getitimer(c: &mut Ctx<'_>, which: i32, val: u64) -> SysResult {
    if c.k.vfork_helper {
        // A vfork helper: the child's timers (see setitimer).
        let t = crate::proc::vfork::get_itimer(c, which)?;
        return c.write(val, &t).map(|()| 0);
    }
    host(
        c,
        lx_abi::syscalls::nr::getitimer,
        [which as u32 as u64, opt(val, 32)?, 0, 0],
    )
}

/// setitimer(2).
pub fn sys_setitimer(c: &mut Ctx<'_>, which: i32, new: u64, old: u64) -> SysResult {
    if c.k.vfork_helper {
        // A vfork helper: the timers are the child's (they last across its
        // exec; it passes their signals on to the helper).
        let prev = crate::proc::vfork::get_itimer(c, which)?;
        if new != 0 {
            let v: [i64; 4] = c.read(new)?;
            crate::proc::vfork::set_itimer(c, which, v)?;
        }
        return c.write_opt(old, &prev).map(|()| 0);
    }
    host(
        c,
        lx_abi::syscalls::nr::setitimer,
        [which as u32 as u64, opt(new, 32)?, opt(old, 32)?, 0],
    )
}

/// timer_create(2): SIGEV_SIGNAL, SIGEV_NONE and SIGEV_THREAD_ID (a thread
/// of this process: the host checks it is one).
pub fn sys_timer_create(c: &mut Ctx<'_>, clock: i32, sev: u64, id: u64) -> SysResult {
    crate::user::slice(id, 4)?;
    if sev != 0 {
        // struct sigevent: value (8), signo (4), notify (4), tid/function...
        let raw: [u8; 64] = c.read(sev)?;
        let notify = i32::from_le_bytes([raw[12], raw[13], raw[14], raw[15]]);
        let tid = i32::from_le_bytes([raw[16], raw[17], raw[18], raw[19]]);
        match notify {
            0 | 1 => {}        // SIGEV_SIGNAL, SIGEV_NONE
            4 if tid > 0 => {} // SIGEV_THREAD_ID
            _ => return Err(Errno::EINVAL),
        }
    }
    let r = host(
        c,
        lx_abi::syscalls::nr::timer_create,
        [clock as u32 as u64, sev, id, 0],
    )?;
    // Remembered: an exec lx serves in place deletes them, as Linux's does.
    if let Ok(t) = c.read::<i32>(id) {
        c.k.timers.push(t);
    }
    Ok(r)
}

/// timer_settime(2).
pub fn sys_timer_settime(c: &mut Ctx<'_>, id: i32, flags: i32, new: u64, old: u64) -> SysResult {
    crate::user::slice(new, 32)?;
    host(
        c,
        lx_abi::syscalls::nr::timer_settime,
        [id as u32 as u64, flags as u32 as u64, new, opt(old, 32)?],
    )
}

/// timer_gettime(2).
pub fn sys_timer_gettime(c: &mut Ctx<'_>, id: i32, cur: u64) -> SysResult {
    crate::user::slice(cur, 32)?;
    host(
        c,
        lx_abi::syscalls::nr::timer_gettime,
        [id as u32 as u64, cur, 0, 0],
    )
}

/// timer_getoverrun(2).
pub fn sys_timer_getoverrun(c: &mut Ctx<'_>, id: i32) -> SysResult {
    host(
        c,
        lx_abi::syscalls::nr::timer_getoverrun,
        [id as u32 as u64, 0, 0, 0],
    )
}

/// timer_delete(2).
pub fn sys_timer_delete(c: &mut Ctx<'_>, id: i32) -> SysResult {
    let r = host(
        c,
        lx_abi::syscalls::nr::timer_delete,
        [id as u32 as u64, 0, 0, 0],
    )?;
    c.k.timers.retain(|&t| t != id);
    Ok(r)
}
