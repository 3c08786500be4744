//! Finding and checking the program before a guest process is started, so
//! refusals get a shell's exit codes and a one-line reason.

use lx_kernel::elf::{self, ElfError};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a program cannot be started.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// {0}: No such file or directory
    #[error("{0}: No such file or directory")]
    Missing(String),
    /// {0}: command not found
    #[error("{0}: command not found")]
    NotFound(String),
    #[error("{0}: Is a directory")]
    Directory(String),
    #[error("{0}: Permission denied")]
    NotExecutable(String),
    #[error("{0}: {1}")]
    Elf(String, String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

impl ResolveError {
    /// The exit status a shell gives for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            ResolveError::Missing(_) | ResolveError::NotFound(_) => 127,
            _ => 126,
        }
    }
}

fn is_executable_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Find `prog` as a shell would: a name with a slash is a path; otherwise
/// the first executable match in `path` (the guest's PATH).
pub fn find(prog: &OsStr, path: Option<&OsStr>) -> Result<PathBuf, ResolveError> {
    let shown = prog.to_string_lossy().into_owned();
    if prog.is_empty() {
        return Err(ResolveError::Missing(shown));
    }
    if prog.as_bytes().contains(&b'/') {
        return Ok(PathBuf::from(prog));
    }
    let default = OsString::from("/usr/local/bin:/usr/bin:/bin");
    let path = path.unwrap_or(&default);
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() {
            Path::new(".")
        } else {
            Path::new(OsStr::from_bytes(dir))
        };
        let cand = dir.join(prog);
        if is_executable_file(&cand) {
            return Ok(cand);
        }
    }
    Err(ResolveError::NotFound(shown))
}

/// What to start: the ELF to load, the argv it gets and `AT_EXECFN`.
#[derive(Debug)]
pub struct Plan {
    pub program: PathBuf,
    pub argv: Vec<Vec<u8>>,
    pub execfn: Vec<u8>,
}

/// Check that `p` can be started with `argv`, following `#!` lines as
/// Linux's binfmt_script does (argv becomes interpreter, optional argument,
/// script path, then the arguments after argv[0]; nesting is bounded).
pub fn plan(p: &Path, argv: Vec<Vec<u8>>) -> Result<Plan, ResolveError> {
    let execfn = p.as_os_str().as_bytes().to_vec();
    let mut cur = p.to_path_buf();
    let mut argv = argv;
    for _ in 0..elf::MAX_INTERP_DEPTH {
        let shown = cur.display().to_string();
        let head = check_file(&cur, cur != p)?;
        match elf::parse_shebang(&head) {
            Some(Ok(sb)) => {
                let mut next = vec![sb.interp.clone()];
                next.extend(sb.arg);
                next.push(cur.as_os_str().as_bytes().to_vec());
                next.extend(argv.into_iter().skip(1));
                argv = next;
                cur = PathBuf::from(OsStr::from_bytes(&sb.interp));
            }
            Some(Err(_)) => {
                return Err(ResolveError::Elf(
                    shown,
                    "cannot execute: malformed #! line".into(),
                ));
            }
            None => {
                check_elf(&cur, &head)?;
                return Ok(Plan {
                    program: cur,
                    argv,
                    execfn,
                });
            }
        }
    }
    Err(ResolveError::Elf(
        p.display().to_string(),
        "cannot execute: too many levels of #! interpreters".into(),
    ))
}

/// Check that `p` is an executable regular file and return its first bytes.
/// `interp` says it was named by a `#!` line (a missing one is "bad
/// interpreter", 126, as bash reports it).
fn check_file(p: &Path, interp: bool) -> Result<Vec<u8>, ResolveError> {
    let shown = p.display().to_string();
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && interp => {
            return Err(ResolveError::Elf(
                shown,
                "bad interpreter: No such file or directory".into(),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ResolveError::Missing(shown));
        }
        Err(e) => return Err(ResolveError::Io(shown, e)),
    };
    if meta.is_dir() {
        return Err(ResolveError::Directory(shown));
    }
    if meta.permissions().mode() & 0o111 == 0 || !meta.is_file() {
        return Err(ResolveError::NotExecutable(shown));
    }
    let mut f = File::open(p).map_err(|e| ResolveError::Io(shown.clone(), e))?;
    let mut head = vec![0u8; 4096];
    let n = read_up_to(&mut f, &mut head).map_err(|e| ResolveError::Io(shown, e))?;
    head.truncate(n);
    Ok(head)
}

/// Check the ELF headers of `p` (whose first bytes are `head`).
fn check_elf(p: &Path, head: &[u8]) -> Result<(), ResolveError> {
    let shown = p.display().to_string();
    let elf_err = |e: ElfError| ResolveError::Elf(shown.clone(), e.reason().to_string());
    let (phoff, phnum) = elf::check_header(head).map_err(elf_err)?;
    let f = File::open(p).map_err(|e| ResolveError::Io(shown.clone(), e))?;
    let len = f
        .metadata()
        .map_err(|e| ResolveError::Io(shown.clone(), e))?
        .len();
    let mut ph = vec![0u8; phnum as usize * 56];
    let got = f
        .read_at(&mut ph, phoff)
        .map_err(|e| ResolveError::Io(shown.clone(), e))?;
    ph.truncate(got);
    let img = elf::parse(head, &ph, len).map_err(elf_err)?;
    if img.interp.is_some() {
        return Err(ResolveError::Elf(
            shown,
            "cannot execute: dynamically linked programs are not supported yet (static programs only)".into(),
        ));
    }
    Ok(())
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
