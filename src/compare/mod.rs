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
//! for how it is written). Unchanged questions are only listed, and a largely
//! rewritten answer is only linked, so a page's size follows the amount of change.
//! Links on the page are relative, which keeps them short.

use std::collections::BTreeSet;
use std::sync::Arc;

use minijinja::Value;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Lang;
use crate::content::{Member, MemberInfo, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::html::escape;
use crate::markdown::{Block, Section};
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::reporting::ReportTemplate;
use crate::routes::{self, Route, Routes};
use crate::theme::{Key, Strings, key};

fn s(t: &Strings, key: Key) -> &str {
    t.get(key)
}

mod browser;
mod diff;
mod diff_html;
mod figures;
pub mod myers;
mod rows;
mod words;

use diff::Answer;
use diff_html::{AnswerDiff, diff_blocks, whole};
pub(crate) use figures::FigureOverTime;
pub(crate) use figures::figures_over_time;

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

/// A member's two reports being compared (`a` the earlier), with their templates and
/// their answers by question number.
struct Pair<'r> {
    a: &'r Report,
    b: &'r Report,
    ta: &'r ReportTemplate,
    tb: &'r ReportTemplate,
    sa: &'r FxHashMap<&'r str, (&'r Section, usize)>,
    sb: &'r FxHashMap<&'r str, (&'r Section, usize)>,
    /// The comparison page.
    page: Route<'r>,
    /// The two reports' pages, relative to the comparison page.
    a_url: String,
    b_url: String,
}

/// The static page that compares report `i` of `m` with report `j`.
fn comparison_page(
    r: &Renderer,
    m: &Member,
    versions: &Versions,
    diffs: &Diffs,
    i: usize,
    j: usize,
) -> Result<OutFile, Diagnostic> {
    let lang = r.lang();
    let t = r.t(lang);
    let (a, b) = (&m.reports[i], &m.reports[j]);
    let site = r.site();
    let page = Route::Comparison(&m.slug, a.year, b.year);
    let pair = Pair {
        a,
        b,
        ta: &site.templates[&a.template],
        tb: &site.templates[&b.template],
        sa: &versions.of[i],
        sb: &versions.of[j],
        page,
        a_url: routes::relative(page, Route::Report(&m.slug, a.year)),
        b_url: routes::relative(page, Route::Report(&m.slug, b.year)),
    };
    let questions: Vec<Arc<QuestionView>> = question_order(&pair)
        .into_iter()
        .filter_map(|number| question(&pair, number, diffs, t, lang))
        .map(Arc::new)
        .collect();
    r.page(
        "compare.html",
        page.file(),
        &page_context(r, m, &pair, &questions),
    )
}

/// The values of `compare.html`. The question lists are template values rather than
/// structs, since the questions are objects made as the template reads them (see
/// `QuestionView`).
#[derive(Serialize)]
struct ComparePage<'a> {
    member: &'a MemberInfo,
    member_url: String,
    slug: &'a str,
    from: u16,
    to: u16,
    /// The two reports' pages.
    from_url: &'a str,
    to_url: &'a str,
    from_template: &'a str,
    to_template: &'a str,
    summary: String,
    summary_rewritten: Option<String>,
    figure_changes: Vec<FigureChange>,
    /// Questions with something to show, in order.
    changed_questions: Value,
    /// Rewritten answers with nothing else to show: only listed.
    rewritten_questions: Value,
    /// Unchanged questions: only listed.
    unchanged_questions: Value,
    /// Every neighbouring pair of the member's reports.
    pairs: Vec<PairLink>,
    /// The page that compares any two years, if the member has one.
    any_url: Option<String>,
    picker_years: Vec<u16>,
}

/// The values of `compare.html` for the comparison `pair` of `m`.
fn page_context<'a>(
    r: &Renderer,
    m: &'a Member,
    pair: &'a Pair,
    questions: &[Arc<QuestionView>],
) -> ComparePage<'a> {
    let (a, b) = (pair.a, pair.b);
    let (summary, summary_rewritten) = summary(questions, r.t(r.lang()));
    let list = |keep: &dyn Fn(&QuestionView) -> bool| -> Value {
        questions
            .iter()
            .filter(|q| keep(q))
            .map(|q| Value::from_dyn_object(q.clone()))
            .collect()
    };
    ComparePage {
        member: &m.info,
        member_url: routes::relative(pair.page, Route::Member(&m.slug)),
        slug: &m.slug,
        from: a.year,
        to: b.year,
        from_url: &pair.a_url,
        to_url: &pair.b_url,
        from_template: &a.template,
        to_template: &b.template,
        summary,
        summary_rewritten,
        figure_changes: figure_changes(r, a, b),
        changed_questions: list(&|q| {
            q.status != Status::Unchanged && (q.status != Status::Rewritten || q.diff.is_some())
        }),
        rewritten_questions: list(&|q| q.status == Status::Rewritten && q.diff.is_none()),
        unchanged_questions: list(&|q| q.status == Status::Unchanged),
        pairs: neighbour_pairs(m, pair.page, a.year, b.year),
        any_url: browser_url(r.routes(), m)
            .map(|_| routes::relative(pair.page, Route::CompareBrowser(&m.slug))),
        picker_years: browser_years(m),
    }
}

/// The question numbers either report answers, in the later template's order; numbers
/// only the earlier template has are placed after their predecessor there.
fn question_order<'r>(p: &Pair<'r>) -> Vec<&'r str> {
    let (ta, tb) = (p.ta, p.tb);
    let mut order: Vec<(f64, &str)> = Vec::new();
    for q in &tb.questions {
        if p.sa.contains_key(q.number.as_str()) || p.sb.contains_key(q.number.as_str()) {
            order.push((
                tb.position(&q.number).unwrap_or(0) as f64,
                q.number.as_str(),
            ));
        }
    }
    for (k, q) in ta.questions.iter().enumerate() {
        if tb.get(&q.number).is_none() && p.sa.contains_key(q.number.as_str()) {
            let before = ta.questions[..k]
                .iter()
                .rev()
                .find_map(|p| tb.position(&p.number))
                .map_or(-1.0, |p| p as f64);
            order.push((before + 0.5, q.number.as_str()));
        }
    }
    order.sort_by(|x, y| x.0.total_cmp(&y.0));
    order.into_iter().map(|(_, n)| n).collect()
}

/// Question `number` on the page, or `None` when there is nothing to show: parts and
/// groups with no text of their own in either year are structure only.
fn question(
    p: &Pair,
    number: &str,
    diffs: &Diffs,
    t: &Strings,
    lang: Lang,
) -> Option<QuestionView> {
    let (x, y) = (p.sa.get(number), p.sb.get(number));
    let (status, diff) = status(x, y, diffs)?;
    let depth = number.split('.').count() as u8;
    if depth < 3 && status == Status::Unchanged && x.is_none_or(|(x, _)| x.blocks.is_empty()) {
        return None;
    }
    // Relative links from the comparison page.
    let from_url = x.map(|(x, _)| format!("{}#{}", p.a_url, x.anchor));
    let to_url = y.map(|(y, _)| format!("{}#{}", p.b_url, y.anchor));
    let status_html = (status != Status::Unchanged).then(|| {
        let links = answer_links(from_url.as_deref(), to_url.as_deref(), p, t);
        status_html(status, &links, t)
    });
    let title =
        p.tb.title(number, lang)
            .or_else(|| p.ta.title(number, lang));
    Some(QuestionView {
        anchor: format!("q-{}", number.replace('.', "-").to_lowercase()),
        number: number.to_string(),
        title: title.unwrap_or(number).to_string(),
        depth,
        status,
        from_url,
        to_url,
        status_html,
        diff,
    })
}

/// A question's status and the diff it shows, from its answer's versions in the two
/// reports; `None` when neither has it.
fn status(
    x: Option<&(&Section, usize)>,
    y: Option<&(&Section, usize)>,
    diffs: &Diffs,
) -> Option<(Status, Option<Value>)> {
    Some(match (x, y) {
        (Some((_, x)), Some((_, y))) if x == y => (Status::Unchanged, None),
        (Some((_, x)), Some((_, y))) => {
            let (rewritten, html) = &diffs.changed[&(*x, *y)];
            let status = if *rewritten {
                Status::Rewritten
            } else if html.is_none() {
                // Only a table caption changed (it often names the year).
                Status::Unchanged
            } else {
                Status::Changed
            };
            (status, html.clone())
        }
        (None, Some((_, y))) => (Status::New, Some(diffs.whole[&(*y, true)].clone())),
        (Some((_, x)), None) => (Status::Removed, Some(diffs.whole[&(*x, false)].clone())),
        (None, None) => return None,
    })
}

/// Links to the answer in each year that has it: `2023 og 2024`.
fn answer_links(from: Option<&str>, to: Option<&str>, p: &Pair, t: &Strings) -> String {
    let link = |url: &str, year: u16| format!("<a href=\"{}\">{year}</a>", escape(url));
    match (from, to) {
        (Some(f), Some(t2)) => format!(
            "{} {} {}",
            link(f, p.a.year),
            escape(s(t, key!("compare_and"))),
            link(t2, p.b.year)
        ),
        (Some(f), None) => link(f, p.a.year),
        (None, Some(t2)) => link(t2, p.b.year),
        (None, None) => String::new(),
    }
}

/// The status and the links to the answers as a sentence (HTML).
fn status_html(status: Status, links: &str, t: &Strings) -> Value {
    let label = match status {
        Status::Changed => key!("status_changed"),
        Status::Rewritten => key!("status_rewritten"),
        Status::New => key!("status_new"),
        _ => key!("status_removed"),
    };
    Value::from_safe_string(format!(
        "<strong>{}.</strong> {} {links}.",
        escape(s(t, label)),
        escape(s(t, key!("compare_read_answer")))
    ))
}

/// The page's summary of the questions (those of the template's third level), and of
/// the rewritten ones if any.
fn summary(questions: &[Arc<QuestionView>], t: &Strings) -> (String, Option<String>) {
    let (mut total, mut changed, mut rewritten, mut new, mut removed) = (0, 0, 0, 0, 0);
    for q in questions.iter().filter(|q| q.depth == 3) {
        total += 1;
        match q.status {
            Status::Changed => changed += 1,
            Status::Rewritten => {
                changed += 1;
                rewritten += 1;
            }
            Status::New => new += 1,
            Status::Removed => removed += 1,
            Status::Unchanged => {}
        }
    }
    let summary = s(t, key!("compare_summary"))
        .replace("{changed}", &changed.to_string())
        .replace("{total}", &total.to_string())
        .replace("{new}", &new.to_string())
        .replace("{removed}", &removed.to_string());
    let summary_rewritten = (rewritten > 0).then(|| {
        s(t, key!("compare_summary_rewritten")).replace("{rewritten}", &rewritten.to_string())
    });
    (summary, summary_rewritten)
}

/// The key figures that differ between the two reports.
fn figure_changes(r: &Renderer, a: &Report, b: &Report) -> Vec<FigureChange> {
    let lang = r.lang();
    r.config()
        .figures
        .iter()
        .filter_map(|def| {
            let (x, y) = (a.figures.get(&def.id), b.figures.get(&def.id));
            (x != y).then(|| FigureChange {
                label: def.label.get(lang).to_string(),
                from: x.map(|v| format::figure(def, *v, lang)),
                to: y.map(|v| format::figure(def, *v, lang)),
            })
        })
        .collect()
}

/// Every neighbouring pair of the member's reports, the one from `from` to `to`
/// marked, as links from the comparison page `page`.
fn neighbour_pairs(m: &Member, page: Route, from: u16, to: u16) -> Vec<PairLink> {
    m.reports
        .windows(2)
        .map(|w| PairLink {
            from: w[0].year,
            to: w[1].year,
            url: routes::relative(page, Route::Comparison(&m.slug, w[0].year, w[1].year)),
            current: w[0].year == from && w[1].year == to,
        })
        .collect()
}

/// A link to a static comparison page.
#[derive(Serialize)]
pub(crate) struct PairLink {
    pub(crate) from: u16,
    pub(crate) to: u16,
    pub(crate) url: String,
    /// The page the link is on.
    pub(crate) current: bool,
}
