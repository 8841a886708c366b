//! `aktsom import`: a report as the association has it (its PDF, or the PDF's text as
//! `pdftotext` gives it) made into `content/members/<slug>/<year>.md`, and a new
//! member's `member.toml`.
//!
//! `jobs` says which files a run takes; `source` reads the input (running `pdftotext`
//! for a PDF) into lines; `layout` recognises the report in them against the template
//! version of its year, into a `model::Report`; `write` writes that as Markdown, and
//! `summary` says for the terminal what was found. The importer depends on the
//! core (site.toml, the templates, `check`); nothing in the core depends on it.

mod forms;
mod jobs;
mod layout;
mod model;
mod paragraphs;
mod source;
mod summary;
mod tables;
mod text;
mod write;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::check::{CheckOptions, check};
use crate::config::{SiteConfig, is_slug};
use crate::content::{Date, Sector};
use crate::diagnostics::{Diagnostic, Source};
use crate::reporting;

use jobs::{Job, jobs};
pub(crate) use model::{Figure, Note, NoteKind, TableFound};
pub use summary::summary;
use write::Dating;

/// What `aktsom import` is asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site (the folder with site.toml).
    pub root: PathBuf,
    /// A report's `.pdf` or `.txt`, or a folder of them named `<slug>-<year>.pdf|txt`.
    pub input: PathBuf,
    /// The member's slug (its folder in `content/members/`), for one file only; `None`:
    /// the file's name says it (`<slug>-<year>.pdf`).
    pub member: Option<String>,
    /// The reporting year, for one file only; `None`: the file's name says it.
    pub year: Option<u16>,
    /// Replace a report that exists.
    pub force: bool,
    /// The publication date (`YYYY-MM-DD`); else the PDF's creation date; else a draft.
    pub published: Option<String>,
    /// The sector of a new member, when its name does not tell.
    pub sector: Option<Sector>,
}

/// What importing one file did.
#[derive(Debug)]
pub struct Imported {
    pub(crate) input: PathBuf,
    /// The report written, relative to the site root.
    pub(crate) report: PathBuf,
    /// The new member's `member.toml`, when the member was new.
    pub(crate) member_toml: Option<PathBuf>,
    pub(crate) template: String,
    /// Question numbers (`2.A.3`, not parts and groups) found, in the order of the text.
    pub(crate) found: Vec<String>,
    /// Questions of the template version that were not found.
    pub(crate) missing: Vec<String>,
    pub(crate) figures: Vec<Figure>,
    pub(crate) tables: Vec<TableFound>,
    /// The form's own text, left out.
    pub(crate) skipped: Vec<Note>,
    /// Things to check by hand, at lines of the input.
    pub warnings: Vec<Diagnostic>,
    /// How the report is dated (`published = …`, or a draft and why).
    pub(crate) dating: String,
}

/// Everything an import run did: each file's result, and `check` on what was written.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The reports written, one per file imported (a folder's files in name order).
    pub imported: Vec<Imported>,
    /// Files that could not be imported, with why.
    pub failed: Vec<Diagnostic>,
    /// Files of the folder that were not imported (their names do not say the member
    /// and year, or a file of the same report was taken).
    pub ignored: Vec<String>,
    /// `check`'s diagnostics for the written files.
    pub checked: Vec<Diagnostic>,
    /// `check` found errors in other files (so links were not checked).
    pub other_errors: usize,
}

impl Outcome {
    /// Every file imported and its report passes `check`.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && !self.checked.iter().any(Diagnostic::is_error)
    }
}

/// Imports one file or a folder, then runs `check` on what was written.
pub fn run(opts: &ImportOptions) -> Result<Outcome, Vec<Diagnostic>> {
    let config = SiteConfig::load(&opts.root)?;
    let templates = reporting::load_all(&opts.root)?;
    let published = match &opts.published {
        Some(p) => Some(source::parse_date(p).ok_or_else(|| {
            vec![
                Diagnostic::file(&opts.input, format!("--published {p} is not a date"))
                    .with_help("write it as 2025-03-14"),
            ]
        })?),
        None => None,
    };
    let jobs = jobs(opts)?;
    let mut outcome = Outcome {
        ignored: jobs.1,
        ..Outcome::default()
    };
    let site = Site {
        root: &opts.root,
        config: &config,
        templates: &templates,
    };
    for job in jobs.0 {
        match import_one(&site, &job, opts, published) {
            Ok(done) => outcome.imported.push(done),
            Err(d) => outcome.failed.push(*d),
        }
    }
    if !outcome.imported.is_empty() {
        check_written(opts, &mut outcome);
    }
    Ok(outcome)
}

/// The site being imported into.
struct Site<'a> {
    root: &'a Path,
    config: &'a SiteConfig,
    templates: &'a std::collections::BTreeMap<String, reporting::ReportTemplate>,
}

/// A problem with one file: boxed, as it travels up through a few calls.
type Failed = Box<Diagnostic>;

fn import_one(
    site: &Site,
    job: &Job,
    opts: &ImportOptions,
    published: Option<Date>,
) -> Result<Imported, Failed> {
    let (template, report_path) = target(site, job, opts.force)?;
    let input = source::read(&job.input)?;
    let lines = source::lines(&input.source.text);
    let report = layout::recognise(&lines, template, site.config);
    let from = job
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (dating, dating_text) = dating(published, input.created);
    let mut warnings: Vec<Diagnostic> = report
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Warning)
        .map(|n| warning_at(&input.source, n))
        .collect();
    let (member_toml, warning) = write_new_member(site, &report, job, opts.sector, &from)?;
    warnings.extend(warning);
    let markdown = write::report_markdown(&report, job.year, &dating, &from);
    write_file(site.root, &report_path, &markdown)?;
    let (found, missing) = found_and_missing(&report, template);
    Ok(Imported {
        input: job.input.clone(),
        report: report_path,
        member_toml,
        template: template.version.clone(),
        found,
        missing,
        figures: report.figures.clone(),
        tables: report.tables.clone(),
        skipped: report
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Skipped)
            .cloned()
            .collect(),
        warnings,
        dating: dating_text,
    })
}

/// Writes a new member's `member.toml` when the member has none: its path, and a
/// warning when its sector had to be assumed.
fn write_new_member(
    site: &Site,
    report: &model::Report,
    job: &Job,
    sector: Option<Sector>,
    from: &str,
) -> Result<(Option<PathBuf>, Option<Diagnostic>), Failed> {
    let member_toml = Path::new("content/members")
        .join(&job.member)
        .join("member.toml");
    if site.root.join(&member_toml).exists() {
        return Ok((None, None));
    }
    let (toml, warning) = new_member_toml(report, job, sector, from, &member_toml);
    write_file(site.root, &member_toml, &toml)?;
    Ok((Some(member_toml), warning))
}

/// The question numbers (`2.A.3`, not parts and groups) found, in the order of the
/// text, and those of the template version that were not.
fn found_and_missing(
    report: &model::Report,
    template: &reporting::ReportTemplate,
) -> (Vec<String>, Vec<String>) {
    let is_question = |n: &str| template.get(n).is_some_and(|q| q.depth == 3);
    let found: Vec<String> = report
        .numbers()
        .filter(|n| is_question(n))
        .map(str::to_string)
        .collect();
    let missing = template
        .questions
        .iter()
        .filter(|q| q.depth == 3 && !found.contains(&q.number))
        .map(|q| q.number.clone())
        .collect();
    (found, missing)
}

/// The template version of the report's year and the report's path, when the member
/// slug is valid and the report is not there yet (or `--force` replaces it).
fn target<'a>(
    site: &Site<'a>,
    job: &Job,
    force: bool,
) -> Result<(&'a reporting::ReportTemplate, PathBuf), Failed> {
    if !is_slug(&job.member, '-') {
        return Err(Box::new(
            Diagnostic::file(&job.input, format!("`{}` is not a member slug", job.member))
                .with_help(
                    "use lower-case letters a–z, digits and hyphens, for example fjordvik-kommune",
                ),
        ));
    }
    let template = reporting::choose(
        site.templates,
        None,
        job.year,
        site.config.default_template.as_deref(),
    )
    .map_err(|no| Diagnostic::file(&job.input, no.message).with_help(no.help))?;
    let path = Path::new("content/members")
        .join(&job.member)
        .join(format!("{}.md", job.year));
    if site.root.join(&path).exists() && !force {
        return Err(Box::new(
            Diagnostic::file(&path, "the report exists already")
                .with_help("give --force to replace it with the import"),
        ));
    }
    Ok((template, path))
}

/// How the report is dated, and how to say so: `--published`, else the PDF's creation
/// date, else a draft.
fn dating(published: Option<Date>, created: Option<Date>) -> (Dating, String) {
    match (published, created) {
        (Some(d), _) => (Dating::Published(d), format!("published = {d} (--published)")),
        (None, Some(d)) => (
            Dating::Published(d),
            format!("published = {d} (the PDF's creation date: check it)"),
        ),
        (None, None) => (
            Dating::Draft,
            "draft = true (no publication date: set `published = …` and remove `draft`, or import with --published)".to_string(),
        ),
    }
}

/// A new member's `member.toml`, and a warning when its sector had to be assumed.
fn new_member_toml(
    report: &model::Report,
    job: &Job,
    sector: Option<Sector>,
    from: &str,
    path: &Path,
) -> (String, Option<Diagnostic>) {
    let name = report
        .member
        .name
        .clone()
        .unwrap_or_else(|| crate::new::name_from_slug(&job.member));
    let guessed = crate::new::guess_sector(&name);
    let warning = (sector.is_none() && guessed.is_none()).then(|| {
        Diagnostic::file(
            path,
            format!("the sector of `{name}` is not known: \"public\" was written"),
        )
        .with_help("set sector in member.toml, or import with --sector private")
        .warning()
    });
    let known = sector.is_some() || guessed.is_some();
    let sector = sector.or(guessed).unwrap_or(Sector::Public);
    let toml = write::member_toml(&report.member, &job.member, sector, known, from);
    (toml, warning)
}

/// Writes `text` to `rel` in the site, making its folder.
fn write_file(root: &Path, rel: &Path, text: &str) -> Result<(), Failed> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::file(rel, format!("cannot create the folder: {e}")))?;
    }
    std::fs::write(&path, text)
        .map_err(|e| Box::new(Diagnostic::file(rel, format!("cannot write the file: {e}"))))
}

/// A warning of the recogniser, at its line of the input.
fn warning_at(source: &Source, note: &Note) -> Diagnostic {
    match at_line(source, note.line) {
        Some(span) => source.error(span, note.message.clone()).warning(),
        None => Diagnostic::file(&source.path, note.message.clone()).warning(),
    }
}

/// The byte span of line `no` (1-based) of the source, for a diagnostic there: the
/// line's text after a page-break mark.
fn at_line(source: &Source, no: usize) -> Option<Range<usize>> {
    let range = source.line_range(no)?;
    let line = &source.text[range.clone()];
    let body = line.trim_end_matches('\r');
    let lead = body.len() - body.trim_start_matches(['\u{c}', ' ']).len();
    Some(range.start + lead..range.start + body.len().max(lead + 1))
}

/// Runs `check` on the site and keeps what it says of the written files.
fn check_written(opts: &ImportOptions, outcome: &mut Outcome) {
    let result = check(&CheckOptions {
        root: opts.root.clone(),
        drafts: true,
    });
    let written: Vec<&PathBuf> = outcome
        .imported
        .iter()
        .flat_map(|i| std::iter::once(&i.report).chain(&i.member_toml))
        .collect();
    let member_dirs: Vec<PathBuf> = outcome
        .imported
        .iter()
        .filter_map(|i| i.report.parent().map(Path::to_path_buf))
        .collect();
    for d in result.diagnostics {
        // The member's folder and member.toml: a problem there keeps the report out.
        let of_member = member_dirs
            .iter()
            .any(|m| d.file == *m || d.file == m.join("member.toml"));
        if written.iter().any(|w| **w == d.file) || of_member {
            outcome.checked.push(d);
        } else if d.is_error() {
            outcome.other_errors += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_lines() {
        let s = Source::new("x.txt", "a\n\u{c}bcd\n\n ef\n");
        assert_eq!(at_line(&s, 2), Some(3..6));
        assert_eq!(at_line(&s, 4), Some(9..11));
        assert_eq!(at_line(&s, 9), None);
    }
}
