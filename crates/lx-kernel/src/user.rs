//! Typed access to guest memory. Every guest pointer goes through here: the
//! range is checked against user space and lx's window, then the host copies
//! with fault handling, so a bad pointer is `EFAULT`, never a crash.

use crate::ctx::Ctx;
use crate::host::{GuestSlice, Host};
use crate::layout::guest_range_ok;
use alloc::vec::Vec;
use lx_abi::Errno;
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// Check that `[addr, addr+len)` may be named by the guest.
#[inline]
pub fn slice(addr: u64, len: u64) -> Result<GuestSlice, Errno> {
    if guest_range_ok(addr, len) {
        Ok(GuestSlice { addr, len })
    } else {
        Err(Errno::EFAULT)
    }
}

/// Read a `T` from guest memory.
pub fn read<T: FromBytes + IntoBytes>(host: &dyn Host, addr: u64) -> Result<T, Errno> {
    let mut v = T::new_zeroed();
    slice(addr, core::mem::size_of::<T>() as u64)?;
    host.copy_in(addr, v.as_mut_bytes())?;
    Ok(v)
}

/// Write a `T` to guest memory.
pub fn write<T: IntoBytes + Immutable>(host: &dyn Host, addr: u64, v: &T) -> Result<(), Errno> {
    copy_out(host, addr, v.as_bytes())
}

/// Copy bytes to guest memory.
pub fn copy_out(host: &dyn Host, addr: u64, bytes: &[u8]) -> Result<(), Errno> {
    slice(addr, bytes.len() as u64)?;
    host.copy_out(addr, bytes)
}

/// Copy bytes from guest memory.
pub fn copy_in(host: &dyn Host, addr: u64, bytes: &mut [u8]) -> Result<(), Errno> {
    slice(addr, bytes.len() as u64)?;
    host.copy_in(addr, bytes)
}

/// Read a NUL-terminated string of at most `max` bytes (without the NUL).
/// Longer strings give `ENAMETOOLONG`, as Linux's path lookup does.
pub fn read_cstr(host: &dyn Host, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut cur = addr;
    loop {
        // Never read across a page boundary in one go: the next page may be
        // unmapped although the string ends before it.
        let chunk = (4096 - (cur & 4095)).min(256) as usize;
        let mut buf = [0u8; 256];
        copy_in(host, cur, &mut buf[..chunk])?;
        if let Some(n) = buf[..chunk].iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..n]);
            return Ok(out);
        }
        out.extend_from_slice(&buf[..chunk]);
        if out.len() > max {
            return Err(Errno::ENAMETOOLONG);
        }
        cur = cur.checked_add(chunk as u64).ok_or(Errno::EFAULT)?;
    }
}

impl Ctx<'_> {
    /// Read a `T` from guest memory.
    pub fn read<T: FromBytes + IntoBytes>(&self, addr: u64) -> Result<T, Errno> {
        read(self.host, addr)
    }
    /// Write a `T` to guest memory.
    pub fn write<T: IntoBytes + Immutable>(&self, addr: u64, v: &T) -> Result<(), Errno> {
        write(self.host, addr, v)
    }
    /// Write a `T` unless `addr` is NULL.
    pub fn write_opt<T: IntoBytes + Immutable>(&self, addr: u64, v: &T) -> Result<(), Errno> {
        if addr == 0 {
            Ok(())
        } else {
            write(self.host, addr, v)
        }
    }
    /// Copy bytes to guest memory.
    pub fn copy_out(&self, addr: u64, bytes: &[u8]) -> Result<(), Errno> {
        copy_out(self.host, addr, bytes)
    }
}
