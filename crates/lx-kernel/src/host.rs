//! The services lx's kernel needs from whatever runs it.
//!
//! On Linux the shim implements this with raw system calls issued from its
//! own code (the only code the seccomp filter lets through). Guest addresses
//! passed to a `Host` method have already been checked by the kernel with
//! [`crate::layout::guest_range_ok`]; the host still reports unmapped guest
//! memory as `EFAULT` instead of faulting.

use lx_abi::Errno;
use lx_abi::structs::{PollFd, Stat, Sysinfo, Termios, Timespec, Winsize};

/// A host file descriptor (never shown to the guest).
pub type HostFd = i32;

/// What the host does when a signal arrives for the guest process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostDisposition {
    /// The host's default action (terminate, dump core, stop, ignore).
    Default,
    /// Discard the signal.
    Ignore,
    /// Hand the signal to lx, which runs the guest's handler.
    Catch,
}

/// A guest buffer described by address and length (already range-checked).
/// Laid out as `struct iovec`, so a slice of them is an iovec array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct GuestSlice {
    pub addr: u64,
    pub len: u64,
}

/// Host services. Every method mirrors one kernel facility; errors are the
/// errno the host reported.
pub trait Host {
    // --- guest memory ---
    /// Copy `buf.len()` bytes from guest address `addr`.
    fn copy_in(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno>;
    /// Copy `buf` to guest address `addr`.
    fn copy_out(&self, addr: u64, buf: &[u8]) -> Result<(), Errno>;

    // --- host file descriptors (data moves straight to/from guest memory) ---
    fn read(&self, fd: HostFd, buf: GuestSlice) -> Result<usize, Errno>;
    fn write(&self, fd: HostFd, buf: GuestSlice) -> Result<usize, Errno>;
    fn pread(&self, fd: HostFd, buf: GuestSlice, off: i64) -> Result<usize, Errno>;
    fn pwrite(&self, fd: HostFd, buf: GuestSlice, off: i64) -> Result<usize, Errno>;
    fn readv(&self, fd: HostFd, iov: &[GuestSlice]) -> Result<usize, Errno>;
    fn writev(&self, fd: HostFd, iov: &[GuestSlice]) -> Result<usize, Errno>;
    fn lseek(&self, fd: HostFd, off: i64, whence: u32) -> Result<u64, Errno>;
    fn close(&self, fd: HostFd) -> Result<(), Errno>;
    fn fstat(&self, fd: HostFd) -> Result<Stat, Errno>;
    fn get_status_flags(&self, fd: HostFd) -> Result<u32, Errno>;
    fn set_status_flags(&self, fd: HostFd, flags: u32) -> Result<(), Errno>;
    fn tcgets(&self, fd: HostFd) -> Result<Termios, Errno>;
    fn tcsets(&self, fd: HostFd, req: u32, t: &Termios) -> Result<(), Errno>;
    fn get_winsize(&self, fd: HostFd) -> Result<Winsize, Errno>;
    fn set_winsize(&self, fd: HostFd, ws: &Winsize) -> Result<(), Errno>;
    fn fionread(&self, fd: HostFd) -> Result<i32, Errno>;
    /// fcntl(2) commands whose argument is an int or a checked guest pointer.
    fn fcntl(&self, fd: HostFd, cmd: i32, arg: u64) -> Result<usize, Errno>;
    /// poll(2) over host fds; `timeout_ns` None waits forever.
    fn poll(&self, fds: &mut [PollFd], timeout: Option<Timespec>) -> Result<usize, Errno>;

    // --- memory mappings of the guest ---
    fn mmap(
        &self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        fd: HostFd,
        off: u64,
    ) -> Result<u64, Errno>;
    fn munmap(&self, addr: u64, len: u64) -> Result<(), Errno>;
    /// The guest is about to map, unmap or change `[addr, addr+len)`
    /// itself: lx's own code there (patched-site stubs) moves out of the
    /// way first.
    fn guest_claims(&self, addr: u64, len: u64);
    /// lx's own mappings in the guest's address range (the stub areas of
    /// patched syscall sites): /proc/self/maps does not show them.
    fn patch_areas(&self) -> alloc::vec::Vec<(u64, u64)>;
    /// The run's table of patched interpreter copies and the inode of the
    /// shared memfd that holds them (`crate::stats::image_aliases`), so
    /// /proc/PID/maps shows the files they copy.
    fn image_table(&self) -> (u64, alloc::vec::Vec<u8>) {
        (0, alloc::vec::Vec::new())
    }
    fn mprotect(&self, addr: u64, len: u64, prot: u32) -> Result<(), Errno>;
    fn mremap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new: u64,
    ) -> Result<u64, Errno>;
    fn madvise(&self, addr: u64, len: u64, advice: u32) -> Result<(), Errno>;

    // --- the guest thread's CPU state kept by the host ---
    fn set_fs_base(&self, base: u64) -> Result<(), Errno>;
    fn set_gs_base(&self, base: u64) -> Result<(), Errno>;
    fn get_gs_base(&self) -> Result<u64, Errno>;
    /// arch_prctl codes lx passes through unchanged (XCOMP permissions).
    fn arch_prctl(&self, code: i32, arg: u64) -> Result<usize, Errno>;
    /// rseq(2) registration for this thread (the area is guest memory).
    fn rseq(&self, addr: u64, len: u32, flags: i32, sig: u32) -> Result<(), Errno>;
    /// set_robust_list(2) for this thread.
    fn set_robust_list(&self, head: u64, len: u64) -> Result<(), Errno>;
    /// prctl(2) options lx passes through; pointer arguments point at lx's
    /// own buffers, never at guest memory.
    fn prctl(&self, option: i32, a2: u64, a3: u64, a4: u64, a5: u64) -> Result<usize, Errno>;
    /// set_tid_address(2) for this thread; returns the host tid.
    fn set_tid_address(&self, addr: u64) -> i32;

    // --- time, randomness, scheduling, system ---
    fn clock_gettime(&self, clock: u32) -> Result<Timespec, Errno>;
    fn clock_getres(&self, clock: u32) -> Result<Timespec, Errno>;
    /// Sleep; on interruption returns `Err((EINTR, remaining))`.
    fn clock_nanosleep(
        &self,
        clock: u32,
        abstime: bool,
        t: &Timespec,
    ) -> Result<(), (Errno, Timespec)>;
    fn getrandom(&self, buf: &mut [u8], flags: u32) -> Result<usize, Errno>;
    fn sched_yield(&self);
    /// CPU affinity mask of this thread, as bytes (the host's `cpu_set_t`).
    fn sched_getaffinity(&self, buf: &mut [u8]) -> Result<usize, Errno>;
    fn getcpu(&self) -> Result<(u32, u32), Errno>;
    fn sysinfo(&self) -> Result<Sysinfo, Errno>;
    fn get_rlimit(&self, resource: u32) -> Result<(u64, u64), Errno>;
    fn set_rlimit(&self, resource: u32, cur: u64, max: u64) -> Result<(), Errno>;
    /// Monotonic nanoseconds, for statistics.
    fn now_ns(&self) -> u64;

    // --- process and signals ---
    /// The host's id for this process (for host-side signalling).
    fn host_pid(&self) -> i32;
    /// The host's id for this thread.
    fn host_tid(&self) -> i32;
    fn set_disposition(&self, sig: u32, d: HostDisposition) -> Result<(), Errno>;
    /// Send `sig` to this process (`thread` false: as kill(2), si_code
    /// SI_USER) or this thread (as tgkill(2), SI_TKILL). It arrives once the
    /// host mask allows.
    fn raise(&self, sig: u32, thread: bool) -> Result<(), Errno>;
    /// The host's pending set for this thread and process.
    fn pending(&self) -> u64;
    /// End the whole guest process with `code`.
    fn exit_group(&self, code: i32) -> !;
    /// End the calling thread.
    fn exit_thread(&self, code: i32) -> !;
    /// End the process as if killed by `sig` (default action, core if it dumps).
    fn die_by_signal(&self, sig: u32) -> !;

    // --- host file systems ---
    /// A raw host system call for lx's file-system services (see
    /// [`crate::hostfs`]). Pointer arguments point at lx's own memory, never
    /// at guest memory; the host issues the call as given.
    fn syscall(&self, nr: u32, args: [u64; 6]) -> Result<usize, Errno>;
    /// The run's filesystem generation (see `stats::FS_GEN_OFFSET`).
    fn fs_generation(&self) -> u64;
    /// Bump the filesystem generation; returns the new value.
    fn bump_fs_generation(&self) -> u64;
    /// A copy of the run's shared statistics page (for debugfs).
    fn shared_snapshot(&self) -> alloc::vec::Vec<u8>;

    // --- blocking calls ---
    /// A call that may block follows: let the signals outside `mask`
    /// interrupt it (lx catches and queues those the guest handles).
    fn begin_blocking(&self, mask: u64);
    /// The call returned: block again and hand over what was queued.
    fn end_blocking(&self) -> alloc::vec::Vec<lx_abi::structs::Siginfo>;
    /// Did a signal arrive since `begin_blocking` (then the call is skipped)?
    fn interrupted(&self) -> bool;

    // --- processes ---
    /// Fork this process (clone(2) without CLONE_VM, `flags` holding the
    /// exit signal and the SETTID/CLEARTID/SETTLS bits with their guest
    /// addresses). Ok(0) in the child, Ok(child's host pid) in the parent.
    fn fork(&self, flags: u64, ptid: u64, ctid: u64, tls: u64) -> Result<i32, Errno>;
    /// Start a guest thread (host clone `flags`: CLONE_VM|CLONE_THREAD|...
    /// with the SETTID/CLEARTID/SETTLS bits and their guest addresses). It
    /// resumes the guest with `regs` and the FPU state and signal mask of
    /// the syscall being served; `k` serves its syscalls. Returns its tid.
    fn spawn_thread(
        &self,
        flags: u64,
        ptid: u64,
        ctid: u64,
        tls: u64,
        regs: &crate::regs::Regs,
        k: crate::kernel::Kernel,
    ) -> Result<i32, Errno>;
    /// Replace this process's image with a fresh shim started from the
    /// launch description `config`, keeping exactly the host fds `keep`
    /// open (everything else lx holds is close-on-exec). Returns only on
    /// failure.
    fn reexec(&self, shim_fd: HostFd, config: &[u8], keep: &[HostFd]) -> Errno;
    /// In a fork child of a threaded process: the other threads' lx state
    /// is gone with them.
    fn forget_other_threads(&self) {}
    /// Fork a process holding only lx (its window, the process stack and
    /// the vDSO): the guest's mappings are left out (MADV_DONTFORK around
    /// the clone). `flags`: the exit signal, and CLONE_PARENT. Made by a
    /// vfork helper for the child the guest knows (`proc::vfork`). ENOSYS
    /// when this host cannot.
    fn fork_small(&self, _flags: u64) -> Result<i32, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Run the code of a vfork child on this process's memory: a host
    /// process sharing the memory (CLONE_VM|CLONE_VFORK, its own fd table
    /// and dispositions) that resumes the guest with `regs`, served by `k`
    /// (see `proc::vfork`). Returns when it has ended (reaped).
    fn run_vfork_helper(
        &self,
        _regs: &crate::regs::Regs,
        _k: crate::kernel::Kernel,
        _exit_signal: u64,
    ) -> Result<HelperEnd, Errno> {
        Err(Errno::ENOSYS)
    }
    /// In a vfork helper: its child so far.
    fn vfork_helper(&self) -> Option<VforkHelper> {
        None
    }
    /// Record the vfork helper's child (None: the caller is no helper, it
    /// is the child now).
    fn set_vfork_helper(&self, _h: Option<VforkHelper>) {}
    /// In a vfork helper: its program break moved (its parent takes it
    /// over when it ends).
    fn vfork_helper_brk(&self, _mm: crate::mm::MmState) {}
    /// The calling vfork helper has handed its exec over: it ends once the
    /// current call has returned (everything the call allocated freed: the
    /// helper allocates in its parent's memory).
    fn vfork_helper_done(&self) {}
    /// Send `data` with the host fds `fds` (SCM_RIGHTS) on a Unix socket.
    fn send_fds(&self, _sock: HostFd, _data: &[u8], _fds: &[HostFd]) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    /// Receive one message into `buf`; the fds it carried are appended to
    /// `fds` (close-on-exec). Ok(0): the peer is gone.
    fn recv_fds(
        &self,
        _sock: HostFd,
        _buf: &mut [u8],
        _fds: &mut alloc::vec::Vec<HostFd>,
    ) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Replace this process's image without a host exec: the shim keeps
    /// running, unmaps the guest, undoes what `e` lists that a host exec
    /// would undo, and starts the prepared program of `e.cfg` with the
    /// kernel state it describes. Returns only if it could not start
    /// (nothing was changed then: `e` comes back and the caller falls back
    /// to `reexec`).
    fn exec_in_place(&self, e: InPlaceExec) -> InPlaceExec;
    /// Add `pid` to the run's process registry.
    fn registry_add(&self, pid: i32);
    /// Remove `pid` from the registry.
    fn registry_remove(&self, pid: i32);
    /// The pids in the registry.
    fn registry_pids(&self) -> alloc::vec::Vec<i32>;
    /// Record this process's command line in the registry.
    fn registry_set_cmdline(&self, pid: i32, cmdline: &[u8]);
    /// Has `pid` (a process of the run) exec'd in place (an exec the host
    /// did not see)?
    fn registry_execed(&self, pid: i32) -> bool;
    /// Record that `pid` (this process) execs in place.
    fn registry_mark_execed(&self, pid: i32);
    /// The command line registered for `pid`.
    fn registry_cmdline(&self, pid: i32) -> Option<alloc::vec::Vec<u8>>;

    // --- lx's own output ---
    /// Write a diagnostic line (to lx's stderr, never the guest's fd 2).
    fn log(&self, msg: &[u8]);
    /// Write trace output (`--trace`).
    fn trace(&self, msg: &[u8]);
    /// Count one syscall for `--stats` (and /sys/kernel/debug/lx later).
    fn record_stat(&self, nr: u32, failed: bool, ns: u64);
    /// Has `nr` been reported as unimplemented in this run? Marks it.
    fn first_enosys(&self, nr: u32) -> bool;
}

/// How a vfork helper ended (`Host::run_vfork_helper`).
#[derive(Clone, Copy, Debug)]
pub struct HelperEnd {
    /// The child it made (0: none).
    pub child: i32,
    /// Its wait status (None: reaped by the host, SIGCHLD being ignored).
    pub status: Option<i32>,
    /// Its program break, which moved the parent's (shared memory).
    pub mm: Option<crate::mm::MmState>,
}

/// A vfork helper's child (`proc::vfork`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VforkHelper {
    /// The child's pid (0: not made yet).
    pub child: i32,
    /// The helper's end of the socket to a child made before the exec
    /// (-1: none).
    pub sock: HostFd,
    /// The exit signal vfork asked for.
    pub exit_signal: u64,
}

/// An exec served inside the process (see [`Host::exec_in_place`]).
pub struct InPlaceExec {
    /// The new image's launch description (with `prepared` set).
    pub cfg: crate::config::Config,
    /// The filesystem view and its caches, kept warm.
    pub vfs: crate::vfs::Vfs,
    /// Signals the guest handled (lx's catcher is installed for them on
    /// the host): back to the default action, as exec does.
    pub handled: u64,
    /// The registered rseq area (addr, len, signature), to unregister.
    pub rseq: Option<(u64, u32, u32)>,
    /// POSIX timers to delete.
    pub timers: alloc::vec::Vec<i32>,
    /// The program `cfg.prepared` describes, opened and its headers read
    /// (an exec in place maps it without reading them again).
    pub exec: crate::proc::exec::Exec,
}
