//! The Linux x86_64 table: every syscall lx serves, its handler and its
//! support level. Raw arguments become typed values here, at the edge.

use super::Support::{Full, Partial};
use super::{Row, bind};
use crate::ctx::{Args, Ctx, SysResult};
use crate::{fs, mm, proc, random, signal, time};
use lx_abi::syscalls::nr;

bind! {
    read: Full => |c, a| fs::rw::sys_read(c, a.int(0), a.u(1), a.u(2));
    write: Full => |c, a| fs::rw::sys_write(c, a.int(0), a.u(1), a.u(2));
    open: Full => |c, a| fs::open::sys_open(c, a.u(0), a.uint(1), a.uint(2));
    close: Full => |c, a| fs::fdops::sys_close(c, a.int(0));
    stat: Full => |c, a| fs::stat::sys_stat(c, a.u(0), a.u(1));
    fstat: Full => |c, a| fs::stat::sys_fstat(c, a.int(0), a.u(1));
    lstat: Full => |c, a| fs::stat::sys_lstat(c, a.u(0), a.u(1));
    poll: Full => |c, a| fs::poll::sys_poll(c, a.u(0), a.u(1), a.int(2));
    lseek: Full => |c, a| fs::rw::sys_lseek(c, a.int(0), a.long(1), a.uint(2));
    mmap: Full =>
        |c, a| mm::mmap::sys_mmap(c, a.u(0), a.u(1), a.u(2), a.u(3), a.int(4), a.u(5));
    mprotect: Full => |c, a| mm::mmap::sys_mprotect(c, a.u(0), a.u(1), a.u(2));
    munmap: Full => |c, a| mm::mmap::sys_munmap(c, a.u(0), a.u(1));
    brk: Full => |c, a| mm::brk::sys_brk(c, a.u(0));
    rt_sigaction: Full => |c, a| signal::action::sys_rt_sigaction(c, a.int(0), a.u(1), a.u(2), a.u(3));
    rt_sigprocmask: Full => |c, a| signal::mask::sys_rt_sigprocmask(c, a.int(0), a.u(1), a.u(2), a.u(3));
    rt_sigreturn: Full => |c, _a| signal::frame::sys_rt_sigreturn(c);
    ioctl: Partial("TCGETS, TCSETS/W/F, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP (groups of the run and the one it started in), TIOCGSID, TIOCSCTTY, TIOCNOTTY, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX; other requests give ENOTTY") =>
        |c, a| fs::ioctl::sys_ioctl(c, a.int(0), a.uint(1), a.u(2));
    pread64: Full => |c, a| fs::rw::sys_pread64(c, a.int(0), a.u(1), a.u(2), a.long(3));
    pwrite64: Full => |c, a| fs::rw::sys_pwrite64(c, a.int(0), a.u(1), a.u(2), a.long(3));
    readv: Full => |c, a| fs::rw::sys_readv(c, a.int(0), a.u(1), a.int(2));
    writev: Full => |c, a| fs::rw::sys_writev(c, a.int(0), a.u(1), a.int(2));
    access: Full => |c, a| fs::stat::sys_access(c, a.u(0), a.uint(1));
    pipe: Full => |c, a| fs::pipe::sys_pipe(c, a.u(0));
    select: Full => |c, a| fs::poll::sys_select(c, a.int(0), a.u(1), a.u(2), a.u(3), a.u(4));
    sched_yield: Full => |c, _a| proc::sched::sys_sched_yield(c);
    mremap: Full => |c, a| mm::mmap::sys_mremap(c, a.u(0), a.u(1), a.u(2), a.u(3), a.u(4));
    msync: Full => |c, a| mm::mmap::sys_msync(c, a.u(0), a.u(1), a.int(2));
    mincore: Full => |c, a| mm::mmap::sys_mincore(c, a.u(0), a.u(1), a.u(2));
    madvise: Full => |c, a| mm::mmap::sys_madvise(c, a.u(0), a.u(1), a.int(2));
    dup: Full => |c, a| fs::fdops::sys_dup(c, a.int(0));
    dup2: Full => |c, a| fs::fdops::sys_dup2(c, a.int(0), a.int(1));
    pause: Full => |c, _a| signal::mask::sys_pause(c);
    nanosleep: Full => |c, a| time::sys_nanosleep(c, a.u(0), a.u(1));
    getitimer: Full => |c, a| time::sys_getitimer(c, a.int(0), a.u(1));
    alarm: Full => |c, a| time::sys_alarm(c, a.uint(0));
    setitimer: Full => |c, a| time::sys_setitimer(c, a.int(0), a.u(1), a.u(2));
    getpid: Full => |c, _a| proc::ids::sys_getpid(c);
    sendfile: Full => |c, a| fs::attr::sys_sendfile(c, a.int(0), a.int(1), a.u(2), a.u(3));
    clone: Partial("processes (fork-like), CLONE_VM|CLONE_VFORK as vfork, threads (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD); other CLONE_VM sharing sets, namespaces and CLONE_PIDFD not yet") => |c, a| proc::fork::sys_clone(c, a.u(0), a.u(1), a.u(2), a.u(3), a.u(4));
    fork: Full => |c, _a| proc::fork::sys_fork(c);
    vfork: Partial("the child runs on the parent's memory until its exec or exit (a helper process of lx's); a threaded parent, or one with MADV_DONTFORK memory, gets a fork whose parent waits, without shared memory") => |c, _a| proc::fork::sys_vfork(c);
    execve: Full => |c, a| proc::exec::sys_execve(c, a.u(0), a.u(1), a.u(2));
    exit #[noreturn]: Full => |c, a| proc::exit::sys_exit(c, a.int(0));
    wait4: Full => |c, a| proc::wait::sys_wait4(c, a.int(0), a.u(1), a.uint(2), a.u(3));
    kill: Partial("reaches the run's processes only (guest pids are host pids)") =>
        |c, a| signal::kill::sys_kill(c, a.int(0), a.int(1));
    uname: Full => |c, a| proc::uname::sys_uname(c, a.u(0));
    fcntl: Partial("F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL; locks and others give EINVAL") =>
        |c, a| fs::fdops::sys_fcntl(c, a.int(0), a.int(1), a.u(2));
    flock: Full => |c, a| fs::attr::sys_flock(c, a.int(0), a.int(1));
    fsync: Full => |c, a| fs::attr::sys_fsync(c, a.int(0));
    fdatasync: Full => |c, a| fs::attr::sys_fdatasync(c, a.int(0));
    truncate: Full => |c, a| fs::attr::sys_truncate(c, a.u(0), a.long(1));
    ftruncate: Full => |c, a| fs::attr::sys_ftruncate(c, a.int(0), a.long(1));
    getdents: Full => |c, a| fs::dir::sys_getdents(c, a.int(0), a.u(1), a.uint(2));
    getcwd: Full => |c, a| fs::dir::sys_getcwd(c, a.u(0), a.u(1));
    chdir: Full => |c, a| fs::dir::sys_chdir(c, a.u(0));
    fchdir: Full => |c, a| fs::dir::sys_fchdir(c, a.int(0));
    rename: Partial("directories that exist in an overlay's lower layer give EXDEV, as overlayfs without redirect_dir") => |c, a| fs::link::sys_rename(c, a.u(0), a.u(1));
    mkdir: Full => |c, a| fs::dir::sys_mkdir(c, a.u(0), a.uint(1));
    rmdir: Full => |c, a| fs::dir::sys_rmdir(c, a.u(0));
    creat: Full => |c, a| fs::open::sys_creat(c, a.u(0), a.uint(1));
    link: Full => |c, a| fs::link::sys_link(c, a.u(0), a.u(1));
    unlink: Full => |c, a| fs::link::sys_unlink(c, a.u(0));
    symlink: Full => |c, a| fs::link::sys_symlink(c, a.u(0), a.u(1));
    readlink: Full => |c, a| fs::stat::sys_readlink(c, a.u(0), a.u(1), a.int(2));
    chmod: Full => |c, a| fs::attr::sys_chmod(c, a.u(0), a.uint(1));
    fchmod: Full => |c, a| fs::attr::sys_fchmod(c, a.int(0), a.uint(1));
    chown: Partial("without host root, -0 ownership is remembered in the overlay (user.lx.owner xattr), not for symlinks") => |c, a| fs::attr::sys_chown(c, a.u(0), a.uint(1), a.uint(2));
    fchown: Partial("without host root, -0 ownership is remembered in the overlay (user.lx.owner xattr)") => |c, a| fs::attr::sys_fchown(c, a.int(0), a.uint(1), a.uint(2));
    lchown: Partial("without host root, -0 ownership of symlinks is not remembered (EPERM)") => |c, a| fs::attr::sys_lchown(c, a.u(0), a.uint(1), a.uint(2));
    umask: Full => |c, a| fs::dir::sys_umask(c, a.uint(0));
    gettimeofday: Full => |c, a| time::sys_gettimeofday(c, a.u(0), a.u(1));
    getrlimit: Full => |c, a| proc::limits::sys_getrlimit(c, a.uint(0), a.u(1));
    getrusage: Partial("lx's own work in the process counts, as user time") =>
        |c, a| proc::info::sys_getrusage(c, a.int(0), a.u(1));
    sysinfo: Full => |c, a| proc::info::sys_sysinfo(c, a.u(0));
    times: Partial("lx's own work in the process counts, as user time") =>
        |c, a| proc::info::sys_times(c, a.u(0));
    getuid: Full => |c, _a| proc::ids::sys_getuid(c);
    getgid: Full => |c, _a| proc::ids::sys_getgid(c);
    setuid: Partial("lx's view of the guest's ids; the host process keeps the host user's") => |c, a| proc::ids::sys_setuid(c, a.uint(0));
    setgid: Partial("lx's view of the guest's ids") => |c, a| proc::ids::sys_setgid(c, a.uint(0));
    geteuid: Full => |c, _a| proc::ids::sys_geteuid(c);
    getegid: Full => |c, _a| proc::ids::sys_getegid(c);
    setpgid: Full => |c, a| proc::ids::sys_setpgid(c, a.int(0), a.int(1));
    getppid: Full => |c, _a| proc::ids::sys_getppid(c);
    getpgrp: Full => |c, _a| proc::ids::sys_getpgrp(c);
    setsid: Full => |c, _a| proc::ids::sys_setsid(c);
    setreuid: Partial("lx's view of the guest's ids") => |c, a| proc::ids::sys_setreuid(c, a.uint(0), a.uint(1));
    setregid: Partial("lx's view of the guest's ids") => |c, a| proc::ids::sys_setregid(c, a.uint(0), a.uint(1));
    getgroups: Full => |c, a| proc::ids::sys_getgroups(c, a.int(0), a.u(1));
    setgroups: Partial("lx's view of the guest's groups") => |c, a| proc::ids::sys_setgroups(c, a.int(0), a.u(1));
    setresuid: Partial("lx's view of the guest's ids") => |c, a| proc::ids::sys_setresuid(c, a.uint(0), a.uint(1), a.uint(2));
    getresuid: Full => |c, a| proc::ids::sys_getresuid(c, a.u(0), a.u(1), a.u(2));
    setresgid: Partial("lx's view of the guest's ids") => |c, a| proc::ids::sys_setresgid(c, a.uint(0), a.uint(1), a.uint(2));
    getresgid: Full => |c, a| proc::ids::sys_getresgid(c, a.u(0), a.u(1), a.u(2));
    getpgid: Full => |c, a| proc::ids::sys_getpgid(c, a.int(0));
    setfsuid: Partial("the fs uid is the effective uid") => |c, a| proc::ids::sys_setfsuid(c, a.uint(0));
    setfsgid: Partial("the fs gid is the effective gid") => |c, a| proc::ids::sys_setfsgid(c, a.uint(0));
    getsid: Full => |c, a| proc::ids::sys_getsid(c, a.int(0));
    rt_sigpending: Full => |c, a| signal::mask::sys_rt_sigpending(c, a.u(0), a.u(1));
    rt_sigtimedwait: Full => |c, a| signal::mask::sys_rt_sigtimedwait(c, a.u(0), a.u(1), a.u(2), a.u(3));
    rt_sigqueueinfo: Full => |c, a| signal::kill::sys_rt_sigqueueinfo(c, a.int(0), a.int(1), a.u(2));
    rt_sigsuspend: Full => |c, a| signal::mask::sys_rt_sigsuspend(c, a.u(0), a.u(1));
    sigaltstack: Full => |c, a| signal::altstack::sys_sigaltstack(c, a.u(0), a.u(1));
    utime: Full => |c, a| fs::attr::sys_utime(c, a.u(0), a.u(1));
    mknod: Full => |c, a| fs::link::sys_mknod(c, a.u(0), a.uint(1), a.u(2));
    statfs: Full => |c, a| fs::stat::sys_statfs(c, a.u(0), a.u(1));
    fstatfs: Full => |c, a| fs::stat::sys_fstatfs(c, a.int(0), a.u(1));
    getpriority: Partial("the run's threads only; PRIO_USER names every thread of the run for the caller's uid") =>
        |c, a| proc::sched::sys_getpriority(c, a.int(0), a.int(1));
    setpriority: Partial("the run's threads only; PRIO_USER names every thread of the run for the caller's uid") =>
        |c, a| proc::sched::sys_setpriority(c, a.int(0), a.int(1), a.int(2));
    prctl: Partial("PR_SET_NAME, PR_GET_NAME, PR_SET/GET_DUMPABLE, PR_SET/GET_NO_NEW_PRIVS, PR_GET_SECCOMP, PR_SET/GET_PDEATHSIG (recorded), PR_SET/GET_CHILD_SUBREAPER (recorded), PR_SET/GET_TIMERSLACK, PR_CAPBSET_READ, PR_SET_VMA; other options give EINVAL as on a kernel without them") =>
        |c, a| proc::prctl::sys_prctl(c, a.int(0), a.u(1), a.u(2), a.u(3), a.u(4));
    arch_prctl: Full => |c, a| proc::arch::sys_arch_prctl(c, a.int(0), a.u(1));
    setrlimit: Full => |c, a| proc::limits::sys_setrlimit(c, a.uint(0), a.u(1));
    chroot: Full => |c, a| fs::dir::sys_chroot(c, a.u(0));
    sync: Full => |c, _a| fs::attr::sys_sync(c);
    gettid: Full => |c, _a| proc::ids::sys_gettid(c);
    readahead: Full => |c, a| fs::attr::sys_readahead(c, a.int(0), a.long(1), a.u(2));
    setxattr: Full => |c, a| fs::attr::sys_setxattr(c, a.u(0), a.u(1), a.u(2), a.u(3), a.int(4), true);
    lsetxattr: Full => |c, a| fs::attr::sys_setxattr(c, a.u(0), a.u(1), a.u(2), a.u(3), a.int(4), false);
    fsetxattr: Full => |c, a| fs::attr::sys_fsetxattr(c, a.int(0), a.u(1), a.u(2), a.u(3), a.int(4));
    getxattr: Full => |c, a| fs::attr::sys_getxattr(c, a.u(0), a.u(1), a.u(2), a.u(3), true);
    lgetxattr: Full => |c, a| fs::attr::sys_getxattr(c, a.u(0), a.u(1), a.u(2), a.u(3), false);
    fgetxattr: Full => |c, a| fs::attr::sys_fgetxattr(c, a.int(0), a.u(1), a.u(2), a.u(3));
    listxattr: Full => |c, a| fs::attr::sys_listxattr(c, a.u(0), a.u(1), a.u(2), true);
    llistxattr: Full => |c, a| fs::attr::sys_listxattr(c, a.u(0), a.u(1), a.u(2), false);
    flistxattr: Full => |c, a| fs::attr::sys_flistxattr(c, a.int(0), a.u(1), a.u(2));
    removexattr: Full => |c, a| fs::attr::sys_removexattr(c, a.u(0), a.u(1), true);
    lremovexattr: Full => |c, a| fs::attr::sys_removexattr(c, a.u(0), a.u(1), false);
    fremovexattr: Full => |c, a| fs::attr::sys_fremovexattr(c, a.int(0), a.u(1));
    tkill: Partial("threads of this process and main threads of the run's other processes") =>
        |c, a| signal::kill::sys_tkill(c, a.int(0), a.int(1));
    time: Full => |c, a| time::sys_time(c, a.u(0));
    futex: Partial("served by the host futex on guest memory (waits interruptible by handled signals); FUTEX_FD is ENOSYS as on Linux >= 2.6.26") =>
        |c, a| proc::futex::sys_futex(c, a.u(0), a.uint(1), a.uint(2), a.u(3), a.u(4), a.uint(5));
    sched_getaffinity: Full => |c, a| proc::sched::sys_sched_getaffinity(c, a.int(0), a.u(1), a.u(2));
    epoll_create: Full => |c, a| fs::epoll::sys_epoll_create(c, a.int(0));
    getdents64: Full => |c, a| fs::dir::sys_getdents64(c, a.int(0), a.u(1), a.uint(2));
    set_tid_address: Full => |c, a| proc::thread::sys_set_tid_address(c, a.u(0));
    fadvise64: Full => |c, a| fs::attr::sys_fadvise64(c, a.int(0), a.long(1), a.long(2), a.int(3));
    timer_create: Partial("SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (SIGEV_THREAD is the C library's, over SIGEV_THREAD_ID)") => |c, a| time::sys_timer_create(c, a.int(0), a.u(1), a.u(2));
    timer_settime: Full => |c, a| time::sys_timer_settime(c, a.int(0), a.int(1), a.u(2), a.u(3));
    timer_gettime: Full => |c, a| time::sys_timer_gettime(c, a.int(0), a.u(1));
    timer_getoverrun: Full => |c, a| time::sys_timer_getoverrun(c, a.int(0));
    timer_delete: Full => |c, a| time::sys_timer_delete(c, a.int(0));
    clock_gettime: Full => |c, a| time::sys_clock_gettime(c, a.int(0), a.u(1));
    clock_getres: Full => |c, a| time::sys_clock_getres(c, a.int(0), a.u(1));
    clock_nanosleep: Partial("not interrupted by caught signals until processes land; fatal signals still end it") =>
        |c, a| time::sys_clock_nanosleep(c, a.int(0), a.int(1), a.u(2), a.u(3));
    exit_group #[noreturn]: Full => |c, a| proc::exit::sys_exit_group(c, a.int(0));
    epoll_wait: Full => |c, a| fs::epoll::sys_epoll_wait(c, a.int(0), a.u(1), a.int(2), a.int(3));
    epoll_ctl: Full => |c, a| fs::epoll::sys_epoll_ctl(c, a.int(0), a.int(1), a.int(2), a.u(3));
    tgkill: Partial("threads of this process and of the run's other processes only") =>
        |c, a| signal::kill::sys_tgkill(c, a.int(0), a.int(1), a.int(2));
    utimes: Full => |c, a| fs::attr::sys_utimes(c, a.u(0), a.u(1));
    waitid: Partial("P_PIDFD gives EINVAL") => |c, a| proc::wait::sys_waitid(c, a.uint(0), a.int(1), a.u(2), a.uint(3), a.u(4));
    openat: Full => |c, a| fs::open::sys_openat(c, a.int(0), a.u(1), a.uint(2), a.uint(3));
    mkdirat: Full => |c, a| fs::dir::sys_mkdirat(c, a.int(0), a.u(1), a.uint(2));
    mknodat: Full => |c, a| fs::link::sys_mknodat(c, a.int(0), a.u(1), a.uint(2), a.u(3));
    fchownat: Partial("without host root, -0 ownership is remembered in the overlay, not for symlinks") => |c, a| fs::attr::sys_fchownat(c, a.int(0), a.u(1), a.uint(2), a.uint(3), a.uint(4));
    futimesat: Full => |c, a| fs::attr::sys_futimesat(c, a.int(0), a.u(1), a.u(2));
    newfstatat: Full =>
        |c, a| fs::stat::sys_newfstatat(c, a.int(0), a.u(1), a.u(2), a.uint(3));
    unlinkat: Full => |c, a| fs::link::sys_unlinkat(c, a.int(0), a.u(1), a.uint(2));
    renameat: Partial("directories that exist in an overlay's lower layer give EXDEV") => |c, a| fs::link::sys_renameat(c, a.int(0), a.u(1), a.int(2), a.u(3));
    linkat: Full => |c, a| fs::link::sys_linkat(c, a.int(0), a.u(1), a.int(2), a.u(3), a.uint(4));
    symlinkat: Full => |c, a| fs::link::sys_symlinkat(c, a.u(0), a.int(1), a.u(2));
    readlinkat: Full => |c, a| fs::stat::sys_readlinkat(c, a.int(0), a.u(1), a.u(2), a.int(3));
    fchmodat: Full => |c, a| fs::attr::sys_fchmodat(c, a.int(0), a.u(1), a.uint(2));
    faccessat: Full => |c, a| fs::stat::sys_faccessat(c, a.int(0), a.u(1), a.uint(2));
    pselect6: Full => |c, a| fs::poll::sys_pselect6(c, a.int(0), a.u(1), a.u(2), a.u(3), a.u(4), a.u(5));
    ppoll: Full => |c, a| fs::poll::sys_ppoll(c, a.u(0), a.u(1), a.u(2), a.u(3), a.u(4));
    set_robust_list: Full => |c, a| proc::thread::sys_set_robust_list(c, a.u(0), a.u(1));
    get_robust_list: Full => |c, a| proc::thread::sys_get_robust_list(c, a.int(0), a.u(1), a.u(2));
    splice: Full => |c, a| fs::pipe::sys_splice(c, a.int(0), a.u(1), a.int(2), a.u(3), a.u(4), a.uint(5));
    tee: Full => |c, a| fs::pipe::sys_tee(c, a.int(0), a.int(1), a.u(2), a.uint(3));
    vmsplice: Full => |c, a| fs::pipe::sys_vmsplice(c, a.int(0), a.u(1), a.u(2), a.uint(3));
    utimensat: Full => |c, a| fs::attr::sys_utimensat(c, a.int(0), a.u(1), a.u(2), a.uint(3));
    epoll_pwait: Full => |c, a| fs::epoll::sys_epoll_pwait(c, a.int(0), a.u(1), a.int(2), a.int(3), a.u(4), a.u(5));
    signalfd: Full => |c, a| fs::pipe::sys_signalfd(c, a.int(0), a.u(1), a.u(2));
    eventfd: Full => |c, a| fs::epoll::sys_eventfd(c, a.uint(0));
    fallocate: Full => |c, a| fs::attr::sys_fallocate(c, a.int(0), a.int(1), a.long(2), a.long(3));
    signalfd4: Full => |c, a| fs::pipe::sys_signalfd4(c, a.int(0), a.u(1), a.u(2), a.uint(3));
    eventfd2: Full => |c, a| fs::epoll::sys_eventfd2(c, a.uint(0), a.uint(1));
    epoll_create1: Full => |c, a| fs::epoll::sys_epoll_create1(c, a.uint(0));
    dup3: Full => |c, a| fs::fdops::sys_dup3(c, a.int(0), a.int(1), a.int(2));
    pipe2: Partial("O_NOTIFICATION_PIPE gives ENOPKG") => |c, a| fs::pipe::sys_pipe2(c, a.u(0), a.uint(1));
    rt_tgsigqueueinfo: Partial("this process's threads and other processes' main threads") => |c, a| signal::kill::sys_rt_tgsigqueueinfo(c, a.int(0), a.int(1), a.int(2), a.u(3));
    prlimit64: Full => |c, a| proc::limits::sys_prlimit64(c, a.int(0), a.uint(1), a.u(2), a.u(3));
    syncfs: Full => |c, a| fs::attr::sys_syncfs(c, a.int(0));
    getcpu: Full => |c, a| proc::sched::sys_getcpu(c, a.u(0), a.u(1));
    renameat2: Partial("RENAME_WHITEOUT gives EPERM; lower-layer directories give EXDEV") => |c, a| fs::link::sys_renameat2(c, a.int(0), a.u(1), a.int(2), a.u(3), a.uint(4));
    getrandom: Full => |c, a| random::sys_getrandom(c, a.u(0), a.u(1), a.uint(2));
    memfd_create: Full => |c, a| fs::open::sys_memfd_create(c, a.u(0), a.uint(1));
    execveat: Partial("AT_EMPTY_PATH of an fd opened by path runs the file now at that path") => |c, a| proc::exec::sys_execveat(c, a.int(0), a.u(1), a.u(2), a.u(3), a.uint(4));
    copy_file_range: Full => |c, a| fs::attr::sys_copy_file_range(c, a.int(0), a.u(1), a.int(2), a.u(3), a.u(4), a.uint(5));
    statx: Partial("no birth time (STATX_BTIME not reported)") => |c, a| fs::stat::sys_statx(c, a.int(0), a.u(1), a.uint(2), a.uint(3), a.u(4));
    rseq: Full => |c, a| proc::thread::sys_rseq(c, a.u(0), a.uint(1), a.int(2), a.uint(3));
    clone3: Partial("as clone; set_tid and CLONE_INTO_CGROUP give EPERM") => |c, a| proc::fork::sys_clone3(c, a.u(0), a.u(1));
    close_range: Full => |c, a| fs::open::sys_close_range(c, a.uint(0), a.uint(1), a.uint(2));
    openat2: Partial("RESOLVE_IN_ROOT/NO_XDEV/CACHED are accepted but lx's own confinement applies") => |c, a| fs::open::sys_openat2(c, a.int(0), a.u(1), a.u(2), a.u(3));
    faccessat2: Full => |c, a| fs::stat::sys_faccessat2(c, a.int(0), a.u(1), a.uint(2), a.uint(3));
    epoll_pwait2: Full => |c, a| fs::epoll::sys_epoll_pwait2(c, a.int(0), a.u(1), a.int(2), a.u(3), a.u(4), a.u(5));
    fchmodat2: Full => |c, a| fs::attr::sys_fchmodat2(c, a.int(0), a.u(1), a.uint(2), a.uint(3));
}

/// The bound row of `nr`, if lx implements it.
pub fn row(nr: u32) -> Option<&'static Row> {
    ROWS.binary_search_by_key(&nr, |r| r.nr)
        .ok()
        .map(|i| &ROWS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sorted_unique_and_known() {
        for w in ROWS.windows(2) {
            assert!(w[0].nr < w[1].nr, "rows out of order at {}", w[1].nr);
        }
        for r in ROWS {
            assert!(
                lx_abi::syscalls::desc(r.nr).is_some(),
                "row {} not in the ABI",
                r.nr
            );
        }
        assert!(row(nr::exit_group).unwrap().noreturn);
        assert!(!row(nr::read).unwrap().noreturn);
    }
}
