//! Diffs of tables, row by row: rows lined up by their content, changed rows paired
//! with the rows they became. (Its twin in `compare-core.js` is `diffRows`, in the
//! section `diff.rs: answers`.)

use super::myers::{self, Run};

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
