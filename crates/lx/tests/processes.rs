//! Processes, pipes and signals: shells, scripts and builds under lx match
//! native runs; runs end without leaving processes behind.
//!
//! Shell cases run under dash (/bin/sh), bash and busybox sh with `-c`,
//! natively and under lx (`--quiet`: glibc's NSS asks for an nscd socket,
//! which lx reports on its own stderr until sockets land).

mod common;

use common::*;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The shell scripts every shell runs. Each must print the same natively
/// and under lx (no pids, no timings).
const SCRIPTS: &[(&str, &str)] = &[
    ("pipeline", "ls -la /usr/bin | sort -k5 -n | tail -3"),
    (
        "pipeline-awk",
        "seq 1 100000 | awk '{ print $1 % 7 }' | sort | uniq -c | wc -l",
    ),
    (
        "command-substitution",
        "x=$(echo a; echo b); echo \"[$x]\"; echo $(echo nested $(echo deep))",
    ),
    ("subshell", "(cd /etc && pwd); pwd; (exit 3); echo $?"),
    (
        "background-wait",
        "sleep 0.2 & echo started; wait; echo done $?",
    ),
    ("trap-exit", "trap 'echo bye' EXIT; echo hi"),
    (
        "trap-term",
        "trap 'echo got TERM' TERM; kill -TERM $$; echo after",
    ),
    (
        "trap-usr1-during-wait",
        "trap 'echo got USR1' USR1; (sleep 0.2; kill -USR1 $$) & wait; echo end",
    ),
    // (The shell's "Terminated" report of the killed job is its own race:
    // busybox sh prints it or not natively too, depending on whether the
    // job was reaped before `wait` ran, so wait's stderr is not compared;
    // the status is.)
    (
        "kill-term",
        "sleep 5 & kill -TERM $!; wait $! 2>/dev/null; echo status $?",
    ),
    ("killed-by-sigkill", "sh -c 'kill -9 $$'; echo status $?"),
    ("timeout", "timeout 1 sleep 5; echo status $?"),
    (
        "xargs-parallel",
        "printf 'a\\nb\\nc\\nd\\ne\\n' | xargs -P4 -n1 echo | sort",
    ),
    (
        "find-xargs-grep",
        "find /usr/share/doc/bash -type f | xargs grep -l Debian | sort",
    ),
    ("here-document", "cat <<EOF\nhello $HOME\n  indented\nEOF"),
    (
        "redirections",
        "f=/tmp/lx-redir.$$; echo out > $f; echo more >> $f; cat < $f; echo err 1>&2; \
         ls /nonexistent 2>/dev/null || echo missing; rm $f",
    ),
    (
        "fifo",
        "f=/tmp/lx-fifo.$$; mkfifo $f; (echo via fifo > $f &); cat $f; rm $f",
    ),
    (
        "exit-status",
        "false; echo $?; true; echo $?; sh -c 'exit 42'; echo $?",
    ),
];

fn shell_case(shell: &Path, script: &str) -> Case {
    Case::new(shell).args(["-c", script]).lx_opts(["--quiet"])
}

/// The environment plus LX_EXEC_IN_PLACE=0: every exec is a host exec of
/// the shim (as with --host-exec; the default serves it in place).
fn host_exec_env() -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    let mut e = base_env();
    e.push(("LX_EXEC_IN_PLACE".into(), "0".into()));
    e
}

/// Shells name pids in their job reports ("line 1: 4242 Killed"): those
/// differ between any two runs, so digits in stderr are compared as one.
fn without_numbers(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &c in b {
        if c.is_ascii_digit() {
            if out.last() != Some(&b'#') {
                out.push(b'#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn run_scripts(shell: &Path) {
    run_scripts_env(shell, base_env());
}

fn run_scripts_env(shell: &Path, env: Vec<(std::ffi::OsString, std::ffi::OsString)>) {
    let mut failures = Vec::new();
    for (name, script) in SCRIPTS {
        let c = shell_case(shell, script).env(env.clone());
        let native = c.run_native();
        let lx = c.run_lx();
        if native.status.code() != lx.status.code()
            || native.stdout != lx.stdout
            || without_numbers(&native.stderr) != without_numbers(&lx.stderr)
        {
            failures.push(format!(
                "{name}: {script}\n--- native ---\n{}\n--- lx ---\n{}",
                native.dump(),
                lx.dump()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dash_scripts() {
    run_scripts(Path::new("/bin/sh"));
}

#[test]
fn bash_scripts() {
    run_scripts(Path::new("/bin/bash"));
}

#[test]
fn dash_scripts_with_host_execs() {
    run_scripts_env(Path::new("/bin/sh"), host_exec_env());
}

#[test]
fn busybox_sh_scripts() {
    // busybox sh runs its applets for the commands it has (seq, sort, awk...).
    let bb = busybox();
    let dir = scratch("bbsh");
    fs::create_dir_all(&dir).unwrap();
    let sh = dir.join("sh");
    std::os::unix::fs::symlink(&bb, &sh).unwrap();
    run_scripts(&sh);
}

#[test]
fn make_j2_builds_with_gcc() {
    let dir = scratch("make");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("a.c"), "#include <stdio.h>\nint f(void);\nint main(void) { printf(\"f=%d\\n\", f()); return 0; }\n").unwrap();
    fs::write(
        dir.join("b.c"),
        "int g(void);\nint f(void) { return g() + 1; }\n",
    )
    .unwrap();
    fs::write(dir.join("c.c"), "int g(void) { return 41; }\n").unwrap();
    fs::write(
        dir.join("Makefile"),
        "prog: a.o b.o c.o\n\tgcc -o prog a.o b.o c.o\n%.o: %.c\n\tgcc -O1 -c -o $@ $<\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    // Built and run under lx (its writes stay in the overlay)...
    let c = Case::new("/bin/sh")
        .args(["-c", &format!("cd {d} && make -s -j2 && ./prog")])
        .lx_opts(["--quiet"]);
    let lx = c.run_lx();
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert_eq!(lx.stdout_str(), "f=42\n");
    assert!(!dir.join("prog").exists(), "the build wrote to the host");
    // ... and natively, the same.
    let native = c.run_native();
    assert_eq!(native.stdout, lx.stdout);
}

/// getpriority/setpriority and nice(1) on the run's processes, compared
/// with native: the caller by 0 and by pid, nice(), a forked child
/// inheriting it, the caller's process group (its own, so the native run
/// renices nothing else), PRIO_USER, another thread by its tid and through
/// the group, a bad `which` (EINVAL) and a pid that is not there (ESRCH).
#[test]
fn priorities_of_the_run() {
    let c = Case::new("/usr/bin/python3")
        .args([
            "-c",
            r#"import os, errno
os.setpgid(0, 0)
def t(f, *a):
    try: return f(*a)
    except OSError as e: return errno.errorcode[e.errno]
print("start", os.getpriority(os.PRIO_PROCESS, 0))
os.setpriority(os.PRIO_PROCESS, 0, 5); print("set 5", os.getpriority(os.PRIO_PROCESS, 0), os.getpriority(os.PRIO_PROCESS, os.getpid()))
print("nice +1", os.nice(1))
pid = os.fork()
if pid == 0:
    os._exit(os.getpriority(os.PRIO_PROCESS, 0))
print("child inherited", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
os.setpriority(os.PRIO_PGRP, 0, 9); print("pgrp 9", os.getpriority(os.PRIO_PGRP, 0), os.getpriority(os.PRIO_PROCESS, 0))
print("user", os.getpriority(os.PRIO_USER, os.getuid()) <= 9)
import threading
tid, ready, done = [], threading.Event(), threading.Event()
def f():
    tid.append(threading.get_native_id()); ready.set(); done.wait()
th = threading.Thread(target=f); th.start(); ready.wait()
os.setpriority(os.PRIO_PROCESS, tid[0], 11)
print("other thread", os.getpriority(os.PRIO_PROCESS, tid[0]), os.getpriority(os.PRIO_PROCESS, 0))
os.setpriority(os.PRIO_PGRP, 0, 12)
print("pgrp reaches the thread", os.getpriority(os.PRIO_PROCESS, tid[0]))
done.set(); th.join()
print("bad which", t(os.getpriority, 7, 0))
print("no such pid", t(os.getpriority, os.PRIO_PROCESS, 999999))
"#,
        ])
        .lx_opts(["--quiet"]);
    let (_, lx) = assert_same(&c);
    assert!(lx.stdout_str().contains("pgrp 9 9 9"), "{}", lx.dump());
    let c = Case::new("/usr/bin/nice")
        .args(["-n", "3", "/usr/bin/nice"])
        .lx_opts(["--quiet"]);
    let (_, lx) = assert_same(&c);
    assert!(
        lx.stdout_str().trim().parse::<i32>().is_ok(),
        "{}",
        lx.dump()
    );
}

#[test]
fn python_subprocess_and_fork() {
    let c = Case::new("/usr/bin/python3")
        .args([
            "-c",
            r#"
import os, subprocess, sys
print(subprocess.run(["echo", "hi"], capture_output=True).stdout)
print(subprocess.run("exit 3", shell=True).returncode)
print(subprocess.check_output(["sh", "-c", "echo $((6*7))"]))
pid = os.fork()
if pid == 0:
    os._exit(7)
_, status = os.waitpid(pid, 0)
print(os.WEXITSTATUS(status))
r, w = os.pipe()
if os.fork() == 0:
    os.close(r); os.write(w, b"through a pipe"); os._exit(0)
os.close(w); print(os.read(r, 100)); os.wait()
"#,
        ])
        .lx_opts(["--quiet"]);
    let (_, lx) = assert_same(&c);
    assert!(lx.stdout_str().contains("42"));
}

#[test]
fn ps_ef_in_the_debian_rootfs_shows_the_tree() {
    let root = std::env::var_os("LX_TEST_ROOTFS").map_or_else(
        || "/var/cache/lx-tests/bookworm".into(),
        std::path::PathBuf::from,
    );
    assert!(
        root.join("bin/ps").exists(),
        "no procps in {}: run .ci/run (debootstrap --include=procps)",
        root.display()
    );
    let mut cmd = Command::new(lx_bin());
    cmd.args(["run", "--quiet", "-r"]).arg(&root).args([
        "/bin/sh",
        "-c",
        "sleep 1 & echo $$ $!; ps -eo pid=,ppid=,comm=",
    ]);
    let out = run(&mut cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let text = out.stdout_str();
    let mut lines = text.lines();
    let ids: Vec<i32> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let (sh, sleep) = (ids[0], ids[1]);
    let rows: Vec<(i32, i32, String)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].to_string(),
            )
        })
        .collect();
    assert!(rows.contains(&(sleep, sh, "sleep".into())), "{text}");
    assert!(rows.iter().any(|r| r.1 == sh && r.2 == "ps"), "{text}");
    assert!(rows.iter().any(|r| r.0 == sh && r.2 == "sh"), "{text}");
    // Only the run's processes.
    assert_eq!(rows.len(), 3, "{text}");
}

fn shim_processes() -> Vec<String> {
    let mut v = Vec::new();
    for e in fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(cmd) = fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'));
        if cmd.starts_with(b"lx-shim") && !zombie {
            v.push(format!("{name}: {}", String::from_utf8_lossy(&cmd)));
        }
    }
    v
}

fn wait_until_gone(marker: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left: Vec<String> = shim_processes()
            .into_iter()
            .filter(|p| {
                let pid = p.split(':').next().unwrap();
                fs::read(format!("/proc/{pid}/environ")).is_ok_and(|_| true)
                    && fs::read_to_string(format!("/proc/{pid}/comm"))
                        .is_ok_and(|c| c.trim() == marker)
            })
            .collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn nothing_survives_the_run() {
    // A background job outliving its shell.
    let dir = scratch("leak");
    fs::create_dir_all(&dir).unwrap();
    let sleeper = dir.join("lxleak1");
    std::os::unix::fs::symlink("/bin/sleep", &sleeper).unwrap();
    let mut cmd = Command::new(lx_bin());
    cmd.args(["run", "/bin/sh", "-c"])
        .arg(format!("{} 30 & exit 0", sleeper.display()));
    let out = run(&mut cmd, b"");
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let left = wait_until_gone("lxleak1");
    assert!(left.is_empty(), "left behind: {left:?}");

    // lx killed with SIGKILL in the middle of a run.
    let sleeper = dir.join("lxleak2");
    std::os::unix::fs::symlink("/bin/sleep", &sleeper).unwrap();
    let mut child = Command::new(lx_bin())
        .args(["run", "/bin/sh", "-c"])
        .arg(format!(
            "{s} 30 & {s} 31; echo never",
            s = sleeper.display()
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while shim_processes()
        .iter()
        .filter(|p| {
            let pid = p.split(':').next().unwrap();
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "lxleak2")
        })
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the sleeps did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let lx_pid = child.id();
    child.kill().unwrap();
    child.wait().unwrap();
    let left = wait_until_gone("lxleak2");
    assert!(left.is_empty(), "left behind after kill -9 of lx: {left:?}");
    // Its run directory (overlay upper, /dev/shm, /run) cannot be removed
    // by a run killed with SIGKILL: the next run's start removes it.
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let run_dirs = || -> Vec<String> {
        ["/dev/shm", tmp.as_str()]
            .iter()
            .filter_map(|b| fs::read_dir(b).ok())
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&format!("lx-{lx_pid}-")))
            .collect()
    };
    let out = run(Command::new(lx_bin()).args(["run", "/bin/true"]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    assert!(
        run_dirs().is_empty(),
        "run directory left: {:?}",
        run_dirs()
    );
}

#[test]
fn two_thousand_fork_exec_wait_cycles_leak_nothing() {
    // The guest counts its fds and zombies; the host side counts the shim
    // process's own fds (lx's included) before and after. The cycles take
    // turns: fork, posix_spawn (glibc's clone3 CLONE_VM|CLONE_VFORK) and
    // subprocess.run (Python's vfork): lx's vfork helper allocates in its
    // parent's memory.
    let script = r#"
import os, sys, subprocess
def cycle(n):
    for i in range(n):
        if i % 3 == 0:
            pid = os.fork()
            if pid == 0:
                os.execv("/bin/true", ["true"])
            os.waitpid(pid, 0)
        elif i % 3 == 1:
            os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)
        else:
            subprocess.run(["/bin/true"])
cycle(20)
print("ready", os.getpid(), len(os.listdir("/proc/self/fd")), flush=True)
sys.stdin.readline()
cycle(2000)
zombies = [p for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid())]
print("done", len(os.listdir("/proc/self/fd")), len(zombies), flush=True)
sys.stdin.readline()
"#;
    let mut child = Command::new(lx_bin())
        .args(["run", "--quiet", "/usr/bin/python3", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f.first(), Some(&"ready"), "{line}");
    let pid: i32 = f[1].parse().unwrap();
    let guest_fds_before: usize = f[2].parse().unwrap();
    let host_fds = || fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count();
    let rss = || {
        fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("VmRSS:")
                    .map(|v| v.trim().trim_end_matches(" kB").parse::<u64>().unwrap())
            })
            .unwrap()
    };
    let (fds_before, rss_before) = (host_fds(), rss());
    stdin.write_all(b"\n").unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f.first(), Some(&"done"), "{line}");
    let (fds_after, rss_after) = (host_fds(), rss());
    stdin.write_all(b"\n").unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        f[1].parse::<usize>().unwrap(),
        guest_fds_before,
        "guest fds grew"
    );
    assert_eq!(f[2], "0", "zombies or leftover processes");
    assert_eq!(fds_after, fds_before, "lx's host fds grew");
    assert!(
        rss_after < rss_before + 8 * 1024,
        "memory grew from {rss_before} kB to {rss_after} kB"
    );
}

/// `lx run bash -i` and `lx run dash -i` in a pseudo-terminal (driven by a
/// Python script): Ctrl-C interrupts a `sleep` and returns to the prompt,
/// Ctrl-Z stops a job and `fg` resumes it, `exit 3` ends lx with status 3
/// (dash gives the terminal back to the process group it started in, lx's:
/// allowed; its job's children are vfork children running setpgid and
/// tcsetpgrp before their exec).
#[test]
fn interactive_bash_job_control() {
    let driver = fixtures_src().join("pty_job_control.py");
    for shell in [
        &["/bin/bash", "--norc", "--noprofile", "-i"][..],
        &["/bin/dash", "-i"],
    ] {
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(&driver)
            .arg(lx_bin())
            .args(["run", "--quiet"])
            .args(shell);
        let out = run(&mut cmd, b"");
        assert_eq!(out.status.code(), Some(0), "{shell:?}: {}", out.dump());
        assert_eq!(
            out.stdout_str(),
            "ctrl-c: back at the prompt\nctrl-z: stopped\nfg: resumed and finished\nexit status 3\n",
            "{shell:?}: {}",
            out.dump()
        );
    }
}

/// Corner cases from review: dup'd fds across exec stay one open file, a
/// handled signal interrupts a pipe read (EINTR), sigsuspend returns for a
/// signal already pending, a storm of two handled signals from another
/// process is survived; getrusage and times (a reaped child's CPU time,
/// EINVAL, EFAULT).
#[test]
fn process_and_signal_corner_cases() {
    let (_, lx) = assert_same(&Case::new(fixture(Fx::ProcSig)));
    let out = lx.stdout_str();
    assert!(
        out.contains("read: -1 Interrupted system call alarms=1"),
        "{out}"
    );
    assert!(out.contains("signal storm: done both handled"), "{out}");
    assert!(out.contains("bus storm: done handled"), "{out}");
    assert!(
        out.contains("blocked default-action signal still pending: 1"),
        "{out}"
    );
    assert!(out.contains("children's cpu over 20 ms: 1"), "{out}");
    assert!(out.contains("times: 1, children's ticks > 0: 1"), "{out}");
    assert!(
        out.contains("getrusage(bad pointer): -1 Bad address"),
        "{out}"
    );
}

/// POSIX threads (musl's clone, glibc's clone3) against the same program
/// run natively: a contended mutex and condition variable, join values,
/// TLS and tids; 4,000 short-lived threads touching files; pthread_kill and
/// a process-directed signal reaching the right thread; pthread_exit of the
/// main thread with the last thread's exit status; fork and exec from a
/// threaded process; a thread blocked in read() while others run;
/// CLONE_FILES/CLONE_FS sharing; pthread_cancel of a thread blocked in read
/// and of one waiting on a condition variable (a futex wait); two threads
/// changing cwd and dispositions at once (no update lost); a fork while a
/// thread is blocked in write() (the child's close really closes).
#[test]
fn posix_threads() {
    for fx in [Fx::ThreadsMusl, Fx::ThreadsGlibc] {
        for case in [
            "basic",
            "churn",
            "signal",
            "exit",
            "fork",
            "exec",
            "blocked",
            "shared",
            "cancel",
            "condcancel",
            "race",
            "forkeof",
        ] {
            let (_, lx) = assert_same(&Case::new(fixture(fx)).args([case]));
            assert!(!lx.stdout.is_empty(), "{fx:?} {case}: {}", lx.dump());
        }
    }
}

/// Python's multiprocessing pools with the fork start method (worker
/// processes plus the pool's helper threads) and the spawn one (a threaded
/// parent's fork+exec), and plain threading.
#[test]
fn python_multiprocessing_pool_and_threads() {
    // A script file: the spawn start method re-imports the main module.
    let script = scratch("pool.py");
    fs::write(
        &script,
        r#"
import multiprocessing as mp, os, threading
def sq(x): return x * x
if __name__ == "__main__":
    with mp.get_context("fork").Pool(4) as p:
        print(sum(p.map(sq, range(2000))))
        print(p.apply(os.getpid) != os.getpid())
    # spawn: a threaded parent forks and the child execs python afresh.
    with mp.get_context("spawn").Pool(2) as p:
        print(sum(p.map(sq, range(100))))
    out = []
    lock = threading.Lock()
    def work(i):
        with lock:
            out.append(i * i)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(32)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print(sum(out), len(out))
"#,
    )
    .unwrap();
    let c = Case::new("/usr/bin/python3")
        .args([script.as_os_str()])
        .lx_opts(["--quiet"]);
    let (_, lx) = assert_same(&c);
    assert!(lx.stdout_str().starts_with("2664667000\n"), "{}", lx.dump());
}

/// fexecve of files lx has no path for (memfds): a program's own copy (its
/// /proc/self/exe is the memfd, AT_EXECFN /dev/fd/N), a #! script, the
/// same from a close-on-exec memfd (ENOENT), a file shorter than an ELF
/// header (ENOEXEC), a pipe (EACCES); both exec paths.
#[test]
fn fexecve_of_a_memfd() {
    for fx in [Fx::ExecStateMusl, Fx::ExecStateGlibc] {
        for host_exec in [false, true] {
            let mut c = Case::new(fixture(fx)).args(["fexec"]);
            if host_exec {
                c = c.env(host_exec_env());
            }
            let (_, lx) = assert_same(&c);
            assert!(
                lx.stdout_str()
                    .contains("exe=/memfd:payload (deleted) execfn=/dev/fd/")
                    && lx.stdout_str().contains("own image: 7")
                    && lx.stdout_str().contains("own image through O_PATH: 7")
                    && lx.stdout_str().contains("script /dev/fd/"),
                "{fx:?} host_exec={host_exec}: {}",
                lx.dump()
            );
        }
    }
}

/// What exec keeps and resets, with lx serving the exec in place (the
/// default) and with a host exec of the shim (LX_EXEC_IN_PLACE=0): a robust
/// lock held across a child's exec comes back EOWNERDEAD, setpgid of a
/// child that has exec'd fails with EACCES, handled signals back
/// to default (the child dies of SIGUSR1), ignored ones and the mask kept,
/// the FPU rounding mode reset, close-on-exec fds closed and others kept,
/// POSIX timers deleted, glibc's rseq registration working again,
/// no_new_privs and the child-subreaper flag kept, dumpable reset, a
/// blocked pending SIGCHLD kept though its handler is reset.
#[test]
fn exec_keeps_and_resets_what_linux_does() {
    for fx in [Fx::ExecStateMusl, Fx::ExecStateGlibc] {
        for host_exec in [false, true] {
            let mut c = Case::new(fixture(fx));
            if host_exec {
                c = c.env(host_exec_env());
            }
            let (_, lx) = assert_same(&c);
            assert!(
                lx.stdout_str().contains("timer gone: 1")
                    && lx
                        .stdout_str()
                        .contains("robust lock after the holder's exec: EOWNERDEAD"),
                "{fx:?} host_exec={host_exec}: {}",
                lx.dump()
            );
        }
    }
}

/// vfork and posix_spawn children run on their parent's memory until they
/// exec (lx's helper process), compared with native: the child's writes
/// reach the parent, its pid and parent as it sees them, exec inheriting
/// what the child changed (fds, cwd, umask, ignored and handled signals,
/// mask, RLIMIT_CORE, timer slack, child-subreaper) with the child made at
/// the exec or earlier (after getpid, setsid, setpgid), a failed exec's
/// errno in shared memory, deaths before exec (kill of itself, a fault,
/// SIGPIPE from the host), posix_spawn of a missing program failing with
/// ENOENT and with file actions and POSIX_SPAWN_SETSID, one SIGCHLD per
/// child, a fork inside the child, its PR_GET_PDEATHSIG, a program break
/// it moved, alarm() before exec, a blocked signal pending across the
/// exec, getitimer after alarm, a child killed before its exec with
/// SIGCHLD ignored, 200 statuses in a row, and nothing the children
/// changed leaking into the parent.
#[test]
fn vfork_children_share_the_parents_memory() {
    for fx in [Fx::VforkMusl, Fx::VforkGlibc] {
        let c = Case::new(fixture(fx));
        let (_, lx) = assert_same(&c);
        let out = lx.stdout_str();
        assert!(
            out.contains("write seen: 42, exit 3")
                && out.contains("after setsid: cwd=/tmp umask=027 usr1=ign usr2=dfl hup_blocked=1")
                && out.contains("sid_is_pid=1 pgid_is_pid=1")
                && out.contains("posix_spawn of a missing program: No such file or directory")
                && out.contains("SIGPIPE: signal 13")
                && out.contains("slack=123456 reaper=1")
                && out.contains("SIGCHLD for 50 children: 50")
                && out.contains("fork in the child: 5, pdeathsig 0, exit 0")
                && out.contains("alarm() then exec: signal 14")
                && out.contains("exec'd: SIGUSR1 pending 1")
                && out.contains("getitimer after alarm(30) in the child: 1")
                && out.contains("vfork ok, waitpid ECHILD, within 2 s 1")
                && out.contains("200 vforks: 200 right"),
            "{fx:?}: {}",
            lx.dump()
        );
    }
}
