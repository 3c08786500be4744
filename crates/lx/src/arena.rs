//! lx's allocator: a bump arena for the supervisor's start, then the
//! system's. musl's malloc gives small groups back to the host as soon as
//! they empty: lx's start (argument parsing, the mount table, the launch
//! description) made ~28 mmap and ~27 munmap calls, each unmapped page a
//! fault again when reused. Blocks from the arena are never given back (a
//! bounded leak: `SIZE`); once it is used up, blocks come from the system
//! allocator as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

const SIZE: usize = 1 << 20;

#[repr(C, align(4096))]
struct Space(UnsafeCell<[u8; SIZE]>);

// SAFETY: bytes of the space are handed out at most once (the bump index
// only grows, atomically), so no two users share any.
unsafe impl Sync for Space {}

static SPACE: Space = Space(UnsafeCell::new([0; SIZE]));
static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Arena;

impl Arena {
    fn base() -> usize {
        SPACE.0.get() as usize
    }
    fn owns(p: *mut u8) -> bool {
        (Self::base()..Self::base() + SIZE).contains(&(p as usize))
    }
}

// SAFETY: a block from the space is `layout.size()` bytes at an address
// aligned to `layout.align()`, inside the space and handed out once (see
// `Space`); every other block is the system allocator's, given back to it.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut cur = NEXT.load(Ordering::Relaxed);
        loop {
            let at = (Self::base() + cur).next_multiple_of(layout.align()) - Self::base();
            let Some(end) = at.checked_add(layout.size()).filter(|&e| e <= SIZE) else {
                // SAFETY: `layout` is the caller's, as System requires.
                return unsafe { System.alloc(layout) };
            };
            match NEXT.compare_exchange_weak(cur, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (Self::base() + at) as *mut u8,
                Err(now) => cur = now,
            }
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if !Self::owns(p) {
            // SAFETY: not from the space, so from System with this layout.
            unsafe { System.dealloc(p, layout) }
        }
    }
}
