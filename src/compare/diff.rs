//! Diffs of answers, the algorithm: text paragraph by paragraph and word by word,
//! tables row by row. What is compared and how each change is classified is here;
//! `diff_html.rs` writes the result as HTML that reads right without colour and with a
//! screen reader.
//!
//! The page is about what changed, so its size follows the amount of change:
//!
//! - An answer's text is compared as its units: paragraphs, list items (each item on
//!   its own, like a paragraph), sub-headings ([`crate::markdown::Block::Text`]). Units
//!   are lined up first, by their exact text. Unchanged ones are not repeated, only
//!   counted ("2 uendrede avsnitt"), and never reach the word diff.
//! - Between unchanged units, an old unit is paired with a new one when they share
//!   enough word pairs (cheap, linear); only paired units get a word diff, and it is
//!   shown only if it is readable: at least `READABLE` of the words kept. Small
//!   islands of unchanged words between two changes join the change, so a changed
//!   sentence reads as one removal and one addition rather than a word salad.
//! - Units added whole are shown in full; units removed whole briefly (their first
//!   words), since the question links to both years' answers. A unit removed in one
//!   place and added unchanged in another was moved: shown once, briefly, where it is
//!   now.
//! - An answer is "rewritten" when less than `REWRITTEN` of its old text and less
//!   than that of its new text was kept: no text diff at all, only the links (its
//!   tables are still compared row by row). An answer that kept its old text and
//!   gained new text is never rewritten.
//!
//! The browser makes the same comparison for pairs of years that have no static page
//! (`themes/default/static/compare-core.js`): every rule here has its twin there (its
//! section `diff.rs: answers`), the thresholds reach it through [`RULES`], and
//! `tests/compare_js.rs` holds the two to the same HTML for every neighbouring pair of
//! the sample site, the fixtures and a generated corpus. A change here needs the same
//! change there.

use std::collections::VecDeque;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::myers::{self, Run};
use crate::markdown::{Block, TableBlock};
use crate::text::fnv;

/// Words of unchanged context kept on each side of a change inside a paragraph.
pub(super) const CONTEXT_WORDS: usize = 5;

/// Unchanged runs of at most this many words between two changes join the change.
const ISLAND_WORDS: usize = 2;

/// A paired paragraph's word diff is shown if it keeps at least this share of the
/// words (2 × kept / (old + new)); otherwise the old paragraph is shown as removed
/// and the new one as added.
const READABLE: f64 = 0.6;

/// Two paragraphs are worth a word diff only if they share at least this share of
/// their word pairs (bigrams; Dice coefficient). A cheap filter before the diff itself.
const PAIRABLE: f64 = 0.5;

/// How many new paragraphs ahead an old paragraph looks for its new version.
const PAIR_WINDOW: usize = 6;

/// An answer that kept less than this share of its old words and less than this
/// share of its new words is shown as rewritten.
const REWRITTEN: f64 = 0.5;

/// Answers shorter than this (in words, the longer side) are never called rewritten:
/// their diff is short anyway.
const MIN_REWRITTEN_WORDS: usize = 40;

/// A paragraph removed whole (or moved) is shown in full up to this many words, else
/// as its first [`BRIEF_WORDS`] words (the earlier report, linked, has it in full). A
/// paragraph added whole is always shown in full: it is what the reader came for.
pub(super) const BRIEF_FULL: usize = 16;
pub(super) const BRIEF_WORDS: usize = 10;

/// The visible mark for text left out (the page explains it once at the top).
pub(super) const ELIDED: &str = "[…]";

/// The rules of the comparison as the browser's twin of this module reads them (in
/// the JSON of the page that compares any two years), so that they are written once.
#[derive(Debug, Serialize)]
pub(super) struct Rules {
    pub(crate) context_words: usize,
    pub(crate) island_words: usize,
    pub(crate) readable: f64,
    pub(crate) pairable: f64,
    pub(crate) pair_window: usize,
    pub(crate) rewritten: f64,
    pub(crate) min_rewritten_words: usize,
    pub(crate) brief_full: usize,
    pub(crate) brief_words: usize,
    pub(crate) max_diff: usize,
    pub(crate) elided: &'static str,
}

pub(super) const RULES: Rules = Rules {
    context_words: CONTEXT_WORDS,
    island_words: ISLAND_WORDS,
    readable: READABLE,
    pairable: PAIRABLE,
    pair_window: PAIR_WINDOW,
    rewritten: REWRITTEN,
    min_rewritten_words: MIN_REWRITTEN_WORDS,
    brief_full: BRIEF_FULL,
    brief_words: BRIEF_WORDS,
    max_diff: myers::MAX_DIFF,
    elided: ELIDED,
};

/// A paragraph, with what comparing it needs. Paragraphs are lined up by their text;
/// only those that changed are taken apart into words, when first compared: most of
/// an answer's paragraphs are the same as the year before and never need their words.
struct Paragraph<'s> {
    text: &'s str,
    /// How many words it has, once counted.
    count: OnceLock<usize>,
    /// Its words and word pairs, once a word diff needs them.
    parsed: OnceLock<Parsed<'s>>,
}

/// A paragraph's words, and its word pairs, sorted (see [`shingles`]).
struct Parsed<'s> {
    words: Vec<Word<'s>>,
    shingles: Vec<Shingle<'s>>,
}

impl<'s> Paragraph<'s> {
    fn new(text: &'s str) -> Self {
        Paragraph {
            text,
            count: OnceLock::new(),
            parsed: OnceLock::new(),
        }
    }

    fn parsed(&self) -> &Parsed<'s> {
        self.parsed.get_or_init(|| {
            let words = words(self.text);
            Parsed {
                shingles: shingles(&words),
                words,
            }
        })
    }

    fn words(&self) -> &[Word<'s>] {
        &self.parsed().words
    }

    fn shingles(&self) -> &[Shingle<'s>] {
        &self.parsed().shingles
    }

    fn count(&self) -> usize {
        *self.count.get_or_init(|| word_count(self.text))
    }
}

/// How many words a text block has: its spaces and one, since text blocks are
/// collapsed (words between single spaces, none around them; see
/// [`crate::markdown::Block::Text`]). What splitting it into words would count,
/// without reading the words.
pub(super) fn word_count(text: &str) -> usize {
    if text.is_empty() {
        0
    } else {
        text.bytes().filter(|&b| b == b' ').count() + 1
    }
}

/// A text block shown briefly: all of it up to [`BRIEF_FULL`] words, else its first
/// [`BRIEF_WORDS`] words; and whether some were left out. (A text block's words are
/// between single spaces, see [`word_count`].)
pub(super) fn first_words(text: &str) -> (&str, bool) {
    if word_count(text) <= BRIEF_FULL {
        return (text, false);
    }
    let end = text
        .match_indices(' ')
        .nth(BRIEF_WORDS - 1)
        .map_or(text.len(), |(i, _)| i);
    (&text[..end], true)
}

/// A text as paragraphs.
pub(super) struct Text<'s> {
    paras: Vec<Paragraph<'s>>,
    /// How many words it has, once counted.
    total: OnceLock<usize>,
}

impl<'s> Text<'s> {
    pub(super) fn new(paras: &[&'s str]) -> Self {
        Text {
            paras: paras.iter().map(|p| Paragraph::new(p)).collect(),
            total: OnceLock::new(),
        }
    }

    fn total(&self) -> usize {
        *self
            .total
            .get_or_init(|| self.paras.iter().map(Paragraph::count).sum())
    }

    fn keys(&self) -> Vec<&'s str> {
        self.paras.iter().map(|p| p.text).collect()
    }

    /// Whether the two texts have the same paragraphs.
    pub(super) fn same(&self, other: &Text) -> bool {
        self.paras
            .iter()
            .map(|p| p.text)
            .eq(other.paras.iter().map(|p| p.text))
    }
}

/// An answer taken apart for comparing: worked out once per report, since each
/// report takes part in a comparison with every other year of its member.
pub(super) struct Answer<'s> {
    pub(super) text: Text<'s>,
    pub(super) tables: Vec<&'s TableBlock>,
}

impl<'s> Answer<'s> {
    pub(super) fn new(blocks: &'s [Block]) -> Self {
        let mut paras = Vec::new();
        let mut tables = Vec::new();
        for b in blocks {
            match b {
                Block::Text(s) => paras.push(s.as_str()),
                Block::Table(t) => tables.push(t),
            }
        }
        Answer {
            text: Text::new(&paras),
            tables,
        }
    }
}

/// A value with its hash, to make comparisons cheap: equal only if the values are.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hashed<T> {
    hash: u64,
    value: T,
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
type Shingle<'s> = (u64, &'s str, &'s str);

/// The paragraph's word pairs (its word if it has only one), sorted: a multiset to
/// intersect.
fn shingles<'s>(w: &[Word<'s>]) -> Vec<Shingle<'s>> {
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
fn dice(a: &[Shingle], b: &[Shingle]) -> f64 {
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

/// A paragraph of the text diff.
pub(super) enum Para<'s> {
    /// This many unchanged paragraphs in a row.
    Same(usize),
    Edited(Vec<Seg<'s>>),
    /// A paragraph removed or added whole, or moved unchanged: its text and words.
    Removed(&'s str),
    Added(&'s str, usize),
    Moved(&'s str),
}

/// Two texts lined up paragraph by paragraph, with how many of their words were kept.
pub(super) struct TextDiff<'s> {
    pub(super) paras: Vec<Para<'s>>,
    words_a: usize,
    words_b: usize,
    kept: usize,
}

impl TextDiff<'_> {
    /// Whether the text was rewritten: less than [`REWRITTEN`] of the old words kept
    /// and less than that of the new ones (so never when the old text was kept and new
    /// text added, nor when text was only removed), in an answer long enough.
    pub(super) fn rewritten(&self) -> bool {
        let kept = self.kept as f64;
        self.words_a.max(self.words_b) >= MIN_REWRITTEN_WORDS
            && kept < REWRITTEN * self.words_a as f64
            && kept < REWRITTEN * self.words_b as f64
    }

    /// Adds `n` unchanged paragraphs.
    fn same(&mut self, n: usize) {
        match self.paras.last_mut() {
            Some(Para::Same(m)) => *m += n,
            _ => self.paras.push(Para::Same(n)),
        }
    }
}

/// Lines up two texts' paragraphs: equal ones by their text, changed ones paired up
/// where a word diff is readable.
pub(super) fn paragraphs<'s>(ta: &Text<'s>, tb: &Text<'s>) -> TextDiff<'s> {
    let mut d = TextDiff {
        paras: Vec::new(),
        words_a: ta.total(),
        words_b: tb.total(),
        kept: 0,
    };
    for run in myers::diff(&ta.keys(), &tb.keys()) {
        match run {
            Run::Changed(old, new) => pair_up(&mut d, &ta.paras[old], &tb.paras[new]),
            Run::Equal(old, _) => {
                d.kept += ta.paras[old.clone()]
                    .iter()
                    .map(Paragraph::count)
                    .sum::<usize>();
                d.same(old.len());
            }
        }
    }
    moves(&mut d);
    d
}

/// Paragraphs removed in one place and added unchanged in another were moved: each
/// added paragraph takes the first removed one with the same text, is shown as moved
/// where it is now, and counts as kept; the removed one is left out.
fn moves(d: &mut TextDiff) {
    let mut removed: FxHashMap<&str, VecDeque<usize>> = FxHashMap::default();
    for (i, p) in d.paras.iter().enumerate() {
        if let Para::Removed(text) = p {
            removed.entry(text).or_default().push_back(i);
        }
    }
    if removed.is_empty() {
        return;
    }
    let mut gone = vec![false; d.paras.len()];
    let mut moved = vec![false; d.paras.len()];
    for (i, p) in d.paras.iter().enumerate() {
        if let Para::Added(text, _) = p
            && let Some(j) = removed.get_mut(text).and_then(VecDeque::pop_front)
        {
            gone[j] = true;
            moved[i] = true;
        }
    }
    if !moved.contains(&true) {
        return;
    }
    let paras = std::mem::take(&mut d.paras);
    for (i, p) in paras.into_iter().enumerate() {
        match p {
            _ if gone[i] => {}
            Para::Same(n) => d.same(n),
            Para::Added(text, words) if moved[i] => {
                d.kept += words;
                d.paras.push(Para::Moved(text));
            }
            p => d.paras.push(p),
        }
    }
}

/// Pairs changed paragraphs in order: each old paragraph with the first new one ahead
/// (within [`PAIR_WINDOW`]) that shares enough word pairs and gives a readable diff.
fn pair_up<'s>(d: &mut TextDiff<'s>, old: &[Paragraph<'s>], new: &[Paragraph<'s>]) {
    let mut j = 0;
    for p in old {
        let mut found = None;
        for (k, q) in new.iter().enumerate().skip(j).take(PAIR_WINDOW) {
            if dice(p.shingles(), q.shingles()) < PAIRABLE {
                continue;
            }
            let (segs, kept) = word_diff(p.words(), q.words());
            if 2.0 * kept as f64 >= READABLE * (p.count() + q.count()) as f64 {
                found = Some((k, segs, kept));
                break;
            }
        }
        match found {
            Some((k, segs, kept)) => {
                d.paras.extend(new[j..k].iter().map(Para::added));
                d.paras.push(Para::Edited(segs));
                d.kept += kept;
                j = k + 1;
            }
            None => d.paras.push(Para::Removed(p.text)),
        }
    }
    d.paras.extend(new[j..].iter().map(Para::added));
}

impl<'s> Para<'s> {
    fn added(q: &Paragraph<'s>) -> Self {
        Para::Added(q.text, q.count())
    }
}

/// A row of a table's diff.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum RowDiff<'r> {
    Same(&'r [String]),
    /// This many unchanged rows, not shown.
    Skipped(usize),
    Added(&'r [String]),
    Removed(&'r [String]),
    Changed(&'r [String], &'r [String]),
}

/// Rows lined up by content: equal rows match, rows that changed between two equal
/// ones pair up as changed where they are alike. Unchanged rows are only counted,
/// unless `keep_same` (the header changed).
pub(super) fn diff_rows<'r>(
    a: &'r [Vec<String>],
    b: &'r [Vec<String>],
    keep_same: bool,
) -> Vec<RowDiff<'r>> {
    let mut out = Vec::new();
    for run in myers::diff(a, b) {
        match run {
            Run::Equal(old, _) if keep_same => out.extend(a[old].iter().map(|r| RowDiff::Same(r))),
            Run::Equal(old, _) => match out.last_mut() {
                Some(RowDiff::Skipped(n)) => *n += old.len(),
                _ => out.push(RowDiff::Skipped(old.len())),
            },
            Run::Changed(old, new) => {
                // A row is changed (not replaced) if it keeps its first cell or
                // changes in one cell only; rows pair up in order.
                let alike = |x: &[String], y: &[String]| {
                    x.first() == y.first()
                        || x.iter().zip(y).filter(|(p, q)| p != q).count()
                            + x.len().abs_diff(y.len())
                            <= 1
                };
                let new = &b[new];
                let mut j = 0;
                for x in &a[old] {
                    match (j..new.len()).find(|&k| alike(x, &new[k])) {
                        Some(k) => {
                            out.extend(new[j..k].iter().map(|r| RowDiff::Added(r)));
                            out.push(RowDiff::Changed(x, &new[k]));
                            j = k + 1;
                        }
                        None => out.push(RowDiff::Removed(x)),
                    }
                }
                out.extend(new[j..].iter().map(|r| RowDiff::Added(r)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pair_up_only_when_alike() {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = vec![
            row(&["a", "1", "x"]),
            row(&["b", "2", "y"]),
            row(&["c", "3", "z"]),
        ];
        let b = vec![
            row(&["a", "1", "x"]),
            row(&["b", "9", "y"]),
            row(&["d", "4", "w"]),
            row(&["e", "5", "v"]),
        ];
        let d = diff_rows(&a, &b, false);
        assert_eq!(d[0], RowDiff::Skipped(1));
        assert_eq!(d[1], RowDiff::Changed(&a[1], &b[1]));
        assert_eq!(d[2], RowDiff::Removed(&a[2]));
        assert_eq!(d[3], RowDiff::Added(&b[2]));
        assert_eq!(d[4], RowDiff::Added(&b[3]));
        assert_eq!(diff_rows(&a, &b, true)[0], RowDiff::Same(&a[0]));
    }
}
