//! A year's overview: the year's aggregates of every key figure (sum and median over
//! the members that reported it, and how many did) and every member's figures.

use serde::Serialize;

use crate::config::FigureDef;
use crate::content::{Member, Report};
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
        .map(|(m, rep)| MemberFigures {
            member: m.info.name.clone(),
            url: r.routes().url(Route::Report(&m.slug, rep.year)),
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
