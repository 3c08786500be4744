//! Every fixture, run natively and under `lx run` with the same arguments,
//! environment and stdin: stdout, stderr and exit status must be identical.

mod common;

use common::*;

/// A glibc static-PIE fixture (its startup's readlink("/proc/self/exe") is
/// served by lx's procfs: nothing may be reported on stderr).
fn glibc(fx: Fx) -> Case {
    Case::new(fixture(fx))
}
use std::ffi::OsString;

#[test]
fn hello_musl_static() {
    let (_, lx) = assert_same(&Case::new(fixture(Fx::HelloMusl)));
    assert_eq!(lx.stdout, b"hello, world\n");
}

#[test]
fn hello_glibc_static_pie() {
    let (_, lx) = assert_same(&glibc(Fx::HelloGlibc));
    assert_eq!(lx.stdout, b"hello, world\n");
}

#[test]
fn dump_musl_args_env_auxv() {
    assert_same(&Case::new(fixture(Fx::DumpMusl)).args(["one", "two words", "", "ünïcödé", "x=y"]));
}

#[test]
fn dump_glibc_static_pie_args_env_auxv() {
    assert_same(&glibc(Fx::DumpGlibc).args(["one", "two words", "", "x=y"]));
}

#[test]
fn dump_no_args_empty_env() {
    assert_same(&Case::new(fixture(Fx::DumpMusl)).env(Vec::new()));
}

/// Arguments after PROGRAM belong to the guest even when they look like lx
/// options.
#[test]
fn dump_args_that_look_like_lx_options() {
    assert_same(&Case::new(fixture(Fx::DumpMusl)).args([
        "--trace",
        "--env",
        "A=B",
        "--clear-env",
        "--quiet",
        "--stats",
        "--",
        "-x",
        "run",
    ]));
}

/// A large initial stack: many arguments and big environment strings.
#[test]
fn dump_big_argv_and_env() {
    let args: Vec<String> = (0..400)
        .map(|i| format!("arg{i}-{}", "a".repeat(i % 97)))
        .collect();
    let mut env = base_env();
    for i in 0..60 {
        env.push((format!("BIG_{i:02}").into(), "v".repeat(1000 + i).into()));
    }
    env.sort();
    assert_same(&Case::new(fixture(Fx::DumpMusl)).args(args).env(env));
}

/// `--clear-env --env K=V...` under lx == exactly K=V... natively.
#[test]
fn clear_env_and_env_options() {
    let vars: Vec<(OsString, OsString)> = vec![
        ("ALPHA".into(), "1".into()),
        ("BETA".into(), "two words".into()),
        ("GAMMA".into(), "x=y=z".into()),
    ];
    let native = Case::new(fixture(Fx::DumpMusl))
        .args(["e"])
        .env(vars.clone())
        .run_native();
    let mut opts: Vec<OsString> = vec!["--clear-env".into()];
    for (k, v) in &vars {
        let mut kv = k.clone();
        kv.push("=");
        kv.push(v);
        opts.push("--env".into());
        opts.push(kv);
    }
    // The lx process itself has the usual base environment.
    let lx = Case::new(fixture(Fx::DumpMusl))
        .args(["e"])
        .lx_opts(opts)
        .run_lx();
    compare(&native, &lx);
}

/// `--env K=V` without `--clear-env` adds to the inherited environment.
#[test]
fn env_option_adds_to_inherited_environment() {
    let lx = Case::new(fixture(Fx::DumpMusl))
        .lx_opts(["--env", "LX_ADDED=yes"])
        .run_lx();
    let out = lx.stdout_str();
    assert!(
        lx.status.code() == Some(0)
            && out.lines().any(|l| l.ends_with("]=LX_ADDED=yes"))
            && out
                .lines()
                .any(|l| l.ends_with("]=LX_FIXTURE=native-vs-lx")),
        "expected LX_ADDED=yes added to the inherited environment\n{}",
        lx.dump()
    );
}

#[test]
fn malloc_musl() {
    assert_same(&Case::new(fixture(Fx::MallocMusl)));
}

#[test]
fn malloc_glibc_static_pie() {
    assert_same(&glibc(Fx::MallocGlibc));
}

#[test]
fn segv_handler_musl() {
    assert_same(&Case::new(fixture(Fx::SegvMusl)));
}

#[test]
fn segv_handler_glibc_static_pie() {
    assert_same(&glibc(Fx::SegvGlibc));
}

#[test]
fn signals_musl() {
    assert_same(&Case::new(fixture(Fx::SignalsMusl)));
}

#[test]
fn signals_glibc_static_pie() {
    assert_same(&glibc(Fx::SignalsGlibc));
}

#[test]
fn rust_std_program_stdin_args_exit_code() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!("line {i} the quick brown fox {} jumps\n", i % 7));
    }
    let (_, lx) = assert_same(
        &Case::new(fixture(Fx::Rust))
            .args(["3", "two words", "-x", "--help"])
            .stdin(text),
    );
    assert_eq!(lx.status.code(), Some(3));
}

#[test]
fn rust_std_program_empty_stdin() {
    assert_same(&Case::new(fixture(Fx::Rust)));
}

/// `#!` scripts: the kernel runs the interpreter with
/// argv = [interpreter, optional-arg, script, args...] and AT_EXECFN = script.
#[test]
fn shebang_script_runs_its_interpreter() {
    let dump = fixture(Fx::DumpMusl);
    let script = write_file(
        "script.sh",
        format!("#!{} interp-arg\nthis line is not read\n", dump.display()).as_bytes(),
        0o755,
    );
    assert_same(&Case::new(script).args(["a1", "a 2"]));
}
