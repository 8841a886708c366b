//! Search: a static index built at build time, and the page `/sok/` that queries it in
//! the browser (`themes/default/static/search.js`).
//!
//! Every section of every published report is one record (numbered questions, and the
//! unnumbered sections such as the preface that are not inside another record). The
//! text is tokenised, lower-cased, folded for matching (ø → o, æ → ae, å → a) and
//! stemmed with Snowball (Norwegian, or English for reports written in English);
//! Norwegian closed compounds are split with a lexicon of the corpus's own words, so
//! `menneskerettigheter` is also found by `rettigheter` ([`text`]). [`index`] computes
//! BM25 impacts per stem and record; [`shard`] writes the whole as small, content-hashed
//! JSON files under `sok/indeks/`: a query fetches the locator, then only the key shards
//! and postings chunks of its words, then one small excerpt file per result shown.
//!
//! Ranking (in the browser, from the precomputed impacts): a record's score is the sum
//! over query words of impact × match weight, where an exact word form weighs 1, another
//! form of the same stem 0.7, a compound part 0.5 (with the part's exact form) or 0.4, a
//! completion of the word being typed 0.8 of that; titles (question number, template
//! title, heading) count [`index::TITLE_WEIGHT`] times in the impact, and a query word
//! that matches a member's name adds a fixed bonus to that member's records.

pub mod index;
pub mod shard;
pub mod text;

use std::collections::BTreeSet;

use crate::config::Lang;
use crate::content::{Member, Report, Sector};
use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Renderer};

use index::Record;
use shard::{Excerpt, Layout, MemberRow, ReportRow};
use text::Language;

/// Where the index is published, relative to the output root.
pub const INDEX_DIR: &str = "sok/indeks/";

/// Everything the index is built from, in index order.
#[derive(Debug, Default)]
pub struct Corpus {
    pub members: Vec<MemberRow>,
    pub reports: Vec<ReportRow>,
    pub records: Vec<Record>,
    pub excerpts: Vec<Excerpt>,
}

fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// Collects the records of every published report: ordered by year, then member (by
/// slug), then position in the report, so that a year is one contiguous range of
/// records and a year filter touches few postings chunks.
pub fn corpus(r: &Renderer) -> Corpus {
    let site = r.site();
    let ui = r.lang();
    let members: Vec<MemberRow> = site
        .members
        .iter()
        .map(|m| MemberRow {
            name: m.info.name.clone(),
            sector: sector_code(m.info.sector).to_string(),
            slug: m.slug.clone(),
        })
        .collect();
    let mut reports: Vec<(u16, usize, &Member, &Report)> = Vec::new();
    for (mi, m) in site.members.iter().enumerate() {
        for rep in m.reports.iter().filter(|rep| !rep.draft) {
            reports.push((rep.year, mi, m, rep));
        }
    }
    reports.sort_by_key(|(y, mi, _, _)| (*y, *mi));
    let mut out = Corpus {
        members,
        ..Corpus::default()
    };
    for (ri, (year, mi, _m, rep)) in reports.into_iter().enumerate() {
        let report_lang = rep.lang(ui);
        let lang = match report_lang {
            Lang::En => Language::English,
            Lang::Nb => Language::Norwegian,
        };
        let template = site.templates.get(&rep.template);
        out.reports.push(ReportRow {
            member: mi,
            year,
            first_doc: out.records.len() as u32,
            lang: rep.language.clone().filter(|_| report_lang != ui),
        });
        // A section inside the range of the previous record (a sub-heading of an
        // answer) is part of that record already.
        let mut covered = 0usize;
        for s in &rep.body.sections {
            if s.source.start < covered {
                continue;
            }
            covered = s.source.end;
            let Some(md) = rep.source.text.get(s.source.clone()) else {
                continue;
            };
            let body = text::plain_text(md);
            if text::tokens(&body).is_empty() {
                continue;
            }
            let template_title = |l: Lang| {
                s.number
                    .as_deref()
                    .and_then(|n| template.and_then(|t| t.title(n, l)))
                    .map(str::to_string)
            };
            let shown = template_title(ui).unwrap_or_else(|| s.heading.clone());
            let mut title = String::new();
            if let Some(n) = &s.number {
                title.push_str(n);
                title.push(' ');
            }
            if let Some(t) = template_title(report_lang) {
                title.push_str(&t);
                title.push_str(". ");
            }
            title.push_str(&s.heading);
            out.records.push(Record {
                report: ri,
                lang,
                title,
                body: body.clone(),
            });
            out.excerpts.push(Excerpt {
                anchor: s.anchor.clone(),
                number: s.number.clone(),
                title: shown,
                text: body,
            });
        }
    }
    out
}

/// The stop words the browser drops from queries, folded, sorted.
pub fn stop_words() -> Vec<String> {
    let set: BTreeSet<String> = text::STOP_NB
        .iter()
        .chain(text::STOP_EN)
        .map(|w| text::fold(w))
        .collect();
    set.into_iter().collect()
}

/// Builds the index files of a corpus: (files relative to the output root, the
/// locator's path relative to the output root).
pub fn index_files(c: &Corpus, layout: &Layout) -> (Vec<OutFile>, String) {
    let ix = index::build(&c.records);
    let (files, locator) = shard::write(
        &ix,
        &c.members,
        &c.reports,
        &c.excerpts,
        &stop_words(),
        layout,
    );
    let files = files
        .into_iter()
        .map(|f| OutFile {
            path: format!("{INDEX_DIR}{}", f.name),
            bytes: f.bytes,
        })
        .collect();
    (files, format!("{INDEX_DIR}{locator}"))
}

/// The search page and its index. `built` are the pages already built, so that the
/// page links only to browsable indexes that exist (`/sporsmal/` is optional).
pub fn pages(r: &Renderer, built: &[OutFile]) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let corpus = corpus(r);
    let (mut files, locator) = index_files(&corpus, &Layout::default());
    let base = r.base().to_string();
    let has = |p: &str| built.iter().any(|f| f.path == p);
    let questions_url = has("sporsmal/index.html").then(|| format!("{base}sporsmal/"));
    // The script is a theme file; its URL carries a hash of its content so that it can
    // be cached for ever too.
    let script_hash = crate::theme::Theme::new(&r.site().root, &r.config().theme)
        .ok()
        .and_then(|t| t.read("static/search.js"))
        .map(|b| shard::hash(&b)[..12].to_string())
        .unwrap_or_default();
    let page = r
        .page(
            "search.html",
            "sok/index.html".into(),
            minijinja::context! {
                index_url => format!("{base}{locator}"),
                script_url => format!("{base}search.js?v={script_hash}"),
                questions_url => questions_url,
                members_url => format!("{base}medlemmer/"),
                years_url => format!("{base}ar/"),
                record_count => corpus.records.len(),
                report_count => corpus.reports.len(),
            },
        )
        .map_err(|d| vec![d])?;
    files.push(page);
    Ok(files)
}
