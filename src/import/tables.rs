//! The form's tables, as `pdftotext` prints them: numbered records of labelled values
//! (2.A.2, 4.A.3, the goals), and the prioritised risks (2.A.3), whose cells come one
//! after the other.

use super::text::{Line, chars, ends_sentence, join_line, joined, normalise, starts_lower};

/// A label's value: blocks of lines (paragraphs, lists).
pub(super) type Value = Vec<Vec<Line>>;

/// One numbered record: its number and a value per label.
#[derive(Debug, Default)]
pub(super) struct Record {
    pub(crate) number: Option<String>,
    pub(crate) line: usize,
    /// The labels' values, in the order of the labels (empty when not given).
    pub(crate) values: Vec<Value>,
}

/// Records found in a section's blocks: the blocks before them, the records, and the
/// index of the first block after them.
#[derive(Debug)]
pub(super) struct Records {
    pub(crate) before: usize,
    pub(crate) records: Vec<Record>,
    pub(crate) after: usize,
}

/// The rest of `line` after `label` (compared word by word, ignoring case and a colon
/// after the label), or `None` when the line does not start with it.
pub(super) fn strip_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let want: Vec<String> = normalise(label).split(' ').map(str::to_string).collect();
    let mut rest = line.trim_start();
    for (i, w) in want.iter().enumerate() {
        let word = rest.split_whitespace().next()?;
        let last = i + 1 == want.len();
        let got = if last {
            word.trim_end_matches(':').to_lowercase()
        } else {
            word.to_lowercase()
        };
        if &got != w {
            return None;
        }
        rest = rest.trim_start()[word.len()..].trim_start();
    }
    Some(rest.trim_start_matches(':').trim())
}

/// Which label a line starts with, and the rest of the line.
fn starts_with_label<'a>(line: &'a str, labels: &[&str]) -> Option<(usize, &'a str)> {
    // The longest label first: one label may start another.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(labels[i].len()));
    order
        .into_iter()
        .find_map(|i| strip_label(line, labels[i]).map(|rest| (i, rest)))
}

/// A block that is only a record's number.
fn record_number(raw: &[Line]) -> Option<&str> {
    match raw {
        [one]
            if !one.text.is_empty()
                && one.text.len() <= 3
                && one.text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(&one.text)
        }
        _ => None,
    }
}

/// Finds the records of a table with these labels. `None` when no label is found.
pub(super) fn records(raws: &[Vec<Line>], labels: &[&str]) -> Option<Records> {
    let mut reader = Reader {
        labels,
        records: Vec::new(),
        before: None,
        seen: vec![false; labels.len()],
        open: None,
    };
    for (b, raw) in raws.iter().enumerate() {
        if reader.block(b, raw)? == Flow::Ended {
            return reader.done(b);
        }
    }
    reader.open?;
    reader.done(raws.len())
}

/// Whether the table goes on after a block.
#[derive(PartialEq)]
enum Flow {
    GoesOn,
    /// The table ended before this block.
    Ended,
}

/// Records being read, block by block.
struct Reader<'a> {
    labels: &'a [&'a str],
    records: Vec<Record>,
    /// The index of the table's first block, once found.
    before: Option<usize>,
    /// Labels already given in the current record: a label again starts the next one.
    seen: Vec<bool>,
    /// The label being filled, and whether its value began on the label's line.
    open: Option<(usize, bool)>,
}

impl Reader<'_> {
    /// Reads block `b`. `None` when it shows this is not a table of these labels.
    fn block(&mut self, b: usize, raw: &[Line]) -> Option<Flow> {
        if let Some(n) = record_number(raw) {
            self.before.get_or_insert(b);
            self.start(Some(n), raw[0].no);
            self.open = None;
            return Some(Flow::GoesOn);
        }
        for (i, line) in raw.iter().enumerate() {
            if let Some((k, rest)) = starts_with_label(&line.text, self.labels) {
                self.before.get_or_insert(b);
                self.label(k, rest, line)?;
                continue;
            }
            let Some((k, inline)) = self.open else {
                if self.before.is_none() {
                    // Text before the table.
                    break;
                }
                // A record without labels: not a table of these labels.
                return None;
            };
            if inline && i == 0 {
                // A value on the label's line is all of it: the table ended.
                return Some(Flow::Ended);
            }
            let value = &mut self.records.last_mut()?.values[k];
            match value.last_mut() {
                Some(block) if i > 0 => block.push(line.clone()),
                _ => value.push(vec![line.clone()]),
            }
        }
        Some(Flow::GoesOn)
    }

    /// Starts the next record.
    fn start(&mut self, number: Option<&str>, line: usize) {
        self.records.push(Record {
            number: number.map(str::to_string),
            line,
            values: vec![Vec::new(); self.labels.len()],
        });
        self.seen.fill(false);
    }

    /// The `k`th label on `line`, with the rest of the line after it.
    fn label(&mut self, k: usize, rest: &str, line: &Line) -> Option<()> {
        if self.records.is_empty() || self.seen[k] {
            self.start(None, line.no);
        }
        self.seen[k] = true;
        let record = self.records.last_mut()?;
        if !rest.is_empty() {
            record.values[k].push(vec![Line {
                text: rest.to_string(),
                ..line.clone()
            }]);
        }
        self.open = Some((k, !rest.is_empty()));
        Some(())
    }

    /// The records read, the table ending before block `after`.
    fn done(self, after: usize) -> Option<Records> {
        Some(Records {
            before: self.before?,
            records: self.records,
            after,
        })
    }
}

/// The prioritised-risk table: the header's position, its rows, and the index of the
/// first block after the table.
#[derive(Debug)]
pub(super) struct RiskTable {
    pub(crate) before: usize,
    pub(crate) line: usize,
    pub(crate) rows: Vec<[String; 3]>,
    pub(crate) after: usize,
}

/// Where the header is: the index of the first block after it. The header is one line
/// (`Prioritert risiko Relatert tema Geografi`), or one block per column title.
fn find_header(raws: &[Vec<Line>], header: &[&str]) -> Option<(usize, usize)> {
    let whole = normalise(&header.join(" "));
    for (b, raw) in raws.iter().enumerate() {
        if normalise(&raw[0].text) == whole && raw.len() == 1 {
            return Some((b, b + 1));
        }
        let titles = raws.get(b..b + header.len())?;
        if titles
            .iter()
            .zip(header)
            .all(|(r, h)| r.len() == 1 && normalise(&r[0].text) == normalise(h))
        {
            return Some((b, b + header.len()));
        }
    }
    None
}

/// Short lines only: a cell of the narrow columns (themes, geography).
fn short_lines(raw: &[Line], max: usize) -> bool {
    raw.iter().all(|l| chars(&l.text) <= max)
}

/// The related themes, one a line, a theme that wraps going on in lower case
/// (`Fagorganisering og` / `kollektive` / `forhandlinger`).
fn themes(raw: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in raw {
        let goes_on = out.last().is_some_and(|prev: &String| {
            starts_lower(&l.text)
                || prev.ends_with([',', '-'])
                || prev.ends_with(" og")
                || prev.ends_with(" eller")
        });
        match out.last_mut() {
            Some(prev) if goes_on => join_line(prev, &l.text),
            _ => out.push(l.text.clone()),
        }
    }
    out
}

/// Reads the prioritised risks: after the header, each row's risk (running text), its
/// themes (short lines) and its geography (one short line); a row may lack the last
/// cells. The table ends at a block of wider text than its risk column.
pub(super) fn risk_rows(raws: &[Vec<Line>], header: &[&str]) -> Option<RiskTable> {
    const NARROW: usize = 40;
    let (before, start) = find_header(raws, header)?;
    let mut rows: Vec<[String; 3]> = Vec::new();
    // The column a block goes to next: 0 risk, 1 themes, 2 geography.
    let mut column = 0;
    let mut widest = 0;
    let mut after = raws.len();
    for (b, raw) in raws.iter().enumerate().skip(start) {
        let width = raw.iter().map(|l| chars(&l.text)).max().unwrap_or(0);
        if widest > 0 && width > widest * 13 / 10 + 5 {
            after = b;
            break;
        }
        let place_like =
            raw.len() <= 2 && short_lines(raw, NARROW) && !ends_sentence(&raw[raw.len() - 1].text);
        let cell_like = short_lines(raw, NARROW);
        match column {
            1 if cell_like => {
                if let Some(row) = rows.last_mut() {
                    // Themes may have commas of their own (`Helse, miljø og sikkerhet`).
                    row[1] = themes(raw).join("; ");
                }
                column = 2;
            }
            2 if place_like => {
                if let Some(row) = rows.last_mut() {
                    row[2] = joined(raw);
                }
                column = 0;
            }
            _ => {
                widest = widest.max(width);
                rows.push([joined(raw), String::new(), String::new()]);
                column = 1;
            }
        }
    }
    (!rows.is_empty()).then(|| RiskTable {
        before,
        line: raws[before][0].no,
        rows,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(blocks: &[&[&str]]) -> Vec<Vec<Line>> {
        let mut no = 0;
        blocks
            .iter()
            .map(|b| {
                b.iter()
                    .map(|t| {
                        no += 1;
                        Line {
                            no,
                            text: t.to_string(),
                            page_start: false,
                            trailing_space: false,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn texts(v: &Value) -> Vec<String> {
        v.iter().map(|b| joined(b)).collect()
    }

    #[test]
    fn labels_word_by_word() {
        assert_eq!(
            strip_label(
                "I hvilke type anskaffelser PC-er",
                "I hvilke type anskaffelser"
            ),
            Some("PC-er")
        );
        assert_eq!(strip_label("Status :", "Status"), Some(""));
        assert_eq!(strip_label("Mål :", "Mål"), Some(""));
        assert_eq!(strip_label("Statusen er", "Status"), None);
    }

    #[test]
    fn records_with_values_on_the_label_line() {
        let labels = ["Hva", "Antall", "Krav"];
        let r = records(
            &raws(&[
                &["Innledning."],
                &["1"],
                &["Hva Arbeidstøy"],
                &["Antall 2"],
                &["Krav Ja"],
                &["2"],
                &["Hva Kaffe"],
                &["Krav Nei"],
                &["Teksten etter tabellen."],
            ]),
            &labels,
        )
        .unwrap();
        assert_eq!((r.before, r.after), (1, 8));
        assert_eq!(r.records.len(), 2);
        assert_eq!(texts(&r.records[0].values[0]), ["Arbeidstøy"]);
        assert_eq!(texts(&r.records[1].values[2]), ["Nei"]);
        assert!(r.records[1].values[1].is_empty());
    }

    #[test]
    fn records_with_values_below_the_labels() {
        let labels = ["Type avvik", "Status"];
        let r = records(
            &raws(&[
                &["1"],
                &["Type avvik"],
                &["Lønn under", "minstelønn"],
                &["Status"],
                &["Lukket"],
                &["2"],
                &["Type avvik"],
                &["Arbeidstid"],
            ]),
            &labels,
        )
        .unwrap();
        assert_eq!(r.records.len(), 2);
        assert_eq!(texts(&r.records[0].values[0]), ["Lønn under minstelønn"]);
        assert_eq!(texts(&r.records[0].values[1]), ["Lukket"]);
        assert_eq!(texts(&r.records[1].values[0]), ["Arbeidstid"]);
        assert!(records(&raws(&[&["Bare tekst."]]), &labels).is_none());
    }

    #[test]
    fn risk_rows_cell_by_cell() {
        let t = risk_rows(
            &raws(&[
                &["Prioritert risiko Relatert tema Geografi"],
                &["Tvangsarbeid i produksjon av", "hansker."],
                &["Tvangsarbeid", "Helse, miljø og", "sikkerhet", "Lønn"],
                &["Malaysia"],
                &["Sosial dumping i bygg og", "anlegg."],
                &["Lønn", "Arbeidstid"],
                &["Norge"],
                &["Lange leverandørkjeder for mat."],
                &["Dyrevelferd"],
            ]),
            &["Prioritert risiko", "Relatert tema", "Geografi"],
        )
        .unwrap();
        assert_eq!(
            t.rows,
            vec![
                [
                    "Tvangsarbeid i produksjon av hansker.".to_string(),
                    "Tvangsarbeid; Helse, miljø og sikkerhet; Lønn".into(),
                    "Malaysia".into()
                ],
                [
                    "Sosial dumping i bygg og anlegg.".into(),
                    "Lønn; Arbeidstid".into(),
                    "Norge".into()
                ],
                [
                    "Lange leverandørkjeder for mat.".into(),
                    "Dyrevelferd".into(),
                    String::new()
                ],
            ]
        );
    }

    #[test]
    fn a_header_split_in_columns() {
        let t = risk_rows(
            &raws(&[
                &["Prioritert risiko"],
                &["Relatert tema"],
                &["Geografi"],
                &["Barnearbeid i bomullsproduksjonen."],
                &["Barnearbeid"],
                &["India"],
            ]),
            &["Prioritert risiko", "Relatert tema", "Geografi"],
        )
        .unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][2], "India");
    }
}
