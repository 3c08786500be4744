//! Robust futexes at an exec served in place: what Linux's exec does with
//! the calling thread's robust list (kernel/futex/core.c, exit_robust_list),
//! done by lx because the host never sees that exec.
//!
//! Every lock on the list still owned by this thread gets FUTEX_OWNER_DIED
//! (keeping FUTEX_WAITERS) and one waiter is woken, so a process-shared
//! robust mutex held across an exec is reported EOWNERDEAD to the next
//! locker instead of staying locked forever.

use crate::sys::call;
use crate::usercopy;
use lx_abi::syscalls::nr;
use lx_kernel::layout::guest_range_ok;

const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Linux's ROBUST_LIST_LIMIT: a circular or corrupt list ends the walk.
const LIMIT: usize = 2048;

fn read_u64(addr: u64) -> Option<u64> {
    if !guest_range_ok(addr, 8) {
        return None;
    }
    let mut b = [0u8; 8];
    usercopy::copy_from_guest(&mut b, addr).ok()?;
    Some(u64::from_le_bytes(b))
}

/// A list word: the entry's address and whether it is a PI futex (bit 0).
fn entry(word: u64) -> (u64, bool) {
    (word & !1, word & 1 != 0)
}

/// Linux's handle_futex_death for the futex word at `uaddr`.
fn futex_death(uaddr: u64, tid: u32, pi: bool, pending_op: bool) {
    if !uaddr.is_multiple_of(4) || !guest_range_ok(uaddr, 4) {
        return;
    }
    let mut b = [0u8; 4];
    for _ in 0..64 {
        if usercopy::copy_from_guest(&mut b, uaddr).is_err() {
            return;
        }
        let val = u32::from_le_bytes(b);
        if pending_op && !pi && val == 0 {
            // Unlocked between the list update and the wake: wake anyway.
            wake(uaddr);
            return;
        }
        if val & FUTEX_TID_MASK != tid {
            return;
        }
        let new = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        match usercopy::cas_guest_u32(uaddr, val, new) {
            Err(_) => return,
            Ok(found) if found == val => {
                if !pi && val & FUTEX_WAITERS != 0 {
                    wake(uaddr);
                }
                return;
            }
            Ok(_) => continue, // changed under us: look again
        }
    }
}

/// Wake one waiter (shared futex: the waiter may be another process).
fn wake(uaddr: u64) {
    let _ = call(nr::futex, &[uaddr, 1 /* FUTEX_WAKE */, 1, 0, 0, 0]);
}

/// Release the robust list the host holds for the calling thread (`tid`),
/// then unregister it.
pub fn release(tid: u32) {
    let (mut head, mut len) = (0u64, 0u64);
    let got = call(
        nr::get_robust_list,
        &[0, &mut head as *mut u64 as u64, &mut len as *mut u64 as u64],
    );
    let _ = call(nr::set_robust_list, &[0, 24]);
    if got.is_err() || head == 0 {
        return;
    }
    // struct robust_list_head { list.next, futex_offset, list_op_pending }
    let (Some(first), Some(offset), Some(pending)) =
        (read_u64(head), read_u64(head + 8), read_u64(head + 16))
    else {
        return;
    };
    let offset = offset as i64;
    let (pending, pending_pi) = entry(pending);
    let (mut at, mut pi) = entry(first);
    let mut left = LIMIT;
    while at != head && left > 0 {
        let next = read_u64(at);
        if at != pending {
            futex_death(at.wrapping_add_signed(offset), tid, pi, false);
        }
        let Some(next) = next else {
            return;
        };
        (at, pi) = entry(next);
        left -= 1;
    }
    if pending != 0 {
        futex_death(pending.wrapping_add_signed(offset), tid, pending_pi, true);
    }
}
