//! The question pages' model: the values each template gets (`questions.html`,
//! `question.html`, `question_year.html`), and the question's page and its year pages
//! made from them.

use serde::Serialize;

use crate::content::Sector;
use crate::diagnostics::Diagnostic;
use crate::markdown::Section;
use crate::render::{OutFile, Renderer};
use crate::routes::Route;

use super::embed::embed;
use super::{Entry, QuestionYears};

/// A question on the index page: a link when it has pages.
#[derive(Serialize)]
pub(super) struct QuestionLink {
    pub(super) number: String,
    pub(super) title: String,
    pub(super) depth: u8,
    pub(super) url: Option<String>,
    /// The template versions that have this question, when not all do.
    pub(super) only_in: Option<String>,
}

/// The values of `questions.html`.
#[derive(Serialize)]
pub(super) struct IndexPage<'a> {
    pub(super) questions: &'a [QuestionLink],
}

/// The values of `question.html`.
#[derive(Serialize)]
struct QuestionPage<'a> {
    number: &'a str,
    title: &'a str,
    years: Vec<YearLink>,
    latest_url: String,
    latest: u16,
}

/// The values of `question_year.html`.
#[derive(Serialize)]
struct QuestionYearPage<'a> {
    number: &'a str,
    title: &'a str,
    question_url: String,
    year: u16,
    answer_count: usize,
    groups: Vec<SectorGroup>,
    missing: Vec<Missing>,
    years: Vec<YearLink>,
    prev: Option<Neighbour>,
    next: Option<Neighbour>,
}

/// The same question's page in another year.
#[derive(Serialize)]
struct Neighbour {
    year: u16,
    url: String,
}

/// One year of a question, with its count of answers.
#[derive(Serialize)]
struct YearLink {
    year: u16,
    url: String,
    answers: usize,
    current: bool,
}

/// A member's answer on a question's year page.
#[derive(Serialize)]
struct Answer {
    member: String,
    sector: String,
    slug: String,
    member_url: String,
    report_url: String,
    /// The member's own heading for the question.
    heading: String,
    lang: Option<String>,
    html: String,
}

/// A report of the year whose template has the question but that does not answer it.
#[derive(Serialize)]
struct Missing {
    member: String,
    sector: String,
    report_url: String,
}

/// The answers of one sector on a question's year page: a group with its own heading
/// and anchor, so that a reader can go to one sector without JavaScript.
#[derive(Serialize)]
struct SectorGroup {
    /// The anchor: `sektor-public`, `sektor-private`.
    id: String,
    label: String,
    answers: Vec<Answer>,
}

/// Answers grouped by their member's sector: public first, then private; a sector
/// without answers has no group.
fn by_sector(r: &Renderer, answers: Vec<(Sector, Answer)>) -> Vec<SectorGroup> {
    const ORDER: [Sector; 2] = [Sector::Public, Sector::Private];
    let mut groups: Vec<SectorGroup> = ORDER
        .iter()
        .map(|&sector| SectorGroup {
            id: format!("sektor-{}", sector_code(sector)),
            label: r.sector_label(sector),
            answers: Vec::new(),
        })
        .collect();
    for (sector, answer) in answers {
        let i = ORDER.iter().position(|&s| s == sector).unwrap_or(0);
        groups[i].answers.push(answer);
    }
    groups.retain(|g| !g.answers.is_empty());
    groups
}

/// The sector as its anchor says it.
fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// The question's page for the year before (`step` -1) or after (1) `year` among the
/// years that have one: `{year, url}`, or none.
fn neighbour(r: &Renderer, qy: &QuestionYears, year: u16, step: isize) -> Option<Neighbour> {
    let pos = qy.years.iter().position(|&(y, _)| y == year);
    let other = pos
        .and_then(|p| p.checked_add_signed(step))
        .and_then(|p| qy.years.get(p));
    other.map(|&(y, _)| Neighbour {
        year: y,
        url: r.routes().url(Route::QuestionYear(&qy.question.number, y)),
    })
}

/// The question's years, newest first, `current` marked.
fn year_links(r: &Renderer, qy: &QuestionYears, current: Option<u16>) -> Vec<YearLink> {
    qy.years
        .iter()
        .rev()
        .map(|&(y, answers)| YearLink {
            year: y,
            url: r.routes().url(Route::QuestionYear(&qy.question.number, y)),
            answers,
            current: Some(y) == current,
        })
        .collect()
}

/// The question's own page: its years, with answer counts.
pub(super) fn question_page(r: &Renderer, qy: &QuestionYears) -> Result<OutFile, Diagnostic> {
    let q = qy.question;
    let latest = qy.years.last().map_or(0, |&(y, _)| y);
    r.page(
        "question.html",
        Route::Question(&q.number).file(),
        &QuestionPage {
            number: &q.number,
            title: q.title.get(r.lang()),
            years: year_links(r, qy, None),
            latest_url: r.routes().url(Route::QuestionYear(&q.number, latest)),
            latest,
        },
    )
}

/// The question's page for one year: every member's answer, by sector, and the
/// reports that do not answer it.
pub(super) fn year_page(
    r: &Renderer,
    qy: &QuestionYears,
    year: u16,
    reports: &[Entry],
) -> Result<OutFile, Diagnostic> {
    let q = qy.question;
    let mut answers: Vec<(Sector, Answer)> = Vec::new();
    let mut missing = Vec::new();
    for e in reports {
        let (m, rep) = (e.member, e.report);
        let template = &r.site().templates[&rep.template];
        match e.sections.get(q.number.as_str()) {
            Some(s) => answers.push((m.info.sector, answer(r, e, s))),
            None if template.get(&q.number).is_some() => missing.push(Missing {
                member: m.info.name.clone(),
                sector: r.sector_label(m.info.sector),
                report_url: r.routes().url(Route::Report(&m.slug, rep.year)),
            }),
            None => {}
        }
    }
    r.page(
        "question_year.html",
        Route::QuestionYear(&q.number, year).file(),
        &QuestionYearPage {
            number: &q.number,
            title: q.title.get(r.lang()),
            question_url: r.routes().url(Route::Question(&q.number)),
            year,
            answer_count: answers.len(),
            groups: by_sector(r, answers),
            missing,
            years: year_links(r, qy, Some(year)),
            prev: neighbour(r, qy, year, -1),
            next: neighbour(r, qy, year, 1),
        },
    )
}

/// A report's answer (its section `s`), embedded for the year page.
fn answer(r: &Renderer, e: &Entry, s: &Section) -> Answer {
    let (m, rep) = (e.member, e.report);
    let report_url = r.routes().url(Route::Report(&m.slug, rep.year));
    Answer {
        member: m.info.name.clone(),
        sector: r.sector_label(m.info.sector),
        member_url: r.routes().url(Route::Member(&m.slug)),
        report_url: format!("{report_url}#{}", s.anchor),
        heading: s.heading.clone(),
        lang: rep.language.clone(),
        html: embed(
            rep.body.answer_html(s),
            &format!("{}-", m.slug),
            4,
            &report_url,
            (&format!("svar-{}", m.slug), &m.info.name),
        ),
        slug: m.slug.clone(),
    }
}
