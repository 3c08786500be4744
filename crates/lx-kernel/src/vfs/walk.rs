//! Path resolution, done by lx: `.`, `..` (never above the process root),
//! symlinks (lx's own and the host's, relative and absolute, at most 40),
//! magic links of /proc, trailing slashes, mount crossings.
//!
//! The common case, a path that stays in one host layer and meets no
//! symlink, costs one host `openat2` (the fast path); anything else walks
//! component by component.

use super::overlay::Layers;
use super::path::{self, join};
use super::virt::{self, Magic, VNode};
use super::{MountKind, Vfs};
use crate::host::Host;
use crate::hostfs;
use crate::kernel::Kernel;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use lx_abi::structs::{S_IFDIR, S_IFLNK, S_IFMT, Stat, Statx};

/// Linux's limit on symlinks followed in one lookup.
pub const MAX_LINKS: u32 = 40;
/// Longest path accepted (PATH_MAX, NUL excluded).
pub const PATH_MAX: usize = 4095;
/// Longest name of one component.
pub const NAME_MAX: usize = 255;

/// What a path names.
#[derive(Clone, Debug)]
pub enum Node {
    /// A host file: in the upper (writable) layer or the lower one; for a
    /// directory, `layers` says which layers hold it.
    Host {
        upper: bool,
        st: Stat,
        layers: Layers,
    },
    /// A node of one of lx's filesystems.
    Virt(VNode),
    /// A guest fd without a path (reached through /proc/self/fd/N).
    Reopen(i32),
}

impl Node {
    pub fn is_dir(&self) -> bool {
        match self {
            Node::Host { st, .. } => st.st_mode & S_IFMT == S_IFDIR,
            Node::Virt(v) => v.is_dir(),
            Node::Reopen(_) => false,
        }
    }
    pub fn is_symlink(&self) -> bool {
        match self {
            Node::Host { st, .. } => st.st_mode & S_IFMT == S_IFLNK,
            Node::Virt(v) => matches!(v, VNode::Symlink(_) | VNode::Magic { .. }),
            Node::Reopen(_) => false,
        }
    }
}

/// The result of a lookup.
#[derive(Clone, Debug)]
pub struct Found {
    /// Canonical path.
    pub path: Vec<u8>,
    /// Index of the mount holding it, and the path relative to the mount.
    pub mount: usize,
    pub rel: Vec<u8>,
    /// None: the last component does not exist (its parent does, and is a
    /// directory).
    pub node: Option<Node>,
    /// The path named a directory with a trailing slash.
    pub trailing_slash: bool,
    /// With `Last::Statx`: the host's statx of the last component, when
    /// the walk got it (see `Last`).
    pub statx: Option<alloc::boxed::Box<lx_abi::structs::Statx>>,
    /// With `Last::Locate`: the last component's node was not looked at
    /// (its `st` is empty); only where it lives is known.
    pub located_only: bool,
    /// With `Last::Open`: the host fd the walk opened the file with (the
    /// caller's to use or close).
    pub opened: Option<crate::host::HostFd>,
}

/// What the walk asks the host about a last component it finds in one
/// layer of a host mount (the common case); elsewhere it looks as usual.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Last {
    /// lstat it (the node's `st`).
    #[default]
    Lstat,
    /// statx it with this mask (and the basic stats), and keep the result
    /// for statx(2): one host call instead of two.
    Statx(u32),
    /// Do not look at it when not following it: for calls whose own host
    /// call reports what a missing or wrong-kind file gives (readlink,
    /// lgetxattr).
    Locate,
    /// Open it with these host flags (and O_NOFOLLOW) and fstat the fd
    /// instead of the lstat: open(2) of an existing file, one host call
    /// by name instead of two. The fd is `Found::opened`; a symlink (ELOOP)
    /// is looked at as with `Lstat`, and any other failure leaves the
    /// lookup to the usual way (whose own open then reports it).
    Open(u32),
}

/// How to look a path up.
#[derive(Clone, Copy, Debug, Default)]
pub struct How {
    /// Follow a symlink in the last component.
    pub follow: bool,
    /// The caller may create the last component: report it missing rather
    /// than ENOENT.
    pub create: bool,
    /// openat2's RESOLVE_* restrictions (0 for every other call).
    pub resolve: u64,
    /// What to ask about the last component.
    pub last: Last,
}

/// RESOLVE_NO_XDEV.
pub const R_NO_XDEV: u64 = 0x01;
/// RESOLVE_NO_MAGICLINKS.
pub const R_NO_MAGICLINKS: u64 = 0x02;
/// RESOLVE_NO_SYMLINKS.
pub const R_NO_SYMLINKS: u64 = 0x04;
/// RESOLVE_BENEATH.
pub const R_BENEATH: u64 = 0x08;
/// RESOLVE_IN_ROOT.
pub const R_IN_ROOT: u64 = 0x10;

impl How {
    pub const FOLLOW: How = How {
        follow: true,
        create: false,
        resolve: 0,
        last: Last::Lstat,
    };
    pub const NOFOLLOW: How = How {
        follow: false,
        create: false,
        resolve: 0,
        last: Last::Lstat,
    };
    /// The same with `last` asked differently.
    pub const fn with_last(self, last: Last) -> How {
        How { last, ..self }
    }
}

/// The canonical directory a relative path starts from.
pub fn start_dir(k: &Kernel, dirfd: i32) -> Result<Vec<u8>, Errno> {
    if dirfd == AT_FDCWD {
        return Ok(k.cwd.clone());
    }
    let e = k.fds.get(dirfd)?;
    match &e.file.path {
        Some(p) if e.file.is_dir => Ok(p.clone()),
        _ => Err(Errno::ENOTDIR),
    }
}

/// Resolve `path` relative to `dirfd` for process `k`.
pub fn resolve(
    k: &mut Kernel,
    h: &dyn Host,
    dirfd: i32,
    path: &[u8],
    how: How,
) -> Result<Found, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() > PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    k.vfs.reap(h);
    k.vfs.sync_generation(h);
    k.vfs.via_magic = false;
    if how.resolve & (R_BENEATH | R_IN_ROOT) != 0 {
        // openat2: the starting directory is the root of this lookup.
        let base = start_dir(k, dirfd)?;
        if path[0] == b'/' && how.resolve & R_BENEATH != 0 {
            return Err(Errno::EXDEV);
        }
        let saved = core::mem::replace(&mut k.root, base.clone());
        let r = Walker {
            k,
            h,
            links: 0,
            how,
        }
        .walk(base, path, how);
        k.root = saved;
        return r;
    }
    let start = if path[0] == b'/' {
        k.root.clone()
    } else {
        start_dir(k, dirfd)?
    };
    Walker {
        k,
        h,
        links: 0,
        how,
    }
    .walk(start, path, how)
}

struct Walker<'a> {
    k: &'a mut Kernel,
    h: &'a dyn Host,
    links: u32,
    how: How,
}

/// The state of the directory the walk is in.
#[derive(Clone, Copy)]
struct Here {
    mount: usize,
    layers: Layers,
}

fn components(path: &[u8]) -> Vec<Vec<u8>> {
    // Reversed, so the next component is popped from the end.
    let mut v: Vec<Vec<u8>> = path
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    v.reverse();
    v
}

/// Canonical directory `cur` with `comps` appended.
fn below<'a, C: AsRef<[u8]> + 'a>(cur: &[u8], comps: impl Iterator<Item = &'a C>) -> Vec<u8> {
    let mut path = Vec::with_capacity(cur.len() + 64);
    path.extend_from_slice(cur);
    for c in comps {
        if path.last() != Some(&b'/') {
            path.push(b'/');
        }
        path.extend_from_slice(c.as_ref());
    }
    path
}

/// `join_rel` in place: relative path `rel` with `name` appended.
fn push_rel(rel: &mut Vec<u8>, name: &[u8]) {
    if !rel.is_empty() {
        rel.push(b'/');
    }
    rel.extend_from_slice(name);
}

/// What the fast path made of the rest of a path.
enum Fast {
    /// The whole path.
    Found(Found),
    /// Nothing: the walk goes on one component at a time.
    GiveUp,
    /// Part of the way (see `Advance`).
    Advance(Advance),
}

/// The first `consumed` components (of the remaining ones, in order) are
/// directories of one layer and lead to `dir`; the next one is looked up
/// the slow way (`node`: its node, when the fast path has it).
struct Advance {
    consumed: usize,
    dir: Vec<u8>,
    dir_here: Here,
    node: Option<Node>,
}

impl Advance {
    /// The walk's directory, its state and the resumed node from here.
    fn resume(self) -> (Vec<u8>, Option<Here>, Option<Option<Node>>) {
        (self.dir, Some(self.dir_here), Some(self.node))
    }
}

impl Walker<'_> {
    fn vfs(&mut self) -> &mut Vfs {
        &mut self.k.vfs
    }

    /// The state of canonical directory `dir`.
    fn here(&mut self, dir: &[u8]) -> Result<Here, Errno> {
        let (m, rel) = self.k.vfs.mount_of(dir).ok_or(Errno::ENOENT)?;
        let layers = if matches!(self.k.vfs.mounts[m].kind, MountKind::Host { .. }) {
            let h = self.h;
            self.vfs().dir_layers(h, m, rel)?
        } else {
            Layers::default()
        };
        Ok(Here { mount: m, layers })
    }

    fn walk(&mut self, start: Vec<u8>, path: &[u8], how: How) -> Result<Found, Errno> {
        let trailing = path.ends_with(b"/");
        let mut cur = start;
        let hs = self.here(&cur)?;
        let mut here = Some(hs);
        let mut last_node: Option<Node> = None;
        // Set when the fast path stopped before the next component: that
        // one is looked up the slow way (with its node, if it has it). Set
        // at first: the fast path is tried here, on the path's own bytes
        // (its components are copied only for a walk that goes on).
        let mut resumed: Option<Option<Node>> = Some(None);
        let comps: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .rev()
            .collect();
        let mut todo = match self.fast(&cur, hs, &comps, how, trailing)? {
            Fast::Found(found) => return Ok(found),
            Fast::GiveUp => comps.iter().map(|c| c.to_vec()).collect::<Vec<_>>(),
            Fast::Advance(a) => {
                let kept = comps.len() - a.consumed;
                (cur, here, resumed) = a.resume();
                comps[..kept].iter().map(|c| c.to_vec()).collect()
            }
        };
        loop {
            if here.is_none() {
                here = Some(self.here(&cur)?);
            }
            let hs = here.ok_or(Errno::EIO)?;
            if resumed.is_none() {
                match self.fast(&cur, hs, &todo, how, trailing)? {
                    Fast::Found(found) => return Ok(found),
                    Fast::GiveUp => {}
                    Fast::Advance(a) => {
                        todo.truncate(todo.len() - a.consumed);
                        (cur, here, resumed) = a.resume();
                        last_node = None;
                        continue;
                    }
                }
            }
            let Some(c) = todo.pop() else {
                break;
            };
            if c == b"." {
                continue;
            }
            if c == b".." {
                if self.how.resolve & R_BENEATH != 0 && cur == self.k.root {
                    return Err(Errno::EXDEV);
                }
                if cur != self.k.root && cur != b"/" {
                    cur = path::parent(&cur).to_vec();
                    here = None;
                    last_node = None;
                }
                continue;
            }
            if c.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
            let is_last = todo.is_empty();
            let child = join(&cur, &c);
            let (m, crel) = self.k.vfs.mount_of(&child).ok_or(Errno::ENOENT)?;
            let crel = crel.to_vec();
            if m != hs.mount && self.how.resolve & R_NO_XDEV != 0 {
                return Err(Errno::EXDEV);
            }
            let node = if let Some(n) = resumed.take().flatten() {
                Some(n)
            } else if m != hs.mount {
                // A mount point: the root of another mount.
                self.mount_root(m)?
            } else {
                self.lookup(m, &cur, hs, &c, &crel)?
            };
            let Some(node) = node else {
                if is_last && how.create {
                    return Ok(Found {
                        path: child,
                        mount: m,
                        rel: crel,
                        node: None,
                        trailing_slash: trailing,
                        statx: None,
                        located_only: false,
                        opened: None,
                    });
                }
                return Err(Errno::ENOENT);
            };
            let follow = !is_last || how.follow || trailing;
            match &node {
                Node::Virt(VNode::Magic { to, .. }) if follow => {
                    if self.how.resolve & (R_NO_MAGICLINKS | R_NO_SYMLINKS) != 0 {
                        return Err(Errno::ELOOP);
                    }
                    if self.how.resolve & (R_BENEATH | R_IN_ROOT) != 0 {
                        return Err(Errno::EXDEV);
                    }
                    self.count_link()?;
                    self.k.vfs.via_magic = true;
                    match to {
                        Magic::Path(p) => {
                            // Magic links jump straight to their target.
                            cur = Vec::from(&b"/"[..]);
                            for comp in components(p) {
                                todo.push(comp);
                            }
                            here = None;
                            last_node = None;
                            continue;
                        }
                        Magic::Fd(fd) => {
                            if !is_last {
                                return Err(Errno::ENOTDIR);
                            }
                            return Ok(Found {
                                path: child,
                                mount: m,
                                rel: crel,
                                node: Some(Node::Reopen(*fd)),
                                trailing_slash: trailing,
                                statx: None,
                                located_only: false,
                                opened: None,
                            });
                        }
                    }
                }
                n if n.is_symlink() && follow => {
                    if self.how.resolve & R_NO_SYMLINKS != 0 {
                        return Err(Errno::ELOOP);
                    }
                    self.count_link()?;
                    let target = self.link_target(m, &crel, n)?;
                    if target.is_empty() {
                        return Err(Errno::ENOENT);
                    }
                    if target[0] == b'/' && self.how.resolve & R_BENEATH != 0 {
                        return Err(Errno::EXDEV);
                    }
                    if target[0] == b'/' {
                        cur = self.k.root.clone();
                        here = None;
                        last_node = None;
                    }
                    // The link's components come before what remains.
                    for comp in components(&target) {
                        todo.push(comp);
                    }
                    continue;
                }
                n => {
                    if !is_last {
                        if !n.is_dir() {
                            return Err(Errno::ENOTDIR);
                        }
                        cur = child;
                        here = Some(self.child_here(m, &node));
                        last_node = Some(node);
                        continue;
                    }
                    if trailing && !n.is_dir() {
                        return Err(Errno::ENOTDIR);
                    }
                    return Ok(Found {
                        path: child,
                        mount: m,
                        rel: crel,
                        node: Some(node),
                        trailing_slash: trailing,
                        statx: None,
                        located_only: false,
                        opened: None,
                    });
                }
            }
        }
        // The path ended at `cur` itself ("/", ".", "..", "dir/.").
        let (m, rel) = self.k.vfs.mount_of(&cur).ok_or(Errno::ENOENT)?;
        let rel = rel.to_vec();
        let node = match last_node {
            Some(n) => n,
            None => {
                let hs = self.here(&cur)?;
                self.stat_dir(hs, m, &rel)?
            }
        };
        Ok(Found {
            path: cur,
            mount: m,
            rel,
            node: Some(node),
            trailing_slash: true,
            statx: None,
            located_only: false,
            opened: None,
        })
    }

    fn count_link(&mut self) -> Result<(), Errno> {
        self.links += 1;
        if self.links > MAX_LINKS {
            Err(Errno::ELOOP)
        } else {
            Ok(())
        }
    }

    fn child_here(&self, m: usize, node: &Node) -> Here {
        Here {
            mount: m,
            layers: match node {
                Node::Host { layers, .. } => *layers,
                _ => Layers::default(),
            },
        }
    }

    /// The node of directory `rel` in state `hs` (for paths ending in ".").
    fn stat_dir(&mut self, hs: Here, m: usize, rel: &[u8]) -> Result<Node, Errno> {
        let mount = self.k.vfs.mounts[m].clone();
        match &mount.kind {
            MountKind::Host { upper, lower, .. } => {
                let _ = (upper, lower);
                let h = self.h;
                let st = if hs.layers.upper && hs.layers.lower {
                    let ls = self.vfs().lstat_in(h, m, false, rel)?;
                    let us = self.vfs().lstat_in(h, m, true, rel)?;
                    super::overlay::merged_stat(&ls, &us)
                } else {
                    let is_upper = hs.layers.upper || lower.is_none();
                    self.vfs().lstat_in(h, m, is_upper, rel)?
                };
                let is_upper = hs.layers.upper;
                Ok(Node::Host {
                    upper: is_upper || hs.layers.upper,
                    st,
                    layers: hs.layers,
                })
            }
            kind => virt::lookup(self.k, self.h, kind, rel)?
                .map(Node::Virt)
                .ok_or(Errno::ENOENT),
        }
    }

    fn mount_root(&mut self, m: usize) -> Result<Option<Node>, Errno> {
        let hs = Here {
            mount: m,
            layers: {
                let h = self.h;
                self.vfs().dir_layers(h, m, b"")?
            },
        };
        self.stat_dir(hs, m, b"").map(Some)
    }

    fn lookup(
        &mut self,
        m: usize,
        cur: &[u8],
        hs: Here,
        name: &[u8],
        crel: &[u8],
    ) -> Result<Option<Node>, Errno> {
        let kind = self.k.vfs.mounts[m].kind.clone();
        match kind {
            MountKind::Host { .. } => {
                let (_, dir_rel) = self.k.vfs.mount_of(cur).ok_or(Errno::ENOENT)?;
                let dir_rel = dir_rel.to_vec();
                let h = self.h;
                Ok(self
                    .vfs()
                    .lookup_host(h, m, &dir_rel, hs.layers, name)?
                    .map(|hit| Node::Host {
                        upper: hit.upper,
                        st: hit.st,
                        layers: hit.layers,
                    }))
            }
            kind => Ok(virt::lookup(self.k, self.h, &kind, crel)?.map(Node::Virt)),
        }
    }

    fn link_target(&mut self, m: usize, rel: &[u8], node: &Node) -> Result<Vec<u8>, Errno> {
        match node {
            Node::Host { upper, .. } => {
                let h = self.h;
                self.vfs().host_readlink(h, m, *upper, rel)
            }
            Node::Virt(VNode::Symlink(t)) => Ok(t.clone()),
            Node::Virt(VNode::Pass { host, .. }) => hostfs::readlink_at(self.h, -100, host),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The rest of the path in one go when it stays in one layer of one
    /// mount: directories come from the dirfd cache (one `openat` of one
    /// name each when cold), the last component is one `fstatat`. Gives up
    /// at `.`/`..`, a mount point or an upper-layer entry; at a symlink it
    /// hands back how far it got (the directories before it, and the
    /// link's node when it is the last component), so the walk follows the
    /// link from there instead of looking at every component again.
    fn fast<C: AsRef<[u8]>>(
        &mut self,
        cur: &[u8],
        hs: Here,
        todo: &[C],
        how: How,
        trailing: bool,
    ) -> Result<Fast, Errno> {
        if todo.is_empty()
            || todo.iter().any(|c| {
                let c = c.as_ref();
                c == b"." || c == b".." || c.len() > NAME_MAX
            })
        {
            return Ok(Fast::GiveUp);
        }
        let m = hs.mount;
        let mount = &self.k.vfs.mounts[m];
        let MountKind::Host { upper, lower, .. } = &mount.kind else {
            return Ok(Fast::GiveUp);
        };
        let (upper, lower) = (upper.is_some(), lower.is_some());
        if self.k.vfs.mount_on_path(cur, todo) {
            return Ok(Fast::GiveUp);
        }
        let (_, dir_rel) = self.k.vfs.mount_of(cur).ok_or(Errno::ENOENT)?;
        let h = self.h;
        let is_upper = match (upper, lower) {
            (true, false) => true,
            (false, true) => false,
            _ if !hs.layers.upper => false,
            _ => {
                // A merged directory: if the upper layer has nothing named
                // like the next component, everything below is lower-only.
                let first = todo[todo.len() - 1].as_ref();
                let ud = self.vfs().upper_dir(h, m, dir_rel)?;
                if ud.opaque || ud.entries.contains_key(first) || !hs.layers.lower {
                    return Ok(Fast::GiveUp);
                }
                false
            }
        };
        let n = todo.len();
        let layers = Layers {
            upper: is_upper,
            lower: !is_upper,
        };
        // The walk can resume in the directory of the first `i` components.
        let advance = |i: usize, node: Option<Node>| {
            if i == 0 && node.is_none() {
                return Fast::GiveUp;
            }
            Fast::Advance(Advance {
                consumed: i,
                dir: below(cur, todo.iter().rev().take(i)),
                dir_here: Here { mount: m, layers },
                node,
            })
        };
        // The directory holding the last component, relative to the mount.
        let names: usize = todo.iter().map(|c| c.as_ref().len() + 1).sum();
        let mut rel = Vec::with_capacity(dir_rel.len() + names);
        rel.extend_from_slice(dir_rel);
        let base = rel.len();
        for c in todo[1..].iter().rev() {
            push_rel(&mut rel, c.as_ref());
        }
        let dfd = match self.k.vfs.dirfds.get(m, is_upper, &rel) {
            // Cached as a whole (the usual case): every directory on the
            // way was one when it was opened.
            Some(fd) => fd,
            None => {
                // One directory at a time, to see where a non-directory
                // stops the path.
                let mut end = base;
                for (i, c) in todo[1..].iter().rev().enumerate() {
                    end += usize::from(end > 0) + c.as_ref().len();
                    match self.vfs().dir_fd(h, m, is_upper, &rel[..end]) {
                        Ok(_) => {}
                        Err(e @ Errno::ENOENT) if !how.create => return Err(e),
                        // Not a directory (a symlink, say): resume before it.
                        Err(_) => return Ok(advance(i, None)),
                    }
                }
                match self.vfs().dir_fd(h, m, is_upper, &rel) {
                    Ok(fd) => fd,
                    Err(_) => return Ok(advance(n - 1, None)),
                }
            }
        };
        let last = todo[0].as_ref();
        push_rel(&mut rel, last);
        let path = below(cur, todo.iter().rev());
        let mut statx = None;
        let mut opened = None;
        let looked = match how.last {
            Last::Open(flags) if !trailing && !how.create => {
                match hostfs::open_name(h, dfd, last, flags | 0o400000 /* O_NOFOLLOW */) {
                    Ok(fd) => h.fstat(fd).inspect(|_| opened = Some(fd)).inspect_err(|_| {
                        let _ = h.close(fd);
                    }),
                    // A symlink: looked at (and followed) as usual.
                    Err(Errno::ELOOP) => hostfs::lstat_at(h, dfd, last),
                    Err(e @ Errno::ENOENT) => Err(e),
                    Err(_) => return Ok(Fast::GiveUp),
                }
            }
            Last::Locate if !how.follow && !trailing && !how.create => {
                return Ok(Fast::Found(Found {
                    path,
                    mount: m,
                    rel,
                    node: Some(Node::Host {
                        upper: is_upper,
                        st: Stat::default(),
                        layers,
                    }),
                    trailing_slash: trailing,
                    statx: None,
                    located_only: true,
                    opened: None,
                }));
            }
            Last::Statx(mask) => statx_at(h, dfd, last, mask).map(|sx| {
                let st = stat_of_statx(&sx);
                statx = Some(alloc::boxed::Box::new(sx));
                st
            }),
            _ => hostfs::lstat_at(h, dfd, last),
        };
        let st = match looked {
            Ok(st) => st,
            Err(Errno::ENOENT) if how.create => {
                return Ok(Fast::Found(Found {
                    path,
                    mount: m,
                    rel,
                    node: None,
                    trailing_slash: trailing,
                    statx: None,
                    located_only: false,
                    opened: None,
                }));
            }
            Err(e @ Errno::ENOENT) => return Err(e),
            Err(_) => return Ok(Fast::GiveUp),
        };
        let kind = st.st_mode & S_IFMT;
        if kind == S_IFLNK && (how.follow || trailing) {
            let node = Node::Host {
                upper: is_upper,
                st,
                layers,
            };
            return Ok(advance(n - 1, Some(node)));
        }
        if trailing && kind != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        Ok(Fast::Found(Found {
            path,
            mount: m,
            rel,
            node: Some(Node::Host {
                upper: is_upper,
                st,
                layers,
            }),
            trailing_slash: trailing,
            statx,
            located_only: false,
            opened,
        }))
    }
}

/// The host's statx of `name` in directory `dfd`, not following, with
/// `mask` and the basic stats.
fn statx_at(h: &dyn Host, dfd: i32, name: &[u8], mask: u32) -> Result<Statx, Errno> {
    let mut sx = Statx::default();
    let name = hostfs::cpath(name);
    h.syscall(
        lx_abi::syscalls::nr::statx,
        [
            dfd as u64,
            name.as_ptr() as u64,
            u64::from(hostfs::NOFOLLOW),
            u64::from(mask | lx_abi::structs::statx_mask::STATX_BASIC_STATS),
            zerocopy::IntoBytes::as_mut_bytes(&mut sx).as_mut_ptr() as u64,
            0,
        ],
    )?;
    Ok(sx)
}

/// What stat(2) reports for the file a statx describes (the kernel's
/// cp_new_stat, from the same inode attributes).
pub fn stat_of_statx(sx: &Statx) -> Stat {
    let dev = |major: u32, minor: u32| {
        u64::from(minor & 0xff) | (u64::from(major) << 8) | (u64::from(minor & !0xff) << 12)
    };
    Stat {
        st_dev: dev(sx.stx_dev_major, sx.stx_dev_minor),
        st_ino: sx.stx_ino,
        st_nlink: u64::from(sx.stx_nlink),
        st_mode: u32::from(sx.stx_mode),
        st_uid: sx.stx_uid,
        st_gid: sx.stx_gid,
        st_rdev: dev(sx.stx_rdev_major, sx.stx_rdev_minor),
        st_size: sx.stx_size as i64,
        st_blksize: i64::from(sx.stx_blksize),
        st_blocks: sx.stx_blocks as i64,
        st_atime: sx.stx_atime.tv_sec,
        st_atime_nsec: i64::from(sx.stx_atime.tv_nsec),
        st_mtime: sx.stx_mtime.tv_sec,
        st_mtime_nsec: i64::from(sx.stx_mtime.tv_nsec),
        st_ctime: sx.stx_ctime.tv_sec,
        st_ctime_nsec: i64::from(sx.stx_ctime.tv_nsec),
        ..Stat::default()
    }
}

/// The host fd of the layer an entry lives in.
pub fn layer_fd(vfs: &Vfs, m: usize, upper: bool) -> Result<i32, Errno> {
    match &vfs.mounts[m].kind {
        MountKind::Host { upper: Some(u), .. } if upper => Ok(*u),
        MountKind::Host { lower: Some(l), .. } if !upper => Ok(*l),
        _ => Err(Errno::EIO),
    }
}
