//! epoll(7) and eventfd(2): host objects behind guest fds. An epoll
//! instance is the host's; lx translates the guest fds it is told to watch
//! into their host fds (so it watches the same open file descriptions, and
//! a description leaves the set when its last fd closes, as on Linux) and
//! passes the guest's `epoll_data` through untouched, so events come back
//! exactly as the guest registered them. Waits are interruptible by the
//! guest's handled signals (EINTR, never restarted, as Linux's).

use crate::ctx::{Ctx, SysResult};
use crate::fd::OpenFile;
use crate::fs::open::install;
use crate::fs::poll::{interruptible_wait, ms_timeout, read_timeout, temporary_mask};
use crate::user;
use lx_abi::Errno;
use lx_abi::structs::Timespec;
use lx_abi::syscalls::nr;

const EPOLL_CLOEXEC: u32 = 0o2000000;
const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CTL_DEL: i32 = 2;
const EPOLL_CTL_MOD: i32 = 3;
/// `struct epoll_event` is packed on x86-64: events (4) + data (8).
const EVENT_SIZE: u64 = 12;
/// Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event).
const MAX_EVENTS: i32 = i32::MAX / EVENT_SIZE as i32;

const EFD_SEMAPHORE: u32 = 1;
const EFD_NONBLOCK: u32 = 0o4000;
const EFD_CLOEXEC: u32 = 0o2000000;

/// epoll_create1(2).
pub fn sys_epoll_create1(c: &mut Ctx<'_>, flags: u32) -> SysResult {
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    let h = c
        .host
        .syscall(nr::epoll_create1, [u64::from(EPOLL_CLOEXEC), 0, 0, 0, 0, 0])? as i32;
    let mut file = OpenFile::host(h, b"anon_inode:[eventpoll]".to_vec());
    file.may_block = false;
    install(c, file, flags & EPOLL_CLOEXEC != 0)
}

/// epoll_create(2): `size` is only checked.
pub fn sys_epoll_create(c: &mut Ctx<'_>, size: i32) -> SysResult {
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    sys_epoll_create1(c, 0)
}

/// epoll_ctl(2).
pub fn sys_epoll_ctl(c: &mut Ctx<'_>, epfd: i32, op: i32, fd: i32, event: u64) -> SysResult {
    let ep = c.k.fds.host_fd(epfd)?;
    let target = c.k.fds.host_fd(fd)?;
    if epfd == fd {
        return Err(Errno::EINVAL);
    }
    let mut ev = [0u8; EVENT_SIZE as usize];
    let arg = match op {
        EPOLL_CTL_ADD | EPOLL_CTL_MOD => {
            user::copy_in(c.host, event, &mut ev)?;
            ev.as_ptr() as u64
        }
        // DEL ignores the event (old kernels wanted it non-NULL; Linux no
        // longer does).
        EPOLL_CTL_DEL => 0,
        _ => return Err(Errno::EINVAL),
    };
    c.host
        .syscall(
            nr::epoll_ctl,
            [ep as u64, op as u64, target as u64, arg, 0, 0],
        )
        .map(|_| 0)
}

/// The wait shared by epoll_wait, epoll_pwait and epoll_pwait2: the host
/// writes the events straight into the guest's buffer (checked here).
fn wait(c: &mut Ctx<'_>, epfd: i32, events: u64, max: i32, timeout: Option<Timespec>) -> SysResult {
    let ep = c.k.fds.host_fd(epfd)?;
    if max <= 0 || max > MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    user::slice(events, max as u64 * EVENT_SIZE)?;
    let ts = timeout.unwrap_or_default();
    let tsp = if timeout.is_some() {
        &ts as *const Timespec as u64
    } else {
        0
    };
    interruptible_wait(c, timeout, |h| {
        h.syscall(nr::epoll_pwait2, [ep as u64, events, max as u64, tsp, 0, 8])
    })
}

/// epoll_wait(2).
pub fn sys_epoll_wait(c: &mut Ctx<'_>, epfd: i32, events: u64, max: i32, ms: i32) -> SysResult {
    wait(c, epfd, events, max, ms_timeout(ms))
}

/// epoll_pwait(2).
pub fn sys_epoll_pwait(
    c: &mut Ctx<'_>,
    epfd: i32,
    events: u64,
    max: i32,
    ms: i32,
    mask: u64,
    size: u64,
) -> SysResult {
    temporary_mask(c, mask, size)?;
    wait(c, epfd, events, max, ms_timeout(ms))
}

/// epoll_pwait2(2): a timespec timeout (NULL: forever).
pub fn sys_epoll_pwait2(
    c: &mut Ctx<'_>,
    epfd: i32,
    events: u64,
    max: i32,
    tsp: u64,
    mask: u64,
    size: u64,
) -> SysResult {
    let t = read_timeout(c, tsp)?;
    temporary_mask(c, mask, size)?;
    wait(c, epfd, events, max, t)
}

/// eventfd2(2).
pub fn sys_eventfd2(c: &mut Ctx<'_>, initval: u32, flags: u32) -> SysResult {
    if flags & !(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let h = c.host.syscall(
        nr::eventfd2,
        [
            u64::from(initval),
            u64::from((flags & !EFD_CLOEXEC) | EFD_CLOEXEC),
            0,
            0,
            0,
            0,
        ],
    )? as i32;
    install(
        c,
        OpenFile::host(h, b"anon_inode:[eventfd]".to_vec()),
        flags & EFD_CLOEXEC != 0,
    )
}

/// eventfd(2).
pub fn sys_eventfd(c: &mut Ctx<'_>, initval: u32) -> SysResult {
    sys_eventfd2(c, initval, 0)
}
