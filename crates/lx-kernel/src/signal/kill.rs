//! kill(2), tkill(2), tgkill(2). Until lx runs several processes, the only
//! process a guest can reach is itself; other targets do not exist (ESRCH).

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;

fn check_sig(sig: i32) -> Result<u32, Errno> {
    if (0..=64).contains(&sig) {
        Ok(sig as u32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn send(c: &mut Ctx<'_>, sig: u32, thread: bool) -> SysResult {
    if sig != 0 {
        c.host.raise(sig, thread)?;
    }
    Ok(0)
}

/// kill(2): `pid` is this process, its group (0 or -pgid); -1 reaches every
/// process but the caller, which here is none.
pub fn sys_kill(c: &mut Ctx<'_>, pid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    let id = &c.k.id;
    if pid == id.pid || pid == 0 || (pid < -1 && -pid == id.pgid) {
        send(c, sig, false)
    } else {
        Err(Errno::ESRCH)
    }
}

/// tkill(2).
pub fn sys_tkill(c: &mut Ctx<'_>, tid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tid != c.k.id.tid {
        return Err(Errno::ESRCH);
    }
    send(c, sig, true)
}

/// tgkill(2).
pub fn sys_tgkill(c: &mut Ctx<'_>, tgid: i32, tid: i32, sig: i32) -> SysResult {
    let sig = check_sig(sig)?;
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    if tgid != c.k.id.pid || tid != c.k.id.tid {
        return Err(Errno::ESRCH);
    }
    send(c, sig, true)
}
