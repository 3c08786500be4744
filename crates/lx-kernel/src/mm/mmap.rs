//! mmap(2), munmap(2), mprotect(2), mremap(2), madvise(2).
//!
//! lx's window is treated as lying outside the address space: a fixed
//! mapping over it fails as one above TASK_SIZE does (ENOMEM; EEXIST with
//! MAP_FIXED_NOREPLACE), munmap of it is EINVAL, mprotect and madvise
//! ENOMEM, and a hint inside it is ignored.

use crate::ctx::{Ctx, SysResult};
use crate::layout::{TASK_SIZE, overlaps_lx, page_up};
use lx_abi::Errno;
use lx_abi::flags::{MAP_TYPE, MapFlags, MremapFlags, ProtFlags};

const PAGE_MASK: u64 = 0xfff;

fn beyond_user(addr: u64, len: u64) -> bool {
    addr > TASK_SIZE || len > TASK_SIZE - addr
}

/// mmap(2).
pub fn sys_mmap(
    c: &mut Ctx<'_>,
    addr: u64,
    len: u64,
    prot: u64,
    flags: u64,
    fd: i32,
    off: u64,
) -> SysResult {
    let flags = flags as u32;
    let mt = flags & MAP_TYPE;
    let map = MapFlags::from_bits_retain(flags);
    if mt == MapFlags::SHARED_VALIDATE.bits() {
        if !MapFlags::all().contains(map) {
            return Err(Errno::EOPNOTSUPP);
        }
    } else if mt != MapFlags::SHARED.bits() && mt != MapFlags::PRIVATE.bits() {
        return Err(Errno::EINVAL);
    }
    if len == 0 || off & PAGE_MASK != 0 {
        return Err(Errno::EINVAL);
    }
    let plen = page_up(len);
    if plen == 0 || plen > TASK_SIZE {
        return Err(Errno::ENOMEM);
    }
    let anon = map.contains(MapFlags::ANONYMOUS);
    let hfd = if anon { -1 } else { c.k.fds.host_fd(fd)? };
    let fixed = map.intersects(MapFlags::FIXED | MapFlags::FIXED_NOREPLACE);
    let mut hint = addr;
    if fixed {
        if addr & PAGE_MASK != 0 {
            return Err(Errno::EINVAL);
        }
        if beyond_user(addr, plen) {
            return Err(Errno::ENOMEM);
        }
        if overlaps_lx(addr, plen) {
            return Err(if map.contains(MapFlags::FIXED) {
                Errno::ENOMEM
            } else {
                Errno::EEXIST
            });
        }
        c.host.guest_claims(addr, plen);
    } else if beyond_user(addr, plen) || overlaps_lx(addr, plen) {
        hint = 0;
    }
    let got = c.host.mmap(hint, len, prot as u32, flags, hfd, off)?;
    if overlaps_lx(got, plen) {
        // The window is reserved on the host, so this cannot happen; never
        // hand lx's memory to the guest if it does.
        let _ = c.host.munmap(got, plen);
        return Err(Errno::ENOMEM);
    }
    Ok(got as usize)
}

/// munmap(2).
pub fn sys_munmap(c: &mut Ctx<'_>, addr: u64, len: u64) -> SysResult {
    if addr & PAGE_MASK != 0 || len == 0 || beyond_user(addr, len) || overlaps_lx(addr, len) {
        return Err(Errno::EINVAL);
    }
    c.host.guest_claims(addr, len);
    c.host.munmap(addr, len).map(|()| 0)
}

/// mprotect(2): unknown PROT bits, or GROWSDOWN with GROWSUP, are EINVAL.
pub fn sys_mprotect(c: &mut Ctx<'_>, addr: u64, len: u64, prot: u64) -> SysResult {
    let p = ProtFlags::from_bits(prot as u32).ok_or(Errno::EINVAL)?;
    if prot >> 32 != 0
        || p.contains(ProtFlags::GROWSDOWN | ProtFlags::GROWSUP)
        || addr & PAGE_MASK != 0
    {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let plen = page_up(len);
    if plen == 0 || beyond_user(addr, plen) || overlaps_lx(addr, plen) {
        return Err(Errno::ENOMEM);
    }
    c.host.guest_claims(addr, plen);
    c.host.mprotect(addr, len, p.bits()).map(|()| 0)
}

/// mremap(2).
pub fn sys_mremap(
    c: &mut Ctx<'_>,
    old: u64,
    old_len: u64,
    new_len: u64,
    flags: u64,
    new: u64,
) -> SysResult {
    let f = MremapFlags::from_bits(flags as u32).ok_or(Errno::EINVAL)?;
    if flags >> 32 != 0 || old & PAGE_MASK != 0 {
        return Err(Errno::EINVAL);
    }
    if f.contains(MremapFlags::FIXED) && !f.contains(MremapFlags::MAYMOVE) {
        return Err(Errno::EINVAL);
    }
    if overlaps_lx(old, page_up(old_len).max(1)) {
        return Err(Errno::EFAULT);
    }
    if f.contains(MremapFlags::FIXED) || f.contains(MremapFlags::DONTUNMAP) {
        let plen = page_up(new_len);
        if new & PAGE_MASK != 0 || beyond_user(new, plen) || overlaps_lx(new, plen) {
            return Err(Errno::EINVAL);
        }
    }
    if !f.contains(MremapFlags::MAYMOVE) && overlaps_lx(old, page_up(new_len)) {
        return Err(Errno::ENOMEM);
    }
    c.host.guest_claims(old, page_up(old_len.max(new_len)));
    if f.contains(MremapFlags::FIXED) {
        c.host.guest_claims(new, page_up(new_len));
    }
    let got = c.host.mremap(old, old_len, new_len, flags as u32, new)?;
    Ok(got as usize)
}

/// madvise(2).
pub fn sys_madvise(c: &mut Ctx<'_>, addr: u64, len: u64, advice: i32) -> SysResult {
    if addr & PAGE_MASK != 0 {
        return Err(Errno::EINVAL);
    }
    let plen = page_up(len);
    if len != 0 && (plen == 0 || beyond_user(addr, plen) || overlaps_lx(addr, plen)) {
        return Err(Errno::ENOMEM);
    }
    c.host.guest_claims(addr, plen);
    // MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK: a
    // vfork then forks fully (`proc::vfork`).
    if matches!(advice, 10 | 11 | 18 | 19) {
        crate::proc::vfork::GUEST_FORK_ADVICE.store(true, core::sync::atomic::Ordering::Relaxed);
    }
    c.host.madvise(addr, len, advice as u32).map(|()| 0)
}

/// msync(2).
pub fn sys_msync(c: &mut Ctx<'_>, addr: u64, len: u64, flags: i32) -> SysResult {
    if addr & PAGE_MASK != 0 || flags & !7 != 0 || (flags & 1 != 0 && flags & 4 != 0) {
        return Err(Errno::EINVAL);
    }
    let plen = page_up(len);
    if len != 0 && (plen == 0 || beyond_user(addr, plen) || overlaps_lx(addr, plen)) {
        return Err(Errno::ENOMEM);
    }
    c.host
        .syscall(
            lx_abi::syscalls::nr::msync,
            [addr, len, flags as u32 as u64, 0, 0, 0],
        )
        .map(|_| 0)
}

/// mincore(2): the vector is guest memory, checked first.
pub fn sys_mincore(c: &mut Ctx<'_>, addr: u64, len: u64, vec: u64) -> SysResult {
    if addr & PAGE_MASK != 0 {
        return Err(Errno::EINVAL);
    }
    let plen = page_up(len);
    if plen == 0 && len != 0 || beyond_user(addr, plen) || overlaps_lx(addr, plen) {
        return Err(Errno::ENOMEM);
    }
    let v = crate::user::slice(vec, plen / 4096)?;
    c.host
        .syscall(lx_abi::syscalls::nr::mincore, [addr, len, v.addr, 0, 0, 0])
        .map(|_| 0)
}
