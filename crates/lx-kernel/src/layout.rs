//! Where lx lives in a guest's address space, and what guests may touch.
//!
//! The shim image, its heap and its stacks sit in one reserved window,
//! `[LX_BASE, LX_END)`. Guests see that window as if it lay outside the
//! user address space: mapping over it fails like a mapping above
//! `TASK_SIZE` does, and pointers into it give `EFAULT`.
//!
//! 0x6f00_0000_0000 is chosen because no common guest layout uses it: ELF
//! executables load at 0x40_0000 (non-PIE) or ~0x5555_5555_4000 (PIE and
//! interpreters), the mmap area and stack sit just below 0x7fff_ffff_f000,
//! Go's heap hints are 0x00c0_0000_0000 + k<<40 (our window avoids them), and
//! ASan's shadow ends at 0x1000_7fff_8000.

/// Start of lx's window (the shim is linked here).
pub const LX_BASE: u64 = 0x6f00_0000_0000;
/// Size of lx's window: 64 GiB, reserved PROT_NONE and committed on use.
pub const LX_SIZE: u64 = 0x10_0000_0000;
/// End (exclusive) of lx's window.
pub const LX_END: u64 = LX_BASE + LX_SIZE;
/// Linux x86_64 `TASK_SIZE` with 4-level paging: the top of user space.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Page size.
pub const PAGE_SIZE: u64 = 4096;
/// `ELF_ET_DYN_BASE` on x86_64: where Linux loads PIE programs that have an
/// interpreter and where it moves brk for static-PIE ones.
pub const ELF_ET_DYN_BASE: u64 = 0x5555_5555_4aaa & !(PAGE_SIZE - 1);

/// Does `[addr, addr+len)` touch lx's window?
#[inline]
pub const fn overlaps_lx(addr: u64, len: u64) -> bool {
    let end = addr.saturating_add(len);
    addr < LX_END && end > LX_BASE
}

/// Is `[addr, addr+len)` a range a guest may name (inside user space and
/// outside lx's window)? A zero-length range is always acceptable.
#[inline]
pub const fn guest_range_ok(addr: u64, len: u64) -> bool {
    if len == 0 {
        return true;
    }
    match addr.checked_add(len) {
        Some(end) => end <= TASK_SIZE && !overlaps_lx(addr, len),
        None => false,
    }
}

/// Round up to a page boundary (saturating).
#[inline]
pub const fn page_up(x: u64) -> u64 {
    match x.checked_add(PAGE_SIZE - 1) {
        Some(v) => v & !(PAGE_SIZE - 1),
        None => !(PAGE_SIZE - 1),
    }
}

/// Round down to a page boundary.
#[inline]
pub const fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(guest_range_ok(0x400000, 4096));
        assert!(guest_range_ok(0, 0));
        assert!(!guest_range_ok(LX_BASE, 1));
        assert!(!guest_range_ok(LX_BASE - 4096, 8192));
        assert!(guest_range_ok(LX_BASE - 4096, 4096));
        assert!(guest_range_ok(LX_END, 4096));
        assert!(!guest_range_ok(TASK_SIZE, 1));
        assert!(!guest_range_ok(u64::MAX, 2));
        assert_eq!(page_up(1), 4096);
        assert_eq!(page_down(4097), 4096);
        assert_eq!(ELF_ET_DYN_BASE, 0x5555_5555_4000);
    }
}
