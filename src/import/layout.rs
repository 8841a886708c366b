//! Recognising the layout of a report's text: its sections (the form's own, the parts,
//! groups and numbered questions of the template version), and in them the running
//! text, the key figures and the form's tables.
//!
//! The text is cut into blocks of lines (at blank lines and page breaks); each block is
//! marked by its look ([`Mark`]); a walk over the blocks opens a section at each
//! heading and leaves out the form's own text; each section's blocks are then read as
//! fields, goals, a table or running text.

use std::collections::{HashMap, HashSet};

use crate::config::SiteConfig;
use crate::reporting::{self, ReportTemplate};

use super::forms::{self, TableLayout, TitleKind};
use super::model::{Block, Figure, Report, Section, Table, TableFound};
use super::paragraphs::{Widths, text_blocks};
use super::tables::{self, Records, strip_label};
use super::text::{Line, chars, is_caps, join_line, normalise, parse_number, sentence_case};

/// What a block of lines is, by its look.
#[derive(Debug, Clone, PartialEq)]
enum Mark {
    /// One of the form's section titles.
    Title(TitleKind),
    /// `1` alone, or `2 Fastsette fokus …`: perhaps a part's number (and title).
    PartNumber(String, Option<String>),
    /// Starts with a group or question number (`2.A.3 List opp …`).
    Numbered(String),
    /// A sub-heading of the form in capitals.
    Caps,
    Text,
}

/// The blocks of lines: cut at blank lines and at the start of each page.
pub(super) fn raw_blocks(lines: &[Line]) -> Vec<Vec<Line>> {
    let mut out: Vec<Vec<Line>> = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    for l in lines {
        if l.text.is_empty() || l.page_start {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if l.text.is_empty() {
                continue;
            }
        }
        current.push(l.clone());
    }
    if !current.is_empty() {
        out.push(current);
    }
    split_titles(out)
}

/// A block whose first lines are one of the form's titles, with the text right below
/// (`Til lesere av rapporten` on the first line of the page, its text on the next):
/// the title as a block of its own.
fn split_titles(raws: Vec<Vec<Line>>) -> Vec<Vec<Line>> {
    let mut out = Vec::with_capacity(raws.len());
    for mut raw in raws {
        let k = (1..raw.len().min(3)).find(|&k| title_kind(&joined(&raw[..k])).is_some());
        if let Some(k) = k {
            let rest = raw.split_off(k);
            out.push(raw);
            out.push(rest);
        } else {
            out.push(raw);
        }
    }
    out
}

/// The lines of a block as one text.
pub(super) fn joined(raw: &[Line]) -> String {
    let mut s = String::new();
    for l in raw {
        join_line(&mut s, &l.text);
    }
    s
}

fn title_kind(text: &str) -> Option<TitleKind> {
    let t = normalise(text);
    forms::TITLES.iter().find_map(|(title, kind)| {
        let title = normalise(title);
        (t == title || title.len() >= 40 && t.starts_with(&title)).then_some(*kind)
    })
}

fn mark(raw: &[Line]) -> Mark {
    let first = raw[0].text.as_str();
    if raw.len() <= 3
        && let Some(kind) = title_kind(&joined(raw))
    {
        return Mark::Title(kind);
    }
    let bytes = first.as_bytes();
    if bytes[0].is_ascii_digit() && bytes[0] != b'0' {
        if first.len() == 1 && raw.len() == 1 {
            return Mark::PartNumber(first.to_string(), None);
        }
        if bytes.get(1) == Some(&b' ') && raw.len() <= 2 {
            let title = joined(raw)[2..].trim().to_string();
            if title.starts_with(char::is_uppercase) && !title.ends_with('.') {
                return Mark::PartNumber(first[..1].to_string(), Some(title));
            }
        }
        if let Some((number, rest)) = reporting::parse_number(first)
            && number.contains('.')
            && !rest.is_empty()
        {
            return Mark::Numbered(number);
        }
    }
    if raw.len() <= 3 && is_caps(&joined(raw)) {
        return Mark::Caps;
    }
    Mark::Text
}

/// The part a number belongs to: `2.A.3` → `2`.
fn part_of(number: &str) -> &str {
    number.split('.').next().unwrap_or(number)
}

/// Which blocks are the parts' headings: for each part of the template, the last block
/// with its number before the part's first numbered heading (a goal or a record of a
/// table may also be a lone `1`).
fn part_blocks(marks: &[Mark], template: &ReportTemplate) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    let mut from = 0;
    for part in template.questions.iter().filter(|q| q.depth == 1) {
        let first = marks.iter().enumerate().skip(from).position(|(_, m)| {
            matches!(m, Mark::Numbered(n) if part_of(n) == part.number && template.get(n).is_some())
        });
        let Some(first) = first.map(|p| p + from) else {
            continue;
        };
        let heading = (from..first)
            .rev()
            .find(|&i| matches!(&marks[i], Mark::PartNumber(n, _) if *n == part.number));
        if let Some(i) = heading {
            out.insert(i, part.number.clone());
        }
        from = first;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text before the first heading.
    Lead,
    Text,
    Fields,
    Goals,
    Part,
    Group,
    Question,
}

/// A section while its blocks are gathered.
struct Draft {
    kind: Kind,
    number: Option<String>,
    heading: String,
    asked: Option<String>,
    line: usize,
    raws: Vec<Vec<Line>>,
}

/// The form's own text being left out: what it is, and its blocks (kept, in case it
/// turns out to be the member's).
struct Skipping {
    what: String,
    raws: Vec<Vec<Line>>,
    /// At most this many lines are left out; more is the member's text after all.
    limit: Option<usize>,
}

struct Walk<'a> {
    template: &'a ReportTemplate,
    report: Report,
    drafts: Vec<Draft>,
    skipping: Option<Skipping>,
    seen: HashSet<String>,
    /// The form's last capitals sub-heading in a part, and its line: the heading of a
    /// group the text gives no numbered heading (`ANDRE TILTAK …` above 3.B.1).
    caps: Option<(String, usize)>,
}

impl Walk<'_> {
    fn open(&mut self, kind: Kind, number: Option<String>, heading: String, line: usize) {
        self.end_skip();
        self.drafts.push(Draft {
            kind,
            number,
            heading,
            asked: None,
            line,
            raws: Vec::new(),
        });
    }

    fn skip(&mut self, what: String, first: Option<Vec<Line>>, limit: Option<usize>) {
        self.end_skip();
        self.skipping = Some(Skipping {
            what,
            raws: first.into_iter().collect(),
            limit,
        });
    }

    fn end_skip(&mut self) {
        let Some(s) = self.skipping.take() else {
            return;
        };
        let lines: usize = s.raws.iter().map(Vec::len).sum();
        let (Some(first), Some(last)) = (s.raws.first(), s.raws.last()) else {
            return;
        };
        let (from, to) = (first[0].no, last[last.len() - 1].no);
        if s.limit.is_some_and(|limit| lines > limit) {
            // Too long for the form's own words: keep what follows its heading.
            self.report.warn(
                from,
                format!("the form's heading `{}` is followed by more text than the form has: kept as the member's text", s.what),
            );
            self.add(s.raws.into_iter().skip(1));
            return;
        }
        self.report.skipped(from, to, s.what);
    }

    fn add(&mut self, raws: impl IntoIterator<Item = Vec<Line>>) {
        if self.drafts.is_empty() {
            self.drafts.push(Draft {
                kind: Kind::Lead,
                number: None,
                heading: String::new(),
                asked: None,
                line: 0,
                raws: Vec::new(),
            });
        }
        if let Some(d) = self.drafts.last_mut() {
            d.raws.extend(raws);
        }
    }

    /// A part's heading; the form's introduction to the part, up to its first group,
    /// is left out.
    fn part(&mut self, part: &str, title: Option<String>, line: usize, lang: crate::config::Lang) {
        let heading =
            title.unwrap_or_else(|| self.template.title(part, lang).unwrap_or("").to_string());
        self.open(Kind::Part, Some(part.to_string()), heading, line);
        self.skip(
            format!("the form's introduction to part {part}"),
            None,
            None,
        );
    }

    fn in_parts(&self) -> bool {
        self.drafts
            .last()
            .is_some_and(|d| matches!(d.kind, Kind::Part | Kind::Group | Kind::Question))
    }

    fn numbered(&mut self, number: String, raw: &[Line]) {
        let caps = self.caps.take();
        let q = self.template.get(&number);
        let Some(q) = q.filter(|_| !self.seen.contains(&number)) else {
            let why = if self.seen.contains(&number) {
                "comes a second time".to_string()
            } else {
                format!(
                    "is not a question of template version {}",
                    self.template.version
                )
            };
            self.report
                .warn(raw[0].no, format!("{number} {why}: kept as text"));
            self.add([raw.to_vec()]);
            return;
        };
        let group = number.rsplit_once('.').map(|(g, _)| g.to_string());
        if let (3, Some(group), Some((heading, line))) = (q.depth, group, caps)
            && !self.seen.contains(&group)
            && self.template.get(&group).is_some()
        {
            self.seen.insert(group.clone());
            self.open(Kind::Group, Some(group), sentence_case(&heading), line);
        }
        self.seen.insert(number.clone());
        let text = joined(raw);
        let rest = reporting::parse_number(&text).map_or(text.as_str(), |(_, r)| r);
        let (heading, asked) = if q.depth == 3 {
            split_question(rest)
        } else {
            (rest.trim_end_matches('.').to_string(), None)
        };
        let kind = if q.depth == 3 {
            Kind::Question
        } else {
            Kind::Group
        };
        self.open(kind, Some(number), heading, raw[0].no);
        if let Some(d) = self.drafts.last_mut() {
            d.asked = asked;
        }
    }
}

/// A question's text: its first sentence as the heading, the rest (the form's further
/// instructions) below it.
fn split_question(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    let mut end = None;
    for (i, c) in t.char_indices() {
        if !matches!(c, '.' | '?' | '!') || i < 15 {
            continue;
        }
        let word = t[..i].rsplit(' ').next().unwrap_or("");
        let after = &t[i + 1..];
        if after.starts_with(' ')
            && after.trim_start().starts_with(char::is_uppercase)
            && chars(word) >= 3
            && !word.contains('.')
        {
            end = Some(i);
            break;
        }
    }
    match end {
        Some(i) => {
            let head = if t[i..].starts_with('.') {
                &t[..i]
            } else {
                &t[..i + 1]
            };
            (head.to_string(), Some(t[i + 1..].trim().to_string()))
        }
        None => (t.trim_end_matches('.').to_string(), None),
    }
}

/// Recognises the report in the text's lines against the template version of its year.
pub(super) fn recognise(lines: &[Line], template: &ReportTemplate, config: &SiteConfig) -> Report {
    let raws = raw_blocks(lines);
    let marks: Vec<Mark> = raws.iter().map(|r| mark(r)).collect();
    let parts = part_blocks(&marks, template);
    let mut walk = Walk {
        template,
        report: Report::default(),
        drafts: Vec::new(),
        skipping: None,
        seen: HashSet::new(),
        caps: None,
    };
    let mut consumed = HashSet::new();
    for (i, raw) in raws.iter().enumerate() {
        if consumed.contains(&i) {
            continue;
        }
        if let Some(part) = parts.get(&i) {
            // The part's title: on the number's line, or the block after it.
            let title = match &marks[i] {
                Mark::PartNumber(_, Some(t)) => Some(t.clone()),
                _ => raws
                    .get(i + 1)
                    .filter(|_| marks[i + 1] == Mark::Text)
                    .map(|next| {
                        consumed.insert(i + 1);
                        joined(next)
                    }),
            };
            walk.part(part, title, raw[0].no, config.language);
            continue;
        }
        match &marks[i] {
            Mark::Numbered(n) => walk.numbered(n.clone(), raw),
            Mark::Title(TitleKind::Skip) => walk.skip(joined(raw), Some(raw.clone()), None),
            Mark::Title(TitleKind::Subtitle) => {}
            Mark::Title(kind) => {
                let kind = match kind {
                    TitleKind::Fields => Kind::Fields,
                    TitleKind::Goals => Kind::Goals,
                    _ => Kind::Text,
                };
                let heading = joined(raw).trim_end_matches([':', ' ']).to_string();
                walk.open(kind, None, heading, raw[0].no);
            }
            Mark::Caps if walk.in_parts() => {
                walk.skip(joined(raw), Some(raw.clone()), Some(8));
                walk.caps = Some((joined(raw), raw[0].no));
            }
            _ => match walk.skipping.as_mut() {
                Some(s) => s.raws.push(raw.clone()),
                None => walk.add([raw.clone()]),
            },
        }
    }
    walk.end_skip();
    let mut report = walk.report;
    let widths = Widths::new(lines);
    for d in walk.drafts {
        let section = build(d, &widths, config, &mut report);
        report.sections.push(section);
    }
    add_missing_headings(&mut report, template, config);
    report
}

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

fn build(d: Draft, widths: &Widths, config: &SiteConfig, report: &mut Report) -> Section {
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
            let table = record_blocks(
                &r,
                labels,
                spec.caption,
                spec.record,
                number,
                5,
                widths,
                report,
            );
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

/// The prioritised risks as a Markdown table; rows with empty cells are warned of.
fn risk_table(
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
fn cell(blocks: &[Block]) -> Option<String> {
    match blocks {
        [] => Some(String::new()),
        [Block::Paragraph(lines)] if lines.len() == 1 => Some(lines[0].clone()),
        _ => None,
    }
}

/// Records as a Markdown table when every value fits in a cell, else as text: a
/// sub-heading per record and each value under its label in bold.
#[allow(clippy::too_many_arguments)]
fn record_blocks(
    r: &Records,
    labels: &[&str],
    caption: &str,
    record: &str,
    place: &str,
    level: u8,
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
    let mut found = TableFound {
        place: place.to_string(),
        line,
        rows: r.records.len(),
        columns: labels.len(),
        as_table: cells.is_some(),
    };
    if let Some(rows) = cells {
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .collect();
        found.rows = rows.len();
        report.tables.push(found);
        if rows.is_empty() {
            return Vec::new();
        }
        return vec![Block::Table(Table {
            caption: caption.to_string(),
            head: labels.iter().map(|l| l.to_string()).collect(),
            rows,
        })];
    }
    report.tables.push(found);
    report.warn(
        line,
        format!("{place}: the table's cells hold several paragraphs or lists: written as text, a sub-heading per {}", record.to_lowercase()),
    );
    let mut out = Vec::new();
    for (i, (rec, vals)) in r.records.iter().zip(values).enumerate() {
        let n = rec.number.clone().unwrap_or_else(|| (i + 1).to_string());
        out.push(Block::Heading(level, format!("{record} {n}")));
        for (label, v) in labels.iter().zip(vals) {
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
fn goals(raws: &[Vec<Line>], widths: &Widths, report: &mut Report) -> Vec<Block> {
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
        match tables::records(&seg, forms::GOAL_LABELS) {
            Some(r) => {
                out.extend(text_blocks(&seg[..r.before], widths));
                out.extend(record_blocks(
                    &r,
                    forms::GOAL_LABELS,
                    forms::GOALS_CAPTION,
                    forms::GOAL_RECORD,
                    &place,
                    4,
                    widths,
                    report,
                ));
                out.extend(text_blocks(&seg[r.after..], widths));
            }
            None => {
                // Numbered records without labels (the coming year's goals): their
                // numbers are the form's.
                let text: Vec<Vec<Line>> = seg
                    .into_iter()
                    .filter(|r| {
                        !(r.len() == 1
                            && r[0].text.len() <= 3
                            && r[0].text.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .collect();
                out.extend(text_blocks(&text, widths));
            }
        }
    }
    out
}

/// What a field of the key-information part is.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    Name,
    Address,
    OrgNumber,
    Figure(String),
    Other,
}

/// Every label the key-information part may have, with its role: the form's and each
/// key figure's (its labels and the aliases site.toml gives it).
fn field_labels(config: &SiteConfig) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    let fixed: [(&[&str], Role); 4] = [
        (forms::NAME_LABELS, Role::Name),
        (forms::ADDRESS_LABELS, Role::Address),
        (forms::ORG_NUMBER_LABELS, Role::OrgNumber),
        (forms::OTHER_LABELS, Role::Other),
    ];
    for (labels, role) in fixed {
        out.extend(labels.iter().map(|l| (l.to_string(), role.clone())));
    }
    for f in &config.figures {
        let names = [f.label.nb.as_str(), f.label.en.as_str()]
            .into_iter()
            .chain(f.aliases.iter().map(String::as_str));
        out.extend(names.map(|n| (n.to_string(), Role::Figure(f.id.clone()))));
    }
    out
}

/// The label a block starts with: its role, the label as printed, and the rest of the
/// block (the value, when it is on the label's lines).
fn field_label(raw: &[Line], labels: &[(String, Role)]) -> Option<(Role, String, Vec<Line>)> {
    for k in 1..=raw.len().min(3) {
        let text = joined(&raw[..k]);
        let t = normalise(&text);
        if let Some((_, role)) = labels.iter().find(|(l, _)| normalise(l) == t) {
            return Some((
                role.clone(),
                text.trim_end_matches([':', ' ']).to_string(),
                raw[k..].to_vec(),
            ));
        }
    }
    let first = &raw[0];
    let mut by_length: Vec<&(String, Role)> = labels.iter().collect();
    by_length.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
    by_length.into_iter().find_map(|(label, role)| {
        let rest = strip_label(&first.text, label).filter(|r| !r.is_empty())?;
        let printed = first
            .text
            .strip_suffix(rest)
            .unwrap_or(label)
            .trim_end_matches([':', ' '])
            .to_string();
        let mut value = vec![Line {
            text: rest.to_string(),
            ..first.clone()
        }];
        value.extend(raw[1..].iter().cloned());
        Some((role.clone(), printed, value))
    })
}

/// A field: its role, its label as printed, its line and its value's blocks.
struct Field {
    role: Role,
    label: String,
    line: usize,
    value: Vec<Vec<Line>>,
}

/// The key-information parts: label and value pairs. Short values become a list of
/// `**label:** value`; long ones a sub-heading with their text. Key figures, the name,
/// address and organisation number are taken from them.
fn fields(
    raws: &[Vec<Line>],
    widths: &Widths,
    config: &SiteConfig,
    report: &mut Report,
) -> Vec<Block> {
    let labels = field_labels(config);
    let mut lead: Vec<Vec<Line>> = Vec::new();
    let mut found: Vec<Field> = Vec::new();
    for raw in raws {
        match field_label(raw, &labels) {
            Some((role, label, rest)) => found.push(Field {
                role,
                label,
                line: raw[0].no,
                value: if rest.is_empty() {
                    Vec::new()
                } else {
                    vec![rest]
                },
            }),
            None => match found.last_mut() {
                Some(f) => f.value.push(raw.clone()),
                None => lead.push(raw.clone()),
            },
        }
    }
    let mut out = text_blocks(&lead, widths);
    let mut short: Vec<(String, String)> = Vec::new();
    for f in found {
        let blocks = text_blocks(&f.value, widths);
        let value = cell(&blocks);
        take_fact(&f, value.as_deref(), report);
        match value.filter(|v| chars(v) <= 200) {
            Some(v) => short.push((f.label, v)),
            None => {
                if !short.is_empty() {
                    out.push(Block::Fields(std::mem::take(&mut short)));
                }
                out.push(Block::Heading(3, f.label));
                out.extend(blocks);
            }
        }
    }
    if !short.is_empty() {
        out.push(Block::Fields(short));
    }
    out
}

/// Takes what a field says of the member, or the key figure it gives.
fn take_fact(f: &Field, value: Option<&str>, report: &mut Report) {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return;
    };
    match &f.role {
        Role::Name => {
            report.member.name.get_or_insert_with(|| v.to_string());
        }
        Role::Address => {
            report.member.address.get_or_insert_with(|| v.to_string());
        }
        Role::OrgNumber => {
            report
                .member
                .org_number
                .get_or_insert_with(|| v.to_string());
        }
        Role::Figure(id) => match parse_number(v) {
            Some((value, whole)) if !report.figures.iter().any(|x| &x.id == id) => {
                report.figures.push(Figure {
                    id: id.clone(),
                    value,
                    whole,
                    label: f.label.clone(),
                    line: f.line,
                })
            }
            Some(_) => report.warn(
                f.line,
                format!(
                    "`{}` gives the figure `{id}` a second time: the first is kept",
                    f.label
                ),
            ),
            None => report.warn(
                f.line,
                format!(
                    "`{}`: `{v}` is not a number, so the figure `{id}` is left out",
                    f.label
                ),
            ),
        },
        Role::Other => {}
    }
}

/// Adds the part and group headings a question needs where the text has none (with the
/// template's title), so that the headings' levels follow each other.
fn add_missing_headings(report: &mut Report, template: &ReportTemplate, config: &SiteConfig) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_split_after_their_first_sentence() {
        assert_eq!(
            split_question(
                "Beskriv prioriterte risikoer. Beskriv også hvordan informasjonen ble hentet inn."
            ),
            (
                "Beskriv prioriterte risikoer".into(),
                Some("Beskriv også hvordan informasjonen ble hentet inn.".into())
            )
        );
        assert_eq!(
            split_question("Er det funnet avvik hos leverandørene? Hvis ja: Angi type avvik."),
            (
                "Er det funnet avvik hos leverandørene?".into(),
                Some("Hvis ja: Angi type avvik.".into())
            )
        );
        assert_eq!(
            split_question("Risikokartlegging"),
            ("Risikokartlegging".into(), None)
        );
        assert_eq!(
            split_question("Hvordan brukes bl.a. Fairtrade i innkjøpene?"),
            ("Hvordan brukes bl.a. Fairtrade i innkjøpene?".into(), None)
        );
    }

    fn line(no: usize, text: &str) -> Line {
        Line {
            no,
            text: text.to_string(),
            page_start: false,
            trailing_space: false,
        }
    }

    #[test]
    fn marks() {
        assert_eq!(mark(&[line(1, "1")]), Mark::PartNumber("1".into(), None));
        assert_eq!(
            mark(&[line(1, "2 Fastsette fokus for rapporten")]),
            Mark::PartNumber("2".into(), Some("Fastsette fokus for rapporten".into()))
        );
        assert_eq!(
            mark(&[line(1, "2.A.3 List opp risikoene")]),
            Mark::Numbered("2.A.3".into())
        );
        assert_eq!(mark(&[line(1, "1. Første punkt i en liste.")]), Mark::Text);
        assert_eq!(
            mark(&[line(1, "Mål og fremdrift")]),
            Mark::Title(TitleKind::Goals)
        );
        assert_eq!(
            mark(&[
                line(1, "Nøkkelinformasjon om virksomheten og"),
                line(2, "leverandørkjeden")
            ]),
            Mark::Title(TitleKind::Fields)
        );
        assert_eq!(
            mark(&[line(1, "ANDRE TILTAK FOR Å HÅNDTERE RISIKO")]),
            Mark::Caps
        );
    }
}
