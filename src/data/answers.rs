//! The answers files, `svar/<year>.csv.gz`: one line per published report and question
//! of its template (the leaves, and any part or group heading it answers), in the
//! template's order: answered with the answer as plain text, or `not_answered`.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::csv::{Cell, Csv};
use super::{sector_code, text_bytes};
use crate::content::status::leaf_questions;
use crate::content::{Member, Report};
use crate::diagnostics::Diagnostic;
use crate::markdown::{Section, write_blocks_text};
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::routes::{self, Route};

/// `svar/<year>.csv.gz` for each year whose answers are in `scope`, into `sink`.
pub(super) fn answer_files(
    r: &Renderer,
    scope: &Scope,
    reports: &[(&Member, &Report)],
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let mut by_year: BTreeMap<u16, Vec<&(&Member, &Report)>> = BTreeMap::new();
    for e in reports.iter().filter(|(_, rep)| scope.answers(rep.year)) {
        by_year.entry(e.1.year).or_default().push(e);
    }
    let years: Vec<(u16, Vec<&(&Member, &Report)>)> = by_year.into_iter().collect();
    let years = r.not_reused(sink, years, |inputs, (y, _)| {
        Some((inputs.year(*y)?, routes::answers_csv(*y)))
    })?;
    let files = years.par_iter().map(|(y, reps)| {
        Ok(OutFile {
            path: routes::answers_csv(*y),
            bytes: gzip(&answers_csv(r, reps)),
        })
    });
    crate::render::emit(files, sink)
}

/// `bytes` gzip-compressed, the same for the same input (no time or file name in the
/// header). The answers are most of a site's text once more: plain, they would take a
/// site of 200 members and 10 years from 438 to 546 MB, over its 500 MB budget;
/// compressed, 453 MB at the default level, 19 MB more at the fastest, which halves
/// the open data's share of a build (2.3 s of CPU at 200 x 10 with the default level,
/// 1.3 s with the fastest): the fastest, since the size is well within the budget.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    // The answers' text compresses to about a fifth at this level.
    let mut gz = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

const HEADER: [&str; 10] = [
    "member",
    "member_name",
    "sector",
    "year",
    "template",
    "question",
    "title",
    "status",
    "answer",
    "url",
];

/// The answers of one year's reports as CSV (see [`answer_files`]).
fn answers_csv(r: &Renderer, reports: &[&(&Member, &Report)]) -> Vec<u8> {
    // The answers' text, and a line's other cells.
    let size = reports
        .iter()
        .map(|(_, rep)| text_bytes(rep) + 200 * rep.body.sections.len())
        .sum();
    let mut csv = Csv::with_capacity(&HEADER, size);
    // Each template's leaves, worked out once for all its reports.
    let mut leaves: FxHashMap<&str, FxHashSet<usize>> = FxHashMap::default();
    // An answer's text and its link, in buffers that every line reuses.
    let (mut text, mut link) = (String::new(), String::new());
    for (m, rep) in reports {
        let template = &r.site().templates[&rep.template];
        let leaves = leaves.entry(&rep.template).or_insert_with(|| {
            leaf_questions(template)
                .into_iter()
                .map(|(i, _)| i)
                .collect()
        });
        let lang = rep.lang(r.lang());
        let url = r.routes().absolute(Route::Report(&m.slug, rep.year));
        let sections: FxHashMap<&str, &Section> = rep
            .body
            .sections
            .iter()
            .filter_map(|s| s.number.as_deref().map(|n| (n, s)))
            .collect();
        for (i, q) in template.questions.iter().enumerate() {
            let section = sections.get(q.number.as_str());
            if section.is_none() && !leaves.contains(&i) {
                continue;
            }
            text.clear();
            link.clear();
            link.push_str(&url);
            let status = match section {
                Some(s) => {
                    write_blocks_text(&s.blocks, &mut text);
                    link.push('#');
                    link.push_str(&s.anchor);
                    "answered"
                }
                None => "not_answered",
            };
            csv.row(&[
                Cell::Text(&m.slug),
                Cell::Text(&m.info.name),
                Cell::Text(sector_code(m.info.sector)),
                Cell::Number(f64::from(rep.year)),
                Cell::Text(&rep.template),
                Cell::Text(&q.number),
                Cell::Text(q.title.get(lang)),
                Cell::Text(status),
                Cell::Text(&text),
                Cell::Text(&link),
            ]);
        }
    }
    csv.finish()
}
