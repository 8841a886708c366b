//! Search: a static index built at build time, and the page `/sok/` that queries it in
//! the browser (`themes/default/static/search.js`).
//!
//! Every section of every published report is one record (numbered questions, and the
//! unnumbered sections such as the preface that are not inside another record). The
//! text is tokenised, lower-cased, folded for matching (ø → o, æ → ae, å → a) and
//! stemmed with Snowball (Norwegian, or English for reports written in English);
//! Norwegian closed compounds are split with a lexicon of the corpus's own words, so
//! `menneskerettigheter` is also found by `rettigheter` ([`text`]). [`index`] keeps the
//! postings per stem; [`shard`] writes them as content-hashed JSON files under
//! `sok/indeks/`: a query fetches the locator, then only the key shards and postings
//! (packs or chunks) of its words, then the excerpt files of the sections shown (a
//! member's sections, in runs of about 24 KB a file).
//!
//! A record's id is its report's slot (reports in year order, then member) times a
//! fixed slot size, plus the number of its section among the member's sections (every
//! anchor of its reports, numbered in the order they first appear, by year): an edit to
//! one report changes only that report's ids, and the browser finds a record's excerpt
//! file (a run of the member's sections, in every year) from the id and the first
//! section of each of the member's files, in the locator. [`Live`] keeps the
//! index in memory for the preview, where an edit to one report re-indexes that
//! report's sections and writes only the files whose bytes changed; the files are the
//! same as a fresh build's.
//!
//! The sizes of the files are [`shard::Layout`]'s; tests lay a small site out in small
//! files (`AKTSOM_SEARCH_SMALL=1`, [`shard::Layout::small`]) to check that a search
//! finds the same whatever the layout.
//!
//! Ranking (in the browser): a record's score is the sum over query words of the
//! posting's impact (the BM25 term-frequency factor) × the stem's inverse document
//! frequency × a match weight, where an exact word form weighs 1, another form of the
//! same stem 0.7, a compound part 0.5 (with the part's exact form) or 0.4, a completion
//! of the word being typed 0.8 of that; titles (question number, template title,
//! heading) count [`index::TITLE_WEIGHT`] times, and a query word that matches a
//! member's name adds a fixed bonus to that member's records.
//!
//! Before the records, the browser puts the pages a query names: the question page
//! (`/sporsmal/<number>/`) when the query is a question number, however typed (`2.A.3`,
//! `2a3`, `2 a 3`: the locator lists the question pages), and the member's page when
//! every query word is a word of the member's name (the last one may be its start) and
//! at most three members match.

pub(crate) mod index;
mod live;
mod records;
pub mod shard;
pub(crate) mod text;

use std::collections::BTreeSet;

use crate::content::{Member, Sector};
use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Renderer, Scope, Sink};
use crate::routes::{self, Route};

pub(crate) use live::{Live, Update};
use shard::Layout;

/// Where the index is published, relative to the output root.
pub(crate) const INDEX_DIR: &str = routes::SEARCH_INDEX_DIR;

/// One member in the locator.
#[derive(Debug, Clone)]
pub(crate) struct MemberRow {
    pub(crate) name: String,
    pub(crate) sector: String,
    pub(crate) slug: String,
}

impl MemberRow {
    fn of(m: &Member) -> MemberRow {
        MemberRow {
            name: m.info.name.clone(),
            sector: sector_code(m.info.sector).to_string(),
            slug: m.slug.clone(),
        }
    }
}

/// A published report in the index.
#[derive(Debug, Clone)]
struct Slot {
    member: usize,
    year: u16,
    /// `Some("en")` for a report written in another language than the site's.
    lang: Option<String>,
}

fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// The stop words the browser drops from queries, folded, sorted.
pub(crate) fn stop_words() -> Vec<String> {
    let set: BTreeSet<String> = text::STOP_NB
        .iter()
        .chain(text::STOP_EN)
        .map(|w| text::fold(w))
        .collect();
    set.into_iter().collect()
}

/// The search page and its index, for a full build (`scope` is every page; the preview
/// updates the index itself, see [`Live`]), put into `sink` as they are made.
pub(crate) fn pages(
    r: &Renderer,
    scope: &Scope,
    sink: &dyn Sink,
) -> Result<Option<Live>, Vec<Diagnostic>> {
    if !scope.is_all() {
        return Ok(None);
    }
    let live = Live::build(r.site(), Layout::from_env(), sink)?;
    sink.put(page(r, &live).map_err(|d| vec![d])?)
        .map_err(|d| vec![d])?;
    Ok(Some(live))
}

/// The values of `search.html`.
#[derive(serde::Serialize)]
struct SearchPage {
    index_url: String,
    script_url: String,
    questions_url: String,
    members_url: String,
    years_url: String,
    record_count: usize,
    report_count: usize,
}

/// The search page of an index.
pub(crate) fn page(r: &Renderer, live: &Live) -> Result<OutFile, Diagnostic> {
    let routes = r.routes();
    // The script is a theme file; its URL carries a hash of its content so that it can
    // be cached for ever too.
    let script_hash = r
        .theme()
        .read(&format!("static/{}", routes::SEARCH_SCRIPT))
        .map(|b| shard::hash(&b)[..12].to_string())
        .unwrap_or_default();
    r.page(
        "search.html",
        Route::Search.file(),
        &SearchPage {
            index_url: routes.file_url(&live.locator_url()),
            script_url: format!("{}?v={script_hash}", routes.file_url(routes::SEARCH_SCRIPT)),
            // The question index is always built.
            questions_url: routes.url(Route::Questions),
            members_url: routes.url(Route::Members),
            years_url: routes.url(Route::Years),
            record_count: live.records(),
            report_count: live.slots.len(),
        },
    )
}
