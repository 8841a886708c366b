//! One question across members: `/sporsmal/` lists the template's questions,
//! `/sporsmal/<number>/` leads to the years of one question, and
//! `/sporsmal/<number>/<year>/` shows every member's answer that year, one after the
//! other under the member's name.
//!
//! An answer is embedded from its report's HTML. Many answers share one page, so each
//! one's ids (and the links and labels that point at them) get a prefix, and its
//! sub-headings are moved to the levels under the member's heading.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::content::{Member, Report, Sector};
use crate::diagnostics::Diagnostic;
use crate::html::escape;
use crate::html::scan::{Tag, tags};
use crate::markdown::Section;
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::reporting::Question;
use crate::routes::Route;

#[derive(Serialize)]
struct QuestionLink {
    number: String,
    title: String,
    depth: u8,
    url: Option<String>,
    /// The template versions that have this question, when not all do.
    only_in: Option<String>,
}

/// The values of `questions.html`.
#[derive(Serialize)]
struct IndexPage<'a> {
    questions: &'a [QuestionLink],
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

#[derive(Serialize)]
struct YearLink {
    year: u16,
    url: String,
    answers: usize,
    current: bool,
}

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

fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// Every question of every template version, in the newest version's order, with
/// questions only older versions have after their predecessor.
fn all_questions<'a>(r: &Renderer<'a>) -> Vec<&'a Question> {
    let site = r.site();
    let Some(default) = crate::reporting::latest(&site.templates) else {
        return Vec::new();
    };
    let mut order: Vec<(f64, &Question)> = default
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (i as f64, q))
        .collect();
    for t in site.templates.values() {
        for (k, q) in t.questions.iter().enumerate() {
            if default.get(&q.number).is_none() && !order.iter().any(|(_, x)| x.number == q.number)
            {
                let before = t.questions[..k]
                    .iter()
                    .rev()
                    .find_map(|p| default.position(&p.number))
                    .map_or(-1.0, |p| p as f64);
                order.push((before + 0.5, q));
            }
        }
    }
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    order.into_iter().map(|(_, q)| q).collect()
}

/// A report and its numbered sections by number.
struct Entry<'a> {
    member: &'a Member,
    report: &'a Report,
    sections: FxHashMap<&'a str, &'a Section>,
}

/// Reports by year, members in slug order; drafts only when the build includes them.
/// Sections are indexed by number only in the years of `scope` (the ones whose pages
/// are rendered).
fn by_year<'a>(r: &Renderer<'a>, scope: &Scope) -> BTreeMap<u16, Vec<Entry<'a>>> {
    let mut years: BTreeMap<u16, Vec<Entry<'a>>> = BTreeMap::new();
    for m in &r.site().members {
        for rep in &m.reports {
            let sections = if scope.year(rep.year) {
                rep.body
                    .sections
                    .iter()
                    .filter_map(|s| s.number.as_deref().map(|n| (n, s)))
                    .collect()
            } else {
                FxHashMap::default()
            };
            years.entry(rep.year).or_default().push(Entry {
                member: m,
                report: rep,
                sections,
            });
        }
    }
    years
}

/// A page of the question pages.
enum Job<'q> {
    /// `/sporsmal/<number>/`: the question's years.
    Question(&'q QuestionYears<'q>),
    /// `/sporsmal/<number>/<year>/`.
    Year(&'q QuestionYears<'q>, u16),
}

/// A question (depth 3) and the years in which some report's template has it, with
/// how many reports answer it each year.
struct QuestionYears<'q> {
    question: &'q Question,
    years: Vec<(u16, usize)>,
}

/// All question pages, into `sink`.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let site = r.site();
    let questions = all_questions(r);
    let years = by_year(r, scope);
    // How many reports answer each question, per year (a report answers a question
    // once: a second answer to a number is an error). Counted by template position
    // first: no string is touched per report.
    let mut by_position: BTreeMap<&str, Vec<BTreeMap<u16, usize>>> = BTreeMap::new();
    for (y, reps) in &years {
        for e in reps {
            let Some(t) = site.templates.get(&e.report.template) else {
                continue;
            };
            let counts = by_position
                .entry(e.report.template.as_str())
                .or_insert_with(|| vec![BTreeMap::new(); t.questions.len()]);
            for &p in &e.report.answered {
                if let Some(c) = counts.get_mut(usize::from(p)) {
                    *c.entry(*y).or_default() += 1;
                }
            }
        }
    }
    let mut answered: HashMap<&str, BTreeMap<u16, usize>> = HashMap::new();
    for (version, counts) in &by_position {
        for (q, per_year) in site.templates[*version].questions.iter().zip(counts) {
            let total = answered.entry(q.number.as_str()).or_default();
            for (y, n) in per_year {
                *total.entry(*y).or_default() += n;
            }
        }
    }
    let lang = r.lang();
    // The template versions used each year.
    let versions_in: BTreeMap<u16, BTreeSet<&str>> = years
        .iter()
        .map(|(y, reps)| {
            (
                *y,
                reps.iter().map(|e| e.report.template.as_str()).collect(),
            )
        })
        .collect();
    let mut with_years: Vec<QuestionYears> = Vec::new();
    for q in questions.iter().filter(|q| q.depth == 3) {
        let ys: Vec<(u16, usize)> = years
            .iter()
            .filter(|(y, _)| {
                versions_in[*y]
                    .iter()
                    .any(|v| site.templates[*v].get(&q.number).is_some())
            })
            .map(|(y, _)| {
                let n = answered
                    .get(q.number.as_str())
                    .and_then(|per_year| per_year.get(y))
                    .copied()
                    .unwrap_or(0);
                (*y, n)
            })
            .collect();
        if !ys.is_empty() {
            with_years.push(QuestionYears {
                question: q,
                years: ys,
            });
        }
    }
    let versions = site.templates.len();
    let index: Vec<QuestionLink> = questions
        .iter()
        .map(|q| {
            let has: Vec<&str> = site
                .templates
                .values()
                .filter(|t| t.get(&q.number).is_some())
                .map(|t| t.version.as_str())
                .collect();
            QuestionLink {
                number: q.number.clone(),
                title: q.title.get(lang).to_string(),
                depth: q.depth,
                url: with_years
                    .iter()
                    .any(|j| j.question.number == q.number)
                    .then(|| r.routes().url(Route::Question(&q.number))),
                only_in: (has.len() < versions).then(|| has.join(", ")),
            }
        })
        .collect();

    let mut jobs: Vec<Job> = Vec::new();
    for qy in &with_years {
        let number = &qy.question.number;
        if !qy.years.iter().any(|&(y, _)| scope.question(number, y)) {
            continue;
        }
        // The question's own page and the index count answers per year: they change
        // only with the questions a report answers.
        if scope.lists() {
            jobs.push(Job::Question(qy));
        }
        for &(y, _) in qy.years.iter().filter(|&&(y, _)| scope.question(number, y)) {
            jobs.push(Job::Year(qy, y));
        }
    }
    let index_page = if scope.lists() {
        r.page(
            "questions.html",
            Route::Questions.file(),
            &IndexPage { questions: &index },
        )
        .and_then(|f| sink.put(f))
    } else {
        Ok(())
    };
    let rendered = crate::render::emit(
        jobs.par_iter().map(|job| match job {
            Job::Question(qy) => question_page(r, qy),
            Job::Year(qy, y) => year_page(r, qy, *y, &years[y]),
        }),
        sink,
    );
    match (index_page, rendered) {
        (Ok(()), r) => r,
        (Err(e), Ok(())) => Err(vec![e]),
        (Err(e), Err(mut more)) => {
            more.insert(0, e);
            Err(more)
        }
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
fn question_page(r: &Renderer, qy: &QuestionYears) -> Result<OutFile, Diagnostic> {
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

fn year_page(
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
            Some(s) => {
                let report_url = r.routes().url(Route::Report(&m.slug, rep.year));
                answers.push((
                    m.info.sector,
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
                    },
                ))
            }
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

/// Prepares an answer's HTML for a page that holds many: ids, fragment links and
/// `aria-labelledby` get `prefix`, and headings move so the highest becomes `top`.
/// A fragment link whose target is not in the answer (a footnote defined elsewhere in
/// the report) leads to that place in the report at `report_url`.
/// Scroll regions (wide tables) are named after their member too, `owner` being the id
/// and text of the member's heading on the page: many members' tables share captions.
pub(crate) fn embed(
    html: &str,
    prefix: &str,
    top: u8,
    report_url: &str,
    owner: (&str, &str),
) -> String {
    // First the answer's ids and its highest heading.
    let mut ids: HashSet<&str> = HashSet::new();
    let mut highest = None::<u8>;
    tags(html, |t| {
        if t.end {
            return;
        }
        if let Some(id) = t.attr("id") {
            ids.insert(id);
        }
        if let Some(l) = heading_level(t.name) {
            highest = Some(highest.map_or(l, |h| h.min(l)));
        }
    });
    let shift = i16::from(highest.unwrap_or(top)) - i16::from(top);
    let level = |l: u8| (i16::from(l) - shift).clamp(i16::from(top), 6);

    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut last = 0;
    // (attribute index, new value) for the tag at hand.
    let mut changes: Vec<(usize, String)> = Vec::new();
    tags(html, |t: &Tag| {
        let heading = heading_level(t.name);
        if t.end {
            if let Some(l) = heading {
                out.push_str(&html[last..t.span.start]);
                let _ = write!(out, "</h{}>", level(l));
                last = t.span.end;
            }
            return;
        }
        changes.clear();
        let region = t.attr("role") == Some("region");
        for (k, a) in t.attrs.iter().enumerate() {
            let name = a.name;
            let value = a.value;
            let new = if name.eq_ignore_ascii_case("id") {
                Some(format!("{prefix}{value}"))
            } else if name.eq_ignore_ascii_case("href") && t.is("a") {
                if let Some(target) = value.strip_prefix('#') {
                    Some(if ids.contains(target) {
                        format!("#{prefix}{target}")
                    } else {
                        format!("{report_url}{value}")
                    })
                } else {
                    relative(report_url, value)
                }
            } else if name.eq_ignore_ascii_case("src") && t.is("img") {
                relative(report_url, value)
            } else if name.eq_ignore_ascii_case("aria-labelledby") {
                let mut v = String::new();
                if region {
                    v.push_str(owner.0);
                }
                for id in value.split_whitespace() {
                    if !v.is_empty() {
                        v.push(' ');
                    }
                    v.push_str(prefix);
                    v.push_str(id);
                }
                Some(v)
            } else if name.eq_ignore_ascii_case("aria-label") && region {
                Some(format!("{}: {value}", escape(owner.1)))
            } else {
                None
            };
            if let Some(v) = new {
                changes.push((k, v));
            }
        }
        if changes.is_empty() && heading.is_none() {
            return;
        }
        out.push_str(&html[last..t.span.start]);
        out.push('<');
        match heading {
            Some(l) => {
                let _ = write!(out, "h{}", level(l));
            }
            None => out.push_str(t.name),
        }
        let mut at = t.span.start + 1 + t.name.len();
        for (k, v) in &changes {
            let raw = &t.attrs[*k].raw;
            out.push_str(&html[at..raw.start]);
            out.push_str("=\"");
            out.push_str(v);
            out.push('"');
            at = raw.end;
        }
        out.push_str(&html[at..t.span.end]);
        last = t.span.end;
    });
    out.push_str(&html[last..]);
    out
}

/// `h1` … `h6` → 1 … 6.
fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h' | b'H', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// A path relative to the report page, made absolute (it would break on this page);
/// `None` for anything else.
fn relative(report_url: &str, url: &str) -> Option<String> {
    if url.starts_with('/') || url.contains(':') {
        return None;
    }
    let (path, frag) = crate::rewrite::resolve(report_url, url);
    Some(match frag {
        Some(f) => format!("{path}#{f}"),
        None => path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_answers_get_prefixed_ids_and_moved_headings() {
        let html = "<p>Tekst<sup class=\"fn-ref\"><a href=\"#fn-1-1\" id=\"fnref-1-1\">1</a></sup><a href=\"#fn-1-1\">x</a><a href=\"#annet\">y</a><a href=\"../2023/#2-a-3\">z</a></p><p id=\"fn-1-1\">Fotnote</p><h5 id=\"risiko\">Risiko</h5><div class=\"table-wrap\" role=\"region\" aria-labelledby=\"tabell-1\"><table><caption id=\"tabell-1\">T</caption></table></div><h6 id=\"x\">X</h6>";
        let out = embed(
            html,
            "alfa-",
            3,
            "/medlemmer/alfa/2024/",
            ("svar-alfa", "Alfa"),
        );
        assert!(
            out.contains("href=\"#alfa-fn-1-1\" id=\"alfa-fnref-1-1\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"/medlemmer/alfa/2024/#annet\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"/medlemmer/alfa/2023/#2-a-3\""),
            "{out}"
        );
        assert!(out.contains("<h3 id=\"alfa-risiko\">Risiko</h3>"), "{out}");
        assert!(out.contains("<h4 id=\"alfa-x\">X</h4>"), "{out}");
        assert!(
            out.contains("aria-labelledby=\"svar-alfa alfa-tabell-1\""),
            "{out}"
        );
        assert!(out.contains("<caption id=\"alfa-tabell-1\">"), "{out}");
    }
}
