//! The context a syscall handler runs in.

use crate::host::Host;
use crate::kernel::Kernel;
use crate::regs::Regs;
use lx_abi::Errno;

/// What every handler returns: the value for `rax`, or an errno.
pub type SysResult = Result<usize, Errno>;

/// A handler's view of the world: the guest process's kernel state, the host,
/// and the trapped thread's registers and FPU state.
pub struct Ctx<'a> {
    pub k: &'a mut Kernel,
    pub host: &'a dyn Host,
    pub regs: &'a mut Regs,
    /// The thread's saved FPU/xsave area (rt_sigreturn restores into it).
    pub fpstate: &'a mut [u8],
    /// The number of the syscall being served.
    pub nr: u32,
}

/// Raw syscall arguments with typed accessors; handlers convert at the edge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Args(pub [u64; 6]);

impl Args {
    /// Argument `i` as a u64.
    #[inline]
    pub fn u(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// Argument `i` as a C `int` (low 32 bits, sign-extended, as Linux reads it).
    #[inline]
    pub fn int(&self, i: usize) -> i32 {
        self.0[i] as u32 as i32
    }
    /// Argument `i` as an `unsigned int` (low 32 bits).
    #[inline]
    pub fn uint(&self, i: usize) -> u32 {
        self.0[i] as u32
    }
    /// Argument `i` as a `long`.
    #[inline]
    pub fn long(&self, i: usize) -> i64 {
        self.0[i] as i64
    }
    /// Argument `i` as a `size_t`.
    #[inline]
    pub fn size(&self, i: usize) -> usize {
        self.0[i] as usize
    }
}
