//! Syscall sites a stub can take over (see the shim's `patch` module for
//! the mechanism): the shapes of code around a `syscall` instruction that
//! lx rewrites, the stubs it writes, and the search of a whole image for
//! such sites. Pure decoding, shared by the shim's two ways of patching:
//! a site found hot at run time, and the run's cached copy of an ELF
//! interpreter patched before any process maps it. That copy's `cpuid`
//! sites asking a constant question are here too (`scan_cpuid`,
//! `cpuid_stub`): their stubs hold the answer.

use alloc::vec::Vec;

/// Each stub's size; the first stub-sized slot of a stub area holds the
/// fast path's entry address.
pub const STUB: u64 = 32;

/// Syscalls the fast path serves: ones whose handler needs neither the
/// signal frame (FPU state, the trap's context) nor to replace the image,
/// the thread or the signal mask in a way only a sigreturn can apply.
pub fn fast_nr(n: u32) -> bool {
    matches!(
        n,
        // read .. rt_sigprocmask (not rt_sigreturn)
        0..=14
            // ioctl .. dup2 (not pause)
            | 16..=33
            // nanosleep .. getsockopt (not clone, fork, vfork, execve, exit)
            | 35..=55
            // wait4 .. ptrace excluded .. capget
            | 61..=100
            | 102..=125
            // rt_sigpending
            | 127
            // statfs fstatfs prctl gettid
            | 137 | 138 | 157 | 186
            // the xattr calls, tkill, time, futex
            | 188..=202
            // getdents64, set_tid_address, clock_gettime, clock_getres,
            // clock_nanosleep
            | 217 | 218 | 228..=230
            // openat .. faccessat (not pselect6, ppoll)
            | 257..=269
            // set_robust_list utimensat dup3 pipe2 prlimit64 renameat2
            // getrandom statx rseq faccessat2 (set_tid_address,
            // set_robust_list and rseq: ld.so's start of every dynamic
            // program)
            | 273 | 280 | 292 | 293 | 302 | 316 | 318 | 332 | 334 | 439
    )
}

/// In `code` (ending with a `syscall`; `code[0]` is at address `base`), the
/// second shape (see the module doc): `mov rax, rdi` at the start of a
/// function (a 16-byte aligned address, or right after an aligned
/// `endbr64`, following the end of the code before it: a `ret`, an `int3`
/// or padding), then only moves into other registers (and loads of stack
/// arguments) up to the `syscall`. The offset of the last of those
/// instructions that is 5 bytes or longer: the `jmp` replaces exactly its
/// first 5 bytes, so every instruction after it still starts where it did
/// (a context resumed there, or a jump there, finds it intact); it and the
/// moves after it must fit the stub (14 bytes).
pub fn reg_site(code: &[u8], base: u64) -> Option<usize> {
    if code.len() < 10 {
        return None;
    }
    let end = code.len() - 2;
    if code[end..] != [0x0f, 0x05] {
        return None;
    }
    for a in (0..end.saturating_sub(3)).rev() {
        if code[a..a + 3] != [0x48, 0x89, 0xf8] {
            continue;
        }
        let entry = if a >= 4 && code[a - 4..a] == [0xf3, 0x0f, 0x1e, 0xfa] {
            a - 4
        } else {
            a
        };
        if !(base + entry as u64).is_multiple_of(16)
            || entry == 0
            || !matches!(code[entry - 1], 0xc3 | 0xcc | 0x90 | 0x00)
        {
            continue;
        }
        // Decode forward from the anchor: (start, length) of each move.
        let mut insns = [(0usize, 0usize); 16];
        let mut n = 0;
        let mut p = a;
        while p < end && n < insns.len() {
            let len = if p == a {
                3
            } else {
                match reg_move(&code[p..end]).or_else(|| stack_load(&code[p..end])) {
                    Some(l) => l,
                    None => break,
                }
            };
            insns[n] = (p, len);
            n += 1;
            p += len;
        }
        if p != end {
            continue;
        }
        let (at, _) = insns[..n]
            .iter()
            .rev()
            .copied()
            .find(|&(_, len)| len >= 5)?;
        return (end - at <= 14).then_some(at);
    }
    None
}

/// `mov r64, [rsp + disp8]` (a stack argument) into a register other than
/// rax at the start of `b`: its length (5).
fn stack_load(b: &[u8]) -> Option<usize> {
    let [rex, 0x8b, modrm, 0x24, _disp, ..] = *b else {
        return None;
    };
    if rex & 0xf8 != 0x48 || rex & 3 != 0 || modrm & 0xc7 != 0x44 {
        return None;
    }
    let dst = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    (dst != 0).then_some(5)
}

/// Length of a move into a register other than rax at the start of `b`:
/// `mov r, r` (89/8b, 32 or 64 bits), `movsxd r64, r32`, `mov r32, imm32`.
fn reg_move(b: &[u8]) -> Option<usize> {
    let (rex, rest) = match b.first()? {
        r @ 0x40..=0x4f => (*r, b.get(1..)?),
        _ => (0, b),
    };
    let op = *rest.first()?;
    if (0xb8..=0xbf).contains(&op) && rex & 8 == 0 {
        // mov r32, imm32 (REX.B selects r8d-r15d)
        let dst = (op - 0xb8) | ((rex & 1) << 3);
        rest.get(4)?;
        return (dst != 0).then_some(if rex != 0 { 6 } else { 5 });
    }
    let modrm = *rest.get(1)?;
    if !matches!(op, 0x89 | 0x8b | 0x63) || modrm & 0xc0 != 0xc0 || (op == 0x63 && rex & 8 == 0) {
        return None;
    }
    let dst = if op == 0x89 {
        (modrm & 7) | ((rex & 1) << 3)
    } else {
        ((modrm >> 3) & 7) | ((rex & 4) << 1)
    };
    (dst != 0).then_some(if rex != 0 { 3 } else { 2 })
}

/// Could the `mov eax, NR` found at `at` be the tail of an instruction
/// that starts before it (its 0xb8 a displacement byte, NR its imm32:
/// `mov dword [rsp-0x48], NR`, `cmp dword [rbp-0x48], NR` ...)? Such an
/// instruction ending exactly where the candidate's immediate ends makes
/// the site ambiguous.
fn imm32_tail(code: &[u8], at: usize) -> bool {
    let end = at + 5;
    (1..=8.min(at)).any(|k| {
        let mut p = at - k;
        if (0x40..=0x4f).contains(&code[p]) {
            p += 1;
        }
        let Some(&op) = code.get(p) else {
            return false;
        };
        if !matches!(op, 0x69 | 0x81 | 0xc7 | 0xf7) {
            return false;
        }
        let Some(&modrm) = code.get(p + 1) else {
            return false;
        };
        let (md, rm) = (modrm >> 6, modrm & 7);
        let sib = usize::from(md != 3 && rm == 4);
        let disp = match md {
            1 => 1,
            2 => 4,
            0 if rm == 5 => 4,
            0 if rm == 4 => code
                .get(p + 2)
                .map_or(0, |&s| if s & 7 == 5 { 4 } else { 0 }),
            _ => 0,
        };
        p + 2 + sib + disp + 4 == end
    })
}

/// Is there a `mov eax, imm32` (b8) at `at` (> 0) that no byte before it
/// makes something else: not a prefix that would change it (REX.W: `mov
/// rax, imm64`; 66: `mov ax, imm16`) or the `jmp` replacing it (67; others,
/// segment, rep, lock, are often an earlier instruction's ModRM, as in `mov
/// edx, esi` = 89 f2, and leave both as they are), nor the tail of an
/// earlier instruction with an imm32 (`imm32_tail`)?
fn plain_mov_eax(code: &[u8], at: usize) -> bool {
    at > 0
        && code.get(at) == Some(&0xb8)
        && !matches!(code[at - 1], 0x40..=0x4f | 0x66 | 0x67)
        && !imm32_tail(code, at)
}

/// In `code` (ending with a `syscall`), a `mov eax, NR` for the number
/// `nr`, followed only by register moves up to the `syscall`, not preceded
/// by a prefix byte nor possibly part of an earlier instruction: (its
/// offset, the moves' bytes).
pub fn find_site(code: &[u8], nr: u32) -> Option<(usize, &[u8])> {
    find_site_where(code, |n| n == nr).map(|(at, _, moves)| (at, moves))
}

/// `find_site` for the nearest `mov eax, NR` whose NR satisfies `want`:
/// (its offset, NR, the moves' bytes).
fn find_site_where(code: &[u8], want: impl Fn(u32) -> bool) -> Option<(usize, u32, &[u8])> {
    if code.len() < 8 {
        return None;
    }
    let end = code.len() - 2;
    if code[end..] != [0x0f, 0x05] {
        return None;
    }
    // The nearest candidate first; the moves must fit the stub.
    for at in (1..=end - 5).rev() {
        if end - at > 5 + 14 {
            break;
        }
        let nr = u32::from_le_bytes([code[at + 1], code[at + 2], code[at + 3], code[at + 4]]);
        if !want(nr) || !plain_mov_eax(code, at) {
            continue;
        }
        let mut p = at + 5;
        while p < end {
            match reg_move(&code[p..end]) {
                Some(n) => p += n,
                None => break,
            }
        }
        if p == end {
            return Some((at, nr, &code[at + 5..end]));
        }
    }
    None
}

/// The stub at `stub` for a site whose `syscall` instruction is at
/// `syscall_at`: `mov eax, NR` (when `nr` is given: the first shape), the
/// site's moves, `lea rcx, [syscall_at + 2]` and `jmp [slot]`, where `slot`
/// holds the entry address.
pub fn stub_bytes(
    stub: u64,
    slot: u64,
    syscall_at: u64,
    nr: Option<u32>,
    moves: &[u8],
) -> Option<[u8; STUB as usize]> {
    let pre = if nr.is_some() { 5 } else { 0 };
    if pre + moves.len() + 13 > STUB as usize {
        return None;
    }
    let mut b = [0xccu8; STUB as usize];
    if let Some(nr) = nr {
        b[0] = 0xb8;
        b[1..5].copy_from_slice(&nr.to_le_bytes());
    }
    let m = moves.len();
    b[pre..pre + m].copy_from_slice(moves);
    let lea = pre + m;
    b[lea..lea + 3].copy_from_slice(&[0x48, 0x8d, 0x0d]);
    let back = (syscall_at + 2).wrapping_sub(stub + lea as u64 + 7) as i64 as i32;
    b[lea + 3..lea + 7].copy_from_slice(&back.to_le_bytes());
    let jmp = lea + 7;
    b[jmp..jmp + 2].copy_from_slice(&[0xff, 0x25]);
    let ent = slot.wrapping_sub(stub + jmp as u64 + 6) as i64 as i32;
    b[jmp + 2..jmp + 6].copy_from_slice(&ent.to_le_bytes());
    Some(b)
}

/// The `jmp rel32` at `site` to `stub`.
pub fn jmp_bytes(site: u64, stub: u64) -> [u8; 5] {
    let mut j = [0xe9u8, 0, 0, 0, 0];
    let rel = stub.wrapping_sub(site + 5) as i64 as i32;
    j[1..5].copy_from_slice(&rel.to_le_bytes());
    j
}

/// A site found by `scan`, as offsets into the scanned code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Where the 5-byte `jmp` goes.
    pub at: usize,
    /// The `syscall` instruction.
    pub syscall_at: usize,
    /// The number the stub sets (first shape), or none (second shape).
    pub nr: Option<u32>,
    /// The bytes the stub repeats after the number: `code[moves]`.
    pub moves: core::ops::Range<usize>,
}

/// The offset of the next `0f 05` (a `syscall`) in `code` from `i`.
fn next_syscall(code: &[u8], i: usize) -> Option<usize> {
    next_pair(code, i, [0x0f, 0x05])
}

/// The offset of the next two bytes `pair` in `code` from `i`: eight
/// bytes at a time (the shim is built without vector instructions, and a
/// byte loop took ~150 us over glibc's ld.so).
fn next_pair(code: &[u8], mut i: usize, pair: [u8; 2]) -> Option<usize> {
    const LO: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The high bit of each byte of `x` that is zero (exact: no carries
    // between bytes).
    let zero = |x: u64| !(((x & LO) + LO) | x) & HI;
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&code[at..at + 8]);
        u64::from_le_bytes(b)
    };
    while i + 9 <= code.len() {
        let m = zero(word(i) ^ (u64::from(pair[0]) * ONES))
            & zero(word(i + 1) ^ (u64::from(pair[1]) * ONES));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i + 1 < code.len() {
        if code[i] == pair[0] && code[i + 1] == pair[1] {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Every site of either shape in `code`, an executable segment's bytes
/// (`code[0]` at address `base`), in address order. Only numbers the fast
/// path serves qualify for the first shape (the second serves any). Used on
/// an image before it runs, where no trap has shown that a `syscall` is
/// an instruction: the shapes' checks (nothing but register moves up to it,
/// no prefix, no earlier instruction's immediate) are what vouch for it.
pub fn scan(code: &[u8], base: u64) -> Vec<Found> {
    const LOOK: usize = 32;
    let mut out: Vec<Found> = Vec::new();
    let mut i = 0;
    while let Some(at) = next_syscall(code, i) {
        i = at;
        let from = i.saturating_sub(LOOK - 2);
        let window = &code[from..i + 2];
        let found = match find_site_where(window, fast_nr) {
            Some((at, nr, moves)) => Some((at, Some(nr), moves.len())),
            None => {
                reg_site(window, base + from as u64).map(|at| (at, None, window.len() - 2 - at))
            }
        };
        if let Some((at, nr, m)) = found {
            let at = from + at;
            let moves_from = if nr.is_some() { at + 5 } else { at };
            // (Sites never overlap: each ends with its own `syscall` and
            // holds none before it; kept as a check.)
            if out.last().is_none_or(|l| l.syscall_at + 2 <= at) {
                out.push(Found {
                    at,
                    syscall_at: i,
                    nr,
                    moves: moves_from..moves_from + m,
                });
            }
        }
        i += 2;
    }
    out
}

/// A `cpuid` site `scan_cpuid` found, as offsets into the scanned code:
/// `mov eax, LEAF` at `at`, then nothing, `xor ecx, ecx` or `mov ecx,
/// SUBLEAF` (`moves`), then the `cpuid` at `cpuid_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuidSite {
    pub at: usize,
    pub cpuid_at: usize,
    pub leaf: u32,
    /// The subleaf the site asks for (None: ECX is whatever it was, for a
    /// leaf that does not look at it).
    pub subleaf: Option<u32>,
    pub moves: core::ops::Range<usize>,
}

/// Leaves whose answer depends on the CPU that asks (APIC ids, a hybrid
/// core's type) or that a site cannot be trusted to ask the same way.
fn per_cpu_leaf(leaf: u32) -> bool {
    matches!(leaf, 0x1 | 0xb | 0x1a | 0x1f | 0x8000_001e)
}

/// Leaves that ignore ECX (no subleaves).
fn no_subleaf(leaf: u32) -> bool {
    matches!(leaf, 0x0 | 0x8000_0000..=0x8000_0008)
}

/// Every `cpuid` site of an image (`code`: an executable segment's bytes)
/// that always asks the same question with an answer the same on every
/// CPU of the machine: `mov eax, LEAF`, then nothing, `xor ecx, ecx` or
/// `mov ecx, SUBLEAF`, then `cpuid`, for a standard or extended leaf that
/// is not per CPU (and, without a subleaf set, one that ignores ECX). The
/// `mov` is an instruction when `find_site`'s checks say so (no prefix
/// before it, not an earlier instruction's immediate), or when decoding
/// from the end of a site found so far reaches it (`insn_len`: a `jbe`
/// whose displacement looks like a REX prefix right before the `mov`, as
/// in glibc's cache-size queries). In a virtual machine `cpuid` exits to
/// the hypervisor (~5 us here), and glibc's ld.so asks ~40 times per
/// program start, mostly from such sites: lx answers them from a stub
/// holding the answer (`cpuid_stub`).
pub fn scan_cpuid(code: &[u8]) -> Vec<CpuidSite> {
    let mut out: Vec<CpuidSite> = Vec::new();
    let mut i = 0;
    while let Some(at) = next_pair(code, i, [0x0f, 0xa2]) {
        i = at;
        for gap in [0usize, 2, 5] {
            let Some(at) = i.checked_sub(5 + gap) else {
                continue;
            };
            if !plain_mov_eax(code, at) {
                continue;
            }
            if let Some(site) = cpuid_shape(code, at) {
                if out.last().is_none_or(|l| l.cpuid_at + 2 <= site.at) {
                    out.push(site);
                }
                break;
            }
        }
        i += 2;
    }
    // Sites reached by decoding on from the end of a site found (whose
    // `cpuid` is known to be an instruction): at most 96 bytes on, up to
    // an instruction `insn_len` does not know or one after which the code
    // need not go on.
    let mut k = 0;
    while k < out.len() {
        let mut p = out[k].cpuid_at + 2;
        let limit = p + 96;
        while p < limit.min(code.len()) {
            if let Some(site) = cpuid_shape(code, p)
                && !out.iter().any(|o| o.at == site.at)
            {
                p = site.cpuid_at + 2;
                out.push(site);
                continue;
            }
            match insn_len(&code[p..]) {
                Some((n, more)) if more => p += n,
                _ => break,
            }
        }
        k += 1;
    }
    out.sort_by_key(|s| s.at);
    out
}

/// The site at `at` if its bytes have the shape (a `mov eax, LEAF` there,
/// taken as an instruction) and its question qualifies.
fn cpuid_shape(code: &[u8], at: usize) -> Option<CpuidSite> {
    if code.get(at) != Some(&0xb8) {
        return None;
    }
    let leaf = u32::from_le_bytes(code.get(at + 1..at + 5)?.try_into().ok()?);
    let rest = code.get(at + 5..)?;
    let (gap, subleaf) = match rest {
        [0x0f, 0xa2, ..] => (0, None),
        [0x31 | 0x33, 0xc9, 0x0f, 0xa2, ..] => (2, Some(0)),
        [0xb9, a, b, c, d, 0x0f, 0xa2, ..] => (5, Some(u32::from_le_bytes([*a, *b, *c, *d]))),
        _ => return None,
    };
    let known_range = leaf < 0x4000_0000 || (0x8000_0000..0x9000_0000).contains(&leaf);
    if !known_range || per_cpu_leaf(leaf) || (subleaf.is_none() && !no_subleaf(leaf)) {
        return None;
    }
    Some(CpuidSite {
        at,
        cpuid_at: at + 5 + gap,
        leaf,
        subleaf,
        moves: at + 5..at + 5 + gap,
    })
}

/// The length of the instruction at `b[0]`, for a plain subset of x86-64
/// (no 66/67/segment/lock/rep prefixes, no VEX): (length, whether the code
/// can go on to the next instruction: false after an unconditional jump,
/// a `ret` or an `int3`). None for anything else, or too few bytes.
fn insn_len(b: &[u8]) -> Option<(usize, bool)> {
    let rex = usize::from(b.first().is_some_and(|&x| (0x40..=0x4f).contains(&x)));
    let w = rex == 1 && b[0] & 8 != 0;
    let op = *b.get(rex)?;
    let at = rex + 1;
    // The ModRM (and SIB, displacement) bytes at `at`: their length.
    let modrm = |at: usize| -> Option<usize> {
        let m = *b.get(at)?;
        let (md, rm) = (m >> 6, m & 7);
        let sib = md != 3 && rm == 4;
        let disp = match md {
            0 if rm == 5 => 4,
            0 if sib && b.get(at + 1)? & 7 == 5 => 4,
            1 => 1,
            2 => 4,
            _ => 0,
        };
        Some(1 + usize::from(sib) + disp)
    };
    let (len, more) = match op {
        0x0f => {
            let op2 = *b.get(at)?;
            match op2 {
                0x05 | 0xa2 => (at + 1, true),
                0x80..=0x8f => (at + 5, true),
                0x1f | 0x40..=0x4f | 0x90..=0x9f | 0xaf | 0xb6 | 0xb7 | 0xbe | 0xbf => {
                    (at + 1 + modrm(at + 1)?, true)
                }
                _ => return None,
            }
        }
        // ALU ops: r/m forms, then al/eax with an immediate.
        0x00..=0x3f if op & 7 < 4 && !matches!(op, 0x26 | 0x2e | 0x36 | 0x3e) => {
            (at + modrm(at)?, true)
        }
        0x00..=0x3f if op & 7 == 4 => (at + 1, true),
        0x00..=0x3f if op & 7 == 5 => (at + 4, true),
        0x50..=0x5f | 0x90 | 0x98 | 0x99 | 0xc9 => (at, true),
        0x63 | 0x84..=0x8b | 0x8d | 0xd1 | 0xd3 => (at + modrm(at)?, true),
        0x69 | 0x81 | 0xc7 => (at + modrm(at)? + 4, true),
        0x6b | 0x80 | 0x83 | 0xc0 | 0xc1 | 0xc6 => (at + modrm(at)? + 1, true),
        0x68 => (at + 4, true),
        0x6a | 0x70..=0x7f | 0xa8 | 0xb0..=0xb7 => (at + 1, true),
        0xa9 => (at + 4, true),
        0xb8..=0xbf => (at + if w { 8 } else { 4 }, true),
        0xe8 => (at + 4, true),
        0xe9 => (at + 4, false),
        0xeb => (at + 1, false),
        0xc3 | 0xcc => (at, false),
        0xf6 | 0xf7 => {
            let reg = (b.get(at)? >> 3) & 7;
            let imm = match (op, reg) {
                (0xf6, 0 | 1) => 1,
                (0xf7, 0 | 1) => 4,
                _ => 0,
            };
            (at + modrm(at)? + imm, true)
        }
        0xff => {
            let reg = (b.get(at)? >> 3) & 7;
            (at + modrm(at)?, !matches!(reg, 4 | 5))
        }
        _ => return None,
    };
    (len <= b.len()).then_some((len, more))
}

/// The stub at `stub` for a `cpuid` site: its moves (as the site has
/// them: `xor ecx, ecx` sets the flags it sets there), the answer
/// `[eax, ebx, ecx, edx]` loaded as `cpuid` leaves it (the upper halves
/// zero), and `jmp` to `resume`, the instruction after the `cpuid`.
pub fn cpuid_stub(
    stub: u64,
    resume: u64,
    moves: &[u8],
    answer: [u32; 4],
) -> Option<[u8; STUB as usize]> {
    let m = moves.len();
    if m + 4 * 5 + 5 > STUB as usize {
        return None;
    }
    let mut b = [0xccu8; STUB as usize];
    b[..m].copy_from_slice(moves);
    // mov eax, ebx, ecx, edx (b8, bb, b9, ba) with their imm32.
    for (k, (op, v)) in [0xb8u8, 0xbb, 0xb9, 0xba].iter().zip(answer).enumerate() {
        let p = m + 5 * k;
        b[p] = *op;
        b[p + 1..p + 5].copy_from_slice(&v.to_le_bytes());
    }
    let j = m + 20;
    b[j..j + 5].copy_from_slice(&jmp_bytes(stub + j as u64, resume));
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_syscall_finds_every_pair_as_a_byte_loop_does() {
        // A pseudo-random buffer with 0f and 05 bytes sprinkled in, at
        // every offset modulo 8 and across the 8-byte words.
        let mut b = alloc::vec![0u8; 4099];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for v in b.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *v = match x % 7 {
                0 => 0x0f,
                1 => 0x05,
                _ => x as u8,
            };
        }
        let naive: Vec<usize> = (0..b.len() - 1)
            .filter(|&i| b[i] == 0x0f && b[i + 1] == 0x05)
            .collect();
        let mut fast = Vec::new();
        let mut i = 0;
        while let Some(at) = next_syscall(&b, i) {
            fast.push(at);
            i = at + 1;
        }
        assert!(naive.len() > 50);
        assert_eq!(fast, naive);
    }

    #[test]
    fn scan_finds_both_shapes_and_nothing_else() {
        let code: Vec<u8> = [
            // 0: padding, then `mov eax, 257; mov rsi, rdi; mov edi, -100;
            // syscall` after `mov edx, esi` (89 f2: its ModRM f2 is no
            // prefix of the mov).
            &[0x90, 0x89, 0xf2][..],
            &[
                0xb8, 0x01, 0x01, 0, 0, 0x48, 0x89, 0xfe, 0xbf, 0x9c, 0xff, 0xff, 0xff, 0x0f, 0x05,
            ],
            // 18: `mov eax, 59 (execve: not served fast); syscall`
            &[0xb8, 59, 0, 0, 0, 0x0f, 0x05],
            // 25: `mov rax, imm64` (REX.W) ending in `syscall`-like bytes
            &[0x48, 0xb8, 39, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0x05],
            // 37: padding to 48, then the second shape at a function
            // start after a `ret`: mov rax, rdi; mov rdi, rsi; mov rsi,
            // [rsp+8]; syscall
            &[0xcc; 10][..],
            &[0xc3],
            &[
                0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0x48, 0x8b, 0x74, 0x24, 0x08, 0x0f, 0x05,
            ],
        ]
        .concat();
        assert_eq!(code[48..51], [0x48, 0x89, 0xf8]);
        let found = scan(&code, 0x1000);
        assert_eq!(
            found,
            [
                Found {
                    at: 3,
                    syscall_at: 16,
                    nr: Some(257),
                    moves: 8..16
                },
                Found {
                    at: 54,
                    syscall_at: 59,
                    nr: None,
                    moves: 54..59
                },
            ]
        );
    }

    #[test]
    fn scan_cpuid_finds_constant_questions_only() {
        let code: Vec<u8> = [
            // 0: nop; mov eax, 0x80000000; cpuid (no subleaf needed)
            &[0x90, 0xb8, 0, 0, 0, 0x80, 0x0f, 0xa2][..],
            // 8: mov eax, 4; xor ecx, ecx; cpuid
            &[0xb8, 4, 0, 0, 0, 0x31, 0xc9, 0x0f, 0xa2],
            // 17: mov eax, 0x8000001d; mov ecx, 3; cpuid
            &[0xb8, 0x1d, 0, 0, 0x80, 0xb9, 3, 0, 0, 0, 0x0f, 0xa2],
            // 29: mov eax, 1; cpuid (per CPU: the APIC id)
            &[0xb8, 1, 0, 0, 0, 0x0f, 0xa2],
            // 36: mov eax, 0xd; mov ecx, esi; cpuid (subleaf unknown)
            &[0xb8, 0xd, 0, 0, 0, 0x89, 0xf1, 0x0f, 0xa2],
            // 45: mov eax, 7; cpuid (ECX matters, not set)
            &[0xb8, 7, 0, 0, 0, 0x0f, 0xa2],
            // 52: cmp dword [rbp-0x48], 0x80000000: its displacement byte
            // b8 and immediate look like the `mov`
            &[0x81, 0x7d, 0xb8, 0, 0, 0, 0x80, 0x0f, 0xa2],
            // 61: REX.W before the mov (mov rax, imm64 with cpuid bytes)
            &[0x48, 0xb8, 0, 0, 0, 0x80, 0x0f, 0xa2],
        ]
        .concat();
        let found = scan_cpuid(&code);
        let got: Vec<(usize, u32, Option<u32>)> =
            found.iter().map(|f| (f.at, f.leaf, f.subleaf)).collect();
        assert_eq!(
            got,
            [
                (1, 0x8000_0000, None),
                (8, 4, Some(0)),
                (17, 0x8000_001d, Some(3))
            ]
        );
        assert_eq!(found[1].moves, 13..15);
        assert_eq!(found[1].cpuid_at, 15);
    }

    #[test]
    fn scan_cpuid_decodes_on_from_a_site_found() {
        // glibc's ld.so: mov eax, 0x80000000; cpuid; cmp edi, 0xbe;
        // mov edi, 0; jle +0x59; cmp eax, 0x80000005; jbe +0x43 (43: a
        // REX byte to the plain check); mov eax, 0x80000006; cpuid
        let code: Vec<u8> = [
            &[0x90, 0xb8, 0, 0, 0, 0x80, 0x0f, 0xa2][..],
            &[0x81, 0xff, 0xbe, 0, 0, 0],
            &[0xbf, 0, 0, 0, 0],
            &[0x7e, 0x59],
            &[0x3d, 5, 0, 0, 0x80],
            &[0x76, 0x43],
            &[0xb8, 6, 0, 0, 0x80, 0x0f, 0xa2],
            // after a `ret`, decoding stops: not reached from a site
            &[0xc3, 0x76, 0x43, 0xb8, 5, 0, 0, 0x80, 0x0f, 0xa2],
        ]
        .concat();
        let found: Vec<(usize, u32)> = scan_cpuid(&code).iter().map(|f| (f.at, f.leaf)).collect();
        assert_eq!(found, [(1, 0x8000_0000), (28, 0x8000_0006)]);
    }

    #[test]
    fn insn_len_knows_plain_instructions() {
        type Len = Option<(usize, bool)>;
        let cases: &[(&[u8], Len)] = &[
            (&[0x89, 0x05, 1, 2, 3, 4], Some((6, true))), // mov [rip+d32], eax
            (&[0x48, 0x89, 0xe5], Some((3, true))),       // mov rbp, rsp
            (&[0x44, 0x89, 0xe0], Some((3, true))),       // mov eax, r12d
            (&[0x8b, 0x44, 0x24, 0x08], Some((4, true))), // mov eax, [rsp+8]
            (&[0x8b, 0x04, 0x25, 0, 0, 0, 0], Some((7, true))), // [disp32] via SIB
            (&[0xc7, 0x44, 0x24, 0x60, 0, 0, 0, 0], Some((8, true))), // movl $0, 0x60(%rsp)
            (&[0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8], Some((10, true))), // mov rax, imm64
            (&[0x0f, 0x84, 1, 2, 3, 4], Some((6, true))), // je rel32
            (&[0xf7, 0xc1, 1, 0, 0, 0], Some((6, true))), // test ecx, imm32
            (&[0xf7, 0xd9], Some((2, true))),             // neg ecx
            (&[0xff, 0xe0], Some((2, false))),            // jmp rax
            (&[0xe9, 1, 2, 3, 4], Some((5, false))),
            (&[0xc3], Some((1, false))),
            (&[0x66, 0x90], None),             // a prefix it does not take
            (&[0xc4, 0xe2, 0x79, 0x18], None), // VEX
            (&[0x81, 0xff, 0xbe], None),       // too short
        ];
        for (b, want) in cases {
            assert_eq!(insn_len(b), *want, "{b:02x?}");
        }
    }

    #[test]
    fn cpuid_stubs_load_the_answer_and_jump_back() {
        let (stub, resume) = (0x9000u64, 0x1011u64);
        let b = cpuid_stub(stub, resume, &[0x31, 0xc9], [1, 2, 3, 4]).unwrap();
        assert_eq!(b[..2], [0x31, 0xc9]);
        assert_eq!(b[2..7], [0xb8, 1, 0, 0, 0]);
        assert_eq!(b[7..12], [0xbb, 2, 0, 0, 0]);
        assert_eq!(b[12..17], [0xb9, 3, 0, 0, 0]);
        assert_eq!(b[17..22], [0xba, 4, 0, 0, 0]);
        assert_eq!(b[22], 0xe9);
        let rel = i32::from_le_bytes(b[23..27].try_into().unwrap());
        assert_eq!((stub + 27).wrapping_add(rel as i64 as u64), resume);
        assert!(b[27..].iter().all(|&x| x == 0xcc));
        assert!(cpuid_stub(stub, resume, &[0x90; 8], [0; 4]).is_none());
    }

    #[test]
    fn stubs_jump_to_the_entry_and_back_after_the_syscall() {
        let (stub, slot, syscall_at) = (0x9000u64, 0x8fe0u64, 0x1010u64);
        let moves = [0x49, 0x89, 0xca]; // mov r10, rcx
        let b = stub_bytes(stub, slot, syscall_at, Some(9), &moves).unwrap();
        assert_eq!(b[..5], [0xb8, 9, 0, 0, 0]);
        assert_eq!(b[5..8], moves);
        // lea rcx, [rip + d]: rip after it is stub + 15.
        assert_eq!(b[8..11], [0x48, 0x8d, 0x0d]);
        let d = i32::from_le_bytes(b[11..15].try_into().unwrap());
        assert_eq!((stub + 15).wrapping_add(d as i64 as u64), syscall_at + 2);
        // jmp [rip + e]: rip after it is stub + 21.
        assert_eq!(b[15..17], [0xff, 0x25]);
        let e = i32::from_le_bytes(b[17..21].try_into().unwrap());
        assert_eq!((stub + 21).wrapping_add(e as i64 as u64), slot);
        assert!(b[21..].iter().all(|&x| x == 0xcc));
        // Too many moves for a stub.
        assert!(stub_bytes(stub, slot, syscall_at, Some(9), &[0x90; 15]).is_none());
        let j = jmp_bytes(0x1000, stub);
        assert_eq!(j[0], 0xe9);
        assert_eq!(
            0x1005u64.wrapping_add(i32::from_le_bytes(j[1..].try_into().unwrap()) as i64 as u64),
            stub
        );
    }
}
