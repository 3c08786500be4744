//! The Linux x86_64 system calls: number, name and argument kinds.
//!
//! One list (the `syscalls!` invocation below) emits the `nr` constants and the
//! [`SYSCALLS`] descriptions. lx-kernel binds handlers and support levels to
//! these numbers; `--trace` decodes arguments from the kinds given here.

/// How `--trace` decodes one argument (and, for buffers, where its length is).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArgKind {
    /// Signed decimal (`int`, `long`, `pid_t`).
    Int,
    /// Unsigned decimal (`size_t`, `unsigned`).
    UInt,
    /// Hexadecimal number that is not a pointer (`0x1f`).
    Hex,
    /// Octal mode (`0644`).
    Mode,
    /// A guest pointer, printed `0x7ffd...` or `NULL`.
    Ptr,
    /// A file descriptor.
    Fd,
    /// A directory fd: `AT_FDCWD` or a number.
    DirFd,
    /// A NUL-terminated string read from the guest (paths, names).
    Str,
    /// NULL-terminated array of strings (argv, envp).
    StrArray,
    /// Input buffer whose length is argument `n` (write's buffer): contents shown.
    InBuf(u8),
    /// Output buffer filled by the call, length = return value (read's buffer).
    OutBuf(u8),
    /// `struct iovec[]` with count in argument `n`, read by the call (writev).
    IovIn(u8),
    /// `struct iovec[]` with count in argument `n`, filled by the call (readv).
    IovOut(u8),
    /// `O_*` open flags.
    OpenFlags,
    /// `AT_*` flags.
    AtFlags,
    /// `PROT_*` bits.
    MmapProt,
    /// `MAP_*` flags.
    MmapFlags,
    /// `MREMAP_*` flags.
    MremapFlags,
    /// `MADV_*` advice.
    Madvise,
    /// `F_*` fcntl command.
    FcntlCmd,
    /// `SEEK_*`.
    Whence,
    /// A signal number (`SIGUSR1`).
    Signal,
    /// `SIG_BLOCK`/`SIG_UNBLOCK`/`SIG_SETMASK`.
    SigHow,
    /// Pointer to a kernel `sigset_t` (`[USR1 TERM]`).
    SigSet,
    /// Pointer to a kernel `struct sigaction`.
    Sigaction,
    /// Pointer to `stack_t`.
    StackT,
    /// `CLOCK_*` id.
    ClockId,
    /// Pointer to a `struct timespec`.
    Timespec,
    /// `ARCH_*` code of arch_prctl.
    ArchPrctl,
    /// An ioctl request (`TCGETS`).
    IoctlReq,
    /// `RLIMIT_*` resource.
    Rlimit,
    /// `struct pollfd[]` with count in argument `n`.
    PollFds(u8),
    /// `GRND_*` flags of getrandom.
    GrndFlags,
    /// `CLONE_*` flags.
    CloneFlags,
    /// `PR_*` option of prctl.
    PrctlOption,
    /// `W*` options of wait4/waitid.
    WaitOptions,
    /// `AF_*` socket domain.
    SockDomain,
    /// `SOCK_*` socket type (with `SOCK_CLOEXEC`/`SOCK_NONBLOCK`).
    SockType,
    /// `FUTEX_*` operation.
    FutexOp,
}

/// One system call of the ABI.
#[derive(Debug)]
pub struct SyscallDesc {
    /// The syscall number (`rax`).
    pub nr: u32,
    /// The name as strace prints it (`"newfstatat"`).
    pub name: &'static str,
    /// The kinds of its arguments, in order (at most six).
    pub args: &'static [ArgKind],
}

macro_rules! syscalls {
    ($($nr:literal $name:ident ( $($kind:expr),* $(,)? );)*) => {
        /// Syscall numbers, named as in `<asm/unistd_64.h>` without `__NR_`
        /// (`nr::read`, `nr::exit_group`).
        #[allow(non_upper_case_globals)]
        pub mod nr {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                pub const $name: u32 = $nr;
            )*
        }
        /// Every x86_64 syscall, sorted by number.
        pub static SYSCALLS: &[SyscallDesc] = &[
            $(SyscallDesc { nr: $nr, name: stringify!($name), args: &[$($kind),*] },)*
        ];
    };
}

use ArgKind::*;

syscalls! {
    0 read(Fd, OutBuf(2), UInt);
    1 write(Fd, InBuf(2), UInt);
    2 open(Str, OpenFlags, Mode);
    3 close(Fd);
    4 stat(Str, Ptr);
    5 fstat(Fd, Ptr);
    6 lstat(Str, Ptr);
    7 poll(PollFds(1), UInt, Int);
    8 lseek(Fd, Int, Whence);
    9 mmap(Ptr, UInt, MmapProt, MmapFlags, Fd, Hex);
    10 mprotect(Ptr, UInt, MmapProt);
    11 munmap(Ptr, UInt);
    12 brk(Ptr);
    13 rt_sigaction(Signal, Sigaction, Sigaction, UInt);
    14 rt_sigprocmask(SigHow, SigSet, SigSet, UInt);
    15 rt_sigreturn();
    16 ioctl(Fd, IoctlReq, Hex);
    17 pread64(Fd, OutBuf(2), UInt, Int);
    18 pwrite64(Fd, InBuf(2), UInt, Int);
    19 readv(Fd, IovOut(2), Int);
    20 writev(Fd, IovIn(2), Int);
    21 access(Str, Hex);
    22 pipe(Ptr);
    23 select(Int, Ptr, Ptr, Ptr, Ptr);
    24 sched_yield();
    25 mremap(Ptr, UInt, UInt, MremapFlags, Ptr);
    26 msync(Ptr, UInt, Hex);
    27 mincore(Ptr, UInt, Ptr);
    28 madvise(Ptr, UInt, Madvise);
    29 shmget(Hex, UInt, Hex);
    30 shmat(Int, Ptr, Hex);
    31 shmctl(Int, Hex, Ptr);
    32 dup(Fd);
    33 dup2(Fd, Fd);
    34 pause();
    35 nanosleep(Timespec, Timespec);
    36 getitimer(Int, Ptr);
    37 alarm(UInt);
    38 setitimer(Int, Ptr, Ptr);
    39 getpid();
    40 sendfile(Fd, Fd, Ptr, UInt);
    41 socket(SockDomain, SockType, Int);
    42 connect(Fd, Ptr, UInt);
    43 accept(Fd, Ptr, Ptr);
    44 sendto(Fd, InBuf(2), UInt, Hex, Ptr, UInt);
    45 recvfrom(Fd, OutBuf(2), UInt, Hex, Ptr, Ptr);
    46 sendmsg(Fd, Ptr, Hex);
    47 recvmsg(Fd, Ptr, Hex);
    48 shutdown(Fd, Int);
    49 bind(Fd, Ptr, UInt);
    50 listen(Fd, Int);
    51 getsockname(Fd, Ptr, Ptr);
    52 getpeername(Fd, Ptr, Ptr);
    53 socketpair(SockDomain, SockType, Int, Ptr);
    54 setsockopt(Fd, Int, Int, Ptr, UInt);
    55 getsockopt(Fd, Int, Int, Ptr, Ptr);
    56 clone(CloneFlags, Ptr, Ptr, Ptr, Hex);
    57 fork();
    58 vfork();
    59 execve(Str, StrArray, StrArray);
    60 exit(Int);
    61 wait4(Int, Ptr, WaitOptions, Ptr);
    62 kill(Int, Signal);
    63 uname(Ptr);
    64 semget(Hex, Int, Hex);
    65 semop(Int, Ptr, UInt);
    66 semctl(Int, Int, Hex, Hex);
    67 shmdt(Ptr);
    68 msgget(Hex, Hex);
    69 msgsnd(Int, Ptr, UInt, Hex);
    70 msgrcv(Int, Ptr, UInt, Int, Hex);
    71 msgctl(Int, Hex, Ptr);
    72 fcntl(Fd, FcntlCmd, Hex);
    73 flock(Fd, Hex);
    74 fsync(Fd);
    75 fdatasync(Fd);
    76 truncate(Str, Int);
    77 ftruncate(Fd, Int);
    78 getdents(Fd, Ptr, UInt);
    79 getcwd(Str, UInt);
    80 chdir(Str);
    81 fchdir(Fd);
    82 rename(Str, Str);
    83 mkdir(Str, Mode);
    84 rmdir(Str);
    85 creat(Str, Mode);
    86 link(Str, Str);
    87 unlink(Str);
    88 symlink(Str, Str);
    89 readlink(Str, OutBuf(2), UInt);
    90 chmod(Str, Mode);
    91 fchmod(Fd, Mode);
    92 chown(Str, Int, Int);
    93 fchown(Fd, Int, Int);
    94 lchown(Str, Int, Int);
    95 umask(Mode);
    96 gettimeofday(Ptr, Ptr);
    97 getrlimit(Rlimit, Ptr);
    98 getrusage(Int, Ptr);
    99 sysinfo(Ptr);
    100 times(Ptr);
    101 ptrace(Int, Int, Ptr, Ptr);
    102 getuid();
    103 syslog(Int, Ptr, Int);
    104 getgid();
    105 setuid(Int);
    106 setgid(Int);
    107 geteuid();
    108 getegid();
    109 setpgid(Int, Int);
    110 getppid();
    111 getpgrp();
    112 setsid();
    113 setreuid(Int, Int);
    114 setregid(Int, Int);
    115 getgroups(Int, Ptr);
    116 setgroups(Int, Ptr);
    117 setresuid(Int, Int, Int);
    118 getresuid(Ptr, Ptr, Ptr);
    119 setresgid(Int, Int, Int);
    120 getresgid(Ptr, Ptr, Ptr);
    121 getpgid(Int);
    122 setfsuid(Int);
    123 setfsgid(Int);
    124 getsid(Int);
    125 capget(Ptr, Ptr);
    126 capset(Ptr, Ptr);
    127 rt_sigpending(SigSet, UInt);
    128 rt_sigtimedwait(SigSet, Ptr, Timespec, UInt);
    129 rt_sigqueueinfo(Int, Signal, Ptr);
    130 rt_sigsuspend(SigSet, UInt);
    131 sigaltstack(StackT, StackT);
    132 utime(Str, Ptr);
    133 mknod(Str, Mode, Hex);
    134 uselib(Str);
    135 personality(Hex);
    136 ustat(Hex, Ptr);
    137 statfs(Str, Ptr);
    138 fstatfs(Fd, Ptr);
    139 sysfs(Int, Hex, Hex);
    140 getpriority(Int, Int);
    141 setpriority(Int, Int, Int);
    142 sched_setparam(Int, Ptr);
    143 sched_getparam(Int, Ptr);
    144 sched_setscheduler(Int, Int, Ptr);
    145 sched_getscheduler(Int);
    146 sched_get_priority_max(Int);
    147 sched_get_priority_min(Int);
    148 sched_rr_get_interval(Int, Timespec);
    149 mlock(Ptr, UInt);
    150 munlock(Ptr, UInt);
    151 mlockall(Hex);
    152 munlockall();
    153 vhangup();
    154 modify_ldt(Int, Ptr, UInt);
    155 pivot_root(Str, Str);
    156 _sysctl(Ptr);
    157 prctl(PrctlOption, Hex, Hex, Hex, Hex);
    158 arch_prctl(ArchPrctl, Hex);
    159 adjtimex(Ptr);
    160 setrlimit(Rlimit, Ptr);
    161 chroot(Str);
    162 sync();
    163 acct(Str);
    164 settimeofday(Ptr, Ptr);
    165 mount(Str, Str, Str, Hex, Ptr);
    166 umount2(Str, Hex);
    167 swapon(Str, Hex);
    168 swapoff(Str);
    169 reboot(Hex, Hex, Hex, Ptr);
    170 sethostname(InBuf(1), UInt);
    171 setdomainname(InBuf(1), UInt);
    172 iopl(Int);
    173 ioperm(Hex, Hex, Int);
    174 create_module(Str, UInt);
    175 init_module(Ptr, UInt, Str);
    176 delete_module(Str, Hex);
    177 get_kernel_syms(Ptr);
    178 query_module(Str, Int, Ptr, UInt, Ptr);
    179 quotactl(Hex, Str, Int, Ptr);
    180 nfsservctl(Int, Ptr, Ptr);
    181 getpmsg(Hex, Hex, Hex, Hex, Hex);
    182 putpmsg(Hex, Hex, Hex, Hex, Hex);
    183 afs_syscall(Hex, Hex, Hex, Hex, Hex);
    184 tuxcall(Hex, Hex, Hex);
    185 security(Hex, Hex, Hex);
    186 gettid();
    187 readahead(Fd, Int, UInt);
    188 setxattr(Str, Str, InBuf(3), UInt, Hex);
    189 lsetxattr(Str, Str, InBuf(3), UInt, Hex);
    190 fsetxattr(Fd, Str, InBuf(3), UInt, Hex);
    191 getxattr(Str, Str, OutBuf(3), UInt);
    192 lgetxattr(Str, Str, OutBuf(3), UInt);
    193 fgetxattr(Fd, Str, OutBuf(3), UInt);
    194 listxattr(Str, OutBuf(2), UInt);
    195 llistxattr(Str, OutBuf(2), UInt);
    196 flistxattr(Fd, OutBuf(2), UInt);
    197 removexattr(Str, Str);
    198 lremovexattr(Str, Str);
    199 fremovexattr(Fd, Str);
    200 tkill(Int, Signal);
    201 time(Ptr);
    202 futex(Ptr, FutexOp, Int, Ptr, Ptr, Int);
    203 sched_setaffinity(Int, UInt, Ptr);
    204 sched_getaffinity(Int, UInt, Ptr);
    205 set_thread_area(Ptr);
    206 io_setup(UInt, Ptr);
    207 io_destroy(Hex);
    208 io_getevents(Hex, Int, Int, Ptr, Timespec);
    209 io_submit(Hex, Int, Ptr);
    210 io_cancel(Hex, Ptr, Ptr);
    211 get_thread_area(Ptr);
    212 lookup_dcookie(Hex, Ptr, UInt);
    213 epoll_create(Int);
    214 epoll_ctl_old(Hex, Hex, Hex, Hex);
    215 epoll_wait_old(Hex, Hex, Hex, Hex);
    216 remap_file_pages(Ptr, UInt, MmapProt, UInt, MmapFlags);
    217 getdents64(Fd, Ptr, UInt);
    218 set_tid_address(Ptr);
    219 restart_syscall();
    220 semtimedop(Int, Ptr, UInt, Timespec);
    221 fadvise64(Fd, Int, UInt, Int);
    222 timer_create(ClockId, Ptr, Ptr);
    223 timer_settime(Int, Hex, Ptr, Ptr);
    224 timer_gettime(Int, Ptr);
    225 timer_getoverrun(Int);
    226 timer_delete(Int);
    227 clock_settime(ClockId, Timespec);
    228 clock_gettime(ClockId, Timespec);
    229 clock_getres(ClockId, Timespec);
    230 clock_nanosleep(ClockId, Hex, Timespec, Timespec);
    231 exit_group(Int);
    232 epoll_wait(Fd, Ptr, Int, Int);
    233 epoll_ctl(Fd, Int, Fd, Ptr);
    234 tgkill(Int, Int, Signal);
    235 utimes(Str, Ptr);
    236 vserver(Hex, Hex, Hex, Hex, Hex);
    237 mbind(Ptr, UInt, Int, Ptr, UInt, Hex);
    238 set_mempolicy(Int, Ptr, UInt);
    239 get_mempolicy(Ptr, Ptr, UInt, Ptr, Hex);
    240 mq_open(Str, OpenFlags, Mode, Ptr);
    241 mq_unlink(Str);
    242 mq_timedsend(Fd, InBuf(2), UInt, UInt, Timespec);
    243 mq_timedreceive(Fd, OutBuf(2), UInt, Ptr, Timespec);
    244 mq_notify(Fd, Ptr);
    245 mq_getsetattr(Fd, Ptr, Ptr);
    246 kexec_load(Hex, UInt, Ptr, Hex);
    247 waitid(Int, Int, Ptr, WaitOptions, Ptr);
    248 add_key(Str, Str, InBuf(3), UInt, Int);
    249 request_key(Str, Str, Str, Int);
    250 keyctl(Int, Hex, Hex, Hex, Hex);
    251 ioprio_set(Int, Int, Hex);
    252 ioprio_get(Int, Int);
    253 inotify_init();
    254 inotify_add_watch(Fd, Str, Hex);
    255 inotify_rm_watch(Fd, Int);
    256 migrate_pages(Int, UInt, Ptr, Ptr);
    257 openat(DirFd, Str, OpenFlags, Mode);
    258 mkdirat(DirFd, Str, Mode);
    259 mknodat(DirFd, Str, Mode, Hex);
    260 fchownat(DirFd, Str, Int, Int, AtFlags);
    261 futimesat(DirFd, Str, Ptr);
    262 newfstatat(DirFd, Str, Ptr, AtFlags);
    263 unlinkat(DirFd, Str, AtFlags);
    264 renameat(DirFd, Str, DirFd, Str);
    265 linkat(DirFd, Str, DirFd, Str, AtFlags);
    266 symlinkat(Str, DirFd, Str);
    267 readlinkat(DirFd, Str, OutBuf(3), UInt);
    268 fchmodat(DirFd, Str, Mode);
    269 faccessat(DirFd, Str, Hex);
    270 pselect6(Int, Ptr, Ptr, Ptr, Timespec, Ptr);
    271 ppoll(PollFds(1), UInt, Timespec, SigSet, UInt);
    272 unshare(CloneFlags);
    273 set_robust_list(Ptr, UInt);
    274 get_robust_list(Int, Ptr, Ptr);
    275 splice(Fd, Ptr, Fd, Ptr, UInt, Hex);
    276 tee(Fd, Fd, UInt, Hex);
    277 sync_file_range(Fd, Int, Int, Hex);
    278 vmsplice(Fd, IovIn(2), UInt, Hex);
    279 move_pages(Int, UInt, Ptr, Ptr, Ptr, Hex);
    280 utimensat(DirFd, Str, Ptr, AtFlags);
    281 epoll_pwait(Fd, Ptr, Int, Int, SigSet, UInt);
    282 signalfd(Fd, SigSet, UInt);
    283 timerfd_create(ClockId, Hex);
    284 eventfd(UInt);
    285 fallocate(Fd, Hex, Int, Int);
    286 timerfd_settime(Fd, Hex, Ptr, Ptr);
    287 timerfd_gettime(Fd, Ptr);
    288 accept4(Fd, Ptr, Ptr, SockType);
    289 signalfd4(Fd, SigSet, UInt, Hex);
    290 eventfd2(UInt, Hex);
    291 epoll_create1(Hex);
    292 dup3(Fd, Fd, Hex);
    293 pipe2(Ptr, Hex);
    294 inotify_init1(Hex);
    295 preadv(Fd, IovOut(2), Int, Int);
    296 pwritev(Fd, IovIn(2), Int, Int);
    297 rt_tgsigqueueinfo(Int, Int, Signal, Ptr);
    298 perf_event_open(Ptr, Int, Int, Fd, Hex);
    299 recvmmsg(Fd, Ptr, UInt, Hex, Timespec);
    300 fanotify_init(Hex, Hex);
    301 fanotify_mark(Fd, Hex, Hex, DirFd, Str);
    302 prlimit64(Int, Rlimit, Ptr, Ptr);
    303 name_to_handle_at(DirFd, Str, Ptr, Ptr, AtFlags);
    304 open_by_handle_at(Fd, Ptr, OpenFlags);
    305 clock_adjtime(ClockId, Ptr);
    306 syncfs(Fd);
    307 sendmmsg(Fd, Ptr, UInt, Hex);
    308 setns(Fd, CloneFlags);
    309 getcpu(Ptr, Ptr, Ptr);
    310 process_vm_readv(Int, IovOut(2), UInt, Ptr, UInt, Hex);
    311 process_vm_writev(Int, IovIn(2), UInt, Ptr, UInt, Hex);
    312 kcmp(Int, Int, Int, Hex, Hex);
    313 finit_module(Fd, Str, Hex);
    314 sched_setattr(Int, Ptr, Hex);
    315 sched_getattr(Int, Ptr, UInt, Hex);
    316 renameat2(DirFd, Str, DirFd, Str, Hex);
    317 seccomp(UInt, Hex, Ptr);
    318 getrandom(Ptr, UInt, GrndFlags);
    319 memfd_create(Str, Hex);
    320 kexec_file_load(Fd, Fd, UInt, Str, Hex);
    321 bpf(Int, Ptr, UInt);
    322 execveat(DirFd, Str, StrArray, StrArray, AtFlags);
    323 userfaultfd(Hex);
    324 membarrier(Int, Hex, Int);
    325 mlock2(Ptr, UInt, Hex);
    326 copy_file_range(Fd, Ptr, Fd, Ptr, UInt, Hex);
    327 preadv2(Fd, IovOut(2), Int, Int, Hex, Hex);
    328 pwritev2(Fd, IovIn(2), Int, Int, Hex, Hex);
    329 pkey_mprotect(Ptr, UInt, MmapProt, Int);
    330 pkey_alloc(Hex, Hex);
    331 pkey_free(Int);
    332 statx(DirFd, Str, AtFlags, Hex, Ptr);
    333 io_pgetevents(Hex, Int, Int, Ptr, Timespec, Ptr);
    334 rseq(Ptr, UInt, Hex, Hex);
    335 uretprobe();
    336 uprobe();
    424 pidfd_send_signal(Fd, Signal, Ptr, Hex);
    425 io_uring_setup(UInt, Ptr);
    426 io_uring_enter(Fd, UInt, UInt, Hex, Ptr, UInt);
    427 io_uring_register(Fd, UInt, Ptr, UInt);
    428 open_tree(DirFd, Str, Hex);
    429 move_mount(DirFd, Str, DirFd, Str, Hex);
    430 fsopen(Str, Hex);
    431 fsconfig(Fd, UInt, Str, Ptr, Int);
    432 fsmount(Fd, Hex, Hex);
    433 fspick(DirFd, Str, Hex);
    434 pidfd_open(Int, Hex);
    435 clone3(Ptr, UInt);
    436 close_range(UInt, UInt, Hex);
    437 openat2(DirFd, Str, Ptr, UInt);
    438 pidfd_getfd(Fd, Fd, Hex);
    439 faccessat2(DirFd, Str, Hex, AtFlags);
    440 process_madvise(Fd, Ptr, UInt, Madvise, Hex);
    441 epoll_pwait2(Fd, Ptr, Int, Timespec, SigSet, UInt);
    442 mount_setattr(DirFd, Str, AtFlags, Ptr, UInt);
    443 quotactl_fd(Fd, Hex, Int, Ptr);
    444 landlock_create_ruleset(Ptr, UInt, Hex);
    445 landlock_add_rule(Fd, Int, Ptr, Hex);
    446 landlock_restrict_self(Fd, Hex);
    447 memfd_secret(Hex);
    448 process_mrelease(Fd, Hex);
    449 futex_waitv(Ptr, UInt, Hex, Timespec, ClockId);
    450 set_mempolicy_home_node(Ptr, UInt, UInt, Hex);
    451 cachestat(Fd, Ptr, Ptr, Hex);
    452 fchmodat2(DirFd, Str, Mode, AtFlags);
    453 map_shadow_stack(Ptr, UInt, Hex);
    454 futex_wake(Ptr, Hex, Int, Hex);
    455 futex_wait(Ptr, Hex, Hex, Hex, Timespec, ClockId);
    456 futex_requeue(Ptr, Hex, Int, Int);
    457 statmount(Ptr, Ptr, UInt, Hex);
    458 listmount(Ptr, Ptr, UInt, Hex);
    459 lsm_get_self_attr(UInt, Ptr, Ptr, Hex);
    460 lsm_set_self_attr(UInt, Ptr, UInt, Hex);
    461 lsm_list_modules(Ptr, Ptr, Hex);
    462 mseal(Ptr, UInt, Hex);
    463 setxattrat(DirFd, Str, AtFlags, Str, Ptr, UInt);
    464 getxattrat(DirFd, Str, AtFlags, Str, Ptr, UInt);
    465 listxattrat(DirFd, Str, AtFlags, OutBuf(4), UInt);
    466 removexattrat(DirFd, Str, AtFlags, Str);
    467 open_tree_attr(DirFd, Str, Hex, Ptr, UInt);
    468 file_getattr(DirFd, Str, Ptr, UInt, AtFlags);
    469 file_setattr(DirFd, Str, Ptr, UInt, AtFlags);
}

/// The description of syscall `nr`, if the ABI has one.
pub fn desc(nr: u32) -> Option<&'static SyscallDesc> {
    SYSCALLS
        .binary_search_by_key(&nr, |d| d.nr)
        .ok()
        .map(|i| &SYSCALLS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_well_formed() {
        for w in SYSCALLS.windows(2) {
            assert!(
                w[0].nr < w[1].nr,
                "{} and {} out of order",
                w[0].name,
                w[1].name
            );
        }
        for d in SYSCALLS {
            assert!(d.args.len() <= 6, "{} has {} args", d.name, d.args.len());
            for k in d.args {
                if let InBuf(n) | OutBuf(n) | IovIn(n) | IovOut(n) | PollFds(n) = *k {
                    assert!(
                        (n as usize) < d.args.len(),
                        "{}: length index {n} out of range",
                        d.name
                    );
                }
            }
            assert!(
                !(387..=423).contains(&d.nr),
                "{} uses a number x86_64 skips",
                d.name
            );
            assert!(d.nr < 512, "{} is in the x32 range", d.name);
        }
        for (i, a) in SYSCALLS.iter().enumerate() {
            assert!(
                SYSCALLS[i + 1..].iter().all(|b| b.name != a.name),
                "{} listed twice",
                a.name
            );
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(nr::read, 0);
        assert_eq!(nr::write, 1);
        assert_eq!(nr::mmap, 9);
        assert_eq!(nr::rt_sigreturn, 15);
        assert_eq!(nr::clone, 56);
        assert_eq!(nr::execve, 59);
        assert_eq!(nr::_sysctl, 156);
        assert_eq!(nr::arch_prctl, 158);
        assert_eq!(nr::umount2, 166);
        assert_eq!(nr::gettid, 186);
        assert_eq!(nr::futex, 202);
        assert_eq!(nr::fadvise64, 221);
        assert_eq!(nr::exit_group, 231);
        assert_eq!(nr::openat, 257);
        assert_eq!(nr::newfstatat, 262);
        assert_eq!(nr::prlimit64, 302);
        assert_eq!(nr::getrandom, 318);
        assert_eq!(nr::statx, 332);
        assert_eq!(nr::rseq, 334);
        assert_eq!(nr::pidfd_send_signal, 424);
        assert_eq!(nr::clone3, 435);
        assert_eq!(nr::mseal, 462);
        assert_eq!(nr::file_setattr, 469);
        // 0..=336 and 424..=469, nothing else.
        assert_eq!(SYSCALLS.len(), 337 + 46);
        assert_eq!(SYSCALLS.last().map(|d| d.nr), Some(469));
    }

    #[test]
    fn lookup_and_kinds() {
        let d = desc(nr::newfstatat).unwrap();
        assert_eq!(d.name, "newfstatat");
        assert_eq!(d.args, &[DirFd, Str, Ptr, AtFlags]);
        assert_eq!(desc(nr::read).unwrap().args, &[Fd, OutBuf(2), UInt]);
        assert_eq!(
            desc(nr::mmap).unwrap().args,
            &[Ptr, UInt, MmapProt, MmapFlags, Fd, Hex]
        );
        assert_eq!(
            desc(nr::rt_sigaction).unwrap().args,
            &[Signal, Sigaction, Sigaction, UInt]
        );
        assert_eq!(desc(nr::futex).unwrap().args.len(), 6);
        assert_eq!(desc(nr::getpid).unwrap().args, &[]);
        assert!(desc(400).is_none());
        assert!(desc(470).is_none());
        assert!(desc(u32::MAX).is_none());
    }
}
