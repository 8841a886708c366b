//! The two small CSV files: `nokkeltall.csv` (every published report's key figures,
//! one line per figure) and `rapportering.csv` (every member's status for every
//! reporting year).

use super::csv::{Cell, Csv};
use super::sector_code;
use crate::content::status::{completeness, member_status, reporting_years};
use crate::content::{Member, Report};
use crate::render::Renderer;
use crate::routes::Route;

/// `nokkeltall.csv`: the key figures in long format, "not reported" as an empty value
/// with status `not_reported`.
pub(super) fn figures_csv(r: &Renderer, reports: &[(&Member, &Report)]) -> Vec<u8> {
    let mut csv = Csv::new(&[
        "member",
        "member_name",
        "sector",
        "year",
        "figure",
        "value",
        "unit",
        "status",
    ]);
    for (m, rep) in reports {
        for def in &r.config().figures {
            let value = rep.figures.get(&def.id);
            csv.row(&[
                Cell::Text(&m.slug),
                Cell::Text(&m.info.name),
                Cell::Text(sector_code(m.info.sector)),
                Cell::Number(f64::from(rep.year)),
                Cell::Text(&def.id),
                value.map_or(Cell::Empty, |v| Cell::Number(*v)),
                Cell::Text(def.unit.as_ref().map_or("", |u| u.en.as_str())),
                Cell::Text(if value.is_some() {
                    "reported"
                } else {
                    "not_reported"
                }),
            ]);
        }
    }
    csv.finish()
}

/// `rapportering.csv`: every member's status for every reporting year in which it was
/// a member, with its report's completeness (see [`crate::overview`]).
pub(super) fn status_csv(r: &Renderer) -> Vec<u8> {
    let site = r.site();
    let years = reporting_years(site);
    let mut csv = Csv::new(&[
        "member",
        "member_name",
        "sector",
        "year",
        "status",
        "template",
        "answered",
        "questions",
        "unanswered",
        "url",
    ]);
    for m in &site.members {
        for (y, status) in member_status(m, &years) {
            let rep = m.reports.iter().find(|rep| rep.year == y && !rep.draft);
            let c = rep.map(|rep| completeness(rep, &site.templates[&rep.template]));
            let unanswered = c
                .as_ref()
                .map(|c| c.unanswered.join(" "))
                .unwrap_or_default();
            let url = rep
                .map(|rep| r.routes().absolute(Route::Report(&m.slug, rep.year)))
                .unwrap_or_default();
            let count = |n: Option<usize>| n.map_or(Cell::Empty, |n| Cell::Number(n as f64));
            csv.row(&[
                Cell::Text(&m.slug),
                Cell::Text(&m.info.name),
                Cell::Text(sector_code(m.info.sector)),
                Cell::Number(f64::from(y)),
                Cell::Text(status.code()),
                Cell::Text(rep.map_or("", |rep| rep.template.as_str())),
                count(c.as_ref().map(|c| c.answered)),
                count(c.as_ref().map(|c| c.questions)),
                Cell::Text(&unanswered),
                Cell::Text(&url),
            ]);
        }
    }
    csv.finish()
}
