//! Loading a site's content into the typed model: members, reports and pages.
//!
//! Everything read here is untrusted. Each problem becomes a [`Diagnostic`] with the
//! file, line and column; loading goes on after an error so that all problems are
//! reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::{Lang, SiteConfig, is_slug};
use crate::diagnostics::{
    self, Diagnostic, FileDiagnostics, Source, cap_per_file, did_you_mean, list_dir, parse_toml,
    read_text, regular_file, unreadable,
};
use crate::markdown::{self, MdContext, Rendered};
use crate::reporting::{self, ReportTemplate};

/// File types published from a member's folder.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp"];

/// Page slugs the generator uses itself.
pub const RESERVED_SLUGS: &[&str] = &["medlemmer", "ar", "sok", "data", "sporsmal", "404"];

pub use crate::diagnostics::MAX_FILE_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    Public,
    Private,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInfo {
    pub name: String,
    pub sector: Sector,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub member_since: Option<u16>,
    #[serde(default)]
    pub org_number: Option<String>,
    /// The head office's address.
    #[serde(default)]
    pub address: Option<String>,
}

const MEMBER_KEYS: &[&str] = &[
    "name",
    "sector",
    "industry",
    "website",
    "member_since",
    "org_number",
    "address",
];

#[derive(Debug)]
pub struct Member {
    pub slug: String,
    pub info: MemberInfo,
    /// Sorted by year.
    pub reports: Vec<Report>,
    /// Image file names in the member's folder.
    pub images: BTreeSet<String>,
    pub dir: PathBuf,
}

#[derive(Debug)]
pub struct Report {
    pub member: String,
    pub year: u16,
    pub title: Option<String>,
    /// The language the report is written in, when it is not the site's.
    pub language: Option<String>,
    pub draft: bool,
    pub published: Option<Date>,
    pub template: String,
    /// Reported key figures; an absent id means "not reported".
    pub figures: BTreeMap<String, f64>,
    pub body: Rendered,
    /// The template positions of the questions the report answers, in its order: a
    /// compact copy of its sections' numbers for counting answers across reports.
    pub answered: Vec<u16>,
    pub source: Source,
}

impl Report {
    pub fn lang(&self, site: Lang) -> Lang {
        self.language.as_deref().map_or(site, Lang::for_code)
    }
}

/// A free-standing page: `content/<slug>.md`.
#[derive(Debug)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub body: Rendered,
    pub source: Source,
}

/// The whole site as a typed model, ready to render.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub templates: BTreeMap<String, ReportTemplate>,
    /// Sorted by slug.
    pub members: Vec<Member>,
    /// Sorted by slug; the front page text is kept apart.
    pub pages: Vec<Page>,
    pub front: Option<Page>,
    pub warnings: Vec<Diagnostic>,
}

pub struct LoadOptions {
    pub drafts: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    year: Spanned<i64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    published: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    template: Option<Spanned<String>>,
    #[serde(default)]
    figures: BTreeMap<String, Spanned<toml::Value>>,
}

const REPORT_KEYS: &[&str] = &[
    "year",
    "title",
    "language",
    "draft",
    "published",
    "template",
    "figures",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFrontMatter {
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// Loads and validates the whole site. Errors come back all at once, together with the
/// warnings found so far.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Site, Vec<Diagnostic>> {
    let (mut site, mut errors) = load_partial(root, opts)?;
    if errors.is_empty() {
        Ok(site)
    } else {
        errors.append(&mut site.warnings);
        sort_diagnostics(&mut errors);
        Err(errors)
    }
}

/// Sorts diagnostics by file, line and column (errors first on the same spot).
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diagnostics::sort(diags);
}

/// Loads the whole site and goes on after errors: the model of everything that loaded
/// (with its warnings), and every error. A report or page with an error is left out of
/// the model. Problems that stop everything (site.toml, the reporting templates) come
/// back as `Err`.
pub fn load_partial(
    root: &Path,
    opts: &LoadOptions,
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let config = SiteConfig::load(root)?;
    let templates = reporting::load_all(root)?;
    let mut errors = Vec::new();
    if let Some(v) = config
        .default_template
        .as_ref()
        .filter(|v| !templates.contains_key(*v))
    {
        errors.push(
            Diagnostic::file(
                "site.toml",
                format!("default_template \"{v}\" has no file report-templates/{v}.toml"),
            )
            .with_help(format!(
                "the template versions are: {}",
                templates.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        );
        return Err(errors);
    }
    let mut warnings = Vec::new();
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());

    // Members and the report files in their folders.
    let members_shown = Path::new("content/members");
    let member_dirs =
        content_entries(&root.join(members_shown), members_shown).unwrap_or_else(|d| {
            errors.push(d);
            Vec::new()
        });
    let mut members = Vec::new();
    let mut jobs: Vec<(usize, PathBuf, PathBuf, u16)> = Vec::new();
    for dir in member_dirs {
        let slug = file_name(&dir);
        let shown_dir = members_shown.join(&slug);
        if let Err(d) = stays_inside(&dir, &root_canon, &shown_dir, "folder") {
            errors.push(d);
            continue;
        }
        match std::fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            // Files beside the member folders are not read.
            Ok(_) => continue,
            Err(e) => {
                errors.push(unreadable(&shown_dir, "folder", &e));
                continue;
            }
        }
        if !is_slug(&slug, '-') {
            errors.push(
                Diagnostic::file(
                    &shown_dir,
                    format!("the member folder name `{slug}` is not a valid slug"),
                )
                .with_help(
                    "use lower-case letters a–z, digits and hyphens, for example fjordvik-kommune",
                ),
            );
            continue;
        }
        let files = match content_entries(&dir, &shown_dir) {
            Ok(files) => files,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let info = match load_member_info(&dir, &shown_dir, &root_canon) {
            Ok(info) => info,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let index = members.len();
        let mut images = BTreeSet::new();
        for file in files {
            let name = file_name(&file);
            let shown = shown_dir.join(&name);
            if let Err(d) = stays_inside(&file, &root_canon, &shown, "file") {
                errors.push(d);
                continue;
            }
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext == "md" {
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                match stem.parse::<u16>() {
                    Ok(year) if stem.len() == 4 => jobs.push((index, file.clone(), shown, year)),
                    _ => errors.push(
                        Diagnostic::file(
                            &shown,
                            "a report file must be named after its year, like 2024.md",
                        )
                        .with_help("rename the file to <year>.md"),
                    ),
                }
            } else if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
                match check_image(&file, &shown) {
                    Ok(()) => {
                        images.insert(name);
                    }
                    Err(d) => errors.push(d),
                }
            }
        }
        members.push(Member {
            slug,
            info,
            reports: Vec::new(),
            images,
            dir,
        });
    }

    // Reports, parsed and rendered in parallel.
    let results: Vec<(usize, Result<Report, Vec<Diagnostic>>)> = jobs
        .par_iter()
        .map(|(index, path, shown, year)| {
            let m = &members[*index];
            (
                *index,
                load_report(path, shown, *year, m, &config, &templates),
            )
        })
        .collect();
    for (index, result) in results {
        match result {
            Ok(report) => {
                warnings.extend(report.body.warnings.iter().cloned());
                if report.draft && !opts.drafts {
                    continue;
                }
                members[index].reports.push(report);
            }
            Err(e) => split_by_severity(e, &mut errors, &mut warnings),
        }
    }
    for m in &mut members {
        m.reports.sort_by_key(|r| r.year);
    }

    // Free-standing pages.
    let mut pages = Vec::new();
    let mut front = None;
    let content = Path::new("content");
    let page_files = content_entries(&root.join(content), content).unwrap_or_else(|d| {
        errors.push(d);
        Vec::new()
    });
    for file in page_files {
        if file.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let slug = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let shown = Path::new("content").join(file_name(&file));
        if let Err(d) = stays_inside(&file, &root_canon, &shown, "file") {
            errors.push(d);
            continue;
        }
        if slug != "index" && (!is_slug(&slug, '-') || RESERVED_SLUGS.contains(&slug.as_str())) {
            errors.push(
                Diagnostic::file(&shown, format!("`{slug}` cannot be a page name")).with_help(
                    format!(
                        "use lower-case letters, digits and hyphens, and none of: {}",
                        RESERVED_SLUGS.join(", ")
                    ),
                ),
            );
            continue;
        }
        match load_page(&file, &shown, &slug, &config) {
            Ok(page) => {
                warnings.extend(page.body.warnings.iter().cloned());
                if slug == "index" {
                    front = Some(page);
                } else {
                    pages.push(page);
                }
            }
            Err(e) => split_by_severity(e, &mut errors, &mut warnings),
        }
    }

    let mut errors = cap_per_file(errors);
    let mut warnings = cap_per_file(warnings);
    sort_diagnostics(&mut errors);
    sort_diagnostics(&mut warnings);
    Ok((
        Site {
            root: root.to_path_buf(),
            config,
            templates,
            members,
            pages,
            front,
            warnings,
        },
        errors,
    ))
}

fn split_by_severity(
    diags: Vec<Diagnostic>,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    for d in diags {
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }
}

/// The entries of a content folder, sorted, without hidden files and editor backups
/// (`.x`, `x~`, `#x#`). A folder that does not exist has none; one that cannot be read
/// is an error with the system's reason (never an empty site).
fn content_entries(dir: &Path, shown: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut v = list_dir(dir, shown)?.unwrap_or_default();
    v.retain(|p| {
        let name = file_name(p);
        !name.starts_with('.') && !name.ends_with('~') && !name.starts_with('#')
    });
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Refuses a file or folder (`what`) that is, or lies below, a symbolic link leading
/// out of the site root (`root` is canonical). Nothing outside the site is ever read or
/// published. A link that cannot be followed (a loop, a link to nothing, a folder on
/// the way that cannot be opened) is an error with the system's reason.
fn stays_inside(path: &Path, root: &Path, shown: &Path, what: &str) -> Result<(), Diagnostic> {
    match path.canonicalize() {
        Ok(target) if target.starts_with(root) => Ok(()),
        Ok(_) => Err(
            Diagnostic::file(shown, "a symbolic link that leads outside the site folder")
                .with_help("copy the file into the site instead of linking to it"),
        ),
        // A path that does not exist is reported where it is read.
        Err(_) if std::fs::symlink_metadata(path).is_err() => Ok(()),
        Err(e) => Err(unreadable(shown, what, &e)),
    }
}

/// An image is published as it is, so it is only opened here: it must be a regular
/// file that aktsom may read (what `build` will copy, `check` checks).
fn check_image(path: &Path, shown: &Path) -> Result<(), Diagnostic> {
    regular_file(path, shown)?;
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| unreadable(shown, "file", &e))
}

fn load_member_info(dir: &Path, shown_dir: &Path, root: &Path) -> Result<MemberInfo, Diagnostic> {
    let path = dir.join("member.toml");
    let shown = shown_dir.join("member.toml");
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Diagnostic::file(shown_dir, "the member folder has no member.toml")
                .with_help("add member.toml with name, sector, industry, website and member_since (see docs/content-format.md)"));
        }
        Err(e) => return Err(unreadable(&shown, "file", &e)),
        Ok(_) => {}
    }
    stays_inside(&path, root, &shown, "file")?;
    let source = read_text(&path, &shown)?;
    let info: MemberInfo = parse_toml(&source, &source.text, 0, MEMBER_KEYS)?;
    if let Some(w) = &info.website {
        // Characters a URL cannot hold: the address is published as a link.
        let bad = |c: char| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c);
        if !(w.starts_with("https://") || w.starts_with("http://")) || w.contains(bad) {
            let at = source.text.find("website").unwrap_or(0);
            return Err(source
                .error(
                    at..at + 7,
                    "website must be an http(s) address without spaces, quotes or angle brackets",
                )
                .with_help("for example website = \"https://www.example.no/\""));
        }
    }
    Ok(info)
}

/// Splits `+++` front matter from the body: (front matter text, its offset, body offset).
fn split_front_matter(source: &Source) -> Result<(&str, usize, usize), Diagnostic> {
    let text: &str = &source.text;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let t = &text[bom..];
    let first_end = t.find('\n').unwrap_or(t.len());
    if t[..first_end].trim_end() != "+++" {
        return Err(source
            .error(
                bom..bom + first_end,
                "the file must start with front matter between two `+++` lines",
            )
            .with_help("start the file with +++, then year = …, then +++ on a line of its own"));
    }
    let fm_start = bom + first_end + 1;
    let mut pos = fm_start;
    for line in text[fm_start.min(text.len())..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok((&text[fm_start..pos], fm_start, pos + line.len()));
        }
        pos += line.len();
    }
    Err(source
        .error(bom..bom + first_end, "the front matter is never closed")
        .with_help("add a line with +++ after the front matter"))
}

fn to_date(d: &toml::value::Datetime) -> Option<Date> {
    let date = d.date?;
    if d.time.is_some() || d.offset.is_some() {
        return None;
    }
    Some(Date {
        year: date.year,
        month: date.month,
        day: date.day,
    })
}

pub(crate) fn load_report(
    path: &Path,
    shown: &Path,
    file_year: u16,
    member: &Member,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<Report, Vec<Diagnostic>> {
    let source = read_text(path, shown).map_err(|d| vec![d])?;
    parse_report(source, file_year, member, config, templates)
}

/// A report's front matter, validated against the site's settings and templates.
#[derive(Debug, Clone)]
pub struct ReportFront {
    pub title: Option<String>,
    pub language: Option<String>,
    pub draft: bool,
    pub published: Option<Date>,
    /// The template version; `None` when the front matter names one that does not exist.
    pub template: Option<String>,
    pub figures: BTreeMap<String, f64>,
    /// Where the Markdown body starts in the file.
    pub body_offset: usize,
}

/// Parses and validates a report's front matter, as `aktsom build` does for
/// `content/members/<slug>/<file_year>.md`. A front matter that cannot be read at all
/// is `Err`; otherwise the front matter comes back with the errors found in it.
pub fn parse_front_matter(
    source: &Source,
    file_year: u16,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<(ReportFront, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (fm_text, fm_offset, body_offset) = split_front_matter(source).map_err(|d| vec![d])?;
    let fm: FrontMatter =
        parse_toml(source, fm_text, fm_offset, REPORT_KEYS).map_err(|d| vec![d])?;
    fn span_in<T>(s: &Spanned<T>, offset: usize) -> std::ops::Range<usize> {
        let r = s.span();
        r.start + offset..r.end + offset
    }
    macro_rules! at {
        ($s:expr) => {
            span_in($s, fm_offset)
        };
    }
    // At most MAX_DIAGNOSTICS_PER_FILE of them are built: a front matter may hold
    // 100,000 unknown figures.
    let mut found = FileDiagnostics::default();

    if *fm.year.get_ref() != i64::from(file_year) {
        found.error(|| {
            source
                .error(
                    at!(&fm.year),
                    format!(
                        "year {} does not match the file name {file_year}.md",
                        fm.year.get_ref()
                    ),
                )
                .with_help(format!(
                    "set year = {file_year}, or rename the file to {}.md",
                    fm.year.get_ref()
                ))
        });
    }
    if let Some(lang) = &fm.language {
        let l = lang.get_ref();
        let ok = !l.is_empty()
            && l.len() <= 12
            && l.split('-')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !ok {
            found.error(|| {
                source
                    .error(at!(lang), format!("`{l}` is not a language code"))
                    .with_help("use a code such as \"en\" or \"nb\"")
            });
        }
    }
    // The version its `template` key names, else the one of its year.
    let named = fm.template.as_ref().map(|t| t.get_ref().as_str());
    let fallback = config.default_template.as_deref();
    let template = match reporting::choose(templates, named, file_year, fallback) {
        Ok(t) => Some(t.version.clone()),
        Err(no) => {
            let span = fm.template.as_ref().map_or(at!(&fm.year), |t| at!(t));
            found.error(|| source.error(span, no.message).with_help(no.help));
            None
        }
    };
    let published = match &fm.published {
        Some(p) => match to_date(p.get_ref()) {
            Some(d) => Some(d),
            None => {
                found.error(|| {
                    source
                        .error(at!(p), "published must be a date without a time")
                        .with_help("write it as published = 2025-03-14")
                });
                None
            }
        },
        None => None,
    };
    if published.is_none() && fm.published.is_none() && !fm.draft {
        found.error(|| {
            source
                .error(
                    at!(&fm.year),
                    "a report that is not a draft needs a `published` date",
                )
                .with_help(
                    "add published = YYYY-MM-DD, or draft = true while the report is being written",
                )
        });
    }
    let mut figures = BTreeMap::new();
    for (id, value) in &fm.figures {
        if config.figure(id).is_none() {
            found.error(|| {
                let key_at = fm_text[..value.span().start]
                    .rfind(id.as_str())
                    .map_or(at!(value), |i| i + fm_offset..i + fm_offset + id.len());
                let ids = config.figures.iter().map(|f| f.id.as_str());
                let help = match did_you_mean(id, ids.clone()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the figures defined in site.toml are: {}",
                        ids.collect::<Vec<_>>().join(", ")
                    ),
                };
                source
                    .error(key_at, format!("unknown figure `{id}`"))
                    .with_help(help)
            });
            continue;
        }
        let number = match value.get_ref() {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        };
        match number {
            Some(n) if n >= 0.0 => {
                figures.insert(id.clone(), n);
            }
            Some(_) => found.error(||
                source
                    .error(at!(value), format!("figure `{id}` is negative"))
                    .with_help("key figures are counts and amounts: use 0 or a positive number"),
            ),
            None => found.error(||
                source
                    .error(at!(value), format!("figure `{id}` is not a number"))
                    .with_help("write the number without quotes or spaces, e.g. 3536883116; leave the figure out if it was not reported"),
            ),
        }
    }
    let front = ReportFront {
        title: fm.title,
        language: fm.language.map(|l| l.into_inner()),
        draft: fm.draft,
        published,
        template,
        figures,
        body_offset,
    };
    Ok((front, found.finish(source)))
}

/// Parses a report's text and renders its Markdown, as `aktsom build` does for
/// `content/members/<slug>/<file_year>.md` of `member`. Errors come back all at once,
/// with the warnings found on the way.
pub fn parse_report(
    source: Source,
    file_year: u16,
    member: &Member,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<Report, Vec<Diagnostic>> {
    let (front, mut errors) = parse_front_matter(&source, file_year, config, templates)?;
    let lang = front
        .language
        .as_deref()
        .map_or(config.language, Lang::for_code);
    let image_prefix = format!("{}medlemmer/{}/", config.base_path(), member.slug);
    let template = front.template.as_ref().and_then(|t| templates.get(t));
    let body = template.map(|t| {
        let cx = MdContext {
            source: &source,
            offset: front.body_offset,
            template: Some(t),
            lang,
            image_prefix: &image_prefix,
            images: &member.images,
            image_hosts: &config.images,
        };
        markdown::render(&source.text[front.body_offset..], &cx)
    });
    match body {
        Some(Ok(body)) if errors.is_empty() => Ok(Report {
            answered: template.map_or_else(Vec::new, |t| {
                body.sections
                    .iter()
                    .filter_map(|s| s.number.as_deref().and_then(|n| t.position(n)))
                    .filter_map(|p| u16::try_from(p).ok())
                    .collect()
            }),
            member: member.slug.clone(),
            year: file_year,
            title: front.title,
            language: front.language,
            draft: front.draft,
            published: front.published,
            template: front.template.unwrap_or_default(),
            figures: front.figures,
            body,
            source,
        }),
        // The front matter's diagnostics and the text's: one limit for the file.
        Some(Ok(body)) => {
            errors.extend(body.warnings);
            Err(cap_per_file(errors))
        }
        Some(Err(mut e)) => {
            errors.append(&mut e);
            Err(cap_per_file(errors))
        }
        None => Err(errors),
    }
}

fn load_page(
    path: &Path,
    shown: &Path,
    slug: &str,
    config: &SiteConfig,
) -> Result<Page, Vec<Diagnostic>> {
    let lang = config.language;
    let source = read_text(path, shown).map_err(|d| vec![d])?;
    let (fm_text, fm_offset, body_offset) = split_front_matter(&source).map_err(|d| vec![d])?;
    let fm: PageFrontMatter =
        parse_toml(&source, fm_text, fm_offset, &["title", "description"]).map_err(|d| vec![d])?;
    let images = BTreeSet::new();
    let cx = MdContext {
        source: &source,
        offset: body_offset,
        template: None,
        lang,
        image_prefix: "",
        images: &images,
        image_hosts: &config.images,
    };
    let body = markdown::render(&source.text[body_offset..], &cx)?;
    Ok(Page {
        slug: slug.to_string(),
        title: fm.title,
        description: fm.description,
        body,
        source,
    })
}
