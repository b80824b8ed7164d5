//! The search corpus: texts (every line's, every narrative's title and
//! memo), case-folded, in one buffer in memory, so a search over a million
//! lines is one fast substring scan instead of a walk through sled. Built
//! on the first search, then kept up to date by every write.

use crate::domain::text::fold;
use memchr::memmem::Finder;
use std::collections::HashMap;

/// A searchable text's key: a line's store key, or a narrative's id and field.
pub struct Corpus<const K: usize> {
    /// Folded texts, each followed by a newline (folded texts have none).
    text: Vec<u8>,
    /// Where each entry starts in `text`.
    starts: Vec<usize>,
    keys: Vec<[u8; K]>,
    /// Entries replaced by a later write, or deleted.
    dead: Vec<bool>,
    /// The first `sorted` entries came from the build, in key order.
    sorted: usize,
    /// Entries written after the build, by key.
    later: HashMap<[u8; K], usize>,
}

impl<const K: usize> Corpus<K> {
    pub fn new() -> Self {
        Corpus {
            text: Vec::new(),
            starts: Vec::new(),
            keys: Vec::new(),
            dead: Vec::new(),
            sorted: 0,
            later: HashMap::new(),
        }
    }

    /// Adds a text while building; texts must come in key order.
    pub fn add(&mut self, key: [u8; K], text: &str) {
        self.push(key, text);
        self.sorted = self.keys.len();
    }

    /// Adds a corpus built from the keys that follow this one's (building in parts).
    pub fn append(&mut self, other: Corpus<K>) {
        let offset = self.text.len();
        self.text.extend_from_slice(&other.text);
        self.starts.extend(other.starts.iter().map(|s| s + offset));
        self.keys.extend_from_slice(&other.keys);
        self.dead.extend_from_slice(&other.dead);
        self.sorted = self.keys.len();
    }

    /// Gives back the room the buffers grew into while building.
    pub fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.dead.shrink_to_fit();
    }

    fn push(&mut self, key: [u8; K], text: &str) -> usize {
        self.starts.push(self.text.len());
        self.text.extend_from_slice(fold(text).as_bytes());
        self.text.push(b'\n');
        self.keys.push(key);
        self.dead.push(false);
        self.keys.len() - 1
    }

    fn entry(&self, key: &[u8; K]) -> Option<usize> {
        self.later.get(key).copied().or_else(|| self.keys[..self.sorted].binary_search(key).ok())
    }

    /// Takes a write of `key`: its new text, or `None` when it is gone.
    pub fn update(&mut self, key: [u8; K], text: Option<&str>) {
        if let Some(old) = self.entry(&key) {
            self.dead[old] = true;
        }
        match text {
            Some(text) => {
                let entry = self.push(key, text);
                self.later.insert(key, entry);
            }
            None => {
                self.later.remove(&key);
            }
        }
    }

    /// The keys of the live texts that contain `folded_needle`, in key order.
    pub fn find(&self, folded_needle: &str) -> Vec<[u8; K]> {
        let finder = Finder::new(folded_needle.as_bytes());
        let mut found: Vec<[u8; K]> = Vec::new();
        let mut from = 0;
        while let Some(at) = finder.find(&self.text[from..]) {
            let entry = self.starts.partition_point(|s| *s <= from + at) - 1;
            if !self.dead[entry] {
                found.push(self.keys[entry]);
            }
            // Go on after this entry: one hit per line is enough.
            from = self.starts.get(entry + 1).copied().unwrap_or(self.text.len());
            if from >= self.text.len() {
                break;
            }
        }
        found.sort_unstable();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_text_once_and_follows_updates() {
        let mut corpus = Corpus::new();
        for (key, text) in [([1u8; 2], "Selvværd og selvværd"), ([2; 2], "ærgrer"), ([3; 2], "intet")] {
            corpus.add(key, text);
        }
        assert_eq!(corpus.find("selvværd"), vec![[1; 2]]);
        corpus.update([2; 2], Some("Nu med SELVVÆRD"));
        corpus.update([4; 2], Some("selvværd igen"));
        assert_eq!(corpus.find("selvværd"), vec![[1; 2], [2; 2], [4; 2]]);
        corpus.update([1; 2], None);
        corpus.update([4; 2], Some("ikke mere"));
        assert_eq!(corpus.find("selvværd"), vec![[2; 2]]);
        assert!(corpus.find("ærgrer").is_empty(), "the old text of a rewritten key is gone");
    }
}
