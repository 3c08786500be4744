//! The shim's entry point: from the kernel's exec to the guest's first
//! instruction.

use crate::global::Global;
use crate::host::SHIM_HOST;
use crate::loader;
use crate::signals;
use crate::stack::{self, HostAux, StackSpec};
use crate::sys::{self, FdWriter, call};
use crate::{heap, seccomp, shared};
use alloc::vec;
use alloc::vec::Vec;
use core::arch::{asm, naked_asm};
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};
use lx_abi::flags::auxv::*;
use lx_abi::syscalls::nr;
use lx_kernel::Kernel;
use lx_kernel::config::Config;
use lx_kernel::layout::{LX_END, page_down, page_up};
use lx_kernel::proc::exec;

const BOOT_STACK_SIZE: usize = 256 * 1024;

#[repr(C, align(16))]
struct BootStack([u8; BOOT_STACK_SIZE]);

/// The stack the shim starts on (the host's initial stack becomes the guest's).
static mut BOOT_STACK: BootStack = BootStack([0; BOOT_STACK_SIZE]);

unsafe extern "C" {
    /// End of the shim image (defined by the linker).
    static _end: u8;
    /// The shim's own ELF header, at the start of its first segment
    /// (defined by the linker).
    static __ehdr_start: u8;
}

/// Make a fork copy the page tables of the shim's file-backed segments.
///
/// Linux does not copy a private file mapping's page table entries at fork
/// unless the mapping has had a copy-on-write page (`vma_needs_copy`): the
/// child faults lx's code in again instead, ~9 faults of 16 pages each per
/// forked child. Writing one byte of each segment (its own value, through a
/// moment of PROT_WRITE for the read-only ones) gives every segment that
/// state. Runs once per host process image, before anything else maps.
fn share_image_page_tables() {
    const PT_LOAD: u32 = 1;
    const PF_X: u32 = 1;
    const PF_W: u32 = 2;
    const PF_R: u32 = 4;
    let base = &raw const __ehdr_start as u64;
    // SAFETY: the linker puts the ELF header at `__ehdr_start`, inside the
    // first loaded segment, and its program headers are loaded with it
    // (the PHDR entry); every field read is within them.
    let (phoff, phnum) = unsafe {
        (
            core::ptr::read_unaligned((base + 32) as *const u64),
            core::ptr::read_unaligned((base + 56) as *const u16),
        )
    };
    for i in 0..u64::from(phnum) {
        let ph = base + phoff + i * 56;
        // SAFETY: within the loaded program header table (see above).
        let (kind, flags, vaddr, filesz) = unsafe {
            (
                core::ptr::read_unaligned(ph as *const u32),
                core::ptr::read_unaligned((ph + 4) as *const u32),
                core::ptr::read_unaligned((ph + 16) as *const u64),
                core::ptr::read_unaligned((ph + 32) as *const u64),
            )
        };
        if kind != PT_LOAD || filesz == 0 {
            continue;
        }
        let mut prot = 0;
        for (f, p) in [(PF_R, 1), (PF_W, 2), (PF_X, 4)] {
            if flags & f != 0 {
                prot |= p;
            }
        }
        // The whole segment: protecting part of it would split the mapping
        // and the state would stay with the part.
        let (start, len) = (page_down(vaddr), page_up(vaddr + filesz) - page_down(vaddr));
        if flags & PF_W == 0 && sys::mprotect(start, len, prot | 2).is_err() {
            continue;
        }
        // SAFETY: `vaddr` is the first byte of a loaded segment, mapped and
        // (now) writable; writing back the byte it holds changes nothing,
        // and nothing else runs in this process yet.
        unsafe {
            let p = vaddr as *mut u8;
            p.write_volatile(p.read_volatile());
        }
        if flags & PF_W == 0 {
            let _ = sys::mprotect(start, len, prot);
        }
    }
}

/// The ELF entry point: switch to the boot stack and call `shim_main` with
/// the kernel's initial stack pointer (argc, argv, envp, auxv).
///
/// # Safety
/// Only the kernel calls this, once, as the process's entry point.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "mov rdi, rsp",
        "lea rsp, [rip + {stack}]",
        "add rsp, {size}",
        "xor ebp, ebp",
        "call {main}",
        "ud2",
        stack = sym BOOT_STACK,
        size = const BOOT_STACK_SIZE,
        main = sym shim_main,
    )
}

fn die(path: &[u8], msg: core::fmt::Arguments<'_>, code: i32) -> ! {
    let mut w = FdWriter(2);
    let _ = w.write_str("lx: ");
    let _ = w.write_str(core::str::from_utf8(path).unwrap_or("?"));
    let _ = w.write_str(": ");
    let _ = w.write_fmt(msg);
    let _ = w.write_str("\n");
    sys::exit_group(code)
}

fn fail(msg: &str) -> ! {
    die(b"shim", format_args!("{msg}"), 125)
}

/// Read all of fd `fd` (the launch description).
fn read_all(fd: i32) -> Vec<u8> {
    // Sized by fstat (st_size at offset 48), so no large buffer is zeroed.
    let mut st = [0u64; 18];
    let size = match call(nr::fstat, &[fd as u64, st.as_mut_ptr() as u64]) {
        Ok(_) => st[6] as usize,
        Err(_) => 0,
    };
    let mut buf = vec![0u8; size.clamp(4096, 1 << 24) + 1];
    let mut off = 0usize;
    loop {
        if off == buf.len() {
            buf.resize(off * 2, 0);
        }
        match sys::pread(fd, &mut buf[off..], off as u64) {
            Ok(0) => break,
            Ok(n) => off += n,
            Err(_) => fail("cannot read the launch description"),
        }
    }
    sys::close(fd);
    buf.truncate(off);
    buf
}

fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |v, &c| {
        c.is_ascii_digit().then_some(())?;
        v.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

fn parse_fd(s: &[u8]) -> Option<i32> {
    let mut v: i32 = 0;
    if s.is_empty() {
        return None;
    }
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i32::from(c - b'0'))?;
    }
    Some(v)
}

/// # Safety
/// Called once, by `_start`, with the kernel's initial stack pointer.
unsafe fn cstr_at(p: u64) -> &'static [u8] {
    let mut n = 0usize;
    // SAFETY: the kernel put NUL-terminated strings on the initial stack.
    unsafe {
        while *((p as usize + n) as *const u8) != 0 {
            n += 1;
        }
        core::slice::from_raw_parts(p as *const u8, n)
    }
}

extern "C" fn shim_main(sp: *const u64) -> ! {
    // Nothing may interrupt the shim until the guest runs.
    let full = !0u64;
    let mut orig_mask = 0u64;
    let _ = call(
        nr::rt_sigprocmask,
        &[
            2,
            &full as *const u64 as u64,
            &mut orig_mask as *mut u64 as u64,
            8,
        ],
    );

    share_image_page_tables();

    // Reserve lx's window so no guest mapping can land in it, then carve
    // the heap out of it.
    // SAFETY: only the address of the linker symbol is taken.
    let image_end = page_up(&raw const _end as u64);
    if image_end > shared::SHARED_BASE {
        fail("the shim image runs into its shared page");
    }
    let noreserve = 0x02 | 0x20 | 0x4000 | 0x10_0000; // PRIVATE|ANON|NORESERVE|FIXED_NOREPLACE
    if sys::mmap(image_end, LX_END - image_end, 0, noreserve, -1, 0).is_err() {
        fail("cannot reserve lx's address window");
    }
    if heap::init().is_err() {
        fail("cannot map the shim heap");
    }

    // SAFETY: `sp` is the kernel-built initial stack: argc, argv[], NULL,
    // envp[], NULL, auxv pairs ending with AT_NULL.
    let (args, aux) = unsafe {
        let argc = *sp as usize;
        let argv: Vec<&[u8]> = (0..argc).map(|i| cstr_at(*sp.add(1 + i))).collect();
        let mut p = sp.add(1 + argc + 1);
        while *p != 0 {
            p = p.add(1);
        }
        p = p.add(1);
        let mut aux = HostAux::default();
        while *p != AT_NULL {
            let v = *p.add(1);
            match *p {
                AT_SYSINFO_EHDR => aux.sysinfo_ehdr = v,
                AT_MINSIGSTKSZ => aux.minsigstksz = v,
                AT_HWCAP => aux.hwcap = v,
                AT_HWCAP2 => aux.hwcap2 = v,
                AT_PAGESZ => aux.pagesz = v,
                AT_CLKTCK => aux.clktck = v,
                AT_RSEQ_FEATURE_SIZE => aux.rseq_feature_size = v,
                AT_RSEQ_ALIGN => aux.rseq_align = v,
                _ => {}
            }
            p = p.add(2);
        }
        (argv, aux)
    };

    let Some(cfg_fd) = args.get(1).and_then(|a| parse_fd(a)) else {
        fail("started without a launch description (run programs with `lx run`)");
    };
    let Ok(mut cfg) = Config::decode(&read_all(cfg_fd)) else {
        fail("malformed launch description");
    };
    if !cfg.sigmask_given {
        cfg.sigmask = orig_mask;
    }
    // After an exec: this process's registered start time and its armed
    // watchdog description, passed on by the image it replaced.
    let pid = sys::getpid();
    let start = args.get(2).and_then(|a| parse_u64(a)).unwrap_or(0);
    let armed = args.get(3).and_then(|a| parse_fd(a)).unwrap_or(-1);
    shared::init(cfg.shared_fd);
    if start != 0 {
        shared::note_start(pid, start);
    }
    shared::registry_add(pid);
    crate::watch::init(cfg.watch_fd, armed);
    SHIM_HOST.init(cfg.log_fd, cfg.trace_fd);
    crate::patch::enable(cfg.patch_syscalls);

    cfg.pid = sys::getpid();
    // lx applies the guest's umask itself.
    let _ = call(nr::umask, &[0]);

    let mut kernel = Kernel::new(&cfg);
    kernel.init_fs(&SHIM_HOST);
    let path_var: Option<&[u8]> = cfg.envp.iter().find_map(|e| e.strip_prefix(b"PATH="));
    let search = if cfg.search_path {
        Some(path_var)
    } else {
        None
    };
    let prepared = match &cfg.prepared {
        Some(p) => exec::reopen(&SHIM_HOST, p, &cfg.program),
        None => exec::prepare(
            &mut kernel,
            &SHIM_HOST,
            &cfg.program,
            cfg.argv.clone(),
            search,
        ),
    };
    let mut exec = match prepared {
        Ok(e) => e,
        Err(e) => die(&e.shown, format_args!("{}", e.msg), i32::from(e.status)),
    };
    let loaded = load_or_die(&exec);
    // What the host's dispositions say the guest ignores (inherited from
    // whoever started lx).
    let mut ignored = 0u64;
    for sig in 1..=64u32 {
        if sig == 9 || sig == 19 {
            continue;
        }
        let mut old = signals::KAction {
            handler: 0,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        if call(
            nr::rt_sigaction,
            &[u64::from(sig), 0, &mut old as *mut _ as u64, 8],
        )
        .is_ok()
            && old.handler == 1
        {
            ignored |= 1 << (sig - 1);
            signals::note_default(sig, false);
        }
    }
    kernel.set_initial_ignored(ignored | cfg.ignored);
    BOOT_SP.store(sp as u64, Ordering::Relaxed);
    BOOT_AUX.with(|a| *a = Some(aux));
    // Only an exec served in place needs the map (a /proc read per start).
    if cfg.in_place_exec
        && let Ok(kept) = kept_ranges(sp as u64)
    {
        KEPT.with(|k| *k = Some(kept));
    }
    let guest_sp = image_tail(&mut kernel, &cfg, &mut exec, &loaded, sp as u64, aux);
    let host_mask = kernel.host_sigmask();
    // The first thread's slot: its kernel state and lx's signal stack.
    let Ok((alt, alt_size)) = crate::thread::init_main(kernel) else {
        fail("cannot map lx's signal stack");
    };
    let ss = [alt, 0u64, alt_size];
    if call(nr::sigaltstack, &[ss.as_ptr() as u64, 0]).is_err() || signals::install().is_err() {
        fail("cannot install lx's signal handlers");
    }

    if let Err(e) = seccomp::install() {
        die(
            b"seccomp",
            format_args!("cannot install the syscall filter: {}", e.message()),
            125,
        );
    }
    let _ = call(
        nr::rt_sigprocmask,
        &[2, &host_mask as *const u64 as u64, 0, 8],
    );
    // SAFETY: the guest's image and stack are in place; this hands the CPU
    // to the guest with Linux's initial register state (all zero).
    unsafe { jump(guest_sp, loaded.entry) }
}

/// Map the prepared program, or end the process as a shell reports a
/// program it cannot run (126).
fn load_or_die(exec: &exec::Exec) -> loader::Loaded {
    match loader::load(exec) {
        Ok(l) => l,
        Err(e) => die(
            &exec.execfn,
            format_args!("cannot load: {}", e.message()),
            126,
        ),
    }
}

/// The initial stack pointer the host gave the shim and the host's auxv
/// values: an exec served in place builds the new stack there again.
static BOOT_SP: AtomicU64 = AtomicU64::new(0);
static BOOT_AUX: Global<HostAux> = Global::new();

/// What every image start does once its program is mapped: the process
/// name, the break, the initial stack (argv, envp, auxv) below the host's
/// initial stack pointer `sp0`, /proc's command line. Returns the guest's
/// stack pointer.
fn image_tail(
    kernel: &mut Kernel,
    cfg: &Config,
    exec: &mut exec::Exec,
    loaded: &loader::Loaded,
    sp0: u64,
    aux: HostAux,
) -> u64 {
    kernel.exe = exec.main.path.clone();
    if !cfg.execfn.is_empty() && !cfg.search_path {
        exec.execfn = cfg.execfn.clone();
    }
    // The guest's process name is its program's, as after a native exec.
    let base = exec
        .execfn
        .rsplit(|&b| b == b'/')
        .next()
        .unwrap_or(&exec.execfn);
    let mut comm = [0u8; 16];
    let n = base.len().min(15);
    comm[..n].copy_from_slice(&base[..n]);
    let _ = call(nr::prctl, &[15 /* PR_SET_NAME */, comm.as_ptr() as u64]);
    kernel.mm.init_brk(loaded.brk_start);

    // The guest's stack: the host's initial stack, below what the kernel
    // placed there for the shim.
    let mut random = [0u8; 16];
    let _ = call(nr::getrandom, &[random.as_mut_ptr() as u64, 16, 0]);
    let spec = StackSpec {
        argv: &exec.argv,
        envp: &cfg.envp,
        execfn: &exec.execfn,
        random,
        phdr: loaded.phdr,
        phnum: loaded.phnum,
        entry: loaded.prog_entry,
        base: loaded.base,
        ids: [
            u64::from(cfg.uid),
            u64::from(cfg.euid),
            u64::from(cfg.gid),
            u64::from(cfg.egid),
        ],
        host: aux,
    };
    // SAFETY: the region below the kernel's initial stack pointer is the
    // unused part of the process stack (it grows on demand); the shim runs
    // on its own boot or signal stack.
    let (guest_sp, auxv) = unsafe { stack::build(sp0 - 256, &spec) };
    kernel.auxv = auxv;
    kernel.cmdline = nul_joined(&exec.argv);
    shared::registry_set_cmdline(kernel.id.pid, &kernel.cmdline);
    if loaded.exec_stack {
        // PT_GNU_STACK asked for an executable stack.
        let _ = sys::mprotect(page_down(guest_sp), 4096, 7 | 0x0100_0000);
    }
    guest_sp
}

/// What an exec served in place keeps mapped: lx's window, the vDSO and
/// its data pages, and the process stack (with room to have grown to the
/// stack limit). Read once from /proc/self/maps when the shim starts (the
/// same in every fork and in-place exec after it).
static KEPT: Global<Vec<(u64, u64)>> = Global::new();

fn kept_ranges(stack_at: u64) -> Result<Vec<(u64, u64)>, lx_abi::Errno> {
    let mut rl = [0u64; 2];
    let limit = match call(
        nr::getrlimit,
        &[3 /* RLIMIT_STACK */, rl.as_mut_ptr() as u64],
    ) {
        Ok(_) => rl[0].clamp(8 << 20, 4 << 30),
        Err(_) => 8 << 20,
    };
    let mut out = vec![(lx_kernel::layout::LX_BASE, LX_END)];
    crate::maps::scan(|m| {
        if matches!(m.name, b"[vdso]" | b"[vvar]" | b"[vvar_vclock]") {
            out.push((m.lo, m.hi));
        } else if (m.lo..m.hi).contains(&stack_at) {
            out.push((m.hi.saturating_sub(limit).min(m.lo), m.hi));
        }
        true
    })?;
    out.sort_unstable();
    Ok(out)
}

/// The gaps between the kept ranges (address, length): every guest
/// mapping lies in one.
fn gaps(kept: &[(u64, u64)]) -> Vec<(u64, u64)> {
    const LOW: u64 = 4096;
    const TOP: u64 = 0x7fff_ffff_f000;
    let mut out = Vec::new();
    let mut at = LOW;
    for &(lo, hi) in kept.iter().chain([(TOP, TOP)].iter()) {
        if lo > at {
            out.push((at, lo - at));
        }
        at = at.max(hi);
    }
    out
}

fn unmap_guest(kept: &[(u64, u64)]) {
    for (at, len) in gaps(kept) {
        let _ = call(nr::munmap, &[at, len]);
    }
}

/// Are the guest's mappings known (`guest_gaps`)? (In-place exec is on.)
pub fn guest_gaps_known() -> bool {
    KEPT.with(|k| k.is_some())
}

/// Where the guest's mappings lie (None: not known, in-place exec is off).
pub fn guest_gaps() -> Option<Vec<(u64, u64)>> {
    KEPT.with(|k| k.as_deref().map(gaps))
}

/// Serve an exec inside this process (see `Host::exec_in_place`): unmap the
/// guest, undo what a host exec undoes, map the prepared program, start
/// it. Returns `e` only when nothing was changed yet.
pub fn exec_in_place(e: lx_kernel::host::InPlaceExec) -> lx_kernel::host::InPlaceExec {
    let sp0 = BOOT_SP.load(Ordering::Relaxed);
    let Some(aux) = BOOT_AUX.with(|a| *a) else {
        return e;
    };
    let Some(kept) = KEPT.with(|k| k.clone()) else {
        return e;
    };
    if sp0 == 0 {
        return e;
    }

    // The point of no return: from here the old image is gone. Nothing
    // allocated here may outlive the jump (it never returns to free it).
    if let Some((addr, len, sig)) = e.rseq {
        let _ = call(
            nr::rseq,
            &[
                addr,
                u64::from(len),
                1, /* UNREGISTER */
                u64::from(sig),
            ],
        );
    }
    let (pid, tid) = (sys::getpid() as u64, sys::gettid() as u64);
    // Locks this thread still holds on its robust list die with the image.
    crate::robust::release(tid as u32);
    let _ = call(nr::set_tid_address, &[0]);
    for t in &e.timers {
        let _ = call(nr::timer_delete, &[*t as u32 as u64]);
    }
    let _ = call(nr::arch_prctl, &[0x1002 /* ARCH_SET_FS */, 0]);
    // The guest's %gs base is 0 again (lx's fast-path area on the host);
    // the old image's patched sites and stubs go with its mappings.
    crate::patch::forget_all();
    let _ = call(nr::arch_prctl, &[0x1001 /* ARCH_SET_GS */, 0]);
    crate::thread::set_my_gs();
    // A new mm has no MCL_FUTURE locking and is dumpable again.
    let _ = call(nr::munlockall, &[]);
    let _ = call(nr::prctl, &[4 /* PR_SET_DUMPABLE */, 1]);
    reset_handled(e.handled, pid, tid);
    unmap_guest(&kept);
    scrub_stack(&kept, sp0);
    drop(kept);

    let lx_kernel::host::InPlaceExec {
        cfg, vfs, mut exec, ..
    } = e;
    crate::patch::enable(cfg.patch_syscalls);
    let mut kernel = Kernel::for_exec(cfg, vfs);
    kernel.init_fs(&SHIM_HOST);
    // (The launch description stays the kernel's; the stack builder reads
    // it meanwhile.)
    let cfg = core::mem::take(&mut kernel.cfg);
    let loaded = load_or_die(&exec);
    kernel.set_initial_ignored(cfg.ignored);
    // Linux moves the whole stack at each exec; here it stays where the
    // host put it, and the start moves by a random 0-8 KiB (as Linux's
    // arch_align_stack does on top).
    let mut r = [0u8; 2];
    let _ = call(nr::getrandom, &[r.as_mut_ptr() as u64, 2, 0]);
    let shift = (u64::from(u16::from_le_bytes(r)) % 8192) & !15;
    let guest_sp = image_tail(&mut kernel, &cfg, &mut exec, &loaded, sp0 - shift, aux);
    drop(exec);
    kernel.cfg = cfg;
    let host_mask = kernel.host_sigmask();
    // SAFETY: this never returns to the frames that borrow the old state.
    if !unsafe { crate::thread::replace_kernel(kernel) } {
        fail("exec without a thread slot");
    }
    let _ = call(
        nr::rt_sigprocmask,
        &[2, &host_mask as *const u64 as u64, 0, 8],
    );
    // The FPU, SSE and AVX registers hold the initial state a new program
    // gets: this runs in the SIGSYS handler, which the host enters with
    // that state, and lx's own code never touches them (its target is
    // soft-float).
    // SAFETY: the new image and its stack are in place.
    unsafe { jump(guest_sp, loaded.entry) }
}

/// Put the host dispositions of the guest's `handled` signals back to
/// default, as exec does. Resetting a handler to a default that ignores
/// (SIGCHLD, SIGURG, SIGWINCH) makes the host drop a pending instance;
/// Linux's exec keeps it: those are taken out first and queued again.
fn reset_handled(handled: u64, pid: u64, tid: u64) {
    const IGNORE_BY_DEFAULT: u64 = (1 << (17 - 1)) | (1 << (23 - 1)) | (1 << (28 - 1));
    let mut pending = 0u64;
    let _ = call(nr::rt_sigpending, &[&mut pending as *mut u64 as u64, 8]);
    let mut kept_signals = Vec::new();
    for sig in 1..=64u32 {
        let bit = 1u64 << (sig - 1);
        if handled & IGNORE_BY_DEFAULT & pending & bit != 0 {
            let mut si = lx_abi::structs::Siginfo::ZERO;
            let zero = [0i64; 2];
            if call(
                nr::rt_sigtimedwait,
                &[
                    &bit as *const u64 as u64,
                    &mut si as *mut _ as u64,
                    zero.as_ptr() as u64,
                    8,
                ],
            ) == Ok(sig as usize)
            {
                kept_signals.push(si);
            }
        }
    }
    for sig in 1..=64u32 {
        if handled & (1u64 << (sig - 1)) != 0 {
            let _ = signals::set_host_action(sig, 0);
            signals::note_default(sig, true);
        }
    }
    for si in &kept_signals {
        let _ = call(
            nr::rt_tgsigqueueinfo,
            &[pid, tid, si.si_signo as u64, si as *const _ as u64],
        );
    }
}

/// The old image's stack contents go (Linux gives the new program a fresh
/// stack): every page of the process stack below the host's initial stack
/// pointer `sp0` reads as zero again.
fn scrub_stack(kept: &[(u64, u64)], sp0: u64) {
    let Some(&(lo, _)) = kept.iter().find(|(lo, hi)| (*lo..*hi).contains(&sp0)) else {
        return;
    };
    let top = page_down(sp0 - 256);
    // MADV_DONTNEED: private anonymous pages read as zero after it (the
    // unmapped part of the range below the stack is skipped).
    let _ = call(nr::madvise, &[lo, top - lo, 4]);
    // SAFETY: [top, sp0 - 256) is part of the process stack, below what
    // the host placed for the shim and above the pages just dropped; no
    // live frame is there (lx runs on its own stacks).
    unsafe { core::ptr::write_bytes(top as *mut u8, 0, (sp0 - 256 - top) as usize) };
}

/// Start the guest at `entry` with stack pointer `sp` and cleared registers.
///
/// # Safety
/// `sp` and `entry` must describe a loaded program and its initial stack.
unsafe fn jump(sp: u64, entry: u64) -> ! {
    // SAFETY: per the function contract. The entry address is parked just
    // below the new stack pointer (in the red zone, as if never written).
    unsafe {
        asm!(
            "mov rsp, rdi",
            // Linux's initial flags: only the reserved bit and IF (before
            // the entry address is parked below the stack pointer).
            "push 0x202",
            "popfq",
            "mov [rsp - 8], rsi",
            "xor eax, eax", "xor ebx, ebx", "xor ecx, ecx", "xor edx, edx",
            "xor esi, esi", "xor edi, edi", "xor ebp, ebp",
            "xor r8d, r8d", "xor r9d, r9d", "xor r10d, r10d", "xor r11d, r11d",
            "xor r12d, r12d", "xor r13d, r13d", "xor r14d, r14d", "xor r15d, r15d",
            "cld",
            "jmp qword ptr [rsp - 8]",
            in("rdi") sp,
            in("rsi") entry,
            options(noreturn),
        )
    }
}

fn nul_joined(list: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for s in list {
        v.extend_from_slice(s);
        v.push(0);
    }
    v
}
