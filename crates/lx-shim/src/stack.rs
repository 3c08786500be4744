//! The guest's initial stack, laid out as Linux's `create_elf_tables` does:
//! from the top, the exec filename, environment and argument strings, the
//! platform string and 16 random bytes; then, 16-byte aligned, argc, argv,
//! envp and the auxiliary vector.

use alloc::vec::Vec;
use lx_abi::flags::auxv::*;

/// Values from the host's own auxv that the guest gets unchanged.
#[derive(Default, Clone, Copy)]
pub struct HostAux {
    pub sysinfo_ehdr: u64,
    pub minsigstksz: u64,
    pub hwcap: u64,
    pub hwcap2: u64,
    pub pagesz: u64,
    pub clktck: u64,
    pub rseq_feature_size: u64,
    pub rseq_align: u64,
}

/// Everything that goes on the stack.
pub struct StackSpec<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    pub execfn: &'a [u8],
    pub random: [u8; 16],
    pub phdr: u64,
    pub phnum: u64,
    pub entry: u64,
    pub base: u64,
    pub ids: [u64; 4],
    pub host: HostAux,
}

/// A downward-growing writer over raw stack memory.
struct Sp(u64);

impl Sp {
    fn push_bytes(&mut self, b: &[u8]) -> u64 {
        self.0 -= b.len() as u64;
        // SAFETY: the caller owns the stack region below its starting point
        // (the host stack, which grows on demand) and nothing else lives there.
        unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), self.0 as *mut u8, b.len()) };
        self.0
    }
    fn push_cstr(&mut self, b: &[u8]) -> u64 {
        self.push_bytes(&[0]);
        self.push_bytes(b)
    }
}

/// Build the stack below `top`; returns the initial stack pointer (at argc)
/// and the auxiliary vector as bytes (for /proc/self/auxv).
///
/// # Safety
/// `[top - needed, top)` must be writable memory owned by the guest-to-be.
pub unsafe fn build(top: u64, s: &StackSpec<'_>) -> (u64, Vec<u8>) {
    let mut sp = Sp(top & !15);
    sp.push_bytes(&[0u8; 8]);
    let execfn = sp.push_cstr(s.execfn);
    let mut envp: Vec<u64> = s.envp.iter().rev().map(|e| sp.push_cstr(e)).collect();
    envp.reverse();
    let mut argv: Vec<u64> = s.argv.iter().rev().map(|a| sp.push_cstr(a)).collect();
    argv.reverse();
    let platform = sp.push_cstr(b"x86_64");
    let random = sp.push_bytes(&s.random);
    sp.0 &= !15;

    let h = &s.host;
    let mut aux: Vec<(u64, u64)> = Vec::with_capacity(24);
    if h.sysinfo_ehdr != 0 {
        aux.push((AT_SYSINFO_EHDR, h.sysinfo_ehdr));
    }
    aux.push((AT_MINSIGSTKSZ, h.minsigstksz));
    aux.push((AT_HWCAP, h.hwcap));
    aux.push((AT_PAGESZ, h.pagesz));
    aux.push((AT_CLKTCK, h.clktck));
    aux.push((AT_PHDR, s.phdr));
    aux.push((AT_PHENT, 56));
    aux.push((AT_PHNUM, s.phnum));
    aux.push((AT_BASE, s.base));
    aux.push((AT_FLAGS, 0));
    aux.push((AT_ENTRY, s.entry));
    aux.push((AT_UID, s.ids[0]));
    aux.push((AT_EUID, s.ids[1]));
    aux.push((AT_GID, s.ids[2]));
    aux.push((AT_EGID, s.ids[3]));
    aux.push((AT_SECURE, 0));
    aux.push((AT_RANDOM, random));
    if h.hwcap2 != 0 {
        aux.push((AT_HWCAP2, h.hwcap2));
    }
    aux.push((AT_EXECFN, execfn));
    aux.push((AT_PLATFORM, platform));
    if h.rseq_feature_size != 0 {
        aux.push((AT_RSEQ_FEATURE_SIZE, h.rseq_feature_size));
        aux.push((AT_RSEQ_ALIGN, h.rseq_align));
    }
    aux.push((AT_NULL, 0));

    let mut auxv_bytes = Vec::with_capacity(aux.len() * 16);
    for (k, v) in &aux {
        auxv_bytes.extend_from_slice(&k.to_le_bytes());
        auxv_bytes.extend_from_slice(&v.to_le_bytes());
    }
    let mut words: Vec<u64> = Vec::with_capacity(3 + argv.len() + envp.len() + aux.len() * 2);
    words.push(argv.len() as u64);
    words.extend_from_slice(&argv);
    words.push(0);
    words.extend_from_slice(&envp);
    words.push(0);
    for (k, v) in aux {
        words.push(k);
        words.push(v);
    }
    // Linux's STACK_ROUND: the final sp is 16-byte aligned.
    let sp_final = (sp.0 - words.len() as u64 * 8) & !15;
    // SAFETY: as above; `words` fits between sp_final and the strings.
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr(), sp_final as *mut u64, words.len()) };
    (sp_final, auxv_bytes)
}
