//! `aktsom check`: every problem of a site at once, without writing anything.
//!
//! `check` runs the very validation `build` runs, so that `build` refuses to publish
//! exactly what `check` reports as errors: [`content::load_partial`] (front matter,
//! figures, question numbers, images, raw HTML, …, going on after errors, also within
//! one file), then [`crate::check_site`]: every page rendered and rewritten in memory
//! and the link check over all of them. Nothing is written. When files have errors,
//! the pages of everything else are rendered and their links checked, except links
//! that lead where those files would change the site (see `Unsure`).
//!
//! On top of that it runs analyses that only warn, because the site is still correct
//! and readable with them: questions out of the template's order, template questions
//! a report leaves out, skipped heading levels, empty sections, and members without
//! reports ([`analyse_report`], [`analyse_page`]), also of the reports and pages
//! left out of the model because of an error outside their text.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Lang;
use crate::content::{self, LeftOut, LoadOptions, Loaded, Report, Site};
use crate::diagnostics::{Diagnostic, FileDiagnostics, Severity, Source, cap_per_file, read_text};
use crate::markdown::{Rendered, Section};
use crate::reporting::ReportTemplate;

/// What `aktsom check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    /// Check as `build --drafts` would build: draft reports are rendered and their
    /// links checked too. Without it drafts are still validated and analysed, as
    /// `build` validates them, but not rendered.
    pub drafts: bool,
}

/// Everything `check` found.
#[derive(Debug, Default)]
pub struct CheckResult {
    /// Errors first, then warnings; each sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    pub errors: usize,
    pub warnings: usize,
    /// What was checked (0 when the site could not be loaded at all).
    pub members: usize,
    pub reports: usize,
    pub pages: usize,
    /// False when errors in the content kept some links from being checked: those on
    /// the pages of files with errors, and those leading where such files would change
    /// the site (they are, once those errors are fixed).
    pub links_checked: bool,
    /// True when a report's or page's text has errors, so that the warning-only
    /// analyses of its headings and questions wait until they are fixed.
    pub texts_unanalysed: bool,
}

impl CheckResult {
    pub fn ok(&self) -> bool {
        self.errors == 0
    }

    /// What errors kept from being checked, and is checked once they are fixed.
    pub fn waiting(&self) -> Option<String> {
        if self.links_checked || self.errors == 0 {
            return None;
        }
        let analyses = if self.texts_unanalysed {
            ", and the heading and question warnings of texts with errors,"
        } else {
            ""
        };
        Some(format!(
            "links on or to the pages of files with errors{analyses} are checked once the errors above are fixed"
        ))
    }

    /// The last line of the human output.
    pub fn summary(&self) -> String {
        let count = |n: usize, what: &str| match n {
            1 => format!("1 {what}"),
            n => format!("{n} {what}s"),
        };
        let found = if self.errors + self.warnings == 0 {
            "no problems".to_string()
        } else {
            format!(
                "{}, {}",
                count(self.errors, "error"),
                count(self.warnings, "warning")
            )
        };
        format!(
            "Checked {}, {} and {}: {found}",
            count(self.members, "member"),
            count(self.reports, "report"),
            count(self.pages, "page"),
        )
    }
}

/// One diagnostic in `aktsom check --format json`: a stable schema for tools.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// `"error"` or `"warning"`.
    pub severity: Severity,
    /// Relative to the site root, `/`-separated.
    pub file: String,
    /// 1-based; 0 when the problem is with the file as a whole.
    pub line: usize,
    /// 1-based, in characters; 0 when the problem is with the file as a whole.
    pub column: usize,
    pub message: String,
    /// What to do about it; `null` when there is nothing to add.
    pub help: Option<String>,
    /// What the problem kept from being checked (the text of a report whose front
    /// matter cannot be read); `null` when nothing.
    pub note: Option<String>,
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let file = d
            .file
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        JsonDiagnostic {
            severity: d.severity,
            file,
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            help: d.help.clone(),
            note: d.note.as_deref().map(str::to_string),
        }
    }
}

/// The JSON output: an array of [`JsonDiagnostic`], errors first.
pub fn to_json(result: &CheckResult) -> String {
    let list: Vec<JsonDiagnostic> = result.diagnostics.iter().map(Into::into).collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
}

/// `aktsom check`: loads and validates everything, renders in memory, checks links,
/// and runs the warning-only analyses.
pub fn check(opts: &CheckOptions) -> CheckResult {
    let mut result = CheckResult::default();
    // Drafts are always loaded, so that they are analysed too.
    let loaded = content::load_partial(&opts.root, &LoadOptions { drafts: true });
    let Loaded {
        mut site,
        mut errors,
        left_out,
    } = match loaded {
        Ok(x) => x,
        Err(fatal) => {
            finish(&mut result, fatal);
            return result;
        }
    };
    let mut diags = std::mem::take(&mut site.warnings);
    diags.extend(analyse_site(&site, &errors, opts.drafts));
    diags.extend(analyse_left_out(&site, &left_out));
    if !opts.drafts {
        for m in &mut site.members {
            m.reports.retain(|r| !r.draft);
        }
    }
    count(&mut result, &site, &left_out, &errors, opts.drafts);
    result.texts_unanalysed = texts_unanalysed(&errors, &left_out);
    // Exactly what `build` does before it writes, for every page that loaded; with
    // errors, links that lead where files with errors would change the site wait.
    if let Some(unsure) = Unsure::of(&errors) {
        let base_url = site.config.base_url.clone();
        if let Err(more) = crate::check_site(&site, &base_url, &|t| unsure.covers(t)) {
            errors.extend(more);
        }
        result.links_checked = unsure.is_empty();
    }
    diags.append(&mut errors);
    finish(&mut result, diags);
    result
}

/// The warning-only analyses of the reports and pages left out of the model because of
/// an error outside their text.
fn analyse_left_out(site: &Site, left_out: &LeftOut) -> Vec<Diagnostic> {
    let lang = site.config.language;
    let reports = left_out.reports.iter().filter_map(|r| {
        let t = site.templates.get(&r.template)?;
        Some(analyse_report(r, t, r.lang(lang)))
    });
    let pages = left_out
        .pages
        .iter()
        .map(|p| analyse_page(&p.body, &p.source));
    reports.chain(pages).flatten().collect()
}

/// Whether a report or page with errors was left unanalysed (its text has errors, or
/// was not checked).
fn texts_unanalysed(errors: &[Diagnostic], left_out: &LeftOut) -> bool {
    let analysed: BTreeSet<&Path> = left_out
        .reports
        .iter()
        .map(|r| &r.source)
        .chain(left_out.pages.iter().map(|p| &p.source))
        .map(|s| s.path.as_path())
        .collect();
    errors
        .iter()
        .map(|e| e.file.as_path())
        .any(|f| (is_report_file(f) || is_page_file(f)) && !analysed.contains(f))
}

/// What was checked: the members, reports and pages that loaded, those left out of the
/// model, and those whose errors kept them from loading.
fn count(
    result: &mut CheckResult,
    site: &Site,
    left_out: &LeftOut,
    errors: &[Diagnostic],
    drafts: bool,
) {
    let failed = || errors.iter().map(|e| e.file.as_path());
    let mut members: BTreeSet<&str> = site.members.iter().map(|m| m.slug.as_str()).collect();
    members.extend(failed().filter_map(member_slug));
    result.members = members.len();
    let mut reports: BTreeSet<&Path> = site
        .members
        .iter()
        .flat_map(|m| &m.reports)
        .chain(left_out.reports.iter().filter(|r| drafts || !r.draft))
        .map(|r| r.source.path.as_path())
        .collect();
    reports.extend(failed().filter(|f| is_report_file(f)));
    result.reports = reports.len();
    let mut pages: BTreeSet<&Path> = site
        .pages
        .iter()
        .chain(&site.front)
        .chain(&left_out.pages)
        .map(|p| p.source.path.as_path())
        .collect();
    pages.extend(failed().filter(|f| is_page_file(f)));
    result.pages = pages.len();
}

/// The member of a path in `content/members/<slug>/`.
fn member_slug(f: &Path) -> Option<&str> {
    let mut parts = f.components().map(|c| c.as_os_str().to_str());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Some("content")), Some(Some("members")), Some(slug)) => slug,
        _ => None,
    }
}

/// `content/members/<slug>/<year>.md`.
fn is_report_file(f: &Path) -> bool {
    f.starts_with("content/members")
        && f.components().count() == 4
        && f.extension().is_some_and(|e| e == "md")
        && f.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// `content/<slug>.md`.
fn is_page_file(f: &Path) -> bool {
    f.starts_with("content")
        && f.components().count() == 2
        && f.extension().is_some_and(|e| e == "md")
}

/// The part of a site loaded with errors that the files with errors would make or
/// change once fixed: a link that leads there is checked then (it may lead to a report
/// that did not load, or to an anchor in it). Everything else is known: a link that is
/// broken there stays broken whatever those files hold.
#[derive(Debug, Default)]
struct Unsure {
    /// Members with an error in their folder (their `member.toml`, a report, an image):
    /// all of `medlemmer/<slug>/`.
    members: BTreeSet<String>,
    /// Free-standing pages with an error: `<slug>/` (`index` for the front page).
    pages: BTreeSet<String>,
}

impl Unsure {
    /// `None` when an error is not in a member's folder or a page: then no part of
    /// the site is known, and no link is checked.
    fn of(errors: &[Diagnostic]) -> Option<Unsure> {
        let mut unsure = Unsure::default();
        for e in errors {
            if let Some(slug) = member_slug(&e.file) {
                unsure.members.insert(slug.to_string());
            } else if is_page_file(&e.file)
                && let Some(slug) = e.file.file_stem().and_then(|s| s.to_str())
            {
                unsure.pages.insert(slug.to_string());
            } else {
                return None;
            }
        }
        Some(unsure)
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty() && self.pages.is_empty()
    }

    /// Whether the output file `target` (`medlemmer/<slug>/2024/index.html`) is in that
    /// part. A member's reports also appear on the pages that gather reports (the front
    /// page, the lists of members, years and questions, search and open data), so those
    /// are in it while a member has an error.
    fn covers(&self, target: &str) -> bool {
        let mut segments = target.split('/');
        let first = segments.next().unwrap_or("");
        let second = segments.next();
        let gathering = !self.members.is_empty();
        match second {
            Some(slug) if first == "medlemmer" && segments.next().is_some() => {
                self.members.contains(slug)
            }
            Some(_) if !content::RESERVED_SLUGS.contains(&first) => self.pages.contains(first),
            None if first == "index.html" => gathering || self.pages.contains("index"),
            _ => gathering,
        }
    }
}

fn finish(result: &mut CheckResult, diags: Vec<Diagnostic>) {
    // Loading, links and the analyses each keep to the limit per file; together too.
    let mut diags = cap_per_file(diags);
    content::sort_diagnostics(&mut diags);
    diags.sort_by_key(|d| d.severity);
    // Counting those left out of the list too.
    let count = |error: bool| -> usize {
        diags
            .iter()
            .filter(|d| d.is_error() == error)
            .map(Diagnostic::count)
            .sum()
    };
    result.errors = count(true);
    result.warnings = count(false);
    result.diagnostics = diags;
}

/// The warning-only analyses of a whole (possibly partly loaded) site. `errors` are
/// the loading errors, so that a member whose report failed to load is not also
/// reported as having no reports.
pub fn analyse_site(site: &Site, errors: &[Diagnostic], drafts: bool) -> Vec<Diagnostic> {
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
    let lines = LineStarts::new(&src.text);
    let numbered: Vec<(&Section, usize)> = r
        .body
        .sections
        .iter()
        .filter_map(|s| {
            let n = s.number.as_deref()?;
            Some((s, template.position(n)?))
        })
        .collect();

    // Out of order: a question right after one that comes later in the template. (A
    // block of sections moved as a whole is reported once, at its first heading.)
    let mut previous: Option<(&Section, usize)> = None;
    for &(s, pos) in &numbered {
        if let Some((prev, prev_pos)) = previous
            && pos < prev_pos
        {
            let n = s.number.as_deref().unwrap_or_default();
            let p = prev.number.as_deref().unwrap_or_default();
            out.warning(|| {
                src.error(
                    lines.span(s.line),
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

    // Template questions the report does not answer (see `completeness`).
    let leaves = leaf_questions(template);
    if numbered.is_empty() {
        let at = r.body.sections.first().map_or(0, |s| s.line);
        let span = if at > 0 {
            lines.span(at)
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
    // Group the missing ones by where they would go: before the next answered question.
    let mut groups: Vec<(Option<&Section>, Vec<&str>)> = Vec::new();
    for (pos, number) in unanswered(r, &leaves) {
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
    for (at, list) in groups {
        let span = match at {
            Some(s) => lines.span(s.line),
            None => last_line(&src.text),
        };
        let message = match list.as_slice() {
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
        let help = match list.as_slice() {
            [one] => {
                let depth = template.get(one).map_or(3, |q| usize::from(q.depth));
                format!(
                    "add a section `{} {one} …` {place}; if the question does not apply, say so there",
                    "#".repeat(depth + 1)
                )
            }
            _ => format!(
                "add a section for each {place}; if a question does not apply, say so there"
            ),
        };
        out.warning(|| src.error(span, message).with_help(help).warning());
    }
}

/// The questions of a template that a report answers: the leaves, with their
/// positions in the template's order. A part or group heading that has questions under
/// it is not itself answered, so it is not missing anything either.
pub fn leaf_questions(template: &ReportTemplate) -> Vec<(usize, &str)> {
    // Every number that some other number lies under (`2` and `2.A` for `2.A.3`).
    let mut parents: BTreeSet<&str> = BTreeSet::new();
    for q in &template.questions {
        let n = q.number.as_str();
        parents.extend(n.match_indices('.').map(|(i, _)| &n[..i]));
    }
    template
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| !parents.contains(q.number.as_str()))
        .map(|(i, q)| (i, q.number.as_str()))
        .collect()
}

/// The `leaves` (from [`leaf_questions`]) that report `r` has no section for, in the
/// template's order.
fn unanswered<'t>(r: &Report, leaves: &[(usize, &'t str)]) -> Vec<(usize, &'t str)> {
    let answered: BTreeSet<usize> = r.answered.iter().map(|&p| usize::from(p)).collect();
    leaves
        .iter()
        .filter(|(pos, _)| !answered.contains(pos))
        .copied()
        .collect()
}

/// How complete a report is: of its template version's questions (the leaves, see
/// [`leaf_questions`]), how many it answers and which it leaves unanswered, the same
/// analysis that `aktsom check` warns about. A section counts as an answer whatever it
/// says, "not relevant for us" included.
#[derive(Debug, Clone, Serialize)]
pub struct Completeness<'t> {
    pub answered: usize,
    pub questions: usize,
    /// The unanswered question numbers, in the template's order.
    pub unanswered: Vec<&'t str>,
}

/// The [`Completeness`] of report `r`, whose template is `template`.
pub fn completeness<'t>(r: &Report, template: &'t ReportTemplate) -> Completeness<'t> {
    let leaves = leaf_questions(template);
    let unanswered: Vec<&str> = unanswered(r, &leaves).into_iter().map(|(_, n)| n).collect();
    Completeness {
        answered: leaves.len() - unanswered.len(),
        questions: leaves.len(),
        unanswered,
    }
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
pub fn analyse_page(body: &Rendered, src: &Source) -> Vec<Diagnostic> {
    let mut out = FileDiagnostics::default();
    page_checks(body, src, &mut out);
    out.finish(src)
}

fn page_checks(body: &Rendered, src: &Source, out: &mut FileDiagnostics) {
    let lines = LineStarts::new(&src.text);
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
                src.error(lines.span(s.line), message)
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
                src.error(lines.span(s.line), format!("the section `{name}` is empty"))
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

/// Byte offsets of line starts, to point at a whole line by its number.
struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineStarts { text, starts }
    }

    /// The text of 1-based `line`, without its line break.
    fn span(&self, line: usize) -> Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        line_span(self.text, start)
    }
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
        let t = "ab\ncd\n";
        let l = LineStarts::new(t);
        assert_eq!(l.span(2), 3..5);
        assert_eq!(l.span(9), 6..6);
        assert_eq!(line_span("", 0), 0..0);
    }
}
