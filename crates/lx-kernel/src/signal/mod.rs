//! Signals. The guest's dispositions, mask and alternate stack are lx's;
//! the host mirrors them (host mask = guest mask, host action = default,
//! ignore, or lx's catcher) so that default actions, stops and core dumps
//! happen natively, and lx builds the Linux signal frame for every signal
//! the guest handles.

pub mod action;
pub mod altstack;
pub mod frame;
pub mod kill;
pub mod mask;

use crate::host::HostDisposition;
use lx_abi::signal::{SIG_DFL, SIG_IGN, SIGBUS, SIGKILL, SIGSEGV, SIGSTOP, SIGSYS, SigSet};
use lx_abi::structs::Siginfo;

/// Signals lx must always receive on the host: SIGSYS (syscall traps) and
/// the faults its own guest-memory copies may raise.
pub const ALWAYS_CAUGHT: SigSet =
    SigSet((1 << (SIGSYS - 1)) | (1 << (SIGSEGV - 1)) | (1 << (SIGBUS - 1)));

/// Signals no mask can block.
pub const UNBLOCKABLE: SigSet = SigSet((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));

/// A guest `struct sigaction` (kernel layout, minus the mask type).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: SigSet,
}

/// The guest's alternate signal stack (`stack_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    /// SS_AUTODISARM if requested.
    pub flags: u32,
}

impl AltStack {
    /// Is `sp` on this stack? (Linux's `on_sig_stack`.)
    pub fn contains(&self, sp: u64) -> bool {
        self.size != 0 && sp > self.sp && sp - self.sp <= self.size
    }
    /// Linux's `sas_ss_flags(sp)`.
    pub fn ss_flags(&self, sp: u64) -> i32 {
        if self.size == 0 {
            lx_abi::signal::SS_DISABLE
        } else if self.contains(sp) {
            lx_abi::signal::SS_ONSTACK
        } else {
            0
        }
    }
}

/// Per-process signal state.
pub struct SignalState {
    /// Dispositions, indexed by signal number (0 unused).
    pub actions: [SigAction; 65],
    /// The guest's blocked set.
    pub mask: SigSet,
    /// Signals lx holds pending itself (always-caught signals the guest blocks).
    pub pending: SigSet,
    /// The siginfo of each pending signal (a short list: it is usually
    /// empty, and a fork child must not write to pages it does not need).
    pending_info: alloc::vec::Vec<Siginfo>,
    pub altstack: AltStack,
    /// The mask to restore after a handler that interrupted rt_sigsuspend
    /// (the frame saves it instead of the temporary one).
    pub restore_mask: Option<SigSet>,
}

impl SignalState {
    pub fn new(mask: u64) -> Self {
        SignalState {
            actions: [SigAction::default(); 65],
            restore_mask: None,
            mask: SigSet(mask).difference(UNBLOCKABLE),
            pending: SigSet::empty(),
            pending_info: alloc::vec::Vec::new(),
            altstack: AltStack::default(),
        }
    }

    /// Set the blocked set (SIGKILL and SIGSTOP stay unblocked).
    pub fn set_mask(&mut self, m: SigSet) {
        self.mask = m.difference(UNBLOCKABLE);
    }

    /// How the host should treat `sig`.
    pub fn host_disposition(&self, sig: u32) -> HostDisposition {
        if ALWAYS_CAUGHT.contains(sig) {
            return HostDisposition::Catch;
        }
        match self.actions[sig as usize].handler {
            SIG_DFL => HostDisposition::Default,
            SIG_IGN => HostDisposition::Ignore,
            _ => HostDisposition::Catch,
        }
    }

    /// Keep `info` pending (one instance per signal, as for standard signals).
    pub fn make_pending(&mut self, info: Siginfo) {
        let sig = info.si_signo as u32;
        if (1..=64).contains(&sig) && !self.pending.contains(sig) {
            self.pending.add(sig);
            self.pending_info.push(info);
        }
    }

    /// Forget a pending signal (it became ignored).
    pub fn discard_pending(&mut self, sig: u32) {
        self.pending.remove(sig);
        self.take_info(sig);
    }

    fn take_info(&mut self, sig: u32) -> Option<Siginfo> {
        let i = self
            .pending_info
            .iter()
            .position(|s| s.si_signo as u32 == sig)?;
        Some(self.pending_info.swap_remove(i))
    }

    /// Switch to mask `m` for one wait (rt_sigsuspend, ppoll, pselect6): a
    /// handler that ends the wait runs with the old mask saved in its frame,
    /// and the old mask returns when the syscall ends.
    pub fn set_temporary_mask(&mut self, m: SigSet) {
        let old = self.mask;
        self.set_mask(m);
        self.restore_mask = Some(old);
    }

    /// Forget every pending signal (a fork child starts without them).
    pub fn clear_pending(&mut self) {
        if self.pending.0 != 0 || !self.pending_info.is_empty() {
            self.pending = SigSet(0);
            self.pending_info.clear();
        }
    }

    /// Take a pending signal of `set` (sigtimedwait), lowest first.
    pub fn take_pending_in(&mut self, set: SigSet) -> Option<Siginfo> {
        let sig = self.pending.0 & set.0;
        if sig == 0 {
            return None;
        }
        let sig = sig.trailing_zeros() + 1;
        self.pending.remove(sig);
        self.take_info(sig)
    }

    /// The next pending signal the guest does not block, lowest first.
    pub fn take_deliverable(&mut self) -> Option<Siginfo> {
        let sig = self.pending.difference(self.mask).iter().next()?;
        self.pending.remove(sig);
        self.take_info(sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altstack_bounds() {
        let a = AltStack {
            sp: 0x1000,
            size: 0x1000,
            flags: 0,
        };
        assert!(!a.contains(0x1000));
        assert!(a.contains(0x1001));
        assert!(a.contains(0x2000));
        assert!(!a.contains(0x2001));
        assert_eq!(AltStack::default().ss_flags(5), lx_abi::signal::SS_DISABLE);
    }

    #[test]
    fn pending_respects_mask() {
        let mut s = SignalState::new(0);
        let info = Siginfo {
            si_signo: SIGSEGV as i32,
            ..Siginfo::default()
        };
        s.set_mask(SigSet(1 << (SIGSEGV - 1)));
        s.make_pending(info);
        assert!(s.take_deliverable().is_none());
        s.set_mask(SigSet::empty());
        assert_eq!(s.take_deliverable().unwrap().si_signo, SIGSEGV as i32);
        assert!(s.take_deliverable().is_none());
    }
}

/// How an interrupted blocking call ends when a guest handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Restarted after the handler if it has SA_RESTART (read, write, wait).
    IfSaRestart,
    /// EINTR whatever the handler's flags (poll, sleep, pause).
    Never,
}

/// Run a host call that may block for long with the guest's handled
/// signals able to interrupt it: they are unblocked for the call, caught
/// by lx and queued, and the call ends with EINTR (or is restarted, per
/// `restart` and SA_RESTART) once the guest's handler has run. An EINTR
/// without a signal for the guest (a stop and continue) restarts the call.
/// rt_sigsuspend's wait: the host call itself switches to the guest's mask
/// atomically (no window for a signal to slip in unseen).
pub fn suspend(c: &mut crate::ctx::Ctx<'_>, guest_mask: u64) -> Result<usize, lx_abi::Errno> {
    c.host.begin_blocking(u64::MAX);
    let m = guest_mask & !ALWAYS_CAUGHT.0;
    let r = c.host.syscall(
        lx_abi::syscalls::nr::rt_sigsuspend,
        [&m as *const u64 as u64, 8, 0, 0, 0, 0],
    );
    for info in c.host.end_blocking() {
        c.k.sig.make_pending(info);
    }
    r
}

pub fn blocking(
    c: &mut crate::ctx::Ctx<'_>,
    restart: Restart,
    mut f: impl FnMut(&mut crate::ctx::Ctx<'_>) -> Result<usize, lx_abi::Errno>,
) -> Result<usize, lx_abi::Errno> {
    loop {
        c.host.begin_blocking(c.k.host_sigmask());
        // A signal already pending arrives as soon as it is unblocked: then
        // the call must not start (it could wait forever).
        let r = if c.host.interrupted() {
            Err(lx_abi::Errno::EINTR)
        } else {
            f(c)
        };
        let got = c.host.end_blocking();
        let interrupted = !got.is_empty();
        for info in got {
            c.k.sig.make_pending(info);
        }
        match r {
            Err(lx_abi::Errno::EINTR) if interrupted => {
                return Err(match restart {
                    Restart::IfSaRestart => lx_abi::Errno::ERESTARTSYS,
                    Restart::Never => lx_abi::Errno::EINTR,
                });
            }
            Err(lx_abi::Errno::EINTR) => continue,
            r => return r,
        }
    }
}
