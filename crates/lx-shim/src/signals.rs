//! Host signal handlers: the SIGSYS trap that serves guest syscalls, the
//! fault handler (guest-memory copy fixups, guest faults), and the catcher
//! for signals the guest handles. All run on lx's own signal stack.
//!
//! While lx runs, every signal the guest catches is blocked; signals the
//! guest leaves at their default action stay deliverable, so Ctrl-C ends a
//! guest even inside a long host call, exactly as it would natively.

use crate::host::SHIM_HOST;
use crate::sys;
use crate::thread;
use crate::usercopy;
use core::arch::naked_asm;
use core::sync::atomic::{AtomicU64, Ordering};
use lx_abi::signal::{SIGBUS, SIGSEGV, SIGSYS};
use lx_abi::structs::Siginfo;
use lx_abi::syscalls::nr;
use lx_kernel::layout::{LX_BASE, LX_END};
use lx_kernel::{Regs, SignalOutcome};

fn enqueue(t: &thread::Block, si: &Siginfo) {
    let sig = si.si_signo as usize;
    if !(1..=64).contains(&sig) {
        return;
    }
    if t.qstate[sig]
        .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
    {
        // SAFETY: this context owns slot `sig` (state 1) until it stores 2.
        unsafe { (*t.qinfo.get())[sig] = *si };
        t.qstate[sig].store(2, Ordering::Release);
        t.queued_any.store(true, Ordering::SeqCst);
    }
}

/// Enter a blocking call: unblock what `mask` does not hold.
pub fn begin_blocking(mask: u64) {
    let t = thread::current();
    if let Some(t) = t {
        t.mask_touched.store(true, Ordering::Relaxed);
    }
    if mask != u64::MAX {
        let _ = sys::call(nr::rt_sigprocmask, &[2, &mask as *const u64 as u64, 0, 8]);
    }
    // From here the thread's host calls are interruptible (see
    // `sys::guest_call`); a signal arriving before this is queued anyway
    // (it interrupts lx's own code).
    if let Some(t) = t {
        let kept = if mask == u64::MAX {
            // The mask stays as it is (rt_sigsuspend switches it itself).
            let mut cur = 0u64;
            let _ = sys::call(nr::rt_sigprocmask, &[0, 0, &mut cur as *mut u64 as u64, 8]);
            cur
        } else {
            mask
        };
        t.guest_mask.store(kept, Ordering::Relaxed);
        t.in_block.store(true, Ordering::SeqCst);
    }
}

/// Signals queued while lx ran (outside a blocking call).
pub fn take_queued(t: &thread::Block) -> alloc::vec::Vec<Siginfo> {
    let mut out = alloc::vec::Vec::new();
    // Every syscall passes here: a plain load first, the swap only if set.
    if !t.queued_any.load(Ordering::Relaxed) || !t.queued_any.swap(false, Ordering::SeqCst) {
        return out;
    }
    for (sig, st) in t.qstate.iter().enumerate() {
        if st.load(Ordering::Acquire) == 2 {
            // SAFETY: state 2: the writer is done; the slot is freed below.
            out.push(unsafe { (*t.qinfo.get())[sig] });
            st.store(0, Ordering::Release);
        }
    }
    out
}

/// Has a signal been queued since the blocking call began?
pub fn queued_any() -> bool {
    thread::current().is_some_and(|t| t.queued_any.load(Ordering::SeqCst))
}

/// Leave it: back to lx's mask, and what arrived meanwhile.
pub fn end_blocking() -> alloc::vec::Vec<Siginfo> {
    let t = thread::current();
    if let Some(t) = t {
        t.in_block.store(false, Ordering::SeqCst);
    }
    // lx's mask, plus what the guest blocks (a pending signal the guest
    // blocks must not reach its default action now).
    let m = shim_mask() | t.map_or(0, |t| t.guest_mask.load(Ordering::Relaxed));
    let _ = sys::call(nr::rt_sigprocmask, &[2, &m as *const u64 as u64, 0, 8]);
    t.map(take_queued).unwrap_or_default()
}

/// Signals whose guest disposition is the default action: left unblocked
/// while lx runs (bit sig-1).
static DEFAULT_SET: AtomicU64 = AtomicU64::new(!0);

const UC_GREGS: usize = 40;
const UC_FPREGS: usize = 40 + 23 * 8;
const UC_SIGMASK: usize = 40 + 256;
const SYS_SECCOMP: i32 = 1;
const SA_SIGINFO: u64 = 4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;

/// The kernel's `struct sigaction` for rt_sigaction.
#[repr(C)]
pub struct KAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// Returns from a host signal handler (rt_sigreturn from lx's window, so
/// the filter lets it through).
#[unsafe(naked)]
unsafe extern "C" fn restore_rt() {
    naked_asm!("mov eax, 15", "syscall", "ud2")
}

/// The mask lx runs with: everything but what the guest leaves at default
/// and the faults lx must see.
fn shim_mask() -> u64 {
    let always = (1u64 << (SIGSEGV - 1)) | (1u64 << (SIGBUS - 1));
    !(DEFAULT_SET.load(Ordering::Relaxed) | always)
}

/// Install `handler` for `sig` on the host.
pub fn set_host_action(sig: u32, handler: u64) -> Result<(), lx_abi::Errno> {
    if sig == SIGSYS && handler == on_sigsys as *const () as u64 {
        return register_sigsys(crate::thread::in_helper());
    }
    let catching = handler > 1;
    let act = KAction {
        handler,
        flags: if catching {
            SA_SIGINFO | SA_ONSTACK | SA_RESTORER
        } else {
            SA_RESTORER
        },
        restorer: restore_rt as *const () as u64,
        // SIGSYS (lx serving a syscall) leaves the guest's default-action
        // signals deliverable; every other catcher blocks everything but the
        // faults lx must see, so lx's handlers never nest into each other.
        mask: if !catching {
            0
        } else if sig == SIGSYS {
            shim_mask()
        } else {
            !((1u64 << (SIGSEGV - 1)) | (1u64 << (SIGBUS - 1)))
        },
    };
    sys::call(
        nr::rt_sigaction,
        &[u64::from(sig), &act as *const KAction as u64, 0, 8],
    )
    .map(|_| ())
}

/// The guest's disposition of `sig` became (or stopped being) the default:
/// recompute lx's mask and re-register the SIGSYS handler with it.
pub fn note_default(sig: u32, is_default: bool) {
    let bit = 1u64 << (sig - 1);
    let old = if is_default {
        DEFAULT_SET.fetch_or(bit, Ordering::Relaxed)
    } else {
        DEFAULT_SET.fetch_and(!bit, Ordering::Relaxed)
    };
    if (old & bit != 0) != is_default {
        let _ = set_host_action(SIGSYS, on_sigsys as *const () as u64);
    }
}

/// The host's handler for `sig` (0 default, 1 ignore, else a function).
pub fn host_action(sig: u32) -> Option<u64> {
    let mut old = KAction {
        handler: 0,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    sys::call(
        nr::rt_sigaction,
        &[u64::from(sig), 0, &mut old as *mut KAction as u64, 8],
    )
    .ok()
    .map(|_| old.handler)
}

/// Register the SIGSYS handler blocking every signal but the faults lx
/// must see (`all`), or with lx's usual mask, which leaves the guest's
/// default-action signals deliverable. A vfork helper's handlers block
/// them all: a signal's default action must not end it inside lx's code,
/// where it may hold a lock its parent shares (it takes effect back in the
/// guest).
pub fn sigsys_blocks_all(all: bool) {
    let _ = register_sigsys(all);
}

fn register_sigsys(all: bool) -> Result<(), lx_abi::Errno> {
    let act = KAction {
        handler: on_sigsys as *const () as u64,
        flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
        restorer: restore_rt as *const () as u64,
        mask: if all { ALL_BUT_FAULTS } else { shim_mask() },
    };
    sys::call(
        nr::rt_sigaction,
        &[u64::from(SIGSYS), &act as *const KAction as u64, 0, 8],
    )
    .map(|_| ())
}

/// Every signal but the faults lx must see.
const ALL_BUT_FAULTS: u64 = !((1u64 << (SIGSEGV - 1)) | (1u64 << (SIGBUS - 1)));

/// Block every signal but the faults (a vfork helper's fast path).
pub fn block_all_but_faults() {
    let _ = sys::call(
        nr::rt_sigprocmask,
        &[
            0, /* SIG_BLOCK */
            &ALL_BUT_FAULTS as *const u64 as u64,
            0,
            8,
        ],
    );
}

/// The signals whose guest disposition is the default (see `note_default`).
pub fn default_set() -> u64 {
    DEFAULT_SET.load(Ordering::Relaxed)
}

/// Put back a `default_set` value: a vfork helper shares this process's
/// memory (and so this word) but has its own dispositions.
pub fn restore_default_set(v: u64) {
    // (Only a change is stored: see `patch::restore_mem_fd_state`.)
    if DEFAULT_SET.load(Ordering::Relaxed) != v {
        DEFAULT_SET.store(v, Ordering::Relaxed);
    }
}

/// Install lx's always-on handlers: SIGSYS (syscall traps), SIGSEGV and
/// SIGBUS (copy fixups and guest faults).
pub fn install() -> Result<(), lx_abi::Errno> {
    set_host_action(SIGSYS, on_sigsys as *const () as u64)?;
    set_host_action(SIGSEGV, on_signal as *const () as u64)?;
    set_host_action(SIGBUS, on_signal as *const () as u64)
}

/// The catcher for signals the guest handles.
pub fn catcher() -> u64 {
    on_signal as *const () as u64
}

/// Size of the xsave image at `p` (512 bytes, or the extended size the
/// software-reserved bytes announce).
pub fn fpstate_len(p: u64) -> usize {
    // SAFETY: `p` is an fpstate the host kernel wrote into a live frame.
    unsafe {
        let p = p as *const u8;
        let magic = core::ptr::read_unaligned(p.add(464) as *const u32);
        let ext = core::ptr::read_unaligned(p.add(468) as *const u32) as usize;
        if magic == FP_XSTATE_MAGIC1 && (512..=64 * 1024).contains(&ext) {
            ext
        } else {
            512
        }
    }
}

/// Views into a host ucontext.
struct Uc(*mut u8);

impl Uc {
    fn regs(&self) -> &'static mut Regs {
        // SAFETY: the kernel's ucontext holds 23 u64 general registers at
        // offset 40 (struct sigcontext), laid out exactly as `Regs`; the
        // frame lives on lx's signal stack until the handler returns.
        unsafe { &mut *(self.0.add(UC_GREGS) as *mut Regs) }
    }
    fn fpstate(&self) -> &'static mut [u8] {
        // SAFETY: fpregs points at the xsave image the kernel saved in this
        // frame; its size is 512 bytes or, with the xstate magic present in
        // the software-reserved bytes, `extended_size`.
        unsafe {
            let p = *(self.0.add(UC_FPREGS) as *const *mut u8);
            if p.is_null() {
                return &mut [];
            }
            core::slice::from_raw_parts_mut(p, fpstate_len(p as u64))
        }
    }
    fn set_sigmask(&self, m: u64) {
        // SAFETY: uc_sigmask is 8 bytes at offset 296 of the kernel ucontext.
        unsafe { core::ptr::write_unaligned(self.0.add(UC_SIGMASK) as *mut u64, m) }
    }
}

fn in_lx(addr: u64) -> bool {
    (LX_BASE..LX_END).contains(&addr)
}

/// SIGSYS: a guest syscall trapped (or someone sent SIGSYS).
extern "C" fn on_sigsys(sig: i32, info: *mut Siginfo, uc: *mut u8) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let si = unsafe { &*info };
    if si.si_code != SYS_SECCOMP {
        return on_signal(sig, info, uc);
    }
    // SAFETY: for SYS_SECCOMP the syscall number is at offset 24 (si_syscall).
    let nr = unsafe { core::ptr::read_unaligned((info as *const u8).add(24) as *const i32) } as u32;
    let Some(t) = thread::current() else {
        return;
    };
    t.uc.store(uc as u64, Ordering::Relaxed);
    let uc = Uc(uc);
    let regs = uc.regs();
    let fp = uc.fpstate();
    let site = regs.rip;
    t.kernel.with(|k| {
        let Some(k) = k.as_mut() else { return };
        // A call the fast path served, back to deliver signals.
        let stash = if nr == crate::fast::LX_REDELIVER {
            crate::fast::take_stash()
        } else {
            None
        };
        match stash {
            Some((rax, rip)) => {
                regs.rax = rax;
                regs.rip = rip;
            }
            None => {
                k.syscall(&SHIM_HOST, regs, fp, nr);
                crate::patch::consider(site, nr, k.threaded());
            }
        }
        for si in take_queued(t) {
            k.sig.make_pending(si);
        }
        if k.has_deliverable()
            && let SignalOutcome::Fatal(s) = k.deliver_pending(&SHIM_HOST, regs, fp)
        {
            fatal(t, s);
        }
        k.end_syscall(regs);
        uc.set_sigmask(k.host_sigmask());
    });
    if t.helper_done.load(Ordering::Relaxed) {
        // A vfork helper whose exec its child took over: done, with the
        // call's allocations (in its parent's memory) freed.
        sys::exit_group(0)
    }
    helper_death(t);
}

/// The guest must end by signal `s`. A vfork helper ends once the kernel
/// call has returned (`helper_death`): what the call allocated is in its
/// parent's memory and must be freed first.
fn fatal(t: &thread::Block, s: u32) {
    if t.helper.load(Ordering::Relaxed) {
        t.helper_death.store(s, Ordering::Relaxed);
        return;
    }
    lx_kernel::Host::die_by_signal(&SHIM_HOST, s)
}

/// A vfork helper whose guest must die (`fatal`): now.
fn helper_death(t: &thread::Block) {
    let s = t.helper_death.swap(0, Ordering::Relaxed);
    if s != 0 {
        lx_kernel::Host::die_by_signal(&SHIM_HOST, s)
    }
}

/// A signal for the guest, or a fault in lx's own guest-memory copy.
extern "C" fn on_signal(_sig: i32, info: *mut Siginfo, uc: *mut u8) {
    let uc = Uc(uc);
    let regs = uc.regs();
    let rip = regs.rip;
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let real_fault = unsafe { (*info).si_code } > 0;
    if let Some(fixup) = usercopy::fixup_for(rip)
        && real_fault
    {
        // A fault in lx's access to guest memory: it reports EFAULT.
        // (A SIGSEGV/SIGBUS sent with kill meanwhile is not a fault.)
        regs.rip = fixup;
        return;
    }
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let mut si = unsafe { *info };
    let mut rip = rip;
    if si.si_signo == 5 && si.si_code > 0 && rip == crate::fast::entry_addr() {
        // The guest single-steps into a patched call: the step ends, as
        // natively, before its `syscall`, which then traps the slow way.
        regs.rip = regs.rcx.wrapping_sub(2);
        rip = regs.rip;
    }
    let fault = matches!(si.si_signo as u32, SIGSEGV | SIGBUS | 4 | 5 | 8); // + SIGILL, SIGTRAP, SIGFPE
    if fault && in_lx(rip) && si.si_code > 0 {
        // A fault in lx itself: a bug, not the guest's doing.
        let mut w = sys::FdWriter(2);
        let _ = core::fmt::Write::write_fmt(
            &mut w,
            format_args!(
                "lx: internal error: signal {} at {:#x} in the shim\n",
                si.si_signo, rip
            ),
        );
        lx_kernel::Host::die_by_signal(&SHIM_HOST, si.si_signo as u32);
    }
    let Some(t) = thread::current() else {
        return;
    };
    if t.in_block.load(Ordering::SeqCst) || in_lx(rip) {
        // lx itself was interrupted (inside a blocking call made for the
        // guest, or serving a syscall): queue the signal; the kernel
        // delivers it when the syscall ends, never from inside lx.
        let sig = si.si_signo as usize;
        if (1..=64).contains(&sig) {
            enqueue(t, &si);
        }
        // About to enter a blocking host call: do not, it would sleep with
        // the signal already taken (the call returns EINTR instead).
        if let Some(resume) = sys::interruptible_resume(rip) {
            regs.rip = resume;
        }
        // Leaving the fast path: look at the queue again before going.
        if let Some(resume) = crate::fast::resume_for(rip) {
            regs.rip = resume;
        }
        return;
    }
    let fp = uc.fpstate();
    t.kernel.with(|k| {
        let Some(k) = k.as_mut() else { return };
        if si.si_code <= 0 && si.pid() == SHIM_HOST.pid() {
            si.set_uid(k.id.uid);
        }
        if crate::fast::finish_stashed(regs) {
            // The interrupted fast-path call ends here, with everything
            // its redelivery trap would have delivered.
            k.sig.make_pending(si);
            if let SignalOutcome::Fatal(s) = k.deliver_pending(&SHIM_HOST, regs, fp) {
                fatal(t, s);
            }
            k.end_syscall(regs);
            uc.set_sigmask(k.host_sigmask());
            return;
        }
        match k.deliver_signal(&SHIM_HOST, regs, fp, &si) {
            SignalOutcome::Fatal(s) => fatal(t, s),
            _ => uc.set_sigmask(k.host_sigmask()),
        }
    });
    helper_death(t);
}
