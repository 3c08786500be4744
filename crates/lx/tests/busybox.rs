//! Debian's busybox-static (a static glibc program) under lx: identical to
//! native. Fails (does not skip) when busybox-static is not installed.

mod common;

use common::*;

/// busybox under lx must print exactly what it prints natively: no
/// "unimplemented syscall" line either.
fn bb(args: &[&str]) -> Case {
    Case::new(busybox()).args(args.iter().copied())
}

#[test]
fn echo() {
    let (_, lx) = assert_same(&bb(&["echo", "hi", "there"]));
    assert_eq!(lx.stdout, b"hi there\n");
}

#[test]
fn true_exits_0() {
    let (_, lx) = assert_same(&bb(&["true"]));
    assert_eq!(lx.status.code(), Some(0));
}

#[test]
fn false_exits_1() {
    let (_, lx) = assert_same(&bb(&["false"]));
    assert_eq!(lx.status.code(), Some(1));
}

#[test]
fn seq() {
    assert_same(&bb(&["seq", "1", "20"]));
}

#[test]
fn printf() {
    let (_, lx) = assert_same(&bb(&["printf", "%s-%d\\n", "a", "5"]));
    assert_eq!(lx.stdout, b"a-5\n");
}

fn some_kilobytes() -> Vec<u8> {
    let mut v = Vec::new();
    let mut x: u32 = 12345;
    for i in 0..6000u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.push(if i % 61 == 60 {
            b'\n'
        } else {
            b'a' + (x >> 16) as u8 % 26
        });
    }
    v
}

#[test]
fn sha256sum_stdin() {
    assert_same(&bb(&["sha256sum"]).stdin(some_kilobytes()));
}

#[test]
fn wc_and_tr_stdin() {
    assert_same(&bb(&["wc"]).stdin(some_kilobytes()));
    assert_same(&bb(&["tr", "a-m", "A-M"]).stdin(some_kilobytes()));
}

#[test]
fn sort_stdin() {
    assert_same(&bb(&["sort", "-r"]).stdin(some_kilobytes()));
}

/// busybox picks the applet from basename(argv[0]): run it through a
/// symlink named `echo`.
#[test]
fn applet_from_argv0_symlink() {
    let dir = scratch("bbdir");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("echo");
    std::os::unix::fs::symlink(busybox(), &link).unwrap();
    let (_, lx) = assert_same(&Case::new(link).args(["via", "symlink"]));
    assert_eq!(lx.stdout, b"via symlink\n");
}
