//! `aktsom check`: every problem of a site at once, without writing anything.
//!
//! `check` runs the very validation `build` runs, so that `build` refuses to publish
//! exactly what `check` reports as errors: [`content::load_partial`] (front matter,
//! figures, question numbers, images, raw HTML, …, going on after errors, also within
//! one file), then [`crate::build::check_site`]: every page rendered and rewritten in memory
//! and the link check over all of them. Nothing is written. When files have errors,
//! the pages of everything else are rendered and their links checked, except links
//! that lead where those files would change the site (see `Unsure`).
//!
//! On top of that it runs analyses that only warn, because the site is still correct
//! and readable with them: questions out of the template's order, template questions
//! a report leaves out, skipped heading levels, empty sections, and members without
//! reports ([`analyse_report`], [`analyse_page`]), also of the reports and pages
//! left out of the model because of an error outside their text.

mod analyse;

pub use analyse::analyse_report;
pub(crate) use analyse::{analyse_page, analyse_site};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::content::{self, LeftOut, LoadOptions, Loaded, Site};
use crate::diagnostics::{Diagnostic, Severity, cap_per_file};

/// What `aktsom check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site root: the folder with site.toml.
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
    /// How many errors (the notes for those left out count as many as they stand for).
    pub(crate) errors: usize,
    /// How many warnings, counted the same way.
    pub(crate) warnings: usize,
    /// What was checked (0 when the site could not be loaded at all).
    pub(crate) members: usize,
    /// How many reports were checked.
    pub(crate) reports: usize,
    /// How many pages (besides reports) were checked.
    pub(crate) pages: usize,
    /// False when errors in the content kept some links from being checked: those on
    /// the pages of files with errors, and those leading where such files would change
    /// the site (they are, once those errors are fixed).
    pub(crate) links_checked: bool,
    /// True when a report's or page's text has errors, so that the warning-only
    /// analyses of its headings and questions wait until they are fixed.
    pub(crate) texts_unanalysed: bool,
}

impl CheckResult {
    /// Whether the site would build: no errors.
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
pub(crate) struct JsonDiagnostic {
    /// `"error"` or `"warning"`.
    pub(crate) severity: Severity,
    /// Relative to the site root, `/`-separated.
    pub(crate) file: String,
    /// 1-based; 0 when the problem is with the file as a whole.
    pub(crate) line: usize,
    /// 1-based, in characters; 0 when the problem is with the file as a whole.
    pub(crate) column: usize,
    /// What is wrong.
    pub(crate) message: String,
    /// What to do about it; `null` when there is nothing to add.
    pub(crate) help: Option<String>,
    /// What the problem kept from being checked (the text of a report whose front
    /// matter cannot be read); `null` when nothing.
    pub(crate) note: Option<String>,
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
        if let Err(more) = crate::build::check_site(&site, &|t| unsure.covers(t)) {
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
