//! Canonical path helpers (absolute, no `.`/`..`, no trailing slash except "/").

use alloc::vec::Vec;

/// If `path` is `prefix` or lies below it, the rest without its leading
/// slash ("" for `prefix` itself).
pub fn strip_prefix<'p>(path: &'p [u8], prefix: &[u8]) -> Option<&'p [u8]> {
    if prefix == b"/" {
        return path.strip_prefix(b"/");
    }
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(b"/")
    }
}

/// `dir` + "/" + `name`.
pub fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(dir.len() + name.len() + 1);
    v.extend_from_slice(dir);
    if !dir.ends_with(b"/") {
        v.push(b'/');
    }
    v.extend_from_slice(name);
    v
}

/// A relative path joined: "" + name = name.
pub fn join_rel(dir: &[u8], name: &[u8]) -> Vec<u8> {
    if dir.is_empty() {
        name.to_vec()
    } else {
        let mut v = Vec::with_capacity(dir.len() + name.len() + 1);
        v.extend_from_slice(dir);
        v.push(b'/');
        v.extend_from_slice(name);
        v
    }
}

/// The parent of a canonical path ("/" is its own parent).
pub fn parent(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/",
        Some(i) => &path[..i],
    }
}

/// The parent of a relative path ("" for a top-level name) and the name.
pub fn split_rel(rel: &[u8]) -> (&[u8], &[u8]) {
    match rel.iter().rposition(|&b| b == b'/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => (b"", rel),
    }
}

/// The last component of a canonical path ("/" for the root).
pub fn name(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) if i + 1 < path.len() => &path[i + 1..],
        _ => b"/",
    }
}

/// The guest-visible form of canonical `path` for a process whose root is
/// `root` (paths outside the root show as themselves relative to it, as
/// Linux shows them after chroot: unreachable).
pub fn visible(path: &[u8], root: &[u8]) -> Vec<u8> {
    if root == b"/" {
        return path.to_vec();
    }
    match strip_prefix(path, root) {
        Some(rest) => {
            let mut v = Vec::from(&b"/"[..]);
            v.extend_from_slice(rest);
            v
        }
        None => path.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(strip_prefix(b"/usr/bin", b"/"), Some(&b"usr/bin"[..]));
        assert_eq!(strip_prefix(b"/", b"/"), Some(&b""[..]));
        assert_eq!(strip_prefix(b"/usr/bin", b"/usr"), Some(&b"bin"[..]));
        assert_eq!(strip_prefix(b"/usr", b"/usr"), Some(&b""[..]));
        assert_eq!(strip_prefix(b"/usrx", b"/usr"), None);
        assert_eq!(parent(b"/a/b"), b"/a");
        assert_eq!(parent(b"/a"), b"/");
        assert_eq!(parent(b"/"), b"/");
        assert_eq!(name(b"/a/b"), b"b");
        assert_eq!(split_rel(b"a/b/c"), (&b"a/b"[..], &b"c"[..]));
        assert_eq!(split_rel(b"c"), (&b""[..], &b"c"[..]));
        assert_eq!(join(b"/", b"x"), b"/x");
        assert_eq!(join(b"/a", b"x"), b"/a/x");
        assert_eq!(visible(b"/srv/root/etc", b"/srv/root"), b"/etc");
        assert_eq!(visible(b"/srv/root", b"/srv/root"), b"/");
    }
}
