//! `--trace`: one strace-style line per syscall, decoded from the argument
//! kinds in the ABI table (`lx-abi`), so every syscall lx knows is traced
//! the same way, implemented or not.

use crate::ctx::{Args, SysResult};
use crate::host::Host;
use crate::user;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use lx_abi::Errno;
use lx_abi::flags;
use lx_abi::signal;
use lx_abi::structs::{Iovec, KSigaction, PollFd, Siginfo, StackT, Timespec};
use lx_abi::syscalls::{ArgKind, desc, nr};

/// Longest string shown, as `strace -s 32`.
pub const STRLEN: usize = 32;
/// Most array elements shown.
const MAX_ELEMS: usize = 32;

/// Write one line for syscall `nr`; `res` is None for a call that does not
/// return (printed `= ?`).
pub fn line(host: &dyn Host, nr: u32, a: &Args, res: Option<SysResult>) {
    let mut s = String::with_capacity(128);
    format_call(&mut s, host, nr, a, res);
    s.push('\n');
    host.trace(s.as_bytes());
}

/// Format `name(args) = result` into `s`.
pub fn format_call(s: &mut String, host: &dyn Host, nr: u32, a: &Args, res: Option<SysResult>) {
    let Some(d) = desc(nr) else {
        let _ = write!(
            s,
            "syscall_{nr:#x}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x})",
            a.0[0], a.0[1], a.0[2], a.0[3], a.0[4], a.0[5]
        );
        result(s, nr, res);
        return;
    };
    s.push_str(d.name);
    s.push('(');
    for (i, k) in d.args.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        arg(s, host, *k, i, a, res);
    }
    s.push(')');
    result(s, nr, res);
}

fn result(s: &mut String, nr: u32, res: Option<SysResult>) {
    match res {
        None => s.push_str(" = ?"),
        Some(Ok(v)) => {
            if matches!(nr, nr::mmap | nr::mremap | nr::brk) {
                let _ = write!(s, " = {v:#x}");
            } else {
                let _ = write!(s, " = {}", v as isize);
            }
        }
        Some(Err(Errno::ERESTARTSYS)) => {
            s.push_str(" = ? ERESTARTSYS (To be restarted if SA_RESTART is set)")
        }
        Some(Err(e)) => {
            let _ = write!(s, " = -1 {} ({})", e.name().unwrap_or("E?"), e.message());
        }
    }
}

fn arg(s: &mut String, host: &dyn Host, k: ArgKind, i: usize, a: &Args, res: Option<SysResult>) {
    let v = a.0[i];
    match k {
        ArgKind::Int => {
            let n = if v >> 32 == 0 {
                i64::from(v as u32 as i32)
            } else {
                v as i64
            };
            let _ = write!(s, "{n}");
        }
        ArgKind::UInt => {
            let _ = write!(s, "{v}");
        }
        ArgKind::Hex => hex(s, v),
        ArgKind::Mode => {
            let _ = write!(s, "{:#05o}", v as u32);
        }
        ArgKind::Ptr => ptr(s, v),
        ArgKind::Fd => {
            let _ = write!(s, "{}", v as u32 as i32);
        }
        ArgKind::DirFd => {
            if v as u32 as i32 == flags::AT_FDCWD {
                s.push_str("AT_FDCWD");
            } else {
                let _ = write!(s, "{}", v as u32 as i32);
            }
        }
        ArgKind::Str => cstr(s, host, v),
        ArgKind::StrArray => str_array(s, host, v, i == 2),
        ArgKind::InBuf(n) => buf(s, host, v, a.0[n as usize]),
        ArgKind::OutBuf(_) => match res {
            Some(Ok(got)) => buf(s, host, v, got as u64),
            _ => ptr(s, v),
        },
        ArgKind::IovIn(n) => iov(s, host, v, a.0[n as usize], None),
        ArgKind::IovOut(n) => match res {
            Some(Ok(got)) => iov(s, host, v, a.0[n as usize], Some(got as u64)),
            _ => ptr(s, v),
        },
        ArgKind::OpenFlags => open_flags(s, v as u32),
        ArgKind::AtFlags => bits(
            s,
            "AT_",
            flags::AtFlags::FLAGS
                .iter()
                .map(|f| (f.name(), u64::from(f.value().bits()))),
            v,
        ),
        ArgKind::MmapProt => {
            if v == 0 {
                s.push_str("PROT_NONE");
            } else {
                bits(
                    s,
                    "PROT_",
                    flags::ProtFlags::FLAGS
                        .iter()
                        .map(|f| (f.name(), u64::from(f.value().bits()))),
                    v,
                );
            }
        }
        ArgKind::MmapFlags => mmap_flags(s, v as u32),
        ArgKind::MremapFlags => bits(
            s,
            "MREMAP_",
            flags::MremapFlags::FLAGS
                .iter()
                .map(|f| (f.name(), u64::from(f.value().bits()))),
            v,
        ),
        ArgKind::GrndFlags => bits(
            s,
            "GRND_",
            flags::GrndFlags::FLAGS
                .iter()
                .map(|f| (f.name(), u64::from(f.value().bits()))),
            v,
        ),
        ArgKind::CloneFlags => bits(
            s,
            "CLONE_",
            flags::CloneFlags::FLAGS
                .iter()
                .map(|f| (f.name(), f.value().bits())),
            v,
        ),
        ArgKind::WaitOptions => bits(
            s,
            "W",
            flags::WaitOptions::FLAGS
                .iter()
                .map(|f| (f.name(), u64::from(f.value().bits()))),
            v,
        ),
        ArgKind::Madvise => named(s, flags::madvise_name(v), v),
        ArgKind::FcntlCmd => named(s, flags::fcntl_cmd_name(v), v),
        ArgKind::Whence => named(s, flags::whence_name(v), v),
        ArgKind::ClockId => named(s, flags::clock_name(v), v),
        ArgKind::ArchPrctl => named(s, flags::arch_prctl_name(v), v),
        ArgKind::IoctlReq => named(s, flags::ioctl_name(v & 0xffff_ffff), v),
        ArgKind::Rlimit => named(s, flags::rlimit_name(v), v),
        ArgKind::PrctlOption => named(s, flags::prctl_name(v), v),
        ArgKind::FutexOp => named(s, flags::futex_op_name(v), v),
        ArgKind::SockDomain => named(s, flags::sock_domain_name(v), v),
        ArgKind::SockType => named(s, flags::sock_type_name(v), v),
        ArgKind::Signal => sig_name(s, v as u32),
        ArgKind::SigHow => named(
            s,
            match v {
                0 => Some("SIG_BLOCK"),
                1 => Some("SIG_UNBLOCK"),
                2 => Some("SIG_SETMASK"),
                _ => None,
            },
            v,
        ),
        ArgKind::SigSet => match user::read::<u64>(host, v) {
            _ if v == 0 => s.push_str("NULL"),
            Ok(set) => sigset(s, set),
            Err(_) => hex(s, v),
        },
        ArgKind::Sigaction => match user::read::<KSigaction>(host, v) {
            _ if v == 0 => s.push_str("NULL"),
            Ok(k) => sigaction(s, &k),
            Err(_) => hex(s, v),
        },
        ArgKind::StackT => match user::read::<StackT>(host, v) {
            _ if v == 0 => s.push_str("NULL"),
            Ok(st) => {
                let _ = write!(s, "{{ss_sp=");
                ptr(s, st.ss_sp);
                let _ = write!(s, ", ss_flags={}, ss_size={}}}", st.ss_flags, st.ss_size);
            }
            Err(_) => hex(s, v),
        },
        ArgKind::Timespec => match user::read::<Timespec>(host, v) {
            _ if v == 0 => s.push_str("NULL"),
            Ok(t) => {
                let _ = write!(s, "{{tv_sec={}, tv_nsec={}}}", t.tv_sec, t.tv_nsec);
            }
            Err(_) => hex(s, v),
        },
        ArgKind::PollFds(n) => pollfds(s, host, v, a.0[n as usize]),
    }
}

fn hex(s: &mut String, v: u64) {
    if v == 0 {
        s.push('0');
    } else {
        let _ = write!(s, "{v:#x}");
    }
}

fn ptr(s: &mut String, v: u64) {
    if v == 0 {
        s.push_str("NULL");
    } else {
        let _ = write!(s, "{v:#x}");
    }
}

fn named(s: &mut String, name: Option<&str>, v: u64) {
    match name {
        Some(n) => s.push_str(n),
        None => hex(s, v),
    }
}

fn sig_name(s: &mut String, sig: u32) {
    match signal::name(sig) {
        Some(n) => s.push_str(n),
        None => {
            let _ = write!(s, "{}", sig as i32);
        }
    }
}

/// `[USR1 TERM]`; a set with more than half the signals is shown as its
/// complement, `~[KILL STOP]`, as strace does.
fn sigset(s: &mut String, set: u64) {
    let (set, neg) = if set.count_ones() > 32 {
        (!set, true)
    } else {
        (set, false)
    };
    if neg {
        s.push('~');
    }
    s.push('[');
    let mut first = true;
    for sig in 1..=64u32 {
        if set & (1u64 << (sig - 1)) != 0 {
            if !first {
                s.push(' ');
            }
            first = false;
            match signal::name(sig) {
                Some(n) => s.push_str(n.strip_prefix("SIG").unwrap_or(n)),
                None => {
                    let _ = write!(s, "{sig}");
                }
            }
        }
    }
    s.push(']');
}

fn sigaction(s: &mut String, k: &KSigaction) {
    s.push_str("{sa_handler=");
    match k.handler {
        signal::SIG_DFL => s.push_str("SIG_DFL"),
        signal::SIG_IGN => s.push_str("SIG_IGN"),
        h => {
            let _ = write!(s, "{h:#x}");
        }
    }
    s.push_str(", sa_mask=");
    sigset(s, k.mask);
    s.push_str(", sa_flags=");
    bits(
        s,
        "SA_",
        signal::SaFlags::FLAGS
            .iter()
            .map(|f| (f.name(), f.value().bits())),
        k.flags,
    );
    if k.flags & signal::SaFlags::RESTORER.bits() != 0 {
        let _ = write!(s, ", sa_restorer={:#x}", k.restorer);
    }
    s.push('}');
}

/// `A|B|0x40` from flag names; 0 prints as "0".
fn bits<'a>(s: &mut String, prefix: &str, names: impl Iterator<Item = (&'a str, u64)>, v: u64) {
    let mut rest = v;
    let mut first = true;
    for (name, bit) in names {
        if bit != 0 && rest & bit == bit {
            if !first {
                s.push('|');
            }
            first = false;
            s.push_str(prefix);
            s.push_str(name.trim_start_matches('_'));
            rest &= !bit;
        }
    }
    if rest != 0 || first {
        if !first {
            s.push('|');
        }
        hex(s, rest);
    }
}

fn open_flags(s: &mut String, v: u32) {
    s.push_str(match v & flags::O_ACCMODE {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    });
    let rest = u64::from(v & !flags::O_ACCMODE);
    if rest != 0 {
        s.push('|');
        let names = flags::OpenFlags::FLAGS
            .iter()
            .filter(|f| f.value().bits() & flags::O_ACCMODE == 0)
            .map(|f| (f.name(), u64::from(f.value().bits())));
        bits(s, "O_", names, rest);
    }
}

fn mmap_flags(s: &mut String, v: u32) {
    s.push_str(match v & flags::MAP_TYPE {
        1 => "MAP_SHARED",
        2 => "MAP_PRIVATE",
        3 => "MAP_SHARED_VALIDATE",
        _ => "0",
    });
    let rest = u64::from(v & !flags::MAP_TYPE);
    if rest != 0 {
        s.push('|');
        let names = flags::MapFlags::FLAGS
            .iter()
            .filter(|f| f.value().bits() & flags::MAP_TYPE == 0)
            .map(|f| (f.name(), u64::from(f.value().bits())));
        bits(s, "MAP_", names, rest);
    }
}

/// Quote bytes as strace does: C escapes, octal for other unprintables.
pub fn quote(s: &mut String, b: &[u8], truncated: bool) {
    s.push('"');
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let next_is_digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if next_is_digit {
                    let _ = write!(s, "\\{c:03o}");
                } else {
                    let _ = write!(s, "\\{c:o}");
                }
            }
        }
    }
    s.push('"');
    if truncated {
        s.push_str("...");
    }
}

fn buf(s: &mut String, host: &dyn Host, addr: u64, len: u64) {
    let n = (len as usize).min(STRLEN);
    let mut b = alloc::vec![0u8; n];
    match user::copy_in(host, addr, &mut b) {
        Ok(()) => quote(s, &b, len as usize > STRLEN),
        Err(_) => hex(s, addr),
    }
}

fn cstr(s: &mut String, host: &dyn Host, addr: u64) {
    if addr == 0 {
        s.push_str("NULL");
        return;
    }
    let mut b = [0u8; STRLEN + 1];
    // Read byte-wise up to STRLEN+1 so an unmapped tail does not hide the string.
    let mut n = 0;
    while n < b.len() {
        if user::copy_in(host, addr + n as u64, &mut b[n..=n]).is_err() {
            if n == 0 {
                hex(s, addr);
                return;
            }
            break;
        }
        if b[n] == 0 {
            quote(s, &b[..n], false);
            return;
        }
        n += 1;
    }
    quote(s, &b[..n.min(STRLEN)], n > STRLEN);
}

fn str_array(s: &mut String, host: &dyn Host, addr: u64, is_env: bool) {
    if addr == 0 {
        s.push_str("NULL");
        return;
    }
    let mut ptrs: Vec<u64> = Vec::new();
    for i in 0..4096u64 {
        match user::read::<u64>(host, addr + i * 8) {
            Ok(0) => break,
            Ok(p) => ptrs.push(p),
            Err(_) => {
                hex(s, addr);
                return;
            }
        }
    }
    if is_env {
        let _ = write!(s, "{addr:#x} /* {} vars */", ptrs.len());
        return;
    }
    s.push('[');
    for (i, p) in ptrs.iter().take(MAX_ELEMS).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        cstr(s, host, *p);
    }
    if ptrs.len() > MAX_ELEMS {
        s.push_str(", ...");
    }
    s.push(']');
}

fn iov(s: &mut String, host: &dyn Host, addr: u64, cnt: u64, filled: Option<u64>) {
    if cnt > 1024 {
        hex(s, addr);
        return;
    }
    let mut left = filled;
    s.push('[');
    for i in 0..cnt.min(MAX_ELEMS as u64) {
        let Ok(v) = user::read::<Iovec>(host, addr + i * 16) else {
            s.push_str("...]");
            return;
        };
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str("{iov_base=");
        let shown = match left {
            Some(l) => {
                let n = l.min(v.iov_len);
                left = Some(l - n);
                n
            }
            None => v.iov_len,
        };
        buf(s, host, v.iov_base, shown);
        let _ = write!(s, ", iov_len={}}}", v.iov_len);
    }
    if cnt > MAX_ELEMS as u64 {
        s.push_str(", ...");
    }
    s.push(']');
}

fn pollfds(s: &mut String, host: &dyn Host, addr: u64, n: u64) {
    s.push('[');
    for i in 0..n.min(MAX_ELEMS as u64) {
        let Ok(p) = user::read::<PollFd>(host, addr + i * 8) else {
            s.push_str("...]");
            return;
        };
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{{fd={}, events=", p.fd);
        bits(
            s,
            "POLL",
            flags::PollEvents::FLAGS
                .iter()
                .map(|f| (f.name(), u64::from(f.value().bits() as u16))),
            u64::from(p.events as u16),
        );
        s.push('}');
    }
    s.push(']');
}

/// `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x...} ---`
pub fn signal(host: &dyn Host, info: &Siginfo) {
    let mut s = String::with_capacity(96);
    s.push_str("--- ");
    sig_name(&mut s, info.si_signo as u32);
    s.push_str(" {si_signo=");
    sig_name(&mut s, info.si_signo as u32);
    s.push_str(", si_code=");
    let code = info.si_code;
    let name = match code {
        signal::SI_USER => Some("SI_USER"),
        signal::SI_KERNEL => Some("SI_KERNEL"),
        signal::SI_QUEUE => Some("SI_QUEUE"),
        signal::SI_TIMER => Some("SI_TIMER"),
        signal::SI_TKILL => Some("SI_TKILL"),
        _ => None,
    };
    let fault = code > 0 && matches!(info.si_signo, 4 | 7 | 8 | 11);
    match (name, fault, info.si_signo) {
        (Some(n), _, _) => s.push_str(n),
        (None, true, 11) => s.push_str(if code == 1 {
            "SEGV_MAPERR"
        } else if code == 2 {
            "SEGV_ACCERR"
        } else {
            "?"
        }),
        (None, true, 7) => s.push_str(if code == 1 {
            "BUS_ADRALN"
        } else if code == 2 {
            "BUS_ADRERR"
        } else {
            "?"
        }),
        _ => {
            let _ = write!(s, "{code}");
        }
    }
    if fault {
        let _ = write!(s, ", si_addr={:#x}", info.addr());
    } else if code <= 0 {
        let _ = write!(s, ", si_pid={}, si_uid={}", info.pid(), info.uid());
    }
    s.push_str("} ---\n");
    host.trace(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testhost::TestHost;

    fn fmt(host: &TestHost, nr: u32, args: [u64; 6], res: Option<SysResult>) -> String {
        let mut s = String::new();
        format_call(&mut s, host, nr, &Args(args), res);
        s
    }

    #[test]
    fn write_and_errors() {
        let host = TestHost::default();
        host.poke(0x1000, b"hello\n");
        assert_eq!(
            fmt(&host, nr::write, [1, 0x1000, 6, 0, 0, 0], Some(Ok(6))),
            "write(1, \"hello\\n\", 6) = 6"
        );
        assert_eq!(
            fmt(&host, nr::read, [0, 0x1000, 100, 0, 0, 0], Some(Ok(2))),
            "read(0, \"he\", 100) = 2"
        );
        assert_eq!(
            fmt(
                &host,
                nr::close,
                [9, 0, 0, 0, 0, 0],
                Some(Err(Errno::EBADF))
            ),
            "close(9) = -1 EBADF (Bad file descriptor)"
        );
        assert_eq!(
            fmt(&host, nr::exit_group, [3, 0, 0, 0, 0, 0], None),
            "exit_group(3) = ?"
        );
    }

    #[test]
    fn flags_and_truncation() {
        let host = TestHost::default();
        assert_eq!(
            fmt(
                &host,
                nr::mmap,
                [0, 4096, 3, 0x22, u64::MAX, 0],
                Some(Ok(0x7f00_0000_0000))
            ),
            "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"
        );
        host.poke(0x2000, &[b'a'; 40]);
        let s = fmt(&host, nr::write, [2, 0x2000, 40, 0, 0, 0], Some(Ok(40)));
        assert_eq!(
            s,
            alloc::format!("write(2, \"{}\"..., 40) = 40", "a".repeat(32))
        );
        let mut q = String::new();
        quote(&mut q, &[0, b'1', 0x1b, b'x'], false);
        assert_eq!(q, "\"\\0001\\33x\"");
    }

    #[test]
    fn sigsets() {
        let mut s = String::new();
        sigset(&mut s, 1 << 9);
        assert_eq!(s, "[USR1]");
        s.clear();
        sigset(&mut s, !((1 << 8) | (1 << 18)));
        assert_eq!(s, "~[KILL STOP]");
    }
}
