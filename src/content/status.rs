//! Who has reported, and how complete each report is: facts of the model that the
//! year, member, front and report pages, the open data and `aktsom check` share.
//!
//! The reporting years are the years that some published report is for; the newest of
//! them is the current reporting year, whose missing reports are "not reported yet"
//! (the others' are "not reported"). A member is a member from `member_since` (or,
//! without it, from the year of its first published report, or the current reporting
//! year when it has none) up to and including `member_until`, when given. A report
//! counts from the moment it is published: a draft is not one.
//!
//! A report's completeness counts the leaves of its template version (questions with
//! no questions under them) that it has a section for, whatever the section says ("not
//! relevant for us" included).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Member, Report, Site};
use crate::reporting::ReportTemplate;

/// Whether a member has reported for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// A published report for the year.
    Reported,
    /// No published report for the current reporting year.
    NotReportedYet,
    /// No published report for an earlier year.
    NotReported,
}

impl Status {
    /// The code in the open data (`reported`, `not_reported_yet`, `not_reported`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::NotReportedYet => "not_reported_yet",
            Status::NotReported => "not_reported",
        }
    }
}

/// The reporting years (those with a published report), oldest first.
pub(crate) fn reporting_years(site: &Site) -> BTreeSet<u16> {
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
pub(crate) fn member_status(m: &Member, years: &BTreeSet<u16>) -> Vec<(u16, Status)> {
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
pub(crate) struct YearStatus<'a> {
    /// Members of the year with a published report for it.
    pub(crate) reported: usize,
    /// Members of the year (or with a report for it).
    pub(crate) members: usize,
    /// The members without a published report, in slug order, with their status.
    pub(crate) missing: Vec<(&'a Member, Status)>,
}

/// Who has reported for year `y` (`years` from [`reporting_years`]).
pub(crate) fn year_status<'a>(site: &'a Site, years: &BTreeSet<u16>, y: u16) -> YearStatus<'a> {
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

/// The questions of a template that a report answers: the leaves
/// ([`ReportTemplate::leaves`]), with their positions in the template's order.
pub(crate) fn leaf_questions(template: &ReportTemplate) -> Vec<(usize, &str)> {
    template
        .leaves()
        .iter()
        .map(|&i| (i, template.questions[i].number.as_str()))
        .collect()
}

/// The `leaves` (from [`leaf_questions`]) that report `r` has no section for, in the
/// template's order.
pub(crate) fn unanswered<'t>(r: &Report, leaves: &[(usize, &'t str)]) -> Vec<(usize, &'t str)> {
    let answered: BTreeSet<usize> = r.answered.iter().map(|&p| usize::from(p)).collect();
    leaves
        .iter()
        .filter(|(pos, _)| !answered.contains(pos))
        .copied()
        .collect()
}

/// How complete a report is: of its template version's questions (the leaves, see
/// [`leaf_questions`]), how many it answers and which it leaves unanswered, the same
/// analysis that `aktsom check` warns about. A section counts as an answer whatever it
/// says, "not relevant for us" included.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Completeness<'t> {
    pub(crate) answered: usize,
    pub(crate) questions: usize,
    /// The unanswered question numbers, in the template's order.
    pub(crate) unanswered: Vec<&'t str>,
}

/// The [`Completeness`] of report `r`, whose template is `template`.
pub(crate) fn completeness<'t>(r: &Report, template: &'t ReportTemplate) -> Completeness<'t> {
    let leaves = leaf_questions(template);
    let unanswered: Vec<&str> = unanswered(r, &leaves).into_iter().map(|(_, n)| n).collect();
    Completeness {
        answered: leaves.len() - unanswered.len(),
        questions: leaves.len(),
        unanswered,
    }
}
