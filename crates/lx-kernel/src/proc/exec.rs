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

/// Can the guest execute `f` (a regular file with execute permission)?
fn executable(k: &mut Kernel, h: &dyn Host, f: &Found) -> Result<(), Errno> {
    let node = existing(f)?;
    match node {
        Node::Host { upper, st, .. } => {
            if st.st_mode & S_IFMT != S_IFREG {
                return Err(Errno::EACCES);
            }
            let layer = layer_fd(&k.vfs, f.mount, *upper)?;
            let fd = hostfs::open_beneath(h, layer, &f.rel, 0o10000000, 0)?;
            let r = hostfs::access_fd(h, fd, 1, 0);
            let _ = h.close(fd);
            r
        }
        _ => Err(Errno::EACCES),
    }
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
    let st = h.fstat(fd)?;
    let mut head = vec![0u8; 4096.min(st.st_size.max(0) as usize)];
    let n = hostfs::pread_buf(h, fd, &mut head, 0)?;
    head.truncate(n);
    Ok((fd, head, st.st_size as u64))
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
        if let Err(e) = executable(k, h, &f) {
            return Err(err(e, &shown, "Permission denied", 126));
        }
        let (fd, head, size) = open_head(k, h, &f).map_err(|e| err(e, &shown, e.message(), 126))?;
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
        let elf = match parse_elf(h, fd, &head, size) {
            Ok(e) => e,
            Err(e) => {
                let _ = h.close(fd);
                return Err(err(e.errno(), &shown, &e.reason().to_string(), 126));
            }
        };
        let main = Image {
            fd,
            path: f.path.clone(),
            elf,
        };
        let interp = match main.elf.interp {
            None => None,
            Some((off, len)) => match open_interp(k, h, fd, off, len) {
                Ok(i) => Some(i),
                Err(e) => {
                    let _ = h.close(fd);
                    return Err(ExecError {
                        shown: shown.clone(),
                        ..e
                    });
                }
            },
        };
        return Ok(Exec {
            main,
            interp,
            argv,
            execfn,
        });
    }
    Err(err(
        Errno::ELOOP,
        prog,
        "cannot execute: too many levels of #! interpreters",
        126,
    ))
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
