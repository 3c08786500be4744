//! prctl(2): the options programs use at startup and for naming threads.

use crate::ctx::{Ctx, SysResult};
use crate::layout::guest_range_ok;
use crate::user;
use lx_abi::Errno;

const PR_SET_PDEATHSIG: i32 = 1;
const PR_GET_PDEATHSIG: i32 = 2;
const PR_GET_DUMPABLE: i32 = 3;
const PR_SET_DUMPABLE: i32 = 4;
const PR_SET_NAME: i32 = 15;
const PR_GET_NAME: i32 = 16;
const PR_GET_SECCOMP: i32 = 21;
const PR_CAPBSET_READ: i32 = 23;
const PR_SET_TIMERSLACK: i32 = 29;
const PR_GET_TIMERSLACK: i32 = 30;
const PR_SET_CHILD_SUBREAPER: i32 = 36;
const PR_GET_CHILD_SUBREAPER: i32 = 37;
const PR_SET_NO_NEW_PRIVS: i32 = 38;
const PR_GET_NO_NEW_PRIVS: i32 = 39;
const PR_SET_VMA: i32 = 0x5356_4d41;
const TASK_COMM_LEN: usize = 16;

/// prctl(2). Unknown options give EINVAL, as on a kernel without them.
pub fn sys_prctl(c: &mut Ctx<'_>, option: i32, a2: u64, a3: u64, a4: u64, a5: u64) -> SysResult {
    let h = c.host;
    match option {
        PR_SET_NAME => {
            // The name is truncated to 15 bytes; it need not be terminated within them.
            let mut name = [0u8; TASK_COMM_LEN];
            for (i, b) in name.iter_mut().take(TASK_COMM_LEN - 1).enumerate() {
                let mut one = [0u8; 1];
                user::copy_in(h, a2 + i as u64, &mut one)?;
                if one[0] == 0 {
                    break;
                }
                *b = one[0];
            }
            h.prctl(option, name.as_ptr() as u64, 0, 0, 0)
        }
        PR_GET_NAME => {
            let mut name = [0u8; TASK_COMM_LEN];
            h.prctl(option, name.as_mut_ptr() as u64, 0, 0, 0)?;
            user::copy_out(h, a2, &name).map(|()| 0)
        }
        PR_SET_PDEATHSIG => {
            if a2 > 64 {
                return Err(Errno::EINVAL);
            }
            if c.k.vfork_helper {
                // A vfork helper: the child is the one to signal (the
                // helper's own is lx's, SIGKILL at its parent's death).
                crate::proc::vfork::call_in_child(c, lx_abi::syscalls::nr::prctl, 1, a2)?;
                c.k.vfork_pdeathsig = a2 as i32;
                return Ok(0);
            }
            h.prctl(option, a2, 0, 0, 0)
        }
        PR_GET_PDEATHSIG => {
            let mut sig: i32 = 0;
            if c.k.vfork_helper {
                sig = c.k.vfork_pdeathsig;
            } else {
                h.prctl(option, &mut sig as *mut i32 as u64, 0, 0, 0)?;
            }
            c.write(a2, &sig).map(|()| 0)
        }
        PR_SET_TIMERSLACK if c.k.vfork_helper => {
            // A vfork helper: the child keeps it across its exec.
            crate::proc::vfork::call_in_child(
                c,
                lx_abi::syscalls::nr::prctl,
                PR_SET_TIMERSLACK as u64,
                a2,
            )?;
            h.prctl(option, a2, 0, 0, 0)
        }
        PR_GET_DUMPABLE | PR_SET_DUMPABLE | PR_CAPBSET_READ | PR_SET_TIMERSLACK
        | PR_GET_TIMERSLACK => h.prctl(option, a2, 0, 0, 0),
        PR_GET_SECCOMP => Ok(0),
        PR_SET_NO_NEW_PRIVS => {
            if a2 != 1 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            c.k.no_new_privs = true;
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(usize::from(c.k.no_new_privs))
        }
        PR_SET_CHILD_SUBREAPER => {
            // The host's: orphans below this process are reparented to it.
            if c.k.vfork_helper {
                crate::proc::vfork::call_in_child(
                    c,
                    lx_abi::syscalls::nr::prctl,
                    PR_SET_CHILD_SUBREAPER as u64,
                    u64::from(a2 != 0),
                )?;
            }
            h.prctl(option, u64::from(a2 != 0), 0, 0, 0)?;
            c.k.child_subreaper = a2 != 0;
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => c.write(a2, &i32::from(c.k.child_subreaper)).map(|()| 0),
        PR_SET_VMA => {
            // Naming anonymous memory: the range must be the guest's; the
            // name (a guest string) is copied into lx's memory first.
            if !guest_range_ok(a3, a4) {
                return Err(Errno::EINVAL);
            }
            if a5 == 0 {
                return h.prctl(option, a2, a3, a4, 0);
            }
            let mut name = user::read_cstr(h, a5, 80)?;
            if name.len() > 79 {
                return Err(Errno::EINVAL);
            }
            name.push(0);
            h.prctl(option, a2, a3, a4, name.as_ptr() as u64)
        }
        _ => Err(Errno::EINVAL),
    }
}
