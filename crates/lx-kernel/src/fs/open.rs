//! open(2), openat(2), openat2(2), creat(2), close_range(2), memfd_create(2).

use super::common::{self, creatable, existing, lookup, path_arg, writable};
use crate::ctx::{Ctx, SysResult};
use crate::fd::{FdEntry, FileKind, OpenFile};
use crate::host::HostFd;
use crate::hostfs;
use crate::vfs::virt::{self, VNode};
use crate::vfs::walk::{Found, How, Node, layer_fd};
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::{O_ACCMODE, O_RDONLY, OpenFlags, ResolveFlags};
use lx_abi::structs::{DT_REG, OpenHow};
use spinning_top::Spinlock;

const O_CREAT: u32 = OpenFlags::CREAT.bits();
const O_EXCL: u32 = OpenFlags::EXCL.bits();
const O_TRUNC: u32 = OpenFlags::TRUNC.bits();
const O_NOFOLLOW: u32 = OpenFlags::NOFOLLOW.bits();
const O_DIRECTORY: u32 = OpenFlags::DIRECTORY.bits();
const O_PATH: u32 = OpenFlags::PATH.bits();
const O_CLOEXEC: u32 = OpenFlags::CLOEXEC.bits();
const O_TMPFILE: u32 = OpenFlags::TMPFILE.bits();
/// `__O_TMPFILE` without O_DIRECTORY.
const O_TMPFILE_BIT: u32 = 0o20000000;
/// Flags O_PATH keeps (open(2)): the rest are ignored.
const O_PATH_KEEPS: u32 = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

/// Install an open file in the lowest free guest fd.
pub fn install(c: &mut Ctx<'_>, file: OpenFile, cloexec: bool) -> SysResult {
    let hfd = file.fd;
    match c.k.fds.insert_from(
        0,
        FdEntry {
            file: Arc::new(file),
            cloexec,
        },
    ) {
        Ok(n) => Ok(n as usize),
        Err(e) => {
            let _ = c.host.close(hfd);
            Err(e)
        }
    }
}

fn new_file(fd: HostFd, f: &Found, mount_id: u32, is_dir: bool) -> OpenFile {
    OpenFile {
        fd,
        path: Some(f.path.clone()),
        describe: Vec::new(),
        mount_id,
        is_dir,
        o_path: false,
        may_block: false,
        lower: false,
        kind: FileKind::Host,
        st: None,
        dir: Spinlock::new(Default::default()),
    }
}

/// Open what `f` names with `flags` (open(2) semantics).
pub fn open_found(c: &mut Ctx<'_>, f: &Found, flags: u32, mode: u32) -> Result<OpenFile, Errno> {
    let acc = flags & O_ACCMODE;
    let o_path = flags & O_PATH != 0;
    let wants_write = !o_path && (acc != O_RDONLY || flags & O_TRUNC != 0);
    let mount_id = c.k.vfs.mounts[f.mount].id;
    if flags & O_TMPFILE_BIT != 0 {
        let n = existing(f)?;
        if !n.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let fd = writable(c, f)?;
        let hfd = hostfs::open_beneath(c.host, fd, &f.rel, flags & !O_CLOEXEC, mode & !c.k.umask)?;
        let mut file = new_file(hfd, f, mount_id, false);
        file.path = None;
        file.describe = format!(
            "{}/#{} (deleted)",
            core::str::from_utf8(&f.path).unwrap_or("?"),
            hfd
        )
        .into_bytes();
        return Ok(file);
    }
    let Some(node) = &f.node else {
        // Missing: create it.
        if flags & O_CREAT == 0 {
            return Err(Errno::ENOENT);
        }
        if f.trailing_slash {
            return Err(Errno::EISDIR);
        }
        creatable(c, f)?;
        let (dfd, name) = c.k.vfs.at(c.host, f.mount, true, &f.rel)?;
        let hfd = hostfs::open_name_mode(
            c.host,
            dfd,
            name,
            (flags & !O_CLOEXEC) | O_NOFOLLOW,
            mode & 0o7777 & !c.k.umask,
        )?;
        c.k.vfs.note_upper(c.host, f.mount, &f.rel, Some(DT_REG));
        return Ok(new_file(hfd, f, mount_id, false));
    };
    if flags & O_CREAT != 0 && flags & O_EXCL != 0 && flags & O_TMPFILE_BIT == 0 {
        return Err(Errno::EEXIST);
    }
    if node.is_symlink() && !o_path {
        // Only reached with O_NOFOLLOW.
        return Err(Errno::ELOOP);
    }
    let is_dir = node.is_dir();
    if flags & O_DIRECTORY != 0 && !is_dir && !node.is_symlink() {
        return Err(Errno::ENOTDIR);
    }
    if is_dir && (acc != O_RDONLY || flags & O_CREAT != 0) && !o_path {
        return Err(Errno::EISDIR);
    }
    let host_flags = if o_path { flags & O_PATH_KEEPS } else { flags } & !O_CLOEXEC & !O_CREAT;
    match node {
        Node::Host { upper, layers, .. } => {
            let layer = if wants_write {
                writable(c, f)?
            } else {
                layer_fd(&c.k.vfs, f.mount, *upper)?
            };
            // A merged directory is opened in its lower layer (whose stat
            // the guest sees); its listing is lx's.
            let merged = is_dir && layers.upper && layers.lower;
            let in_upper = (wants_write || *upper) && !merged;
            let layer = if merged {
                layer_fd(&c.k.vfs, f.mount, false)?
            } else {
                layer
            };
            // (The walk's own open: see `Last::Open`.)
            let hfd = match f.opened {
                Some(fd) if !merged => fd,
                other => {
                    if let Some(fd) = other {
                        let _ = c.host.close(fd);
                    }
                    hostfs::open_beneath(c.host, layer, &f.rel, host_flags, 0)?
                }
            };
            let mut file = new_file(hfd, f, mount_id, is_dir);
            file.o_path = o_path;
            file.lower = !in_upper;
            if let Node::Host { st, .. } = node {
                let t = st.st_mode & 0o170000;
                file.may_block = t != 0o100000 && t != 0o040000;
            }
            if is_dir && c.k.vfs.mounts[f.mount].is_overlay() {
                // lx lists every overlay directory: whiteouts and markers
                // stay hidden, and entries created later show up. One of
                // the lower layer only is the host's to list (see
                // `DirStream::passthrough`), offsets included.
                file.kind = FileKind::Listed {
                    mount: f.mount,
                    rel: f.rel.clone(),
                };
            }
            Ok(file)
        }
        Node::Reopen(gfd) => {
            let src = c.k.fds.host_fd(*gfd)?;
            let hfd = hostfs::open_abs(
                c.host,
                format!("/proc/self/fd/{src}").as_bytes(),
                host_flags,
            )?;
            let mut file = new_file(hfd, f, mount_id, false);
            file.path = None;
            file.o_path = o_path;
            file.describe = c.k.fds.get(*gfd)?.file.describe.clone();
            Ok(file)
        }
        Node::Virt(v) => {
            let kind = c.k.vfs.mounts[f.mount].kind.clone();
            let st = common::stat_of(c, f)?;
            match v {
                VNode::Device { host, .. } => {
                    let keep =
                        O_ACCMODE | OpenFlags::NONBLOCK.bits() | OpenFlags::APPEND.bits() | O_PATH;
                    let hfd = hostfs::open_abs(c.host, host, host_flags & keep)?;
                    let mut file = new_file(hfd, f, mount_id, false);
                    // The host's device node: never changed through the guest.
                    file.lower = true;
                    file.may_block = true;
                    Ok(file)
                }
                VNode::Pass { host, .. } => {
                    if wants_write {
                        return Err(Errno::EACCES);
                    }
                    let hfd = hostfs::open_abs(
                        c.host,
                        host,
                        host_flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW),
                    )?;
                    let mut file = new_file(hfd, f, mount_id, is_dir);
                    file.o_path = o_path;
                    file.lower = true;
                    Ok(file)
                }
                VNode::Dir | VNode::Symlink(_) | VNode::Magic { .. } => {
                    let hfd = hostfs::memfd_with(c.host, b"lx-dir", b"")?;
                    let mut file = new_file(hfd, f, mount_id, is_dir);
                    file.o_path = o_path;
                    file.st = Some(st);
                    if is_dir {
                        file.kind = FileKind::Listed {
                            mount: f.mount,
                            rel: f.rel.clone(),
                        };
                    }
                    Ok(file)
                }
                VNode::File { mode } => {
                    if wants_write && *mode & 0o222 == 0 {
                        return Err(Errno::EACCES);
                    }
                    let data = if o_path {
                        Vec::new()
                    } else {
                        virt::content(c.k, c.host, &kind, &f.rel)?
                    };
                    let hfd = hostfs::memfd_with(c.host, b"lx-file", &data)?;
                    let mut file = new_file(hfd, f, mount_id, false);
                    file.o_path = o_path;
                    let mut st = st;
                    st.st_size = 0;
                    file.st = Some(st);
                    // The memfd was written; reads start at 0 with the
                    // guest's access mode kept for F_GETFL.
                    Ok(file)
                }
            }
        }
    }
}

fn do_open(c: &mut Ctx<'_>, dirfd: i32, path: &[u8], flags: u32, mode: u32) -> SysResult {
    do_open_resolve(c, dirfd, path, flags, mode, 0)
}

fn do_open_resolve(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
    resolve: u64,
) -> SysResult {
    let o_path = flags & O_PATH != 0;
    let flags = if o_path { flags & O_PATH_KEEPS } else { flags };
    if flags & O_TMPFILE_BIT != 0
        && (flags & O_TMPFILE != O_TMPFILE || flags & O_ACCMODE == O_RDONLY)
    {
        return Err(Errno::EINVAL);
    }
    // A plain read of an existing host file: the walk opens it itself
    // (one host call by name, then an fstat, instead of an lstat and an
    // open of the whole path again from the layer root).
    let plain = flags & (O_ACCMODE | O_CREAT | O_TRUNC | O_PATH | O_TMPFILE_BIT) == O_RDONLY;
    let last = if plain && resolve == 0 {
        crate::vfs::walk::Last::Open(flags & !O_CLOEXEC)
    } else {
        crate::vfs::walk::Last::Lstat
    };
    let how = How {
        // O_CREAT|O_EXCL never follows a final symlink (a dangling one is
        // EEXIST, not a way to create its target).
        follow: flags & O_NOFOLLOW == 0 && flags & (O_CREAT | O_EXCL) != (O_CREAT | O_EXCL),
        create: flags & O_CREAT != 0,
        resolve,
        last,
    };
    let f = lookup(c, dirfd, path, how)?;
    let file = open_found(c, &f, flags, mode).inspect_err(|_| {
        if let Some(fd) = f.opened {
            let _ = c.host.close(fd);
        }
    })?;
    let fd = install(c, file, flags & O_CLOEXEC != 0)?;
    if c.k.vfork_helper && flags & 0o400 /* O_NOCTTY */ == 0 {
        // A vfork child that started a session: a terminal opened now
        // becomes its controlling terminal (the session leader's).
        crate::proc::vfork::opened(c, fd as i32);
    }
    Ok(fd)
}

/// open(2).
pub fn sys_open(c: &mut Ctx<'_>, path: u64, flags: u32, mode: u32) -> SysResult {
    let p = path_arg(c, path)?;
    do_open(c, lx_abi::flags::AT_FDCWD, &p, flags, mode)
}

/// openat(2).
pub fn sys_openat(c: &mut Ctx<'_>, dirfd: i32, path: u64, flags: u32, mode: u32) -> SysResult {
    let p = path_arg(c, path)?;
    do_open(c, dirfd, &p, flags, mode)
}

/// creat(2): open(O_CREAT | O_WRONLY | O_TRUNC).
pub fn sys_creat(c: &mut Ctx<'_>, path: u64, mode: u32) -> SysResult {
    let p = path_arg(c, path)?;
    do_open(
        c,
        lx_abi::flags::AT_FDCWD,
        &p,
        0o1 | O_CREAT | O_TRUNC,
        mode,
    )
}

/// openat2(2): strict about unknown flags; RESOLVE_* honoured by lx's
/// resolver where they restrict (BENEATH/IN_ROOT resolve below dirfd).
pub fn sys_openat2(c: &mut Ctx<'_>, dirfd: i32, path: u64, how: u64, size: u64) -> SysResult {
    if size < core::mem::size_of::<OpenHow>() as u64 {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let h: OpenHow = c.read(how)?;
    if h.flags > u64::from(u32::MAX)
        || (h.flags as u32) & !(OpenFlags::all().bits() | 0o2000000) != 0
    {
        return Err(Errno::EINVAL);
    }
    let flags = h.flags as u32;
    if h.mode & !0o7777 != 0 || (h.mode != 0 && flags & (O_CREAT | O_TMPFILE_BIT) == 0) {
        return Err(Errno::EINVAL);
    }
    let r = ResolveFlags::from_bits(h.resolve).ok_or(Errno::EINVAL)?;
    if r.contains(ResolveFlags::BENEATH | ResolveFlags::IN_ROOT) {
        return Err(Errno::EINVAL);
    }
    if r.contains(ResolveFlags::CACHED) {
        // Every lookup lx makes may touch the host: never "cached only".
        return Err(Errno::EAGAIN);
    }
    let p = path_arg(c, path)?;
    do_open_resolve(c, dirfd, &p, flags, h.mode as u32, r.bits())
}

/// close_range(2): CLOSE_RANGE_CLOEXEC (4) marks instead of closing;
/// CLOSE_RANGE_UNSHARE (2) is a no-op for a process whose table is its own.
pub fn sys_close_range(c: &mut Ctx<'_>, first: u32, last: u32, flags: u32) -> SysResult {
    if flags & !6 != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    let fds: Vec<i32> =
        c.k.fds
            .numbers()
            .into_iter()
            .filter(|&n| n as u32 >= first && n as u32 <= last)
            .collect();
    for n in fds {
        if flags & 4 != 0 {
            let _ = c.k.fds.set_cloexec(n, true);
        } else if let Ok(e) = c.k.fds.remove(n) {
            let _ = c.k.fds.release(c.host, e);
        }
    }
    Ok(0)
}

/// memfd_create(2).
pub fn sys_memfd_create(c: &mut Ctx<'_>, name: u64, flags: u32) -> SysResult {
    // MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC
    const KNOWN: u32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10;
    if flags & !KNOWN != 0 && flags & 0x4 == 0 {
        return Err(Errno::EINVAL);
    }
    let n = crate::user::read_cstr(c.host, name, 249)?;
    if n.len() > 249 {
        return Err(Errno::EINVAL);
    }
    let cn = hostfs::cpath(&n);
    let fd = c.host.syscall(
        lx_abi::syscalls::nr::memfd_create,
        [cn.as_ptr() as u64, u64::from(flags | 1), 0, 0, 0, 0],
    )? as HostFd;
    let mut describe = Vec::from(&b"/memfd:"[..]);
    describe.extend_from_slice(&n);
    describe.extend_from_slice(b" (deleted)");
    let mut file = OpenFile::host(fd, describe);
    file.may_block = false;
    install(c, file, flags & 1 != 0)
}
