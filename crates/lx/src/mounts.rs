//! The guest's filesystem tree for one run: the root (the host's `/` or
//! `--rootfs`, read-only under a per-run overlay unless `--rw`), lx's own
//! /proc, /sys, /dev and debugfs, tmpfs mounts backed by a private run
//! directory, and `--bind` mounts. The run directory is removed at exit
//! unless `--overlay DIR` keeps the overlay.

use lx_kernel::config::{MountSpec, MountSpecKind};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Why the tree could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    #[error("{0}: {1}")]
    Dir(String, std::io::Error),
    #[error("--bind {0}: expected HOST[:GUEST][:ro]")]
    BadBind(String),
    #[error("{0}: cannot create lx's run directory: {1}")]
    RunDir(String, std::io::Error),
}

/// One `--bind` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

impl Bind {
    /// Parse PRoot's spelling: HOST, HOST:GUEST, HOST:ro, HOST:GUEST:ro.
    pub fn parse(s: &str) -> Result<Bind, MountError> {
        let mut parts: Vec<&str> = s.split(':').collect();
        let read_only = parts.len() > 1 && parts.last() == Some(&"ro");
        if read_only {
            parts.pop();
        }
        let (host, guest) = match parts.as_slice() {
            [h] if !h.is_empty() => (*h, *h),
            [h, g] if !h.is_empty() && g.starts_with('/') => (*h, *g),
            _ => return Err(MountError::BadBind(s.to_string())),
        };
        Ok(Bind {
            host: PathBuf::from(host),
            guest: guest.to_string(),
            read_only,
        })
    }
}

/// What the user asked for.
#[derive(Debug, Default)]
pub struct TreeSpec {
    pub rootfs: Option<PathBuf>,
    pub rw: bool,
    pub overlay: Option<PathBuf>,
    pub binds: Vec<Bind>,
    pub tmpfs: Vec<String>,
}

/// The set-up tree: mount specs for the config, the host fds they name
/// (kept open until the guest has started), and the run directory.
pub struct Tree {
    pub mounts: Vec<MountSpec>,
    pub fds: Vec<OwnedFd>,
    run_dir: Option<PathBuf>,
}

impl Drop for Tree {
    fn drop(&mut self) {
        if let Some(d) = &self.run_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Open `p` as a directory fd the guest process inherits.
fn open_dir(p: &Path) -> Result<OwnedFd, MountError> {
    let c = CString::new(p.as_os_str().as_bytes()).map_err(|_| {
        MountError::Dir(
            p.display().to_string(),
            std::io::ErrorKind::InvalidInput.into(),
        )
    })?;
    // SAFETY: open(2) with a valid C string; the result is checked.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(MountError::Dir(
            p.display().to_string(),
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: a fresh fd owned here.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The source and type of the host filesystem holding `dir`, from
/// /proc/self/mountinfo (for the guest's /proc/mounts and df).
fn host_fs_of(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return (b"none".to_vec(), b"unknown".to_vec());
    };
    let mut best: Option<(usize, Vec<u8>, Vec<u8>)> = None;
    for line in info.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let Some(dash) = f.iter().position(|x| *x == "-") else {
            continue;
        };
        if f.len() < dash + 3 || f.len() < 5 {
            continue;
        }
        let point = f[4].replace("\\040", " ");
        if dir.starts_with(&point) && best.as_ref().is_none_or(|b| point.len() >= b.0) {
            best = Some((
                point.len(),
                f[dash + 2].as_bytes().to_vec(),
                f[dash + 1].as_bytes().to_vec(),
            ));
        }
    }
    best.map_or((b"none".to_vec(), b"unknown".to_vec()), |b| (b.1, b.2))
}

/// Remove the run directories in `base` that a run killed with SIGKILL
/// left behind: named `lx-PID-RAND` (12 hex digits), owned by this user,
/// and whose lx process is gone. (A run removes its own directory when it
/// ends; nothing of it survives SIGKILL to do so.)
fn sweep_run_dirs(base: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("lx-")) else {
            continue;
        };
        let Some((pid, rnd)) = rest.split_once('-') else {
            continue;
        };
        let Ok(pid) = pid.parse::<i32>() else {
            continue;
        };
        if rnd.len() != 12 || !rnd.bytes().all(|b| b.is_ascii_hexdigit()) || pid <= 0 {
            continue;
        }
        let path = e.path();
        let Ok(md) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !md.is_dir() || md.uid() != uid {
            continue;
        }
        // SAFETY: signal 0 only checks that the process exists.
        let gone = unsafe { libc::kill(pid, 0) } < 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn make_run_dir() -> Result<PathBuf, MountError> {
    let pid = std::process::id();
    let mut rnd = [0u8; 6];
    // SAFETY: getrandom into a local buffer.
    unsafe { libc::getrandom(rnd.as_mut_ptr().cast(), rnd.len(), 0) };
    let name = format!(
        "lx-{pid}-{}",
        rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    // /dev/shm is hidden from guests (their /dev is lx's) and in memory.
    let mut bases = vec![PathBuf::from("/dev/shm")];
    bases.push(std::env::var_os("TMPDIR").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from));
    let mut last = None;
    for b in bases {
        sweep_run_dirs(&b);
        let d = b.join(&name);
        match std::fs::DirBuilder::new().mode_0700().create(&d) {
            Ok(()) => return Ok(d),
            Err(e) => last = Some((d, e)),
        }
    }
    let (d, e) = last.expect("at least one base");
    Err(MountError::RunDir(d.display().to_string(), e))
}

trait Mode0700 {
    fn mode_0700(&mut self) -> &mut Self;
}
impl Mode0700 for std::fs::DirBuilder {
    fn mode_0700(&mut self) -> &mut Self {
        use std::os::unix::fs::DirBuilderExt;
        self.mode(0o700)
    }
}

impl Tree {
    fn add(
        &mut self,
        point: &str,
        kind: MountSpecKind,
        upper: Option<OwnedFd>,
        lower: Option<OwnedFd>,
        source: &[u8],
        fstype: &[u8],
    ) {
        let mut raw = |fd: Option<OwnedFd>| match fd {
            Some(fd) => {
                let n = fd.as_raw_fd();
                self.fds.push(fd);
                n
            }
            None => -1,
        };
        let upper = raw(upper);
        let lower = raw(lower);
        self.mounts.push(MountSpec {
            point: point.as_bytes().to_vec(),
            kind,
            upper,
            lower,
            source: source.to_vec(),
            fstype: fstype.to_vec(),
            host_dirs: Vec::new(),
        });
    }

    fn tmpfs_dir(&mut self, name: &str) -> Result<OwnedFd, MountError> {
        let base = match &self.run_dir {
            Some(d) => d.clone(),
            None => {
                let d = make_run_dir()?;
                self.run_dir = Some(d.clone());
                d
            }
        };
        let d = base.join(name);
        std::fs::create_dir_all(&d).map_err(|e| MountError::RunDir(d.display().to_string(), e))?;
        open_dir(&d)
    }
}

/// Give the directory open as `fd` the mode and times of `like`.
fn same_attrs(like: &Path, fd: i32) {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::metadata(like) else {
        return;
    };
    let p = CString::new(format!("/proc/self/fd/{fd}")).expect("no NUL");
    let times = [
        libc::timespec {
            tv_sec: m.atime(),
            tv_nsec: m.atime_nsec(),
        },
        libc::timespec {
            tv_sec: m.mtime(),
            tv_nsec: m.mtime_nsec(),
        },
    ];
    // SAFETY: plain calls on a path this process owns; results ignored
    // (cosmetic: a failure leaves the run directory's own attributes).
    unsafe {
        libc::chmod(p.as_ptr(), m.mode() & 0o7777);
        libc::utimensat(libc::AT_FDCWD, p.as_ptr(), times.as_ptr(), 0);
    }
}

/// Set up the tree for `spec`.
pub fn build(spec: &TreeSpec) -> Result<Tree, MountError> {
    let mut t = Tree {
        mounts: Vec::new(),
        fds: Vec::new(),
        run_dir: None,
    };
    let root_dir = spec.rootfs.clone().unwrap_or_else(|| PathBuf::from("/"));
    let root_fd = open_dir(&root_dir)?;
    let (source, fstype) = host_fs_of(&root_dir);
    if spec.rw {
        t.add(
            "/",
            MountSpecKind::Host,
            Some(root_fd),
            None,
            &source,
            &fstype,
        );
    } else {
        let (upper, fresh) = match &spec.overlay {
            Some(d) => {
                let fresh = !d.exists();
                std::fs::create_dir_all(d)
                    .map_err(|e| MountError::Dir(d.display().to_string(), e))?;
                (open_dir(d)?, fresh)
            }
            None => (t.tmpfs_dir("upper")?, true),
        };
        if fresh {
            // The upper root stands for the root directory: give it the
            // root's mode and times (a merged directory shows the upper's).
            same_attrs(&root_dir, upper.as_raw_fd());
        }
        t.add(
            "/",
            MountSpecKind::Host,
            Some(upper),
            Some(root_fd),
            &source,
            &fstype,
        );
    }
    t.add("/proc", MountSpecKind::Proc, None, None, b"proc", b"proc");
    t.add("/sys", MountSpecKind::Sys, None, None, b"sysfs", b"sysfs");
    t.add(
        "/sys/kernel/debug",
        MountSpecKind::Debug,
        None,
        None,
        b"debugfs",
        b"debugfs",
    );
    t.add(
        "/dev",
        MountSpecKind::Dev,
        None,
        None,
        b"devtmpfs",
        b"devtmpfs",
    );
    if let Ok(pts) = open_dir(Path::new("/dev/pts")) {
        t.add(
            "/dev/pts",
            MountSpecKind::Host,
            Some(pts),
            None,
            b"devpts",
            b"devpts",
        );
    }
    let shm = t.tmpfs_dir("shm")?;
    t.add(
        "/dev/shm",
        MountSpecKind::Host,
        Some(shm),
        None,
        b"tmpfs",
        b"tmpfs",
    );
    let run = t.tmpfs_dir("run")?;
    t.add(
        "/run",
        MountSpecKind::Host,
        Some(run),
        None,
        b"tmpfs",
        b"tmpfs",
    );
    for (i, p) in spec.tmpfs.iter().enumerate() {
        let d = t.tmpfs_dir(&format!("tmpfs-{i}"))?;
        t.add(p, MountSpecKind::Host, Some(d), None, b"tmpfs", b"tmpfs");
    }
    for b in &spec.binds {
        let fd = open_dir(&b.host)?;
        let (source, fstype) = host_fs_of(&b.host);
        if b.read_only {
            t.add(
                &b.guest,
                MountSpecKind::Host,
                None,
                Some(fd),
                &source,
                &fstype,
            );
        } else {
            t.add(
                &b.guest,
                MountSpecKind::Host,
                Some(fd),
                None,
                &source,
                &fstype,
            );
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_spellings() {
        let b = Bind::parse("/srv").unwrap();
        assert_eq!((b.guest.as_str(), b.read_only), ("/srv", false));
        let b = Bind::parse("/srv:/data").unwrap();
        assert_eq!((b.guest.as_str(), b.read_only), ("/data", false));
        let b = Bind::parse("/srv:ro").unwrap();
        assert_eq!((b.guest.as_str(), b.read_only), ("/srv", true));
        let b = Bind::parse("/srv:/data:ro").unwrap();
        assert_eq!((b.guest.as_str(), b.read_only), ("/data", true));
        assert!(Bind::parse(":").is_err());
        assert!(Bind::parse("/a:rel").is_err());
    }
}
