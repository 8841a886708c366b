//! Overviews: a member's page (its reports, its years of membership with their status
//! and completeness, its key figures over the years, its comparisons) and a year's page
//! (the year's aggregates of every key figure, sum and median over the members that
//! reported it and how many did, every member's figures, and who has not reported; the
//! rules are in `crate::content::status`).

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use crate::compare::{self, FigureOverTime};
use crate::config::FigureDef;
use crate::content::status::{self, Status};
use crate::content::{Member, MemberInfo, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::pages::{CompletenessView, Summary, completeness};
use crate::render::{FeedEntry, OutFile, Renderer, ReportLink, Scope, Sink, YearLink, emit};
use crate::routes::{self, Route};
use crate::text::collation_key;

/// A page to render.
enum Job<'a> {
    Member(&'a Member),
    /// A member's own feed: `medlemmer/<slug>/atom.xml`.
    MemberFeed(&'a Member),
    Year(u16),
}

/// Renders the member and year pages in `scope` into `sink`: whenever what they list
/// may have changed.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    if !scope.lists() {
        return Ok(());
    }
    let members = r.site().members.iter().filter(|m| scope.member(&m.slug));
    let mut jobs: Vec<Job> = members
        .flat_map(|m| [Job::Member(m), Job::MemberFeed(m)])
        .collect();
    jobs.extend(
        r.years()
            .keys()
            .filter(|y| scope.year(**y))
            .map(|y| Job::Year(*y)),
    );
    // Once for all the pages: every member and year page asks who has reported.
    let reporting = status::reporting_years(r.site());
    emit(
        jobs.par_iter().map(|job| match job {
            Job::Member(m) => member_page(r, m, &reporting),
            Job::MemberFeed(m) => member_feed(r, m),
            Job::Year(y) => year_page(r, *y, &reporting),
        }),
        sink,
    )
}

#[derive(Serialize)]
struct PairLink {
    from: u16,
    to: u16,
    url: String,
    current: bool,
}

/// The values of `member.html`.
#[derive(Serialize)]
struct MemberPage<'a> {
    member: &'a MemberInfo,
    slug: &'a str,
    sector: String,
    reports: Vec<ReportLink>,
    figures: Vec<FigureOverTime>,
    pairs: Vec<PairLink>,
    years: Vec<u16>,
    compare_url: Option<String>,
    compare_years: Vec<u16>,
    member_years: Vec<MemberYear>,
    feed_url: String,
}

fn member_page(r: &Renderer, m: &Member, reporting: &BTreeSet<u16>) -> Result<OutFile, Diagnostic> {
    let pairs = compare::pair_links(r.routes(), m)
        .into_iter()
        .map(|(from, to, url)| PairLink {
            from,
            to,
            url,
            current: false,
        })
        .collect();
    let values = MemberPage {
        member: &m.info,
        slug: &m.slug,
        sector: r.sector_label(m.info.sector),
        reports: m.reports.iter().map(|rep| r.report_link(m, rep)).collect(),
        figures: compare::figures_over_time(r, m),
        pairs,
        years: m.reports.iter().map(|rep| rep.year).collect(),
        compare_url: compare::browser_url(r.routes(), m),
        compare_years: compare::browser_years(m),
        member_years: member_years(r, m, reporting),
        feed_url: r.routes().file_url(&routes::member_feed(&m.slug)),
    };
    r.page("member.html", Route::Member(&m.slug).file(), &values)
}

/// The values of `member_atom.xml`.
#[derive(Serialize)]
struct MemberFeed<'a> {
    member: &'a MemberInfo,
    member_url: String,
    feed_url: String,
    entries: Vec<FeedEntry>,
    updated: Option<String>,
}

/// A member's Atom feed: one entry per published report with a publication date,
/// newest first, dated by the reports (never the clock).
fn member_feed(r: &Renderer, m: &Member) -> Result<OutFile, Diagnostic> {
    let mut reports: Vec<&Report> = m
        .reports
        .iter()
        .filter(|rep| !rep.draft && rep.published.is_some())
        .collect();
    reports.sort_by_key(|rep| std::cmp::Reverse((rep.published, rep.year)));
    let values = MemberFeed {
        member: &m.info,
        member_url: r.routes().absolute(Route::Member(&m.slug)),
        feed_url: r.routes().absolute_file(&routes::member_feed(&m.slug)),
        updated: reports
            .first()
            .and_then(|rep| rep.published)
            .map(|d| d.to_string()),
        entries: reports.iter().map(|rep| r.feed_entry(m, rep)).collect(),
    };
    r.page("member_atom.xml", routes::member_feed(&m.slug), &values)
}

/// The values of `year.html`.
#[derive(Serialize)]
struct YearPage<'a> {
    year: u16,
    reports: Vec<ReportLink>,
    aggregates: Vec<Aggregate>,
    member_figures: Vec<MemberFigures>,
    figure_labels: Vec<&'a str>,
    reporting: Summary,
    not_reported: Vec<MissingView>,
    prev: Option<YearLink>,
    next: Option<YearLink>,
}

fn year_page(r: &Renderer, y: u16, reporting_years: &BTreeSet<u16>) -> Result<OutFile, Diagnostic> {
    let years = r.years();
    let mut entries: Vec<(&Member, &Report)> = years[&y]
        .iter()
        .map(|(m, i)| (*m, &m.reports[*i]))
        .collect();
    entries.sort_by_key(|(m, _)| collation_key(&m.info.name));
    let (aggregates, member_figures) = year(r, &entries);
    let (reporting, not_reported) = year_view(r, y, reporting_years);
    let all: Vec<u16> = years.keys().copied().collect();
    let pos = all.iter().position(|x| *x == y).unwrap_or(0);
    let link = |year: u16| YearLink {
        year,
        url: r.routes().url(Route::Year(year)),
        count: 0,
    };
    let lang = r.lang();
    let values = YearPage {
        year: y,
        reports: entries
            .iter()
            .map(|(m, rep)| r.report_link(m, rep))
            .collect(),
        aggregates,
        member_figures,
        figure_labels: r
            .config()
            .figures
            .iter()
            .map(|f| f.label.get(lang))
            .collect(),
        reporting,
        not_reported,
        prev: pos.checked_sub(1).map(|p| link(all[p])),
        next: all.get(pos + 1).map(|&n| link(n)),
    };
    r.page("year.html", Route::Year(y).file(), &values)
}

#[derive(Serialize)]
pub(crate) struct Aggregate {
    pub(crate) label: String,
    /// Formatted sum over the members that reported the figure; `None` if none did.
    pub(crate) sum: Option<String>,
    pub(crate) median: Option<String>,
    /// How many of the year's reports include the figure.
    pub(crate) reported: usize,
    pub(crate) reports: usize,
}

#[derive(Serialize)]
pub(crate) struct MemberFigures {
    pub(crate) member: String,
    pub(crate) url: String,
    /// One formatted value per figure, in site.toml's order; `None` when not reported.
    pub(crate) values: Vec<Option<String>>,
    /// How many of its template's questions the report answers.
    pub(crate) answered: usize,
    pub(crate) questions: usize,
}

/// A member without a published report for a year, for the year page.
#[derive(Serialize)]
pub(crate) struct MissingView {
    pub(crate) member: String,
    pub(crate) url: String,
    pub(crate) sector: String,
    /// `Status::code`.
    pub(crate) status: &'static str,
}

/// Who has reported for year `y`: the summary and the members without a report
/// (`years` from `content::status::reporting_years`).
pub(crate) fn year_view(
    r: &Renderer,
    y: u16,
    years: &BTreeSet<u16>,
) -> (Summary, Vec<MissingView>) {
    let site = r.site();
    let st = status::year_status(site, years, y);
    let mut missing: Vec<MissingView> = st
        .missing
        .iter()
        .map(|(m, s)| MissingView {
            member: m.info.name.clone(),
            url: r.routes().url(Route::Member(&m.slug)),
            sector: r.sector_label(m.info.sector),
            status: s.code(),
        })
        .collect();
    missing.sort_by_key(|v| collation_key(&v.member));
    let summary = Summary {
        year: y,
        url: r.routes().url(Route::Year(y)),
        reported: st.reported,
        members: st.members,
    };
    (summary, missing)
}

/// One year of a member's membership, for the member page.
#[derive(Serialize)]
pub(crate) struct MemberYear {
    pub(crate) year: u16,
    /// `Status::code`.
    pub(crate) status: &'static str,
    /// The report's page, when it has one.
    pub(crate) url: Option<String>,
    pub(crate) completeness: Option<CompletenessView>,
}

/// Every reporting year in which `m` was a member, newest first: its report's
/// completeness, or that it has not reported. A draft (in a build with drafts) is shown
/// with its completeness, but the year still counts as not reported.
pub(crate) fn member_years(r: &Renderer, m: &Member, years: &BTreeSet<u16>) -> Vec<MemberYear> {
    let mut out: Vec<MemberYear> = status::member_status(m, years)
        .into_iter()
        .map(|(y, s)| (y, s.code()))
        .chain(
            // Draft-only years, outside the reporting years.
            m.reports
                .iter()
                .filter(|rep| !years.contains(&rep.year))
                .map(|rep| (rep.year, Status::NotReportedYet.code())),
        )
        .map(|(y, status)| {
            let rep = m.reports.iter().find(|rep| rep.year == y);
            MemberYear {
                year: y,
                status,
                url: rep.map(|rep| r.routes().url(Route::Report(&m.slug, rep.year))),
                completeness: rep.map(|rep| completeness(r, rep)),
            }
        })
        .collect();
    out.sort_by_key(|y| std::cmp::Reverse(y.year));
    out
}

/// The median of a non-empty list.
pub(crate) fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn format_stat(def: &FigureDef, v: f64, r: &Renderer) -> String {
    if v.fract() == 0.0 {
        format::figure(def, v, r.lang())
    } else {
        // A median between two whole numbers: one decimal.
        let n = format::number(v, 1, r.lang());
        match &def.unit {
            Some(u) => format!("{n}\u{a0}{}", u.get(r.lang())),
            None => n,
        }
    }
}

/// Aggregates and the member table for the reports of one year.
pub(crate) fn year(
    r: &Renderer,
    reports: &[(&Member, &Report)],
) -> (Vec<Aggregate>, Vec<MemberFigures>) {
    let defs = &r.config().figures;
    let aggregates = defs
        .iter()
        .map(|def| {
            let mut values: Vec<f64> = reports
                .iter()
                .filter_map(|(_, rep)| rep.figures.get(&def.id).copied())
                .collect();
            let sum = (!values.is_empty()).then(|| values.iter().sum::<f64>());
            Aggregate {
                label: def.label.get(r.lang()).to_string(),
                sum: sum.map(|v| format_stat(def, v, r)),
                reported: values.len(),
                median: median(&mut values).map(|v| format_stat(def, v, r)),
                reports: reports.len(),
            }
        })
        .collect();
    let members = reports
        .iter()
        .map(|(m, rep)| {
            (
                m,
                rep,
                status::completeness(rep, &r.site().templates[&rep.template]),
            )
        })
        .map(|(m, rep, c)| MemberFigures {
            member: m.info.name.clone(),
            url: r.routes().url(Route::Report(&m.slug, rep.year)),
            answered: c.answered,
            questions: c.questions,
            values: defs
                .iter()
                .map(|def| {
                    rep.figures
                        .get(&def.id)
                        .map(|v| format::figure(def, *v, r.lang()))
                })
                .collect(),
        })
        .collect();
    (aggregates, members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
