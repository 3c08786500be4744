//! `lx_kernel::Host` on Linux: raw syscalls from lx's window.

use crate::signals;
use crate::sys::{self, call};
use crate::usercopy;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use lx_abi::Errno;
use lx_abi::structs::{PollFd, Stat, Sysinfo, Termios, Timespec, Winsize};
use lx_abi::syscalls::nr;
use lx_kernel::host::{GuestSlice, Host, HostDisposition, HostFd};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// The host of this process.
/// A host call made for the guest (interruptible while the thread waits
/// for the guest: see `sys::guest_call`).
fn gcall(n: u32, a: [u64; 6]) -> Result<usize, Errno> {
    Errno::from_ret(sys::guest_call(n, a))
}

pub static SHIM_HOST: ShimHost = ShimHost {
    pid: AtomicI32::new(0),
    log_fd: AtomicI32::new(2),
    trace_fd: AtomicI32::new(-1),
};

/// Set once `fork_small` has left its MADV_DONTFORK advice on the guest's
/// mappings and the other thread slots (see there).
static DONTFORK_LEFT: AtomicBool = AtomicBool::new(false);

/// Take back the advice `fork_small` left, before a full fork or the
/// guest's own fork advice.
pub fn dofork_again() {
    const MADV_DOFORK: u64 = 11;
    if !DONTFORK_LEFT.load(Ordering::Relaxed) {
        return;
    }
    let mut gaps = crate::entry::guest_gaps().unwrap_or_default();
    gaps.push(crate::thread::slots_region());
    for &(at, len) in &gaps {
        let _ = call(nr::madvise, &[at, len, MADV_DOFORK]);
    }
    DONTFORK_LEFT.store(false, Ordering::Relaxed);
}

pub struct ShimHost {
    pid: AtomicI32,
    log_fd: AtomicI32,
    trace_fd: AtomicI32,
}

impl ShimHost {
    /// Record the process's host pid and lx's output fds.
    pub fn init(&self, log_fd: i32, trace_fd: i32) {
        self.pid.store(sys::getpid(), Ordering::Relaxed);
        self.log_fd.store(log_fd, Ordering::Relaxed);
        self.trace_fd.store(trace_fd, Ordering::Relaxed);
    }
    pub fn pid(&self) -> i32 {
        if crate::thread::in_helper() {
            // A vfork helper is a host process of its own, sharing this
            // word with its parent.
            return sys::getpid();
        }
        self.pid.load(Ordering::Relaxed)
    }
}

/// `struct msghdr`.
#[derive(Default)]
#[repr(C)]
struct MsgHdr {
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
    flags: i32,
}

/// Fds one message carries at most (the kernel's SCM_MAX_FD is 253).
const MAX_FDS: usize = 250;
/// Control buffer: one SCM_RIGHTS message of MAX_FDS fds.
const CONTROL_WORDS: usize = (16 + 4 * MAX_FDS).div_ceil(8);

impl ShimHost {
    /// clone(2) of this process (no CLONE_VM): the child's side of lx's
    /// state (fresh heap arena, its pid, the watchdog) set up.
    fn clone_process(&self, flags: u64, ptid: u64, ctid: u64, tls: u64) -> Result<i32, Errno> {
        // clone(flags, newsp = 0: the child continues on a copy of this
        // stack, i.e. in this very handler, and returns to its guest).
        // The child's start time lies between two clock readings around
        // the clone: when both fall in one tick, no /proc read is needed.
        let t0 = crate::shared::boot_ticks();
        let spare = crate::watch::take_spare();
        let mut heap = crate::heap::freeze();
        let r = call(nr::clone, &[flags, 0, ptid, ctid, tls]);
        if r == Ok(0) {
            heap.fresh_arena();
        }
        drop(heap);
        // A vfork helper leaves the next spare to its parent, which opens
        // it after the helper has ended, while the child runs (here it
        // would delay the vfork's return, and be the helper's, not the
        // parent's).
        let parent_side = |spare: i32| {
            if crate::thread::in_helper() {
                if spare >= 0 {
                    sys::close(spare);
                }
            } else {
                crate::watch::after_fork_parent(spare);
            }
        };
        let r = match r {
            Ok(r) => r as i32,
            Err(e) => {
                parent_side(spare);
                return Err(e);
            }
        };
        let t1 = crate::shared::boot_ticks();
        let child = if r == 0 { sys::getpid() } else { r };
        if t0 == t1 && t0 != 0 {
            crate::shared::note_start(child, t0);
        }
        if r == 0 {
            self.pid.store(child, Ordering::Relaxed);
            crate::watch::arm_child(spare);
        } else {
            parent_side(spare);
        }
        Ok(r)
    }
    /// A vfork helper's guest ended (`kind`: exit status or fatal signal):
    /// so does its child, the process the guest knows, made now if it was
    /// not yet; the helper just ends.
    fn end_vfork_helper(&self, kind: u64, value: u32) -> ! {
        let Some(h) = crate::thread::helper() else {
            sys::exit_group(0)
        };
        if h.child != 0 {
            let m = lx_kernel::proc::vfork::header(kind, u64::from(value), 0, 0);
            let _ = self.send_fds(h.sock, &m, &[]);
            sys::exit_group(0)
        }
        match self.fork_small(h.exit_signal | lx_kernel::proc::vfork::CLONE_PARENT) {
            Ok(0) => {
                crate::thread::set_helper(None);
                crate::thread::forget_others();
                if kind == lx_kernel::proc::vfork::KILLED {
                    lx_kernel::Host::die_by_signal(self, value)
                }
                sys::exit_group(value as i32)
            }
            Ok(child) => {
                crate::thread::set_helper(Some(lx_kernel::host::VforkHelper { child, ..h }));
                sys::exit_group(0)
            }
            Err(_) => sys::exit_group(0),
        }
    }
}

fn ok0(r: Result<usize, Errno>) -> Result<(), Errno> {
    r.map(|_| ())
}

fn ptr<T>(v: &T) -> u64 {
    v as *const T as u64
}
fn mptr<T>(v: &mut T) -> u64 {
    v as *mut T as u64
}

/// ioctl into a plain value.
fn ioctl_get<T: FromBytes + IntoBytes>(fd: HostFd, req: u64) -> Result<T, Errno> {
    let mut v = T::new_zeroed();
    call(
        nr::ioctl,
        &[fd as u64, req, v.as_mut_bytes().as_mut_ptr() as u64],
    )?;
    Ok(v)
}

const CLOCK_MONOTONIC: u64 = 1;

impl Host for ShimHost {
    fn copy_in(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        usercopy::copy_from_guest(buf, addr).map_err(|_| Errno::EFAULT)
    }
    fn copy_out(&self, addr: u64, buf: &[u8]) -> Result<(), Errno> {
        usercopy::copy_to_guest(addr, buf).map_err(|_| Errno::EFAULT)
    }
    fn read(&self, fd: HostFd, b: GuestSlice) -> Result<usize, Errno> {
        gcall(nr::read, [fd as u64, b.addr, b.len, 0, 0, 0])
    }
    fn write(&self, fd: HostFd, b: GuestSlice) -> Result<usize, Errno> {
        gcall(nr::write, [fd as u64, b.addr, b.len, 0, 0, 0])
    }
    fn pread(&self, fd: HostFd, b: GuestSlice, off: i64) -> Result<usize, Errno> {
        call(nr::pread64, &[fd as u64, b.addr, b.len, off as u64])
    }
    fn pwrite(&self, fd: HostFd, b: GuestSlice, off: i64) -> Result<usize, Errno> {
        call(nr::pwrite64, &[fd as u64, b.addr, b.len, off as u64])
    }
    fn readv(&self, fd: HostFd, iov: &[GuestSlice]) -> Result<usize, Errno> {
        // GuestSlice is {addr, len}: the layout of struct iovec.
        gcall(
            nr::readv,
            [fd as u64, iov.as_ptr() as u64, iov.len() as u64, 0, 0, 0],
        )
    }
    fn writev(&self, fd: HostFd, iov: &[GuestSlice]) -> Result<usize, Errno> {
        gcall(
            nr::writev,
            [fd as u64, iov.as_ptr() as u64, iov.len() as u64, 0, 0, 0],
        )
    }
    fn lseek(&self, fd: HostFd, off: i64, whence: u32) -> Result<u64, Errno> {
        call(nr::lseek, &[fd as u64, off as u64, u64::from(whence)]).map(|v| v as u64)
    }
    fn close(&self, fd: HostFd) -> Result<(), Errno> {
        ok0(call(nr::close, &[fd as u64]))
    }
    fn fstat(&self, fd: HostFd) -> Result<Stat, Errno> {
        let mut st = Stat::new_zeroed();
        call(nr::fstat, &[fd as u64, mptr(&mut st)])?;
        Ok(st)
    }
    fn get_status_flags(&self, fd: HostFd) -> Result<u32, Errno> {
        call(nr::fcntl, &[fd as u64, 3]).map(|v| v as u32)
    }
    fn set_status_flags(&self, fd: HostFd, flags: u32) -> Result<(), Errno> {
        ok0(call(nr::fcntl, &[fd as u64, 4, u64::from(flags)]))
    }
    fn tcgets(&self, fd: HostFd) -> Result<Termios, Errno> {
        ioctl_get(fd, 0x5401)
    }
    fn tcsets(&self, fd: HostFd, req: u32, t: &Termios) -> Result<(), Errno> {
        ok0(call(nr::ioctl, &[fd as u64, u64::from(req), ptr(t)]))
    }
    fn get_winsize(&self, fd: HostFd) -> Result<Winsize, Errno> {
        ioctl_get(fd, 0x5413)
    }
    fn set_winsize(&self, fd: HostFd, ws: &Winsize) -> Result<(), Errno> {
        ok0(call(nr::ioctl, &[fd as u64, 0x5414, ptr(ws)]))
    }
    fn fionread(&self, fd: HostFd) -> Result<i32, Errno> {
        ioctl_get(fd, 0x541b)
    }
    fn fcntl(&self, fd: HostFd, cmd: i32, arg: u64) -> Result<usize, Errno> {
        call(nr::fcntl, &[fd as u64, cmd as u64, arg])
    }
    fn poll(&self, fds: &mut [PollFd], timeout: Option<Timespec>) -> Result<usize, Errno> {
        let t = timeout.as_ref().map_or(0, ptr);
        gcall(
            nr::ppoll,
            [fds.as_mut_ptr() as u64, fds.len() as u64, t, 0, 8, 0],
        )
    }
    fn mmap(
        &self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        fd: HostFd,
        off: u64,
    ) -> Result<u64, Errno> {
        sys::mmap(addr, len, prot, flags, fd, off)
    }
    fn munmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        ok0(sys::munmap(addr, len))
    }
    fn mprotect(&self, addr: u64, len: u64, prot: u32) -> Result<(), Errno> {
        ok0(sys::mprotect(addr, len, prot))
    }
    fn mremap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new: u64,
    ) -> Result<u64, Errno> {
        call(nr::mremap, &[old, old_len, new_len, u64::from(flags), new]).map(|v| v as u64)
    }
    fn madvise(&self, addr: u64, len: u64, advice: u32) -> Result<(), Errno> {
        // The guest's own fork advice (DONTFORK, DOFORK, WIPEONFORK,
        // KEEPONFORK) applies to mappings as the guest left them.
        if matches!(advice, 10 | 11 | 18 | 19) {
            dofork_again();
        }
        ok0(call(nr::madvise, &[addr, len, u64::from(advice)]))
    }
    fn set_fs_base(&self, base: u64) -> Result<(), Errno> {
        ok0(call(nr::arch_prctl, &[0x1002, base]))
    }
    fn set_gs_base(&self, base: u64) -> Result<(), Errno> {
        // The fast path needs %gs: once the guest sets its own, patched
        // sites go back to trapping.
        crate::patch::guest_took_gs();
        ok0(call(nr::arch_prctl, &[0x1001, base]))
    }
    fn get_gs_base(&self) -> Result<u64, Errno> {
        if !crate::patch::guest_owns_gs() {
            // lx's own value: the guest's is still the initial 0.
            return Ok(0);
        }
        let mut v = 0u64;
        call(nr::arch_prctl, &[0x1004, mptr(&mut v)])?;
        Ok(v)
    }
    fn guest_claims(&self, addr: u64, len: u64) {
        crate::patch::guest_claims(addr, len);
    }
    fn patch_areas(&self) -> alloc::vec::Vec<(u64, u64)> {
        crate::patch::areas()
    }
    fn image_table(&self) -> (u64, alloc::vec::Vec<u8>) {
        crate::images::table()
    }
    fn arch_prctl(&self, code: i32, arg: u64) -> Result<usize, Errno> {
        call(nr::arch_prctl, &[code as u64, arg])
    }
    fn rseq(&self, addr: u64, len: u32, flags: i32, sig: u32) -> Result<(), Errno> {
        ok0(call(
            nr::rseq,
            &[addr, u64::from(len), flags as u64, u64::from(sig)],
        ))
    }
    fn set_robust_list(&self, head: u64, len: u64) -> Result<(), Errno> {
        ok0(call(nr::set_robust_list, &[head, len]))
    }
    fn prctl(&self, option: i32, a2: u64, a3: u64, a4: u64, a5: u64) -> Result<usize, Errno> {
        call(nr::prctl, &[option as u64, a2, a3, a4, a5])
    }
    fn set_tid_address(&self, addr: u64) -> i32 {
        sys::raw(nr::set_tid_address, &[addr]) as i32
    }
    fn clock_gettime(&self, clock: u32) -> Result<Timespec, Errno> {
        let mut t = Timespec::default();
        call(nr::clock_gettime, &[u64::from(clock), mptr(&mut t)])?;
        Ok(t)
    }
    fn clock_getres(&self, clock: u32) -> Result<Timespec, Errno> {
        let mut t = Timespec::default();
        call(nr::clock_getres, &[u64::from(clock), mptr(&mut t)])?;
        Ok(t)
    }
    fn clock_nanosleep(
        &self,
        clock: u32,
        abstime: bool,
        t: &Timespec,
    ) -> Result<(), (Errno, Timespec)> {
        let mut rem = Timespec::default();
        let r = call(
            nr::clock_nanosleep,
            &[u64::from(clock), u64::from(abstime), ptr(t), mptr(&mut rem)],
        );
        r.map(|_| ()).map_err(|e| (e, rem))
    }
    fn getrandom(&self, buf: &mut [u8], flags: u32) -> Result<usize, Errno> {
        call(
            nr::getrandom,
            &[buf.as_mut_ptr() as u64, buf.len() as u64, u64::from(flags)],
        )
    }
    fn sched_yield(&self) {
        let _ = call(nr::sched_yield, &[]);
    }
    fn sched_getaffinity(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        call(
            nr::sched_getaffinity,
            &[0, buf.len() as u64, buf.as_mut_ptr() as u64],
        )
    }
    fn getcpu(&self) -> Result<(u32, u32), Errno> {
        let (mut c, mut n) = (0u32, 0u32);
        call(nr::getcpu, &[mptr(&mut c), mptr(&mut n), 0])?;
        Ok((c, n))
    }
    fn sysinfo(&self) -> Result<Sysinfo, Errno> {
        let mut s = Sysinfo::new_zeroed();
        call(nr::sysinfo, &[mptr(&mut s)])?;
        Ok(s)
    }
    fn get_rlimit(&self, resource: u32) -> Result<(u64, u64), Errno> {
        let mut r = [0u64; 2];
        call(
            nr::prlimit64,
            &[0, u64::from(resource), 0, r.as_mut_ptr() as u64],
        )?;
        Ok((r[0], r[1]))
    }
    fn set_rlimit(&self, resource: u32, cur: u64, max: u64) -> Result<(), Errno> {
        let r = [cur, max];
        ok0(call(
            nr::prlimit64,
            &[0, u64::from(resource), r.as_ptr() as u64, 0],
        ))
    }
    fn now_ns(&self) -> u64 {
        let mut t = Timespec::default();
        let _ = call(nr::clock_gettime, &[CLOCK_MONOTONIC, mptr(&mut t)]);
        t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
    }
    fn host_pid(&self) -> i32 {
        self.pid()
    }
    fn host_tid(&self) -> i32 {
        sys::gettid()
    }
    fn set_disposition(&self, sig: u32, d: HostDisposition) -> Result<(), Errno> {
        let handler = match d {
            HostDisposition::Default => 0,
            HostDisposition::Ignore => 1,
            HostDisposition::Catch => signals::catcher(),
        };
        signals::set_host_action(sig, handler)?;
        signals::note_default(sig, d == HostDisposition::Default);
        Ok(())
    }
    fn raise(&self, sig: u32, thread: bool) -> Result<(), Errno> {
        let pid = self.pid() as u64;
        if thread {
            ok0(call(
                nr::tgkill,
                &[pid, sys::gettid() as u64, u64::from(sig)],
            ))
        } else {
            ok0(call(nr::kill, &[pid, u64::from(sig)]))
        }
    }
    fn pending(&self) -> u64 {
        let mut s = 0u64;
        let _ = call(nr::rt_sigpending, &[mptr(&mut s), 8]);
        s
    }
    fn exit_group(&self, code: i32) -> ! {
        if crate::thread::in_helper() {
            self.end_vfork_helper(lx_kernel::proc::vfork::EXIT, code as u32)
        }
        sys::exit_group(code)
    }
    fn exit_thread(&self, code: i32) -> ! {
        if crate::thread::in_helper() {
            self.end_vfork_helper(lx_kernel::proc::vfork::EXIT, code as u32)
        }
        crate::thread::exiting();
        loop {
            sys::raw(nr::exit, &[code as u64]);
        }
    }
    fn die_by_signal(&self, sig: u32) -> ! {
        if crate::thread::in_helper() {
            self.end_vfork_helper(lx_kernel::proc::vfork::KILLED, sig)
        }
        let _ = signals::set_host_action(sig, 0);
        let set = 1u64 << (sig - 1);
        let _ = call(nr::rt_sigprocmask, &[1, ptr(&set), 0, 8]);
        let _ = call(
            nr::tgkill,
            &[self.pid() as u64, sys::gettid() as u64, u64::from(sig)],
        );
        // A signal whose default is to ignore (or stop) does not end us.
        sys::exit_group(128 + sig as i32)
    }
    fn log(&self, msg: &[u8]) {
        sys::write_all(self.log_fd.load(Ordering::Relaxed), msg);
    }
    fn trace(&self, msg: &[u8]) {
        let fd = self.trace_fd.load(Ordering::Relaxed);
        if fd >= 0 {
            sys::write_all(fd, msg);
        }
    }
    fn record_stat(&self, nr: u32, failed: bool, ns: u64) {
        crate::shared::record(nr, failed, ns);
    }
    fn first_enosys(&self, nr: u32) -> bool {
        crate::shared::first_enosys(nr)
    }
    fn syscall(&self, n: u32, a: [u64; 6]) -> Result<usize, Errno> {
        gcall(n, a)
    }
    fn fs_generation(&self) -> u64 {
        crate::shared::fs_generation()
    }
    fn bump_fs_generation(&self) -> u64 {
        crate::shared::bump_fs_generation()
    }
    fn shared_snapshot(&self) -> alloc::vec::Vec<u8> {
        crate::shared::snapshot()
    }
    fn begin_blocking(&self, mask: u64) {
        signals::begin_blocking(mask);
    }
    fn end_blocking(&self) -> alloc::vec::Vec<lx_abi::structs::Siginfo> {
        signals::end_blocking()
    }
    fn interrupted(&self) -> bool {
        signals::queued_any()
    }
    fn fork(&self, flags: u64, ptid: u64, ctid: u64, tls: u64) -> Result<i32, Errno> {
        // A full fork: the child gets every mapping (see `fork_small`).
        dofork_again();
        self.clone_process(flags, ptid, ctid, tls)
    }
    fn spawn_thread(
        &self,
        flags: u64,
        ptid: u64,
        ctid: u64,
        tls: u64,
        regs: &lx_kernel::Regs,
        k: lx_kernel::Kernel,
    ) -> Result<i32, Errno> {
        crate::thread::spawn(flags, ptid, ctid, tls, regs, k, None)
    }
    fn forget_other_threads(&self) {
        crate::thread::forget_others();
    }
    fn fork_small(&self, flags: u64) -> Result<i32, Errno> {
        const MADV_DONTFORK: u64 = 10;
        const MADV_DOFORK: u64 = 11;
        let mut gaps = crate::entry::guest_gaps().ok_or(Errno::ENOSYS)?;
        // The other threads' slots too (the parent's, when a vfork helper
        // forks): the child would only copy them, and their owner then
        // take a copy-on-write fault on each page it touches.
        gaps.extend(crate::thread::other_slots().iter().filter(|r| r.1 > 0));
        // (Ranges holding no mapping at all answer ENOMEM: nothing to do.
        // Mappings that have the advice already are left as they are.)
        for &(at, len) in &gaps {
            let _ = call(nr::madvise, &[at, len, MADV_DONTFORK]);
        }
        // This thread's own slot may carry the advice an earlier helper,
        // in another slot, left: the child runs on it.
        if DONTFORK_LEFT.load(Ordering::Relaxed)
            && let Some((at, len)) = crate::thread::my_slot_range()
        {
            let _ = call(nr::madvise, &[at, len, MADV_DOFORK]);
        }
        // The advice stays: the vfork helper that forks here ends next, and
        // its parent's next vfork would only give it again (undoing and
        // redoing it split and merged the mappings each time). A full fork
        // or the guest's own fork advice takes it back first.
        if !DONTFORK_LEFT.load(Ordering::Relaxed) {
            DONTFORK_LEFT.store(true, Ordering::Relaxed);
        }
        self.clone_process(flags, 0, 0, 0)
    }
    fn run_vfork_helper(
        &self,
        regs: &lx_kernel::Regs,
        k: lx_kernel::Kernel,
        exit_signal: u64,
    ) -> Result<lx_kernel::host::HelperEnd, Errno> {
        const CLONE_VM: u64 = 0x100;
        const CLONE_VFORK: u64 = 0x4000;
        if !crate::entry::guest_gaps_known() {
            return Err(Errno::ENOSYS);
        }
        // Words of this process the helper may change for itself (it shares
        // this memory): dispositions left at default, the guest's %gs, and
        // host fds, which are numbers in its own fd table.
        let default_set = signals::default_set();
        let guest_gs = crate::patch::guest_owns_gs();
        let mem = crate::patch::mem_fd_state();
        let (spare, taken) = (crate::watch::spare(), crate::watch::taken());
        signals::sigsys_blocks_all(true);
        // SIGCHLD ignored: the host would reap the helper itself and its
        // status be lost (how it died matters for the child). It is caught
        // the default way meanwhile; the child, if it ends first, is reaped
        // here as the host would have.
        let chld_ignored = exit_signal == 17 && signals::host_action(17) == Some(1);
        if chld_ignored {
            let _ = signals::set_host_action(17, 0);
        }
        // The host clone returns once the helper has ended (CLONE_VFORK).
        // Its exit signal is the child's: a CLONE_PARENT fork inherits the
        // caller's.
        let r = crate::thread::spawn(
            CLONE_VM | CLONE_VFORK | exit_signal,
            0,
            0,
            0,
            regs,
            k,
            Some(exit_signal),
        );
        signals::restore_default_set(default_set);
        signals::sigsys_blocks_all(false);
        crate::patch::restore_guest_owns_gs(guest_gs);
        crate::patch::restore_mem_fd_state(mem);
        if crate::watch::taken() != taken {
            // The helper forked with this process's spare watchdog
            // description: it is its child's now. The next one is opened
            // here, while that child runs.
            if spare >= 0 {
                sys::close(spare);
            }
            crate::watch::restore_spare(-1);
            crate::watch::after_fork_parent(-1);
        } else {
            crate::watch::restore_spare(spare);
        }
        let pid = r?;
        let mut status = 0i32;
        let reaped = loop {
            match call(
                nr::wait4,
                &[
                    pid as u64,
                    mptr(&mut status),
                    0x4000_0000, /* __WALL */
                    0,
                ],
            ) {
                Err(Errno::EINTR) => continue,
                r => break r.is_ok(),
            }
        };
        let (child, mm) = crate::thread::reclaim_helper(pid);
        if chld_ignored {
            let _ = signals::set_host_action(17, 1);
            let mut ci = lx_abi::structs::Siginfo::ZERO;
            if child != 0 {
                // waitid(P_PID, child, WEXITED | WNOHANG)
                let _ = call(nr::waitid, &[1, child as u64, mptr(&mut ci), 4 | 1, 0]);
            }
        }
        // Its exit signal, if the guest catches it, waits here (blocked
        // while lx runs): the guest must not see it. The child's, if it
        // ended already, may have merged into it (one standard signal
        // pending at a time): it is queued again from the child's status.
        if (1..=64).contains(&exit_signal) {
            let set = 1u64 << (exit_signal - 1);
            let zero = [0i64; 2];
            let mut si = lx_abi::structs::Siginfo::ZERO;
            if call(
                nr::rt_sigtimedwait,
                &[ptr(&set), mptr(&mut si), zero.as_ptr() as u64, 8],
            ) == Ok(exit_signal as usize)
            {
                let me = [self.pid() as u64, sys::gettid() as u64, exit_signal];
                if si.pid() != pid {
                    // Another child's: back in the queue.
                    let _ = call(nr::rt_tgsigqueueinfo, &[me[0], me[1], me[2], ptr(&si)]);
                }
                let mut ci = lx_abi::structs::Siginfo::ZERO;
                // waitid(P_PID, child, WEXITED | WNOHANG | WNOWAIT)
                if child != 0
                    && call(
                        nr::waitid,
                        &[1, child as u64, mptr(&mut ci), 4 | 1 | 0x0100_0000, 0],
                    )
                    .is_ok()
                    && ci.pid() == child
                {
                    ci.si_signo = exit_signal as i32;
                    let _ = call(nr::rt_tgsigqueueinfo, &[me[0], me[1], me[2], ptr(&ci)]);
                }
            }
        }
        Ok(lx_kernel::host::HelperEnd {
            child,
            status: reaped.then_some(status),
            mm,
        })
    }
    fn vfork_helper(&self) -> Option<lx_kernel::host::VforkHelper> {
        crate::thread::helper()
    }
    fn set_vfork_helper(&self, h: Option<lx_kernel::host::VforkHelper>) {
        if h.is_none() {
            // The helper's child: lx's usual mask again.
            signals::sigsys_blocks_all(false);
        }
        crate::thread::set_helper(h);
    }
    fn vfork_helper_brk(&self, mm: lx_kernel::mm::MmState) {
        if let Some(t) = crate::thread::current() {
            t.helper_brk[1].store(mm.brk, Ordering::Relaxed);
            t.helper_brk[2].store(mm.brk_mapped_end, Ordering::Relaxed);
            t.helper_brk[0].store(mm.brk_start, Ordering::Relaxed);
        }
    }
    fn vfork_helper_done(&self) {
        if let Some(t) = crate::thread::current() {
            t.helper_done.store(true, Ordering::Relaxed);
        }
    }
    fn send_fds(&self, sock: HostFd, data: &[u8], fds: &[HostFd]) -> Result<(), Errno> {
        let mut control = [0u64; CONTROL_WORDS];
        let iov = [data.as_ptr() as u64, data.len() as u64];
        let mut msg = MsgHdr {
            iov: iov.as_ptr() as u64,
            iovlen: 1,
            ..MsgHdr::default()
        };
        if !fds.is_empty() {
            if fds.len() > MAX_FDS {
                return Err(Errno::EINVAL);
            }
            let bytes = control.as_mut_bytes();
            let len = 16 + 4 * fds.len();
            bytes[..8].copy_from_slice(&(len as u64).to_le_bytes());
            bytes[8..12].copy_from_slice(&1i32.to_le_bytes()); // SOL_SOCKET
            bytes[12..16].copy_from_slice(&1i32.to_le_bytes()); // SCM_RIGHTS
            for (i, fd) in fds.iter().enumerate() {
                bytes[16 + 4 * i..20 + 4 * i].copy_from_slice(&fd.to_le_bytes());
            }
            msg.control = control.as_ptr() as u64;
            msg.controllen = len.next_multiple_of(8) as u64;
        }
        loop {
            match call(
                nr::sendmsg,
                &[sock as u64, ptr(&msg), 0x4000 /* MSG_NOSIGNAL */],
            ) {
                Err(Errno::EINTR) => continue,
                r => return r.map(|_| ()),
            }
        }
    }
    fn recv_fds(
        &self,
        sock: HostFd,
        buf: &mut [u8],
        fds: &mut alloc::vec::Vec<HostFd>,
    ) -> Result<usize, Errno> {
        let mut control = [0u64; CONTROL_WORDS];
        let iov = [buf.as_mut_ptr() as u64, buf.len() as u64];
        let mut msg = MsgHdr {
            iov: iov.as_ptr() as u64,
            iovlen: 1,
            control: control.as_mut_ptr() as u64,
            controllen: (CONTROL_WORDS * 8) as u64,
            ..MsgHdr::default()
        };
        let n = call(
            nr::recvmsg,
            &[
                sock as u64,
                mptr(&mut msg),
                0x4000_0000, /* MSG_CMSG_CLOEXEC */
            ],
        )?;
        // The control messages: (len, level, type, data...), 8-aligned.
        let bytes = control.as_bytes();
        let total = (msg.controllen as usize).min(bytes.len());
        let mut at = 0;
        while at + 16 <= total {
            let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8])) as usize;
            if len < 16 || at + len > total {
                break;
            }
            let level = i32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap_or([0; 4]));
            let kind = i32::from_le_bytes(bytes[at + 12..at + 16].try_into().unwrap_or([0; 4]));
            if level == 1 && kind == 1 {
                for b in bytes[at + 16..at + len].chunks_exact(4) {
                    fds.push(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
            at += len.next_multiple_of(8);
        }
        Ok(n)
    }
    fn registry_execed(&self, pid: i32) -> bool {
        crate::shared::registry_execed(pid)
    }
    fn registry_mark_execed(&self, pid: i32) {
        crate::shared::registry_mark_execed(pid);
    }
    fn exec_in_place(&self, e: lx_kernel::host::InPlaceExec) -> lx_kernel::host::InPlaceExec {
        crate::entry::exec_in_place(e)
    }
    fn reexec(&self, shim_fd: HostFd, config: &[u8], keep: &[HostFd]) -> Errno {
        let name = b"lx-config\0";
        let cfd = match call(nr::memfd_create, &[name.as_ptr() as u64, 0]) {
            Ok(fd) => fd as i32,
            Err(e) => return e,
        };
        let mut off = 0usize;
        while off < config.len() {
            match call(
                nr::write,
                &[
                    cfd as u64,
                    config[off..].as_ptr() as u64,
                    (config.len() - off) as u64,
                ],
            ) {
                Ok(n) if n > 0 => off += n,
                Ok(_) => return Errno::EIO,
                Err(e) => return e,
            }
        }
        // The watchdog description stays armed across the exec (same pid).
        let armed = crate::watch::armed_fd();
        for &fd in keep.iter().chain([shim_fd, armed].iter()) {
            if fd >= 0 {
                let _ = call(nr::fcntl, &[fd as u64, 2 /* F_SETFD */, 0]);
            }
        }
        // The new image learns its launch description, its registered start
        // time and its armed watchdog fd from its arguments.
        let pid = self.pid();
        let num = sys::cstring(format_args!("{cfd}"));
        let start = sys::cstring(format_args!("{}", crate::shared::own_start(pid)));
        let armed_s = sys::cstring(format_args!("{armed}"));
        let arg0 = b"lx-shim\0";
        let argv = [
            arg0.as_ptr() as u64,
            num.as_ptr() as u64,
            start.as_ptr() as u64,
            armed_s.as_ptr() as u64,
            0,
        ];
        let envp = [0u64];
        let empty = b"\0";
        let r = call(
            nr::execveat,
            &[
                shim_fd as u64,
                empty.as_ptr() as u64,
                argv.as_ptr() as u64,
                envp.as_ptr() as u64,
                0x1000, // AT_EMPTY_PATH
            ],
        );
        sys::close(cfd);
        r.err().unwrap_or(Errno::EIO)
    }
    fn registry_add(&self, pid: i32) {
        crate::shared::registry_add(pid);
    }
    fn registry_remove(&self, pid: i32) {
        crate::shared::registry_remove(pid);
    }
    fn registry_pids(&self) -> alloc::vec::Vec<i32> {
        crate::shared::registry_pids()
    }
    fn registry_set_cmdline(&self, pid: i32, cmdline: &[u8]) {
        crate::shared::registry_set_cmdline(pid, cmdline);
    }
    fn registry_cmdline(&self, pid: i32) -> Option<alloc::vec::Vec<u8>> {
        crate::shared::registry_cmdline(pid)
    }
}
