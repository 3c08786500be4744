//! set_tid_address(2), set_robust_list(2), get_robust_list(2), rseq(2): registrations the host
//! kernel honours for the thread (clearing the tid word and waking futex
//! waiters at exit, robust futex cleanup, restartable sequences).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;

/// set_tid_address(2): returns the caller's tid.
pub fn sys_set_tid_address(c: &mut Ctx<'_>, addr: u64) -> SysResult {
    if addr != 0 {
        user::slice(addr, 4)?;
    }
    c.host.set_tid_address(addr);
    Ok(c.k.id.tid as usize)
}

/// set_robust_list(2): `len` must be sizeof(struct robust_list_head).
pub fn sys_set_robust_list(c: &mut Ctx<'_>, head: u64, len: u64) -> SysResult {
    if len != 24 {
        return Err(Errno::EINVAL);
    }
    user::slice(head, len)?;
    c.host.set_robust_list(head, len).map(|()| 0)
}

/// get_robust_list(2): the list head registered for thread `pid` (0: the
/// caller) or a process of the run (the host checks ptrace access). (Another
/// thread's tid of the same process is not looked up: ESRCH.)
pub fn sys_get_robust_list(c: &mut Ctx<'_>, pid: i32, head_ptr: u64, len_ptr: u64) -> SysResult {
    if !crate::proc::ids::in_run(c, pid) && pid != c.k.id.tid {
        return Err(Errno::ESRCH);
    }
    user::slice(head_ptr, 8)?;
    user::slice(len_ptr, 8)?;
    let (mut head, mut len) = (0u64, 0u64);
    c.host.syscall(
        lx_abi::syscalls::nr::get_robust_list,
        [
            pid as u64,
            &mut head as *mut u64 as u64,
            &mut len as *mut u64 as u64,
            0,
            0,
            0,
        ],
    )?;
    user::write(c.host, head_ptr, &head)?;
    user::write(c.host, len_ptr, &len)?;
    Ok(0)
}

/// rseq(2).
pub fn sys_rseq(c: &mut Ctx<'_>, addr: u64, len: u32, flags: i32, sig: u32) -> SysResult {
    user::slice(addr, u64::from(len))?;
    c.host.rseq(addr, len, flags, sig)?;
    // Remembered: an exec lx serves in place unregisters it, as Linux's
    // exec forgets it.
    c.k.rseq = if flags & RSEQ_FLAG_UNREGISTER != 0 {
        None
    } else {
        Some((addr, len, sig))
    };
    Ok(0)
}

const RSEQ_FLAG_UNREGISTER: i32 = 1;
