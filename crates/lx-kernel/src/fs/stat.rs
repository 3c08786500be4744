//! stat(2), lstat, fstat, newfstatat, statx, statfs, fstatfs, access,
//! faccessat, faccessat2, readlink, readlinkat.

use super::common::{existing, faking, fix_stat, lookup, path_arg, remembered_owner, stat_of};
use crate::ctx::{Ctx, SysResult};
use crate::hostfs;
use crate::vfs::MountKind;
use crate::vfs::virt::VNode;
use crate::vfs::walk::{Found, How, Last, Node, layer_fd};
use lx_abi::Errno;
use lx_abi::flags::{AT_FDCWD, AtFlags};
use lx_abi::structs::{Stat, Statfs, Statx, StatxTimestamp, fs_magic, statx_mask};

/// The stat fstat shows for guest fd `fd`.
pub fn fd_stat(c: &mut Ctx<'_>, fd: i32) -> Result<Stat, Errno> {
    let e = c.k.fds.get(fd)?;
    if let Some(st) = e.file.st {
        return Ok(st);
    }
    if let crate::fd::FileKind::Listed { mount, rel } = &e.file.kind
        && c.k.vfs.mounts[*mount].is_overlay()
    {
        // A merged directory: as stat shows it.
        let (m, rel, hfd, lower) = (*mount, rel.clone(), e.file.fd, e.file.lower);
        let own = c.host.fstat(hfd)?;
        // Opened in the lower layer and present in the upper one too (the
        // upper listings, current with the run's changes, say whether to
        // ask the host).
        c.k.vfs.sync_generation(c.host);
        let in_upper = lower && c.k.vfs.dir_layers(c.host, m, &rel).is_ok_and(|l| l.upper);
        let mut st = match in_upper.then(|| c.k.vfs.lstat_in(c.host, m, true, &rel)) {
            Some(Ok(us)) => crate::vfs::overlay::merged_stat(&own, &us),
            _ => own,
        };
        fix_stat(c, &mut st);
        return Ok(st);
    }
    let (hfd, lower) = (e.file.fd, e.file.lower);
    let mut st = c.host.fstat(hfd)?;
    fix_stat(c, &mut st);
    if faking(c) && !lower {
        let p = alloc::format!("/proc/self/fd/{hfd}");
        if let Some((u, g)) = remembered_owner(c, p.as_bytes(), false) {
            st.st_uid = u;
            st.st_gid = g;
        }
    }
    Ok(st)
}

/// fstat(2).
pub fn sys_fstat(c: &mut Ctx<'_>, fd: i32, buf: u64) -> SysResult {
    let st = fd_stat(c, fd)?;
    c.write(buf, &st).map(|()| 0)
}

fn stat_path(c: &mut Ctx<'_>, dirfd: i32, path: &[u8], flags: AtFlags) -> Result<Stat, Errno> {
    if path.is_empty() {
        if !flags.contains(AtFlags::EMPTY_PATH) {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            let cwd = c.k.cwd.clone();
            let f = lookup(c, AT_FDCWD, &cwd, How::FOLLOW)?;
            return stat_of(c, &f);
        }
        return fd_stat(c, dirfd);
    }
    let how = if flags.contains(AtFlags::SYMLINK_NOFOLLOW) {
        How::NOFOLLOW
    } else {
        How::FOLLOW
    };
    let f = lookup(c, dirfd, path, how)?;
    stat_of(c, &f)
}

/// stat(2).
pub fn sys_stat(c: &mut Ctx<'_>, path: u64, buf: u64) -> SysResult {
    let p = path_arg(c, path)?;
    let st = stat_path(c, AT_FDCWD, &p, AtFlags::empty())?;
    c.write(buf, &st).map(|()| 0)
}

/// lstat(2).
pub fn sys_lstat(c: &mut Ctx<'_>, path: u64, buf: u64) -> SysResult {
    let p = path_arg(c, path)?;
    let st = stat_path(c, AT_FDCWD, &p, AtFlags::SYMLINK_NOFOLLOW)?;
    c.write(buf, &st).map(|()| 0)
}

/// newfstatat(2).
pub fn sys_newfstatat(c: &mut Ctx<'_>, dirfd: i32, path: u64, buf: u64, flags: u32) -> SysResult {
    let known = AtFlags::SYMLINK_NOFOLLOW | AtFlags::EMPTY_PATH | AtFlags::NO_AUTOMOUNT;
    let flags = AtFlags::from_bits(flags)
        .filter(|f| known.contains(*f))
        .ok_or(Errno::EINVAL)?;
    let p = path_arg(c, path)?;
    let st = stat_path(c, dirfd, &p, flags)?;
    c.write(buf, &st).map(|()| 0)
}

fn ts(sec: i64, nsec: i64) -> StatxTimestamp {
    StatxTimestamp {
        tv_sec: sec,
        tv_nsec: nsec as u32,
        ..StatxTimestamp::default()
    }
}

/// A `struct statx` from a `struct stat` (btime is not known to lx).
pub fn statx_of(st: &Stat, mnt_id: u64) -> Statx {
    let dev = st.st_dev;
    let rdev = st.st_rdev;
    Statx {
        stx_mask: statx_mask::STATX_BASIC_STATS | statx_mask::STATX_MNT_ID,
        stx_blksize: st.st_blksize as u32,
        stx_nlink: st.st_nlink as u32,
        stx_uid: st.st_uid,
        stx_gid: st.st_gid,
        stx_mode: st.st_mode as u16,
        stx_ino: st.st_ino,
        stx_size: st.st_size as u64,
        stx_blocks: st.st_blocks as u64,
        stx_atime: ts(st.st_atime, st.st_atime_nsec),
        stx_mtime: ts(st.st_mtime, st.st_mtime_nsec),
        stx_ctime: ts(st.st_ctime, st.st_ctime_nsec),
        stx_rdev_major: (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff)) as u32,
        stx_rdev_minor: ((rdev & 0xff) | ((rdev >> 12) & !0xff)) as u32,
        stx_dev_major: (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)) as u32,
        stx_dev_minor: ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32,
        stx_mnt_id: mnt_id,
        ..Statx::default()
    }
}

/// statx(2).
pub fn sys_statx(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path: u64,
    flags: u32,
    mask: u32,
    buf: u64,
) -> SysResult {
    let known = AtFlags::SYMLINK_NOFOLLOW
        | AtFlags::EMPTY_PATH
        | AtFlags::NO_AUTOMOUNT
        | AtFlags::STATX_FORCE_SYNC
        | AtFlags::STATX_DONT_SYNC;
    let fl = AtFlags::from_bits(flags)
        .filter(|f| known.contains(*f))
        .ok_or(Errno::EINVAL)?;
    if fl.contains(AtFlags::STATX_FORCE_SYNC | AtFlags::STATX_DONT_SYNC) || mask & 0x8000_0000 != 0
    {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    if p.is_empty() && fl.contains(AtFlags::EMPTY_PATH) && dirfd != AT_FDCWD {
        let e = c.k.fds.get(dirfd)?;
        let mnt = u64::from(e.file.mount_id);
        let sx = match e.file.st {
            Some(st) => statx_of(&st, mnt),
            None => {
                let mut sx = host_statx(c, e.file.fd, mask)?;
                fix_statx(c, &mut sx, mnt);
                sx
            }
        };
        return c.write(buf, &sx).map(|()| 0);
    }
    let how = if fl.contains(AtFlags::SYMLINK_NOFOLLOW) {
        How::NOFOLLOW
    } else {
        How::FOLLOW
    };
    let f = if p.is_empty() {
        if !fl.contains(AtFlags::EMPTY_PATH) {
            return Err(Errno::ENOENT);
        }
        let cwd = c.k.cwd.clone();
        lookup(c, AT_FDCWD, &cwd, How::FOLLOW)?
    } else {
        // The walk's own look at the last component is the statx (unless
        // a sync with the file's server is forced).
        let how = if fl.contains(AtFlags::STATX_FORCE_SYNC) {
            how
        } else {
            how.with_last(Last::Statx(mask))
        };
        lookup(c, dirfd, &p, how)?
    };
    let mnt = u64::from(c.k.vfs.mounts[f.mount].id);
    let sx = match existing(&f)? {
        Node::Host {
            upper, layers, st, ..
        } => {
            let merged = layers.upper && layers.lower;
            let use_upper = *upper && !merged;
            let node_st = *st;
            let mut sx = match (&f.statx, merged) {
                (Some(sx), false) => **sx,
                _ => {
                    let (dfd, name) = c.k.vfs.at(c.host, f.mount, use_upper, &f.rel)?;
                    host_statx_at(c, dfd, name, mask)?
                }
            };
            if merged {
                // Mode, owner and times of the upper directory (see stat).
                let m = statx_of(&node_st, mnt);
                sx.stx_mode = m.stx_mode;
                sx.stx_uid = m.stx_uid;
                sx.stx_gid = m.stx_gid;
                sx.stx_atime = m.stx_atime;
                sx.stx_mtime = m.stx_mtime;
                sx.stx_ctime = m.stx_ctime;
            }
            fix_statx(c, &mut sx, mnt);
            let mut st = Stat {
                st_uid: sx.stx_uid,
                st_gid: sx.stx_gid,
                ..Stat::default()
            };
            super::common::apply_remembered(c, &f, &mut st);
            sx.stx_uid = st.st_uid;
            sx.stx_gid = st.st_gid;
            sx
        }
        _ => statx_of(&stat_of(c, &f)?, mnt),
    };
    c.write(buf, &sx).map(|()| 0)
}

fn host_statx(c: &Ctx<'_>, fd: i32, mask: u32) -> Result<Statx, Errno> {
    host_statx_at(c, fd, b"", mask)
}

/// statx of `name` in directory `fd` ("" for `fd` itself), not following.
fn host_statx_at(c: &Ctx<'_>, fd: i32, name: &[u8], mask: u32) -> Result<Statx, Errno> {
    let mut sx = Statx::default();
    let name = hostfs::cpath(name);
    c.host.syscall(
        lx_abi::syscalls::nr::statx,
        [
            fd as u64,
            name.as_ptr() as u64,
            u64::from(hostfs::EMPTY_PATH | hostfs::NOFOLLOW),
            u64::from(mask),
            zerocopy::IntoBytes::as_mut_bytes(&mut sx).as_mut_ptr() as u64,
            0,
        ],
    )?;
    Ok(sx)
}

/// lx's view of a host statx: ownership as in [`fix_stat`], lx's mount id.
fn fix_statx(c: &Ctx<'_>, sx: &mut Statx, mnt: u64) {
    let mut st = Stat {
        st_uid: sx.stx_uid,
        st_gid: sx.stx_gid,
        ..Stat::default()
    };
    fix_stat(c, &mut st);
    sx.stx_uid = st.st_uid;
    sx.stx_gid = st.st_gid;
    if sx.stx_mask & statx_mask::STATX_MNT_ID != 0 {
        sx.stx_mnt_id = mnt;
    }
}

fn virt_statfs(kind: &MountKind) -> Statfs {
    let t = match kind {
        MountKind::Proc => fs_magic::PROC_SUPER_MAGIC,
        MountKind::Sys => fs_magic::SYSFS_MAGIC,
        MountKind::Debug => fs_magic::DEBUGFS_MAGIC,
        _ => fs_magic::TMPFS_MAGIC,
    };
    Statfs {
        f_type: t,
        f_bsize: 4096,
        f_namelen: 255,
        f_frsize: 4096,
        f_flags: 0x20, // ST_RELATIME
        ..Statfs::default()
    }
}

fn statfs_found(c: &mut Ctx<'_>, f: &Found) -> Result<Statfs, Errno> {
    match existing(f)? {
        Node::Host { upper, layers, .. } => {
            // A merged directory is the lower layer's as far as df knows.
            let use_upper = *upper && !(layers.upper && layers.lower);
            let layer = layer_fd(&c.k.vfs, f.mount, use_upper)?;
            let fd = hostfs::open_beneath(c.host, layer, &f.rel, 0o10000000, 0)?;
            let r = hostfs::fstatfs(c.host, fd);
            let _ = c.host.close(fd);
            let mut s = r?;
            if c.k.vfs.mounts[f.mount].read_only() {
                s.f_flags |= 1; // ST_RDONLY
            }
            Ok(s)
        }
        Node::Virt(VNode::Pass { .. }) | Node::Virt(_) | Node::Reopen(_) => {
            Ok(virt_statfs(&c.k.vfs.mounts[f.mount].kind))
        }
    }
}

/// statfs(2).
pub fn sys_statfs(c: &mut Ctx<'_>, path: u64, buf: u64) -> SysResult {
    let p = path_arg(c, path)?;
    let f = lookup(c, AT_FDCWD, &p, How::FOLLOW)?;
    let s = statfs_found(c, &f)?;
    c.write(buf, &s).map(|()| 0)
}

/// fstatfs(2).
pub fn sys_fstatfs(c: &mut Ctx<'_>, fd: i32, buf: u64) -> SysResult {
    let e = c.k.fds.get(fd)?;
    let s = if e.file.st.is_some() {
        let m = match &e.file.kind {
            crate::fd::FileKind::Listed { mount, .. } => *mount,
            _ => {
                c.k.vfs
                    .mount_of(e.file.path.as_deref().unwrap_or(b"/proc"))
                    .map_or(0, |(m, _)| m)
            }
        };
        virt_statfs(&c.k.vfs.mounts[m].kind)
    } else {
        hostfs::fstatfs(c.host, e.file.fd)?
    };
    c.write(buf, &s).map(|()| 0)
}

fn access(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, flags: u32) -> SysResult {
    if mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    let known = 0x100 | 0x200 | 0x1000; // SYMLINK_NOFOLLOW | EACCESS | EMPTY_PATH
    if flags & !known != 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    let f = if p.is_empty() && flags & 0x1000 != 0 {
        if dirfd == AT_FDCWD {
            let cwd = c.k.cwd.clone();
            lookup(c, AT_FDCWD, &cwd, How::FOLLOW)?
        } else {
            let e = c.k.fds.get(dirfd)?;
            let h = e.file.fd;
            return hostfs::access_fd(c.host, h, mode, 0).map(|()| 0);
        }
    } else {
        let how = if flags & 0x100 != 0 {
            How::NOFOLLOW
        } else {
            How::FOLLOW
        };
        lookup(c, dirfd, &p, how)?
    };
    let node = existing(&f)?.clone();
    match node {
        Node::Host { upper, .. } => {
            if mode & 2 != 0 && c.k.vfs.mounts[f.mount].read_only() {
                return Err(Errno::EROFS);
            }
            let (dfd, name) = c.k.vfs.at(c.host, f.mount, upper, &f.rel)?;
            hostfs::access_at(c.host, dfd, name, mode, flags & 0x200).map(|()| 0)
        }
        Node::Virt(VNode::Device { .. }) => Ok(0),
        Node::Virt(_) | Node::Reopen(_) => {
            let st = stat_of(c, &f)?;
            let root = c.k.id.euid == 0;
            let bits = st.st_mode & 0o7;
            let owner = (st.st_mode >> 6) & 7;
            let allowed = if root {
                7 & (if owner & 1 != 0 || st.st_mode & 0o040000 != 0 {
                    7
                } else {
                    6
                })
            } else {
                owner | bits
            };
            if mode & !allowed != 0 {
                Err(Errno::EACCES)
            } else {
                Ok(0)
            }
        }
    }
}

/// access(2).
pub fn sys_access(c: &mut Ctx<'_>, path: u64, mode: u32) -> SysResult {
    access(c, AT_FDCWD, path, mode, 0)
}

/// faccessat(2) (no flags argument).
pub fn sys_faccessat(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32) -> SysResult {
    access(c, dirfd, path, mode, 0)
}

/// faccessat2(2).
pub fn sys_faccessat2(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, flags: u32) -> SysResult {
    access(c, dirfd, path, mode, flags)
}

fn readlink(c: &mut Ctx<'_>, dirfd: i32, path: u64, buf: u64, size: i32) -> SysResult {
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    let target = if p.is_empty() {
        // readlinkat(fd, "") reads the symlink an O_PATH fd names.
        let e = c.k.fds.get(dirfd)?;
        let Some(path) = e.file.path.clone() else {
            return Err(Errno::ENOENT);
        };
        let f = lookup(c, AT_FDCWD, &path, How::NOFOLLOW)?;
        link_text(c, &f)?
    } else {
        let f = lookup(c, dirfd, &p, How::NOFOLLOW.with_last(Last::Locate))?;
        link_text(c, &f)?
    };
    let n = target.len().min(size as usize);
    c.copy_out(buf, &target[..n]).map(|()| n)
}

fn link_text(c: &mut Ctx<'_>, f: &Found) -> Result<alloc::vec::Vec<u8>, Errno> {
    match existing(f)? {
        Node::Host { upper, st, .. } => {
            // (Not looked at: the host's readlink says EINVAL or ENOENT.)
            if !f.located_only && st.st_mode & 0o170000 != 0o120000 {
                return Err(Errno::EINVAL);
            }
            let (dfd, name) = c.k.vfs.at(c.host, f.mount, *upper, &f.rel)?;
            hostfs::readlink_at(c.host, dfd, name)
        }
        Node::Virt(VNode::Symlink(t)) => Ok(t.clone()),
        Node::Virt(VNode::Magic { text, .. }) => Ok(text.clone()),
        Node::Virt(VNode::Pass { host, st }) if st.st_mode & 0o170000 == 0o120000 => {
            hostfs::readlink_at(c.host, -100, host)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// readlink(2).
pub fn sys_readlink(c: &mut Ctx<'_>, path: u64, buf: u64, size: i32) -> SysResult {
    readlink(c, AT_FDCWD, path, buf, size)
}

/// readlinkat(2).
pub fn sys_readlinkat(c: &mut Ctx<'_>, dirfd: i32, path: u64, buf: u64, size: i32) -> SysResult {
    readlink(c, dirfd, path, buf, size)
}
