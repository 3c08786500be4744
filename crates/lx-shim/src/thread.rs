//! Guest threads. Every thread of a guest process has a slot in lx's
//! window: a guard page, the thread's block (its kernel state and the
//! signals queued while lx ran for it) and lx's signal stack for it. lx's
//! handlers always run on that stack, so a handler finds its thread from
//! its own stack pointer: no thread-local storage (the guest owns %fs).
//!
//! A new thread (clone with CLONE_THREAD) starts exactly where the trapped
//! clone returns to the guest: the parent copies its own signal frame onto
//! the new slot's stack (registers with rax = 0 and the new stack pointer,
//! FPU state, signal mask, lx's signal stack for the child) and the host
//! clone's child does nothing but rt_sigreturn through it. It inherits the
//! seccomp filter, so it is mediated from its first instruction.

use crate::global::Global;
use crate::sys::{self, call};
use core::arch::asm;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU64, Ordering};
use lx_abi::Errno;
use lx_abi::structs::Siginfo;
use lx_abi::syscalls::nr;
use lx_kernel::host::VforkHelper;
use lx_kernel::layout::LX_BASE;
use lx_kernel::{Kernel, Regs};

/// Where the slots start in lx's window (the first ones in its first GiB,
/// with the image and the heap: see `crate::shared::SHARED_BASE`).
pub const SLOTS_BASE: u64 = LX_BASE + 0x3000_0000;
/// One slot: guard page, block, signal stack.
pub const SLOT_SIZE: u64 = 1 << 20;
/// Threads per process lx serves at once.
pub const MAX_THREADS: usize = 4096;
const GUARD: u64 = 4096;
const BLOCK_SIZE: u64 = 64 * 1024;
/// Where a slot's fast-path area lies: right after the block, on the page
/// of its last fields (which every call touches: in a new process, the
/// area costs no page fault of its own). %gs points at it while patched
/// syscall sites may run.
pub const FAST_OFF: u64 = GUARD + (core::mem::size_of::<Block>() as u64).next_multiple_of(64);
/// The fast path's stack starts this far below the top of the signal
/// stack: none, it shares the pages SIGSYS frames use (a new process
/// copies or zeroes fewer pages). The two never hold live frames at once:
/// a trap comes from guest code, and a host signal arriving while the fast
/// path returns to the guest (stack pointer already the guest's) gets its
/// frame at the top, over the fast path's, which `lx_fast_recheck` then
/// builds again from the registers and the area.
pub const FAST_STACK_GAP: u64 = 0;

/// A slot's fast-path area (see `crate::fast`): fixed offsets, read by the
/// fast path's assembly through %gs.
#[repr(C)]
pub struct FastArea {
    /// 0: the fast path's stack top.
    pub stack: u64,
    /// 8: the guest's stack pointer while lx serves it.
    pub guest_rsp: u64,
    /// 16: the guest's return address.
    pub guest_rip: u64,
    /// 24, 32: a result the fast path left for the SIGSYS handler to
    /// finish (rax, rip), valid when 40 is 1.
    pub stash_rax: u64,
    pub stash_rip: u64,
    pub stash_valid: u64,
    /// 48: the return address the site's stub passed (its `syscall`
    /// instruction is 2 bytes before).
    pub site_ret: u64,
}

const _: () = assert!(FAST_OFF + core::mem::size_of::<FastArea>() as u64 <= GUARD + BLOCK_SIZE);

/// Slot states.
const NEVER: u8 = 0;
const LIVE: u8 = 1;
const EXITED: u8 = 2;
const BUSY: u8 = 3;

static STATE: [AtomicU8; MAX_THREADS] = [const { AtomicU8::new(NEVER) }; MAX_THREADS];
static TID: [AtomicI32; MAX_THREADS] = [const { AtomicI32::new(0) }; MAX_THREADS];

/// Per-thread lx state.
pub struct Block {
    /// The thread's kernel state.
    pub kernel: Global<Kernel>,
    /// Set while lx waits in a blocking host call for the guest: signals
    /// for the guest are queued, not delivered.
    pub in_block: AtomicBool,
    /// Signals that interrupted lx, by number: lock-free, because a signal
    /// lx cannot block (SIGSEGV, SIGBUS) may interrupt the queue's own
    /// users. Per slot: 0 empty, 1 being written, 2 full. A signal whose
    /// slot is busy is coalesced, as standard signals are.
    pub qstate: [AtomicU8; 65],
    pub qinfo: UnsafeCell<[Siginfo; 65]>,
    /// Set when a slot may be full (a cheap check for the common case).
    pub queued_any: AtomicBool,
    /// Set when lx changed the host signal mask while serving a call (a
    /// blocking call does): the fast path gives the guest its mask back.
    pub mask_touched: AtomicBool,
    /// The SIGSYS frame (ucontext) being served, for clone.
    pub uc: AtomicU64,
    /// The guest's blocked set (host terms) while it waits in a blocking
    /// call: it stays blocked when lx takes over again.
    pub guest_mask: AtomicU64,
    /// This slot runs a vfork helper (see `lx_kernel::proc::vfork`): a
    /// host process of its own sharing this memory; its child (0: not made
    /// yet), its end of the socket to a child made before the exec, and
    /// the exit signal vfork asked for.
    pub helper: AtomicBool,
    pub helper_child: AtomicI32,
    pub helper_sock: AtomicI32,
    pub helper_exit_signal: AtomicU64,
    /// The helper handed its exec over: it ends when the call returns.
    pub helper_done: AtomicBool,
    /// The helper's program break, when it moved it (brk_start, brk,
    /// mapped end; set: the first is nonzero).
    pub helper_brk: [AtomicU64; 3],
    /// The helper's guest must die of this signal once the current call
    /// has returned (0: no).
    pub helper_death: core::sync::atomic::AtomicU32,
}

const _: () = assert!(core::mem::size_of::<Block>() as u64 <= BLOCK_SIZE);

fn slot_base(i: usize) -> u64 {
    SLOTS_BASE + i as u64 * SLOT_SIZE
}

fn block_ptr(i: usize) -> *mut Block {
    (slot_base(i) + GUARD) as *mut Block
}

/// Slot `i`'s fast-path area.
pub fn fast_area(i: usize) -> *mut FastArea {
    (slot_base(i) + FAST_OFF) as *mut FastArea
}

/// The calling thread's fast-path area (only that thread's lx code uses
/// it).
pub fn my_fast_area() -> Option<*mut FastArea> {
    let i = my_slot()?;
    matches!(STATE[i].load(Ordering::Acquire), LIVE | BUSY).then(|| fast_area(i))
}

/// Offset of a block's `queued_any` flag from its fast-path area.
pub const QUEUED_ANY_FROM_FAST: i64 =
    (GUARD as i64 + core::mem::offset_of!(Block, queued_any) as i64) - FAST_OFF as i64;

/// Point %gs at slot `i`'s fast-path area (unless the guest owns %gs).
pub fn set_gs(i: usize) {
    if crate::patch::guest_owns_gs() {
        return;
    }
    let _ = call(
        nr::arch_prctl,
        &[0x1001 /* ARCH_SET_GS */, fast_area(i) as u64],
    );
}

/// Point %gs at the calling thread's area.
pub fn set_my_gs() {
    if let Some(i) = my_slot() {
        set_gs(i);
    }
}

/// The signal stack of slot `i`: (lowest address, size).
pub fn stack_of(i: usize) -> (u64, u64) {
    let lo = slot_base(i) + GUARD + BLOCK_SIZE;
    (lo, slot_base(i) + SLOT_SIZE - lo)
}

/// The slot whose signal stack the caller runs on (lx's handlers always
/// do), from the stack pointer.
#[inline(always)]
fn my_slot() -> Option<usize> {
    let sp: u64;
    // SAFETY: reads the stack pointer only.
    unsafe { asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    let i = (sp.checked_sub(SLOTS_BASE)? / SLOT_SIZE) as usize;
    (i < MAX_THREADS).then_some(i)
}

/// Is the caller a vfork helper?
pub fn in_helper() -> bool {
    current().is_some_and(|b| b.helper.load(Ordering::Relaxed))
}

/// In a vfork helper: its child so far.
pub fn helper() -> Option<VforkHelper> {
    let b = current()?;
    b.helper.load(Ordering::Relaxed).then(|| VforkHelper {
        child: b.helper_child.load(Ordering::Relaxed),
        sock: b.helper_sock.load(Ordering::Relaxed),
        exit_signal: b.helper_exit_signal.load(Ordering::Relaxed),
    })
}

/// Record the calling helper's child (None: the caller is the child now).
pub fn set_helper(h: Option<VforkHelper>) {
    if let Some(b) = current() {
        b.helper.store(h.is_some(), Ordering::Relaxed);
        if let Some(h) = h {
            b.helper_child.store(h.child, Ordering::Relaxed);
            b.helper_sock.store(h.sock, Ordering::Relaxed);
        }
    }
}

/// A vfork helper (host pid `pid`) has ended: the child it made (0: none)
/// and its memory state (program break); its slot is free (its block, and
/// the kernel state in it, is dropped when reused).
pub fn reclaim_helper(pid: i32) -> (i32, Option<lx_kernel::mm::MmState>) {
    for i in 1..MAX_THREADS {
        if TID[i].load(Ordering::Relaxed) == pid && STATE[i].load(Ordering::Acquire) != NEVER {
            // SAFETY: the slot was set up for the helper (state not NEVER)
            // and the helper is gone: nothing else uses its block.
            let b = unsafe { &*block_ptr(i) };
            let child = b.helper_child.load(Ordering::Relaxed);
            let mm =
                (b.helper_brk[0].load(Ordering::Relaxed) != 0).then(|| lx_kernel::mm::MmState {
                    brk_start: b.helper_brk[0].load(Ordering::Relaxed),
                    brk: b.helper_brk[1].load(Ordering::Relaxed),
                    brk_mapped_end: b.helper_brk[2].load(Ordering::Relaxed),
                });
            TID[i].store(NOT_STARTED, Ordering::Relaxed);
            STATE[i].store(EXITED, Ordering::Release);
            return (child, mm);
        }
    }
    (0, None)
}

/// The calling thread's slot: (start, length).
pub fn my_slot_range() -> Option<(u64, u64)> {
    my_slot().map(|i| (slot_base(i), SLOT_SIZE))
}

/// All the thread slots' region: (start, length).
pub fn slots_region() -> (u64, u64) {
    (SLOTS_BASE, slot_base(MAX_THREADS) - SLOTS_BASE)
}

/// The thread slots but the caller's (address, length): what a fork child
/// that keeps only the calling thread never uses.
pub fn other_slots() -> [(u64, u64); 2] {
    let end = slot_base(MAX_THREADS);
    match my_slot() {
        Some(i) => [
            (SLOTS_BASE, slot_base(i) - SLOTS_BASE),
            (slot_base(i + 1), end - slot_base(i + 1)),
        ],
        None => [(SLOTS_BASE, end - SLOTS_BASE), (end, 0)],
    }
}

/// The calling thread's block.
pub fn current() -> Option<&'static Block> {
    let i = my_slot()?;
    if !matches!(STATE[i].load(Ordering::Acquire), LIVE | BUSY) {
        return None;
    }
    // SAFETY: a LIVE or BUSY slot is mapped and its block initialized
    // (`setup` wrote it before publishing the state).
    Some(unsafe { &*block_ptr(i) })
}

/// Map slot `i` if needed and write a fresh block into it.
fn setup(i: usize, was: u8) -> Result<(), Errno> {
    if was == NEVER {
        // PRIVATE | ANONYMOUS | FIXED over lx's reservation; the guard page
        // stays PROT_NONE.
        sys::mmap(
            slot_base(i) + GUARD,
            SLOT_SIZE - GUARD,
            3,
            0x02 | 0x20 | 0x10,
            -1,
            0,
        )?;
    } else {
        // SAFETY: an EXITED slot's block was initialized; its thread is gone
        // (checked by the caller), so nothing else refers to it. Dropping
        // the old block releases its kernel state.
        unsafe { core::ptr::drop_in_place(block_ptr(i)) };
    }
    // SAFETY: the slot is mapped and ours (state BUSY); the area lies in
    // the block region past the Block (asserted above).
    unsafe {
        fast_area(i).write(FastArea {
            stack: slot_base(i) + SLOT_SIZE - FAST_STACK_GAP,
            guest_rsp: 0,
            guest_rip: 0,
            stash_rax: 0,
            stash_rip: 0,
            stash_valid: 0,
            site_ret: 0,
        });
    }
    // SAFETY: the slot is mapped, BLOCK_SIZE bytes hold a Block (asserted
    // above), and this context owns the slot (state BUSY).
    unsafe {
        block_ptr(i).write(Block {
            kernel: Global::new(),
            in_block: AtomicBool::new(false),
            qstate: [const { AtomicU8::new(0) }; 65],
            qinfo: UnsafeCell::new([Siginfo::ZERO; 65]),
            queued_any: AtomicBool::new(false),
            mask_touched: AtomicBool::new(false),
            uc: AtomicU64::new(0),
            guest_mask: AtomicU64::new(0),
            helper: AtomicBool::new(false),
            helper_child: AtomicI32::new(0),
            helper_sock: AtomicI32::new(-1),
            helper_exit_signal: AtomicU64::new(0),
            helper_done: AtomicBool::new(false),
            helper_brk: [const { AtomicU64::new(0) }; 3],
            helper_death: core::sync::atomic::AtomicU32::new(0),
        });
    }
    Ok(())
}

/// Set up slot 0 for the first thread of a fresh image and return its
/// signal stack.
pub fn init_main(kernel: Kernel) -> Result<(u64, u64), Errno> {
    STATE[0].store(BUSY, Ordering::Release);
    setup(0, NEVER)?;
    // SAFETY: just initialized; the slot is ours.
    unsafe { (*block_ptr(0)).kernel.with(|k| *k = Some(kernel)) };
    TID[0].store(sys::gettid(), Ordering::Relaxed);
    STATE[0].store(LIVE, Ordering::Release);
    set_gs(0);
    Ok(stack_of(0))
}

/// TID of a slot whose thread never started.
const NOT_STARTED: i32 = -1;

/// Give the calling (only) thread a new kernel state: an exec served in
/// place left the old one's `with` behind for good.
///
/// # Safety
/// The caller abandons every frame that borrows the old state.
pub unsafe fn replace_kernel(kernel: Kernel) -> bool {
    match current() {
        Some(t) => {
            // SAFETY: per the contract.
            let old = unsafe { t.kernel.replace_abandoned(kernel) };
            // The old state is freed at the next exec, not now: freeing
            // writes to every page it used, and right after a fork each such
            // write is a copy-on-write fault (a fork+exec child usually
            // exits before it would exec again).
            PREVIOUS.with(|p| *p = old);
            true
        }
        None => false,
    }
}

/// The kernel state of the image before the last exec served in place.
static PREVIOUS: Global<Kernel> = Global::new();

/// In a fork child: only the calling thread exists. The other slots are
/// free again; their blocks are left as they were (another thread may have
/// been in the middle of changing them) and mapped afresh when reused.
pub fn forget_others() {
    let me = my_slot();
    for i in 0..MAX_THREADS {
        if Some(i) != me && STATE[i].load(Ordering::Relaxed) != NEVER {
            STATE[i].store(NEVER, Ordering::Release);
            TID[i].store(0, Ordering::Relaxed);
        }
    }
    if let Some(i) = me {
        TID[i].store(sys::gettid(), Ordering::Relaxed);
    }
}

/// Is the thread that last held slot `i` gone? (A thread that ended before
/// its parent recorded its tid counts as running until it is recorded.)
fn gone(i: usize) -> bool {
    let tid = TID[i].load(Ordering::Relaxed);
    tid == NOT_STARTED
        || (tid > 0
            && call(nr::tgkill, &[sys::getpid() as u64, tid as u64, 0]) == Err(Errno::ESRCH))
}

/// Claim a slot for a new thread.
fn alloc() -> Result<usize, Errno> {
    for i in 1..MAX_THREADS {
        let st = STATE[i].load(Ordering::Acquire);
        let free = st == NEVER || (st == EXITED && gone(i));
        if free
            && STATE[i]
                .compare_exchange(st, BUSY, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            if let Err(e) = setup(i, st) {
                STATE[i].store(st, Ordering::Release);
                return Err(e);
            }
            TID[i].store(0, Ordering::Relaxed);
            return Ok(i);
        }
    }
    Err(Errno::EAGAIN)
}

/// The calling thread is about to end: its slot may be reused once the
/// host thread is gone.
pub fn exiting() {
    if let Some(i) = my_slot().filter(|&i| i > 0) {
        STATE[i].store(EXITED, Ordering::Release);
    }
}

// ucontext layout (x86-64 kernel `struct ucontext`).
const UC_STACK: usize = 16;
const UC_GREGS: usize = 40;
const UC_FPREGS: usize = 40 + 23 * 8;
const UC_SIZE: usize = 304;
const SIGINFO_SIZE: u64 = 128;

/// Start a thread that resumes the guest where the trapped clone returns,
/// with `regs` (rax already 0, rsp its stack) and the FPU state and signal
/// mask of the frame being served, served by `kernel`. Host `flags` are
/// clone's (CLONE_VM|CLONE_THREAD|..., or CLONE_VM|CLONE_VFORK for a vfork
/// helper: `helper` holds its child's exit signal).
pub fn spawn(
    flags: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
    regs: &Regs,
    kernel: Kernel,
    helper: Option<u64>,
) -> Result<i32, Errno> {
    let me = current().ok_or(Errno::EAGAIN)?;
    let uc = me.uc.load(Ordering::Relaxed);
    if uc == 0 {
        return Err(Errno::EAGAIN);
    }
    let i = alloc()?;
    // SAFETY: slot `i` is ours (BUSY) and initialized by `alloc`.
    let block = unsafe { &*block_ptr(i) };
    block.kernel.with(|k| *k = Some(kernel));
    block.helper.store(helper.is_some(), Ordering::Relaxed);
    block.helper_child.store(0, Ordering::Relaxed);
    block.helper_sock.store(-1, Ordering::Relaxed);
    block
        .helper_exit_signal
        .store(helper.unwrap_or(0), Ordering::Relaxed);
    block.helper_done.store(false, Ordering::Relaxed);
    block.helper_brk[0].store(0, Ordering::Relaxed);
    let (lo, size) = stack_of(i);
    let top = lo + size;

    // The frame: [pretcode][ucontext][siginfo] ... [fpstate], as the host
    // kernel lays out a signal frame.
    // SAFETY: `uc` is the live SIGSYS frame of this thread (set by the
    // handler serving this call); its fpregs pointer and xsave size were
    // written by the host kernel.
    let fp_src = unsafe { *((uc as usize + UC_FPREGS) as *const u64) };
    let fp_len = if fp_src == 0 {
        0
    } else {
        crate::signals::fpstate_len(fp_src)
    };
    let fp_dst = (top - fp_len as u64 - 64) & !63;
    let uc_dst = (fp_dst - SIGINFO_SIZE - UC_SIZE as u64) & !15;
    // SAFETY: both areas lie inside slot `i`'s stack (mapped, ours), the
    // sources inside this thread's live frame.
    unsafe {
        core::ptr::copy_nonoverlapping(uc as *const u8, uc_dst as *mut u8, UC_SIZE);
        if fp_len > 0 {
            core::ptr::copy_nonoverlapping(fp_src as *const u8, fp_dst as *mut u8, fp_len);
        }
        core::ptr::write_unaligned((uc_dst as usize + UC_GREGS) as *mut Regs, *regs);
        core::ptr::write_unaligned(
            (uc_dst as usize + UC_FPREGS) as *mut u64,
            if fp_len > 0 { fp_dst } else { 0 },
        );
        // uc_stack: the child's own signal stack, restored by rt_sigreturn.
        let st = (uc_dst as usize + UC_STACK) as *mut u64;
        core::ptr::write_unaligned(st, lo);
        core::ptr::write_unaligned(st.add(1), 0);
        core::ptr::write_unaligned(st.add(2), size);
    }
    STATE[i].store(LIVE, Ordering::Release);
    // The child's %gs: its own fast-path area (0: keep the parent's, which
    // is the guest's own when it set one).
    let gs = if crate::patch::guest_owns_gs() {
        0
    } else {
        fast_area(i) as u64
    };

    let r: i64;
    // SAFETY: clone with a new stack pointing at the prepared frame; the
    // child touches no memory: it points %gs at its area (r9), asks for
    // SIGKILL at its parent's death if it is a vfork helper (r12), and returns
    // through rt_sigreturn, which finds the frame 8 bytes below its stack
    // pointer. The parent continues here with the tid (or an error) in rax.
    unsafe {
        asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "test r9, r9",
            "jz 3f",
            "mov rsi, r9",
            "mov edi, 0x1001",
            "mov eax, 158",
            "syscall",
            "3:",
            // A vfork helper ends with its parent (PR_SET_PDEATHSIG,
            // SIGKILL): lx's watchdog reaches the processes it armed.
            "test r12, r12",
            "jz 4f",
            "mov edi, 1",
            "mov esi, 9",
            "mov eax, 157",
            "syscall",
            "4:",
            "mov eax, 15",
            "syscall",
            "ud2",
            "2:",
            inlateout("rax") i64::from(nr::clone) => r,
            in("rdi") flags,
            in("rsi") uc_dst,
            in("rdx") ptid,
            in("r10") ctid,
            in("r8") tls,
            in("r9") gs,
            in("r12") u64::from(helper.is_some()),
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    if r < 0 {
        // No thread runs on the slot: free for reuse at once.
        TID[i].store(NOT_STARTED, Ordering::Relaxed);
        STATE[i].store(EXITED, Ordering::Release);
        return Err(Errno::from_ret(r as isize).err().unwrap_or(Errno::EAGAIN));
    }
    TID[i].store(r as i32, Ordering::Relaxed);
    Ok(r as i32)
}
