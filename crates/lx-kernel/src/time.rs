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
    match c.host.clock_nanosleep(clk, abs, &t) {
        Ok(()) => Ok(0),
        Err((e, left)) => {
            if e == Errno::EINTR && !abs {
                c.write_opt(rem, &left)?;
            }
            Err(e)
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
