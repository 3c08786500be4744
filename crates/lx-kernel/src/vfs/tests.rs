//! The resolver and overlays against real host directories (the test host
//! issues real system calls on a scratch tree).

use crate::config::{Config, MountSpec, MountSpecKind};
use crate::kernel::Kernel;
use crate::testhost::TestHost;
use crate::vfs::walk::{How, Node, resolve};
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use std::ffi::CString;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::string::String;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(std::format!(
        "lx-vfs-{}-{name}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    fs::create_dir_all(&d).unwrap();
    d
}

#[allow(unsafe_code)]
fn open_dir(p: &std::path::Path) -> i32 {
    let c = CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: open(2) with a valid C string.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    assert!(fd >= 0);
    fd
}

/// A kernel whose root is an overlay of `lower` under `upper`, with procfs.
fn kernel(lower: &std::path::Path, upper: &std::path::Path) -> (Kernel, TestHost) {
    let cfg = Config {
        cwd: b"/".to_vec(),
        nofile: (1024, 1024),
        mounts: std::vec![
            MountSpec {
                point: b"/".to_vec(),
                kind: MountSpecKind::Host,
                upper: open_dir(upper),
                lower: open_dir(lower),
                source: b"test".to_vec(),
                fstype: b"ext4".to_vec(),
                host_dirs: Vec::new(),
            },
            MountSpec {
                point: b"/proc".to_vec(),
                kind: MountSpecKind::Proc,
                upper: -1,
                lower: -1,
                ..MountSpec::default()
            },
        ],
        pid: 7,
        ..Config::default()
    };
    let h = TestHost::default();
    let mut k = Kernel::new(&cfg);
    k.init_fs(&h);
    (k, h)
}

/// A scratch tree, removed when dropped.
struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn tree() -> (Tree, PathBuf, PathBuf) {
    let base = scratch("tree");
    let lower = base.join("lower");
    let upper = base.join("upper");
    fs::create_dir_all(lower.join("etc/sub")).unwrap();
    fs::create_dir_all(&upper).unwrap();
    fs::write(lower.join("etc/passwd"), "root\n").unwrap();
    fs::write(lower.join("etc/sub/f"), "f\n").unwrap();
    symlink("etc", lower.join("link")).unwrap();
    symlink("/etc/passwd", lower.join("abs")).unwrap();
    symlink("../../../../etc/passwd", lower.join("etc/sub/up")).unwrap();
    symlink("loop2", lower.join("loop1")).unwrap();
    symlink("loop1", lower.join("loop2")).unwrap();
    symlink("../sub", lower.join("etc/sub/dirlink")).unwrap();
    symlink("../../link/sub/f", lower.join("etc/sub/chain")).unwrap();
    (Tree(base), lower, upper)
}

fn path_of(k: &mut Kernel, h: &TestHost, p: &str, how: How) -> Result<String, Errno> {
    resolve(k, h, AT_FDCWD, p.as_bytes(), how).map(|f| String::from_utf8(f.path).unwrap())
}

#[test]
fn resolution() {
    let (_tree, lower, upper) = tree();
    let (mut k, h) = kernel(&lower, &upper);
    let f = How::FOLLOW;
    assert_eq!(
        path_of(&mut k, &h, "/etc/passwd", f).unwrap(),
        "/etc/passwd"
    );
    assert_eq!(
        path_of(&mut k, &h, "/link/passwd", f).unwrap(),
        "/etc/passwd"
    );
    assert_eq!(path_of(&mut k, &h, "/abs", f).unwrap(), "/etc/passwd");
    assert_eq!(path_of(&mut k, &h, "/abs", How::NOFOLLOW).unwrap(), "/abs");
    assert_eq!(
        path_of(&mut k, &h, "/../../etc/./sub/..//passwd", f).unwrap(),
        "/etc/passwd"
    );
    // Relative symlink with more ".." than depth stays at the root.
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/up", f).unwrap(),
        "/etc/passwd"
    );
    // Symlinks met below plain directories (the fast path hands the walk
    // the directories it already went through): in the middle, at the
    // end, one leading to another, with a trailing slash.
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/dirlink/dirlink/f", f).unwrap(),
        "/etc/sub/f"
    );
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/chain", f).unwrap(),
        "/etc/sub/f"
    );
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/chain", How::NOFOLLOW).unwrap(),
        "/etc/sub/chain"
    );
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/dirlink/", How::NOFOLLOW).unwrap(),
        "/etc/sub"
    );
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/chain/", f),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(path_of(&mut k, &h, "/loop1", f), Err(Errno::ELOOP));
    assert_eq!(path_of(&mut k, &h, "/etc/passwd/", f), Err(Errno::ENOTDIR));
    assert_eq!(path_of(&mut k, &h, "/etc/passwd/x", f), Err(Errno::ENOTDIR));
    assert_eq!(path_of(&mut k, &h, "/etc/nothere", f), Err(Errno::ENOENT));
    assert_eq!(path_of(&mut k, &h, "/nothere/x", f), Err(Errno::ENOENT));
    let long = "a".repeat(256);
    assert_eq!(
        path_of(&mut k, &h, &std::format!("/{long}"), f),
        Err(Errno::ENAMETOOLONG)
    );
    // A missing last component is reported when the caller may create it.
    let c = How {
        follow: false,
        create: true,
        resolve: 0,
        last: crate::vfs::walk::Last::Lstat,
    };
    let found = resolve(&mut k, &h, AT_FDCWD, b"/etc/new", c).unwrap();
    assert!(found.node.is_none());
    assert_eq!(found.rel, b"etc/new");
    // procfs: /proc/self is a symlink to the pid.
    assert_eq!(path_of(&mut k, &h, "/proc/self", f).unwrap(), "/proc/7");
    assert_eq!(path_of(&mut k, &h, "/proc/self/../..", f).unwrap(), "/");
    // chroot: ".." and absolute links never go above the process root.
    k.root = b"/etc".to_vec();
    assert_eq!(
        path_of(&mut k, &h, "/../../passwd", f).unwrap(),
        "/etc/passwd"
    );
    assert_eq!(path_of(&mut k, &h, "/sub/up", f), Err(Errno::ENOENT));
}

#[test]
fn overlay_copy_up_whiteout_and_listing() {
    let (_tree, lower, upper) = tree();
    let (mut k, h) = kernel(&lower, &upper);
    let m = 0;
    // Copy-up keeps content; the lower file is untouched.
    k.vfs.copy_up(&h, m, b"etc/passwd").unwrap();
    assert_eq!(fs::read(upper.join("etc/passwd")).unwrap(), b"root\n");
    fs::write(upper.join("etc/passwd"), "changed\n").unwrap();
    assert_eq!(fs::read(lower.join("etc/passwd")).unwrap(), b"root\n");
    let found = resolve(&mut k, &h, AT_FDCWD, b"/etc/passwd", How::FOLLOW).unwrap();
    assert!(matches!(found.node, Some(Node::Host { upper: true, .. })));
    // A whiteout hides the lower entry; the listing merges both layers.
    k.vfs.whiteout(&h, m, b"etc/sub").unwrap();
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/f", How::FOLLOW),
        Err(Errno::ENOENT)
    );
    let layers = k.vfs.dir_layers(&h, m, b"etc").unwrap();
    assert!(layers.upper && layers.lower);
    let mut names: Vec<Vec<u8>> = k
        .vfs
        .list_host(&h, m, b"etc", layers)
        .unwrap()
        .into_iter()
        .map(|e| e.0)
        .collect();
    names.sort();
    assert_eq!(names, std::vec![b"passwd".to_vec()]);
    assert!(lower.join("etc/sub/f").exists());
    // Recreating over a whiteout clears it.
    assert!(k.vfs.clear_whiteout(&h, m, b"etc/sub").unwrap());
    assert_eq!(
        path_of(&mut k, &h, "/etc/sub/f", How::FOLLOW).unwrap(),
        "/etc/sub/f"
    );
}

/// readlink_at reads a short target through its small buffer and a long
/// one (past that buffer, up to PATH_MAX) whole.
#[test]
fn readlink_targets_short_and_long() {
    let (_tree, lower, _upper) = tree();
    let long: String = (0..60).map(|i| std::format!("dir{i:02}/")).collect();
    assert!(long.len() > 256);
    for (name, target) in [("short", "etc/passwd"), ("long", long.as_str())] {
        symlink(target, lower.join(name)).unwrap();
        let h = TestHost::default();
        let fd = open_dir(&lower);
        let got = crate::hostfs::readlink_at(&h, fd, name.as_bytes()).unwrap();
        assert_eq!(got, target.as_bytes(), "{name}");
        drop(unsafe_fd(fd));
    }
}

#[allow(unsafe_code)]
fn unsafe_fd(fd: i32) -> std::os::fd::OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: `fd` was opened by this test and is owned by nobody else.
    unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }
}
