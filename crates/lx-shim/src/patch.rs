//! Syscall-site patching: a guest syscall site that traps often is
//! rewritten to enter lx without a signal (see `crate::fast`).
//!
//! A site qualifies when its code is the common `mov eax, NR; syscall`
//! (b8 NR32 0f 05: glibc's wrappers, ld.so, most of libc), possibly with
//! moves into other registers in between (up to 14 bytes of them: musl's
//! inline syscalls), for a number lx serves on the fast path; when the
//! byte before it is no prefix that would change it (REX, 66, 67) and the
//! bytes cannot be the tail of an earlier instruction with an imm32; when
//! the code lies in a private mapping; and while the process is
//! single-threaded (no other thread can be executing the bytes being
//! changed). At the 24th trap from a site (the 8th once the process has
//! a patched site), lx replaces the 5-byte `mov` with a `jmp` to a stub
//! of its own within 2 GiB:
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
//!
//! An ELF interpreter's sites are patched once per run instead, in a copy
//! every process maps (`crate::images`); the shapes, the stubs and the
//! search of a whole image are `lx_kernel::mm::sites`.

use crate::global::Global;
use crate::sys::{self, call};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use lx_abi::syscalls::nr;
use lx_kernel::layout::overlaps_lx;
pub use lx_kernel::mm::sites::fast_nr;
use lx_kernel::mm::sites::{STUB, find_site, jmp_bytes, reg_site, stub_bytes};

/// Set when the run allows patching (`--no-patch` clears it).
static ENABLED: AtomicBool = AtomicBool::new(false);
/// Set once the guest sets its own %gs base: the fast path needs %gs
/// (`fast::lx_fast_entry_checked` reads it).
pub static GUEST_GS: AtomicBool = AtomicBool::new(false);

const AREA_SIZE: u64 = 64 * 1024;
/// Sites remembered for their trap count.
const HITS: usize = 128;
/// Traps from one site before it is patched, for a process's first site:
/// that patch costs about as much as a few dozen traps (a look at
/// /proc/self/maps, a stub area, the code page's copy-on-write), so sites
/// a program uses only a few times (a short program's) are left alone.
const PATCH_AFTER: u8 = 24;
/// The same for the process's later sites: the mappings are known (see
/// `State::private`) and an area is usually at hand, so a patch costs the
/// two writes and perhaps a code page's copy, about as much as 3 traps.
const PATCH_NEXT: u8 = 8;
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
    /// The private executable mappings of the last look at
    /// /proc/self/maps, (start, end), minus those the guest has claimed
    /// since (`guest_claims`): a site in one of them needs no new look.
    private: Vec<(u64, u64)>,
}

static STATE: Global<State> = Global::new();

/// Turn patching on for this image (the launch description says).
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Does the run allow patching?
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Has the guest taken %gs for itself?
pub fn guest_owns_gs() -> bool {
    GUEST_GS.load(Ordering::Relaxed)
}

/// Put back what `guest_owns_gs` said (a vfork helper, which shares this
/// process's memory, may have changed it for itself).
pub fn restore_guest_owns_gs(v: bool) {
    if GUEST_GS.load(Ordering::Relaxed) != v {
        GUEST_GS.store(v, Ordering::Relaxed);
    }
}

/// /proc/self/mem, opened by process `MEM_PID` (outside `STATE`: a vfork
/// helper's parent reads and puts them back without taking its lock,
/// i.e. without writing to its pages).
static MEM_FD: AtomicI32 = AtomicI32::new(-1);
static MEM_PID: AtomicI32 = AtomicI32::new(0);

fn write_mem(addr: u64, bytes: &[u8]) -> bool {
    let pid = sys::getpid();
    let mut fd = MEM_FD.load(Ordering::Relaxed);
    if fd < 0 || MEM_PID.load(Ordering::Relaxed) != pid {
        if fd >= 0 {
            sys::close(fd);
        }
        let path = b"/proc/self/mem\0";
        fd = match call(
            nr::openat,
            &[(-100i64) as u64, path.as_ptr() as u64, 0o2 | 0o2000000],
        ) {
            Ok(fd) => fd as i32,
            Err(_) => -1,
        };
        MEM_FD.store(fd, Ordering::Relaxed);
        MEM_PID.store(pid, Ordering::Relaxed);
        if fd < 0 {
            return false;
        }
    }
    call(
        nr::pwrite64,
        &[fd as u64, bytes.as_ptr() as u64, bytes.len() as u64, addr],
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
        if !write_mem(base, &entry) {
            let _ = sys::munmap(base, AREA_SIZE);
            return None;
        }
        st.areas.push((base, 2 * STUB));
        return Some((base, base + STUB));
    }
    None
}

/// A trap from `rip` (just past its `syscall`) for `nr` was served: count
/// it, and patch the site when due (`PATCH_AFTER`, `PATCH_NEXT`).
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
            private: Vec::new(),
        });
        let after = if st.sites.is_empty() {
            PATCH_AFTER
        } else {
            PATCH_NEXT
        };
        count_hit(&mut st.hits, rip, after)
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
            || !private_mapping(&mut st.private, site)
        {
            return;
        }
        let Some((area, stub)) = area_for(st, site) else {
            return;
        };
        // [mov eax, NR (first shape)] ; <the moves> ;
        // lea rcx, [syscall_at + 2] ; jmp [area]   (the entry address)
        let Some(b) = stub_bytes(stub, area, syscall_at, set_nr.then_some(nr), moves) else {
            return;
        };
        if !write_mem(stub, &b) {
            return;
        }
        let j = jmp_bytes(site, stub);
        let mut orig = [0u8; 5];
        orig.copy_from_slice(&code[at..at + 5]);
        if write_mem(site, &j) {
            st.sites.push(Site {
                addr: site,
                orig,
                jmp: j,
                area,
            });
        }
    });
}

/// Is code at `addr` in a private mapping (a write there, through
/// /proc/self/mem, stays in this process: in a shared one it would reach
/// the file or the other mappings of it)? `known` holds the private
/// executable mappings of the last look; a miss looks again (and
/// refreshes them).
fn private_mapping(known: &mut Vec<(u64, u64)>, addr: u64) -> bool {
    if known.iter().any(|&(lo, hi)| (lo..hi).contains(&addr)) {
        return true;
    }
    known.clear();
    let r = crate::maps::scan(|m| {
        if m.perms.get(2) == Some(&b'x') && m.perms.get(3) == Some(&b'p') {
            known.push((m.lo, m.hi));
        }
        true
    });
    if r.is_err() {
        known.clear();
        return false;
    }
    known.iter().any(|&(lo, hi)| (lo..hi).contains(&addr))
}

/// Count a trap returning to `rip` (one per site); true when it has
/// trapped `after` times (its count starts over). Sites hash to a run of 4 slots (glibc's wait4
/// and sigprocmask sites shared one slot under a plain modulo and evicted
/// each other forever); a new site takes a free slot or the one with the
/// fewest traps.
fn count_hit(hits: &mut [(u64, u8); HITS], rip: u64, after: u8) -> bool {
    const WAYS: usize = 4;
    let h = (rip.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % HITS;
    let idx = |k: usize| (h + k) % HITS;
    if let Some(i) = (0..WAYS).map(idx).find(|&i| hits[i].0 == rip) {
        hits[i].1 += 1;
        if hits[i].1 >= after {
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
        // (Written only when one goes: see `forget_all`.)
        let over = |&(lo, hi): &(u64, u64)| len == 0 || (lo < end && addr < hi);
        if st.private.iter().any(over) {
            st.private.retain(|r| !over(r));
        }
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
                    let _ = write_mem(x.addr, &orig);
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
    (
        MEM_FD.load(Ordering::Relaxed),
        MEM_PID.load(Ordering::Relaxed),
    )
}

/// Put back what `mem_fd_state` returned.
pub fn restore_mem_fd_state((fd, pid): (i32, i32)) {
    // (Stores only what changed: a store of the same value would still
    // copy the page, which the helper's fork made copy-on-write.)
    if MEM_FD.load(Ordering::Relaxed) != fd {
        MEM_FD.store(fd, Ordering::Relaxed);
    }
    if MEM_PID.load(Ordering::Relaxed) != pid {
        MEM_PID.store(pid, Ordering::Relaxed);
    }
}

/// An exec in place unmapped the guest (areas included): forget them.
/// The trap counts stay: they only make a site of the new image at the
/// same address due sooner (its code is decoded and checked all the same),
/// and clearing them would write 2 KiB of pages the fork made
/// copy-on-write.
pub fn forget_all() {
    STATE.with(|s| {
        if let Some(st) = s.as_mut() {
            if !st.areas.is_empty() {
                st.areas.clear();
            }
            if !st.sites.is_empty() {
                st.sites.clear();
            }
            if !st.private.is_empty() {
                st.private.clear();
            }
        }
    });
    if GUEST_GS.load(Ordering::Relaxed) {
        GUEST_GS.store(false, Ordering::Relaxed);
    }
}
