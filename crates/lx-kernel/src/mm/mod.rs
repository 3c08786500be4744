//! The guest's memory: mappings are host mappings made on the guest's
//! behalf; lx checks every range so lx's own window stays out of reach, and
//! keeps the program break itself.

pub mod brk;
pub mod mmap;
pub mod sites;

/// Per-process memory state kept by lx.
#[derive(Clone, Copy, Debug, Default)]
pub struct MmState {
    /// Start of the heap (page-aligned, after the program's bss).
    pub brk_start: u64,
    /// The current break as the guest set it.
    pub brk: u64,
    /// End of the pages lx has mapped for the heap.
    pub brk_mapped_end: u64,
}

impl MmState {
    /// Set the initial break (the loader calls this).
    pub fn init_brk(&mut self, start: u64) {
        self.brk_start = start;
        self.brk = start;
        self.brk_mapped_end = crate::layout::page_up(start);
    }
}
