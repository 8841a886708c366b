//! Comparisons: a member's key figures over the years, and what changed in a report
//! from one year to another, question by question.
//!
//! Each report has a static page comparing it with the member's previous report (the
//! year before, or the last year the member reported): `sammenlign/<a>-<b>/`. The
//! previous report is the previous one in the build, so a draft's comparisons exist
//! only in builds with drafts, and without drafts a published report is compared with
//! the published report before it. Any other pair of years is compared in the browser,
//! on the member's page `sammenlign/` (`#<a>-<b>`), from the two reports' `rapport.json`
//! (which carries each answer's blocks) by `compare-core.js`, a twin of this module:
//! the page carries the rules (`diff::RULES`), the templates' titles, the formatted
//! key figures and the strings, so that the browser parses no Markdown and formats no
//! number. `tests/compare_js.rs` holds the two to the same result.
//!
//! Reports are lined up by the template's question numbers. Answers are compared as
//! the plain-text blocks the Markdown pass produced ([`crate::markdown::Block`]): text
//! unit by unit (paragraphs, list items) and then word by word ([`myers`]), tables
//! row by row (see `diff.rs` for how the diff is kept small and cheap, `diff_html.rs`
//! for how it is written, `page.rs` for the page itself). Unchanged questions are only listed, and a largely
//! rewritten answer is only linked, so a page's size follows the amount of change.
//! Links on the page are relative, which keeps them short.

use std::collections::BTreeSet;
use std::sync::Arc;

use minijinja::Value;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::content::Member;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Block, Section};
use crate::render::{Renderer, Scope, Sink};
use crate::routes::{Route, Routes};
use crate::theme::{Key, Strings};

fn s(t: &Strings, key: Key) -> &str {
    t.get(key)
}

mod browser;
mod diff;
mod diff_html;
mod figures;
pub mod myers;
mod page;
mod rows;
mod words;

use diff::Answer;
use diff_html::{AnswerDiff, diff_blocks, whole};
pub(crate) use figures::FigureOverTime;
pub(crate) use figures::figures_over_time;
pub(crate) use page::PairLink;
use page::comparison_page;

/// A question's status on a comparison page; templates see it by [`Status::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Unchanged,
    Changed,
    /// Changed so much that a word diff would not help: links to both answers.
    Rewritten,
    New,
    Removed,
}

/// A question on a comparison page, handed to the template as an object whose fields
/// are made only when the template reads them (the diffs are shared, not copied).
#[derive(Debug)]
struct QuestionView {
    number: String,
    title: String,
    depth: u8,
    status: Status,
    /// The id of the question's heading on the page (`q-2-a-3`).
    anchor: String,
    /// Link to the answer in the earlier report (none for new questions).
    from_url: Option<String>,
    /// Link to the answer in the later report (none for removed questions).
    to_url: Option<String>,
    /// The status and the links to both answers as a sentence (HTML), for changed,
    /// new and removed questions.
    status_html: Option<Value>,
    /// The diff of a changed answer (tables only for a rewritten one), or a new or
    /// removed answer briefly (HTML, shared by every page that shows it).
    diff: Option<Value>,
}

impl minijinja::value::Object for QuestionView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let opt = |v: &Option<String>| v.as_deref().map_or(Value::from(()), Value::from);
        Some(match key {
            "number" => Value::from(self.number.as_str()),
            "title" => Value::from(self.title.as_str()),
            "depth" => Value::from(self.depth),
            "status" => Value::from(self.status.name()),
            "anchor" => Value::from(self.anchor.as_str()),
            "from_url" => opt(&self.from_url),
            "to_url" => opt(&self.to_url),
            "status_html" => self.status_html.clone().unwrap_or(Value::from(())),
            "diff" => self.diff.clone().unwrap_or(Value::from(())),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(&[
            "number",
            "title",
            "depth",
            "status",
            "anchor",
            "from_url",
            "to_url",
            "status_html",
            "diff",
        ])
    }
}

impl Status {
    /// The name templates compare `q.status` with.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Unchanged => "unchanged",
            Status::Changed => "changed",
            Status::Rewritten => "rewritten",
            Status::New => "new",
            Status::Removed => "removed",
        }
    }
}

#[derive(Serialize)]
struct FigureChange {
    label: String,
    from: Option<String>,
    to: Option<String>,
}

/// Each report with the one before it (the static comparison pages), for the links
/// of the member page and the comparison pages.
pub(crate) fn pair_links(routes: &Routes, m: &Member) -> Vec<(u16, u16, String)> {
    m.reports
        .windows(2)
        .map(|w| {
            (
                w[0].year,
                w[1].year,
                routes.url(Route::Comparison(&m.slug, w[0].year, w[1].year)),
            )
        })
        .collect()
}

/// The years the browser can compare: the published reports (drafts have no
/// `rapport.json`).
pub(crate) fn browser_years(m: &Member) -> Vec<u16> {
    m.reports
        .iter()
        .filter(|r| !r.draft)
        .map(|r| r.year)
        .collect()
}

/// The page that compares any two of the member's years in the browser, if the member
/// has two published reports.
pub(crate) fn browser_url(routes: &Routes, m: &Member) -> Option<String> {
    (browser_years(m).len() > 1).then(|| routes.url(Route::CompareBrowser(&m.slug)))
}

/// Every comparison page of every member: each report against the one before it, and
/// the page that compares any two years in the browser.
pub(crate) fn pages(r: &Renderer, scope: &Scope, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let members: Vec<&Member> = r
        .site()
        .members
        .iter()
        .filter(|m| scope.member(&m.slug) && m.reports.len() > 1)
        .collect();
    // Each distinct answer to a question is taken apart once (words, word pairs), and
    // each pair of distinct answers is compared once, for every page that shows it: a
    // question answered the same way in several years is the same answer. One member
    // at a time, so that only a few members' reports are held taken apart at once.
    // Each page goes to `sink` as soon as it is made. An edited report (`scope`) needs
    // its page against the report before it and the next report's page against it.
    let errors: Vec<Option<Diagnostic>> = members
        .par_iter()
        .flat_map(|&m| {
            let n = m.reports.len();
            let jobs: Vec<(usize, usize)> = (1..n)
                .map(|j| (j - 1, j))
                .filter(|&(i, j)| scope.year(m.reports[i].year) || scope.year(m.reports[j].year))
                .collect();
            let jobs = match r.not_reused(sink, jobs, |inputs, &(i, j)| {
                let route = Route::Comparison(&m.slug, m.reports[i].year, m.reports[j].year);
                Some((inputs.member(&m.slug)?, route.file()))
            }) {
                Ok(jobs) => jobs,
                Err(e) => return e.into_iter().map(Some).collect(),
            };
            // Only the reports some page needs (all of them in a full build).
            let needed: Vec<bool> = (0..n)
                .map(|k| jobs.iter().any(|&(i, j)| i == k || j == k))
                .collect();
            let versions = Versions::new(m, &needed);
            let diffs = Diffs::new(&versions, &jobs, r.t(r.lang()));
            let mut errors: Vec<Option<Diagnostic>> = jobs
                .par_iter()
                .map(|&(i, j)| {
                    comparison_page(r, m, &versions, &diffs, i, j)
                        .and_then(|f| sink.put(f))
                        .err()
                })
                .collect();
            // The browser's page shows the member's years, templates and figures.
            if scope.lists() && browser_url(r.routes(), m).is_some() {
                errors.push(browser::page(r, m, sink));
            }
            errors
        })
        .collect();
    crate::render::distinct(errors.into_iter().flatten())
}

/// A member's answers, each distinct answer to a question once.
struct Versions<'r> {
    /// Per report, in the member's order: question number → its section and the
    /// version of its answer (empty for reports no page needs).
    of: Vec<FxHashMap<&'r str, (&'r Section, usize)>>,
    /// Every version: the question's number, the answer, and the answer taken apart.
    answers: Vec<(&'r str, &'r [Block], Answer<'r>)>,
}

impl<'r> Versions<'r> {
    fn new(m: &'r Member, needed: &[bool]) -> Self {
        let mut v = Versions {
            of: Vec::with_capacity(m.reports.len()),
            answers: Vec::new(),
        };
        // Question number → its versions so far, with their blocks.
        let mut known: FxHashMap<&str, Vec<(&[Block], usize)>> = FxHashMap::default();
        for (rep, &needed) in m.reports.iter().zip(needed) {
            let mut of = FxHashMap::default();
            for sec in rep.body.sections.iter().filter(|_| needed) {
                let Some(number) = sec.number.as_deref() else {
                    continue;
                };
                let seen = known.entry(number).or_default();
                let version = match seen
                    .iter()
                    .find(|(blocks, _)| *blocks == sec.blocks.as_slice())
                {
                    Some(&(_, id)) => id,
                    None => {
                        let id = v.answers.len();
                        v.answers
                            .push((number, &sec.blocks, Answer::new(&sec.blocks)));
                        seen.push((&sec.blocks, id));
                        id
                    }
                };
                of.insert(number, (sec, version));
            }
            v.of.push(of);
        }
        v
    }
}

/// The diffs a member's pages show, each made once: of two versions of an answer
/// (whether it was rewritten, and the diff unless only a table caption changed), and
/// of a version shown whole (a new or a removed question). Template values, so that
/// every page shares the same string.
struct Diffs {
    changed: FxHashMap<(usize, usize), (bool, Option<Value>)>,
    whole: FxHashMap<(usize, bool), Value>,
}

impl Diffs {
    fn new(v: &Versions, jobs: &[(usize, usize)], t: &Strings) -> Self {
        let (mut pairs, mut wholes) = (BTreeSet::new(), BTreeSet::new());
        for &(i, j) in jobs {
            let (a, b) = (&v.of[i], &v.of[j]);
            for (number, (_, x)) in a {
                match b.get(number) {
                    Some((_, y)) if x != y => {
                        pairs.insert((*x, *y));
                    }
                    Some(_) => {}
                    None => {
                        wholes.insert((*x, false));
                    }
                }
            }
            for (number, (_, y)) in b {
                if !a.contains_key(number) {
                    wholes.insert((*y, true));
                }
            }
        }
        let pairs: Vec<(usize, usize)> = pairs.into_iter().collect();
        let wholes: Vec<(usize, bool)> = wholes.into_iter().collect();
        let changed = pairs
            .par_iter()
            .map(|&(x, y)| {
                let ((number, _, a), (_, _, b)) = (&v.answers[x], &v.answers[y]);
                let AnswerDiff { html, rewritten } = diff_blocks(number, a, b, t);
                (
                    (x, y),
                    (
                        rewritten,
                        (!html.is_empty()).then(|| Value::from_safe_string(html)),
                    ),
                )
            })
            .collect();
        let whole = wholes
            .par_iter()
            .map(|&(x, added)| {
                let (number, blocks, _) = &v.answers[x];
                let html = whole(number, blocks, t, added);
                ((x, added), Value::from_safe_string(html))
            })
            .collect();
        Diffs { changed, whole }
    }
}
