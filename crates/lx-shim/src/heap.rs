//! The shim's heap: a linked-list allocator over a region of lx's window,
//! mapped MAP_NORESERVE so only touched pages cost memory.

use linked_list_allocator::LockedHeap;
use lx_kernel::layout::LX_BASE;

/// Where the heap starts in lx's window.
pub const HEAP_BASE: u64 = LX_BASE + 0x4000_0000;
/// Heap size (address space; pages are committed on first touch).
pub const HEAP_SIZE: u64 = 0x1_0000_0000;

#[global_allocator]
static ALLOC: LockedHeap = LockedHeap::empty();

/// Map the heap region and hand it to the allocator. Call once, first.
pub fn init() -> Result<(), lx_abi::Errno> {
    let rw = 3; // PROT_READ | PROT_WRITE
    let flags = 0x02 | 0x20 | 0x10 | 0x4000; // PRIVATE | ANONYMOUS | FIXED | NORESERVE
    crate::sys::mmap(HEAP_BASE, HEAP_SIZE, rw, flags, -1, 0)?;
    // SAFETY: the region was just mapped read-write, belongs to nobody else
    // and stays mapped for the life of the process.
    unsafe { ALLOC.lock().init(HEAP_BASE as *mut u8, HEAP_SIZE as usize) };
    Ok(())
}
