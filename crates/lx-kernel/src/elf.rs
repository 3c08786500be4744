//! ELF64 executables: validation with a one-line reason, and the load plan
//! (segments with exact permissions, entry, program headers, interpreter).
//! Used by the shim to load guests and by `lx` to explain a refusal.

use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::ProtFlags;
use object::LittleEndian as LE;
use object::elf::{
    EM_X86_64, ET_DYN, ET_EXEC, FileHeader64, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD,
    PT_PHDR, ProgramHeader64,
};
use object::read::elf::{FileHeader, ProgramHeader};

/// Why a file cannot be run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// No ELF magic (and no `#!`).
    NotElf,
    /// Shorter than its headers say.
    Truncated,
    /// Shorter than the ELF header itself (Linux reads such a file as
    /// zero-padded and finds no valid type: ENOEXEC, not EIO).
    ShortHeader,
    /// ELFCLASS32.
    Class32,
    /// Big-endian.
    BigEndian,
    /// Another machine (e_machine).
    Machine(u16),
    /// Neither ET_EXEC nor ET_DYN (a relocatable object, a core file).
    Type(u16),
    /// Program headers that make no sense.
    BadHeaders,
}

impl ElfError {
    /// The errno execve(2) gives for this.
    pub fn errno(self) -> Errno {
        match self {
            ElfError::Truncated => Errno::EIO,
            _ => Errno::ENOEXEC,
        }
    }

    /// A one-line reason, completed by the machine name where known.
    pub fn reason(self) -> ElfReason {
        ElfReason(self)
    }
}

/// Display adapter for [`ElfError`].
pub struct ElfReason(ElfError);

impl core::fmt::Display for ElfReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            ElfError::NotElf => f.write_str(
                "cannot execute: not an ELF executable or #! script (Exec format error)",
            ),
            ElfError::Truncated | ElfError::ShortHeader => {
                f.write_str("cannot execute: truncated ELF file")
            }
            ElfError::Class32 => f.write_str("cannot execute: 32-bit ELF; lx runs x86_64 programs"),
            ElfError::BigEndian => {
                f.write_str("cannot execute: big-endian ELF; lx runs x86_64 programs")
            }
            ElfError::Machine(m) => write!(
                f,
                "cannot execute: ELF for {} (e_machine {m}); lx runs x86_64 programs",
                machine_name(m)
            ),
            ElfError::Type(1) => {
                f.write_str("cannot execute: relocatable object file, not an executable")
            }
            ElfError::Type(4) => f.write_str("cannot execute: core file, not an executable"),
            ElfError::Type(t) => write!(f, "cannot execute: ELF type {t} is not an executable"),
            ElfError::BadHeaders => f.write_str("cannot execute: malformed ELF program headers"),
        }
    }
}

fn machine_name(m: u16) -> &'static str {
    match m {
        3 => "i386",
        8 => "mips",
        20 => "powerpc",
        21 => "ppc64",
        22 => "s390",
        40 => "arm",
        50 => "ia64",
        183 => "aarch64",
        243 => "riscv",
        258 => "loongarch",
        _ => "another architecture",
    }
}

/// A PT_LOAD segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
    /// PROT_* bits from p_flags.
    pub prot: u32,
}

/// What the loader needs from an executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfImage {
    /// ET_DYN (PIE, static-PIE, ld.so) rather than ET_EXEC.
    pub dynamic: bool,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    pub phnum: u16,
    pub segments: Vec<Segment>,
    /// File offset and length of the PT_INTERP path.
    pub interp: Option<(u64, u64)>,
    /// PT_GNU_STACK with PF_X (or no PT_GNU_STACK at all).
    pub exec_stack: bool,
    /// p_vaddr of PT_PHDR, if present.
    pub phdr_vaddr: Option<u64>,
}

/// The first bytes of an ELF file large enough to hold the ELF header.
pub const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;

/// Check the ELF header in `head` and return (phoff, phnum) so the caller
/// can read the program headers.
pub fn check_header(head: &[u8]) -> Result<(u64, u16), ElfError> {
    if head.len() < 4 || &head[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    if head.len() < EHDR_SIZE {
        return Err(ElfError::ShortHeader);
    }
    if head[4] != 2 {
        return Err(ElfError::Class32);
    }
    if head[5] != 1 {
        return Err(ElfError::BigEndian);
    }
    let h = FileHeader64::<LE>::parse(head).map_err(|_| ElfError::Truncated)?;
    let machine = h.e_machine(LE);
    if machine != EM_X86_64 {
        return Err(ElfError::Machine(machine));
    }
    let ty = h.e_type(LE);
    if ty != ET_EXEC && ty != ET_DYN {
        return Err(ElfError::Type(ty));
    }
    let phnum = h.e_phnum(LE);
    if h.e_phentsize(LE) as usize != PHDR_SIZE || phnum == 0 || phnum > 1024 {
        return Err(ElfError::BadHeaders);
    }
    Ok((h.e_phoff(LE), phnum))
}

/// Parse the header in `head` and the program headers in `phdrs` (the
/// `phnum * 56` bytes at `phoff`). `file_len` bounds every segment.
pub fn parse(head: &[u8], phdrs: &[u8], file_len: u64) -> Result<ElfImage, ElfError> {
    let (phoff, phnum) = check_header(head)?;
    let h = FileHeader64::<LE>::parse(head).map_err(|_| ElfError::Truncated)?;
    if phdrs.len() < phnum as usize * PHDR_SIZE {
        return Err(ElfError::Truncated);
    }
    let table: &[ProgramHeader64<LE>] = object::pod::slice_from_bytes(phdrs, phnum as usize)
        .map_err(|_| ElfError::BadHeaders)?
        .0;
    let mut img = ElfImage {
        dynamic: h.e_type(LE) == ET_DYN,
        entry: h.e_entry(LE),
        phoff,
        phentsize: PHDR_SIZE as u16,
        phnum,
        segments: Vec::new(),
        interp: None,
        exec_stack: true,
        phdr_vaddr: None,
    };
    for ph in table {
        let (off, filesz) = (ph.p_offset(LE), ph.p_filesz(LE));
        match ph.p_type(LE) {
            PT_LOAD => {
                let (vaddr, memsz) = (ph.p_vaddr(LE), ph.p_memsz(LE));
                if filesz > memsz || vaddr.checked_add(memsz).is_none() {
                    return Err(ElfError::BadHeaders);
                }
                // Linux maps file pages at page granularity: offset and
                // address must agree modulo the page size.
                if (vaddr ^ off) & 0xfff != 0 {
                    return Err(ElfError::BadHeaders);
                }
                if off.checked_add(filesz).is_none_or(|end| end > file_len) {
                    return Err(ElfError::Truncated);
                }
                let fl = ph.p_flags(LE);
                let mut prot = ProtFlags::empty();
                if fl & PF_R != 0 {
                    prot |= ProtFlags::READ;
                }
                if fl & PF_W != 0 {
                    prot |= ProtFlags::WRITE;
                }
                if fl & PF_X != 0 {
                    prot |= ProtFlags::EXEC;
                }
                img.segments.push(Segment {
                    vaddr,
                    memsz,
                    offset: off,
                    filesz,
                    prot: prot.bits(),
                });
            }
            PT_INTERP => {
                if !(2..=4096).contains(&filesz)
                    || off.checked_add(filesz).is_none_or(|e| e > file_len)
                {
                    return Err(ElfError::BadHeaders);
                }
                img.interp = Some((off, filesz));
            }
            PT_GNU_STACK => img.exec_stack = ph.p_flags(LE) & PF_X != 0,
            PT_PHDR => img.phdr_vaddr = Some(ph.p_vaddr(LE)),
            _ => {}
        }
    }
    if img.segments.is_empty() {
        return Err(ElfError::BadHeaders);
    }
    img.segments.sort_by_key(|s| s.vaddr);
    for w in img.segments.windows(2) {
        if w[0].vaddr + w[0].memsz > w[1].vaddr {
            return Err(ElfError::BadHeaders);
        }
    }
    Ok(img)
}

impl ElfImage {
    /// Page-aligned [start, end) of all PT_LOAD segments, before relocation.
    pub fn span(&self) -> (u64, u64) {
        let first = self.segments[0].vaddr & !0xfff;
        let last = self
            .segments
            .iter()
            .map(|s| s.vaddr + s.memsz)
            .max()
            .unwrap_or(first);
        (first, crate::layout::page_up(last))
    }

    /// Where the program headers are in memory (before relocation): PT_PHDR,
    /// or the PT_LOAD segment containing `e_phoff`.
    pub fn phdr_addr(&self) -> Option<u64> {
        self.phdr_vaddr.or_else(|| {
            self.segments
                .iter()
                .find(|s| s.offset <= self.phoff && self.phoff < s.offset + s.filesz)
                .map(|s| s.vaddr + (self.phoff - s.offset))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn header(machine: u16, ty: u16, class: u8) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = class;
        h[5] = 1;
        h[6] = 1;
        h[16..18].copy_from_slice(&ty.to_le_bytes());
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        h[24..32].copy_from_slice(&0x401000u64.to_le_bytes());
        h[32..40].copy_from_slice(&64u64.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&1u16.to_le_bytes());
        h
    }

    fn load(vaddr: u64, off: u64, filesz: u64, memsz: u64, flags: u32) -> Vec<u8> {
        let mut p = vec![0u8; 56];
        p[0..4].copy_from_slice(&PT_LOAD.to_le_bytes());
        p[4..8].copy_from_slice(&flags.to_le_bytes());
        p[8..16].copy_from_slice(&off.to_le_bytes());
        p[16..24].copy_from_slice(&vaddr.to_le_bytes());
        p[32..40].copy_from_slice(&filesz.to_le_bytes());
        p[40..48].copy_from_slice(&memsz.to_le_bytes());
        p
    }

    #[test]
    fn refusals() {
        assert_eq!(check_header(b"#!/bin/sh\n"), Err(ElfError::NotElf));
        assert_eq!(check_header(b"hello"), Err(ElfError::NotElf));
        // Shorter than the ELF header: ENOEXEC, as Linux (which reads it
        // zero-padded); program headers cut short are EIO.
        assert_eq!(
            check_header(&header(62, 2, 2)[..30]),
            Err(ElfError::ShortHeader)
        );
        assert_eq!(ElfError::ShortHeader.errno(), Errno::ENOEXEC);
        assert_eq!(ElfError::Truncated.errno(), Errno::EIO);
        assert_eq!(
            check_header(&header(183, 2, 2)),
            Err(ElfError::Machine(183))
        );
        assert_eq!(check_header(&header(3, 2, 1)), Err(ElfError::Class32));
        assert_eq!(check_header(&header(62, 1, 2)), Err(ElfError::Type(1)));
        assert_eq!(check_header(&header(62, 2, 2)), Ok((64, 1)));
        let msg = alloc::format!("{}", ElfError::Machine(183).reason());
        assert!(msg.contains("aarch64"), "{msg}");
    }

    #[test]
    fn segments() {
        let h = header(62, 2, 2);
        let ph = load(0x400000, 0, 0x1234, 0x5000, PF_R | PF_X);
        let img = parse(&h, &ph, 0x2000).unwrap();
        assert_eq!(
            img.segments[0].prot,
            (ProtFlags::READ | ProtFlags::EXEC).bits()
        );
        assert_eq!(img.span(), (0x400000, 0x405000));
        assert_eq!(img.phdr_addr(), Some(0x400040));
        assert_eq!(parse(&h, &ph, 0x1000), Err(ElfError::Truncated));
        let bad = load(0x400000, 0x10, 0x100, 0x100, PF_R);
        assert_eq!(parse(&h, &bad, 0x2000), Err(ElfError::BadHeaders));
    }
}

/// Linux reads at most this much of a `#!` line (BINPRM_BUF_SIZE).
pub const SHEBANG_MAX: usize = 256;
/// Linux follows at most this many nested interpreters (BINPRM_MAX_RECURSION + 1).
pub const MAX_INTERP_DEPTH: usize = 5;

/// A `#!` line: the interpreter and its optional single argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shebang {
    pub interp: Vec<u8>,
    pub arg: Option<Vec<u8>>,
}

/// Parse a `#!` line as Linux's binfmt_script does: the interpreter is the
/// first word after `#!` (leading blanks skipped), the rest of the line, with
/// surrounding blanks trimmed, is one optional argument. None if `head` does
/// not start with `#!`; ENOEXEC if there is no interpreter or the line does
/// not fit in [`SHEBANG_MAX`] bytes.
pub fn parse_shebang(head: &[u8]) -> Option<Result<Shebang, Errno>> {
    if !head.starts_with(b"#!") {
        return None;
    }
    let buf = &head[..head.len().min(SHEBANG_MAX)];
    let line = match buf.iter().position(|&c| c == b'\n') {
        Some(n) => &buf[2..n],
        None if head.len() <= SHEBANG_MAX => &buf[2..],
        // The interpreter name itself must fit; a long argument is cut.
        None => {
            let rest = &buf[2..];
            let blank = |c: &u8| *c == b' ' || *c == b'\t';
            let start = rest.iter().position(|c| !blank(c)).unwrap_or(rest.len());
            if !rest[start..].iter().any(blank) {
                return Some(Err(Errno::ENOEXEC));
            }
            rest
        }
    };
    let blank = |c: &u8| *c == b' ' || *c == b'\t' || *c == 0;
    let start = line.iter().position(|c| !blank(c)).unwrap_or(line.len());
    let line = &line[start..];
    let end = line.iter().position(blank).unwrap_or(line.len());
    if end == 0 {
        return Some(Err(Errno::ENOEXEC));
    }
    let interp = line[..end].to_vec();
    let rest = &line[end..];
    let a = rest.iter().position(|c| !blank(c));
    let arg = a.map(|a| {
        let r = &rest[a..];
        let e = r.iter().rposition(|c| !blank(c)).map_or(0, |e| e + 1);
        r[..e].to_vec()
    });
    Some(Ok(Shebang { interp, arg }))
}

#[cfg(test)]
mod shebang_tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(parse_shebang(b"\x7fELF"), None);
        let s = parse_shebang(b"#!/bin/sh\necho").unwrap().unwrap();
        assert_eq!((s.interp.as_slice(), s.arg), (&b"/bin/sh"[..], None));
        let s = parse_shebang(b"#! /usr/bin/env  python3 -u \n")
            .unwrap()
            .unwrap();
        assert_eq!(s.interp, b"/usr/bin/env");
        assert_eq!(s.arg.as_deref(), Some(&b"python3 -u"[..]));
        assert_eq!(parse_shebang(b"#!   \n"), Some(Err(Errno::ENOEXEC)));
        assert_eq!(
            parse_shebang(b"#!/bin/sh"),
            Some(Ok(Shebang {
                interp: b"/bin/sh".to_vec(),
                arg: None
            }))
        );
    }
}
