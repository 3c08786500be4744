//! unlink(2), unlinkat, rename(2), renameat, renameat2, link(2), linkat,
//! symlink(2), symlinkat, mknod(2), mknodat.

use super::common::{creatable, existing, lookup, lower_has, path_arg, writable};
use super::dir::rmdir_at;
use crate::ctx::{Ctx, SysResult};
use crate::vfs::walk::{How, Node};
use lx_abi::Errno;
use lx_abi::flags::{AT_FDCWD, RenameFlags};
use lx_abi::structs::{DT_FIFO, DT_LNK, DT_REG, DT_SOCK, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK};

const CREATE_NOFOLLOW: How = How {
    follow: false,
    create: true,
    resolve: 0,
    last: crate::vfs::walk::Last::Lstat,
};

fn unlink(c: &mut Ctx<'_>, dirfd: i32, p: &[u8]) -> SysResult {
    let f = lookup(c, dirfd, p, How::NOFOLLOW)?;
    let node = existing(&f)?.clone();
    if node.is_dir() {
        return Err(Errno::EISDIR);
    }
    let Node::Host { upper, .. } = node else {
        return Err(Errno::EACCES);
    };
    let m = f.mount;
    if c.k.vfs.mounts[m].read_only() {
        return Err(Errno::EROFS);
    }
    if !c.k.vfs.mounts[m].is_overlay() {
        c.k.vfs.host_unlink(c.host, m, &f.rel, 0)?;
        c.k.vfs.note_upper(c.host, m, &f.rel, None);
        return Ok(0);
    }
    let in_lower = lower_has(c, &f)?;
    if upper {
        c.k.vfs.host_unlink(c.host, m, &f.rel, 0)?;
        c.k.vfs.note_upper(c.host, m, &f.rel, None);
    }
    if in_lower {
        c.k.vfs.whiteout(c.host, m, &f.rel)?;
    }
    Ok(0)
}

/// unlink(2).
pub fn sys_unlink(c: &mut Ctx<'_>, path: u64) -> SysResult {
    let p = path_arg(c, path)?;
    unlink(c, AT_FDCWD, &p)
}

/// unlinkat(2).
pub fn sys_unlinkat(c: &mut Ctx<'_>, dirfd: i32, path: u64, flags: u32) -> SysResult {
    if flags & !0x200 != 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    if flags & 0x200 != 0 {
        rmdir_at(c, dirfd, &p)
    } else {
        unlink(c, dirfd, &p)
    }
}

fn dtype(mode: u32) -> u8 {
    ((mode & S_IFMT) >> 12) as u8
}

fn rename(c: &mut Ctx<'_>, olddir: i32, old: u64, newdir: i32, new: u64, flags: u32) -> SysResult {
    let fl = RenameFlags::from_bits(flags).ok_or(Errno::EINVAL)?;
    if fl.contains(RenameFlags::EXCHANGE)
        && fl.intersects(RenameFlags::NOREPLACE | RenameFlags::WHITEOUT)
    {
        return Err(Errno::EINVAL);
    }
    if fl.contains(RenameFlags::WHITEOUT) {
        return Err(Errno::EPERM);
    }
    let op = path_arg(c, old)?;
    let np = path_arg(c, new)?;
    let last = |p: &[u8]| -> bool {
        let l = p
            .split(|&b| b == b'/')
            .rfind(|c| !c.is_empty())
            .unwrap_or(b"");
        l == b"." || l == b".."
    };
    if last(&op) || last(&np) {
        return Err(Errno::EBUSY);
    }
    let of = lookup(c, olddir, &op, How::NOFOLLOW)?;
    let onode = existing(&of)?.clone();
    let nf = lookup(c, newdir, &np, CREATE_NOFOLLOW)?;
    if of.mount != nf.mount {
        return Err(Errno::EXDEV);
    }
    if of.rel.is_empty() || nf.rel.is_empty() {
        return Err(Errno::EBUSY);
    }
    let Node::Host {
        layers: olayers,
        st: ost,
        ..
    } = onode
    else {
        return Err(Errno::EXDEV);
    };
    if matches!(nf.node, Some(Node::Virt(_) | Node::Reopen(_))) {
        return Err(Errno::EXDEV);
    }
    if of.path == nf.path {
        return Ok(0);
    }
    if nf.trailing_slash && ost.st_mode & S_IFMT != 0o040000 {
        return Err(Errno::ENOTDIR);
    }
    // A directory cannot move below itself.
    if crate::vfs::path::strip_prefix(&nf.path, &of.path).is_some() {
        return Err(Errno::EINVAL);
    }
    let m = of.mount;
    if c.k.vfs.mounts[m].read_only() {
        return Err(Errno::EROFS);
    }
    if fl.contains(RenameFlags::NOREPLACE) && nf.node.is_some() {
        return Err(Errno::EEXIST);
    }
    if fl.contains(RenameFlags::EXCHANGE) && nf.node.is_none() {
        return Err(Errno::ENOENT);
    }
    if !c.k.vfs.mounts[m].is_overlay() {
        c.k.vfs.host_rename(c.host, m, &of.rel, &nf.rel, flags)?;
        c.k.vfs.dir_renamed(c.host);
        return Ok(0);
    }
    let is_dir = ost.st_mode & S_IFMT == 0o040000;
    if is_dir && olayers.lower {
        // As overlayfs without redirect_dir: programs fall back to copying.
        return Err(Errno::EXDEV);
    }
    if let Some(n) = &nf.node {
        if n.is_dir() != is_dir && !fl.contains(RenameFlags::EXCHANGE) {
            return Err(if is_dir {
                Errno::ENOTDIR
            } else {
                Errno::EISDIR
            });
        }
        if let Node::Host { layers, .. } = n
            && n.is_dir()
            && !c.k.vfs.list_host(c.host, m, &nf.rel, *layers)?.is_empty()
        {
            return Err(Errno::ENOTEMPTY);
        }
        if fl.contains(RenameFlags::EXCHANGE) {
            if n.is_dir() && matches!(n, Node::Host { layers, .. } if layers.lower) {
                return Err(Errno::EXDEV);
            }
            writable(c, &nf)?;
        }
    }
    let (_, new_name) = crate::vfs::path::split_rel(&nf.rel);
    if new_name.starts_with(crate::vfs::overlay::WH_PREFIX) {
        return Err(Errno::EPERM);
    }
    let old_in_lower = lower_has(c, &of)?;
    let new_lower_dir =
        matches!(&nf.node, Some(Node::Host { layers, .. }) if layers.lower && is_dir);
    writable(c, &of)?;
    if nf.node.is_none() || matches!(nf.node, Some(Node::Host { upper: false, .. })) {
        let (parent, _) = crate::vfs::path::split_rel(&nf.rel);
        c.k.vfs.ensure_upper_dir(c.host, m, parent)?;
        c.k.vfs.clear_whiteout(c.host, m, &nf.rel)?;
    }
    if let Some(Node::Host { upper: true, .. }) = &nf.node
        && is_dir
    {
        // Replacing an empty upper directory: drop its markers first.
        c.k.vfs.clear_dir_markers(c.host, m, &nf.rel)?;
    }
    c.k.vfs.host_rename(c.host, m, &of.rel, &nf.rel, flags)?;
    if is_dir {
        c.k.vfs.dir_renamed(c.host);
    }
    c.k.vfs
        .note_upper(c.host, m, &nf.rel, Some(dtype(ost.st_mode)));
    if fl.contains(RenameFlags::EXCHANGE) {
        c.k.vfs.note_upper(c.host, m, &of.rel, Some(DT_REG));
        return Ok(0);
    }
    c.k.vfs.note_upper(c.host, m, &of.rel, None);
    if old_in_lower {
        c.k.vfs.whiteout(c.host, m, &of.rel)?;
    }
    if new_lower_dir {
        c.k.vfs.set_opaque(c.host, m, &nf.rel)?;
    }
    Ok(0)
}

/// rename(2).
pub fn sys_rename(c: &mut Ctx<'_>, old: u64, new: u64) -> SysResult {
    rename(c, AT_FDCWD, old, AT_FDCWD, new, 0)
}

/// renameat(2).
pub fn sys_renameat(c: &mut Ctx<'_>, od: i32, old: u64, nd: i32, new: u64) -> SysResult {
    rename(c, od, old, nd, new, 0)
}

/// renameat2(2): RENAME_NOREPLACE, RENAME_EXCHANGE (RENAME_WHITEOUT needs
/// privileges lx's guests do not have: EPERM).
pub fn sys_renameat2(
    c: &mut Ctx<'_>,
    od: i32,
    old: u64,
    nd: i32,
    new: u64,
    flags: u32,
) -> SysResult {
    rename(c, od, old, nd, new, flags)
}

fn link(c: &mut Ctx<'_>, od: i32, old: u64, nd: i32, new: u64, flags: u32) -> SysResult {
    if flags & !(0x400 | 0x1000) != 0 {
        return Err(Errno::EINVAL);
    }
    let op = path_arg(c, old)?;
    let np = path_arg(c, new)?;
    let how = if flags & 0x400 != 0 {
        How::FOLLOW
    } else {
        How::NOFOLLOW
    };
    let of = lookup(c, od, &op, how)?;
    let onode = existing(&of)?.clone();
    if onode.is_dir() {
        return Err(Errno::EPERM);
    }
    let nf = lookup(c, nd, &np, CREATE_NOFOLLOW)?;
    if nf.node.is_some() {
        return Err(Errno::EEXIST);
    }
    super::common::no_trailing_slash(&nf)?;
    if of.mount != nf.mount {
        return Err(Errno::EXDEV);
    }
    let Node::Host { st, .. } = onode else {
        return Err(Errno::EXDEV);
    };
    writable(c, &of)?;
    creatable(c, &nf)?;
    c.k.vfs
        .host_link(c.host, of.mount, true, &of.rel, &nf.rel)?;
    c.k.vfs
        .note_upper(c.host, nf.mount, &nf.rel, Some(dtype(st.st_mode)));
    Ok(0)
}

/// link(2).
pub fn sys_link(c: &mut Ctx<'_>, old: u64, new: u64) -> SysResult {
    link(c, AT_FDCWD, old, AT_FDCWD, new, 0)
}

/// linkat(2).
pub fn sys_linkat(c: &mut Ctx<'_>, od: i32, old: u64, nd: i32, new: u64, flags: u32) -> SysResult {
    link(c, od, old, nd, new, flags)
}

fn symlink(c: &mut Ctx<'_>, target: u64, dirfd: i32, path: u64) -> SysResult {
    let t = path_arg(c, target)?;
    let p = path_arg(c, path)?;
    let f = lookup(c, dirfd, &p, CREATE_NOFOLLOW)?;
    if f.node.is_some() {
        return Err(Errno::EEXIST);
    }
    super::common::no_trailing_slash(&f)?;
    creatable(c, &f)?;
    c.k.vfs.host_symlink(c.host, &t, f.mount, &f.rel)?;
    c.k.vfs.note_upper(c.host, f.mount, &f.rel, Some(DT_LNK));
    Ok(0)
}

/// symlink(2).
pub fn sys_symlink(c: &mut Ctx<'_>, target: u64, path: u64) -> SysResult {
    symlink(c, target, AT_FDCWD, path)
}

/// symlinkat(2).
pub fn sys_symlinkat(c: &mut Ctx<'_>, target: u64, dirfd: i32, path: u64) -> SysResult {
    symlink(c, target, dirfd, path)
}

fn mknod(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, dev: u64) -> SysResult {
    let kind = match mode & S_IFMT {
        0 | S_IFREG => S_IFREG,
        S_IFIFO => S_IFIFO,
        S_IFSOCK => S_IFSOCK,
        0o020000 | 0o060000 => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };
    let p = path_arg(c, path)?;
    let f = lookup(c, dirfd, &p, CREATE_NOFOLLOW)?;
    if f.node.is_some() {
        return Err(Errno::EEXIST);
    }
    super::common::no_trailing_slash(&f)?;
    creatable(c, &f)?;
    c.k.vfs.host_mknod(
        c.host,
        f.mount,
        &f.rel,
        kind | (mode & 0o7777 & !c.k.umask),
        dev,
    )?;
    let t = match kind {
        S_IFIFO => DT_FIFO,
        S_IFSOCK => DT_SOCK,
        _ => DT_REG,
    };
    c.k.vfs.note_upper(c.host, f.mount, &f.rel, Some(t));
    Ok(0)
}

/// mknod(2): regular files, FIFOs and sockets; devices need privileges (EPERM).
pub fn sys_mknod(c: &mut Ctx<'_>, path: u64, mode: u32, dev: u64) -> SysResult {
    mknod(c, AT_FDCWD, path, mode, dev)
}

/// mknodat(2).
pub fn sys_mknodat(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, dev: u64) -> SysResult {
    mknod(c, dirfd, path, mode, dev)
}
