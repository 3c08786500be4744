//! lx's own filesystems: procfs (the guest's view of its processes), sysfs
//! and devfs (what libc, Python, Go and Rust read), and debugfs at
//! /sys/kernel/debug/lx (live syscall statistics of the whole run).
//!
//! Files are generated when opened (the guest reads a snapshot, as from a
//! seq_file) and handed out as memfds. Machine-wide facts (cpuinfo,
//! meminfo, /proc/sys, the CPU and NUMA parts of /sys) are the host's, read
//! through; everything about processes, mounts and identity is lx's.

use super::MountKind;
use super::path::visible;
use super::procmem;
use crate::host::Host;
use crate::hostfs;
use crate::kernel::Kernel;
use crate::layout::{LX_BASE, LX_END};
use crate::proc::uname::{RELEASE, VERSION};
use alloc::format;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::{DT_CHR, DT_DIR, DT_LNK, DT_REG, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, Stat};

/// What a magic link (/proc/PID/exe, cwd, root, fd/N) leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Magic {
    /// A canonical path.
    Path(Vec<u8>),
    /// A guest fd with no path (pipe, socket, inherited terminal): opening
    /// the link reopens the file.
    Fd(i32),
}

/// A node of one of lx's filesystems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VNode {
    Dir,
    /// A generated file (see [`content`]); `mode` is its permission bits.
    File {
        mode: u32,
    },
    Symlink(Vec<u8>),
    Magic {
        text: Vec<u8>,
        to: Magic,
    },
    /// A host character device lx opens for the guest.
    Device {
        host: &'static [u8],
        rdev: u64,
    },
    /// A host file or directory shown read-only (machine facts).
    Pass {
        host: Vec<u8>,
        st: Stat,
    },
}

impl VNode {
    pub fn dtype(&self) -> u8 {
        match self {
            VNode::Dir => DT_DIR,
            VNode::File { .. } => DT_REG,
            VNode::Symlink(_) | VNode::Magic { .. } => DT_LNK,
            VNode::Device { .. } => DT_CHR,
            VNode::Pass { st, .. } => ((st.st_mode >> 12) & 0xf) as u8,
        }
    }
    pub fn is_dir(&self) -> bool {
        self.dtype() == DT_DIR
    }
}

const DEVICES: &[(&[u8], &[u8], u64)] = &[
    (b"null", b"/dev/null", (1 << 8) | 3),
    (b"zero", b"/dev/zero", (1 << 8) | 5),
    (b"full", b"/dev/full", (1 << 8) | 7),
    (b"random", b"/dev/random", (1 << 8) | 8),
    (b"urandom", b"/dev/urandom", (1 << 8) | 9),
    (b"tty", b"/dev/tty", (5 << 8)),
];

const DEV_LINKS: &[(&[u8], &[u8])] = &[
    (b"stdin", b"/proc/self/fd/0"),
    (b"stdout", b"/proc/self/fd/1"),
    (b"stderr", b"/proc/self/fd/2"),
    (b"fd", b"/proc/self/fd"),
    (b"ptmx", b"pts/ptmx"),
];

const DEV_DIRS: &[&[u8]] = &[b"shm", b"pts", b"mqueue"];

const PROC_FILES: &[&[u8]] = &[
    b"cpuinfo",
    b"meminfo",
    b"stat",
    b"uptime",
    b"loadavg",
    b"version",
    b"filesystems",
    b"cmdline",
    b"swaps",
];

const PID_FILES: &[&[u8]] = &[
    b"stat",
    b"status",
    b"statm",
    b"cmdline",
    b"environ",
    b"maps",
    b"smaps",
    b"mounts",
    b"mountinfo",
    b"limits",
    b"auxv",
    b"comm",
    b"cgroup",
    b"oom_score_adj",
    b"loginuid",
];

/// /proc/sys entries that describe lx's kernel, not the host's.
const LX_SYSCTLS: &[&[u8]] = &[
    b"kernel/osrelease",
    b"kernel/version",
    b"kernel/hostname",
    b"kernel/ostype",
    b"kernel/random/uuid",
];

/// What lx shows of another process of the run.
const OTHER_PID_FILES: &[&[u8]] = &[
    b"stat",
    b"status",
    b"statm",
    b"cmdline",
    b"comm",
    b"environ",
    b"maps",
    b"smaps",
    b"limits",
    b"cgroup",
    b"oom_score_adj",
    b"loginuid",
];

const PID_DIRS: &[&[u8]] = &[b"fd", b"fdinfo", b"task", b"net"];
const PID_MAGIC: &[&[u8]] = &[b"exe", b"cwd", b"root"];

/// Host trees shown read-only inside lx's sysfs.
const SYS_PASS: &[&[u8]] = &[
    b"devices/system/cpu",
    b"devices/system/node",
    b"kernel/mm/transparent_hugepage",
    b"fs/cgroup",
];
/// Directories leading to them (and to debugfs).
const SYS_DIRS: &[&[u8]] = &[
    b"",
    b"devices",
    b"devices/system",
    b"kernel",
    b"kernel/mm",
    b"kernel/debug",
    b"fs",
    b"class",
    b"bus",
];

fn parse_num(s: &[u8]) -> Option<i32> {
    if s.is_empty() || s.len() > 9 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0i32, |v, &c| {
        v.checked_mul(10)?.checked_add(i32::from(c - b'0'))
    })
}

fn pass(h: &dyn Host, host: Vec<u8>) -> Result<Option<VNode>, Errno> {
    match hostfs::lstat_at(h, -100, &host) {
        Ok(st) => Ok(Some(VNode::Pass { host, st })),
        Err(Errno::ENOENT | Errno::ENOTDIR | Errno::EACCES) => Ok(None),
        Err(e) => Err(e),
    }
}

fn host_path(prefix: &[u8], rel: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    if !rel.is_empty() {
        v.push(b'/');
        v.extend_from_slice(rel);
    }
    v
}

/// Look `rel` up in lx filesystem `kind`.
pub fn lookup(
    k: &Kernel,
    h: &dyn Host,
    kind: &MountKind,
    rel: &[u8],
) -> Result<Option<VNode>, Errno> {
    match kind {
        MountKind::Proc => proc_lookup(k, h, rel),
        MountKind::Dev => Ok(dev_lookup(rel)),
        MountKind::Sys => {
            if SYS_DIRS.contains(&rel) {
                return Ok(Some(VNode::Dir));
            }
            for p in SYS_PASS {
                if super::path::strip_prefix(rel, p).is_some() || rel == *p {
                    return pass(h, host_path(b"/sys", rel));
                }
            }
            Ok(None)
        }
        MountKind::Debug => Ok(match rel {
            b"" | b"lx" => Some(VNode::Dir),
            b"lx/syscalls" => Some(VNode::File { mode: 0o444 }),
            _ => None,
        }),
        MountKind::Host { .. } => Err(Errno::EINVAL),
    }
}

fn dev_lookup(rel: &[u8]) -> Option<VNode> {
    if rel.is_empty() || DEV_DIRS.contains(&rel) {
        return Some(VNode::Dir);
    }
    if let Some(&(_, host, rdev)) = DEVICES.iter().find(|d| d.0 == rel) {
        return Some(VNode::Device { host, rdev });
    }
    DEV_LINKS
        .iter()
        .find(|d| d.0 == rel)
        .map(|d| VNode::Symlink(d.1.to_vec()))
}

fn is_own_pid(k: &Kernel, s: &[u8]) -> bool {
    parse_num(s) == Some(k.id.pid)
}

fn proc_lookup(k: &Kernel, h: &dyn Host, rel: &[u8]) -> Result<Option<VNode>, Errno> {
    let mut parts = rel.splitn(2, |&b| b == b'/');
    let first = parts.next().unwrap_or(b"");
    let rest = parts.next();
    if rel.is_empty() {
        return Ok(Some(VNode::Dir));
    }
    match (first, rest) {
        (b"self", None) => return Ok(Some(VNode::Symlink(format!("{}", k.id.pid).into_bytes()))),
        (b"thread-self", None) => {
            return Ok(Some(VNode::Symlink(
                format!("{}/task/{}", k.id.pid, k.id.tid).into_bytes(),
            )));
        }
        (b"mounts", None) => return Ok(Some(VNode::Symlink(b"self/mounts".to_vec()))),
        (b"sys", Some(r)) if LX_SYSCTLS.contains(&r) => {
            return Ok(Some(VNode::File { mode: 0o444 }));
        }
        (b"sys", _) => return pass(h, host_path(b"/proc/sys", rest.unwrap_or(b""))),
        (f, None) if PROC_FILES.contains(&f) => return Ok(Some(VNode::File { mode: 0o444 })),
        _ => {}
    }
    if !is_own_pid(k, first) {
        let Some(pid) = parse_num(first) else {
            return Ok(None);
        };
        if !other_pids(k, h).contains(&pid) {
            return Ok(None);
        }
        let mut rest = rest.unwrap_or(b"");
        if rest == b"task" {
            return Ok(Some(VNode::Dir));
        }
        if let Some(t) = rest.strip_prefix(b"task/") {
            let mut p = t.splitn(2, |&b| b == b'/');
            let tid = parse_num(p.next().unwrap_or(b""));
            let dir = format!("/proc/{pid}");
            if !tid.is_some_and(|t| task_tids(h, dir.as_bytes()).contains(&t)) {
                return Ok(None);
            }
            rest = p.next().unwrap_or(b"");
        }
        return Ok(match rest {
            b"" => Some(VNode::Dir),
            f if OTHER_PID_FILES.contains(&f) => Some(VNode::File { mode: 0o444 }),
            _ => None,
        });
    }
    pid_lookup(k, h, rest.unwrap_or(b""))
}

fn pid_lookup(k: &Kernel, h: &dyn Host, rel: &[u8]) -> Result<Option<VNode>, Errno> {
    if rel.is_empty() {
        return Ok(Some(VNode::Dir));
    }
    let mut parts = rel.splitn(2, |&b| b == b'/');
    let first = parts.next().unwrap_or(b"");
    let rest = parts.next();
    Ok(match (first, rest) {
        (f, None) if PID_FILES.contains(&f) => Some(VNode::File { mode: 0o444 }),
        (f, None) if PID_DIRS.contains(&f) => Some(VNode::Dir),
        (b"exe", None) => Some(magic_path(k, k.exe.clone())),
        (b"cwd", None) => Some(magic_path(k, k.cwd.clone())),
        (b"root", None) => Some(magic_path(k, k.root.clone())),
        (b"fd", Some(n)) => {
            let Some(fd) = parse_num(n) else {
                return Ok(None);
            };
            let Ok(e) = k.fds.get(fd) else {
                return Ok(None);
            };
            Some(match &e.file.path {
                Some(p) => magic_path(k, p.clone()),
                None => VNode::Magic {
                    text: e.file.describe.clone(),
                    to: Magic::Fd(fd),
                },
            })
        }
        (b"fdinfo", Some(n)) => parse_num(n)
            .filter(|fd| k.fds.get(*fd).is_ok())
            .map(|_| VNode::File { mode: 0o444 }),
        (b"task", Some(t)) => {
            let mut p = t.splitn(2, |&b| b == b'/');
            let tid = parse_num(p.next().unwrap_or(b""));
            let known = tid == Some(k.id.tid)
                || tid.is_some_and(|t| task_tids(h, b"/proc/self").contains(&t));
            if !known {
                return Ok(None);
            }
            return pid_lookup(k, h, p.next().unwrap_or(b""));
        }
        _ => None,
    })
}

fn magic_path(k: &Kernel, p: Vec<u8>) -> VNode {
    VNode::Magic {
        text: visible(&p, &k.root),
        to: Magic::Path(p),
    }
}

/// The entries of directory `rel` of lx filesystem `kind`.
pub fn list(
    k: &Kernel,
    h: &dyn Host,
    kind: &MountKind,
    rel: &[u8],
) -> Result<Vec<(Vec<u8>, u8)>, Errno> {
    let mut out: Vec<(Vec<u8>, u8)> = Vec::new();
    let mut add = |n: &[u8], t: u8| out.push((n.to_vec(), t));
    match kind {
        MountKind::Dev => {
            if rel.is_empty() {
                for d in DEVICES {
                    add(d.0, DT_CHR);
                }
                for l in DEV_LINKS {
                    add(l.0, DT_LNK);
                }
                for d in DEV_DIRS {
                    add(d, DT_DIR);
                }
            }
        }
        MountKind::Debug => match rel {
            b"" => add(b"lx", DT_DIR),
            b"lx" => add(b"syscalls", DT_REG),
            _ => {}
        },
        MountKind::Sys => {
            if let Ok(Some(VNode::Pass { host, .. })) = lookup(k, h, kind, rel) {
                return pass_list(h, &host);
            }
            let prefix_len = if rel.is_empty() { 0 } else { rel.len() + 1 };
            for d in SYS_DIRS.iter().chain(SYS_PASS) {
                if d.len() > prefix_len
                    && (rel.is_empty() || d.starts_with(rel) && d[rel.len()] == b'/')
                    && !d[prefix_len..].contains(&b'/')
                {
                    add(&d[prefix_len..], DT_DIR);
                }
            }
        }
        MountKind::Proc => {
            if rel.is_empty() {
                let mut pids = other_pids(k, h);
                pids.push(k.id.pid);
                pids.sort_unstable();
                for p in pids {
                    add(format!("{p}").as_bytes(), DT_DIR);
                }
                add(b"self", DT_LNK);
                add(b"thread-self", DT_LNK);
                add(b"mounts", DT_LNK);
                add(b"sys", DT_DIR);
                for f in PROC_FILES {
                    add(f, DT_REG);
                }
            } else if let Some(rest) = rel.strip_prefix(b"sys") {
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                return pass_list(h, &host_path(b"/proc/sys", rest));
            } else {
                let mut parts = rel.splitn(2, |&b| b == b'/');
                let pid = parts.next().and_then(parse_num);
                let mut sub = parts.next().unwrap_or(b"");
                if pid != Some(k.id.pid) {
                    let Some(pid) = pid else {
                        return Ok(out);
                    };
                    if sub == b"task" {
                        for t in task_tids(h, format!("/proc/{pid}").as_bytes()) {
                            add(format!("{t}").as_bytes(), DT_DIR);
                        }
                        return Ok(out);
                    }
                    let in_task = sub.starts_with(b"task/");
                    if sub.is_empty() || in_task {
                        for f in OTHER_PID_FILES {
                            add(f, DT_REG);
                        }
                        if !in_task {
                            add(b"task", DT_DIR);
                        }
                    }
                    return Ok(out);
                }
                if let Some(t) = sub.strip_prefix(b"task/") {
                    let mut p = t.splitn(2, |&b| b == b'/');
                    let _ = p.next();
                    sub = p.next().unwrap_or(b"");
                }
                match sub {
                    b"" => {
                        for f in PID_FILES {
                            add(f, DT_REG);
                        }
                        for d in PID_DIRS {
                            add(d, DT_DIR);
                        }
                        for m in PID_MAGIC {
                            add(m, DT_LNK);
                        }
                    }
                    b"fd" | b"fdinfo" => {
                        let t = if sub == b"fd" { DT_LNK } else { DT_REG };
                        for fd in k.fds.numbers() {
                            add(format!("{fd}").as_bytes(), t);
                        }
                    }
                    b"task" => {
                        let mut tids = task_tids(h, b"/proc/self");
                        if !tids.contains(&k.id.tid) {
                            tids.push(k.id.tid);
                            tids.sort_unstable();
                        }
                        for t in tids {
                            add(format!("{t}").as_bytes(), DT_DIR);
                        }
                    }
                    _ => {}
                }
            }
        }
        MountKind::Host { .. } => return Err(Errno::EINVAL),
    }
    Ok(out)
}

fn pass_list(h: &dyn Host, host: &[u8]) -> Result<Vec<(Vec<u8>, u8)>, Errno> {
    let fd = hostfs::open_abs(h, host, 0o200000)?;
    let r = hostfs::read_dir(h, fd);
    let _ = h.close(fd);
    Ok(r?.into_iter().map(|(n, t, _)| (n, t)).collect())
}

/// A stable inode number for a node of an lx filesystem.
pub fn ino(kind: &MountKind, rel: &[u8]) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325
        ^ match kind {
            MountKind::Proc => 1,
            MountKind::Sys => 2,
            MountKind::Dev => 3,
            MountKind::Debug => 4,
            MountKind::Host { .. } => 5,
        };
    for &b in rel {
        x ^= u64::from(b);
        x = x.wrapping_mul(0x0100_0000_01b3);
    }
    x & 0x7fff_ffff | 0x1000
}

/// The stat of an lx node. Pass and Device nodes are stat'ed by the caller.
pub fn stat(k: &Kernel, kind: &MountKind, rel: &[u8], node: &VNode, now: i64) -> Stat {
    let dev = match kind {
        MountKind::Proc => 22,
        MountKind::Sys => 21,
        MountKind::Dev => 5,
        _ => 7,
    };
    let (mode, nlink, size) = match node {
        VNode::Dir => (S_IFDIR | 0o555, 2, 0),
        VNode::File { mode } => (S_IFREG | mode, 1, 0),
        VNode::Symlink(t) => (S_IFLNK | 0o777, 1, t.len() as i64),
        VNode::Magic { .. } => (S_IFLNK | 0o777, 1, 64),
        VNode::Device { .. } => (S_IFCHR | 0o666, 1, 0),
        VNode::Pass { st, .. } => return *st,
    };
    let rdev = if let VNode::Device { rdev, .. } = node {
        *rdev
    } else {
        0
    };
    let (uid, gid) =
        if matches!(kind, MountKind::Proc) && rel.first().is_some_and(u8::is_ascii_digit) {
            (k.id.uid, k.id.gid)
        } else {
            (0, 0)
        };
    Stat {
        st_dev: dev,
        st_ino: ino(kind, rel),
        st_nlink: nlink,
        st_mode: mode,
        st_uid: uid,
        st_gid: gid,
        st_rdev: rdev,
        st_size: size,
        st_blksize: 1024,
        st_atime: now,
        st_mtime: now,
        st_ctime: now,
        ..Stat::default()
    }
}

fn read_host(h: &dyn Host, path: &[u8]) -> Result<Vec<u8>, Errno> {
    let fd = hostfs::open_abs(h, path, 0)?;
    let r = hostfs::read_to_end(h, fd, 1 << 22);
    let _ = h.close(fd);
    r
}

/// The content of generated file `rel` of lx filesystem `kind`.
pub fn content(k: &Kernel, h: &dyn Host, kind: &MountKind, rel: &[u8]) -> Result<Vec<u8>, Errno> {
    match kind {
        MountKind::Debug => Ok(debug_syscalls(h)),
        MountKind::Proc => {
            if rel.starts_with(b"sys/") {
                return proc_top(k, h, rel);
            }
            let mut parts = rel.splitn(2, |&b| b == b'/');
            let first = parts.next().unwrap_or(b"");
            match parts.next() {
                None => proc_top(k, h, first),
                Some(mut rest) => {
                    let mut tid = None;
                    if let Some(t) = rest.strip_prefix(b"task/") {
                        let mut p = t.splitn(2, |&b| b == b'/');
                        tid = parse_num(p.next().unwrap_or(b""));
                        rest = p.next().unwrap_or(b"");
                    }
                    let pid = parse_num(first).ok_or(Errno::ENOENT)?;
                    if pid == k.id.pid {
                        match tid {
                            Some(t) => {
                                let dir = format!("/proc/self/task/{t}");
                                pid_file(k, h, rest, Some((dir.as_bytes(), t)))
                            }
                            None => pid_file(k, h, rest, None),
                        }
                    } else {
                        let dir = match tid {
                            Some(t) => format!("/proc/{pid}/task/{t}"),
                            None => format!("/proc/{pid}"),
                        };
                        other_pid_file(k, h, dir.as_bytes(), tid.unwrap_or(pid), rest)
                    }
                }
            }
        }
        _ => Err(Errno::ENOENT),
    }
}

fn proc_top(k: &Kernel, h: &dyn Host, name: &[u8]) -> Result<Vec<u8>, Errno> {
    Ok(match name {
        b"sys/kernel/osrelease" => format!("{RELEASE}\n").into_bytes(),
        b"sys/kernel/version" => format!("{VERSION}\n").into_bytes(),
        b"sys/kernel/ostype" => b"Linux\n".to_vec(),
        b"sys/kernel/hostname" => {
            let mut v = k.id.nodename.clone();
            v.push(b'\n');
            v
        }
        b"sys/kernel/random/uuid" => {
            let mut r = [0u8; 16];
            let _ = h.getrandom(&mut r, 0);
            r[6] = (r[6] & 0x0f) | 0x40;
            r[8] = (r[8] & 0x3f) | 0x80;
            let x: Vec<alloc::string::String> = r.iter().map(|b| format!("{b:02x}")).collect();
            format!(
                "{}-{}-{}-{}-{}\n",
                x[0..4].concat(),
                x[4..6].concat(),
                x[6..8].concat(),
                x[8..10].concat(),
                x[10..16].concat()
            )
            .into_bytes()
        }
        b"version" => format!(
            "Linux version {RELEASE} (lx@lx) (rustc) {VERSION}\n"
        )
        .into_bytes(),
        b"filesystems" => b"nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tdebugfs\nnodev\toverlay\n\text4\n".to_vec(),
        b"cmdline" => b"lx\n".to_vec(),
        b"swaps" => b"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n".to_vec(),
        _ => {
            let _ = k;
            read_host(h, &host_path(b"/proc", name))?
        }
    })
}

fn replace_field(line: &[u8], key: &[u8], value: &str, out: &mut Vec<u8>) -> bool {
    if line.starts_with(key) {
        out.extend_from_slice(key);
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
        true
    } else {
        false
    }
}

/// Files of another process of the run: its host files (pids are the
/// host's), its command line from the registry, lx's lines rewritten.
/// `dir`: the host's /proc/PID or /proc/PID/task/TID; `id`: PID or TID
/// (stat's first field).
fn other_pid_file(
    k: &Kernel,
    h: &dyn Host,
    dir: &[u8],
    id: i32,
    name: &[u8],
) -> Result<Vec<u8>, Errno> {
    let pid = dir
        .strip_prefix(b"/proc/")
        .and_then(|r| r.split(|&b| b == b'/').next())
        .and_then(parse_num)
        .unwrap_or(id);
    let dir = core::str::from_utf8(dir).map_err(|_| Errno::ENOENT)?;
    Ok(match name {
        b"cmdline" => h.registry_cmdline(pid).unwrap_or_default(),
        b"environ" | b"auxv" => Vec::new(),
        b"status" => {
            let host = read_host(h, host_path(dir.as_bytes(), b"status").as_slice())?;
            let share = mem_share(k, h, dir.as_bytes(), &[], None);
            let mem = procmem::status_lines(&host, &share);
            let mut out = Vec::new();
            for line in host.split_inclusive(|&b| b == b'\n') {
                let l = line.strip_suffix(b"\n").unwrap_or(line);
                if let Some(m) = mem(l) {
                    out.extend_from_slice(&m);
                    out.push(b'\n');
                    continue;
                }
                let done = replace_field(l, b"Seccomp:\t", "0", &mut out)
                    || replace_field(l, b"Seccomp_filters:\t", "0", &mut out);
                if !done {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                }
            }
            out
        }
        b"stat" => {
            let host = read_host(h, host_path(dir.as_bytes(), b"stat").as_slice())?;
            let share = mem_share(k, h, dir.as_bytes(), &[], None);
            procmem::rewrite_stat(&host, format!("{id} ").as_bytes(), |n, v| {
                procmem::stat_field(&share, n, v, None)
            })
            .ok_or(Errno::EIO)?
        }
        b"statm" => {
            let host = read_host(h, host_path(dir.as_bytes(), b"statm").as_slice())?;
            procmem::statm(&host, &mem_share(k, h, dir.as_bytes(), &[], None))
        }
        b"maps" | b"smaps" => {
            let host = read_host(h, host_path(dir.as_bytes(), name).as_slice())?;
            // (Whether this process gave fork advice itself is not known
            // here: see `filter_maps`.)
            filter_maps(k, h, &host, &[], true)
        }
        _ => read_host(h, host_path(dir.as_bytes(), name).as_slice())?,
    })
}

/// The parent and session of host process `pid` (/proc/PID/stat fields 4
/// and 6).
pub fn host_parent_and_session(h: &dyn Host, pid: i32) -> Option<(i32, i32)> {
    let stat = read_host(h, format!("/proc/{pid}/stat").as_bytes()).ok()?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let mut f = stat.get(close + 2..)?.split(|&b| b == b' ');
    let num = |v: Option<&[u8]>| core::str::from_utf8(v?).ok()?.parse::<i32>().ok();
    let ppid = num(f.nth(1))?;
    let sid = num(f.nth(1))?;
    Some((ppid, sid))
}

/// The thread ids of the process whose host /proc directory is `dir`
/// (lx's are the host's; lx runs no thread of its own in a guest process).
fn task_tids(h: &dyn Host, dir: &[u8]) -> Vec<i32> {
    let mut v: Vec<i32> = pass_list(h, &host_path(dir, b"task"))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(n, _)| parse_num(&n))
        .collect();
    v.sort_unstable();
    v
}

/// Processes of the run other than this one that still exist.
pub fn other_pids(k: &Kernel, h: &dyn Host) -> Vec<i32> {
    let mut v: Vec<i32> = h
        .registry_pids()
        .into_iter()
        .filter(|&p| p != k.id.pid)
        .filter(|&p| hostfs::lstat_at(h, -100, format!("/proc/{p}").as_bytes()).is_ok())
        .collect();
    v.sort_unstable();
    v
}

/// A file of this process's /proc directory, or with `thread` (its host
/// /proc/self/task/TID directory and TID) of one of its threads' (stat,
/// status and comm are the thread's; the rest is the process's).
fn pid_file(
    k: &Kernel,
    h: &dyn Host,
    name: &[u8],
    thread: Option<(&[u8], i32)>,
) -> Result<Vec<u8>, Errno> {
    let id = &k.id;
    // The directory of the per-thread files, and the id stat and status
    // show first (the process's: its leader's).
    let (dir, shown): (&[u8], i32) = thread.unwrap_or((b"/proc/self", id.pid));
    Ok(match name {
        b"cmdline" => k.cmdline.clone(),
        b"environ" => k.environ.clone(),
        b"auxv" => k.auxv.clone(),
        b"comm" => read_host(h, &host_path(dir, name))?,
        b"oom_score_adj" | b"loginuid" | b"cgroup" => {
            read_host(h, &host_path(b"/proc/self", name))?
        }
        b"statm" => {
            let host = read_host(h, b"/proc/self/statm")?;
            procmem::statm(&host, &self_share(k, h))
        }
        b"stat" => {
            let host = read_host(h, &host_path(dir, b"stat"))?;
            let share = self_share(k, h);
            let id_field = |v: i32| Some(u64::try_from(v).unwrap_or(0));
            procmem::rewrite_stat(&host, format!("{shown} ").as_bytes(), |n, v| match n {
                4 => id_field(id.ppid),
                5 => id_field(id.pgid),
                6 => id_field(id.sid),
                _ => procmem::stat_field(&share, n, v, Some(k.mm.brk_start)),
            })
            .ok_or(Errno::EIO)?
        }
        b"status" => {
            let host = read_host(h, &host_path(dir, b"status"))?;
            let share = self_share(k, h);
            let mem = procmem::status_lines(&host, &share);
            let mut out = Vec::new();
            for line in host.split_inclusive(|&b| b == b'\n') {
                let l = line.strip_suffix(b"\n").unwrap_or(line);
                if let Some(m) = mem(l) {
                    out.extend_from_slice(&m);
                    out.push(b'\n');
                    continue;
                }
                let done = replace_field(l, b"Tgid:\t", &format!("{}", id.pid), &mut out)
                    || replace_field(l, b"Pid:\t", &format!("{shown}"), &mut out)
                    || replace_field(l, b"PPid:\t", &format!("{}", id.ppid), &mut out)
                    || replace_field(
                        l,
                        b"Uid:\t",
                        &format!("{}\t{}\t{}\t{}", id.uid, id.euid, id.suid, id.euid),
                        &mut out,
                    )
                    || replace_field(
                        l,
                        b"Gid:\t",
                        &format!("{}\t{}\t{}\t{}", id.gid, id.egid, id.sgid, id.egid),
                        &mut out,
                    )
                    || replace_field(
                        l,
                        b"NoNewPrivs:\t",
                        if k.no_new_privs { "1" } else { "0" },
                        &mut out,
                    )
                    || replace_field(l, b"Seccomp:\t", "0", &mut out)
                    || replace_field(l, b"Seccomp_filters:\t", "0", &mut out)
                    || replace_field(l, b"NSpid:\t", &format!("{shown}"), &mut out)
                    || replace_field(l, b"NStgid:\t", &format!("{}", id.pid), &mut out);
                if !done {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                }
            }
            out
        }
        b"maps" | b"smaps" => {
            let host = read_host(h, &host_path(b"/proc/self", name))?;
            let own_advice =
                crate::proc::vfork::GUEST_FORK_ADVICE.load(core::sync::atomic::Ordering::Relaxed);
            filter_maps(k, h, &host, &h.patch_areas(), !own_advice)
        }
        b"mounts" => {
            let mut out = Vec::new();
            for m in &k.vfs.mounts {
                let opts = if m.read_only() { "ro" } else { "rw" };
                out.extend_from_slice(&m.source);
                out.push(b' ');
                out.extend_from_slice(&visible(&m.point, &k.root));
                out.push(b' ');
                out.extend_from_slice(m.fstype());
                out.extend_from_slice(format!(" {opts},relatime 0 0\n").as_bytes());
            }
            out
        }
        b"mountinfo" => {
            let mut out = Vec::new();
            for m in &k.vfs.mounts {
                let opts = if m.read_only() { "ro" } else { "rw" };
                let parent = k
                    .vfs
                    .mount_of(super::path::parent(&m.point))
                    .filter(|_| m.point != b"/")
                    .map_or(m.id, |(i, _)| k.vfs.mounts[i].id);
                out.extend_from_slice(format!("{} {} 0:{} / ", m.id, parent, m.id + 20).as_bytes());
                out.extend_from_slice(&visible(&m.point, &k.root));
                out.extend_from_slice(format!(" {opts},relatime - ").as_bytes());
                out.extend_from_slice(m.fstype());
                out.push(b' ');
                out.extend_from_slice(&m.source);
                out.extend_from_slice(format!(" {opts}\n").as_bytes());
            }
            out
        }
        b"limits" => {
            let host = read_host(h, b"/proc/self/limits")?;
            let mut out = Vec::new();
            for line in host.split_inclusive(|&b| b == b'\n') {
                if line.starts_with(b"Max open files") {
                    let fmt = |v: u64| {
                        if v == u64::MAX {
                            alloc::string::String::from("unlimited")
                        } else {
                            format!("{v}")
                        }
                    };
                    out.extend_from_slice(
                        format!(
                            "{:<26}{:<21}{:<21}{:<10}\n",
                            "Max open files",
                            fmt(k.fds.limit()),
                            fmt(k.nofile_max),
                            "files"
                        )
                        .as_bytes(),
                    );
                } else {
                    out.extend_from_slice(line);
                }
            }
            out
        }
        _ => {
            if let Some(n) = name.strip_prefix(b"fdinfo/") {
                let fd = parse_num(n).ok_or(Errno::ENOENT)?;
                let e = k.fds.get(fd).map_err(|_| Errno::ENOENT)?;
                let pos = h.lseek(e.file.fd, 0, 1).unwrap_or(0);
                let fl = h.get_status_flags(e.file.fd).unwrap_or(0)
                    | if e.cloexec { 0o2000000 } else { 0 };
                format!(
                    "pos:\t{pos}\nflags:\t0{fl:o}\nmnt_id:\t{}\n",
                    e.file.mount_id
                )
                .into_bytes()
            } else {
                return Err(Errno::ENOENT);
            }
        }
    })
}

/// A maps line of the run's shared memfd that maps a patched interpreter
/// copy (`crate::stats::image_aliases`), as the file's own line: its
/// offset, device, inode and path; None for its stub pages (not shown).
fn alias_line(
    k: &Kernel,
    line: &[u8],
    shared_ino: u64,
    aliases: &[crate::stats::ImageAlias],
) -> Option<Option<Vec<u8>>> {
    let f: Vec<&[u8]> = line
        .split(|&b| b == b' ')
        .filter(|f| !f.is_empty())
        .take(6)
        .collect();
    if f.len() < 6 || shared_ino == 0 || !f[5].starts_with(b"/memfd:") {
        return None;
    }
    if core::str::from_utf8(f[4]).ok()?.parse::<u64>().ok()? != shared_ino {
        return None;
    }
    let off = procmem::hex(f[2]);
    let a = aliases
        .iter()
        .find(|a| (a.data..a.data + a.file_len + a.stubs_len).contains(&off))?;
    if off >= a.data + a.file_len {
        return Some(None);
    }
    let major = ((a.dev >> 8) & 0xfff) | ((a.dev >> 32) & !0xfff);
    let minor = (a.dev & 0xff) | ((a.dev >> 12) & !0xff);
    let mut out = format!(
        "{} {} {:08x} {:02x}:{:02x} {} ",
        alloc::string::String::from_utf8_lossy(f[0]),
        alloc::string::String::from_utf8_lossy(f[1]),
        off - a.data,
        major,
        minor,
        a.ino
    )
    .into_bytes();
    // Linux pads the fields to 72 columns, then one space.
    while out.len() < 72 {
        out.push(b' ');
    }
    out.push(b' ');
    out.extend_from_slice(&k.vfs.host_to_guest(&a.path, &k.root));
    out.push(b'\n');
    Some(Some(out))
}

/// What mapping line `line` (starting at `start`) is to the guest: lx's
/// window and `hidden` are lx's, a patched interpreter copy is its file
/// (its stub pages lx's).
fn seen(
    k: &Kernel,
    line: &[u8],
    start: u64,
    hidden: &[(u64, u64)],
    shared_ino: u64,
    aliases: &[crate::stats::ImageAlias],
) -> procmem::Seen {
    if (LX_BASE..LX_END).contains(&start)
        || hidden.iter().any(|&(lo, hi)| (lo..hi).contains(&start))
    {
        return procmem::Seen::Hidden;
    }
    if aliases.is_empty() {
        return procmem::Seen::Visible;
    }
    match alias_line(k, line, shared_ino, aliases) {
        Some(Some(_)) => procmem::Seen::Alias,
        Some(None) => procmem::Seen::Hidden,
        None => procmem::Seen::Visible,
    }
}

/// lx's share of the mappings of the process whose host /proc directory
/// is `dir` (`hidden`: its stub areas, when known; `entry`: its program's
/// entry point, when known). Nothing when its smaps cannot be read.
fn mem_share(
    k: &Kernel,
    h: &dyn Host,
    dir: &[u8],
    hidden: &[(u64, u64)],
    entry: Option<u64>,
) -> procmem::Share {
    let Ok(smaps) = read_host(h, &host_path(dir, b"smaps")) else {
        return procmem::Share::default();
    };
    let (shared_ino, table) = h.image_table();
    let aliases = crate::stats::image_aliases(&table);
    procmem::share(
        &smaps,
        |line, start| seen(k, line, start, hidden, shared_ino, &aliases),
        entry,
    )
}

/// This process's share (its stub areas known, its entry point from its
/// auxiliary vector).
fn self_share(k: &Kernel, h: &dyn Host) -> procmem::Share {
    const AT_ENTRY: u64 = 9;
    let entry = k.auxv.chunks_exact(16).find_map(|p| {
        let key = u64::from_le_bytes(p[..8].try_into().ok()?);
        (key == AT_ENTRY).then(|| u64::from_le_bytes(p[8..].try_into().unwrap_or_default()))
    });
    mem_share(k, h, b"/proc/self", &h.patch_areas(), entry)
}

/// The host's maps or smaps of a process without lx's mappings (its
/// window, `hidden`), a patched interpreter copy shown as its file, host
/// paths as guest paths; with `strip_dc`, smaps' VmFlags without `dc`
/// (MADV_DONTFORK), which lx's vfork helper leaves on a process's mappings
/// when the guest gave no fork advice of its own.
fn filter_maps(
    k: &Kernel,
    h: &dyn Host,
    host: &[u8],
    hidden: &[(u64, u64)],
    strip_dc: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut skipping = false;
    let (shared_ino, table) = h.image_table();
    let aliases = crate::stats::image_aliases(&table);
    for line in host.split_inclusive(|&b| b == b'\n') {
        if procmem::is_header(line) {
            let start = procmem::hex(line.split(|&b| b == b'-').next().unwrap_or(b""));
            skipping = false;
            match seen(k, line, start, hidden, shared_ino, &aliases) {
                procmem::Seen::Hidden => skipping = true,
                procmem::Seen::Alias => {
                    if let Some(Some(l)) = alias_line(k, line, shared_ino, &aliases) {
                        out.extend_from_slice(&l);
                    }
                }
                procmem::Seen::Visible => {
                    // The path column in the guest's view.
                    let i = procmem::path_start(line);
                    if line.get(i) == Some(&b'/') {
                        let path = line[i..].strip_suffix(b"\n").unwrap_or(&line[i..]);
                        out.extend_from_slice(&line[..i]);
                        out.extend_from_slice(&k.vfs.host_to_guest(path, &k.root));
                        out.push(b'\n');
                    } else {
                        out.extend_from_slice(line);
                    }
                }
            }
        } else if !skipping {
            match line.strip_prefix(b"VmFlags:") {
                Some(flags) if strip_dc => {
                    out.extend_from_slice(b"VmFlags:");
                    for f in flags.split(|&b| b == b' ').filter(|f| !f.is_empty()) {
                        let f = f.strip_suffix(b"\n").unwrap_or(f);
                        if f != b"dc" && !f.is_empty() {
                            out.push(b' ');
                            out.extend_from_slice(f);
                        }
                    }
                    out.extend_from_slice(b" \n");
                }
                _ => out.extend_from_slice(line),
            }
        }
    }
    out
}

fn debug_syscalls(h: &dyn Host) -> Vec<u8> {
    let page = h.shared_snapshot();
    let mut out = Vec::from(&b"nr\tname\tcalls\terrors\tusecs\n"[..]);
    if page.len() < crate::stats::ENOSYS_OFFSET {
        return out;
    }
    for d in lx_abi::syscalls::SYSCALLS {
        let c = crate::stats::read_slot(&page, d.nr as usize);
        if c.calls > 0 {
            out.extend_from_slice(
                format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    d.nr,
                    d.name,
                    c.calls,
                    c.errors,
                    c.ns / 1000
                )
                .as_bytes(),
            );
        }
    }
    out
}
