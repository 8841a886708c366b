//! Comparisons: a member's key figures over the years, and what changed in a report
//! between any two years, question by question.
//!
//! Reports are lined up by the template's question numbers. Answers are compared as
//! the plain-text blocks the Markdown pass produced ([`Block`]): text with a word-level
//! diff (the `similar` crate), tables row by row. Long unchanged stretches inside a
//! changed answer are shortened to some context around the changes, and unchanged
//! questions are only listed, so a page's size follows the amount of change.

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use similar::{Algorithm, DiffOp};

use crate::config::{FigureDef, Lang};
use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::markdown::{Block, Section, TableBlock, escape_attr};
use crate::render::{OutFile, Renderer, Scope};
use crate::theme::Strings;

/// Words of unchanged context kept on each side of a change.
const CONTEXT_WORDS: usize = 12;

/// Answers longer than this many words (on either side) are shown as removed and
/// added whole instead of diffed word by word. A bound on size, not on time, so that
/// the output never depends on how busy the machine is.
const MAX_DIFF_WORDS: usize = 20_000;

fn s<'s>(t: &'s Strings, key: &str) -> &'s str {
    t.get(key).map(String::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------
// Key figures over time

#[derive(Serialize)]
pub struct FigureOverTime {
    pub id: String,
    pub label: String,
    /// One sentence saying how the figure developed.
    pub summary: String,
    /// An inline SVG bar chart (trusted markup made here).
    pub chart: String,
    pub rows: Vec<FigureYear>,
}

#[derive(Serialize)]
pub struct FigureYear {
    pub year: u16,
    pub url: String,
    /// Formatted value; `None` when not reported.
    pub value: Option<String>,
    /// Change from the year before, formatted with sign; `None` when it cannot be computed.
    pub change: Option<String>,
    pub change_pct: Option<String>,
}

/// The key figures of a member across its reports, for the member page.
pub fn figures_over_time(r: &Renderer, m: &Member) -> Vec<FigureOverTime> {
    let lang = r.lang();
    let t = r.t(lang);
    r.config()
        .figures
        .iter()
        .map(|def| {
            let points: Vec<(u16, Option<f64>)> = m
                .reports
                .iter()
                .map(|rep| (rep.year, rep.figures.get(&def.id).copied()))
                .collect();
            let rows = points
                .iter()
                .enumerate()
                .map(|(i, &(year, value))| {
                    let prev = i.checked_sub(1).and_then(|p| points[p].1);
                    let (change, change_pct) = match (prev, value) {
                        (Some(a), Some(b)) => (
                            Some(signed(b - a, def, lang)),
                            (a != 0.0).then(|| {
                                format!("{} %", signed_number((b - a) / a * 100.0, 1, lang))
                            }),
                        ),
                        _ => (None, None),
                    };
                    FigureYear {
                        year,
                        url: r.report_url(m, &m.reports[i]),
                        value: value.map(|v| format::figure(def, v, lang)),
                        change,
                        change_pct,
                    }
                })
                .collect();
            FigureOverTime {
                id: def.id.clone(),
                label: def.label.get(lang).to_string(),
                summary: summary_sentence(def, &points, lang, t),
                chart: bar_chart(def, &points, lang, t),
                rows,
            }
        })
        .collect()
}

fn signed(delta: f64, def: &FigureDef, lang: Lang) -> String {
    let sign = if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}", format::figure(def, delta.abs(), lang))
}

fn signed_number(v: f64, decimals: usize, lang: Lang) -> String {
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}", format::number(v.abs(), decimals, lang))
}

/// `3,5 mrd. kr`, `2,3 mill. kr`: a short form of large figures for sentences.
fn compact(def: &FigureDef, v: f64, lang: Lang) -> String {
    let (scaled, word) = match lang {
        Lang::Nb if v >= 1e9 => (v / 1e9, " mrd."),
        Lang::Nb if v >= 1e6 => (v / 1e6, " mill."),
        Lang::En if v >= 1e9 => (v / 1e9, " billion"),
        Lang::En if v >= 1e6 => (v / 1e6, " million"),
        _ => return format::figure(def, v, lang),
    };
    let n = format::number(scaled, 1, lang);
    match &def.unit {
        Some(u) => format!("{n}{word}\u{a0}{}", u.get(lang)),
        None => format!("{n}{word}"),
    }
}

fn summary_sentence(
    def: &FigureDef,
    points: &[(u16, Option<f64>)],
    lang: Lang,
    t: &Strings,
) -> String {
    let label = def.label.get(lang);
    let reported: Vec<(u16, f64)> = points
        .iter()
        .filter_map(|&(y, v)| v.map(|v| (y, v)))
        .collect();
    let missing: Vec<String> = points
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(y, _)| y.to_string())
        .collect();
    let mut sentence = match (reported.first(), reported.last()) {
        (None, _) | (_, None) => s(t, "chart_none").replace("{label}", label),
        (Some(&(y, v)), Some(&(y2, _))) if y == y2 => s(t, "chart_single")
            .replace("{label}", label)
            .replace("{value}", &compact(def, v, lang))
            .replace("{year}", &y.to_string()),
        (Some(&(ya, a)), Some(&(yb, b))) => {
            let key = if b > a {
                "chart_rose"
            } else if b < a {
                "chart_fell"
            } else {
                "chart_same"
            };
            s(t, key)
                .replace("{label}", label)
                .replace("{from}", &compact(def, a, lang))
                .replace("{to}", &compact(def, b, lang))
                .replace("{from_year}", &ya.to_string())
                .replace("{to_year}", &yb.to_string())
        }
    };
    if !missing.is_empty() && !reported.is_empty() {
        sentence.push(' ');
        sentence.push_str(&s(t, "chart_missing").replace("{years}", &join_list(&missing, lang)));
    }
    sentence
}

fn join_list(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let and = match lang {
                Lang::Nb => "og",
                Lang::En => "and",
            };
            format!("{} {and} {last}", init.join(", "))
        }
    }
}

/// A bar chart drawn at build time. Years without a value get no bar but a visible
/// "not reported" mark, so a gap is never silently bridged or shown as 0.
fn bar_chart(def: &FigureDef, points: &[(u16, Option<f64>)], lang: Lang, t: &Strings) -> String {
    let n = points.len().max(1);
    let (w, h, top, bottom, left) = (640.0_f64, 220.0_f64, 24.0_f64, 40.0_f64, 8.0_f64);
    let plot_h = h - top - bottom;
    let slot = (w - 2.0 * left) / n as f64;
    let bar_w = (slot * 0.6).min(80.0);
    let max = points.iter().filter_map(|p| p.1).fold(0.0_f64, f64::max);
    let mut svg = String::with_capacity(1024);
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" focusable=\"false\">",
        escape_attr(&summary_sentence(def, points, lang, t))
    );
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        h - bottom,
        w - left,
        h - bottom
    );
    for (i, &(year, value)) in points.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        match value {
            Some(v) => {
                let bh = if max > 0.0 { (v / max) * plot_h } else { 0.0 };
                let y = h - bottom - bh;
                let _ = write!(
                    svg,
                    "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{bh:.1}\"/>",
                    cx - bar_w / 2.0
                );
                let _ = write!(
                    svg,
                    "<text class=\"value\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    (y - 6.0).max(14.0),
                    escape_attr(&compact_number(v, lang))
                );
            }
            None => {
                let _ = write!(
                    svg,
                    "<text class=\"missing\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    h - bottom - 8.0,
                    escape_attr(s(t, "chart_not_reported_short"))
                );
            }
        }
        let _ = write!(
            svg,
            "<text class=\"year\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
            h - bottom + 24.0
        );
    }
    svg.push_str("</svg>");
    svg
}

fn compact_number(v: f64, lang: Lang) -> String {
    let (scaled, word) = match lang {
        Lang::Nb if v >= 1e9 => (v / 1e9, " mrd."),
        Lang::Nb if v >= 1e6 => (v / 1e6, " mill."),
        Lang::En if v >= 1e9 => (v / 1e9, " bn"),
        Lang::En if v >= 1e6 => (v / 1e6, " m"),
        _ => (v, ""),
    };
    let decimals = if word.is_empty() { 0 } else { 1 };
    format!("{}{word}", format::number(scaled, decimals, lang))
}

// ---------------------------------------------------------------------------
// What changed between two years

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
    let mut files = Vec::with_capacity(results.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    for res in results {
        match res {
            Ok(f) => files.push(f),
            Err(e) if !errors.iter().any(|x| x.message == e.message) => errors.push(e),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
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

/// The HTML of an answer shown whole (a new or a removed question).
fn whole(blocks: &[Block], t: &Strings, added: bool, tables: &mut usize) -> String {
    let (tag, label) = if added {
        ("ins", s(t, "diff_added"))
    } else {
        ("del", s(t, "diff_removed"))
    };
    let mut html = String::new();
    for b in blocks {
        match b {
            Block::Text(text) => {
                let _ = write!(
                    html,
                    "<p><{tag}><span class=\"visually-hidden\">{label} </span>{}</{tag}></p>",
                    esc(text)
                );
            }
            Block::Table(tb) => {
                let rows: Vec<RowDiff> = tb
                    .rows
                    .iter()
                    .map(|r| {
                        if added {
                            RowDiff::Added(r.clone())
                        } else {
                            RowDiff::Removed(r.clone())
                        }
                    })
                    .collect();
                table_html(&mut html, &tb.caption, &tb.head, &rows, t, tables);
            }
        }
    }
    html
}

/// The diff of two answers: text with a word-level diff, tables row by row.
fn diff_blocks(a: &[Block], b: &[Block], t: &Strings, tables: &mut usize) -> String {
    let text_a: Vec<&str> = a
        .iter()
        .filter_map(|x| {
            if let Block::Text(s) = x {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect();
    let text_b: Vec<&str> = b
        .iter()
        .filter_map(|x| {
            if let Block::Text(s) = x {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect();
    let tab_a: Vec<&TableBlock> = a
        .iter()
        .filter_map(|x| {
            if let Block::Table(t) = x {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    let tab_b: Vec<&TableBlock> = b
        .iter()
        .filter_map(|x| {
            if let Block::Table(t) = x {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    let mut html = String::new();
    if text_a != text_b {
        html.push_str(&diff_text(&text_a, &text_b, t));
    }
    for k in 0..tab_a.len().max(tab_b.len()) {
        match (tab_a.get(k), tab_b.get(k)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let rows = diff_rows(&x.rows, &y.rows);
                let caption = if y.caption.is_empty() {
                    &x.caption
                } else {
                    &y.caption
                };
                table_html(&mut html, caption, &y.head, &rows, t, tables);
            }
            (None, Some(y)) => {
                let rows: Vec<RowDiff> = y.rows.iter().map(|r| RowDiff::Added(r.clone())).collect();
                table_html(&mut html, &y.caption, &y.head, &rows, t, tables);
            }
            (Some(x), None) => {
                let rows: Vec<RowDiff> =
                    x.rows.iter().map(|r| RowDiff::Removed(r.clone())).collect();
                table_html(&mut html, &x.caption, &x.head, &rows, t, tables);
            }
            (None, None) => {}
        }
    }
    html
}

/// A paragraph break between words.
const PARA: &str = "\u{2029}";

fn tokens<'s>(paragraphs: &[&'s str]) -> Vec<&'s str> {
    let mut out = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push(PARA);
        }
        out.extend(p.split_whitespace());
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Same,
    Del,
    Ins,
}

/// A word-level diff of two texts as HTML paragraphs with `<ins>` and `<del>`, each
/// with a visually hidden label so it reads right without colour and with a screen
/// reader. Unchanged stretches are shortened to [`CONTEXT_WORDS`] around changes.
pub fn diff_text(a: &[&str], b: &[&str], t: &Strings) -> String {
    let ta = tokens(a);
    let tb = tokens(b);
    let ops = if ta.len() > MAX_DIFF_WORDS || tb.len() > MAX_DIFF_WORDS {
        vec![DiffOp::Replace {
            old_index: 0,
            old_len: ta.len(),
            new_index: 0,
            new_len: tb.len(),
        }]
    } else {
        similar::capture_diff_slices(Algorithm::Myers, &ta, &tb)
    };
    // Runs of (kind, tokens).
    fn push<'w>(runs: &mut Vec<(Kind, Vec<&'w str>)>, kind: Kind, words: &[&'w str]) {
        if words.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((k, w)) if *k == kind => w.extend_from_slice(words),
            _ => runs.push((kind, words.to_vec())),
        }
    }
    let mut runs: Vec<(Kind, Vec<&str>)> = Vec::new();
    for op in &ops {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                push(&mut runs, Kind::Same, &ta[old_index..old_index + len])
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => push(&mut runs, Kind::Del, &ta[old_index..old_index + old_len]),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(&mut runs, Kind::Ins, &tb[new_index..new_index + new_len]),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(&mut runs, Kind::Del, &ta[old_index..old_index + old_len]);
                push(&mut runs, Kind::Ins, &tb[new_index..new_index + new_len]);
            }
        }
    }
    let elided = format!(
        "<span class=\"elided\">[…]<span class=\"visually-hidden\"> {}</span></span>",
        esc(s(t, "diff_elided"))
    );
    let mut paragraphs: Vec<String> = vec![String::new()];
    let last = runs.len().saturating_sub(1);
    for (idx, (kind, words)) in runs.iter().enumerate() {
        let mut words: Vec<&str> = words.clone();
        if *kind == Kind::Same {
            let head = if idx == 0 { 0 } else { CONTEXT_WORDS };
            let tail = if idx == last { 0 } else { CONTEXT_WORDS };
            let content = words.iter().filter(|w| **w != PARA).count();
            if content > head + tail + 4 {
                // Keep `head` words after the previous change and `tail` before the next.
                let mut kept_head = Vec::new();
                let mut n = 0;
                for w in &words {
                    if n >= head {
                        break;
                    }
                    kept_head.push(*w);
                    if *w != PARA {
                        n += 1;
                    }
                }
                let mut kept_tail = Vec::new();
                let mut n = 0;
                for w in words.iter().rev() {
                    if n >= tail {
                        break;
                    }
                    kept_tail.push(*w);
                    if *w != PARA {
                        n += 1;
                    }
                }
                kept_tail.reverse();
                emit(&mut paragraphs, Kind::Same, &kept_head, t);
                let p = paragraphs.last_mut().expect("never empty");
                if !p.is_empty() {
                    p.push(' ');
                }
                p.push_str(&elided);
                words = kept_tail;
            }
        }
        emit(&mut paragraphs, *kind, &words, t);
    }
    paragraphs
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{p}</p>"))
        .collect()
}

/// Appends words of one kind, starting a new paragraph at each paragraph break.
fn emit(paragraphs: &mut Vec<String>, kind: Kind, words: &[&str], t: &Strings) {
    for (i, segment) in words.split(|w| *w == PARA).enumerate() {
        if i > 0 {
            paragraphs.push(String::new());
        }
        if segment.is_empty() {
            continue;
        }
        let text = esc(&segment.join(" "));
        let p = paragraphs.last_mut().expect("never empty");
        if !p.is_empty() {
            p.push(' ');
        }
        match kind {
            Kind::Same => p.push_str(&text),
            Kind::Del => {
                let _ = write!(
                    p,
                    "<del><span class=\"visually-hidden\">{} </span>{text}</del>",
                    esc(s(t, "diff_removed"))
                );
            }
            Kind::Ins => {
                let _ = write!(
                    p,
                    "<ins><span class=\"visually-hidden\">{} </span>{text}</ins>",
                    esc(s(t, "diff_added"))
                );
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum RowDiff {
    Same(Vec<String>),
    Added(Vec<String>),
    Removed(Vec<String>),
    Changed(Vec<String>, Vec<String>),
}

/// Rows lined up by content: equal rows match, a replaced run pairs rows up as changed.
fn diff_rows(a: &[Vec<String>], b: &[Vec<String>]) -> Vec<RowDiff> {
    let ops = similar::capture_diff_slices(Algorithm::Patience, a, b);
    let mut out = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => out.extend(
                a[old_index..old_index + len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Same),
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                a[old_index..old_index + old_len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Removed),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                b[new_index..new_index + new_len]
                    .iter()
                    .cloned()
                    .map(RowDiff::Added),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let pairs = old_len.min(new_len);
                for k in 0..pairs {
                    out.push(RowDiff::Changed(
                        a[old_index + k].clone(),
                        b[new_index + k].clone(),
                    ));
                }
                out.extend(
                    a[old_index + pairs..old_index + old_len]
                        .iter()
                        .cloned()
                        .map(RowDiff::Removed),
                );
                out.extend(
                    b[new_index + pairs..new_index + new_len]
                        .iter()
                        .cloned()
                        .map(RowDiff::Added),
                );
            }
        }
    }
    out
}

fn table_html(
    html: &mut String,
    caption: &str,
    head: &[String],
    rows: &[RowDiff],
    t: &Strings,
    counter: &mut usize,
) {
    *counter += 1;
    let id = format!("endringer-{counter}");
    let caption = if caption.is_empty() {
        s(t, "diff_table").to_string()
    } else {
        format!("{caption} – {}", s(t, "diff_table_changes"))
    };
    let _ = write!(
        html,
        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\"><table class=\"diff-table\"><caption id=\"{id}\">{}</caption><thead><tr><th scope=\"col\">{}</th>",
        esc(&caption),
        esc(s(t, "diff_change"))
    );
    for h in head {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(h));
    }
    html.push_str("</tr></thead><tbody>");
    let label = |k: &str| esc(s(t, k));
    for row in rows {
        let (class, status, cells): (&str, String, Vec<String>) = match row {
            RowDiff::Same(r) => (
                "row-same",
                label("diff_row_same"),
                r.iter().map(|c| esc(c)).collect(),
            ),
            RowDiff::Added(r) => (
                "row-added",
                label("diff_row_added"),
                r.iter()
                    .map(|c| {
                        format!(
                            "<ins><span class=\"visually-hidden\">{} </span>{}</ins>",
                            label("diff_added"),
                            esc(c)
                        )
                    })
                    .collect(),
            ),
            RowDiff::Removed(r) => (
                "row-removed",
                label("diff_row_removed"),
                r.iter()
                    .map(|c| {
                        format!(
                            "<del><span class=\"visually-hidden\">{} </span>{}</del>",
                            label("diff_removed"),
                            esc(c)
                        )
                    })
                    .collect(),
            ),
            RowDiff::Changed(x, y) => (
                "row-changed",
                label("diff_row_changed"),
                (0..x.len().max(y.len()))
                    .map(|k| {
                        let (old, new) = (
                            x.get(k).map_or("", String::as_str),
                            y.get(k).map_or("", String::as_str),
                        );
                        if old == new {
                            esc(new)
                        } else {
                            diff_text(&[old], &[new], t)
                                .trim_start_matches("<p>")
                                .trim_end_matches("</p>")
                                .replace("</p><p>", " ")
                        }
                    })
                    .collect(),
            ),
        };
        let _ = write!(html, "<tr class=\"{class}\"><td>{status}</td>");
        for c in cells {
            let _ = write!(html, "<td>{c}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
}

fn esc(s: &str) -> String {
    escape_attr(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Strings {
        [
            ("diff_added", "Lagt til:"),
            ("diff_removed", "Fjernet:"),
            ("diff_elided", "uendret tekst er utelatt"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn word_diff_marks_changes_with_hidden_labels() {
        let html = diff_text(
            &["Vi har en rådgiver i 50 prosent stilling."],
            &["Vi har en rådgiver i full stilling."],
            &strings(),
        );
        assert_eq!(
            html,
            "<p>Vi har en rådgiver i <del><span class=\"visually-hidden\">Fjernet: </span>50 prosent</del> <ins><span class=\"visually-hidden\">Lagt til: </span>full</ins> stilling.</p>"
        );
    }

    #[test]
    fn long_unchanged_stretches_are_shortened() {
        let long: String = (0..100)
            .map(|i| format!("ord{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let a = format!("{long} slutt");
        let b = format!("{long} ende");
        let html = diff_text(&[&a], &[&b], &strings());
        assert!(html.contains("[…]"), "{html}");
        assert!(!html.contains("ord10 "), "{html}");
        assert!(html.contains("ord99"), "{html}");
        assert!(html.contains("<ins><span class=\"visually-hidden\">Lagt til: </span>ende</ins>"));
    }

    #[test]
    fn paragraphs_are_kept() {
        let html = diff_text(&["En.", "To."], &["En.", "Tre."], &strings());
        assert!(html.starts_with("<p>En.</p><p><del>"), "{html}");
    }

    #[test]
    fn rows_pair_up_as_changed_added_and_removed() {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = vec![row(&["a", "1"]), row(&["b", "2"]), row(&["c", "3"])];
        let b = vec![
            row(&["a", "1"]),
            row(&["b", "9"]),
            row(&["d", "4"]),
            row(&["e", "5"]),
        ];
        let d = diff_rows(&a, &b);
        assert_eq!(d[0], RowDiff::Same(row(&["a", "1"])));
        assert_eq!(d[1], RowDiff::Changed(row(&["b", "2"]), row(&["b", "9"])));
        assert_eq!(d[2], RowDiff::Changed(row(&["c", "3"]), row(&["d", "4"])));
        assert_eq!(d[3], RowDiff::Added(row(&["e", "5"])));
    }
}
