//! Headings and their ids: a top-level heading that starts with a question number of
//! the report's template gets the number's anchor (`2.A.3 …` → `2-a-3`); every other
//! heading a slug of its text, unique in the page and never one of the theme's ids
//! ([`super::RESERVED_IDS`]) or a question anchor.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::builder::Builder;
use super::text::{find_end, plain_text};
use super::{MdContext, RESERVED_IDS};
use crate::diagnostics::{Diagnostic, FileDiagnostics, LineIndex, did_you_mean};
use crate::reporting::{self, ReportTemplate};

/// A heading of the text, with its id.
pub(super) struct Heading {
    /// Index of the Start(Heading) event.
    pub(super) index: usize,
    pub(super) level: u8,
    /// Its text as a reader sees it, trimmed.
    pub(super) text: String,
    pub(super) range: Range<usize>,
    /// Not inside a list, quote or footnote: it starts a section.
    pub(super) top_level: bool,
    /// Its id.
    pub(super) anchor: String,
    /// The template question number it starts with (a top-level heading only).
    pub(super) number: Option<String>,
    /// Its text without the question number.
    pub(super) title: String,
}

/// Every heading of the text, in order, with its id. Level-1 headings, question
/// numbers the template does not have and questions answered twice are errors.
pub(super) fn assign(
    events: &[(Event, Range<usize>)],
    cx: &MdContext,
    lines: &LineIndex,
    found: &mut FileDiagnostics,
) -> Vec<Heading> {
    let mut headings = collect(events);
    let mut used: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    number(&mut headings, cx, lines, found, &mut used);
    let mut suffixes: HashMap<String, usize> = HashMap::new();
    for h in headings.iter_mut().filter(|h| h.number.is_none()) {
        h.anchor = unique_slug(&h.text, &mut used, &mut suffixes);
        h.title = h.text.clone();
    }
    headings
}

/// The headings, without ids yet.
fn collect(events: &[(Event, Range<usize>)]) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (i, (e, range)) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)) => {
                depth += 1
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition) => {
                depth = depth.saturating_sub(1)
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let end = find_end(events, i);
                out.push(Heading {
                    index: i,
                    level: heading_level(*level),
                    text: plain_text(&events[i + 1..end]).trim().to_string(),
                    range: range.clone(),
                    top_level: depth == 0,
                    anchor: String::new(),
                    number: None,
                    title: String::new(),
                });
            }
            _ => {}
        }
    }
    out
}

/// Gives the top-level headings that start with a question number of the template
/// the number's anchor (taken in `used`), and reports the problems of headings.
fn number(
    headings: &mut [Heading],
    cx: &MdContext,
    lines: &LineIndex,
    found: &mut FileDiagnostics,
    used: &mut HashSet<String>,
) {
    // Question number → where its heading starts (the last one, when repeated).
    let mut seen: HashMap<String, usize> = HashMap::new();
    for h in headings.iter_mut() {
        if h.level == 1 {
            found.error(|| {
                cx.source
                    .error(cx.span(&h.range), "a level-1 heading (`#`) in the text")
                    .with_help("the page title is the only level-1 heading: start the text's headings at `##`")
            });
        }
        if !h.top_level {
            continue;
        }
        let (Some((number, rest)), Some(template)) =
            (reporting::parse_number(&h.text), cx.template)
        else {
            continue;
        };
        if template.get(&number).is_none() {
            if number.contains('.') {
                found.error(|| unknown_question(cx, template, h, &number));
            }
            continue;
        }
        if let Some(first) = seen.insert(number.clone(), h.range.start) {
            let line = lines.line(first + cx.offset);
            found.error(|| {
                cx.source
                    .error(
                        cx.span(&h.range),
                        format!("question {number} appears twice"),
                    )
                    .with_help(format!(
                        "it was already answered at line {line}; merge the two answers"
                    ))
            });
            continue;
        }
        h.anchor = reporting::anchor(&number);
        h.title = rest.to_string();
        h.number = Some(number);
        used.insert(h.anchor.clone());
    }
}

/// The error for a heading numbered like a question the template does not have.
fn unknown_question(
    cx: &MdContext,
    template: &ReportTemplate,
    h: &Heading,
    number: &str,
) -> Diagnostic {
    let version = &template.version;
    let numbers = template.questions.iter().map(|q| q.number.as_str());
    cx.source
        .error(
            cx.span(&h.range),
            format!("{number} is not a question of template version {version}"),
        )
        .with_help(match did_you_mean(number, numbers) {
            Some(s) => format!(
                "did you mean {s}? Otherwise check the number against report-templates/{version}.toml"
            ),
            None => format!("check the number against report-templates/{version}.toml"),
        })
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

impl Builder<'_, '_> {
    /// A heading's start, with its id; a top-level one starts a section.
    pub(super) fn heading_start(&mut self, level: HeadingLevel) {
        let k = self.heading_cursor;
        self.heading_cursor += 1;
        let headings = self.headings;
        let h = &headings[k];
        if h.top_level {
            self.current_section = self.marks.len() + 1;
            self.marks.push((self.out.len(), k));
        }
        self.out.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(h.anchor.clone())),
            classes: vec![],
            attrs: vec![],
        }));
    }
}

/// A URL- and id-safe slug: lower-case ASCII, Norwegian letters and accents folded
/// ([`crate::text::fold_char`]: æ→ae, ø→o, å→a, é→e …).
pub(super) fn slugify(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            c if c.is_ascii_alphanumeric() => {
                if dash && !s.is_empty() {
                    s.push('-');
                }
                dash = false;
                s.push(c);
                continue;
            }
            c if c.is_ascii() => {
                dash = true;
                continue;
            }
            c => match crate::text::fold_char(c) {
                Some(f) => f,
                None => {
                    dash = true;
                    continue;
                }
            },
        };
        if dash && !s.is_empty() {
            s.push('-');
        }
        dash = false;
        s.push_str(folded);
    }
    if s.len() > 60 {
        let mut cut = 60;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        while s.ends_with('-') {
            s.pop();
        }
    }
    s
}

/// A slug of `text` that is not in `used` yet (and is then). `suffixes` remembers the
/// next number to try for each base, so that many headings with the same text cost
/// linear time.
fn unique_slug(
    text: &str,
    used: &mut HashSet<String>,
    suffixes: &mut HashMap<String, usize>,
) -> String {
    let mut base = slugify(text);
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        // Ids that start with a digit are reserved for question anchors.
        base = if base.is_empty() {
            "seksjon".into()
        } else {
            format!("s-{base}")
        };
    }
    let mut id = base.clone();
    let n = suffixes.entry(base.clone()).or_insert(2);
    while used.contains(&id) {
        id = format!("{base}-{n}");
        *n += 1;
    }
    used.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_norwegian_letters() {
        assert_eq!(slugify("Forord fra ledelsen"), "forord-fra-ledelsen");
        assert_eq!(slugify("Mål og fremdrift – 2024!"), "mal-og-fremdrift-2024");
        assert_eq!(slugify("Bærekraft på tvers"), "baerekraft-pa-tvers");
    }
}
