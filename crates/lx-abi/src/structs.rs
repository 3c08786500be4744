//! Layouts of the structures the Linux x86_64 kernel exchanges with user
//! space. Every type is `#[repr(C)]` with explicit padding, so it can be
//! copied to and from guest memory as bytes (`zerocopy`); sizes and field
//! offsets are checked by the tests below against the kernel's.

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// `struct timespec` / `struct __kernel_timespec`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// `UTIME_NOW`: utimensat `tv_nsec` meaning "the current time".
pub const UTIME_NOW: i64 = (1 << 30) - 1;
/// `UTIME_OMIT`: utimensat `tv_nsec` meaning "leave unchanged".
pub const UTIME_OMIT: i64 = (1 << 30) - 2;

/// `struct timeval`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}

/// `struct timezone` (gettimeofday).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Timezone {
    pub tz_minuteswest: i32,
    pub tz_dsttime: i32,
}

/// `struct itimerspec` (timer_settime, timerfd_settime).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Itimerspec {
    pub it_interval: Timespec,
    pub it_value: Timespec,
}

/// `struct itimerval` (getitimer/setitimer).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Itimerval {
    pub it_interval: Timeval,
    pub it_value: Timeval,
}

/// The x86_64 `struct stat` of stat/fstat/lstat/newfstatat (144 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub __pad0: u32,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: i64,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: i64,
    pub st_mtime: i64,
    pub st_mtime_nsec: i64,
    pub st_ctime: i64,
    pub st_ctime_nsec: i64,
    pub __unused: [i64; 3],
}

/// Length of each `struct new_utsname` field, NUL included.
pub const UTSNAME_LEN: usize = 65;

/// `struct new_utsname` of uname(2) (390 bytes).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Utsname {
    pub sysname: [u8; UTSNAME_LEN],
    pub nodename: [u8; UTSNAME_LEN],
    pub release: [u8; UTSNAME_LEN],
    pub version: [u8; UTSNAME_LEN],
    pub machine: [u8; UTSNAME_LEN],
    pub domainname: [u8; UTSNAME_LEN],
}

impl Default for Utsname {
    fn default() -> Self {
        Self::new_zeroed()
    }
}

/// The x86_64 `struct sysinfo` (112 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Sysinfo {
    /// Seconds since boot.
    pub uptime: i64,
    /// 1, 5 and 15 minute load averages, scaled by `1 << SI_LOAD_SHIFT`.
    pub loads: [u64; 3],
    pub totalram: u64,
    pub freeram: u64,
    pub sharedram: u64,
    pub bufferram: u64,
    pub totalswap: u64,
    pub freeswap: u64,
    pub procs: u16,
    pub pad: u16,
    /// Implicit padding in C.
    pub _pad1: u32,
    pub totalhigh: u64,
    pub freehigh: u64,
    /// Memory sizes are in units of this many bytes.
    pub mem_unit: u32,
    /// `_f` (empty on 64-bit) plus the tail padding.
    pub _f: [u8; 4],
}

/// `SI_LOAD_SHIFT`: `Sysinfo::loads` are fixed-point with this many bits.
pub const SI_LOAD_SHIFT: u32 = 16;

/// `struct rlimit` / `struct rlimit64`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

/// The kernel's `struct sigaction` as rt_sigaction(2) takes it on x86_64
/// (32 bytes; not glibc's layout).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct KSigaction {
    /// `sa_handler` / `sa_sigaction`, or `SIG_DFL` / `SIG_IGN`.
    pub handler: u64,
    /// `SA_*` flags.
    pub flags: u64,
    /// `sa_restorer` (with `SA_RESTORER`).
    pub restorer: u64,
    /// `sa_mask`.
    pub mask: u64,
}

/// `stack_t` of sigaltstack(2) and `uc_stack` (24 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct StackT {
    pub ss_sp: u64,
    pub ss_flags: i32,
    pub _pad: u32,
    pub ss_size: u64,
}

/// Size of `siginfo_t`.
pub const SIGINFO_SIZE: usize = 128;

/// `siginfo_t` (128 bytes): the three common fields, then the union, whose
/// members are reached with the accessors below. Offsets (`SI_*_OFFSET`)
/// are from the start of the structure.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Siginfo {
    pub si_signo: i32,
    pub si_errno: i32,
    pub si_code: i32,
    /// Padding before the 8-aligned union.
    pub _pad: i32,
    /// The union `_sifields`.
    pub fields: [u8; 112],
}

impl Default for Siginfo {
    fn default() -> Self {
        Self::new_zeroed()
    }
}

impl Siginfo {
    /// An all-zero siginfo (usable in constants).
    pub const ZERO: Siginfo = Siginfo {
        si_signo: 0,
        si_errno: 0,
        si_code: 0,
        _pad: 0,
        fields: [0; 112],
    };
}

/// kill/tkill/sigqueue/SIGCHLD: `si_pid` (i32).
pub const SI_PID_OFFSET: usize = 16;
/// kill/tkill/sigqueue/SIGCHLD: `si_uid` (u32).
pub const SI_UID_OFFSET: usize = 20;
/// SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP: `si_addr` (u64).
pub const SI_ADDR_OFFSET: usize = 16;
/// SIGSEGV with SEGV_PKUERR: `si_pkey` (u32), after `si_addr_lsb` (u16) and
/// its padding.
pub const SI_PKEY_OFFSET: usize = 32;
/// SIGSYS: `si_call_addr` (u64).
pub const SI_CALL_ADDR_OFFSET: usize = 16;
/// SIGSYS: `si_syscall` (i32).
pub const SI_SYSCALL_OFFSET: usize = 24;
/// SIGSYS: `si_arch` (u32, `AUDIT_ARCH_*`).
pub const SI_ARCH_OFFSET: usize = 28;
/// SIGCHLD: `si_status` (i32).
pub const SI_STATUS_OFFSET: usize = 24;
/// SIGCHLD: `si_utime` (i64 clock ticks).
pub const SI_UTIME_OFFSET: usize = 32;
/// SIGCHLD: `si_stime` (i64 clock ticks).
pub const SI_STIME_OFFSET: usize = 40;
/// POSIX timers: `si_timerid` (i32).
pub const SI_TIMERID_OFFSET: usize = 16;
/// POSIX timers: `si_overrun` (i32).
pub const SI_OVERRUN_OFFSET: usize = 20;
/// POSIX timers and sigqueue: `si_value` (`union sigval`, 8 bytes).
pub const SI_VALUE_OFFSET: usize = 24;
/// SIGIO/SIGPOLL: `si_band` (i64).
pub const SI_BAND_OFFSET: usize = 16;
/// SIGIO/SIGPOLL: `si_fd` (i32).
pub const SI_FD_OFFSET: usize = 24;

/// `AUDIT_ARCH_X86_64`: `si_arch` of a SIGSYS from a 64-bit syscall.
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

const FIELDS: usize = 16;

impl Siginfo {
    /// A siginfo with the three common fields set and the union zeroed.
    pub fn new(signo: i32, code: i32) -> Siginfo {
        Siginfo {
            si_signo: signo,
            si_code: code,
            ..Siginfo::default()
        }
    }

    /// kill(2)/tkill/tgkill-style info: pid and uid of the sender.
    pub fn kill(signo: i32, code: i32, pid: i32, uid: u32) -> Siginfo {
        let mut s = Siginfo::new(signo, code);
        s.set_pid(pid);
        s.set_uid(uid);
        s
    }

    /// Fault info (SIGSEGV, SIGBUS, ...): the faulting address.
    pub fn fault(signo: i32, code: i32, addr: u64) -> Siginfo {
        let mut s = Siginfo::new(signo, code);
        s.set_addr(addr);
        s
    }

    fn get4(&self, off: usize) -> [u8; 4] {
        let i = off - FIELDS;
        [
            self.fields[i],
            self.fields[i + 1],
            self.fields[i + 2],
            self.fields[i + 3],
        ]
    }

    fn get8(&self, off: usize) -> [u8; 8] {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.fields[off - FIELDS..off - FIELDS + 8]);
        b
    }

    fn put(&mut self, off: usize, b: &[u8]) {
        self.fields[off - FIELDS..off - FIELDS + b.len()].copy_from_slice(b);
    }

    /// `si_pid`.
    pub fn pid(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_PID_OFFSET))
    }
    /// Set `si_pid`.
    pub fn set_pid(&mut self, pid: i32) {
        self.put(SI_PID_OFFSET, &pid.to_ne_bytes());
    }
    /// `si_uid`.
    pub fn uid(&self) -> u32 {
        u32::from_ne_bytes(self.get4(SI_UID_OFFSET))
    }
    /// Set `si_uid`.
    pub fn set_uid(&mut self, uid: u32) {
        self.put(SI_UID_OFFSET, &uid.to_ne_bytes());
    }
    /// `si_addr`.
    pub fn addr(&self) -> u64 {
        u64::from_ne_bytes(self.get8(SI_ADDR_OFFSET))
    }
    /// Set `si_addr`.
    pub fn set_addr(&mut self, addr: u64) {
        self.put(SI_ADDR_OFFSET, &addr.to_ne_bytes());
    }
    /// `si_call_addr` (SIGSYS): the address after the syscall instruction.
    pub fn call_addr(&self) -> u64 {
        u64::from_ne_bytes(self.get8(SI_CALL_ADDR_OFFSET))
    }
    /// Set `si_call_addr`.
    pub fn set_call_addr(&mut self, addr: u64) {
        self.put(SI_CALL_ADDR_OFFSET, &addr.to_ne_bytes());
    }
    /// `si_syscall` (SIGSYS).
    pub fn syscall(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_SYSCALL_OFFSET))
    }
    /// Set `si_syscall`.
    pub fn set_syscall(&mut self, nr: i32) {
        self.put(SI_SYSCALL_OFFSET, &nr.to_ne_bytes());
    }
    /// `si_arch` (SIGSYS).
    pub fn arch(&self) -> u32 {
        u32::from_ne_bytes(self.get4(SI_ARCH_OFFSET))
    }
    /// Set `si_arch`.
    pub fn set_arch(&mut self, arch: u32) {
        self.put(SI_ARCH_OFFSET, &arch.to_ne_bytes());
    }
    /// `si_status` (SIGCHLD): exit code or signal.
    pub fn status(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_STATUS_OFFSET))
    }
    /// Set `si_status`.
    pub fn set_status(&mut self, status: i32) {
        self.put(SI_STATUS_OFFSET, &status.to_ne_bytes());
    }
    /// `si_utime` (SIGCHLD).
    pub fn utime(&self) -> i64 {
        i64::from_ne_bytes(self.get8(SI_UTIME_OFFSET))
    }
    /// Set `si_utime`.
    pub fn set_utime(&mut self, t: i64) {
        self.put(SI_UTIME_OFFSET, &t.to_ne_bytes());
    }
    /// `si_stime` (SIGCHLD).
    pub fn stime(&self) -> i64 {
        i64::from_ne_bytes(self.get8(SI_STIME_OFFSET))
    }
    /// Set `si_stime`.
    pub fn set_stime(&mut self, t: i64) {
        self.put(SI_STIME_OFFSET, &t.to_ne_bytes());
    }
    /// `si_timerid` (POSIX timers).
    pub fn timerid(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_TIMERID_OFFSET))
    }
    /// Set `si_timerid`.
    pub fn set_timerid(&mut self, id: i32) {
        self.put(SI_TIMERID_OFFSET, &id.to_ne_bytes());
    }
    /// `si_overrun` (POSIX timers).
    pub fn overrun(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_OVERRUN_OFFSET))
    }
    /// Set `si_overrun`.
    pub fn set_overrun(&mut self, n: i32) {
        self.put(SI_OVERRUN_OFFSET, &n.to_ne_bytes());
    }
    /// `si_value` (timers, sigqueue) as its 8 raw bytes (`sival_ptr`).
    pub fn value(&self) -> u64 {
        u64::from_ne_bytes(self.get8(SI_VALUE_OFFSET))
    }
    /// Set `si_value`.
    pub fn set_value(&mut self, v: u64) {
        self.put(SI_VALUE_OFFSET, &v.to_ne_bytes());
    }
    /// `si_band` (SIGIO).
    pub fn band(&self) -> i64 {
        i64::from_ne_bytes(self.get8(SI_BAND_OFFSET))
    }
    /// Set `si_band`.
    pub fn set_band(&mut self, band: i64) {
        self.put(SI_BAND_OFFSET, &band.to_ne_bytes());
    }
    /// `si_fd` (SIGIO).
    pub fn fd(&self) -> i32 {
        i32::from_ne_bytes(self.get4(SI_FD_OFFSET))
    }
    /// Set `si_fd`.
    pub fn set_fd(&mut self, fd: i32) {
        self.put(SI_FD_OFFSET, &fd.to_ne_bytes());
    }
}

/// The x86_64 `struct sigcontext` (= glibc's `mcontext_t`, 256 bytes):
/// general registers in `gregs` order, then a pointer to the FPU state.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Sigcontext {
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub rdx: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rsp: u64,
    pub rip: u64,
    pub eflags: u64,
    pub cs: u16,
    pub gs: u16,
    pub fs: u16,
    /// `ss` (was `__pad0`); restored with `UC_SIGCONTEXT_SS`.
    pub ss: u16,
    pub err: u64,
    pub trapno: u64,
    pub oldmask: u64,
    pub cr2: u64,
    /// Guest address of the FPU/XSAVE area, 0 if none.
    pub fpstate: u64,
    pub reserved1: [u64; 8],
}

/// The kernel's x86_64 `struct ucontext` (304 bytes; the sigmask is the
/// kernel's 8-byte one, not glibc's 128-byte `sigset_t`).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Ucontext {
    pub uc_flags: u64,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_mcontext: Sigcontext,
    pub uc_sigmask: u64,
}

/// `struct rt_sigframe` (x86_64): offset of `uc`, after `pretcode` (the
/// return address the handler returns through: `sa_restorer`).
pub const RT_SIGFRAME_UC_OFFSET: usize = 8;
/// `struct rt_sigframe`: offset of `info` (`siginfo_t`).
pub const RT_SIGFRAME_INFO_OFFSET: usize = 312;
/// `sizeof(struct rt_sigframe)`; the FPU state follows it on the stack.
pub const RT_SIGFRAME_SIZE: usize = 440;

/// `uc_flags`: the frame has extended (XSAVE) FPU state.
pub const UC_FP_XSTATE: u64 = 1;
/// `uc_flags`: `ss` in the sigcontext is valid.
pub const UC_SIGCONTEXT_SS: u64 = 2;
/// `uc_flags`: rt_sigreturn restores `ss` strictly.
pub const UC_STRICT_RESTORE_SS: u64 = 4;

/// `FP_XSTATE_MAGIC1`: in `sw_reserved.magic1` when the XSAVE area follows.
pub const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
/// `FP_XSTATE_MAGIC2`: the 4 bytes right after the XSAVE area
/// (at `fpstate + extended_size - 4`).
pub const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
/// `FP_XSTATE_MAGIC2_SIZE`.
pub const FP_XSTATE_MAGIC2_SIZE: usize = 4;
/// Size of the legacy FXSAVE area (`struct _fpstate_64`).
pub const FXSAVE_SIZE: usize = 512;
/// Offset of `sw_reserved` (`struct _fpx_sw_bytes`) inside the FXSAVE area.
pub const FPX_SW_BYTES_OFFSET: usize = 464;
/// Offset of the XSAVE header after the FXSAVE area.
pub const XSAVE_HEADER_OFFSET: usize = 512;
/// Size of the XSAVE header.
pub const XSAVE_HEADER_SIZE: usize = 64;

/// `struct _fpx_sw_bytes`: the software-reserved tail of the FXSAVE area
/// (48 bytes at `FPX_SW_BYTES_OFFSET`) describing the XSAVE state.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct FpxSwBytes {
    /// `FP_XSTATE_MAGIC1` if the XSAVE state is present.
    pub magic1: u32,
    /// Size of the whole FPU state in the frame, `FP_XSTATE_MAGIC2` included.
    pub extended_size: u32,
    /// XSAVE features saved (`XCR0` bits).
    pub xfeatures: u64,
    /// Size of the XSAVE area (without `FP_XSTATE_MAGIC2`).
    pub xstate_size: u32,
    pub padding: [u32; 7],
}

/// `struct iovec`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Iovec {
    pub iov_base: u64,
    pub iov_len: u64,
}

/// `UIO_MAXIOV`: most iovecs one call accepts.
pub const UIO_MAXIOV: usize = 1024;

/// `struct pollfd`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct PollFd {
    pub fd: i32,
    pub events: i16,
    pub revents: i16,
}

/// `struct winsize` (TIOCGWINSZ/TIOCSWINSZ).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Winsize {
    pub ws_row: u16,
    pub ws_col: u16,
    pub ws_xpixel: u16,
    pub ws_ypixel: u16,
}

/// `NCCS` of the kernel's `struct termios`.
pub const NCCS: usize = 19;

/// The kernel's `struct termios` of TCGETS/TCSETS on x86_64 (36 bytes; no
/// speed fields, unlike glibc's).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Termios {
    pub c_iflag: u32,
    pub c_oflag: u32,
    pub c_cflag: u32,
    pub c_lflag: u32,
    pub c_line: u8,
    pub c_cc: [u8; NCCS],
}

/// `struct termios2` of TCGETS2/TCSETS2 (44 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Termios2 {
    pub c_iflag: u32,
    pub c_oflag: u32,
    pub c_cflag: u32,
    pub c_lflag: u32,
    pub c_line: u8,
    pub c_cc: [u8; NCCS],
    pub c_ispeed: u32,
    pub c_ospeed: u32,
}

/// `struct rusage` (144 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Rusage {
    pub ru_utime: Timeval,
    pub ru_stime: Timeval,
    pub ru_maxrss: i64,
    pub ru_ixrss: i64,
    pub ru_idrss: i64,
    pub ru_isrss: i64,
    pub ru_minflt: i64,
    pub ru_majflt: i64,
    pub ru_nswap: i64,
    pub ru_inblock: i64,
    pub ru_oublock: i64,
    pub ru_msgsnd: i64,
    pub ru_msgrcv: i64,
    pub ru_nsignals: i64,
    pub ru_nvcsw: i64,
    pub ru_nivcsw: i64,
}

/// `struct tms` of times(2).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Tms {
    pub tms_utime: i64,
    pub tms_stime: i64,
    pub tms_cutime: i64,
    pub tms_cstime: i64,
}

/// One ELF auxiliary vector entry (`Elf64_auxv_t`).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct AuxvEntry {
    pub a_type: u64,
    pub a_val: u64,
}

/// `struct statx_timestamp`.
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct StatxTimestamp {
    pub tv_sec: i64,
    pub tv_nsec: u32,
    pub __reserved: i32,
}

/// `struct statx` (256 bytes, as of Linux 6.16).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Statx {
    pub stx_mask: u32,
    pub stx_blksize: u32,
    pub stx_attributes: u64,
    pub stx_nlink: u32,
    pub stx_uid: u32,
    pub stx_gid: u32,
    pub stx_mode: u16,
    pub __spare0: [u16; 1],
    pub stx_ino: u64,
    pub stx_size: u64,
    pub stx_blocks: u64,
    pub stx_attributes_mask: u64,
    pub stx_atime: StatxTimestamp,
    pub stx_btime: StatxTimestamp,
    pub stx_ctime: StatxTimestamp,
    pub stx_mtime: StatxTimestamp,
    pub stx_rdev_major: u32,
    pub stx_rdev_minor: u32,
    pub stx_dev_major: u32,
    pub stx_dev_minor: u32,
    pub stx_mnt_id: u64,
    pub stx_dio_mem_align: u32,
    pub stx_dio_offset_align: u32,
    pub stx_subvol: u64,
    pub stx_atomic_write_unit_min: u32,
    pub stx_atomic_write_unit_max: u32,
    pub stx_atomic_write_segments_max: u32,
    pub stx_dio_read_offset_align: u32,
    pub stx_atomic_write_unit_max_opt: u32,
    pub __spare2: [u32; 1],
    pub __spare3: [u64; 8],
}

/// statx mask bits (`STATX_*`).
pub mod statx_mask {
    /// `stx_mode & S_IFMT`.
    pub const STATX_TYPE: u32 = 0x0000_0001;
    /// `stx_mode & !S_IFMT`.
    pub const STATX_MODE: u32 = 0x0000_0002;
    /// `stx_nlink`.
    pub const STATX_NLINK: u32 = 0x0000_0004;
    /// `stx_uid`.
    pub const STATX_UID: u32 = 0x0000_0008;
    /// `stx_gid`.
    pub const STATX_GID: u32 = 0x0000_0010;
    /// `stx_atime`.
    pub const STATX_ATIME: u32 = 0x0000_0020;
    /// `stx_mtime`.
    pub const STATX_MTIME: u32 = 0x0000_0040;
    /// `stx_ctime`.
    pub const STATX_CTIME: u32 = 0x0000_0080;
    /// `stx_ino`.
    pub const STATX_INO: u32 = 0x0000_0100;
    /// `stx_size`.
    pub const STATX_SIZE: u32 = 0x0000_0200;
    /// `stx_blocks`.
    pub const STATX_BLOCKS: u32 = 0x0000_0400;
    /// Everything `struct stat` has.
    pub const STATX_BASIC_STATS: u32 = 0x0000_07ff;
    /// `stx_btime`.
    pub const STATX_BTIME: u32 = 0x0000_0800;
    /// `stx_mnt_id`.
    pub const STATX_MNT_ID: u32 = 0x0000_1000;
    /// `stx_dio_mem_align`, `stx_dio_offset_align`.
    pub const STATX_DIOALIGN: u32 = 0x0000_2000;
    /// Unique `stx_mnt_id`.
    pub const STATX_MNT_ID_UNIQUE: u32 = 0x0000_4000;
    /// `stx_subvol`.
    pub const STATX_SUBVOL: u32 = 0x0000_8000;
    /// The atomic write fields.
    pub const STATX_WRITE_ATOMIC: u32 = 0x0001_0000;
    /// `stx_dio_read_offset_align`.
    pub const STATX_DIO_READ_ALIGN: u32 = 0x0002_0000;
}

/// `struct linux_dirent64` of getdents64(2): `d_ino` (u64) at 0, `d_off`
/// (i64) at 8, `d_reclen` (u16) at 16, `d_type` (u8) at 18, then the
/// NUL-terminated name at 19; records are padded to 8 bytes.
pub const DIRENT64_INO_OFFSET: usize = 0;
/// `linux_dirent64.d_off`.
pub const DIRENT64_OFF_OFFSET: usize = 8;
/// `linux_dirent64.d_reclen`.
pub const DIRENT64_RECLEN_OFFSET: usize = 16;
/// `linux_dirent64.d_type`.
pub const DIRENT64_TYPE_OFFSET: usize = 18;
/// `linux_dirent64.d_name`.
pub const DIRENT64_NAME_OFFSET: usize = 19;
/// Size of the `linux_dirent64` header before the name.
pub const DIRENT64_HEADER_SIZE: usize = 19;

/// `d_reclen` of a `linux_dirent64` whose name is `name_len` bytes (NUL not
/// counted): header + name + NUL, rounded up to 8.
pub const fn dirent64_reclen(name_len: usize) -> usize {
    (DIRENT64_HEADER_SIZE + name_len + 1 + 7) & !7
}

/// `struct linux_dirent` of the old getdents(2): `d_ino` at 0, `d_off` at
/// 8, `d_reclen` at 16, name at 18; `d_type` is the record's last byte.
pub const DIRENT_NAME_OFFSET: usize = 18;

/// `d_reclen` of a `linux_dirent` (name + NUL + `d_type`, rounded up to 8).
pub const fn dirent_reclen(name_len: usize) -> usize {
    (DIRENT_NAME_OFFSET + name_len + 2 + 7) & !7
}

/// `d_type`: unknown.
pub const DT_UNKNOWN: u8 = 0;
/// `d_type`: FIFO.
pub const DT_FIFO: u8 = 1;
/// `d_type`: character device.
pub const DT_CHR: u8 = 2;
/// `d_type`: directory.
pub const DT_DIR: u8 = 4;
/// `d_type`: block device.
pub const DT_BLK: u8 = 6;
/// `d_type`: regular file.
pub const DT_REG: u8 = 8;
/// `d_type`: symbolic link.
pub const DT_LNK: u8 = 10;
/// `d_type`: socket.
pub const DT_SOCK: u8 = 12;
/// `d_type`: whiteout.
pub const DT_WHT: u8 = 14;

/// `S_IFMT`: the file-type bits of a mode.
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO.
pub const S_IFIFO: u32 = 0o010000;

/// `struct open_how` of openat2(2).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct OpenHow {
    pub flags: u64,
    pub mode: u64,
    pub resolve: u64,
}

/// The x86_64 `struct statfs` of statfs(2)/fstatfs(2) (120 bytes).
#[derive(
    FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
#[repr(C)]
pub struct Statfs {
    pub f_type: i64,
    pub f_bsize: i64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    pub f_fsid: [i32; 2],
    pub f_namelen: i64,
    pub f_frsize: i64,
    pub f_flags: i64,
    pub f_spare: [i64; 4],
}

/// Filesystem magic numbers reported in `f_type`.
pub mod fs_magic {
    pub const PROC_SUPER_MAGIC: i64 = 0x9fa0;
    pub const SYSFS_MAGIC: i64 = 0x6265_6572;
    pub const TMPFS_MAGIC: i64 = 0x0102_1994;
    pub const DEBUGFS_MAGIC: i64 = 0x6462_6720;
    pub const DEVPTS_SUPER_MAGIC: i64 = 0x1cd1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn sizes() {
        assert_eq!(size_of::<Timespec>(), 16);
        assert_eq!(size_of::<Timeval>(), 16);
        assert_eq!(size_of::<Timezone>(), 8);
        assert_eq!(size_of::<Itimerspec>(), 32);
        assert_eq!(size_of::<Itimerval>(), 32);
        assert_eq!(size_of::<Stat>(), 144);
        assert_eq!(size_of::<OpenHow>(), 24);
        assert_eq!(size_of::<Statfs>(), 120);
        assert_eq!(size_of::<Utsname>(), 390);
        assert_eq!(size_of::<Sysinfo>(), 112);
        assert_eq!(size_of::<Rlimit>(), 16);
        assert_eq!(size_of::<KSigaction>(), 32);
        assert_eq!(size_of::<StackT>(), 24);
        assert_eq!(size_of::<Siginfo>(), SIGINFO_SIZE);
        assert_eq!(size_of::<Sigcontext>(), 256);
        assert_eq!(size_of::<Ucontext>(), 304);
        assert_eq!(size_of::<FpxSwBytes>(), 48);
        assert_eq!(size_of::<Iovec>(), 16);
        assert_eq!(size_of::<PollFd>(), 8);
        assert_eq!(size_of::<Winsize>(), 8);
        assert_eq!(size_of::<Termios>(), 36);
        assert_eq!(size_of::<Termios2>(), 44);
        assert_eq!(size_of::<Rusage>(), 144);
        assert_eq!(size_of::<Tms>(), 32);
        assert_eq!(size_of::<AuxvEntry>(), 16);
        assert_eq!(size_of::<StatxTimestamp>(), 16);
        assert_eq!(size_of::<Statx>(), 256);
    }

    #[test]
    fn stat_offsets() {
        assert_eq!(offset_of!(Stat, st_dev), 0);
        assert_eq!(offset_of!(Stat, st_ino), 8);
        assert_eq!(offset_of!(Stat, st_nlink), 16);
        assert_eq!(offset_of!(Stat, st_mode), 24);
        assert_eq!(offset_of!(Stat, st_uid), 28);
        assert_eq!(offset_of!(Stat, st_gid), 32);
        assert_eq!(offset_of!(Stat, st_rdev), 40);
        assert_eq!(offset_of!(Stat, st_size), 48);
        assert_eq!(offset_of!(Stat, st_blksize), 56);
        assert_eq!(offset_of!(Stat, st_blocks), 64);
        assert_eq!(offset_of!(Stat, st_atime), 72);
        assert_eq!(offset_of!(Stat, st_mtime), 88);
        assert_eq!(offset_of!(Stat, st_ctime), 104);
        assert_eq!(offset_of!(Stat, st_ctime_nsec), 112);
    }

    #[test]
    fn sysinfo_and_rusage_offsets() {
        assert_eq!(offset_of!(Sysinfo, uptime), 0);
        assert_eq!(offset_of!(Sysinfo, loads), 8);
        assert_eq!(offset_of!(Sysinfo, totalram), 32);
        assert_eq!(offset_of!(Sysinfo, freeswap), 72);
        assert_eq!(offset_of!(Sysinfo, procs), 80);
        assert_eq!(offset_of!(Sysinfo, totalhigh), 88);
        assert_eq!(offset_of!(Sysinfo, freehigh), 96);
        assert_eq!(offset_of!(Sysinfo, mem_unit), 104);
        assert_eq!(offset_of!(Rusage, ru_stime), 16);
        assert_eq!(offset_of!(Rusage, ru_maxrss), 32);
        assert_eq!(offset_of!(Rusage, ru_nivcsw), 136);
        assert_eq!(offset_of!(Utsname, nodename), 65);
        assert_eq!(offset_of!(Utsname, machine), 260);
        assert_eq!(offset_of!(Utsname, domainname), 325);
    }

    #[test]
    fn signal_offsets() {
        assert_eq!(offset_of!(KSigaction, handler), 0);
        assert_eq!(offset_of!(KSigaction, flags), 8);
        assert_eq!(offset_of!(KSigaction, restorer), 16);
        assert_eq!(offset_of!(KSigaction, mask), 24);
        assert_eq!(offset_of!(StackT, ss_flags), 8);
        assert_eq!(offset_of!(StackT, ss_size), 16);
        assert_eq!(offset_of!(Siginfo, si_errno), 4);
        assert_eq!(offset_of!(Siginfo, si_code), 8);
        assert_eq!(offset_of!(Siginfo, fields), 16);
        // glibc's gregs order: REG_R8 = 0 ... REG_RIP = 16, REG_EFL = 17,
        // REG_CSGSFS = 18, REG_ERR = 19, REG_TRAPNO = 20, REG_OLDMASK = 21,
        // REG_CR2 = 22; fpregs pointer follows.
        assert_eq!(offset_of!(Sigcontext, r8), 0);
        assert_eq!(offset_of!(Sigcontext, r15), 7 * 8);
        assert_eq!(offset_of!(Sigcontext, rdi), 8 * 8);
        assert_eq!(offset_of!(Sigcontext, rsi), 9 * 8);
        assert_eq!(offset_of!(Sigcontext, rbp), 10 * 8);
        assert_eq!(offset_of!(Sigcontext, rbx), 11 * 8);
        assert_eq!(offset_of!(Sigcontext, rdx), 12 * 8);
        assert_eq!(offset_of!(Sigcontext, rax), 13 * 8);
        assert_eq!(offset_of!(Sigcontext, rcx), 14 * 8);
        assert_eq!(offset_of!(Sigcontext, rsp), 15 * 8);
        assert_eq!(offset_of!(Sigcontext, rip), 16 * 8);
        assert_eq!(offset_of!(Sigcontext, eflags), 17 * 8);
        assert_eq!(offset_of!(Sigcontext, cs), 18 * 8);
        assert_eq!(offset_of!(Sigcontext, gs), 18 * 8 + 2);
        assert_eq!(offset_of!(Sigcontext, fs), 18 * 8 + 4);
        assert_eq!(offset_of!(Sigcontext, ss), 18 * 8 + 6);
        assert_eq!(offset_of!(Sigcontext, err), 19 * 8);
        assert_eq!(offset_of!(Sigcontext, trapno), 20 * 8);
        assert_eq!(offset_of!(Sigcontext, oldmask), 21 * 8);
        assert_eq!(offset_of!(Sigcontext, cr2), 22 * 8);
        assert_eq!(offset_of!(Sigcontext, fpstate), 23 * 8);
        assert_eq!(offset_of!(Sigcontext, reserved1), 24 * 8);
        assert_eq!(offset_of!(Ucontext, uc_link), 8);
        assert_eq!(offset_of!(Ucontext, uc_stack), 16);
        assert_eq!(offset_of!(Ucontext, uc_mcontext), 40);
        assert_eq!(offset_of!(Ucontext, uc_sigmask), 296);
        // rt_sigframe: pretcode, uc, info.
        assert_eq!(
            RT_SIGFRAME_INFO_OFFSET,
            RT_SIGFRAME_UC_OFFSET + size_of::<Ucontext>()
        );
        assert_eq!(
            RT_SIGFRAME_SIZE,
            RT_SIGFRAME_INFO_OFFSET + size_of::<Siginfo>()
        );
        assert_eq!(FPX_SW_BYTES_OFFSET + size_of::<FpxSwBytes>(), FXSAVE_SIZE);
        assert_eq!(offset_of!(FpxSwBytes, extended_size), 4);
        assert_eq!(offset_of!(FpxSwBytes, xfeatures), 8);
        assert_eq!(offset_of!(FpxSwBytes, xstate_size), 16);
    }

    #[test]
    fn siginfo_accessors() {
        let mut s = Siginfo::kill(10, -6, 1234, 1000);
        assert_eq!(
            (s.si_signo, s.si_code, s.pid(), s.uid()),
            (10, -6, 1234, 1000)
        );
        let b = s.as_bytes();
        assert_eq!(&b[16..20], &1234i32.to_ne_bytes());
        assert_eq!(&b[20..24], &1000u32.to_ne_bytes());
        s.set_value(0xdead_beef_0000_0001);
        assert_eq!(
            &s.as_bytes()[24..32],
            &0xdead_beef_0000_0001u64.to_ne_bytes()
        );
        assert_eq!(s.value(), 0xdead_beef_0000_0001);

        let f = Siginfo::fault(11, 2, 0x7fff_0000_1000);
        assert_eq!(f.addr(), 0x7fff_0000_1000);
        assert_eq!(&f.as_bytes()[16..24], &0x7fff_0000_1000u64.to_ne_bytes());

        let mut sys = Siginfo::new(31, 1);
        sys.set_call_addr(0x40_1000);
        sys.set_syscall(999);
        sys.set_arch(AUDIT_ARCH_X86_64);
        assert_eq!(
            (sys.call_addr(), sys.syscall(), sys.arch()),
            (0x40_1000, 999, AUDIT_ARCH_X86_64)
        );
        assert_eq!(&sys.as_bytes()[24..28], &999i32.to_ne_bytes());
        assert_eq!(&sys.as_bytes()[28..32], &AUDIT_ARCH_X86_64.to_ne_bytes());

        let mut chld = Siginfo::kill(17, 1, 42, 0);
        chld.set_status(3);
        chld.set_utime(7);
        chld.set_stime(9);
        assert_eq!((chld.status(), chld.utime(), chld.stime()), (3, 7, 9));
        assert_eq!(&chld.as_bytes()[32..40], &7i64.to_ne_bytes());
        assert_eq!(&chld.as_bytes()[40..48], &9i64.to_ne_bytes());

        let mut t = Siginfo::new(14, -2);
        t.set_timerid(5);
        t.set_overrun(2);
        assert_eq!((t.timerid(), t.overrun()), (5, 2));
        let mut io = Siginfo::new(29, 1);
        io.set_band(0x41);
        io.set_fd(7);
        assert_eq!((io.band(), io.fd()), (0x41, 7));
    }

    #[test]
    fn small_struct_offsets() {
        assert_eq!(offset_of!(PollFd, events), 4);
        assert_eq!(offset_of!(PollFd, revents), 6);
        assert_eq!(offset_of!(Winsize, ws_col), 2);
        assert_eq!(offset_of!(Winsize, ws_ypixel), 6);
        assert_eq!(offset_of!(Termios, c_lflag), 12);
        assert_eq!(offset_of!(Termios, c_line), 16);
        assert_eq!(offset_of!(Termios, c_cc), 17);
        assert_eq!(offset_of!(Termios2, c_ispeed), 36);
        assert_eq!(offset_of!(Iovec, iov_len), 8);
        assert_eq!(offset_of!(Timespec, tv_nsec), 8);
        assert_eq!(offset_of!(Timezone, tz_dsttime), 4);
        assert_eq!(offset_of!(Rlimit, rlim_max), 8);
        assert_eq!(offset_of!(AuxvEntry, a_val), 8);
    }

    #[test]
    fn statx_offsets() {
        assert_eq!(offset_of!(StatxTimestamp, tv_nsec), 8);
        assert_eq!(offset_of!(Statx, stx_blksize), 4);
        assert_eq!(offset_of!(Statx, stx_attributes), 8);
        assert_eq!(offset_of!(Statx, stx_nlink), 16);
        assert_eq!(offset_of!(Statx, stx_uid), 20);
        assert_eq!(offset_of!(Statx, stx_gid), 24);
        assert_eq!(offset_of!(Statx, stx_mode), 28);
        assert_eq!(offset_of!(Statx, stx_ino), 32);
        assert_eq!(offset_of!(Statx, stx_size), 40);
        assert_eq!(offset_of!(Statx, stx_blocks), 48);
        assert_eq!(offset_of!(Statx, stx_attributes_mask), 56);
        assert_eq!(offset_of!(Statx, stx_atime), 0x40);
        assert_eq!(offset_of!(Statx, stx_btime), 0x50);
        assert_eq!(offset_of!(Statx, stx_ctime), 0x60);
        assert_eq!(offset_of!(Statx, stx_mtime), 0x70);
        assert_eq!(offset_of!(Statx, stx_rdev_major), 0x80);
        assert_eq!(offset_of!(Statx, stx_dev_major), 0x88);
        assert_eq!(offset_of!(Statx, stx_mnt_id), 0x90);
        assert_eq!(offset_of!(Statx, stx_dio_mem_align), 0x98);
        assert_eq!(offset_of!(Statx, stx_subvol), 0xa0);
        assert_eq!(offset_of!(Statx, stx_atomic_write_unit_min), 0xa8);
        assert_eq!(offset_of!(Statx, stx_dio_read_offset_align), 0xb4);
        assert_eq!(offset_of!(Statx, stx_atomic_write_unit_max_opt), 0xb8);
        assert_eq!(offset_of!(Statx, __spare3), 0xc0);
    }

    #[test]
    fn dirents() {
        assert_eq!(dirent64_reclen(1), 24);
        assert_eq!(dirent64_reclen(4), 24);
        assert_eq!(dirent64_reclen(5), 32);
        assert_eq!(dirent_reclen(1), 24);
        assert_eq!(dirent_reclen(4), 24);
        assert_eq!(dirent_reclen(5), 32);
        assert_eq!(DIRENT64_NAME_OFFSET, DIRENT64_TYPE_OFFSET + 1);
    }

    #[test]
    fn defaults_are_zero() {
        assert!(Utsname::default().as_bytes().iter().all(|&b| b == 0));
        assert!(Siginfo::default().as_bytes().iter().all(|&b| b == 0));
        assert!(Ucontext::default().as_bytes().iter().all(|&b| b == 0));
    }
}
