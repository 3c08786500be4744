//! lx's virtual file system: the mount table, path resolution done by lx
//! itself, overlays over host directories, and lx's own filesystems.
//!
//! Paths inside lx are canonical absolute byte strings ("/", "/usr/bin"),
//! free of symlinks, `.` and `..`: the resolver ([`walk`]) turns any guest
//! path into one, following symlinks (its own and the host's) component by
//! component, never above the process root and never out of a mount's
//! layers. Host directories are reached only through the layer fds the
//! supervisor opened, with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`
//! underneath ([`crate::hostfs`]).

pub mod dirfd;
pub mod overlay;
pub mod path;
pub mod pathmap;
pub mod procmem;
pub mod virt;
pub mod walk;

#[cfg(test)]
mod tests;

use crate::host::HostFd;
use alloc::vec::Vec;

pub use walk::{Found, Node};

/// What a mount serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// Host directories. `upper` takes writes (None: read-only); `lower` is
    /// a read-only layer under it (None: no overlay). Both present: an
    /// overlay with copy-up and whiteouts.
    Host {
        upper: Option<HostFd>,
        lower: Option<HostFd>,
        /// Filesystem type shown in /proc/mounts ("ext4", "tmpfs"...).
        fstype: Vec<u8>,
    },
    /// lx's procfs.
    Proc,
    /// lx's sysfs.
    Sys,
    /// lx's devfs (device nodes lx serves, symlinks into /proc/self).
    Dev,
    /// lx's debugfs (/sys/kernel/debug): live syscall statistics.
    Debug,
}

/// One mount.
#[derive(Clone, Debug)]
pub struct Mount {
    /// Canonical guest path of the mount point ("/" for the root).
    pub point: Vec<u8>,
    pub kind: MountKind,
    /// The "device" column of /proc/mounts.
    pub source: Vec<u8>,
    /// Mount id (mountinfo, statx).
    pub id: u32,
    /// Host paths of its layer directories (to show host paths, e.g. of
    /// mapped files, as guest paths).
    pub host_dirs: Vec<Vec<u8>>,
}

impl Mount {
    /// The layer fd that serves reads at this mount when no overlay is
    /// involved: the upper (rw) or the lower (ro) directory.
    pub fn single_layer(&self) -> Option<HostFd> {
        match &self.kind {
            MountKind::Host { upper, lower, .. } => match (upper, lower) {
                (Some(u), None) => Some(*u),
                (None, Some(l)) => Some(*l),
                _ => None,
            },
            _ => None,
        }
    }
    pub fn is_overlay(&self) -> bool {
        matches!(
            self.kind,
            MountKind::Host {
                upper: Some(_),
                lower: Some(_),
                ..
            }
        )
    }
    pub fn read_only(&self) -> bool {
        matches!(self.kind, MountKind::Host { upper: None, .. })
    }
    pub fn fstype(&self) -> &[u8] {
        match &self.kind {
            MountKind::Host { fstype, .. } => fstype,
            MountKind::Proc => b"proc",
            MountKind::Sys => b"sysfs",
            MountKind::Dev => b"devtmpfs",
            MountKind::Debug => b"debugfs",
        }
    }
}

/// The mount table and the overlay caches of one process. (A clone names
/// the same host fds: it serves a process holding a copy of this one's fd
/// table, as a vfork helper does.)
#[derive(Clone, Debug, Default)]
pub struct Vfs {
    pub mounts: Vec<Mount>,
    /// Upper-layer directory listings of overlay mounts, by (mount, rel dir).
    pub(crate) upper: pathmap::PathMap<overlay::UpperDir>,
    /// The run's filesystem generation these caches were filled at.
    pub(crate) generation: u64,
    /// Host uid/gid whose files the guest sees as its own ids.
    pub host_ids: (u32, u32),
    /// Open directory fds by (mount, upper?, rel), and their age order.
    pub(crate) dirfds: dirfd::DirFds,
    pub(crate) dirfd_order: alloc::collections::VecDeque<dirfd::Key>,
    /// Cached fds forgotten during an operation, closed at the next lookup.
    pub(crate) graveyard: Vec<HostFd>,
    /// A thread's own cache (not the process's first thread): smaller.
    pub(crate) small_cache: bool,
    /// Set when the last walk went through a /proc magic link (its result
    /// depends on fds and cwds, which change without the fs generation).
    pub(crate) via_magic: bool,
}

impl Vfs {
    pub fn new(mounts: Vec<Mount>) -> Self {
        Vfs {
            mounts,
            ..Vfs::default()
        }
    }

    /// The same mounts with empty caches, for a new thread (caches hold
    /// host fds each thread opens and closes itself).
    pub fn for_thread(&self) -> Self {
        Vfs {
            mounts: self.mounts.clone(),
            host_ids: self.host_ids,
            small_cache: true,
            ..Vfs::default()
        }
    }

    /// How many directory fds this cache keeps open.
    pub(crate) fn capacity(&self) -> usize {
        if self.small_cache {
            dirfd::CAPACITY / 8
        } else {
            dirfd::CAPACITY
        }
    }

    /// Close every cached host fd (the thread owning them is ending).
    pub fn close_caches(&mut self, host: &dyn crate::host::Host) {
        for fd in self
            .dirfds
            .values()
            .chain(self.graveyard.drain(..))
            .collect::<Vec<_>>()
        {
            let _ = host.close(fd);
        }
        self.dirfds.clear();
        self.dirfd_order.clear();
        self.upper.clear();
    }

    /// The mount serving canonical `path` and the path relative to it
    /// ("" for the mount point itself).
    pub fn mount_of<'p>(&self, path: &'p [u8]) -> Option<(usize, &'p [u8])> {
        let mut best: Option<(usize, &'p [u8])> = None;
        for (i, m) in self.mounts.iter().enumerate() {
            if let Some(rest) = path::strip_prefix(path, &m.point)
                && best.is_none_or(|(b, _)| m.point.len() >= self.mounts[b].point.len())
            {
                best = Some((i, rest));
            }
        }
        best
    }

    /// A host path as the guest sees it (the host path itself if no layer
    /// holds it).
    pub fn host_to_guest(&self, host: &[u8], root: &[u8]) -> Vec<u8> {
        let mut result = host.to_vec();
        let mut best_len = 0usize;
        for m in &self.mounts {
            for d in &m.host_dirs {
                if let Some(rest) = path::strip_prefix(host, d)
                    && d.len() >= best_len
                {
                    best_len = d.len();
                    result = if rest.is_empty() {
                        m.point.clone()
                    } else {
                        path::join(&m.point, rest)
                    };
                }
            }
        }
        path::visible(&result, root)
    }

    /// Does walking `todo` (components, next one last) from canonical
    /// directory `dir` cross a mount point?
    pub fn mount_on_path<C: AsRef<[u8]>>(&self, dir: &[u8], todo: &[C]) -> bool {
        self.mounts.iter().any(|m| {
            if m.point == dir {
                return false;
            }
            let Some(rest) = path::strip_prefix(&m.point, dir) else {
                return false;
            };
            let mut want = todo.iter().rev();
            rest.split(|&b| b == b'/')
                .all(|c| want.next().is_some_and(|w| w.as_ref() == c))
        })
    }

    /// Is there a mount point strictly below canonical directory `dir`?
    pub fn has_mount_below(&self, dir: &[u8]) -> bool {
        self.mounts
            .iter()
            .any(|m| m.point != dir && path::strip_prefix(&m.point, dir).is_some())
    }
}
