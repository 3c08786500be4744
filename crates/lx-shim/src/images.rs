//! The run's patched copies of ELF interpreters.
//!
//! A dynamic program's ld.so makes ~27 system calls before the program's
//! `main` (glibc's: open, read, mmap, mprotect... per library), each from a
//! site that traps a few times at most, so run-time patching (`crate::patch`)
//! never pays for them, and patching them at each exec would copy the code
//! pages (copy-on-write) every time. Instead the process of the run that
//! loads an interpreter for the fourth time (`BUILD_AT`: a run that loads
//! it fewer times would pay more for the copy than it saves) copies it,
//! once, into the run's shared memfd (past the shared page, see
//! `lx_kernel::stats::IMAGES_DATA`), patches every syscall site of the shapes `lx_kernel::mm::sites` knows in the
//! copy, and appends the stub pages. Every later exec of the run that loads
//! the same file (same device, inode, size, mtime and ctime) maps its
//! segments from the copy instead of the file, and the stub pages right
//! after its last segment: the pages come from the page cache as the file's
//! would, shared by every process, with nothing written at exec time.
//!
//! The copy's `cpuid` sites that always ask the same question of a leaf
//! whose answer is the same on every CPU (`lx_kernel::mm::sites::
//! scan_cpuid`) jump to a stub holding the answer this process's `cpuid`
//! got while building the copy: in a virtual machine each `cpuid` exits
//! to the hypervisor (~5 us), and glibc's ld.so asks ~40 times per start.
//!
//! The stubs enter the fast path through `fast::lx_fast_entry_checked`,
//! which sends the call to the site's own `syscall` (the trap) once the
//! guest owns %gs. /proc/PID/maps shows the copy as the file (its path,
//! device, inode and offsets) and leaves the stub pages out. `--no-patch`
//! maps the file itself.

use crate::sys::{self, call};
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use lx_abi::syscalls::nr;
use lx_kernel::elf::ElfImage;
use lx_kernel::layout::page_up;
use lx_kernel::mm::sites::{self, STUB};
use lx_kernel::stats::{
    IMAGE_SLOT_SIZE, IMAGE_SLOTS, IMAGES_DATA, IMAGES_DATA_MAX, IMAGES_HEADER, IMAGES_OFFSET,
    IMG_BUILDING, IMG_CLAIMED, IMG_DATA, IMG_EMPTY, IMG_FAILED, IMG_FILE_LEN, IMG_KEY, IMG_LOADS,
    IMG_PATH, IMG_PATH_LEN, IMG_READY, IMG_SEEN, IMG_SITES, IMG_STATE, IMG_STUBS_LEN,
};

/// The shared memfd's fd (lx's own, the same number in every process).
static FD: AtomicI32 = AtomicI32::new(-1);

/// Largest interpreter copied (glibc's ld.so is ~240 KiB, musl's ~700).
const MAX_FILE: u64 = 8 << 20;
/// The load of an interpreter that makes its copy: the copy costs ~250 us
/// (~100 of them writing the memfd's pages), each later load saves ~50 us
/// (22 traps of glibc's ld.so), so a run with three loads or fewer is
/// better off without it.
const BUILD_AT: u64 = 4;
/// Most stub pages per image.
const MAX_STUB_PAGES: u64 = 8;

/// Remember the shared memfd (mapped by `crate::shared::init`).
pub fn init(fd: i32) {
    FD.store(fd, Ordering::Relaxed);
}

/// Where an interpreter's patched copy is.
pub struct Cached {
    /// The shared memfd.
    pub fd: i32,
    /// Offset of the file's copy in it.
    pub data: u64,
    /// Bytes of the copy (page-aligned); the stub pages follow.
    pub file_len: u64,
    pub stubs_len: u64,
}

fn word(slot: usize, off: usize) -> Option<&'static AtomicU64> {
    if !crate::shared::mapped() || slot >= IMAGE_SLOTS {
        return None;
    }
    let at = IMAGES_OFFSET + IMAGES_HEADER + slot * IMAGE_SLOT_SIZE + off;
    // SAFETY: inside the mapped shared page set (a slot of the images
    // table), 8-aligned, accessed atomically.
    Some(unsafe { &*((crate::shared::SHARED_BASE as usize + at) as *const AtomicU64) })
}

/// The header's word: the next free byte of the image data.
fn next_word() -> Option<&'static AtomicU64> {
    if !crate::shared::mapped() {
        return None;
    }
    // SAFETY: as in `word`: the table header's first word.
    Some(unsafe { &*((crate::shared::SHARED_BASE as usize + IMAGES_OFFSET) as *const AtomicU64) })
}

/// A file's identity: (st_dev, st_ino, st_size, mtime, mtime_nsec, ctime,
/// ctime_nsec), for a regular file.
fn identity(fd: i32) -> Option<[u64; 7]> {
    let mut st = [0u64; 18];
    call(nr::fstat, &[fd as u64, st.as_mut_ptr() as u64]).ok()?;
    let mode = st[3] as u32;
    if mode & 0o170000 != 0o100000 {
        return None;
    }
    // struct stat: dev 0, ino 8, size 48, mtime 88/96, ctime 104/112.
    Some([st[0], st[1], st[6], st[11], st[12], st[13], st[14]])
}

fn key_of(slot: usize) -> Option<[u64; 7]> {
    let mut k = [0u64; 7];
    for (i, v) in k.iter_mut().enumerate() {
        *v = word(slot, IMG_KEY + 8 * i)?.load(Ordering::Relaxed);
    }
    Some(k)
}

fn cached_at(slot: usize) -> Option<Cached> {
    Some(Cached {
        fd: FD.load(Ordering::Relaxed),
        data: word(slot, IMG_DATA)?.load(Ordering::Relaxed),
        file_len: word(slot, IMG_FILE_LEN)?.load(Ordering::Relaxed),
        stubs_len: word(slot, IMG_STUBS_LEN)?.load(Ordering::Relaxed),
    })
}

/// The patched copy of the interpreter open at `fd`, made now if this is
/// the run's `BUILD_AT`th load of the file; None to map the file itself
/// (an earlier load, patching off, another process making the copy right
/// now, no site found, no room).
pub fn cached(fd: i32, elf: &ElfImage) -> Option<Cached> {
    if !crate::patch::enabled() || FD.load(Ordering::Relaxed) < 0 {
        return None;
    }
    let key = identity(fd)?;
    if key[2] > MAX_FILE {
        return None;
    }
    for slot in 0..IMAGE_SLOTS {
        let state = word(slot, IMG_STATE)?;
        let now = state.load(Ordering::Acquire);
        if now < IMG_SEEN || key_of(slot)? != key {
            continue;
        }
        return match now {
            IMG_READY => cached_at(slot),
            // The `BUILD_AT`th load of this file in the run: make the copy
            // (a run that loads it fewer times would pay more than it
            // saves).
            IMG_SEEN
                if word(slot, IMG_LOADS)?.fetch_add(1, Ordering::Relaxed) + 2 >= BUILD_AT
                    && state
                        .compare_exchange(
                            IMG_SEEN,
                            IMG_BUILDING,
                            Ordering::AcqRel,
                            Ordering::Relaxed,
                        )
                        .is_ok() =>
            {
                let done = build(slot, fd, key[2], elf);
                state.store(
                    if done.is_some() {
                        IMG_READY
                    } else {
                        IMG_FAILED
                    },
                    Ordering::Release,
                );
                done.and_then(|()| cached_at(slot))
            }
            // Being made by another process, or failed: the file itself.
            _ => None,
        };
    }
    // The first load: note the file in a free slot.
    let slot = (0..IMAGE_SLOTS).find(|&s| {
        word(s, IMG_STATE).is_some_and(|w| {
            w.compare_exchange(IMG_EMPTY, IMG_CLAIMED, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })
    })?;
    for (i, v) in key.iter().enumerate() {
        word(slot, IMG_KEY + 8 * i)?.store(*v, Ordering::Relaxed);
    }
    word(slot, IMG_LOADS)?.store(0, Ordering::Relaxed);
    word(slot, IMG_STATE)?.store(IMG_SEEN, Ordering::Release);
    None
}

/// Copy the file into the shared memfd with its sites patched and the stub
/// pages after it; fill in the slot (all but its state). The file is read
/// through a mapping of its page-cache pages (no copy in lx's heap, whose
/// fresh pages would each cost a fault).
fn build(slot: usize, fd: i32, size: u64, elf: &ElfImage) -> Option<()> {
    if size == 0 {
        return None;
    }
    // PROT_READ, MAP_PRIVATE; anywhere (the guest is not running).
    let at = sys::mmap(0, size, 1, 0x02, fd, 0).ok()?;
    // SAFETY: [at, at + size) was just mapped readable from the file and
    // is unmapped below, after the last use of `file`; nothing writes it
    // (a file truncated meanwhile makes reads there fault: lx's fault
    // handler is not armed here, so the image would die as a program
    // whose file went away would).
    let file = unsafe { core::slice::from_raw_parts(at as *const u8, size as usize) };
    let r = build_from(slot, fd, file, elf);
    let _ = sys::munmap(at, size);
    r
}

fn build_from(slot: usize, fd: i32, file: &[u8], elf: &ElfImage) -> Option<()> {
    let shared = FD.load(Ordering::Relaxed);
    let (_, hi) = elf.span();
    // Stub vaddrs (the image's own): the stub pages start at the span's
    // end, which the loader reserves with it; slot 0 is the entry.
    let stub_base = hi;
    let mut stubs: Vec<u8> = Vec::new();
    stubs.extend_from_slice(&crate::fast::checked_entry_addr().to_le_bytes());
    stubs.resize(STUB as usize, 0xcc);
    let mut jumps: Vec<(u64, [u8; 5])> = Vec::new();
    for s in elf.segments.iter().filter(|s| s.prot & 4 != 0) {
        let (from, to) = (s.offset as usize, s.offset.checked_add(s.filesz)? as usize);
        let code = file.get(from..to)?;
        for f in sites::scan(code, s.vaddr) {
            let stub = stub_base + stubs.len() as u64;
            if stubs.len() as u64 + STUB > MAX_STUB_PAGES * 4096 {
                break;
            }
            let b = sites::stub_bytes(
                stub,
                stub_base,
                s.vaddr + f.syscall_at as u64,
                f.nr,
                &code[f.moves.clone()],
            )?;
            stubs.extend_from_slice(&b);
            jumps.push((
                (from + f.at) as u64,
                sites::jmp_bytes(s.vaddr + f.at as u64, stub),
            ));
        }
        // `cpuid` sites asking a constant question: the stub holds this
        // machine's answer (every process of the run runs on it).
        for c in sites::scan_cpuid(code) {
            let off = (from + c.at) as u64;
            let overlaps = jumps.iter().any(|(o, _)| *o < off + 5 && off < *o + 5);
            let stub = stub_base + stubs.len() as u64;
            if overlaps || stubs.len() as u64 + STUB > MAX_STUB_PAGES * 4096 {
                continue;
            }
            let answer = cpuid(c.leaf, c.subleaf.unwrap_or(0));
            let resume = s.vaddr + c.cpuid_at as u64 + 2;
            let Some(b) = sites::cpuid_stub(stub, resume, &code[c.moves.clone()], answer) else {
                continue;
            };
            stubs.extend_from_slice(&b);
            jumps.push((off, sites::jmp_bytes(s.vaddr + c.at as u64, stub)));
        }
    }
    if jumps.is_empty() {
        return None;
    }
    let size = file.len() as u64;
    let file_len = page_up(size);
    let stubs_len = page_up(stubs.len() as u64);
    let at = next_word()?.fetch_add(file_len + stubs_len, Ordering::AcqRel);
    if at + file_len + stubs_len > IMAGES_DATA_MAX as u64 {
        return None;
    }
    let data = IMAGES_DATA as u64 + at;
    write_at(shared, file, data)?;
    for (off, j) in &jumps {
        write_at(shared, j, data + off)?;
    }
    write_at(shared, &stubs, data + file_len)?;
    // The host path, for /proc/PID/maps.
    let link = sys::cstring(format_args!("/proc/self/fd/{fd}"));
    let mut path = [0u8; IMAGE_SLOT_SIZE - IMG_PATH];
    let len = call(
        nr::readlinkat,
        &[
            (-100i64) as u64,
            link.as_ptr() as u64,
            path.as_mut_ptr() as u64,
            path.len() as u64,
        ],
    )
    .ok()
    .filter(|&l| l < path.len())?;
    let base = crate::shared::SHARED_BASE as usize
        + IMAGES_OFFSET
        + IMAGES_HEADER
        + slot * IMAGE_SLOT_SIZE
        + IMG_PATH;
    // SAFETY: the slot's path bytes, inside the mapped shared page set;
    // this process claimed the slot, no other writes it, and readers look
    // at it only once the state says ready.
    unsafe { core::ptr::copy_nonoverlapping(path.as_ptr(), base as *mut u8, len) };
    word(slot, IMG_PATH_LEN)?.store(len as u64, Ordering::Relaxed);
    word(slot, IMG_DATA)?.store(data, Ordering::Relaxed);
    word(slot, IMG_FILE_LEN)?.store(file_len, Ordering::Relaxed);
    word(slot, IMG_STUBS_LEN)?.store(stubs_len, Ordering::Relaxed);
    word(slot, IMG_SITES)?.store(jumps.len() as u64, Ordering::Relaxed);
    Some(())
}

/// This CPU's answer to `cpuid` (leaf, subleaf): [eax, ebx, ecx, edx].
fn cpuid(leaf: u32, subleaf: u32) -> [u32; 4] {
    let r = core::arch::x86_64::__cpuid_count(leaf, subleaf);
    [r.eax, r.ebx, r.ecx, r.edx]
}

fn write_at(fd: i32, mut b: &[u8], mut off: u64) -> Option<()> {
    while !b.is_empty() {
        match call(
            nr::pwrite64,
            &[fd as u64, b.as_ptr() as u64, b.len() as u64, off],
        ) {
            Ok(0) | Err(_) => return None,
            Ok(n) => {
                b = &b[n..];
                off += n as u64;
            }
        }
    }
    Some(())
}

/// The images table and the shared memfd's inode, for /proc/PID/maps.
pub fn table() -> (u64, Vec<u8>) {
    let fd = FD.load(Ordering::Relaxed);
    if fd < 0 || !crate::shared::mapped() {
        return (0, Vec::new());
    }
    let mut st = [0u64; 18];
    if call(nr::fstat, &[fd as u64, st.as_mut_ptr() as u64]).is_err() {
        return (0, Vec::new());
    }
    let len = IMAGES_HEADER + IMAGE_SLOTS * IMAGE_SLOT_SIZE;
    let mut t = vec![0u8; len];
    let at = crate::shared::SHARED_BASE as usize + IMAGES_OFFSET;
    // SAFETY: the table lies inside the mapped shared page set; a racing
    // writer only changes bytes of slots not yet ready, which
    // `image_aliases` skips.
    unsafe { core::ptr::copy_nonoverlapping(at as *const u8, t.as_mut_ptr(), len) };
    (st[1], t)
}
