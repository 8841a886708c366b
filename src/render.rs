//! Pages: the model rendered through the theme's minijinja templates.
//!
//! Each page is a [`Job`]; jobs render in parallel into [`OutFile`]s. Templates are
//! compiled once per build (the environment is shared by all threads). Views are
//! plain serialisable structs built here, so templates never compute anything but
//! presentation.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Lang, SiteConfig};
use crate::content::{Member, Page, Report, Sector, Site};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::routes::{self, Route, Routes};
use crate::theme::{Strings, Theme, key};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where finished files go as they are made (see [`crate::output::Emitter`]): written
/// to the staging folder at once, so that a build does not hold its output.
pub trait Sink: Sync {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic>;
}

/// Puts the results of a parallel render into `sink` as they come; the errors, each
/// distinct message once, in the order of the jobs (as [`collect`]).
pub fn emit<I>(results: I, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>>
where
    I: IndexedParallelIterator<Item = Result<OutFile, Diagnostic>>,
{
    let errors: Vec<Option<Diagnostic>> =
        results.map(|r| r.and_then(|f| sink.put(f)).err()).collect();
    distinct(errors.into_iter().flatten())
}

/// Ok if there are no errors, else each distinct message once, in order.
pub fn distinct(errors: impl IntoIterator<Item = Diagnostic>) -> Result<(), Vec<Diagnostic>> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for e in errors {
        if !out.iter().any(|x| x.message == e.message) {
            out.push(e);
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Puts files made in memory into `sink`, in parallel.
pub fn emit_all(files: Vec<OutFile>, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    emit(files.into_par_iter().map(Ok), sink)
}

/// What the templates of one build share.
pub struct Renderer<'a> {
    site: &'a Site,
    env: Environment<'static>,
    strings: BTreeMap<Lang, Strings>,
    routes: Routes,
    /// `site` and each language's `t`, made template values once per build: every
    /// page shares them (converting the strings for each page cost more than the
    /// rest of a report page).
    site_value: Value,
    strings_values: BTreeMap<Lang, Value>,
    /// Per template, the largest page it has made so far: the next page's buffer starts
    /// that big instead of growing (and being copied) a dozen times.
    sizes: std::sync::Mutex<rustc_hash::FxHashMap<String, usize>>,
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

#[derive(Serialize)]
struct ReportLink {
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

#[derive(Serialize)]
struct FigureView {
    id: String,
    label: String,
    /// Formatted value; `None` when not reported.
    value: Option<String>,
}

#[derive(Serialize)]
struct TocEntry {
    anchor: String,
    number: Option<String>,
    label: String,
    children: Vec<TocEntry>,
}

#[derive(Serialize)]
struct YearLink {
    year: u16,
    url: String,
    count: usize,
}

/// Which pages a render produces.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'s> {
    /// Every page.
    All,
    /// One report changed in place (same member and year; its template version,
    /// language and draft state unchanged): only the pages that show it.
    Report {
        member: &'s str,
        year: u16,
        /// Question numbers whose answer (or heading) changed, appeared or disappeared.
        questions: &'s std::collections::BTreeSet<String>,
        /// Whether what other pages show of the report changed: its front matter (title,
        /// dates, figures) or its sections (numbers, headings). When not, only the
        /// report's own page, its comparisons, its open data file and the pages of
        /// `questions` are rendered.
        listed: bool,
    },
}

impl Scope<'_> {
    /// Whether pages about this member are in scope.
    pub fn member(&self, slug: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { member, .. } => *member == slug,
        }
    }

    /// Whether pages about this year (for any member) are in scope.
    pub fn year(&self, y: u16) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { year, .. } => *year == y,
        }
    }

    /// Whether the pages of question `number` in year `y` are in scope.
    pub fn question(&self, number: &str, y: u16) -> bool {
        match self {
            Scope::All => true,
            Scope::Report {
                year, questions, ..
            } => *year == y && questions.contains(number),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }

    /// Whether pages that list reports (their titles, figures, sections) are in scope:
    /// member and year pages, site-wide lists, neighbouring reports, site-wide data.
    pub fn lists(&self) -> bool {
        match self {
            Scope::All => true,
            Scope::Report { listed, .. } => *listed,
        }
    }
}

/// A page to render.
enum Job<'a> {
    Front,
    Members,
    Member(&'a Member),
    Report(&'a Member, usize),
    Years,
    Year(u16),
    Page(&'a Page),
    NotFound,
    Feed,
    /// A member's own feed: `medlemmer/<slug>/atom.xml`.
    MemberFeed(&'a Member),
    Sitemap,
    Robots,
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        theme: &Theme,
        base_url: &str,
    ) -> Result<Renderer<'a>, Vec<Diagnostic>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        // Templates are read through the theme's override rule and compiled once, on
        // first use, for the whole build.
        let loader_theme = theme.clone();
        env.set_loader(move |name| {
            loader_theme
                .read_string(&format!("templates/{name}"))
                .map_err(|d| {
                    let message = format!("{}: {}", d.file.display(), d.message);
                    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message)
                })
        });
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let routes = Routes::new(base_url);
        let base = routes.base().to_string();
        let config = &site.config;
        let view = SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            publisher: config.publisher.clone(),
            base_url: base_url.to_string(),
            base: base.clone(),
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
        };
        let strings_values = strings
            .iter()
            .map(|(lang, s)| (*lang, Value::from(Serde(s))))
            .collect();
        Ok(Renderer {
            site,
            env,
            strings,
            routes,
            site_value: Value::from(Serde(&view)),
            strings_values,
            sizes: Default::default(),
        })
    }

    /// Renders the core pages in `scope` into `sink`. The site-wide lists (front page,
    /// members, years, feed, sitemap) whenever what they list may have changed.
    pub fn render_all(&self, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
        let lists = scope.lists();
        let mut jobs = if lists {
            vec![
                Job::Front,
                Job::Members,
                Job::Years,
                Job::NotFound,
                Job::Feed,
                Job::Sitemap,
                Job::Robots,
            ]
        } else {
            Vec::new()
        };
        for m in self.site.members.iter().filter(|m| scope.member(&m.slug)) {
            if lists {
                jobs.push(Job::Member(m));
                jobs.push(Job::MemberFeed(m));
            }
            for (i, r) in m.reports.iter().enumerate() {
                // A report's page shows its neighbours' years and titles in the pager.
                let near = |k: usize| m.reports.get(k).is_some_and(|n| scope.year(n.year));
                let neighbour = near(i + 1) || i.checked_sub(1).is_some_and(near);
                if scope.year(r.year) || (lists && neighbour) {
                    jobs.push(Job::Report(m, i));
                }
            }
        }
        if lists {
            for y in self.years().keys().filter(|y| scope.year(**y)) {
                jobs.push(Job::Year(*y));
            }
        }
        if scope.is_all() {
            for p in &self.site.pages {
                jobs.push(Job::Page(p));
            }
        }
        emit(jobs.par_iter().map(|j| self.render_job(j)), sink)
    }

    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// The site's URLs and output paths.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    pub fn config(&self) -> &SiteConfig {
        &self.site.config
    }

    pub fn lang(&self) -> Lang {
        self.config().language
    }

    /// The interface strings of a language.
    pub fn t(&self, lang: Lang) -> &Strings {
        &self.strings[&lang]
    }

    /// The interface strings of a language as a template value (cheap to clone).
    pub fn t_value(&self, lang: Lang) -> Value {
        self.strings_values[&lang].clone()
    }

    pub fn sector_label(&self, s: Sector) -> String {
        let key = match s {
            Sector::Public => key!("sector_public"),
            Sector::Private => key!("sector_private"),
        };
        self.t(self.lang()).get(key).to_string()
    }

    pub fn report_title(&self, r: &Report) -> String {
        match &r.title {
            Some(t) => t.clone(),
            None => {
                let lang = r.lang(self.lang());
                let title = self.t(lang).get(key!("report_default_title"));
                format!("{title} {}", r.year)
            }
        }
    }

    fn report_link(&self, m: &Member, r: &Report) -> ReportLink {
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

    /// Year → (member, report index), members in slug order.
    fn years(&self) -> BTreeMap<u16, Vec<(&'a Member, usize)>> {
        let mut years: BTreeMap<u16, Vec<(&Member, usize)>> = BTreeMap::new();
        for m in &self.site.members {
            for (i, r) in m.reports.iter().enumerate() {
                years.entry(r.year).or_default().push((m, i));
            }
        }
        years
    }

    fn figures(&self, r: &Report, lang: Lang) -> Vec<FigureView> {
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

    /// Renders a template with the shared globals (`site`, `t`, `page_path`) and the
    /// page's own values. `path` is the output path, e.g. `ar/2024/index.html`.
    pub fn page(&self, template: &str, path: String, extra: Value) -> Result<OutFile, Diagnostic> {
        let tmpl = self
            .env
            .get_template(template)
            .map_err(|e| template_error(&e))?;
        let ctx = minijinja::context! {
            site => self.site_value.clone(),
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

    fn render_job(&self, job: &Job) -> Result<OutFile, Diagnostic> {
        match job {
            Job::Front => {
                let mut latest: Vec<(&Member, &Report)> = self
                    .site
                    .members
                    .iter()
                    .flat_map(|m| m.reports.iter().map(move |r| (m, r)))
                    .collect();
                latest.sort_by(|a, b| {
                    (b.1.published, b.1.year, &a.0.info.name).cmp(&(a.1.published, a.1.year, &b.0.info.name))
                });
                let latest: Vec<ReportLink> = latest.iter().take(8).map(|(m, r)| self.report_link(m, r)).collect();
                let years: Vec<YearLink> = self.year_links();
                let (title, html) = match &self.site.front {
                    Some(p) => (p.title.clone(), p.body.html.clone()),
                    None => (self.config().title.clone(), String::new()),
                };
                self.page(
                    "index.html",
                    Route::Front.file(),
                    minijinja::context! {
                        title, body => html, latest => Serde(&latest), years => Serde(&years),
                        member_count => self.site.members.len(),
                        reporting => Serde(&crate::overview::current_summary(self)),
                        report_count => self.site.members.iter().map(|m| m.reports.len()).sum::<usize>(),
                    },
                )
            }
            Job::Members => {
                #[derive(Serialize)]
                struct Row {
                    name: String,
                    url: String,
                    sector: String,
                    industry: String,
                    reports: Vec<YearLink>,
                }
                let mut rows: Vec<Row> = self
                    .site
                    .members
                    .iter()
                    .map(|m| Row {
                        name: m.info.name.clone(),
                        url: self.routes.url(Route::Member(&m.slug)),
                        sector: self.sector_label(m.info.sector),
                        industry: m.info.industry.clone(),
                        reports: m
                            .reports
                            .iter()
                            .map(|r| YearLink { year: r.year, url: self.routes.url(Route::Report(&m.slug, r.year)), count: 1 })
                            .collect(),
                    })
                    .collect();
                rows.sort_by_key(|r| collation_key(&r.name));
                self.page("members.html", Route::Members.file(), minijinja::context! { members => Serde(&rows) })
            }
            Job::Member(m) => {
                let reports: Vec<ReportLink> = m.reports.iter().map(|r| self.report_link(m, r)).collect();
                #[derive(Serialize)]
                struct Pair {
                    from: u16,
                    to: u16,
                    url: String,
                    current: bool,
                }
                let pairs: Vec<Pair> = crate::compare::pair_links(&self.routes, m)
                    .into_iter()
                    .map(|(from, to, url)| Pair { from, to, url, current: false })
                    .collect();
                let years: Vec<u16> = m.reports.iter().map(|r| r.year).collect();
                self.page(
                    "member.html",
                    Route::Member(&m.slug).file(),
                    minijinja::context! {
                        member => Serde(&m.info),
                        slug => m.slug.clone(),
                        sector => self.sector_label(m.info.sector),
                        reports => Serde(&reports),
                        figures => Serde(&crate::compare::figures_over_time(self, m)),
                        pairs => Serde(&pairs),
                        years => Serde(&years),
                        compare_url => crate::compare::browser_url(&self.routes, m),
                        compare_years => Serde(&crate::compare::browser_years(m)),
                        member_years => Serde(&crate::overview::member_years(self, m)),
                        feed_url => self.routes().file_url(&routes::member_feed(&m.slug)),
                    },
                )
            }
            Job::Report(m, i) => self.render_report(m, *i),
            Job::Years => self.page("years.html", Route::Years.file(), minijinja::context! { years => Serde(&self.year_links()) }),
            Job::Year(y) => {
                let years = self.years();
                let mut entries: Vec<(&Member, &Report)> = years[y].iter().map(|(m, i)| (*m, &m.reports[*i])).collect();
                entries.sort_by_key(|(m, _)| collation_key(&m.info.name));
                let reports: Vec<ReportLink> = entries.iter().map(|(m, r)| self.report_link(m, r)).collect();
                let (aggregates, member_figures) = crate::overview::year(self, &entries);
                let (reporting, not_reported) = crate::overview::year_view(self, *y);
                let figure_labels: Vec<&str> = self.config().figures.iter().map(|f| f.label.get(self.lang())).collect();
                let all: Vec<u16> = years.keys().copied().collect();
                let pos = all.iter().position(|x| x == y).unwrap_or(0);
                let prev = pos.checked_sub(1).map(|p| YearLink { year: all[p], url: self.routes.url(Route::Year(all[p])), count: 0 });
                let next = all.get(pos + 1).map(|&n| YearLink { year: n, url: self.routes.url(Route::Year(n)), count: 0 });
                self.page(
                    "year.html",
                    Route::Year(*y).file(),
                    minijinja::context! {
                        year => *y,
                        reports => Serde(&reports),
                        aggregates => Serde(&aggregates),
                        member_figures => Serde(&member_figures),
                        figure_labels => Serde(&figure_labels),
                        reporting => Serde(&reporting),
                        not_reported => Serde(&not_reported),
                        prev => Serde(&prev),
                        next => Serde(&next),
                    },
                )
            }
            Job::Page(p) => self.page(
                "page.html",
                Route::Page(&p.slug).file(),
                minijinja::context! { title => p.title.clone(), description => p.description.clone(), body => p.body.html.clone() },
            ),
            Job::NotFound => self.page("404.html", routes::NOT_FOUND.into(), minijinja::context! {}),
            Job::Feed => {
                let mut entries: Vec<(&Member, &Report)> = self
                    .site
                    .members
                    .iter()
                    .flat_map(|m| m.reports.iter().map(move |r| (m, r)))
                    .filter(|(_, r)| !r.draft && r.published.is_some())
                    .collect();
                entries.sort_by(|a, b| (b.1.published, &a.0.slug, a.1.year).cmp(&(a.1.published, &b.0.slug, b.1.year)));
                let updated = entries.first().and_then(|(_, r)| r.published).map(|d| d.to_string());
                let entries: Vec<ReportLink> = entries.iter().map(|(m, r)| self.report_link(m, r)).collect();
                self.page("atom.xml", routes::FEED.into(), minijinja::context! { entries => Serde(&entries), updated, site_root => self.routes.base_url().to_string() })
            }
            Job::MemberFeed(m) => self.member_feed(m),
            Job::Sitemap => {
                let mut pages = vec![Route::Front, Route::Members, Route::Years];
                for m in &self.site.members {
                    pages.push(Route::Member(&m.slug));
                    for r in &m.reports {
                        pages.push(Route::Report(&m.slug, r.year));
                    }
                }
                let years = self.years();
                pages.extend(years.keys().map(|y| Route::Year(*y)));
                pages.extend(self.site.pages.iter().map(|p| Route::Page(&p.slug)));
                let urls: Vec<String> = pages.into_iter().map(|r| self.routes.absolute(r)).collect();
                self.page("sitemap.xml", routes::SITEMAP.into(), minijinja::context! { urls })
            }
            Job::Robots => self.page(
                "robots.txt",
                routes::ROBOTS.into(),
                minijinja::context! { sitemap => self.routes.absolute_file(routes::SITEMAP) },
            ),
        }
    }

    /// A member's Atom feed: one entry per published report with a publication date,
    /// newest first, dated by the reports (never the clock).
    fn member_feed(&self, m: &Member) -> Result<OutFile, Diagnostic> {
        let mut reports: Vec<&Report> = m
            .reports
            .iter()
            .filter(|r| !r.draft && r.published.is_some())
            .collect();
        reports.sort_by_key(|r| std::cmp::Reverse((r.published, r.year)));
        let updated = reports
            .first()
            .and_then(|r| r.published)
            .map(|d| d.to_string());
        let entries: Vec<ReportLink> = reports.iter().map(|r| self.report_link(m, r)).collect();
        self.page(
            "member_atom.xml",
            routes::member_feed(&m.slug),
            minijinja::context! {
                member => Serde(&m.info),
                member_url => self.routes.absolute(Route::Member(&m.slug)),
                feed_url => self.routes.absolute_file(&routes::member_feed(&m.slug)),
                entries => Serde(&entries),
                updated,
            },
        )
    }

    fn year_links(&self) -> Vec<YearLink> {
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

    fn render_report(&self, m: &Member, i: usize) -> Result<OutFile, Diagnostic> {
        let r = &m.reports[i];
        let site_lang = self.lang();
        let lang = r.lang(site_lang);
        let template = &self.site.templates[&r.template];
        let toc = toc(r, template, lang);
        let prev = i.checked_sub(1).map(|p| self.report_link(m, &m.reports[p]));
        let next = m.reports.get(i + 1).map(|n| self.report_link(m, n));
        self.page(
            "report.html",
            Route::Report(&m.slug, r.year).file(),
            minijinja::context! {
                member => Serde(&m.info),
                member_url => self.routes.url(Route::Member(&m.slug)),
                report => Serde(&self.report_link(m, r)),
                report_lang => lang.code(),
                content_lang => r.language.clone(),
                tr => self.t_value(lang),
                figures => Serde(&self.figures(r, lang)),
                toc => Serde(&toc),
                body => r.body.html.clone(),
                template_version => r.template.clone(),
                compare_prev_url => i.checked_sub(1).map(|p| self.routes.url(Route::Comparison(&m.slug, m.reports[p].year, r.year))),
                data_url => (!r.draft).then(|| self.routes.file_url(&routes::report_data(&m.slug, r.year))),
                prev => Serde(&prev),
                next => Serde(&next),
                words => r.body.words,
                completeness => Serde(&crate::overview::completeness(self, r)),
            },
        )
    }
}

/// The table of contents of a report: headings down to level 4, nested by level;
/// numbered sections are labelled with the template's titles.
fn toc(r: &Report, template: &crate::reporting::ReportTemplate, lang: Lang) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    // A stack of (level, path of indexes into the tree).
    let mut stack: Vec<(u8, usize)> = Vec::new();
    for s in r.body.sections.iter().filter(|s| s.level <= 4) {
        let label = match &s.number {
            Some(n) => template.title(n, lang).unwrap_or(&s.heading).to_string(),
            None => s.heading.clone(),
        };
        let entry = TocEntry {
            anchor: s.anchor.clone(),
            number: s.number.clone(),
            label,
            children: Vec::new(),
        };
        while stack.last().is_some_and(|(lvl, _)| *lvl >= s.level) {
            stack.pop();
        }
        let mut list = &mut root;
        for &(_, idx) in &stack {
            list = &mut list[idx].children;
        }
        list.push(entry);
        stack.push((s.level, list.len() - 1));
    }
    root
}

/// The pages of a parallel render, or its errors. A template bug fails every page the
/// same way, so each distinct message is reported once.
pub fn collect(results: Vec<Result<OutFile, Diagnostic>>) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let mut files = Vec::with_capacity(results.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) if !errors.iter().any(|x| x.message == e.message) => errors.push(e),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Sort key that orders Norwegian names as a reader expects (Æ, Ø, Å last).
pub fn collation_key(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'æ' => '{',
            'ø' => '|',
            'å' => '}',
            c => c,
        })
        .collect()
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
