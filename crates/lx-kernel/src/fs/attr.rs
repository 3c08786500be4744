//! Attributes and data of files: chmod/chown families, truncate,
//! ftruncate, utimensat/utimes/futimesat/utime, fallocate, fsync,
//! fdatasync, sync, syncfs, fadvise64, readahead, flock, sendfile,
//! copy_file_range, the xattr calls, msync, mincore.

use super::common::{existing, lookup, path_arg, writable};
use crate::ctx::{Ctx, SysResult};
use crate::host::HostFd;
use crate::hostfs;
use crate::user;
use crate::vfs::walk::{Found, How, Last, Node};
use alloc::format;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use lx_abi::structs::{Timespec, Timeval, UTIME_NOW, UTIME_OMIT};
use lx_abi::syscalls::nr;

fn hostfd(c: &Ctx<'_>, fd: i32) -> Result<HostFd, Errno> {
    let e = c.k.fds.get(fd)?;
    if e.file.o_path || e.file.st.is_some() {
        return Err(Errno::EBADF);
    }
    Ok(e.file.fd)
}

/// The host fd metadata changes through guest fd `fd` may use: the fd's
/// own, or, for a file open in a read-only layer, an O_PATH fd of its
/// copied-up version (the caller closes it when `.1`).
fn meta_fd(c: &mut Ctx<'_>, fd: i32) -> Result<(HostFd, bool), Errno> {
    let e = c.k.fds.get(fd)?;
    if !e.file.lower {
        return Ok((e.file.fd, false));
    }
    let Some(path) = e.file.path.clone() else {
        return Err(Errno::EROFS);
    };
    let f = lookup(c, AT_FDCWD, &path, How::NOFOLLOW)?;
    writable_path_fd(c, &f, true).map(|h| (h, true))
}

/// Run `op` on the metadata fd of guest fd `fd`.
fn with_meta_fd(
    c: &mut Ctx<'_>,
    fd: i32,
    op: impl FnOnce(&Ctx<'_>, HostFd) -> SysResult,
) -> SysResult {
    let (h, close) = meta_fd(c, fd)?;
    let r = op(c, h);
    if close {
        let _ = c.host.close(h);
    }
    r
}

/// Open the writable (copied-up) host file behind `f` as an O_PATH fd.
fn writable_path_fd(c: &mut Ctx<'_>, f: &Found, nofollow: bool) -> Result<HostFd, Errno> {
    let layer = writable(c, f)?;
    let flags = 0o10000000 | if nofollow { 0o400000 } else { 0 };
    hostfs::open_beneath(c.host, layer, &f.rel, flags, 0)
}

fn chmod(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, flags: u32) -> SysResult {
    if flags & !0x100 != 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    let how = if flags & 0x100 != 0 {
        How::NOFOLLOW
    } else {
        How::FOLLOW
    };
    let f = lookup(c, dirfd, &p, how)?;
    if existing(&f)?.is_symlink() {
        return Err(Errno::EOPNOTSUPP);
    }
    writable(c, &f)?;
    c.k.vfs.host_chmod(c.host, f.mount, &f.rel, mode & 0o7777)?;
    Ok(0)
}

/// chmod(2).
pub fn sys_chmod(c: &mut Ctx<'_>, path: u64, mode: u32) -> SysResult {
    chmod(c, AT_FDCWD, path, mode, 0)
}
/// fchmodat(2) (no flags argument).
pub fn sys_fchmodat(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32) -> SysResult {
    chmod(c, dirfd, path, mode, 0)
}
/// fchmodat2(2).
pub fn sys_fchmodat2(c: &mut Ctx<'_>, dirfd: i32, path: u64, mode: u32, flags: u32) -> SysResult {
    chmod(c, dirfd, path, mode, flags)
}
/// fchmod(2).
pub fn sys_fchmod(c: &mut Ctx<'_>, fd: i32, mode: u32) -> SysResult {
    if c.k.fds.get(fd)?.file.st.is_some() {
        return Err(Errno::EPERM);
    }
    with_meta_fd(c, fd, |c, h| {
        // fchmod refuses O_PATH fds; go through the magic link instead.
        let p = hostfs::cpath(format!("/proc/self/fd/{h}").as_bytes());
        c.host
            .syscall(
                nr::fchmodat,
                [
                    (-100i64) as u64,
                    p.as_ptr() as u64,
                    u64::from(mode & 0o7777),
                    0,
                    0,
                    0,
                ],
            )
            .map(|_| 0)
    })
}

/// Host ids for guest ids: the guest's own ids are the host user's.
fn host_ids(c: &Ctx<'_>, uid: u32, gid: u32) -> (u32, u32) {
    let (hu, hg) = c.k.vfs.host_ids;
    let u = if uid != u32::MAX && uid == c.k.id.uid {
        hu
    } else {
        uid
    };
    let g = if gid != u32::MAX && gid == c.k.id.gid {
        hg
    } else {
        gid
    };
    (u, g)
}

fn chown(c: &mut Ctx<'_>, dirfd: i32, path: u64, uid: u32, gid: u32, flags: u32) -> SysResult {
    if flags & !(0x100 | 0x1000) != 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    if p.is_empty() && flags & 0x1000 != 0 {
        return sys_fchown(c, dirfd, uid, gid);
    }
    let how = if flags & 0x100 != 0 {
        How::NOFOLLOW
    } else {
        How::FOLLOW
    };
    let f = lookup(c, dirfd, &p, how)?;
    let fd = writable_path_fd(c, &f, flags & 0x100 != 0)?;
    let (u, g) = host_ids(c, uid, gid);
    let mut r = hostfs::fchown(c.host, fd, u, g);
    if r == Err(Errno::EPERM) && super::common::faking(c) && c.k.id.euid == 0 {
        // The host refuses: remember the ownership for the guest, as
        // fakeroot does (kept in the upper layer, so every process of the
        // run and later runs with --overlay see it).
        r = super::common::stat_of(c, &f).and_then(|cur| remember_owner(c, fd, uid, gid, &cur));
    }
    let _ = c.host.close(fd);
    r.map(|()| 0)
}

/// chown(2).
pub fn sys_chown(c: &mut Ctx<'_>, path: u64, uid: u32, gid: u32) -> SysResult {
    chown(c, AT_FDCWD, path, uid, gid, 0)
}
/// lchown(2).
pub fn sys_lchown(c: &mut Ctx<'_>, path: u64, uid: u32, gid: u32) -> SysResult {
    chown(c, AT_FDCWD, path, uid, gid, 0x100)
}
/// fchownat(2).
pub fn sys_fchownat(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path: u64,
    uid: u32,
    gid: u32,
    flags: u32,
) -> SysResult {
    chown(c, dirfd, path, uid, gid, flags)
}
fn remember_owner(
    c: &Ctx<'_>,
    fd: HostFd,
    uid: u32,
    gid: u32,
    cur: &lx_abi::structs::Stat,
) -> Result<(), Errno> {
    let u = if uid == u32::MAX { cur.st_uid } else { uid };
    let g = if gid == u32::MAX { cur.st_gid } else { gid };
    let v = format!("{u}:{g}");
    let p = hostfs::cpath(format!("/proc/self/fd/{fd}").as_bytes());
    c.host
        .syscall(
            nr::setxattr,
            [
                p.as_ptr() as u64,
                super::common::OWNER_XATTR.as_ptr() as u64,
                v.as_ptr() as u64,
                v.len() as u64,
                0,
                0,
            ],
        )
        .map(|_| ())
        .map_err(|_| Errno::EPERM)
}

/// fchown(2).
pub fn sys_fchown(c: &mut Ctx<'_>, fd: i32, uid: u32, gid: u32) -> SysResult {
    let (u, g) = host_ids(c, uid, gid);
    let fake = super::common::faking(c) && c.k.id.euid == 0;
    let cur = if fake {
        Some(super::stat::fd_stat(c, fd)?)
    } else {
        None
    };
    with_meta_fd(c, fd, |c, h| {
        match (hostfs::fchown(c.host, h, u, g), &cur) {
            (Err(Errno::EPERM), Some(cur)) => remember_owner(c, h, uid, gid, cur).map(|()| 0),
            (r, _) => r.map(|()| 0),
        }
    })
}

/// truncate(2).
pub fn sys_truncate(c: &mut Ctx<'_>, path: u64, len: i64) -> SysResult {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let p = path_arg(c, path)?;
    let f = lookup(c, AT_FDCWD, &p, How::FOLLOW)?;
    if existing(&f)?.is_dir() {
        return Err(Errno::EISDIR);
    }
    let layer = writable(c, &f)?;
    let fd = hostfs::open_beneath(c.host, layer, &f.rel, 0o1, 0)?;
    let r = hostfs::ftruncate(c.host, fd, len as u64);
    let _ = c.host.close(fd);
    r.map(|()| 0)
}

/// ftruncate(2).
pub fn sys_ftruncate(c: &mut Ctx<'_>, fd: i32, len: i64) -> SysResult {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let h = hostfd(c, fd)?;
    hostfs::ftruncate(c.host, h, len as u64).map(|()| 0)
}

fn check_times(t: &[Timespec; 2]) -> Result<(), Errno> {
    for x in t {
        if x.tv_nsec != UTIME_NOW
            && x.tv_nsec != UTIME_OMIT
            && !(0..1_000_000_000).contains(&x.tv_nsec)
        {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

fn set_times(
    c: &mut Ctx<'_>,
    dirfd: i32,
    p: Option<&[u8]>,
    times: Option<[Timespec; 2]>,
    flags: u32,
) -> SysResult {
    if flags & !(0x100 | 0x1000) != 0 {
        return Err(Errno::EINVAL);
    }
    if let Some(t) = &times {
        check_times(t)?;
        if t[0].tv_nsec == UTIME_OMIT && t[1].tv_nsec == UTIME_OMIT {
            return Ok(0);
        }
    }
    let p = match p {
        Some(p) if !p.is_empty() || flags & 0x1000 == 0 => p,
        _ => {
            return with_meta_fd(c, dirfd, |c, h| {
                // Through the magic link: works for O_PATH fds too.
                let p = format!("/proc/self/fd/{h}");
                hostfs::utimens_at(c.host, -100, p.as_bytes(), times.as_ref(), 0).map(|()| 0)
            });
        }
    };
    let how = if flags & 0x100 != 0 {
        How::NOFOLLOW
    } else {
        How::FOLLOW
    };
    let f = lookup(c, dirfd, p, how)?;
    if matches!(existing(&f)?, Node::Virt(_)) {
        return Err(Errno::EACCES);
    }
    writable(c, &f)?;
    c.k.vfs
        .host_utimens(c.host, f.mount, &f.rel, times.as_ref())?;
    Ok(0)
}

/// utimensat(2).
pub fn sys_utimensat(c: &mut Ctx<'_>, dirfd: i32, path: u64, times: u64, flags: u32) -> SysResult {
    let t = if times == 0 {
        None
    } else {
        Some(c.read::<[Timespec; 2]>(times)?)
    };
    if path == 0 {
        return set_times(c, dirfd, None, t, flags);
    }
    let p = path_arg(c, path)?;
    set_times(c, dirfd, Some(&p), t, flags)
}

fn tv_to_ts(tv: &[Timeval; 2]) -> Result<[Timespec; 2], Errno> {
    let one = |t: &Timeval| {
        if !(0..1_000_000).contains(&t.tv_usec) {
            return Err(Errno::EINVAL);
        }
        Ok(Timespec {
            tv_sec: t.tv_sec,
            tv_nsec: t.tv_usec * 1000,
        })
    };
    Ok([one(&tv[0])?, one(&tv[1])?])
}

/// futimesat(2).
pub fn sys_futimesat(c: &mut Ctx<'_>, dirfd: i32, path: u64, times: u64) -> SysResult {
    let t = if times == 0 {
        None
    } else {
        Some(tv_to_ts(&c.read::<[Timeval; 2]>(times)?)?)
    };
    let p = path_arg(c, path)?;
    set_times(c, dirfd, Some(&p), t, 0)
}

/// utimes(2).
pub fn sys_utimes(c: &mut Ctx<'_>, path: u64, times: u64) -> SysResult {
    sys_futimesat(c, AT_FDCWD, path, times)
}

/// utime(2): `struct utimbuf` is two longs (actime, modtime).
pub fn sys_utime(c: &mut Ctx<'_>, path: u64, times: u64) -> SysResult {
    let t = if times == 0 {
        None
    } else {
        let b: [i64; 2] = c.read(times)?;
        Some([
            Timespec {
                tv_sec: b[0],
                tv_nsec: 0,
            },
            Timespec {
                tv_sec: b[1],
                tv_nsec: 0,
            },
        ])
    };
    let p = path_arg(c, path)?;
    set_times(c, AT_FDCWD, Some(&p), t, 0)
}

/// A call on one host fd with the rest of the arguments unchanged.
fn on_fd(c: &Ctx<'_>, n: u32, fd: i32, rest: [u64; 5]) -> SysResult {
    let h = hostfd(c, fd)?;
    c.host
        .syscall(n, [h as u64, rest[0], rest[1], rest[2], rest[3], rest[4]])
}

/// fallocate(2).
pub fn sys_fallocate(c: &mut Ctx<'_>, fd: i32, mode: i32, off: i64, len: i64) -> SysResult {
    on_fd(
        c,
        nr::fallocate,
        fd,
        [mode as u32 as u64, off as u64, len as u64, 0, 0],
    )
}
/// fsync(2).
pub fn sys_fsync(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let h = c.k.fds.get(fd)?.file.fd;
    c.host.syscall(nr::fsync, [h as u64, 0, 0, 0, 0, 0])
}
/// fdatasync(2).
pub fn sys_fdatasync(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let h = c.k.fds.get(fd)?.file.fd;
    c.host.syscall(nr::fdatasync, [h as u64, 0, 0, 0, 0, 0])
}
/// syncfs(2).
pub fn sys_syncfs(c: &mut Ctx<'_>, fd: i32) -> SysResult {
    let h = c.k.fds.get(fd)?.file.fd;
    c.host.syscall(nr::syncfs, [h as u64, 0, 0, 0, 0, 0])
}
/// sync(2): flushes the host's filesystems (lx's layers among them).
pub fn sys_sync(c: &mut Ctx<'_>) -> SysResult {
    c.host.syscall(nr::sync, [0; 6]).map(|_| 0)
}
/// fadvise64(2).
pub fn sys_fadvise64(c: &mut Ctx<'_>, fd: i32, off: i64, len: i64, advice: i32) -> SysResult {
    on_fd(
        c,
        nr::fadvise64,
        fd,
        [off as u64, len as u64, advice as u32 as u64, 0, 0],
    )
}
/// readahead(2).
pub fn sys_readahead(c: &mut Ctx<'_>, fd: i32, off: i64, count: u64) -> SysResult {
    on_fd(c, nr::readahead, fd, [off as u64, count, 0, 0, 0])
}
/// flock(2): host locks, so every process of the run and the host agree.
/// Waiting for a lock is interruptible (restarted under SA_RESTART).
pub fn sys_flock(c: &mut Ctx<'_>, fd: i32, op: i32) -> SysResult {
    const LOCK_NB: i32 = 4;
    let h = c.k.fds.get(fd)?.file.fd;
    let args = [h as u64, op as u32 as u64, 0, 0, 0, 0];
    if op & LOCK_NB != 0 {
        return c.host.syscall(nr::flock, args);
    }
    crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
        c.host.syscall(nr::flock, args)
    })
}

/// sendfile(2): the offset (if any) is copied through lx.
pub fn sys_sendfile(c: &mut Ctx<'_>, out: i32, inp: i32, off: u64, count: u64) -> SysResult {
    let ho = hostfd(c, out)?;
    let hi = hostfd(c, inp)?;
    if off == 0 {
        return c
            .host
            .syscall(nr::sendfile, [ho as u64, hi as u64, 0, count, 0, 0]);
    }
    let mut o: i64 = c.read(off)?;
    let r = c.host.syscall(
        nr::sendfile,
        [ho as u64, hi as u64, &mut o as *mut i64 as u64, count, 0, 0],
    );
    c.write(off, &o)?;
    r
}

/// copy_file_range(2).
pub fn sys_copy_file_range(
    c: &mut Ctx<'_>,
    fi: i32,
    oi: u64,
    fo: i32,
    oo: u64,
    len: u64,
    flags: u32,
) -> SysResult {
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let hi = hostfd(c, fi)?;
    let ho = hostfd(c, fo)?;
    let mut a: i64 = if oi != 0 { c.read(oi)? } else { 0 };
    let mut b: i64 = if oo != 0 { c.read(oo)? } else { 0 };
    let pa = if oi != 0 {
        &mut a as *mut i64 as u64
    } else {
        0
    };
    let pb = if oo != 0 {
        &mut b as *mut i64 as u64
    } else {
        0
    };
    let r = c
        .host
        .syscall(nr::copy_file_range, [hi as u64, pa, ho as u64, pb, len, 0]);
    if oi != 0 {
        c.write(oi, &a)?;
    }
    if oo != 0 {
        c.write(oo, &b)?;
    }
    r
}

// ------------------------------------------------------------------ xattrs

/// How a host xattr call names its file: a /proc/self/fd path, whether the
/// call must not follow its last component (the l-variant), and an fd to
/// close afterwards.
struct XTarget {
    /// The host path the path-based calls take (empty: made from `at`).
    path: alloc::vec::Vec<u8>,
    nofollow: bool,
    close: Option<HostFd>,
    /// The same file as a directory fd and one name, for the host's *xattrat
    /// calls (one call, no /proc lookup).
    at: Option<(HostFd, alloc::vec::Vec<u8>)>,
}

/// Set when the host has no getxattrat/listxattrat (before Linux 6.13).
static NO_XATTRAT: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

impl XTarget {
    /// Through an open host fd (follows the magic link to the file itself).
    fn fd(fd: HostFd, close: bool) -> XTarget {
        XTarget {
            path: format!("/proc/self/fd/{fd}").into_bytes(),
            nofollow: false,
            close: close.then_some(fd),
            at: None,
        }
    }
}

/// The host file behind a path, named so the host's xattr calls act on
/// exactly the file lx resolved (its directory fd, then its one name).
fn xattr_target(c: &mut Ctx<'_>, path: u64, follow: bool, write: bool) -> Result<XTarget, Errno> {
    let p = path_arg(c, path)?;
    let how = match (follow, write) {
        // (Where the file is is all that is needed: see `lookup`.)
        (true, false) => How::FOLLOW.with_last(Last::Locate),
        (true, true) => How::FOLLOW,
        // The host's l*xattr call reports a missing file itself.
        (false, false) => How::NOFOLLOW.with_last(Last::Locate),
        (false, true) => How::NOFOLLOW,
    };
    let f = lookup(c, AT_FDCWD, &p, how)?;
    match existing(&f)? {
        Node::Host { upper, layers, .. } => {
            if write {
                return writable_path_fd(c, &f, true).map(|fd| XTarget::fd(fd, true));
            }
            let use_upper = *upper && !(layers.upper && layers.lower);
            let (dfd, name) = c.k.vfs.at(c.host, f.mount, use_upper, &f.rel)?;
            if name.is_empty() {
                return Ok(XTarget::fd(dfd, false));
            }
            // (`path` is made from `at` only when a call needs it: reads
            // go through the *xattrat calls.)
            Ok(XTarget {
                path: alloc::vec::Vec::new(),
                nofollow: true,
                close: None,
                at: Some((dfd, name.to_vec())),
            })
        }
        _ => Err(Errno::EOPNOTSUPP),
    }
}

/// Issue host xattr call `n` (getxattr, listxattr, setxattr, removexattr;
/// the l-variant when the target says so) on `t`.
fn xattr_call(c: &mut Ctx<'_>, n: u32, t: XTarget, name: u64, args: [u64; 3]) -> SysResult {
    let l = |n: u32| match n {
        x if x == nr::getxattr => nr::lgetxattr,
        x if x == nr::listxattr => nr::llistxattr,
        x if x == nr::setxattr => nr::lsetxattr,
        _ => nr::lremovexattr,
    };
    let call = if t.nofollow { l(n) } else { n };
    let r = (|| {
        let nm = if name != 0 {
            let mut v = user::read_cstr(c.host, name, 256)?;
            if v.is_empty() || v.len() > 255 {
                return Err(Errno::ERANGE);
            }
            v.push(0);
            Some(v)
        } else {
            None
        };
        // Reads below a directory fd: the host's *xattrat calls.
        if let Some((dfd, fname)) = &t.at
            && (n == nr::getxattr || n == nr::listxattr)
            && !NO_XATTRAT.load(core::sync::atomic::Ordering::Relaxed)
        {
            let cname = hostfs::cpath(fname);
            let flags = if t.nofollow { 0x100 } else { 0 }; // AT_SYMLINK_NOFOLLOW
            let r = match &nm {
                Some(nm) => {
                    // struct xattr_args { u64 value; u32 size; u32 flags; }
                    let xargs = [args[0], args[1] & 0xffff_ffff];
                    c.host.syscall(
                        nr::getxattrat,
                        [
                            *dfd as u64,
                            cname.as_ptr() as u64,
                            flags,
                            nm.as_ptr() as u64,
                            xargs.as_ptr() as u64,
                            16,
                        ],
                    )
                }
                None => c.host.syscall(
                    nr::listxattrat,
                    [
                        *dfd as u64,
                        cname.as_ptr() as u64,
                        flags,
                        args[0],
                        args[1],
                        0,
                    ],
                ),
            };
            if r != Err(Errno::ENOSYS) {
                return r;
            }
            NO_XATTRAT.store(true, core::sync::atomic::Ordering::Relaxed);
        }
        let path = match &t.at {
            Some((dfd, name)) if t.path.is_empty() => {
                let mut p = format!("/proc/self/fd/{dfd}/").into_bytes();
                p.extend_from_slice(name);
                hostfs::cpath(&p)
            }
            _ => hostfs::cpath(&t.path),
        };
        let a = match &nm {
            Some(nm) => [
                path.as_ptr() as u64,
                nm.as_ptr() as u64,
                args[0],
                args[1],
                args[2],
                0,
            ],
            None => [path.as_ptr() as u64, args[0], args[1], 0, 0, 0],
        };
        c.host.syscall(call, a)
    })();
    if let Some(fd) = t.close {
        let _ = c.host.close(fd);
    }
    r
}

fn guest_buf(addr: u64, len: u64) -> Result<u64, Errno> {
    if len == 0 {
        return Ok(addr);
    }
    user::slice(addr, len).map(|s| s.addr)
}

/// getxattr(2) / lgetxattr(2).
pub fn sys_getxattr(
    c: &mut Ctx<'_>,
    path: u64,
    name: u64,
    val: u64,
    size: u64,
    follow: bool,
) -> SysResult {
    let v = guest_buf(val, size)?;
    let t = xattr_target(c, path, follow, false)?;
    xattr_call(c, nr::getxattr, t, name, [v, size, 0])
}
/// fgetxattr(2).
pub fn sys_fgetxattr(c: &mut Ctx<'_>, fd: i32, name: u64, val: u64, size: u64) -> SysResult {
    let v = guest_buf(val, size)?;
    let h = c.k.fds.get(fd)?.file.fd;
    xattr_call(c, nr::getxattr, XTarget::fd(h, false), name, [v, size, 0])
}
/// listxattr(2) / llistxattr(2).
pub fn sys_listxattr(c: &mut Ctx<'_>, path: u64, list: u64, size: u64, follow: bool) -> SysResult {
    let v = guest_buf(list, size)?;
    let t = xattr_target(c, path, follow, false)?;
    xattr_call(c, nr::listxattr, t, 0, [v, size, 0])
}
/// flistxattr(2).
pub fn sys_flistxattr(c: &mut Ctx<'_>, fd: i32, list: u64, size: u64) -> SysResult {
    let v = guest_buf(list, size)?;
    let h = c.k.fds.get(fd)?.file.fd;
    xattr_call(c, nr::listxattr, XTarget::fd(h, false), 0, [v, size, 0])
}
/// setxattr(2) / lsetxattr(2).
pub fn sys_setxattr(
    c: &mut Ctx<'_>,
    path: u64,
    name: u64,
    val: u64,
    size: u64,
    flags: i32,
    follow: bool,
) -> SysResult {
    let v = guest_buf(val, size)?;
    let t = xattr_target(c, path, follow, true)?;
    xattr_call(c, nr::setxattr, t, name, [v, size, flags as u32 as u64])
}
/// fsetxattr(2).
pub fn sys_fsetxattr(
    c: &mut Ctx<'_>,
    fd: i32,
    name: u64,
    val: u64,
    size: u64,
    flags: i32,
) -> SysResult {
    let v = guest_buf(val, size)?;
    let (h, close) = meta_fd(c, fd)?;
    xattr_call(
        c,
        nr::setxattr,
        XTarget::fd(h, close),
        name,
        [v, size, flags as u32 as u64],
    )
}
/// removexattr(2) / lremovexattr(2).
pub fn sys_removexattr(c: &mut Ctx<'_>, path: u64, name: u64, follow: bool) -> SysResult {
    let t = xattr_target(c, path, follow, true)?;
    xattr_call(c, nr::removexattr, t, name, [0, 0, 0])
}
/// fremovexattr(2).
pub fn sys_fremovexattr(c: &mut Ctx<'_>, fd: i32, name: u64) -> SysResult {
    let (h, close) = meta_fd(c, fd)?;
    xattr_call(c, nr::removexattr, XTarget::fd(h, close), name, [0, 0, 0])
}
