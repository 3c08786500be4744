//! lx's compatibility kernel: everything that decides what a guest sees.
//!
//! The kernel is `no_std + alloc` and free of `unsafe`. It reaches the world
//! only through the [`Host`] trait (host file descriptors, memory mappings,
//! clocks, signals and guest memory), so it is unit-tested on the build
//! machine and could sit on any host that provides those services.
//!
//! One guest process is one [`Kernel`]. The shim calls [`Kernel::syscall`]
//! for every trapped system call and [`Kernel::deliver_signal`] for every
//! signal aimed at the guest.
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod config;
pub mod ctx;
pub mod elf;
pub mod fd;
pub mod fs;
pub mod host;
pub mod hostfs;
pub mod layout;
pub mod mm;
pub mod proc;
pub mod random;
pub mod regs;
pub mod signal;
pub mod stats;
pub mod table;
pub mod time;
pub mod trace;
pub mod user;
pub mod vfs;

mod kernel;
#[cfg(test)]
mod testhost;

pub use ctx::{Ctx, SysResult};
pub use host::Host;
pub use kernel::{Kernel, SignalOutcome};
pub use lx_abi::Errno;
pub use regs::Regs;
