//! Helpers shared by the path-based syscalls: reading a guest path,
//! resolving it, making a node writable (copy-up), and the stat lx shows.

use crate::ctx::Ctx;
use crate::host::HostFd;
use crate::hostfs;
use crate::user;
use crate::vfs::MountKind;
use crate::vfs::overlay::Layers;
use crate::vfs::path::split_rel;
use crate::vfs::virt::{self, VNode};
use crate::vfs::walk::{self, Found, How, Last, Node, PATH_MAX, layer_fd};
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use lx_abi::structs::{S_IFLNK, S_IFMT, Stat};

/// Read a guest path argument (ENOENT for "", ENAMETOOLONG past PATH_MAX).
pub fn path_arg(c: &Ctx<'_>, addr: u64) -> Result<Vec<u8>, Errno> {
    let p = user::read_cstr(c.host, addr, PATH_MAX + 1)?;
    if p.len() > PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(p)
}

/// Resolve `path` (already read) relative to `dirfd`.
///
/// A lookup that does not follow the last component and finds a host
/// file is kept for the same thread's next syscall (`Memo`): `ls -l` asks
/// statx, lgetxattr and getxattr (and readlink, for a symlink) of each
/// name in a row, and all but the first need only where the file lives
/// and whether it is a symlink, which the first found. Only lookups of
/// calls that change nothing are kept (`looks_only`), only for the next
/// syscall, and only callers that do not look at the node's stat
/// (`Last::Locate`) are served from it, so no stat is ever stale; a walk
/// through a /proc magic link is not kept (fds and working directories
/// change without the filesystem generation moving); what
/// another thread or process changes between two syscalls is a race as it
/// is on Linux, and a change of the run's filesystem generation drops it.
pub fn lookup(c: &mut Ctx<'_>, dirfd: i32, path: &[u8], how: How) -> Result<Found, Errno> {
    if how.last == Last::Locate
        && !how.create
        && how.resolve == 0
        && let Some(f) = memo_hit(c, dirfd, path, how.follow)
    {
        return Ok(f);
    }
    let f = walk::resolve(c.k, c.host, dirfd, path, how)?;
    remember(c, dirfd, path, how, &f);
    Ok(f)
}

/// The last lookup of a thread (see `lookup`).
pub struct Memo {
    /// The syscall (`Kernel::seq`) it serves: the one after it was taken.
    seq: u64,
    fs_gen: u64,
    dirfd: i32,
    path: Vec<u8>,
    /// Where the lookup started: the root for an absolute path, else the
    /// working directory.
    start: Vec<u8>,
    path_found: Vec<u8>,
    mount: usize,
    rel: Vec<u8>,
    upper: bool,
    layers: Layers,
    symlink: bool,
}

/// Syscalls whose lookups are kept: those that only look (so nothing
/// this thread did can have changed the path before its next syscall).
fn looks_only(nr: u32) -> bool {
    use lx_abi::syscalls::nr;
    [
        nr::stat,
        nr::lstat,
        nr::newfstatat,
        nr::statx,
        nr::readlink,
        nr::readlinkat,
        nr::getxattr,
        nr::lgetxattr,
        nr::listxattr,
        nr::llistxattr,
    ]
    .contains(&nr)
}

fn remember(c: &mut Ctx<'_>, dirfd: i32, path: &[u8], how: How, f: &Found) {
    let Some(Node::Host { upper, st, layers }) = &f.node else {
        return;
    };
    if !looks_only(c.nr)
        || c.k.vfs.via_magic
        || how.follow
        || how.create
        || how.resolve != 0
        || dirfd != AT_FDCWD
        || f.located_only
        || f.trailing_slash
        || path.is_empty()
    {
        return;
    }
    let k = &mut *c.k;
    let start = if path[0] == b'/' { &k.root } else { &k.cwd };
    let m = k.memo.get_or_insert_with(|| Memo {
        seq: 0,
        fs_gen: 0,
        dirfd,
        path: Vec::new(),
        start: Vec::new(),
        path_found: Vec::new(),
        mount: 0,
        rel: Vec::new(),
        upper: false,
        layers: Layers::default(),
        symlink: false,
    });
    // (Reusing the buffers: this runs for every such lookup.)
    m.seq = k.seq.wrapping_add(1);
    m.fs_gen = c.host.fs_generation();
    m.dirfd = dirfd;
    m.path.clear();
    m.path.extend_from_slice(path);
    m.start.clear();
    m.start.extend_from_slice(start);
    m.path_found.clear();
    m.path_found.extend_from_slice(&f.path);
    m.mount = f.mount;
    m.rel.clear();
    m.rel.extend_from_slice(&f.rel);
    m.upper = *upper;
    m.layers = *layers;
    m.symlink = st.st_mode & S_IFMT == S_IFLNK;
}

fn memo_hit(c: &mut Ctx<'_>, dirfd: i32, path: &[u8], follow: bool) -> Option<Found> {
    let k = &mut *c.k;
    let m = k.memo.as_mut()?;
    if m.seq != k.seq || m.dirfd != dirfd || m.path != path || (follow && m.symlink) {
        return None;
    }
    let start = if path.first() == Some(&b'/') {
        &k.root
    } else {
        &k.cwd
    };
    if m.start != *start || m.fs_gen != c.host.fs_generation() {
        return None;
    }
    // Kept for the syscall after this one too.
    m.seq = k.seq.wrapping_add(1);
    Some(Found {
        path: m.path_found.clone(),
        mount: m.mount,
        rel: m.rel.clone(),
        node: Some(Node::Host {
            upper: m.upper,
            st: Stat::default(),
            layers: m.layers,
        }),
        trailing_slash: false,
        statx: None,
        located_only: true,
        opened: None,
    })
}

/// Read and resolve a guest path argument.
pub fn lookup_arg(c: &mut Ctx<'_>, dirfd: i32, addr: u64, how: How) -> Result<Found, Errno> {
    let p = path_arg(c, addr)?;
    lookup(c, dirfd, &p, how)
}

/// The node of an existing lookup result.
pub fn existing(f: &Found) -> Result<&Node, Errno> {
    f.node.as_ref().ok_or(Errno::ENOENT)
}

/// The seconds of now, for lx's own files.
pub fn now(c: &Ctx<'_>) -> i64 {
    c.host.clock_gettime(0).map_or(0, |t| t.tv_sec)
}

/// Show host ownership as the guest's ids where the host user is the one
/// lx runs as (so `-0` and `--uid` see their own files as theirs).
pub fn fix_stat(c: &Ctx<'_>, st: &mut Stat) {
    let (hu, hg) = c.k.vfs.host_ids;
    if hu != c.k.id.uid && st.st_uid == hu {
        st.st_uid = c.k.id.uid;
    }
    if hg != c.k.id.gid && st.st_gid == hg {
        st.st_gid = c.k.id.gid;
    }
}

/// The xattr where lx remembers ownership a guest gave a file when the
/// host would not let it (`-0` without host root), like fakeroot's database.
pub const OWNER_XATTR: &[u8] = b"user.lx.owner\0";

/// Is lx remembering ownership itself (the host user is not root)?
pub fn faking(c: &Ctx<'_>) -> bool {
    c.k.vfs.host_ids.0 != 0
}

/// The ownership remembered for the host file named by `path` (a
/// /proc/self/fd path; `nofollow`: do not follow its last component).
pub fn remembered_owner(c: &Ctx<'_>, path: &[u8], nofollow: bool) -> Option<(u32, u32)> {
    let p = hostfs::cpath(path);
    let mut buf = [0u8; 32];
    let n = if nofollow {
        lx_abi::syscalls::nr::lgetxattr
    } else {
        lx_abi::syscalls::nr::getxattr
    };
    let len = c
        .host
        .syscall(
            n,
            [
                p.as_ptr() as u64,
                OWNER_XATTR.as_ptr() as u64,
                buf.as_mut_ptr() as u64,
                buf.len() as u64,
                0,
                0,
            ],
        )
        .ok()?;
    let s = core::str::from_utf8(&buf[..len]).ok()?;
    let (u, g) = s.split_once(':')?;
    Some((u.parse().ok()?, g.parse().ok()?))
}

/// Apply remembered ownership of an upper-layer file to `st`.
pub fn apply_remembered(c: &mut Ctx<'_>, f: &Found, st: &mut Stat) {
    if !faking(c) {
        return;
    }
    let Some(Node::Host {
        upper: true,
        layers,
        ..
    }) = &f.node
    else {
        return;
    };
    if layers.lower {
        return;
    }
    let Ok((dfd, name)) = c.k.vfs.at(c.host, f.mount, true, &f.rel) else {
        return;
    };
    let path = if name.is_empty() {
        alloc::format!("/proc/self/fd/{dfd}").into_bytes()
    } else {
        let mut p = alloc::format!("/proc/self/fd/{dfd}/").into_bytes();
        p.extend_from_slice(name);
        p
    };
    if let Some((u, g)) = remembered_owner(c, &path, !name.is_empty()) {
        st.st_uid = u;
        st.st_gid = g;
    }
}

/// The stat of a found node.
pub fn stat_of(c: &mut Ctx<'_>, f: &Found) -> Result<Stat, Errno> {
    let mut st = match existing(f)? {
        Node::Host { st, .. } => {
            let mut st = *st;
            fix_stat(c, &mut st);
            apply_remembered(c, f, &mut st);
            return Ok(st);
        }
        Node::Virt(VNode::Device { host, .. }) => {
            let mut st = hostfs::lstat_at(c.host, -100, host)?;
            st.st_dev = 5;
            st
        }
        Node::Virt(v) => {
            let kind = c.k.vfs.mounts[f.mount].kind.clone();
            virt::stat(c.k, &kind, &f.rel, v, now(c))
        }
        Node::Reopen(fd) => {
            let h = c.k.fds.host_fd(*fd)?;
            c.host.fstat(h)?
        }
    };
    fix_stat(c, &mut st);
    Ok(st)
}

/// The writable host location of an existing host node: copies it up from
/// an overlay's lower layer first. EROFS on read-only mounts and lx's own
/// filesystems.
pub fn writable(c: &mut Ctx<'_>, f: &Found) -> Result<HostFd, Errno> {
    match existing(f)? {
        Node::Host { upper: true, .. } => layer_fd(&c.k.vfs, f.mount, true),
        Node::Host { upper: false, .. } => {
            if !c.k.vfs.mounts[f.mount].is_overlay() {
                return Err(Errno::EROFS);
            }
            c.k.vfs.copy_up(c.host, f.mount, &f.rel)?;
            layer_fd(&c.k.vfs, f.mount, true)
        }
        Node::Virt(_) | Node::Reopen(_) => Err(Errno::EPERM),
    }
}

/// A new name given with a trailing slash ("n/") names a directory: only
/// mkdir may create it; everything else gets ENOENT, as on Linux.
pub fn no_trailing_slash(f: &Found) -> Result<(), Errno> {
    if f.node.is_none() && f.trailing_slash {
        Err(Errno::ENOENT)
    } else {
        Ok(())
    }
}

/// The host location where a missing entry `f` can be created: makes the
/// parent directory exist in the upper layer and removes a whiteout.
/// Returns the layer fd and whether a whiteout was there.
pub fn creatable(c: &mut Ctx<'_>, f: &Found) -> Result<(HostFd, bool), Errno> {
    let m = f.mount;
    match &c.k.vfs.mounts[m].kind {
        MountKind::Host { upper: None, .. } => return Err(Errno::EROFS),
        MountKind::Host { .. } => {}
        _ => return Err(Errno::EACCES),
    }
    if f.rel.is_empty() {
        return Err(Errno::EEXIST);
    }
    let fd = layer_fd(&c.k.vfs, m, true)?;
    if !c.k.vfs.mounts[m].is_overlay() {
        return Ok((fd, false));
    }
    let (_, name) = split_rel(&f.rel);
    if name.starts_with(crate::vfs::overlay::WH_PREFIX) {
        // lx's overlays spell whiteouts this way: such names cannot be made.
        return Err(Errno::EPERM);
    }
    let (parent, _) = split_rel(&f.rel);
    c.k.vfs.ensure_upper_dir(c.host, m, parent)?;
    let had = c.k.vfs.clear_whiteout(c.host, m, &f.rel)?;
    Ok((fd, had))
}

/// Does the lower layer of an overlay show `f` (so removing it needs a
/// whiteout)?
pub fn lower_has(c: &mut Ctx<'_>, f: &Found) -> Result<bool, Errno> {
    let m = f.mount;
    if !c.k.vfs.mounts[m].is_overlay() {
        return Ok(false);
    }
    if let Some(Node::Host { upper: false, .. }) = &f.node {
        return Ok(true);
    }
    let (parent, _) = split_rel(&f.rel);
    let pl: Layers = c.k.vfs.dir_layers(c.host, m, parent)?;
    if !pl.lower {
        return Ok(false);
    }
    let lower = layer_fd(&c.k.vfs, m, false)?;
    let opaque = pl.upper && c.k.vfs.upper_dir(c.host, m, parent)?.opaque;
    let _ = lower;
    Ok(!opaque && c.k.vfs.lstat_in(c.host, m, false, &f.rel).is_ok())
}
