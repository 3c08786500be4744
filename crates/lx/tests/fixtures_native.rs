//! The fixtures themselves, run natively (no lx): they build, and their
//! output is what the other tests assume. If one of these fails, fix the
//! fixture or the machine, not lx.

mod common;

use common::*;

fn native(case: &Case) -> Output {
    let out = case.run_native();
    assert_eq!(out.stderr_str(), "", "{}", out.dump());
    out
}

#[test]
fn hello_both_libcs() {
    for fx in [Fx::HelloMusl, Fx::HelloGlibc] {
        let out = native(&Case::new(fixture(fx)));
        assert_eq!(out.stdout, b"hello, world\n", "{}", out.dump());
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn dump_sees_its_own_path_and_aligned_stack() {
    for fx in [Fx::DumpMusl, Fx::DumpGlibc] {
        let p = fixture(fx);
        let out = native(&Case::new(&p).args(["a"]));
        let s = out.stdout_str();
        let path = p.display().to_string();
        for want in [
            "argc=2".to_string(),
            format!("argv[0]={path}"),
            "argv[1]=a".into(),
            format!("AT_EXECFN={path}"),
            "initial_sp%16=0".into(),
            "main_frame%16=0".into(),
            "*initial_sp==argc: 1".into(),
            "envp==argv+argc+1: 1".into(),
            "AT_ENTRY==_start: 1".into(),
            "AT_PHDR==ehdr+e_phoff: 1".into(),
            "AT_PHNUM==e_phnum: 1".into(),
            "AT_RANDOM=present".into(),
            "AT_PAGESZ=4096".into(),
            "AT_PLATFORM=x86_64".into(),
            "AT_SECURE=0".into(),
        ] {
            assert!(
                s.lines().any(|l| l == want),
                "{fx:?}: missing line {want:?}\n{}",
                out.dump()
            );
        }
    }
}

#[test]
fn malloc_both_libcs_agree() {
    let a = native(&Case::new(fixture(Fx::MallocMusl)));
    let b = native(&Case::new(fixture(Fx::MallocGlibc)));
    let s = a.stdout_str();
    assert!(
        !s.contains("FAILED") && !s.contains("CORRUPTED") && !s.contains("NOT ZEROED"),
        "{}",
        a.dump()
    );
    assert_eq!(
        a.stdout,
        b.stdout,
        "musl and glibc builds differ:\n{}",
        diff(&a.stdout, &b.stdout)
    );
}

const SEGV_GOLDEN: &str = "\
page readable after mprotect: 1
fault 1: signo=11 code=SEGV_ACCERR addr_ok=1
page unchanged: 1
fault 2: signo=11 code=SEGV_MAPERR addr_ok=1
SIGSEGV blocked after siglongjmp: 0
fault 3: signo=11 code=SEGV_ACCERR addr_ok=1, resumed with rax=1234
after mprotect RW: page[100]=y
handler runs: 3
";

#[test]
fn segv_golden() {
    for fx in [Fx::SegvMusl, Fx::SegvGlibc] {
        let out = native(&Case::new(fixture(fx)));
        assert_eq!(
            out.stdout_str(),
            SEGV_GOLDEN,
            "{fx:?}\n{}",
            diff(SEGV_GOLDEN.as_bytes(), &out.stdout)
        );
        assert_eq!(out.status.code(), Some(0));
    }
    let out = Case::new(fixture(Fx::SegvMusl))
        .args(["nohandler"])
        .run_native();
    assert_eq!(shell_status(out.status), 139, "{}", out.dump());
    assert_eq!(
        out.stdout_str(),
        "page readable after mprotect: 1\nwriting to a read-only page without a handler\n"
    );
}

const SIGNALS_GOLDEN: &str = "\
1 raise: count=1 signo=10 code=SI_TKILL pid_ok=1 uid_ok=1 rip_nonzero=1
2 kill: count=1 signo=10 code=SI_USER pid_ok=1 uid_ok=1
3 blocked: pending=1 count=0
3 unblocked: pending=0 count=1 signo=12 code=SI_TKILL uc_sigmask_had_usr2=0
4 onstack: local_in_altstack=1 SS_ONSTACK_inside=1 SS_ONSTACK_outside=0 size_ok=1
4 no SA_ONSTACK: local_in_altstack=0
5 resethand: count=1 now_SIG_DFL=1
6 nodefer order: 12rbra
6 deferred order: 1ra2rb
7 mask: self_blocked_inside=1 sa_mask_blocked_inside=1 self_blocked_after=0 sa_mask_blocked_after=0
7 nodefer mask: self_blocked_inside=0
8 ucontext: rip_nonzero=1 uc_sigmask_has_usr2=1
9 plain: global=232
10 ignored: pending=0 global=232
done
";

#[test]
fn signals_golden() {
    for fx in [Fx::SignalsMusl, Fx::SignalsGlibc] {
        let out = native(&Case::new(fixture(fx)));
        assert_eq!(
            out.stdout_str(),
            SIGNALS_GOLDEN,
            "{fx:?}\n{}",
            diff(SIGNALS_GOLDEN.as_bytes(), &out.stdout)
        );
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn enosys_fixture_runs() {
    let out = native(&Case::new(fixture(Fx::EnosysMusl)));
    assert_eq!(out.status.code(), Some(0));
    // Natively the errno depends on the kernel (EFAULT, EPERM in a container,
    // ENOSYS without CONFIG_KEYS); only the shape is checked.
    let s = out.stdout_str();
    assert_eq!(s.lines().count(), 2, "{}", out.dump());
    assert!(
        s.lines().all(|l| l.contains(": add_key = -1 errno=")),
        "{}",
        out.dump()
    );
}

#[test]
fn exit_statuses() {
    for code in [0, 1, 42, 255] {
        let out = native(&Case::new(fixture(Fx::ExitMusl)).args([code.to_string()]));
        assert_eq!(out.status.code(), Some(code));
    }
}

#[test]
fn rust_program() {
    let out = Case::new(fixture(Fx::Rust))
        .args(["7", "x"])
        .stdin("b a b\nc\n")
        .run_native();
    assert_eq!(out.status.code(), Some(7), "{}", out.dump());
    assert_eq!(out.stderr_str(), "hello-rs: exiting with 7\n");
    let s = out.stdout_str();
    assert!(
        s.contains("stdin: 8 bytes, 2 lines, 4 words, 3 distinct"),
        "{}",
        out.dump()
    );
    assert!(
        s.contains("LX_FIXTURE = Some(\"native-vs-lx\")"),
        "{}",
        out.dump()
    );
    assert!(s.contains("caught panic: true"), "{}", out.dump());
}

#[test]
fn busybox_is_static_and_runs() {
    let out = native(&Case::new(busybox()).args(["echo", "hi", "there"]));
    assert_eq!(out.stdout, b"hi there\n");
}

/// The harness itself: a hung program is killed and the test fails.
#[test]
fn harness_timeout_kills_a_hung_program() {
    let r = std::thread::spawn(|| {
        let mut c = std::process::Command::new("/bin/sh");
        c.args(["-c", "sleep 1000"]);
        run_with_timeout(&mut c, std::time::Duration::from_millis(300))
    })
    .join();
    let err = r.expect_err("a hung program must fail the test");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("TIMEOUT"), "unexpected panic: {msg}");
}
