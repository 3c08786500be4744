//! rt_sigaction(2).

use super::{ALWAYS_CAUGHT, SigAction};
use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;
use lx_abi::signal::{SIG_IGN, SIGKILL, SIGSTOP, SaFlags, SigSet};
use lx_abi::structs::KSigaction;

/// The sa_flags bits x86_64 Linux keeps; others read back as clear (which
/// is how programs probe with SA_UNSUPPORTED).
fn known_flags() -> u64 {
    (SaFlags::NOCLDSTOP
        | SaFlags::NOCLDWAIT
        | SaFlags::SIGINFO
        | SaFlags::RESTORER
        | SaFlags::ONSTACK
        | SaFlags::RESTART
        | SaFlags::NODEFER
        | SaFlags::RESETHAND)
        .bits()
}

/// rt_sigaction(2).
pub fn sys_rt_sigaction(c: &mut Ctx<'_>, sig: i32, act: u64, oact: u64, size: u64) -> SysResult {
    if size != 8 || !(1..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let sig = sig as u32;
    let new = if act != 0 {
        if sig == SIGKILL || sig == SIGSTOP {
            return Err(Errno::EINVAL);
        }
        let k: KSigaction = c.read(act)?;
        Some(SigAction {
            handler: k.handler,
            flags: k.flags & known_flags(),
            restorer: k.restorer,
            mask: SigSet(k.mask),
        })
    } else {
        None
    };
    let old = c.k.sig.actions[sig as usize];
    if oact != 0 {
        let k = KSigaction {
            handler: old.handler,
            flags: old.flags,
            restorer: old.restorer,
            mask: old.mask.0,
        };
        c.write(oact, &k)?;
    }
    if let Some(new) = new {
        set_action(c, sig, new)?;
    }
    Ok(0)
}

/// Install `new` for `sig` and mirror it on the host.
pub fn set_action(c: &mut Ctx<'_>, sig: u32, new: SigAction) -> Result<(), Errno> {
    let host = c.host;
    // One change of the process's dispositions, its host mirror included
    // (threads changing dispositions at once are serialized).
    c.k.change_shared(|k| {
        let before = k.sig.host_disposition(sig);
        k.sig.actions[sig as usize] = new;
        if new.handler == SIG_IGN {
            // POSIX: setting SIG_IGN discards a pending instance.
            k.sig.discard_pending(sig);
        }
        let after = k.sig.host_disposition(sig);
        if before != after && !ALWAYS_CAUGHT.contains(sig) {
            host.set_disposition(sig, after)?;
        }
        Ok(())
    })
}
