//! Open data: the key figures as CSV, every published report as JSON, each report's
//! sections as text, and a `/data/` page that documents the files.
//!
//! The schemas are stable and documented in `docs/open-data.md`. "Not reported" is
//! kept apart from 0 everywhere: an empty value with status `not_reported` in the CSV,
//! `null` in the JSON. Every CSV file is written through [`csv::Csv`], which guards its
//! text cells against formula injection; the JSON keeps every value exact.
//!
//! One file per kind of file written: `tables.rs` the key figures and the reporting
//! status (CSV), `reports.rs` the reports (JSON), `answers.rs` the answers (gzipped
//! CSV), `csv.rs` the CSV writer; this file the `/data/` page and the order of it all.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::Lang;
use crate::content::{Member, Report, Sector};
use crate::diagnostics::Diagnostic;
use crate::markdown::Block;
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::routes::{self, FIGURES_CSV, REPORTING_CSV, REPORTS_JSON, Route};

mod answers;
mod csv;
mod reports;
mod tables;

pub(crate) const STATUS_SCHEMA: &str = "aktsom-rapportering/1";
pub(crate) const ANSWERS_SCHEMA: &str = "aktsom-svar/1";
pub(crate) const REPORTS_SCHEMA: &str = "aktsom-rapporter/1";
pub(crate) const REPORT_SCHEMA: &str = "aktsom-rapport/2";

/// The values of `data.html`.
#[derive(Serialize)]
struct DataPage<'a> {
    csv_url: String,
    csv_kb: usize,
    status_url: String,
    status_kb: usize,
    status_schema: &'static str,
    answers_schema: &'static str,
    answers: Vec<AnswersFile>,
    reports_url: String,
    reports_kb: usize,
    report_count: usize,
    example_url: Option<String>,
    /// Each key figure's id and Norwegian label.
    figures: Vec<(&'a str, &'a str)>,
}

/// One year's file of answers, for the `/data/` page.
#[derive(Serialize)]
struct AnswersFile {
    year: u16,
    url: String,
}

/// The sizes of the files the `/data/` page shows, in kB.
struct Sizes {
    csv_kb: usize,
    status_kb: usize,
    reports_kb: usize,
}

/// Reports that are published (drafts never reach open data), members in slug order.
fn published<'a>(r: &Renderer<'a>) -> Vec<(&'a Member, &'a Report)> {
    r.site()
        .members
        .iter()
        .flat_map(|m| {
            m.reports
                .iter()
                .filter(|rep| !rep.draft)
                .map(move |rep| (m, rep))
        })
        .collect()
}

fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// The bytes of a report's answers as text (tables left out): what most of its open
/// data files hold, to size their buffers.
fn text_bytes(rep: &Report) -> usize {
    rep.body
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .map(|b| match b {
            Block::Text(t) => t.len(),
            Block::Table(_) => 0,
        })
        .sum()
}

/// All open data files and the `/data/` page, into `sink`.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let reports = published(r);
    if !scope.lists() {
        // Only the report's own file can have changed (`Scope::Report`), or only the
        // answers files (`Scope::Answers`).
        reports::report_files(r, scope, &reports, sink)?;
        return answers::answer_files(r, scope, &reports, sink);
    }
    let csv_kb = put(sink, FIGURES_CSV, tables::figures_csv(r, &reports))?;
    let reports_kb = put(sink, REPORTS_JSON, reports::reports_json(r, &reports))?;
    reports::report_files(r, scope, &reports, sink)?;
    let status_kb = put(sink, REPORTING_CSV, tables::status_csv(r))?;
    answers::answer_files(r, scope, &reports, sink)?;
    let sizes = Sizes {
        csv_kb,
        status_kb,
        reports_kb,
    };
    let page = data_page(r, &reports, sizes).map_err(|d| vec![d])?;
    sink.put(page).map_err(|d| vec![d])
}

/// Puts a file into `sink`; its size in kB.
fn put(sink: &dyn Sink, path: &str, bytes: Vec<u8>) -> Result<usize, Vec<Diagnostic>> {
    let kb = bytes.len().div_ceil(1024);
    sink.put(OutFile {
        path: path.into(),
        bytes,
    })
    .map_err(|d| vec![d])?;
    Ok(kb)
}

/// The page that documents the files.
fn data_page(
    r: &Renderer,
    reports: &[(&Member, &Report)],
    sizes: Sizes,
) -> Result<OutFile, Diagnostic> {
    // Listed without their sizes: a text edit in the preview changes a year's file
    // but not this page.
    let years: BTreeSet<u16> = reports.iter().map(|(_, rep)| rep.year).collect();
    let answers: Vec<AnswersFile> = years
        .iter()
        .rev()
        .map(|y| AnswersFile {
            year: *y,
            url: r.routes().file_url(&routes::answers_csv(*y)),
        })
        .collect();
    r.page(
        "data.html",
        Route::Data.file(),
        &DataPage {
            csv_url: r.routes().file_url(FIGURES_CSV),
            csv_kb: sizes.csv_kb,
            status_url: r.routes().file_url(REPORTING_CSV),
            status_kb: sizes.status_kb,
            status_schema: STATUS_SCHEMA,
            answers_schema: ANSWERS_SCHEMA,
            answers,
            reports_url: r.routes().file_url(REPORTS_JSON),
            reports_kb: sizes.reports_kb,
            report_count: reports.len(),
            example_url: reports
                .first()
                .map(|(m, rep)| r.routes().file_url(&routes::report_data(&m.slug, rep.year))),
            figures: r
                .config()
                .figures
                .iter()
                .map(|f| (f.id.as_str(), f.label.get(Lang::Nb)))
                .collect(),
        },
    )
}
