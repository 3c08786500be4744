//! fork(2), vfork(2), clone(2) and clone3(2) of new processes. The child is
//! a host fork of this process: it holds a copy of lx (kernel state, fd
//! table, shim) and inherits the seccomp filter, so it is mediated from its
//! first instruction; it returns from the same trapped syscall with 0.
//!
//! vfork and clone with exactly CLONE_VM|CLONE_VFORK (posix_spawn) of a
//! single-threaded process run the child's code on the parent's memory
//! until its exec (`proc::vfork`). Otherwise CLONE_VM|CLONE_VFORK is
//! served as a fork whose parent waits until the child execs or exits, as
//! vfork's parent does; the two do not share memory then (programs may
//! only call exec or _exit in a vfork child, and the ones that write to
//! shared memory first, like glibc's posix_spawn error report, lose that
//! write: the exit status still tells).
//!
//! Threads (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, what
//! pthread_create and Go's runtime use) are host threads of this process:
//! each gets its own kernel state sharing the fd table and the process's
//! shared state (see `Kernel::new_thread`). Other CLONE_VM sharing
//! combinations (a process sharing memory but not the fd table, ...) are
//! not served (ENOSYS, reported once).

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;
use lx_abi::syscalls::nr;

pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_FILES: u64 = 0x400;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_PTRACE: u64 = 0x2000;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_PARENT: u64 = 0x8000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_NEWNS: u64 = 0x20000;
pub const CLONE_SYSVSEM: u64 = 0x40000;
pub const CLONE_SETTLS: u64 = 0x80000;
pub const CLONE_PARENT_SETTID: u64 = 0x100000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x200000;
pub const CLONE_DETACHED: u64 = 0x400000;
pub const CLONE_UNTRACED: u64 = 0x800000;
pub const CLONE_CHILD_SETTID: u64 = 0x1000000;
pub const CLONE_NEWCGROUP: u64 = 0x2000000;
pub const CLONE_NEWUTS: u64 = 0x4000000;
pub const CLONE_NEWIPC: u64 = 0x8000000;
pub const CLONE_NEWUSER: u64 = 0x1000_0000;
pub const CLONE_NEWPID: u64 = 0x2000_0000;
pub const CLONE_NEWNET: u64 = 0x4000_0000;
pub const CLONE_IO: u64 = 0x8000_0000;
const NAMESPACES: u64 = CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET;
const KNOWN: u64 = 0xffff_ff00 | 0x1_0000_0000; // + CLONE_CLEAR_SIGHAND

/// Create a child process. `exit_signal` is the signal the parent gets when
/// it ends (SIGCHLD for fork); `stack` is the child's stack pointer (0:
/// the parent's).
pub fn do_fork(
    c: &mut Ctx<'_>,
    flags: u64,
    exit_signal: u64,
    stack: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
) -> SysResult {
    if flags & !KNOWN != 0 || exit_signal > 64 {
        return Err(Errno::EINVAL);
    }
    let vfork = flags & CLONE_VFORK != 0;
    // Linux's consistency rules first.
    if (flags & CLONE_THREAD != 0 && flags & CLONE_SIGHAND == 0)
        || (flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0)
    {
        return Err(Errno::EINVAL);
    }
    let thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    if flags & thread == thread && !vfork {
        return spawn_thread(c, flags, stack, ptid, ctid, tls);
    }
    if flags & CLONE_THREAD != 0 || (flags & CLONE_VM != 0 && !vfork) {
        // Memory shared without the whole thread set: not served (reported
        // once, as any unimplemented call).
        return Err(c.k.unimplemented(c.host, c.nr));
    }
    if flags & (CLONE_SIGHAND | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM) != 0 && !vfork {
        return Err(Errno::EINVAL);
    }
    if flags & NAMESPACES != 0 {
        return Err(Errno::EPERM);
    }
    if flags & CLONE_PIDFD != 0 {
        // A pidfd would be a host fd outside lx's table.
        return Err(Errno::EINVAL);
    }
    check_tid_words(flags, ptid, ctid)?;
    if flags == CLONE_VM | CLONE_VFORK
        && let Some(r) = crate::proc::vfork::try_vfork(c, exit_signal, stack)
    {
        return r;
    }
    let host_flags = (flags
        & (CLONE_PARENT_SETTID
            | CLONE_CHILD_SETTID
            | CLONE_CHILD_CLEARTID
            | CLONE_SETTLS
            | CLONE_PARENT))
        | exit_signal;
    // vfork: the parent waits for the pipe's write end, held only by the
    // child, to close (at its exec or exit).
    let pipe = if vfork {
        let mut p = [0i32; 2];
        c.host
            .syscall(nr::pipe2, [p.as_mut_ptr() as u64, 0o2000000, 0, 0, 0, 0])?;
        Some(p)
    } else {
        None
    };
    let parent_pid = c.k.id.pid;
    // Other threads must not hold a lock the child's copy would keep.
    let threaded = c.k.threaded();
    let frozen = threaded.then(|| (c.k.fds.freeze(), c.k.freeze_shared()));
    let forked = c.host.fork(host_flags, ptid, ctid, tls);
    drop(frozen);
    let r = match forked {
        Ok(r) => r,
        Err(e) => {
            if let Some(p) = pipe {
                let _ = c.host.close(p[0]);
                let _ = c.host.close(p[1]);
            }
            return Err(e);
        }
    };
    if r == 0 {
        // The child.
        if threaded {
            // It has one thread: the others' state is gone with them.
            c.host.forget_other_threads();
            c.k.after_fork_of_threads(c.host);
        }
        if c.k.vfork_helper {
            // Forked by a vfork child before its exec: a process of its own.
            c.k.vfork_helper = false;
            c.host.set_vfork_helper(None);
        }
        let pid = c.host.host_pid();
        c.k.id.pid = pid;
        c.k.id.tid = pid;
        c.k.id.ppid = if flags & CLONE_PARENT != 0 {
            c.k.id.ppid
        } else {
            parent_pid
        };
        if flags & CLONE_SETTLS != 0 {
            c.k.fs_base = tls;
        }
        c.host.registry_add(pid);
        c.host.registry_set_cmdline(pid, &c.k.cmdline);
        // A new process starts with no pending signals.
        c.k.sig.clear_pending();
        if let Some(p) = pipe {
            let _ = c.host.close(p[0]);
            c.k.vfork_fd = Some(p[1]);
        }
        if stack != 0 {
            c.regs.rsp = stack;
        }
        return Ok(0);
    }
    // Registered by the parent too, before anyone can name it (a `kill $!`
    // right after the fork must find it).
    c.host.registry_add(r);
    if let Some(p) = pipe {
        let _ = c.host.close(p[1]);
        let mut b = [0u8; 1];
        loop {
            match c
                .host
                .syscall(nr::read, [p[0] as u64, b.as_mut_ptr() as u64, 1, 0, 0, 0])
            {
                Err(Errno::EINTR) => continue,
                Ok(n) if n > 0 => continue,
                _ => break,
            }
        }
        let _ = c.host.close(p[0]);
    }
    Ok(r as usize)
}

/// The tid words clone writes must be guest memory.
fn check_tid_words(flags: u64, ptid: u64, ctid: u64) -> Result<(), Errno> {
    for (bit, addr) in [
        (CLONE_PARENT_SETTID, ptid),
        (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, ctid),
    ] {
        if flags & bit != 0 {
            crate::user::slice(addr, 4)?;
        }
    }
    Ok(())
}

/// A new thread of this process. (Not inlined: its kernel state is a large
/// value, and a large frame in `do_fork` would be probed page by page on
/// every fork: copy-on-write faults in the child.)
#[inline(never)]
fn spawn_thread(
    c: &mut Ctx<'_>,
    flags: u64,
    stack: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
) -> SysResult {
    if flags & (NAMESPACES | CLONE_PIDFD | CLONE_VFORK | CLONE_PARENT) != 0 {
        return Err(Errno::EINVAL);
    }
    check_tid_words(flags, ptid, ctid)?;
    let host_flags = (flags
        & (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_SETTLS))
        | CLONE_VM
        | CLONE_FS
        | CLONE_FILES
        | CLONE_SIGHAND
        | CLONE_THREAD
        | CLONE_SYSVSEM;
    let mut regs = *c.regs;
    regs.rax = 0;
    if stack != 0 {
        regs.rsp = stack;
    }
    // The new thread learns its tid at its first syscall (0 = not yet).
    let mut child = c.k.new_thread(0);
    if flags & CLONE_SETTLS != 0 {
        child.fs_base = tls;
    }
    let tid = c
        .host
        .spawn_thread(host_flags, ptid, ctid, tls, &regs, child)?;
    Ok(tid as usize)
}

/// fork(2).
pub fn sys_fork(c: &mut Ctx<'_>) -> SysResult {
    do_fork(c, 0, 17, 0, 0, 0, 0)
}

/// vfork(2).
pub fn sys_vfork(c: &mut Ctx<'_>) -> SysResult {
    do_fork(c, CLONE_VM | CLONE_VFORK, 17, 0, 0, 0, 0)
}

/// clone(2) (x86_64 argument order: flags, stack, parent_tid, child_tid, tls).
pub fn sys_clone(
    c: &mut Ctx<'_>,
    flags: u64,
    stack: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
) -> SysResult {
    do_fork(c, flags & !0xff, flags & 0xff, stack, ptid, ctid, tls)
}

/// `struct clone_args` of clone3(2) (the fields lx reads).
#[derive(zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, Clone, Copy, Default)]
#[repr(C)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// clone3(2).
pub fn sys_clone3(c: &mut Ctx<'_>, args: u64, size: u64) -> SysResult {
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    if size < 64 {
        return Err(Errno::EINVAL);
    }
    let mut a = CloneArgs::default();
    let n = (size as usize).min(core::mem::size_of::<CloneArgs>());
    crate::user::copy_in(
        c.host,
        args,
        &mut zerocopy::IntoBytes::as_mut_bytes(&mut a)[..n],
    )?;
    if a.set_tid != 0 || a.set_tid_size != 0 || a.flags & 0x2_0000_0000 != 0 {
        return Err(Errno::EPERM);
    }
    if a.flags & 0xff != 0 {
        return Err(Errno::EINVAL);
    }
    let stack = if a.stack != 0 {
        a.stack.wrapping_add(a.stack_size)
    } else {
        0
    };
    do_fork(
        c,
        a.flags,
        a.exit_signal,
        stack,
        a.parent_tid,
        a.child_tid,
        a.tls,
    )
}
