//! Loading a site's content into the typed model: members, reports and pages.
//!
//! Everything read here is untrusted. Each problem becomes a [`Diagnostic`] with the
//! file, line and column; loading goes on after an error so that all problems are
//! reported at once, also within one file: a report whose front matter has errors
//! still has its text rendered and checked (and is then left out of the model, in
//! [`LeftOut`]).
//!
//! [`load_partial`] walks the content folders (`folders`: member folders, their
//! `member.toml`, report files and images, the free-standing pages), reads each report
//! and page file (`parse`: its front matter, read key by key in `front_matter`, then
//! its Markdown) and gathers the model, the errors and the warnings.

mod folders;
mod front_matter;
mod parse;
pub(crate) mod status;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Lang, SiteConfig};
use crate::diagnostics::{self, Diagnostic, Source, cap_per_file};
use crate::markdown::Rendered;
use crate::reporting::{self, ReportTemplate};

use folders::{load_members, load_pages, member_folders};
pub use front_matter::{ReportFront, parse_front_matter};
pub(crate) use parse::load_report;
pub use parse::parse_report;

/// File types published from a member's folder.
pub(crate) const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp"];

/// Page slugs the generator uses itself.
pub(crate) const RESERVED_SLUGS: &[&str] = &["medlemmer", "ar", "sok", "data", "sporsmal", "404"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) struct Date {
    pub(crate) year: u16,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
/// Which side of the economy a member belongs to (`sector` in `member.toml`); the
/// question pages and the open data count answers by sector.
pub enum Sector {
    /// A public body: a municipality, a county, a state agency (`public`).
    Public,
    /// A company (`private`).
    Private,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberInfo {
    pub(crate) name: String,
    pub(crate) sector: Sector,
    #[serde(default)]
    pub(crate) industry: String,
    #[serde(default)]
    pub(crate) website: Option<String>,
    #[serde(default)]
    pub(crate) member_since: Option<u16>,
    /// The last year of membership, for a member that has left: it is not expected
    /// to report for later years (see [`crate::overview`]).
    #[serde(default)]
    pub(crate) member_until: Option<u16>,
    #[serde(default)]
    pub(crate) org_number: Option<String>,
    /// The head office's address.
    #[serde(default)]
    pub(crate) address: Option<String>,
}

/// One member of the association (a folder in `content/members/`): who it is and the
/// yearly due-diligence reports it has published.
#[derive(Debug)]
pub struct Member {
    pub(crate) slug: String,
    pub(crate) info: MemberInfo,
    /// Sorted by year.
    pub reports: Vec<Report>,
    /// Image file names in the member's folder.
    pub(crate) images: BTreeSet<String>,
    pub(crate) dir: PathBuf,
}

/// One member's due-diligence report for one year (`content/members/<slug>/<year>.md`):
/// its front matter and its Markdown rendered into question sections.
#[derive(Debug)]
pub struct Report {
    pub(crate) year: u16,
    pub(crate) title: Option<String>,
    /// The language the report is written in, when it is not the site's.
    pub(crate) language: Option<String>,
    pub(crate) draft: bool,
    pub(crate) published: Option<Date>,
    /// The version of the reporting template the report answers (a key of
    /// [`Site::templates`]), which gives its questions such as 2.A.3 their titles.
    pub template: String,
    /// Reported key figures; an absent id means "not reported".
    pub(crate) figures: BTreeMap<String, f64>,
    /// The report's text as HTML, cut into question sections.
    pub body: Rendered,
    /// The template positions of the questions the report answers, in its order: a
    /// compact copy of its sections' numbers for counting answers across reports.
    pub(crate) answered: Vec<u16>,
    /// The report's file as read: its path for diagnostics and its whole text, which
    /// the sections' byte ranges point into.
    pub source: Source,
}

impl Report {
    /// The language the report is written in, as one aktsom has strings for: its own
    /// `language` (`nn` and `no` read as `nb`), else the site's `site`. The report
    /// page's `lang` and the stemmer search uses for its text follow it.
    pub fn lang(&self, site: Lang) -> Lang {
        self.language.as_deref().map_or(site, Lang::for_code)
    }
}

/// A free-standing page: `content/<slug>.md`.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) slug: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) body: Rendered,
    pub(crate) source: Source,
}

/// The whole site as a typed model, ready to render.
#[derive(Debug)]
pub struct Site {
    pub(crate) root: PathBuf,
    /// `site.toml`.
    pub config: SiteConfig,
    /// The reporting templates by version (`report-templates/<version>.toml`): the
    /// numbered questions every report answers.
    pub templates: BTreeMap<String, ReportTemplate>,
    /// Sorted by slug.
    pub members: Vec<Member>,
    /// Sorted by slug; the front page text is kept apart.
    pub(crate) pages: Vec<Page>,
    pub(crate) front: Option<Page>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// How to load a site.
pub struct LoadOptions {
    /// Load draft reports too (`draft = true` in their front matter); `aktsom serve` and
    /// `build --drafts` do, a plain build leaves them out.
    pub drafts: bool,
}

/// What [`load_partial`] found: the model of everything that loaded without errors,
/// every error, and what was checked but is left out of the model.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Its `warnings` are every warning found while loading.
    pub(crate) site: Site,
    /// Every error, sorted by file, line and column.
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) left_out: LeftOut,
}

/// Reports and pages whose text was read and rendered but that are left out of the
/// model because of an error: in their front matter, or in their member's folder name
/// or `member.toml`. Never published; `aktsom check` analyses them too.
#[derive(Debug, Default)]
pub(crate) struct LeftOut {
    pub(crate) reports: Vec<Report>,
    pub(crate) pages: Vec<Page>,
}

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
pub(crate) fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diagnostics::sort(diags);
}

/// Loads the whole site and goes on after errors: the model of everything that loaded
/// (with its warnings), and every error. A report or page with an error, and a member
/// whose folder name or `member.toml` has one, are left out of the model; their files
/// are still checked (see [`LeftOut`]). Problems that stop everything (site.toml, the
/// reporting templates) come back as `Err`.
pub(crate) fn load_partial(root: &Path, opts: &LoadOptions) -> Result<Loaded, Vec<Diagnostic>> {
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
    /// `MAX_DIAGNOSTICS_PER_FILE` ([`cap_per_file`]), sorted.
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
