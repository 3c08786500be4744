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
