//! Comparisons: a member's key figures over the years, and what changed in a report
//! between any two years, question by question.
//!
//! Reports are lined up by the template's question numbers. Answers are compared as
//! the plain-text blocks the Markdown pass produced ([`crate::markdown::Block`]): text with a word-level
//! diff (the `similar` crate), tables row by row. Long unchanged stretches inside a
//! changed answer are shortened to some context around the changes, and unchanged
//! questions are only listed, so a page's size follows the amount of change.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::markdown::Section;
use crate::render::{OutFile, Renderer, Scope};
use crate::theme::Strings;

fn s<'s>(t: &'s Strings, key: &str) -> &'s str {
    t.get(key).map(String::as_str).unwrap_or("")
}

mod diff;
mod figures;

pub use diff::diff_text;
use diff::{diff_blocks, whole};
pub use figures::{FigureOverTime, FigureYear, figures_over_time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Unchanged,
    Changed,
    New,
    Removed,
}

#[derive(Serialize)]
struct QuestionView {
    number: String,
    title: String,
    depth: u8,
    status: Status,
    /// Link to the answer in the later report (the earlier one for removed questions).
    url: String,
    /// The diff of a changed answer, or the whole answer of a new or removed one.
    diff: Option<String>,
}

#[derive(Serialize)]
struct FigureChange {
    label: String,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct PairLink {
    from: u16,
    to: u16,
    url: String,
    current: bool,
}

/// All pairs of a member's years, for the member page's list of comparisons.
pub fn pair_links(r: &Renderer, m: &Member) -> Vec<(u16, u16, String)> {
    let mut out = Vec::new();
    for (i, a) in m.reports.iter().enumerate() {
        for b in &m.reports[i + 1..] {
            out.push((a.year, b.year, compare_url(r, m, a.year, b.year)));
        }
    }
    out
}

pub fn compare_url(r: &Renderer, m: &Member, a: u16, b: u16) -> String {
    format!("{}medlemmer/{}/sammenlign/{a}-{b}/", r.base(), m.slug)
}

/// Every comparison page of every member.
pub fn pages(r: &Renderer, scope: &Scope) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let jobs: Vec<(&Member, usize, usize)> = r
        .site()
        .members
        .iter()
        .filter(|m| scope.member(&m.slug))
        .flat_map(|m| {
            (0..m.reports.len()).flat_map(move |i| (i + 1..m.reports.len()).map(move |j| (m, i, j)))
        })
        .filter(|&(m, i, j)| scope.year(m.reports[i].year) || scope.year(m.reports[j].year))
        .collect();
    let results: Vec<Result<OutFile, Diagnostic>> = jobs
        .par_iter()
        .map(|&(m, i, j)| comparison_page(r, m, i, j))
        .collect();
    crate::render::collect(results)
}

fn numbered(rep: &Report) -> HashMap<&str, &Section> {
    rep.body
        .sections
        .iter()
        .filter_map(|s| s.number.as_deref().map(|n| (n, s)))
        .collect()
}

fn comparison_page(r: &Renderer, m: &Member, i: usize, j: usize) -> Result<OutFile, Diagnostic> {
    let lang = r.lang();
    let t = r.t(lang);
    let (a, b) = (&m.reports[i], &m.reports[j]);
    let site = r.site();
    let (ta, tb) = (&site.templates[&a.template], &site.templates[&b.template]);
    let (sa, sb) = (numbered(a), numbered(b));

    // Line the questions up in the later template's order; numbers only the earlier
    // template has are placed after their predecessor there.
    let mut order: Vec<(f64, &str)> = Vec::new();
    for q in &tb.questions {
        if sa.contains_key(q.number.as_str()) || sb.contains_key(q.number.as_str()) {
            order.push((
                tb.position(&q.number).unwrap_or(0) as f64,
                q.number.as_str(),
            ));
        }
    }
    for (k, q) in ta.questions.iter().enumerate() {
        if tb.get(&q.number).is_none() && sa.contains_key(q.number.as_str()) {
            let before = ta.questions[..k]
                .iter()
                .rev()
                .find_map(|p| tb.position(&p.number))
                .map_or(-1.0, |p| p as f64);
            order.push((before + 0.5, q.number.as_str()));
        }
    }
    order.sort_by(|x, y| x.0.total_cmp(&y.0));

    let mut questions = Vec::new();
    let (mut total, mut changed, mut new, mut removed) = (0usize, 0usize, 0usize, 0usize);
    let mut table_counter = 0usize;
    for (_, number) in order {
        let title = tb
            .title(number, lang)
            .or_else(|| ta.title(number, lang))
            .unwrap_or(number)
            .to_string();
        let depth = number.split('.').count() as u8;
        let (status, diff, url) = match (sa.get(number), sb.get(number)) {
            (Some(x), Some(y)) => {
                if x.blocks == y.blocks {
                    (
                        Status::Unchanged,
                        None,
                        format!("{}#{}", r.report_url(m, b), y.anchor),
                    )
                } else {
                    let d = diff_blocks(&x.blocks, &y.blocks, t, &mut table_counter);
                    (
                        Status::Changed,
                        Some(d),
                        format!("{}#{}", r.report_url(m, b), y.anchor),
                    )
                }
            }
            (None, Some(y)) => (
                Status::New,
                Some(whole(&y.blocks, t, true, &mut table_counter)),
                format!("{}#{}", r.report_url(m, b), y.anchor),
            ),
            (Some(x), None) => (
                Status::Removed,
                Some(whole(&x.blocks, t, false, &mut table_counter)),
                format!("{}#{}", r.report_url(m, a), x.anchor),
            ),
            (None, None) => continue,
        };
        // Parts and groups with no text of their own in either year are structure only.
        if depth < 3
            && status == Status::Unchanged
            && sa.get(number).is_none_or(|x| x.blocks.is_empty())
        {
            continue;
        }
        if depth == 3 {
            total += 1;
            match status {
                Status::Changed => changed += 1,
                Status::New => new += 1,
                Status::Removed => removed += 1,
                Status::Unchanged => {}
            }
        }
        questions.push(QuestionView {
            number: number.to_string(),
            title,
            depth,
            status,
            url,
            diff,
        });
    }

    let figure_changes: Vec<FigureChange> = r
        .config()
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
        .collect();

    let summary = s(t, "compare_summary")
        .replace("{changed}", &changed.to_string())
        .replace("{total}", &total.to_string())
        .replace("{new}", &new.to_string())
        .replace("{removed}", &removed.to_string());
    let pairs: Vec<PairLink> = pair_links(r, m)
        .into_iter()
        .map(|(from, to, url)| PairLink {
            current: from == a.year && to == b.year,
            from,
            to,
            url,
        })
        .collect();
    let years: Vec<u16> = m.reports.iter().map(|x| x.year).collect();
    r.page(
        "compare.html",
        format!("medlemmer/{}/sammenlign/{}-{}/index.html", m.slug, a.year, b.year),
        minijinja::context! {
            member => minijinja::value::Serde(&m.info),
            member_url => r.member_url(m),
            slug => m.slug.clone(),
            from => a.year,
            to => b.year,
            from_url => r.report_url(m, a),
            to_url => r.report_url(m, b),
            from_template => a.template.clone(),
            to_template => b.template.clone(),
            summary,
            figure_changes => minijinja::value::Serde(&figure_changes),
            changed_questions => minijinja::value::Serde(&questions.iter().filter(|q| q.status != Status::Unchanged).collect::<Vec<_>>()),
            unchanged_questions => minijinja::value::Serde(&questions.iter().filter(|q| q.status == Status::Unchanged).collect::<Vec<_>>()),
            pairs => minijinja::value::Serde(&pairs),
            years => minijinja::value::Serde(&years),
        },
    )
}
