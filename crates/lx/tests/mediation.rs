//! Proof that syscalls are served by lx's kernel, not passed through: the
//! raw-assembly fixture's uname shows lx's release string, its getpid is
//! visible in the trace; unimplemented syscalls give the guest ENOSYS with
//! one line on stderr; --trace / --stats / --quiet.

mod common;

use common::*;
use std::fs;

struct RawOut {
    sysname: String,
    release: String,
    machine: String,
    pid: u32,
    rsp_mod16: String,
    argc: String,
}

fn parse_raw(out: &Output) -> RawOut {
    let s = out.stdout_str();
    let get = |k: &str| {
        field(&s, k)
            .unwrap_or_else(|| panic!("no `{k}=` line in the raw fixture's output\n{}", out.dump()))
            .to_string()
    };
    assert!(
        s.starts_with("raw: hello from _start\n"),
        "raw fixture output should start with its greeting\n{}",
        out.dump()
    );
    RawOut {
        sysname: get("sysname"),
        release: get("release"),
        machine: get("machine"),
        pid: get("pid")
            .parse()
            .unwrap_or_else(|_| panic!("pid is not a number\n{}", out.dump())),
        rsp_mod16: get("rsp%16"),
        argc: get("argc"),
    }
}

/// The fixture itself, natively: host release, real pid.
#[test]
fn raw_native_sanity() {
    let out = Case::new(fixture(Fx::Raw)).run_native();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let r = parse_raw(&out);
    assert_eq!(r.sysname, "Linux");
    assert_eq!(r.release, host_release());
    assert_eq!(r.machine, "x86_64");
    assert_eq!(r.pid, out.pid);
    assert_eq!(r.rsp_mod16, "0");
    assert_eq!(r.argc, "1");
}

#[test]
fn raw_uname_and_getpid_are_served_by_lx() {
    let trace = scratch("raw.trace");
    let mut opt = std::ffi::OsString::from("--trace=");
    opt.push(&trace);
    let out = Case::new(fixture(Fx::Raw))
        .lx_opts([opt])
        .args(["x", "y"])
        .run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let r = parse_raw(&out);
    let host = host_release();
    assert_eq!(r.sysname, "Linux", "{}", out.dump());
    assert!(
        r.release.contains("lx"),
        "uname release under lx must be lx's own (containing \"lx\"), got {:?}\n{}",
        r.release,
        out.dump()
    );
    assert_ne!(r.release, host, "uname release under lx equals the host's");
    assert_eq!(r.machine, "x86_64");
    assert_eq!(
        r.rsp_mod16, "0",
        "initial stack pointer must be 16-byte aligned"
    );
    assert_eq!(r.argc, "3");

    let t = fs::read_to_string(&trace).unwrap_or_else(|e| {
        panic!(
            "--trace={} produced no file: {e}\n{}",
            trace.display(),
            out.dump()
        )
    });
    let want = format!("getpid() = {}", r.pid);
    assert!(
        t.lines().any(|l| norm_ws(l) == want),
        "trace has no line {want:?} matching the pid the program printed\n--- trace ---\n{t}"
    );
    assert!(
        t.lines().any(|l| l.starts_with("uname(")),
        "trace has no `uname(` line\n--- trace ---\n{t}"
    );
    let w = r#"write(1, "raw: hello from _start\n", 23) = 23"#;
    assert!(
        t.lines().any(|l| norm_ws(l) == w),
        "trace has no line {w:?} (strace format)\n--- trace ---\n{t}"
    );
    // The trace went to the file, not to the guest's stderr.
    assert_eq!(out.stderr_str(), "", "{}", out.dump());
}

/// `--trace` without a file writes the trace to stderr.
#[test]
fn trace_to_stderr() {
    let out = Case::new(fixture(Fx::Raw)).lx_opts(["--trace"]).run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let r = parse_raw(&out);
    let err = out.stderr_str();
    let want = format!("getpid() = {}", r.pid);
    assert!(
        err.lines().any(|l| norm_ws(l) == want),
        "no {want:?} on stderr\n{}",
        out.dump()
    );
    assert!(
        err.lines().any(|l| l.starts_with("uname(")),
        "{}",
        out.dump()
    );
}

/// `--trace` of a libc program: glibc's printf ends in a plain write(2).
#[test]
fn trace_glibc_hello_write_line() {
    let out = Case::new(fixture(Fx::HelloGlibc))
        .lx_opts(["--trace"])
        .run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    assert_eq!(out.stdout, b"hello, world\n");
    let w = r#"write(1, "hello, world\n", 13) = 13"#;
    assert!(
        out.stderr_str().lines().any(|l| norm_ws(l) == w),
        "no {w:?} line on stderr\n{}",
        out.dump()
    );
}

/// `--stats`: an strace -c like table on stderr at exit.
#[test]
fn stats_table() {
    let out = Case::new(fixture(Fx::Raw)).lx_opts(["--stats"]).run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    parse_raw(&out);
    let err = out.stderr_str();
    let has_row = |name: &str| {
        err.lines()
            .any(|l| l.split_whitespace().last() == Some(name))
    };
    for name in ["write", "uname", "getpid"] {
        assert!(
            has_row(name),
            "--stats table has no row for {name}\n{}",
            out.dump()
        );
    }
    assert!(
        err.contains("total"),
        "--stats table has no total line\n{}",
        out.dump()
    );
}

const ENOSYS_LINE: &str = "lx: unimplemented syscall: add_key (248)\n";
const ENOSYS_STDOUT: &str =
    "call 1: add_key = -1 errno=ENOSYS\ncall 2: add_key = -1 errno=ENOSYS\n";

/// An unimplemented syscall returns ENOSYS to the guest (both times) and lx
/// reports it exactly once on stderr.
#[test]
fn unimplemented_syscall_enosys_reported_once() {
    let out = Case::new(fixture(Fx::EnosysMusl)).run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    assert_eq!(out.stdout_str(), ENOSYS_STDOUT, "{}", out.dump());
    assert_eq!(
        out.stderr_str(),
        ENOSYS_LINE,
        "stderr must be exactly one `lx: unimplemented syscall: NAME (NR)` line\n{}",
        out.dump()
    );
}

#[test]
fn unimplemented_syscall_quiet() {
    let out = Case::new(fixture(Fx::EnosysMusl))
        .lx_opts(["--quiet"])
        .run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    assert_eq!(out.stdout_str(), ENOSYS_STDOUT, "{}", out.dump());
    assert_eq!(
        out.stderr_str(),
        "",
        "--quiet must silence the line\n{}",
        out.dump()
    );
}

#[test]
fn unimplemented_syscall_in_trace() {
    let trace = scratch("enosys.trace");
    let mut opt = std::ffi::OsString::from("--trace=");
    opt.push(&trace);
    let out = Case::new(fixture(Fx::EnosysMusl)).lx_opts([opt]).run_lx();
    assert_eq!(out.stdout_str(), ENOSYS_STDOUT, "{}", out.dump());
    let t =
        fs::read_to_string(&trace).unwrap_or_else(|e| panic!("no trace file: {e}\n{}", out.dump()));
    let n = t
        .lines()
        .filter(|l| {
            l.starts_with("add_key(")
                && norm_ws(l).ends_with("= -1 ENOSYS (Function not implemented)")
        })
        .count();
    assert_eq!(
        n, 2,
        "expected two `add_key(...) = -1 ENOSYS (Function not implemented)` lines\n--- trace ---\n{t}"
    );
}

/// lx's window (0x6f0000000000, 64 GiB) is out of the guest's reach: every
/// way of unmapping, reprotecting, remapping or mapping over it fails as
/// Linux fails for memory outside the user address space, a hint inside it
/// is ignored, and pointers into it are EFAULT. (Natively nothing lives
/// there, so these are lx-only assertions.)
#[test]
fn lx_window_is_out_of_reach() {
    let out = Case::new(fixture(Fx::Window)).lx_opts(["--quiet"]).run_lx();
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    assert_eq!(
        out.stdout_str(),
        "munmap: EINVAL\n\
         mprotect: ENOMEM\n\
         mmap fixed: ENOMEM\n\
         mmap noreplace: EEXIST\n\
         mmap hint outside window: 1\n\
         madvise: ENOMEM\n\
         mremap from: EFAULT\n\
         mremap onto: EINVAL\n\
         write from: EFAULT\n\
         read into: EFAULT\n\
         uname into: EFAULT\n",
        "{}",
        out.dump()
    );
}

/// Code generated at run time is mediated too: a `syscall` instruction in
/// a freshly written RWX page traps into lx like any other.
#[test]
fn runtime_generated_code_is_mediated() {
    let case = Case::new(fixture(Fx::Window)).args(["jit"]);
    let native = case.run_native();
    assert!(native.stdout_str().contains("same=1"), "{}", native.dump());
    let trace = scratch("jit.trace");
    let lx = case
        .clone()
        .lx_opts([
            format!("--trace={}", trace.display()),
            "--quiet".to_string(),
        ])
        .run_lx();
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    let pid: i64 = lx
        .stdout_str()
        .split("jit getpid=")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no pid in output: {}", lx.dump()));
    let t = std::fs::read_to_string(&trace).unwrap();
    let n = t
        .lines()
        .filter(|l| *l == format!("getpid() = {pid}"))
        .count();
    assert!(
        n >= 2,
        "expected the JIT getpid and libc's getpid in the trace:\n{t}"
    );
}
