//! The memory figures of /proc/PID/stat, statm and status as the guest
//! sees them. The host's count lx's own mappings (its window: the runtime,
//! its heap and thread slots, a 64 GiB reservation; stub areas; the stub
//! pages of the run's patched interpreters), take the program's text and
//! data for lx's runtime's (the host exec'd it, lx loaded the program) and
//! count a patched interpreter copy as shared memory (it lives in the run's
//! memfd) where Linux counts the file it stands for. Each figure here is
//! the host's with lx's mappings taken out, read from the host's smaps of
//! the process: sizes, resident pages (anonymous, file, shmem), data,
//! executable; the text is the program's mapping (the one holding its
//! entry point, for the process itself; the lowest executable file
//! mapping, for another process), the break lx's.
//!
//! Peaks (VmPeak, VmHWM) are the host's less lx's share now (lx maps its
//! window before the program, so its share is in the peak too).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// What a mapping of the host's maps is to the guest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Seen {
    /// Shown as it is.
    Visible,
    /// lx's: left out.
    Hidden,
    /// Shown as the file it stands for (a patched interpreter copy).
    Alias,
}

/// lx's share of a process's mappings, and where the guest program's
/// text and last segment are.
#[derive(Default, Debug, PartialEq, Eq, Clone, Copy)]
pub struct Share {
    /// Bytes of address space.
    pub size: u64,
    /// Resident kB, and of them anonymous, file-backed, shmem-backed.
    pub rss: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
    /// Bytes of private writable mappings (the kernel's data_vm).
    pub data: u64,
    /// Bytes of executable mappings (exec_vm).
    pub exec: u64,
    /// Resident page-cache kB of alias mappings (shmem on the host, file
    /// to the guest).
    pub alias: u64,
    /// The program's text mapping, and its last mapping (its data).
    pub text: Option<(u64, u64)>,
    pub data_seg: Option<(u64, u64)>,
}

/// Is `line` a maps/smaps mapping line (`start-end perms ...`)?
pub fn is_header(line: &[u8]) -> bool {
    let first = line.split(|&b| b == b' ').next().unwrap_or(b"");
    first.contains(&b'-') && first.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-')
}

/// A hex number of maps (lower-case digits; anything else counts 0).
pub fn hex(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |v, &c| {
        v.wrapping_shl(4) | u64::from((c as char).to_digit(16).unwrap_or(0))
    })
}

/// Where the path column of mapping line `line` starts (after 5 fields;
/// the line's length for anonymous memory).
pub fn path_start(line: &[u8]) -> usize {
    let mut fields = 0;
    let mut in_space = false;
    for (i, &b) in line.iter().enumerate() {
        if b == b' ' {
            if !in_space {
                fields += 1;
            }
            in_space = true;
        } else {
            if in_space && fields == 5 {
                return i;
            }
            in_space = false;
        }
    }
    line.len()
}

fn kb(line: &[u8], key: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(key)?;
    let n = rest.trim_ascii().split(|&b| b == b' ').next()?;
    core::str::from_utf8(n).ok()?.parse().ok()
}

struct Map<'a> {
    lo: u64,
    hi: u64,
    perms: &'a [u8],
    path: &'a [u8],
    seen: Seen,
    rss: u64,
    anon: u64,
}

/// Parse a mapping line: range, perms and the path column (after 5
/// fields; empty for anonymous memory).
fn header(line: &[u8]) -> (u64, u64, &[u8], &[u8]) {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let mut f = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
    let range = f.next().unwrap_or(b"");
    let perms = f.next().unwrap_or(b"");
    let mut r = range.split(|&b| b == b'-');
    let lo = hex(r.next().unwrap_or(b""));
    let hi = hex(r.next().unwrap_or(b""));
    (lo, hi, perms, &line[path_start(line)..])
}

/// lx's share of the process whose host smaps is `smaps`; `seen` says
/// what a mapping line (and its start) is to the guest; `entry` is the
/// program's entry point when known (the process itself).
pub fn share(smaps: &[u8], seen: impl Fn(&[u8], u64) -> Seen, entry: Option<u64>) -> Share {
    let mut maps: Vec<Map<'_>> = Vec::new();
    for line in smaps.split_inclusive(|&b| b == b'\n') {
        if is_header(line) {
            let (lo, hi, perms, path) = header(line);
            maps.push(Map {
                lo,
                hi,
                perms,
                path,
                seen: seen(line, lo),
                rss: 0,
                anon: 0,
            });
        } else if let Some(m) = maps.last_mut() {
            if let Some(v) = kb(line, b"Rss:") {
                m.rss = v;
            } else if let Some(v) = kb(line, b"Anonymous:") {
                m.anon = v;
            }
        }
    }
    let mut s = Share::default();
    for m in &maps {
        let cache = m.rss.saturating_sub(m.anon);
        match m.seen {
            Seen::Hidden => {
                let len = m.hi.saturating_sub(m.lo);
                s.size += len;
                s.rss += m.rss;
                s.anon += m.anon;
                let shmem = m.perms.get(3) == Some(&b's')
                    || m.path.starts_with(b"/memfd:")
                    || m.path.starts_with(b"/dev/shm/")
                    || m.path.starts_with(b"/dev/zero");
                if shmem {
                    s.shmem += cache;
                } else {
                    s.file += cache;
                }
                if m.perms.get(1) == Some(&b'w') && m.perms.get(3) == Some(&b'p') {
                    s.data += len;
                }
                if m.perms.get(2) == Some(&b'x') {
                    s.exec += len;
                }
            }
            Seen::Alias => s.alias += cache,
            Seen::Visible => {}
        }
    }
    let text = maps.iter().find(|m| {
        m.seen == Seen::Visible
            && match entry {
                Some(e) => (m.lo..m.hi).contains(&e),
                None => m.perms.get(2) == Some(&b'x') && m.path.starts_with(b"/"),
            }
    });
    if let Some(t) = text {
        s.text = Some((t.lo, t.hi));
        if !t.path.is_empty() {
            s.data_seg = maps
                .iter()
                .filter(|m| m.seen == Seen::Visible && m.path == t.path)
                .map(|m| (m.lo, m.hi))
                .next_back();
        }
    }
    s
}

/// The guest's value of /proc/PID/stat field `n` (numbered from 1) whose
/// host value is `host`, or None to keep it. `brk` is the program's break
/// start when known.
pub fn stat_field(s: &Share, n: usize, host: u64, brk: Option<u64>) -> Option<u64> {
    let text = s.text.unwrap_or((0, 0));
    let data = s.data_seg.unwrap_or((0, 0));
    Some(match n {
        23 => host.saturating_sub(s.size),
        24 => host.saturating_sub(s.rss / 4),
        26 => text.0,
        27 => text.1,
        45 => data.0,
        46 => data.1,
        47 => brk.unwrap_or(0),
        _ => return None,
    })
}

/// /proc/PID/stat from the host's: the fields after the command name
/// (from field 3) get `fix(n, host value)` where it answers.
pub fn rewrite_stat(
    host: &[u8],
    pid_part: &[u8],
    fix: impl Fn(usize, u64) -> Option<u64>,
) -> Option<Vec<u8>> {
    let open = host.iter().position(|&b| b == b'(')?;
    let close = host.iter().rposition(|&b| b == b')')?;
    let mut out = pid_part.to_vec();
    out.extend_from_slice(host.get(open..=close)?);
    for (i, f) in host
        .get(close + 2..)?
        .trim_ascii_end()
        .split(|&b| b == b' ')
        .enumerate()
    {
        out.push(b' ');
        let v = core::str::from_utf8(f)
            .ok()
            .and_then(|t| t.parse::<u64>().ok());
        match v.and_then(|v| fix(i + 3, v)) {
            Some(n) => out.extend_from_slice(format!("{n}").as_bytes()),
            None => out.extend_from_slice(f),
        }
    }
    out.push(b'\n');
    Some(out)
}

/// /proc/PID/statm from the host's (pages: size resident shared text lib
/// data dt).
pub fn statm(host: &[u8], s: &Share) -> Vec<u8> {
    let mut v: Vec<u64> = host
        .trim_ascii()
        .split(|&b| b == b' ')
        .filter_map(|f| core::str::from_utf8(f).ok()?.parse().ok())
        .collect();
    if v.len() >= 7 {
        v[0] = v[0].saturating_sub(s.size / 4096);
        v[1] = v[1].saturating_sub(s.rss / 4);
        v[2] = v[2].saturating_sub((s.file + s.shmem) / 4);
        v[3] = s.text.map_or(0, |(lo, hi)| (hi - lo) / 4096);
        v[5] = v[5].saturating_sub(s.data / 4096);
    }
    let mut out = String::new();
    for (i, n) in v.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{n}"));
    }
    out.push('\n');
    out.into_bytes()
}

/// The memory lines of /proc/PID/status, rewritten: a function from a
/// host line (no newline) to its replacement, None for the other lines.
pub fn status_lines(host: &[u8], s: &Share) -> impl Fn(&[u8]) -> Option<Vec<u8>> {
    let val = |key: &[u8]| {
        host.split(|&b| b == b'\n')
            .find_map(|l| kb(l, key))
            .unwrap_or(0)
    };
    let text_kb = s.text.map_or(0, |(lo, hi)| (hi - lo) / 1024);
    let rss = val(b"VmRSS:").saturating_sub(s.rss);
    let exec_kb = (val(b"VmExe:") + val(b"VmLib:")).saturating_sub(s.exec / 1024);
    let v = [
        (
            &b"VmPeak:"[..],
            val(b"VmPeak:").saturating_sub(s.size / 1024),
        ),
        (b"VmSize:", val(b"VmSize:").saturating_sub(s.size / 1024)),
        (b"VmHWM:", val(b"VmHWM:").saturating_sub(s.rss).max(rss)),
        (b"VmRSS:", rss),
        (b"RssAnon:", val(b"RssAnon:").saturating_sub(s.anon)),
        (
            b"RssFile:",
            val(b"RssFile:").saturating_sub(s.file) + s.alias,
        ),
        (
            b"RssShmem:",
            val(b"RssShmem:").saturating_sub(s.shmem + s.alias),
        ),
        (b"VmData:", val(b"VmData:").saturating_sub(s.data / 1024)),
        (b"VmExe:", text_kb),
        (b"VmLib:", exec_kb.saturating_sub(text_kb)),
    ];
    move |line: &[u8]| {
        let (key, n) = v.iter().find(|(k, _)| line.starts_with(k))?;
        // Linux: the key, a tab, the value right-aligned in 8, " kB".
        let mut out = key.to_vec();
        out.extend_from_slice(format!("\t{n:>8} kB").as_bytes());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &[u8] = b"\
55d0c0000000-55d0c0004000 r--p 00000000 08:01 100 /usr/bin/dash
Rss:                  16 kB
Anonymous:             0 kB
55d0c0004000-55d0c0017000 r-xp 00004000 08:01 100 /usr/bin/dash
Rss:                  76 kB
Anonymous:             0 kB
55d0c001f000-55d0c0021000 rw-p 0001e000 08:01 100 /usr/bin/dash
Rss:                   8 kB
Anonymous:             8 kB
6f0000000000-6f000000b000 r--p 00000000 00:01 7 /memfd:lx-shim (deleted)
Rss:                  44 kB
Anonymous:             4 kB
6f000000b000-6f0000092000 r-xp 0000a000 00:01 7 /memfd:lx-shim (deleted)
Rss:                 540 kB
Anonymous:             4 kB
6f0004000000-6f0030000000 rw-p 00000000 00:00 0 
Rss:                 108 kB
Anonymous:           108 kB
6f0030200000-6f1000000000 ---p 00000000 00:00 0 
Rss:                   0 kB
Anonymous:             0 kB
7f0000000000-7f0000026000 r-xp 00001000 00:01 8 /memfd:lx-shared (deleted)
Rss:                 152 kB
Anonymous:             0 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
Rss:                  12 kB
Anonymous:            12 kB
";

    fn seen(_: &[u8], lo: u64) -> Seen {
        if (0x6f00_0000_0000..0x7000_0000_0000).contains(&lo) {
            Seen::Hidden
        } else if lo == 0x7f00_0000_0000 {
            Seen::Alias
        } else {
            Seen::Visible
        }
    }

    #[test]
    fn share_counts_lx_mappings_and_finds_the_text() {
        let s = share(SMAPS, seen, Some(0x55d0_c000_5000));
        assert_eq!(
            s.size,
            0xb000 + 0x87000 + 0x2c00_0000 + (0x6f10_0000_0000 - 0x6f00_3020_0000)
        );
        assert_eq!((s.rss, s.anon, s.shmem, s.file), (692, 116, 576, 0));
        assert_eq!(s.data, 0x2c00_0000);
        assert_eq!(s.exec, 0x87000);
        assert_eq!(s.alias, 152);
        assert_eq!(s.text, Some((0x55d0_c000_4000, 0x55d0_c001_7000)));
        assert_eq!(s.data_seg, Some((0x55d0_c001_f000, 0x55d0_c002_1000)));
        // Another process: the lowest executable file mapping.
        assert_eq!(share(SMAPS, seen, None).text, s.text);
    }

    #[test]
    fn stat_statm_status_take_lx_out() {
        let s = share(SMAPS, seen, Some(0x55d0_c000_5000));
        let host = b"42 (sh) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 68719476736 300 1 \
122045790729824 122045791279461 140 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 122045791322296 122045791327792 122046135828480 1 2 3 4 0\n";
        let out = rewrite_stat(host, b"42 ", |n, v| {
            stat_field(&s, n, v, Some(0x55d0_c100_0000))
        })
        .unwrap();
        let f: Vec<&[u8]> = out.trim_ascii_end().split(|&b| b == b' ').collect();
        let num = |n: usize| {
            core::str::from_utf8(f[n - 1])
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        assert_eq!(num(23), 68_719_476_736 - s.size);
        assert_eq!(num(24), 300 - 692 / 4);
        assert_eq!((num(26), num(27)), (0x55d0_c000_4000, 0x55d0_c001_7000));
        assert_eq!(
            (num(45), num(46), num(47)),
            (0x55d0_c001_f000, 0x55d0_c002_1000, 0x55d0_c100_0000)
        );
        assert_eq!(num(4), 1);
        let host = format!(
            "{} 663 570 135 0 {} 0\n",
            s.size / 4096 + 731,
            s.data / 4096 + 89
        );
        let m = statm(host.as_bytes(), &s);
        let expect = format!("731 {} {} {} 0 89 0\n", 663 - 692 / 4, 570 - 576 / 4, 0x13);
        assert_eq!(m, expect.into_bytes());
        let st = b"VmPeak:\t70000000 kB\nVmSize:\t69000000 kB\nVmHWM:\t    2816 kB\nVmRSS:\t    2816 kB\n\
RssAnon:\t     416 kB\nRssFile:\t    1572 kB\nRssShmem:\t     828 kB\nVmData:\t  722532 kB\nVmExe:\t     540 kB\nVmLib:\t    2168 kB\n";
        let f = status_lines(st, &s);
        let line = |k: &[u8]| {
            let l = st
                .split(|&b| b == b'\n')
                .find(|l| l.starts_with(k))
                .unwrap();
            String::from_utf8(f(l).unwrap()).unwrap()
        };
        assert_eq!(line(b"VmRSS:"), format!("VmRSS:\t{:>8} kB", 2816 - 692));
        assert_eq!(
            line(b"RssShmem:"),
            format!("RssShmem:\t{:>8} kB", 828 - 576 - 152)
        );
        assert_eq!(line(b"RssFile:"), format!("RssFile:\t{:>8} kB", 1572 + 152));
        assert_eq!(line(b"VmExe:"), format!("VmExe:\t{:>8} kB", 76));
        assert_eq!(
            line(b"VmLib:"),
            format!("VmLib:\t{:>8} kB", 540 + 2168 - 0x87000 / 1024 - 76)
        );
        assert_eq!(
            line(b"VmData:"),
            format!("VmData:\t{:>8} kB", 722_532 - 0x2c00_0000 / 1024)
        );
        assert!(f(b"Threads:\t1").is_none());
    }
}
