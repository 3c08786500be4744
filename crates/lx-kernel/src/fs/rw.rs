//! read(2), write(2), pread64, pwrite64, readv, writev, lseek(2).

use crate::ctx::{Ctx, SysResult};
use crate::host::GuestSlice;
use crate::user;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::Iovec;

/// Linux caps one transfer at `MAX_RW_COUNT` (INT_MAX rounded down to a page).
pub const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// `UIO_MAXIOV`.
pub const UIO_MAXIOV: i32 = 1024;

/// read(2): read up to `count` bytes from `fd` into `buf`.
pub fn sys_read(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u64) -> SysResult {
    let e = c.k.fds.get(fd)?;
    if e.file.is_dir {
        return Err(Errno::EISDIR);
    }
    if e.file.o_path {
        return Err(Errno::EBADF);
    }
    let (hfd, may_block) = (e.file.fd, e.file.may_block);
    let s = user::slice(buf, count.min(MAX_RW_COUNT))?;
    if may_block {
        return crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
            c.host.read(hfd, s)
        });
    }
    c.host.read(hfd, s)
}

fn may_block(c: &Ctx<'_>, fd: i32) -> bool {
    c.k.fds.get(fd).is_ok_and(|e| e.file.may_block)
}

/// write(2).
pub fn sys_write(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u64) -> SysResult {
    let e = c.k.fds.get(fd)?;
    let (hfd, may_block) = (e.file.fd, e.file.may_block);
    let s = user::slice(buf, count.min(MAX_RW_COUNT))?;
    if may_block {
        return crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
            c.host.write(hfd, s)
        });
    }
    c.host.write(hfd, s)
}

/// pread64(2): like read at `off`, without moving the file offset.
pub fn sys_pread64(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u64, off: i64) -> SysResult {
    let hfd = c.k.fds.host_fd(fd)?;
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let s = user::slice(buf, count.min(MAX_RW_COUNT))?;
    c.host.pread(hfd, s, off)
}

/// pwrite64(2).
pub fn sys_pwrite64(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u64, off: i64) -> SysResult {
    let hfd = c.k.fds.host_fd(fd)?;
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let s = user::slice(buf, count.min(MAX_RW_COUNT))?;
    c.host.pwrite(hfd, s, off)
}

/// Read and check a guest iovec array. Per readv(2): a negative count or
/// one above IOV_MAX, or lengths whose sum overflows ssize_t, give EINVAL.
fn iovecs(c: &Ctx<'_>, iov: u64, cnt: i32) -> Result<Vec<GuestSlice>, Errno> {
    if !(0..=UIO_MAXIOV).contains(&cnt) {
        return Err(Errno::EINVAL);
    }
    let mut raw = alloc::vec![Iovec::default(); cnt as usize];
    user::copy_in(
        c.host,
        iov,
        zerocopy::IntoBytes::as_mut_bytes(raw.as_mut_slice()),
    )?;
    let mut total: u64 = 0;
    let mut out = Vec::with_capacity(raw.len());
    for v in raw {
        if v.iov_len > i64::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        // Linux clamps the total to MAX_RW_COUNT rather than failing.
        let len = v.iov_len.min(MAX_RW_COUNT - total);
        total = total.checked_add(len).ok_or(Errno::EINVAL)?;
        out.push(user::slice(v.iov_base, len)?);
    }
    Ok(out)
}

/// readv(2).
pub fn sys_readv(c: &mut Ctx<'_>, fd: i32, iov: u64, cnt: i32) -> SysResult {
    let hfd = c.k.fds.host_fd(fd)?;
    let v = iovecs(c, iov, cnt)?;
    if may_block(c, fd) {
        return crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
            c.host.readv(hfd, &v)
        });
    }
    c.host.readv(hfd, &v)
}

/// writev(2).
pub fn sys_writev(c: &mut Ctx<'_>, fd: i32, iov: u64, cnt: i32) -> SysResult {
    let hfd = c.k.fds.host_fd(fd)?;
    let v = iovecs(c, iov, cnt)?;
    if may_block(c, fd) {
        return crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
            c.host.writev(hfd, &v)
        });
    }
    c.host.writev(hfd, &v)
}

/// lseek(2): whence SEEK_SET..SEEK_HOLE; others EINVAL.
pub fn sys_lseek(c: &mut Ctx<'_>, fd: i32, off: i64, whence: u32) -> SysResult {
    let e = c.k.fds.get(fd)?;
    if whence > 4 {
        return Err(Errno::EINVAL);
    }
    if let crate::fd::FileKind::Listed { .. } = e.file.kind {
        let file = e.file.clone();
        drop(e);
        if crate::fs::dir::decide_passthrough(c, &file) {
            // The host lists it (see `DirStream`): its offsets. A rewind
            // looks at the layers again: a directory that has an upper
            // part now is lx's to list from its first entry.
            let r = c.host.lseek(file.fd, off, whence)?;
            // (A stream not read since its start was decided just now.)
            if r == 0 && core::mem::replace(&mut file.dir.lock().read_since, false) {
                crate::fs::dir::decide_passthrough(c, &file);
            }
            return Ok(r as usize);
        }
        let mut d = file.dir.lock();
        // A directory lx lists: the offset is an entry index.
        let pos = match whence {
            0 => off,
            1 => d.next as i64 + off,
            _ => return Err(Errno::EINVAL),
        };
        if pos < 0 {
            return Err(Errno::EINVAL);
        }
        if pos == 0 {
            d.entries = None;
            d.read_since = false;
        }
        d.next = pos as usize;
        return Ok(pos as usize);
    }
    c.host.lseek(e.file.fd, off, whence).map(|v| v as usize)
}
