//! sigaltstack(2).

use super::AltStack;
use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;
use lx_abi::signal::{MINSIGSTKSZ, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK};
use lx_abi::structs::StackT;

/// sigaltstack(2): per Linux, changing the stack while running on it is
/// EPERM, a size below MINSIGSTKSZ ENOMEM, an unknown mode EINVAL.
pub fn sys_sigaltstack(c: &mut Ctx<'_>, ss: u64, oss: u64) -> SysResult {
    let sp = c.regs.rsp;
    let cur = c.k.sig.altstack;
    let new = if ss != 0 {
        Some(c.read::<StackT>(ss)?)
    } else {
        None
    };
    let old = StackT {
        ss_sp: cur.sp,
        ss_flags: cur.ss_flags(sp) | cur.flags as i32,
        _pad: 0,
        ss_size: cur.size,
    };
    if let Some(n) = new {
        set(&mut c.k.sig.altstack, sp, &n)?;
    }
    if oss != 0 {
        c.write(oss, &old)?;
    }
    Ok(0)
}

/// Apply a new `stack_t` as Linux's do_sigaltstack does.
pub fn set(a: &mut AltStack, sp: u64, n: &StackT) -> Result<(), Errno> {
    if a.contains(sp) {
        return Err(Errno::EPERM);
    }
    let flags = n.ss_flags as u32;
    let mode = flags & !SS_AUTODISARM;
    if mode != SS_DISABLE as u32 && mode != SS_ONSTACK as u32 && mode != 0 {
        return Err(Errno::EINVAL);
    }
    if mode == SS_DISABLE as u32 {
        *a = AltStack::default();
    } else {
        if (n.ss_size as usize) < MINSIGSTKSZ {
            return Err(Errno::ENOMEM);
        }
        *a = AltStack {
            sp: n.ss_sp,
            size: n.ss_size,
            flags: flags & SS_AUTODISARM,
        };
    }
    Ok(())
}
