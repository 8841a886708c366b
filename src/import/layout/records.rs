//! The form's tables as blocks: the prioritised risks and the numbered records (as a
//! Markdown table when every value fits in a cell, else as text), and the goals part
//! made of them. Each table found is noted in the report.

use crate::import::forms;
use crate::import::model::{Block, Report, Table, TableFound};
use crate::import::paragraphs::{Widths, text_blocks};
use crate::import::tables::{self, Records};
use crate::import::text::{Line, is_caps, joined, sentence_case};

/// The prioritised risks as a Markdown table; rows with empty cells are warned of.
pub(super) fn risk_table(
    t: &tables::RiskTable,
    header: &[&str],
    caption: &str,
    number: &str,
    report: &mut Report,
) -> Block {
    report.tables.push(TableFound {
        place: number.to_string(),
        line: t.line,
        rows: t.rows.len(),
        columns: header.len(),
        as_table: true,
    });
    for (r, row) in t.rows.iter().enumerate() {
        if row.iter().any(String::is_empty) {
            report.warn(
                t.line,
                format!("{number}: row {} of the table has empty cells", r + 1),
            );
        }
    }
    Block::Table(Table {
        caption: caption.to_string(),
        head: header.iter().map(|h| h.to_string()).collect(),
        rows: t.rows.iter().map(|r| r.to_vec()).collect(),
    })
}

/// A value as one table cell: one paragraph of one line, or nothing. `None` when it is
/// more (paragraphs, a list).
pub(super) fn cell(blocks: &[Block]) -> Option<String> {
    match blocks {
        [] => Some(String::new()),
        [Block::Paragraph(lines)] if lines.len() == 1 => Some(lines[0].clone()),
        _ => None,
    }
}

/// How a table of records is written.
pub(super) struct RecordTable<'a> {
    pub(super) labels: &'a [&'a str],
    pub(super) caption: &'a str,
    /// What one record is called (`Mål`): each record's sub-heading when written as text.
    pub(super) record: &'a str,
    /// Where the table is (a question's number, a goals heading), for the report.
    pub(super) place: &'a str,
    /// The level of the records' sub-headings when written as text.
    pub(super) level: u8,
}

/// Records as a Markdown table when every value fits in a cell, else as text: a
/// sub-heading per record and each value under its label in bold.
pub(super) fn record_blocks(
    r: &Records,
    spec: &RecordTable,
    widths: &Widths,
    report: &mut Report,
) -> Vec<Block> {
    let values: Vec<Vec<Vec<Block>>> = r
        .records
        .iter()
        .map(|rec| rec.values.iter().map(|v| text_blocks(v, widths)).collect())
        .collect();
    let cells: Option<Vec<Vec<String>>> = values
        .iter()
        .map(|rec| rec.iter().map(|v| cell(v)).collect())
        .collect();
    let line = r.records.first().map_or(0, |rec| rec.line);
    let found = TableFound {
        place: spec.place.to_string(),
        line,
        rows: r.records.len(),
        columns: spec.labels.len(),
        as_table: cells.is_some(),
    };
    if let Some(rows) = cells {
        return records_table(rows, spec, found, report);
    }
    report.tables.push(found);
    report.warn(
        line,
        format!("{}: the table's cells hold several paragraphs or lists: written as text, a sub-heading per {}", spec.place, spec.record.to_lowercase()),
    );
    records_as_text(r, values, spec)
}

/// Records whose values all fit in cells: a Markdown table of the rows that say
/// something (none when no row does).
fn records_table(
    rows: Vec<Vec<String>>,
    spec: &RecordTable,
    mut found: TableFound,
    report: &mut Report,
) -> Vec<Block> {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    found.rows = rows.len();
    report.tables.push(found);
    if rows.is_empty() {
        return Vec::new();
    }
    vec![Block::Table(Table {
        caption: spec.caption.to_string(),
        head: spec.labels.iter().map(|l| l.to_string()).collect(),
        rows,
    })]
}

/// Records as text: a sub-heading per record, each value under its label.
fn records_as_text(r: &Records, values: Vec<Vec<Vec<Block>>>, spec: &RecordTable) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, (rec, vals)) in r.records.iter().zip(values).enumerate() {
        let n = rec.number.clone().unwrap_or_else(|| (i + 1).to_string());
        out.push(Block::Heading(spec.level, format!("{} {n}", spec.record)));
        for (label, v) in spec.labels.iter().zip(vals) {
            if !v.is_empty() {
                out.push(Block::Label(label.to_string()));
                out.extend(v);
            }
        }
    }
    out
}

/// The goals part: the form's capitals sub-headings, and under each the goals with
/// their status (records of `Mål` and `Status`), or a list.
pub(super) fn goals(raws: &[Vec<Line>], widths: &Widths, report: &mut Report) -> Vec<Block> {
    let mut out = Vec::new();
    let mut segments: Vec<(Option<String>, Vec<Vec<Line>>)> = vec![(None, Vec::new())];
    for raw in raws {
        if raw.len() <= 3 && is_caps(&joined(raw)) {
            segments.push((Some(sentence_case(&joined(raw))), Vec::new()));
        } else if let Some(last) = segments.last_mut() {
            last.1.push(raw.clone());
        }
    }
    for (heading, seg) in segments {
        let place = heading.clone().unwrap_or_else(|| "Mål og fremdrift".into());
        if let Some(h) = heading {
            out.push(Block::Heading(3, h));
        }
        out.extend(goals_segment(seg, &place, widths, report));
    }
    out
}

/// The goals under one sub-heading: records of `Mål` and `Status`, or else the text
/// without the form's numbers.
fn goals_segment(
    seg: Vec<Vec<Line>>,
    place: &str,
    widths: &Widths,
    report: &mut Report,
) -> Vec<Block> {
    let Some(r) = tables::records(&seg, forms::GOAL_LABELS) else {
        // Numbered records without labels (the coming year's goals): their numbers
        // are the form's.
        let text: Vec<Vec<Line>> = seg
            .into_iter()
            .filter(|r| {
                !(r.len() == 1
                    && r[0].text.len() <= 3
                    && r[0].text.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        return text_blocks(&text, widths);
    };
    let spec = RecordTable {
        labels: forms::GOAL_LABELS,
        caption: forms::GOALS_CAPTION,
        record: forms::GOAL_RECORD,
        place,
        level: 4,
    };
    let mut out = text_blocks(&seg[..r.before], widths);
    out.extend(record_blocks(&r, &spec, widths, report));
    out.extend(text_blocks(&seg[r.after..], widths));
    out
}
