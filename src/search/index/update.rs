//! Keeping the index up to date report by report ([`Index::update`], for the preview):
//! every aggregate is a sum over records, which an update subtracts and adds; the
//! lexicon that splits compounds changes only when a word appears in or disappears from
//! the corpus, and then the words whose split it can change are analysed again, with
//! every record that holds one of them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::words::{Analysis, Contribution, RecordWords, Word, analyse, record_words};
use super::{Dirty, Index, Raw, Record, bump};
use crate::search::text::{Compounds, Language};

/// A slot's records, and their contributions as the index holds them.
type Held = (Vec<Record>, Vec<Contribution>);

/// Words of a language, sorted.
type Words<'a> = Vec<(Language, &'a str)>;

/// The change in the number of records that hold each word: (language, word) → ±n.
type Delta<'a> = HashMap<(Language, &'a str), i32>;

fn words_of(rs: &[Record]) -> Vec<RecordWords<'_>> {
    rs.iter().map(record_words).collect()
}

/// The net change of the words of some records: -1 for each record before, +1 after.
fn delta<'a>(old: &'a [Vec<RecordWords>], new: &'a [Vec<RecordWords>]) -> Delta<'a> {
    let mut delta: Delta = HashMap::new();
    for (ws, sign) in [(old, -1), (new, 1)] {
        for r in ws.iter().flatten() {
            for (w, _) in &r.words {
                *delta.entry((r.lang, w.as_ref())).or_default() += sign;
            }
        }
    }
    delta
}

/// Brings the lexicon up to date with the words that appeared and vanished; returns
/// the entries that changed (sorted, once each).
fn update_lexicon(
    lexicon: &mut Compounds,
    appeared: &[(Language, &str)],
    vanished: &[(Language, &str)],
) -> Vec<String> {
    let mut changed: Vec<String> = Vec::new();
    for (lang, w) in vanished {
        if *lang == Language::Norwegian {
            lexicon.remove(w, &mut changed);
        }
    }
    for (lang, w) in appeared {
        if *lang == Language::Norwegian {
            lexicon.add(w, &mut changed);
        }
    }
    changed.sort();
    changed.dedup();
    changed
}

impl Index {
    /// Brings the index up to date after the records of some report slots changed:
    /// `edits` are (slot, the slot's records before, after). `records_of` gives the
    /// current records of any other slot (needed only when the lexicon changes the
    /// analysis of a word that other records hold). Returns what changed.
    pub(crate) fn update(
        &mut self,
        edits: &[(u32, Vec<Record>, Vec<Record>)],
        records_of: &dyn Fn(u32) -> Vec<Record>,
    ) -> Dirty {
        let mut dirty = Dirty::default();
        let avgdl = self.avgdl();
        let old_w: Vec<Vec<RecordWords>> = edits.iter().map(|e| words_of(&e.1)).collect();
        let new_w: Vec<Vec<RecordWords>> = edits.iter().map(|e| words_of(&e.2)).collect();
        // The old records' contributions, with the word analyses they were made with.
        let old_c: Vec<Vec<Contribution>> = old_w.iter().map(|ws| self.contributions(ws)).collect();

        let delta = delta(&old_w, &new_w);
        let (appeared, vanished) = self.appeared_and_vanished(&delta);
        let mut lexicon = self.lexicon.take().unwrap_or_else(|| Compounds::new([]));
        let changed = update_lexicon(&mut lexicon, &appeared, &vanished);
        let reanalysed = self.reanalyse(&lexicon, &changed, &vanished);
        let edited: BTreeSet<u32> = edits.iter().map(|e| e.0).collect();
        let other = self.other_slots(&reanalysed, &edited, records_of);

        // The new word analyses, then the new contributions.
        self.apply_words(&reanalysed, &appeared, &vanished, &delta, lexicon);
        let mut replaced: Vec<(u32, Vec<Contribution>, Vec<Contribution>)> = Vec::new();
        for ((e, ws), old) in edits.iter().zip(&new_w).zip(old_c) {
            replaced.push((e.0, old, self.contributions(ws)));
        }
        for (slot, (records, old)) in other {
            let new = words_of(&records);
            replaced.push((slot, old, self.contributions(&new)));
        }
        for (slot, old, new) in &replaced {
            self.replace_slot(*slot, old, new, &mut dirty);
        }
        self.update_live(&dirty);
        if self.avgdl() != avgdl {
            dirty.all = true;
        }
        dirty
    }

    /// The contributions of some records, with the current word analyses.
    fn contributions(&self, ws: &[RecordWords]) -> Vec<Contribution> {
        ws.iter().map(|r| self.contribution(r)).collect()
    }

    /// The words that appear in the corpus, and those that disappear from it, sorted.
    fn appeared_and_vanished<'a>(&self, delta: &Delta<'a>) -> (Words<'a>, Words<'a>) {
        let mut appeared = Vec::new();
        let mut vanished = Vec::new();
        for (&(lang, w), &n) in delta {
            let now = self.words[lang as usize]
                .get(w)
                .map_or(0, |x| i64::from(x.records))
                + i64::from(n);
            let before = now - i64::from(n);
            if before == 0 && now > 0 {
                appeared.push((lang, w));
            } else if before > 0 && now == 0 {
                vanished.push((lang, w));
            }
        }
        appeared.sort_unstable();
        vanished.sort_unstable();
        (appeared, vanished)
    }

    /// The words whose split a lexicon change can alter (those that contain a `changed`
    /// entry and stay in the corpus) and whose analysis it did alter, with their new
    /// analyses.
    fn reanalyse(
        &mut self,
        lexicon: &Compounds,
        changed: &[String],
        vanished: &[(Language, &str)],
    ) -> Vec<(Box<str>, Analysis)> {
        if changed.is_empty() {
            return Vec::new();
        }
        let gone: HashSet<&str> = vanished.iter().map(|(_, w)| *w).collect();
        let nb = Language::Norwegian as usize;
        let mut candidates: Vec<Box<str>> = self.words[nb]
            .keys()
            .filter(|w| {
                !gone.contains(w.as_ref()) && changed.iter().any(|e| w.contains(e.as_str()))
            })
            .cloned()
            .collect();
        candidates.sort();
        let mut out = Vec::new();
        for w in candidates {
            let a = analyse(&mut self.stems, lexicon, Language::Norwegian, &w);
            if !self.same_analysis(&self.words[nb][w.as_ref()], &a) {
                out.push((w, a));
            }
        }
        out
    }

    /// Whether a word's analysis is `a` already.
    fn same_analysis(&self, word: &Word, a: &Analysis) -> bool {
        let old = &word.info;
        let name = |id: u32| self.names[id as usize].as_ref();
        name(old.form) == a.0
            && name(old.stem) == a.1
            && old.parts.len() == a.2.len()
            && old
                .parts
                .iter()
                .zip(&a.2)
                .all(|(&(f, s), (pf, ps))| name(f) == pf && name(s) == ps)
    }

    /// The slots other than `edited` that hold a reanalysed word, with their records
    /// and their contributions as the index holds them (before the new analyses).
    fn other_slots(
        &self,
        reanalysed: &[(Box<str>, Analysis)],
        edited: &BTreeSet<u32>,
        records_of: &dyn Fn(u32) -> Vec<Record>,
    ) -> BTreeMap<u32, Held> {
        let mut slots: BTreeSet<u32> = BTreeSet::new();
        for (w, _) in reanalysed {
            let stem = self.words[Language::Norwegian as usize][w.as_ref()]
                .info
                .stem;
            for p in &self.keys[stem as usize].postings {
                let slot = p.doc / self.slot_size;
                if !edited.contains(&slot) {
                    slots.insert(slot);
                }
            }
        }
        slots
            .into_iter()
            .map(|slot| {
                let records = records_of(slot);
                let contributions = self.contributions(&words_of(&records));
                (slot, (records, contributions))
            })
            .collect()
    }

    /// Sets the new word analyses, the words that appeared, the words' record counts,
    /// and removes the words that vanished.
    fn apply_words(
        &mut self,
        reanalysed: &[(Box<str>, Analysis)],
        appeared: &[(Language, &str)],
        vanished: &[(Language, &str)],
        delta: &Delta,
        lexicon: Compounds,
    ) {
        for (w, a) in reanalysed {
            let info = self.info(a);
            if let Some(word) = self.words[Language::Norwegian as usize].get_mut(w.as_ref()) {
                word.info = info;
            }
        }
        for (lang, w) in appeared {
            let a = analyse(&mut self.stems, &lexicon, *lang, w);
            let info = self.info(&a);
            self.words[*lang as usize].insert((*w).into(), Word { records: 0, info });
        }
        self.lexicon = Some(lexicon);
        for (&(lang, w), &n) in delta {
            if let Some(word) = self.words[lang as usize].get_mut(w) {
                word.records = word.records.wrapping_add_signed(n);
            }
        }
        for (lang, w) in vanished {
            self.words[*lang as usize].remove(*w);
        }
    }

    /// Brings the live keys up to date with the keys an update touched.
    fn update_live(&mut self, dirty: &Dirty) {
        for &id in &dirty.keys {
            let name = &self.names[id as usize];
            if self.keys[id as usize].is_live() {
                if !self.live.contains_key(name) {
                    self.live.insert(name.clone(), id);
                }
            } else {
                self.live.remove(name);
            }
        }
    }

    /// Replaces the contributions of one slot's records. Marks dirty only the keys
    /// whose counts or postings changed: a stem whose postings in the slot are the same
    /// and whose records kept their lengths publishes the same bytes.
    fn replace_slot(
        &mut self,
        slot: u32,
        old: &[Contribution],
        new: &[Contribution],
        dirty: &mut Dirty,
    ) {
        dirty.slots.insert(slot);
        let moved = self.replace_lengths(old, new);
        self.replace_counts(old, new, dirty);
        self.replace_postings(slot, old, new, &moved, dirty);
    }

    /// Replaces the records' lengths; returns the records whose length changed (or
    /// that came or went).
    fn replace_lengths(&mut self, old: &[Contribution], new: &[Contribution]) -> HashSet<u32> {
        let mut lens: BTreeMap<u32, (Option<u32>, Option<u32>)> = BTreeMap::new();
        for c in old {
            lens.entry(c.doc).or_default().0 = Some(c.len);
        }
        for c in new {
            lens.entry(c.doc).or_default().1 = Some(c.len);
        }
        let mut moved: HashSet<u32> = HashSet::new();
        for (&doc, &(was, now)) in &lens {
            if was == now {
                continue;
            }
            moved.insert(doc);
            if let Some(l) = was {
                self.total_len -= u64::from(l);
                self.docs -= 1;
                self.doc_len[doc as usize] = u32::MAX;
            }
            if let Some(l) = now {
                self.total_len += u64::from(l);
                self.docs += 1;
                if self.doc_len.len() <= doc as usize {
                    self.doc_len.resize(doc as usize + 1, u32::MAX);
                }
                self.doc_len[doc as usize] = l;
            }
        }
        moved
    }

    /// Replaces the (stem, form) pair counts and the forms' record counts, by their net
    /// change.
    fn replace_counts(&mut self, old: &[Contribution], new: &[Contribution], dirty: &mut Dirty) {
        let mut pairs: HashMap<(u32, u32), i32> = HashMap::new();
        let mut form_df: HashMap<u32, i32> = HashMap::new();
        for (list, sign) in [(old, -1), (new, 1)] {
            for c in list {
                for h in &c.hits {
                    for &f in c.slice(h.all) {
                        *pairs.entry((h.stem, f)).or_default() += sign;
                    }
                }
                for &f in &c.forms {
                    *form_df.entry(f).or_default() += sign;
                }
            }
        }
        for ((stem, form), d) in pairs {
            if d != 0 {
                bump(&mut self.keys[stem as usize].stem_forms, form, d);
                bump(&mut self.keys[form as usize].form_stems, stem, d);
                dirty.keys.insert(stem);
                dirty.keys.insert(form);
            }
        }
        for (form, d) in form_df {
            if d != 0 {
                let k = &mut self.keys[form as usize];
                k.form_df = k.form_df.wrapping_add_signed(d);
                dirty.keys.insert(form);
            }
        }
    }

    /// Replaces each touched stem's postings in the slot's doc range at once.
    fn replace_postings(
        &mut self,
        slot: u32,
        old: &[Contribution],
        new: &[Contribution],
        moved: &HashSet<u32>,
        dirty: &mut Dirty,
    ) {
        let mut postings: BTreeMap<u32, Vec<Raw>> = BTreeMap::new();
        for c in old {
            for h in &c.hits {
                postings.entry(h.stem).or_default();
            }
        }
        for c in new {
            for h in &c.hits {
                let set = self.sets.id(c.slice(h.mask));
                postings.entry(h.stem).or_default().push(Raw {
                    doc: c.doc,
                    tf2: h.tf2,
                    set,
                });
            }
        }
        let (lo, hi) = (slot * self.slot_size, (slot + 1) * self.slot_size);
        for (stem, mut list) in postings {
            list.sort_unstable_by_key(|p| p.doc);
            let p = &mut self.keys[stem as usize].postings;
            let a = p.partition_point(|x| x.doc < lo);
            let b = p.partition_point(|x| x.doc < hi);
            if p[a..b] != list[..] || list.iter().any(|r| moved.contains(&r.doc)) {
                dirty.keys.insert(stem);
            }
            p.splice(a..b, list);
        }
    }
}
