//! The guest's general registers, in the order of Linux's `struct sigcontext`
//! (and of glibc's `gregs[]`), so the shim can move them in one copy.

/// x86_64 general registers as saved in a signal frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Regs {
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub rdx: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rsp: u64,
    pub rip: u64,
    pub eflags: u64,
    /// cs, gs, fs, ss (16 bits each, in that order).
    pub csgsfs: u64,
    pub err: u64,
    pub trapno: u64,
    pub oldmask: u64,
    pub cr2: u64,
}

/// Number of u64 words in [`Regs`] (glibc's `NGREG`).
pub const NGREG: usize = 23;

impl Regs {
    /// The six syscall arguments (rdi, rsi, rdx, r10, r8, r9).
    #[inline]
    pub fn syscall_args(&self) -> [u64; 6] {
        [self.rdi, self.rsi, self.rdx, self.r10, self.r8, self.r9]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_sigcontext() {
        assert_eq!(core::mem::size_of::<Regs>(), NGREG * 8);
        assert_eq!(core::mem::offset_of!(Regs, rdi), 64);
        assert_eq!(core::mem::offset_of!(Regs, rax), 104);
        assert_eq!(core::mem::offset_of!(Regs, rsp), 120);
        assert_eq!(core::mem::offset_of!(Regs, rip), 128);
        assert_eq!(core::mem::offset_of!(Regs, cr2), 176);
    }
}
