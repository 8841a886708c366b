//! A report's records: one per section with text, with the excerpt the browser shows,
//! and their ids (see the [`super`] module's note).

use std::collections::HashMap;

use super::index::Record;
use super::shard::Excerpt;
use super::text::Language;
use crate::config::Lang;
use crate::content::{Report, Site};
use crate::markdown::Block;

/// One report's records and excerpts.
pub(super) type Sections = (Vec<Record>, Vec<Excerpt>);

/// A member's sections: its reports' anchors in the order they first appear (reports
/// in year order).
pub(super) fn section_order<'a>(reports: impl Iterator<Item = &'a Sections>) -> Vec<String> {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut order = Vec::new();
    for (_, xs) in reports {
        for x in xs {
            if seen.insert(&x.anchor, ()).is_none() {
                order.push(x.anchor.clone());
            }
        }
    }
    order
}

pub(super) fn section_numbers(order: &[String]) -> HashMap<&str, u32> {
    order
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i as u32))
        .collect()
}

/// Gives a report's records their ids: slot × slot size + section number; sorted by id.
pub(super) fn number_records(
    sections: &mut Sections,
    slot: u32,
    slot_size: u32,
    numbers: &HashMap<&str, u32>,
) {
    let (records, xs) = sections;
    for (r, x) in records.iter_mut().zip(xs.iter()) {
        r.doc = slot * slot_size + numbers.get(x.anchor.as_str()).copied().unwrap_or(0);
    }
    records.sort_by_key(|r| r.doc);
}

/// Numbers every report's records (`per_member`: each member's slots): per member its
/// sections in the order they first appear. The slot size is the most sections a
/// member has, rounded up to a power of two. Returns each member's sections and the
/// slot size.
pub(super) fn number_all(
    sections: &mut [Sections],
    per_member: &[Vec<usize>],
) -> (Vec<Vec<String>>, u32) {
    let order: Vec<Vec<String>> = per_member
        .iter()
        .map(|mine| section_order(mine.iter().map(|&i| &sections[i])))
        .collect();
    let most = order.iter().map(Vec::len).max().unwrap_or(1);
    let slot_size = (most.max(1) as u32).next_power_of_two();
    for (m, mine) in per_member.iter().enumerate() {
        let numbers = section_numbers(&order[m]);
        for &i in mine {
            number_records(&mut sections[i], i as u32, slot_size, &numbers);
        }
    }
    (order, slot_size)
}

/// The plain text of a section's blocks: one line per paragraph, list item or
/// sub-heading; a table as its caption, then one line per row with the cells separated
/// by ` · `.
fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        if !s.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(s);
        }
    };
    for b in blocks {
        match b {
            Block::Text(t) => line(t),
            Block::Table(t) => {
                line(&t.caption);
                line(&t.head.join(" · "));
                for r in &t.rows {
                    line(&r.join(" · "));
                }
            }
        }
    }
    out
}

/// The records of one report, with their excerpts (doc ids not yet given: 0). A section
/// inside the range of the previous record (a sub-heading of an answer) is part of that
/// record already. `member` is the member's index.
pub(super) fn report_records(
    site: &Site,
    rep: &Report,
    member: usize,
) -> (Vec<Record>, Vec<Excerpt>) {
    let ui = site.config.language;
    let report_lang = rep.lang(ui);
    let lang = match report_lang {
        Lang::En => Language::English,
        Lang::Nb => Language::Norwegian,
    };
    let template = site.templates.get(&rep.template);
    let mut records = Vec::new();
    let mut excerpts = Vec::new();
    let mut covered = 0usize;
    for s in &rep.body.sections {
        if s.source.start < covered {
            continue;
        }
        covered = s.source.end;
        let body = blocks_text(&s.blocks);
        // No token at all (a token is a run of letters and digits).
        if !body.chars().any(char::is_alphanumeric) {
            continue;
        }
        let template_title = |l: Lang| {
            s.number
                .as_deref()
                .and_then(|n| template.and_then(|t| t.title(n, l)))
                .map(str::to_string)
        };
        let shown = template_title(ui).unwrap_or_else(|| s.heading.clone());
        let mut title = String::new();
        if let Some(n) = &s.number {
            title.push_str(n);
            title.push(' ');
        }
        if let Some(t) = template_title(report_lang) {
            title.push_str(&t);
            title.push_str(". ");
        }
        title.push_str(&s.heading);
        records.push(Record {
            doc: 0,
            lang,
            title,
            body,
            member: Some(member as u32),
        });
        excerpts.push(Excerpt {
            anchor: s.anchor.clone(),
            number: s.number.clone(),
            title: shown,
        });
    }
    (records, excerpts)
}
