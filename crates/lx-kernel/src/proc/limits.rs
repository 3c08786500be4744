//! getrlimit(2), setrlimit(2), prlimit64(2). RLIMIT_NOFILE is lx's own (it
//! bounds the guest's fd table); the others are the host process's.

use crate::ctx::{Ctx, SysResult};
use crate::fd::NR_OPEN;
use lx_abi::Errno;
use lx_abi::structs::Rlimit;

const RLIMIT_NOFILE: u32 = 7;
const RLIM_NLIMITS: u32 = 16;

fn get(c: &Ctx<'_>, res: u32) -> Result<Rlimit, Errno> {
    if res >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    if res == RLIMIT_NOFILE {
        return Ok(Rlimit {
            rlim_cur: c.k.fds.limit(),
            rlim_max: c.k.nofile_max,
        });
    }
    let (cur, max) = c.host.get_rlimit(res)?;
    Ok(Rlimit {
        rlim_cur: cur,
        rlim_max: max,
    })
}

fn set(c: &mut Ctx<'_>, res: u32, new: Rlimit) -> Result<(), Errno> {
    if new.rlim_cur > new.rlim_max {
        return Err(Errno::EINVAL);
    }
    if res == RLIMIT_NOFILE {
        if new.rlim_max > NR_OPEN {
            return Err(Errno::EPERM);
        }
        if new.rlim_max > c.k.nofile_max && c.k.id.euid != 0 {
            return Err(Errno::EPERM);
        }
        c.k.fds.set_limit(new.rlim_cur);
        c.k.nofile_max = new.rlim_max;
        return Ok(());
    }
    c.host.set_rlimit(res, new.rlim_cur, new.rlim_max)?;
    if c.k.vfork_helper && c.k.id.pid != 0 {
        // A vfork helper: the child execs with the limit.
        let pair = [new.rlim_cur, new.rlim_max];
        c.host.syscall(
            lx_abi::syscalls::nr::prlimit64,
            [
                c.k.id.pid as u64,
                u64::from(res),
                pair.as_ptr() as u64,
                0,
                0,
                0,
            ],
        )?;
    }
    Ok(())
}

/// getrlimit(2).
pub fn sys_getrlimit(c: &mut Ctx<'_>, res: u32, out: u64) -> SysResult {
    let r = get(c, res)?;
    c.write(out, &r).map(|()| 0)
}

/// setrlimit(2).
pub fn sys_setrlimit(c: &mut Ctx<'_>, res: u32, inp: u64) -> SysResult {
    if res >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let r: Rlimit = c.read(inp)?;
    set(c, res, r).map(|()| 0)
}

/// prlimit64(2) on this process (pid 0 or its own pid).
pub fn sys_prlimit64(c: &mut Ctx<'_>, pid: i32, res: u32, new: u64, old: u64) -> SysResult {
    if pid != 0 && pid != c.k.id.pid {
        return Err(Errno::ESRCH);
    }
    if res >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let n: Option<Rlimit> = if new != 0 { Some(c.read(new)?) } else { None };
    let o = get(c, res)?;
    if let Some(n) = n {
        set(c, res, n)?;
    }
    c.write_opt(old, &o).map(|()| 0)
}
