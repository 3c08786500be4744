//! Copies between lx and guest memory that survive bad guest pointers.
//!
//! The copy is one `rep movsb`; if it faults, the SIGSEGV/SIGBUS handler
//! sees the fault at `lx_copy_insn` and resumes at `lx_copy_fixup`, which
//! returns how many bytes were left. Callers turn that into EFAULT. This is
//! how Linux's own uaccess works (exception tables).

use core::arch::global_asm;

/// A guest address in the range was not mapped (or not accessible).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault;

global_asm!(
    ".pushsection .text.lx_copy,\"ax\"",
    ".globl lx_copy",
    "lx_copy:",
    "    mov rcx, rdx",
    ".globl lx_copy_insn",
    "lx_copy_insn:",
    "    rep movsb",
    "    xor eax, eax",
    "    ret",
    ".globl lx_copy_fixup",
    "lx_copy_fixup:",
    "    mov rax, rcx",
    "    ret",
    // lx_cas32(addr, expected, new): a locked compare-and-exchange of a
    // guest u32; returns the value found (== expected on success) or
    // 1 << 32 when the access faults.
    ".globl lx_cas32",
    "lx_cas32:",
    "    mov eax, esi",
    ".globl lx_cas32_insn",
    "lx_cas32_insn:",
    "    lock cmpxchg dword ptr [rdi], edx",
    "    ret",
    ".globl lx_cas32_fixup",
    "lx_cas32_fixup:",
    "    mov rax, 1",
    "    shl rax, 32",
    "    ret",
    ".popsection",
);

unsafe extern "C" {
    /// Copy `len` bytes from `src` to `dst`; returns the bytes not copied.
    fn lx_copy(dst: *mut u8, src: *const u8, len: usize) -> usize;
    static lx_copy_insn: u8;
    static lx_copy_fixup: u8;
    /// Compare-and-exchange the guest u32 at `addr` (see the asm above).
    fn lx_cas32(addr: u64, expected: u32, new: u32) -> u64;
    static lx_cas32_insn: u8;
    static lx_cas32_fixup: u8;
}

/// Where a fault at `rip` resumes, if `rip` is one of lx's guest-memory
/// accesses (the fault handler's exception table).
pub fn fixup_for(rip: u64) -> Option<u64> {
    if rip == &raw const lx_copy_insn as u64 {
        Some(&raw const lx_copy_fixup as u64)
    } else if rip == &raw const lx_cas32_insn as u64 {
        Some(&raw const lx_cas32_fixup as u64)
    } else {
        None
    }
}

/// Atomically replace the guest u32 at `addr` with `new` if it holds
/// `expected`; returns the value found (the swap happened when it equals
/// `expected`). `addr` must be 4-aligned and in guest user space.
pub fn cas_guest_u32(addr: u64, expected: u32, new: u32) -> Result<u32, Fault> {
    // SAFETY: the access is one locked instruction on guest memory; a
    // fault there is caught by the fixup and reported.
    let r = unsafe { lx_cas32(addr, expected, new) };
    if r >> 32 != 0 {
        Err(Fault)
    } else {
        Ok(r as u32)
    }
}

/// Copy guest bytes at `src` into `dst`. `src..src+len` has been checked
/// to lie in guest user space (not lx's window); unmapped pages give Err.
pub fn copy_from_guest(dst: &mut [u8], src: u64) -> Result<(), Fault> {
    // SAFETY: `dst` is a valid writable slice; reads of `src` that fault are
    // caught by the fixup and reported, never dereferenced as Rust data.
    let left = unsafe { lx_copy(dst.as_mut_ptr(), src as *const u8, dst.len()) };
    if left == 0 { Ok(()) } else { Err(Fault) }
}

/// Copy `src` to guest address `dst` (checked as above).
pub fn copy_to_guest(dst: u64, src: &[u8]) -> Result<(), Fault> {
    // SAFETY: `src` is a valid slice; the guest range was checked to be
    // outside lx's memory, and faults there are caught by the fixup.
    let left = unsafe { lx_copy(dst as *mut u8, src.as_ptr(), src.len()) };
    if left == 0 { Ok(()) } else { Err(Fault) }
}
