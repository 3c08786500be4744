//! Shared helpers for lx's integration tests (std only).
//!
//! - builds each fixture in `tests/fixtures/` at most once per test binary
//!   (per-fixture `OnceLock`), into `$CARGO_TARGET_TMPDIR/lx-fixtures/`;
//!   outputs are written to a temporary name and renamed, so test binaries
//!   running concurrently never see (or execute) a half-written file;
//! - runs a program natively and under `lx run` with the same arguments,
//!   environment and stdin, with a timeout (the whole process group is killed
//!   and the test fails), and compares stdout, stderr and exit status, with
//!   a line diff and a command line to reproduce on failure.
//!
//! A required tool that is missing (musl-gcc, gcc, busybox, rustc's musl
//! target) makes the test FAIL with what to install, never pass silently.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The `lx` binary under test: the one cargo built for this test run, or
/// `$LX_BIN` when set (e.g. to test a release build).
pub fn lx_bin() -> PathBuf {
    std::env::var_os("LX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_lx")))
}

/// Per-run timeout; override with `LX_TEST_TIMEOUT_SECS`.
pub fn timeout() -> Duration {
    let secs = std::env::var("LX_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(secs)
}

pub fn fixtures_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lx-fixtures");
    fs::create_dir_all(&d).unwrap_or_else(|e| panic!("create {}: {e}", d.display()));
    d
}

/// A fresh path under the target tmp dir (for trace files, crafted inputs).
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lx-scratch");
    fs::create_dir_all(&d).unwrap_or_else(|e| panic!("create {}: {e}", d.display()));
    let n = N.fetch_add(1, Ordering::Relaxed);
    d.join(format!("{}-{}-{name}", std::process::id(), n))
}

// ---------------------------------------------------------------------------
// Tools

/// Finds `name` in PATH or fails the test with an install hint.
#[track_caller]
pub fn tool(name: &str, install: &str) -> PathBuf {
    find_in_path(name).unwrap_or_else(|| {
        panic!("required tool `{name}` not found in PATH: install it ({install})")
    })
}

pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable_file(p))
}

pub fn is_executable_file(p: &Path) -> bool {
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `/bin/busybox` from Debian's busybox-static (a static glibc program).
#[track_caller]
pub fn busybox() -> PathBuf {
    static CELL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        let p = if is_executable_file(Path::new("/bin/busybox")) {
            PathBuf::from("/bin/busybox")
        } else {
            find_in_path("busybox").ok_or_else(|| {
                "busybox not found (/bin/busybox or PATH): install the Debian package \
                 busybox-static (apt-get install busybox-static)"
                    .to_string()
            })?
        };
        match elf_is_static(&p) {
            Ok(true) => Ok(p),
            Ok(false) => Err(format!(
                "{} is dynamically linked; lx runs static programs: install the Debian \
                 package busybox-static (apt-get install busybox-static)",
                p.display()
            )),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    })
    .clone()
    .unwrap_or_else(|e| panic!("{e}"))
}

/// True if `p` is an x86_64 ELF without PT_INTERP.
pub fn elf_is_static(p: &Path) -> Result<bool, String> {
    let b = fs::read(p).map_err(|e| e.to_string())?;
    if b.len() < 64 || &b[..4] != b"\x7fELF" || b[4] != 2 {
        return Err("not a 64-bit ELF file".into());
    }
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    if u16_at(18) != 62 {
        return Err("not an x86_64 ELF file".into());
    }
    let (phoff, phentsize, phnum) = (u64_at(32), u16_at(54), u16_at(56));
    for i in 0..phnum {
        let o = phoff + i * phentsize;
        if o + 4 > b.len() {
            return Err("truncated program headers".into());
        }
        if u32_at(o) == 3 {
            return Ok(false); // PT_INTERP
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------------------
// Fixtures

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fx {
    /// hello.c, musl-gcc -static -O1
    HelloMusl,
    /// hello.c, gcc -static-pie -O1 (glibc)
    HelloGlibc,
    DumpMusl,
    DumpGlibc,
    MallocMusl,
    MallocGlibc,
    SegvMusl,
    SegvGlibc,
    SignalsMusl,
    SignalsGlibc,
    /// raw.S, gcc -nostdlib -static
    Raw,
    EnosysMusl,
    ExitMusl,
    /// hello.rs, rustc --target x86_64-unknown-linux-musl -C opt-level=1
    Rust,
    /// window.c, gcc -static-pie (glibc: strerrorname_np)
    Window,
    /// escape.c, musl-gcc -static: root-filesystem escape attempts
    Escape,
    /// procsig.c, musl-gcc -static: process and signal corner cases
    ProcSig,
    /// threads.c, musl-gcc -static
    ThreadsMusl,
    /// threads.c, gcc (dynamic glibc, clone3 threads)
    ThreadsGlibc,
    /// execstate.c, musl-gcc -static and gcc -static-pie
    ExecStateMusl,
    ExecStateGlibc,
    /// epoll.c, musl-gcc -static and gcc (dynamic glibc)
    EpollMusl,
    EpollGlibc,
    /// patched.c, gcc (dynamic glibc: `mov eax, NR; syscall` wrappers) and
    /// musl-gcc -static (moves between the `mov eax` and the `syscall`)
    Patched,
    PatchedMusl,
    /// patchedge.c, gcc (dynamic glibc): the edges of patching
    PatchEdge,
    /// dirs.c, gcc (dynamic glibc): directory streams and kept lookups
    Dirs,
    /// vfork.c, musl-gcc -static and gcc (dynamic glibc: posix_spawn by
    /// clone3)
    VforkMusl,
    VforkGlibc,
    /// interp.c, gcc (dynamic glibc): the ELF interpreter as mapped
    Interp,
    /// proctask.c, gcc (dynamic glibc): /proc/PID/task of a threaded process
    ProcTask,
}

const N_FX: usize = 31;

impl Fx {
    fn index(self) -> usize {
        self as usize
    }

    /// (source file, output name, how)
    fn spec(self) -> (&'static str, &'static str, How) {
        use Fx::*;
        match self {
            HelloMusl => ("hello.c", "hello-musl", How::Musl),
            HelloGlibc => ("hello.c", "hello-glibc", How::GlibcStaticPie),
            DumpMusl => ("dump.c", "dump-musl", How::Musl),
            DumpGlibc => ("dump.c", "dump-glibc", How::GlibcStaticPie),
            MallocMusl => ("malloc.c", "malloc-musl", How::Musl),
            MallocGlibc => ("malloc.c", "malloc-glibc", How::GlibcStaticPie),
            SegvMusl => ("segv.c", "segv-musl", How::Musl),
            SegvGlibc => ("segv.c", "segv-glibc", How::GlibcStaticPie),
            SignalsMusl => ("signals.c", "signals-musl", How::Musl),
            SignalsGlibc => ("signals.c", "signals-glibc", How::GlibcStaticPie),
            Raw => ("raw.S", "raw", How::Asm),
            EnosysMusl => ("enosys.c", "enosys-musl", How::Musl),
            ExitMusl => ("exit.c", "exit-musl", How::Musl),
            Rust => ("hello.rs", "hello-rs", How::RustMusl),
            Window => ("window.c", "window-glibc", How::GlibcStaticPie),
            Escape => ("escape.c", "escape-musl", How::Musl),
            ProcSig => ("procsig.c", "procsig-musl", How::Musl),
            ThreadsMusl => ("threads.c", "threads-musl", How::Musl),
            ThreadsGlibc => ("threads.c", "threads-glibc", How::GlibcDynamic),
            ExecStateMusl => ("execstate.c", "execstate-musl", How::Musl),
            ExecStateGlibc => ("execstate.c", "execstate-glibc", How::GlibcStaticPie),
            EpollMusl => ("epoll.c", "epoll-musl", How::Musl),
            EpollGlibc => ("epoll.c", "epoll-glibc", How::GlibcDynamic),
            Patched => ("patched.c", "patched-glibc", How::GlibcDynamic),
            PatchedMusl => ("patched.c", "patched-musl", How::Musl),
            PatchEdge => ("patchedge.c", "patchedge-glibc", How::GlibcDynamic),
            Dirs => ("dirs.c", "dirs-glibc", How::GlibcDynamic),
            VforkMusl => ("vfork.c", "vfork-musl", How::Musl),
            VforkGlibc => ("vfork.c", "vfork-glibc", How::GlibcDynamic),
            Interp => ("interp.c", "interp-glibc", How::GlibcDynamic),
            ProcTask => ("proctask.c", "proctask-glibc", How::GlibcDynamic),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum How {
    Musl,
    GlibcStaticPie,
    GlibcDynamic,
    Asm,
    RustMusl,
}

/// Path of the built fixture; builds it on first use in this test binary.
#[track_caller]
pub fn fixture(fx: Fx) -> PathBuf {
    static CELLS: [OnceLock<Result<PathBuf, String>>; N_FX] = [const { OnceLock::new() }; N_FX];
    CELLS[fx.index()]
        .get_or_init(|| build(fx))
        .clone()
        .unwrap_or_else(|e| panic!("building fixture {fx:?} failed:\n{e}"))
}

fn build(fx: Fx) -> Result<PathBuf, String> {
    let (src, name, how) = fx.spec();
    let src = fixtures_src().join(src);
    let out = out_dir().join(name);
    let tmp = out_dir().join(format!(".{name}.tmp.{}", std::process::id()));
    let mut cmd = match how {
        How::Musl => {
            let mut c = Command::new(tool(
                "musl-gcc",
                "Debian package musl-tools: apt-get install musl-tools",
            ));
            c.args(["-static", "-O1", "-Wall", "-o"]);
            c
        }
        How::GlibcStaticPie => {
            let mut c = Command::new(tool(
                "gcc",
                "Debian packages gcc and libc6-dev: apt-get install gcc libc6-dev",
            ));
            c.args(["-static-pie", "-O1", "-Wall", "-o"]);
            c
        }
        How::GlibcDynamic => {
            let mut c = Command::new(tool(
                "gcc",
                "Debian packages gcc and libc6-dev: apt-get install gcc libc6-dev",
            ));
            c.args(["-O1", "-Wall", "-pthread", "-o"]);
            c
        }
        How::Asm => {
            let mut c = Command::new(tool("gcc", "Debian package gcc: apt-get install gcc"));
            c.args(["-nostdlib", "-static", "-o"]);
            c
        }
        How::RustMusl => {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let mut c = Command::new(rustc);
            // Run from the workspace so rustup honours rust-toolchain.toml.
            c.current_dir(env!("CARGO_MANIFEST_DIR"));
            c.args([
                "--edition",
                "2021",
                "--target",
                "x86_64-unknown-linux-musl",
                "-C",
                "opt-level=1",
                "-o",
            ]);
            c
        }
    };
    cmd.arg(&tmp).arg(&src);
    if matches!(how, How::GlibcStaticPie | How::GlibcDynamic) {
        // glibc keeps fenv (fegetround...) in libm.
        cmd.arg("-lm");
    }
    let hint = match how {
        How::Musl => "needs musl-gcc: apt-get install musl-tools",
        How::GlibcStaticPie => "needs gcc and the static glibc: apt-get install gcc libc6-dev",
        How::GlibcDynamic => "needs gcc and glibc: apt-get install gcc libc6-dev",
        How::Asm => "needs gcc (GNU as, ld): apt-get install gcc",
        How::RustMusl => {
            "needs the musl target: rustup target add x86_64-unknown-linux-musl \
             (and a C linker: apt-get install gcc)"
        }
    };
    let o = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e} ({hint})", show_cmd(&cmd)))?;
    if !o.status.success() {
        let _ = fs::remove_file(&tmp);
        return Err(format!(
            "{}\nexited with {}\n{}{}({hint})",
            show_cmd(&cmd),
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    match elf_is_static(&tmp) {
        Ok(true) => {}
        Ok(false) if matches!(how, How::GlibcDynamic) => {}
        Ok(false) => {
            return Err(format!(
                "{} produced a dynamically linked program where a static one was asked for",
                show_cmd(&cmd)
            ));
        }
        Err(e) => return Err(format!("{}: output: {e}", show_cmd(&cmd))),
    }
    fs::rename(&tmp, &out).map_err(|e| format!("rename to {}: {e}", out.display()))?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// Running

#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Shell command line to reproduce the run.
    pub repro: String,
    /// Host pid of the process that was started.
    pub pid: u32,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// Exit status as a shell reports it: the code, or 128+N for signal N.
    pub fn shell_status(&self) -> i32 {
        shell_status(self.status)
    }
    pub fn dump(&self) -> String {
        format!(
            "$ {}\nstatus: {}\n--- stdout ---\n{}--- stderr ---\n{}--------------",
            self.repro,
            describe_status(self.status),
            show_bytes(&self.stdout),
            show_bytes(&self.stderr)
        )
    }
}

pub fn shell_status(s: ExitStatus) -> i32 {
    match (s.code(), s.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        _ => -1,
    }
}

pub fn describe_status(s: ExitStatus) -> String {
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(sig)) => format!("killed by signal {sig} ({})", signal_name(sig)),
        _ => format!("{s:?}"),
    }
}

/// The description bash prints for a process killed by `sig`.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        1 => "Hangup",
        2 => "Interrupt",
        3 => "Quit",
        4 => "Illegal instruction",
        5 => "Trace/breakpoint trap",
        6 => "Aborted",
        7 => "Bus error",
        8 => "Floating point exception",
        9 => "Killed",
        10 => "User defined signal 1",
        11 => "Segmentation fault",
        12 => "User defined signal 2",
        13 => "Broken pipe",
        14 => "Alarm clock",
        15 => "Terminated",
        31 => "Bad system call",
        _ => "?",
    }
}

fn show_bytes(b: &[u8]) -> String {
    const MAX: usize = 8192;
    let mut s = String::from_utf8_lossy(&b[..b.len().min(MAX)]).into_owned();
    if b.len() > MAX {
        let _ = write!(s, "\n... ({} more bytes)", b.len() - MAX);
    }
    if !s.is_empty() && !s.ends_with('\n') {
        s.push_str("\n\\ no newline at end\n");
    }
    s
}

pub fn shell_quote(s: &OsStr) -> String {
    let b = s.as_bytes();
    if !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_./=:,+%@".contains(c))
    {
        return s.to_string_lossy().into_owned();
    }
    format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"))
}

pub fn show_cmd(cmd: &Command) -> String {
    let mut s = String::new();
    if let Some(d) = cmd.get_current_dir() {
        let _ = write!(s, "cd {} && ", shell_quote(d.as_os_str()));
    }
    let envs: Vec<_> = cmd.get_envs().collect();
    if !envs.is_empty() {
        s.push_str("env -i ");
        for (k, v) in envs {
            if let Some(v) = v {
                let mut kv = k.to_os_string();
                kv.push("=");
                kv.push(v);
                s.push_str(&shell_quote(&kv));
                s.push(' ');
            }
        }
    }
    s.push_str(&shell_quote(cmd.get_program()));
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&shell_quote(a));
    }
    s
}

/// Runs `cmd` in its own process group with `stdin` fed to it and stdout and
/// stderr captured. Fails the test if it does not finish within [`timeout`]
/// (after killing the whole process group).
#[track_caller]
pub fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    run_limited(cmd, stdin, timeout())
}

/// [`run`] with empty stdin and an explicit time limit.
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    run_limited(cmd, b"", limit)
}

#[track_caller]
fn run_limited(cmd: &mut Command, stdin: &[u8], limit: Duration) -> Output {
    let mut repro = show_cmd(cmd);
    if !stdin.is_empty() {
        let _ = write!(repro, " < ({} bytes of stdin)", stdin.len());
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{repro}`: {e}"));
    let pid = child.id();

    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = thread::spawn(move || {
        // The program may exit without reading: EPIPE is fine.
        let _ = input.write_all(&data);
    });
    let reader = |mut r: Box<dyn Read + Send>| {
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
        rx
    };
    let out_rx = reader(Box::new(child.stdout.take().unwrap()));
    let err_rx = reader(Box::new(child.stderr.take().unwrap()));

    let mut nap = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {}
            Err(e) => panic!("waiting for `{repro}`: {e}"),
        }
        if start.elapsed() > limit {
            kill_group(pid);
            let _ = child.kill();
            let _ = child.wait();
            let so = out_rx
                .recv_timeout(Duration::from_secs(2))
                .unwrap_or_default();
            let se = err_rx
                .recv_timeout(Duration::from_secs(2))
                .unwrap_or_default();
            panic!(
                "TIMEOUT: `{repro}` did not finish within {limit:?}; killed.\n--- stdout so far ---\n{}--- stderr so far ---\n{}",
                show_bytes(&so),
                show_bytes(&se)
            );
        }
        thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(20));
    };
    // A leftover descendant could hold the pipes open: bound the wait too.
    let grace = limit
        .saturating_sub(start.elapsed())
        .max(Duration::from_secs(2));
    let stdout = out_rx.recv_timeout(grace);
    let stderr = err_rx.recv_timeout(Duration::from_secs(2));
    let (stdout, stderr) = match (stdout, stderr) {
        (Ok(o), Ok(e)) => (o, e),
        _ => {
            kill_group(pid);
            panic!(
                "`{repro}` exited ({}) but its stdout/stderr stayed open (a leftover \
                 process holds them?); killed its process group",
                describe_status(status)
            );
        }
    };
    let _ = writer.join();
    Output {
        status,
        stdout,
        stderr,
        repro,
        pid,
    }
}

fn kill_group(pid: u32) {
    // dash's kill builtin takes a negative pid as a process group.
    let _ = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("kill -9 -{pid} 2>/dev/null"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

// ---------------------------------------------------------------------------
// Native vs lx

/// The environment both the native run and the lx run get (and nothing else).
pub fn base_env() -> Vec<(OsString, OsString)> {
    vec![
        ("HOME".into(), "/".into()),
        ("LC_ALL".into(), "C".into()),
        ("LX_FIXTURE".into(), "native-vs-lx".into()),
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
    ]
}

/// One program invocation to run natively and under lx.
#[derive(Debug, Clone)]
pub struct Case {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Exactly the environment of both runs (the lx process gets the same).
    pub env: Vec<(OsString, OsString)>,
    pub stdin: Vec<u8>,
    /// Options placed between `lx run` and PROGRAM.
    pub lx_opts: Vec<OsString>,
}

impl Case {
    pub fn new(program: impl Into<PathBuf>) -> Case {
        Case {
            program: program.into(),
            args: Vec::new(),
            env: base_env(),
            stdin: Vec::new(),
            lx_opts: Vec::new(),
        }
    }
    pub fn args<I, S>(mut self, args: I) -> Case
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, env: Vec<(OsString, OsString)>) -> Case {
        self.env = env;
        self
    }
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Case {
        self.stdin = data.into();
        self
    }
    pub fn lx_opts<I, S>(mut self, opts: I) -> Case
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.lx_opts.extend(opts.into_iter().map(Into::into));
        self
    }

    pub fn native_command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .env_clear()
            .envs(self.env.iter().cloned());
        c
    }

    pub fn lx_command(&self) -> Command {
        let mut c = Command::new(lx_bin());
        c.arg("run")
            .args(&self.lx_opts)
            .arg(&self.program)
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().cloned());
        c
    }

    pub fn run_native(&self) -> Output {
        run(&mut self.native_command(), &self.stdin)
    }

    pub fn run_lx(&self) -> Output {
        run(&mut self.lx_command(), &self.stdin)
    }
}

/// Runs `case` natively and under lx and asserts identical stdout, stderr and
/// exit status. If the native program died of signal N, lx must exit with
/// 128+N and add exactly one line naming the signal to stderr.
#[track_caller]
pub fn assert_same(case: &Case) -> (Output, Output) {
    let native = case.run_native();
    let lx = case.run_lx();
    compare(&native, &lx);
    (native, lx)
}

#[track_caller]
pub fn compare(native: &Output, lx: &Output) {
    let mut problems = Vec::new();
    if lx.status.code().is_none() {
        problems.push(format!(
            "lx itself did not exit normally: {} (it must exit with the guest's status)",
            describe_status(lx.status)
        ));
    }
    let want = native.shell_status();
    if lx.shell_status() != want {
        problems.push(format!(
            "exit status: native {} (shell status {want}), lx {}",
            describe_status(native.status),
            describe_status(lx.status)
        ));
    }
    if native.stdout != lx.stdout {
        problems.push(format!(
            "stdout differs (- native, + lx):\n{}",
            diff(&native.stdout, &lx.stdout)
        ));
    }
    let mut lx_err: &[u8] = &lx.stderr;
    if let Some(sig) = native.status.signal() {
        // lx adds one line naming the signal, after whatever the guest wrote.
        let name = signal_name(sig);
        let ok = lx.stderr.starts_with(&native.stderr) && {
            let extra = String::from_utf8_lossy(&lx.stderr[native.stderr.len()..]);
            extra.ends_with('\n') && extra.matches('\n').count() == 1 && extra.contains(name)
        };
        if !ok {
            problems.push(format!(
                "the native program died of signal {sig}: lx's stderr must be the guest's \
                 stderr followed by exactly one line containing {name:?}; got:\n{}",
                diff(&native.stderr, &lx.stderr)
            ));
        }
        lx_err = &native.stderr; // already checked
    }
    if native.stderr != lx_err {
        problems.push(format!(
            "stderr differs (- native, + lx):\n{}",
            diff(&native.stderr, lx_err)
        ));
    }
    if !problems.is_empty() {
        panic!(
            "native and lx runs differ:\n* {}\n\n=== native ===\n{}\n=== lx ===\n{}",
            problems.join("\n* "),
            native.dump(),
            lx.dump()
        );
    }
}

/// Asserts `lx`'s output looks like a clean CLI error, not a crash: exactly
/// one line on stderr, starting with `prefix`, no panic message.
#[track_caller]
pub fn assert_one_line_error(out: &Output, code: i32, prefix: &str) {
    let err = out.stderr_str();
    let mut problems = Vec::new();
    if out.status.code() != Some(code) {
        problems.push(format!(
            "expected exit {code}, got {}",
            describe_status(out.status)
        ));
    }
    if !err.starts_with(prefix) {
        problems.push(format!("stderr must start with {prefix:?}"));
    }
    if err.lines().count() != 1 || !err.ends_with('\n') {
        problems.push("stderr must be exactly one line (ending in a newline)".into());
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        problems.push("lx panicked".into());
    }
    if !problems.is_empty() {
        panic!("{}\n{}", problems.join("\n"), out.dump());
    }
}

/// Runs `lx ARGS...` with [`base_env`] and empty stdin.
pub fn lx(args: &[&OsStr]) -> Output {
    let mut c = Command::new(lx_bin());
    c.args(args).env_clear().envs(base_env());
    run(&mut c, b"")
}

// ---------------------------------------------------------------------------
// Diff

/// Line diff of two outputs (LCS; falls back to the first difference for
/// very long inputs).
pub fn diff(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let bl: Vec<&str> = b.split_inclusive('\n').collect();
    let mut out = String::new();
    let line = |out: &mut String, tag: char, l: &str| {
        let shown = l
            .strip_suffix('\n')
            .map_or_else(|| format!("{l:?} (no newline)"), str::to_owned);
        let _ = writeln!(out, "{tag} {shown}");
    };
    if al.len().saturating_mul(bl.len()) > 4_000_000 {
        let first = al
            .iter()
            .zip(&bl)
            .position(|(x, y)| x != y)
            .unwrap_or(al.len().min(bl.len()));
        let _ = writeln!(
            out,
            "(long outputs: {} vs {} lines; first difference at line {})",
            al.len(),
            bl.len(),
            first + 1
        );
        for l in al.iter().skip(first).take(5) {
            line(&mut out, '-', l);
        }
        for l in bl.iter().skip(first).take(5) {
            line(&mut out, '+', l);
        }
        return out;
    }
    // lcs[i][j] = LCS length of al[i..], bl[j..]
    let (n, m) = (al.len(), bl.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if al[i] == bl[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && al[i] == bl[j] {
            line(&mut out, ' ', al[i]);
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            line(&mut out, '-', al[i]);
            i += 1;
        } else {
            line(&mut out, '+', bl[j]);
            j += 1;
        }
    }
    if out.is_empty() {
        out.push_str("(both empty)\n");
    }
    out
}

/// Host kernel release (`uname -r`).
pub fn host_release() -> String {
    fs::read_to_string("/proc/sys/kernel/osrelease")
        .expect("read /proc/sys/kernel/osrelease")
        .trim()
        .to_string()
}

/// Writes `data` to a fresh scratch file with the given mode.
pub fn write_file(name: &str, data: &[u8], mode: u32) -> PathBuf {
    let p = scratch(name);
    fs::write(&p, data).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// Parses `key=value` lines of a fixture's output.
pub fn field<'a>(out: &'a str, key: &str) -> Option<&'a str> {
    out.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// A trace line with runs of whitespace collapsed to one space and trimmed,
/// so `getpid()        = 12` (strace's padding) matches `getpid() = 12`.
pub fn norm_ws(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}
