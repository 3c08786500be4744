//! lx's shim: the runtime that lives inside every guest process.
//!
//! The `lx` CLI starts the shim (a static image at lx's window) with a
//! launch description. The shim loads the guest ELF, builds its stack,
//! installs a seccomp filter that lets through only system calls made from
//! lx's window and turns every other one into SIGSYS, then jumps to the
//! guest. Each trapped call runs [`lx_kernel::Kernel::syscall`] in the
//! SIGSYS handler, on lx's own signal stack, and returns into the guest.
//!
//! This crate is the small unsafe core of lx: raw syscalls, the entry point,
//! signal handlers and fault-tolerant copies of guest memory. Every
//! `unsafe` block states why it holds.
#![no_std]

extern crate alloc;

pub mod entry;
pub mod fast;
pub mod global;
pub mod heap;
pub mod host;
pub mod images;
pub mod loader;
pub mod maps;
pub mod mem;
pub mod patch;
pub mod robust;
pub mod seccomp;
pub mod shared;
pub mod signals;
pub mod stack;
pub mod sys;
pub mod thread;
pub mod usercopy;
pub mod watch;

/// Report a shim bug and end the process (exit status 125, like a runtime
/// failure of a container runtime, so it is never mistaken for the guest's).
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;
    let mut w = sys::FdWriter(2);
    let _ = writeln!(w, "lx: internal error in the shim: {info}");
    sys::exit_group(125)
}
