//! vfork(2) (and clone with exactly CLONE_VM|CLONE_VFORK: posix_spawn) of
//! a single-threaded process, served the way Linux's vfork costs little:
//! the child's code runs on the parent's memory until its exec.
//!
//! ```text
//!   parent P (suspended)         helper H (lx's)                 child C
//!   run_vfork_helper() ------> CLONE_VM|CLONE_VFORK process:
//!                              the guest's code after vfork,
//!                              on P's memory, served by lx
//!                              with its own fd table and
//!                              dispositions (copies of P's)
//!                              execve: resolved and opened
//!                              here, then fork_small() -----> execs in place
//!                              _exit(n) / fatal signal:
//!                              fork_small() ----------------> ends likewise
//!   resumes when H ends <----- ends
//! ```
//!
//! C, the process the guest knows (vfork returns its pid; wait, kill and
//! /proc name it), is a host fork of H made with CLONE_PARENT (P's child)
//! and with the guest's mappings left out (MADV_DONTFORK around the
//! clone): it holds lx's window, the process stack and the vDSO only, so
//! the fork copies few page tables and the exec has nothing to unmap; it
//! inherits everything else H changed (fds, dispositions, mask, limits,
//! ids). H is a separate host process no guest call names (its exit signal
//! is 0; P reaps it before returning). Writes the child's code makes to
//! memory before its exec reach the parent, as with Linux's vfork (glibc's
//! posix_spawn reports an exec failure that way).
//!
//! A call whose answer or effect depends on the child's own pid (getpid,
//! setsid, setpgid, kill, alarm, a path through /proc or /dev...; anything
//! but the calls `lazy_ok` lists) makes C at once, with a socket pair only
//! the two hold: C then waits, runs what must act on it for H (setsid,
//! setpgid, alarm, setitimer, some prctls, TIOCSCTTY), passes signals sent
//! to it on to H, and at H's exec takes over H's fds (SCM_RIGHTS) and
//! launch description, or H's exit status or fatal signal. If the host
//! kills H first, its parent passes the signal on (`verdict`).
//!
//! What differs from Linux: a signal the helper sends before its exec
//! carries the helper's host pid in si_pid; a process the helper forks
//! before its exec is the helper's child (vfork children may only exec or
//! _exit; programs that do more use fork); POSIX record locks (F_SETLK)
//! the child takes before its exec are the helper's, released when it
//! ends; a signal sent to the child's pid before its exec reaches the
//! helper from the child (si_pid); the helper ends with its parent, so a
//! vfork child whose parent dies before its exec dies too. A parent that is threaded, or
//! whose guest gave memory fork advice (MADV_DONTFORK...), gets the full
//! fork (`proc::fork`).

use crate::config::Config;
use crate::ctx::{Args, Ctx, SysResult};
use crate::host::{Host, HostDisposition, HostFd, VforkHelper};
use crate::proc::exec::Exec;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use lx_abi::Errno;
use lx_abi::syscalls::nr;

/// Set once the guest gave memory fork advice (MADV_DONTFORK, MADV_DOFORK,
/// MADV_WIPEONFORK): the small fork's own advice would undo it.
pub static GUEST_FORK_ADVICE: AtomicBool = AtomicBool::new(false);

/// Message kinds (the first word of a header).
const EXEC: u64 = 1;
/// The helper's guest ended with an exit status (second word).
pub const EXIT: u64 = 2;
/// The helper's guest was killed by a signal (second word).
pub const KILLED: u64 = 3;
/// Run a host call on the child itself: number, two arguments.
const CALL: u64 = 4;
/// TIOCSCTTY on the fd the message carries, with an argument.
const CTTY: u64 = 5;
/// setitimer: which, interval, value (seconds << 20 | microseconds).
const ITIMER: u64 = 6;
/// getitimer: which, part (0: value, 1: interval); the answer packed so.
const GETITIMER: u64 = 7;

/// A header: four little-endian words.
pub const HEADER: usize = 32;
/// Fds per message, under the kernel's SCM_MAX_FD (253).
const FD_BATCH: usize = 250;
/// Payload bytes per message.
const CHUNK: usize = 32 * 1024;

/// A message header.
pub fn header(kind: u64, a: u64, b: u64, c: u64) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    for (i, w) in [kind, a, b, c].into_iter().enumerate() {
        h[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    h
}

fn word(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[i * 8..i * 8 + 8]);
    u64::from_le_bytes(w)
}

fn recv(h: &dyn Host, sock: HostFd, buf: &mut [u8], fds: &mut Vec<HostFd>) -> usize {
    loop {
        match h.recv_fds(sock, buf, fds) {
            Err(Errno::EINTR) => continue,
            Ok(n) => return n,
            Err(_) => return 0,
        }
    }
}

/// Serve a vfork (`flags` exactly CLONE_VM|CLONE_VFORK) this way, or None
/// when this process does not qualify (the caller forks fully).
pub fn try_vfork(c: &mut Ctx<'_>, exit_signal: u64, stack: u64) -> Option<SysResult> {
    if c.k.threaded()
        || !c.k.cfg.in_place_exec
        || c.k.vfork_helper
        || GUEST_FORK_ADVICE.load(Ordering::Relaxed)
    {
        return None;
    }
    let mut regs = *c.regs;
    regs.rax = 0;
    if stack != 0 {
        regs.rsp = stack;
    }
    let k = c.k.for_vfork_child();
    let r = c
        .host
        .run_vfork_helper(&regs, k, exit_signal)
        .and_then(|end| {
            if let Some(mm) = end.mm {
                // The helper moved the program break in this memory.
                c.k.mm = mm;
            }
            verdict(c, end.child, end.status, exit_signal)
        });
    match r {
        Ok(child) => {
            // Registered by the parent too, before anyone can name it (a
            // `kill $!` right after must find it).
            c.host.registry_add(child);
            Some(Ok(child as usize))
        }
        Err(Errno::ENOSYS) => None,
        Err(e) => Some(Err(e)),
    }
}

/// The value of the signal a parent queues to tell a waiting child that
/// its helper died of it (see `verdict`).
const VERDICT: u64 = 0x6c78_7666;

/// The helper ended with wait status `status` (None: unknown, the host
/// reaped it), having made `child` (0: none). A helper the host killed (a
/// signal at its default action) before it handed over takes the child
/// with it: a waiting child gets the signal queued with a mark it waits
/// for; else a child is made here to die of it (SIGKILL when the status
/// is unknown: nobody can wait for it then).
fn verdict(
    c: &mut Ctx<'_>,
    child: i32,
    status: Option<i32>,
    exit_signal: u64,
) -> Result<i32, Errno> {
    let killed = match status {
        Some(st) if st & 0x7f != 0 && st & 0xff != 0x7f => (st & 0x7f) as u32,
        None if child == 0 => lx_abi::signal::SIGKILL,
        _ => {
            return if child == 0 {
                Err(Errno::EAGAIN)
            } else {
                Ok(child)
            };
        }
    };
    if child != 0 {
        if killed == lx_abi::signal::SIGKILL {
            let _ = c.host.syscall(nr::kill, [child as u64, 9, 0, 0, 0, 0]);
        } else {
            // siginfo: signo, errno, code = SI_QUEUE, pid, uid, value.
            let mut si = [0u8; 128];
            si[0..4].copy_from_slice(&(killed as i32).to_le_bytes());
            si[8..12].copy_from_slice(&(-1i32).to_le_bytes());
            si[16..20].copy_from_slice(&c.host.host_pid().to_le_bytes());
            si[24..32].copy_from_slice(&VERDICT.to_le_bytes());
            let _ = c.host.syscall(
                nr::rt_sigqueueinfo,
                [child as u64, u64::from(killed), si.as_ptr() as u64, 0, 0, 0],
            );
        }
        return Ok(child);
    }
    // The rseq area is guest memory, which a small fork's child does not
    // get: the host would fault it at the clone's return.
    let rseq = c.k.rseq;
    if let Some((addr, len, sig)) = rseq {
        let _ = c.host.rseq(addr, len, 1 /* RSEQ_FLAG_UNREGISTER */, sig);
    }
    let r = c.host.fork_small(exit_signal);
    if r == Ok(0) {
        c.host.die_by_signal(killed)
    }
    if let Some((addr, len, sig)) = rseq {
        let _ = c.host.rseq(addr, len, 0, sig);
    }
    r
}

/// CLONE_PARENT: the child is the vfork caller's, not the helper's.
pub const CLONE_PARENT: u64 = 0x8000;

/// In the helper: make the child (a small fork). Ok(0) in the child,
/// which is a process of its own from now on, Ok(pid) in the helper.
fn make_child(c: &mut Ctx<'_>, h: VforkHelper) -> Result<i32, Errno> {
    let r = c.host.fork_small(h.exit_signal | CLONE_PARENT)?;
    if r == 0 {
        // (The socket: the caller keeps what it needs.)
        c.host.set_vfork_helper(None);
        if c.k.sig.actions[17].handler == lx_abi::signal::SIG_IGN {
            // The parent catches SIGCHLD the default way while a helper
            // runs (its status must not be reaped away): the child ignores
            // it on the host as its guest does.
            let _ = c.host.set_disposition(17, HostDisposition::Ignore);
        }
        c.host.forget_other_threads();
        c.k.vfork_helper = false;
        let pid = c.host.host_pid();
        c.k.id.pid = pid;
        c.k.id.tid = pid;
        c.host.registry_add(pid);
        c.host.registry_set_cmdline(pid, &c.k.cmdline);
    }
    Ok(r)
}

/// Before the helper serves a call: one that needs the child's own pid
/// makes the child now.
pub fn before_call(c: &mut Ctx<'_>, a: &Args) {
    let Some(h) = c.host.vfork_helper() else {
        return;
    };
    if h.child != 0 || lazy_ok(c, a) {
        return;
    }
    // The socket the child waits on: only the two of them hold it, so
    // each sees the other go (EOF, EPIPE).
    let mut s = [0i32; 2];
    // AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC.
    if c.host
        .syscall(
            nr::socketpair,
            [1, 5 | 0o2000000, 0, s.as_mut_ptr() as u64, 0, 0],
        )
        .is_err()
    {
        return;
    }
    let helper = c.host.host_pid();
    match make_child(c, h) {
        Ok(0) => {
            let _ = c.host.close(s[1]);
            serve(c, s[0], helper)
        }
        Ok(child) => {
            let _ = c.host.close(s[0]);
            c.host.set_vfork_helper(Some(VforkHelper {
                child,
                sock: s[1],
                ..h
            }));
            c.k.id.pid = child;
            c.k.id.tid = child;
        }
        Err(_) => {
            let _ = c.host.close(s[0]);
            let _ = c.host.close(s[1]);
        }
    }
}

/// Calls a vfork child makes that do not depend on its own pid: served
/// by the helper before the child exists. Paths must stay out of /proc
/// and /dev (/proc/self, /dev/fd, /dev/stdout name the caller).
#[allow(non_upper_case_globals)] // the syscall numbers' names
fn lazy_ok(c: &Ctx<'_>, a: &Args) -> bool {
    use nr::*;
    let path_ok = |dirfd: i32, i: usize| -> bool {
        let Ok(p) = crate::user::read_cstr(c.host, a.u(i), 4097) else {
            return true; // (the call fails with EFAULT or ENAMETOOLONG)
        };
        let outside = |q: &[u8]| !q.starts_with(b"/proc") && !q.starts_with(b"/dev");
        if p.first() == Some(&b'/') {
            return outside(&p);
        }
        if dirfd == lx_abi::flags::AT_FDCWD {
            return outside(&c.k.cwd);
        }
        c.k.fds
            .get(dirfd)
            .is_ok_and(|e| e.file.path.as_deref().is_some_and(outside))
    };
    let at = lx_abi::flags::AT_FDCWD;
    match c.nr {
        read | write | close | fstat | lseek | mmap | mprotect | munmap | brk | rt_sigaction
        | rt_sigprocmask | ioctl | pread64 | pwrite64 | readv | writev | pipe | dup | dup2
        | fcntl | getcwd | fchdir | umask | getrlimit | setrlimit | getuid | getgid | geteuid
        | getegid | getppid | getpgrp | getgroups | setuid | setgid | setreuid | setregid
        | setgroups | setresuid | setresgid | sigaltstack | getdents64 | clock_gettime | exit
        | exit_group | dup3 | pipe2 | getrandom | close_range => true,
        getpgid | getsid | prlimit64 => a.int(0) == 0,
        open | stat | lstat | access | chdir | readlink | execve => path_ok(at, 0),
        openat | newfstatat | readlinkat | faccessat | faccessat2 | statx | execveat => {
            path_ok(a.int(0), 1)
        }
        _ => false,
    }
}

/// The waiting child: serve the helper's requests until it execs or ends.
/// Signals sent to it meanwhile go to the helper (host pid `helper`),
/// which runs the child's code (and its handlers).
fn serve(c: &mut Ctx<'_>, sock: HostFd, helper: i32) -> ! {
    let mut buf = vec![0u8; CHUNK];
    // Every signal is blocked here (this runs in the helper's SIGSYS
    // handler): a signalfd takes those the guest does not block; the others
    // stay pending here, for the image the child execs.
    let all = !c.k.sig.mask.0;
    let sfd = c
        .host
        .syscall(
            nr::signalfd4,
            [u64::MAX, &all as *const u64 as u64, 8, 0o2000000, 0, 0],
        )
        .map_or(-1, |fd| fd as i32);
    loop {
        if sfd >= 0 {
            // struct pollfd { int fd; short events, revents; } x 2, POLLIN.
            let mut p = [0u8; 16];
            p[0..4].copy_from_slice(&sock.to_le_bytes());
            p[4..6].copy_from_slice(&1i16.to_le_bytes());
            p[8..12].copy_from_slice(&sfd.to_le_bytes());
            p[12..14].copy_from_slice(&1i16.to_le_bytes());
            let _ = c
                .host
                .syscall(nr::ppoll, [p.as_mut_ptr() as u64, 2, 0, 0, 8, 0]);
            if p[14] & 1 != 0 {
                let mut si = [0u8; 128];
                if c.host
                    .syscall(nr::read, [sfd as u64, si.as_mut_ptr() as u64, 128, 0, 0, 0])
                    == Ok(128)
                {
                    // struct signalfd_siginfo: signo @0, code @8, ptr @48.
                    let sig = u32::from_le_bytes([si[0], si[1], si[2], si[3]]);
                    let code = i32::from_le_bytes([si[8], si[9], si[10], si[11]]);
                    if code == -1 && word(&si, 6) == VERDICT {
                        // The helper died of it (`verdict`).
                        c.host.die_by_signal(sig)
                    }
                    let _ = c
                        .host
                        .syscall(nr::kill, [helper as u64, u64::from(sig), 0, 0, 0, 0]);
                }
                if p[6] & 1 == 0 {
                    continue;
                }
            }
        }
        let mut fds = Vec::new();
        let n = recv(c.host, sock, &mut buf, &mut fds);
        if n < HEADER {
            // The helper is gone without a word: killed; its parent says
            // by what (`verdict`).
            lost(c)
        }
        let (kind, a, b, d) = (word(&buf, 0), word(&buf, 1), word(&buf, 2), word(&buf, 3));
        match kind {
            CALL => answer(c, sock, c.host.syscall(a as u32, [b, d, 0, 0, 0, 0])),
            CTTY => {
                let r = match fds.first() {
                    Some(&fd) => c
                        .host
                        .syscall(nr::ioctl, [fd as u64, 0x540e /* TIOCSCTTY */, a, 0, 0, 0]),
                    None => Err(Errno::EBADF),
                };
                for &fd in &fds {
                    let _ = c.host.close(fd);
                }
                answer(c, sock, r);
            }
            ITIMER => {
                let ([is, ius], [vs, vus]) = (unpack_tv(b), unpack_tv(d));
                let t = [is, ius, vs, vus];
                let r = c
                    .host
                    .syscall(nr::setitimer, [a, t.as_ptr() as u64, 0, 0, 0, 0]);
                answer(c, sock, r);
            }
            GETITIMER => {
                let mut t = [0i64; 4];
                let r = c
                    .host
                    .syscall(nr::getitimer, [a, t.as_mut_ptr() as u64, 0, 0, 0, 0])
                    .map(|_| {
                        let (s, us) = if b == 0 { (t[2], t[3]) } else { (t[0], t[1]) };
                        pack_tv(s, us) as usize
                    });
                answer(c, sock, r);
            }
            EXIT => c.host.exit_group(a as i32),
            KILLED => c.host.die_by_signal(a as u32),
            EXEC => {
                let (len, nfds) = (a as usize, b as usize);
                // This process's own fds (the parent's at the vfork) go
                // first: the helper's take their places.
                for (n, _) in c.k.fds.entries() {
                    if let Ok(e) = c.k.fds.remove(n) {
                        let _ = c.k.fds.release(c.host, e);
                    }
                }
                c.k.fds.reap_deferred(c.host);
                while fds.len() < nfds {
                    if recv(c.host, sock, &mut buf, &mut fds) == 0 {
                        lost(c)
                    }
                }
                let mut payload = Vec::with_capacity(len);
                while payload.len() < len {
                    let n = recv(c.host, sock, &mut buf, &mut fds);
                    if n == 0 {
                        lost(c)
                    }
                    payload.extend_from_slice(&buf[..n]);
                }
                drop(buf);
                let _ = c.host.close(sock);
                if sfd >= 0 {
                    let _ = c.host.close(sfd);
                }
                start(c, &payload, &fds)
            }
            _ => c.host.die_by_signal(lx_abi::signal::SIGKILL),
        }
    }
}

/// The waiting child's answer to a request: the call's result.
fn answer(c: &Ctx<'_>, sock: HostFd, r: SysResult) {
    let v = match r {
        Ok(v) => v as i64,
        Err(e) => -i64::from(e.0),
    };
    let _ = c.host.send_fds(sock, &v.to_le_bytes(), &[]);
}

/// A time (seconds, microseconds) in one word: seconds << 20 | us (the
/// seconds bounded so that the word is a positive syscall result).
fn pack_tv(s: i64, us: i64) -> u64 {
    ((s as u64).min((1 << 42) - 1) << 20) | us as u64
}

fn unpack_tv(w: u64) -> [i64; 2] {
    [(w >> 20) as i64, (w & 0xf_ffff) as i64]
}

/// The waiting child's helper died without a word: it dies of what the
/// parent queues (`verdict`), or of SIGKILL when nothing comes.
fn lost(c: &mut Ctx<'_>) -> ! {
    let all = !0u64;
    let wait = [10i64, 0];
    let mut si = [0u8; 128];
    while let Ok(sig) = c.host.syscall(
        nr::rt_sigtimedwait,
        [
            &all as *const u64 as u64,
            si.as_mut_ptr() as u64,
            wait.as_ptr() as u64,
            8,
            0,
            0,
        ],
    ) {
        let code = i32::from_le_bytes([si[8], si[9], si[10], si[11]]);
        if code == -1 && word(&si, 3) == VERDICT {
            c.host.die_by_signal(sig as u32)
        }
    }
    c.host.die_by_signal(lx_abi::signal::SIGKILL)
}

/// The child execs what the helper prepared: its fds are the helper's
/// (received), its dispositions become the helper's, and the image starts
/// in place.
fn start(c: &mut Ctx<'_>, payload: &[u8], got: &[HostFd]) -> ! {
    let Some((zfds, body)) = split_payload(payload) else {
        c.host.die_by_signal(lx_abi::signal::SIGKILL)
    };
    let Ok(mut cfg) = Config::decode(body) else {
        c.host.die_by_signal(lx_abi::signal::SIGKILL)
    };
    let map = |fd: HostFd| {
        zfds.iter()
            .position(|&z| z == fd)
            .and_then(|i| got.get(i).copied())
            .unwrap_or(-1)
    };
    for f in &mut cfg.fds {
        f.host = map(f.host);
    }
    if let Some(p) = &mut cfg.prepared {
        p.main_fd = map(p.main_fd);
        if p.interp_fd >= 0 {
            p.interp_fd = map(p.interp_fd);
        }
    }
    // The host dispositions here are the parent's; the new image keeps
    // what the helper ignored and nothing else the parent did.
    let handled = crate::proc::exec::handled_signals(c.k);
    let was_ignored = (1..=64u32)
        .filter(|&s| c.k.sig.actions[s as usize].handler == lx_abi::signal::SIG_IGN)
        .fold(0u64, |m, s| m | (1 << (s - 1)));
    for sig in 1..=64u32 {
        let bit = 1u64 << (sig - 1);
        if sig == 9 || sig == 19 || crate::signal::ALWAYS_CAUGHT.contains(sig) {
            continue;
        }
        if cfg.ignored & bit != 0 && was_ignored & bit == 0 {
            let _ = c.host.set_disposition(sig, HostDisposition::Ignore);
        } else if cfg.ignored & bit == 0 && was_ignored & bit != 0 {
            let _ = c.host.set_disposition(sig, HostDisposition::Default);
        }
    }
    let Some(p) = cfg.prepared.clone() else {
        c.host.die_by_signal(lx_abi::signal::SIGKILL)
    };
    let Ok(exec) = crate::proc::exec::reopen(c.host, &p, &cfg.program) else {
        c.host.die_by_signal(lx_abi::signal::SIGKILL)
    };
    // A fork does not inherit POSIX timers.
    c.k.timers.clear();
    // (A handled signal the helper ignores is ignored already.)
    let handled = handled & !cfg.ignored;
    crate::proc::exec::replace_image(c, cfg, exec, handled, true)
}

/// A payload: fd count, the helper's fd numbers, the launch description.
fn split_payload(p: &[u8]) -> Option<(Vec<HostFd>, &[u8])> {
    let n = u32::from_le_bytes(p.get(..4)?.try_into().ok()?) as usize;
    let fds = p.get(4..4 + 4 * n)?;
    let fds = fds
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Some((fds, &p[4 + 4 * n..]))
}

/// In the helper: execve resolved and opened the program (`cfg`,
/// `exec`). Some(exec) in the child, which execs it in place; None in the
/// helper, which has handed the exec over and ends when this call returns
/// (its allocations freed on the way: they are in its parent's memory).
pub fn exec_child(c: &mut Ctx<'_>, cfg: &mut Config, exec: Exec) -> Option<Exec> {
    let Some(h) = c.host.vfork_helper() else {
        return Some(exec);
    };
    if h.child == 0 {
        match make_child(c, h) {
            Ok(0) => {
                cfg.pid = c.k.id.pid;
                return Some(exec);
            }
            Ok(child) => c.host.set_vfork_helper(Some(VforkHelper { child, ..h })),
            // No child could be made: vfork fails in the parent (EAGAIN).
            Err(_) => {}
        }
        c.host.vfork_helper_done();
        return None;
    }
    // The child was made before: it takes the fds over.
    c.host.registry_mark_execed(c.k.id.pid);
    let mut fds: Vec<HostFd> = cfg.fds.iter().map(|f| f.host).collect();
    if let Some(p) = &cfg.prepared {
        fds.extend([p.main_fd, p.interp_fd].into_iter().filter(|&fd| fd >= 0));
    }
    fds.sort_unstable();
    fds.dedup();
    let body = cfg.encode();
    let mut payload = Vec::with_capacity(4 + 4 * fds.len() + body.len());
    payload.extend_from_slice(&(fds.len() as u32).to_le_bytes());
    for fd in &fds {
        payload.extend_from_slice(&fd.to_le_bytes());
    }
    payload.extend_from_slice(&body);
    drop(body);
    let _ = send_exec(c.host, h.sock, &payload, &fds);
    c.host.vfork_helper_done();
    None
}

fn send_exec(h: &dyn Host, sock: HostFd, payload: &[u8], fds: &[HostFd]) -> Result<(), Errno> {
    // The header alone first: the child lets go of its own fds before
    // the helper's arrive.
    h.send_fds(
        sock,
        &header(EXEC, payload.len() as u64, fds.len() as u64, 0),
        &[],
    )?;
    for b in fds.chunks(FD_BATCH) {
        h.send_fds(sock, &[0], b)?;
    }
    for chunk in payload.chunks(CHUNK) {
        h.send_fds(sock, chunk, &[])?;
    }
    Ok(())
}

/// In the helper: TIOCSCTTY on host fd `fd`, done by the child (the
/// session leader, when the helper's code started a session).
pub fn set_ctty(c: &mut Ctx<'_>, fd: HostFd, arg: u64) -> SysResult {
    if c.host.vfork_helper().is_some_and(|h| h.child == 0) {
        return c
            .host
            .syscall(nr::ioctl, [fd as u64, 0x540e /* TIOCSCTTY */, arg, 0, 0, 0]);
    }
    rpc(c, &header(CTTY, arg, 0, 0), &[fd])
}

/// In the helper: setitimer(`which`, {interval, value}) (`v`: seconds and
/// microseconds of each), done by the child too.
pub fn set_itimer(c: &mut Ctx<'_>, which: i32, v: [i64; 4]) -> Result<(), Errno> {
    if v.iter().any(|&x| x < 0) || v[1] >= 1_000_000 || v[3] >= 1_000_000 {
        return Err(Errno::EINVAL);
    }
    rpc(
        c,
        &header(
            ITIMER,
            which as u32 as u64,
            pack_tv(v[0], v[1]),
            pack_tv(v[2], v[3]),
        ),
        &[],
    )
    .map(|_| ())
}

/// In the helper: send `msg` (with `fds`) to the child made before the
/// exec and wait for its answer (a syscall's result).
fn rpc(c: &Ctx<'_>, msg: &[u8], fds: &[HostFd]) -> SysResult {
    let Some(VforkHelper { child, sock, .. }) = c.host.vfork_helper() else {
        return Err(Errno::ESRCH);
    };
    if child == 0 {
        return Err(Errno::ESRCH);
    }
    c.host.send_fds(sock, msg, fds)?;
    let mut buf = [0u8; 8];
    let mut got = Vec::new();
    if recv(c.host, sock, &mut buf, &mut got) != 8 {
        return Err(Errno::ESRCH);
    }
    Errno::from_ret(i64::from_le_bytes(buf) as isize)
}

/// In the helper: getitimer(`which`) of the child, whose timers these are:
/// [interval s, us, value s, us].
pub fn get_itimer(c: &mut Ctx<'_>, which: i32) -> Result<[i64; 4], Errno> {
    let mut out = [0i64; 4];
    for (part, at) in [(0u64, 2usize), (1, 0)] {
        let w = rpc(c, &header(GETITIMER, which as u32 as u64, part, 0), &[])? as u64;
        [out[at], out[at + 1]] = unpack_tv(w);
    }
    Ok(out)
}

/// In the helper: guest fd `fd` was just opened without O_NOCTTY. If the
/// child leads a session without a controlling terminal and this is a
/// terminal, it becomes the child's, as the open would have made it.
pub fn opened(c: &mut Ctx<'_>, fd: i32) {
    if !c.k.vfork_session {
        return;
    }
    let Ok(h) = c.k.fds.host_fd(fd) else {
        return;
    };
    // (A pty master never becomes one: TIOCGPTN answers only on masters.)
    let mut ptn = 0u32;
    let master = c
        .host
        .syscall(
            nr::ioctl,
            [h as u64, 0x8004_5430, &mut ptn as *mut u32 as u64, 0, 0, 0],
        )
        .is_ok();
    if !master && c.host.tcgets(h).is_ok() && set_ctty(c, h, 0).is_ok() {
        c.k.vfork_session = false;
    }
}

/// In the helper: run host call `n` with two arguments in the child (a
/// call that acts on the calling process: setsid, setpgid of itself,
/// PR_SET_PDEATHSIG).
pub fn call_in_child(c: &Ctx<'_>, n: u32, a: u64, b: u64) -> SysResult {
    rpc(c, &header(CALL, u64::from(n), a, b), &[])
}
