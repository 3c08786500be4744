//! The shim's heap, over a region of lx's window mapped MAP_NORESERVE so only
//! touched pages cost memory. Small blocks (up to 4 KiB, alignment up to 16)
//! come from per-size-class free lists carved from a bump region: the
//! syscall paths allocate many short-lived small buffers (paths, names), and
//! a list allocator alone made each of them cost a free-list walk. Larger
//! or more aligned blocks go to a linked-list allocator.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use linked_list_allocator::Heap;
use lx_kernel::layout::LX_BASE;
use spinning_top::Spinlock;

/// Where the heap starts in lx's window.
pub const HEAP_BASE: u64 = LX_BASE + 0x4000_0000;
/// Heap size (address space; pages are committed on first touch).
pub const HEAP_SIZE: u64 = 0x1_0000_0000;
/// The first part of the heap holds the small-block classes.
const SMALL_SIZE: u64 = 0x4000_0000;

/// Size classes: 16 << i bytes.
const CLASSES: usize = 9;
const MAX_SMALL: usize = 16 << (CLASSES - 1);

struct Inner {
    /// Heads of the free lists (0: empty); a free block's first word links on.
    free: [usize; CLASSES],
    bump: usize,
    bump_end: usize,
    big: Heap,
}

struct ShimAlloc(Spinlock<Inner>);

#[global_allocator]
static ALLOC: ShimAlloc = ShimAlloc(Spinlock::new(Inner {
    free: [0; CLASSES],
    bump: 0,
    bump_end: 0,
    big: Heap::empty(),
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
            None => h
                .big
                .allocate_first_fit(l)
                .map_or(ptr::null_mut(), NonNull::as_ptr),
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let mut h = self.0.lock();
        match class_of(&l) {
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

/// Map the heap region and hand it to the allocator. Call once, first.
/// Hold the allocator still (across a fork: another thread must not hold
/// its lock in the child's copy).
pub fn freeze() -> impl Sized {
    ALLOC.0.lock()
}

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
