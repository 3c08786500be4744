//! File syscalls: descriptors, paths, directories, attributes. Paths are
//! resolved by lx's VFS ([`crate::vfs`]); data moves through host fds.

pub mod attr;
pub mod common;
pub mod dir;
pub mod epoll;
pub mod fdops;
pub mod ioctl;
pub mod link;
pub mod open;
pub mod pipe;
pub mod poll;
pub mod rw;
pub mod stat;
