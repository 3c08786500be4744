//! Overlays of host directories: a read-only lower layer under a writable
//! upper one, as Linux's overlayfs does it. Writes copy a file up first;
//! deletes of lower entries leave a whiteout (`.wh.NAME`, the aufs
//! spelling, so the upper directory needs no device nodes and no root);
//! a directory recreated over a whiteout is marked opaque (`.wh..wh..opq`).
//! Listings merge both layers.
//!
//! Upper directory listings are cached per process and dropped whenever the
//! run's filesystem generation (a counter in the shared page) moved, so
//! every process of a run sees one overlay.

use super::Vfs;
use super::path::{join_rel, split_rel};
use crate::host::{Host, HostFd};
use crate::hostfs;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::structs::{DT_DIR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, Stat, Timespec};

/// Prefix of whiteout entries in the upper layer.
pub const WH_PREFIX: &[u8] = b".wh.";
/// The opaque-directory marker.
pub const OPAQUE: &[u8] = b".wh..wh..opq";
/// Name of a copy-up in progress (hidden: it starts with the whiteout prefix).
const COPYUP_TMP: &[u8] = b".wh..wh..lx-copyup";

/// A cached upper-layer directory.
#[derive(Clone, Debug, Default)]
pub struct UpperDir {
    pub exists: bool,
    pub opaque: bool,
    pub entries: BTreeMap<Vec<u8>, Entry>,
}

/// One upper-layer entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Whiteout,
    Present(u8),
}

/// Which layers hold a directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layers {
    pub upper: bool,
    pub lower: bool,
}

/// A directory entry found in a host-backed mount.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub st: Stat,
    /// Found in the upper layer (the writable one).
    pub upper: bool,
    /// For directories: the layers holding it.
    pub layers: Layers,
}

fn dtype_of(mode: u32) -> u8 {
    ((mode & S_IFMT) >> 12) as u8
}

fn is_dir(st: &Stat) -> bool {
    st.st_mode & S_IFMT == S_IFDIR
}

fn wh_name(name: &[u8]) -> Vec<u8> {
    let mut v = Vec::from(WH_PREFIX);
    v.extend_from_slice(name);
    v
}

impl Vfs {
    fn layers_fds(&self, m: usize) -> (Option<HostFd>, Option<HostFd>) {
        match &self.mounts[m].kind {
            super::MountKind::Host { upper, lower, .. } => (*upper, *lower),
            _ => (None, None),
        }
    }

    /// Drop cached listings if another process changed an upper layer.
    pub fn sync_generation(&mut self, h: &dyn Host) {
        let g = h.fs_generation();
        if g != self.generation {
            self.upper.clear();
            self.drop_upper_dirfds(h);
            self.generation = g;
        }
    }

    /// Note a change made by this process to an upper layer.
    fn changed(&mut self, h: &dyn Host) {
        let g = h.bump_fs_generation();
        if g.wrapping_sub(1) != self.generation {
            self.upper.clear();
        }
        self.drop_upper_dirfds(h);
        self.generation = g;
    }

    /// The cached upper listing of directory `rel` of overlay mount `m`.
    pub fn upper_dir(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<&UpperDir, Errno> {
        if !self.upper.contains(m, rel) {
            let (Some(upper), _) = self.layers_fds(m) else {
                return Err(Errno::EROFS);
            };
            let d = load_upper(h, upper, rel)?;
            self.upper.insert(m, rel.to_vec(), d);
        }
        self.upper.get(m, rel).ok_or(Errno::EIO)
    }

    /// The layers holding directory `rel` of mount `m` (computed from the
    /// mount root; cheap once the upper listings are cached).
    pub fn dir_layers(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<Layers, Errno> {
        let (upper, lower) = self.layers_fds(m);
        if !self.mounts[m].is_overlay() {
            return Ok(Layers {
                upper: upper.is_some(),
                lower: lower.is_some(),
            });
        }
        let mut l = Layers {
            upper: true,
            lower: true,
        };
        if rel.is_empty() {
            return Ok(l);
        }
        let mut so_far: Vec<u8> = Vec::new();
        for c in rel.split(|&b| b == b'/') {
            let child = join_rel(&so_far, c);
            if l.upper {
                let ud = self.upper_dir(h, m, &so_far)?;
                let opaque = ud.opaque;
                match ud.entries.get(c).copied() {
                    Some(Entry::Whiteout) => return Err(Errno::ENOENT),
                    Some(Entry::Present(_)) => {
                        l.lower = l.lower && !opaque;
                    }
                    None => {
                        l.upper = false;
                        l.lower = l.lower && !opaque;
                    }
                }
            }
            so_far = child;
        }
        if l.upper {
            let opaque = self.upper_dir(h, m, rel)?.opaque;
            if l.lower && !opaque {
                let lower = lower.ok_or(Errno::EIO)?;
                let _ = lower;
                l.lower = self.lstat_in(h, m, false, rel).is_ok_and(|st| is_dir(&st));
            } else {
                l.lower = false;
            }
        }
        Ok(l)
    }

    /// Look `name` up in directory `dir` (held by layers `dl`) of host mount `m`.
    pub fn lookup_host(
        &mut self,
        h: &dyn Host,
        m: usize,
        dir: &[u8],
        dl: Layers,
        name: &[u8],
    ) -> Result<Option<Hit>, Errno> {
        let (upper, lower) = self.layers_fds(m);
        let child = join_rel(dir, name);
        if !self.mounts[m].is_overlay() {
            let (fd, is_upper) = match (upper, lower) {
                (Some(u), _) => (u, true),
                (None, Some(l)) => (l, false),
                _ => return Err(Errno::EIO),
            };
            let _ = fd;
            return match self.lstat_in(h, m, is_upper, &child) {
                Ok(st) => Ok(Some(Hit {
                    st,
                    upper: is_upper,
                    layers: Layers {
                        upper: upper.is_some(),
                        lower: lower.is_some(),
                    },
                })),
                Err(Errno::ENOENT) => Ok(None),
                Err(e) => Err(e),
            };
        }
        let (upper, lower) = (upper.ok_or(Errno::EIO)?, lower.ok_or(Errno::EIO)?);
        let mut lower_ok = dl.lower;
        if dl.upper {
            let ud = self.upper_dir(h, m, dir)?;
            lower_ok = lower_ok && !ud.opaque;
            match ud.entries.get(name).copied() {
                Some(Entry::Whiteout) => return Ok(None),
                Some(Entry::Present(_)) => {
                    let _ = upper;
                    let st = match self.lstat_in(h, m, true, &child) {
                        Ok(st) => st,
                        Err(Errno::ENOENT) => {
                            // Changed behind the cache's back: reload next time.
                            self.upper.remove(m, dir);
                            return Ok(None);
                        }
                        Err(e) => return Err(e),
                    };
                    let mut layers = Layers {
                        upper: true,
                        lower: false,
                    };
                    let mut st = st;
                    if is_dir(&st) && lower_ok {
                        let opaque = self.upper_dir(h, m, &child)?.opaque;
                        if !opaque
                            && let Ok(ls) = self.lstat_in(h, m, false, &child)
                            && is_dir(&ls)
                        {
                            // A merged directory shows its lower attributes,
                            // as the directory the guest started with.
                            layers.lower = true;
                            st = ls;
                        }
                    }
                    return Ok(Some(Hit {
                        st,
                        upper: true,
                        layers,
                    }));
                }
                None => {}
            }
        }
        if !lower_ok {
            return Ok(None);
        }
        let _ = lower;
        match self.lstat_in(h, m, false, &child) {
            Ok(st) => Ok(Some(Hit {
                st,
                upper: false,
                layers: Layers {
                    upper: false,
                    lower: true,
                },
            })),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Merged listing of directory `rel` of mount `m`: (name, d_type, ino).
    pub fn list_host(
        &mut self,
        h: &dyn Host,
        m: usize,
        rel: &[u8],
        dl: Layers,
    ) -> Result<Vec<(Vec<u8>, u8, u64)>, Errno> {
        let (upper, lower) = self.layers_fds(m);
        let mut out = Vec::new();
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut opaque = false;
        if dl.upper
            && let Some(u) = upper
        {
            let fd = hostfs::open_beneath(h, u, rel, 0o200000, 0)?;
            let r = hostfs::read_dir(h, fd);
            let _ = h.close(fd);
            for (name, t, ino) in r? {
                if name == OPAQUE {
                    opaque = true;
                } else if let Some(n) = name.strip_prefix(WH_PREFIX) {
                    seen.insert(n.to_vec());
                } else {
                    seen.insert(name.clone());
                    out.push((name, t, ino));
                }
            }
        }
        if dl.lower
            && !opaque
            && let Some(l) = lower
        {
            let fd = hostfs::open_beneath(h, l, rel, 0o200000, 0)?;
            let r = hostfs::read_dir(h, fd);
            let _ = h.close(fd);
            for (name, t, ino) in r? {
                if !seen.contains(&name) {
                    out.push((name, t, ino));
                }
            }
        }
        Ok(out)
    }

    /// Make directory `rel` exist in the upper layer of overlay `m` (copying
    /// up each missing ancestor with its mode and times).
    pub fn ensure_upper_dir(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        if rel.is_empty() || self.upper_dir(h, m, rel)?.exists {
            return Ok(());
        }
        // From the top down (iteratively: paths can be very deep).
        let mut end = 0;
        while end < rel.len() {
            end = rel[end..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(rel.len(), |i| end + i);
            let cur = &rel[..end];
            if !self.upper_dir(h, m, cur)?.exists {
                self.make_upper_dir(h, m, cur)?;
            }
            end += 1;
        }
        Ok(())
    }

    /// Create directory `rel` (whose parent exists) in the upper layer with
    /// its lower counterpart's mode and times.
    fn make_upper_dir(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        let (parent, name) = split_rel(rel);
        let (Some(_), lower) = self.layers_fds(m) else {
            return Err(Errno::EROFS);
        };
        let st = lower.and_then(|_| self.lstat_in(h, m, false, rel).ok());
        let mode = st.map_or(0o755, |s| s.st_mode & 0o7777);
        match self.host_mkdir(h, m, rel, mode) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(e),
        }
        if let Some(st) = st {
            let _ = self.host_chmod(h, m, rel, mode);
            let _ = self.host_utimens(h, m, rel, Some(&times(&st)));
        }
        self.note_entry(m, parent, name, Some(Entry::Present(DT_DIR)));
        self.upper.insert(
            m,
            rel.to_vec(),
            UpperDir {
                exists: true,
                opaque: false,
                entries: BTreeMap::new(),
            },
        );
        self.changed(h);
        // The parent's time changed by the mkdir: keep its lower one.
        if let Ok(pst) = self.lstat_in(h, m, false, parent) {
            let _ = self.host_utimens(h, m, parent, Some(&times(&pst)));
        }
        Ok(())
    }

    fn note_entry(&mut self, m: usize, dir: &[u8], name: &[u8], e: Option<Entry>) {
        if let Some(d) = self.upper.get_mut(m, dir) {
            match e {
                Some(e) => {
                    d.entries.insert(name.to_vec(), e);
                }
                None => {
                    d.entries.remove(name);
                }
            }
        }
    }

    /// Copy `rel` (a lower-layer entry) up into the upper layer of `m`.
    pub fn copy_up(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        let (parent, name) = split_rel(rel);
        self.ensure_upper_dir(h, m, parent)?;
        let (Some(upper), Some(lower)) = self.layers_fds(m) else {
            return Err(Errno::EROFS);
        };
        let st = self.lstat_in(h, m, false, rel)?;
        let mode = st.st_mode & 0o7777;
        match st.st_mode & S_IFMT {
            S_IFREG => {
                let tmp = join_rel(parent, COPYUP_TMP);
                let _ = self.host_unlink(h, m, &tmp, 0);
                let src = hostfs::open_beneath(h, lower, rel, 0, 0)?;
                let dst = match hostfs::open_beneath(h, upper, &tmp, 0o1 | 0o100 | 0o200, 0o600) {
                    Ok(fd) => fd,
                    Err(e) => {
                        let _ = h.close(src);
                        return Err(e);
                    }
                };
                let r = hostfs::copy_all(h, src, dst)
                    .and_then(|()| hostfs::fchmod(h, dst, mode))
                    .and_then(|()| hostfs::futimens(h, dst, Some(&times(&st))));
                let _ = h.close(src);
                let _ = h.close(dst);
                if let Err(e) = r.and_then(|()| self.host_rename(h, m, &tmp, rel, 0)) {
                    let _ = self.host_unlink(h, m, &tmp, 0);
                    return Err(e);
                }
            }
            S_IFLNK => {
                let target = self.host_readlink(h, m, false, rel)?;
                self.host_symlink(h, &target, m, rel)?;
            }
            S_IFDIR => {
                return self.ensure_upper_dir(h, m, rel);
            }
            S_IFIFO => self.host_mknod(h, m, rel, S_IFIFO | mode, 0)?,
            _ => return Err(Errno::EPERM),
        }
        self.note_entry(m, parent, name, Some(Entry::Present(dtype_of(st.st_mode))));
        self.changed(h);
        Ok(())
    }

    /// Hide lower entry `rel` of overlay `m` behind a whiteout.
    pub fn whiteout(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        let (parent, name) = split_rel(rel);
        self.ensure_upper_dir(h, m, parent)?;
        let (Some(upper), _) = self.layers_fds(m) else {
            return Err(Errno::EROFS);
        };
        let wh = join_rel(parent, &wh_name(name));
        let fd = hostfs::open_beneath(h, upper, &wh, 0o1 | 0o100, 0)?;
        let _ = h.close(fd);
        self.note_entry(m, parent, name, Some(Entry::Whiteout));
        self.changed(h);
        Ok(())
    }

    /// Remove a whiteout for `rel` if there is one; true if there was.
    pub fn clear_whiteout(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<bool, Errno> {
        if !self.mounts[m].is_overlay() {
            return Ok(false);
        }
        let (parent, name) = split_rel(rel);
        let had = self
            .upper_dir(h, m, parent)?
            .entries
            .get(name)
            .is_some_and(|e| *e == Entry::Whiteout);
        if had {
            let (Some(_), _) = self.layers_fds(m) else {
                return Err(Errno::EROFS);
            };
            self.host_unlink(h, m, &join_rel(parent, &wh_name(name)), 0)?;
            self.note_entry(m, parent, name, None);
            self.changed(h);
        }
        Ok(had)
    }

    /// Mark upper directory `rel` opaque (it replaced a deleted lower one).
    pub fn set_opaque(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        let (Some(upper), _) = self.layers_fds(m) else {
            return Err(Errno::EROFS);
        };
        let fd = hostfs::open_beneath(h, upper, &join_rel(rel, OPAQUE), 0o1 | 0o100, 0)?;
        let _ = h.close(fd);
        if let Some(d) = self.upper.get_mut(m, rel) {
            d.opaque = true;
        }
        self.changed(h);
        Ok(())
    }

    /// Remove the whiteouts and opaque marker an upper directory holds
    /// (before it is removed itself).
    pub fn clear_dir_markers(&mut self, h: &dyn Host, m: usize, rel: &[u8]) -> Result<(), Errno> {
        let (Some(upper), _) = self.layers_fds(m) else {
            return Ok(());
        };
        let fd = hostfs::open_beneath(h, upper, rel, 0o200000, 0)?;
        let r = hostfs::read_dir(h, fd);
        let _ = h.close(fd);
        for (name, _, _) in r? {
            if name.starts_with(WH_PREFIX) {
                self.host_unlink(h, m, &join_rel(rel, &name), 0)?;
            }
        }
        self.upper.remove(m, rel);
        Ok(())
    }

    /// A directory moved: every cached listing and directory fd below it is
    /// stale (listings are keyed by path).
    pub fn dir_renamed(&mut self, h: &dyn Host) {
        self.upper.clear();
        self.changed(h);
    }

    /// Note that entry `rel` was created in (Some) or removed from (None)
    /// the upper layer by a direct host call.
    pub fn note_upper(&mut self, h: &dyn Host, m: usize, rel: &[u8], dtype: Option<u8>) {
        if !self.mounts[m].is_overlay() {
            // A writable single-layer mount: its cached directory fds may
            // name what just changed.
            self.changed(h);
            return;
        }
        let (parent, name) = split_rel(rel);
        self.note_entry(m, parent, name, dtype.map(Entry::Present));
        if dtype.is_none() || dtype == Some(DT_DIR) {
            // A removed or new directory: forget its own listing.
            self.upper.remove(m, rel);
        }
        self.changed(h);
    }
}

/// The stat of a merged directory: identity and size of the lower one (as
/// overlayfs reports them), mode, owner and times of the upper one (where
/// the guest's changes land).
pub fn merged_stat(lower: &Stat, upper: &Stat) -> Stat {
    Stat {
        st_mode: upper.st_mode,
        st_uid: upper.st_uid,
        st_gid: upper.st_gid,
        st_atime: upper.st_atime,
        st_atime_nsec: upper.st_atime_nsec,
        st_mtime: upper.st_mtime,
        st_mtime_nsec: upper.st_mtime_nsec,
        st_ctime: upper.st_ctime,
        st_ctime_nsec: upper.st_ctime_nsec,
        ..*lower
    }
}

fn times(st: &Stat) -> [Timespec; 2] {
    [
        Timespec {
            tv_sec: st.st_atime,
            tv_nsec: st.st_atime_nsec,
        },
        Timespec {
            tv_sec: st.st_mtime,
            tv_nsec: st.st_mtime_nsec,
        },
    ]
}

fn load_upper(h: &dyn Host, upper: HostFd, rel: &[u8]) -> Result<UpperDir, Errno> {
    let fd = match hostfs::open_beneath(h, upper, rel, 0o200000, 0) {
        Ok(fd) => fd,
        Err(Errno::ENOENT | Errno::ENOTDIR) => return Ok(UpperDir::default()),
        Err(e) => return Err(e),
    };
    let r = hostfs::read_dir(h, fd);
    let _ = h.close(fd);
    let mut d = UpperDir {
        exists: true,
        ..UpperDir::default()
    };
    for (name, t, _) in r? {
        if name == OPAQUE {
            d.opaque = true;
        } else if name.starts_with(COPYUP_TMP) {
            // A copy-up that never finished.
        } else if let Some(n) = name.strip_prefix(WH_PREFIX) {
            d.entries.insert(n.to_vec(), Entry::Whiteout);
        } else {
            d.entries.insert(name, Entry::Present(t));
        }
    }
    Ok(d)
}
