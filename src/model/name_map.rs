//! `NameMap`: the elements of one table or view (indexes, constraints, triggers, policies)
//! by name, in name order, with the part of `BTreeMap`'s interface the stages use.
//!
//! A table has a handful of each kind, and a `BTreeMap` allocates a node of eleven slots for
//! the first: at thousands of tables that was most of a schema's memory. A sorted vector
//! holds exactly what is there.

use std::borrow::Borrow;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct NameMap<V> {
    /// Sorted by name, names unique.
    entries: Vec<(String, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            entries: Vec::new(),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for NameMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> NameMap<V> {
    pub fn new() -> Self {
        NameMap::default()
    }

    fn position<Q>(&self, name: &Q) -> Result<usize, usize>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries
            .binary_search_by(|(key, _)| key.borrow().cmp(name))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get<Q>(&self, name: &Q) -> Option<&V>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.position(name).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn get_mut<Q>(&mut self, name: &Q) -> Option<&mut V>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.position(name).ok()?;
        Some(&mut self.entries[at].1)
    }

    pub fn contains_key<Q>(&self, name: &Q) -> bool
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(name).is_ok()
    }

    /// Sets `name`'s element; the one it replaces, if any.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match self.position(&name) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                // Grown one at a time: most maps stay at one or two elements.
                self.entries.reserve_exact(1);
                self.entries.insert(at, (name, value));
                None
            }
        }
    }

    pub fn remove<Q>(&mut self, name: &Q) -> Option<V>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.position(name).ok()?;
        Some(self.entries.remove(at).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        self.entries.retain_mut(|(name, value)| keep(name, value));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// `name`'s slot, to fill if empty.
    pub fn entry(&mut self, name: String) -> Entry<'_, V> {
        Entry { map: self, name }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(name, value)| (name, value))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&String, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(name, value)| (&*name, value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(name, _)| name)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, value)| value)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = String> + ExactSizeIterator {
        self.entries.into_iter().map(|(name, _)| name)
    }
}

/// A name's slot in a `NameMap` (`NameMap::entry`).
pub struct Entry<'a, V> {
    map: &'a mut NameMap<V>,
    name: String,
}

impl<'a, V> Entry<'a, V> {
    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_insert_with(self, value: impl FnOnce() -> V) -> &'a mut V {
        let at = match self.map.position(&self.name) {
            Ok(at) => at,
            Err(at) => {
                self.map.entries.reserve_exact(1);
                self.map.entries.insert(at, (self.name, value()));
                at
            }
        };
        &mut self.map.entries[at].1
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = NameMap::new();
        map.extend(iter);
        map
    }
}

/// As `BTreeMap`: a later element of the same name replaces an earlier one.
impl<V> Extend<(String, V)> for NameMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, iter: I) {
        self.entries.extend(iter);
        // Stable, so that of equal names the last one added comes last and is kept.
        self.entries.sort_by(|(a, _), (b, _)| a.cmp(b));
        let mut deduplicated: Vec<(String, V)> = Vec::with_capacity(self.entries.len());
        for entry in self.entries.drain(..) {
            match deduplicated.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => deduplicated.push(entry),
            }
        }
        self.entries = deduplicated;
    }
}

impl<V> IntoIterator for NameMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(name, value)| (name, value))
    }
}

impl<'a, V> IntoIterator for &'a mut NameMap<V> {
    type Item = (&'a String, &'a mut V);
    type IntoIter =
        std::iter::Map<std::slice::IterMut<'a, (String, V)>, fn(&'a mut (String, V)) -> Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter_mut().map(|(name, value)| (&*name, value))
    }
}

impl<V, Q> std::ops::Index<&Q> for NameMap<V>
where
    String: Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    fn index(&self, name: &Q) -> &V {
        self.get(name).expect("no element of that name")
    }
}

impl<V, Q> std::ops::IndexMut<&Q> for NameMap<V>
where
    String: Borrow<Q>,
    Q: Ord + ?Sized,
{
    fn index_mut(&mut self, name: &Q) -> &mut V {
        self.get_mut(name).expect("no element of that name")
    }
}

impl<V, const N: usize> From<[(String, V); N]> for NameMap<V> {
    fn from(entries: [(String, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::NameMap;

    #[test]
    fn keeps_names_in_order_and_the_last_of_a_name() {
        let mut map: NameMap<i32> = [("b".to_string(), 1), ("a".to_string(), 2)].into();
        assert_eq!(map.insert("b".into(), 3), Some(1));
        map.extend([("c".to_string(), 4), ("c".to_string(), 5)]);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [2, 3, 5]);
        assert_eq!(*map.entry("a".into()).or_insert(9), 2);
        assert_eq!(map.remove("a"), Some(2));
        assert!(!map.contains_key("a") && map["c"] == 5);
    }
}
