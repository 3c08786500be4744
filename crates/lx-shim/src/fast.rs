//! The fast path: a patched syscall site (see `crate::patch`) enters lx
//! here with a jump instead of a SIGSYS trap, so a call costs a few dozen
//! instructions of entry and exit instead of a signal delivery and a
//! sigreturn.
//!
//! The stub leaves the syscall number in rax and the return address in rcx
//! (where the `syscall` instruction would have put it). %gs points at the
//! thread's fast-path area (`thread::FastArea`): the entry saves the
//! guest's stack pointer there, switches to lx's stack for the thread
//! (below the top of its signal stack), stores the registers as a `Regs`
//! (the layout of a signal frame's) and calls `fast_syscall`. The exit
//! restores every register, sets rcx and r11 as the `syscall` instruction
//! does (return address, flags) and jumps back. lx's code never touches the
//! vector registers (the shim is built without SSE), so the guest's FPU
//! state needs no saving.
//!
//! What the fast path cannot finish goes through the trap after all: if
//! the call must deliver a signal, the exit returns to the site's own
//! `syscall` instruction with `LX_REDELIVER` in rax; the SIGSYS handler
//! picks up the result left in the area and delivers with the full signal
//! frame. A signal arriving while the exit sequence runs is caught: the
//! last check of the queue is inside a range the signal catcher restarts
//! (`resume_for`).

use crate::host::SHIM_HOST;
use crate::signals;
use crate::thread::{self, FastArea};
use core::arch::naked_asm;
use core::sync::atomic::Ordering;
use lx_abi::syscalls::nr;
use lx_kernel::Regs;

/// The private syscall number of a fast-path call the SIGSYS handler
/// finishes (a number Linux does not use).
pub const LX_REDELIVER: u32 = 0x4c58;

/// The fast path's frame on lx's stack for the thread: a `Regs` (the
/// layout of a signal frame's) of the guest's registers, with rcx holding
/// the return address and gs:[8] the guest's stack pointer; r11 is
/// scratch (the `syscall` instruction leaves the flags in it).
macro_rules! build_frame {
    () => {
        concat!(
            "mov rsp, gs:[0]\n",
            "pushfq\n",
            "sub rsp, 184\n",
            "mov [rsp + 0], r8\n",
            "mov [rsp + 8], r9\n",
            "mov [rsp + 16], r10\n",
            "mov [rsp + 32], r12\n",
            "mov [rsp + 40], r13\n",
            "mov [rsp + 48], r14\n",
            "mov [rsp + 56], r15\n",
            "mov [rsp + 64], rdi\n",
            "mov [rsp + 72], rsi\n",
            "mov [rsp + 80], rbp\n",
            "mov [rsp + 88], rbx\n",
            "mov [rsp + 96], rdx\n",
            "mov [rsp + 104], rax\n",
            "mov [rsp + 112], rcx\n",
            "mov r11, gs:[8]\n",
            "mov [rsp + 120], r11\n",
            "mov [rsp + 128], rcx\n",
            "mov r11, [rsp + 184]\n",
            "mov [rsp + 136], r11\n",
            "mov [rsp + 24], r11\n",
            "xor r11d, r11d\n",
            "mov [rsp + 144], r11\n",
            "mov [rsp + 152], r11\n",
            "mov [rsp + 160], r11\n",
            "mov [rsp + 168], r11\n",
            "mov [rsp + 176], r11",
        )
    };
}

/// The fast path's entry (the stubs jump here).
///
/// # Safety
/// Only patched syscall sites jump here, with rax = syscall number, rcx =
/// the return address and %gs = the thread's fast-path area.
#[unsafe(naked)]
pub unsafe extern "C" fn lx_fast_entry() -> ! {
    naked_asm!(
        "mov gs:[8], rsp",
        "mov gs:[16], rcx",
        build_frame!(),
        "cld",
        "mov rdi, rsp",
        "call {serve}",
        "2:",
        "mov r8, [rsp + 0]",
        "mov r9, [rsp + 8]",
        "mov r10, [rsp + 16]",
        "mov r12, [rsp + 32]",
        "mov r13, [rsp + 40]",
        "mov r14, [rsp + 48]",
        "mov r15, [rsp + 56]",
        "mov rdi, [rsp + 64]",
        "mov rsi, [rsp + 72]",
        "mov rbp, [rsp + 80]",
        "mov rbx, [rsp + 88]",
        "mov rdx, [rsp + 96]",
        "mov rax, [rsp + 104]",
        "mov rcx, [rsp + 128]",
        "mov gs:[16], rcx",
        "mov rcx, [rsp + 120]",
        "mov gs:[8], rcx",
        "mov r11, [rsp + 136]",
        "push r11",
        "popfq",
        ".globl lx_fast_exit_check",
        "lx_fast_exit_check:",
        "movzx ecx, byte ptr gs:[{queued}]",
        "jrcxz 3f",
        "jmp 4f",
        "3:",
        "mov rcx, gs:[16]",
        "mov rsp, gs:[8]",
        "jmp rcx",
        ".globl lx_fast_exit_end",
        "lx_fast_exit_end:",
        // A signal was queued while the exit ran: look again. The frame is
        // built again from the registers (all the guest's: the exit
        // restored them; rcx and r11 as `syscall` leaves them) and the
        // area (return address, stack pointer): the signal that sent the
        // exit here may have had its own frame over the old one.
        "4:",
        ".globl lx_fast_recheck",
        "lx_fast_recheck:",
        "mov rcx, gs:[16]",
        build_frame!(),
        "cld",
        "mov rdi, rsp",
        "call {recheck}",
        "jmp 2b",
        serve = sym fast_syscall,
        recheck = sym fast_recheck,
        queued = const thread::QUEUED_ANY_FROM_FAST,
    )
}

/// The entry of the stubs of the run's patched interpreter copies (see
/// `crate::images`): those sites cannot be put back when the guest takes
/// %gs for itself, so from then on this sends each call to the site's own
/// `syscall` (rcx - 2: the trap), with the registers the site set up.
///
/// # Safety
/// As `lx_fast_entry`.
#[unsafe(naked)]
pub unsafe extern "C" fn lx_fast_entry_checked() -> ! {
    naked_asm!(
        "cmp byte ptr [rip + {gs}], 0",
        "jne 2f",
        "jmp {entry}",
        "2:",
        "sub rcx, 2",
        "jmp rcx",
        gs = sym crate::patch::GUEST_GS,
        entry = sym lx_fast_entry,
    )
}

/// The address the stubs of patched interpreter copies jump to.
pub fn checked_entry_addr() -> u64 {
    lx_fast_entry_checked as *const () as u64
}

unsafe extern "C" {
    static lx_fast_exit_check: u8;
    static lx_fast_exit_end: u8;
    static lx_fast_recheck: u8;
}

/// The address the stubs jump to.
pub fn entry_addr() -> u64 {
    lx_fast_entry as *const () as u64
}

/// Where a signal catcher that interrupted the fast path's exit at `rip`
/// resumes it (the last queue check, again).
pub fn resume_for(rip: u64) -> Option<u64> {
    let (lo, hi) = (
        &raw const lx_fast_exit_check as u64,
        &raw const lx_fast_exit_end as u64,
    );
    (lo..hi)
        .contains(&rip)
        .then_some(&raw const lx_fast_recheck as u64)
}

fn area() -> Option<&'static mut FastArea> {
    let a = thread::my_fast_area()?;
    // SAFETY: the area belongs to the calling thread's slot; only this
    // thread's lx code uses it (the exit path reads it through %gs).
    Some(unsafe { &mut *a })
}

/// Go the trap's way from the site's own `syscall` instruction: with
/// `nr` (the call was not served) or `LX_REDELIVER` (it was; the SIGSYS
/// handler delivers the pending signals with a full frame).
fn through_trap(regs: &mut Regs, ret: u64, nr: u64) {
    regs.rip = ret.wrapping_sub(2);
    regs.rax = nr;
}

/// Serve one call from a patched site.
extern "C" fn fast_syscall(regs: &mut Regs) {
    let nr = regs.rax as u32;
    let ret = regs.rip;
    // (A site that takes its number from a register serves any number:
    // those the fast path does not serve go to the trap.)
    if regs.rax > u64::from(u32::MAX) || !crate::patch::fast_nr(nr) {
        return through_trap(regs, ret, regs.rax);
    }
    let (Some(t), Some(fa)) = (thread::current(), area()) else {
        return through_trap(regs, ret, u64::from(nr));
    };
    fa.site_ret = ret;
    t.kernel.with(|k| {
        let Some(k) = k.as_mut() else {
            return through_trap(regs, ret, u64::from(nr));
        };
        let before = k.host_sigmask();
        t.mask_touched.store(false, Ordering::Relaxed);
        if t.helper.load(Ordering::Relaxed) {
            // A vfork helper runs lx's code with every signal blocked (see
            // `signals::sigsys_blocks_all`); the exit gives the guest its
            // mask back.
            signals::block_all_but_faults();
            t.mask_touched.store(true, Ordering::Relaxed);
        }
        k.syscall(&SHIM_HOST, regs, &mut [], nr);
        finish(t, fa, k, regs, ret, before);
    });
}

/// After the call (or when the exit found a queued signal): deliver by
/// trap if a signal is due, else end the call and give the guest its mask.
fn finish(
    t: &thread::Block,
    fa: &mut FastArea,
    k: &mut lx_kernel::Kernel,
    regs: &mut Regs,
    ret: u64,
    before: u64,
) {
    for si in signals::take_queued(t) {
        k.sig.make_pending(si);
    }
    if k.has_deliverable() {
        fa.stash_rax = regs.rax;
        fa.stash_rip = regs.rip;
        fa.stash_valid = 1;
        through_trap(regs, ret, u64::from(LX_REDELIVER));
        // The guest's mask until the trap (its handler applies the rest).
        sync_mask(t, before, before);
        return;
    }
    k.end_syscall(regs);
    sync_mask(t, before, k.host_sigmask());
}

fn sync_mask(t: &thread::Block, before: u64, now: u64) {
    if now != before || t.mask_touched.swap(false, Ordering::Relaxed) {
        let _ = crate::sys::call(nr::rt_sigprocmask, &[2, &now as *const u64 as u64, 0, 8]);
    }
}

/// A signal was queued while the exit ran (the registers are back in the
/// frame; the call is done).
extern "C" fn fast_recheck(regs: &mut Regs) {
    let (Some(t), Some(fa)) = (thread::current(), area()) else {
        return;
    };
    t.kernel.with(|k| {
        let Some(k) = k.as_mut() else { return };
        let mask = k.host_sigmask();
        for si in signals::take_queued(t) {
            k.sig.make_pending(si);
        }
        if regs.rax == u64::from(LX_REDELIVER) && fa.stash_valid == 1 {
            // Already on its way to the trap, which delivers everything.
            return;
        }
        if k.has_deliverable() {
            fa.stash_rax = regs.rax;
            fa.stash_rip = regs.rip;
            fa.stash_valid = 1;
            through_trap(regs, fa.site_ret, u64::from(LX_REDELIVER));
        }
        sync_mask(t, mask, mask);
    });
}

/// In the SIGSYS handler, for `LX_REDELIVER`: the result the fast path
/// left (rax, rip), if it left one.
pub fn take_stash() -> Option<(u64, u64)> {
    let fa = area()?;
    if fa.stash_valid != 1 {
        return None;
    }
    fa.stash_valid = 0;
    Some((fa.stash_rax, fa.stash_rip))
}

/// A signal caught the guest on its way to the redelivery trap (at the
/// site's `syscall` with `LX_REDELIVER` in rax): finish the call here
/// instead (its result and return address into `regs`). True if so.
pub fn finish_stashed(regs: &mut Regs) -> bool {
    let Some(fa) = area() else {
        return false;
    };
    if fa.stash_valid != 1
        || regs.rax != u64::from(LX_REDELIVER)
        || regs.rip != fa.site_ret.wrapping_sub(2)
    {
        return false;
    }
    fa.stash_valid = 0;
    regs.rax = fa.stash_rax;
    regs.rip = fa.stash_rip;
    true
}
