//! Syscall-site patching: glibc's hot `mov eax, NR; syscall` sites become
//! direct calls of lx after their 24th trap. What the guest sees must not
//! change: each case is compared with the same program run natively, with
//! patching (the default) and without (--no-patch).

mod common;

use common::*;

/// patched.c (dynamic glibc and musl static): results and errno from hot sites, a timer
/// signal every millisecond while they run, clock_nanosleep interrupted
/// (EINTR), readv on a pipe restarted under SA_RESTART and interrupted
/// without it, a sigprocmask unblocking a pending signal (its handler runs
/// before the call returns), a child and four threads using the patched
/// sites, %gs 0 at start and the guest's own after ARCH_SET_GS.
#[test]
fn hot_syscall_sites_behave_as_natively() {
    for fx in [Fx::Patched, Fx::PatchedMusl] {
        for opts in [&[][..], &["--no-patch"][..]] {
            let (_, lx) = assert_same(&Case::new(fixture(fx)).lx_opts(opts.iter().copied()));
            assert!(
                lx.stdout_str().contains("handled by the unblock: 1"),
                "{fx:?} {opts:?}: {}",
                lx.dump()
            );
        }
    }
}

/// The mechanism itself: after a few calls, getppid's `mov eax, 110` has
/// become lx's `jmp` (e9); with --no-patch (and natively) it stays (b8).
#[test]
fn patching_rewrites_hot_sites_unless_disabled() {
    let fx = fixture(Fx::Patched);
    let site = |opts: &[&str]| {
        let out = Case::new(&fx)
            .args(["site"])
            .lx_opts(opts.iter().copied())
            .run_lx();
        assert!(out.status.success(), "{}", out.dump());
        out.stdout_str().trim().to_string()
    };
    assert_eq!(site(&[]), "e9");
    assert_eq!(site(&["--no-patch"]), "b8");
    let native = std::process::Command::new(&fx)
        .arg("site")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&native.stdout).trim(), "b8");
}

/// The second shape, sites that take the number from a register: musl's
/// `__syscall_cp_c` (its cancellation points) and glibc's syscall(3) get
/// lx's `jmp` (e9) after a few calls; calls through them then behave as
/// natively (arguments, a stack-loaded sixth one, numbers lx serves only by
/// trap, a number with high bits set); with --no-patch (and natively) the
/// functions stay as built (0f: the `syscall`, no `jmp` before it).
#[test]
fn patching_rewrites_register_number_sites() {
    for fx in [Fx::PatchedMusl, Fx::Patched] {
        let fx = fixture(fx);
        let run = |opts: &[&str]| {
            let out = Case::new(&fx)
                .args(["regsite"])
                .lx_opts(opts.iter().copied())
                .run_lx();
            assert!(out.status.success(), "{}", out.dump());
            out.stdout_str()
        };
        let native = std::process::Command::new(&fx)
            .arg("regsite")
            .output()
            .unwrap();
        let native = String::from_utf8_lossy(&native.stdout).into_owned();
        assert!(native.ends_with("0f\n"), "{fx:?}: {native}");
        let body = native.strip_suffix("0f\n").unwrap();
        assert!(body.contains("pread through the site: 3 ELF"), "{body}");
        assert_eq!(run(&[]), format!("{body}e9\n"), "{fx:?}");
        assert_eq!(run(&["--no-patch"]), native, "{fx:?}");
    }
}

/// patchedge.c: what a review of the fast path found, each compared with
/// native: every register a `syscall` keeps, kept while another process
/// sends signals non-stop; a store whose bytes end like `mov eax, 39;
/// syscall` is not patched; code with a hot site moved by mremap, and new
/// code written over a hot site, run as written; a hot site in a shared
/// file mapping never writes the file; flock waiting for a lock is
/// restarted under SA_RESTART; single-stepping over a hot call; no stub
/// area in /proc/self/maps; a register-number site made hot by a signal
/// handler that interrupted it between two moves resumes intact; a storm
/// of 20,000 signals a second over patched calls (some land while the fast
/// path returns, with their frame over the fast path's) leaves results and
/// a running floating-point sum right.
#[test]
fn patching_edges_behave_as_natively() {
    let (_, lx) = assert_same(&Case::new(fixture(Fx::PatchEdge)));
    assert!(
        lx.stdout_str().contains("file unchanged: 1")
            && lx
                .stdout_str()
                .contains("resumed mid-way: reached 1, result right 1")
            && lx.stdout_str().contains(
                "signal storm over patched sites: wrong results 0, handled many 1, sum right 1"
            ),
        "{}",
        lx.dump()
    );
}

/// The fourth load of an ELF interpreter in a run maps lx's copy of it
/// with its syscall sites patched (the shim's images module). Through
/// `sh -c '/bin/true; /bin/true; FIXTURE'` (dash, the two `true`s, then the
/// fixture): /proc/self/maps shows the interpreter's lines as natively
/// (perms, offsets, device, inode, path; no memfd, no stub pages); what
/// the interpreter's start registers through the fast path holds (rseq,
/// the robust list a forked child dies with, the tid word a thread's exit
/// clears); and a program that sets its own %gs base can still dlopen (the
/// interpreter's sites then go to the trap instead of the fast path, which
/// needs %gs).
#[test]
fn interpreter_copy_is_seen_as_the_file() {
    let fx = fixture(Fx::Interp);
    for mode in ["maps", "start", "gs"] {
        let script = format!("/bin/true; /bin/true; {} {mode}", fx.display());
        let (_, lx) = assert_same(&Case::new("/bin/sh").args(["-c", script.as_str()]));
        assert!(
            lx.stdout_str().contains("ld-linux")
                || lx.stdout_str().contains("intact: 1")
                || lx.stdout_str().contains("EOWNERDEAD"),
            "{mode}: {}",
            lx.dump()
        );
    }
}

/// The interpreter copy's `cpuid` sites (constant questions, answered by
/// stubs holding this machine's answers): what glibc's start made of them
/// (its cpuid feature leaves, the cache sizes sysconf reports, the hwcaps)
/// is what it makes natively, with the copy mapped (the fourth load).
#[test]
fn interpreter_cpuid_answers_are_the_cpus() {
    let fx = fixture(Fx::Interp);
    let script = format!("/bin/true; /bin/true; {} cpu", fx.display());
    let (_, lx) = assert_same(&Case::new("/bin/sh").args(["-c", script.as_str()]));
    assert!(
        lx.stdout_str().contains("leaf index 0: cpuid") && lx.stdout_str().contains("sysconf"),
        "{}",
        lx.dump()
    );
}

/// The mechanism: the interpreter's code in memory differs from its file,
/// by whole `mov eax, NR` -> `jmp` replacements only, from the run's fourth
/// load of it on; an earlier load, --no-patch and a native run map the
/// file as it is.
#[test]
fn interpreter_sites_are_patched_from_the_fourth_load() {
    let fx = fixture(Fx::Interp);
    let fourth = format!("/bin/true; /bin/true; {} code", fx.display());
    let third = format!("/bin/true; {} code", fx.display());
    let out = |case: Case| {
        let o = case.run_lx();
        assert!(o.status.success(), "{}", o.dump());
        o.stdout_str().trim().to_string()
    };
    let sh = |script: &str| Case::new("/bin/sh").args(["-c", script]);
    assert_eq!(
        out(sh(&fourth)),
        "interpreter code patched: yes, only jumps: yes\ncpuid sites patched: yes"
    );
    let unpatched = "interpreter code patched: no, only jumps: yes\ncpuid sites patched: no";
    assert_eq!(out(sh(&third)), unpatched);
    assert_eq!(out(sh(&fourth).lx_opts(["--no-patch"])), unpatched);
    assert_eq!(out(Case::new(&fx).args(["code"])), unpatched);
    assert_eq!(sh(&fourth).run_native().stdout_str().trim(), unpatched);
}
