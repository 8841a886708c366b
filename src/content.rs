//! Loading a site's content into the typed model: members, reports and pages.
//!
//! Everything read here is untrusted. Each problem becomes a [`Diagnostic`] with the
//! file, line and column; loading goes on after an error so that all problems are
//! reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::config::{Lang, SiteConfig, is_slug};
use crate::diagnostics::{
    self, Diagnostic, FileDiagnostics, Source, cap_per_file, did_you_mean, list_dir, parse_toml,
    read_text, regular_file, toml_error, unknown_key, unreadable,
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

/// What [`load_partial`] found: the model of everything that loaded without errors,
/// every error, and what was checked but is left out of the model.
#[derive(Debug)]
pub struct Loaded {
    /// Its `warnings` are every warning found while loading.
    pub site: Site,
    /// Every error, sorted by file, line and column.
    pub errors: Vec<Diagnostic>,
    pub left_out: LeftOut,
}

/// Reports and pages whose text was read and rendered but that are left out of the
/// model because of an error: in their front matter, or in their member's folder name
/// or `member.toml`. Never published; `aktsom check` analyses them too.
#[derive(Debug, Default)]
pub struct LeftOut {
    pub reports: Vec<Report>,
    pub pages: Vec<Page>,
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

const PAGE_KEYS: &[&str] = &["title", "description"];

/// The note on an error that keeps a report's text from being checked.
const REPORT_UNREAD: &str =
    "the report's text was not checked, since its front matter cannot be read";
const REPORT_NO_TEMPLATE: &str =
    "the report's text was not checked, since its template version is not known";
const PAGE_UNREAD: &str = "the page's text was not checked, since its front matter cannot be read";

/// Loads and validates the whole site. Errors come back all at once, together with the
/// warnings found so far.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Site, Vec<Diagnostic>> {
    let Loaded {
        mut site,
        mut errors,
        ..
    } = load_partial(root, opts)?;
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
/// (with its warnings), and every error. A report or page with an error, and a member
/// whose folder name or `member.toml` has one, are left out of the model; their files
/// are still checked (see [`LeftOut`]). Problems that stop everything (site.toml, the
/// reporting templates) come back as `Err`.
pub fn load_partial(root: &Path, opts: &LoadOptions) -> Result<Loaded, Vec<Diagnostic>> {
    let config = SiteConfig::load(root)?;
    let templates = reporting::load_all(root)?;
    default_template_exists(&config, &templates)?;
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut found = Found::default();
    let folders = member_folders(root, &root_canon, &mut found);
    let members = load_members(folders, &config, &templates, opts, &mut found);
    let (pages, front) = load_pages(root, &root_canon, &config, &mut found);
    let site = Site {
        root: root.to_path_buf(),
        config,
        templates,
        members,
        pages,
        front,
        warnings: Vec::new(),
    };
    Ok(found.finish(site))
}

/// site.toml's `default_template`, when it names one, must be a template file.
fn default_template_exists(
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<(), Vec<Diagnostic>> {
    match config.default_template.as_ref() {
        Some(v) if !templates.contains_key(v) => Err(vec![
            Diagnostic::file(
                "site.toml",
                format!("default_template \"{v}\" has no file report-templates/{v}.toml"),
            )
            .with_help(format!(
                "the template versions are: {}",
                templates.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        ]),
        _ => Ok(()),
    }
}

/// The diagnostics of the whole site as they are found, and what is left out of the
/// model.
#[derive(Default)]
struct Found {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    left_out: LeftOut,
}

impl Found {
    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// Takes one file's diagnostics; whether any of them is an error.
    fn file(&mut self, diags: Vec<Diagnostic>) -> bool {
        let mut failed = false;
        for d in diags {
            if d.is_error() {
                failed = true;
                self.errors.push(d);
            } else {
                self.warnings.push(d);
            }
        }
        failed
    }

    /// The site with its warnings, and the errors: each file's at most
    /// [`diagnostics::MAX_DIAGNOSTICS_PER_FILE`], sorted.
    fn finish(self, mut site: Site) -> Loaded {
        let mut errors = cap_per_file(self.errors);
        let mut warnings = cap_per_file(self.warnings);
        sort_diagnostics(&mut errors);
        sort_diagnostics(&mut warnings);
        site.warnings = warnings;
        Loaded {
            site,
            errors,
            left_out: self.left_out,
        }
    }
}

/// A member's folder as found on disk.
struct MemberFolder {
    slug: String,
    dir: PathBuf,
    /// `None` when the folder's name or its `member.toml` has an error: its reports
    /// are still checked, but the member is left out of the model.
    info: Option<MemberInfo>,
    /// Image file names.
    images: BTreeSet<String>,
    reports: Vec<ReportFile>,
}

/// A report file in a member's folder.
struct ReportFile {
    path: PathBuf,
    /// The path shown in diagnostics, relative to the site root.
    shown: PathBuf,
    /// The year of the file name.
    year: u16,
}

/// Every folder in `content/members/` that can be read.
fn member_folders(root: &Path, root_canon: &Path, found: &mut Found) -> Vec<MemberFolder> {
    let shown = Path::new("content/members");
    let dirs = content_entries(&root.join(shown), shown).unwrap_or_else(|d| {
        found.error(d);
        Vec::new()
    });
    dirs.into_iter()
        .filter_map(|dir| member_folder(dir, root_canon, found))
        .collect()
}

/// One member's folder; `None` when `dir` is not a folder, or cannot be read.
fn member_folder(dir: PathBuf, root_canon: &Path, found: &mut Found) -> Option<MemberFolder> {
    let slug = file_name(&dir);
    let shown = Path::new("content/members").join(&slug);
    if let Err(d) = stays_inside(&dir, root_canon, &shown, "folder") {
        found.error(d);
        return None;
    }
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        // Files beside the member folders are not read.
        Ok(_) => return None,
        Err(e) => {
            found.error(unreadable(&shown, "folder", &e));
            return None;
        }
    }
    let files = content_entries(&dir, &shown)
        .map_err(|d| found.error(d))
        .ok()?;
    let valid = is_slug(&slug, '-');
    if !valid {
        found.error(
            Diagnostic::file(
                &shown,
                format!("the member folder name `{slug}` is not a valid slug"),
            )
            .with_help(
                "use lower-case letters a–z, digits and hyphens, for example fjordvik-kommune",
            ),
        );
    }
    let info = load_member_info(&dir, &shown, root_canon)
        .map_err(|d| found.error(d))
        .ok();
    let (images, reports) = folder_files(files, &shown, root_canon, found);
    Some(MemberFolder {
        slug,
        dir,
        info: info.filter(|_| valid),
        images,
        reports,
    })
}

/// Sorts a member folder's files into images and report files; other files are not
/// read.
fn folder_files(
    files: Vec<PathBuf>,
    shown_dir: &Path,
    root_canon: &Path,
    found: &mut Found,
) -> (BTreeSet<String>, Vec<ReportFile>) {
    let mut images = BTreeSet::new();
    let mut reports = Vec::new();
    for file in files {
        let name = file_name(&file);
        let shown = shown_dir.join(&name);
        if let Err(d) = stays_inside(&file, root_canon, &shown, "file") {
            found.error(d);
            continue;
        }
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext == "md" {
            match report_year(&file) {
                Some(year) => reports.push(ReportFile {
                    path: file,
                    shown,
                    year,
                }),
                None => found.error(
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
                Err(d) => found.error(d),
            }
        }
    }
    (images, reports)
}

/// The year a report file is named after: `2024.md`.
fn report_year(file: &Path) -> Option<u16> {
    let stem = file.file_stem().and_then(|s| s.to_str())?;
    if stem.len() == 4 {
        stem.parse().ok()
    } else {
        None
    }
}

/// Reads and renders the reports of every folder in parallel, and makes the members.
/// A report goes into its member's model when neither it nor its member has an error
/// (drafts only when `opts.drafts`); one with an error whose text was rendered, and
/// every report of a member left out, go into [`LeftOut`].
fn load_members(
    folders: Vec<MemberFolder>,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
    opts: &LoadOptions,
    found: &mut Found,
) -> Vec<Member> {
    let jobs: Vec<(usize, &ReportFile)> = folders
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.reports.iter().map(move |r| (i, r)))
        .collect();
    let read: Vec<(usize, ReadReport)> = jobs
        .par_iter()
        .map(|&(i, file)| {
            let owner = Owner::of_folder(&folders[i]);
            let read = read_text(&file.path, &file.shown).map_or_else(
                |d| (None, vec![d]),
                |source| read_report(source, file.year, owner, config, templates),
            );
            (i, read)
        })
        .collect();
    let mut reports: Vec<Vec<Report>> = folders.iter().map(|_| Vec::new()).collect();
    for (i, (report, diags)) in read {
        let failed = found.file(diags);
        match report {
            Some(r) if failed || folders[i].info.is_none() => found.left_out.reports.push(r),
            Some(r) if opts.drafts || !r.draft => reports[i].push(r),
            _ => {}
        }
    }
    folders
        .into_iter()
        .zip(reports)
        .filter_map(|(f, mut reports)| {
            reports.sort_by_key(|r| r.year);
            Some(Member {
                slug: f.slug,
                info: f.info?,
                reports,
                images: f.images,
                dir: f.dir,
            })
        })
        .collect()
}

/// The free-standing pages, `content/<slug>.md`, and the front page's text,
/// `content/index.md`.
fn load_pages(
    root: &Path,
    root_canon: &Path,
    config: &SiteConfig,
    found: &mut Found,
) -> (Vec<Page>, Option<Page>) {
    let content = Path::new("content");
    let files = content_entries(&root.join(content), content).unwrap_or_else(|d| {
        found.error(d);
        Vec::new()
    });
    let mut pages = Vec::new();
    let mut front = None;
    for file in files {
        let Some((slug, shown)) = page_file(&file, root_canon, found) else {
            continue;
        };
        let (page, diags) = load_page(&file, &shown, &slug, config);
        let failed = found.file(diags);
        match page {
            Some(page) if failed => found.left_out.pages.push(page),
            Some(page) if slug == "index" => front = Some(page),
            Some(page) => pages.push(page),
            None => {}
        }
    }
    (pages, front)
}

/// A page's slug and the path shown, when `file` is a page file (`.md`) with a name a
/// page may have.
fn page_file(file: &Path, root_canon: &Path, found: &mut Found) -> Option<(String, PathBuf)> {
    if file.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let slug = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let shown = Path::new("content").join(file_name(file));
    if let Err(d) = stays_inside(file, root_canon, &shown, "file") {
        found.error(d);
        return None;
    }
    if slug != "index" && (!is_slug(&slug, '-') || RESERVED_SLUGS.contains(&slug.as_str())) {
        found.error(
            Diagnostic::file(&shown, format!("`{slug}` cannot be a page name")).with_help(format!(
                "use lower-case letters, digits and hyphens, and none of: {}",
                RESERVED_SLUGS.join(", ")
            )),
        );
        return None;
    }
    Some((slug, shown))
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

/// A front matter's keys and their values, read without types: each key is checked on
/// its own, so that an unknown key or a value of the wrong type is one error and hides
/// neither the other keys nor the text below. (Deserialising into a struct with
/// `deny_unknown_fields` stops at the first.)
struct FrontKeys<'a> {
    source: &'a Source,
    /// Where the front matter starts in the file.
    offset: usize,
    /// The known keys that are there.
    values: BTreeMap<String, Spanned<DeValue<'a>>>,
    /// The known keys suggested for unknown ones (`publised`): a missing key that is
    /// one of them is not reported again.
    suggested: BTreeSet<String>,
}

impl<'a> FrontKeys<'a> {
    /// Reads the front matter `text`, found at `offset` in `source`: `Err` only when it
    /// is not TOML. Every key not in `known` is an error in `found`.
    fn parse(
        source: &'a Source,
        text: &'a str,
        offset: usize,
        known: &[&str],
        found: &mut FileDiagnostics,
    ) -> Result<Self, Diagnostic> {
        let table = DeTable::parse(text).map_err(|e| toml_error(source, &e, offset, known))?;
        let mut values = BTreeMap::new();
        let mut suggested = BTreeSet::new();
        for (key, value) in table.into_inner() {
            let at = key.span().start + offset..key.span().end + offset;
            let key = key.into_inner().into_owned();
            if known.contains(&key.as_str()) {
                values.insert(key, value);
            } else {
                suggested.extend(did_you_mean(&key, known.iter().copied()).map(str::to_string));
                found.error(|| unknown_key(source, at, &key, known));
            }
        }
        Ok(FrontKeys {
            source,
            offset,
            values,
            suggested,
        })
    }

    fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// Whether `key` is missing and not reported yet (as the suggestion for an unknown
    /// key).
    fn lacks(&self, key: &str) -> bool {
        !self.has(key) && !self.suggested.contains(key)
    }

    /// Takes the value of `key` as a `T`, with its span in the file: `None` when the key
    /// is not there, or when its value is not a `T` (an error in `found`).
    fn take<T: DeserializeOwned>(
        &mut self,
        key: &str,
        found: &mut FileDiagnostics,
    ) -> Option<Spanned<T>> {
        let value = self.values.remove(key)?;
        let at = self.at(value.span());
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(Spanned::new(at, v)),
            Err(e) => {
                found.error(|| {
                    let span = e.span().map_or(at, |s| self.at(s));
                    let message = e.message().trim();
                    self.source
                        .error(span, message.lines().next().unwrap_or(message))
                        .with_help("see docs/content-format.md for the expected keys and types")
                });
                None
            }
        }
    }

    /// A span of the front matter text as a span of the file.
    fn at(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    /// The front matter's first line, the `+++` above its keys: where a missing key is
    /// reported.
    fn first_line(&self) -> Range<usize> {
        let head = self.source.text[..self.offset].trim_end_matches(['\r', '\n']);
        head.rfind('\n').map_or(0, |i| i + 1)..head.len()
    }

    fn missing(&self, key: &str, help: impl Into<String>) -> Diagnostic {
        self.source
            .error(
                self.first_line(),
                format!("the front matter has no `{key}`"),
            )
            .with_help(help)
    }
}

/// A report's front matter, validated against the site's settings and templates.
#[derive(Debug, Clone)]
pub struct ReportFront {
    pub title: Option<String>,
    pub language: Option<String>,
    pub draft: bool,
    pub published: Option<Date>,
    /// The template version; `None` when it is not known (the front matter names one
    /// that does not exist, or none fits the year).
    pub template: Option<String>,
    pub figures: BTreeMap<String, f64>,
    /// Where the Markdown body starts in the file.
    pub body_offset: usize,
}

/// Parses and validates a report's front matter, as `aktsom build` does for
/// `content/members/<slug>/<file_year>.md`. A front matter that cannot be read at all
/// (no `+++` lines, a TOML syntax error) is `Err`; otherwise the front matter comes
/// back with every error found in it, each key checked on its own.
pub fn parse_front_matter(
    source: &Source,
    file_year: u16,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<(ReportFront, Vec<Diagnostic>), Vec<Diagnostic>> {
    let unread = |d: Diagnostic| vec![d.with_note(REPORT_UNREAD)];
    let (fm_text, fm_offset, body_offset) = split_front_matter(source).map_err(unread)?;
    // At most MAX_DIAGNOSTICS_PER_FILE of them are built: a front matter may hold
    // 100,000 unknown figures.
    let mut found = FileDiagnostics::default();
    let mut keys =
        FrontKeys::parse(source, fm_text, fm_offset, REPORT_KEYS, &mut found).map_err(unread)?;
    // The template version goes by the file name's year, which `year` must repeat.
    let year_at = front_year(&mut keys, file_year, &mut found);
    let template = front_template(
        &mut keys, &year_at, file_year, config, templates, &mut found,
    );
    let language = front_language(&mut keys, &mut found);
    let title = keys.take::<String>("title", &mut found);
    let (draft, published) = front_dates(&mut keys, &year_at, &mut found);
    let figures = front_figures(&mut keys, fm_text, config, &mut found);
    let front = ReportFront {
        title: title.map(Spanned::into_inner),
        language,
        draft,
        published,
        template,
        figures,
        body_offset,
    };
    Ok((front, found.finish(source)))
}

/// Checks `year` against the file name; where it is (the front matter's first line
/// when it is not there).
fn front_year(keys: &mut FrontKeys, file_year: u16, found: &mut FileDiagnostics) -> Range<usize> {
    let lacks = keys.lacks("year");
    match keys.take::<i64>("year", found) {
        Some(y) if *y.get_ref() != i64::from(file_year) => {
            found.error(|| {
                keys.source
                    .error(
                        y.span(),
                        format!(
                            "year {} does not match the file name {file_year}.md",
                            y.get_ref()
                        ),
                    )
                    .with_help(format!(
                        "set year = {file_year}, or rename the file to {}.md",
                        y.get_ref()
                    ))
            });
            y.span()
        }
        Some(y) => y.span(),
        None => {
            if lacks {
                found.error(|| {
                    keys.missing(
                        "year",
                        format!("add year = {file_year}, the year of the file name"),
                    )
                });
            }
            keys.first_line()
        }
    }
}

/// The template version: the one `template` names, else the one of the year. `None`,
/// with the error and a note that the text was not checked, when there is none.
fn front_template(
    keys: &mut FrontKeys,
    year_at: &Range<usize>,
    file_year: u16,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
    found: &mut FileDiagnostics,
) -> Option<String> {
    let named = match keys.values.remove("template") {
        None => None,
        Some(v) => {
            let at = keys.at(v.span());
            match v.get_ref().as_str() {
                Some(name) => Some((name.to_string(), at)),
                None => {
                    found.error(|| {
                        keys.source
                            .error(at, "template must be a string: a template version's name")
                            .with_help("write it in quotes, like template = \"2024\", or leave it out to use the version of the report's year")
                            .with_note(REPORT_NO_TEMPLATE)
                    });
                    return None;
                }
            }
        }
    };
    let fallback = config.default_template.as_deref();
    let name = named.as_ref().map(|(n, _)| n.as_str());
    match reporting::choose(templates, name, file_year, fallback) {
        Ok(t) => Some(t.version.clone()),
        Err(no) => {
            let span = named.map_or_else(|| year_at.clone(), |(_, at)| at);
            found.error(|| {
                keys.source
                    .error(span, no.message)
                    .with_help(no.help)
                    .with_note(REPORT_NO_TEMPLATE)
            });
            None
        }
    }
}

/// The report's language code, when it has one that looks like a code.
fn front_language(keys: &mut FrontKeys, found: &mut FileDiagnostics) -> Option<String> {
    let lang = keys.take::<String>("language", found)?;
    let l = lang.get_ref();
    let ok = !l.is_empty()
        && l.len() <= 12
        && l.split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        found.error(|| {
            keys.source
                .error(lang.span(), format!("`{l}` is not a language code"))
                .with_help("use a code such as \"en\" or \"nb\"")
        });
        return None;
    }
    Some(lang.into_inner())
}

/// `draft` and `published`: a report that is not a draft needs a publication date.
fn front_dates(
    keys: &mut FrontKeys,
    year_at: &Range<usize>,
    found: &mut FileDiagnostics,
) -> (bool, Option<Date>) {
    // `None`: `draft` is there, but not true or false.
    let draft = match keys.has("draft") {
        true => keys.take::<bool>("draft", found).map(Spanned::into_inner),
        false => Some(false),
    };
    let undated = keys.lacks("published");
    let published = keys
        .take::<toml::value::Datetime>("published", found)
        .and_then(|p| {
            let date = to_date(p.get_ref());
            if date.is_none() {
                found.error(|| {
                    keys.source
                        .error(p.span(), "published must be a date without a time")
                        .with_help("write it as published = 2025-03-14")
                });
            }
            date
        });
    if undated && draft == Some(false) {
        found.error(|| {
            keys.source
                .error(
                    year_at.clone(),
                    "a report that is not a draft needs a `published` date",
                )
                .with_help(
                    "add published = YYYY-MM-DD, or draft = true while the report is being written",
                )
        });
    }
    (draft.unwrap_or(false), published)
}

/// The key figures: each id must be one of site.toml's, each value a number not below
/// zero.
fn front_figures(
    keys: &mut FrontKeys,
    fm_text: &str,
    config: &SiteConfig,
    found: &mut FileDiagnostics,
) -> BTreeMap<String, f64> {
    type Figures = BTreeMap<String, Spanned<toml::Value>>;
    let mut figures = BTreeMap::new();
    let Some(given) = keys.take::<Figures>("figures", found) else {
        return figures;
    };
    let source = keys.source;
    for (id, value) in given.into_inner() {
        let at = keys.at(value.span());
        if config.figure(&id).is_none() {
            found.error(|| {
                let key_at = fm_text[..value.span().start]
                    .rfind(id.as_str())
                    .map_or(at.clone(), |i| keys.at(i..i + id.len()));
                let ids = config.figures.iter().map(|f| f.id.as_str());
                let help = match did_you_mean(&id, ids.clone()) {
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
                figures.insert(id, n);
            }
            Some(_) => found.error(||
                source
                    .error(at, format!("figure `{id}` is negative"))
                    .with_help("key figures are counts and amounts: use 0 or a positive number"),
            ),
            None => found.error(||
                source
                    .error(at, format!("figure `{id}` is not a number"))
                    .with_help("write the number without quotes or spaces, e.g. 3536883116; leave the figure out if it was not reported"),
            ),
        }
    }
    figures
}

/// What rendering a report needs of its member: the folder name (for the images'
/// addresses) and the images there.
#[derive(Clone, Copy)]
struct Owner<'a> {
    slug: &'a str,
    images: &'a BTreeSet<String>,
}

impl<'a> Owner<'a> {
    fn of(member: &'a Member) -> Self {
        Owner {
            slug: &member.slug,
            images: &member.images,
        }
    }

    fn of_folder(folder: &'a MemberFolder) -> Self {
        Owner {
            slug: &folder.slug,
            images: &folder.images,
        }
    }
}

/// A report file read as far as it goes: the report when its text was rendered (also
/// when its front matter has errors), and every diagnostic of the file.
type ReadReport = (Option<Report>, Vec<Diagnostic>);

/// Parses a report's front matter and, when its template version is known, renders its
/// text: the errors of both come back together, within the limit per file.
fn read_report(
    source: Source,
    file_year: u16,
    owner: Owner,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> ReadReport {
    let (front, mut diags) = match parse_front_matter(&source, file_year, config, templates) {
        Ok(x) => x,
        Err(e) => return (None, e),
    };
    let Some(template) = front.template.as_ref().and_then(|t| templates.get(t)) else {
        return (None, diags);
    };
    let lang = front
        .language
        .as_deref()
        .map_or(config.language, Lang::for_code);
    let image_prefix = format!("{}medlemmer/{}/", config.base_path(), owner.slug);
    let cx = MdContext {
        source: &source,
        offset: front.body_offset,
        template: Some(template),
        lang,
        image_prefix: &image_prefix,
        images: owner.images,
        image_hosts: &config.images,
    };
    let body = match markdown::render(&source.text[front.body_offset..], &cx) {
        Ok(body) => body,
        Err(e) => {
            diags.extend(e);
            return (None, cap_per_file(diags));
        }
    };
    diags.extend(body.warnings.iter().cloned());
    let report = Report {
        answered: answered(&body, template),
        member: owner.slug.to_string(),
        year: file_year,
        title: front.title,
        language: front.language,
        draft: front.draft,
        published: front.published,
        template: template.version.clone(),
        figures: front.figures,
        body,
        source,
    };
    (Some(report), cap_per_file(diags))
}

/// The template positions of the questions `body` answers, in its order.
fn answered(body: &Rendered, template: &ReportTemplate) -> Vec<u16> {
    body.sections
        .iter()
        .filter_map(|s| s.number.as_deref().and_then(|n| template.position(n)))
        .filter_map(|p| u16::try_from(p).ok())
        .collect()
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
    match read_report(source, file_year, Owner::of(member), config, templates) {
        (Some(report), diags) if !diags.iter().any(Diagnostic::is_error) => Ok(report),
        (_, diags) => Err(diags),
    }
}

/// A page file read as far as it goes: the page when its text was rendered (also when
/// its front matter has errors), and every diagnostic of the file.
fn load_page(
    path: &Path,
    shown: &Path,
    slug: &str,
    config: &SiteConfig,
) -> (Option<Page>, Vec<Diagnostic>) {
    let source = match read_text(path, shown) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let mut found = FileDiagnostics::default();
    let front = split_front_matter(&source).and_then(|(fm_text, fm_offset, body_offset)| {
        let mut keys = FrontKeys::parse(&source, fm_text, fm_offset, PAGE_KEYS, &mut found)?;
        if keys.lacks("title") {
            found.error(|| keys.missing("title", "add title = \"…\": the page's heading"));
        }
        let title = keys.take::<String>("title", &mut found);
        let description = keys.take::<String>("description", &mut found);
        Ok((
            title.map(Spanned::into_inner),
            description.map(Spanned::into_inner),
            body_offset,
        ))
    });
    let (title, description, body_offset) = match front {
        Ok(x) => x,
        Err(d) => return (None, vec![d.with_note(PAGE_UNREAD)]),
    };
    let mut diags = found.finish(&source);
    let images = BTreeSet::new();
    let cx = MdContext {
        source: &source,
        offset: body_offset,
        template: None,
        lang: config.language,
        image_prefix: "",
        images: &images,
        image_hosts: &config.images,
    };
    match markdown::render(&source.text[body_offset..], &cx) {
        Ok(body) => {
            diags.extend(body.warnings.iter().cloned());
            let page = Page {
                slug: slug.to_string(),
                title: title.unwrap_or_default(),
                description,
                body,
                source,
            };
            (Some(page), cap_per_file(diags))
        }
        Err(e) => {
            diags.extend(e);
            (None, cap_per_file(diags))
        }
    }
}
