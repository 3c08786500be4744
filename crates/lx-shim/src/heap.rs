//! The shim's heap, over a region of lx's window mapped MAP_NORESERVE so only
//! touched pages cost memory. Small blocks (up to 4 KiB, alignment up to 16)
//! come from per-size-class free lists carved from a bump region: the
//! syscall paths allocate many short-lived small buffers (paths, names), and
//! a list allocator alone made each of them cost a free-list walk. Larger
//! or more aligned blocks go to a linked-list allocator.
//!
//! A forked child allocates only from memory its parent never touched
//! (`Frozen::fresh_arena`): writing into the parent's heap pages would
//! copy each of them (copy-on-write), which costs more than the fork's own
//! work on a small process. Blocks from before the fork are then never
//! reused by the child: freeing one is a no-op (a leak bounded by the heap
//! at the time of the fork).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use linked_list_allocator::Heap;
use lx_kernel::layout::LX_BASE;
use spinning_top::{Spinlock, SpinlockGuard};

/// Where the heap starts in lx's window (its first GiB: see
/// `crate::shared::SHARED_BASE`).
pub const HEAP_BASE: u64 = LX_BASE + 0x0400_0000;
/// Heap size (address space; pages are committed on first touch): 704 MiB,
/// up to the thread slots.
pub const HEAP_SIZE: u64 = 0x2c00_0000;
/// The first part of the heap holds the small-block classes (192 MiB).
const SMALL_SIZE: u64 = 0x0c00_0000;
const _: () = assert!(HEAP_BASE + HEAP_SIZE <= crate::thread::SLOTS_BASE);

/// Size classes: 16 << i bytes.
const CLASSES: usize = 9;
const MAX_SMALL: usize = 16 << (CLASSES - 1);

struct Inner {
    /// Heads of the free lists (0: empty); a free block's first word links on.
    free: [usize; CLASSES],
    bump: usize,
    bump_end: usize,
    big: Heap,
    /// End of the highest big block handed out.
    big_top: usize,
    /// Blocks below these addresses predate the last fork: not reused.
    small_floor: usize,
    big_floor: usize,
}

struct ShimAlloc(Spinlock<Inner>);

#[global_allocator]
static ALLOC: ShimAlloc = ShimAlloc(Spinlock::new(Inner {
    free: [0; CLASSES],
    bump: 0,
    bump_end: 0,
    big: Heap::empty(),
    big_top: 0,
    small_floor: 0,
    big_floor: 0,
}));

fn class_of(l: &Layout) -> Option<usize> {
    if l.align() > 16 || l.size() > MAX_SMALL {
        return None;
    }
    let size = l.size().max(16);
    Some((usize::BITS - (size - 1).leading_zeros()) as usize - 4)
}

// SAFETY: blocks handed out never overlap: small ones come from a bump
// region or a free list of blocks of exactly that class, big ones from the
// list heap over a disjoint range; everything happens under the lock.
unsafe impl GlobalAlloc for ShimAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let mut h = self.0.lock();
        match class_of(&l) {
            Some(c) => {
                let head = h.free[c];
                if head != 0 {
                    // SAFETY: `head` is a free block of class `c`, whose
                    // first word holds the next free block.
                    h.free[c] = unsafe { *(head as *const usize) };
                    return head as *mut u8;
                }
                let size = 16usize << c;
                if h.bump + size > h.bump_end {
                    return ptr::null_mut();
                }
                let p = h.bump;
                h.bump += size;
                p as *mut u8
            }
            None => match h.big.allocate_first_fit(l) {
                Ok(p) => {
                    let end = p.as_ptr() as usize + l.size();
                    h.big_top = h.big_top.max(end);
                    p.as_ptr()
                }
                Err(()) => ptr::null_mut(),
            },
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let mut h = self.0.lock();
        match class_of(&l) {
            // From before the last fork: left alone (see the module doc).
            Some(_) if (p as usize) < h.small_floor => {}
            None if (p as usize) < h.big_floor => {}
            Some(c) => {
                // SAFETY: `p` is a block of class `c` this allocator handed
                // out and the caller no longer uses: it becomes a list node.
                unsafe { *(p as *mut usize) = h.free[c] };
                h.free[c] = p as usize;
            }
            // SAFETY: `p` came from `big` with layout `l`.
            None => unsafe { h.big.deallocate(NonNull::new_unchecked(p), l) },
        }
    }
}

/// The allocator held still (across a fork: another thread must not hold
/// its lock in the child's copy).
pub struct Frozen(SpinlockGuard<'static, Inner>);

/// Hold the allocator still.
pub fn freeze() -> Frozen {
    Frozen(ALLOC.0.lock())
}

impl Frozen {
    /// In a forked child: allocate from here on only from pages above
    /// everything handed out so far (never touched by the parent).
    pub fn fresh_arena(&mut self) {
        const PAGE: usize = 4096;
        let h = &mut *self.0;
        let up = |a: usize| (a + PAGE - 1) & !(PAGE - 1);
        h.free = [0; CLASSES];
        h.bump = up(h.bump).min(h.bump_end);
        h.small_floor = h.bump;
        let big_start = (HEAP_BASE + SMALL_SIZE) as usize;
        let big_end = (HEAP_BASE + HEAP_SIZE) as usize;
        let from = up(h.big_top.max(big_start));
        if from + 16 * PAGE < big_end {
            h.big = Heap::empty();
            // SAFETY: [from, big_end) lies in the mapped heap region above
            // every block handed out (`big_top`), so it overlaps none.
            unsafe { h.big.init(from as *mut u8, big_end - from) };
            h.big_floor = from;
            h.big_top = from;
        }
    }
}

/// Map the heap region and hand it to the allocator. Call once, first.
pub fn init() -> Result<(), lx_abi::Errno> {
    let rw = 3; // PROT_READ | PROT_WRITE
    let flags = 0x02 | 0x20 | 0x10 | 0x4000; // PRIVATE | ANONYMOUS | FIXED | NORESERVE
    crate::sys::mmap(HEAP_BASE, HEAP_SIZE, rw, flags, -1, 0)?;
    let mut h = ALLOC.0.lock();
    h.bump = HEAP_BASE as usize;
    h.bump_end = (HEAP_BASE + SMALL_SIZE) as usize;
    // SAFETY: the rest of the region was just mapped read-write, belongs to
    // nobody else and stays mapped for the life of the process.
    unsafe {
        h.big.init(
            (HEAP_BASE + SMALL_SIZE) as *mut u8,
            (HEAP_SIZE - SMALL_SIZE) as usize,
        )
    };
    Ok(())
}
