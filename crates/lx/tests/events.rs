//! Event interfaces (epoll, eventfd) and the Go runtime, which needs them
//! and threads: each compared with the same program run natively.

mod common;

use common::*;
use std::fs;

/// epoll and eventfd (C, musl static and dynamic glibc): registration
/// errors, the guest's epoll_data coming back untouched, readiness from
/// another thread, EINTR from a handled signal even with SA_RESTART,
/// epoll_pwait's mask, EPOLLONESHOT, EPOLL_CTL_DEL, eventfd semaphores.
#[test]
fn epoll_and_eventfd() {
    for fx in [Fx::EpollMusl, Fx::EpollGlibc] {
        let (_, lx) = assert_same(&Case::new(fixture(fx)));
        assert!(
            lx.stdout_str().contains("data=1122334455667788"),
            "{fx:?}: {}",
            lx.dump()
        );
    }
}

/// A Go program: Debian's esbuild (Go runtime with cgo/glibc: threads,
/// futexes, signals for goroutine preemption, epoll for its file I/O)
/// bundles and minifies a 40-module project exactly as natively, several
/// times over.
#[test]
fn go_esbuild_bundles_like_native() {
    let esbuild = tool("esbuild", "Debian package esbuild: apt-get install esbuild");
    let dir = scratch("esbuild");
    fs::create_dir_all(&dir).unwrap();
    for i in 1..=40 {
        fs::write(
            dir.join(format!("m{i}.js")),
            format!(
                "import {{v{n}}} from \"./m{n}.js\";\n\
                 export const v{i} = ((x) => {{ let s = 0; for (let i = 0; i < x; i++) \
                 {{ s += i * {i}; }} return s + v{n}; }})({i});\n",
                n = i + 1
            ),
        )
        .unwrap();
    }
    fs::write(dir.join("m41.js"), "export const v41 = 41;\n").unwrap();
    let entry = dir.join("m1.js");
    let case = Case::new(&esbuild).args([
        entry.as_os_str(),
        "--bundle".as_ref(),
        "--minify".as_ref(),
        "--format=esm".as_ref(),
    ]);
    for _ in 0..3 {
        let (_, lx) = assert_same(&case);
        assert!(lx.stdout.len() > 1000, "{}", lx.dump());
    }
    assert_same(&Case::new(&esbuild).args(["--version"]));
}
