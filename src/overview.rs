//! A year's overview: the year's aggregates of every key figure (sum and median over
//! the members that reported it, and how many did) and every member's figures; and who
//! has reported: which members were members in a reporting year and have no published
//! report for it ([`Status`], [`year_status`]).
//!
//! The reporting years are the years that some published report is for; the newest of
//! them is the current reporting year, whose missing reports are "not reported yet"
//! (the others' are "not reported"). A member is a member from `member_since` (or,
//! without it, from the year of its first published report, or the current reporting
//! year when it has none) up to and including `member_until`, when given. A report
//! counts from the moment it is published: a draft is not one.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::FigureDef;
use crate::content::{Member, Report, Site};
use crate::format;
use crate::render::Renderer;
use crate::routes::Route;

#[derive(Serialize)]
pub struct Aggregate {
    pub label: String,
    /// Formatted sum over the members that reported the figure; `None` if none did.
    pub sum: Option<String>,
    pub median: Option<String>,
    /// How many of the year's reports include the figure.
    pub reported: usize,
    pub reports: usize,
}

#[derive(Serialize)]
pub struct MemberFigures {
    pub member: String,
    pub url: String,
    /// One formatted value per figure, in site.toml's order; `None` when not reported.
    pub values: Vec<Option<String>>,
    /// How many of its template's questions the report answers.
    pub answered: usize,
    pub questions: usize,
}

/// A report's completeness as pages show it (see [`crate::check::completeness`]).
#[derive(Serialize)]
pub struct CompletenessView {
    pub answered: usize,
    pub questions: usize,
    /// The unanswered questions, each linked to its question page for the report's year
    /// (when the question has pages: those of depth 3).
    pub unanswered: Vec<QuestionRef>,
}

#[derive(Serialize)]
pub struct QuestionRef {
    pub number: String,
    pub url: Option<String>,
}

/// The completeness of report `rep`, for a page.
pub fn completeness(r: &Renderer, rep: &Report) -> CompletenessView {
    let template = &r.site().templates[&rep.template];
    let c = crate::check::completeness(rep, template);
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
pub struct Summary {
    pub year: u16,
    pub reported: usize,
    pub members: usize,
}

/// A member without a published report for a year, for the year page.
#[derive(Serialize)]
pub struct MissingView {
    pub member: String,
    pub url: String,
    pub sector: String,
    /// [`Status::code`].
    pub status: &'static str,
}

/// Who has reported for year `y`: the summary and the members without a report.
pub fn year_view(r: &Renderer, y: u16) -> (Summary, Vec<MissingView>) {
    let site = r.site();
    let years = reporting_years(site);
    let st = year_status(site, &years, y);
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
    missing.sort_by_key(|v| crate::render::collation_key(&v.member));
    let summary = Summary {
        year: y,
        reported: st.reported,
        members: st.members,
    };
    (summary, missing)
}

/// Who has reported for the current reporting year, for the front page; `None` when
/// nothing is published.
pub fn current_summary(r: &Renderer) -> Option<Summary> {
    let years = reporting_years(r.site());
    let y = *years.last()?;
    let st = year_status(r.site(), &years, y);
    Some(Summary {
        year: y,
        reported: st.reported,
        members: st.members,
    })
}

/// One year of a member's membership, for the member page.
#[derive(Serialize)]
pub struct MemberYear {
    pub year: u16,
    /// [`Status::code`].
    pub status: &'static str,
    /// The report's page, when it has one.
    pub url: Option<String>,
    pub completeness: Option<CompletenessView>,
}

/// Every reporting year in which `m` was a member, newest first: its report's
/// completeness, or that it has not reported. A draft (in a build with drafts) is shown
/// with its completeness, but the year still counts as not reported.
pub fn member_years(r: &Renderer, m: &Member) -> Vec<MemberYear> {
    let years = reporting_years(r.site());
    let mut out: Vec<MemberYear> = member_status(m, &years)
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
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 {
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
pub fn year(r: &Renderer, reports: &[(&Member, &Report)]) -> (Vec<Aggregate>, Vec<MemberFigures>) {
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
                crate::check::completeness(rep, &r.site().templates[&rep.template]),
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

/// Whether a member has reported for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A published report for the year.
    Reported,
    /// No published report for the current reporting year.
    NotReportedYet,
    /// No published report for an earlier year.
    NotReported,
}

impl Status {
    /// The code in the open data (`reported`, `not_reported_yet`, `not_reported`).
    pub fn code(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::NotReportedYet => "not_reported_yet",
            Status::NotReported => "not_reported",
        }
    }
}

/// The reporting years (those with a published report), oldest first.
pub fn reporting_years(site: &Site) -> BTreeSet<u16> {
    site.members
        .iter()
        .flat_map(|m| m.reports.iter().filter(|r| !r.draft).map(|r| r.year))
        .collect()
}

/// The first year of a member's membership (see the module's documentation).
fn member_from(m: &Member, current: u16) -> u16 {
    m.info.member_since.unwrap_or_else(|| {
        m.reports
            .iter()
            .find(|r| !r.draft)
            .map_or(current, |r| r.year)
    })
}

/// Whether member `m` was a member in year `y`, or reported for it.
fn expected(m: &Member, y: u16, current: u16) -> bool {
    let member = member_from(m, current) <= y && m.info.member_until.is_none_or(|u| y <= u);
    member || published(m, y)
}

fn published(m: &Member, y: u16) -> bool {
    m.reports.iter().any(|r| r.year == y && !r.draft)
}

/// A member's status for every reporting year in which it was a member (or reported),
/// oldest first. `years` from [`reporting_years`].
pub fn member_status(m: &Member, years: &BTreeSet<u16>) -> Vec<(u16, Status)> {
    let Some(&current) = years.last() else {
        return Vec::new();
    };
    years
        .iter()
        .filter(|&&y| expected(m, y, current))
        .map(|&y| (y, status(m, y, current)))
        .collect()
}

fn status(m: &Member, y: u16, current: u16) -> Status {
    if published(m, y) {
        Status::Reported
    } else if y >= current {
        Status::NotReportedYet
    } else {
        Status::NotReported
    }
}

/// Who has reported for one year.
pub struct YearStatus<'a> {
    /// Members of the year with a published report for it.
    pub reported: usize,
    /// Members of the year (or with a report for it).
    pub members: usize,
    /// The members without a published report, in slug order, with their status.
    pub missing: Vec<(&'a Member, Status)>,
}

/// Who has reported for year `y` (`years` from [`reporting_years`]).
pub fn year_status<'a>(site: &'a Site, years: &BTreeSet<u16>, y: u16) -> YearStatus<'a> {
    let current = years.last().copied().unwrap_or(y);
    let mut out = YearStatus {
        reported: 0,
        members: 0,
        missing: Vec::new(),
    };
    for m in site.members.iter().filter(|m| expected(m, y, current)) {
        out.members += 1;
        match status(m, y, current) {
            Status::Reported => out.reported += 1,
            s => out.missing.push((m, s)),
        }
    }
    out
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
