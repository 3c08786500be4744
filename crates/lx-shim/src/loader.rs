//! Loading an ELF executable into this process as Linux's binfmt_elf does:
//! ET_EXEC at its addresses, ET_DYN (static-PIE) at a randomized base in
//! the mmap area, each PT_LOAD with its exact permissions, the bss zeroed,
//! and the program break placed after it (randomized like Linux's).

use crate::sys::{self, call};
use alloc::vec;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::syscalls::nr;
use lx_kernel::elf::{self, ElfError, ElfImage};
use lx_kernel::layout::{ELF_ET_DYN_BASE, PAGE_SIZE, overlaps_lx, page_down, page_up};

const PROT_WRITE: u32 = 2;
const MAP_PRIVATE: u32 = 0x02;
const MAP_FIXED: u32 = 0x10;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_FIXED_NOREPLACE: u32 = 0x10_0000;
/// Linux randomizes the break start within 32 MiB (arch_randomize_brk).
const BRK_RANDOM_RANGE: u64 = 0x0200_0000;

/// Why loading failed.
#[derive(Debug)]
pub enum LoadError {
    /// open/read/mmap failed.
    Sys(Errno),
    /// Not a runnable ELF.
    Elf(ElfError),
    /// Needs an interpreter (dynamic linking arrives with lx's VFS).
    Dynamic,
}

/// The loaded program, as the stack builder needs it.
pub struct Loaded {
    pub entry: u64,
    pub phdr: u64,
    pub phnum: u64,
    pub brk_start: u64,
    pub exec_stack: bool,
}

fn random_u64() -> u64 {
    let mut v = 0u64;
    let _ = call(nr::getrandom, &[&mut v as *mut u64 as u64, 8, 0]);
    v
}

/// Load the executable at host path `path` (NUL-terminated).
pub fn load(path: &[u8]) -> Result<Loaded, LoadError> {
    let fd = call(nr::open, &[path.as_ptr() as u64, 0o2000000 /* O_CLOEXEC */])
        .map_err(LoadError::Sys)? as i32;
    let r = load_fd(fd);
    sys::close(fd);
    r
}

fn load_fd(fd: i32) -> Result<Loaded, LoadError> {
    let mut st = lx_abi::structs::Stat::default();
    call(nr::fstat, &[fd as u64, &mut st as *mut _ as u64]).map_err(LoadError::Sys)?;
    let size = st.st_size as u64;
    let mut head = vec![0u8; 4096.min(size as usize)];
    let n = sys::pread(fd, &mut head, 0).map_err(LoadError::Sys)?;
    head.truncate(n);
    let (phoff, phnum) = elf::check_header(&head).map_err(LoadError::Elf)?;
    let ph_len = phnum as usize * 56;
    let phdrs: Vec<u8> = if (phoff as usize).saturating_add(ph_len) <= head.len() {
        head[phoff as usize..phoff as usize + ph_len].to_vec()
    } else {
        let mut b = vec![0u8; ph_len];
        let got = sys::pread(fd, &mut b, phoff).map_err(LoadError::Sys)?;
        b.truncate(got);
        b
    };
    let img = elf::parse(&head, &phdrs, size).map_err(LoadError::Elf)?;
    if img.interp.is_some() {
        return Err(LoadError::Dynamic);
    }
    map_image(fd, &img)
}

fn map_image(fd: i32, img: &ElfImage) -> Result<Loaded, LoadError> {
    let (lo, hi) = img.span();
    let bias = if img.dynamic {
        // Reserve the whole span where the kernel would put it (the mmap
        // area, top-down), then map segments over the reservation.
        let base =
            sys::mmap(0, hi - lo, 0, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0).map_err(LoadError::Sys)?;
        base.wrapping_sub(lo)
    } else {
        if overlaps_lx(lo, hi - lo) {
            return Err(LoadError::Sys(Errno::ENOMEM));
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
                page_down(s.offset),
            )
            .map_err(LoadError::Sys)?;
            if needs_zeroing {
                let len = (page_up(file_end) - file_end) as usize;
                // SAFETY: [file_end, page_up(file_end)) was just mapped
                // writable as part of this segment and is not Rust memory.
                unsafe { core::ptr::write_bytes(file_end as *mut u8, 0, len) };
                if prot != s.prot {
                    sys::mprotect(page, page_up(file_end) - page, s.prot)
                        .map_err(LoadError::Sys)?;
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
            )
            .map_err(LoadError::Sys)?;
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
    // Linux moves the break of a static-PIE program (ET_DYN without an
    // interpreter) to ELF_ET_DYN_BASE, away from the mmap area.
    let brk_base = if img.dynamic {
        ELF_ET_DYN_BASE
    } else {
        page_up(end_max)
    };
    let brk_start = page_up(brk_base) + (random_u64() % (BRK_RANDOM_RANGE / PAGE_SIZE)) * PAGE_SIZE;
    let phdr = img.phdr_addr().map_or(0, |p| p.wrapping_add(bias));
    Ok(Loaded {
        entry: img.entry.wrapping_add(bias),
        phdr,
        phnum: u64::from(img.phnum),
        brk_start,
        exec_stack: img.exec_stack,
    })
}
