//! One guest process's kernel state and the two entry points the shim uses.

use crate::config::Config;
use crate::ctx::{Args, Ctx};
use crate::fd::{FdEntry, FdTable, OpenFile};
use crate::host::{Host, HostDisposition};
use crate::mm::MmState;
use crate::proc::Identity;
use crate::regs::Regs;
use crate::signal::SignalState;
use crate::table::linux_x86_64 as table;
use crate::trace;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::Siginfo;

/// What became of a signal handed to [`Kernel::deliver_signal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalOutcome {
    /// The guest's handler will run when the thread resumes.
    Delivered,
    /// Ignored (by disposition or because its default is to ignore).
    Ignored,
    /// Kept pending: the guest blocks it.
    Pending,
    /// The process must end by this signal's default action.
    Fatal(u32),
}

/// The kernel state of one guest process.
pub struct Kernel {
    pub fds: FdTable,
    pub sig: SignalState,
    pub mm: MmState,
    pub id: Identity,
    /// The working directory, as the guest sees it.
    pub cwd: Vec<u8>,
    pub umask: u32,
    /// The hard RLIMIT_NOFILE (the soft one is `fds.limit`).
    pub nofile_max: u64,
    /// The guest's FS base (ARCH_GET_FS answers from here).
    pub fs_base: u64,
    /// PR_SET_NO_NEW_PRIVS as the guest set it (lx's own filter is not its business).
    pub no_new_privs: bool,
    /// PR_SET_CHILD_SUBREAPER.
    pub child_subreaper: bool,
    /// `--trace`: one line per syscall.
    pub tracing: bool,
    /// `--stats`: time each syscall.
    pub stats: bool,
    /// `--quiet`: no "unimplemented syscall" lines.
    pub quiet: bool,
    /// Set when a handler returned ERESTARTSYS: the syscall number to restart.
    pub(crate) restart: Option<u32>,
}

impl Kernel {
    /// The state of a process started from `cfg`, with stdio inherited.
    pub fn new(cfg: &Config) -> Self {
        let mut fds = FdTable::new(cfg.nofile.0);
        for fd in &cfg.inherited_fds {
            let entry = FdEntry {
                file: Arc::new(OpenFile::Host { fd: *fd }),
                cloexec: false,
            };
            // The config lists fds in range of the limit; a bad one is skipped.
            let _ = fds.insert_at(*fd, entry);
        }
        Kernel {
            fds,
            sig: SignalState::new(cfg.sigmask),
            mm: MmState::default(),
            id: Identity::from_config(cfg),
            cwd: cfg.cwd.clone(),
            umask: cfg.umask,
            nofile_max: cfg.nofile.1,
            fs_base: 0,
            no_new_privs: false,
            child_subreaper: false,
            tracing: cfg.trace,
            stats: cfg.stats,
            quiet: cfg.quiet,
            restart: None,
        }
    }

    /// Record the guest's initial dispositions (ignored signals survive exec).
    pub fn set_initial_ignored(&mut self, ignored: u64) {
        for sig in 1..=64u32 {
            if ignored & (1u64 << (sig - 1)) != 0 {
                self.sig.actions[sig as usize].handler = lx_abi::signal::SIG_IGN;
            }
        }
    }

    /// Serve the syscall `nr` trapped with `regs`; its result lands in `rax`
    /// (rt_sigreturn replaces every register).
    pub fn syscall(&mut self, host: &dyn Host, regs: &mut Regs, fpstate: &mut [u8], nr: u32) {
        let args = Args(regs.syscall_args());
        let t0 = if self.stats { host.now_ns() } else { 0 };
        if self.tracing && table::row(nr).is_some_and(|r| r.noreturn) {
            trace::line(host, nr, &args, None);
        }
        let res = {
            let mut ctx = Ctx {
                k: self,
                host,
                regs,
                fpstate,
                nr,
            };
            match table::call(&mut ctx, nr, &args) {
                Some(r) => r,
                None => Err(ctx.k.unimplemented(host, nr)),
            }
        };
        regs.rax = match res {
            Ok(v) => v as u64,
            Err(Errno::ERESTARTSYS) => {
                self.restart = Some(nr);
                Errno::EINTR.to_ret() as u64
            }
            Err(e) => e.to_ret() as u64,
        };
        if self.tracing {
            trace::line(host, nr, &args, Some(res));
        }
        if self.stats {
            host.record_stat(nr, res.is_err(), host.now_ns().saturating_sub(t0));
        }
    }

    /// Finish a syscall once pending signals were delivered: a call that
    /// asked to be restarted and was not turned into EINTR by a handler
    /// without SA_RESTART runs again.
    pub fn end_syscall(&mut self, regs: &mut Regs) {
        if let Some(nr) = self.restart.take() {
            regs.rip = regs.rip.wrapping_sub(2);
            regs.rax = u64::from(nr);
        }
    }

    pub(crate) fn unimplemented(&mut self, host: &dyn Host, nr: u32) -> Errno {
        if !self.quiet && host.first_enosys(nr) {
            let name = lx_abi::syscalls::desc(nr).map_or("?", |d| d.name);
            host.log(format!("lx: unimplemented syscall: {name} ({nr})\n").as_bytes());
        }
        Errno::ENOSYS
    }

    /// Hand a signal to the guest: run its handler (a Linux signal frame is
    /// built on the guest's stack and `regs` redirected to the handler), or
    /// say what else must happen. `regs` are the interrupted guest registers.
    pub fn deliver_signal(
        &mut self,
        host: &dyn Host,
        regs: &mut Regs,
        fpstate: &mut [u8],
        info: &Siginfo,
    ) -> SignalOutcome {
        crate::signal::frame::deliver(self, host, regs, fpstate, info)
    }

    /// Signals lx keeps pending itself that the guest no longer blocks.
    pub fn has_deliverable(&self) -> bool {
        !self.sig.pending.difference(self.sig.mask).is_empty()
    }

    /// Deliver every pending signal the guest does not block.
    pub fn deliver_pending(
        &mut self,
        host: &dyn Host,
        regs: &mut Regs,
        fpstate: &mut [u8],
    ) -> SignalOutcome {
        let mut last = SignalOutcome::Ignored;
        while let Some(info) = self.sig.take_deliverable() {
            last = self.deliver_signal(host, regs, fpstate, &info);
            if let SignalOutcome::Fatal(_) = last {
                return last;
            }
        }
        last
    }

    /// The mask the host must apply while the guest runs: the guest's mask
    /// minus the signals lx itself must always receive.
    pub fn host_sigmask(&self) -> u64 {
        self.sig.mask.0 & !crate::signal::ALWAYS_CAUGHT.0
    }

    /// How the host should treat `sig` given the guest's disposition.
    pub fn host_disposition(&self, sig: u32) -> HostDisposition {
        self.sig.host_disposition(sig)
    }
}
