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

pub mod index;
pub mod shard;
pub mod text;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use crate::config::Lang;
use crate::content::{Report, Sector, Site};
use crate::diagnostics::Diagnostic;
use crate::markdown::Block;
use crate::render::{OutFile, Renderer, Scope};
use crate::routes::{self, Route};

use index::{Index, Record};
use shard::{Encoder, Excerpt, Layout};
use text::Language;

/// Where the index is published, relative to the output root.
pub const INDEX_DIR: &str = routes::SEARCH_INDEX_DIR;

/// One member in the locator.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub name: String,
    pub sector: String,
    pub slug: String,
}

/// A published report in the index.
#[derive(Debug, Clone)]
struct Slot {
    member: usize,
    year: u16,
    /// `Some("en")` for a report written in another language than the site's.
    lang: Option<String>,
}

/// One report's records and excerpts.
type Sections = (Vec<Record>, Vec<Excerpt>);

/// A member's sections: its reports' anchors in the order they first appear (reports
/// in year order).
fn section_order<'a>(reports: impl Iterator<Item = &'a Sections>) -> Vec<String> {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut order = Vec::new();
    for (_, xs) in reports {
        for x in xs {
            if seen.insert(&x.anchor, ()).is_none() {
                order.push(x.anchor.clone());
            }
        }
    }
    order
}

fn section_numbers(order: &[String]) -> HashMap<&str, u32> {
    order
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i as u32))
        .collect()
}

/// Gives a report's records their ids: slot × slot size + section number; sorted by id.
fn number_records(
    sections: &mut Sections,
    slot: u32,
    slot_size: u32,
    numbers: &HashMap<&str, u32>,
) {
    let (records, xs) = sections;
    for (r, x) in records.iter_mut().zip(xs.iter()) {
        r.doc = slot * slot_size + numbers.get(x.anchor.as_str()).copied().unwrap_or(0);
    }
    records.sort_by_key(|r| r.doc);
}

/// The search index of a site, kept in memory so that an edit to one report can bring
/// the published files up to date ([`Live::update_report`]).
pub struct Live {
    layout: Layout,
    members: Vec<MemberRow>,
    slots: Vec<Slot>,
    slot_size: u32,
    /// Per member: its sections (anchors) in number order.
    sections: Vec<Vec<String>>,
    index: Index,
    encoder: Encoder,
    shards: Vec<(String, String)>,
    /// Per member: the hash of each of its excerpt files.
    xfiles: Vec<Vec<u64>>,
    /// Per member: the first section of each of its excerpt files.
    xstarts: Vec<Vec<u32>>,
    /// The locator's hash.
    locator: String,
    /// The search page as last published, which names the locator.
    page: Option<OutFile>,
}

/// What an update wrote and removed (paths relative to the output root).
#[derive(Debug, Default)]
pub struct Update {
    pub written: Vec<OutFile>,
    pub removed: Vec<String>,
}

impl Live {
    /// Builds the index of every published report of `site`. Returns it with all of its
    /// files (relative to the output root).
    pub fn build(site: &Site, layout: Layout) -> (Live, Vec<OutFile>) {
        let members: Vec<MemberRow> = site
            .members
            .iter()
            .map(|m| MemberRow {
                name: m.info.name.clone(),
                sector: sector_code(m.info.sector).to_string(),
                slug: m.slug.clone(),
            })
            .collect();
        let mut reports: Vec<(u16, usize, &Report)> = Vec::new();
        for (mi, m) in site.members.iter().enumerate() {
            for rep in m.reports.iter().filter(|rep| !rep.draft) {
                reports.push((rep.year, mi, rep));
            }
        }
        reports.sort_by_key(|(y, mi, _)| (*y, *mi));
        let ui = site.config.language;
        let slots: Vec<Slot> = reports
            .iter()
            .map(|(year, mi, rep)| Slot {
                member: *mi,
                year: *year,
                lang: rep.language.clone().filter(|_| rep.lang(ui) != ui),
            })
            .collect();
        let mut sections: Vec<Sections> = reports
            .par_iter()
            .map(|(_, mi, rep)| report_records(site, rep, *mi))
            .collect();
        let mut per_member: Vec<Vec<usize>> = vec![Vec::new(); site.members.len()];
        for (i, s) in slots.iter().enumerate() {
            per_member[s.member].push(i);
        }
        let order: Vec<Vec<String>> = per_member
            .iter()
            .map(|mine| section_order(mine.iter().map(|&i| &sections[i])))
            .collect();
        let most = order.iter().map(Vec::len).max().unwrap_or(1);
        let slot_size = (most.max(1) as u32).next_power_of_two();
        for (m, mine) in per_member.iter().enumerate() {
            let numbers = section_numbers(&order[m]);
            for &i in mine {
                number_records(&mut sections[i], i as u32, slot_size, &numbers);
            }
        }
        crate::profile::stage("search: records");
        let records: Vec<&Record> = sections.iter().flat_map(|s| s.0.iter()).collect();
        let index = Index::build(&records, slot_size);
        drop(records);
        crate::profile::stage("search: index");
        let mut live = Live {
            layout,
            members,
            slots,
            slot_size,
            sections: order,
            index,
            encoder: Encoder::default(),
            shards: Vec::new(),
            xfiles: vec![Vec::new(); site.members.len()],
            xstarts: vec![Vec::new(); site.members.len()],
            locator: String::new(),
            page: None,
        };
        let dirty = index::Dirty {
            all: true,
            ..Default::default()
        };
        let (changes, table) =
            live.encoder
                .encode(&live.index, &dirty, &live.layout, live.slots.len() as u32);
        live.shards = table;
        crate::profile::stage("search: encode");
        let mut files: Vec<OutFile> = changes
            .written
            .into_iter()
            .map(|f| OutFile {
                path: format!("{INDEX_DIR}{}", f.name),
                bytes: f.bytes,
            })
            .collect();

        // Excerpts, per member.
        let excerpt_files: Vec<(Vec<Vec<u8>>, Vec<u32>)> = per_member
            .par_iter()
            .enumerate()
            .map(|(m, mine)| {
                live.member_files(m, mine.iter().map(|&i| (live.slots[i].year, &sections[i])))
            })
            .collect();
        for (m, (bytes, starts)) in excerpt_files.into_iter().enumerate() {
            let (written, _) = live.set_excerpts(m, bytes, starts);
            files.extend(written);
        }
        let (locator, hash) = live.locator_file();
        live.locator = hash;
        files.push(locator);
        (live, files)
    }

    /// The bytes of a member's excerpt files, from its reports (in year order), and the
    /// first section of each.
    fn member_files<'a>(
        &self,
        member: usize,
        reports: impl Iterator<Item = (u16, &'a Sections)>,
    ) -> (Vec<Vec<u8>>, Vec<u32>) {
        let reports: Vec<(u16, Vec<(&Excerpt, &str)>)> = reports
            .map(|(year, (records, xs))| {
                // Records are in id order; excerpts in the report's order.
                let by_anchor: HashMap<&str, &Excerpt> =
                    xs.iter().map(|x| (x.anchor.as_str(), x)).collect();
                let order = &self.sections[member];
                let list = records
                    .iter()
                    .filter_map(|r| {
                        let g = (r.doc % self.slot_size) as usize;
                        let x = by_anchor.get(order.get(g)?.as_str())?;
                        Some((*x, r.body.as_str()))
                    })
                    .collect();
                (year, list)
            })
            .collect();
        let order = &self.sections[member];
        let sections =
            shard::member_excerpts(&reports, &section_numbers(order), self.layout.excerpt_chars);
        let anchors: Vec<&str> = order.iter().map(String::as_str).collect();
        shard::bundle_excerpts(&sections, &anchors, self.layout.excerpt_bytes)
    }

    /// Replaces a member's excerpt files (and the first section of each): returns the
    /// files whose bytes changed and those that are gone.
    fn set_excerpts(
        &mut self,
        member: usize,
        bytes: Vec<Vec<u8>>,
        starts: Vec<u32>,
    ) -> (Vec<OutFile>, Vec<String>) {
        self.xstarts[member] = starts;
        let path = |b: usize| format!("{INDEX_DIR}x/{member}/{b}.json");
        let old = std::mem::take(&mut self.xfiles[member]);
        let mut written = Vec::new();
        for (b, file) in bytes.into_iter().enumerate() {
            let h = shard::fnv(&file);
            if old.get(b) != Some(&h) {
                written.push(OutFile {
                    path: path(b),
                    bytes: file,
                });
            }
            self.xfiles[member].push(h);
        }
        let removed = (self.xfiles[member].len()..old.len()).map(path).collect();
        (written, removed)
    }

    /// The hash of a member's excerpts, for their URLs (`?v=`).
    fn excerpts_hash(&self, member: usize) -> String {
        let files = &self.xfiles[member];
        if files.is_empty() {
            return String::new();
        }
        let all: Vec<u8> = files.iter().flat_map(|h| h.to_le_bytes()).collect();
        shard::hash(&all)
    }

    /// The locator file, and its hash.
    fn locator_file(&self) -> (OutFile, String) {
        let mut years: Vec<(u16, Vec<usize>)> = Vec::new();
        let mut langs = serde_json::Map::new();
        for (i, s) in self.slots.iter().enumerate() {
            if years.last().is_none_or(|(y, _)| *y != s.year) {
                years.push((s.year, Vec::new()));
            }
            if let Some((_, list)) = years.last_mut() {
                list.push(s.member);
            }
            if let Some(l) = &s.lang {
                langs.insert(i.to_string(), serde_json::json!(l));
            }
        }
        let years_json: Vec<serde_json::Value> = years
            .iter()
            .map(|(y, l)| serde_json::json!([y, l]))
            .collect();
        let members_json: Vec<serde_json::Value> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                serde_json::json!([
                    m.name,
                    m.sector,
                    m.slug,
                    self.excerpts_hash(i),
                    self.xstarts[i]
                ])
            })
            .collect();
        let shards_json: Vec<serde_json::Value> = self
            .shards
            .iter()
            .map(|(k, f)| serde_json::json!([k, f]))
            .collect();
        let locator = serde_json::json!({
            "v": 3,
            "docs": self.index.docs,
            "slot": self.slot_size,
            "members": members_json,
            "years": years_json,
            "lang": langs,
            "shards": shards_json,
            "stop": stop_words(),
        });
        // Serialising a Value cannot fail.
        let bytes = serde_json::to_vec(&locator).unwrap_or_default();
        let hash = shard::hash(&bytes);
        (
            OutFile {
                path: format!("{INDEX_DIR}l.json"),
                bytes,
            },
            hash,
        )
    }

    /// The locator's URL, relative to the output root.
    pub fn locator_url(&self) -> String {
        format!("{INDEX_DIR}l.json?v={}", self.locator)
    }

    /// The number of records.
    pub fn records(&self) -> usize {
        self.index.docs
    }

    /// Remembers the search page as published, so that an update can point it at the
    /// new locator.
    pub fn set_page(&mut self, page: Option<OutFile>) {
        self.page = page;
    }

    /// Brings the index up to date after an edit to one report (member index and year)
    /// of `site`, which holds the report as it is now; `old` is the report as it was.
    /// Returns the files to write and remove, or `None` when the edit needs a full
    /// build (the report is new, or the member now has more sections than a slot holds).
    pub fn update_report(
        &mut self,
        site: &Site,
        member: usize,
        year: u16,
        old: &Report,
    ) -> Option<Update> {
        let rep = site
            .members
            .get(member)?
            .reports
            .iter()
            .find(|r| r.year == year)?;
        if rep.draft != old.draft || rep.language != old.language {
            return None;
        }
        if rep.draft {
            return Some(Update::default());
        }
        let slot = self
            .slots
            .iter()
            .position(|s| s.member == member && s.year == year)? as u32;
        // The member's reports now, and its sections, numbered again.
        let mine: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].member == member)
            .collect();
        let mut now: Vec<Sections> = Vec::with_capacity(mine.len());
        for &i in &mine {
            let r = site.members[member]
                .reports
                .iter()
                .find(|r| r.year == self.slots[i].year && !r.draft)?;
            now.push(report_records(site, r, member));
        }
        let order = section_order(now.iter());
        if order.len() > self.slot_size as usize {
            return None;
        }
        let old_order = std::mem::replace(&mut self.sections[member], order);
        let (old_numbers, numbers) = (
            section_numbers(&old_order),
            section_numbers(&self.sections[member]),
        );
        // The edited report, and any other whose records' ids moved.
        let mut edits: Vec<(u32, Vec<Record>, Vec<Record>)> = Vec::new();
        for (k, &i) in mine.iter().enumerate() {
            let s = i as u32;
            let renumbered = now[k]
                .1
                .iter()
                .any(|x| old_numbers.get(x.anchor.as_str()) != numbers.get(x.anchor.as_str()));
            let mut before = if s == slot {
                report_records(site, old, member)
            } else if renumbered {
                now[k].clone()
            } else {
                continue;
            };
            number_records(&mut before, s, self.slot_size, &old_numbers);
            number_records(&mut now[k], s, self.slot_size, &numbers);
            edits.push((s, before.0, now[k].0.clone()));
        }
        for (k, &i) in mine.iter().enumerate() {
            if !edits.iter().any(|e| e.0 == i as u32) {
                number_records(&mut now[k], i as u32, self.slot_size, &numbers);
            }
        }
        let Live {
            slots,
            index,
            slot_size,
            sections,
            ..
        } = self;
        let records_of = |s: u32| -> Vec<Record> {
            let sl = &slots[s as usize];
            let Some(r) = site.members[sl.member]
                .reports
                .iter()
                .find(|r| r.year == sl.year && !r.draft)
            else {
                return Vec::new();
            };
            let mut sec = report_records(site, r, sl.member);
            number_records(
                &mut sec,
                s,
                *slot_size,
                &section_numbers(&sections[sl.member]),
            );
            sec.0
        };
        let dirty = index.update(&edits, &records_of);
        let (changes, table) =
            self.encoder
                .encode(&self.index, &dirty, &self.layout, self.slots.len() as u32);
        self.shards = table;
        let mut out = Update::default();
        for f in changes.written {
            out.written.push(OutFile {
                path: format!("{INDEX_DIR}{}", f.name),
                bytes: f.bytes,
            });
        }
        out.removed
            .extend(changes.removed.iter().map(|n| format!("{INDEX_DIR}{n}")));

        // The member's excerpts.
        let (bytes, starts) = self.member_files(
            member,
            mine.iter().zip(&now).map(|(&i, s)| (self.slots[i].year, s)),
        );
        let (written, removed) = self.set_excerpts(member, bytes, starts);
        out.written.extend(written);
        out.removed.extend(removed);

        // The locator, and the search page that names its hash.
        let (locator, hash) = self.locator_file();
        if hash != self.locator {
            if let Some(page) = &mut self.page {
                let (from, to) = (
                    format!("l.json?v={}", self.locator),
                    format!("l.json?v={hash}"),
                );
                let html = String::from_utf8_lossy(&page.bytes).replace(&from, &to);
                page.bytes = html.into_bytes();
                out.written.push(page.clone());
            }
            self.locator = hash;
            out.written.push(locator);
        }
        Some(out)
    }
}

fn sector_code(s: Sector) -> &'static str {
    match s {
        Sector::Public => "public",
        Sector::Private => "private",
    }
}

/// The plain text of a section's blocks: one line per paragraph, list item or
/// sub-heading; a table as its caption, then one line per row with the cells separated
/// by ` · `.
fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        if !s.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(s);
        }
    };
    for b in blocks {
        match b {
            Block::Text(t) => line(t),
            Block::Table(t) => {
                line(&t.caption);
                line(&t.head.join(" · "));
                for r in &t.rows {
                    line(&r.join(" · "));
                }
            }
        }
    }
    out
}

/// The records of one report, with their excerpts (doc ids not yet given: 0). A section
/// inside the range of the previous record (a sub-heading of an answer) is part of that
/// record already. `member` is the member's index.
pub fn report_records(site: &Site, rep: &Report, member: usize) -> (Vec<Record>, Vec<Excerpt>) {
    let ui = site.config.language;
    let report_lang = rep.lang(ui);
    let lang = match report_lang {
        Lang::En => Language::English,
        Lang::Nb => Language::Norwegian,
    };
    let template = site.templates.get(&rep.template);
    let mut records = Vec::new();
    let mut excerpts = Vec::new();
    let mut covered = 0usize;
    for s in &rep.body.sections {
        if s.source.start < covered {
            continue;
        }
        covered = s.source.end;
        let body = blocks_text(&s.blocks);
        // No token at all (a token is a run of letters and digits).
        if !body.chars().any(char::is_alphanumeric) {
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
        records.push(Record {
            doc: 0,
            lang,
            title,
            body,
            member: Some(member as u32),
        });
        excerpts.push(Excerpt {
            anchor: s.anchor.clone(),
            number: s.number.clone(),
            title: shown,
        });
    }
    (records, excerpts)
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

/// The search page and its index, for a full build (`scope` is every page; the preview
/// updates the index itself, see [`Live`]). `built` are the pages already built, so
/// that the page links only to browsable indexes that exist (`/sporsmal/` is optional).
pub fn pages(
    r: &Renderer,
    scope: &Scope,
    built: &[OutFile],
) -> Result<(Option<Live>, Vec<OutFile>), Vec<Diagnostic>> {
    if !scope.is_all() {
        return Ok((None, Vec::new()));
    }
    let (live, mut files) = Live::build(r.site(), Layout::from_env());
    files.push(page(r, &live, built).map_err(|d| vec![d])?);
    Ok((Some(live), files))
}

/// The search page of an index.
pub fn page(r: &Renderer, live: &Live, built: &[OutFile]) -> Result<OutFile, Diagnostic> {
    let routes = r.routes();
    let has = |p: &str| built.iter().any(|f| f.path == p);
    let questions_url = has(&Route::Questions.file()).then(|| routes.url(Route::Questions));
    // The script is a theme file; its URL carries a hash of its content so that it can
    // be cached for ever too.
    let script_hash = crate::theme::Theme::new(&r.site().root, &r.config().theme)
        .ok()
        .and_then(|t| t.read(&format!("static/{}", routes::SEARCH_SCRIPT)))
        .map(|b| shard::hash(&b)[..12].to_string())
        .unwrap_or_default();
    r.page(
        "search.html",
        Route::Search.file(),
        minijinja::context! {
            index_url => routes.file_url(&live.locator_url()),
            script_url => format!("{}?v={script_hash}", routes.file_url(routes::SEARCH_SCRIPT)),
            questions_url => questions_url,
            members_url => routes.url(Route::Members),
            years_url => routes.url(Route::Years),
            record_count => live.records(),
            report_count => live.slots.len(),
        },
    )
}
