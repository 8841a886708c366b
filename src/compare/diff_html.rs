//! Diffs of answers, the HTML: what `diff.rs` found, written so that it reads right
//! without colour and with a screen reader. Each change is an `<ins>` or `<del>` with a
//! visually hidden label ("Lagt til:", "Fjernet:"), text left out is marked `[…]`,
//! unchanged paragraphs and rows are counted, not repeated, and tables are focusable
//! scroll regions with a caption and a status column.
//!
//! [`Html`] is the twin of `class Html` in `compare-core.js` (its section
//! `diff_html.rs: HTML`, with `tableIds`, `whole` and `diffBlocks`), method by method;
//! `tests/compare_js.rs` holds the two to the same HTML.

use std::fmt::Write as _;

use super::diff::{
    Answer, CONTEXT_WORDS, ELIDED, Para, RowDiff, Seg, TextDiff, diff_rows, first_words,
    paragraphs, word_diff, words,
};
use super::s;
use crate::html::{escape as esc, escape_into as esc_into};
use crate::markdown::Block;
use crate::theme::{Key, Strings, key};

/// What an answer's diff shows.
pub(super) struct AnswerDiff {
    /// Paragraph and table changes, or only table changes for a rewritten answer.
    pub(crate) html: String,
    /// The text was largely rewritten: shown as links, not as a diff.
    pub(crate) rewritten: bool,
}

/// The HTML of the answer to question `number` shown whole (a new or a removed
/// question): each paragraph briefly, tables row by row.
pub(super) fn whole(number: &str, blocks: &[Block], t: &Strings, added: bool) -> String {
    let mut ids = TableIds::new(number);
    let mut h = Html::new(t);
    for b in blocks {
        match b {
            Block::Text(text) => {
                h.out.push_str("<p>");
                h.brief(text, added);
                h.out.push_str("</p>");
            }
            Block::Table(tb) => {
                let rows: Vec<RowDiff> = tb
                    .rows
                    .iter()
                    .map(|r| {
                        if added {
                            RowDiff::Added(r)
                        } else {
                            RowDiff::Removed(r)
                        }
                    })
                    .collect();
                h.table(&tb.caption, &tb.head, &rows, &mut ids);
            }
        }
    }
    h.out
}

/// The diff of two answers to question `number`: text paragraph by paragraph, tables
/// row by row.
pub(super) fn diff_blocks<'s>(
    number: &str,
    a: &Answer<'s>,
    b: &Answer<'s>,
    t: &Strings,
) -> AnswerDiff {
    let mut ids = TableIds::new(number);
    let mut h = Html::new(t);
    let mut rewritten = false;
    if !a.text.same(&b.text) {
        let d = paragraphs(&a.text, &b.text);
        if d.rewritten() {
            rewritten = true;
        } else {
            h.text(&d);
        }
    }
    let (tab_a, tab_b) = (&a.tables, &b.tables);
    for k in 0..tab_a.len().max(tab_b.len()) {
        match (tab_a.get(k), tab_b.get(k)) {
            // A caption that changed with the year is no change of the table.
            (Some(x), Some(y)) if x.rows == y.rows && x.head == y.head => {}
            (Some(x), Some(y)) => {
                let rows = diff_rows(&x.rows, &y.rows, x.head != y.head);
                let caption = if y.caption.is_empty() {
                    &x.caption
                } else {
                    &y.caption
                };
                h.table(caption, &y.head, &rows, &mut ids);
            }
            (None, Some(y)) => {
                let rows: Vec<RowDiff> = y.rows.iter().map(|r| RowDiff::Added(r)).collect();
                h.table(&y.caption, &y.head, &rows, &mut ids);
            }
            (Some(x), None) => {
                let rows: Vec<RowDiff> = x.rows.iter().map(|r| RowDiff::Removed(r)).collect();
                h.table(&x.caption, &x.head, &rows, &mut ids);
            }
            (None, None) => {}
        }
    }
    AnswerDiff {
        html: h.out,
        rewritten,
    }
}

/// Ids for the diff tables of one question's answer: `endringer-<question>-<n>`,
/// unique on a page because each question is on it once, and the same on every page,
/// so that a diff made once serves every page that shows it.
struct TableIds {
    prefix: String,
    n: usize,
}

impl TableIds {
    fn new(number: &str) -> Self {
        TableIds {
            prefix: format!("endringer-{}", number.replace('.', "-").to_lowercase()),
            n: 0,
        }
    }

    fn next(&mut self) -> String {
        self.n += 1;
        format!("{}-{}", self.prefix, self.n)
    }
}

/// Writes a diff's HTML.
struct Html<'t> {
    out: String,
    t: &'t Strings,
}

impl<'t> Html<'t> {
    fn new(t: &'t Strings) -> Self {
        Html {
            out: String::new(),
            t,
        }
    }

    fn s(&self, key: Key) -> &'t str {
        s(self.t, key)
    }

    /// Writes words escaped, separated by spaces.
    fn words_into(&mut self, words: &[&str]) {
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            esc_into(&mut self.out, w);
        }
    }

    /// Writes a change: `<ins>` or `<del>` with its label, around what `body` writes.
    fn mark(&mut self, added: bool, body: impl FnOnce(&mut Self)) {
        let (tag, key) = if added {
            ("ins", key!("diff_added"))
        } else {
            ("del", key!("diff_removed"))
        };
        // The label is visually hidden by the stylesheet (`.diff ins > span`): real
        // text, so every screen reader, reader view and copy keeps it.
        let label = self.s(key);
        let _ = write!(self.out, "<{tag}><span>");
        esc_into(&mut self.out, label);
        self.out.push_str(" </span>");
        body(self);
        let _ = write!(self.out, "</{tag}>");
    }

    /// A paragraph added whole, in full; one removed whole, in full if short, else its
    /// first words.
    fn brief(&mut self, text: &str, added: bool) {
        let (shown, cut) = if added {
            (text, false)
        } else {
            first_words(text)
        };
        self.mark(added, |h| h.shown(shown, cut));
    }

    /// The words of a text block shown briefly (its words are between single spaces,
    /// so they are written escaped as they are), `[…]` if some were left out.
    fn shown(&mut self, shown: &str, cut: bool) {
        esc_into(&mut self.out, shown);
        if cut {
            self.out.push(' ');
            self.out.push_str(ELIDED);
        }
    }

    /// An edited paragraph (or a table cell, with `context` None: never shortened):
    /// its changes with `context` words of unchanged text around them.
    fn edited(&mut self, segs: &[Seg], context: Option<usize>) {
        let last = segs.len().saturating_sub(1);
        for (idx, seg) in segs.iter().enumerate() {
            if idx > 0 {
                self.out.push(' ');
            }
            match seg {
                Seg::Same(w) => {
                    let (head, tail) = match context {
                        Some(c) => (
                            if idx == 0 { 0 } else { c },
                            if idx == last { 0 } else { c },
                        ),
                        None => (w.len(), w.len()),
                    };
                    self.same(w, head, tail);
                }
                Seg::Change(del, ins) => {
                    if !del.is_empty() {
                        self.mark(false, |h| h.words_into(del));
                    }
                    if !ins.is_empty() {
                        if !del.is_empty() {
                            self.out.push(' ');
                        }
                        self.mark(true, |h| h.words_into(ins));
                    }
                }
            }
        }
    }

    /// Unchanged words: `head` words, `[…]` and `tail` words when that is shorter.
    fn same(&mut self, w: &[&str], head: usize, tail: usize) {
        if w.len() <= head + tail + 2 {
            self.words_into(w);
            return;
        }
        if head > 0 {
            self.words_into(&w[..head]);
            self.out.push(' ');
        }
        self.out.push_str(ELIDED);
        if tail > 0 {
            self.out.push(' ');
            self.words_into(&w[w.len() - tail..]);
        }
    }

    /// `[…] 2 uendrede avsnitt`: `n` things not shown, in the words of `one` or `many`.
    fn elided(&mut self, n: usize, one: Key, many: Key) {
        let text = if n == 1 {
            self.s(one).to_string()
        } else {
            self.s(many).replace("{n}", &n.to_string())
        };
        let _ = write!(self.out, "<p class=\"elided\">{ELIDED} {}</p>", esc(&text));
    }

    /// A text's diff, paragraph by paragraph.
    fn text(&mut self, d: &TextDiff) {
        for p in &d.paras {
            match p {
                Para::Same(n) => self.elided(
                    *n,
                    key!("diff_same_paragraph"),
                    key!("diff_same_paragraphs"),
                ),
                Para::Edited(segs) => {
                    self.out.push_str("<p>");
                    self.edited(segs, Some(CONTEXT_WORDS));
                    self.out.push_str("</p>");
                }
                Para::Moved(text) => {
                    let label = self.s(key!("diff_moved"));
                    self.out
                        .push_str("<p class=\"moved\"><span class=\"moved-label\">");
                    esc_into(&mut self.out, label);
                    self.out.push_str("</span> ");
                    let (shown, cut) = first_words(text);
                    self.shown(shown, cut);
                    self.out.push_str("</p>");
                }
                Para::Removed(text) | Para::Added(text, _) => {
                    self.out.push_str("<p>");
                    self.brief(text, matches!(p, Para::Added(..)));
                    self.out.push_str("</p>");
                }
            }
        }
    }

    /// A table's diff: a status column, then the cells; unchanged rows counted below.
    fn table(&mut self, caption: &str, head: &[String], rows: &[RowDiff], ids: &mut TableIds) {
        let id = ids.next();
        let caption = if caption.is_empty() {
            self.s(key!("diff_table")).to_string()
        } else {
            format!("{caption} – {}", self.s(key!("diff_table_changes")))
        };
        let _ = write!(
            self.out,
            "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\"><table class=\"diff-table\"><caption id=\"{id}\">{}</caption><thead><tr><th scope=\"col\">{}</th>",
            esc(&caption),
            esc(self.s(key!("diff_change")))
        );
        for h in head {
            let _ = write!(self.out, "<th scope=\"col\">{}</th>", esc(h));
        }
        self.out.push_str("</tr></thead><tbody>");
        let mut skipped = 0;
        for row in rows {
            match row {
                RowDiff::Skipped(n) => skipped += n,
                row => self.row(row),
            }
        }
        self.out.push_str("</tbody></table></div>");
        if skipped > 0 {
            self.elided(skipped, key!("diff_same_row"), key!("diff_same_rows"));
        }
    }

    /// A row of a table's diff (not a count of skipped rows).
    fn row(&mut self, row: &RowDiff) {
        let (class, status) = match row {
            RowDiff::Skipped(_) => return,
            RowDiff::Same(_) => ("row-same", key!("diff_row_same")),
            RowDiff::Added(_) => ("row-added", key!("diff_row_added")),
            RowDiff::Removed(_) => ("row-removed", key!("diff_row_removed")),
            RowDiff::Changed(..) => ("row-changed", key!("diff_row_changed")),
        };
        let status = esc(self.s(status));
        let _ = write!(self.out, "<tr class=\"{class}\"><td>{status}</td>");
        match row {
            // Whole rows: the status cell says what happened to them (the stylesheet
            // strikes removed rows through).
            RowDiff::Same(r) | RowDiff::Added(r) | RowDiff::Removed(r) => {
                for c in r.iter() {
                    let _ = write!(self.out, "<td>{}</td>", esc(c));
                }
            }
            RowDiff::Changed(x, y) => {
                for k in 0..x.len().max(y.len()) {
                    let (old, new) = (
                        x.get(k).map_or("", String::as_str),
                        y.get(k).map_or("", String::as_str),
                    );
                    self.out.push_str("<td>");
                    if old == new {
                        esc_into(&mut self.out, new);
                    } else {
                        // A cell is short: its whole word diff, no shortening.
                        let (segs, _) = word_diff(&words(old), &words(new));
                        self.edited(&segs, None);
                    }
                    self.out.push_str("</td>");
                }
            }
            RowDiff::Skipped(_) => {}
        }
        self.out.push_str("</tr>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::diff::Text;
    use crate::markdown::TableBlock;

    /// A word-level diff of two texts (paragraphs lined up first) as HTML paragraphs.
    fn diff_text(a: &[&str], b: &[&str], t: &Strings) -> String {
        let mut h = Html::new(t);
        h.text(&paragraphs(&Text::new(a), &Text::new(b)));
        h.out
    }

    fn strings() -> Strings {
        [
            ("diff_added", "Lagt til:"),
            ("diff_removed", "Fjernet:"),
            ("diff_same_paragraph", "1 uendret avsnitt"),
            ("diff_same_paragraphs", "{n} uendrede avsnitt"),
            ("diff_same_row", "1 uendret rad"),
            ("diff_same_rows", "{n} uendrede rader"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn text(n: usize, word: &str) -> String {
        (0..n)
            .map(|i| format!("{word}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
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
            "<p>Vi har en rådgiver i <del><span>Fjernet: </span>50 prosent</del> <ins><span>Lagt til: </span>full</ins> stilling.</p>"
        );
    }

    #[test]
    fn long_unchanged_stretches_are_shortened() {
        let long = text(100, "ord");
        let a = format!("{long} slutt.");
        let b = format!("{long} ende.");
        let html = diff_text(&[&a], &[&b], &strings());
        assert!(html.starts_with("<p>[…] ord95 ord96"), "{html}");
        assert!(!html.contains("ord94 "), "{html}");
        assert!(
            html.contains("<ins><span>Lagt til: </span>ende.</ins>"),
            "{html}"
        );
    }

    #[test]
    fn unchanged_paragraphs_are_counted_not_repeated() {
        let (p1, p2, p3) = (text(40, "a"), text(40, "b"), text(40, "c"));
        let p2b = p2.replace("b20", "endret");
        let html = diff_text(&[&p1, &p2, &p3], &[&p1, &p2b, &p3], &strings());
        assert!(
            html.starts_with("<p class=\"elided\">[…] 1 uendret avsnitt</p><p>"),
            "{html}"
        );
        assert!(
            html.ends_with("<p class=\"elided\">[…] 1 uendret avsnitt</p>"),
            "{html}"
        );
        assert!(!html.contains("a10"), "{html}");
        assert!(
            html.contains(
                "<del><span>Fjernet: </span>b20</del> <ins><span>Lagt til: </span>endret</ins>"
            ),
            "{html}"
        );
    }

    #[test]
    fn paragraphs_removed_whole_are_shown_briefly_added_ones_in_full() {
        let (keep, old, new) = (text(40, "k"), text(40, "x"), text(40, "y"));
        let html = diff_text(&[&keep, &old], &[&keep, &new], &strings());
        assert!(
            html.contains(
                "<p><del><span>Fjernet: </span>x0 x1 x2 x3 x4 x5 x6 x7 x8 x9 […]</del></p>"
            ),
            "{html}"
        );
        assert!(!html.contains("x10"), "{html}");
        let added = format!("<p><ins><span>Lagt til: </span>{new}</ins></p>");
        assert!(html.contains(&added), "{html}");
    }

    #[test]
    fn islands_of_one_or_two_words_join_the_change() {
        let html = diff_text(
            &["a b c d e f g h i j."],
            &["a b X d Y f g h i j."],
            &strings(),
        );
        assert!(
            html.contains(
                "<del><span>Fjernet: </span>c d e</del> <ins><span>Lagt til: </span>X d Y</ins>"
            ),
            "{html}"
        );
    }

    #[test]
    fn an_answer_mostly_replaced_is_rewritten() {
        let t = strings();
        let (keep, old, new) = (text(30, "k"), text(80, "x"), text(80, "y"));
        let a = [Block::Text(keep.clone()), Block::Text(old)];
        let b = [Block::Text(keep), Block::Text(new)];
        let d = diff_blocks("1.A.1", &Answer::new(&a), &Answer::new(&b), &t);
        assert!(d.rewritten);
        assert!(
            d.html.is_empty(),
            "a rewritten text has no diff: {}",
            d.html
        );
        // Short answers are shown as a diff however much they changed.
        let a = [Block::Text("Ja.".into())];
        let b = [Block::Text("Nei.".into())];
        let d = diff_blocks("1.A.1", &Answer::new(&a), &Answer::new(&b), &t);
        assert!(!d.rewritten);
        assert!(
            d.html.contains("<ins><span>Lagt til: </span>Nei.</ins>"),
            "{}",
            d.html
        );
    }

    #[test]
    fn a_table_whose_caption_only_changed_is_not_shown() {
        let table = |caption: &str| {
            Block::Table(TableBlock {
                caption: caption.into(),
                head: vec!["A".into()],
                rows: vec![vec!["1".into()]],
            })
        };
        let (a, b) = ([table("Risikoer 2023")], [table("Risikoer 2024")]);
        let d = diff_blocks("1.A.1", &Answer::new(&a), &Answer::new(&b), &strings());
        assert!(d.html.is_empty() && !d.rewritten, "{}", d.html);
    }
}
