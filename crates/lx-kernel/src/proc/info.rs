//! sysinfo(2).

use crate::ctx::{Ctx, SysResult};

/// sysinfo(2): the host's memory and load, lx's process count.
pub fn sys_sysinfo(c: &mut Ctx<'_>, buf: u64) -> SysResult {
    let mut s = c.host.sysinfo()?;
    // The guest's world has one process until processes land.
    s.procs = 1;
    c.write(buf, &s).map(|()| 0)
}
