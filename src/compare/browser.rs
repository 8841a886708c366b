//! The page that compares any two of a member's years in the browser
//! (`/medlemmer/<slug>/sammenlign/#<a>-<b>`).
//!
//! The comparison itself is made by `compare-core.js` from the two reports'
//! `rapport.json`. What it cannot read there comes with the page, as JSON, so that the
//! browser follows this build's rules and words rather than its own: the rules of the
//! diff ([`super::diff::RULES`]), the question titles of the templates the member's
//! reports use (in the site's language, as the static pages show them), each year's
//! key figures as numbers and formatted, and the interface strings. Without
//! JavaScript the page lists the static comparisons and the reports.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{PairLink, browser_years, diff};
use crate::content::{Member, MemberInfo, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::render::{Renderer, Sink};
use crate::routes::{self, Route};

/// What the page's script reads (`<script type="application/json" id="sammenligning-data">`).
/// The values of `compare_any.html`.
#[derive(Serialize)]
struct Page<'a> {
    member: &'a MemberInfo,
    member_url: String,
    years: Vec<u16>,
    pairs: Vec<PairLink>,
    reports: Vec<ReportLink>,
    data: Config<'a>,
}

#[derive(Serialize)]
struct Config<'a> {
    member: &'a str,
    /// The years that can be compared (published reports), in order.
    years: Vec<YearData<'a>>,
    /// Template version → its questions as (number, title), in the template's order.
    templates: BTreeMap<&'a str, Vec<(&'a str, &'a str)>>,
    figures: Vec<FigureLabel<'a>>,
    rules: &'static diff::Rules,
    /// The interface strings the comparison shows.
    strings: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct YearData<'a> {
    year: u16,
    template: &'a str,
    /// The report page and its open data file, relative to this page.
    report: String,
    data: String,
    /// Figure id → `[value, formatted]`, or `null` when not reported.
    figures: BTreeMap<&'a str, Option<(f64, String)>>,
}

#[derive(Serialize)]
struct FigureLabel<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct ReportLink {
    year: u16,
    url: String,
    draft: bool,
}

/// Interface strings the script needs: the comparison's own and a few shared ones.
fn wanted(key: &str) -> bool {
    ["compare_", "diff_", "status_"]
        .iter()
        .any(|p| key.starts_with(p))
        || matches!(key, "not_reported" | "report_for_year")
}

/// Renders the member's page into `sink`; the error, if any.
pub(super) fn page(r: &Renderer, m: &Member, sink: &dyn Sink) -> Option<Diagnostic> {
    let page = Route::CompareBrowser(&m.slug);
    let pairs: Vec<PairLink> = m
        .reports
        .windows(2)
        .map(|w| PairLink {
            from: w[0].year,
            to: w[1].year,
            url: routes::relative(page, Route::Comparison(&m.slug, w[0].year, w[1].year)),
            current: false,
        })
        .collect();
    let reports: Vec<ReportLink> = m
        .reports
        .iter()
        .map(|rep| ReportLink {
            year: rep.year,
            url: routes::relative(page, Route::Report(&m.slug, rep.year)),
            draft: rep.draft,
        })
        .collect();
    let page = r.page(
        "compare_any.html",
        page.file(),
        &Page {
            member: &m.info,
            member_url: routes::relative(page, Route::Member(&m.slug)),
            years: browser_years(m),
            pairs,
            reports,
            data: config(r, m),
        },
    );
    match page {
        Ok(f) => sink.put(f).err(),
        Err(e) => Some(e),
    }
}

/// What the page's script reads, for member `m`.
fn config<'a>(r: &'a Renderer, m: &'a Member) -> Config<'a> {
    let lang = r.lang();
    let site = r.site();
    let published: Vec<&Report> = m.reports.iter().filter(|x| !x.draft).collect();
    let mut templates = BTreeMap::new();
    for rep in &published {
        let t = &site.templates[&rep.template];
        templates.entry(t.version.as_str()).or_insert_with(|| {
            t.questions
                .iter()
                .map(|q| (q.number.as_str(), q.title.get(lang)))
                .collect()
        });
    }
    let figures = &r.config().figures;
    Config {
        member: &m.info.name,
        years: published.iter().map(|rep| year_data(r, m, rep)).collect(),
        templates,
        figures: figures
            .iter()
            .map(|def| FigureLabel {
                id: &def.id,
                label: def.label.get(lang),
            })
            .collect(),
        rules: &diff::RULES,
        strings: r
            .t(lang)
            .iter()
            .filter(|(k, _)| wanted(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
    }
}

/// A year the browser can compare: its report, open data and key figures.
fn year_data<'a>(r: &'a Renderer, m: &Member, rep: &'a Report) -> YearData<'a> {
    let lang = r.lang();
    let page = Route::CompareBrowser(&m.slug);
    YearData {
        year: rep.year,
        template: &rep.template,
        report: routes::relative(page, Route::Report(&m.slug, rep.year)),
        data: routes::relative_file(page, &routes::report_data(&m.slug, rep.year)),
        figures: r
            .config()
            .figures
            .iter()
            .map(|def| {
                let v = rep.figures.get(&def.id);
                (
                    def.id.as_str(),
                    v.map(|v| (*v, format::figure(def, *v, lang))),
                )
            })
            .collect(),
    }
}
