//! What the `lx` supervisor tells a new guest process: the program, its
//! arguments and environment, identity, and lx's own options. Encoded as a
//! flat byte blob handed to the shim through an inherited file descriptor.

use alloc::vec::Vec;

/// The launch description of one guest process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Host path of the program to load.
    pub program: Vec<u8>,
    /// argv as the guest sees it (argv[0] included).
    pub argv: Vec<Vec<u8>>,
    /// envp entries (`K=V`).
    pub envp: Vec<Vec<u8>>,
    /// `AT_EXECFN`: the path as given to exec.
    pub execfn: Vec<u8>,
    /// The working directory the guest sees.
    pub cwd: Vec<u8>,
    pub pid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub uid: u32,
    pub euid: u32,
    pub gid: u32,
    pub egid: u32,
    pub groups: Vec<u32>,
    pub nodename: Vec<u8>,
    pub umask: u32,
    /// RLIMIT_NOFILE (cur, max) of the guest.
    pub nofile: (u64, u64),
    /// The guest's fds: what each guest number is on the host.
    pub fds: Vec<FdSpec>,
    /// Initial signal mask (from the host, unless `sigmask_given`).
    pub sigmask: u64,
    /// `sigmask` is the guest's (after an exec), not to be read from the host.
    pub sigmask_given: bool,
    /// The process root (canonical; "/" unless the guest chrooted).
    pub root: Vec<u8>,
    /// Host fd of the shim image, for the guest's execs (-1: none).
    pub shim_fd: i32,
    /// Signals the guest ignores (bit sig-1), kept across exec.
    pub ignored: u64,
    /// Read end of the run's watch pipe: when lx goes away, every guest
    /// process gets SIGKILL (-1: none).
    pub watch_fd: i32,
    pub trace: bool,
    pub stats: bool,
    pub quiet: bool,
    /// Host fd for trace output (-1: none).
    pub trace_fd: i32,
    /// Host fd for lx's own diagnostics.
    pub log_fd: i32,
    /// Host fd of the run's shared page (statistics, once-only reports).
    pub shared_fd: i32,
    /// The mount table, in mount order (later mounts cover earlier ones).
    pub mounts: Vec<MountSpec>,
    /// Host uid and gid whose files the guest sees as owned by its own ids.
    pub host_uid: u32,
    pub host_gid: u32,
    /// `PATH` search for `program` (a bare command name), as a shell does.
    pub search_path: bool,
    /// An exec the previous image prepared already (files found and open).
    pub prepared: Option<Prepared>,
    /// Serve execs of single-threaded processes in place (see DESIGN.md);
    /// otherwise every exec is a host exec of the shim.
    pub in_place_exec: bool,
    /// Patch syscall sites that trap often into direct calls of lx.
    pub patch_syscalls: bool,
    /// PR_SET_NO_NEW_PRIVS and PR_SET_CHILD_SUBREAPER as the guest set
    /// them (both survive exec).
    pub no_new_privs: bool,
    pub child_subreaper: bool,
}

/// What an exec found, handed to the new image so it does not look again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The ELF to run: host fd and canonical path.
    pub main_fd: i32,
    pub main_path: Vec<u8>,
    /// Its PT_INTERP interpreter (-1: none).
    pub interp_fd: i32,
    pub interp_path: Vec<u8>,
    /// argv after `#!` rewriting.
    pub argv: Vec<Vec<u8>>,
    /// Canonical path of the file the path named (a script or the ELF).
    pub first: Vec<u8>,
}

/// One guest fd handed to a new image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdSpec {
    pub guest: i32,
    pub host: i32,
    /// Canonical path, if it was opened by path.
    pub path: Option<Vec<u8>>,
    /// What /proc/self/fd shows for it without a path.
    pub describe: Vec<u8>,
    pub mount_id: u32,
    pub is_dir: bool,
    pub o_path: bool,
    /// In a read-only layer (see `fd::OpenFile::lower`).
    pub lower: bool,
    pub may_block: bool,
    /// The same open file description as this earlier guest fd (dup'd).
    pub same_as: i32,
    /// A directory lx lists itself: (mount index, path in the mount).
    pub listed: Option<(u32, Vec<u8>)>,
}

/// One mount as the supervisor describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountSpec {
    /// Guest path of the mount point.
    pub point: Vec<u8>,
    /// What the mount serves.
    pub kind: MountSpecKind,
    /// Host directory fds: the writable layer and the read-only one (-1: none).
    pub upper: i32,
    pub lower: i32,
    /// /proc/mounts' source and type columns.
    pub source: Vec<u8>,
    pub fstype: Vec<u8>,
    /// Host paths of the layers (found once, then passed on at exec).
    pub host_dirs: Vec<Vec<u8>>,
}

/// Kinds of mounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MountSpecKind {
    #[default]
    Host = 0,
    Proc = 1,
    Sys = 2,
    Dev = 3,
    Debug = 4,
}

/// Decoding failed: the blob is not one `encode` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadConfig;

const MAGIC: u32 = 0x6c78_6331; // "lxc1"

struct W(Vec<u8>);
impl W {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn list(&mut self, l: &[Vec<u8>]) {
        self.u64(l.len() as u64);
        for b in l {
            self.bytes(b);
        }
    }
}

struct R<'a>(&'a [u8]);
impl R<'_> {
    fn u64(&mut self) -> Result<u64, BadConfig> {
        let (h, t) = self.0.split_at_checked(8).ok_or(BadConfig)?;
        self.0 = t;
        Ok(u64::from_le_bytes(h.try_into().map_err(|_| BadConfig)?))
    }
    fn i32(&mut self) -> Result<i32, BadConfig> {
        Ok(self.u64()? as i64 as i32)
    }
    fn u32(&mut self) -> Result<u32, BadConfig> {
        Ok(self.u64()? as u32)
    }
    fn bool(&mut self) -> Result<bool, BadConfig> {
        Ok(self.u64()? != 0)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, BadConfig> {
        let n = self.u64()? as usize;
        let (h, t) = self.0.split_at_checked(n).ok_or(BadConfig)?;
        self.0 = t;
        Ok(h.to_vec())
    }
    fn list(&mut self) -> Result<Vec<Vec<u8>>, BadConfig> {
        let n = self.u64()? as usize;
        if n > self.0.len() {
            return Err(BadConfig);
        }
        (0..n).map(|_| self.bytes()).collect()
    }
}

impl Config {
    /// Serialize.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = W(Vec::new());
        w.u64(u64::from(MAGIC));
        w.bytes(&self.program);
        w.list(&self.argv);
        w.list(&self.envp);
        w.bytes(&self.execfn);
        w.bytes(&self.cwd);
        for v in [self.pid, self.ppid, self.pgid, self.sid] {
            w.u64(v as i64 as u64);
        }
        for v in [self.uid, self.euid, self.gid, self.egid] {
            w.u64(u64::from(v));
        }
        w.u64(self.groups.len() as u64);
        for g in &self.groups {
            w.u64(u64::from(*g));
        }
        w.bytes(&self.nodename);
        w.u64(u64::from(self.umask));
        w.u64(self.nofile.0);
        w.u64(self.nofile.1);
        w.u64(self.fds.len() as u64);
        for f in &self.fds {
            w.u64(f.guest as i64 as u64);
            w.u64(f.host as i64 as u64);
            w.u64(u64::from(f.path.is_some()));
            w.bytes(f.path.as_deref().unwrap_or_default());
            w.bytes(&f.describe);
            w.u64(u64::from(f.mount_id));
            for b in [f.is_dir, f.o_path, f.lower, f.may_block] {
                w.u64(u64::from(b));
            }
            w.u64(f.same_as as i64 as u64);
            w.u64(u64::from(f.listed.is_some()));
            let (m, rel) = f.listed.clone().unwrap_or_default();
            w.u64(u64::from(m));
            w.bytes(&rel);
        }
        w.u64(self.sigmask);
        w.u64(u64::from(self.sigmask_given));
        w.bytes(&self.root);
        w.u64(self.shim_fd as i64 as u64);
        w.u64(self.watch_fd as i64 as u64);
        w.u64(self.ignored);
        for b in [self.trace, self.stats, self.quiet] {
            w.u64(u64::from(b));
        }
        for fd in [self.trace_fd, self.log_fd, self.shared_fd] {
            w.u64(fd as i64 as u64);
        }
        w.u64(self.mounts.len() as u64);
        for m in &self.mounts {
            w.bytes(&m.point);
            w.u64(m.kind as u64);
            w.u64(m.upper as i64 as u64);
            w.u64(m.lower as i64 as u64);
            w.bytes(&m.source);
            w.bytes(&m.fstype);
            w.list(&m.host_dirs);
        }
        w.u64(u64::from(self.host_uid));
        w.u64(u64::from(self.host_gid));
        w.u64(u64::from(self.search_path));
        w.u64(u64::from(self.in_place_exec));
        w.u64(u64::from(self.patch_syscalls));
        w.u64(u64::from(self.no_new_privs));
        w.u64(u64::from(self.child_subreaper));
        w.u64(u64::from(self.prepared.is_some()));
        if let Some(p) = &self.prepared {
            w.u64(p.main_fd as i64 as u64);
            w.bytes(&p.main_path);
            w.u64(p.interp_fd as i64 as u64);
            w.bytes(&p.interp_path);
            w.list(&p.argv);
            w.bytes(&p.first);
        }
        w.0
    }

    /// Deserialize what [`Config::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<Config, BadConfig> {
        let mut r = R(bytes);
        if r.u64()? != u64::from(MAGIC) {
            return Err(BadConfig);
        }
        let mut c = Config {
            program: r.bytes()?,
            argv: r.list()?,
            envp: r.list()?,
            execfn: r.bytes()?,
            cwd: r.bytes()?,
            ..Config::default()
        };
        c.pid = r.i32()?;
        c.ppid = r.i32()?;
        c.pgid = r.i32()?;
        c.sid = r.i32()?;
        c.uid = r.u32()?;
        c.euid = r.u32()?;
        c.gid = r.u32()?;
        c.egid = r.u32()?;
        let n = r.u64()? as usize;
        if n > 65536 {
            return Err(BadConfig);
        }
        c.groups = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
        c.nodename = r.bytes()?;
        c.umask = r.u32()?;
        c.nofile = (r.u64()?, r.u64()?);
        let n = r.u64()? as usize;
        if n > 65536 {
            return Err(BadConfig);
        }
        for _ in 0..n {
            let guest = r.i32()?;
            let host = r.i32()?;
            let has_path = r.bool()?;
            let path = r.bytes()?;
            c.fds.push(FdSpec {
                guest,
                host,
                path: has_path.then_some(path),
                describe: r.bytes()?,
                mount_id: r.u32()?,
                is_dir: r.bool()?,
                o_path: r.bool()?,
                lower: r.bool()?,
                may_block: r.bool()?,
                same_as: r.i32()?,
                listed: {
                    let has = r.bool()?;
                    let m = r.u32()?;
                    let rel = r.bytes()?;
                    has.then_some((m, rel))
                },
            });
        }
        c.sigmask = r.u64()?;
        c.sigmask_given = r.bool()?;
        c.root = r.bytes()?;
        c.shim_fd = r.i32()?;
        c.watch_fd = r.i32()?;
        c.ignored = r.u64()?;
        c.trace = r.bool()?;
        c.stats = r.bool()?;
        c.quiet = r.bool()?;
        c.trace_fd = r.i32()?;
        c.log_fd = r.i32()?;
        c.shared_fd = r.i32()?;
        let n = r.u64()? as usize;
        if n > 4096 {
            return Err(BadConfig);
        }
        for _ in 0..n {
            let point = r.bytes()?;
            let kind = match r.u64()? {
                0 => MountSpecKind::Host,
                1 => MountSpecKind::Proc,
                2 => MountSpecKind::Sys,
                3 => MountSpecKind::Dev,
                4 => MountSpecKind::Debug,
                _ => return Err(BadConfig),
            };
            c.mounts.push(MountSpec {
                point,
                kind,
                upper: r.i32()?,
                lower: r.i32()?,
                source: r.bytes()?,
                fstype: r.bytes()?,
                host_dirs: r.list()?,
            });
        }
        c.host_uid = r.u32()?;
        c.host_gid = r.u32()?;
        c.search_path = r.bool()?;
        c.in_place_exec = r.bool()?;
        c.patch_syscalls = r.bool()?;
        c.no_new_privs = r.bool()?;
        c.child_subreaper = r.bool()?;
        if r.bool()? {
            c.prepared = Some(Prepared {
                main_fd: r.i32()?,
                main_path: r.bytes()?,
                interp_fd: r.i32()?,
                interp_path: r.bytes()?,
                argv: r.list()?,
                first: r.bytes()?,
            });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn round_trip() {
        let c = Config {
            program: b"/bin/true".to_vec(),
            argv: vec![b"true".to_vec(), b"x".to_vec()],
            envp: vec![b"A=B".to_vec()],
            execfn: b"/bin/true".to_vec(),
            cwd: b"/tmp".to_vec(),
            pid: 5,
            ppid: -1,
            groups: vec![1, 2, 3],
            nofile: (1024, 4096),
            fds: vec![
                FdSpec {
                    guest: 0,
                    host: 0,
                    ..FdSpec::default()
                },
                FdSpec {
                    guest: 5,
                    host: 9,
                    path: Some(b"/etc".to_vec()),
                    is_dir: true,
                    lower: true,
                    ..FdSpec::default()
                },
            ],
            root: b"/".to_vec(),
            shim_fd: 4,
            trace: true,
            trace_fd: 9,
            mounts: vec![MountSpec {
                point: b"/".to_vec(),
                kind: MountSpecKind::Host,
                upper: 3,
                lower: -1,
                source: b"/dev/x".to_vec(),
                fstype: b"ext4".to_vec(),
                host_dirs: Vec::new(),
            }],
            host_uid: 1000,
            search_path: true,
            ..Config::default()
        };
        assert_eq!(Config::decode(&c.encode()), Ok(c.clone()));
        let enc = c.encode();
        for cut in 0..enc.len() {
            assert_eq!(Config::decode(&enc[..cut]), Err(BadConfig));
        }
    }
}
