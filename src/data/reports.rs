//! The reports as JSON: `rapporter.json` (every published report with its key figures
//! and completeness) and each report's `rapport.json` (the same entry with its answers
//! as the blocks comparisons compare).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{REPORT_SCHEMA, REPORTS_SCHEMA, sector_code, text_bytes};
use crate::config::{Licence, Localized};
use crate::content::status::{Completeness, completeness};
use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::markdown::{Block, Section};
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::reporting::ReportTemplate;
use crate::routes::{self, Route};

#[derive(Serialize)]
struct ReportsFile<'a> {
    schema: &'static str,
    site: &'a str,
    licence: &'a Licence,
    figures: Vec<FigureInfo<'a>>,
    reports: Vec<ReportEntry<'a>>,
}

#[derive(Serialize)]
struct FigureInfo<'a> {
    id: &'a str,
    label: &'a Localized,
    unit: Option<&'a str>,
}

#[derive(Serialize)]
struct ReportEntry<'a> {
    member: String,
    member_name: String,
    sector: &'static str,
    year: u16,
    title: String,
    language: String,
    published: Option<String>,
    template: String,
    url: String,
    data_url: String,
    /// Every figure defined by the site; `null` means not reported.
    figures: BTreeMap<String, serde_json::Value>,
    /// The question numbers the report answers, in the report's order.
    questions: Vec<String>,
    /// How many of its template's questions it answers, and which it leaves out.
    completeness: Completeness<'a>,
}

#[derive(Serialize)]
struct ReportFile<'a> {
    schema: &'static str,
    #[serde(flatten)]
    entry: ReportEntry<'a>,
    sections: Vec<SectionEntry<'a>>,
}

#[derive(Serialize)]
struct SectionEntry<'a> {
    number: Option<String>,
    /// The template's title of the question (in the report's language).
    title: Option<String>,
    /// The heading as the member wrote it.
    heading: String,
    anchor: String,
    url: String,
    /// The answer as the units comparisons compare: a paragraph, list item or
    /// sub-heading as a string (words between single spaces), a table as an object.
    /// The browser compares two years from these (`compare-core.js`). Schema 1 also
    /// had the answer as one `text`: schema 2 leaves it out, as it doubled the file
    /// (the budget of issue #18: 500 MB for 200 members x 10 years).
    blocks: Vec<BlockEntry<'a>>,
}

/// A block of an answer in `rapport.json`.
#[derive(Serialize)]
#[serde(untagged)]
enum BlockEntry<'a> {
    Text(&'a str),
    Table {
        caption: &'a str,
        head: &'a [String],
        rows: &'a [Vec<String>],
    },
}

impl<'a> From<&'a Block> for BlockEntry<'a> {
    fn from(b: &'a Block) -> Self {
        match b {
            Block::Text(t) => BlockEntry::Text(t),
            Block::Table(t) => BlockEntry::Table {
                caption: &t.caption,
                head: &t.head,
                rows: &t.rows,
            },
        }
    }
}

/// A figure as a JSON number: integral values without a fraction.
fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

fn entry<'a>(r: &Renderer<'a>, m: &Member, rep: &Report) -> ReportEntry<'a> {
    let figures = r
        .config()
        .figures
        .iter()
        .map(|def| {
            (
                def.id.clone(),
                rep.figures
                    .get(&def.id)
                    .map_or(serde_json::Value::Null, |v| json_number(*v)),
            )
        })
        .collect();
    let url = r.routes().absolute(Route::Report(&m.slug, rep.year));
    ReportEntry {
        member: m.slug.clone(),
        member_name: m.info.name.clone(),
        sector: sector_code(m.info.sector),
        year: rep.year,
        title: r.report_title(rep),
        language: rep
            .language
            .clone()
            .unwrap_or_else(|| r.lang().code().to_string()),
        published: rep.published.map(|d| d.to_string()),
        template: rep.template.clone(),
        data_url: format!("{url}rapport.json"),
        url,
        figures,
        questions: rep
            .body
            .sections
            .iter()
            .filter_map(|s| s.number.clone())
            .collect(),
        completeness: completeness(rep, &r.site().templates[&rep.template]),
    }
}

/// `rapporter.json`: every published report.
pub(super) fn reports_json(r: &Renderer, reports: &[(&Member, &Report)]) -> Vec<u8> {
    let all = ReportsFile {
        schema: REPORTS_SCHEMA,
        site: &r.config().title,
        licence: &r.config().data_licence,
        figures: r
            .config()
            .figures
            .iter()
            .map(|f| FigureInfo {
                id: &f.id,
                label: &f.label,
                unit: f.unit.as_ref().map(|u| u.en.as_str()),
            })
            .collect(),
        reports: reports.iter().map(|(m, rep)| entry(r, m, rep)).collect(),
    };
    to_json(&all, 0)
}

/// Each report in `scope` with its sections as text (`rapport.json`), into `sink`.
pub(super) fn report_files(
    r: &Renderer,
    scope: &Scope,
    reports: &[(&Member, &Report)],
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let jobs: Vec<&(&Member, &Report)> = reports
        .iter()
        .filter(|(m, rep)| scope.member(&m.slug) && scope.year(rep.year))
        .collect();
    let jobs = r.not_reused(sink, jobs, |inputs, (m, rep)| {
        Some((
            inputs.member(&m.slug)?,
            routes::report_data(&m.slug, rep.year),
        ))
    })?;
    let per_report = jobs.par_iter().map(|(m, rep)| {
        Ok(OutFile {
            path: routes::report_data(&m.slug, rep.year),
            bytes: report_json(r, m, rep),
        })
    });
    crate::render::emit(per_report, sink)
}

/// One report's `rapport.json`.
fn report_json(r: &Renderer, m: &Member, rep: &Report) -> Vec<u8> {
    let lang = rep.lang(r.lang());
    let template = &r.site().templates[&rep.template];
    let e = entry(r, m, rep);
    let sections = rep
        .body
        .sections
        .iter()
        .map(|s| section(s, template, lang, &e.url))
        .collect();
    let file = ReportFile {
        schema: REPORT_SCHEMA,
        entry: e,
        sections,
    };
    // Mostly the answers' text: a buffer that size to start with grows once or twice
    // rather than a dozen times.
    let text = text_bytes(rep);
    to_json(&file, text + text / 4)
}

fn section<'a>(
    s: &'a Section,
    template: &ReportTemplate,
    lang: crate::config::Lang,
    url: &str,
) -> SectionEntry<'a> {
    SectionEntry {
        number: s.number.clone(),
        title: s
            .number
            .as_deref()
            .and_then(|n| template.title(n, lang))
            .map(str::to_string),
        heading: s.heading.clone(),
        anchor: s.anchor.clone(),
        url: format!("{url}#{}", s.anchor),
        blocks: s.blocks.iter().map(BlockEntry::from).collect(),
    }
}

/// `v` as JSON and a line end, in a buffer of `capacity` bytes to start with.
fn to_json<T: Serialize>(v: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    // Serialising plain structs of strings and numbers into memory cannot fail.
    let _ = serde_json::to_writer(&mut out, v);
    out.push(b'\n');
    out
}
