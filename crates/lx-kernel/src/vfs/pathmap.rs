//! A map keyed by (mount, path relative to the mount) that is looked up
//! with a borrowed path: the lookup caches sit on every path walk, where
//! building an owned key to ask would cost an allocation each time.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

#[derive(Clone, Debug)]
pub struct PathMap<V> {
    /// One map per mount index.
    maps: Vec<BTreeMap<Vec<u8>, V>>,
    len: usize,
}

impl<V> Default for PathMap<V> {
    fn default() -> Self {
        PathMap {
            maps: Vec::new(),
            len: 0,
        }
    }
}

impl<V> PathMap<V> {
    pub fn get(&self, m: usize, rel: &[u8]) -> Option<&V> {
        self.maps.get(m)?.get(rel)
    }
    pub fn get_mut(&mut self, m: usize, rel: &[u8]) -> Option<&mut V> {
        self.maps.get_mut(m)?.get_mut(rel)
    }
    pub fn contains(&self, m: usize, rel: &[u8]) -> bool {
        self.get(m, rel).is_some()
    }
    /// Insert; the value the key held before, if any.
    pub fn insert(&mut self, m: usize, rel: Vec<u8>, v: V) -> Option<V> {
        if self.maps.len() <= m {
            self.maps.resize_with(m + 1, BTreeMap::new);
        }
        let old = self.maps[m].insert(rel, v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }
    pub fn remove(&mut self, m: usize, rel: &[u8]) -> Option<V> {
        let old = self.maps.get_mut(m)?.remove(rel);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.maps.iter().flat_map(BTreeMap::values)
    }
    pub fn clear(&mut self) {
        self.maps.clear();
        self.len = 0;
    }
    /// Empty the map, handing its values back.
    pub fn drain(&mut self) -> impl Iterator<Item = V> {
        self.len = 0;
        core::mem::take(&mut self.maps)
            .into_iter()
            .flat_map(BTreeMap::into_values)
    }
}

#[cfg(test)]
mod tests {
    use super::PathMap;
    use alloc::vec;

    #[test]
    fn keys_are_mount_and_path() {
        let mut m = PathMap::default();
        assert_eq!(m.insert(2, b"usr/bin".to_vec(), 7), None);
        assert_eq!(m.insert(0, b"usr/bin".to_vec(), 8), None);
        assert_eq!(m.insert(2, b"usr/bin".to_vec(), 9), Some(7));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(2, b"usr/bin"), Some(&9));
        assert_eq!(m.get(1, b"usr/bin"), None);
        assert_eq!(m.get(5, b"usr/bin"), None);
        assert!(m.contains(0, b"usr/bin"));
        *m.get_mut(0, b"usr/bin").unwrap() += 1;
        assert_eq!(m.remove(0, b"usr/bin"), Some(9));
        assert_eq!(m.remove(0, b"usr/bin"), None);
        assert_eq!(m.len(), 1);
        let mut all: alloc::vec::Vec<i32> = m.drain().collect();
        all.sort();
        assert_eq!(all, vec![9]);
        assert!(m.is_empty());
        assert_eq!(m.get(2, b"usr/bin"), None);
    }
}
