//! exit(2), exit_group(2).

use crate::ctx::{Ctx, SysResult};

/// exit(2): ends the calling thread; the last thread ends the process.
pub fn sys_exit(c: &mut Ctx<'_>, code: i32) -> SysResult {
    if c.k.threaded() {
        // The thread's own host fds (filesystem caches) go with it.
        c.k.release_thread(c.host);
    }
    c.host.exit_thread(code)
}

/// exit_group(2).
pub fn sys_exit_group(c: &mut Ctx<'_>, code: i32) -> SysResult {
    c.host.exit_group(code)
}
