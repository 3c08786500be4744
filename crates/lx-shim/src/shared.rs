//! The run's shared page (see `lx_kernel::stats`), mapped MAP_SHARED from
//! the fd `lx` passes, so counts survive however the process ends.

use core::sync::atomic::AtomicI32;
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use lx_kernel::layout::LX_BASE;
use lx_kernel::stats::{ENOSYS_OFFSET, FS_GEN_OFFSET, SHARED_SIZE, SLOT_SIZE, SLOTS, SLOTS_OFFSET};
use lx_kernel::stats::{
    PIDS_OFFSET, PROC_CMD, PROC_CMDLINE, PROC_EXECED, PROC_FLAGS, PROC_SLOT_SIZE, PROC_SLOTS,
    PROC_START, PROCS_OFFSET,
};

/// Where the shared page is mapped in lx's window: in the window's first
/// GiB with the image, the heap and the first thread slots, so a process
/// needs one page-middle-directory page for lx (a fork copies each).
pub const SHARED_BASE: u64 = LX_BASE + 0x0200_0000;
const _: () = assert!(SHARED_SIZE as u64 <= 0x0200_0000);

static MAPPED: AtomicU8 = AtomicU8::new(0);

/// Map the page from `fd` (or nothing when `fd` < 0).
pub fn init(fd: i32) {
    if fd < 0 {
        return;
    }
    let flags = 0x01 | 0x10; // MAP_SHARED | MAP_FIXED
    if crate::sys::mmap(SHARED_BASE, SHARED_SIZE as u64, 3, flags, fd, 0).is_ok() {
        MAPPED.store(1, Ordering::Relaxed);
        crate::images::init(fd);
    }
    // The fd stays open (lx's own, never the guest's): execs pass it on.
}

/// Is the shared page set mapped?
pub fn mapped() -> bool {
    MAPPED.load(Ordering::Relaxed) != 0
}

/// Slot `i`'s pid word, in the registry's index.
fn slot(i: usize) -> Option<&'static AtomicI32> {
    if MAPPED.load(Ordering::Relaxed) == 0 || i >= PROC_SLOTS {
        return None;
    }
    // SAFETY: the index lies inside the mapped shared page, 4-aligned,
    // and is only accessed atomically.
    Some(unsafe { &*((SHARED_BASE as usize + PIDS_OFFSET + i * 4) as *const AtomicI32) })
}

fn slot_base(i: usize) -> usize {
    SHARED_BASE as usize + PROCS_OFFSET + i * PROC_SLOT_SIZE
}

fn start_word(i: usize) -> &'static AtomicU64 {
    // SAFETY: inside the mapped shared page (callers checked `slot(i)`),
    // 8-aligned, accessed atomically.
    unsafe { &*((slot_base(i) + PROC_START) as *const AtomicU64) }
}

fn flags_word(i: usize) -> &'static AtomicU64 {
    // SAFETY: as for `start_word`.
    unsafe { &*((slot_base(i) + PROC_FLAGS) as *const AtomicU64) }
}

fn slot_of(pid: i32) -> Option<usize> {
    (0..PROC_SLOTS).find(|&i| slot(i).is_some_and(|s| s.load(Ordering::Relaxed) == pid))
}

/// Note that registered `pid` (this process) has exec'd in place.
pub fn registry_mark_execed(pid: i32) {
    if let Some(i) = slot_of(pid) {
        flags_word(i).fetch_or(PROC_EXECED, Ordering::Release);
    }
}

/// Has registered `pid` exec'd in place?
pub fn registry_execed(pid: i32) -> bool {
    slot_of(pid).is_some_and(|i| flags_word(i).load(Ordering::Acquire) & PROC_EXECED != 0)
}

/// The start time of host process `pid` (/proc/PID/stat field 22), or None
/// if it does not exist.
fn start_time(pid: i32) -> Option<u64> {
    let path = crate::sys::cstring(format_args!("/proc/{pid}/stat"));
    let fd = crate::sys::call(
        lx_abi::syscalls::nr::openat,
        &[(-100i64) as u64, path.as_ptr() as u64, 0o2000000],
    )
    .ok()? as i32;
    let mut buf = [0u8; 1024];
    let r = crate::sys::pread(fd, &mut buf, 0);
    crate::sys::close(fd);
    let len = r.ok()?;
    let text = &buf[..len];
    let close = text.iter().rposition(|&b| b == b')')?;
    let field = text[close + 2..].split(|&b| b == b' ').nth(19)?;
    field.iter().try_fold(0u64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
    })
}

/// A process whose start time lx knows without asking /proc: (pid, start)
/// (one pair, under a lock: threads may fork at once).
static KNOWN: spinning_top::Spinlock<(i32, u64)> = spinning_top::Spinlock::new((0, 0));

/// Remember that `pid` started at `start` (clock ticks since boot, as in
/// /proc/PID/stat): a fork measures it, an exec passes it on.
pub fn note_start(pid: i32, start: u64) {
    *KNOWN.lock() = (pid, start);
}

fn known_start(pid: i32) -> Option<u64> {
    let (p, s) = *KNOWN.lock();
    (p == pid && s != 0).then_some(s)
}

/// The start time of this process, as registered (0: unknown).
pub fn own_start(pid: i32) -> u64 {
    known_start(pid).or_else(|| start_time(pid)).unwrap_or(0)
}

/// Clock ticks since boot now (the unit of /proc/PID/stat's start time).
pub fn boot_ticks() -> u64 {
    let mut ts = [0i64; 2];
    // CLOCK_BOOTTIME: what the host's start times count from.
    if crate::sys::call(
        lx_abi::syscalls::nr::clock_gettime,
        &[7, ts.as_mut_ptr() as u64],
    )
    .is_err()
    {
        return 0;
    }
    // USER_HZ is 100 on x86-64.
    (ts[0] as u64) * 100 + (ts[1] as u64) / 10_000_000
}

/// Is slot `i` a live registration (its process still the one registered)?
fn live(i: usize) -> Option<i32> {
    let pid = slot(i)?.load(Ordering::Relaxed);
    if pid <= 0 {
        return None;
    }
    let want = start_word(i).load(Ordering::Relaxed);
    if start_time(pid) == Some(want) {
        Some(pid)
    } else {
        // Gone (or its pid reused by another process): free the slot.
        let _ = slot(i)?.compare_exchange(pid, 0, Ordering::AcqRel, Ordering::Relaxed);
        None
    }
}

/// Register `pid` (idempotent), with its start time.
pub fn registry_add(pid: i32) {
    let Some(start) = known_start(pid).or_else(|| start_time(pid)) else {
        return;
    };
    for i in 0..PROC_SLOTS {
        let Some(s) = slot(i) else { return };
        if s.load(Ordering::Relaxed) == pid && start_word(i).load(Ordering::Relaxed) == start {
            return;
        }
    }
    for pass in 0..2 {
        for i in 0..PROC_SLOTS {
            let Some(s) = slot(i) else { return };
            let cur = s.load(Ordering::Relaxed);
            // Second pass: reclaim slots of processes that are gone.
            let free = cur == 0 || cur == pid || (pass == 1 && live(i).is_none());
            if free
                && s.compare_exchange(cur, -1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
                || (pass == 1
                    && s.compare_exchange(0, -1, Ordering::AcqRel, Ordering::Relaxed)
                        .is_ok())
            {
                start_word(i).store(start, Ordering::Relaxed);
                flags_word(i).store(0, Ordering::Relaxed);
                // SAFETY: the slot is ours (-1 marks it being written).
                unsafe { (*((slot_base(i) + 4) as *const AtomicI32)).store(0, Ordering::Relaxed) };
                s.store(pid, Ordering::Release);
                return;
            }
        }
    }
}

/// Unregister `pid`.
pub fn registry_remove(pid: i32) {
    for i in 0..PROC_SLOTS {
        if let Some(s) = slot(i)
            && s.load(Ordering::Relaxed) == pid
        {
            let _ = s.compare_exchange(pid, 0, Ordering::AcqRel, Ordering::Relaxed);
        }
    }
}

/// Every registered process that still exists (stale entries are freed).
pub fn registry_pids() -> alloc::vec::Vec<i32> {
    (0..PROC_SLOTS).filter_map(live).collect()
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
    let Some(i) = slot_of(pid) else { return };
    let n = cmdline.len().min(PROC_CMDLINE);
    let base = slot_base(i);
    // SAFETY: the slot lies inside the mapped shared page and belongs to
    // this process (its pid); readers tolerate a torn copy.
    unsafe {
        core::ptr::copy_nonoverlapping(cmdline.as_ptr(), (base + PROC_CMD) as *mut u8, n);
        (*((base + 4) as *const AtomicI32)).store(n as i32, Ordering::Release);
    }
}

/// The command line registered for `pid`.
pub fn registry_cmdline(pid: i32) -> Option<alloc::vec::Vec<u8>> {
    let base = slot_base(slot_of(pid)?);
    // SAFETY: as above, reading.
    let n = unsafe { (*((base + 4) as *const AtomicI32)).load(Ordering::Acquire) } as usize;
    let n = n.min(PROC_CMDLINE);
    let mut v = alloc::vec![0u8; n];
    // SAFETY: as above.
    unsafe { core::ptr::copy_nonoverlapping((base + PROC_CMD) as *const u8, v.as_mut_ptr(), n) };
    Some(v)
}
