//! Loading an ELF executable into this process as Linux's binfmt_elf does:
//! ET_EXEC at its addresses, ET_DYN (static-PIE) at a randomized base in
//! the mmap area, each PT_LOAD with its exact permissions, the bss zeroed,
//! and the program break placed after it (randomized like Linux's).

use crate::sys::{self, call};
use lx_abi::Errno;
use lx_abi::syscalls::nr;
use lx_kernel::elf::ElfImage;
use lx_kernel::layout::{ELF_ET_DYN_BASE, PAGE_SIZE, overlaps_lx, page_down, page_up};
use lx_kernel::proc::exec::Exec;

const PROT_WRITE: u32 = 2;
const MAP_PRIVATE: u32 = 0x02;
const MAP_FIXED: u32 = 0x10;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_FIXED_NOREPLACE: u32 = 0x10_0000;
/// Linux randomizes the break start within 32 MiB (arch_randomize_brk).
const BRK_RANDOM_RANGE: u64 = 0x0200_0000;

/// The loaded program, as the stack builder needs it.
pub struct Loaded {
    /// Where the guest starts: the interpreter's entry if there is one.
    pub entry: u64,
    /// The program's own entry (AT_ENTRY).
    pub prog_entry: u64,
    pub phdr: u64,
    pub phnum: u64,
    /// The interpreter's load address (AT_BASE), 0 without one.
    pub base: u64,
    pub brk_start: u64,
    pub exec_stack: bool,
}

fn random_u64() -> u64 {
    let mut v = 0u64;
    let _ = call(nr::getrandom, &[&mut v as *mut u64 as u64, 8, 0]);
    v
}

/// Where an image goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// The program, without an interpreter (static, static-PIE).
    Static,
    /// The program, with an interpreter: a PIE goes at ELF_ET_DYN_BASE
    /// plus a random offset, as Linux's binfmt_elf puts it.
    WithInterp,
    /// The interpreter: anywhere in the mmap area.
    Interp,
}

/// Map the program of `exec` (and its interpreter) into this process.
/// The image fds are closed.
pub fn load(exec: &Exec) -> Result<Loaded, Errno> {
    let r = load_inner(exec);
    sys::close(exec.main.fd);
    if let Some(i) = &exec.interp {
        sys::close(i.fd);
    }
    r
}

fn load_inner(exec: &Exec) -> Result<Loaded, Errno> {
    let place = if exec.interp.is_some() {
        Placement::WithInterp
    } else {
        Placement::Static
    };
    let main = map_image(exec.main.fd, &exec.main.elf, place, None)?;
    let Some(interp) = &exec.interp else {
        return Ok(main);
    };
    // The run's patched copy of the interpreter, when there is one.
    let copy = crate::images::cached(interp.fd, &interp.elf);
    let i = map_image(interp.fd, &interp.elf, Placement::Interp, copy.as_ref())?;
    Ok(Loaded {
        entry: i.entry,
        base: i.prog_entry.wrapping_sub(interp.elf.entry),
        ..main
    })
}

/// Map `img` from `fd`, or from `copy` (its patched copy in the run's
/// shared memfd: the segments at the same offsets from the copy's start,
/// and its stub pages right after the span).
fn map_image(
    fd: i32,
    img: &ElfImage,
    place: Placement,
    copy: Option<&crate::images::Cached>,
) -> Result<Loaded, Errno> {
    let (lo, hi) = img.span();
    let (fd, file_off, stubs) = match copy {
        Some(c) if img.dynamic => (c.fd, c.data, c.stubs_len),
        _ => (fd, 0, 0),
    };
    let bias = if img.dynamic {
        let hint = if place == Placement::WithInterp {
            // ELF_ET_DYN_BASE + arch_mmap_rnd() (28 bits of pages).
            page_down(ELF_ET_DYN_BASE + (random_u64() % (1 << 28)) * PAGE_SIZE)
        } else {
            0
        };
        // Reserve the whole span where the kernel would put it, then map
        // segments over the reservation.
        let flags = if hint != 0 { MAP_FIXED_NOREPLACE } else { 0 };
        let span = hi - lo + stubs;
        let base = match sys::mmap(hint, span, 0, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0) {
            Ok(b) => b,
            Err(_) => sys::mmap(0, span, 0, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)?,
        };
        base.wrapping_sub(lo)
    } else {
        if overlaps_lx(lo, hi - lo) {
            return Err(Errno::ENOMEM);
        }
        0
    };
    let mut end_max = 0;
    for (i, s) in img.segments.iter().enumerate() {
        let start = s.vaddr.wrapping_add(bias);
        let page = page_down(start);
        let file_end = start + s.filesz;
        let mem_end = start + s.memsz;
        let fixed = if img.dynamic || i > 0 {
            MAP_FIXED
        } else {
            MAP_FIXED_NOREPLACE
        };
        let needs_zeroing = s.memsz > s.filesz && file_end % PAGE_SIZE != 0;
        let prot = if needs_zeroing {
            s.prot | PROT_WRITE
        } else {
            s.prot
        };
        if s.filesz > 0 {
            sys::mmap(
                page,
                page_up(file_end) - page,
                prot,
                MAP_PRIVATE | fixed,
                fd,
                file_off + page_down(s.offset),
            )?;
            if needs_zeroing {
                let len = (page_up(file_end) - file_end) as usize;
                // SAFETY: [file_end, page_up(file_end)) was just mapped
                // writable as part of this segment and is not Rust memory.
                unsafe { core::ptr::write_bytes(file_end as *mut u8, 0, len) };
                if prot != s.prot {
                    sys::mprotect(page, page_up(file_end) - page, s.prot)?;
                }
            }
        }
        let anon_start = if s.filesz > 0 {
            page_up(file_end)
        } else {
            page
        };
        if page_up(mem_end) > anon_start {
            sys::mmap(
                anon_start,
                page_up(mem_end) - anon_start,
                s.prot,
                MAP_PRIVATE | MAP_ANONYMOUS | fixed,
                -1,
                0,
            )?;
        }
        end_max = end_max.max(mem_end);
        // Like Linux, leave the holes between segments unmapped.
        if let Some(next) = img.segments.get(i + 1) {
            let gap = (page_up(mem_end), page_down(next.vaddr.wrapping_add(bias)));
            if img.dynamic && gap.1 > gap.0 {
                let _ = sys::munmap(gap.0, gap.1 - gap.0);
            }
        }
    }
    if let Some(c) = copy.filter(|_| stubs > 0) {
        // The stub pages (PROT_READ | PROT_EXEC), from the copy.
        sys::mmap(
            hi.wrapping_add(bias),
            stubs,
            5,
            MAP_PRIVATE | MAP_FIXED,
            fd,
            c.data + c.file_len,
        )?;
    }
    // Linux moves the break of a static-PIE program (ET_DYN without an
    // interpreter) to ELF_ET_DYN_BASE, away from the mmap area.
    let brk_base = if img.dynamic && place == Placement::Static {
        ELF_ET_DYN_BASE
    } else {
        page_up(end_max)
    };
    let brk_start = page_up(brk_base) + (random_u64() % (BRK_RANDOM_RANGE / PAGE_SIZE)) * PAGE_SIZE;
    let phdr = img.phdr_addr().map_or(0, |p| p.wrapping_add(bias));
    Ok(Loaded {
        entry: img.entry.wrapping_add(bias),
        prog_entry: img.entry.wrapping_add(bias),
        phdr,
        phnum: u64::from(img.phnum),
        base: 0,
        brk_start,
        exec_stack: img.exec_stack,
    })
}
