//! One question across members: `/sporsmal/` lists the template's questions,
//! `/sporsmal/<number>/` leads to the years of one question, and
//! `/sporsmal/<number>/<year>/` shows every member's answer that year, one after the
//! other under the member's name.
//!
//! An answer is embedded from its report's HTML. Many answers share one page, so each
//! one's ids (and the links and labels that point at them) get a prefix, and its
//! sub-headings are moved to the levels under the member's heading.

use std::collections::BTreeMap;

use lol_html::{RewriteStrSettings, element, rewrite_str};
use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Renderer, Scope};
use crate::reporting::Question;

/// The question's URL path part: `2.A.3` → `2-a-3`.
pub fn slug(number: &str) -> String {
    crate::reporting::anchor(number)
}

pub fn question_url(r: &Renderer, number: &str) -> String {
    format!("{}sporsmal/{}/", r.base(), slug(number))
}

pub fn question_year_url(r: &Renderer, number: &str, year: u16) -> String {
    format!("{}sporsmal/{}/{year}/", r.base(), slug(number))
}

#[derive(Serialize)]
struct QuestionLink {
    number: String,
    title: String,
    depth: u8,
    url: Option<String>,
    /// The template versions that have this question, when not all do.
    only_in: Option<String>,
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
    report_url: String,
}

/// Every question of every template version, in the default template's order, with
/// questions only older versions have after their predecessor.
fn all_questions<'a>(r: &Renderer<'a>) -> Vec<&'a Question> {
    let site = r.site();
    let default = &site.templates[&site.config.default_template];
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

/// Reports by year, members in slug order; drafts only when the build includes them.
fn by_year<'a>(r: &Renderer<'a>) -> BTreeMap<u16, Vec<(&'a Member, &'a Report)>> {
    let mut years: BTreeMap<u16, Vec<(&Member, &Report)>> = BTreeMap::new();
    for m in &r.site().members {
        for rep in &m.reports {
            years.entry(rep.year).or_default().push((m, rep));
        }
    }
    years
}

/// All question pages.
pub fn pages(r: &Renderer, scope: &Scope) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let site = r.site();
    let questions = all_questions(r);
    let years = by_year(r);
    let lang = r.lang();
    // For each question (depth 3), the years in which some report's template has it.
    let mut jobs: Vec<(&Question, Vec<u16>)> = Vec::new();
    for q in questions.iter().filter(|q| q.depth == 3) {
        let ys: Vec<u16> = years
            .iter()
            .filter(|(_, reps)| {
                reps.iter()
                    .any(|(_, rep)| site.templates[&rep.template].get(&q.number).is_some())
            })
            .map(|(y, _)| *y)
            .collect();
        if !ys.is_empty() {
            jobs.push((q, ys));
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
                url: jobs
                    .iter()
                    .any(|(j, _)| j.number == q.number)
                    .then(|| question_url(r, &q.number)),
                only_in: (has.len() < versions).then(|| has.join(", ")),
            }
        })
        .collect();

    let mut results: Vec<Result<OutFile, Diagnostic>> = vec![r.page(
        "questions.html",
        "sporsmal/index.html".into(),
        minijinja::context! { questions => minijinja::value::Serde(&index) },
    )];
    let per_question: Vec<Vec<Result<OutFile, Diagnostic>>> = jobs
        .par_iter()
        .filter(|(q, ys)| ys.iter().any(|&y| scope.question(&q.number, y)))
        .map(|(q, ys)| {
            let mut out = Vec::with_capacity(ys.len() + 1);
            let answered = |y: u16| {
                years[&y]
                    .iter()
                    .filter(|(_, rep)| {
                        rep.body
                            .sections
                            .iter()
                            .any(|s| s.number.as_deref() == Some(q.number.as_str()))
                    })
                    .count()
            };
            let links = |current: Option<u16>| -> Vec<YearLink> {
                ys.iter()
                    .rev()
                    .map(|&y| YearLink {
                        year: y,
                        url: question_year_url(r, &q.number, y),
                        answers: answered(y),
                        current: Some(y) == current,
                    })
                    .collect()
            };
            let latest = *ys.last().expect("at least one year");
            // The question's own page shows answer counts per year.
            out.push(r.page(
                "question.html",
                format!("sporsmal/{}/index.html", slug(&q.number)),
                minijinja::context! {
                    number => q.number.clone(),
                    title => q.title.get(lang).to_string(),
                    years => minijinja::value::Serde(&links(None)),
                    latest_url => question_year_url(r, &q.number, latest),
                    latest => latest,
                },
            ));
            for &y in ys.iter().filter(|&&y| scope.question(&q.number, y)) {
                out.push(year_page(r, q, y, &years[&y], links(Some(y))));
            }
            out
        })
        .collect();
    results.extend(per_question.into_iter().flatten());
    crate::render::collect(results)
}

fn year_page(
    r: &Renderer,
    q: &Question,
    year: u16,
    reports: &[(&Member, &Report)],
    years: Vec<YearLink>,
) -> Result<OutFile, Diagnostic> {
    let mut answers = Vec::new();
    let mut missing = Vec::new();
    for (m, rep) in reports {
        let template = &r.site().templates[&rep.template];
        match rep
            .body
            .sections
            .iter()
            .find(|s| s.number.as_deref() == Some(q.number.as_str()))
        {
            Some(s) => answers.push(Answer {
                member: m.info.name.clone(),
                member_url: r.member_url(m),
                report_url: format!("{}#{}", r.report_url(m, rep), s.anchor),
                heading: s.heading.clone(),
                lang: rep.language.clone(),
                html: embed(
                    rep.body.answer_html(s),
                    &format!("{}-", m.slug),
                    3,
                    &r.report_url(m, rep),
                    (&format!("svar-{}", m.slug), &m.info.name),
                ),
                slug: m.slug.clone(),
            }),
            None if template.get(&q.number).is_some() => missing.push(Missing {
                member: m.info.name.clone(),
                report_url: r.report_url(m, rep),
            }),
            None => {}
        }
    }
    r.page(
        "question_year.html",
        format!("sporsmal/{}/{year}/index.html", slug(&q.number)),
        minijinja::context! {
            number => q.number.clone(),
            title => q.title.get(r.lang()).to_string(),
            question_url => question_url(r, &q.number),
            year,
            answers => minijinja::value::Serde(&answers),
            missing => minijinja::value::Serde(&missing),
            years => minijinja::value::Serde(&years),
        },
    )
}

/// Prepares an answer's HTML for a page that holds many: ids, fragment links and
/// `aria-labelledby` get `prefix`, and headings move so the highest becomes `top`.
/// A fragment link whose target is not in the answer (a footnote defined elsewhere in
/// the report) leads to that place in the report at `report_url`.
/// Scroll regions (wide tables) are named after their member too, `owner` being the id
/// and text of the member's heading on the page: many members' tables share captions.
pub fn embed(html: &str, prefix: &str, top: u8, report_url: &str, owner: (&str, &str)) -> String {
    let highest = (1..=6u8)
        .find(|l| html.contains(&format!("<h{l}")))
        .unwrap_or(top);
    let shift = i16::from(highest) - i16::from(top);
    let ids: std::collections::HashSet<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let result = rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("[id]", |el| {
                if let Some(id) = el.get_attribute("id") {
                    el.set_attribute("id", &format!("{prefix}{id}"))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("a[href^='#']", |el| {
                if let Some(href) = el.get_attribute("href") {
                    let target = &href[1..];
                    if ids.contains(target) {
                        el.set_attribute("href", &format!("#{prefix}{target}"))?;
                    } else {
                        el.set_attribute("href", &format!("{report_url}{href}"))?;
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("a[href]:not([href^='#']), img[src]", |el| {
                // Paths relative to the report page would break on this page.
                let attr = if el.tag_name() == "img" {
                    "src"
                } else {
                    "href"
                };
                if let Some(url) = el.get_attribute(attr) {
                    let relative = !url.starts_with('/') && !url.contains(':');
                    if relative {
                        let (path, frag) = crate::rewrite::resolve(report_url, &url);
                        let resolved = match frag {
                            Some(f) => format!("{path}#{f}"),
                            None => path,
                        };
                        el.set_attribute(attr, &resolved)?;
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[aria-labelledby]", |el| {
                if let Some(ids) = el.get_attribute("aria-labelledby") {
                    let mut prefixed: Vec<String> = ids
                        .split_whitespace()
                        .map(|i| format!("{prefix}{i}"))
                        .collect();
                    if el.get_attribute("role").as_deref() == Some("region") {
                        prefixed.insert(0, owner.0.to_string());
                    }
                    el.set_attribute("aria-labelledby", &prefixed.join(" "))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[role='region'][aria-label]", |el| {
                if let Some(label) = el.get_attribute("aria-label") {
                    el.set_attribute("aria-label", &format!("{}: {label}", owner.1))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("h1, h2, h3, h4, h5, h6", |el| {
                let level: i16 = el.tag_name()[1..].parse().unwrap_or(6);
                let new = (level - shift).clamp(i16::from(top), 6);
                el.set_tag_name(&format!("h{new}"))?;
                Ok(())
            })),
    );
    result.unwrap_or_else(|_| String::new())
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
