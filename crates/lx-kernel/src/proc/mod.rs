//! Process identity and per-process syscalls.

pub mod arch;
pub mod exec;
pub mod exit;
pub mod fork;
pub mod futex;
pub mod ids;
pub mod info;
pub mod limits;
pub mod prctl;
pub mod sched;
pub mod thread;
pub mod uname;
pub mod vfork;
pub mod wait;

use crate::config::Config;
use alloc::vec::Vec;

/// Who the guest process is, as it sees itself.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub pid: i32,
    pub tid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub groups: Vec<u32>,
    pub nodename: Vec<u8>,
}

impl Identity {
    pub fn from_config(c: &Config) -> Self {
        Identity {
            pid: c.pid,
            tid: c.pid,
            ppid: c.ppid,
            pgid: c.pgid,
            sid: c.sid,
            uid: c.uid,
            euid: c.euid,
            suid: c.euid,
            gid: c.gid,
            egid: c.egid,
            sgid: c.egid,
            groups: c.groups.clone(),
            nodename: c.nodename.clone(),
        }
    }
}
