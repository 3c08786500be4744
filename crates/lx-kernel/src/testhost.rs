//! A host for unit tests: sparse guest memory and recorded mappings.

use crate::host::{GuestSlice, Host, HostDisposition, HostFd};
use core::cell::RefCell;
use lx_abi::Errno;
use lx_abi::structs::{PollFd, Stat, Sysinfo, Termios, Timespec, Winsize};
use std::collections::BTreeMap;
use std::vec::Vec;

#[derive(Default)]
pub struct TestHost {
    pub mem: RefCell<BTreeMap<u64, u8>>,
    pub maps: RefCell<Vec<(u64, u64)>>,
    pub unmaps: RefCell<Vec<(u64, u64)>>,
    pub out: RefCell<Vec<u8>>,
}

impl TestHost {
    pub fn poke(&self, addr: u64, b: &[u8]) {
        let mut m = self.mem.borrow_mut();
        for (i, x) in b.iter().enumerate() {
            m.insert(addr + i as u64, *x);
        }
    }
}

impl Host for TestHost {
    fn copy_in(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        let m = self.mem.borrow();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = *m.get(&(addr + i as u64)).ok_or(Errno::EFAULT)?;
        }
        Ok(())
    }
    fn copy_out(&self, addr: u64, buf: &[u8]) -> Result<(), Errno> {
        self.poke(addr, buf);
        Ok(())
    }
    fn read(&self, _: HostFd, _: GuestSlice) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn write(&self, _: HostFd, b: GuestSlice) -> Result<usize, Errno> {
        Ok(b.len as usize)
    }
    fn pread(&self, _: HostFd, _: GuestSlice, _: i64) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn pwrite(&self, _: HostFd, _: GuestSlice, _: i64) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn readv(&self, _: HostFd, _: &[GuestSlice]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn writev(&self, _: HostFd, _: &[GuestSlice]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn lseek(&self, _: HostFd, _: i64, _: u32) -> Result<u64, Errno> {
        Err(Errno::ESPIPE)
    }
    fn close(&self, _: HostFd) -> Result<(), Errno> {
        Ok(())
    }
    fn fstat(&self, _: HostFd) -> Result<Stat, Errno> {
        Ok(Stat::default())
    }
    fn get_status_flags(&self, _: HostFd) -> Result<u32, Errno> {
        Ok(2)
    }
    fn set_status_flags(&self, _: HostFd, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn tcgets(&self, _: HostFd) -> Result<Termios, Errno> {
        Err(Errno::ENOTTY)
    }
    fn tcsets(&self, _: HostFd, _: u32, _: &Termios) -> Result<(), Errno> {
        Err(Errno::ENOTTY)
    }
    fn get_winsize(&self, _: HostFd) -> Result<Winsize, Errno> {
        Err(Errno::ENOTTY)
    }
    fn set_winsize(&self, _: HostFd, _: &Winsize) -> Result<(), Errno> {
        Err(Errno::ENOTTY)
    }
    fn fionread(&self, _: HostFd) -> Result<i32, Errno> {
        Ok(0)
    }
    fn fcntl(&self, _: HostFd, _: i32, _: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    fn poll(&self, fds: &mut [PollFd], _: Option<Timespec>) -> Result<usize, Errno> {
        Ok(fds.len())
    }
    fn mmap(&self, addr: u64, len: u64, _: u32, _: u32, _: HostFd, _: u64) -> Result<u64, Errno> {
        self.maps.borrow_mut().push((addr, len));
        Ok(if addr == 0 { 0x7f00_0000_0000 } else { addr })
    }
    fn guest_claims(&self, _: u64, _: u64) {}
    fn patch_areas(&self) -> alloc::vec::Vec<(u64, u64)> {
        alloc::vec::Vec::new()
    }
    fn munmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        self.unmaps.borrow_mut().push((addr, len));
        Ok(())
    }
    fn mprotect(&self, _: u64, _: u64, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn mremap(&self, old: u64, _: u64, _: u64, _: u32, _: u64) -> Result<u64, Errno> {
        Ok(old)
    }
    fn madvise(&self, _: u64, _: u64, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn set_fs_base(&self, _: u64) -> Result<(), Errno> {
        Ok(())
    }
    fn set_gs_base(&self, _: u64) -> Result<(), Errno> {
        Ok(())
    }
    fn get_gs_base(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn arch_prctl(&self, _: i32, _: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    fn rseq(&self, _: u64, _: u32, _: i32, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn set_robust_list(&self, _: u64, _: u64) -> Result<(), Errno> {
        Ok(())
    }
    fn prctl(&self, _: i32, _: u64, _: u64, _: u64, _: u64) -> Result<usize, Errno> {
        Ok(0)
    }
    fn set_tid_address(&self, _: u64) -> i32 {
        1
    }
    fn clock_gettime(&self, _: u32) -> Result<Timespec, Errno> {
        Ok(Timespec {
            tv_sec: 1,
            tv_nsec: 2,
        })
    }
    fn clock_getres(&self, _: u32) -> Result<Timespec, Errno> {
        Ok(Timespec {
            tv_sec: 0,
            tv_nsec: 1,
        })
    }
    fn clock_nanosleep(&self, _: u32, _: bool, _: &Timespec) -> Result<(), (Errno, Timespec)> {
        Ok(())
    }
    fn getrandom(&self, buf: &mut [u8], _: u32) -> Result<usize, Errno> {
        buf.fill(7);
        Ok(buf.len())
    }
    fn sched_yield(&self) {}
    fn sched_getaffinity(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        buf.fill(0);
        buf[0] = 3;
        Ok(8.min(buf.len()))
    }
    fn getcpu(&self) -> Result<(u32, u32), Errno> {
        Ok((0, 0))
    }
    fn sysinfo(&self) -> Result<Sysinfo, Errno> {
        Ok(Sysinfo::default())
    }
    fn get_rlimit(&self, _: u32) -> Result<(u64, u64), Errno> {
        Ok((8 << 20, u64::MAX))
    }
    fn set_rlimit(&self, _: u32, _: u64, _: u64) -> Result<(), Errno> {
        Ok(())
    }
    fn now_ns(&self) -> u64 {
        0
    }
    fn host_pid(&self) -> i32 {
        100
    }
    fn host_tid(&self) -> i32 {
        100
    }
    fn set_disposition(&self, _: u32, _: HostDisposition) -> Result<(), Errno> {
        Ok(())
    }
    fn raise(&self, _: u32, _: bool) -> Result<(), Errno> {
        Ok(())
    }
    fn pending(&self) -> u64 {
        0
    }
    fn exit_group(&self, code: i32) -> ! {
        panic!("exit_group({code})")
    }
    fn exit_thread(&self, code: i32) -> ! {
        panic!("exit({code})")
    }
    fn die_by_signal(&self, sig: u32) -> ! {
        panic!("killed by {sig}")
    }
    fn log(&self, msg: &[u8]) {
        self.out.borrow_mut().extend_from_slice(msg);
    }
    fn trace(&self, msg: &[u8]) {
        self.out.borrow_mut().extend_from_slice(msg);
    }
    fn record_stat(&self, _: u32, _: bool, _: u64) {}
    fn first_enosys(&self, _: u32) -> bool {
        true
    }
    #[allow(unsafe_code)]
    fn syscall(&self, nr: u32, a: [u64; 6]) -> Result<usize, Errno> {
        // SAFETY: tests pass pointers to their own live buffers, as the
        // kernel's hostfs wrappers do.
        let r = unsafe { libc::syscall(i64::from(nr), a[0], a[1], a[2], a[3], a[4], a[5]) };
        if r < 0 {
            Err(Errno(
                std::io::Error::last_os_error().raw_os_error().unwrap_or(5),
            ))
        } else {
            Ok(r as usize)
        }
    }
    fn fs_generation(&self) -> u64 {
        0
    }
    fn bump_fs_generation(&self) -> u64 {
        0
    }
    fn begin_blocking(&self, _: u64) {}
    fn end_blocking(&self) -> Vec<lx_abi::structs::Siginfo> {
        Vec::new()
    }
    fn interrupted(&self) -> bool {
        false
    }
    fn fork(&self, _: u64, _: u64, _: u64, _: u64) -> Result<i32, Errno> {
        Err(Errno::ENOSYS)
    }
    fn spawn_thread(
        &self,
        _: u64,
        _: u64,
        _: u64,
        _: u64,
        _: &crate::regs::Regs,
        _: crate::kernel::Kernel,
    ) -> Result<i32, Errno> {
        Err(Errno::ENOSYS)
    }
    fn reexec(&self, _: HostFd, _: &[u8], _: &[HostFd]) -> Errno {
        Errno::ENOSYS
    }
    fn exec_in_place(&self, e: crate::host::InPlaceExec) -> crate::host::InPlaceExec {
        e
    }
    fn registry_add(&self, _: i32) {}
    fn registry_remove(&self, _: i32) {}
    fn registry_execed(&self, _: i32) -> bool {
        false
    }
    fn registry_mark_execed(&self, _: i32) {}
    fn registry_pids(&self) -> Vec<i32> {
        Vec::new()
    }
    fn registry_set_cmdline(&self, _: i32, _: &[u8]) {}
    fn registry_cmdline(&self, _: i32) -> Option<Vec<u8>> {
        None
    }
    fn shared_snapshot(&self) -> Vec<u8> {
        Vec::new()
    }
}
