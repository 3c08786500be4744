//! Typed host file-system calls on lx's own buffers.
//!
//! Every call here goes through [`Host::syscall`] with pointers into lx's
//! heap (paths are copied and NUL-terminated first), never guest memory.
//! Paths are relative to a layer's root fd and are opened with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`, so even a
//! tree changed behind lx's back cannot lead the host outside the layer.

use crate::host::{Host, HostFd};
use alloc::vec;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::ResolveFlags;
use lx_abi::structs::{OpenHow, Stat, Statfs, Timespec};
use lx_abi::syscalls::nr;
use zerocopy::{FromZeros, IntoBytes};

/// `AT_SYMLINK_NOFOLLOW`.
pub const NOFOLLOW: u32 = 0x100;
/// `AT_EMPTY_PATH`.
pub const EMPTY_PATH: u32 = 0x1000;
/// `AT_REMOVEDIR`.
pub const REMOVEDIR: u32 = 0x200;

/// The resolve flags of every lx lookup below a layer root.
pub const CONFINED: u64 = ResolveFlags::BENEATH.bits()
    | ResolveFlags::NO_SYMLINKS.bits()
    | ResolveFlags::NO_MAGICLINKS.bits();

/// `path` with a NUL appended ("" stays "" + NUL: callers pass EMPTY_PATH).
pub fn cpath(path: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(path.len() + 1);
    v.extend_from_slice(path);
    v.push(0);
    v
}

/// A relative path as the host wants it: "" (the root itself) becomes ".".
fn rel(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        cpath(b".")
    } else {
        cpath(path)
    }
}

fn p<T: ?Sized>(v: &T) -> u64 {
    v as *const T as *const u8 as u64
}

/// openat2(2) below `dirfd`, confined to it.
pub fn open_beneath(
    h: &dyn Host,
    dirfd: HostFd,
    path: &[u8],
    flags: u32,
    mode: u32,
) -> Result<HostFd, Errno> {
    let how = OpenHow {
        flags: u64::from(flags) | 0o2000000, // lx's copies are O_CLOEXEC
        mode: if flags & 0o100 != 0 || flags & 0o20000000 != 0 {
            u64::from(mode)
        } else {
            0
        },
        resolve: CONFINED,
    };
    let path = rel(path);
    h.syscall(
        nr::openat2,
        [
            dirfd as u64,
            p(&path[..]),
            p(&how),
            core::mem::size_of::<OpenHow>() as u64,
            0,
            0,
        ],
    )
    .map(|fd| fd as HostFd)
}

/// openat(2) of one name (no slash, not "." or "..") in directory `dirfd`.
pub fn open_name(h: &dyn Host, dirfd: HostFd, name: &[u8], flags: u32) -> Result<HostFd, Errno> {
    open_name_mode(h, dirfd, name, flags, 0)
}

/// openat(2) of one name with a creation mode.
pub fn open_name_mode(
    h: &dyn Host,
    dirfd: HostFd,
    name: &[u8],
    flags: u32,
    mode: u32,
) -> Result<HostFd, Errno> {
    if name.is_empty() || name.contains(&b'/') || name == b"." || name == b".." {
        return Err(Errno::EINVAL);
    }
    let path = cpath(name);
    h.syscall(
        nr::openat,
        [
            dirfd as u64,
            p(&path[..]),
            u64::from(flags | 0o2000000),
            u64::from(mode),
            0,
            0,
        ],
    )
    .map(|fd| fd as HostFd)
}

/// openat(2) of an absolute host path (lx's own use: /dev/null, /proc/self/fd/N).
pub fn open_abs(h: &dyn Host, path: &[u8], flags: u32) -> Result<HostFd, Errno> {
    let path = cpath(path);
    h.syscall(
        nr::openat,
        [
            (-100i64) as u64,
            p(&path[..]),
            u64::from(flags | 0o2000000),
            0,
            0,
            0,
        ],
    )
    .map(|fd| fd as HostFd)
}

/// fstatat(2) of `path` below `dirfd` without following a final symlink.
/// Intermediate components are ones lx has just checked are directories.
pub fn lstat_at(h: &dyn Host, dirfd: HostFd, path: &[u8]) -> Result<Stat, Errno> {
    let mut st = Stat::new_zeroed();
    let (path, flags) = if path.is_empty() {
        (cpath(b""), NOFOLLOW | EMPTY_PATH)
    } else {
        (cpath(path), NOFOLLOW)
    };
    h.syscall(
        nr::newfstatat,
        [
            dirfd as u64,
            p(&path[..]),
            st.as_mut_bytes().as_mut_ptr() as u64,
            u64::from(flags),
            0,
            0,
        ],
    )?;
    Ok(st)
}

/// readlinkat(2).
pub fn readlink_at(h: &dyn Host, dirfd: HostFd, path: &[u8]) -> Result<Vec<u8>, Errno> {
    let path = cpath(path);
    let read = |buf: &mut [u8]| {
        h.syscall(
            nr::readlinkat,
            [
                dirfd as u64,
                p(&path[..]),
                buf.as_mut_ptr() as u64,
                buf.len() as u64,
                0,
                0,
            ],
        )
        .map(|n| n.min(buf.len()))
    };
    // Most targets are short: a small buffer on the stack (a page of heap
    // per lookup through a symlink costs more, and a page-sized one on the
    // stack adds a page to the deepest paths, exec's, which each new
    // process then copies); a target that fills it is read again whole.
    let mut small = [0u8; 256];
    let n = read(&mut small)?;
    if n < small.len() {
        return Ok(small[..n].to_vec());
    }
    let mut buf = alloc::vec![0u8; 4096];
    let n = read(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// getdents64(2) into lx's buffer.
pub fn getdents64(h: &dyn Host, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno> {
    h.syscall(
        nr::getdents64,
        [
            fd as u64,
            buf.as_mut_ptr() as u64,
            buf.len() as u64,
            0,
            0,
            0,
        ],
    )
}

/// Every entry of the directory open as `fd`: (name, d_type, d_ino).
pub fn read_dir(h: &dyn Host, fd: HostFd) -> Result<Vec<(Vec<u8>, u8, u64)>, Errno> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = getdents64(h, fd, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        let mut off = 0;
        while off + 19 <= n {
            let ino = u64::from_le_bytes(buf[off..off + 8].try_into().unwrap_or([0; 8]));
            let reclen = usize::from(u16::from_le_bytes([buf[off + 16], buf[off + 17]]));
            if reclen == 0 || off + reclen > n {
                break;
            }
            let dtype = buf[off + 18];
            let name = &buf[off + 19..off + reclen];
            let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            let name = &name[..len];
            if name != b"." && name != b".." {
                out.push((name.to_vec(), dtype, ino));
            }
            off += reclen;
        }
    }
}

fn at2(h: &dyn Host, n: u32, dirfd: HostFd, path: &[u8], a2: u64, a3: u64) -> Result<usize, Errno> {
    let path = cpath(path);
    h.syscall(n, [dirfd as u64, p(&path[..]), a2, a3, 0, 0])
}

pub fn mkdir_at(h: &dyn Host, dirfd: HostFd, path: &[u8], mode: u32) -> Result<(), Errno> {
    at2(h, nr::mkdirat, dirfd, path, u64::from(mode), 0).map(|_| ())
}

pub fn unlink_at(h: &dyn Host, dirfd: HostFd, path: &[u8], flags: u32) -> Result<(), Errno> {
    at2(h, nr::unlinkat, dirfd, path, u64::from(flags), 0).map(|_| ())
}

pub fn mknod_at(
    h: &dyn Host,
    dirfd: HostFd,
    path: &[u8],
    mode: u32,
    dev: u64,
) -> Result<(), Errno> {
    at2(h, nr::mknodat, dirfd, path, u64::from(mode), dev).map(|_| ())
}

pub fn fchmod_at(h: &dyn Host, dirfd: HostFd, path: &[u8], mode: u32) -> Result<(), Errno> {
    at2(h, nr::fchmodat, dirfd, path, u64::from(mode), 0).map(|_| ())
}

pub fn symlink_at(h: &dyn Host, target: &[u8], dirfd: HostFd, path: &[u8]) -> Result<(), Errno> {
    let t = cpath(target);
    let path = cpath(path);
    h.syscall(
        nr::symlinkat,
        [p(&t[..]), dirfd as u64, p(&path[..]), 0, 0, 0],
    )
    .map(|_| ())
}

pub fn rename_at(
    h: &dyn Host,
    olddir: HostFd,
    old: &[u8],
    newdir: HostFd,
    new: &[u8],
    flags: u32,
) -> Result<(), Errno> {
    let o = cpath(old);
    let n = cpath(new);
    h.syscall(
        nr::renameat2,
        [
            olddir as u64,
            p(&o[..]),
            newdir as u64,
            p(&n[..]),
            u64::from(flags),
            0,
        ],
    )
    .map(|_| ())
}

pub fn link_at(
    h: &dyn Host,
    olddir: HostFd,
    old: &[u8],
    newdir: HostFd,
    new: &[u8],
) -> Result<(), Errno> {
    let o = cpath(old);
    let n = cpath(new);
    h.syscall(
        nr::linkat,
        [olddir as u64, p(&o[..]), newdir as u64, p(&n[..]), 0, 0],
    )
    .map(|_| ())
}

/// fchownat(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW): works on O_PATH fds.
pub fn fchown(h: &dyn Host, fd: HostFd, uid: u32, gid: u32) -> Result<(), Errno> {
    let e = cpath(b"");
    h.syscall(
        nr::fchownat,
        [
            fd as u64,
            p(&e[..]),
            u64::from(uid),
            u64::from(gid),
            u64::from(EMPTY_PATH | NOFOLLOW),
            0,
        ],
    )
    .map(|_| ())
}

pub fn fchmod(h: &dyn Host, fd: HostFd, mode: u32) -> Result<(), Errno> {
    h.syscall(nr::fchmod, [fd as u64, u64::from(mode), 0, 0, 0, 0])
        .map(|_| ())
}

/// utimensat(fd, NULL, times, 0): `None` sets both to now.
pub fn futimens(h: &dyn Host, fd: HostFd, times: Option<&[Timespec; 2]>) -> Result<(), Errno> {
    let t = times.map_or(0, p);
    h.syscall(nr::utimensat, [fd as u64, 0, t, 0, 0, 0])
        .map(|_| ())
}

/// utimensat on a path below `dirfd` (symlinks themselves: AT_SYMLINK_NOFOLLOW).
pub fn utimens_at(
    h: &dyn Host,
    dirfd: HostFd,
    path: &[u8],
    times: Option<&[Timespec; 2]>,
    flags: u32,
) -> Result<(), Errno> {
    let path = rel(path);
    let t = times.map_or(0, p);
    h.syscall(
        nr::utimensat,
        [dirfd as u64, p(&path[..]), t, u64::from(flags), 0, 0],
    )
    .map(|_| ())
}

pub fn ftruncate(h: &dyn Host, fd: HostFd, len: u64) -> Result<(), Errno> {
    h.syscall(nr::ftruncate, [fd as u64, len, 0, 0, 0, 0])
        .map(|_| ())
}

pub fn fstatfs(h: &dyn Host, fd: HostFd) -> Result<Statfs, Errno> {
    let mut st = Statfs::new_zeroed();
    h.syscall(
        nr::fstatfs,
        [fd as u64, st.as_mut_bytes().as_mut_ptr() as u64, 0, 0, 0, 0],
    )?;
    Ok(st)
}

/// A memfd holding `data`, positioned at 0.
pub fn memfd_with(h: &dyn Host, name: &[u8], data: &[u8]) -> Result<HostFd, Errno> {
    let name = cpath(name);
    let fd = h.syscall(
        nr::memfd_create,
        [p(&name[..]), 1 /* MFD_CLOEXEC */, 0, 0, 0, 0],
    )? as HostFd;
    let r = write_all_at(h, fd, data, 0);
    if let Err(e) = r {
        let _ = h.close(fd);
        return Err(e);
    }
    Ok(fd)
}

/// pwrite all of `data` at `off`.
pub fn write_all_at(h: &dyn Host, fd: HostFd, data: &[u8], mut off: u64) -> Result<(), Errno> {
    let mut done = 0;
    while done < data.len() {
        let n = h.syscall(
            nr::pwrite64,
            [
                fd as u64,
                data[done..].as_ptr() as u64,
                (data.len() - done) as u64,
                off,
                0,
                0,
            ],
        )?;
        if n == 0 {
            return Err(Errno::EIO);
        }
        done += n;
        off += n as u64;
    }
    Ok(())
}

/// pread into lx's buffer.
pub fn pread_buf(h: &dyn Host, fd: HostFd, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
    h.syscall(
        nr::pread64,
        [
            fd as u64,
            buf.as_mut_ptr() as u64,
            buf.len() as u64,
            off,
            0,
            0,
        ],
    )
}

/// Copy all of `from` into `to` (both at offset 0), in the kernel when it can.
pub fn copy_all(h: &dyn Host, from: HostFd, to: HostFd) -> Result<(), Errno> {
    let mut off_in = 0u64;
    let mut off_out = 0u64;
    loop {
        match h.syscall(
            nr::copy_file_range,
            [from as u64, p(&off_in), to as u64, p(&off_out), 1 << 30, 0],
        ) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(Errno::EXDEV | Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => break,
            Err(e) => return Err(e),
        }
    }
    // Fallback: plain reads and writes from where copy_file_range stopped.
    let mut buf = vec![0u8; 128 * 1024];
    loop {
        let n = pread_buf(h, from, &mut buf, off_in)?;
        if n == 0 {
            return Ok(());
        }
        write_all_at(h, to, &buf[..n], off_out)?;
        off_in += n as u64;
        off_out += n as u64;
    }
}

/// The host's idea of a path for an fd (readlink of /proc/self/fd/N).
pub fn fd_path(h: &dyn Host, fd: HostFd) -> Result<Vec<u8>, Errno> {
    let path = alloc::format!("/proc/self/fd/{fd}");
    readlink_at(h, -100, path.as_bytes())
}

/// faccessat2(dirfd, "", mode, AT_EMPTY_PATH): permission check on an open fd.
pub fn access_fd(h: &dyn Host, fd: HostFd, mode: u32, flags: u32) -> Result<(), Errno> {
    let e = cpath(b"");
    h.syscall(
        nr::faccessat2,
        [
            fd as u64,
            p(&e[..]),
            u64::from(mode),
            u64::from(flags | EMPTY_PATH),
            0,
            0,
        ],
    )
    .map(|_| ())
}

/// faccessat2 on `name` in directory `dirfd` ("" for `dirfd` itself),
/// without following a final symlink.
pub fn access_at(
    h: &dyn Host,
    dirfd: HostFd,
    name: &[u8],
    mode: u32,
    flags: u32,
) -> Result<(), Errno> {
    let n = cpath(name);
    let extra = if name.is_empty() {
        EMPTY_PATH
    } else {
        NOFOLLOW
    };
    h.syscall(
        nr::faccessat2,
        [
            dirfd as u64,
            p(&n[..]),
            u64::from(mode),
            u64::from(flags | extra),
            0,
            0,
        ],
    )
    .map(|_| ())
}

/// fcntl(F_DUPFD_CLOEXEC).
pub fn dup(h: &dyn Host, fd: HostFd) -> Result<HostFd, Errno> {
    h.syscall(nr::fcntl, [fd as u64, 1030, 3, 0, 0, 0])
        .map(|n| n as HostFd)
}

/// The whole content of a host file open as `fd` (small files).
pub fn read_to_end(h: &dyn Host, fd: HostFd, max: usize) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = pread_buf(h, fd, &mut buf, out.len() as u64)?;
        if n == 0 || out.len() >= max {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}
