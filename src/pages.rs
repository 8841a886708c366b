//! The core pages: the front page, the list of members, each report, the list of years,
//! the site's own pages, the 404 page, the feed, the sitemap and `robots.txt`. Feature
//! modules add theirs the same way, through [`Renderer::page`].

use minijinja::context;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Lang;
use crate::content::status;
use crate::content::{Member, Page, Report};
use crate::diagnostics::Diagnostic;
use crate::render::{FeedEntry, OutFile, Renderer, ReportLink, Scope, Sink, YearLink, emit};
use crate::reporting::ReportTemplate;
use crate::routes::{self, Route};
use crate::text::collation_key;

/// A page to render.
enum Job<'a> {
    Front,
    Members,
    Report(&'a Member, usize),
    Years,
    Page(&'a Page),
    NotFound,
    Feed,
    Sitemap,
    Robots,
}

/// Renders the core pages in `scope` into `sink`. The site-wide lists (front page,
/// members, years, feed, sitemap) whenever what they list may have changed.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
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
    let site = r.site();
    for m in site.members.iter().filter(|m| scope.member(&m.slug)) {
        for (i, rep) in m.reports.iter().enumerate() {
            // A report's page shows its neighbours' years and titles in the pager.
            let near = |k: usize| m.reports.get(k).is_some_and(|n| scope.year(n.year));
            let neighbour = near(i + 1) || i.checked_sub(1).is_some_and(near);
            if scope.year(rep.year) || (lists && neighbour) {
                jobs.push(Job::Report(m, i));
            }
        }
    }
    if scope.is_all() {
        jobs.extend(site.pages.iter().map(Job::Page));
    }
    let jobs = r.not_reused(sink, jobs, |inputs, j| match j {
        Job::Report(m, i) => Some((
            inputs.member(&m.slug)?,
            Route::Report(&m.slug, m.reports[*i].year).file(),
        )),
        _ => None,
    })?;
    emit(jobs.par_iter().map(|j| render_job(r, j)), sink)
}

fn render_job(r: &Renderer, job: &Job) -> Result<OutFile, Diagnostic> {
    match job {
        Job::Front => front(r),
        Job::Members => members(r),
        Job::Report(m, i) => report(r, m, *i),
        Job::Years => r.page(
            "years.html",
            Route::Years.file(),
            &context! { years => Serde(&r.year_links()) },
        ),
        Job::Page(p) => r.page(
            "page.html",
            Route::Page(&p.slug).file(),
            &context! { title => p.title.clone(), description => p.description.clone(), body => p.body.html.clone() },
        ),
        Job::NotFound => r.page("404.html", routes::NOT_FOUND.into(), &context! {}),
        Job::Feed => feed(r),
        Job::Sitemap => sitemap(r),
        Job::Robots => r.page(
            "robots.txt",
            routes::ROBOTS.into(),
            &context! { sitemap => r.routes().absolute_file(routes::SITEMAP) },
        ),
    }
}

/// Every report of the site with its member.
fn all_reports<'a>(r: &Renderer<'a>) -> Vec<(&'a Member, &'a Report)> {
    r.site()
        .members
        .iter()
        .flat_map(|m| m.reports.iter().map(move |rep| (m, rep)))
        .collect()
}

fn front(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let site = r.site();
    let mut latest = all_reports(r);
    latest.sort_by(|a, b| {
        (b.1.published, b.1.year, &a.0.info.name).cmp(&(a.1.published, a.1.year, &b.0.info.name))
    });
    let latest: Vec<ReportLink> = latest
        .iter()
        .take(8)
        .map(|(m, rep)| r.report_link(m, rep))
        .collect();
    let years: Vec<YearLink> = r.year_links();
    let (title, html) = match &site.front {
        Some(p) => (p.title.clone(), p.body.html.clone()),
        None => (r.config().title.clone(), String::new()),
    };
    r.page(
        "index.html",
        Route::Front.file(),
        &context! {
            title, body => html, latest => Serde(&latest), years => Serde(&years),
            member_count => site.members.len(),
            reporting => Serde(&current_summary(r)),
            report_count => site.members.iter().map(|m| m.reports.len()).sum::<usize>(),
        },
    )
}

fn members(r: &Renderer) -> Result<OutFile, Diagnostic> {
    #[derive(Serialize)]
    struct Row {
        name: String,
        url: String,
        sector: String,
        industry: String,
        reports: Vec<YearLink>,
    }
    let routes = r.routes();
    let mut rows: Vec<Row> = r
        .site()
        .members
        .iter()
        .map(|m| Row {
            name: m.info.name.clone(),
            url: routes.url(Route::Member(&m.slug)),
            sector: r.sector_label(m.info.sector),
            industry: m.info.industry.clone(),
            reports: m
                .reports
                .iter()
                .map(|rep| YearLink {
                    year: rep.year,
                    url: routes.url(Route::Report(&m.slug, rep.year)),
                    count: 1,
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|row| collation_key(&row.name));
    r.page(
        "members.html",
        Route::Members.file(),
        &context! { members => Serde(&rows) },
    )
}

fn feed(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let mut entries: Vec<(&Member, &Report)> = all_reports(r)
        .into_iter()
        .filter(|(_, rep)| !rep.draft && rep.published.is_some())
        .collect();
    entries.sort_by(|a, b| {
        (b.1.published, &a.0.slug, a.1.year).cmp(&(a.1.published, &b.0.slug, b.1.year))
    });
    let updated = entries
        .first()
        .and_then(|(_, rep)| rep.published)
        .map(|d| d.to_string());
    let entries: Vec<FeedEntry> = entries
        .iter()
        .map(|(m, rep)| r.feed_entry(m, rep))
        .collect();
    r.page(
        "atom.xml",
        routes::FEED.into(),
        &context! {
            entries => Serde(&entries),
            updated,
            site_root => r.routes().base_url().to_string(),
            feed_url => r.routes().absolute_file(routes::FEED),
        },
    )
}

fn sitemap(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let site = r.site();
    let mut pages = vec![Route::Front, Route::Members, Route::Years];
    for m in &site.members {
        pages.push(Route::Member(&m.slug));
        for rep in &m.reports {
            pages.push(Route::Report(&m.slug, rep.year));
        }
    }
    let years = r.years();
    pages.extend(years.keys().map(|y| Route::Year(*y)));
    pages.extend(site.pages.iter().map(|p| Route::Page(&p.slug)));
    let urls: Vec<String> = pages.into_iter().map(|p| r.routes().absolute(p)).collect();
    r.page("sitemap.xml", routes::SITEMAP.into(), &context! { urls })
}

#[derive(Serialize)]
struct TocEntry {
    anchor: String,
    number: Option<String>,
    label: String,
    children: Vec<TocEntry>,
}

fn report(r: &Renderer, m: &Member, i: usize) -> Result<OutFile, Diagnostic> {
    let rep = &m.reports[i];
    let lang = rep.lang(r.lang());
    let template = &r.site().templates[&rep.template];
    let toc = toc(rep, template, lang);
    let prev = i.checked_sub(1).map(|p| r.report_link(m, &m.reports[p]));
    let next = m.reports.get(i + 1).map(|n| r.report_link(m, n));
    let routes = r.routes();
    r.page(
        "report.html",
        Route::Report(&m.slug, rep.year).file(),
        &context! {
            member => Serde(&m.info),
            member_url => routes.url(Route::Member(&m.slug)),
            report => Serde(&r.report_link(m, rep)),
            report_lang => lang.code(),
            content_lang => rep.language.clone(),
            tr => r.t_value(lang),
            figures => Serde(&r.figures(rep, lang)),
            toc => Serde(&toc),
            body => rep.body.html.clone(),
            template_version => rep.template.clone(),
            compare_prev_url => i.checked_sub(1).map(|p| routes.url(Route::Comparison(&m.slug, m.reports[p].year, rep.year))),
            data_url => (!rep.draft).then(|| routes.file_url(&routes::report_data(&m.slug, rep.year))),
            prev => Serde(&prev),
            next => Serde(&next),
            words => rep.body.words,
            completeness => Serde(&completeness(r, rep)),
        },
    )
}

/// The table of contents of a report: headings down to level 4, nested by level;
/// numbered sections are labelled with the template's titles.
fn toc(r: &Report, template: &ReportTemplate, lang: Lang) -> Vec<TocEntry> {
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

/// A report's completeness as pages show it (see `status::completeness`).
#[derive(Serialize)]
pub(crate) struct CompletenessView {
    pub(crate) answered: usize,
    pub(crate) questions: usize,
    /// The unanswered questions, each linked to its question page for the report's year
    /// (when the question has pages: those of depth 3).
    pub(crate) unanswered: Vec<QuestionRef>,
}

#[derive(Serialize)]
pub(crate) struct QuestionRef {
    pub(crate) number: String,
    pub(crate) url: Option<String>,
}

/// The completeness of report `rep`, for a page.
pub(crate) fn completeness(r: &Renderer, rep: &Report) -> CompletenessView {
    let template = &r.site().templates[&rep.template];
    let c = status::completeness(rep, template);
    CompletenessView {
        answered: c.answered,
        questions: c.questions,
        unanswered: c
            .unanswered
            .iter()
            .map(|n| QuestionRef {
                number: n.to_string(),
                url: template
                    .get(n)
                    .is_some_and(|q| q.depth == 3)
                    .then(|| r.routes().url(Route::QuestionYear(n, rep.year))),
            })
            .collect(),
    }
}

/// "N of M members have reported for YEAR", for a page.
#[derive(Serialize)]
pub(crate) struct Summary {
    pub(crate) year: u16,
    /// The year's page.
    pub(crate) url: String,
    pub(crate) reported: usize,
    pub(crate) members: usize,
}

/// Who has reported for the current reporting year, for the front page; `None` when
/// nothing is published.
pub(crate) fn current_summary(r: &Renderer) -> Option<Summary> {
    let years = status::reporting_years(r.site());
    let y = *years.last()?;
    let st = status::year_status(r.site(), &years, y);
    Some(Summary {
        year: y,
        url: r.routes().url(Route::Year(y)),
        reported: st.reported,
        members: st.members,
    })
}
