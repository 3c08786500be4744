//! lx exits with the guest's status; a guest killed by signal N makes lx
//! exit with 128+N and print one line naming the signal (as bash does).

mod common;

use common::*;
use std::os::unix::process::ExitStatusExt;

fn exit_with(status: &str, want: i32) {
    let (_, lx) = assert_same(&Case::new(fixture(Fx::ExitMusl)).args([status]));
    assert_eq!(lx.status.code(), Some(want), "{}", lx.dump());
}

#[test]
fn exit_0() {
    exit_with("0", 0);
}

#[test]
fn exit_1() {
    exit_with("1", 1);
}

#[test]
fn exit_42() {
    exit_with("42", 42);
}

#[test]
fn exit_255() {
    exit_with("255", 255);
}

/// Native: killed by SIGSEGV. lx: exit 139 and one stderr line containing
/// "Segmentation fault"; stdout (flushed before the fault) identical.
#[test]
fn segv_without_handler_exits_139() {
    let case = Case::new(fixture(Fx::SegvMusl)).args(["nohandler"]);
    let native = case.run_native();
    assert_eq!(
        native.status.signal(),
        Some(11),
        "fixture: the native run should die of SIGSEGV\n{}",
        native.dump()
    );
    let lx = case.run_lx();
    compare(&native, &lx);
    assert_eq!(lx.status.code(), Some(139), "{}", lx.dump());
    assert!(
        lx.stderr_str().contains("Segmentation fault"),
        "{}",
        lx.dump()
    );
}

/// abort(): SIGABRT, exit 134, "Aborted".
#[test]
fn abort_exits_134() {
    let case = Case::new(fixture(Fx::ExitMusl)).args(["abort"]);
    let native = case.run_native();
    assert_eq!(native.status.signal(), Some(6), "{}", native.dump());
    let lx = case.run_lx();
    compare(&native, &lx);
    assert_eq!(lx.status.code(), Some(134), "{}", lx.dump());
}
