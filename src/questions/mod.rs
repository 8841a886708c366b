//! One question across members: `/sporsmal/` lists the template's questions,
//! `/sporsmal/<number>/` leads to the years of one question, and
//! `/sporsmal/<number>/<year>/` shows every member's answer that year, one after the
//! other under the member's name.
//!
//! An answer is embedded from its report's HTML. Many answers share one page, so each
//! one's ids (and the links and labels that point at them) get a prefix, and its
//! sub-headings are moved to the levels under the member's heading (`embed`). `page`
//! holds the pages' model and makes the question's and the year pages.

mod embed;
mod page;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::markdown::Section;
use crate::render::{Renderer, Scope, Sink};
use crate::reporting::Question;
use crate::routes::Route;

use page::{IndexPage, QuestionLink, question_page, year_page};

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
    let questions = all_questions(r);
    let years = by_year(r, scope);
    let with_years = question_years(r, &questions, &years);
    let jobs = r.not_reused(sink, jobs(&with_years, scope), |inputs, job| match job {
        Job::Question(qy) => Some((inputs.shared(), Route::Question(&qy.question.number).file())),
        Job::Year(qy, y) => Some((
            inputs.year(*y)?,
            Route::QuestionYear(&qy.question.number, *y).file(),
        )),
    })?;
    let index_page = if scope.lists() {
        let index = index_links(r, &questions, &with_years);
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

/// How many reports answer each question, per year (a report answers a question once:
/// a second answer to a number is an error). Counted by template position first: no
/// string is touched per report.
fn answer_counts<'a>(
    r: &Renderer<'a>,
    years: &BTreeMap<u16, Vec<Entry<'a>>>,
) -> HashMap<&'a str, BTreeMap<u16, usize>> {
    let site = r.site();
    let mut by_position: BTreeMap<&str, Vec<BTreeMap<u16, usize>>> = BTreeMap::new();
    for (y, reps) in years {
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
    answered
}

/// The questions (depth 3) with the years in which some report's template has them,
/// and how many reports answer each year; a question no year has is left out.
fn question_years<'q>(
    r: &Renderer<'q>,
    questions: &[&'q Question],
    years: &BTreeMap<u16, Vec<Entry<'q>>>,
) -> Vec<QuestionYears<'q>> {
    let site = r.site();
    let answered = answer_counts(r, years);
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
    with_years
}

/// Every question for the index page: a link when it has pages, and the template
/// versions that have it when not all do.
fn index_links(
    r: &Renderer,
    questions: &[&Question],
    with_years: &[QuestionYears],
) -> Vec<QuestionLink> {
    let site = r.site();
    let versions = site.templates.len();
    questions
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
                title: q.title.get(r.lang()).to_string(),
                depth: q.depth,
                url: with_years
                    .iter()
                    .any(|j| j.question.number == q.number)
                    .then(|| r.routes().url(Route::Question(&q.number))),
                only_in: (has.len() < versions).then(|| has.join(", ")),
            }
        })
        .collect()
}

/// The pages of `scope` to render: each question's own page (with the lists) and its
/// year pages.
fn jobs<'q>(with_years: &'q [QuestionYears<'q>], scope: &Scope) -> Vec<Job<'q>> {
    let mut jobs: Vec<Job> = Vec::new();
    for qy in with_years {
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
    jobs
}
