//! sched_yield(2), sched_getaffinity(2), getcpu(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;

/// sched_yield(2).
pub fn sys_sched_yield(c: &mut Ctx<'_>) -> SysResult {
    c.host.sched_yield();
    Ok(0)
}

/// sched_getaffinity(2): the raw call returns the bytes written.
pub fn sys_sched_getaffinity(c: &mut Ctx<'_>, pid: i32, len: u64, mask: u64) -> SysResult {
    if pid != 0 && pid != c.k.id.pid && pid != c.k.id.tid {
        return Err(Errno::ESRCH);
    }
    if !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    let mut buf = [0u8; 1024];
    let n = (len as usize).min(buf.len());
    let got = c.host.sched_getaffinity(&mut buf[..n])?;
    user::copy_out(c.host, mask, &buf[..got]).map(|()| got)
}

/// getcpu(2).
pub fn sys_getcpu(c: &mut Ctx<'_>, cpu: u64, node: u64) -> SysResult {
    let (cp, nd) = c.host.getcpu()?;
    c.write_opt(cpu, &cp)?;
    c.write_opt(node, &nd)?;
    Ok(0)
}
