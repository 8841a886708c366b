//! A member's key figures over the years: the change from the year before, a bar
//! chart drawn at build time, and a one-sentence summary.

use std::fmt::Write as _;

use serde::Serialize;

use super::s;
use crate::config::{FigureDef, Lang};
use crate::content::Member;
use crate::format;
use crate::html::escape;
use crate::render::Renderer;
use crate::routes::Route;
use crate::theme::{Strings, key};

#[derive(Serialize)]
pub(crate) struct FigureOverTime {
    pub(crate) id: String,
    pub(crate) label: String,
    /// One sentence saying how the figure developed.
    pub(crate) summary: String,
    /// An inline SVG bar chart (trusted markup made here).
    pub(crate) chart: String,
    pub(crate) rows: Vec<FigureYear>,
}

#[derive(Serialize)]
pub(crate) struct FigureYear {
    pub(crate) year: u16,
    pub(crate) url: String,
    /// Formatted value; `None` when not reported.
    pub(crate) value: Option<String>,
    /// Change from the year before, formatted with sign; `None` when it cannot be computed.
    pub(crate) change: Option<String>,
    pub(crate) change_pct: Option<String>,
}

/// The key figures of a member across its reports, for the member page.
pub(crate) fn figures_over_time(r: &Renderer, m: &Member) -> Vec<FigureOverTime> {
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
                        url: r.routes().url(Route::Report(&m.slug, m.reports[i].year)),
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
        (None, _) | (_, None) => s(t, key!("chart_none")).replace("{label}", label),
        (Some(&(y, v)), Some(&(y2, _))) if y == y2 => s(t, key!("chart_single"))
            .replace("{label}", label)
            .replace("{value}", &compact(def, v, lang))
            .replace("{year}", &y.to_string()),
        (Some(&(ya, a)), Some(&(yb, b))) => {
            let key = if b > a {
                key!("chart_rose")
            } else if b < a {
                key!("chart_fell")
            } else {
                key!("chart_same")
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
        sentence
            .push_str(&s(t, key!("chart_missing")).replace("{years}", &join_list(&missing, lang)));
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
        escape(&summary_sentence(def, points, lang, t))
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
                    escape(&compact_number(v, lang))
                );
            }
            None => {
                let _ = write!(
                    svg,
                    "<text class=\"missing\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    h - bottom - 8.0,
                    escape(s(t, key!("chart_not_reported_short")))
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
