//! Raw Linux system calls issued from the shim's own code. These are the
//! only `syscall` instructions the seccomp filter lets through (it allows
//! calls whose instruction pointer lies in lx's window).

use core::arch::asm;
use lx_abi::Errno;
use lx_abi::syscalls::nr;

/// Issue syscall `n` with six arguments; returns the raw result.
#[inline(always)]
pub fn raw6(n: u32, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> isize {
    let ret: isize;
    // SAFETY: the `syscall` instruction itself has no memory-safety effect on
    // Rust state; callers whose arguments are pointers pass valid ones or
    // guest addresses the kernel checks. rcx and r11 are clobbered by it.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a0, in("rsi") a1, in("rdx") a2,
            in("r10") a3, in("r8") a4, in("r9") a5,
            lateout("rcx") _, lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub fn raw(n: u32, a: &[u64]) -> isize {
    let g = |i: usize| a.get(i).copied().unwrap_or(0);
    raw6(n, g(0), g(1), g(2), g(3), g(4), g(5))
}

/// A host call made for the guest: while the calling thread waits for the
/// guest (a blocking call), it goes through the interruptible stub.
pub fn guest_call(n: u32, a: [u64; 6]) -> isize {
    if let Some(t) = crate::thread::current()
        && t.in_block.load(core::sync::atomic::Ordering::Relaxed)
    {
        return raw6_interruptible(t.queued_any.as_ptr() as *const u8, n, a);
    }
    raw6(n, a[0], a[1], a[2], a[3], a[4], a[5])
}

/// Issue a syscall and split its result.
#[inline(always)]
pub fn call(n: u32, a: &[u64]) -> Result<usize, Errno> {
    Errno::from_ret(raw(n, a))
}

pub fn write(fd: i32, b: &[u8]) -> Result<usize, Errno> {
    call(nr::write, &[fd as u64, b.as_ptr() as u64, b.len() as u64])
}

/// Write all of `b`, retrying short writes.
pub fn write_all(fd: i32, mut b: &[u8]) {
    while !b.is_empty() {
        match write(fd, b) {
            Ok(0) | Err(_) => return,
            Ok(n) => b = &b[n..],
        }
    }
}

pub fn pread(fd: i32, b: &mut [u8], off: u64) -> Result<usize, Errno> {
    call(
        nr::pread64,
        &[fd as u64, b.as_mut_ptr() as u64, b.len() as u64, off],
    )
}

pub fn close(fd: i32) {
    let _ = call(nr::close, &[fd as u64]);
}

pub fn exit_group(code: i32) -> ! {
    loop {
        raw(nr::exit_group, &[code as u64]);
    }
}

pub fn getpid() -> i32 {
    raw(nr::getpid, &[]) as i32
}

pub fn gettid() -> i32 {
    raw(nr::gettid, &[]) as i32
}

pub fn mmap(addr: u64, len: u64, prot: u32, flags: u32, fd: i32, off: u64) -> Result<u64, Errno> {
    call(
        nr::mmap,
        &[
            addr,
            len,
            u64::from(prot),
            u64::from(flags),
            fd as i64 as u64,
            off,
        ],
    )
    .map(|v| v as u64)
}

pub fn mprotect(addr: u64, len: u64, prot: u32) -> Result<usize, Errno> {
    call(nr::mprotect, &[addr, len, u64::from(prot)])
}

pub fn munmap(addr: u64, len: u64) -> Result<usize, Errno> {
    call(nr::munmap, &[addr, len])
}

/// A `core::fmt::Write` sink on a host fd.
pub struct FdWriter(pub i32);

impl core::fmt::Write for FdWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        write_all(self.0, s.as_bytes());
        Ok(())
    }
}

/// A NUL-terminated string formatted on lx's heap (paths, arguments).
pub fn cstring(args: core::fmt::Arguments<'_>) -> alloc::vec::Vec<u8> {
    let mut v = alloc::fmt::format(args).into_bytes();
    v.push(0);
    v
}

// A host syscall made while a thread waits for the guest (between
// `begin_blocking` and `end_blocking`): it first checks the thread's
// "signal queued" flag and does not enter the kernel if it is set. A signal
// that arrives after the check but before the `syscall` instruction would
// otherwise be queued by lx's catcher and then sleep with the thread; the
// catcher sees the interrupted instruction pointer in
// [lx_block_check, lx_block_insn] and resumes at lx_block_eintr instead.
// Argument block (rdi): flag pointer, number, six arguments.
core::arch::global_asm!(
    ".pushsection .text.lx_block,\"ax\"",
    ".globl lx_block_syscall",
    "lx_block_syscall:",
    "    mov r11, rdi",
    "    mov rax, [r11 + 8]",
    "    mov rdi, [r11 + 16]",
    "    mov rsi, [r11 + 24]",
    "    mov rdx, [r11 + 32]",
    "    mov r10, [r11 + 40]",
    "    mov r8, [r11 + 48]",
    "    mov r9, [r11 + 56]",
    "    mov r11, [r11]",
    ".globl lx_block_check",
    "lx_block_check:",
    "    cmp byte ptr [r11], 0",
    "    jne lx_block_eintr",
    ".globl lx_block_insn",
    "lx_block_insn:",
    "    syscall",
    "    ret",
    ".globl lx_block_eintr",
    "lx_block_eintr:",
    "    mov rax, -4",
    "    ret",
    ".popsection",
);

unsafe extern "C" {
    fn lx_block_syscall(req: *const u64) -> isize;
    static lx_block_check: u8;
    static lx_block_insn: u8;
    static lx_block_eintr: u8;
}

/// Issue syscall `n` unless the flag at `queued` is set (then -EINTR), with
/// the guarantee above.
pub fn raw6_interruptible(queued: *const u8, n: u32, a: [u64; 6]) -> isize {
    let req = [
        queued as u64,
        u64::from(n),
        a[0],
        a[1],
        a[2],
        a[3],
        a[4],
        a[5],
    ];
    // SAFETY: the stub reads the 8-word block and the flag byte (a live
    // AtomicBool of the caller's thread block) and issues one syscall, as
    // `raw6` does; it follows the C ABI (rcx, r11 and the argument
    // registers are caller-saved).
    unsafe { lx_block_syscall(req.as_ptr()) }
}

/// If `rip` is a thread about to enter an interruptible syscall, where it
/// must resume instead (the syscall is not made: -EINTR).
pub fn interruptible_resume(rip: u64) -> Option<u64> {
    let check = &raw const lx_block_check as u64;
    let insn = &raw const lx_block_insn as u64;
    (check..=insn)
        .contains(&rip)
        .then_some(&raw const lx_block_eintr as u64)
}
