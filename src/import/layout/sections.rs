//! Each section's drafted blocks read by the section's kind (running text, key fields,
//! goals, a question's answer with the form's table), and the part and group headings
//! a question needs where the text has none.

use crate::config::SiteConfig;
use crate::import::forms::{self, TableLayout};
use crate::import::model::{Block, Report, Section};
use crate::import::paragraphs::{Widths, text_blocks};
use crate::import::tables;
use crate::import::text::{Line, is_caps, joined, normalise, sentence_case};
use crate::reporting::ReportTemplate;

use super::fields::fields;
use super::records::{RecordTable, goals, record_blocks, risk_table};
use super::walk::{Draft, Kind};

/// The blocks of a section that has the form's capitals sub-headings in it.
fn text_with_caps(raws: &[Vec<Line>], level: u8, widths: &Widths) -> Vec<Block> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, raw) in raws.iter().enumerate() {
        if raw.len() <= 3 && is_caps(&joined(raw)) {
            out.extend(text_blocks(&raws[from..i], widths));
            out.push(Block::Heading(level, sentence_case(&joined(raw))));
            from = i + 1;
        }
    }
    out.extend(text_blocks(&raws[from..], widths));
    out
}

pub(super) fn build(
    d: Draft,
    widths: &Widths,
    config: &SiteConfig,
    report: &mut Report,
) -> Section {
    let (level, blocks) = match d.kind {
        Kind::Lead => (0, text_blocks(&d.raws, widths)),
        Kind::Text => (2, text_with_caps(&d.raws, 3, widths)),
        Kind::Fields => (2, fields(&d.raws, widths, config, report)),
        Kind::Goals => (2, goals(&d.raws, widths, report)),
        Kind::Part => (2, text_blocks(&d.raws, widths)),
        Kind::Group => (3, text_blocks(&d.raws, widths)),
        Kind::Question => {
            let number = d.number.clone().unwrap_or_default();
            let mut blocks: Vec<Block> = d.asked.clone().map(Block::Asked).into_iter().collect();
            blocks.extend(question(&number, &d.raws, d.line, widths, report));
            (4, titles_before_records(blocks, 5))
        }
    };
    Section {
        level,
        number: d.number,
        heading: d.heading,
        line: d.line,
        blocks,
    }
}

/// A paragraph right above a record's first label is the record's title (3.A.1: the
/// risk each goal and status is for): a sub-heading.
fn titles_before_records(blocks: Vec<Block>, level: u8) -> Vec<Block> {
    let opens_record = |b: Option<&Block>| matches!(b, Some(Block::Label(l)) if forms::RECORD_TITLE_BEFORE.iter().any(|r| normalise(r) == normalise(l)));
    let mut out = Vec::with_capacity(blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Paragraph(lines) if opens_record(blocks.get(i + 1)) => {
                let title = lines.join(" ");
                out.push(Block::Heading(
                    level,
                    title.trim_end_matches('.').to_string(),
                ))
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// A question's answer: the form's table when it has one, else running text.
fn question(
    number: &str,
    raws: &[Vec<Line>],
    line: usize,
    widths: &Widths,
    report: &mut Report,
) -> Vec<Block> {
    let Some(spec) = forms::table_for(number) else {
        return text_blocks(raws, widths);
    };
    // The table, and the blocks before and after it.
    let found = match &spec.layout {
        TableLayout::Records { labels } => tables::records(raws, labels).map(|r| {
            let table = RecordTable {
                labels,
                caption: spec.caption,
                record: spec.record,
                place: number,
                level: 5,
            };
            let table = record_blocks(&r, &table, widths, report);
            (r.before, table, r.after)
        }),
        TableLayout::RiskRows { header } => tables::risk_rows(raws, header).map(|t| {
            let table = risk_table(&t, header, spec.caption, number, report);
            (t.before, vec![table], t.after)
        }),
    };
    match found {
        Some((before, table, after)) => {
            let mut out = text_blocks(&raws[..before], widths);
            out.extend(table);
            out.extend(text_blocks(&raws[after..], widths));
            out
        }
        None => {
            let at = raws.first().map_or(line, |r| r[0].no);
            report.warn(
                at,
                format!(
                    "{number}: the form's table ({}) was not recognised: written as text",
                    spec.caption
                ),
            );
            text_blocks(raws, widths)
        }
    }
}

/// Adds the part and group headings a question needs where the text has none (with the
/// template's title), so that the headings' levels follow each other.
pub(super) fn add_missing_headings(
    report: &mut Report,
    template: &ReportTemplate,
    config: &SiteConfig,
) {
    let mut out: Vec<Section> = Vec::with_capacity(report.sections.len());
    let (mut part, mut group) = (String::new(), String::new());
    let mut added = Vec::new();
    for s in std::mem::take(&mut report.sections) {
        if let Some(n) = s.number.clone() {
            let mut pieces = n.split('.');
            let p = pieces.next().unwrap_or("").to_string();
            let g = pieces.next().map(|g| format!("{p}.{g}"));
            if p != part {
                if s.level > 2
                    && let Some(q) = template.get(&p)
                {
                    out.push(heading_from_template(&q.number, 2, template, config));
                    added.push((p.clone(), s.line));
                }
                part = p;
                group.clear();
            }
            if let Some(g) = g
                && g != group
            {
                if s.level > 3 && template.get(&g).is_some() {
                    out.push(heading_from_template(&g, 3, template, config));
                    added.push((g.clone(), s.line));
                }
                group = g;
            }
        }
        out.push(s);
    }
    report.sections = out;
    for (number, line) in added {
        report.warn(line, format!("no heading for {number} was found above this question: added with the template's title"));
    }
}

fn heading_from_template(
    number: &str,
    level: u8,
    template: &ReportTemplate,
    config: &SiteConfig,
) -> Section {
    Section {
        level,
        number: Some(number.to_string()),
        heading: template
            .title(number, config.language)
            .unwrap_or("")
            .to_string(),
        line: 0,
        blocks: Vec::new(),
    }
}
