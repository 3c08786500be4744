//! poll(2), ppoll(2) over guest fds.

use crate::ctx::{Ctx, SysResult};
use crate::user;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::{PollFd, Timespec};
use zerocopy::IntoBytes;

const POLLIN: i16 = 0x1;
const POLLPRI: i16 = 0x2;
const POLLOUT: i16 = 0x4;
const POLLERR: i16 = 0x8;
const POLLHUP: i16 = 0x10;
const POLLNVAL: i16 = 0x20;

/// What is left of timeout `t` started at `start` (Linux writes it back).
fn time_left(c: &Ctx<'_>, t: Timespec, start: u64) -> Timespec {
    let total = t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64;
    let left = total.saturating_sub(c.host.now_ns().saturating_sub(start));
    Timespec {
        tv_sec: (left / 1_000_000_000) as i64,
        tv_nsec: (left % 1_000_000_000) as i64,
    }
}

/// A timeout argument: NULL is none (wait forever); a bad one is EINVAL.
pub fn read_timeout(c: &mut Ctx<'_>, tsp: u64) -> Result<Option<Timespec>, Errno> {
    if tsp == 0 {
        return Ok(None);
    }
    let t: Timespec = c.read(tsp)?;
    if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(t))
}

/// The signal mask a ppoll/pselect6/epoll_pwait waits with (none if
/// `mask` is NULL): it applies for the wait and is restored when the call
/// ends.
pub fn temporary_mask(c: &mut Ctx<'_>, mask: u64, size: u64) -> Result<(), Errno> {
    if mask != 0 {
        if size != 8 {
            return Err(Errno::EINVAL);
        }
        let m: u64 = c.read(mask)?;
        c.k.sig.set_temporary_mask(lx_abi::signal::SigSet(m));
    }
    Ok(())
}

/// A readiness wait with timeout `t` (None: forever): guest-handled signals
/// interrupt it (EINTR, never restarted); a zero timeout only polls.
pub fn interruptible_wait(
    c: &mut Ctx<'_>,
    t: Option<Timespec>,
    mut call: impl FnMut(&dyn crate::host::Host) -> SysResult,
) -> SysResult {
    if t.is_some_and(|t| t.tv_sec == 0 && t.tv_nsec == 0) {
        return call(c.host);
    }
    crate::signal::blocking(c, crate::signal::Restart::Never, |c| call(c.host))
}

/// Wait on host fds; guest-handled signals interrupt the wait (EINTR).
fn wait(c: &mut Ctx<'_>, host: &mut [PollFd], t: Option<Timespec>) -> SysResult {
    interruptible_wait(c, t, |h| h.poll(host, t))
}

fn do_poll(c: &mut Ctx<'_>, fds: u64, nfds: u64, timeout: Option<Timespec>) -> SysResult {
    if nfds > c.k.fds.limit() {
        return Err(Errno::EINVAL);
    }
    let mut guest = alloc::vec![PollFd::default(); nfds as usize];
    user::copy_in(c.host, fds, guest.as_mut_bytes())?;
    let mut host: Vec<PollFd> = Vec::with_capacity(guest.len());
    let mut invalid = 0usize;
    for p in &guest {
        let fd = if p.fd < 0 {
            -1
        } else {
            match c.k.fds.host_fd(p.fd) {
                Ok(h) => h,
                Err(_) => {
                    invalid += 1;
                    -1
                }
            }
        };
        host.push(PollFd {
            fd,
            events: p.events,
            revents: 0,
        });
    }
    // An fd that is not open is reported at once with POLLNVAL.
    let t = if invalid > 0 {
        Some(Timespec::default())
    } else {
        timeout
    };
    let n = wait(c, &mut host, t)?;
    for (g, h) in guest.iter_mut().zip(&host) {
        g.revents = if g.fd >= 0 && h.fd < 0 {
            POLLNVAL
        } else {
            h.revents
        };
    }
    user::copy_out(c.host, fds, guest.as_bytes())?;
    Ok(n + invalid)
}

/// A timeout in milliseconds (poll, epoll_wait): negative waits forever.
pub fn ms_timeout(ms: i32) -> Option<Timespec> {
    (ms >= 0).then(|| Timespec {
        tv_sec: i64::from(ms / 1000),
        tv_nsec: i64::from(ms % 1000) * 1_000_000,
    })
}

/// poll(2): a negative timeout waits forever.
pub fn sys_poll(c: &mut Ctx<'_>, fds: u64, nfds: u64, timeout_ms: i32) -> SysResult {
    do_poll(c, fds, nfds, ms_timeout(timeout_ms))
}

/// ppoll(2). The temporary signal mask is checked and applies to the wait
/// only in that lx delivers caught signals after the call returns.
pub fn sys_ppoll(
    c: &mut Ctx<'_>,
    fds: u64,
    nfds: u64,
    tsp: u64,
    mask: u64,
    size: u64,
) -> SysResult {
    let t = read_timeout(c, tsp)?;
    temporary_mask(c, mask, size)?;
    let start = t.map(|_| c.host.now_ns());
    let r = do_poll(c, fds, nfds, t)?;
    if let (Some(t), Some(start)) = (t, start) {
        // Linux writes back the time left.
        c.write(tsp, &time_left(c, t, start))?;
    }
    Ok(r)
}

/// The bitmaps of select(2): read, write, except (guest addresses, 0: none).
fn do_select(c: &mut Ctx<'_>, nfds: i32, sets: [u64; 3], t: Option<Timespec>) -> SysResult {
    if nfds < 0 || nfds as u64 > c.k.fds.limit().max(1024) {
        return Err(Errno::EINVAL);
    }
    let n = nfds as usize;
    let words = n.div_ceil(64);
    let mut bits = [Vec::new(), Vec::new(), Vec::new()];
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            let mut v = alloc::vec![0u64; words];
            user::copy_in(c.host, addr, &mut v.as_mut_bytes()[..n.div_ceil(8)])?;
            bits[i] = v;
        }
    }
    let has = |b: &Vec<u64>, fd: usize| b.get(fd / 64).is_some_and(|w| w & (1 << (fd % 64)) != 0);
    let mut host: Vec<PollFd> = Vec::new();
    let mut which: Vec<usize> = Vec::new();
    for fd in 0..n {
        let mut ev = 0i16;
        if has(&bits[0], fd) {
            ev |= POLLIN;
        }
        if has(&bits[1], fd) {
            ev |= POLLOUT;
        }
        if has(&bits[2], fd) {
            ev |= POLLPRI;
        }
        if ev != 0 {
            let h = c.k.fds.host_fd(fd as i32)?;
            host.push(PollFd {
                fd: h,
                events: ev,
                revents: 0,
            });
            which.push(fd);
        }
    }
    wait(c, &mut host, t)?;
    let mut out = [
        alloc::vec![0u64; words],
        alloc::vec![0u64; words],
        alloc::vec![0u64; words],
    ];
    let mut count = 0;
    for (p, &fd) in host.iter().zip(&which) {
        let set = |o: &mut Vec<u64>| o[fd / 64] |= 1 << (fd % 64);
        if p.events & POLLIN != 0 && p.revents & (POLLIN | POLLHUP | POLLERR) != 0 {
            set(&mut out[0]);
            count += 1;
        }
        if p.events & POLLOUT != 0 && p.revents & (POLLOUT | POLLERR) != 0 {
            set(&mut out[1]);
            count += 1;
        }
        if p.events & POLLPRI != 0 && p.revents & POLLPRI != 0 {
            set(&mut out[2]);
            count += 1;
        }
    }
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            user::copy_out(c.host, addr, &out[i].as_bytes()[..n.div_ceil(8)])?;
        }
    }
    Ok(count)
}

/// select(2): the timeval is updated with the time left, as Linux does.
pub fn sys_select(c: &mut Ctx<'_>, nfds: i32, r: u64, w: u64, e: u64, tv: u64) -> SysResult {
    let t = if tv == 0 {
        None
    } else {
        let v: lx_abi::structs::Timeval = c.read(tv)?;
        if v.tv_sec < 0 || !(0..1_000_000).contains(&v.tv_usec) {
            return Err(Errno::EINVAL);
        }
        Some(Timespec {
            tv_sec: v.tv_sec,
            tv_nsec: v.tv_usec * 1000,
        })
    };
    let start = c.host.now_ns();
    let res = do_select(c, nfds, [r, w, e], t);
    if let Some(t) = t {
        let left = time_left(c, t, start);
        let v = lx_abi::structs::Timeval {
            tv_sec: left.tv_sec,
            tv_usec: left.tv_nsec / 1000,
        };
        c.write(tv, &v)?;
    }
    res
}

/// pselect6(2): the sixth argument points at {sigset pointer, size}.
pub fn sys_pselect6(
    c: &mut Ctx<'_>,
    nfds: i32,
    r: u64,
    w: u64,
    e: u64,
    tsp: u64,
    sig: u64,
) -> SysResult {
    let t = read_timeout(c, tsp)?;
    if sig != 0 {
        let [set, size]: [u64; 2] = c.read(sig)?;
        temporary_mask(c, set, size)?;
    }
    let start = c.host.now_ns();
    let res = do_select(c, nfds, [r, w, e], t);
    if let Some(t) = t {
        c.write(tsp, &time_left(c, t, start))?;
    }
    res
}
