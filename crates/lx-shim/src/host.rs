//! `lx_kernel::Host` on Linux: raw syscalls from lx's window.

use crate::signals;
use crate::sys::{self, call};
use crate::usercopy;
use core::sync::atomic::{AtomicI32, Ordering};
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
        self.pid.load(Ordering::Relaxed)
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
        sys::exit_group(code)
    }
    fn exit_thread(&self, code: i32) -> ! {
        crate::thread::exiting();
        loop {
            sys::raw(nr::exit, &[code as u64]);
        }
    }
    fn die_by_signal(&self, sig: u32) -> ! {
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
        let r = match r {
            Ok(r) => r as i32,
            Err(e) => {
                crate::watch::after_fork_parent(spare);
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
            crate::watch::after_fork_parent(spare);
        }
        Ok(r)
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
        crate::thread::spawn(flags, ptid, ctid, tls, regs, k)
    }
    fn forget_other_threads(&self) {
        crate::thread::forget_others();
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
