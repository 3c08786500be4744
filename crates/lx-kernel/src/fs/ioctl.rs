//! ioctl(2): the terminal and fd requests programs make at startup.

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;
use lx_abi::flags::OpenFlags;
use lx_abi::structs::{Termios, Winsize};

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TIOCGWINSZ: u32 = 0x5413;
const TIOCSWINSZ: u32 = 0x5414;
const FIONREAD: u32 = 0x541B;
const FIONBIO: u32 = 0x5421;
const FIONCLEX: u32 = 0x5450;
const TIOCSCTTY: u32 = 0x540E;
const TIOCGPGRP: u32 = 0x540F;
const TIOCSPGRP: u32 = 0x5410;
const TIOCNOTTY: u32 = 0x5422;
const TIOCGSID: u32 = 0x5429;
const FIOCLEX: u32 = 0x5451;

/// ioctl(2). Requests lx does not know give ENOTTY, as a device driver
/// without them would.
pub fn sys_ioctl(c: &mut Ctx<'_>, fd: i32, req: u32, arg: u64) -> SysResult {
    let h = c.k.fds.host_fd(fd)?;
    match req {
        TCGETS => {
            let t = c.host.tcgets(h)?;
            c.write(arg, &t).map(|()| 0)
        }
        TCSETS | TCSETSW | TCSETSF => {
            let t: Termios = c.read(arg)?;
            c.host.tcsets(h, req, &t).map(|()| 0)
        }
        TIOCGWINSZ => {
            let w = c.host.get_winsize(h)?;
            c.write(arg, &w).map(|()| 0)
        }
        TIOCSWINSZ => {
            let w: Winsize = c.read(arg)?;
            c.host.set_winsize(h, &w).map(|()| 0)
        }
        FIONREAD => {
            let n = c.host.fionread(h)?;
            c.write(arg, &n).map(|()| 0)
        }
        FIONBIO => {
            let on: i32 = c.read(arg)?;
            let fl = c.host.get_status_flags(h)?;
            let nb = OpenFlags::NONBLOCK.bits();
            let fl = if on != 0 { fl | nb } else { fl & !nb };
            c.host.set_status_flags(h, fl).map(|()| 0)
        }
        // Job control: process groups and sessions are the host's, and so
        // is the terminal; pids are the host's.
        TIOCGPGRP | TIOCGSID => {
            crate::user::slice(arg, 4)?;
            c.host.syscall(
                lx_abi::syscalls::nr::ioctl,
                [h as u64, u64::from(req), arg, 0, 0, 0],
            )
        }
        TIOCSPGRP => {
            let pgid: i32 = c.read(arg)?;
            // A group of the run's processes, or the one the run started in
            // (lx's own, which an interactive shell gives the terminal back
            // to when it exits).
            let run = c.host.registry_pids();
            let member = pgid == c.k.cfg.pgid
                || run.iter().any(|&p| {
                    c.host
                        .syscall(lx_abi::syscalls::nr::getpgid, [p as u64, 0, 0, 0, 0, 0])
                        .is_ok_and(|g| g as i32 == pgid)
                });
            if !member {
                return Err(Errno::EPERM);
            }
            crate::signal::blocking(c, crate::signal::Restart::IfSaRestart, |c| {
                c.host.syscall(
                    lx_abi::syscalls::nr::ioctl,
                    [h as u64, u64::from(req), arg, 0, 0, 0],
                )
            })
        }
        TIOCSCTTY if c.k.vfork_helper => crate::proc::vfork::set_ctty(c, h, arg & 1),
        TIOCSCTTY | TIOCNOTTY => c.host.syscall(
            lx_abi::syscalls::nr::ioctl,
            [h as u64, u64::from(req), arg & 1, 0, 0, 0],
        ),
        FIOCLEX | FIONCLEX => {
            c.k.fds.set_cloexec(fd, req == FIOCLEX)?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}
