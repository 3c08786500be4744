//! The guest's file descriptor table.
//!
//! Guest fd numbers are lx's own: the lowest free number, bounded by
//! RLIMIT_NOFILE. Each slot points at an open file description shared by
//! duplicates (so offset and status flags are shared, as on Linux) and
//! carries its own close-on-exec flag. lx's private host fds (trace output,
//! the run's shared page) are never in this table, so a guest cannot close
//! or overwrite them.

use crate::host::{Host, HostFd};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use lx_abi::Errno;
use lx_abi::structs::Stat;
use spinning_top::Spinlock;

/// An open file description: a host fd plus what lx knows of it.
#[derive(Debug)]
pub struct OpenFile {
    /// The host fd behind it (a memfd for lx's generated files).
    pub fd: HostFd,
    /// Its canonical guest path, when it was opened by path.
    pub path: Option<Vec<u8>>,
    /// What /proc/self/fd shows for a file without a path ("pipe:[N]").
    pub describe: Vec<u8>,
    /// Mount id (fdinfo).
    pub mount_id: u32,
    pub is_dir: bool,
    /// Opened with O_PATH: only a place in the tree.
    pub o_path: bool,
    /// Reads and writes may block (pipes, terminals, FIFOs, sockets): lx
    /// lets the guest's handled signals interrupt them.
    pub may_block: bool,
    /// The host fd is in a read-only layer (an overlay's lower layer, a
    /// read-only mount, a host file lx shows): metadata changes through it
    /// must copy up or fail, never reach the host file.
    pub lower: bool,
    /// How reads of the directory are served.
    pub kind: FileKind,
    /// What fstat answers for lx's own files (None: the host's answer).
    pub st: Option<Stat>,
    /// Listing state of directories lx lists itself.
    pub dir: Spinlock<DirStream>,
}

/// How lx serves an open file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Everything goes to the host fd.
    Host,
    /// A directory whose listing lx builds (merged overlay layers, lx's own
    /// filesystems): mount index and path relative to it.
    Listed { mount: usize, rel: Vec<u8> },
}

/// A directory listing being read by getdents: the records and the index
/// of the next one.
#[derive(Debug, Default)]
pub struct DirStream {
    pub entries: Option<Vec<(Vec<u8>, u8, u64)>>,
    pub next: usize,
    /// An overlay directory of the lower layer only (when first read or
    /// seeked, and at each rewind to 0): the host's own getdents and lseek
    /// on the fd, offsets included, as overlayfs iterates such a directory.
    pub passthrough: bool,
    /// `passthrough` was decided for this stream, and the stream was read
    /// since (it is not at its start: a stream at its start decides again,
    /// as overlayfs does at offset 0).
    pub decided: bool,
    pub read_since: bool,
}

impl OpenFile {
    /// A host fd lx knows nothing more about (inherited stdio, pipes).
    pub fn host(fd: HostFd, describe: Vec<u8>) -> Self {
        OpenFile {
            fd,
            path: None,
            describe,
            mount_id: 0,
            is_dir: false,
            o_path: false,
            may_block: true,
            lower: false,
            kind: FileKind::Host,
            st: None,
            dir: Spinlock::new(DirStream::default()),
        }
    }

    /// The host fd behind this description.
    pub fn host_fd(&self) -> HostFd {
        self.fd
    }

    /// The same description, detached from references held elsewhere (a
    /// fork child's copy of a threaded process). A listing another thread
    /// was reading restarts.
    fn detached(&self) -> OpenFile {
        let dir = match self.dir.try_lock() {
            Some(d) => DirStream {
                entries: d.entries.clone(),
                next: d.next,
                passthrough: d.passthrough,
                decided: d.decided,
                read_since: d.read_since,
            },
            None => DirStream::default(),
        };
        OpenFile {
            fd: self.fd,
            path: self.path.clone(),
            describe: self.describe.clone(),
            mount_id: self.mount_id,
            is_dir: self.is_dir,
            o_path: self.o_path,
            may_block: self.may_block,
            lower: self.lower,
            kind: self.kind.clone(),
            st: self.st,
            dir: Spinlock::new(dir),
        }
    }
}

/// One slot of the table.
#[derive(Clone, Debug)]
pub struct FdEntry {
    pub file: Arc<OpenFile>,
    pub cloexec: bool,
}

/// The table proper. `limit` is the soft RLIMIT_NOFILE.
#[derive(Debug)]
struct Table {
    slots: Vec<Option<FdEntry>>,
    limit: u64,
    /// Files closed while another thread still used them: closed on the
    /// host once only this list holds them (at most one reference each).
    deferred: Vec<Arc<OpenFile>>,
}

/// A process's fd table. Threads (CLONE_FILES) share one: clones of this
/// handle name the same table. Every operation takes the table's lock for
/// its own duration only, so no lock is held across a host call that may
/// block; entries come out as owned references.
#[derive(Clone, Debug)]
pub struct FdTable {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    table: Spinlock<Table>,
    /// Set while `deferred` may hold something: every syscall ends with a
    /// reap, which must not take the lock for nothing.
    any_deferred: AtomicBool,
}

/// Largest table lx accepts whatever the limit says (Linux's `nr_open`).
pub const NR_OPEN: u64 = 1 << 20;

impl FdTable {
    pub fn new(limit: u64) -> Self {
        FdTable {
            inner: Arc::new(Shared {
                table: Spinlock::new(Table {
                    slots: Vec::new(),
                    limit: limit.min(NR_OPEN),
                    deferred: Vec::new(),
                }),
                any_deferred: AtomicBool::new(false),
            }),
        }
    }

    /// The soft RLIMIT_NOFILE.
    pub fn limit(&self) -> u64 {
        self.inner.table.lock().limit
    }

    pub fn set_limit(&self, limit: u64) {
        self.inner.table.lock().limit = limit.min(NR_OPEN);
    }

    /// `f` of the entry for guest fd `fd` (under the lock), or EBADF.
    #[inline]
    fn look<R>(&self, fd: i32, f: impl FnOnce(&FdEntry) -> R) -> Result<R, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        self.inner
            .table
            .lock()
            .slots
            .get(i)
            .and_then(Option::as_ref)
            .map(f)
            .ok_or(Errno::EBADF)
    }

    /// The entry for guest fd `fd`, or EBADF.
    #[inline]
    pub fn get(&self, fd: i32) -> Result<FdEntry, Errno> {
        self.look(fd, FdEntry::clone)
    }

    /// The host fd behind guest fd `fd`, or EBADF.
    #[inline]
    pub fn host_fd(&self, fd: i32) -> Result<HostFd, Errno> {
        self.look(fd, |e| e.file.host_fd())
    }

    /// Change `fd`'s entry in place (its flags, or a file no one else holds).
    pub fn update<R>(&self, fd: i32, f: impl FnOnce(&mut FdEntry) -> R) -> Result<R, Errno> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        let mut t = self.inner.table.lock();
        let e = t
            .slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)?;
        Ok(f(e))
    }

    /// Set or clear close-on-exec.
    pub fn set_cloexec(&self, fd: i32, on: bool) -> Result<(), Errno> {
        self.update(fd, |e| e.cloexec = on)
    }

    /// Install `entry` at the lowest free number >= `min`.
    pub fn insert_from(&self, min: u32, entry: FdEntry) -> Result<i32, Errno> {
        let mut t = self.inner.table.lock();
        let mut n = min as usize;
        while n < t.slots.len() && t.slots[n].is_some() {
            n += 1;
        }
        if n as u64 >= t.limit {
            return Err(Errno::EMFILE);
        }
        if n >= t.slots.len() {
            t.slots.resize(n + 1, None);
        }
        t.slots[n] = Some(entry);
        Ok(n as i32)
    }

    /// Put `entry` at exactly `fd`, returning what was there (the caller
    /// releases it). EBADF if `fd` is out of range.
    pub fn insert_at(&self, fd: i32, entry: FdEntry) -> Result<Option<FdEntry>, Errno> {
        let mut t = self.inner.table.lock();
        if fd < 0 || fd as u64 >= t.limit {
            return Err(Errno::EBADF);
        }
        let n = fd as usize;
        if n >= t.slots.len() {
            t.slots.resize(n + 1, None);
        }
        Ok(t.slots[n].replace(entry))
    }

    /// Remove `fd` from the table; the caller releases the entry.
    pub fn remove(&self, fd: i32) -> Result<FdEntry, Errno> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        let mut t = self.inner.table.lock();
        let e = t
            .slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::EBADF)?;
        while matches!(t.slots.last(), Some(None)) {
            t.slots.pop();
        }
        Ok(e)
    }

    /// Open fds, lowest first (a snapshot).
    pub fn entries(&self) -> Vec<(i32, FdEntry)> {
        self.inner
            .table
            .lock()
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.clone().map(|e| (i as i32, e)))
            .collect()
    }

    /// Open fd numbers, lowest first.
    pub fn numbers(&self) -> Vec<i32> {
        self.inner
            .table
            .lock()
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|_| i as i32))
            .collect()
    }

    /// Drop one reference to an open file description; the last one closes
    /// the host fd. Linux reports close errors of the last reference (e.g.
    /// NFS EIO). A description another thread is using right now (it holds
    /// a reference for the length of its call) is closed when it is done.
    pub fn release(&self, host: &dyn Host, entry: FdEntry) -> Result<(), Errno> {
        match Arc::try_unwrap(entry.file) {
            Ok(f) => host.close(f.fd),
            Err(file) => {
                let mut t = self.inner.table.lock();
                let held = t
                    .slots
                    .iter()
                    .flatten()
                    .any(|e| Arc::ptr_eq(&e.file, &file))
                    || t.deferred.iter().any(|d| Arc::ptr_eq(d, &file));
                if !held {
                    t.deferred.push(file);
                    self.inner.any_deferred.store(true, Ordering::Release);
                }
                Ok(())
            }
        }
    }

    /// Close the deferred descriptions no one uses any more.
    pub fn reap_deferred(&self, host: &dyn Host) {
        if !self.inner.any_deferred.load(Ordering::Acquire) {
            return;
        }
        let done: Vec<Arc<OpenFile>> = {
            let mut t = self.inner.table.lock();
            let (done, keep): (Vec<_>, Vec<_>) = t
                .deferred
                .drain(..)
                .partition(|f| Arc::strong_count(f) == 1);
            t.deferred = keep;
            if t.deferred.is_empty() {
                self.inner.any_deferred.store(false, Ordering::Release);
            }
            done
        };
        for f in done {
            if let Ok(f) = Arc::try_unwrap(f) {
                let _ = host.close(f.fd);
            }
        }
    }

    /// In the fork child of a threaded process: the other threads are gone,
    /// and so are the references their calls held. Every description gets
    /// a fresh reference count (dups stay shared), and what was waiting for
    /// those calls to finish is closed now.
    pub fn after_fork(&self, host: &dyn Host) {
        let mut t = self.inner.table.lock();
        let mut fresh: Vec<(*const OpenFile, Arc<OpenFile>)> = Vec::new();
        for e in t.slots.iter_mut().flatten() {
            let old = Arc::as_ptr(&e.file);
            let new = match fresh.iter().find(|(p, _)| *p == old) {
                Some((_, n)) => n.clone(),
                None => {
                    let n = Arc::new(e.file.detached());
                    fresh.push((old, n.clone()));
                    n
                }
            };
            // The old reference is left to the copies of the other threads'
            // frames, which never run here.
            core::mem::forget(core::mem::replace(&mut e.file, new));
        }
        let deferred = core::mem::take(&mut t.deferred);
        self.inner.any_deferred.store(false, Ordering::Release);
        for f in deferred {
            let _ = host.close(f.fd);
            core::mem::forget(f);
        }
    }

    /// A table of its own holding copies of this one's descriptions (dups
    /// stay shared among themselves), for a vfork helper: it shares this
    /// process's memory, not its fd table, so nothing it opens, closes or
    /// counts may reach this one.
    pub fn deep_copy(&self) -> FdTable {
        let t = self.inner.table.lock();
        let mut fresh: Vec<(*const OpenFile, Arc<OpenFile>)> = Vec::new();
        let slots = t
            .slots
            .iter()
            .map(|s| {
                s.as_ref().map(|e| {
                    let old = Arc::as_ptr(&e.file);
                    let file = match fresh.iter().find(|(p, _)| *p == old) {
                        Some((_, n)) => n.clone(),
                        None => {
                            let n = Arc::new(e.file.detached());
                            fresh.push((old, n.clone()));
                            n
                        }
                    };
                    FdEntry {
                        file,
                        cloexec: e.cloexec,
                    }
                })
            })
            .collect();
        FdTable {
            inner: Arc::new(Shared {
                table: Spinlock::new(Table {
                    slots,
                    limit: t.limit,
                    deferred: Vec::new(),
                }),
                any_deferred: AtomicBool::new(false),
            }),
        }
    }

    /// Hold the table still (across a fork, so the child's copy is not
    /// caught locked by another thread).
    pub fn freeze(&self) -> Frozen<'_> {
        Frozen(self.inner.table.lock())
    }
}

/// A table held still (see [`FdTable::freeze`]).
pub struct Frozen<'a>(#[allow(dead_code)] spinning_top::SpinlockGuard<'a, Table>);

#[cfg(test)]
mod tests {
    use super::*;

    fn host(fd: HostFd) -> FdEntry {
        FdEntry {
            file: Arc::new(OpenFile::host(fd, Vec::new())),
            cloexec: false,
        }
    }

    #[test]
    fn lowest_free_and_limit() {
        let t = FdTable::new(4);
        assert_eq!(t.insert_from(0, host(10)).unwrap(), 0);
        assert_eq!(t.insert_from(0, host(11)).unwrap(), 1);
        assert_eq!(t.insert_from(3, host(12)).unwrap(), 3);
        assert_eq!(t.insert_from(0, host(13)).unwrap(), 2);
        assert_eq!(t.insert_from(0, host(14)), Err(Errno::EMFILE));
        t.remove(1).unwrap();
        assert_eq!(t.insert_from(0, host(15)).unwrap(), 1);
        assert_eq!(t.host_fd(1).unwrap(), 15);
        assert_eq!(t.host_fd(-1), Err(Errno::EBADF));
        assert_eq!(t.host_fd(9), Err(Errno::EBADF));
        assert_eq!(t.insert_at(4, host(1)).unwrap_err(), Errno::EBADF);
    }
}
