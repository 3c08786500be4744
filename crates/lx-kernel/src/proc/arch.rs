//! arch_prctl(2).

use crate::ctx::{Ctx, SysResult};
use lx_abi::Errno;

const ARCH_SET_GS: i32 = 0x1001;
const ARCH_SET_FS: i32 = 0x1002;
const ARCH_GET_FS: i32 = 0x1003;
const ARCH_GET_GS: i32 = 0x1004;
const ARCH_GET_CPUID: i32 = 0x1011;
const ARCH_SET_CPUID: i32 = 0x1012;
const ARCH_GET_XCOMP_SUPP: i32 = 0x1021;
const ARCH_GET_XCOMP_PERM: i32 = 0x1022;
const ARCH_REQ_XCOMP_PERM: i32 = 0x1023;
const ARCH_GET_XCOMP_GUEST_PERM: i32 = 0x1024;
const ARCH_REQ_XCOMP_GUEST_PERM: i32 = 0x1025;

/// arch_prctl(2). FS and GS bases are set on the host thread (the guest
/// owns %fs; lx never uses it). Bases must be canonical user addresses
/// (EPERM otherwise, as Linux). CPUID faulting is not offered (ENODEV), the
/// XCOMP permission codes pass through, unknown codes are EINVAL.
pub fn sys_arch_prctl(c: &mut Ctx<'_>, code: i32, addr: u64) -> SysResult {
    match code {
        ARCH_SET_FS | ARCH_SET_GS => {
            if addr >= crate::layout::TASK_SIZE {
                return Err(Errno::EPERM);
            }
            if code == ARCH_SET_FS {
                c.host.set_fs_base(addr)?;
                c.k.fs_base = addr;
            } else {
                c.host.set_gs_base(addr)?;
            }
            Ok(0)
        }
        ARCH_GET_FS => c.write(addr, &c.k.fs_base).map(|()| 0),
        ARCH_GET_GS => {
            let v = c.host.get_gs_base()?;
            c.write(addr, &v).map(|()| 0)
        }
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        ARCH_GET_XCOMP_SUPP | ARCH_GET_XCOMP_PERM | ARCH_GET_XCOMP_GUEST_PERM => {
            crate::user::slice(addr, 8)?;
            c.host.arch_prctl(code, addr)
        }
        ARCH_REQ_XCOMP_PERM | ARCH_REQ_XCOMP_GUEST_PERM => c.host.arch_prctl(code, addr),
        _ => Err(Errno::EINVAL),
    }
}
