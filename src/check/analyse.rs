//! The analyses of `check` that only warn, because the site is still correct and
//! readable with them: questions out of the template's order, template questions a
//! report leaves out, skipped heading levels, empty sections, and members without
//! reports.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use crate::config::Lang;
use crate::content::status::leaf_questions;
use crate::content::{Report, Site};
use crate::diagnostics::{Diagnostic, FileDiagnostics, Source, read_text};
use crate::markdown::{Rendered, Section};
use crate::reporting::ReportTemplate;

/// The warning-only analyses of a whole (possibly partly loaded) site. `errors` are
/// the loading errors, so that a member whose report failed to load is not also
/// reported as having no reports.
pub(crate) fn analyse_site(site: &Site, errors: &[Diagnostic], drafts: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lang = site.config.language;
    for m in &site.members {
        for r in &m.reports {
            if let Some(t) = site.templates.get(&r.template) {
                out.extend(analyse_report(r, t, r.lang(lang)));
            }
        }
        let published = m.reports.iter().filter(|r| drafts || !r.draft).count();
        let folder = Path::new("content/members").join(&m.slug);
        let failed = errors.iter().any(|e| e.file.starts_with(&folder));
        if published == 0 && !failed {
            let shown = folder.join("member.toml");
            let message = if m.reports.is_empty() {
                format!("member `{}` has no reports", m.slug)
            } else {
                format!("member `{}` has only draft reports", m.slug)
            };
            let d = match read_text(&m.dir.join("member.toml"), &shown) {
                Ok(src) => {
                    let at = src.text.find("name").unwrap_or(0);
                    src.error(line_span(&src.text, at), message)
                }
                Err(_) => Diagnostic::file(&shown, message),
            };
            out.push(
                d.with_help(format!(
                    "the member page will say there are no reports; add {}/<year>.md, or remove the member folder",
                    folder.display()
                ))
                .warning(),
            );
        }
    }
    for p in site.pages.iter().chain(site.front.as_ref()) {
        out.extend(analyse_page(&p.body, &p.source));
    }
    out
}

/// The warning-only analyses of one report: question order, missing template
/// questions, heading levels and empty sections.
pub fn analyse_report(r: &Report, template: &ReportTemplate, lang: Lang) -> Vec<Diagnostic> {
    let mut out = FileDiagnostics::default();
    page_checks(&r.body, &r.source, &mut out);
    report_checks(r, template, lang, &mut out);
    out.finish(&r.source)
}

fn report_checks(r: &Report, template: &ReportTemplate, lang: Lang, out: &mut FileDiagnostics) {
    let src = &r.source;
    let numbered: Vec<(&Section, usize)> = r
        .body
        .sections
        .iter()
        .filter_map(|s| {
            let n = s.number.as_deref()?;
            Some((s, template.position(n)?))
        })
        .collect();
    out_of_order(src, &numbered, template, out);
    let leaves = leaf_questions(template);
    if numbered.is_empty() {
        let at = r.body.sections.first().map_or(0, |s| s.line);
        let span = if at > 0 {
            line_of(src, at)
        } else {
            first_body_line(src)
        };
        out.warning(||
            src.error(
                span,
                format!(
                    "the report answers none of the {} questions of template version {}",
                    leaves.len(),
                    template.version
                ),
            )
            .with_help("start each answer with a heading that begins with the question's number, like `#### 2.A.3 Prioriterte risikoer`")
            .warning(),
        );
        return;
    }
    for (at, list) in missing_groups(&numbered, &leaves) {
        out.warning(|| not_answered(src, at, &list, template, lang));
    }
}

/// Out of order: a question right after one that comes later in the template. (A
/// block of sections moved as a whole is reported once, at its first heading.)
fn out_of_order(
    src: &Source,
    numbered: &[(&Section, usize)],
    template: &ReportTemplate,
    out: &mut FileDiagnostics,
) {
    let mut previous: Option<(&Section, usize)> = None;
    for &(s, pos) in numbered {
        if let Some((prev, prev_pos)) = previous
            && pos < prev_pos
        {
            let n = s.number.as_deref().unwrap_or_default();
            let p = prev.number.as_deref().unwrap_or_default();
            out.warning(|| {
                src.error(
                    line_of(src, s.line),
                    format!(
                        "question {n} comes after {p}, but before it in template version {}",
                        template.version
                    ),
                )
                .with_help(format!(
                    "move the section {n} to its place in the template's order (before {p}, line {})",
                    prev.line
                ))
                .warning()
            });
        }
        previous = Some((s, pos));
    }
}

/// The template questions a report does not answer, grouped by where they would go:
/// before the next answered question (`None`: at the end).
fn missing_groups<'r, 't>(
    numbered: &[(&'r Section, usize)],
    leaves: &[(usize, &'t str)],
) -> Vec<(Option<&'r Section>, Vec<&'t str>)> {
    let answered: BTreeSet<&str> = numbered
        .iter()
        .filter_map(|(s, _)| s.number.as_deref())
        .collect();
    let mut groups: Vec<(Option<&Section>, Vec<&str>)> = Vec::new();
    for &(pos, number) in leaves {
        if answered.contains(number) {
            continue;
        }
        let next = numbered
            .iter()
            .filter(|(_, p)| *p > pos)
            .min_by_key(|(_, p)| *p)
            .map(|(s, _)| *s);
        match groups.last_mut() {
            Some((at, list)) if same_section(*at, next) => list.push(number),
            _ => groups.push((next, vec![number])),
        }
    }
    groups
}

/// The warning for a group of questions not answered, at the heading they would go
/// above (`None`: at the end of the report).
fn not_answered(
    src: &Source,
    at: Option<&Section>,
    list: &[&str],
    template: &ReportTemplate,
    lang: Lang,
) -> Diagnostic {
    let span = match at {
        Some(s) => line_of(src, s.line),
        None => last_line(&src.text),
    };
    let message = match list {
        [one] => format!(
            "question {one} ({}) of template version {} is not answered",
            template.title(one, lang).unwrap_or_default(),
            template.version
        ),
        many => format!(
            "questions {} of template version {} are not answered",
            list_numbers(many),
            template.version
        ),
    };
    let place = match at {
        Some(_) => "above this heading",
        None => "at the end of the report",
    };
    let help = match list {
        [one] => {
            let depth = template.get(one).map_or(3, |q| usize::from(q.depth));
            format!(
                "add a section `{} {one} …` {place}; if the question does not apply, say so there",
                "#".repeat(depth + 1)
            )
        }
        _ => format!("add a section for each {place}; if a question does not apply, say so there"),
    };
    src.error(span, message).with_help(help).warning()
}

fn same_section(a: Option<&Section>, b: Option<&Section>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        _ => false,
    }
}

fn list_numbers(list: &[&str]) -> String {
    const SHOWN: usize = 8;
    if list.len() > SHOWN {
        format!(
            "{} and {} more",
            list[..SHOWN].join(", "),
            list.len() - SHOWN
        )
    } else {
        let (last, rest) = list.split_last().unwrap_or((&"", &[]));
        format!("{} and {last}", rest.join(", "))
    }
}

/// The warning-only analyses of any Markdown text with a title above it (reports and
/// pages): skipped heading levels and empty sections.
pub(crate) fn analyse_page(body: &Rendered, src: &Source) -> Vec<Diagnostic> {
    let mut out = FileDiagnostics::default();
    page_checks(body, src, &mut out);
    out.finish(src)
}

fn page_checks(body: &Rendered, src: &Source, out: &mut FileDiagnostics) {
    // The page title is the h1 above the text.
    let mut prev_level = 1u8;
    for (k, s) in body.sections.iter().enumerate() {
        if s.level > prev_level + 1 {
            let hashes = |n: u8| "#".repeat(usize::from(n));
            let message = if k == 0 {
                format!(
                    "the first heading is level {} (`{}`); the text's headings start at `##`",
                    s.level,
                    hashes(s.level)
                )
            } else {
                format!(
                    "heading level skipped: `{}` after `{}`",
                    hashes(s.level),
                    hashes(prev_level)
                )
            };
            out.warning(||
                src.error(line_of(src, s.line), message)
                    .with_help(format!(
                        "use `{}` here; screen reader users move through a page by its heading levels",
                        hashes(prev_level + 1)
                    ))
                    .warning(),
            );
        }
        prev_level = s.level;

        // Empty: nothing but white space (or comments) before the next heading, and
        // no sub-headings.
        let has_children = body.sections.get(k + 1).is_some_and(|n| n.level > s.level);
        let answer = src.text.get(s.source.clone()).unwrap_or("");
        if !has_children && is_blank(answer) {
            let name = match &s.number {
                Some(n) => format!("{n} {}", s.heading).trim_end().to_string(),
                None => s.heading.clone(),
            };
            out.warning(|| {
                src.error(
                    line_of(src, s.line),
                    format!("the section `{name}` is empty"),
                )
                .with_help(if s.number.is_some() {
                    "write the answer, or say why the question does not apply"
                } else {
                    "write the section's text, or remove the heading"
                })
                .warning()
            });
        }
    }
}

/// White space and HTML comments only.
fn is_blank(text: &str) -> bool {
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(e) => rest = after[e + 3..].trim_start(),
            None => return true,
        }
    }
    rest.is_empty()
}

/// The text of 1-based `line` of `src`, without its line break (its first byte when it
/// is empty, the end of the text past the last line).
fn line_of(src: &Source, line: usize) -> Range<usize> {
    let start = src
        .line_range(line.max(1))
        .map_or(src.text.len(), |r| r.start);
    line_span(&src.text, start)
}

/// From `start` to the end of its line.
fn line_span(text: &str, start: usize) -> Range<usize> {
    let start = start.min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    start..end.max(start + 1).min(text.len().max(start))
}

fn last_line(text: &str) -> Range<usize> {
    let trimmed = text.trim_end();
    let start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    line_span(text, start)
}

/// The first line after the front matter with text on it.
fn first_body_line(src: &Source) -> Range<usize> {
    let text: &str = &src.text;
    let mut pos = 0;
    let mut fences = 0;
    for line in text.split_inclusive('\n') {
        if fences >= 2 && !line.trim().is_empty() {
            return line_span(text, pos);
        }
        if line.trim_end() == "+++" {
            fences += 1;
        }
        pos += line.len();
    }
    last_line(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_answers() {
        assert!(is_blank("\n\n  \n"));
        assert!(is_blank("\n<!-- todo -->\n"));
        assert!(!is_blank("\nTekst\n"));
        assert!(!is_blank("<!-- a --> b"));
    }

    #[test]
    fn lists_numbers_for_people() {
        assert_eq!(list_numbers(&["1.A.1", "2.A.3"]), "1.A.1 and 2.A.3");
        assert_eq!(list_numbers(&["a", "b", "c"]), "a, b and c");
        let many: Vec<&str> = vec!["x"; 10];
        assert!(list_numbers(&many).ends_with("and 2 more"));
    }

    #[test]
    fn line_spans_stay_in_the_text() {
        let src = Source::new("x", "ab\ncd\n");
        assert_eq!(line_of(&src, 2), 3..5);
        assert_eq!(line_of(&src, 3), 6..6);
        assert_eq!(line_of(&src, 9), 6..6);
        assert_eq!(line_span("", 0), 0..0);
    }
}
