//! The seccomp filter that makes every guest syscall trap into lx.
//!
//! Rule: a syscall whose instruction pointer lies in lx's window
//! `[LX_BASE, LX_END)` is the shim's own and runs; any other (the guest's
//! code, its libraries, the vDSO's fallback, JIT code) raises SIGSYS
//! (SECCOMP_RET_TRAP) and is served by lx. A non-x86_64 syscall ABI kills
//! the process. The filter is inherited by threads and children and
//! survives execve, so the rule holds for every process of the run.

use crate::sys;
use lx_abi::Errno;
use lx_abi::syscalls::nr;
use lx_kernel::layout::{LX_BASE, LX_END};

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const RET_KILL_PROCESS: u32 = 0x8000_0000;
const RET_TRAP: u32 = 0x0003_0000;
const RET_ALLOW: u32 = 0x7fff_0000;

const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE_K: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const RET_K: u16 = 0x06; // BPF_RET | BPF_K

/// `struct sock_filter`.
#[repr(C)]
#[derive(Clone, Copy)]
struct Insn {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

const fn stmt(code: u16, k: u32) -> Insn {
    Insn {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}
const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
    Insn { code, jt, jf, k }
}

/// `struct sock_fprog`.
#[repr(C)]
struct Prog {
    len: u16,
    filter: *const Insn,
}

// seccomp_data: nr @0, arch @4, instruction_pointer @8 (low) / @12 (high).
const FILTER: [Insn; 8] = [
    stmt(LD_W_ABS, 4),
    jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    stmt(RET_K, RET_KILL_PROCESS),
    stmt(LD_W_ABS, 12),
    jump(JGE_K, (LX_BASE >> 32) as u32, 0, 2),
    jump(JGE_K, (LX_END >> 32) as u32, 1, 0),
    stmt(RET_K, RET_ALLOW),
    stmt(RET_K, RET_TRAP),
];

// The window must be aligned to 4 GiB for the high-word test to be exact.
const _: () = assert!(LX_BASE & 0xffff_ffff == 0 && LX_END & 0xffff_ffff == 0);

/// Install the filter (after PR_SET_NO_NEW_PRIVS, so no privilege is needed).
pub fn install() -> Result<(), Errno> {
    const PR_GET_SECCOMP: u64 = 21;
    // After a guest's exec the filter is already there (filters survive
    // execve): the new shim, at the same address, is covered by it.
    if sys::call(nr::prctl, &[PR_GET_SECCOMP, 0, 0, 0, 0]) == Ok(2) {
        return Ok(());
    }
    const PR_SET_NO_NEW_PRIVS: u64 = 38;
    const SECCOMP_SET_MODE_FILTER: u64 = 1;
    sys::call(nr::prctl, &[PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0])?;
    let prog = Prog {
        len: FILTER.len() as u16,
        filter: FILTER.as_ptr(),
    };
    sys::call(
        nr::seccomp,
        &[SECCOMP_SET_MODE_FILTER, 0, &prog as *const Prog as u64],
    )
    .map(|_| ())
}
