//! Diffs of answers: text word by word, tables row by row, as HTML that reads right
//! without colour and with a screen reader.

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp};

use super::s;
use crate::markdown::{Block, TableBlock, escape_attr};
use crate::theme::Strings;

/// Words of unchanged context kept on each side of a change.
const CONTEXT_WORDS: usize = 12;

/// Answers longer than this many words (on either side) are shown as removed and
/// added whole instead of diffed word by word. A bound on size, not on time, so that
/// the output never depends on how busy the machine is.
const MAX_DIFF_WORDS: usize = 20_000;

/// The HTML of an answer shown whole (a new or a removed question).
pub(super) fn whole(blocks: &[Block], t: &Strings, added: bool, tables: &mut usize) -> String {
    let (tag, label) = if added {
        ("ins", s(t, "diff_added"))
    } else {
        ("del", s(t, "diff_removed"))
    };
    let mut html = String::new();
    for b in blocks {
        match b {
            Block::Text(text) => {
                let _ = write!(
                    html,
                    "<p><{tag}><span class=\"visually-hidden\">{label} </span>{}</{tag}></p>",
                    esc(text)
                );
            }
            Block::Table(tb) => {
                let rows: Vec<RowDiff> = tb
                    .rows
                    .iter()
                    .map(|r| {
                        if added {
                            RowDiff::Added(r.clone())
                        } else {
                            RowDiff::Removed(r.clone())
                        }
                    })
                    .collect();
                table_html(&mut html, &tb.caption, &tb.head, &rows, t, tables);
            }
        }
    }
    html
}

/// The diff of two answers: text with a word-level diff, tables row by row.
pub(super) fn diff_blocks(a: &[Block], b: &[Block], t: &Strings, tables: &mut usize) -> String {
    let text_a: Vec<&str> = a
        .iter()
        .filter_map(|x| {
            if let Block::Text(s) = x {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect();
    let text_b: Vec<&str> = b
        .iter()
        .filter_map(|x| {
            if let Block::Text(s) = x {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect();
    let tab_a: Vec<&TableBlock> = a
        .iter()
        .filter_map(|x| {
            if let Block::Table(t) = x {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    let tab_b: Vec<&TableBlock> = b
        .iter()
        .filter_map(|x| {
            if let Block::Table(t) = x {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    let mut html = String::new();
    if text_a != text_b {
        html.push_str(&diff_text(&text_a, &text_b, t));
    }
    for k in 0..tab_a.len().max(tab_b.len()) {
        match (tab_a.get(k), tab_b.get(k)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let rows = diff_rows(&x.rows, &y.rows);
                let caption = if y.caption.is_empty() {
                    &x.caption
                } else {
                    &y.caption
                };
                table_html(&mut html, caption, &y.head, &rows, t, tables);
            }
            (None, Some(y)) => {
                let rows: Vec<RowDiff> = y.rows.iter().map(|r| RowDiff::Added(r.clone())).collect();
                table_html(&mut html, &y.caption, &y.head, &rows, t, tables);
            }
            (Some(x), None) => {
                let rows: Vec<RowDiff> =
                    x.rows.iter().map(|r| RowDiff::Removed(r.clone())).collect();
                table_html(&mut html, &x.caption, &x.head, &rows, t, tables);
            }
            (None, None) => {}
        }
    }
    html
}

/// A paragraph break between words.
const PARA: &str = "\u{2029}";

fn tokens<'s>(paragraphs: &[&'s str]) -> Vec<&'s str> {
    let mut out = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push(PARA);
        }
        out.extend(p.split_whitespace());
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Same,
    Del,
    Ins,
}

/// A word-level diff of two texts as HTML paragraphs with `<ins>` and `<del>`, each
/// with a visually hidden label so it reads right without colour and with a screen
/// reader. Unchanged stretches are shortened to [`CONTEXT_WORDS`] around changes.
pub fn diff_text(a: &[&str], b: &[&str], t: &Strings) -> String {
    let ta = tokens(a);
    let tb = tokens(b);
    let ops = if ta.len() > MAX_DIFF_WORDS || tb.len() > MAX_DIFF_WORDS {
        vec![DiffOp::Replace {
            old_index: 0,
            old_len: ta.len(),
            new_index: 0,
            new_len: tb.len(),
        }]
    } else {
        similar::capture_diff_slices(Algorithm::Myers, &ta, &tb)
    };
    // Runs of (kind, tokens).
    fn push<'w>(runs: &mut Vec<(Kind, Vec<&'w str>)>, kind: Kind, words: &[&'w str]) {
        if words.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((k, w)) if *k == kind => w.extend_from_slice(words),
            _ => runs.push((kind, words.to_vec())),
        }
    }
    let mut runs: Vec<(Kind, Vec<&str>)> = Vec::new();
    for op in &ops {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                push(&mut runs, Kind::Same, &ta[old_index..old_index + len])
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => push(&mut runs, Kind::Del, &ta[old_index..old_index + old_len]),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(&mut runs, Kind::Ins, &tb[new_index..new_index + new_len]),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(&mut runs, Kind::Del, &ta[old_index..old_index + old_len]);
                push(&mut runs, Kind::Ins, &tb[new_index..new_index + new_len]);
            }
        }
    }
    let elided = format!(
        "<span class=\"elided\">[…]<span class=\"visually-hidden\"> {}</span></span>",
        esc(s(t, "diff_elided"))
    );
    let mut paragraphs: Vec<String> = vec![String::new()];
    let last = runs.len().saturating_sub(1);
    for (idx, (kind, words)) in runs.iter().enumerate() {
        let mut words: Vec<&str> = words.clone();
        if *kind == Kind::Same {
            let head = if idx == 0 { 0 } else { CONTEXT_WORDS };
            let tail = if idx == last { 0 } else { CONTEXT_WORDS };
            let content = words.iter().filter(|w| **w != PARA).count();
            if content > head + tail + 4 {
                // Keep `head` words after the previous change and `tail` before the next.
                let mut kept_head = Vec::new();
                let mut n = 0;
                for w in &words {
                    if n >= head {
                        break;
                    }
                    kept_head.push(*w);
                    if *w != PARA {
                        n += 1;
                    }
                }
                let mut kept_tail = Vec::new();
                let mut n = 0;
                for w in words.iter().rev() {
                    if n >= tail {
                        break;
                    }
                    kept_tail.push(*w);
                    if *w != PARA {
                        n += 1;
                    }
                }
                kept_tail.reverse();
                emit(&mut paragraphs, Kind::Same, &kept_head, t);
                let p = paragraphs.last_mut().expect("never empty");
                if !p.is_empty() {
                    p.push(' ');
                }
                p.push_str(&elided);
                words = kept_tail;
            }
        }
        emit(&mut paragraphs, *kind, &words, t);
    }
    paragraphs
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{p}</p>"))
        .collect()
}

/// Appends words of one kind, starting a new paragraph at each paragraph break.
fn emit(paragraphs: &mut Vec<String>, kind: Kind, words: &[&str], t: &Strings) {
    for (i, segment) in words.split(|w| *w == PARA).enumerate() {
        if i > 0 {
            paragraphs.push(String::new());
        }
        if segment.is_empty() {
            continue;
        }
        let text = esc(&segment.join(" "));
        let p = paragraphs.last_mut().expect("never empty");
        if !p.is_empty() {
            p.push(' ');
        }
        match kind {
            Kind::Same => p.push_str(&text),
            Kind::Del => {
                let _ = write!(
                    p,
                    "<del><span class=\"visually-hidden\">{} </span>{text}</del>",
                    esc(s(t, "diff_removed"))
                );
            }
            Kind::Ins => {
                let _ = write!(
                    p,
                    "<ins><span class=\"visually-hidden\">{} </span>{text}</ins>",
                    esc(s(t, "diff_added"))
                );
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum RowDiff {
    Same(Vec<String>),
    Added(Vec<String>),
    Removed(Vec<String>),
    Changed(Vec<String>, Vec<String>),
}

/// Rows lined up by content: equal rows match, a replaced run pairs rows up as changed.
fn diff_rows(a: &[Vec<String>], b: &[Vec<String>]) -> Vec<RowDiff> {
    let ops = similar::capture_diff_slices(Algorithm::Patience, a, b);
    let mut out = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => out.extend(
                a[old_index..old_index + len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Same),
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                a[old_index..old_index + old_len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Removed),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                b[new_index..new_index + new_len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Added),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let pairs = old_len.min(new_len);
                for k in 0..pairs {
                    out.push(RowDiff::Changed(
                        a[old_index + k].clone(),
                        b[new_index + k].clone(),
                    ));
                }
                out.extend(
                    a[old_index + pairs..old_index + old_len]
                        .iter()
                        .cloned()
                        .map(RowDiff::Removed),
                );
                out.extend(
                    b[new_index + pairs..new_index + new_len]
                        .iter()
                        .cloned()
                        .map(RowDiff::Added),
                );
            }
        }
    }
    out
}

fn table_html(
    html: &mut String,
    caption: &str,
    head: &[String],
    rows: &[RowDiff],
    t: &Strings,
    counter: &mut usize,
) {
    *counter += 1;
    let id = format!("endringer-{counter}");
    let caption = if caption.is_empty() {
        s(t, "diff_table").to_string()
    } else {
        format!("{caption} – {}", s(t, "diff_table_changes"))
    };
    let _ = write!(
        html,
        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\"><table class=\"diff-table\"><caption id=\"{id}\">{}</caption><thead><tr><th scope=\"col\">{}</th>",
        esc(&caption),
        esc(s(t, "diff_change"))
    );
    for h in head {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(h));
    }
    html.push_str("</tr></thead><tbody>");
    let label = |k: &str| esc(s(t, k));
    for row in rows {
        let (class, status, cells): (&str, String, Vec<String>) = match row {
            RowDiff::Same(r) => (
                "row-same",
                label("diff_row_same"),
                r.iter().map(|c| esc(c)).collect(),
            ),
            RowDiff::Added(r) => (
                "row-added",
                label("diff_row_added"),
                r.iter()
                    .map(|c| {
                        format!(
                            "<ins><span class=\"visually-hidden\">{} </span>{}</ins>",
                            label("diff_added"),
                            esc(c)
                        )
                    })
                    .collect(),
            ),
            RowDiff::Removed(r) => (
                "row-removed",
                label("diff_row_removed"),
                r.iter()
                    .map(|c| {
                        format!(
                            "<del><span class=\"visually-hidden\">{} </span>{}</del>",
                            label("diff_removed"),
                            esc(c)
                        )
                    })
                    .collect(),
            ),
            RowDiff::Changed(x, y) => (
                "row-changed",
                label("diff_row_changed"),
                (0..x.len().max(y.len()))
                    .map(|k| {
                        let (old, new) = (
                            x.get(k).map_or("", String::as_str),
                            y.get(k).map_or("", String::as_str),
                        );
                        if old == new {
                            esc(new)
                        } else {
                            diff_text(&[old], &[new], t)
                                .trim_start_matches("<p>")
                                .trim_end_matches("</p>")
                                .replace("</p><p>", " ")
                        }
                    })
                    .collect(),
            ),
        };
        let _ = write!(html, "<tr class=\"{class}\"><td>{status}</td>");
        for c in cells {
            let _ = write!(html, "<td>{c}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
}

fn esc(s: &str) -> String {
    escape_attr(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Strings {
        [
            ("diff_added", "Lagt til:"),
            ("diff_removed", "Fjernet:"),
            ("diff_elided", "uendret tekst er utelatt"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn word_diff_marks_changes_with_hidden_labels() {
        let html = diff_text(
            &["Vi har en rådgiver i 50 prosent stilling."],
            &["Vi har en rådgiver i full stilling."],
            &strings(),
        );
        assert_eq!(
            html,
            "<p>Vi har en rådgiver i <del><span class=\"visually-hidden\">Fjernet: </span>50 prosent</del> <ins><span class=\"visually-hidden\">Lagt til: </span>full</ins> stilling.</p>"
        );
    }

    #[test]
    fn long_unchanged_stretches_are_shortened() {
        let long: String = (0..100)
            .map(|i| format!("ord{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let a = format!("{long} slutt");
        let b = format!("{long} ende");
        let html = diff_text(&[&a], &[&b], &strings());
        assert!(html.contains("[…]"), "{html}");
        assert!(!html.contains("ord10 "), "{html}");
        assert!(html.contains("ord99"), "{html}");
        assert!(html.contains("<ins><span class=\"visually-hidden\">Lagt til: </span>ende</ins>"));
    }

    #[test]
    fn paragraphs_are_kept() {
        let html = diff_text(&["En.", "To."], &["En.", "Tre."], &strings());
        assert!(html.starts_with("<p>En.</p><p><del>"), "{html}");
    }

    #[test]
    fn rows_pair_up_as_changed_added_and_removed() {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = vec![row(&["a", "1"]), row(&["b", "2"]), row(&["c", "3"])];
        let b = vec![
            row(&["a", "1"]),
            row(&["b", "9"]),
            row(&["d", "4"]),
            row(&["e", "5"]),
        ];
        let d = diff_rows(&a, &b);
        assert_eq!(d[0], RowDiff::Same(row(&["a", "1"])));
        assert_eq!(d[1], RowDiff::Changed(row(&["b", "2"]), row(&["b", "9"])));
        assert_eq!(d[2], RowDiff::Changed(row(&["c", "3"]), row(&["d", "4"])));
        assert_eq!(d[3], RowDiff::Added(row(&["e", "5"])));
    }
}
