//! What a page is made from, as a fingerprint: the key by which `aktsom build` reuses,
//! instead of rendering again, the files the previous build made from the same inputs
//! (see [`crate::output::Emitter`]).
//!
//! Every fingerprint starts from the **shared** one, what any page may show of the
//! site: the binary (its size and modification time, for the built-in theme and the
//! code), `site.toml` as loaded (`--base-url` included), the reporting templates, the
//! theme's files, the free pages, and the shape of the site: every member's details
//! and every report's front matter, figures and answered questions (a report page
//! links its neighbours, a question page counts the answers). The pages that have one:
//! - a member's report pages, comparison pages and `rapport.json` files: the shared
//!   fingerprint and the text of each of the member's report files (which, with the
//!   configuration and the reporting templates, gives the reports' whole model);
//! - a year's question pages and answers file: the shared fingerprint and the text of
//!   every report of that year;
//! - a question's own page (its years, with answer counts): the shared fingerprint.
//!
//! They are deliberately coarse: an edit of one report's text renders that member's
//! pages and that year's question pages again, and an edit anywhere in the shape
//! renders them all. The pages that gather the whole site (the front, member and year
//! pages, feeds, the open data tables, the search index) are always rendered.

// xxh3 rather than the crate's FNV (crate::text::fnv): see there.
use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::content::{Report, Site};
use crate::theme::Theme;

/// A 128-bit hash of a page's inputs.
pub(crate) type Fingerprint = u128;

/// Raised when a change to the fingerprints' rules must leave no earlier file reused.
const RULES: u8 = 1;

/// The fingerprints of a build (see the module's doc).
pub(crate) struct Fingerprints {
    shared: Fingerprint,
    members: FxHashMap<String, Fingerprint>,
    years: BTreeMap<u16, Fingerprint>,
}

impl Fingerprints {
    /// The fingerprints of `site` built with `theme`; `None` when something they
    /// depend on cannot be read (then nothing is reused).
    pub(crate) fn new(site: &Site, theme: &Theme) -> Option<Fingerprints> {
        let shared = shared(site, theme)?;
        // Each report's text hashed once, in parallel, for its member and its year.
        let texts: Vec<Vec<Fingerprint>> = site
            .members
            .par_iter()
            .map(|m| {
                m.reports
                    .iter()
                    .map(|r| xxh3_128(r.source.text.as_bytes()))
                    .collect()
            })
            .collect();
        let mut members = FxHashMap::default();
        let mut years: BTreeMap<u16, Xxh3> = BTreeMap::new();
        for (m, texts) in site.members.iter().zip(&texts) {
            let mut h = start(shared);
            field(&mut h, &m.slug);
            for (r, text) in m.reports.iter().zip(texts) {
                h.update(&r.year.to_le_bytes());
                h.update(&text.to_le_bytes());
                let y = years.entry(r.year).or_insert_with(|| {
                    let mut y = start(shared);
                    y.update(&r.year.to_le_bytes());
                    y
                });
                field(y, &m.slug);
                y.update(&text.to_le_bytes());
            }
            members.insert(m.slug.clone(), h.digest128());
        }
        let years = years.into_iter().map(|(y, h)| (y, h.digest128())).collect();
        Some(Fingerprints {
            shared,
            members,
            years,
        })
    }

    /// What every page may show of the site.
    pub(crate) fn shared(&self) -> Fingerprint {
        self.shared
    }

    /// Member `slug`'s report pages, comparison pages and report data.
    pub(crate) fn member(&self, slug: &str) -> Option<Fingerprint> {
        self.members.get(slug).copied()
    }

    /// Year `year`'s question pages and answers file.
    pub(crate) fn year(&self, year: u16) -> Option<Fingerprint> {
        self.years.get(&year).copied()
    }
}

/// A hash that starts from the shared fingerprint.
fn start(shared: Fingerprint) -> Xxh3 {
    let mut h = Xxh3::new();
    h.update(&shared.to_le_bytes());
    h
}

/// What every page may show of the site (see the module's doc).
fn shared(site: &Site, theme: &Theme) -> Option<Fingerprint> {
    let mut h = Xxh3::new();
    h.update(&[RULES]);
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = exe
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    h.update(&exe.len().to_le_bytes());
    h.update(&modified.as_nanos().to_le_bytes());
    field(&mut h, format!("{:?}{:?}", site.config, site.templates));
    theme.fingerprint(&mut h)?;
    for p in site.pages.iter().chain(&site.front) {
        field(&mut h, &p.slug);
        field(&mut h, &*p.source.text);
    }
    for m in &site.members {
        field(&mut h, format!("{}{:?}{:?}", m.slug, m.info, m.images));
        for r in &m.reports {
            field(&mut h, front(r));
        }
    }
    Some(h.digest128())
}

/// A report's front matter and what its text yields that other pages show.
fn front(r: &Report) -> String {
    format!(
        "{}{:?}{:?}{}{:?}{}{:?}{:?}",
        r.year, r.title, r.language, r.draft, r.published, r.template, r.figures, r.answered
    )
}

/// One field, with its length first, so that two fields never read as other two.
fn field(h: &mut Xxh3, s: impl AsRef<str>) {
    let s = s.as_ref().as_bytes();
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s);
}
