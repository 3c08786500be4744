//! Linux x86_64 ABI facts used by lx: syscall numbers, names and argument
//! kinds, errno values with names and messages, flag bits, signal numbers and
//! the layouts of the structures the kernel exchanges with guests.
//!
//! Pure data, `no_std`, no `unsafe`: layouts are `zerocopy` types whose sizes
//! and field offsets are checked by tests against the kernel's.
#![no_std]
#![deny(unsafe_code)]

pub mod errno;
pub mod flags;
pub mod signal;
pub mod structs;
pub mod syscalls;

pub use errno::Errno;
