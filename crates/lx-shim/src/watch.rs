//! The run's watchdog: `lx` holds the write end of a pipe whose read end
//! every guest process has. Each process opens its own file description of
//! the read end with O_ASYNC, itself as owner and SIGKILL as the signal:
//! when lx goes away (exits, or is killed, even with SIGKILL) the pipe's
//! last writer closes and the host sends SIGKILL to every guest process of
//! the run, so none survives it.

use crate::sys::{self, call};
use core::sync::atomic::{AtomicI32, Ordering};
use lx_abi::syscalls::nr;

static WATCH_FD: AtomicI32 = AtomicI32::new(-1);
static ARMED_FD: AtomicI32 = AtomicI32::new(-1);

const F_SETFL: u64 = 4;
const F_SETOWN: u64 = 8;
const F_SETSIG: u64 = 10;
const O_ASYNC: u64 = 0o20000;
const O_NONBLOCK: u64 = 0o4000;
const SIGKILL: u64 = 9;

/// Remember the inherited read end and arm this process, unless the image
/// this one replaced left an armed description (`armed`, same pid).
pub fn init(fd: i32, armed: i32) {
    WATCH_FD.store(fd, Ordering::Relaxed);
    if armed >= 0
        && fd >= 0
        && call(nr::fcntl, &[armed as u64, 9 /* F_GETOWN */]) == Ok(sys::getpid() as usize)
    {
        let _ = call(
            nr::fcntl,
            &[armed as u64, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */],
        );
        ARMED_FD.store(armed, Ordering::Relaxed);
        return;
    }
    arm();
}

/// This process's armed description of the pipe (-1: none).
pub fn armed_fd() -> i32 {
    ARMED_FD.load(Ordering::Relaxed)
}

/// A description opened and armed ahead of the next fork (owned by this
/// process until a child takes it over): the child then needs one fcntl
/// instead of a /proc lookup, and the parent prepares the next spare while
/// the child runs.
static SPARE_FD: AtomicI32 = AtomicI32::new(-1);

/// A new description of the watch pipe, armed for `owner`.
fn open_armed(owner: u64) -> Option<u64> {
    let fd = WATCH_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return None;
    }
    let path = sys::cstring(format_args!("/proc/self/fd/{fd}"));
    let own = call(
        nr::openat,
        &[
            (-100i64) as u64,
            path.as_ptr() as u64,
            0o2000000 | O_NONBLOCK, // O_RDONLY | O_CLOEXEC | O_NONBLOCK
        ],
    )
    .ok()? as u64;
    let _ = call(nr::fcntl, &[own, F_SETOWN, owner]);
    let _ = call(nr::fcntl, &[own, F_SETSIG, SIGKILL]);
    let _ = call(nr::fcntl, &[own, F_SETFL, O_ASYNC | O_NONBLOCK]);
    Some(own)
}

/// Make `own` this process's armed description (closing the one inherited)
/// and check that lx is still there.
fn adopt(own: u64) {
    let old = ARMED_FD.swap(own as i32, Ordering::Relaxed);
    if old >= 0 && old as u64 != own {
        sys::close(old);
    }
    // lx may have gone while this process was between two armings (a
    // fork or an exec): end-of-file means the write end is closed already.
    let mut b = [0u8; 1];
    if call(nr::read, &[own, b.as_mut_ptr() as u64, 1]) == Ok(0) {
        let _ = call(nr::kill, &[sys::getpid() as u64, SIGKILL]);
    }
}

/// Open this process's own description of the pipe and arm it (again
/// after a fork: the parent's description names the parent as owner).
pub fn arm() {
    if let Some(own) = open_armed(sys::getpid() as u64) {
        adopt(own);
    }
}

/// Before a fork: take the spare description for the child (-1: none).
/// The spare's fd (see `restore_spare`).
pub fn spare() -> i32 {
    SPARE_FD.load(Ordering::Acquire)
}

/// Put back the spare after a vfork helper ran: it shares this word, and a
/// fork it made replaced the spare with one in its own fd table.
pub fn restore_spare(fd: i32) {
    // (Only a change is stored: see `patch::restore_mem_fd_state`.)
    if SPARE_FD.load(Ordering::Acquire) != fd {
        SPARE_FD.store(fd, Ordering::Release);
    }
}

pub fn take_spare() -> i32 {
    TAKEN.fetch_add(1, Ordering::Relaxed);
    SPARE_FD.swap(-1, Ordering::AcqRel)
}

/// Forks so far (spares taken): a vfork helper's fork, made with this
/// process's spare, shows here.
static TAKEN: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// How many spares were taken (see `TAKEN`).
pub fn taken() -> u64 {
    TAKEN.load(Ordering::Relaxed)
}

/// In the child of a fork: arm with the spare the parent took (`spare`),
/// or the slow way.
pub fn arm_child(spare: i32) {
    if spare >= 0 {
        // The description is the child's now; make it its owner.
        let pid = sys::getpid() as u64;
        if call(nr::fcntl, &[spare as u64, F_SETOWN, pid]).is_ok() {
            adopt(spare as u64);
            return;
        }
        sys::close(spare);
    }
    arm();
}

/// In the parent after a fork: its copy of the spare went to the child;
/// open the next one (the child is running meanwhile).
pub fn after_fork_parent(spare: i32) {
    if spare >= 0 {
        sys::close(spare);
    }
    if let Some(own) = open_armed(sys::getpid() as u64)
        && SPARE_FD
            .compare_exchange(-1, own as i32, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
    {
        sys::close(own as i32);
    }
}
