//! futex(2): served by the host's futex on the guest's own memory (guest
//! and lx share the address space), so waiters in any thread or process
//! that shares the memory meet. Timeouts are copied through lx.

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use lx_abi::flags::FUTEX_CMD_MASK;
use lx_abi::structs::Timespec;
use lx_abi::syscalls::nr;

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_FD: u32 = 2;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAKE_OP: u32 = 5;
const FUTEX_LOCK_PI: u32 = 6;
const FUTEX_UNLOCK_PI: u32 = 7;
const FUTEX_TRYLOCK_PI: u32 = 8;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_WAIT_REQUEUE_PI: u32 = 11;
const FUTEX_CMP_REQUEUE_PI: u32 = 12;
const FUTEX_LOCK_PI2: u32 = 13;

/// futex(2).
pub fn sys_futex(
    c: &mut Ctx<'_>,
    uaddr: u64,
    op: u32,
    val: u32,
    timeout: u64,
    uaddr2: u64,
    val3: u32,
) -> SysResult {
    let cmd = op & FUTEX_CMD_MASK;
    if !uaddr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    user::slice(uaddr, 4)?;
    let (has_timeout, has_uaddr2) = match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET | FUTEX_LOCK_PI | FUTEX_LOCK_PI2 => (true, false),
        FUTEX_WAIT_REQUEUE_PI => (true, true),
        FUTEX_WAKE | FUTEX_WAKE_BITSET | FUTEX_UNLOCK_PI | FUTEX_TRYLOCK_PI => (false, false),
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE | FUTEX_WAKE_OP | FUTEX_CMP_REQUEUE_PI => (false, true),
        FUTEX_FD => return Err(Errno::ENOSYS),
        _ => return Err(Errno::ENOSYS),
    };
    if has_uaddr2 {
        user::slice(uaddr2, 4)?;
    }
    let mut ts = Timespec::default();
    // For the requeue family the "timeout" slot carries a count (val2).
    let a3 = if has_timeout {
        if timeout == 0 {
            0
        } else {
            ts = c.read(timeout)?;
            &ts as *const Timespec as u64
        }
    } else {
        timeout
    };
    let args = [
        uaddr,
        u64::from(op),
        u64::from(val),
        a3,
        uaddr2,
        u64::from(val3),
    ];
    let r = if matches!(
        cmd,
        FUTEX_WAIT | FUTEX_WAIT_BITSET | FUTEX_LOCK_PI | FUTEX_LOCK_PI2 | FUTEX_WAIT_REQUEUE_PI
    ) {
        // A wait: the guest's handled signals interrupt it. As Linux's
        // futex_wait: restarted after an SA_RESTART handler when it has no
        // timeout, EINTR when it has one.
        let restart = if timeout == 0 {
            crate::signal::Restart::IfSaRestart
        } else {
            crate::signal::Restart::Never
        };
        crate::signal::blocking(c, restart, |c| c.host.syscall(nr::futex, args))
    } else {
        c.host.syscall(nr::futex, args)
    };
    let _ = ts;
    r
}
