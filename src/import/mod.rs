//! `aktsom import`: a report as the association has it (its PDF, or the PDF's text as
//! `pdftotext` gives it) made into `content/members/<slug>/<year>.md`, and a new
//! member's `member.toml`.
//!
//! `source` reads the input (running `pdftotext` for a PDF) into lines; `layout`
//! recognises the report in them against the template version of its year, into a
//! `model::Report`; `write` writes that as Markdown. The importer depends on the
//! core (site.toml, the templates, `check`); nothing in the core depends on it.

mod forms;
mod layout;
mod model;
mod paragraphs;
mod source;
mod tables;
mod text;
mod write;

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::check::{CheckOptions, check};
use crate::config::{SiteConfig, is_slug};
use crate::content::{Date, Sector};
use crate::diagnostics::{Diagnostic, Source};
use crate::reporting;

pub(crate) use model::{Figure, Note, NoteKind, TableFound};
use write::Dating;

/// What `aktsom import` is asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site (the folder with site.toml).
    pub root: PathBuf,
    /// A report's `.pdf` or `.txt`, or a folder of them named `<slug>-<year>.pdf|txt`.
    pub input: PathBuf,
    /// The member's slug (its folder in `content/members/`) when one file is imported;
    /// `None`: taken from the file's name, else from the member's name in the report.
    pub member: Option<String>,
    /// The reporting year when one file is imported; `None`: taken from the file's name,
    /// else from the report's text.
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
    /// The reports written, one per file imported, in the order of the files.
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

/// One file to import: the file, the member and the year.
struct Job {
    input: PathBuf,
    member: String,
    year: u16,
}

/// `fjordvik-kommune-2024.pdf` → (`fjordvik-kommune`, 2024).
fn member_and_year(path: &Path) -> Option<(String, u16)> {
    let stem = path.file_stem()?.to_str()?;
    let (slug, year) = stem.rsplit_once('-')?;
    let year: u16 = year.parse().ok().filter(|_| year.len() == 4)?;
    is_slug(slug, '-').then(|| (slug.to_string(), year))
}

fn is_report_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
}

/// The files to import, and the files of a folder that are left alone (with why).
fn jobs(opts: &ImportOptions) -> Result<(Vec<Job>, Vec<String>), Vec<Diagnostic>> {
    let input = &opts.input;
    if !input.is_dir() {
        let named = member_and_year(input);
        let member = opts
            .member
            .clone()
            .or_else(|| named.as_ref().map(|n| n.0.clone()));
        let year = opts.year.or(named.map(|n| n.1));
        let (Some(member), Some(year)) = (member, year) else {
            return Err(vec![
                Diagnostic::file(input, "which member and year is this report?").with_help(
                    "give --member SLUG --year YEAR, or name the file <slug>-<year>.pdf",
                ),
            ]);
        };
        return Ok((
            vec![Job {
                input: input.clone(),
                member,
                year,
            }],
            Vec::new(),
        ));
    }
    if opts.member.is_some() || opts.year.is_some() {
        return Err(vec![
            Diagnostic::file(input, "--member and --year are for one file, not a folder")
                .with_help(
                    "in a folder, each file's name says its member and year: <slug>-<year>.pdf",
                ),
        ]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .map_err(|e| {
            vec![Diagnostic::file(
                input,
                format!("cannot read the folder: {e}"),
            )]
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_report_file(p))
        .collect();
    files.sort();
    let (mut out, mut ignored): (Vec<Job>, Vec<String>) = (Vec::new(), Vec::new());
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match member_and_year(&f) {
            Some((member, year)) if out.iter().any(|j| j.member == member && j.year == year) => {
                ignored.push(format!("{name}: the same report as a file before it"));
            }
            Some((member, year)) => out.push(Job {
                input: f,
                member,
                year,
            }),
            None => ignored.push(format!("{name}: not named <slug>-<year>.pdf or .txt")),
        }
    }
    Ok((out, ignored))
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
    let member_toml = Path::new("content/members")
        .join(&job.member)
        .join("member.toml");
    let new_member = !site.root.join(&member_toml).exists();
    if new_member {
        let (toml, warning) = new_member_toml(&report, job, opts.sector, &from, &member_toml);
        warnings.extend(warning);
        write_file(site.root, &member_toml, &toml)?;
    }
    let markdown = write::report_markdown(&report, job.year, &dating, &from);
    write_file(site.root, &report_path, &markdown)?;
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
    Ok(Imported {
        input: job.input.clone(),
        report: report_path,
        member_toml: new_member.then_some(member_toml),
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

/// `1 row`, `3 rows`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What an import found, for the terminal.
pub fn summary(i: &Imported) -> String {
    let mut out = format!("Imported {} → {}\n", i.input.display(), i.report.display());
    if let Some(m) = &i.member_toml {
        let _ = writeln!(out, "  new member: {}", m.display());
    }
    let total = i.found.len() + i.missing.len();
    let _ = writeln!(
        out,
        "  template version {}: {} of {total} questions found",
        i.template,
        i.found.len()
    );
    let missing = if i.missing.is_empty() {
        "none".to_string()
    } else {
        i.missing.join(", ")
    };
    let _ = writeln!(out, "  missing: {missing}");
    let figures: Vec<String> = i
        .figures
        .iter()
        .map(|f| {
            let v = if f.whole {
                format!("{}", f.value as i64)
            } else {
                f.value.to_string()
            };
            format!("{} = {v} (line {})", f.id, f.line)
        })
        .collect();
    let figures = if figures.is_empty() {
        "none".to_string()
    } else {
        figures.join(", ")
    };
    let _ = writeln!(out, "  key figures: {figures}");
    let tables: Vec<String> = i
        .tables
        .iter()
        .map(|t| match (t.as_table, t.rows) {
            (_, 0) => format!("{} empty (line {})", t.place, t.line),
            (true, rows) => format!(
                "{} {} × {} columns (line {})",
                t.place,
                count(rows, "row"),
                t.columns,
                t.line
            ),
            (false, rows) => format!(
                "{} {} as text (line {})",
                t.place,
                count(rows, "record"),
                t.line
            ),
        })
        .collect();
    let tables = if tables.is_empty() {
        "none".to_string()
    } else {
        tables.join("; ")
    };
    let _ = writeln!(out, "  tables: {tables}");
    for s in &i.skipped {
        let lines = if s.end > s.line {
            format!("lines {}–{}", s.line, s.end)
        } else {
            format!("line {}", s.line)
        };
        let _ = writeln!(
            out,
            "  left out, the form's own text: {lines} ({})",
            s.message
        );
    }
    let _ = writeln!(out, "  {}", i.dating);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_and_year_from_file_names() {
        assert_eq!(
            member_and_year(Path::new("x/fjordvik-kommune-2024.pdf")),
            Some(("fjordvik-kommune".into(), 2024))
        );
        assert_eq!(member_and_year(Path::new("rapport.pdf")), None);
        assert_eq!(member_and_year(Path::new("Fjordvik-2024.txt")), None);
        assert_eq!(member_and_year(Path::new("fjordvik-24.txt")), None);
    }

    #[test]
    fn spans_of_lines() {
        let s = Source::new("x.txt", "a\n\u{c}bcd\n\n ef\n");
        assert_eq!(at_line(&s, 2), Some(3..6));
        assert_eq!(at_line(&s, 4), Some(9..11));
        assert_eq!(at_line(&s, 9), None);
    }
}
