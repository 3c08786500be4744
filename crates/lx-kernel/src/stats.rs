//! The run's shared page: per-syscall statistics and once-per-run reports,
//! written by every guest process with atomic adds and read by `lx` at exit.
//! This module only fixes the layout; the shim maps it and the CLI reads it.

/// Syscall numbers covered (x86_64 numbers are below 512; room to grow).
pub const SLOTS: usize = 1024;
/// Bytes per slot: calls, errors, nanoseconds (three little-endian u64).
pub const SLOT_SIZE: usize = 24;
/// Offset of the slot array.
pub const SLOTS_OFFSET: usize = 0;
/// Offset of the "already reported as unimplemented" bitmap (SLOTS bits).
pub const ENOSYS_OFFSET: usize = SLOTS * SLOT_SIZE;
/// Offset of the filesystem generation: bumped by every process that changes
/// an overlay's upper layer, so other processes drop their cached listings.
pub const FS_GEN_OFFSET: usize = ENOSYS_OFFSET + SLOTS / 8;
/// Offset of the run's process registry index: per registry slot, the host
/// pid that holds it (i32; 0 when free, -1 while being claimed). The pids
/// sit together in one page so a lookup or a claim reads 4 KiB, not the
/// whole registry. Every guest process registers itself; /proc lists them
/// and kill reaches only them.
pub const PIDS_OFFSET: usize = (FS_GEN_OFFSET + 8).next_multiple_of(4096);
/// Offset of the registry's slots: per slot (the pid's entry in the
/// index), the length of its command line (u32 at 4), its start time, its
/// flags and the command line (NUL-separated, cut at `PROC_CMDLINE`).
pub const PROCS_OFFSET: usize = PIDS_OFFSET + PROC_SLOTS * 4;
/// Registry slots.
pub const PROC_SLOTS: usize = 1024;
/// Bytes per registry slot.
pub const PROC_SLOT_SIZE: usize = 2048;
/// Offset in a slot of the process's start time (clock ticks since boot,
/// /proc/PID/stat field 22): a pid reused by another process does not match.
pub const PROC_START: usize = 8;
/// Offset in a slot of its flags (u64): `PROC_EXECED`.
pub const PROC_FLAGS: usize = 16;
/// Flag: the process has exec'd in place (the host does not know it).
pub const PROC_EXECED: u64 = 1;
/// Offset in a slot of the command line.
pub const PROC_CMD: usize = 24;
/// Command-line bytes kept per process.
pub const PROC_CMDLINE: usize = PROC_SLOT_SIZE - PROC_CMD;
/// Size of the shared page set.
pub const SHARED_SIZE: usize = PROCS_OFFSET + PROC_SLOTS * PROC_SLOT_SIZE;

/// The pids in a copy of the shared page's registry.
pub fn registry_pids(page: &[u8]) -> impl Iterator<Item = i32> + '_ {
    (0..PROC_SLOTS).filter_map(move |i| {
        let at = PIDS_OFFSET + i * 4;
        let b = page.get(at..at + 4)?;
        let pid = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        (pid > 0).then_some(pid)
    })
}

/// One syscall's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub calls: u64,
    pub errors: u64,
    pub ns: u64,
}

/// Decode slot `nr` from a copy of the shared page.
pub fn read_slot(page: &[u8], nr: usize) -> Counters {
    let at = SLOTS_OFFSET + nr * SLOT_SIZE;
    let word = |i: usize| {
        let b = &page[at + i * 8..at + i * 8 + 8];
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    };
    Counters {
        calls: word(0),
        errors: word(1),
        ns: word(2),
    }
}
