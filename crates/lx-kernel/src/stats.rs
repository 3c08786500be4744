//! The run's shared page: per-syscall statistics and once-per-run reports,
//! written by every guest process with atomic adds and read by `lx` at exit.
//! This module only fixes the layout; the shim maps it and the CLI reads it.

use alloc::vec::Vec;

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
/// Offset of the table of the run's patched interpreter images (the shim's
/// `images` module): a header (the next free byte of the image data, u64)
/// and `IMAGE_SLOTS` slots.
pub const IMAGES_OFFSET: usize = PROCS_OFFSET + PROC_SLOTS * PROC_SLOT_SIZE;
/// Size of the images table's header.
pub const IMAGES_HEADER: usize = 64;
/// Image slots.
pub const IMAGE_SLOTS: usize = 8;
/// Bytes per image slot: u64 fields at the `IMG_*` offsets, then the host
/// path of the file.
pub const IMAGE_SLOT_SIZE: usize = 512;
/// Slot state: `IMG_EMPTY`, `IMG_CLAIMED` (its key being written),
/// `IMG_SEEN` (loaded, `IMG_LOADS` times), `IMG_BUILDING`, `IMG_READY`, `IMG_FAILED`;
/// the key is valid from `IMG_SEEN` on.
pub const IMG_STATE: usize = 0;
pub const IMG_EMPTY: u64 = 0;
pub const IMG_CLAIMED: u64 = 1;
pub const IMG_SEEN: u64 = 2;
pub const IMG_BUILDING: u64 = 3;
pub const IMG_READY: u64 = 4;
pub const IMG_FAILED: u64 = 5;
/// The file's identity (st_dev, st_ino, st_size, mtime and ctime as
/// seconds and nanoseconds): seven u64 from here.
pub const IMG_KEY: usize = 8;
/// Offset of the copy in the shared memfd (page-aligned).
pub const IMG_DATA: usize = 64;
/// Bytes of the file's copy (the file's size, page-aligned): the stub
/// pages follow.
pub const IMG_FILE_LEN: usize = 72;
/// Bytes of stub pages.
pub const IMG_STUBS_LEN: usize = 80;
/// Sites patched.
pub const IMG_SITES: usize = 88;
/// Length of the host path.
pub const IMG_PATH_LEN: usize = 96;
/// Loads of the file seen so far (until the copy is made).
pub const IMG_LOADS: usize = 104;
/// The host path.
pub const IMG_PATH: usize = 112;
/// Size of the shared page set (the part every process maps).
pub const SHARED_SIZE: usize = IMAGES_OFFSET + IMAGES_HEADER + IMAGE_SLOTS * IMAGE_SLOT_SIZE;
/// Where the image copies start in the shared memfd, past what is mapped.
pub const IMAGES_DATA: usize = SHARED_SIZE.next_multiple_of(4096);
/// Most bytes of image copies per run.
pub const IMAGES_DATA_MAX: usize = 64 << 20;
/// Size of the shared memfd (sparse: only written pages take memory).
pub const SHARED_FILE_SIZE: usize = IMAGES_DATA + IMAGES_DATA_MAX;

/// A patched image in the shared memfd, as /proc/PID/maps shows it: the
/// file it copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageAlias {
    /// Offset of the copy in the shared memfd.
    pub data: u64,
    /// Bytes of the file's copy; the stub pages follow.
    pub file_len: u64,
    pub stubs_len: u64,
    pub dev: u64,
    pub ino: u64,
    /// Host path of the file.
    pub path: Vec<u8>,
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .map_or(0, |w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
}

/// The ready images of a copy of the images table (`IMAGES_HEADER +
/// IMAGE_SLOTS * IMAGE_SLOT_SIZE` bytes from `IMAGES_OFFSET`).
pub fn image_aliases(table: &[u8]) -> Vec<ImageAlias> {
    (0..IMAGE_SLOTS)
        .filter_map(|i| {
            let s = table.get(IMAGES_HEADER + i * IMAGE_SLOT_SIZE..)?;
            let s = s.get(..IMAGE_SLOT_SIZE)?;
            if u64_at(s, IMG_STATE) != IMG_READY {
                return None;
            }
            let len = (u64_at(s, IMG_PATH_LEN) as usize).min(IMAGE_SLOT_SIZE - IMG_PATH);
            Some(ImageAlias {
                data: u64_at(s, IMG_DATA),
                file_len: u64_at(s, IMG_FILE_LEN),
                stubs_len: u64_at(s, IMG_STUBS_LEN),
                dev: u64_at(s, IMG_KEY),
                ino: u64_at(s, IMG_KEY + 8),
                path: s[IMG_PATH..IMG_PATH + len].to_vec(),
            })
        })
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_aliases_lists_only_ready_slots() {
        let mut t = alloc::vec![0u8; IMAGES_HEADER + IMAGE_SLOTS * IMAGE_SLOT_SIZE];
        let put = |t: &mut [u8], slot: usize, off: usize, v: u64| {
            let at = IMAGES_HEADER + slot * IMAGE_SLOT_SIZE + off;
            t[at..at + 8].copy_from_slice(&v.to_le_bytes());
        };
        for (slot, state) in [(0, IMG_SEEN), (1, IMG_READY), (2, IMG_BUILDING)] {
            put(&mut t, slot, IMG_STATE, state);
            put(&mut t, slot, IMG_KEY, 0xfe00);
            put(&mut t, slot, IMG_KEY + 8, 100 + slot as u64);
            put(&mut t, slot, IMG_DATA, 0x20_0000);
            put(&mut t, slot, IMG_FILE_LEN, 0x3_5000);
            put(&mut t, slot, IMG_STUBS_LEN, 0x1000);
            put(&mut t, slot, IMG_PATH_LEN, 8);
            let at = IMAGES_HEADER + slot * IMAGE_SLOT_SIZE + IMG_PATH;
            t[at..at + 8].copy_from_slice(b"/lib/ld\0");
        }
        // A path length past the slot is cut at its end.
        put(&mut t, 1, IMG_PATH_LEN, 10_000);
        let a = image_aliases(&t);
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].dev, a[0].ino, a[0].data), (0xfe00, 101, 0x20_0000));
        assert_eq!((a[0].file_len, a[0].stubs_len), (0x3_5000, 0x1000));
        assert_eq!(a[0].path.len(), IMAGE_SLOT_SIZE - IMG_PATH);
        assert!(a[0].path.starts_with(b"/lib/ld\0"));
        // A short copy of the table gives nothing rather than a panic.
        assert!(image_aliases(&t[..100]).is_empty());
    }
}
