//! The walk over the marked blocks: a section opens at each heading (a part's, a
//! group's or question's number, one of the form's titles) and gathers the blocks up to
//! the next; the form's own text (its introductions, its capitals sub-headings and the
//! instructions under them) is left out and noted in the report.

use std::collections::HashSet;

use crate::config::Lang;
use crate::import::forms::TitleKind;
use crate::import::model::Report;
use crate::import::text::{Line, chars, joined, sentence_case};
use crate::reporting::{self, ReportTemplate};

use super::marks::{Mark, mark, part_blocks};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Draft {
    pub(super) kind: Kind,
    pub(super) number: Option<String>,
    pub(super) heading: String,
    /// The rest of a question's text: the form's further instructions.
    pub(super) asked: Option<String>,
    pub(super) line: usize,
    pub(super) raws: Vec<Vec<Line>>,
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
    /// A block that is not a part's heading, by its mark.
    fn block(&mut self, mark: &Mark, raw: &[Line]) {
        match mark {
            Mark::Numbered(n) => self.numbered(n.clone(), raw),
            Mark::Title(TitleKind::Skip) => self.skip(joined(raw), Some(raw.to_vec()), None),
            Mark::Title(TitleKind::Subtitle) => {}
            Mark::Title(kind) => {
                let kind = match kind {
                    TitleKind::Fields => Kind::Fields,
                    TitleKind::Goals => Kind::Goals,
                    _ => Kind::Text,
                };
                let heading = joined(raw).trim_end_matches([':', ' ']).to_string();
                self.open(kind, None, heading, raw[0].no);
            }
            Mark::Caps if self.in_parts() => {
                self.skip(joined(raw), Some(raw.to_vec()), Some(8));
                self.caps = Some((joined(raw), raw[0].no));
            }
            _ => match self.skipping.as_mut() {
                Some(s) => s.raws.push(raw.to_vec()),
                None => self.add([raw.to_vec()]),
            },
        }
    }

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
    fn part(&mut self, part: &str, title: Option<String>, line: usize, lang: Lang) {
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

/// Walks the blocks: opens a section at each heading, leaves out the form's own text,
/// and gathers the rest into the sections. The report so far (its notes) and the
/// sections' drafts, in the order of the text.
pub(super) fn walk(
    raws: &[Vec<Line>],
    template: &ReportTemplate,
    lang: Lang,
) -> (Report, Vec<Draft>) {
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
    // The block after a part's number, when it was taken as the part's title.
    let mut title_block = None;
    for (i, raw) in raws.iter().enumerate() {
        if title_block == Some(i) {
            continue;
        }
        let Some(part) = parts.get(&i) else {
            walk.block(&marks[i], raw);
            continue;
        };
        // The part's title: on the number's line, or the block after it.
        let title = match &marks[i] {
            Mark::PartNumber(_, Some(t)) => Some(t.clone()),
            _ => raws
                .get(i + 1)
                .filter(|_| marks[i + 1] == Mark::Text)
                .map(|next| {
                    title_block = Some(i + 1);
                    joined(next)
                }),
        };
        walk.part(part, title, raw[0].no, lang);
    }
    walk.end_skip();
    (walk.report, walk.drafts)
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
}
