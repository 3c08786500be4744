//! A cache of host O_PATH fds for directories lx has walked, so a lookup in
//! a warm directory is one host call on one name (`fstatat(dirfd, name,
//! AT_SYMLINK_NOFOLLOW)`): single-component lookups relative to a directory
//! lx reached by its own confined walk cannot leave the layer.
//!
//! Lower layers are never written by lx, so their entries stay valid;
//! upper-layer entries are dropped whenever an upper layer changes.

use super::Vfs;
use super::path::split_rel;
use super::pathmap::PathMap;
use crate::host::{Host, HostFd};
use crate::hostfs;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::Stat;

/// Directories kept open per process.
pub const CAPACITY: usize = 128;

/// Key: (mount, upper layer?, path relative to the mount).
pub type Key = (usize, bool, Vec<u8>);

/// The cached fds, per layer (lower, upper).
#[derive(Clone, Debug, Default)]
pub struct DirFds([PathMap<HostFd>; 2]);

impl DirFds {
    pub fn get(&self, m: usize, upper: bool, rel: &[u8]) -> Option<HostFd> {
        self.0[usize::from(upper)].get(m, rel).copied()
    }
    /// Insert; the fd the key held before, if any.
    fn insert(&mut self, (m, upper, rel): Key, fd: HostFd) -> Option<HostFd> {
        self.0[usize::from(upper)].insert(m, rel, fd)
    }
    fn remove(&mut self, (m, upper, rel): &Key) -> Option<HostFd> {
        self.0[usize::from(*upper)].remove(*m, rel)
    }
    pub(crate) fn len(&self) -> usize {
        self.0[0].len() + self.0[1].len()
    }
    pub fn values(&self) -> impl Iterator<Item = HostFd> + '_ {
        self.0.iter().flat_map(PathMap::values).copied()
    }
    pub fn clear(&mut self) {
        self.0.iter_mut().for_each(PathMap::clear);
    }
    /// Forget the upper layers' fds, handing them back.
    fn take_upper(&mut self) -> Vec<HostFd> {
        self.0[1].drain().collect()
    }
}

impl Vfs {
    /// The root fd of a layer.
    pub fn layer_root(&self, m: usize, upper: bool) -> Result<HostFd, Errno> {
        super::walk::layer_fd(self, m, upper)
    }

    /// An O_PATH fd of directory `rel` in a layer of mount `m`, opened one
    /// component at a time below the layer root (cached).
    pub fn dir_fd(
        &mut self,
        h: &dyn Host,
        m: usize,
        upper: bool,
        rel: &[u8],
    ) -> Result<HostFd, Errno> {
        if rel.is_empty() {
            return self.layer_root(m, upper);
        }
        if let Some(fd) = self.dirfds.get(m, upper, rel) {
            return Ok(fd);
        }
        // The longest cached ancestor, then one name at a time downwards
        // (iterative: guest paths can be thousands of components deep).
        let mut cut = rel.len();
        let mut fd = loop {
            match rel[..cut].iter().rposition(|&b| b == b'/') {
                Some(i) => {
                    cut = i;
                    if let Some(fd) = self.dirfds.get(m, upper, &rel[..cut]) {
                        break fd;
                    }
                }
                None => {
                    cut = 0;
                    break self.layer_root(m, upper)?;
                }
            }
        };
        let mut start = if cut == 0 { 0 } else { cut + 1 };
        while start <= rel.len() {
            let end = rel[start..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(rel.len(), |i| start + i);
            let name = &rel[start..end];
            // O_PATH | O_DIRECTORY | O_NOFOLLOW: a symlink or a file fails.
            let next = hostfs::open_name(h, fd, name, 0o10000000 | 0o200000 | 0o400000)?;
            if self.dirfds.len() >= self.capacity() {
                self.evict(h);
            }
            let k: Key = (m, upper, rel[..end].to_vec());
            self.dirfd_order.push_back(k.clone());
            if let Some(old) = self.dirfds.insert(k, next) {
                self.graveyard.push(old);
            }
            fd = next;
            start = end + 1;
        }
        Ok(fd)
    }

    fn evict(&mut self, _h: &dyn Host) {
        while let Some(k) = self.dirfd_order.pop_front() {
            if let Some(fd) = self.dirfds.remove(&k) {
                // Closed at the next lookup: the current operation may
                // still hold it.
                self.graveyard.push(fd);
                return;
            }
        }
    }

    /// Forget the cached fds of writable layers (after they changed).
    pub fn drop_upper_dirfds(&mut self, _h: &dyn Host) {
        let fds = self.dirfds.take_upper();
        self.graveyard.extend(fds);
        self.dirfd_order.retain(|k| !k.1);
    }

    /// Close the fds forgotten since the last lookup.
    pub fn reap(&mut self, h: &dyn Host) {
        for fd in self.graveyard.drain(..) {
            let _ = h.close(fd);
        }
    }

    /// The directory fd and name under which `rel` lives in a layer ("" for
    /// the layer root itself, to be used with AT_EMPTY_PATH).
    pub fn at<'r>(
        &mut self,
        h: &dyn Host,
        m: usize,
        upper: bool,
        rel: &'r [u8],
    ) -> Result<(HostFd, &'r [u8]), Errno> {
        if rel.is_empty() {
            return Ok((self.layer_root(m, upper)?, rel));
        }
        let (parent, name) = split_rel(rel);
        Ok((self.dir_fd(h, m, upper, parent)?, name))
    }

    /// lstat of `rel` in a layer, through the cache.
    pub fn lstat_in(
        &mut self,
        h: &dyn Host,
        m: usize,
        upper: bool,
        rel: &[u8],
    ) -> Result<Stat, Errno> {
        let (fd, name) = self.at(h, m, upper, rel)?;
        hostfs::lstat_at(h, fd, name)
    }
}

/// Host operations on entries of a layer, each done as one name below the
/// parent's directory fd (reached by lx's no-follow chain from the layer
/// root), never as a multi-component path the host would resolve.
impl Vfs {
    pub fn host_mkdir(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        mode: u32,
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        hostfs::mkdir_at(h, fd, name, mode)
    }
    pub fn host_unlink(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        if name.is_empty() {
            return Err(Errno::EBUSY);
        }
        hostfs::unlink_at(h, fd, name, flags)
    }
    pub fn host_rename(
        &mut self,
        h: &dyn Host,
        m: usize,
        old: &[u8],
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let (ofd, oname) = self.at(h, m, true, old)?;
        let (nfd, nname) = self.at(h, m, true, new)?;
        if oname.is_empty() || nname.is_empty() {
            return Err(Errno::EBUSY);
        }
        hostfs::rename_at(h, ofd, oname, nfd, nname, flags)
    }
    pub fn host_link(
        &mut self,
        h: &dyn Host,
        m: usize,
        old_upper: bool,
        old: &[u8],
        new: &[u8],
    ) -> Result<(), Errno> {
        let (ofd, oname) = self.at(h, m, old_upper, old)?;
        let (nfd, nname) = self.at(h, m, true, new)?;
        if oname.is_empty() || nname.is_empty() {
            return Err(Errno::EPERM);
        }
        hostfs::link_at(h, ofd, oname, nfd, nname)
    }
    pub fn host_symlink(
        &mut self,
        h: &dyn Host,
        target: &[u8],
        m: usize,
        rel: &[u8],
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        hostfs::symlink_at(h, target, fd, name)
    }
    pub fn host_mknod(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        mode: u32,
        dev: u64,
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        hostfs::mknod_at(h, fd, name, mode, dev)
    }
    pub fn host_readlink(
        &mut self,
        h: &dyn Host,
        m: usize,
        upper: bool,
        rel: &[u8],
    ) -> Result<Vec<u8>, Errno> {
        let (fd, name) = self.at(h, m, upper, rel)?;
        hostfs::readlink_at(h, fd, name)
    }
    /// chmod of an entry (not following a final symlink: lx resolved it).
    pub fn host_chmod(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        mode: u32,
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        if name.is_empty() {
            let f = hostfs::open_beneath(h, fd, b"", 0o10000000, 0)?;
            let p = alloc::format!("/proc/self/fd/{f}");
            let r = hostfs::fchmod_at(h, -100, p.as_bytes(), mode);
            let _ = h.close(f);
            return r;
        }
        let f = hostfs::open_name(h, fd, name, 0o10000000 | 0o400000)?;
        let p = alloc::format!("/proc/self/fd/{f}");
        let r = hostfs::fchmod_at(h, -100, p.as_bytes(), mode);
        let _ = h.close(f);
        r
    }
    pub fn host_utimens(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        times: Option<&[lx_abi::structs::Timespec; 2]>,
    ) -> Result<(), Errno> {
        let (fd, name) = self.at(h, m, true, rel)?;
        if name.is_empty() {
            return hostfs::utimens_at(h, fd, b"", times, hostfs::EMPTY_PATH);
        }
        hostfs::utimens_at(h, fd, name, times, hostfs::NOFOLLOW)
    }
}
