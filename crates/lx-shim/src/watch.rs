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

/// Open this process's own description of the pipe and arm it (again
/// after a fork: the parent's description names the parent as owner).
pub fn arm() {
    let fd = WATCH_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let old = ARMED_FD.swap(-1, Ordering::Relaxed);
    if old >= 0 {
        sys::close(old);
    }
    let path = sys::cstring(format_args!("/proc/self/fd/{fd}"));
    let Ok(own) = call(
        nr::openat,
        &[
            (-100i64) as u64,
            path.as_ptr() as u64,
            0o2000000 | O_NONBLOCK, // O_RDONLY | O_CLOEXEC | O_NONBLOCK
        ],
    ) else {
        return;
    };
    let own = own as u64;
    let pid = sys::getpid() as u64;
    let _ = call(nr::fcntl, &[own, F_SETOWN, pid]);
    let _ = call(nr::fcntl, &[own, F_SETSIG, SIGKILL]);
    let _ = call(nr::fcntl, &[own, F_SETFL, O_ASYNC | O_NONBLOCK]);
    ARMED_FD.store(own as i32, Ordering::Relaxed);
    // lx may have gone while this process was between two armings (a
    // fork or an exec): end-of-file means the write end is closed already.
    let mut b = [0u8; 1];
    if call(nr::read, &[own, b.as_mut_ptr() as u64, 1]) == Ok(0) {
        let _ = call(nr::kill, &[pid, SIGKILL]);
    }
}
