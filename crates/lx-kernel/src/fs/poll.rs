//! poll(2), ppoll(2) over guest fds.

use crate::ctx::{Ctx, SysResult};
use crate::user;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::{PollFd, Timespec};
use zerocopy::IntoBytes;

const POLLNVAL: i16 = 0x20;

fn do_poll(c: &mut Ctx<'_>, fds: u64, nfds: u64, timeout: Option<Timespec>) -> SysResult {
    if nfds > c.k.fds.limit {
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
    let n = c.host.poll(&mut host, t)?;
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

/// poll(2): a negative timeout waits forever.
pub fn sys_poll(c: &mut Ctx<'_>, fds: u64, nfds: u64, timeout_ms: i32) -> SysResult {
    let t = (timeout_ms >= 0).then(|| Timespec {
        tv_sec: i64::from(timeout_ms / 1000),
        tv_nsec: i64::from(timeout_ms % 1000) * 1_000_000,
    });
    do_poll(c, fds, nfds, t)
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
    let t = if tsp == 0 {
        None
    } else {
        let t: Timespec = c.read(tsp)?;
        if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        Some(t)
    };
    if mask != 0 {
        if size != 8 {
            return Err(Errno::EINVAL);
        }
        let _: u64 = c.read(mask)?;
    }
    let start = t.map(|_| c.host.now_ns());
    let r = do_poll(c, fds, nfds, t)?;
    if let (Some(t), Some(start)) = (t, start) {
        // Linux writes back the time left.
        let total = t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64;
        let left = total.saturating_sub(c.host.now_ns().saturating_sub(start));
        let rem = Timespec {
            tv_sec: (left / 1_000_000_000) as i64,
            tv_nsec: (left % 1_000_000_000) as i64,
        };
        c.write(tsp, &rem)?;
    }
    Ok(r)
}
