//! One guest process's kernel state and the two entry points the shim uses.

use crate::config::Config;
use crate::config::MountSpecKind;
use crate::ctx::{Args, Ctx};
use crate::fd::{FdEntry, FdTable, OpenFile};
use crate::host::{Host, HostDisposition};
use crate::mm::MmState;
use crate::proc::Identity;
use crate::regs::Regs;
use crate::signal::SignalState;
use crate::table::linux_x86_64 as table;
use crate::trace;
use crate::vfs::walk::How;
use crate::vfs::{Mount, MountKind, Vfs};
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use lx_abi::Errno;
use spinning_top::Spinlock;

use lx_abi::flags::AT_FDCWD;
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

/// What the threads of one process share besides the fd table: the
/// filesystem context (CLONE_FS), signal dispositions (CLONE_SIGHAND) and
/// the program break. Each thread reads its own copy and re-reads this when
/// its generation moved (one atomic load per syscall). A change is a
/// read-modify-write under the lock ([`Kernel::change_shared`]): the
/// writer first catches up with what others changed, applies its change,
/// stores the whole state and bumps the generation, so no update is lost.
#[derive(Default)]
pub struct Shared {
    generation: AtomicU64,
    inner: Spinlock<SharedInner>,
}

#[derive(Default)]
struct SharedInner {
    cwd: Vec<u8>,
    root: Vec<u8>,
    umask: u32,
    actions: Option<[crate::signal::SigAction; 65]>,
    mm: MmState,
}

/// The kernel state of one guest thread (a single-threaded process has one).
pub struct Kernel {
    pub fds: FdTable,
    pub sig: SignalState,
    pub mm: MmState,
    pub id: Identity,
    /// The working directory (canonical).
    pub cwd: Vec<u8>,
    /// The process root (canonical; "/" until chroot).
    pub root: Vec<u8>,
    /// The launch description this image started from (mounts, lx's own
    /// fds and options: what an exec passes on).
    pub cfg: Config,
    /// Write end of the pipe a vfork parent waits on (closed by exec/exit).
    pub vfork_fd: Option<i32>,
    /// This is a vfork helper: the code of a vfork child running on its
    /// parent's memory (`proc::vfork`; the host knows its child).
    pub vfork_helper: bool,
    /// In a vfork helper: PR_SET_PDEATHSIG as its guest set it.
    pub vfork_pdeathsig: i32,
    /// In a vfork helper: its child started a session and has no
    /// controlling terminal yet.
    pub vfork_session: bool,
    /// The mount table and filesystem caches.
    pub vfs: Vfs,
    /// The running program (canonical path) for /proc/self/exe.
    pub exe: Vec<u8>,
    /// argv and envp as NUL-terminated strings (/proc/self/cmdline, environ).
    pub cmdline: Vec<u8>,
    pub environ: Vec<u8>,
    /// The auxiliary vector the program started with (/proc/self/auxv).
    pub auxv: Vec<u8>,
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
    /// The registered rseq area (addr, len, signature) and the POSIX timers
    /// created: what an exec served in place must undo.
    pub rseq: Option<(u64, u32, u32)>,
    pub timers: Vec<i32>,
    /// State shared with the process's other threads, and the generation
    /// of it this thread's copies reflect.
    pub shared: Arc<Shared>,
    seen: u64,
    /// This thread's syscalls so far, and the last path lookup kept for
    /// the next one (`fs::common::lookup`).
    pub(crate) seq: u64,
    pub(crate) memo: Option<crate::fs::common::Memo>,
}

impl Kernel {
    /// The state of a process started from `cfg`, with stdio inherited.
    pub fn new(cfg: &Config) -> Self {
        Self::build(cfg.clone(), None)
    }

    /// The state of the image an exec in place starts: `cfg` moved in (no
    /// copy of the environment), the old image's `vfs` kept. Each
    /// allocation here lands on a page of lx's heap the process had not
    /// touched since its fork: fewer allocations, fewer page faults.
    pub fn for_exec(cfg: Config, vfs: Vfs) -> Self {
        Self::build(cfg, Some(vfs))
    }

    fn build(owned: Config, vfs: Option<Vfs>) -> Self {
        let cfg = &owned;
        let fds = FdTable::new(cfg.nofile.0);
        for f in &cfg.fds {
            // A dup of an earlier fd shares its open file description.
            let shared = if f.same_as >= 0 && f.same_as != f.guest {
                fds.get(f.same_as).ok().map(|e| e.file.clone())
            } else {
                None
            };
            let file = match shared {
                Some(file) => file,
                None => {
                    let mut file = OpenFile::host(f.host, f.describe.clone());
                    file.path = f.path.clone();
                    file.mount_id = f.mount_id;
                    file.is_dir = f.is_dir;
                    file.o_path = f.o_path;
                    file.lower = f.lower;
                    file.may_block = f.may_block;
                    if let Some((m, rel)) = &f.listed {
                        file.kind = crate::fd::FileKind::Listed {
                            mount: *m as usize,
                            rel: rel.clone(),
                        };
                    }
                    Arc::new(file)
                }
            };
            let entry = FdEntry {
                file,
                cloexec: false,
            };
            // The config lists fds in range of the limit; a bad one is skipped.
            let _ = fds.insert_at(f.guest, entry);
        }
        Kernel {
            fds,
            sig: SignalState::new(cfg.sigmask),
            mm: MmState::default(),
            id: Identity::from_config(cfg),
            cwd: cfg.cwd.clone(),
            root: if cfg.root.is_empty() {
                Vec::from(&b"/"[..])
            } else {
                cfg.root.clone()
            },
            vfs: vfs.unwrap_or_else(|| Vfs {
                host_ids: (cfg.host_uid, cfg.host_gid),
                ..Vfs::new(mounts_of(cfg))
            }),
            exe: Vec::new(),
            vfork_fd: None,
            vfork_helper: false,
            vfork_pdeathsig: 0,
            vfork_session: false,
            cmdline: nul_joined(&cfg.argv),
            environ: nul_joined(&cfg.envp),
            auxv: Vec::new(),
            umask: cfg.umask,
            nofile_max: cfg.nofile.1,
            fs_base: 0,
            no_new_privs: cfg.no_new_privs,
            child_subreaper: cfg.child_subreaper,
            tracing: cfg.trace,
            stats: cfg.stats,
            quiet: cfg.quiet,
            restart: None,
            rseq: None,
            timers: Vec::new(),
            shared: Arc::new(Shared::default()),
            seen: 0,
            seq: 0,
            memo: None,
            cfg: owned,
        }
    }

    /// The state of a new thread of this process (clone with CLONE_THREAD):
    /// the same fd table and shared state, its own id, mask and caches.
    pub fn new_thread(&mut self, tid: i32) -> Kernel {
        {
            // (Asked before the clone below, which counts as a holder.)
            let threaded = self.threaded();
            let shared = self.shared.clone();
            let mut s = shared.inner.lock();
            if threaded {
                if shared.generation.load(Ordering::Acquire) != self.seen {
                    self.load_shared(&s);
                }
            } else {
                // The first other thread: the shared state starts as ours.
                self.store_shared(&mut s);
            }
            self.seen = shared.generation.fetch_add(1, Ordering::AcqRel) + 1;
        }
        let mut id = self.id.clone();
        id.tid = tid;
        self.derived(
            self.fds.clone(),
            self.vfs.for_thread(),
            self.shared.clone(),
            self.seen,
            id,
        )
    }

    /// A state made from this one: the same identity but `id`, mask,
    /// dispositions and filesystem context, with the given fd table,
    /// filesystem caches and shared state.
    fn derived(
        &self,
        fds: FdTable,
        vfs: Vfs,
        shared: Arc<Shared>,
        seen: u64,
        id: crate::proc::Identity,
    ) -> Kernel {
        let mut sig = crate::signal::SignalState::new(self.sig.mask.0);
        sig.actions = self.sig.actions;
        Kernel {
            fds,
            sig,
            mm: self.mm,
            id,
            cwd: self.cwd.clone(),
            root: self.root.clone(),
            cfg: self.cfg.clone(),
            vfork_fd: None,
            vfork_helper: false,
            vfork_pdeathsig: 0,
            vfork_session: false,
            vfs,
            exe: self.exe.clone(),
            cmdline: self.cmdline.clone(),
            environ: self.environ.clone(),
            auxv: self.auxv.clone(),
            umask: self.umask,
            nofile_max: self.nofile_max,
            fs_base: self.fs_base,
            no_new_privs: self.no_new_privs,
            child_subreaper: self.child_subreaper,
            tracing: self.tracing,
            stats: self.stats,
            quiet: self.quiet,
            restart: None,
            rseq: None,
            timers: Vec::new(),
            shared,
            seen,
            seq: 0,
            memo: None,
        }
    }

    /// The state of a vfork helper (`proc::vfork`): the code of a vfork
    /// child, run in a host process sharing this single-threaded process's
    /// memory but nothing else: its own copy of the fd table (the same
    /// descriptions, on the helper's copy of the host fds), of the signal
    /// dispositions and mask, of the filesystem context. Its pid is 0 until
    /// the child process exists.
    pub fn for_vfork_child(&self) -> Kernel {
        let mut id = self.id.clone();
        id.pid = 0;
        id.tid = 0;
        id.ppid = self.id.pid;
        // The caches' host fds are open in the helper's copy of the fd
        // table under the same numbers: what it opens or closes there stays
        // in its own copy.
        let mut k = self.derived(
            self.fds.deep_copy(),
            self.vfs.clone(),
            Arc::new(Shared::default()),
            0,
            id,
        );
        k.vfork_helper = true;
        k.child_subreaper = false;
        k
    }

    /// Hold the shared state still (across a fork, so the child's copy is
    /// not caught locked by another thread).
    pub fn freeze_shared(&self) -> impl Sized + '_ {
        self.shared.inner.lock()
    }

    /// Is another thread sharing this state?
    pub fn threaded(&self) -> bool {
        Arc::strong_count(&self.shared) > 1
    }

    fn load_shared(&mut self, s: &SharedInner) {
        self.cwd.clone_from(&s.cwd);
        self.root.clone_from(&s.root);
        self.umask = s.umask;
        if let Some(a) = &s.actions {
            self.sig.actions = *a;
        }
        self.mm = s.mm;
    }

    fn store_shared(&self, s: &mut SharedInner) {
        s.cwd.clone_from(&self.cwd);
        s.root.clone_from(&self.root);
        s.umask = self.umask;
        s.actions = Some(self.sig.actions);
        s.mm = self.mm;
    }

    /// Re-read what another thread changed (cheap when nothing did).
    pub fn refresh(&mut self) {
        if self.shared.generation.load(Ordering::Acquire) == self.seen {
            return;
        }
        let shared = self.shared.clone();
        let s = shared.inner.lock();
        self.load_shared(&s);
        self.seen = shared.generation.load(Ordering::Acquire);
    }

    /// Change the process's shared state (cwd, root, umask, dispositions,
    /// break) with `f`, atomically with respect to the other threads: `f`
    /// sees every change they made before it and none during it.
    pub fn change_shared<R>(&mut self, f: impl FnOnce(&mut Kernel) -> R) -> R {
        if !self.threaded() {
            return f(self);
        }
        let shared = self.shared.clone();
        let mut s = shared.inner.lock();
        if shared.generation.load(Ordering::Acquire) != self.seen {
            self.load_shared(&s);
        }
        let r = f(self);
        self.store_shared(&mut s);
        self.seen = shared.generation.fetch_add(1, Ordering::AcqRel) + 1;
        r
    }

    /// A fork child of a threaded process has one thread: its state is its
    /// own again.
    pub fn after_fork_of_threads(&mut self, host: &dyn Host) {
        self.shared = Arc::new(Shared::default());
        self.seen = 0;
        self.fds.after_fork(host);
    }

    /// Let go of what only this thread holds (its filesystem caches): the
    /// thread is ending.
    pub fn release_thread(&mut self, host: &dyn Host) {
        self.vfs.close_caches(host);
    }

    /// Finish setting up the filesystem view with the host at hand: layer
    /// paths, what inherited fds are, and a working directory that exists
    /// (else "/", as chroot(1) does).
    pub fn init_fs(&mut self, host: &dyn Host) {
        // The layers' host paths: asked once per run, then passed on.
        for (m, spec) in self.vfs.mounts.iter_mut().zip(self.cfg.mounts.iter_mut()) {
            if let MountKind::Host { upper, lower, .. } = &m.kind
                && m.host_dirs.is_empty()
            {
                for fd in [upper, lower].into_iter().flatten() {
                    if let Ok(p) = crate::hostfs::fd_path(host, *fd) {
                        m.host_dirs.push(p);
                    }
                }
                spec.host_dirs.clone_from(&m.host_dirs);
            }
        }
        for n in self.fds.numbers() {
            let Ok(e) = self.fds.get(n) else { continue };
            if e.file.describe.is_empty() && e.file.path.is_none() {
                let d = crate::hostfs::fd_path(host, e.file.fd).unwrap_or_default();
                drop(e);
                let _ = self.fds.update(n, |e| {
                    if let Some(f) = Arc::get_mut(&mut e.file) {
                        f.describe = d;
                    }
                });
            }
        }
        // The working directory is a guest path from the supervisor, or
        // canonical after an exec: resolve it from lx's root either way.
        let cwd = core::mem::take(&mut self.cwd);
        let root = core::mem::replace(&mut self.root, Vec::from(&b"/"[..]));
        let found = crate::vfs::walk::resolve(self, host, AT_FDCWD, &cwd, How::FOLLOW);
        self.root = root;
        self.cwd = match found {
            Ok(f) if f.node.as_ref().is_some_and(crate::vfs::Node::is_dir) => f.path,
            _ => Vec::from(&b"/"[..]),
        };
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
        self.seq = self.seq.wrapping_add(1);
        self.refresh();
        if self.id.tid == 0 && !self.vfork_helper {
            // A new thread's first syscall.
            self.id.tid = host.host_tid();
        }
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
            if ctx.k.vfork_helper {
                crate::proc::vfork::before_call(&mut ctx, &args);
            }
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
        self.fds.reap_deferred(host);
    }

    /// Finish a syscall once pending signals were delivered: a call that
    /// asked to be restarted and was not turned into EINTR by a handler
    /// without SA_RESTART runs again.
    pub fn end_syscall(&mut self, regs: &mut Regs) {
        if let Some(m) = self.sig.restore_mask.take() {
            self.sig.set_mask(m);
        }
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
        self.refresh();
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

fn nul_joined(list: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for s in list {
        v.extend_from_slice(s);
        v.push(0);
    }
    v
}

fn mounts_of(cfg: &Config) -> Vec<Mount> {
    let fd = |n: i32| if n >= 0 { Some(n) } else { None };
    let mut vfs = Vfs::default();
    let mut out: Vec<Mount> = Vec::new();
    for (i, m) in cfg.mounts.iter().enumerate() {
        let kind = match m.kind {
            MountSpecKind::Host => MountKind::Host {
                upper: fd(m.upper),
                lower: fd(m.lower),
                fstype: m.fstype.clone(),
            },
            MountSpecKind::Proc => MountKind::Proc,
            MountSpecKind::Sys => MountKind::Sys,
            MountSpecKind::Dev => MountKind::Dev,
            MountSpecKind::Debug => MountKind::Debug,
        };
        // Mount points are given as guest paths; lx keeps them canonical.
        let mut point: Vec<u8> = Vec::from(&b"/"[..]);
        for c in m
            .point
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty() && *c != b".")
        {
            if c == b".." {
                point = crate::vfs::path::parent(&point).to_vec();
            } else {
                point = crate::vfs::path::join(&point, c);
            }
        }
        out.push(Mount {
            point,
            kind,
            source: m.source.clone(),
            id: 20 + i as u32,
            host_dirs: m.host_dirs.clone(),
        });
    }
    vfs.mounts = out;
    vfs.mounts
}
