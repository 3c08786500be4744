//! Syscall-site patching: a guest syscall site that traps often is
//! rewritten to enter lx without a signal (see `crate::fast`).
//!
//! A site qualifies when its code is the common `mov eax, NR; syscall`
//! (b8 NR32 0f 05: glibc's wrappers, ld.so, most of libc), possibly with
//! moves into other registers in between (up to 14 bytes of them: musl's
//! inline syscalls), for a number lx serves on the fast path; when the
//! byte before it is no instruction prefix and the bytes cannot be the
//! tail of an earlier instruction with an imm32; when the code lies in a
//! private mapping; and while the process is single-threaded (no other
//! thread can be executing the bytes being changed). At the 24th trap from
//! a site, lx replaces the 5-byte `mov` with a `jmp` to a stub of its own
//! within 2 GiB:
//!
//! ```text
//! stub: mov eax, NR ; <the moves> ; lea rcx, [syscall + 2] ; jmp [fast entry]
//! ```
//!
//! The moves and the `syscall` instruction stay: the fast path falls back
//! to the `syscall` (and so to the SIGSYS trap) whenever it cannot finish
//! a call, and code that jumps to any of them behaves as before.
//!
//! A second shape takes its number from a register: `mov rax, rdi`, then
//! only register moves and loads of stack arguments (`mov r, [rsp+d8]`),
//! then `syscall` - musl's `__syscall_cp_c`, through which every
//! cancellation point (read, write, open, close, wait4...) goes in a
//! program without pthread_cancel, and glibc's syscall(3) (Rust's futex
//! calls, for one). The last of its moves that is 5 bytes or longer, and
//! the moves after it, go into the stub; the `jmp` replaces exactly that
//! move's first 5 bytes, so every later instruction still starts where it
//! did:
//!
//! ```text
//! stub: <that move and the rest> ; lea rcx, [syscall + 2] ; jmp [fast entry]
//! ```
//!
//! Such a site serves every number that reaches it: the fast path sends
//! the ones it does not serve to the site's `syscall` (the trap). Stubs
//! live in 64 KiB areas lx maps near the code; a guest mapping, unmapping,
//! moving or changing memory over a site or an area first gets the sites
//! concerned put back. The code and stub bytes are written through
//! /proc/self/mem (no change of the pages' protection). Patched code is
//! guest-visible (a program reading its own text sees the `jmp`); the
//! areas are left out of the process's own /proc/self/maps.

use crate::global::Global;
use crate::sys::{self, call};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use lx_abi::syscalls::nr;
use lx_kernel::layout::overlaps_lx;

/// Set when the run allows patching (`--no-patch` clears it).
static ENABLED: AtomicBool = AtomicBool::new(false);
/// Set once the guest sets its own %gs base: the fast path needs %gs.
static GUEST_GS: AtomicBool = AtomicBool::new(false);

const AREA_SIZE: u64 = 64 * 1024;
/// Each stub's size; the first slot of an area holds the entry address.
const STUB: u64 = 32;
/// Sites remembered for their trap count.
const HITS: usize = 128;
/// Traps from one site before it is patched: patching costs about as much
/// as a few dozen traps (a look at /proc/self/maps, the code page's
/// copy-on-write, the stub area), so sites a program uses only a few times
/// (ld.so's, a short program's) are left alone.
const PATCH_AFTER: u8 = 24;
/// Most sites patched per image.
const MAX_SITES: usize = 4096;

struct Site {
    addr: u64,
    orig: [u8; 5],
    /// The `jmp` lx wrote (restored only while it is still there).
    jmp: [u8; 5],
    area: u64,
}

struct State {
    areas: Vec<(u64, u64)>, // (base, bytes used)
    sites: Vec<Site>,
    hits: [(u64, u8); HITS],
    /// /proc/self/mem, opened by process `mem_pid`.
    mem_fd: i32,
    mem_pid: i32,
}

static STATE: Global<State> = Global::new();

/// Turn patching on for this image (the launch description says).
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Has the guest taken %gs for itself?
pub fn guest_owns_gs() -> bool {
    GUEST_GS.load(Ordering::Relaxed)
}

/// Put back what `guest_owns_gs` said (a vfork helper, which shares this
/// process's memory, may have changed it for itself).
pub fn restore_guest_owns_gs(v: bool) {
    GUEST_GS.store(v, Ordering::Relaxed);
}

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
            // getdents64, clock_gettime, clock_getres, clock_nanosleep
            | 217 | 228..=230
            // openat .. faccessat (not pselect6, ppoll)
            | 257..=269
            // utimensat dup3 pipe2 prlimit64 renameat2 getrandom statx faccessat2
            | 280 | 292 | 293 | 302 | 316 | 318 | 332 | 439
    )
}

fn write_mem(st: &mut State, addr: u64, bytes: &[u8]) -> bool {
    let pid = sys::getpid();
    if st.mem_fd < 0 || st.mem_pid != pid {
        if st.mem_fd >= 0 {
            sys::close(st.mem_fd);
        }
        let path = b"/proc/self/mem\0";
        st.mem_fd = match call(
            nr::openat,
            &[(-100i64) as u64, path.as_ptr() as u64, 0o2 | 0o2000000],
        ) {
            Ok(fd) => fd as i32,
            Err(_) => -1,
        };
        st.mem_pid = pid;
        if st.mem_fd < 0 {
            return false;
        }
    }
    call(
        nr::pwrite64,
        &[
            st.mem_fd as u64,
            bytes.as_ptr() as u64,
            bytes.len() as u64,
            addr,
        ],
    ) == Ok(bytes.len())
}

fn within_rel32(from_end: u64, to: u64) -> bool {
    let d = to as i128 - from_end as i128;
    d >= i32::MIN as i128 && d <= i32::MAX as i128
}

/// An area with room for one more stub, reachable from `site`.
fn area_for(st: &mut State, site: u64) -> Option<(u64, u64)> {
    let reach =
        |base: u64| within_rel32(site + 5, base) && within_rel32(site + 5, base + AREA_SIZE);
    if let Some(a) = st
        .areas
        .iter_mut()
        .find(|(b, used)| reach(*b) && *used + STUB <= AREA_SIZE)
    {
        let at = a.0 + a.1;
        a.1 += STUB;
        return Some((a.0, at));
    }
    // A new area, below the code or else above it.
    let page = site & !0xffff;
    for hint in [
        page.saturating_sub(0x1000_0000),
        page.saturating_sub(0x4000_0000),
        page + 0x1000_0000,
        page + 0x4000_0000,
    ] {
        if hint < 0x1_0000 || overlaps_lx(hint, AREA_SIZE) {
            continue;
        }
        // PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, a hint only.
        let Ok(base) = sys::mmap(hint, AREA_SIZE, 5, 0x02 | 0x20, -1, 0) else {
            continue;
        };
        if !reach(base) || overlaps_lx(base, AREA_SIZE) {
            let _ = sys::munmap(base, AREA_SIZE);
            continue;
        }
        let entry = crate::fast::entry_addr().to_le_bytes();
        if !write_mem(st, base, &entry) {
            let _ = sys::munmap(base, AREA_SIZE);
            return None;
        }
        st.areas.push((base, 2 * STUB));
        return Some((base, base + STUB));
    }
    None
}

/// A trap from `rip` (just past its `syscall`) for `nr` was served: count
/// it, and patch the site at its 24th trap.
pub fn consider(rip: u64, nr: u32, threaded: bool) {
    if !ENABLED.load(Ordering::Relaxed) || threaded || guest_owns_gs() || !fast_nr(nr) {
        return;
    }
    // Count first (by the return address, one per `syscall` instruction):
    // the code is read and decoded only when the site is due.
    let due = STATE.with(|s| {
        let st = s.get_or_insert_with(|| State {
            areas: Vec::new(),
            sites: Vec::new(),
            hits: [(0, 0); HITS],
            mem_fd: -1,
            mem_pid: 0,
        });
        count_hit(&mut st.hits, rip)
    });
    if !due {
        return;
    }
    // The code before the `syscall` (at rip - 2): up to LOOK bytes.
    const LOOK: u64 = 32;
    let from = rip.wrapping_sub(LOOK);
    if from < 0x1_0000 || overlaps_lx(from, LOOK) {
        return;
    }
    let mut buf = [0u8; LOOK as usize];
    // (The page before may be unmapped: then only this page's bytes.)
    let skip = if crate::usercopy::copy_from_guest(&mut buf, from).is_ok() {
        0
    } else {
        let page = (rip - 2) & !0xfff;
        let skip = page.saturating_sub(from) as usize;
        if skip >= buf.len()
            || crate::usercopy::copy_from_guest(&mut buf[skip..], from + skip as u64).is_err()
        {
            return;
        }
        skip
    };
    let code = &buf[skip..];
    // (stub prefix: `mov eax, NR` for the first shape, nothing for the
    // second, whose number is in rax already.)
    let (at, moves, set_nr) = match find_site(code, nr) {
        Some((at, moves)) => (at, moves, true),
        None => match reg_site(code, from + skip as u64) {
            Some(at) => (at, &code[at..code.len() - 2], false),
            None => return,
        },
    };
    let site = from + (skip + at) as u64;
    let syscall_at = rip - 2;
    STATE.with(|s| {
        let Some(st) = s.as_mut() else { return };
        if st.sites.len() >= MAX_SITES
            || st.sites.iter().any(|x| x.addr == site)
            || !private_mapping(site)
        {
            return;
        }
        let Some((area, stub)) = area_for(st, site) else {
            return;
        };
        // [mov eax, NR (first shape)] ; <the moves> ;
        // lea rcx, [syscall_at + 2] ; jmp [area]   (the entry address)
        let mut b = [0xccu8; STUB as usize];
        let pre = if set_nr {
            b[0] = 0xb8;
            b[1..5].copy_from_slice(&nr.to_le_bytes());
            5
        } else {
            0
        };
        let m = moves.len();
        b[pre..pre + m].copy_from_slice(moves);
        let lea = pre + m;
        b[lea..lea + 3].copy_from_slice(&[0x48, 0x8d, 0x0d]);
        let back = (syscall_at + 2).wrapping_sub(stub + lea as u64 + 7) as i64 as i32;
        b[lea + 3..lea + 7].copy_from_slice(&back.to_le_bytes());
        let jmp = lea + 7;
        b[jmp..jmp + 2].copy_from_slice(&[0xff, 0x25]);
        let ent = area.wrapping_sub(stub + jmp as u64 + 6) as i64 as i32;
        b[jmp + 2..jmp + 6].copy_from_slice(&ent.to_le_bytes());
        if !write_mem(st, stub, &b) {
            return;
        }
        let mut j = [0xe9u8, 0, 0, 0, 0];
        let rel = stub.wrapping_sub(site + 5) as i64 as i32;
        j[1..5].copy_from_slice(&rel.to_le_bytes());
        let mut orig = [0u8; 5];
        orig.copy_from_slice(&code[at..at + 5]);
        if write_mem(st, site, &j) {
            st.sites.push(Site {
                addr: site,
                orig,
                jmp: j,
                area,
            });
        }
    });
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
fn reg_site(code: &[u8], base: u64) -> Option<usize> {
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

/// Is `addr` in a private mapping (a write there, through /proc/self/mem,
/// stays in this process: in a shared one it would reach the file or the
/// other mappings of it)?
fn private_mapping(addr: u64) -> bool {
    let mut private = false;
    let _ = crate::maps::scan(|m| {
        if (m.lo..m.hi).contains(&addr) {
            private = m.perms.get(3) == Some(&b'p');
            return false;
        }
        true
    });
    private
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

/// In `code` (ending with a `syscall`), a `mov eax, NR` followed only by
/// register moves up to the `syscall`, not preceded by a prefix byte nor
/// possibly part of an earlier instruction: (its offset, the moves' bytes).
fn find_site(code: &[u8], nr: u32) -> Option<(usize, &[u8])> {
    if code.len() < 8 {
        return None;
    }
    let end = code.len() - 2;
    if code[end..] != [0x0f, 0x05] {
        return None;
    }
    let prefix = |b: u8| {
        matches!(b, 0x40..=0x4f | 0x66 | 0x67 | 0xf0 | 0xf2 | 0xf3)
            || matches!(b, 0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65)
    };
    // The nearest candidate first; the moves must fit the stub.
    for at in (1..=end - 5).rev() {
        if end - at > 5 + 14 {
            break;
        }
        if code[at] != 0xb8
            || u32::from_le_bytes([code[at + 1], code[at + 2], code[at + 3], code[at + 4]]) != nr
            || prefix(code[at - 1])
            || imm32_tail(code, at)
        {
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
            return Some((at, &code[at + 5..end]));
        }
    }
    None
}

/// Count a trap returning to `rip` (one per site); true when it has
/// trapped `PATCH_AFTER` times (its count starts over). Sites hash to a run of 4 slots (glibc's wait4
/// and sigprocmask sites shared one slot under a plain modulo and evicted
/// each other forever); a new site takes a free slot or the one with the
/// fewest traps.
fn count_hit(hits: &mut [(u64, u8); HITS], rip: u64) -> bool {
    const WAYS: usize = 4;
    let h = (rip.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % HITS;
    let idx = |k: usize| (h + k) % HITS;
    if let Some(i) = (0..WAYS).map(idx).find(|&i| hits[i].0 == rip) {
        hits[i].1 += 1;
        if hits[i].1 >= PATCH_AFTER {
            hits[i] = (0, 0);
            return true;
        }
        return false;
    }
    let victim = (0..WAYS)
        .map(idx)
        .min_by_key(|&i| {
            if hits[i].0 == 0 {
                0
            } else {
                u16::from(hits[i].1) + 1
            }
        })
        .unwrap_or(h);
    hits[victim] = (rip, 1);
    false
}

/// Put back every site that lies in `[addr, addr+len)` or whose stub lies
/// in an area overlapping it (every site when `len` is 0), and unmap those
/// areas. A site whose bytes are no longer lx's `jmp` (the guest replaced
/// that code) is only forgotten.
fn restore(addr: u64, len: u64) {
    STATE.with(|s| {
        let Some(st) = s.as_mut() else { return };
        let end = addr.saturating_add(len);
        let hit = |base: u64| len == 0 || (base < end && addr < base + AREA_SIZE);
        let inside = |site: u64| len == 0 || (site < end && addr < site + 5);
        if !st.areas.iter().any(|(b, _)| hit(*b)) && !st.sites.iter().any(|x| inside(x.addr)) {
            return;
        }
        let sites = core::mem::take(&mut st.sites);
        let mut keep = Vec::new();
        for x in sites {
            if hit(x.area) || inside(x.addr) {
                let mut now = [0u8; 5];
                let ours =
                    crate::usercopy::copy_from_guest(&mut now, x.addr).is_ok() && now == x.jmp;
                if ours {
                    let orig = x.orig;
                    let _ = write_mem(st, x.addr, &orig);
                }
            } else {
                keep.push(x);
            }
        }
        st.sites = keep;
        let areas = core::mem::take(&mut st.areas);
        for (b, used) in areas {
            if hit(b) {
                let _ = sys::munmap(b, AREA_SIZE);
            } else {
                st.areas.push((b, used));
            }
        }
    });
}

/// The guest is about to map, unmap, move or change `[addr, addr+len)`:
/// patched sites there are put back (moved code would carry a `jmp` that
/// no longer reaches its stub), and stub areas there go (their sites are
/// put back).
pub fn guest_claims(addr: u64, len: u64) {
    if len != 0 {
        restore(addr, len);
    }
}

/// The guest set its own %gs base: no fast path from now on.
pub fn guest_took_gs() {
    if !GUEST_GS.swap(true, Ordering::Relaxed) {
        restore(0, 0);
    }
}

/// The stub areas: (start, end).
pub fn areas() -> Vec<(u64, u64)> {
    STATE.with(|s| {
        s.as_ref()
            .map(|st| st.areas.iter().map(|&(b, _)| (b, b + AREA_SIZE)).collect())
            .unwrap_or_default()
    })
}

/// This process's /proc/self/mem fd and its opener, to put back after a
/// vfork helper ran: it shares this state but opens its own fd, in its own
/// fd table (the number means something else here).
pub fn mem_fd_state() -> (i32, i32) {
    STATE.with(|s| s.as_ref().map_or((-1, 0), |st| (st.mem_fd, st.mem_pid)))
}

/// Put back what `mem_fd_state` returned.
pub fn restore_mem_fd_state((fd, pid): (i32, i32)) {
    STATE.with(|s| {
        if let Some(st) = s.as_mut() {
            st.mem_fd = fd;
            st.mem_pid = pid;
        }
    });
}

/// An exec in place unmapped the guest (areas included): forget them.
pub fn forget_all() {
    STATE.with(|s| {
        if let Some(st) = s.as_mut() {
            st.areas.clear();
            st.sites.clear();
            st.hits = [(0, 0); HITS];
        }
    });
    GUEST_GS.store(false, Ordering::Relaxed);
}
