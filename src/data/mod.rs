//! Open data: the key figures as CSV, every published report as JSON, each report's
//! sections as text, and a `/data/` page that documents the files.
//!
//! The schemas are stable and documented in `docs/open-data.md`. "Not reported" is
//! kept apart from 0 everywhere: an empty value with status `not_reported` in the CSV,
//! `null` in the JSON. Every CSV file is written through [`Csv`], which guards its text
//! cells against formula injection; the JSON keeps every value exact.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Lang;
use crate::content::{Member, Report, Sector};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::markdown::{Block, blocks_text};
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::routes::{self, FIGURES_CSV, REPORTS_JSON, Route};

use crate::routes::REPORTING_CSV;
pub const STATUS_SCHEMA: &str = "aktsom-rapportering/1";
pub const ANSWERS_SCHEMA: &str = "aktsom-svar/1";
pub const REPORTS_SCHEMA: &str = "aktsom-rapporter/1";
pub const REPORT_SCHEMA: &str = "aktsom-rapport/2";

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

/// A figure as a JSON number: integral values without a fraction.
fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

#[derive(Serialize)]
struct ReportsFile<'a> {
    schema: &'static str,
    site: &'a str,
    licence: &'a crate::config::Licence,
    figures: Vec<FigureInfo<'a>>,
    reports: Vec<ReportEntry<'a>>,
}

#[derive(Serialize)]
struct FigureInfo<'a> {
    id: &'a str,
    label: &'a crate::config::Localized,
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
    completeness: crate::content::status::Completeness<'a>,
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
        completeness: crate::content::status::completeness(rep, &r.site().templates[&rep.template]),
    }
}

/// All open data files and the `/data/` page, into `sink`.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let reports = published(r);
    if !scope.lists() {
        // Only the report's own file can have changed (`Scope::Report`), or only the
        // answers files (`Scope::Answers`).
        report_files(r, scope, &reports, sink)?;
        return answer_files(r, scope, &reports, sink);
    }

    // Key figures, long format.
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
    for (m, rep) in &reports {
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
    let bytes = csv.finish();
    let csv_kb = bytes.len().div_ceil(1024);
    sink.put(OutFile {
        path: FIGURES_CSV.into(),
        bytes,
    })
    .map_err(|d| vec![d])?;

    // Every published report.
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
    let bytes = to_json(&all);
    let reports_kb = bytes.len().div_ceil(1024);
    sink.put(OutFile {
        path: REPORTS_JSON.into(),
        bytes,
    })
    .map_err(|d| vec![d])?;

    report_files(r, scope, &reports, sink)?;

    let bytes = status_csv(r);
    let status_kb = bytes.len().div_ceil(1024);
    sink.put(OutFile {
        path: REPORTING_CSV.into(),
        bytes,
    })
    .map_err(|d| vec![d])?;
    answer_files(r, scope, &reports, sink)?;
    // Listed without their sizes: a text edit in the preview changes a year's file
    // but not this page.
    let years: std::collections::BTreeSet<u16> = reports.iter().map(|(_, rep)| rep.year).collect();
    let answers: Vec<AnswersFile> = years
        .iter()
        .rev()
        .map(|y| AnswersFile {
            year: *y,
            url: r.routes().file_url(&routes::answers_csv(*y)),
        })
        .collect();

    // The page that documents the files.
    let page = r
        .page(
            "data.html",
            Route::Data.file(),
            &DataPage {
                csv_url: r.routes().file_url(FIGURES_CSV),
                csv_kb,
                status_url: r.routes().file_url(REPORTING_CSV),
                status_kb,
                status_schema: STATUS_SCHEMA,
                answers_schema: ANSWERS_SCHEMA,
                answers,
                reports_url: r.routes().file_url(REPORTS_JSON),
                reports_kb,
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
        .map_err(|d| vec![d])?;
    sink.put(page).map_err(|d| vec![d])
}

/// `rapportering.csv`: every member's status for every reporting year in which it was
/// a member, with its report's completeness (see [`crate::overview`]).
fn status_csv(r: &Renderer) -> Vec<u8> {
    let site = r.site();
    let years = crate::content::status::reporting_years(site);
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
        for (y, status) in crate::content::status::member_status(m, &years) {
            let rep = m.reports.iter().find(|rep| rep.year == y && !rep.draft);
            let c = rep.map(|rep| {
                crate::content::status::completeness(rep, &site.templates[&rep.template])
            });
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

/// One year's file of answers, for the `/data/` page.
#[derive(Serialize)]
struct AnswersFile {
    year: u16,
    url: String,
}

/// `svar/<year>.csv` for each year whose answers are in `scope`: one line per published
/// report and question of its template (the leaves, and any part or group heading it
/// answers), in the template's order: answered with the answer as plain text, or
/// `not_answered`.
fn answer_files(
    r: &Renderer,
    scope: &Scope,
    reports: &[(&Member, &Report)],
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let mut by_year: BTreeMap<u16, Vec<&(&Member, &Report)>> = BTreeMap::new();
    for e in reports.iter().filter(|(_, rep)| scope.answers(rep.year)) {
        by_year.entry(e.1.year).or_default().push(e);
    }
    let years: Vec<(u16, Vec<&(&Member, &Report)>)> = by_year.into_iter().collect();
    let files = years.par_iter().map(|(y, reps)| {
        Ok(OutFile {
            path: routes::answers_csv(*y),
            bytes: gzip(&answers_csv(r, reps)),
        })
    });
    crate::render::emit(files, sink)
}

/// `bytes` gzip-compressed, the same for the same input (no time or file name in the
/// header). The answers are most of a site's text once more: plain, they would take a
/// site of 200 members and 10 years from 438 to 546 MB, over its 500 MB budget;
/// compressed, 453 MB at the default level, 19 MB more at the fastest, which halves
/// the open data's share of a build (2.3 s of CPU at 200 x 10 with the default level,
/// 1.3 s with the fastest): the fastest, since the size is well within the budget.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

/// The answers of one year's reports as CSV (see [`answer_files`]).
fn answers_csv(r: &Renderer, reports: &[&(&Member, &Report)]) -> Vec<u8> {
    let mut csv = Csv::new(&[
        "member",
        "member_name",
        "sector",
        "year",
        "template",
        "question",
        "title",
        "status",
        "answer",
        "url",
    ]);
    for (m, rep) in reports {
        let template = &r.site().templates[&rep.template];
        let lang = rep.lang(r.lang());
        let url = r.routes().absolute(Route::Report(&m.slug, rep.year));
        let sections: rustc_hash::FxHashMap<&str, &crate::markdown::Section> = rep
            .body
            .sections
            .iter()
            .filter_map(|s| s.number.as_deref().map(|n| (n, s)))
            .collect();
        let leaves: std::collections::HashSet<usize> =
            crate::content::status::leaf_questions(template)
                .into_iter()
                .map(|(i, _)| i)
                .collect();
        for (i, q) in template.questions.iter().enumerate() {
            let section = sections.get(q.number.as_str());
            if section.is_none() && !leaves.contains(&i) {
                continue;
            }
            let (status, text, link) = match section {
                Some(s) => (
                    "answered",
                    blocks_text(&s.blocks),
                    format!("{url}#{}", s.anchor),
                ),
                None => ("not_answered", String::new(), url.clone()),
            };
            csv.row(&[
                Cell::Text(&m.slug),
                Cell::Text(&m.info.name),
                Cell::Text(sector_code(m.info.sector)),
                Cell::Number(f64::from(rep.year)),
                Cell::Text(&rep.template),
                Cell::Text(&q.number),
                Cell::Text(q.title.get(lang)),
                Cell::Text(status),
                Cell::Text(&text),
                Cell::Text(&link),
            ]);
        }
    }
    csv.finish()
}

/// Each report in `scope` with its sections as text (`rapport.json`), into `sink`.
fn report_files(
    r: &Renderer,
    scope: &Scope,
    reports: &[(&Member, &Report)],
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    // Each report with its sections as text.
    let jobs: Vec<&(&Member, &Report)> = reports
        .iter()
        .filter(|(m, rep)| scope.member(&m.slug) && scope.year(rep.year))
        .collect();
    let per_report = jobs.par_iter().map(|(m, rep)| {
        let lang = rep.lang(r.lang());
        let template = &r.site().templates[&rep.template];
        let e = entry(r, m, rep);
        let sections = rep
            .body
            .sections
            .iter()
            .map(|s| SectionEntry {
                number: s.number.clone(),
                title: s
                    .number
                    .as_deref()
                    .and_then(|n| template.title(n, lang))
                    .map(str::to_string),
                heading: s.heading.clone(),
                anchor: s.anchor.clone(),
                url: format!("{}#{}", e.url, s.anchor),
                blocks: s.blocks.iter().map(BlockEntry::from).collect(),
            })
            .collect();
        let file = ReportFile {
            schema: REPORT_SCHEMA,
            entry: e,
            sections,
        };
        Ok(OutFile {
            path: routes::report_data(&m.slug, rep.year),
            bytes: to_json(&file),
        })
    });
    crate::render::emit(per_report, sink)
}

/// One cell of an open-data CSV file. Which cells are text and which are numbers is
/// decided here, by the caller, never guessed from the content.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Anything a person wrote or named (a member's name, a unit, a slug): guarded
    /// against formula injection by [`neutralise`].
    Text(&'a str),
    /// A year, a count or an amount: written as its digits ([`format::plain`]), never
    /// changed. Figures are never negative (the content check refuses that), so a
    /// number cannot start with `-`, and no number cell holds text.
    Number(f64),
    /// A value that is not there (a figure not reported): an empty cell.
    Empty,
}

/// The one writer every open-data CSV goes through: UTF-8, comma-separated, one header
/// row, lines ended by `\n`, cells quoted as RFC 4180 says, and every text cell guarded
/// against formula injection (see [`neutralise`]).
///
/// Written by hand rather than with the `csv` crate, which decides quoting for a whole
/// file, not for a cell: a neutralised cell is always quoted (as OWASP recommends),
/// other cells only when they must be, so that the file of a site without such text
/// stays as it was; RFC 4180 quoting itself is three lines (`Csv::quoted`).
pub struct Csv {
    out: Vec<u8>,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv { out: Vec::new() };
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        csv.row(&cells);
        csv
    }

    pub fn row(&mut self, cells: &[Cell]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            match *cell {
                Cell::Text(text) => match neutralise(text) {
                    Some(safe) => self.quoted(&safe),
                    None if text.contains([',', '"', '\r', '\n']) => self.quoted(text),
                    None => self.out.extend_from_slice(text.as_bytes()),
                },
                Cell::Number(v) => self.out.extend_from_slice(format::plain(v).as_bytes()),
                Cell::Empty => {}
            }
        }
        self.out.push(b'\n');
    }

    fn quoted(&mut self, text: &str) {
        self.out.push(b'"');
        self.out
            .extend_from_slice(text.replace('"', "\"\"").as_bytes());
        self.out.push(b'"');
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// A text cell that a spreadsheet program could take for a formula, made into text
/// (OWASP, "CSV Injection"): a `'` goes in front of a `=`, `+`, `-`, `@`, tab or carriage
/// return that starts the cell. Programs that split lines at other characters than the
/// comma (a Norwegian spreadsheet splits at `;`) or at line breaks would see a new cell
/// start inside this one, so the same applies after each `,`, `;`, tab and line break in
/// the cell; spaces before the character do not hide it. `None` when nothing needs to
/// change. The JSON files keep the text exactly as written.
pub fn neutralise(text: &str) -> Option<String> {
    const LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    const SPLITS: [char; 5] = [',', ';', '\t', '\r', '\n'];
    let mut out = String::new();
    let mut changed = false;
    let mut cell_start = true;
    for c in text.chars() {
        if cell_start && LEADS.contains(&c) {
            out.push('\'');
            changed = true;
        }
        out.push(c);
        cell_start = SPLITS.contains(&c) || (cell_start && c == ' ');
    }
    changed.then_some(out)
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    // Serialising plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_vec(v).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_leads_in_text() {
        for (text, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("  =1", "  '=1"),
            ("Alfa; =1+1", "Alfa; '=1+1"),
            ("Alfa,-1", "Alfa,'-1"),
            ("a\n@b", "a\n'@b"),
        ] {
            assert_eq!(neutralise(text).as_deref(), Some(safe), "{text:?}");
        }
        for text in ["Alfa kommune", "Bygg-og-anlegg", "a=b", "", "1-2", "x@y.no"] {
            assert_eq!(neutralise(text), None, "{text:?}");
        }
    }

    #[test]
    fn quotes_neutralised_and_special_text_cells_only() {
        let mut csv = Csv::new(&["a", "b", "c", "d"]);
        csv.row(&[
            Cell::Text("=1+1"),
            Cell::Text("x, \"y\""),
            Cell::Number(1250.5),
            Cell::Empty,
        ]);
        csv.row(&[
            Cell::Text("plain"),
            Cell::Text(""),
            Cell::Number(0.0),
            Cell::Text("-"),
        ]);
        assert_eq!(
            String::from_utf8(csv.finish()).unwrap(),
            "a,b,c,d\n\"'=1+1\",\"x, \"\"y\"\"\",1250.5,\nplain,,0,\"'-\"\n"
        );
    }
}
