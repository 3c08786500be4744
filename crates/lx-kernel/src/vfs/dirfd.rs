//! A cache of host O_PATH fds for directories lx has walked, so a lookup in
//! a warm directory is one host call on one name (`fstatat(dirfd, name,
//! AT_SYMLINK_NOFOLLOW)`): single-component lookups relative to a directory
//! lx reached by its own confined walk cannot leave the layer.
//!
//! Lower layers are never written by lx, so their entries stay valid;
//! upper-layer entries are dropped whenever an upper layer changes.

use super::Vfs;
use super::path::split_rel;
use crate::host::{Host, HostFd};
use crate::hostfs;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::Stat;

/// Directories kept open per process.
pub const CAPACITY: usize = 128;

/// Key: (mount, upper layer?, path relative to the mount).
pub type Key = (usize, bool, Vec<u8>);

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
        let key: Key = (m, upper, rel.to_vec());
        if let Some(fd) = self.dirfds.get(&key) {
            return Ok(*fd);
        }
        let (parent, name) = split_rel(rel);
        let pfd = self.dir_fd(h, m, upper, parent)?;
        // O_PATH | O_DIRECTORY | O_NOFOLLOW: a symlink or a file fails.
        let fd = hostfs::open_name(h, pfd, name, 0o10000000 | 0o200000 | 0o400000)?;
        if self.dirfds.len() >= CAPACITY {
            self.evict(h);
        }
        self.dirfd_order.push_back(key.clone());
        self.dirfds.insert(key, fd);
        Ok(fd)
    }

    fn evict(&mut self, h: &dyn Host) {
        while let Some(k) = self.dirfd_order.pop_front() {
            if let Some(fd) = self.dirfds.remove(&k) {
                let _ = h.close(fd);
                return;
            }
        }
    }

    /// Close the cached fds of upper layers (after they changed).
    pub fn drop_upper_dirfds(&mut self, h: &dyn Host) {
        let keys: Vec<Key> = self.dirfds.keys().filter(|k| k.1).cloned().collect();
        for k in keys {
            if let Some(fd) = self.dirfds.remove(&k) {
                let _ = h.close(fd);
            }
        }
        self.dirfd_order.retain(|k| !k.1);
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
