//! Files, root filesystems and dynamic programs: the host's own (dynamic,
//! glibc) programs under lx's default root match native runs; writes go to
//! a per-run overlay and never reach the host; `--overlay` keeps them and
//! `--rw` writes through; no path trick leaves a `--rootfs`.
//!
//! Host programs are run with `--quiet`: glibc's NSS asks for a socket(2)
//! (nscd), which lx does not serve yet and reports on its own stderr; that
//! line is lx's diagnostic, not the program's output.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn host(prog: &str, args: &[&str]) -> Case {
    Case::new(prog)
        .args(args.iter().copied())
        .lx_opts(["--quiet"])
}

#[track_caller]
fn same(prog: &str, args: &[&str]) -> (Output, Output) {
    assert_same(&host(prog, args))
}

#[test]
fn ls_la_etc_and_usr_bin() {
    same("/bin/ls", &["-la", "/etc"]);
    same("/bin/ls", &["-la", "/usr/bin"]);
}

#[test]
fn text_tools() {
    same("/bin/cat", &["/etc/passwd"]);
    same("/usr/bin/head", &["-5", "/etc/services"]);
    same("/usr/bin/tail", &["-5", "/etc/services"]);
    same("/usr/bin/wc", &["/etc/services", "/etc/passwd"]);
    same("/usr/bin/sort", &["/etc/passwd"]);
    same("/usr/bin/uniq", &["-c", "/etc/services"]);
    same("/usr/bin/cut", &["-d:", "-f1,7", "/etc/passwd"]);
    assert_same(&host("/usr/bin/tr", &["a-z", "A-Z"]).stdin(&b"hello files\n"[..]));
    same("/bin/sed", &["-n", "s/^root:/ROOT:/p", "/etc/passwd"]);
    same("/usr/bin/sha256sum", &["/etc/services", "/bin/ls"]);
}

#[test]
fn tree_walkers() {
    same("/bin/grep", &["-r", "Debian", "/usr/share/doc/bash"]);
    same("/usr/bin/find", &["/usr/share", "-name", "*.gz"]);
    same("/usr/bin/du", &["-s", "/usr/share/doc"]);
}

#[test]
fn stat_df_readlink_realpath() {
    same("/usr/bin/stat", &["/etc/passwd", "/usr/bin", "/bin/sh"]);
    // Used and free space move while other tests write: the stable columns.
    same("/bin/df", &["--output=source,fstype,size,target", "/"]);
    same(
        "/usr/bin/stat",
        &["-f", "-c", "%n %i %l %t %T %s %S %b %c", "/"],
    );
    same("/bin/readlink", &["-f", "/bin/sh"]);
    same("/usr/bin/realpath", &["/usr/bin/../lib", "/bin"]);
}

#[test]
fn file_and_gzip() {
    same("/usr/bin/file", &["/bin/ls", "/etc/passwd"]);
    let (_, lx) = same("/bin/gzip", &["-c", "-n", "/etc/services"]);
    assert!(lx.stdout.len() > 100);
}

#[test]
fn ld_so_and_ldd_list_libraries() {
    // The addresses are randomized in both runs: compare without them.
    let strip = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| l.split(" (0x").next().unwrap_or(l).to_string())
            .collect::<Vec<_>>()
    };
    // ld.so itself, and ldd (a bash script that runs it: fork and exec).
    for c in [
        host("/lib64/ld-linux-x86-64.so.2", &["--list", "/bin/ls"]),
        host("/usr/bin/ldd", &["/bin/ls"]),
    ] {
        let native = c.run_native();
        let lx = c.run_lx();
        assert_eq!(lx.status.code(), native.status.code(), "{}", lx.dump());
        assert_eq!(strip(&lx.stdout), strip(&native.stdout), "{}", lx.dump());
        assert!(String::from_utf8_lossy(&lx.stdout).contains("libc.so.6"));
    }
}

fn script(name: &str, body: &str) -> PathBuf {
    let p = scratch(name);
    fs::write(&p, body).unwrap();
    p
}

#[test]
fn python_scripts() {
    let py = script(
        "t.py",
        r#"
import json, os, pathlib, sqlite3, tempfile
print(json.dumps({"a": [1, 2, {"b": None}]}, sort_keys=True))
n = sum(len(f) for _, _, f in os.walk("/usr/share/doc/bash"))
print("files", n)
print(sorted(p.name for p in pathlib.Path("/etc").glob("host*")))
db = sqlite3.connect(":memory:")
db.execute("create table t(x)")
db.executemany("insert into t values (?)", [(i,) for i in range(100)])
print(db.execute("select sum(x), count(*) from t").fetchall())
with tempfile.TemporaryDirectory() as d:
    p = pathlib.Path(d) / "f"
    p.write_text("hello")
    os.rename(p, pathlib.Path(d) / "g")
    print(sorted(os.listdir(d)), (pathlib.Path(d) / "g").read_text())
print(os.cpu_count() == len(os.sched_getaffinity(0)) or os.cpu_count())
"#,
    );
    same("/usr/bin/python3", &[py.to_str().unwrap()]);
    same("/usr/bin/python3", &["-c", "pass"]);
}

/// Extended attributes through paths (lx asks the host below a directory fd:
/// getxattrat/listxattrat, or /proc/self/fd paths on older hosts): set,
/// get, through a symlink and on the link itself, list, missing, remove,
/// on a file the guest wrote (overlay upper layer) and on host files; and
/// right after another look at the same path (lx keeps a lookup for the
/// next syscall), including a name that became a symlink in between.
const XATTR_PY: &str = r#"
import os, tempfile, errno
def tryx(f, *a, **k):
    try:
        r = f(*a, **k)
        return r if not isinstance(r, list) else sorted(x for x in r if x.startswith("user."))
    except OSError as e:
        return errno.errorcode[e.errno]
with tempfile.TemporaryDirectory() as d:
    f = os.path.join(d, "f"); l = os.path.join(d, "l")
    open(f, "w").write("x"); os.symlink("f", l)
    print("set", tryx(os.setxattr, f, "user.lx", b"v1"))
    print("get", tryx(os.getxattr, f, "user.lx"))
    print("get via link", tryx(os.getxattr, l, "user.lx"))
    print("get link itself", tryx(os.getxattr, l, "user.lx", follow_symlinks=False))
    print("list", tryx(os.listxattr, f))
    print("list link itself", tryx(os.listxattr, l, follow_symlinks=False))
    print("missing", tryx(os.getxattr, f, "user.none"))
    # A path looked up again by the next syscall (lx keeps the lookup for
    # it when the caller needs only where the file is): through a link,
    # the link itself, and a name that became a link in between.
    os.lstat(l); print("lstat, get via link", tryx(os.getxattr, l, "user.lx"))
    os.lstat(l); print("lstat, readlink", os.readlink(l))
    os.lstat(l); print("lstat, list link itself", tryx(os.listxattr, l, follow_symlinks=False))
    os.lstat(f); print("lstat, get", tryx(os.getxattr, f, "user.lx"))
    g = os.path.join(d, "g"); open(g, "w").write("y")
    os.lstat(g); os.unlink(g); os.symlink("f", g)
    print("became a link, get", tryx(os.getxattr, g, "user.lx"))
    h = os.path.join(d, "h"); open(h, "w").write("z"); k = os.path.join(d, "k"); os.symlink("f", k)
    os.lstat(h); os.rename(k, h); print("link renamed over it, get", tryx(os.getxattr, h, "user.lx"))
    print("remove", tryx(os.removexattr, f, "user.lx"), tryx(os.listxattr, f))
print("host file", tryx(os.getxattr, "/usr/bin/ls", "user.none"))
os.lstat("/bin"); print("host link, get", tryx(os.getxattr, "/bin", "user.none"))
print("host dir list", tryx(os.listxattr, "/usr/bin"))
"#;

#[test]
fn extended_attributes() {
    let py = script("xattr.py", XATTR_PY);
    let (_, lx) = same("/usr/bin/python3", &[py.to_str().unwrap()]);
    assert!(lx.stdout_str().contains("get b'v1'"), "{}", lx.dump());
    assert!(
        lx.stdout_str().contains("became a link, get b'v1'"),
        "{}",
        lx.dump()
    );
}

/// The same with `--rw`, where writes reach the host directly instead of a
/// per-run overlay.
#[test]
fn extended_attributes_written_through() {
    let py = script("xattr-rw.py", XATTR_PY);
    let native = run(Command::new("/usr/bin/python3").arg(&py), b"");
    let lx = lx_out(&["--rw"], "/usr/bin/python3", &[py.to_str().unwrap()]);
    assert_eq!(lx.stdout_str(), native.stdout_str(), "{}", lx.dump());
    assert!(
        lx.stdout_str().contains("link renamed over it, get b'v1'"),
        "{}",
        lx.dump()
    );
}

#[test]
fn perl_file_processing() {
    let pl = script(
        "t.pl",
        r#"
open(my $f, "<", "/etc/passwd") or die "open: $!";
my %shells;
while (<$f>) { chomp; my @x = split /:/; $shells{$x[6]}++; }
print "$_ $shells{$_}\n" for sort keys %shells;
opendir(my $d, "/etc") or die; my @e = sort grep { !/^\./ } readdir($d);
print scalar(@e), " entries, first $e[0]\n";
print -d "/usr" ? "dir\n" : "nodir\n";
"#,
    );
    same("/usr/bin/perl", &[pl.to_str().unwrap()]);
}

#[test]
fn proc_and_sys_parse_like_native() {
    same("/usr/bin/nproc", &[]);
    same("/usr/bin/getconf", &["_NPROCESSORS_ONLN"]);
    same(
        "/usr/bin/python3",
        &["-c", "import os; print(os.cpu_count())"],
    );
    // free(1) and uptime(1) read /proc/meminfo, /proc/uptime, /proc/loadavg:
    // the numbers move between two runs, the shape must not.
    let shape = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| {
                l.split_whitespace()
                    .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
    };
    for (prog, args) in [("/usr/bin/free", &["-b"][..]), ("/usr/bin/uptime", &[][..])] {
        let c = host(prog, args);
        let n = c.run_native();
        let l = c.run_lx();
        assert_eq!(l.status.code(), Some(0), "{}", l.dump());
        assert_eq!(shape(&l), shape(&n), "{}", l.dump());
    }
    // What ps reads: /proc/self/stat parses, with lx's pid and comm.
    let c = host(
        "/usr/bin/python3",
        &[
            "-c",
            "import os; f=open('/proc/self/stat').read(); pid=int(f.split()[0]); print(pid==os.getpid(), f.split()[1], f.rsplit(')',1)[1].split()[0] in 'RS')",
        ],
    );
    let (_, lx) = assert_same(&c);
    assert_eq!(lx.stdout_str(), "True (python3) True\n");
    let c = host("/bin/ps", &["-o", "comm=", "-p", "1"]);
    let l = c.run_lx();
    assert_eq!(
        l.shell_status(),
        1,
        "ps sees no pid 1 in lx's /proc: {}",
        l.dump()
    );
}

#[test]
fn proc_self_views() {
    let py = script(
        "proc.py",
        r#"
import os
print(os.readlink("/proc/self/exe"))
print(os.readlink("/proc/self/cwd"))
print(open("/proc/self/cmdline").read().split("\0")[1:])
maps = open("/proc/self/maps").read()
print("0x6f00" in maps.replace(" ", " 0x"), "libc.so.6" in maps)
print(sorted(int(n) for n in os.listdir("/proc/self/fd"))[:3])
print(open("/proc/sys/kernel/ostype").read().strip())
mounts = [l.split()[1] for l in open("/proc/self/mounts")]
print([m for m in ["/", "/proc", "/sys", "/dev", "/dev/shm"] if m in mounts])
print(open("/sys/kernel/debug/lx/syscalls").readline().split())
"#,
    );
    let c = host("/usr/bin/python3", &[py.to_str().unwrap()]).lx_opts(["-w", "/usr"]);
    let lx = c.run_lx();
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    let out = lx.stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("/usr/bin/python3"), "{out}");
    assert_eq!(lines[1], "/usr");
    assert!(lines[2].contains("proc.py"), "{out}");
    assert_eq!(
        lines[3], "False True",
        "lx's window must be hidden from maps: {out}"
    );
    assert_eq!(lines[4], "[0, 1, 2]");
    assert_eq!(lines[5], "Linux");
    assert_eq!(lines[6], "['/', '/proc', '/sys', '/dev', '/dev/shm']");
    assert_eq!(lines[7], "['nr', 'name', 'calls', 'errors', 'usecs']");
}

/// What ps, top and free-style tools read of a process's memory
/// (/proc/PID/status, stat, statm): the program's figures, as natively,
/// with lx's own mappings (its 64 GiB window, stub areas) left out and
/// the program's text for lx's runtime's.
#[test]
fn proc_memory_figures_like_native() {
    let py = script(
        "mem.py",
        r#"
st = dict(l.split(":", 1) for l in open("/proc/self/status"))
kb = lambda k: int(st[k].split()[0])
f = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
field = lambda n: int(f[n - 3])
m = [int(x) for x in open("/proc/self/statm").read().split()]
print(kb("VmExe"), kb("VmLib"), kb("VmStk"))
print(kb("VmSize"), field(23) // 1024, m[0] * 4, kb("VmData"))
print(field(26) < field(27), (field(27) - field(26)) // 1024 <= kb("VmExe") + 4, m[3] == kb("VmExe") // 4)
print(any(0x6F0000000000 <= int(x) < 0x700000000000 for x in f if x.isdigit()))
print(kb("VmRSS") <= kb("VmHWM"), kb("RssAnon") + kb("RssFile") + kb("RssShmem") == kb("VmRSS"))
"#,
    );
    let c = host("/usr/bin/python3", &[py.to_str().unwrap()]);
    let n = c.run_native();
    let l = c.run_lx();
    assert_eq!(l.status.code(), Some(0), "{}", l.dump());
    let (no, lo) = (n.stdout_str(), l.stdout_str());
    let (nl, ll): (Vec<&str>, Vec<&str>) = (no.lines().collect(), lo.lines().collect());
    assert_eq!(ll.len(), 5, "{lo}");
    // Text, libraries and stack exactly; the flags as natively.
    assert_eq!(ll[0], nl[0], "VmExe VmLib VmStk: lx {lo} native {no}");
    assert_eq!(ll[2..], nl[2..], "lx {lo} native {no}");
    assert_eq!(ll[2], "True True True");
    assert_eq!(ll[3], "False", "an lx address in /proc/self/stat: {lo}");
    // Sizes within 10% of native's (VmSize, stat's vsize and statm's size
    // agree; VmData).
    let nums = |s: &str| -> Vec<u64> { s.split(' ').map(|x| x.parse().unwrap()).collect() };
    let (nv, lv) = (nums(nl[1]), nums(ll[1]));
    assert!(lv[0] == lv[1] && lv[0] == lv[2], "{lo}");
    for i in [0, 3] {
        let (a, b) = (lv[i] as f64, nv[i] as f64);
        assert!((a - b).abs() <= b * 0.1, "lx {lo} native {no}");
    }
    // A shell's mappings after its vfork children ran: no MADV_DONTFORK
    // flag (`dc`) it did not ask for (lx's helper leaves the advice).
    let (_, lx) = assert_same(&host(
        "/bin/sh",
        &["-c", "/bin/true; /bin/true; grep -c ' dc' /proc/$$/smaps"],
    ));
    assert_eq!(lx.stdout_str(), "0\n");
}

/// proctask.c: /proc/PID/task lists every thread of a threaded process
/// (it listed only the reading thread, and another process's task
/// directory did not exist), with per-thread stat and comm, as natively.
#[test]
fn proc_task_lists_every_thread() {
    let (_, lx) = assert_same(&Case::new(fixture(Fx::ProcTask)));
    assert_eq!(
        lx.stdout_str(),
        "threads listed 4, each stat names its tid and has comm: 1\n4\n"
    );
}

// ---------------------------------------------------------------------------
// Writes stay in the overlay

/// A digest of host state the write test touches.
fn host_state() -> String {
    let mut s = String::new();
    for p in [
        "/etc/hostname",
        "/etc/hosts",
        "/usr/share/doc/bash/copyright",
    ] {
        s += &format!("{p}: {:?}\n", fs::read(p).ok().map(|b| b.len()));
    }
    for d in ["/etc", "/usr", "/tmp"] {
        let mut names: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("lx-w-"))
            .collect();
        names.sort();
        s += &format!("{d}: {names:?}\n");
    }
    s
}

const WRITER: &str = r#"
import os, sys
tag = sys.argv[1]
for d in ["/etc", "/usr", "/tmp"]:
    with open(f"{d}/lx-w-{tag}", "w") as f:
        f.write(d)
os.rename("/etc/hosts", f"/etc/lx-w-{tag}-hosts")
os.unlink("/etc/hostname")
os.mkdir(f"/usr/lx-w-{tag}-dir")
os.rename(f"/tmp/lx-w-{tag}", f"/usr/lx-w-{tag}-dir/moved")
with open("/usr/share/doc/bash/copyright", "a") as f:
    f.write("appended\n")
print(sorted(n for n in os.listdir("/etc") if n.startswith("lx-w-")))
print(os.path.exists("/etc/hosts"), os.path.exists("/etc/hostname"))
print(sorted(os.listdir(f"/usr/lx-w-{tag}-dir")))
print(open("/usr/share/doc/bash/copyright").read().endswith("appended\n"))
"#;

const READER: &str = r#"
import os, sys
tag = sys.argv[1]
print(sorted(n for n in os.listdir("/etc") if n.startswith("lx-w-")))
print(os.path.exists("/etc/hosts"), os.path.exists("/etc/hostname"))
print(open(f"/usr/lx-w-{tag}-dir/moved").read())
print(open("/usr/share/doc/bash/copyright").read().endswith("appended\n"))
"#;

fn tag() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        scratch("t").file_name().unwrap().to_string_lossy().len()
    )
}

fn lx_out(opts: &[&str], prog: &str, args: &[&str]) -> Output {
    let mut c = Command::new(lx_bin());
    c.arg("run").arg("--quiet").args(opts).arg(prog).args(args);
    run(&mut c, b"")
}

#[test]
fn writes_never_reach_the_host() {
    let before = host_state();
    let t = tag();
    let w = script("writer.py", WRITER);
    let lx = lx_out(&[], "/usr/bin/python3", &[w.to_str().unwrap(), &t]);
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert_eq!(
        lx.stdout_str(),
        format!("['lx-w-{t}', 'lx-w-{t}-hosts']\nFalse False\n['moved']\nTrue\n"),
        "{}",
        lx.dump()
    );
    assert_eq!(host_state(), before, "the host tree changed");
    // A new run starts from the host tree again.
    let r = script("reader.py", READER);
    let again = lx_out(&[], "/usr/bin/python3", &[r.to_str().unwrap(), &t]);
    assert_ne!(again.status.code(), Some(0), "{}", again.dump());
}

/// A directory of the lower layer only is listed by the host itself (as
/// overlayfs iterates one): an open directory read, then a file created in
/// it and one of its files deleted through the overlay, then the same fd
/// rewound: the listing is the merged one (the new name in, the deleted
/// one out); the host tree is untouched.
#[test]
fn overlay_listing_follows_changes_after_a_rewind() {
    let before = host_state();
    let names = || {
        let mut v: Vec<String> = fs::read_dir("/usr/share/doc/bash")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let host_names = names();
    let py = script(
        "relist.py",
        r#"
import os
d = "/usr/share/doc/bash"
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
first = sorted(os.listdir(fd))
open(os.path.join(d, "lx-new"), "w").close()
os.unlink(os.path.join(d, first[0]))
again = sorted(os.listdir(fd))
print("new listed:", "lx-new" in again)
print("deleted gone:", first[0] not in again)
print("same count:", len(again) == len(first))
print("listing:", again == sorted(os.listdir(d)))
"#,
    );
    let lx = lx_out(&[], "/usr/bin/python3", &[py.to_str().unwrap()]);
    assert_eq!(
        lx.stdout_str(),
        "new listed: True\ndeleted gone: True\nsame count: True\nlisting: True\n",
        "{}",
        lx.dump()
    );
    assert_eq!(host_state(), before, "the host tree changed");
    assert_eq!(names(), host_names, "the host directory changed");
}

/// dirs.c: directory offsets (telldir/seekdir after rewinddir, a d_off
/// used on another fd), fstat and listing of a directory fd after another
/// process changed the directory, readlink through /proc/self/fd/N after
/// another thread re-pointed fd N: the same as natively (a review of the
/// kept lookups and of the host-listed overlay directories found each of
/// them wrong once).
#[test]
fn directory_streams_and_kept_lookups_as_natively() {
    let fx = fixture(Fx::Dirs);
    let fresh = |name: &str| {
        let d = scratch(name);
        fs::create_dir_all(d.join("D")).unwrap();
        fs::set_permissions(
            d.join("D"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        d
    };
    let native_dir = fresh("dirs-native");
    let native = run(Command::new(&fx).arg(&native_dir), b"");
    let lx_dir = fresh("dirs-lx");
    let lx = lx_out(&[], fx.to_str().unwrap(), &[lx_dir.to_str().unwrap()]);
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert_eq!(lx.stdout_str(), native.stdout_str(), "{}", lx.dump());
    assert!(
        lx.stdout_str()
            .contains("fstat after another process changed it: mode 755 -> 700")
            && lx
                .stdout_str()
                .contains("after another thread's dup2: in-Y"),
        "{}",
        lx.dump()
    );
}

#[test]
fn overlay_dir_keeps_writes_for_the_next_run() {
    let before = host_state();
    let t = tag() + "o";
    let ovl = scratch("overlay");
    let o = ovl.to_str().unwrap();
    let w = script("writer.py", WRITER);
    let lx = lx_out(
        &["--overlay", o],
        "/usr/bin/python3",
        &[w.to_str().unwrap(), &t],
    );
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    let r = script("reader.py", READER);
    let next = lx_out(
        &["--overlay", o],
        "/usr/bin/python3",
        &[r.to_str().unwrap(), &t],
    );
    assert_eq!(
        next.stdout_str(),
        format!("['lx-w-{t}', 'lx-w-{t}-hosts']\nFalse False\n/tmp\nTrue\n"),
        "{}",
        next.dump()
    );
    assert_eq!(host_state(), before, "the host tree changed");
    // Plain `ls` sees the merged tree too.
    let ls = lx_out(&["--overlay", o], "/bin/ls", &["/usr"]);
    assert!(
        ls.stdout_str().contains(&format!("lx-w-{t}-dir")),
        "{}",
        ls.dump()
    );
}

/// A tiny root filesystem holding static programs.
fn mini_root(name: &str) -> PathBuf {
    let base = scratch(name);
    let root = base.join("root");
    for d in ["bin", "deep/inner", "sub", "tmp", "etc"] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    fs::copy(busybox(), root.join("bin/busybox")).unwrap();
    fs::copy(fixture(Fx::Escape), root.join("bin/escape")).unwrap();
    fs::copy(fixture(Fx::HelloMusl), root.join("bin/hello")).unwrap();
    fs::write(root.join("etc/motd"), "inside\n").unwrap();
    fs::write(base.join("canary"), "CANARY-SECRET").unwrap();
    symlink("/", root.join("lnroot")).unwrap();
    symlink("../../..", root.join("up")).unwrap();
    symlink("/../canary", root.join("abs")).unwrap();
    symlink("../../../canary", root.join("deep/x")).unwrap();
    symlink("/nowhere", root.join("dangling")).unwrap();
    fs::write(root.join("notexec"), "#!/bin/busybox sh\n").unwrap();
    fs::write(root.join("bin/noint"), b"\x7fELF").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(root.join("bin/noint"), fs::Permissions::from_mode(0o755)).unwrap();
    root
}

#[test]
fn rw_writes_through_and_rootfs_is_the_root() {
    let root = mini_root("rw");
    let r = root.to_str().unwrap();
    let lx = lx_out(&["-r", r, "--rw"], "/bin/busybox", &["touch", "/created"]);
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert!(root.join("created").exists(), "--rw must write through");
    let lx = lx_out(&["-r", r], "/bin/busybox", &["rm", "/etc/motd"]);
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert!(
        root.join("etc/motd").exists(),
        "without --rw the rootfs is untouched"
    );
    let lx = lx_out(&["-r", r], "/bin/busybox", &["cat", "/etc/motd"]);
    assert_eq!(lx.stdout, b"inside\n");
    let lx = lx_out(&["-r", r], "/bin/busybox", &["ls", "/"]);
    assert!(lx.stdout_str().contains("deep"), "{}", lx.dump());
    assert!(!lx.stdout_str().contains("canary"));
    // Bind mounts: a host directory at a guest path, read-only with :ro.
    let data = scratch("bind");
    fs::create_dir_all(&data).unwrap();
    fs::write(data.join("f"), "bound\n").unwrap();
    let b = format!("{}:/sub:ro", data.display());
    let lx = lx_out(&["-r", r, "-b", &b], "/bin/busybox", &["cat", "/sub/f"]);
    assert_eq!(lx.stdout, b"bound\n", "{}", lx.dump());
    let lx = lx_out(&["-r", r, "-b", &b], "/bin/busybox", &["touch", "/sub/g"]);
    assert_ne!(lx.status.code(), Some(0));
    assert!(!data.join("g").exists());
    let lx = lx_out(&["-r", r, "-w", "/deep"], "/bin/busybox", &["pwd"]);
    assert_eq!(lx.stdout, b"/deep\n", "{}", lx.dump());
}

#[test]
fn escape_suite() {
    let root = mini_root("escape");
    let base = root.parent().unwrap().to_path_buf();
    let outside = base.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("victim"), "host file").unwrap();
    let r = root.to_str().unwrap();
    let lx = lx_out(
        &["-r", r, "--rw", "-0"],
        "/bin/escape",
        &[outside.to_str().unwrap()],
    );
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    let out = lx.stdout_str();
    assert!(!out.contains("LEAK"), "an escape worked:\n{out}");
    assert!(!out.contains("WRONG"), "a guard failed:\n{out}");
    let mut left: Vec<String> = fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["victim"],
        "the guest reached a host directory:\n{out}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(outside.join("victim"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "chmod reached the host:\n{out}");
    let n: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("cases: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(n >= 30, "only {n} cases ran:\n{out}");
    assert!(out.contains("cwd-after: /"), "{out}");
    // Nothing changed or appeared outside the root.
    assert_eq!(fs::read(base.join("canary")).unwrap(), b"CANARY-SECRET");
    let mut outside: Vec<String> = fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outside.sort();
    assert_eq!(
        outside,
        ["canary", "outside", "root"],
        "files appeared outside the root:\n{out}"
    );
    // Command-line paths go through the same resolver.
    for p in [
        "/../canary",
        "/up/canary",
        "/abs",
        "/deep/x",
        "/proc/self/root/../canary",
    ] {
        let lx = lx_out(&["-r", r], "/bin/busybox", &["cat", p]);
        assert!(!lx.stdout_str().contains("CANARY"), "{p}: {}", lx.dump());
    }
}

#[test]
fn bad_input_in_a_rootfs() {
    let root = mini_root("bad");
    let r = root.to_str().unwrap();
    let missing_root = scratch("no-such-root");
    let lx = lx_out(&["-r", missing_root.to_str().unwrap()], "/bin/hello", &[]);
    assert_eq!(lx.status.code(), Some(125), "{}", lx.dump());
    assert_eq!(
        lx.stderr_str(),
        format!(
            "lx: {}: No such file or directory (os error 2)\n",
            missing_root.display()
        )
    );
    let cases: [(&str, i32, &str); 5] = [
        (
            "/bin/nothere",
            127,
            "lx: /bin/nothere: No such file or directory\n",
        ),
        (
            "/dangling",
            127,
            "lx: /dangling: No such file or directory\n",
        ),
        ("/etc/motd", 126, "lx: /etc/motd: Permission denied\n"),
        ("/deep", 126, "lx: /deep: Is a directory\n"),
        (
            "/bin/noint",
            126,
            "lx: /bin/noint: cannot execute: truncated ELF file\n",
        ),
    ];
    for (prog, code, msg) in cases {
        let lx = lx_out(&["-r", r], prog, &[]);
        assert_eq!(lx.status.code(), Some(code), "{prog}: {}", lx.dump());
        assert_eq!(lx.stderr_str(), msg, "{prog}");
    }
    // A dynamic program whose interpreter is missing from the rootfs.
    fs::copy("/bin/ls", root.join("bin/ls")).unwrap();
    let lx = lx_out(&["-r", r], "/bin/ls", &[]);
    assert_eq!(lx.status.code(), Some(127), "{}", lx.dump());
    assert_eq!(
        lx.stderr_str(),
        "lx: /bin/ls: cannot execute: required file not found\n"
    );
    // Nothing in the rootfs changed.
    assert!(!root.join("created").exists());
    assert!(Path::new(&root.join("etc/motd")).exists());
}

/// `lx run` as a non-root host user (root drops to nobody with setpriv).
fn lx_unprivileged(opts: &[&str], prog: &str, args: &[&str]) -> Output {
    // SAFETY: geteuid has no preconditions.
    let mut c = if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(lx_bin());
        c
    } else {
        Command::new(lx_bin())
    };
    c.arg("run").arg("--quiet").args(opts).arg(prog).args(args);
    c.current_dir("/");
    run(&mut c, b"")
}

#[test]
fn dash_0_remembers_ownership_like_fakeroot() {
    let ovl = scratch("fakeroot-overlay");
    fs::create_dir_all(&ovl).unwrap();
    // nobody must be able to write the overlay directory.
    Command::new("chmod")
        .arg("0777")
        .arg(&ovl)
        .status()
        .unwrap();
    let o = ovl.to_str().unwrap();
    let py = script(
        "own.py",
        r#"
import os
open("/tmp/lx-own", "w").write("x")
print(os.getuid(), os.stat("/tmp/lx-own").st_uid)
os.chown("/tmp/lx-own", 123, 456)
os.chown("/etc/hostname", 7, 8)
fd = os.open("/tmp/lx-own", os.O_RDONLY)
print(os.stat("/tmp/lx-own").st_uid, os.stat("/tmp/lx-own").st_gid, os.fstat(fd).st_uid)
print(os.stat("/etc/hostname").st_uid, os.stat("/etc/hostname").st_gid)
"#,
    );
    Command::new("chmod").arg("0644").arg(&py).status().unwrap();
    let lx = lx_unprivileged(
        &["-0", "--overlay", o],
        "/usr/bin/python3",
        &[py.to_str().unwrap()],
    );
    assert_eq!(lx.status.code(), Some(0), "{}", lx.dump());
    assert_eq!(lx.stdout_str(), "0 0\n123 456 123\n7 8\n");
    // Kept with the overlay, for the next run; the host file is untouched.
    let ls = lx_unprivileged(
        &["-0", "--overlay", o],
        "/bin/ls",
        &["-n", "/tmp/lx-own", "/etc/hostname"],
    );
    let owners: Vec<(String, String)> = ls
        .stdout_str()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[2].to_string(), f[3].to_string())
        })
        .collect();
    assert_eq!(
        owners,
        [("7".into(), "8".into()), ("123".into(), "456".into())],
        "{}",
        ls.dump()
    );
    use std::os::unix::fs::MetadataExt;
    let host = fs::metadata("/etc/hostname").unwrap();
    assert_ne!((host.uid(), host.gid()), (7, 8));
}

/// touch/cp/mv/rm/mkdir/ln, tar c and x, gzip and gzip -d in /tmp: each step is
/// one program. Under lx the steps share an `--overlay`; natively they run
/// afterwards in the same (then fresh) directory; each step's output and
/// status, and the final tree, must match. The host never sees lx's steps.
#[test]
fn coreutils_writes_in_tmp() {
    let dir = format!("/tmp/lx-cw-{}-{}", std::process::id(), tag());
    let d = |s: &str| format!("{dir}/{s}");
    let steps: Vec<(&str, Vec<String>)> = vec![
        ("/bin/mkdir", vec![dir.clone()]),
        ("/bin/mkdir", vec!["-p".into(), d("src/sub")]),
        ("/usr/bin/touch", vec![d("src/empty")]),
        ("/bin/cp", vec!["/etc/services".into(), d("src/services")]),
        (
            "/bin/cp",
            vec![
                "-r".into(),
                "/usr/share/doc/bash".into(),
                d("src/sub/bashdoc"),
            ],
        ),
        ("/bin/mv", vec![d("src/services"), d("src/sub/svc")]),
        (
            "/bin/ln",
            vec!["-s".into(), "sub/svc".into(), d("src/link")],
        ),
        ("/bin/ln", vec![d("src/sub/svc"), d("src/hard")]),
        ("/bin/rm", vec![d("src/empty")]),
        (
            "/bin/tar",
            vec!["cf".into(), d("a.tar"), "-C".into(), d("src"), ".".into()],
        ),
        ("/bin/mkdir", vec![d("out")]),
        (
            "/bin/tar",
            vec!["xf".into(), d("a.tar"), "-C".into(), d("out")],
        ),
        ("/bin/gzip", vec!["-n".into(), d("out/sub/svc")]),
        ("/bin/gzip", vec!["-d".into(), d("out/sub/svc.gz")]),
        ("/bin/rm", vec!["-r".into(), d("out/sub/bashdoc")]),
        (
            "/usr/bin/find",
            vec![dir.clone(), "-printf".into(), "%P %y %s %n %m\\n".into()],
        ),
        (
            "/usr/bin/sha256sum",
            vec![d("out/sub/svc"), d("out/link"), d("src/hard")],
        ),
        (
            "/usr/bin/cmp",
            vec![d("out/sub/svc"), "/etc/services".into()],
        ),
    ];
    let ovl = scratch("cw-overlay");
    let o = ovl.to_str().unwrap().to_string();
    let mut lx_outs = Vec::new();
    for (prog, args) in &steps {
        let c = Case::new(*prog)
            .args(args.iter().map(String::as_str))
            .lx_opts(["--quiet", "--overlay", o.as_str()]);
        lx_outs.push(c.run_lx());
    }
    assert!(
        !Path::new(&dir).exists(),
        "lx's writes reached the host: {dir}"
    );
    for ((prog, args), lx) in steps.iter().zip(&lx_outs) {
        let c = Case::new(*prog).args(args.iter().map(String::as_str));
        let native = c.run_native();
        compare(&native, lx);
    }
    let _ = fs::remove_dir_all(&dir);
}
