//! Flag bits and enumerated argument values of Linux x86_64 syscalls.
//!
//! Bit sets are `bitflags` types whose constants carry the Linux name without
//! its prefix (`OpenFlags::CLOEXEC` is `O_CLOEXEC`); `--trace` prints prefix +
//! name, in declaration order (strace's order), stripping a leading `_`
//! (`MapFlags::_32BIT` is `MAP_32BIT`). Enumerated values are plain constants
//! with their full names, each set with a `xxx_name(v) -> Option<&str>`.

use bitflags::bitflags;

/// Declares `pub const NAME: $ty = value;` for each entry and a
/// `pub const fn $fname(v: u64) -> Option<&'static str>` giving the name of
/// a value (the first listed wins for aliases).
macro_rules! named_values {
    ($(#[$doc:meta])* fn $fname:ident: $ty:ty { $($(#[$m:meta])* $name:ident = $val:expr,)* }) => {
        $($(#[$m])* pub const $name: $ty = $val;)*

        $(#[$doc])*
        pub const fn $fname(v: u64) -> Option<&'static str> {
            $(if v == $name as u64 { return Some(stringify!($name)); })*
            None
        }
    };
}

/// Gives each flags type an inherent `FLAGS` (the named flags in declaration
/// order), so `OpenFlags::FLAGS` works without `bitflags::Flags` in scope.
macro_rules! inherent_flags {
    ($($t:ty),* $(,)?) => {
        $(impl $t {
            /// The named flags, in declaration order (the order tracing prints).
            pub const FLAGS: &'static [bitflags::Flag<$t>] = <$t as bitflags::Flags>::FLAGS;
        })*
    };
}

inherent_flags!(
    OpenFlags,
    ProtFlags,
    MapFlags,
    MremapFlags,
    AtFlags,
    GrndFlags,
    CloneFlags,
    WaitOptions,
    PollEvents
);

// ---------------------------------------------------------------- open(2)

/// `O_RDONLY`: the access mode 0.
pub const O_RDONLY: u32 = 0;
/// `O_ACCMODE`: the access-mode bits.
pub const O_ACCMODE: u32 = 3;

bitflags! {
    /// `O_*` flags of open(2), openat(2), fcntl(F_GETFL) (x86_64 values).
    /// The access mode is `bits & O_ACCMODE` (`O_RDONLY` is 0).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct OpenFlags: u32 {
        /// `O_WRONLY` (access mode).
        const WRONLY = 0o1;
        /// `O_RDWR` (access mode).
        const RDWR = 0o2;
        /// `O_CREAT`.
        const CREAT = 0o100;
        /// `O_EXCL`.
        const EXCL = 0o200;
        /// `O_NOCTTY`.
        const NOCTTY = 0o400;
        /// `O_TRUNC`.
        const TRUNC = 0o1000;
        /// `O_APPEND`.
        const APPEND = 0o2000;
        /// `O_NONBLOCK` (`O_NDELAY`).
        const NONBLOCK = 0o4000;
        /// `O_SYNC`: `__O_SYNC | O_DSYNC`.
        const SYNC = 0o4010000;
        /// `O_DSYNC`.
        const DSYNC = 0o10000;
        /// `O_DIRECT`.
        const DIRECT = 0o40000;
        /// `O_LARGEFILE` (no effect on x86_64, but reported by F_GETFL).
        const LARGEFILE = 0o100000;
        /// `O_NOFOLLOW`.
        const NOFOLLOW = 0o400000;
        /// `O_NOATIME`.
        const NOATIME = 0o1000000;
        /// `O_CLOEXEC`.
        const CLOEXEC = 0o2000000;
        /// `O_PATH`.
        const PATH = 0o10000000;
        /// `O_TMPFILE`: `__O_TMPFILE | O_DIRECTORY`.
        const TMPFILE = 0o20200000;
        /// `O_DIRECTORY`.
        const DIRECTORY = 0o200000;
        /// `O_ASYNC` (`FASYNC`).
        const ASYNC = 0o20000;
    }
}

/// `FD_CLOEXEC`: the close-on-exec bit of F_GETFD/F_SETFD.
pub const FD_CLOEXEC: u32 = 1;

// ---------------------------------------------------------------- mmap(2)

bitflags! {
    /// `PROT_*` bits of mmap(2)/mprotect(2); `PROT_NONE` is 0.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ProtFlags: u32 {
        /// `PROT_READ`.
        const READ = 0x1;
        /// `PROT_WRITE`.
        const WRITE = 0x2;
        /// `PROT_EXEC`.
        const EXEC = 0x4;
        /// `PROT_SEM`.
        const SEM = 0x8;
        /// `PROT_GROWSDOWN` (mprotect only).
        const GROWSDOWN = 0x0100_0000;
        /// `PROT_GROWSUP` (mprotect only).
        const GROWSUP = 0x0200_0000;
    }
}

/// `PROT_NONE`.
pub const PROT_NONE: u32 = 0;
/// `MAP_TYPE`: the mapping-type bits of mmap flags (SHARED, PRIVATE,
/// SHARED_VALIDATE).
pub const MAP_TYPE: u32 = 0xf;
/// `MAP_FAILED` as a raw address.
pub const MAP_FAILED: u64 = u64::MAX;

bitflags! {
    /// `MAP_*` flags of mmap(2) (x86_64 values). The mapping type is
    /// `bits & MAP_TYPE`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct MapFlags: u32 {
        /// `MAP_SHARED` (type).
        const SHARED = 0x01;
        /// `MAP_PRIVATE` (type).
        const PRIVATE = 0x02;
        /// `MAP_SHARED_VALIDATE` (type): shared, unknown flags are an error.
        const SHARED_VALIDATE = 0x03;
        /// `MAP_FIXED`.
        const FIXED = 0x10;
        /// `MAP_ANONYMOUS`.
        const ANONYMOUS = 0x20;
        /// `MAP_32BIT`: map in the low 2 GiB.
        const _32BIT = 0x40;
        /// `MAP_ABOVE4G`: map above 4 GiB.
        const ABOVE4G = 0x80;
        /// `MAP_NORESERVE`.
        const NORESERVE = 0x4000;
        /// `MAP_POPULATE`.
        const POPULATE = 0x8000;
        /// `MAP_NONBLOCK`.
        const NONBLOCK = 0x1_0000;
        /// `MAP_GROWSDOWN`.
        const GROWSDOWN = 0x100;
        /// `MAP_DENYWRITE` (ignored).
        const DENYWRITE = 0x800;
        /// `MAP_EXECUTABLE` (ignored).
        const EXECUTABLE = 0x1000;
        /// `MAP_LOCKED`.
        const LOCKED = 0x2000;
        /// `MAP_STACK`.
        const STACK = 0x2_0000;
        /// `MAP_HUGETLB`.
        const HUGETLB = 0x4_0000;
        /// `MAP_SYNC` (with SHARED_VALIDATE, DAX files).
        const SYNC = 0x8_0000;
        /// `MAP_UNINITIALIZED`.
        const UNINITIALIZED = 0x400_0000;
        /// `MAP_FIXED_NOREPLACE`.
        const FIXED_NOREPLACE = 0x10_0000;
    }
}

bitflags! {
    /// `MREMAP_*` flags of mremap(2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct MremapFlags: u32 {
        /// `MREMAP_MAYMOVE`.
        const MAYMOVE = 1;
        /// `MREMAP_FIXED`.
        const FIXED = 2;
        /// `MREMAP_DONTUNMAP`.
        const DONTUNMAP = 4;
    }
}

named_values! {
    /// The name of a madvise(2) advice (`"MADV_DONTNEED"`).
    fn madvise_name: u32 {
        MADV_NORMAL = 0,
        MADV_RANDOM = 1,
        MADV_SEQUENTIAL = 2,
        MADV_WILLNEED = 3,
        MADV_DONTNEED = 4,
        MADV_FREE = 8,
        MADV_REMOVE = 9,
        MADV_DONTFORK = 10,
        MADV_DOFORK = 11,
        MADV_MERGEABLE = 12,
        MADV_UNMERGEABLE = 13,
        MADV_HUGEPAGE = 14,
        MADV_NOHUGEPAGE = 15,
        MADV_DONTDUMP = 16,
        MADV_DODUMP = 17,
        MADV_WIPEONFORK = 18,
        MADV_KEEPONFORK = 19,
        MADV_COLD = 20,
        MADV_PAGEOUT = 21,
        MADV_POPULATE_READ = 22,
        MADV_POPULATE_WRITE = 23,
        MADV_DONTNEED_LOCKED = 24,
        MADV_COLLAPSE = 25,
        MADV_HWPOISON = 100,
        MADV_SOFT_OFFLINE = 101,
        MADV_GUARD_INSTALL = 102,
        MADV_GUARD_REMOVE = 103,
    }
}

// ---------------------------------------------------------------- *at(2)

/// `AT_FDCWD`: the dirfd meaning "the current directory".
pub const AT_FDCWD: i32 = -100;
/// `AT_EACCESS` (faccessat): check with effective ids. Same bit as
/// `AT_REMOVEDIR`.
pub const AT_EACCESS: u32 = 0x200;

bitflags! {
    /// `AT_*` flags of the *at syscalls and statx.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct AtFlags: u32 {
        /// `AT_SYMLINK_NOFOLLOW`.
        const SYMLINK_NOFOLLOW = 0x100;
        /// `AT_REMOVEDIR` (unlinkat); `AT_EACCESS` for faccessat.
        const REMOVEDIR = 0x200;
        /// `AT_SYMLINK_FOLLOW` (linkat).
        const SYMLINK_FOLLOW = 0x400;
        /// `AT_NO_AUTOMOUNT`.
        const NO_AUTOMOUNT = 0x800;
        /// `AT_EMPTY_PATH`.
        const EMPTY_PATH = 0x1000;
        /// `AT_STATX_FORCE_SYNC`.
        const STATX_FORCE_SYNC = 0x2000;
        /// `AT_STATX_DONT_SYNC`.
        const STATX_DONT_SYNC = 0x4000;
        /// `AT_RECURSIVE` (open_tree, mount_setattr).
        const RECURSIVE = 0x8000;
    }
}

bitflags! {
    /// `RESOLVE_*` flags of openat2(2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ResolveFlags: u64 {
        /// `RESOLVE_NO_XDEV`.
        const NO_XDEV = 0x01;
        /// `RESOLVE_NO_MAGICLINKS`.
        const NO_MAGICLINKS = 0x02;
        /// `RESOLVE_NO_SYMLINKS`.
        const NO_SYMLINKS = 0x04;
        /// `RESOLVE_BENEATH`.
        const BENEATH = 0x08;
        /// `RESOLVE_IN_ROOT`.
        const IN_ROOT = 0x10;
        /// `RESOLVE_CACHED`.
        const CACHED = 0x20;
    }
}

bitflags! {
    /// `RENAME_*` flags of renameat2(2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct RenameFlags: u32 {
        /// `RENAME_NOREPLACE`.
        const NOREPLACE = 1;
        /// `RENAME_EXCHANGE`.
        const EXCHANGE = 2;
        /// `RENAME_WHITEOUT`.
        const WHITEOUT = 4;
    }
}

/// `SEEK_*` whence values of lseek(2).
pub mod seek {
    pub const SEEK_SET: u32 = 0;
    pub const SEEK_CUR: u32 = 1;
    pub const SEEK_END: u32 = 2;
    pub const SEEK_DATA: u32 = 3;
    pub const SEEK_HOLE: u32 = 4;
}

/// access(2) modes.
pub const F_OK: u32 = 0;
/// `R_OK | W_OK | X_OK`.
pub const ACCESS_MODES: u32 = 7;
/// `W_OK`.
pub const W_OK: u32 = 2;

// ---------------------------------------------------------------- misc bits

bitflags! {
    /// `GRND_*` flags of getrandom(2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct GrndFlags: u32 {
        /// `GRND_NONBLOCK`.
        const NONBLOCK = 1;
        /// `GRND_RANDOM`.
        const RANDOM = 2;
        /// `GRND_INSECURE`.
        const INSECURE = 4;
    }
}

/// `CSIGNAL`: the low byte of clone(2) flags is the exit signal.
pub const CSIGNAL: u64 = 0xff;

bitflags! {
    /// `CLONE_*` flags of clone(2), clone3(2), unshare(2) and setns(2)
    /// (without the `CSIGNAL` byte, except `NEWTIME`, which shares it and is
    /// valid only for clone3/unshare).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct CloneFlags: u64 {
        /// `CLONE_VM`.
        const VM = 0x0000_0100;
        /// `CLONE_FS`.
        const FS = 0x0000_0200;
        /// `CLONE_FILES`.
        const FILES = 0x0000_0400;
        /// `CLONE_SIGHAND`.
        const SIGHAND = 0x0000_0800;
        /// `CLONE_PIDFD`.
        const PIDFD = 0x0000_1000;
        /// `CLONE_PTRACE`.
        const PTRACE = 0x0000_2000;
        /// `CLONE_VFORK`.
        const VFORK = 0x0000_4000;
        /// `CLONE_PARENT`.
        const PARENT = 0x0000_8000;
        /// `CLONE_THREAD`.
        const THREAD = 0x0001_0000;
        /// `CLONE_NEWNS`.
        const NEWNS = 0x0002_0000;
        /// `CLONE_SYSVSEM`.
        const SYSVSEM = 0x0004_0000;
        /// `CLONE_SETTLS`.
        const SETTLS = 0x0008_0000;
        /// `CLONE_PARENT_SETTID`.
        const PARENT_SETTID = 0x0010_0000;
        /// `CLONE_CHILD_CLEARTID`.
        const CHILD_CLEARTID = 0x0020_0000;
        /// `CLONE_DETACHED` (ignored).
        const DETACHED = 0x0040_0000;
        /// `CLONE_UNTRACED`.
        const UNTRACED = 0x0080_0000;
        /// `CLONE_CHILD_SETTID`.
        const CHILD_SETTID = 0x0100_0000;
        /// `CLONE_NEWCGROUP`.
        const NEWCGROUP = 0x0200_0000;
        /// `CLONE_NEWUTS`.
        const NEWUTS = 0x0400_0000;
        /// `CLONE_NEWIPC`.
        const NEWIPC = 0x0800_0000;
        /// `CLONE_NEWUSER`.
        const NEWUSER = 0x1000_0000;
        /// `CLONE_NEWPID`.
        const NEWPID = 0x2000_0000;
        /// `CLONE_NEWNET`.
        const NEWNET = 0x4000_0000;
        /// `CLONE_IO`.
        const IO = 0x8000_0000;
        /// `CLONE_CLEAR_SIGHAND` (clone3 only).
        const CLEAR_SIGHAND = 0x1_0000_0000;
        /// `CLONE_INTO_CGROUP` (clone3 only).
        const INTO_CGROUP = 0x2_0000_0000;
        /// `CLONE_NEWTIME` (clone3/unshare only; inside the CSIGNAL byte).
        const NEWTIME = 0x0000_0080;
    }
}

bitflags! {
    /// Options of wait4(2)/waitid(2), named without the `W` (or `__W`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct WaitOptions: u32 {
        /// `WNOHANG`.
        const NOHANG = 0x0000_0001;
        /// `WUNTRACED` (`WSTOPPED` for waitid).
        const UNTRACED = 0x0000_0002;
        /// `WEXITED`.
        const EXITED = 0x0000_0004;
        /// `WCONTINUED`.
        const CONTINUED = 0x0000_0008;
        /// `WNOWAIT`.
        const NOWAIT = 0x0100_0000;
        /// `__WNOTHREAD`.
        const NOTHREAD = 0x2000_0000;
        /// `__WALL`.
        const ALL = 0x4000_0000;
        /// `__WCLONE`.
        const CLONE = 0x8000_0000;
    }
}

/// `WSTOPPED`, the waitid(2) name of `WUNTRACED`.
pub const WSTOPPED: u32 = 2;

bitflags! {
    /// `POLL*` event bits of `struct pollfd` (x86_64 values).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PollEvents: i16 {
        /// `POLLIN`.
        const IN = 0x0001;
        /// `POLLPRI`.
        const PRI = 0x0002;
        /// `POLLOUT`.
        const OUT = 0x0004;
        /// `POLLERR`.
        const ERR = 0x0008;
        /// `POLLHUP`.
        const HUP = 0x0010;
        /// `POLLNVAL`.
        const NVAL = 0x0020;
        /// `POLLRDNORM`.
        const RDNORM = 0x0040;
        /// `POLLRDBAND`.
        const RDBAND = 0x0080;
        /// `POLLWRNORM`.
        const WRNORM = 0x0100;
        /// `POLLWRBAND`.
        const WRBAND = 0x0200;
        /// `POLLMSG`.
        const MSG = 0x0400;
        /// `POLLREMOVE`.
        const REMOVE = 0x1000;
        /// `POLLRDHUP`.
        const RDHUP = 0x2000;
    }
}

// ---------------------------------------------------------------- fcntl(2)

named_values! {
    /// The name of an fcntl(2) command (`"F_SETFD"`).
    fn fcntl_cmd_name: u32 {
        F_DUPFD = 0,
        F_GETFD = 1,
        F_SETFD = 2,
        F_GETFL = 3,
        F_SETFL = 4,
        /// Also `F_GETLK64` on x86_64.
        F_GETLK = 5,
        /// Also `F_SETLK64` on x86_64.
        F_SETLK = 6,
        /// Also `F_SETLKW64` on x86_64.
        F_SETLKW = 7,
        F_SETOWN = 8,
        F_GETOWN = 9,
        F_SETSIG = 10,
        F_GETSIG = 11,
        F_SETOWN_EX = 15,
        F_GETOWN_EX = 16,
        F_GETOWNER_UIDS = 17,
        F_OFD_GETLK = 36,
        F_OFD_SETLK = 37,
        F_OFD_SETLKW = 38,
        F_SETLEASE = 1024,
        F_GETLEASE = 1025,
        F_NOTIFY = 1026,
        F_DUPFD_QUERY = 1027,
        F_CREATED_QUERY = 1028,
        F_CANCELLK = 1029,
        F_DUPFD_CLOEXEC = 1030,
        F_SETPIPE_SZ = 1031,
        F_GETPIPE_SZ = 1032,
        F_ADD_SEALS = 1033,
        F_GET_SEALS = 1034,
        F_GET_RW_HINT = 1035,
        F_SET_RW_HINT = 1036,
        F_GET_FILE_RW_HINT = 1037,
        F_SET_FILE_RW_HINT = 1038,
    }
}

/// `F_RDLCK`: `l_type` of a read lock.
pub const F_RDLCK: i16 = 0;
/// `F_WRLCK`: `l_type` of a write lock.
pub const F_WRLCK: i16 = 1;
/// `F_UNLCK`: `l_type` that releases a lock.
pub const F_UNLCK: i16 = 2;
/// `F_SEAL_SEAL`.
pub const F_SEAL_SEAL: u32 = 0x0001;
/// `F_SEAL_SHRINK`.
pub const F_SEAL_SHRINK: u32 = 0x0002;
/// `F_SEAL_GROW`.
pub const F_SEAL_GROW: u32 = 0x0004;
/// `F_SEAL_WRITE`.
pub const F_SEAL_WRITE: u32 = 0x0008;
/// `F_SEAL_FUTURE_WRITE`.
pub const F_SEAL_FUTURE_WRITE: u32 = 0x0010;
/// `F_SEAL_EXEC`.
pub const F_SEAL_EXEC: u32 = 0x0020;

named_values! {
    /// The name of an lseek(2) whence (`"SEEK_END"`).
    fn whence_name: u32 {
        SEEK_SET = 0,
        SEEK_CUR = 1,
        SEEK_END = 2,
        SEEK_DATA = 3,
        SEEK_HOLE = 4,
    }
}

// ---------------------------------------------------------------- clocks

named_values! {
    /// The name of a clock id (`"CLOCK_MONOTONIC"`); dynamic (negative,
    /// per-process/thread CPU or fd) clocks have none.
    fn clock_name: u32 {
        CLOCK_REALTIME = 0,
        CLOCK_MONOTONIC = 1,
        CLOCK_PROCESS_CPUTIME_ID = 2,
        CLOCK_THREAD_CPUTIME_ID = 3,
        CLOCK_MONOTONIC_RAW = 4,
        CLOCK_REALTIME_COARSE = 5,
        CLOCK_MONOTONIC_COARSE = 6,
        CLOCK_BOOTTIME = 7,
        CLOCK_REALTIME_ALARM = 8,
        CLOCK_BOOTTIME_ALARM = 9,
        /// Obsolete (SGI), never valid on x86_64.
        CLOCK_SGI_CYCLE = 10,
        CLOCK_TAI = 11,
    }
}

/// `TIMER_ABSTIME`: clock_nanosleep/timer_settime flag for an absolute time.
pub const TIMER_ABSTIME: u32 = 1;

// ---------------------------------------------------------------- arch_prctl

named_values! {
    /// The name of an arch_prctl(2) code (`"ARCH_SET_FS"`).
    fn arch_prctl_name: u32 {
        ARCH_SET_GS = 0x1001,
        ARCH_SET_FS = 0x1002,
        ARCH_GET_FS = 0x1003,
        ARCH_GET_GS = 0x1004,
        ARCH_GET_CPUID = 0x1011,
        ARCH_SET_CPUID = 0x1012,
        ARCH_GET_XCOMP_SUPP = 0x1021,
        ARCH_GET_XCOMP_PERM = 0x1022,
        ARCH_REQ_XCOMP_PERM = 0x1023,
        ARCH_GET_XCOMP_GUEST_PERM = 0x1024,
        ARCH_REQ_XCOMP_GUEST_PERM = 0x1025,
        ARCH_MAP_VDSO_X32 = 0x2001,
        ARCH_MAP_VDSO_32 = 0x2002,
        ARCH_MAP_VDSO_64 = 0x2003,
        ARCH_GET_UNTAG_MASK = 0x4001,
        ARCH_ENABLE_TAGGED_ADDR = 0x4002,
        ARCH_GET_MAX_TAG_BITS = 0x4003,
        ARCH_FORCE_TAGGED_SVA = 0x4004,
        ARCH_SHSTK_ENABLE = 0x5001,
        ARCH_SHSTK_DISABLE = 0x5002,
        ARCH_SHSTK_LOCK = 0x5003,
        ARCH_SHSTK_UNLOCK = 0x5004,
        ARCH_SHSTK_STATUS = 0x5005,
    }
}

/// XSTATE feature number of the AMX tile config (ARCH_REQ_XCOMP_PERM argument).
pub const ARCH_XCOMP_TILECFG: u32 = 17;
/// XSTATE feature number of the AMX tile data (ARCH_REQ_XCOMP_PERM argument).
pub const ARCH_XCOMP_TILEDATA: u32 = 18;
/// ARCH_SHSTK_* feature bit: shadow stack.
pub const ARCH_SHSTK_SHSTK: u64 = 1 << 0;
/// ARCH_SHSTK_* feature bit: WRSS instruction.
pub const ARCH_SHSTK_WRSS: u64 = 1 << 1;

// ---------------------------------------------------------------- ioctl(2)

named_values! {
    /// The name of an ioctl(2) request (`"TCGETS"`): terminal, generic file,
    /// filesystem, block-size and socket-interface requests.
    fn ioctl_name: u32 {
        TCGETS = 0x5401,
        TCSETS = 0x5402,
        TCSETSW = 0x5403,
        TCSETSF = 0x5404,
        TCGETA = 0x5405,
        TCSETA = 0x5406,
        TCSETAW = 0x5407,
        TCSETAF = 0x5408,
        TCSBRK = 0x5409,
        TCXONC = 0x540A,
        TCFLSH = 0x540B,
        TIOCEXCL = 0x540C,
        TIOCNXCL = 0x540D,
        TIOCSCTTY = 0x540E,
        TIOCGPGRP = 0x540F,
        TIOCSPGRP = 0x5410,
        TIOCOUTQ = 0x5411,
        TIOCSTI = 0x5412,
        TIOCGWINSZ = 0x5413,
        TIOCSWINSZ = 0x5414,
        TIOCMGET = 0x5415,
        TIOCMBIS = 0x5416,
        TIOCMBIC = 0x5417,
        TIOCMSET = 0x5418,
        TIOCGSOFTCAR = 0x5419,
        TIOCSSOFTCAR = 0x541A,
        /// Also `TIOCINQ`.
        FIONREAD = 0x541B,
        TIOCLINUX = 0x541C,
        TIOCCONS = 0x541D,
        TIOCGSERIAL = 0x541E,
        TIOCSSERIAL = 0x541F,
        TIOCPKT = 0x5420,
        FIONBIO = 0x5421,
        TIOCNOTTY = 0x5422,
        TIOCSETD = 0x5423,
        TIOCGETD = 0x5424,
        TCSBRKP = 0x5425,
        TIOCSBRK = 0x5427,
        TIOCCBRK = 0x5428,
        TIOCGSID = 0x5429,
        /// `_IOR('T', 0x2A, struct termios2)`.
        TCGETS2 = 0x802C_542A,
        /// `_IOW('T', 0x2B, struct termios2)`.
        TCSETS2 = 0x402C_542B,
        /// `_IOW('T', 0x2C, struct termios2)`.
        TCSETSW2 = 0x402C_542C,
        /// `_IOW('T', 0x2D, struct termios2)`.
        TCSETSF2 = 0x402C_542D,
        TIOCGRS485 = 0x542E,
        TIOCSRS485 = 0x542F,
        /// `_IOR('T', 0x30, unsigned int)`.
        TIOCGPTN = 0x8004_5430,
        /// `_IOW('T', 0x31, int)`.
        TIOCSPTLCK = 0x4004_5431,
        /// `_IOR('T', 0x32, unsigned int)`.
        TIOCGDEV = 0x8004_5432,
        TCGETX = 0x5432,
        TCSETX = 0x5433,
        TCSETXF = 0x5434,
        TCSETXW = 0x5435,
        /// `_IOW('T', 0x36, int)`.
        TIOCSIG = 0x4004_5436,
        TIOCVHANGUP = 0x5437,
        /// `_IOR('T', 0x38, int)`.
        TIOCGPKT = 0x8004_5438,
        /// `_IOR('T', 0x39, int)`.
        TIOCGPTLCK = 0x8004_5439,
        /// `_IOR('T', 0x40, int)`.
        TIOCGEXCL = 0x8004_5440,
        TIOCGPTPEER = 0x5441,
        FIONCLEX = 0x5450,
        FIOCLEX = 0x5451,
        FIOASYNC = 0x5452,
        TIOCSERCONFIG = 0x5453,
        TIOCSERGWILD = 0x5454,
        TIOCSERSWILD = 0x5455,
        TIOCGLCKTRMIOS = 0x5456,
        TIOCSLCKTRMIOS = 0x5457,
        TIOCSERGSTRUCT = 0x5458,
        TIOCSERGETLSR = 0x5459,
        TIOCSERGETMULTI = 0x545A,
        TIOCSERSETMULTI = 0x545B,
        TIOCMIWAIT = 0x545C,
        TIOCGICOUNT = 0x545D,
        FIOQSIZE = 0x5460,
        FIBMAP = 1,
        FIGETBSZ = 2,
        /// `_IOWR('X', 119, int)`.
        FIFREEZE = 0xC004_5877,
        /// `_IOWR('X', 120, int)`.
        FITHAW = 0xC004_5878,
        /// `_IOWR('X', 121, struct fstrim_range)`.
        FITRIM = 0xC018_5879,
        /// `_IOW(0x94, 9, int)`.
        FICLONE = 0x4004_9409,
        /// `_IOW(0x94, 13, struct file_clone_range)`.
        FICLONERANGE = 0x4020_940D,
        /// `_IOWR(0x94, 54, struct file_dedupe_range)`.
        FIDEDUPERANGE = 0xC018_9436,
        /// `_IOR('f', 1, long)`.
        FS_IOC_GETFLAGS = 0x8008_6601,
        /// `_IOW('f', 2, long)`.
        FS_IOC_SETFLAGS = 0x4008_6602,
        /// `_IOWR('f', 11, struct fiemap)`.
        FS_IOC_FIEMAP = 0xC020_660B,
        /// `_IOR('v', 1, long)`.
        FS_IOC_GETVERSION = 0x8008_7601,
        /// `_IOR('X', 31, struct fsxattr)`.
        FS_IOC_FSGETXATTR = 0x801C_581F,
        /// `_IOW('X', 32, struct fsxattr)`.
        FS_IOC_FSSETXATTR = 0x401C_5820,
        /// `_IO(0x12, 96)`.
        BLKGETSIZE = 0x1260,
        /// `_IO(0x12, 104)`.
        BLKSSZGET = 0x1268,
        /// `_IOR(0x12, 114, size_t)`.
        BLKGETSIZE64 = 0x8008_1272,
        /// `_IOR('R', 0x00, int)`.
        RNDGETENTCNT = 0x8004_5200,
        FIOSETOWN = 0x8901,
        SIOCSPGRP = 0x8902,
        FIOGETOWN = 0x8903,
        SIOCGPGRP = 0x8904,
        SIOCATMARK = 0x8905,
        SIOCGSTAMP = 0x8906,
        SIOCGSTAMPNS = 0x8907,
        SIOCGIFNAME = 0x8910,
        SIOCGIFCONF = 0x8912,
        SIOCGIFFLAGS = 0x8913,
        SIOCSIFFLAGS = 0x8914,
        SIOCGIFADDR = 0x8915,
        SIOCGIFMTU = 0x8921,
        SIOCGIFHWADDR = 0x8927,
        SIOCGIFINDEX = 0x8933,
    }
}

// ---------------------------------------------------------------- rlimits

named_values! {
    /// The name of an rlimit resource (`"RLIMIT_NOFILE"`).
    fn rlimit_name: u32 {
        RLIMIT_CPU = 0,
        RLIMIT_FSIZE = 1,
        RLIMIT_DATA = 2,
        RLIMIT_STACK = 3,
        RLIMIT_CORE = 4,
        RLIMIT_RSS = 5,
        RLIMIT_NPROC = 6,
        RLIMIT_NOFILE = 7,
        RLIMIT_MEMLOCK = 8,
        RLIMIT_AS = 9,
        RLIMIT_LOCKS = 10,
        RLIMIT_SIGPENDING = 11,
        RLIMIT_MSGQUEUE = 12,
        RLIMIT_NICE = 13,
        RLIMIT_RTPRIO = 14,
        RLIMIT_RTTIME = 15,
    }
}

/// `RLIM_INFINITY`.
pub const RLIM_INFINITY: u64 = u64::MAX;
/// `RLIM_NLIMITS`: the number of resources.
pub const RLIM_NLIMITS: u32 = 16;

// ---------------------------------------------------------------- prctl(2)

named_values! {
    /// The name of a prctl(2) option (`"PR_SET_NAME"`).
    fn prctl_name: u32 {
        PR_SET_PDEATHSIG = 1,
        PR_GET_PDEATHSIG = 2,
        PR_GET_DUMPABLE = 3,
        PR_SET_DUMPABLE = 4,
        PR_GET_UNALIGN = 5,
        PR_SET_UNALIGN = 6,
        PR_GET_KEEPCAPS = 7,
        PR_SET_KEEPCAPS = 8,
        PR_GET_FPEMU = 9,
        PR_SET_FPEMU = 10,
        PR_GET_FPEXC = 11,
        PR_SET_FPEXC = 12,
        PR_GET_TIMING = 13,
        PR_SET_TIMING = 14,
        PR_SET_NAME = 15,
        PR_GET_NAME = 16,
        PR_GET_ENDIAN = 19,
        PR_SET_ENDIAN = 20,
        PR_GET_SECCOMP = 21,
        PR_SET_SECCOMP = 22,
        PR_CAPBSET_READ = 23,
        PR_CAPBSET_DROP = 24,
        PR_GET_TSC = 25,
        PR_SET_TSC = 26,
        PR_GET_SECUREBITS = 27,
        PR_SET_SECUREBITS = 28,
        PR_SET_TIMERSLACK = 29,
        PR_GET_TIMERSLACK = 30,
        PR_TASK_PERF_EVENTS_DISABLE = 31,
        PR_TASK_PERF_EVENTS_ENABLE = 32,
        PR_MCE_KILL = 33,
        PR_MCE_KILL_GET = 34,
        PR_SET_MM = 35,
        PR_SET_CHILD_SUBREAPER = 36,
        PR_GET_CHILD_SUBREAPER = 37,
        PR_SET_NO_NEW_PRIVS = 38,
        PR_GET_NO_NEW_PRIVS = 39,
        PR_GET_TID_ADDRESS = 40,
        PR_SET_THP_DISABLE = 41,
        PR_GET_THP_DISABLE = 42,
        PR_MPX_ENABLE_MANAGEMENT = 43,
        PR_MPX_DISABLE_MANAGEMENT = 44,
        PR_SET_FP_MODE = 45,
        PR_GET_FP_MODE = 46,
        PR_CAP_AMBIENT = 47,
        PR_SVE_SET_VL = 50,
        PR_SVE_GET_VL = 51,
        PR_GET_SPECULATION_CTRL = 52,
        PR_SET_SPECULATION_CTRL = 53,
        PR_PAC_RESET_KEYS = 54,
        PR_SET_TAGGED_ADDR_CTRL = 55,
        PR_GET_TAGGED_ADDR_CTRL = 56,
        PR_SET_IO_FLUSHER = 57,
        PR_GET_IO_FLUSHER = 58,
        PR_SET_SYSCALL_USER_DISPATCH = 59,
        PR_PAC_SET_ENABLED_KEYS = 60,
        PR_PAC_GET_ENABLED_KEYS = 61,
        PR_SCHED_CORE = 62,
        PR_SME_SET_VL = 63,
        PR_SME_GET_VL = 64,
        PR_SET_MDWE = 65,
        PR_GET_MDWE = 66,
        PR_SET_MEMORY_MERGE = 67,
        PR_GET_MEMORY_MERGE = 68,
        PR_RISCV_V_SET_CONTROL = 69,
        PR_RISCV_V_GET_CONTROL = 70,
        PR_RISCV_SET_ICACHE_FLUSH_CTX = 71,
        PR_PPC_GET_DEXCR = 72,
        PR_PPC_SET_DEXCR = 73,
        PR_GET_SHADOW_STACK_STATUS = 74,
        PR_SET_SHADOW_STACK_STATUS = 75,
        PR_LOCK_SHADOW_STACK_STATUS = 76,
        PR_TIMER_CREATE_RESTORE_IDS = 77,
        PR_FUTEX_HASH = 78,
        /// `'AUXV'`.
        PR_GET_AUXV = 0x4155_5856,
        /// `'SVMA'`.
        PR_SET_VMA = 0x5356_4D41,
        /// `'Yama'`.
        PR_SET_PTRACER = 0x5961_6D61,
    }
}

/// `PR_SET_VMA` sub-option: name an anonymous mapping.
pub const PR_SET_VMA_ANON_NAME: u64 = 0;

// ---------------------------------------------------------------- futex(2)

/// `FUTEX_PRIVATE_FLAG`: the futex is process-private.
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
/// `FUTEX_CLOCK_REALTIME`: timeouts are on CLOCK_REALTIME.
pub const FUTEX_CLOCK_REALTIME: u32 = 256;
/// `FUTEX_CMD_MASK`: the command part of a futex op.
pub const FUTEX_CMD_MASK: u32 = !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
/// `FUTEX_BITSET_MATCH_ANY`.
pub const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;
/// `FUTEX_WAITERS` bit of a PI futex word.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// `FUTEX_OWNER_DIED` bit of a PI/robust futex word.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// `FUTEX_TID_MASK` of a PI/robust futex word.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

macro_rules! futex_ops {
    ($($name:ident = $val:literal,)*) => {
        $(#[doc = concat!("`", stringify!($name), "`.")] pub const $name: u32 = $val;)*

        /// The name strace gives a futex(2) op: the command with `_PRIVATE`
        /// when `FUTEX_PRIVATE_FLAG` is set, and `|FUTEX_CLOCK_REALTIME`
        /// (`"FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"`). None for an
        /// unknown command or other bits.
        pub const fn futex_op_name(v: u64) -> Option<&'static str> {
            $(
                if v == $val { return Some(stringify!($name)); }
                if v == $val | 128 { return Some(concat!(stringify!($name), "_PRIVATE")); }
                if v == $val | 256 { return Some(concat!(stringify!($name), "|FUTEX_CLOCK_REALTIME")); }
                if v == $val | 384 {
                    return Some(concat!(stringify!($name), "_PRIVATE|FUTEX_CLOCK_REALTIME"));
                }
            )*
            None
        }
    };
}

futex_ops! {
    FUTEX_WAIT = 0,
    FUTEX_WAKE = 1,
    FUTEX_FD = 2,
    FUTEX_REQUEUE = 3,
    FUTEX_CMP_REQUEUE = 4,
    FUTEX_WAKE_OP = 5,
    FUTEX_LOCK_PI = 6,
    FUTEX_UNLOCK_PI = 7,
    FUTEX_TRYLOCK_PI = 8,
    FUTEX_WAIT_BITSET = 9,
    FUTEX_WAKE_BITSET = 10,
    FUTEX_WAIT_REQUEUE_PI = 11,
    FUTEX_CMP_REQUEUE_PI = 12,
    FUTEX_LOCK_PI2 = 13,
}

// ---------------------------------------------------------------- sockets

named_values! {
    /// The name of a socket address family (`"AF_INET6"`).
    fn sock_domain_name: u32 {
        AF_UNSPEC = 0,
        /// Also `AF_LOCAL`.
        AF_UNIX = 1,
        AF_INET = 2,
        AF_AX25 = 3,
        AF_IPX = 4,
        AF_APPLETALK = 5,
        AF_NETROM = 6,
        AF_BRIDGE = 7,
        AF_ATMPVC = 8,
        AF_X25 = 9,
        AF_INET6 = 10,
        AF_ROSE = 11,
        #[allow(non_upper_case_globals)]
        AF_DECnet = 12,
        AF_NETBEUI = 13,
        AF_SECURITY = 14,
        AF_KEY = 15,
        /// Also `AF_ROUTE`.
        AF_NETLINK = 16,
        AF_PACKET = 17,
        AF_ASH = 18,
        AF_ECONET = 19,
        AF_ATMSVC = 20,
        AF_RDS = 21,
        AF_SNA = 22,
        AF_IRDA = 23,
        AF_PPPOX = 24,
        AF_WANPIPE = 25,
        AF_LLC = 26,
        AF_IB = 27,
        AF_MPLS = 28,
        AF_CAN = 29,
        AF_TIPC = 30,
        AF_BLUETOOTH = 31,
        AF_IUCV = 32,
        AF_RXRPC = 33,
        AF_ISDN = 34,
        AF_PHONET = 35,
        AF_IEEE802154 = 36,
        AF_CAIF = 37,
        AF_ALG = 38,
        AF_NFC = 39,
        AF_VSOCK = 40,
        AF_KCM = 41,
        AF_QIPCRTR = 42,
        AF_SMC = 43,
        AF_XDP = 44,
        AF_MCTP = 45,
    }
}

/// `AF_LOCAL` is `AF_UNIX`.
pub const AF_LOCAL: u32 = AF_UNIX;
/// `SOCK_NONBLOCK` (= `O_NONBLOCK`), ORed into a socket type.
pub const SOCK_NONBLOCK: u32 = 0o4000;
/// `SOCK_CLOEXEC` (= `O_CLOEXEC`), ORed into a socket type.
pub const SOCK_CLOEXEC: u32 = 0o2000000;
/// `SOCK_TYPE_MASK`: the type part of a socket type argument.
pub const SOCK_TYPE_MASK: u32 = 0xf;

macro_rules! sock_types {
    ($($name:ident = $val:literal,)*) => {
        $(#[doc = concat!("`", stringify!($name), "`.")] pub const $name: u32 = $val;)*

        /// The name strace gives a socket type argument: the type (low 4
        /// bits) followed by `|SOCK_CLOEXEC` and `|SOCK_NONBLOCK` when set
        /// (`"SOCK_STREAM|SOCK_CLOEXEC"`). A zero type with flags (accept4's
        /// flags) names just the flags; 0 and unknown bits give None.
        pub const fn sock_type_name(v: u64) -> Option<&'static str> {
            const CE: u64 = SOCK_CLOEXEC as u64;
            const NB: u64 = SOCK_NONBLOCK as u64;
            $(
                if v == $val { return Some(stringify!($name)); }
                if v == $val | CE { return Some(concat!(stringify!($name), "|SOCK_CLOEXEC")); }
                if v == $val | NB { return Some(concat!(stringify!($name), "|SOCK_NONBLOCK")); }
                if v == $val | CE | NB {
                    return Some(concat!(stringify!($name), "|SOCK_CLOEXEC|SOCK_NONBLOCK"));
                }
            )*
            match v {
                CE => Some("SOCK_CLOEXEC"),
                NB => Some("SOCK_NONBLOCK"),
                x if x == CE | NB => Some("SOCK_CLOEXEC|SOCK_NONBLOCK"),
                _ => None,
            }
        }
    };
}

sock_types! {
    SOCK_STREAM = 1,
    SOCK_DGRAM = 2,
    SOCK_RAW = 3,
    SOCK_RDM = 4,
    SOCK_SEQPACKET = 5,
    SOCK_DCCP = 6,
    SOCK_PACKET = 10,
}

// ---------------------------------------------------------------- auxv

/// `AT_*` types of the ELF auxiliary vector (`<linux/auxvec.h>`, x86_64).
pub mod auxv {
    named_values! {
        /// The name of an auxiliary vector entry type (`"AT_PAGESZ"`).
        fn auxv_name: u64 {
            /// End of the vector.
            AT_NULL = 0,
            /// Entry to ignore.
            AT_IGNORE = 1,
            /// File descriptor of the program.
            AT_EXECFD = 2,
            /// Address of the program headers.
            AT_PHDR = 3,
            /// Size of one program header.
            AT_PHENT = 4,
            /// Number of program headers.
            AT_PHNUM = 5,
            /// Page size.
            AT_PAGESZ = 6,
            /// Base address of the interpreter.
            AT_BASE = 7,
            /// Flags (0).
            AT_FLAGS = 8,
            /// Entry point of the program.
            AT_ENTRY = 9,
            /// Program is not ELF.
            AT_NOTELF = 10,
            /// Real uid.
            AT_UID = 11,
            /// Effective uid.
            AT_EUID = 12,
            /// Real gid.
            AT_GID = 13,
            /// Effective gid.
            AT_EGID = 14,
            /// Address of the platform string (`"x86_64"`).
            AT_PLATFORM = 15,
            /// CPUID.1:EDX feature bits.
            AT_HWCAP = 16,
            /// Frequency of times() ticks.
            AT_CLKTCK = 17,
            /// Secure mode (setuid etc.).
            AT_SECURE = 23,
            /// Address of the real platform string.
            AT_BASE_PLATFORM = 24,
            /// Address of 16 random bytes.
            AT_RANDOM = 25,
            /// More hardware capability bits.
            AT_HWCAP2 = 26,
            /// rseq feature size supported by the kernel.
            AT_RSEQ_FEATURE_SIZE = 27,
            /// rseq area alignment required.
            AT_RSEQ_ALIGN = 28,
            /// Third hardware capability word.
            AT_HWCAP3 = 29,
            /// Fourth hardware capability word.
            AT_HWCAP4 = 30,
            /// Address of the filename passed to execve.
            AT_EXECFN = 31,
            /// vsyscall entry (i386 only).
            AT_SYSINFO = 32,
            /// Address of the vDSO ELF header.
            AT_SYSINFO_EHDR = 33,
            /// Minimal signal stack size the CPU state needs.
            AT_MINSIGSTKSZ = 51,
        }
    }
}

pub use auxv::auxv_name;

#[cfg(test)]
mod tests {
    use super::auxv::*;
    use super::*;

    #[test]
    fn open_flags() {
        assert_eq!(OpenFlags::CREAT.bits(), 0x40);
        assert_eq!(OpenFlags::NONBLOCK.bits(), 0x800);
        assert_eq!(OpenFlags::DIRECTORY.bits(), 0x1_0000);
        assert_eq!(OpenFlags::CLOEXEC.bits(), 0x8_0000);
        assert_eq!(OpenFlags::PATH.bits(), 0x20_0000);
        assert!(OpenFlags::SYNC.contains(OpenFlags::DSYNC));
        assert!(OpenFlags::TMPFILE.contains(OpenFlags::DIRECTORY));
        assert_eq!(OpenFlags::ASYNC.bits(), 0x2000);
        assert_eq!(O_ACCMODE, 3);
        assert_eq!(SOCK_CLOEXEC, OpenFlags::CLOEXEC.bits());
        assert_eq!(SOCK_NONBLOCK, OpenFlags::NONBLOCK.bits());
    }

    #[test]
    fn mmap_flags() {
        assert_eq!(MapFlags::ANONYMOUS.bits(), 0x20);
        assert_eq!(MapFlags::FIXED_NOREPLACE.bits(), 0x10_0000);
        assert_eq!(MapFlags::_32BIT.bits(), 0x40);
        assert_eq!(MapFlags::SHARED_VALIDATE.bits() & MAP_TYPE, 3);
        // Only the type values live in MAP_TYPE.
        for f in MapFlags::FLAGS {
            let b = f.value().bits();
            assert!(b & MAP_TYPE == 0 || b & !MAP_TYPE == 0, "{}", f.name());
        }
        assert_eq!(ProtFlags::GROWSDOWN.bits(), 0x0100_0000);
        assert_eq!(MremapFlags::DONTUNMAP.bits(), 4);
        assert_eq!(madvise_name(4), Some("MADV_DONTNEED"));
        assert_eq!(madvise_name(103), Some("MADV_GUARD_REMOVE"));
        assert_eq!(madvise_name(5), None);
    }

    #[test]
    fn misc_bits() {
        assert_eq!(AtFlags::EMPTY_PATH.bits(), 0x1000);
        assert_eq!(AtFlags::REMOVEDIR.bits(), AT_EACCESS);
        assert_eq!(AT_FDCWD, -100);
        assert_eq!(CloneFlags::THREAD.bits(), 0x1_0000);
        assert_eq!(CloneFlags::SETTLS.bits(), 0x8_0000);
        assert_eq!(CloneFlags::INTO_CGROUP.bits(), 0x2_0000_0000);
        assert_eq!(WaitOptions::ALL.bits(), 0x4000_0000);
        assert_eq!(WaitOptions::CLONE.bits(), 0x8000_0000);
        assert_eq!(PollEvents::RDHUP.bits(), 0x2000);
        assert_eq!(GrndFlags::INSECURE.bits(), 4);
    }

    #[test]
    fn names() {
        assert_eq!(fcntl_cmd_name(0), Some("F_DUPFD"));
        assert_eq!(fcntl_cmd_name(2), Some("F_SETFD"));
        assert_eq!(fcntl_cmd_name(1030), Some("F_DUPFD_CLOEXEC"));
        assert_eq!(fcntl_cmd_name(1034), Some("F_GET_SEALS"));
        assert_eq!(fcntl_cmd_name(12), None);
        assert_eq!(whence_name(4), Some("SEEK_HOLE"));
        assert_eq!(clock_name(1), Some("CLOCK_MONOTONIC"));
        assert_eq!(clock_name(11), Some("CLOCK_TAI"));
        assert_eq!(clock_name(u64::MAX), None);
        assert_eq!(arch_prctl_name(0x1002), Some("ARCH_SET_FS"));
        assert_eq!(arch_prctl_name(0x5005), Some("ARCH_SHSTK_STATUS"));
        assert_eq!(ioctl_name(0x5401), Some("TCGETS"));
        assert_eq!(ioctl_name(0x5413), Some("TIOCGWINSZ"));
        assert_eq!(ioctl_name(0x541B), Some("FIONREAD"));
        assert_eq!(ioctl_name(0x8004_5430), Some("TIOCGPTN"));
        assert_eq!(ioctl_name(0x802c_542a), Some("TCGETS2"));
        assert_eq!(ioctl_name(0x5451), Some("FIOCLEX"));
        assert_eq!(rlimit_name(7), Some("RLIMIT_NOFILE"));
        assert_eq!(rlimit_name(16), None);
        assert_eq!(prctl_name(15), Some("PR_SET_NAME"));
        assert_eq!(prctl_name(0x5356_4d41), Some("PR_SET_VMA"));
        assert_eq!(prctl_name(17), None);
        assert_eq!(sock_domain_name(10), Some("AF_INET6"));
        assert_eq!(sock_domain_name(16), Some("AF_NETLINK"));
    }

    #[test]
    fn composite_names() {
        assert_eq!(futex_op_name(0), Some("FUTEX_WAIT"));
        assert_eq!(futex_op_name(129), Some("FUTEX_WAKE_PRIVATE"));
        assert_eq!(
            futex_op_name(9 | 128 | 256),
            Some("FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME")
        );
        assert_eq!(futex_op_name(14), None);
        assert_eq!(futex_op_name(512), None);
        assert_eq!(sock_type_name(1), Some("SOCK_STREAM"));
        assert_eq!(
            sock_type_name(2 | 0o2000000),
            Some("SOCK_DGRAM|SOCK_CLOEXEC")
        );
        assert_eq!(
            sock_type_name(5 | 0o2004000),
            Some("SOCK_SEQPACKET|SOCK_CLOEXEC|SOCK_NONBLOCK")
        );
        assert_eq!(sock_type_name(0o2000000), Some("SOCK_CLOEXEC"));
        assert_eq!(sock_type_name(0), None);
        assert_eq!(sock_type_name(7), None);
    }

    #[test]
    fn auxv() {
        assert_eq!(AT_PHDR, 3);
        assert_eq!(AT_PAGESZ, 6);
        assert_eq!(AT_RANDOM, 25);
        assert_eq!(AT_EXECFN, 31);
        assert_eq!(AT_SYSINFO_EHDR, 33);
        assert_eq!(AT_MINSIGSTKSZ, 51);
        assert_eq!(auxv_name(16), Some("AT_HWCAP"));
        assert_eq!(auxv_name(28), Some("AT_RSEQ_ALIGN"));
        assert_eq!(auxv_name(50), None);
    }
}
