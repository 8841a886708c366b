//! Diffs of paragraphs, word by word: sentences lined up first, then the words of
//! the sentences that changed ([`myers`]), with small islands of unchanged words joined
//! to the change around them; and the word pairs ("shingles") that tell whether two
//! paragraphs are alike enough for a word diff. (Its twin in `compare-core.js` is in
//! the section `diff.rs: answers`; see `diff.rs` for the rules.)

use super::diff::{ISLAND_WORDS, PAIRABLE};
use super::myers::{self, Run};
use crate::text::fnv;

/// A value with its hash, to make comparisons cheap: equal only if the values are.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hashed<T> {
    hash: u64,
    pub(super) value: T,
}

impl<T: PartialEq> PartialEq for Hashed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.value == other.value
    }
}

impl<T: Eq> Eq for Hashed<T> {}

impl<T> std::hash::Hash for Hashed<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A word (or a whole paragraph's text), with its hash.
pub(super) type Word<'s> = Hashed<&'s str>;

pub(super) fn words(p: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    crate::markdown::words(p, |w| {
        out.push(Hashed {
            hash: fnv(w.as_bytes()),
            value: w,
        })
    });
    out
}

/// A word pair: its hash first (to sort and compare quickly), then its two words (so
/// that pairs are equal only if their words are, as in the browser, which compares
/// the words themselves). A paragraph of one word has that word, with `""`.
pub(super) type Shingle<'s> = (u64, &'s str, &'s str);

/// The paragraph's word pairs (its word if it has only one), sorted: a multiset to
/// intersect.
pub(super) fn shingles<'s>(w: &[Word<'s>]) -> Vec<Shingle<'s>> {
    let mut out: Vec<Shingle> = if w.len() < 2 {
        w.iter().map(|x| (x.hash, x.value, "")).collect()
    } else {
        w.windows(2)
            .map(|x| {
                (
                    x[0].hash.rotate_left(29) ^ x[1].hash,
                    x[0].value,
                    x[1].value,
                )
            })
            .collect()
    };
    out.sort_unstable();
    out
}

/// Dice coefficient of two sorted multisets.
pub(super) fn dice(a: &[Shingle], b: &[Shingle]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// A stretch of a paragraph's word diff.
#[derive(Debug, PartialEq)]
pub(super) enum Seg<'s> {
    Same(Vec<&'s str>),
    Change(Vec<&'s str>, Vec<&'s str>),
}

/// A sentence of a paragraph: its words, and a hash of them.
type Sentence<'w, 's> = Hashed<&'w [Word<'s>]>;

/// A paragraph's sentences: runs of words up to one that ends a sentence.
fn sentences<'w, 's>(w: &'w [Word<'s>]) -> Vec<Sentence<'w, 's>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, x) in w.iter().enumerate() {
        if i + 1 == w.len() || x.value.ends_with(['.', '!', '?', ':', ';']) {
            let words = &w[start..=i];
            let hash = words.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, x| {
                (h ^ x.hash).wrapping_mul(0x0100_0000_01b3).rotate_left(7)
            });
            out.push(Hashed { hash, value: words });
            start = i + 1;
        }
    }
    out
}

/// Builds the stretches of a word diff.
#[derive(Default)]
struct Segs<'s>(Vec<Seg<'s>>);

impl<'s> Segs<'s> {
    fn same(&mut self, w: &[Word<'s>]) {
        if w.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some(Seg::Same(s)) => s.extend(w.iter().map(|x| x.value)),
            _ => self.0.push(Seg::Same(w.iter().map(|x| x.value).collect())),
        }
    }

    fn change(&mut self, del: &[Word<'s>], ins: &[Word<'s>]) {
        if del.is_empty() && ins.is_empty() {
            return;
        }
        // A short island of unchanged words between two changes joins them.
        if let [.., Seg::Change(..), Seg::Same(island)] = self.0.as_slice()
            && island.len() <= ISLAND_WORDS
            && let Some(Seg::Same(island)) = self.0.pop()
            && let Some(Seg::Change(d, i)) = self.0.last_mut()
        {
            d.extend_from_slice(&island);
            i.extend_from_slice(&island);
        }
        match self.0.last_mut() {
            Some(Seg::Change(d, i)) => {
                d.extend(del.iter().map(|x| x.value));
                i.extend(ins.iter().map(|x| x.value));
            }
            _ => self.0.push(Seg::Change(
                del.iter().map(|x| x.value).collect(),
                ins.iter().map(|x| x.value).collect(),
            )),
        }
    }

    /// The word-level diff of `a` and `b`.
    fn words(&mut self, a: &[Word<'s>], b: &[Word<'s>]) {
        for run in myers::diff(a, b) {
            match run {
                Run::Equal(old, _) => self.same(&a[old]),
                Run::Changed(old, new) => self.change(&a[old], &b[new]),
            }
        }
    }
}

/// The word diff of two paragraphs, with small unchanged islands between changes
/// joined to the change; and the number of words kept. Sentences are lined up first,
/// so that only the words of changed sentences go through the word diff: cheaper
/// than diffing the whole paragraph word by word, and it keeps changes in sentences.
pub(super) fn word_diff<'s>(a: &[Word<'s>], b: &[Word<'s>]) -> (Vec<Seg<'s>>, usize) {
    let mut segs = Segs::default();
    let (sa, sb) = (sentences(a), sentences(b));
    for run in myers::diff(&sa, &sb) {
        match run {
            Run::Changed(old, new) => changed_sentences(&mut segs, &sa[old], &sb[new]),
            Run::Equal(old, _) => {
                for x in &sa[old] {
                    segs.same(x.value);
                }
            }
        }
    }
    let kept = segs
        .0
        .iter()
        .map(|s| match s {
            Seg::Same(w) => w.len(),
            Seg::Change(..) => 0,
        })
        .sum();
    (segs.0, kept)
}

/// Sentences that changed between two unchanged ones: as many old as new are taken
/// pairwise, others together; words are diffed only where the sentences share enough
/// word pairs to be edits of each other. A sentence replaced by another is one
/// change, which reads better, and skipping its word diff is most of the saving.
fn changed_sentences<'s>(segs: &mut Segs<'s>, old: &[Sentence<'_, 's>], new: &[Sentence<'_, 's>]) {
    let span = |s: &[Sentence<'_, 's>]| -> Vec<Word<'s>> {
        s.iter().flat_map(|x| x.value.iter().copied()).collect()
    };
    let mut pair = |x: &[Word<'s>], y: &[Word<'s>]| {
        if !x.is_empty() && !y.is_empty() && dice(&shingles(x), &shingles(y)) >= PAIRABLE {
            segs.words(x, y);
        } else {
            segs.change(x, y);
        }
    };
    if old.len() == new.len() {
        for (x, y) in old.iter().zip(new) {
            pair(x.value, y.value);
        }
    } else {
        pair(&span(old), &span(new));
    }
}
