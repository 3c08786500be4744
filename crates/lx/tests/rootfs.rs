//! A Debian bookworm root filesystem (debootstrap --variant=minbase) under
//! `lx run -r` matches `chroot` into the same tree. `.ci/run` creates the
//! tree when it is missing; its path is `$LX_TEST_ROOTFS` or
//! /var/cache/lx-tests/bookworm. Without it (or without root for chroot)
//! the tests fail with what to do, never pass silently.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

fn rootfs() -> PathBuf {
    let p = std::env::var_os("LX_TEST_ROOTFS").map_or_else(
        || PathBuf::from("/var/cache/lx-tests/bookworm"),
        PathBuf::from,
    );
    assert!(
        p.join("etc/debian_version").exists(),
        "no Debian rootfs at {}: run .ci/run, or `debootstrap --variant=minbase bookworm {}`",
        p.display(),
        p.display()
    );
    p
}

/// `chroot ROOTFS prog args` (as root, or in a user namespace otherwise).
fn chroot_cmd(root: &PathBuf, prog: &str, args: &[&str]) -> Command {
    // SAFETY: geteuid has no preconditions.
    let is_root = unsafe { libc::geteuid() } == 0;
    let mut c = if is_root {
        Command::new("/usr/sbin/chroot")
    } else {
        let mut c = Command::new("unshare");
        c.args(["-r", "/usr/sbin/chroot"]);
        c
    };
    c.arg(root)
        .arg(prog)
        .args(args)
        .env_clear()
        .envs(base_env());
    c
}

fn lx_cmd(root: &PathBuf, opts: &[&str], prog: &str, args: &[&str]) -> Command {
    let mut c = Command::new(lx_bin());
    c.arg("run")
        .arg("--quiet")
        .arg("-r")
        .arg(root)
        .args(opts)
        .arg(prog)
        .args(args)
        .env_clear()
        .envs(base_env());
    c
}

#[track_caller]
fn same_as_chroot(opts: &[&str], prog: &str, args: &[&str]) -> Output {
    let root = rootfs();
    let native = run(&mut chroot_cmd(&root, prog, args), b"");
    let lx = run(&mut lx_cmd(&root, opts, prog, args), b"");
    compare(&native, &lx);
    lx
}

#[test]
fn debian_version_and_packages() {
    let lx = same_as_chroot(&[], "/bin/cat", &["/etc/debian_version"]);
    assert!(lx.stdout_str().starts_with("12."), "{}", lx.dump());
    let lx = same_as_chroot(&[], "/usr/bin/dpkg-query", &["-W"]);
    assert!(lx.stdout_str().contains("libc6"), "{}", lx.dump());
}

#[test]
fn perl_and_bash_versions() {
    same_as_chroot(&[], "/usr/bin/perl", &["-v"]);
    same_as_chroot(&[], "/bin/bash", &["--version"]);
}

#[test]
fn id_is_root_with_dash_0() {
    let lx = same_as_chroot(&["-0"], "/usr/bin/id", &[]);
    assert_eq!(lx.stdout_str(), "uid=0(root) gid=0(root) groups=0(root)\n");
}

#[test]
fn ls_la_root() {
    // lx mounts its own /proc, /sys, /dev and a tmpfs /run where a bare
    // chroot shows the tree's empty directories: those lines (and the
    // total they change) are left out.
    let root = rootfs();
    let keep = |o: &Output| {
        o.stdout_str()
            .lines()
            .filter(|l| {
                !l.starts_with("total")
                    && !["proc", "sys", "dev", "run"]
                        .iter()
                        .any(|m| l.ends_with(&format!(" {m}")))
            })
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let native = run(&mut chroot_cmd(&root, "/bin/ls", &["-la", "/"]), b"");
    let lx = run(&mut lx_cmd(&root, &[], "/bin/ls", &["-la", "/"]), b"");
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert_eq!(keep(&lx), keep(&native), "{}", lx.dump());
    assert!(keep(&lx).len() > 10);
}
