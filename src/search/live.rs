//! The index of a site kept in memory ([`Live`]): built once, then brought up to date
//! report by report for the preview, writing only the files whose bytes changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::index::{self, Index, Record};
use super::records::{
    Sections, number_all, number_records, report_records, section_numbers, section_order,
};
use super::shard::{self, Encoder, Excerpt, Layout};
use super::{INDEX_DIR, MemberRow, Slot, stop_words};
use crate::content::{Report, Site};
use crate::diagnostics::Diagnostic;
use crate::render::{self, OutFile, Sink};
use crate::routes::Route;

/// The search index of a site, kept in memory so that an edit to one report can bring
/// the published files up to date ([`Live::update_report`]).
pub(crate) struct Live {
    layout: Layout,
    members: Vec<MemberRow>,
    pub(super) slots: Vec<Slot>,
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
    /// The question pages: (number, path from the site's root, title).
    questions: Vec<(String, String, String)>,
}

/// What an update wrote and removed (paths relative to the output root).
#[derive(Debug, Default)]
pub(crate) struct Update {
    pub(crate) written: Vec<OutFile>,
    pub(crate) removed: Vec<String>,
}

/// The published reports of a site, in slot order: by year, then member (index).
fn published(site: &Site) -> Vec<(u16, usize, &Report)> {
    let mut reports: Vec<(u16, usize, &Report)> = Vec::new();
    for (mi, m) in site.members.iter().enumerate() {
        for rep in m.reports.iter().filter(|rep| !rep.draft) {
            reports.push((rep.year, mi, rep));
        }
    }
    reports.sort_by_key(|(y, mi, _)| (*y, *mi));
    reports
}

/// The question pages (`/sporsmal/<number>/`, every member's answer to a question, see
/// [`crate::questions`]) of the template versions of the published reports, for the
/// browser to put first when a query is a question number: (number, path from the
/// site's root, title in the site's language; the newest version's), in number order.
fn question_pages(site: &Site) -> Vec<(String, String, String)> {
    let versions: BTreeSet<&str> = site
        .members
        .iter()
        .flat_map(|m| m.reports.iter().filter(|r| !r.draft))
        .map(|r| r.template.as_str())
        .collect();
    let mut pages: BTreeMap<&str, (String, String, String)> = BTreeMap::new();
    // Versions sort oldest first: a newer version's title replaces an older one's.
    for t in versions.iter().filter_map(|v| site.templates.get(*v)) {
        for q in t.questions.iter().filter(|q| q.depth == 3) {
            let path = Route::Question(&q.number).dir();
            let title = q.title.get(site.config.language).to_string();
            pages.insert(&q.number, (q.number.clone(), path, title));
        }
    }
    pages.into_values().collect()
}

/// The index files of an encoding, as output files.
fn index_files(files: Vec<shard::IndexFile>) -> impl Iterator<Item = OutFile> {
    files.into_iter().map(|f| OutFile {
        path: format!("{INDEX_DIR}{}", f.name),
        bytes: f.bytes,
    })
}

/// A member's excerpt files once written: each file's hash and the first section of
/// each (what [`Live`] keeps of them).
type MemberExcerpts = (Vec<u64>, Vec<u32>);

/// Member `member`'s excerpt file `b`, relative to the output root.
fn excerpt_path(member: usize, b: usize) -> String {
    format!("{INDEX_DIR}x/{member}/{b}.json")
}

impl Live {
    /// Builds the index of every published report of `site`, putting its files
    /// (relative to the output root) into `sink` as they are made: first each member's
    /// excerpt files, then the records go into the index (which drops them once their
    /// words are analysed), then the key shards, postings and locator. So a build never
    /// holds every record's text, the index and its files at once.
    pub(crate) fn build(
        site: &Site,
        layout: Layout,
        sink: &dyn Sink,
    ) -> Result<Live, Vec<Diagnostic>> {
        let reports = published(site);
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
        let (order, slot_size) = number_all(&mut sections, &per_member);
        crate::profile::stage("search: records");
        let mut live = Live {
            layout,
            members: site.members.iter().map(MemberRow::of).collect(),
            slots,
            slot_size,
            sections: order,
            index: Index::default(),
            encoder: Encoder::default(),
            shards: Vec::new(),
            xfiles: vec![Vec::new(); site.members.len()],
            xstarts: vec![Vec::new(); site.members.len()],
            locator: String::new(),
            page: None,
            questions: question_pages(site),
        };
        live.all_excerpts(&per_member, &sections, sink)?;
        let records: Vec<Record> = sections.into_iter().flat_map(|s| s.0).collect();
        live.index = Index::build(records, slot_size);
        crate::profile::stage("search: index");
        let all = index::Dirty {
            all: true,
            ..Default::default()
        };
        let files = live.encode_changes(&all).written;
        render::emit_all(files, sink)?;
        crate::profile::stage("search: encode");
        let (locator, hash) = live.locator_file();
        live.locator = hash;
        sink.put(locator).map_err(|d| vec![d])?;
        Ok(live)
    }

    /// Every member's excerpt files, from its reports' sections, into `sink` member by
    /// member.
    fn all_excerpts(
        &mut self,
        per_member: &[Vec<usize>],
        sections: &[Sections],
        sink: &dyn Sink,
    ) -> Result<(), Vec<Diagnostic>> {
        let made: Vec<Result<MemberExcerpts, Vec<Diagnostic>>> = per_member
            .par_iter()
            .enumerate()
            .map(|(m, mine)| {
                let (bytes, starts) =
                    self.member_files(m, mine.iter().map(|&i| (self.slots[i].year, &sections[i])));
                let hashes = bytes.iter().map(|b| shard::fnv(b)).collect();
                let files = bytes
                    .into_iter()
                    .enumerate()
                    .map(|(b, bytes)| OutFile {
                        path: excerpt_path(m, b),
                        bytes,
                    })
                    .collect();
                render::emit_all(files, sink)?;
                Ok((hashes, starts))
            })
            .collect();
        let mut errors = Vec::new();
        for (m, made) in made.into_iter().enumerate() {
            match made {
                Ok((hashes, starts)) => {
                    self.xfiles[m] = hashes;
                    self.xstarts[m] = starts;
                }
                Err(e) => errors.extend(e),
            }
        }
        render::distinct(errors)
    }

    /// The bytes of a member's excerpt files, from its reports (in year order), and the
    /// first section of each.
    fn member_files<'a>(
        &self,
        member: usize,
        reports: impl Iterator<Item = (u16, &'a Sections)>,
    ) -> (Vec<Vec<u8>>, Vec<u32>) {
        let order = &self.sections[member];
        let reports: Vec<(u16, Vec<(&Excerpt, &str)>)> = reports
            .map(|(year, (records, xs))| {
                // Records are in id order; excerpts in the report's order.
                let by_anchor: HashMap<&str, &Excerpt> =
                    xs.iter().map(|x| (x.anchor.as_str(), x)).collect();
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
        let path = |b: usize| excerpt_path(member, b);
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

    /// The locator's reports: the members with a report, per year, in slot order; and
    /// the language of each report written in another language than the site's, by
    /// slot.
    fn years_and_languages(
        &self,
    ) -> (
        Vec<serde_json::Value>,
        serde_json::Map<String, serde_json::Value>,
    ) {
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
        let years = years
            .iter()
            .map(|(y, l)| serde_json::json!([y, l]))
            .collect();
        (years, langs)
    }

    /// The locator file, and its hash.
    fn locator_file(&self) -> (OutFile, String) {
        let (years, langs) = self.years_and_languages();
        let members: Vec<serde_json::Value> = self
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
        let shards: Vec<serde_json::Value> = self
            .shards
            .iter()
            .map(|(k, f)| serde_json::json!([k, f]))
            .collect();
        let locator = serde_json::json!({
            "v": 3,
            "docs": self.index.docs,
            "slot": self.slot_size,
            "members": members,
            "years": years,
            "lang": langs,
            "shards": shards,
            "stop": stop_words(),
            "questions": self.questions,
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
    pub(crate) fn locator_url(&self) -> String {
        format!("{INDEX_DIR}l.json?v={}", self.locator)
    }

    /// The number of records.
    pub(crate) fn records(&self) -> usize {
        self.index.docs
    }

    /// Remembers the search page as published, so that an update can point it at the
    /// new locator.
    pub(crate) fn set_page(&mut self, page: Option<OutFile>) {
        self.page = page;
    }

    /// Brings the index up to date after an edit to one report (member index and year)
    /// of `site`, which holds the report as it is now; `old` is the report as it was.
    /// Returns the files to write and remove, or `None` when the edit needs a full
    /// build (the report is new, or the member now has more sections than a slot holds).
    pub(crate) fn update_report(
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
        let mut now = self.member_now(site, member, &mine)?;
        let order = section_order(now.iter());
        if order.len() > self.slot_size as usize {
            return None;
        }
        let old_order = std::mem::replace(&mut self.sections[member], order);
        let edits = self.edits(site, member, (slot, old), &mine, &mut now, &old_order);
        let dirty = self.reindex(site, &edits);
        let mut out = self.encode_changes(&dirty);

        // The member's excerpts.
        let (bytes, starts) = self.member_files(
            member,
            mine.iter().zip(&now).map(|(&i, s)| (self.slots[i].year, s)),
        );
        let (written, removed) = self.set_excerpts(member, bytes, starts);
        out.written.extend(written);
        out.removed.extend(removed);
        self.publish_locator(&mut out);
        Some(out)
    }

    /// The records of a member's published reports (`mine`, slots) as they are now, not
    /// numbered; `None` when one is missing.
    fn member_now(&self, site: &Site, member: usize, mine: &[usize]) -> Option<Vec<Sections>> {
        let reports = &site.members.get(member)?.reports;
        mine.iter()
            .map(|&i| {
                let year = self.slots[i].year;
                let r = reports.iter().find(|r| r.year == year && !r.draft)?;
                Some(report_records(site, r, member))
            })
            .collect()
    }

    /// The edits to the index: the edited report (`edited`: its slot and the report as
    /// it was), and any other of the member's reports whose records' ids moved, as
    /// (slot, records before, records now). Numbers the records of `now` (the member's
    /// reports, slots `mine`) by the member's sections now; `old_order` were its
    /// sections before.
    fn edits(
        &self,
        site: &Site,
        member: usize,
        edited: (u32, &Report),
        mine: &[usize],
        now: &mut [Sections],
        old_order: &[String],
    ) -> Vec<(u32, Vec<Record>, Vec<Record>)> {
        let old_numbers = section_numbers(old_order);
        let numbers = section_numbers(&self.sections[member]);
        let mut edits = Vec::new();
        for (k, &i) in mine.iter().enumerate() {
            let s = i as u32;
            let renumbered = now[k]
                .1
                .iter()
                .any(|x| old_numbers.get(x.anchor.as_str()) != numbers.get(x.anchor.as_str()));
            let before = if s == edited.0 {
                Some(report_records(site, edited.1, member))
            } else {
                renumbered.then(|| now[k].clone())
            };
            number_records(&mut now[k], s, self.slot_size, &numbers);
            if let Some(mut before) = before {
                number_records(&mut before, s, self.slot_size, &old_numbers);
                edits.push((s, before.0, now[k].0.clone()));
            }
        }
        edits
    }

    /// Brings the index up to date with `edits`; returns what changed.
    fn reindex(&mut self, site: &Site, edits: &[(u32, Vec<Record>, Vec<Record>)]) -> index::Dirty {
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
            let numbers = section_numbers(&sections[sl.member]);
            number_records(&mut sec, s, *slot_size, &numbers);
            sec.0
        };
        index.update(edits, &records_of)
    }

    /// Encodes what `dirty` names: the files written and removed.
    fn encode_changes(&mut self, dirty: &index::Dirty) -> Update {
        let (changes, table) =
            self.encoder
                .encode(&self.index, dirty, &self.layout, self.slots.len() as u32);
        self.shards = table;
        Update {
            written: index_files(changes.written).collect(),
            removed: changes
                .removed
                .iter()
                .map(|n| format!("{INDEX_DIR}{n}"))
                .collect(),
        }
    }

    /// The locator, when it changed, and the search page that names its hash.
    fn publish_locator(&mut self, out: &mut Update) {
        let (locator, hash) = self.locator_file();
        if hash == self.locator {
            return;
        }
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
}
