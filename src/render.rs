//! The rendering context of a build: the theme's minijinja templates, the interface
//! strings, the site's [`Routes`] and the views every page shares ([`ReportLink`],
//! [`YearLink`]), and where finished files go ([`Sink`]).
//!
//! Page producers (the core pages in [`crate::pages`], and each feature module's) get
//! a [`Renderer`] and render each page with [`Renderer::page`], from a serialisable
//! value of the page's own fields; they never see the template engine. Templates are
//! compiled once per build (the environment is shared by all threads). Views are plain
//! serialisable structs, so templates never compute anything but presentation. The
//! renderer calls no page producer: producers call it.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Lang, SiteConfig};
use crate::content::{Member, Report, Sector, Site};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::inputs::{Fingerprint, Fingerprints};
use crate::routes::{Route, Routes};
use crate::theme::{Strings, Theme, key};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// The file's content as it is written: a page's HTML (before `rewrite` marks its
    /// external links), a feed, an open data file, a search shard or a member's image.
    pub bytes: Vec<u8>,
}

/// Where finished files go as they are made (see [`crate::output::Emitter`]): written
/// to the staging folder at once, so that a build does not hold its output.
pub trait Sink: Sync {
    /// Takes one finished file; called from many threads at once (the producers render
    /// in parallel). An error (a file that cannot be written, a page the scan for links
    /// and ids rejects) fails the build.
    fn put(&self, file: OutFile) -> Result<(), Diagnostic>;

    /// Whether this sink can reuse the files of a previous build ([`Sink::reuse`]);
    /// only then does a build work out its pages' fingerprints.
    fn reuses(&self) -> bool {
        false
    }

    /// Reuses the file the previous build made at `path` from inputs with the
    /// fingerprint `key` ([`crate::inputs`]), when it is still there as that build
    /// left it: then the file needs no rendering (`true`). Otherwise (`false`) the file
    /// that will be put at `path` is noted as made from `key`.
    fn reuse(&self, path: &str, key: Fingerprint) -> Result<bool, Diagnostic> {
        let _ = (path, key);
        Ok(false)
    }

    /// Puts the file at `from` (a member's image) into the output as it is, at `to`.
    fn copy(&self, from: &Path, to: &str) -> Result<(), Diagnostic> {
        let bytes = std::fs::read(from)
            .map_err(|e| Diagnostic::file(from, format!("cannot read the file: {e}")))?;
        self.put(OutFile {
            path: to.to_string(),
            bytes,
        })
    }
}

/// Puts the results of a parallel render into `sink` as they come; the errors, each
/// distinct message once, in the order of the jobs (a template bug fails every page the
/// same way).
pub(crate) fn emit<I>(results: I, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>>
where
    I: IndexedParallelIterator<Item = Result<OutFile, Diagnostic>>,
{
    let errors: Vec<Option<Diagnostic>> =
        results.map(|r| r.and_then(|f| sink.put(f)).err()).collect();
    distinct(errors.into_iter().flatten())
}

/// Ok if there are no errors, else each distinct message once, in order.
pub(crate) fn distinct(
    errors: impl IntoIterator<Item = Diagnostic>,
) -> Result<(), Vec<Diagnostic>> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for e in errors {
        if !out.iter().any(|x| x.message == e.message) {
            out.push(e);
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Puts files made in memory into `sink`, in parallel.
pub(crate) fn emit_all(files: Vec<OutFile>, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    emit(files.into_par_iter().map(Ok), sink)
}

/// What the templates of one build share.
pub(crate) struct Renderer<'a> {
    site: &'a Site,
    env: Environment<'static>,
    strings: BTreeMap<Lang, Strings>,
    theme: Theme,
    routes: Routes,
    /// `site` and each language's `t`, made template values once per build: every
    /// page shares them (converting the strings for each page cost more than the
    /// rest of a report page).
    site_value: Value,
    /// `routes`: the URLs of the fixed pages and the theme's files
    /// ([`crate::routes::TemplateRoutes`]), made a template value once per build.
    routes_value: Value,
    strings_values: BTreeMap<Lang, Value>,
    /// Per template, the largest page it has made so far: the next page's buffer starts
    /// that big instead of growing (and being copied) a dozen times.
    sizes: std::sync::Mutex<rustc_hash::FxHashMap<String, usize>>,
    /// The fingerprints of the pages' inputs, when the build's sink can reuse files
    /// ([`Renderer::not_reused`]).
    inputs: Option<Fingerprints>,
}

#[derive(Serialize, Clone)]
struct SiteView {
    title: String,
    description: String,
    publisher: String,
    base_url: String,
    base: String,
    /// Scheme and host of base_url, for absolute links (`https://x.no`).
    origin: String,
    lang: &'static str,
    licence_name: String,
    licence_url: String,
    pages: Vec<PageLink>,
}

#[derive(Serialize, Clone)]
struct PageLink {
    slug: String,
    title: String,
    url: String,
}

/// A report as lists show it.
#[derive(Serialize)]
pub(crate) struct ReportLink {
    member: String,
    member_url: String,
    sector: String,
    year: u16,
    url: String,
    title: String,
    published: Option<String>,
    published_iso: Option<String>,
    draft: bool,
}

/// A report as feeds list it: a [`ReportLink`] and its absolute address.
#[derive(Serialize)]
pub(crate) struct FeedEntry {
    #[serde(flatten)]
    link: ReportLink,
    /// `https://x.no/medlemmer/x/2024/`.
    absolute_url: String,
}

/// A key figure of a report, formatted.
#[derive(Serialize)]
pub(crate) struct FigureView {
    id: String,
    label: String,
    /// Formatted value; `None` when not reported.
    value: Option<String>,
}

/// A year as lists show it.
#[derive(Serialize)]
pub(crate) struct YearLink {
    pub(crate) year: u16,
    pub(crate) url: String,
    /// How many reports the year has (1 in a member's list, 0 where not shown).
    pub(crate) count: usize,
}

/// Which pages a render produces.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'s> {
    /// Every page.
    All,
    /// One report changed in place (same member and year; its template version,
    /// language and draft state unchanged): only the pages that show it.
    Report {
        /// The member's slug (its folder name in `content/members/`).
        member: &'s str,
        /// The reporting year of the report, which names its file (`2024.md`).
        year: u16,
        /// Question numbers whose answer (or heading) changed, appeared or disappeared.
        questions: &'s std::collections::BTreeSet<String>,
        /// Whether what other pages show of the report changed: its front matter (title,
        /// dates, figures) or its sections (numbers, headings). When not, only the
        /// report's own page, its comparisons, its open data file and the pages of
        /// `questions` are rendered. Never the year's answers file: that is
        /// [`Scope::Answers`], which the preview renders after the pages it reloads.
        listed: bool,
    },
    /// Only the answers files of these years (`data/svar/<year>.csv.gz`, every
    /// report's answers of a year): no page reads them, so the preview brings them up
    /// to date after the reload of a report edit ([`crate::rebuild`]).
    Answers {
        /// The reporting years whose answers file to write again.
        years: &'s std::collections::BTreeSet<u16>,
    },
}

impl Scope<'_> {
    /// Whether pages about this member are in scope.
    pub(crate) fn member(&self, slug: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { member, .. } => *member == slug,
            Scope::Answers { .. } => false,
        }
    }

    /// Whether pages about this year (for any member) are in scope.
    pub(crate) fn year(&self, y: u16) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { year, .. } => *year == y,
            Scope::Answers { .. } => false,
        }
    }

    /// Whether the pages of question `number` in year `y` are in scope.
    pub(crate) fn question(&self, number: &str, y: u16) -> bool {
        match self {
            Scope::All => true,
            Scope::Report {
                year, questions, ..
            } => *year == y && questions.contains(number),
            Scope::Answers { .. } => false,
        }
    }

    pub(crate) fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }

    /// Whether pages that list reports (their titles, figures, sections) are in scope:
    /// member and year pages, site-wide lists, neighbouring reports, site-wide data.
    pub(crate) fn lists(&self) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { listed, .. } => *listed,
            Scope::Answers { .. } => false,
        }
    }

    /// Whether the answers file of year `y` is in scope.
    pub fn answers(&self, y: u16) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { .. } => false,
            Scope::Answers { years } => years.contains(&y),
        }
    }
}

impl<'a> Renderer<'a> {
    /// The context of a build of `site` (at its `base_url`) with `theme`.
    pub(crate) fn new(site: &'a Site, theme: &Theme) -> Result<Renderer<'a>, Vec<Diagnostic>> {
        let strings = strings(theme)?;
        let routes = Routes::new(&site.config.base_url);
        let strings_values = strings
            .iter()
            .map(|(lang, s)| (*lang, Value::from(Serde(s))))
            .collect();
        Ok(Renderer {
            site,
            env: environment(theme),
            strings,
            theme: theme.clone(),
            site_value: Value::from(Serde(&site_view(site, &routes))),
            routes_value: Value::from(Serde(&routes.template_routes())),
            routes,
            strings_values,
            sizes: Default::default(),
            inputs: None,
        })
    }

    /// Works out the fingerprints of the pages' inputs ([`crate::inputs`]) when `sink`
    /// can reuse the previous build's files, so that producers may skip what it reuses.
    pub(crate) fn reuse_into(&mut self, sink: &dyn Sink) {
        if sink.reuses() {
            self.inputs = Fingerprints::new(self.site, &self.theme);
        }
    }

    /// Of `jobs`, those whose file `sink` did not reuse from the previous build, in
    /// their order: the producer renders only these. `file` gives a job's output path
    /// and the fingerprint of what it is made from, taken from the build's
    /// [`Fingerprints`] ([`crate::inputs`] says which pages have one); a job without
    /// one is always kept.
    pub(crate) fn not_reused<J, F>(
        &self,
        sink: &dyn Sink,
        jobs: Vec<J>,
        file: F,
    ) -> Result<Vec<J>, Vec<Diagnostic>>
    where
        J: Send + Sync,
        F: Fn(&Fingerprints, &J) -> Option<(Fingerprint, String)> + Sync,
    {
        let Some(inputs) = &self.inputs else {
            return Ok(jobs);
        };
        let reused: Vec<Result<bool, Diagnostic>> = jobs
            .par_iter()
            .map(|j| match file(inputs, j) {
                Some((key, path)) => sink.reuse(&path, key),
                None => Ok(false),
            })
            .collect();
        let mut keep = Vec::with_capacity(jobs.len());
        let mut errors = Vec::new();
        for (j, r) in jobs.into_iter().zip(reused) {
            match r {
                Ok(true) => {}
                Ok(false) => keep.push(j),
                Err(d) => errors.push(d),
            }
        }
        distinct(errors).map(|()| keep)
    }

    pub(crate) fn site(&self) -> &'a Site {
        self.site
    }

    /// The theme of the build (its templates, strings and static files).
    pub(crate) fn theme(&self) -> &Theme {
        &self.theme
    }

    /// The site's URLs and output paths.
    pub(crate) fn routes(&self) -> &Routes {
        &self.routes
    }

    pub(crate) fn config(&self) -> &SiteConfig {
        &self.site.config
    }

    pub(crate) fn lang(&self) -> Lang {
        self.config().language
    }

    /// The interface strings of a language.
    pub(crate) fn t(&self, lang: Lang) -> &Strings {
        &self.strings[&lang]
    }

    /// The interface strings of a language as a template value (cheap to clone).
    pub(crate) fn t_value(&self, lang: Lang) -> Value {
        self.strings_values[&lang].clone()
    }

    pub(crate) fn sector_label(&self, s: Sector) -> String {
        let key = match s {
            Sector::Public => key!("sector_public"),
            Sector::Private => key!("sector_private"),
        };
        self.t(self.lang()).get(key).to_string()
    }

    pub(crate) fn report_title(&self, r: &Report) -> String {
        match &r.title {
            Some(t) => t.clone(),
            None => {
                let lang = r.lang(self.lang());
                let title = self.t(lang).get(key!("report_default_title"));
                format!("{title} {}", r.year)
            }
        }
    }

    /// A report as lists show it.
    pub(crate) fn report_link(&self, m: &Member, r: &Report) -> ReportLink {
        ReportLink {
            member: m.info.name.clone(),
            member_url: self.routes.url(Route::Member(&m.slug)),
            sector: self.sector_label(m.info.sector),
            year: r.year,
            url: self.routes.url(Route::Report(&m.slug, r.year)),
            title: self.report_title(r),
            published: r.published.map(|d| format::date(d, self.lang())),
            published_iso: r.published.map(|d| d.to_string()),
            draft: r.draft,
        }
    }

    /// A report as feeds list it.
    pub(crate) fn feed_entry(&self, m: &Member, r: &Report) -> FeedEntry {
        FeedEntry {
            link: self.report_link(m, r),
            absolute_url: self.routes.absolute(Route::Report(&m.slug, r.year)),
        }
    }

    /// Year → (member, report index), members in slug order.
    pub(crate) fn years(&self) -> BTreeMap<u16, Vec<(&'a Member, usize)>> {
        let mut years: BTreeMap<u16, Vec<(&Member, usize)>> = BTreeMap::new();
        for m in &self.site.members {
            for (i, r) in m.reports.iter().enumerate() {
                years.entry(r.year).or_default().push((m, i));
            }
        }
        years
    }

    /// The site's key figures in a report, formatted for `lang`.
    pub(crate) fn figures(&self, r: &Report, lang: Lang) -> Vec<FigureView> {
        self.config()
            .figures
            .iter()
            .map(|def| FigureView {
                id: def.id.clone(),
                label: def.label.get(lang).to_string(),
                value: r
                    .figures
                    .get(&def.id)
                    .map(|v| format::figure(def, *v, lang)),
            })
            .collect()
    }

    /// Every year, latest first, with how many reports it has.
    pub(crate) fn year_links(&self) -> Vec<YearLink> {
        self.years()
            .iter()
            .rev()
            .map(|(y, v)| YearLink {
                year: *y,
                url: self.routes.url(Route::Year(*y)),
                count: v.len(),
            })
            .collect()
    }

    /// Renders a template with the shared globals (`site`, `routes`, `t`, `page_path`) and the
    /// page's own `values` (a struct whose fields the template reads). `path` is the
    /// output path, e.g. `ar/2024/index.html`.
    pub(crate) fn page(
        &self,
        template: &str,
        path: String,
        values: &impl Serialize,
    ) -> Result<OutFile, Diagnostic> {
        let extra = Value::from(Serde(values));
        let tmpl = self
            .env
            .get_template(template)
            .map_err(|e| template_error(&e))?;
        let ctx = minijinja::context! {
            site => self.site_value.clone(),
            routes => self.routes_value.clone(),
            t => self.t_value(self.lang()),
            page_path => self.routes.file_url(&path),
            ..extra
        };
        let lock = || self.sizes.lock().unwrap_or_else(|e| e.into_inner());
        let size = lock().get(template).copied().unwrap_or(0);
        let mut bytes = Vec::with_capacity(size);
        tmpl.render_captured_to(ctx, &mut bytes)
            .map_err(|e| template_error(&e))?;
        if bytes.len() > size {
            let mut sizes = lock();
            let largest = sizes.entry(template.to_string()).or_default();
            *largest = (*largest).max(bytes.len());
        } else if bytes.len() < size / 2 {
            // Not held at twice its size (the preview keeps every page in memory).
            bytes.shrink_to_fit();
        }
        Ok(OutFile { path, bytes })
    }
}

/// The template environment of a build: templates read through the theme's override
/// rule and compiled once, on first use, for the whole build.
fn environment(theme: &Theme) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(html_formatter);
    let loader_theme = theme.clone();
    env.set_loader(move |name| {
        loader_theme
            .read_string(&format!("templates/{name}"))
            .map_err(|d| {
                let message = format!("{}: {}", d.file.display(), d.message);
                minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message)
            })
    });
    env
}

/// The interface strings of both languages.
fn strings(theme: &Theme) -> Result<BTreeMap<Lang, Strings>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut strings = BTreeMap::new();
    for lang in [Lang::Nb, Lang::En] {
        match theme.strings(lang) {
            Ok(s) => {
                strings.insert(lang, s);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(strings)
    } else {
        Err(errors)
    }
}

/// What every template sees of the site as `site`.
fn site_view(site: &Site, routes: &Routes) -> SiteView {
    let config = &site.config;
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        publisher: config.publisher.clone(),
        base_url: routes.base_url().to_string(),
        base: routes.base().to_string(),
        origin: routes.origin().to_string(),
        lang: config.language.code(),
        licence_name: config.data_licence.name.clone(),
        licence_url: config.data_licence.url.clone(),
        pages: site
            .pages
            .iter()
            .map(|p| PageLink {
                slug: p.slug.clone(),
                title: p.title.clone(),
                url: routes.url(Route::Page(&p.slug)),
            })
            .collect(),
    }
}

/// Escapes strings for HTML and XML with [`crate::html::write_escaped`]: `& < > " '`
/// only (minijinja's default also escapes `/`, which makes every URL longer); other
/// values go to the default.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (minijinja::AutoEscape::Html, Some(s)) if !value.is_safe() => {
            crate::html::write_escaped(out, s)
                .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn template_error(e: &minijinja::Error) -> Diagnostic {
    let name = e.name().unwrap_or("template");
    let mut d = Diagnostic::file(
        Path::new("templates").join(name),
        format!("template error: {e}"),
    );
    if let Some(line) = e.line() {
        d.line = line;
        d.column = 1;
    }
    d.with_help(
        "fix the template; if it is a site override, compare it with themes/default/templates/",
    )
}
