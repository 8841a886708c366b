//! Cutting the text into blocks of lines and marking each block by its look: one of
//! the form's titles, a part's number, a numbered heading, a capitals sub-heading or
//! text; and which of the part numbers are the parts' headings.

use std::collections::HashMap;

use crate::reporting::{self, ReportTemplate};

use crate::import::forms::{self, TitleKind};
use crate::import::text::{Line, is_caps, joined, normalise};

/// What a block of lines is, by its look.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Mark {
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

fn title_kind(text: &str) -> Option<TitleKind> {
    let t = normalise(text);
    forms::TITLES.iter().find_map(|(title, kind)| {
        let title = normalise(title);
        (t == title || title.len() >= 40 && t.starts_with(&title)).then_some(*kind)
    })
}

pub(super) fn mark(raw: &[Line]) -> Mark {
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
pub(super) fn part_blocks(marks: &[Mark], template: &ReportTemplate) -> HashMap<usize, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
