//! `lx run`: start the first guest process and supervise it.

use crate::RunArgs;
use crate::mounts::{self, Bind, MountError, TreeSpec};
use crate::stats;
use lx_kernel::config::Config;
use lx_kernel::stats::{SHARED_FILE_SIZE, SHARED_SIZE};
use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::FileExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

/// The shim image, built by build.rs for x86_64-unknown-none.
static SHIM: &[u8] = include_bytes!(env!("LX_SHIM_PATH"));

/// Status for failures of lx itself (as container runtimes use 125).
const LX_FAILURE: u8 = 125;

/// Failures of lx itself, before or around the guest.
#[derive(Debug, thiserror::Error)]
enum LaunchError {
    #[error("--env expects K=V, got {0:?}")]
    BadEnv(String),
    #[error("cannot create {0}: {1}")]
    Memfd(&'static str, std::io::Error),
    #[error("cannot open trace file {0}: {1}")]
    TraceFile(String, std::io::Error),
    #[error("cannot start the guest: {0}")]
    Spawn(std::io::Error),
    #[error("waiting for the guest failed: {0}")]
    Wait(std::io::Error),
}

fn memfd(name: &'static str, data: &[u8]) -> Result<OwnedFd, LaunchError> {
    let mut f = File::from(empty_memfd(name)?);
    f.write_all(data).map_err(|e| LaunchError::Memfd(name, e))?;
    Ok(OwnedFd::from(f))
}

/// A memfd of `size` zero bytes: sparse, pages are allocated when touched
/// (writing the zeros of lx's 2 MiB shared area cost ~4 ms per run).
fn zeroed_memfd(name: &'static str, size: usize) -> Result<OwnedFd, LaunchError> {
    let f = File::from(empty_memfd(name)?);
    f.set_len(size as u64)
        .map_err(|e| LaunchError::Memfd(name, e))?;
    Ok(OwnedFd::from(f))
}

fn empty_memfd(name: &'static str) -> Result<OwnedFd, LaunchError> {
    let cname = CString::new(name).expect("static name has no NUL");
    // SAFETY: memfd_create with a valid C string; the result is checked.
    let fd = unsafe { libc::memfd_create(cname.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(LaunchError::Memfd(name, std::io::Error::last_os_error()));
    }
    // SAFETY: `fd` was just returned by memfd_create and is owned here.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Let `fd` pass to the guest process (clear close-on-exec); lx's own
/// copies are closed once the child runs.
fn set_inheritable(fd: RawFd) -> Result<(), LaunchError> {
    if fd < 0 {
        return Ok(());
    }
    // SAFETY: F_SETFD on an fd this process owns.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } < 0 {
        return Err(LaunchError::Spawn(std::io::Error::last_os_error()));
    }
    Ok(())
}

fn dup_cloexec(fd: RawFd) -> Result<OwnedFd, LaunchError> {
    // SAFETY: F_DUPFD_CLOEXEC on an fd number; the result is checked.
    let n = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
    if n < 0 {
        return Err(LaunchError::Memfd(
            "an fd for lx's output",
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: `n` is a fresh fd owned here.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// Host fds this process was started with that an exec would pass on:
/// the guest inherits them under the same numbers.
fn inherited_fds() -> Vec<i32> {
    let mut fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(d) => d
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        Err(_) => vec![0, 1, 2],
    };
    // The directory's own fd is closed by now and fails the check.
    // SAFETY: F_GETFD only inspects the fd table.
    fds.retain(|&fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } == 0);
    fds.sort_unstable();
    fds
}

fn guest_env(args: &RunArgs) -> Result<Vec<(OsString, OsString)>, LaunchError> {
    let mut env: Vec<(OsString, OsString)> = if args.clear_env {
        Vec::new()
    } else {
        std::env::vars_os().collect()
    };
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| LaunchError::BadEnv(kv.clone()))?;
        env.retain(|(ek, _)| ek.as_bytes() != k.as_bytes());
        env.push((k.into(), v.into()));
    }
    Ok(env)
}

static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(sig: libc::c_int) {
    let pid = CHILD.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(pid, sig) };
    }
}

/// While the guest runs, lx passes termination requests on and leaves
/// keyboard signals to the terminal, which sends them to the guest too.
fn supervise_signals(pid: i32) {
    CHILD.store(pid, Ordering::Relaxed);
    // SAFETY: installing handlers that only call async-signal-safe kill.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
        for s in [libc::SIGTERM, libc::SIGHUP] {
            libc::signal(s, forward as *const () as libc::sighandler_t);
        }
    }
}

/// Run the guest; returns lx's exit status.
pub fn run(args: &RunArgs) -> u8 {
    let inherited = inherited_fds();
    match run_inner(args, inherited) {
        Ok(code) => code,
        Err(Failure::Mount(e)) => {
            eprintln!("lx: {e}");
            LX_FAILURE
        }
        Err(Failure::Launch(e)) => {
            eprintln!("lx: {e}");
            LX_FAILURE
        }
    }
}

enum Failure {
    Mount(MountError),
    Launch(LaunchError),
}

impl From<LaunchError> for Failure {
    fn from(e: LaunchError) -> Self {
        Failure::Launch(e)
    }
}

fn run_inner(args: &RunArgs, inherited: Vec<i32>) -> Result<u8, Failure> {
    let env = guest_env(args)?;
    let mut argv: Vec<Vec<u8>> = vec![args.program().as_bytes().to_vec()];
    argv.extend(args.args().iter().map(|a| a.as_bytes().to_vec()));
    let spec = TreeSpec {
        rootfs: args.rootfs.clone(),
        rw: args.rw,
        overlay: args.overlay.clone(),
        binds: args
            .bind
            .iter()
            .map(|b| Bind::parse(b))
            .collect::<Result<_, _>>()
            .map_err(Failure::Mount)?,
        tmpfs: args.tmpfs.clone(),
    };
    let tree = mounts::build(&spec).map_err(Failure::Mount)?;
    let cwd = match (&args.cwd, &args.rootfs) {
        (Some(w), _) => w.as_bytes().to_vec(),
        (None, Some(_)) => b"/".to_vec(),
        (None, None) => std::env::current_dir()
            .map_or_else(|_| b"/".to_vec(), |d| d.into_os_string().into_vec()),
    };
    let trace_out: Option<File> = match &args.trace {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(File::from(dup_cloexec(2)?)),
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .open(p)
                .map_err(|e| LaunchError::TraceFile(p.display().to_string(), e))?,
        ),
    };
    let log_fd = dup_cloexec(2)?;
    let shared = zeroed_memfd("lx-shared", SHARED_FILE_SIZE)?;

    let envp: Vec<Vec<u8>> = env
        .iter()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    let program = args.program().as_bytes().to_vec();
    let mut cfg = identity(Config {
        search_path: !program.contains(&b'/'),
        execfn: program.clone(),
        program,
        argv,
        envp,
        cwd,
        mounts: tree.mounts.clone(),
        fds: inherited
            .iter()
            .map(|&fd| lx_kernel::config::FdSpec {
                guest: fd,
                host: fd,
                may_block: true,
                same_as: -1,
                ..Default::default()
            })
            .collect(),
        trace: trace_out.is_some(),
        stats: args.stats,
        quiet: args.quiet,
        trace_fd: trace_out.as_ref().map_or(-1, |f| f.as_raw_fd()),
        log_fd: log_fd.as_raw_fd(),
        shared_fd: shared.as_raw_fd(),
        // Single-threaded processes exec without a host exec of the shim
        // unless --host-exec or LX_EXEC_IN_PLACE=0 (see DESIGN.md).
        in_place_exec: !args.host_exec
            && std::env::var_os("LX_EXEC_IN_PLACE").is_none_or(|v| v != "0"),
        // Frequently trapping `mov eax, NR; syscall` sites become direct
        // calls of lx unless --no-patch or LX_PATCH=0 (see DESIGN.md).
        patch_syscalls: !args.no_patch && std::env::var_os("LX_PATCH").is_none_or(|v| v != "0"),
        ..Config::default()
    });
    if args.root {
        (cfg.uid, cfg.euid, cfg.gid, cfg.egid) = (0, 0, 0, 0);
        cfg.groups = vec![0];
    }
    if let Some(u) = args.uid {
        (cfg.uid, cfg.euid) = (u, u);
    }
    if let Some(g) = args.gid {
        (cfg.gid, cfg.egid) = (g, g);
        cfg.groups = vec![g];
    }
    let shim = memfd("lx-shim", SHIM)?;
    cfg.shim_fd = shim.as_raw_fd();
    // The watch pipe: lx keeps the write end; guests die when it closes.
    let (watch_r, watch_w) = watch_pipe()?;
    cfg.watch_fd = watch_r.as_raw_fd();
    // Orphans of the run become lx's children (reaped and ended by it).
    // SAFETY: prctl on this process.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let config = memfd("lx-config", &cfg.encode())?;

    // The child inherits lx's private fds (created close-on-exec so nothing
    // else leaks them) and execs the shim image through its memfd's /proc
    // path, which lets std use posix_spawn: no fork of lx's address space.
    for fd in [
        config.as_raw_fd(),
        shim.as_raw_fd(),
        watch_r.as_raw_fd(),
        log_fd.as_raw_fd(),
        shared.as_raw_fd(),
        cfg.trace_fd,
    ]
    .into_iter()
    .chain(tree.fds.iter().map(|f| f.as_raw_fd()))
    {
        set_inheritable(fd)?;
    }
    let mut cmd = Command::new(format!("/proc/self/fd/{}", shim.as_raw_fd()));
    cmd.arg0("lx-shim")
        .arg(config.as_raw_fd().to_string())
        .env_clear();
    let mut child = cmd.spawn().map_err(LaunchError::Spawn)?;
    drop(config);
    drop(shim);
    drop(watch_r);
    drop(log_fd);
    let tree_fds_closed = {
        let mut t = tree;
        t.fds.clear();
        t
    };
    supervise_signals(child.id() as i32);
    // Wait for the first guest process, reaping orphans of the run (lx is
    // their subreaper) as they end, so none lingers as a zombie.
    let first = child.id() as i32;
    let status = loop {
        let mut st = 0;
        // SAFETY: waitpid on this process's children.
        let r = unsafe { libc::waitpid(-1, &mut st, 0) };
        if r == first {
            break std::process::ExitStatus::from_raw(st);
        }
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(LaunchError::Wait(e).into());
            }
        }
    };
    let _ = &mut child;
    // The run ends with its first process: closing the watch pipe sends
    // SIGKILL to every process left, which lx, their subreaper, reaps.
    drop(watch_w);
    reap_all();

    let (code, trailer) = if let Some(c) = status.code() {
        (c as u8, format!("+++ exited with {c} +++\n"))
    } else {
        let sig = status.signal().unwrap_or(0);
        let core = status.core_dumped();
        let name = lx_abi::signal::name(sig as u32).unwrap_or("SIG?");
        let what = lx_abi::signal::description(sig as u32);
        let dumped = if core { " (core dumped)" } else { "" };
        // As bash does, say nothing for deaths the user asked for at the terminal.
        if sig != libc::SIGINT && sig != libc::SIGPIPE {
            eprintln!(
                "lx: {}: {what}{dumped}",
                Path::new(&args.program()).display()
            );
        }
        (
            (128 + sig) as u8,
            format!("+++ killed by {name}{dumped} +++\n"),
        )
    };
    let mut out: Box<dyn Write> = match trace_out {
        Some(f) => {
            let mut f = f;
            let _ = f.write_all(trailer.as_bytes());
            Box::new(f)
        }
        None => Box::new(std::io::stderr()),
    };
    if args.stats {
        let mut page = vec![0u8; SHARED_SIZE];
        let f = File::from(shared);
        if f.read_exact_at(&mut page, 0).is_ok() {
            let _ = out.write_all(stats::table(&page).as_bytes());
        }
    }
    drop(tree_fds_closed);
    Ok(code)
}

fn watch_pipe() -> Result<(OwnedFd, OwnedFd), LaunchError> {
    let mut p = [0i32; 2];
    // SAFETY: pipe2 into a local array; the result is checked.
    if unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(LaunchError::Spawn(std::io::Error::last_os_error()));
    }
    // SAFETY: two fresh fds owned here.
    Ok(unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) })
}

/// Reap every child left (orphans of the run reparented to lx), for up to
/// two seconds.
fn reap_all() {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let mut st = 0;
        // SAFETY: waitpid on our own children.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if r < 0 {
            return; // ECHILD: none left
        }
        if r == 0 {
            if std::time::Instant::now() > deadline {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

/// Fill in who the guest is: the caller's identity and limits.
fn identity(mut c: Config) -> Config {
    // SAFETY: plain queries of the calling process's credentials and limits.
    unsafe {
        c.ppid = libc::getpid();
        c.pgid = libc::getpgrp();
        c.sid = libc::getsid(0);
        c.uid = libc::getuid();
        c.euid = libc::geteuid();
        c.gid = libc::getgid();
        c.egid = libc::getegid();
        c.host_uid = c.uid;
        c.host_gid = c.gid;
        let n = libc::getgroups(0, std::ptr::null_mut());
        if n > 0 {
            let mut g = vec![0 as libc::gid_t; n as usize];
            let got = libc::getgroups(n, g.as_mut_ptr());
            g.truncate(got.max(0) as usize);
            c.groups = g;
        }
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) == 0 {
            c.nodename = OsStr::from_bytes(&std::mem::transmute::<[libc::c_char; 65], [u8; 65]>(
                u.nodename,
            ))
            .as_bytes()
            .split(|&b| b == 0)
            .next()
            .unwrap_or_default()
            .to_vec();
        }
        let m = libc::umask(0o022);
        libc::umask(m);
        c.umask = m;
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 {
            c.nofile = (r.rlim_cur, r.rlim_max);
            // The guest's limit is lx's own (it bounds the guest's fd
            // table); the host processes get the hard limit, so lx's own
            // fds (directory caches of every thread) never eat into it.
            if r.rlim_cur < r.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: r.rlim_max,
                    rlim_max: r.rlim_max,
                };
                libc::setrlimit(libc::RLIMIT_NOFILE, &raised);
            }
        } else {
            c.nofile = (1024, 4096);
        }
    }
    c
}
