//! Preparing an exec: finding the program in the guest's filesystem (a PATH
//! search for bare names, as a shell does), following `#!` lines as Linux's
//! binfmt_script does, checking the ELF and opening its PT_INTERP
//! interpreter. The shim maps what this returns.

use crate::elf::{self, ElfImage};
use crate::fs::common::existing;
use crate::fs::open::open_found;
use crate::host::{Host, HostFd};
use crate::hostfs;
use crate::kernel::Kernel;
use crate::vfs::walk::{self, Found, How, Node, layer_fd};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use lx_abi::Errno;
use lx_abi::flags::AT_FDCWD;
use lx_abi::structs::{S_IFMT, S_IFREG};

/// An ELF opened for loading.
#[derive(Debug)]
pub struct Image {
    pub fd: HostFd,
    /// Canonical path.
    pub path: Vec<u8>,
    pub elf: ElfImage,
}

/// What to load.
#[derive(Debug)]
pub struct Exec {
    pub main: Image,
    pub interp: Option<Image>,
    pub argv: Vec<Vec<u8>>,
    /// `AT_EXECFN`: the path as given.
    pub execfn: Vec<u8>,
    /// Canonical path of the file the path named (a script or the ELF).
    pub first: Vec<u8>,
}

/// Why an exec failed: the errno execve would give, and the one-line
/// report and exit status a shell would give for the first program.
#[derive(Debug)]
pub struct ExecError {
    pub errno: Errno,
    pub shown: Vec<u8>,
    pub msg: String,
    pub status: u8,
}

fn err(errno: Errno, shown: &[u8], msg: &str, status: u8) -> ExecError {
    ExecError {
        errno,
        shown: shown.to_vec(),
        msg: msg.to_string(),
        status,
    }
}

fn resolve(k: &mut Kernel, h: &dyn Host, p: &[u8]) -> Result<Found, Errno> {
    walk::resolve(k, h, AT_FDCWD, p, How::FOLLOW)
}

/// Is `f` a host regular file (the only kind lx executes)? Its layer.
fn regular(f: &Found) -> Result<bool, Errno> {
    match existing(f)? {
        Node::Host { upper, st, .. } if st.st_mode & S_IFMT == S_IFREG => Ok(*upper),
        _ => Err(Errno::EACCES),
    }
}

/// Can the guest execute `f` (a regular file with execute permission)?
fn executable(k: &mut Kernel, h: &dyn Host, f: &Found) -> Result<(), Errno> {
    let layer = layer_fd(&k.vfs, f.mount, regular(f)?)?;
    let fd = hostfs::open_beneath(h, layer, &f.rel, 0o10000000, 0)?;
    let r = hostfs::access_fd(h, fd, 1, 0);
    let _ = h.close(fd);
    r
}

/// Find `prog` on the guest's PATH (empty entries mean "."), as execvp does.
pub fn search(k: &mut Kernel, h: &dyn Host, prog: &[u8], path: Option<&[u8]>) -> Option<Vec<u8>> {
    let path = path.unwrap_or(b"/usr/local/bin:/usr/bin:/bin");
    for dir in path.split(|&b| b == b':') {
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let mut cand = dir.to_vec();
        cand.push(b'/');
        cand.extend_from_slice(prog);
        if let Ok(f) = resolve(k, h, &cand)
            && executable(k, h, &f).is_ok()
        {
            return Some(cand);
        }
    }
    None
}

/// Open `f` for reading and read its first page.
fn open_head(k: &mut Kernel, h: &dyn Host, f: &Found) -> Result<(HostFd, Vec<u8>, u64), Errno> {
    // open_found works on a syscall context; build a minimal one.
    let mut regs = crate::regs::Regs::default();
    let mut fp = [0u8; 0];
    let mut c = crate::ctx::Ctx {
        k,
        host: h,
        regs: &mut regs,
        fpstate: &mut fp,
        nr: 0,
    };
    let file = open_found(&mut c, f, 0, 0)?;
    let fd = file.fd;
    match read_head(h, fd) {
        Ok((head, st)) => Ok((fd, head, st.st_size as u64)),
        Err(e) => {
            let _ = h.close(fd);
            Err(e)
        }
    }
}

/// The stat of the file open as `fd` and its first `HEAD` bytes.
fn read_head(h: &dyn Host, fd: HostFd) -> Result<(Vec<u8>, lx_abi::structs::Stat), Errno> {
    let st = h.fstat(fd)?;
    let mut head = vec![0u8; HEAD.min(st.st_size.max(0) as usize)];
    let n = hostfs::pread_buf(h, fd, &mut head, 0)?;
    head.truncate(n);
    Ok((head, st))
}

fn parse_elf(h: &dyn Host, fd: HostFd, head: &[u8], size: u64) -> Result<ElfImage, elf::ElfError> {
    let (phoff, phnum) = elf::check_header(head)?;
    let ph_len = phnum as usize * 56;
    let phdrs: Vec<u8> = if (phoff as usize).saturating_add(ph_len) <= head.len() {
        head[phoff as usize..phoff as usize + ph_len].to_vec()
    } else {
        let mut b = vec![0u8; ph_len];
        let got = hostfs::pread_buf(h, fd, &mut b, phoff).map_err(|_| elf::ElfError::Truncated)?;
        b.truncate(got);
        b
    };
    elf::parse(head, &phdrs, size)
}

/// Bytes read from the start of a program: the ELF header and (almost
/// always) its program headers, or a `#!` line (Linux reads 256).
const HEAD: usize = 1024;

/// The exec an earlier image prepared (its files open as `p` says): read
/// the ELF headers again, nothing is looked up.
pub fn reopen(h: &dyn Host, p: &crate::config::Prepared, execfn: &[u8]) -> Result<Exec, ExecError> {
    let image = |fd: HostFd, path: &[u8]| -> Result<Image, ExecError> {
        let shown = path;
        let (head, st) = read_head(h, fd).map_err(|e| err(e, shown, e.message(), 126))?;
        let elf = parse_elf(h, fd, &head, st.st_size as u64)
            .map_err(|e| err(e.errno(), shown, &e.reason().to_string(), 126))?;
        Ok(Image {
            fd,
            path: path.to_vec(),
            elf,
        })
    };
    let main = image(p.main_fd, &p.main_path)?;
    let interp = if p.interp_fd >= 0 {
        Some(image(p.interp_fd, &p.interp_path)?)
    } else {
        None
    };
    Ok(Exec {
        main,
        interp,
        argv: p.argv.clone(),
        execfn: execfn.to_vec(),
        first: p.first.clone(),
    })
}

/// Prepare running `prog` with `argv`. `search` looks a bare name up on
/// `path` first. On error every fd opened here is closed again.
pub fn prepare(
    k: &mut Kernel,
    h: &dyn Host,
    prog: &[u8],
    mut argv: Vec<Vec<u8>>,
    search_path: Option<Option<&[u8]>>,
) -> Result<Exec, ExecError> {
    if prog.is_empty() {
        return Err(err(Errno::ENOENT, prog, "No such file or directory", 127));
    }
    let mut cur: Vec<u8> = prog.to_vec();
    if let Some(path) = search_path
        && !prog.contains(&b'/')
    {
        cur = search(k, h, prog, path)
            .ok_or_else(|| err(Errno::ENOENT, prog, "command not found", 127))?;
    }
    let execfn = cur.clone();
    let mut first: Option<Vec<u8>> = None;
    for depth in 0..elf::MAX_INTERP_DEPTH {
        let shown = cur.clone();
        let f = match resolve(k, h, &cur) {
            Ok(f) => f,
            Err(Errno::ENOENT) if depth > 0 => {
                return Err(err(
                    Errno::ENOENT,
                    &shown,
                    "bad interpreter: No such file or directory",
                    126,
                ));
            }
            Err(Errno::ENOENT) => {
                return Err(err(Errno::ENOENT, &shown, "No such file or directory", 127));
            }
            Err(e) => return Err(err(e, &shown, e.message(), 126)),
        };
        if f.node.as_ref().is_some_and(Node::is_dir) {
            return Err(err(Errno::EACCES, &shown, "Is a directory", 126));
        }
        if first.is_none() {
            first = Some(f.path.clone());
        }
        // The execute permission is checked on the fd read from (one open
        // instead of two); a file lx cannot read fails like one it may not
        // execute (EACCES).
        if let Err(e) = regular(&f) {
            return Err(err(e, &shown, "Permission denied", 126));
        }
        let (fd, head, size) = open_head(k, h, &f).map_err(|e| err(e, &shown, e.message(), 126))?;
        if let Err(e) = hostfs::access_fd(h, fd, 1, 0) {
            let _ = h.close(fd);
            return Err(err(e, &shown, "Permission denied", 126));
        }
        match elf::parse_shebang(&head) {
            Some(Ok(sb)) => {
                let _ = h.close(fd);
                let mut next = vec![sb.interp.clone()];
                next.extend(sb.arg);
                next.push(cur.clone());
                next.extend(argv.into_iter().skip(1));
                argv = next;
                cur = sb.interp;
                continue;
            }
            Some(Err(e)) => {
                let _ = h.close(fd);
                return Err(err(e, &shown, "cannot execute: malformed #! line", 126));
            }
            None => {}
        }
        let (main, interp) = load_images(k, h, fd, &head, size, f.path.clone(), &shown)?;
        return Ok(Exec {
            main,
            interp,
            argv,
            execfn,
            first: first.unwrap_or_default(),
        });
    }
    Err(err(
        Errno::ELOOP,
        prog,
        "cannot execute: too many levels of #! interpreters",
        126,
    ))
}

/// Prepare running the file open as guest fd `guest_fd` when it has no
/// path lx could resolve again (a memfd, an O_TMPFILE file): fexecve(2) of
/// it, as Linux's execveat with AT_EMPTY_PATH does. `host_fd` is lx's own
/// readable fd of the file (closed here on error, else the image's);
/// `describe` is what /proc/self/exe shows for it; AT_EXECFN is
/// `/dev/fd/N`. A `#!` script is run as `interpreter /dev/fd/N` (ENOENT
/// when the fd closes on exec: the interpreter could not open it, as on
/// Linux).
pub fn prepare_fd(
    k: &mut Kernel,
    h: &dyn Host,
    guest_fd: i32,
    host_fd: HostFd,
    describe: &[u8],
    cloexec: bool,
    argv: Vec<Vec<u8>>,
) -> Result<Exec, ExecError> {
    let shown = alloc::format!("/dev/fd/{guest_fd}").into_bytes();
    let fd = host_fd;
    let r = (|| {
        // The kind and permission first (a pipe is EACCES, not a read error).
        let st = h.fstat(fd).map_err(|e| err(e, &shown, e.message(), 126))?;
        if st.st_mode & S_IFMT != S_IFREG {
            return Err(err(Errno::EACCES, &shown, "Permission denied", 126));
        }
        hostfs::access_fd(h, fd, 1, 0).map_err(|e| err(e, &shown, "Permission denied", 126))?;
        let (head, st) = read_head(h, fd).map_err(|e| err(e, &shown, e.message(), 126))?;
        Ok((head, st.st_size as u64))
    })();
    let (head, size) = match r {
        Ok(v) => v,
        Err(e) => {
            let _ = h.close(fd);
            return Err(e);
        }
    };
    match elf::parse_shebang(&head) {
        Some(sb) => {
            let _ = h.close(fd);
            let sb = sb.map_err(|e| err(e, &shown, "cannot execute: malformed #! line", 126))?;
            if cloexec {
                return Err(err(Errno::ENOENT, &shown, "No such file or directory", 127));
            }
            let mut next = vec![sb.interp.clone()];
            next.extend(sb.arg);
            next.push(shown.clone());
            next.extend(argv.into_iter().skip(1));
            let mut exec = prepare(k, h, &sb.interp, next, None)?;
            exec.execfn = shown;
            Ok(exec)
        }
        None => {
            let (main, interp) = load_images(k, h, fd, &head, size, describe.to_vec(), &shown)?;
            Ok(Exec {
                main,
                interp,
                argv,
                execfn: shown,
                first: describe.to_vec(),
            })
        }
    }
}

/// The ELF open as `fd` (its first bytes `head`, `size` long, known to the
/// guest as `path`) and its PT_INTERP interpreter, opened; on error `fd` is
/// closed and the error names `shown`.
fn load_images(
    k: &mut Kernel,
    h: &dyn Host,
    fd: HostFd,
    head: &[u8],
    size: u64,
    path: Vec<u8>,
    shown: &[u8],
) -> Result<(Image, Option<Image>), ExecError> {
    let elf = match parse_elf(h, fd, head, size) {
        Ok(e) => e,
        Err(e) => {
            let _ = h.close(fd);
            return Err(err(e.errno(), shown, &e.reason().to_string(), 126));
        }
    };
    let main = Image { fd, path, elf };
    let interp = match main.elf.interp {
        None => None,
        Some((off, len)) => match open_interp(k, h, fd, off, len) {
            Ok(i) => Some(i),
            Err(e) => {
                let _ = h.close(fd);
                return Err(ExecError {
                    shown: shown.to_vec(),
                    ..e
                });
            }
        },
    };
    Ok((main, interp))
}

fn open_interp(
    k: &mut Kernel,
    h: &dyn Host,
    fd: HostFd,
    off: u64,
    len: u64,
) -> Result<Image, ExecError> {
    if len == 0 || len > 4096 {
        return Err(err(
            Errno::ENOEXEC,
            b"",
            "cannot execute: bad PT_INTERP",
            126,
        ));
    }
    let mut name = vec![0u8; len as usize];
    let n = hostfs::pread_buf(h, fd, &mut name, off).map_err(|e| err(e, b"", e.message(), 126))?;
    name.truncate(n);
    while name.last() == Some(&0) {
        name.pop();
    }
    let missing = || {
        err(
            Errno::ENOENT,
            b"",
            "cannot execute: required file not found",
            127,
        )
    };
    let f = resolve(k, h, &name).map_err(|_| missing())?;
    if existing(&f).is_err() {
        return Err(missing());
    }
    let (ifd, head, size) = open_head(k, h, &f).map_err(|e| err(e, b"", e.message(), 126))?;
    match parse_elf(h, ifd, &head, size) {
        Ok(elf) if elf.interp.is_none() => Ok(Image {
            fd: ifd,
            path: f.path,
            elf,
        }),
        Ok(_) => {
            let _ = h.close(ifd);
            Err(err(
                Errno::ELIBBAD,
                b"",
                "cannot execute: the interpreter has an interpreter",
                126,
            ))
        }
        Err(e) => {
            let _ = h.close(ifd);
            Err(err(Errno::ELIBBAD, b"", &e.reason().to_string(), 126))
        }
    }
}

// ------------------------------------------------------------------ execve

/// Longest single argument or environment string (MAX_ARG_STRLEN).
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Total argument and environment size lx accepts (Linux: a quarter of the
/// stack limit; 8 MiB stacks give 2 MiB).
const MAX_ARG_TOTAL: usize = 2 * 1024 * 1024;

fn read_strv(c: &crate::ctx::Ctx<'_>, addr: u64, total: &mut usize) -> Result<Vec<Vec<u8>>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    for i in 0u64.. {
        let p: u64 = c.read(addr.checked_add(i * 8).ok_or(Errno::EFAULT)?)?;
        if p == 0 {
            break;
        }
        let s = crate::user::read_cstr(c.host, p, MAX_ARG_STRLEN).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        *total += s.len() + 1 + 8;
        if *total > MAX_ARG_TOTAL {
            return Err(Errno::E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

/// execve(2).
pub fn sys_execve(
    c: &mut crate::ctx::Ctx<'_>,
    path: u64,
    argv: u64,
    envp: u64,
) -> crate::ctx::SysResult {
    do_exec(c, AT_FDCWD, path, argv, envp, 0)
}

/// execveat(2): AT_EMPTY_PATH (fexecve) and AT_SYMLINK_NOFOLLOW.
pub fn sys_execveat(
    c: &mut crate::ctx::Ctx<'_>,
    dirfd: i32,
    path: u64,
    argv: u64,
    envp: u64,
    flags: u32,
) -> crate::ctx::SysResult {
    if flags & !(0x100 | 0x1000) != 0 {
        return Err(Errno::EINVAL);
    }
    do_exec(c, dirfd, path, argv, envp, flags)
}

fn do_exec(
    c: &mut crate::ctx::Ctx<'_>,
    dirfd: i32,
    path: u64,
    argv: u64,
    envp: u64,
    flags: u32,
) -> crate::ctx::SysResult {
    // Everything that can fail for the guest fails here, in the old image;
    // what the new image needs is in `cfg` (nothing else of this call
    // stays allocated: an exec in place never returns to free it).
    let (mut cfg, mut exec) = exec_config(c, dirfd, path, argv, envp, flags)?;
    if c.k.vfork_helper {
        // A vfork child's code running on its parent's memory: its own
        // process execs (from here on only in it).
        match crate::proc::vfork::exec_child(c, &mut cfg, exec) {
            Some(e) => exec = e,
            None => return Ok(0),
        }
    }
    let in_place = !c.k.threaded() && c.k.cfg.in_place_exec;
    if in_place {
        // Before anything the parent could notice (the close-on-exec fds
        // closing): from now on its setpgid of this process is EACCES.
        c.host.registry_mark_execed(c.k.id.pid);
        for (n, e) in c.k.fds.entries() {
            if e.cloexec
                && let Ok(e) = c.k.fds.remove(n)
            {
                let _ = c.k.fds.release(c.host, e);
            }
        }
        c.k.fds.reap_deferred(c.host);
        if let Some(fd) = c.k.vfork_fd.take() {
            let _ = c.host.close(fd);
        }
    }
    let handled = handled_signals(c.k);
    replace_image(c, cfg, exec, handled, in_place)
}

/// The signals the guest handles (lx's catcher is installed for them on the
/// host), but lx's own always-caught ones.
pub(crate) fn handled_signals(k: &crate::kernel::Kernel) -> u64 {
    (1..=64u32)
        .filter(|&s| k.sig.actions[s as usize].handler > lx_abi::signal::SIG_IGN)
        .filter(|&s| !crate::signal::ALWAYS_CAUGHT.contains(s))
        .fold(0u64, |m, s| m | (1 << (s - 1)))
}

/// Start the image `cfg` describes (`exec` opened and parsed) in this
/// process, which has closed its close-on-exec fds: in place when
/// `in_place` (lx undoes itself what the host exec would: the handled
/// dispositions, rseq, POSIX timers, the address space), else (or if that
/// cannot start) by a host exec of the shim.
pub(crate) fn replace_image(
    c: &mut crate::ctx::Ctx<'_>,
    mut cfg: crate::config::Config,
    exec: Exec,
    handled: u64,
    in_place: bool,
) -> ! {
    // A single-threaded process execs in place: no host exec, no second
    // start of lx (see DESIGN.md).
    if in_place {
        let e = crate::host::InPlaceExec {
            cfg,
            vfs: core::mem::take(&mut c.k.vfs),
            handled,
            rseq: c.k.rseq,
            timers: c.k.timers.clone(),
            exec,
        };
        // Back only if it could not start: the host exec below does it all.
        let back = c.host.exec_in_place(e);
        cfg = back.cfg;
        c.k.vfs = back.vfs;
    }
    // What survives the host exec: the guest's non-CLOEXEC fds, lx's
    // layer/log/shared/watch fds, the two opened images.
    let mut keep: Vec<HostFd> = cfg.fds.iter().map(|f| f.host).collect();
    for fd in [cfg.log_fd, cfg.trace_fd, cfg.shared_fd, cfg.watch_fd] {
        if fd >= 0 {
            keep.push(fd);
        }
    }
    for m in &cfg.mounts {
        keep.extend([m.upper, m.lower].into_iter().filter(|&fd| fd >= 0));
    }
    if let Some(p) = &cfg.prepared {
        keep.extend([p.main_fd, p.interp_fd].into_iter().filter(|&fd| fd >= 0));
    }
    // Every other host fd of this process closes at the exec: the guest's
    // close-on-exec ones, lx's caches, the vfork pipe.
    let _ = c.host.syscall(
        lx_abi::syscalls::nr::close_range,
        [0, u64::from(u32::MAX), 4, 0, 0, 0],
    );
    let e = c.host.reexec(cfg.shim_fd, &cfg.encode(), &keep);
    // Past the point of no return: Linux kills the process.
    c.host.log(
        alloc::format!(
            "lx: exec failed after the point of no return: {}\n",
            e.message()
        )
        .as_bytes(),
    );
    c.host.die_by_signal(lx_abi::signal::SIGSEGV)
}

/// The launch description of the image an execve starts (resolving and
/// checking the program: every error the guest sees comes from here).
fn exec_config(
    c: &mut crate::ctx::Ctx<'_>,
    dirfd: i32,
    path: u64,
    argv: u64,
    envp: u64,
    flags: u32,
) -> Result<(crate::config::Config, Exec), Errno> {
    use crate::vfs::path::{join, visible};
    let p = crate::fs::common::path_arg(c, path)?;
    let mut total = 0;
    let args = read_strv(c, argv, &mut total)?;
    let env = read_strv(c, envp, &mut total)?;
    // The program as a guest path the new image resolves from the cwd.
    let mut pathless = None;
    let prog: Vec<u8> = if p.is_empty() {
        if flags & 0x1000 == 0 {
            return Err(Errno::ENOENT);
        }
        let e = c.k.fds.get(dirfd)?;
        match &e.file.path {
            Some(fp) => visible(fp, &c.k.root),
            None => {
                pathless = Some((e.file.fd, e.file.describe.clone(), e.cloexec, e.file.o_path));
                alloc::format!("/dev/fd/{dirfd}").into_bytes()
            }
        }
    } else if p[0] == b'/' || dirfd == AT_FDCWD {
        p.clone()
    } else {
        visible(&join(&walk::start_dir(c.k, dirfd)?, &p), &c.k.root)
    };
    if flags & 0x100 != 0 && pathless.is_none() {
        let f = walk::resolve(c.k, c.host, AT_FDCWD, &prog, How::NOFOLLOW)?;
        if f.node.as_ref().is_some_and(Node::is_symlink) {
            return Err(Errno::ELOOP);
        }
    }
    let mut exec = match pathless {
        Some((fd, describe, cloexec, o_path)) => {
            // (An O_PATH fd cannot be read: the file it names, opened again.)
            let fd = if o_path {
                hostfs::open_abs(
                    c.host,
                    alloc::format!("/proc/self/fd/{fd}").as_bytes(),
                    0o2000000,
                )?
            } else {
                hostfs::dup(c.host, fd)?
            };
            prepare_fd(c.k, c.host, dirfd, fd, &describe, cloexec, args.clone())
        }
        None => prepare(c.k, c.host, &prog, args.clone(), None),
    }
    .map_err(|e| e.errno)?;
    let k = &mut *c.k;
    let mut cfg = k.cfg.clone();
    // The new image resolves the program again: give it the file this one
    // found (a magic link like /proc/self/exe means this image's program).
    cfg.program = if prog.starts_with(b"/proc/") || prog.starts_with(b"/dev/fd/") {
        visible(&exec.first, &k.root)
    } else {
        prog.clone()
    };
    cfg.execfn = prog;
    cfg.search_path = false;
    // The new image maps what was found here, open across the exec.
    cfg.prepared = Some(crate::config::Prepared {
        main_fd: exec.main.fd,
        main_path: exec.main.path.clone(),
        interp_fd: exec.interp.as_ref().map_or(-1, |i| i.fd),
        interp_path: exec
            .interp
            .as_ref()
            .map(|i| i.path.clone())
            .unwrap_or_default(),
        argv: exec.argv.clone(),
        first: exec.first.clone(),
    });
    cfg.argv = args;
    cfg.envp = env;
    cfg.cwd = k.cwd.clone();
    cfg.root = k.root.clone();
    cfg.pid = k.id.pid;
    cfg.ppid = k.id.ppid;
    cfg.uid = k.id.uid;
    cfg.euid = k.id.euid;
    cfg.gid = k.id.gid;
    cfg.egid = k.id.egid;
    cfg.groups = k.id.groups.clone();
    cfg.nodename = k.id.nodename.clone();
    cfg.umask = k.umask;
    cfg.nofile = (k.fds.limit(), k.nofile_max);
    cfg.sigmask = k.sig.mask.0;
    cfg.sigmask_given = true;
    cfg.no_new_privs = k.no_new_privs;
    cfg.child_subreaper = k.child_subreaper;
    cfg.trace = k.tracing;
    cfg.stats = k.stats;
    cfg.quiet = k.quiet;
    cfg.fds.clear();
    let mut seen: Vec<(*const crate::fd::OpenFile, i32)> = Vec::new();
    for (n, e) in k.fds.entries() {
        if e.cloexec {
            continue;
        }
        let f = &e.file;
        let ptr = alloc::sync::Arc::as_ptr(f);
        let same_as = seen.iter().find(|(p, _)| *p == ptr).map_or(-1, |(_, g)| *g);
        if same_as < 0 {
            seen.push((ptr, n));
        }
        cfg.fds.push(crate::config::FdSpec {
            guest: n,
            host: f.fd,
            path: f.path.clone(),
            describe: f.describe.clone(),
            mount_id: f.mount_id,
            is_dir: f.is_dir,
            o_path: f.o_path,
            lower: f.lower,
            may_block: f.may_block,
            same_as,
            listed: match &f.kind {
                crate::fd::FileKind::Listed { mount, rel } => Some((*mount as u32, rel.clone())),
                crate::fd::FileKind::Host => None,
            },
        });
    }
    cfg.ignored = (1..=64u32)
        .filter(|&s| k.sig.actions[s as usize].handler == lx_abi::signal::SIG_IGN)
        .fold(0u64, |m, s| m | (1 << (s - 1)));
    // What `reopen` would make of `cfg.prepared` in the new image.
    exec.execfn = cfg.program.clone();
    Ok((cfg, exec))
}
