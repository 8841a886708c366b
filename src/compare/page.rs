//! The static comparison page of two of a member's reports: its questions in order,
//! each with its status and diff, the summary sentence, the changed key figures and the
//! links to the neighbouring comparisons.

use std::sync::Arc;

use minijinja::Value;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{Diffs, FigureChange, QuestionView, Status, Versions, browser_url, browser_years, s};
use crate::config::Lang;
use crate::content::{Member, MemberInfo, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::html::escape;
use crate::markdown::Section;
use crate::render::{OutFile, Renderer};
use crate::reporting::ReportTemplate;
use crate::routes::{self, Route};
use crate::theme::{Strings, key};

/// A member's two reports being compared (`a` the earlier), with their templates and
/// their answers by question number.
pub(super) struct Pair<'r> {
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
pub(super) fn comparison_page(
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
    // Relative links from the comparison page (joined rather than formatted: two for
    // every question of every comparison page).
    let from_url = x.map(|(x, _)| [p.a_url.as_str(), "#", &x.anchor].concat());
    let to_url = y.map(|(y, _)| [p.b_url.as_str(), "#", &y.anchor].concat());
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
