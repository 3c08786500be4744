//! getpid(2) and friends, getuid(2) and friends, getgroups(2).

use crate::ctx::{Ctx, SysResult};
use crate::user;
use lx_abi::Errno;
use zerocopy::IntoBytes;

/// getpid(2).
pub fn sys_getpid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.pid as usize)
}
/// gettid(2).
pub fn sys_gettid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.tid as usize)
}
/// getppid(2).
pub fn sys_getppid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.ppid as usize)
}
/// getuid(2).
pub fn sys_getuid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.uid as usize)
}
/// geteuid(2).
pub fn sys_geteuid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.euid as usize)
}
/// getgid(2).
pub fn sys_getgid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.gid as usize)
}
/// getegid(2).
pub fn sys_getegid(c: &mut Ctx<'_>) -> SysResult {
    Ok(c.k.id.egid as usize)
}

/// getgroups(2): size 0 asks for the count; a smaller buffer is EINVAL.
pub fn sys_getgroups(c: &mut Ctx<'_>, size: i32, list: u64) -> SysResult {
    let n = c.k.id.groups.len();
    if size == 0 {
        return Ok(n);
    }
    if size < 0 || (size as usize) < n {
        return Err(Errno::EINVAL);
    }
    user::copy_out(c.host, list, c.k.id.groups.as_bytes()).map(|()| n)
}

fn put3(c: &Ctx<'_>, a: u64, b: u64, d: u64, v: [u32; 3]) -> SysResult {
    c.write(a, &v[0])?;
    c.write(b, &v[1])?;
    c.write(d, &v[2])?;
    Ok(0)
}

/// getresuid(2).
pub fn sys_getresuid(c: &mut Ctx<'_>, r: u64, e: u64, s: u64) -> SysResult {
    let id = &c.k.id;
    let v = [id.uid, id.euid, id.suid];
    put3(c, r, e, s, v)
}

/// getresgid(2).
pub fn sys_getresgid(c: &mut Ctx<'_>, r: u64, e: u64, s: u64) -> SysResult {
    let id = &c.k.id;
    let v = [id.gid, id.egid, id.sgid];
    put3(c, r, e, s, v)
}
