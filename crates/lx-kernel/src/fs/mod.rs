//! File-descriptor syscalls. Files reach lx's own VFS in a later step; for
//! now every open file description is a host one (inherited stdio).

pub mod cwd;
pub mod fdops;
pub mod ioctl;
pub mod poll;
pub mod rw;
pub mod stat;
