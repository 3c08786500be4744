//! The host's /proc/self/maps, read line by line through a small buffer
//! (a large one would cost its pages: this runs in fork+exec children).

use crate::sys::{self, call};
use lx_abi::Errno;
use lx_abi::syscalls::nr;

/// One mapping: its range, its permission column (`r-xp`...) and its name
/// (the last column: a path, `[stack]`, `[vdso]`, or empty).
pub struct Line<'a> {
    pub lo: u64,
    pub hi: u64,
    pub perms: &'a [u8],
    pub name: &'a [u8],
}

fn hex(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0u64, |v, &c| {
        let d = (c as char).to_digit(16)?;
        Some(v << 4 | u64::from(d))
    })
}

fn parse(line: &[u8]) -> Option<Line<'_>> {
    let mut f = line.split(|&b| b == b' ');
    let range = f.next()?;
    let perms = f.next()?;
    let mut ends = range.split(|&b| b == b'-');
    let (lo, hi) = (hex(ends.next()?)?, hex(ends.next()?)?);
    // The name column follows a run of spaces; empty for anonymous memory.
    let name = if line.iter().filter(|&&b| b == b' ').count() >= 5 {
        line.rsplit(|&b| b == b' ').next().unwrap_or_default()
    } else {
        b""
    };
    Some(Line {
        lo,
        hi,
        perms,
        name,
    })
}

/// Call `f` for each mapping until it returns false. EINVAL for a line
/// that does not parse or does not fit the buffer.
pub fn scan(mut f: impl FnMut(&Line<'_>) -> bool) -> Result<(), Errno> {
    let path = b"/proc/self/maps\0";
    let fd = call(
        nr::openat,
        &[(-100i64) as u64, path.as_ptr() as u64, 0o2000000],
    )? as i32;
    let mut buf = [0u8; 2048];
    let (mut have, mut off) = (0usize, 0u64);
    let r = 'read: loop {
        let n = match sys::pread(fd, &mut buf[have..], off) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(e),
        };
        off += n as u64;
        have += n;
        while let Some(nl) = buf[..have].iter().position(|&b| b == b'\n') {
            let Some(line) = parse(&buf[..nl]) else {
                break 'read Err(Errno::EINVAL);
            };
            if !f(&line) {
                break 'read Ok(());
            }
            buf.copy_within(nl + 1..have, 0);
            have -= nl + 1;
        }
        if have == buf.len() {
            break Err(Errno::EINVAL);
        }
    };
    sys::close(fd);
    r
}
