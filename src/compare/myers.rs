//! The sequence diff every comparison uses: paragraphs of an answer, sentences of a
//! paragraph, words of a sentence, rows of a table.
//!
//! Hand-written instead of the `similar` crate on purpose: the same comparison is made
//! in the browser (`themes/default/static/compare-core.js`, for pairs of years that have
//! no static page), and the two must agree on every word. `similar`'s Myers applies
//! heuristics of its own (a preflight that drops unmatched records, a bounded
//! middle-snake search) over some 2,000 lines that a browser port could not follow
//! exactly. This is Myers' linear-space algorithm as diff-match-patch's `bisect` writes
//! it (minimal edit scripts, deterministic ties), in about 100 lines that
//! compare-core.js mirrors line by line; `tests/compare_js.rs` holds the two to the same
//! output on random inputs.

use std::ops::Range;

/// Sequences whose differing middle (after their common start and end) is longer than
/// this on either side are not diffed: the middle is one change. A bound on size, so
/// that the time stays bounded (the diff takes time in proportion to the length times
/// the number of changes) and the output never depends on how busy the machine is.
pub const MAX_DIFF: usize = 5_000;

/// A stretch of a diff: an unchanged run (old and new indexes, equal length), or what
/// changed between two unchanged runs (either side may be empty, never both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// Indexes into `a` and into `b` of items that are the same in both.
    Equal(Range<usize>, Range<usize>),
    /// Indexes into `a` of what was removed and into `b` of what took its place.
    Changed(Range<usize>, Range<usize>),
}

/// The diff of `a` and `b` as alternating runs, in order.
pub fn diff<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Run> {
    let mut m = Matches::default();
    let p = common_prefix(a, b);
    let s = common_suffix(&a[p..], &b[p..]);
    m.push(0, 0, p);
    let (am, bm) = (&a[p..a.len() - s], &b[p..b.len() - s]);
    if am.len() <= MAX_DIFF && bm.len() <= MAX_DIFF {
        matches(am, bm, p, p, &mut m);
    }
    m.push(a.len() - s, b.len() - s, s);
    let mut runs = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (x, y, len) in m.0 {
        if x > i || y > j {
            runs.push(Run::Changed(i..x, j..y));
        }
        runs.push(Run::Equal(x..x + len, y..y + len));
        (i, j) = (x + len, y + len);
    }
    if i < a.len() || j < b.len() {
        runs.push(Run::Changed(i..a.len(), j..b.len()));
    }
    runs
}

/// Matched runs (old start, new start, length), in order; touching runs are joined.
#[derive(Default)]
struct Matches(Vec<(usize, usize, usize)>);

impl Matches {
    fn push(&mut self, x: usize, y: usize, len: usize) {
        if len == 0 {
            return;
        }
        match self.0.last_mut() {
            Some((px, py, pl)) if *px + *pl == x && *py + *pl == y => *pl += len,
            _ => self.0.push((x, y, len)),
        }
    }
}

fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The matches of `a` and `b` (at offsets `x0` and `y0` of the whole sequences): their
/// common start and end, and between them, split at the middle of a shortest edit
/// path, each half in turn. Each half has at most half the edits, so the recursion is
/// as deep as the logarithm of the number of edits.
fn matches<T: PartialEq>(a: &[T], b: &[T], x0: usize, y0: usize, m: &mut Matches) {
    let p = common_prefix(a, b);
    m.push(x0, y0, p);
    let (a, b) = (&a[p..], &b[p..]);
    let s = common_suffix(a, b);
    let (am, bm) = (&a[..a.len() - s], &b[..b.len() - s]);
    if !am.is_empty()
        && !bm.is_empty()
        && let Some((x, y)) = bisect(am, bm)
    {
        matches(&am[..x], &bm[..y], x0 + p, y0 + p, m);
        matches(&am[x..], &bm[y..], x0 + p + x, y0 + p + y, m);
    }
    m.push(x0 + p + am.len(), y0 + p + bm.len(), s);
}

/// Where a shortest edit path from the start of `a` and `b` to their ends crosses its
/// middle: the forward and the backward search meet (Myers 1986, section 4b). `a` and
/// `b` are not empty and differ in their first and in their last element, so the point
/// is neither the start nor the end. `None` only if they have nothing in common.
///
/// Longer than a screen on purpose: it is diff-match-patch's `bisect`, the forward and
/// the backward search side by side, and compare-core.js mirrors it line by line; cut
/// into parts, the two would no longer read alike.
fn bisect<T: PartialEq>(a: &[T], b: &[T]) -> Option<(usize, usize)> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max_d = (n + m + 1) / 2;
    let (offset, len) = (max_d, 2 * max_d);
    // The furthest x reached on each diagonal k (index offset + k), forward and
    // backward; -1 where none yet. Two cells more than `len`: the first step reads
    // offset + 1, which is `len` when both sides have one element.
    let mut v1 = vec![-1isize; len as usize + 2];
    let mut v2 = vec![-1isize; len as usize + 2];
    v1[(offset + 1) as usize] = 0;
    v2[(offset + 1) as usize] = 0;
    let delta = n - m;
    // With an odd delta the paths meet on a forward step, else on a backward one.
    let front = delta % 2 != 0;
    let (mut k1start, mut k1end, mut k2start, mut k2end) = (0, 0, 0, 0);
    let at = |v: &[isize], i: isize| v[i as usize];
    for d in 0..max_d {
        let mut k1 = -d + k1start;
        while k1 <= d - k1end {
            let k1o = offset + k1;
            let mut x1 = if k1 == -d || (k1 != d && at(&v1, k1o - 1) < at(&v1, k1o + 1)) {
                at(&v1, k1o + 1)
            } else {
                at(&v1, k1o - 1) + 1
            };
            let mut y1 = x1 - k1;
            while x1 < n && y1 < m && a[x1 as usize] == b[y1 as usize] {
                x1 += 1;
                y1 += 1;
            }
            v1[k1o as usize] = x1;
            if x1 > n {
                k1end += 2;
            } else if y1 > m {
                k1start += 2;
            } else if front {
                let k2o = offset + delta - k1;
                if k2o >= 0 && k2o < len && at(&v2, k2o) != -1 && x1 >= n - at(&v2, k2o) {
                    return Some((x1 as usize, y1 as usize));
                }
            }
            k1 += 2;
        }
        let mut k2 = -d + k2start;
        while k2 <= d - k2end {
            let k2o = offset + k2;
            let mut x2 = if k2 == -d || (k2 != d && at(&v2, k2o - 1) < at(&v2, k2o + 1)) {
                at(&v2, k2o + 1)
            } else {
                at(&v2, k2o - 1) + 1
            };
            let mut y2 = x2 - k2;
            while x2 < n && y2 < m && a[(n - x2 - 1) as usize] == b[(m - y2 - 1) as usize] {
                x2 += 1;
                y2 += 1;
            }
            v2[k2o as usize] = x2;
            if x2 > n {
                k2end += 2;
            } else if y2 > m {
                k2start += 2;
            } else if !front {
                let k1o = offset + delta - k2;
                if k1o >= 0 && k1o < len && at(&v1, k1o) != -1 {
                    let x1 = at(&v1, k1o);
                    let y1 = offset + x1 - k1o;
                    if x1 >= n - x2 {
                        return Some((x1 as usize, y1 as usize));
                    }
                }
            }
            k2 += 2;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edit distance (deletions + insertions) of a diff, and a check that its runs
    /// cover both sequences in order with equal elements in the equal runs.
    fn check(a: &[u8], b: &[u8]) -> usize {
        let runs = diff(a, b);
        let (mut i, mut j, mut edits) = (0, 0, 0);
        for r in &runs {
            match r {
                Run::Equal(x, y) => {
                    assert_eq!((x.start, y.start), (i, j));
                    assert_eq!(&a[x.clone()], &b[y.clone()]);
                    (i, j) = (x.end, y.end);
                }
                Run::Changed(x, y) => {
                    assert_eq!((x.start, y.start), (i, j));
                    assert!(!x.is_empty() || !y.is_empty());
                    edits += x.len() + y.len();
                    (i, j) = (x.end, y.end);
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()));
        edits
    }

    /// The shortest edit distance, by dynamic programming.
    fn shortest(a: &[u8], b: &[u8]) -> usize {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, x) in a.iter().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, y) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = if x == y {
                    prev
                } else {
                    1 + row[j].min(row[j + 1])
                };
                prev = cur;
            }
        }
        row[b.len()]
    }

    #[test]
    fn diffs_are_minimal_and_cover_both_sides() {
        // A small deterministic generator: many short sequences over a small alphabet.
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..3000 {
            let (la, lb) = (next(12) as usize, next(12) as usize);
            let k = 1 + next(4);
            let a: Vec<u8> = (0..la).map(|_| next(k) as u8).collect();
            let b: Vec<u8> = (0..lb).map(|_| next(k) as u8).collect();
            assert_eq!(check(&a, &b), shortest(&a, &b), "{a:?} {b:?}");
        }
    }

    #[test]
    fn runs_alternate() {
        assert_eq!(diff::<u8>(&[], &[]), vec![]);
        assert_eq!(
            diff(b"abc", b"abxc"),
            vec![
                Run::Equal(0..2, 0..2),
                Run::Changed(2..2, 2..3),
                Run::Equal(2..3, 3..4)
            ]
        );
        assert_eq!(diff(b"ab", b"cd"), vec![Run::Changed(0..2, 0..2)]);
    }

    #[test]
    fn a_long_differing_middle_is_one_change() {
        let a: Vec<u32> = (0..MAX_DIFF as u32 + 10).collect();
        let mut b = a.clone();
        b.reverse();
        b.insert(0, 0);
        let runs = diff(&a, &b);
        assert_eq!(runs.len(), 2, "{runs:?}");
    }
}
