//! getdents64(2), getdents(2), mkdir(2), mkdirat, rmdir(2), chdir(2),
//! fchdir, chroot(2), getcwd(2), umask(2).

use super::common::{creatable, existing, lookup, lookup_arg, lower_has, path_arg};
use crate::ctx::{Ctx, SysResult};
use crate::fd::FileKind;
use crate::hostfs;
use crate::vfs::path::{parent, visible};
use crate::vfs::virt;
use crate::vfs::walk::{How, Node};
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use lx_abi::structs::{DT_DIR, dirent_reclen, dirent64_reclen};

/// Whether the host lists the overlay directory open as `file` (see
/// `DirStream::passthrough`): decided when the stream is at its start (its
/// first read or seek, and after a rewind to 0), from the upper listings as
/// the run has them then.
pub fn decide_passthrough(c: &mut Ctx<'_>, file: &crate::fd::OpenFile) -> bool {
    let FileKind::Listed { mount, rel } = &file.kind else {
        return true;
    };
    {
        let d = file.dir.lock();
        if d.decided && (d.read_since || !file.lower) {
            return d.passthrough;
        }
    }
    let lower_only = file.lower && c.k.vfs.mounts[*mount].is_overlay() && {
        c.k.vfs.sync_generation(c.host);
        c.k.vfs
            .dir_layers(c.host, *mount, rel)
            .is_ok_and(|l| l.lower && !l.upper)
    };
    let mut d = file.dir.lock();
    if d.decided && d.passthrough && !lower_only {
        // Now lx's to list: from its first entry.
        d.entries = None;
        d.next = 0;
    }
    d.passthrough = lower_only;
    d.decided = true;
    lower_only
}

/// The entries of a directory lx lists itself, with "." and "..".
fn build_listing(
    c: &mut Ctx<'_>,
    mount: usize,
    rel: &[u8],
    path: &[u8],
) -> Result<Vec<(Vec<u8>, u8, u64)>, Errno> {
    let kind = c.k.vfs.mounts[mount].kind.clone();
    let mut out: Vec<(Vec<u8>, u8, u64)> = Vec::new();
    let self_ino = virt::ino(&kind, rel);
    out.push((b".".to_vec(), DT_DIR, self_ino));
    out.push((b"..".to_vec(), DT_DIR, virt::ino(&kind, parent(path))));
    if let crate::vfs::MountKind::Host { .. } = kind {
        let layers = c.k.vfs.dir_layers(c.host, mount, rel)?;
        out.extend(c.k.vfs.list_host(c.host, mount, rel, layers)?);
    } else {
        for (name, t) in virt::list(c.k, c.host, &kind, rel)? {
            let child = crate::vfs::path::join_rel(rel, &name);
            let ino = virt::ino(&kind, &child);
            out.push((name, t, ino));
        }
    }
    Ok(out)
}

fn getdents_common(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u32, old: bool) -> SysResult {
    let file = c.k.fds.get(fd)?.file.clone();
    if file.o_path {
        return Err(Errno::EBADF);
    }
    let passthrough = match &file.kind {
        FileKind::Host => true,
        FileKind::Listed { .. } => decide_passthrough(c, &file),
    };
    if passthrough {
        let s = crate::user::slice(buf, u64::from(count))?;
        let n = if old {
            lx_abi::syscalls::nr::getdents
        } else {
            lx_abi::syscalls::nr::getdents64
        };
        let r = c.host.syscall(n, [file.fd as u64, s.addr, s.len, 0, 0, 0]);
        if matches!(r, Ok(got) if got > 0) {
            file.dir.lock().read_since = true;
        }
        return r;
    }
    let FileKind::Listed { mount, rel } = &file.kind else {
        return Err(Errno::EIO);
    };
    if file.dir.lock().entries.is_none() {
        let path = file.path.clone().unwrap_or_default();
        let list = build_listing(c, *mount, rel, &path)?;
        file.dir.lock().entries = Some(list);
    }
    let mut d = file.dir.lock();
    let mut out: Vec<u8> = Vec::new();
    let entries = d.entries.as_ref().ok_or(Errno::EIO)?;
    let mut next = d.next;
    while next < entries.len() {
        let (name, t, ino) = &entries[next];
        let reclen = if old {
            dirent_reclen(name.len())
        } else {
            dirent64_reclen(name.len())
        };
        if out.len() + reclen > count as usize {
            break;
        }
        let start = out.len();
        out.extend_from_slice(&ino.to_le_bytes());
        out.extend_from_slice(&((next + 1) as u64).to_le_bytes());
        out.extend_from_slice(&(reclen as u16).to_le_bytes());
        if old {
            out.extend_from_slice(name);
            out.resize(start + reclen - 1, 0);
            out.push(*t);
        } else {
            out.push(*t);
            out.extend_from_slice(name);
            out.resize(start + reclen, 0);
        }
        next += 1;
    }
    if out.is_empty() && next < entries.len() {
        return Err(Errno::EINVAL);
    }
    d.next = next;
    d.read_since = true;
    drop(d);
    c.copy_out(buf, &out).map(|()| out.len())
}

/// getdents64(2).
pub fn sys_getdents64(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u32) -> SysResult {
    getdents_common(c, fd, buf, count, false)
}

/// getdents(2) (the old `struct linux_dirent`).
pub fn sys_getdents(c: &mut Ctx<'_>, fd: i32, buf: u64, count: u32) -> SysResult {
    getdents_common(c, fd, buf, count, true)
}

fn mkdir(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32) -> SysResult {
    let p = path_arg(c, path)?;
    let f = lookup(
        c,
        dirfd,
        &p,
        How {
            follow: false,
            create: true,
            resolve: 0,
            last: crate::vfs::walk::Last::Lstat,
        },
    )?;
    if f.node.is_some() {
        return Err(Errno::EEXIST);
    }
    let (_, had_whiteout) = creatable(c, &f)?;
    c.k.vfs
        .host_mkdir(c.host, f.mount, &f.rel, mode & 0o7777 & !c.k.umask)?;
    c.k.vfs.note_upper(c.host, f.mount, &f.rel, Some(DT_DIR));
    if had_whiteout {
        c.k.vfs.set_opaque(c.host, f.mount, &f.rel)?;
    }
    Ok(0)
}

/// mkdir(2).
pub fn sys_mkdir(c: &mut Ctx<'_>, path: u64, mode: u32) -> SysResult {
    mkdir(c, AT_FDCWD, path, mode)
}

/// mkdirat(2).
pub fn sys_mkdirat(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32) -> SysResult {
    mkdir(c, dirfd, path, mode)
}

/// Remove directory `p` (rmdir and unlinkat(AT_REMOVEDIR)).
pub fn rmdir_at(c: &mut Ctx<'_>, dirfd: i32, p: &[u8]) -> SysResult {
    let last = p
        .split(|&b| b == b'/')
        .rfind(|c| !c.is_empty())
        .unwrap_or(b"");
    if last == b"." {
        return Err(Errno::EINVAL);
    }
    if last == b".." {
        return Err(Errno::ENOTEMPTY);
    }
    let f = lookup(c, dirfd, p, How::NOFOLLOW)?;
    let node = existing(&f)?.clone();
    if !node.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if f.rel.is_empty() || f.path == c.k.root {
        return Err(Errno::EBUSY);
    }
    let Node::Host { upper, layers, .. } = node else {
        return Err(Errno::EPERM);
    };
    let m = f.mount;
    if c.k.vfs.mounts[m].read_only() {
        return Err(Errno::EROFS);
    }
    if !c.k.vfs.mounts[m].is_overlay() {
        c.k.vfs.host_unlink(c.host, m, &f.rel, hostfs::REMOVEDIR)?;
        c.k.vfs.note_upper(c.host, m, &f.rel, None);
        return Ok(0);
    }
    if !c.k.vfs.list_host(c.host, m, &f.rel, layers)?.is_empty() {
        return Err(Errno::ENOTEMPTY);
    }
    let in_lower = lower_has(c, &f)?;
    if upper {
        c.k.vfs.clear_dir_markers(c.host, m, &f.rel)?;
        c.k.vfs.host_unlink(c.host, m, &f.rel, hostfs::REMOVEDIR)?;
        c.k.vfs.note_upper(c.host, m, &f.rel, None);
    }
    if in_lower {
        c.k.vfs.whiteout(c.host, m, &f.rel)?;
    }
    Ok(0)
}

/// rmdir(2).
pub fn sys_rmdir(c: &mut Ctx<'_>, path: u64) -> SysResult {
    let p = path_arg(c, path)?;
    rmdir_at(c, AT_FDCWD, &p)
}

/// chdir(2).
pub fn sys_chdir(c: &mut Ctx<'_>, path: u64) -> SysResult {
    let f = lookup_arg(c, AT_FDCWD, path, How::FOLLOW)?;
    if !existing(&f)?.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    c.k.change_shared(|k| k.cwd = f.path);
    Ok(0)
}

/// fchdir(2).
pub fn sys_fchdir(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let e = c.k.fds.get(fd)?;
    if !e.file.is_dir {
        return Err(Errno::ENOTDIR);
    }
    let p = e.file.path.clone().ok_or(Errno::ENOTDIR)?;
    c.k.change_shared(|k| k.cwd = p);
    Ok(0)
}

/// chroot(2): the process root becomes the directory (lx's resolver never
/// walks above it).
pub fn sys_chroot(c: &mut Ctx<'_>, path: u64) -> SysResult {
    let f = lookup_arg(c, AT_FDCWD, path, How::FOLLOW)?;
    if !existing(&f)?.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if c.k.id.euid != 0 {
        return Err(Errno::EPERM);
    }
    c.k.change_shared(|k| k.root = f.path);
    Ok(0)
}

/// getcwd(2): the raw syscall returns the length including the NUL. A cwd
/// outside the process root reads "(unreachable)" as on Linux.
pub fn sys_getcwd(c: &mut Ctx<'_>, buf: u64, size: u64) -> SysResult {
    let mut out = if crate::vfs::path::strip_prefix(&c.k.cwd, &c.k.root).is_some() {
        visible(&c.k.cwd, &c.k.root)
    } else {
        let mut v = Vec::from(&b"(unreachable)"[..]);
        v.extend_from_slice(&c.k.cwd);
        v
    };
    let n = out.len() + 1;
    if (size as usize) < n {
        return Err(Errno::ERANGE);
    }
    out.push(0);
    c.copy_out(buf, &out).map(|()| n)
}

/// umask(2): returns the previous mask.
pub fn sys_umask(c: &mut Ctx<'_>, mask: u32) -> SysResult {
    let old =
        c.k.change_shared(|k| core::mem::replace(&mut k.umask, mask & 0o777));
    Ok(old as usize)
}
