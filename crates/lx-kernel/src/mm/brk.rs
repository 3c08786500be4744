//! brk(2).

use super::MmState;
use crate::ctx::{Ctx, SysResult};
use crate::host::Host;
use crate::layout::{TASK_SIZE, overlaps_lx, page_up};
use lx_abi::flags::{MapFlags, ProtFlags};

/// brk(2): move the break; the raw syscall returns the new break, or the
/// old one when the request cannot be met.
pub fn sys_brk(c: &mut Ctx<'_>, addr: u64) -> SysResult {
    let host = c.host;
    let r = c.k.change_shared(|k| set_brk(&mut k.mm, host, addr));
    if c.k.vfork_helper {
        // The break is its parent's too (the same memory).
        c.host.vfork_helper_brk(c.k.mm);
    }
    Ok(r as usize)
}

fn set_brk(mm: &mut MmState, host: &dyn Host, addr: u64) -> u64 {
    if addr < mm.brk_start || addr > TASK_SIZE {
        return mm.brk;
    }
    let new_end = page_up(addr);
    let old_end = mm.brk_mapped_end;
    if new_end > old_end {
        if overlaps_lx(old_end, new_end - old_end) {
            return mm.brk;
        }
        host.guest_claims(old_end, new_end - old_end);
        let prot = (ProtFlags::READ | ProtFlags::WRITE).bits();
        let flags = (MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED_NOREPLACE).bits();
        if host
            .mmap(old_end, new_end - old_end, prot, flags, -1, 0)
            .is_err()
        {
            return mm.brk;
        }
    } else if new_end < old_end && host.munmap(new_end, old_end - new_end).is_err() {
        return mm.brk;
    }
    mm.brk = addr;
    mm.brk_mapped_end = new_end;
    addr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testhost::TestHost;

    #[test]
    fn grows_shrinks_and_refuses() {
        let host = TestHost::default();
        let mut mm = MmState::default();
        mm.init_brk(0x60_1234);
        assert_eq!(set_brk(&mut mm, &host, 0), 0x60_1234);
        assert_eq!(set_brk(&mut mm, &host, 0x60_0000), 0x60_1234);
        assert_eq!(set_brk(&mut mm, &host, 0x60_5000), 0x60_5000);
        assert_eq!(host.maps.borrow().as_slice(), &[(0x60_2000, 0x3000)]);
        assert_eq!(set_brk(&mut mm, &host, 0x60_2001), 0x60_2001);
        assert_eq!(host.unmaps.borrow().as_slice(), &[(0x60_3000, 0x2000)]);
        assert_eq!(set_brk(&mut mm, &host, TASK_SIZE + 1), 0x60_2001);
    }
}
