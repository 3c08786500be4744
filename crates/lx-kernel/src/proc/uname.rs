//! uname(2): lx's own kernel identity.

use crate::ctx::{Ctx, SysResult};
use lx_abi::structs::Utsname;

/// The kernel release lx reports: the Linux ABI level it aims at, marked lx.
pub const RELEASE: &str = "6.1.0-lx";
/// The kernel version string lx reports.
pub const VERSION: &str = concat!("#1 SMP PREEMPT_DYNAMIC lx ", env!("CARGO_PKG_VERSION"));

fn put(field: &mut [u8; 65], s: &[u8]) {
    let n = s.len().min(64);
    field[..n].copy_from_slice(&s[..n]);
}

/// The utsname a guest of this process sees.
pub fn utsname(nodename: &[u8]) -> Utsname {
    let mut u = Utsname::default();
    put(&mut u.sysname, b"Linux");
    put(&mut u.nodename, nodename);
    put(&mut u.release, RELEASE.as_bytes());
    put(&mut u.version, VERSION.as_bytes());
    put(&mut u.machine, b"x86_64");
    put(&mut u.domainname, b"(none)");
    u
}

/// uname(2).
pub fn sys_uname(c: &mut Ctx<'_>, buf: u64) -> SysResult {
    let u = utsname(&c.k.id.nodename);
    c.write(buf, &u).map(|()| 0)
}
