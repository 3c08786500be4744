//! The run's shared page (see `lx_kernel::stats`), mapped MAP_SHARED from
//! the fd `lx` passes, so counts survive however the process ends.

use core::sync::atomic::AtomicI32;
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use lx_kernel::layout::LX_BASE;
use lx_kernel::stats::{ENOSYS_OFFSET, FS_GEN_OFFSET, SHARED_SIZE, SLOT_SIZE, SLOTS, SLOTS_OFFSET};
use lx_kernel::stats::{PROC_CMDLINE, PROC_SLOT_SIZE, PROC_SLOTS, PROCS_OFFSET};

/// Where the shared page is mapped in lx's window.
pub const SHARED_BASE: u64 = LX_BASE + 0x3000_0000;

static MAPPED: AtomicU8 = AtomicU8::new(0);

/// Map the page from `fd` (or nothing when `fd` < 0).
pub fn init(fd: i32) {
    if fd < 0 {
        return;
    }
    let flags = 0x01 | 0x10; // MAP_SHARED | MAP_FIXED
    if crate::sys::mmap(SHARED_BASE, SHARED_SIZE as u64, 3, flags, fd, 0).is_ok() {
        MAPPED.store(1, Ordering::Relaxed);
    }
    // The fd stays open (lx's own, never the guest's): execs pass it on.
}

fn slot(i: usize) -> Option<&'static AtomicI32> {
    if MAPPED.load(Ordering::Relaxed) == 0 || i >= PROC_SLOTS {
        return None;
    }
    // SAFETY: the registry lies inside the mapped shared page, 4-aligned,
    // and is only accessed atomically.
    Some(unsafe {
        &*((SHARED_BASE as usize + PROCS_OFFSET + i * PROC_SLOT_SIZE) as *const AtomicI32)
    })
}

/// Register `pid` (idempotent).
pub fn registry_add(pid: i32) {
    let mut free = None;
    for i in 0..PROC_SLOTS {
        let Some(s) = slot(i) else { return };
        let v = s.load(Ordering::Relaxed);
        if v == pid {
            return;
        }
        if v == 0 && free.is_none() {
            free = Some(i);
        }
    }
    let start = free.unwrap_or(0);
    for i in (start..PROC_SLOTS).chain(0..start) {
        if let Some(s) = slot(i)
            && s.compare_exchange(0, pid, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            return;
        }
    }
}

/// Unregister `pid`.
pub fn registry_remove(pid: i32) {
    for i in 0..PROC_SLOTS {
        if let Some(s) = slot(i) {
            let _ = s.compare_exchange(pid, 0, Ordering::AcqRel, Ordering::Relaxed);
        }
    }
}

/// Every registered pid.
pub fn registry_pids() -> alloc::vec::Vec<i32> {
    (0..PROC_SLOTS)
        .filter_map(|i| slot(i).map(|s| s.load(Ordering::Relaxed)))
        .filter(|&p| p > 0)
        .collect()
}

fn word(off: usize) -> Option<&'static AtomicU64> {
    if MAPPED.load(Ordering::Relaxed) == 0 {
        return None;
    }
    // SAFETY: the page is mapped read-write for the life of the process,
    // `off` is 8-aligned and inside it, and it is only accessed atomically.
    Some(unsafe { &*((SHARED_BASE as usize + off) as *const AtomicU64) })
}

/// Count one call of `nr`.
pub fn record(nr: u32, failed: bool, ns: u64) {
    let nr = nr as usize;
    if nr >= SLOTS {
        return;
    }
    let base = SLOTS_OFFSET + nr * SLOT_SIZE;
    if let Some(w) = word(base) {
        w.fetch_add(1, Ordering::Relaxed);
    }
    if let (true, Some(w)) = (failed, word(base + 8)) {
        w.fetch_add(1, Ordering::Relaxed);
    }
    if let Some(w) = word(base + 16) {
        w.fetch_add(ns, Ordering::Relaxed);
    }
}

/// Mark `nr` reported; true the first time in the whole run.
pub fn first_enosys(nr: u32) -> bool {
    let nr = nr as usize % SLOTS;
    let bit = 1u64 << (nr % 64);
    match word(ENOSYS_OFFSET + (nr / 64) * 8) {
        Some(w) => w.fetch_or(bit, Ordering::Relaxed) & bit == 0,
        // Without the page, report every time rather than never.
        None => true,
    }
}

/// A copy of the whole shared page (zeros when it is not mapped).
pub fn snapshot() -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec![0u8; PROCS_OFFSET];
    for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
        if let Some(w) = word(i * 8) {
            chunk.copy_from_slice(&w.load(Ordering::Relaxed).to_le_bytes());
        }
    }
    out
}

/// The run's filesystem generation.
pub fn fs_generation() -> u64 {
    word(FS_GEN_OFFSET).map_or(0, |w| w.load(Ordering::Acquire))
}

/// Bump the filesystem generation.
pub fn bump_fs_generation() -> u64 {
    word(FS_GEN_OFFSET).map_or(0, |w| w.fetch_add(1, Ordering::AcqRel) + 1)
}

/// Record the command line of registered `pid` (what other processes of
/// the run see in /proc/PID/cmdline).
pub fn registry_set_cmdline(pid: i32, cmdline: &[u8]) {
    for i in 0..PROC_SLOTS {
        if slot(i).is_some_and(|s| s.load(Ordering::Relaxed) == pid) {
            let n = cmdline.len().min(PROC_CMDLINE);
            let base = SHARED_BASE as usize + PROCS_OFFSET + i * PROC_SLOT_SIZE;
            // SAFETY: the slot lies inside the mapped shared page and belongs
            // to this process (its pid); readers tolerate a torn copy.
            unsafe {
                core::ptr::copy_nonoverlapping(cmdline.as_ptr(), (base + 8) as *mut u8, n);
                (*((base + 4) as *const AtomicI32)).store(n as i32, Ordering::Release);
            }
            return;
        }
    }
}

/// The command line registered for `pid`.
pub fn registry_cmdline(pid: i32) -> Option<alloc::vec::Vec<u8>> {
    for i in 0..PROC_SLOTS {
        if slot(i).is_some_and(|s| s.load(Ordering::Relaxed) == pid) {
            let base = SHARED_BASE as usize + PROCS_OFFSET + i * PROC_SLOT_SIZE;
            // SAFETY: as above, reading.
            let n = unsafe { (*((base + 4) as *const AtomicI32)).load(Ordering::Acquire) } as usize;
            let n = n.min(PROC_CMDLINE);
            let mut v = alloc::vec![0u8; n];
            // SAFETY: as above.
            unsafe { core::ptr::copy_nonoverlapping((base + 8) as *const u8, v.as_mut_ptr(), n) };
            return Some(v);
        }
    }
    None
}
