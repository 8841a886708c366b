//! The inverted index: records in, keys with postings out, kept up to date report by
//! report.
//!
//! Every key is a folded string, and plays one or both of two roles:
//! - a **form**, a word as it occurs in the text (`rettigheter`), which points at the
//!   stem(s) it belongs to;
//! - a **stem** (`rett`), which holds the postings: one per record that contains any of
//!   its forms, on its own or as a part of a compound (`menneskerettigheter`).
//!
//! The index keeps, per posting, the facts the published one is computed from
//! ([`Raw`]): the term frequency, whether the stem occurs as a word of its own, and
//! which of its forms occur. [`super::shard`] turns them into what the browser reads:
//! a BM25 term-frequency factor (the browser multiplies it with the stem's inverse
//! document frequency, from the stem's posting count and the number of records) and a
//! mask that says *how* the record matches, so that the browser can rank exact word
//! forms above other forms of the same stem, and both above compound parts: bit 0 is
//! set when the stem occurs as a word of its own; bit k + 1 when the stem's form k (in
//! the entry's `forms` order) occurs as a word of its own, or, in a record where the
//! stem occurs only inside compounds, as the compound's last part.
//!
//! Nothing published depends on anything but the current records, so an index updated
//! in place ([`Index::update`], for the preview) publishes the same bytes as one built
//! afresh ([`Index::build`]): every aggregate is a sum over records, which an update
//! subtracts and adds; the one thing that is not, the lexicon that splits compounds,
//! changes only when a word appears in or disappears from the corpus, and then the
//! words whose split it can change (those that contain the word, see
//! [`text::Compounds`]) are analysed again, with every record that holds one of them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::text::{self, Compounds, Language, Stems};

/// One searchable record: a section of a report.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's id: its report's slot × the slot size + its position in the report.
    pub doc: u32,
    pub lang: Language,
    /// Text that weighs more: question number, the template's title, the heading.
    pub title: String,
    /// The plain text of the answer.
    pub body: String,
    /// The member the record belongs to: the record is then a posting of the key
    /// [`member_key`] of that member, so that a query for a member's name can find every
    /// record of the member.
    pub member: Option<u32>,
}

/// The key that lists every record of a member (no word can start with `#`).
pub fn member_key(member: u32) -> String {
    format!("#{member}")
}

/// The most forms a stem lists (and the posting mask can mark): the first ones by name.
pub const MAX_FORMS: usize = 30;

/// BM25 parameters, and how much a title and a compound part count.
pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;
pub const TITLE_WEIGHT: f64 = 3.0;
pub const PART_WEIGHT: f64 = 0.5;
/// The published term-frequency factor is this many times the BM25 one, rounded.
pub const IMPACT_SCALE: f64 = 10.0;

/// Term frequencies are counted in halves: an occurrence in the body counts 2, in the
/// title 2 × [`TITLE_WEIGHT`], and a compound part half of its word.
const TF2_TITLE: u32 = 6;
const TF2_BODY: u32 = 2;

/// Bit 31 of [`Raw::tf2`]: the stem occurs as a word of its own.
const FREE: u32 = 1 << 31;

/// A posting as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    pub doc: u32,
    /// Twice the term frequency; bit 31 set when the stem occurs as a word of its own.
    pub tf2: u32,
    /// The forms the mask marks (a [`FormSets`] id): the stem's forms that occur as
    /// words of their own, or when it has none, those that end a compound.
    pub set: u32,
}

impl Raw {
    pub fn free(&self) -> bool {
        self.tf2 & FREE != 0
    }

    pub fn tf(&self) -> f64 {
        f64::from(self.tf2 & !FREE) / 2.0
    }
}

/// Small sets of form ids, as one `u32`: no form, one form (its id), or an interned set.
#[derive(Default)]
pub struct FormSets {
    sets: Vec<Box<[u32]>>,
    ids: HashMap<Box<[u32]>, u32>,
}

const NO_FORMS: u32 = u32::MAX;
const INTERNED: u32 = 1 << 31;

impl FormSets {
    fn id(&mut self, forms: &[u32]) -> u32 {
        match forms {
            [] => NO_FORMS,
            [one] => *one,
            _ => {
                if let Some(&i) = self.ids.get(forms) {
                    return i | INTERNED;
                }
                let i = self.sets.len() as u32;
                self.sets.push(forms.into());
                self.ids.insert(forms.into(), i);
                i | INTERNED
            }
        }
    }

    /// The forms of a set id.
    pub fn forms<'a>(&'a self, id: &'a u32) -> &'a [u32] {
        if *id == NO_FORMS {
            &[]
        } else if *id & INTERNED != 0 {
            &self.sets[(*id & !INTERNED) as usize]
        } else {
            std::slice::from_ref(id)
        }
    }
}

/// A key of the index, by its role.
#[derive(Debug, Default)]
pub struct Key {
    /// As a form: the number of records that contain it.
    pub form_df: u32,
    /// As a form: its stems, with the number of records where it is a form of each
    /// (sorted by stem id).
    pub form_stems: Vec<(u32, u32)>,
    /// As a stem: its forms, with the number of records where each occurs (sorted by
    /// form id).
    pub stem_forms: Vec<(u32, u32)>,
    /// As a stem: one posting per record, by record.
    pub postings: Vec<Raw>,
}

impl Key {
    pub fn is_live(&self) -> bool {
        self.form_df > 0 || !self.postings.is_empty()
    }
}

/// What one distinct word of the corpus contributes: its folded form and stem, and for
/// Norwegian compounds the (form, stem) of each part whose stem is not the word's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WordInfo {
    form: u32,
    stem: u32,
    parts: Box<[(u32, u32)]>,
}

struct Word {
    /// The number of records that contain the word.
    records: u32,
    info: WordInfo,
}

/// The lower-case indexable words of a record, each once with its weight in halves
/// (2 per occurrence in the body, 6 per occurrence in the title), sorted; and the
/// record's length (indexable words in the body).
struct RecordWords<'a> {
    doc: u32,
    lang: Language,
    len: u32,
    words: Vec<(Cow<'a, str>, u32)>,
}

/// For each record, the index of the first record with the same language, member,
/// title and text (its own index when it is the first).
fn first_of_equal<R: std::borrow::Borrow<Record> + Sync>(records: &[R]) -> Vec<u32> {
    use std::hash::{Hash, Hasher};
    fn key(r: &Record) -> (Language, Option<u32>, &str, &str) {
        (r.lang, r.member, &r.title, &r.body)
    }
    let hashes: Vec<u64> = records
        .par_iter()
        .map(|r| {
            let mut h = rustc_hash::FxHasher::default();
            key(r.borrow()).hash(&mut h);
            h.finish()
        })
        .collect();
    // Hash → the first records with that hash (more than one only on a collision).
    let mut seen: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    let mut first = Vec::with_capacity(records.len());
    for (i, (r, h)) in records.iter().zip(hashes).enumerate() {
        let same = seen.entry(h).or_default();
        let k = key(r.borrow());
        match same
            .iter()
            .find(|&&j| key(records[j as usize].borrow()) == k)
        {
            Some(&j) => first.push(j),
            None => {
                same.push(i as u32);
                first.push(i as u32);
            }
        }
    }
    first
}

fn record_words(r: &Record) -> RecordWords<'_> {
    // Each distinct word once, with its weights added up.
    let mut words: FxHashMap<Cow<'_, str>, u32> = FxHashMap::default();
    if let Some(m) = r.member {
        words.insert(Cow::Owned(member_key(m)), 0);
    }
    let mut len = 0u32;
    for (text, weight) in [(&r.title, TF2_TITLE), (&r.body, TF2_BODY)] {
        for t in text::tokens(text) {
            let w = text::lower_cow(t);
            if text::indexable(&w, r.lang) {
                if weight == TF2_BODY {
                    len += 1;
                }
                *words.entry(w).or_insert(0) += weight;
            }
        }
    }
    RecordWords {
        doc: r.doc,
        lang: r.lang,
        len,
        words: words.into_iter().collect(),
    }
}

/// One stem's share of a record, before its form sets are interned.
struct Hit {
    stem: u32,
    tf2: u32,
    /// The mask's forms and all forms (free and compound-final), as ranges of `arena`.
    mask: (u32, u32),
    all: (u32, u32),
}

/// What one record adds to the index.
struct Contribution {
    doc: u32,
    len: u32,
    hits: Vec<Hit>,
    arena: Vec<u32>,
    /// Every form the record has, once.
    forms: Vec<u32>,
}

impl Contribution {
    fn slice(&self, r: (u32, u32)) -> &[u32] {
        &self.arena[r.0 as usize..r.1 as usize]
    }
}

/// The contribution of one record from its words' analyses, each with its weight.
fn contribution<'w>(
    doc: u32,
    len: u32,
    words: impl Iterator<Item = (&'w WordInfo, u32)>,
) -> Contribution {
    const FREE_FORM: u8 = 0;
    const TAIL_FORM: u8 = 1;
    const PART: u8 = 2;
    // (stem, kind, form, weight), sorted: per stem the free forms, then the tails.
    let mut ev: Vec<(u32, u8, u32, u32)> = Vec::new();
    for (info, u) in words {
        ev.push((info.stem, FREE_FORM, info.form, u));
        let n = info.parts.len();
        for (k, &(form, stem)) in info.parts.iter().enumerate() {
            let kind = if k + 1 == n { TAIL_FORM } else { PART };
            ev.push((stem, kind, form, u / 2));
        }
    }
    ev.sort_unstable();
    let mut c = Contribution {
        doc,
        len,
        hits: Vec::new(),
        arena: Vec::new(),
        forms: Vec::new(),
    };
    let mut i = 0;
    while i < ev.len() {
        let stem = ev[i].0;
        let mut j = i;
        let mut tf2 = 0u32;
        let mut free = false;
        let start = c.arena.len() as u32;
        let mut tails: Vec<u32> = Vec::new();
        while j < ev.len() && ev[j].0 == stem {
            let (_, kind, form, u) = ev[j];
            tf2 += u;
            match kind {
                FREE_FORM => {
                    free = true;
                    if c.arena.last() != Some(&form) || c.arena.len() as u32 == start {
                        c.arena.push(form);
                    }
                }
                TAIL_FORM => {
                    if tails.last() != Some(&form) {
                        tails.push(form);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let free_end = c.arena.len() as u32;
        let mask = if free {
            (start, free_end)
        } else {
            c.arena.extend(&tails);
            (free_end, c.arena.len() as u32)
        };
        // All forms: the free ones and the tails, once each.
        let all_start = c.arena.len() as u32;
        let mut all: Vec<u32> = c.arena[start as usize..free_end as usize].to_vec();
        all.extend(&tails);
        all.sort_unstable();
        all.dedup();
        c.forms.extend(&all);
        c.arena.extend(all);
        c.hits.push(Hit {
            stem,
            tf2: tf2 | if free { FREE } else { 0 },
            mask,
            all: (all_start, c.arena.len() as u32),
        });
        i = j;
    }
    c.forms.sort_unstable();
    c.forms.dedup();
    c
}

/// The stems, forms and record lengths an update touched.
#[derive(Debug, Default)]
pub struct Dirty {
    /// Every key may have changed (the first build, or the length normalisation moved).
    pub all: bool,
    pub keys: HashSet<u32>,
    /// Report slots whose records changed (their postings chunks are written again).
    pub slots: BTreeSet<u32>,
}

#[derive(Default)]
pub struct Index {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
    pub keys: Vec<Key>,
    /// The live keys by name, for the key shards.
    pub live: BTreeMap<Box<str>, u32>,
    /// Distinct lower-case words, per language.
    words: [HashMap<Box<str>, Word>; 2],
    lexicon: Option<Compounds>,
    stems: Stems,
    pub sets: FormSets,
    /// Record length by doc (`u32::MAX`: no such record).
    doc_len: Vec<u32>,
    total_len: u64,
    /// The number of records.
    pub docs: usize,
    /// Records per report slot: doc = slot × `slot_size` + position.
    pub slot_size: u32,
}

/// Stems and compound parts of one word: (form, stem, [(part form, part stem)]).
type Analysis = (String, String, Vec<(String, String)>);

fn analyse(stems: &mut Stems, lexicon: &Compounds, lang: Language, w: &str) -> Analysis {
    if w.starts_with('#') {
        return (w.to_string(), w.to_string(), Vec::new());
    }
    let stem = stems.stem(w, lang);
    let parts = match lang {
        Language::Norwegian if !text::is_question_number(w) => lexicon
            .split(w)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (text::fold(&p), stems.stem(&p, lang)))
            .filter(|(_, s)| *s != stem)
            .collect(),
        _ => Vec::new(),
    };
    (text::fold(w), stem, parts)
}

impl Index {
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The key of a name, if it is live.
    pub fn key(&self, name: &str) -> Option<&Key> {
        self.id(name)
            .map(|i| &self.keys[i as usize])
            .filter(|k| k.is_live())
    }

    pub fn doc_len(&self, doc: u32) -> u32 {
        self.doc_len.get(doc as usize).copied().unwrap_or(0)
    }

    /// The average record length, rounded to a quarter power of two so that an edit
    /// rarely moves it (and with it every posting's published impact).
    pub fn avgdl(&self) -> f64 {
        if self.docs == 0 {
            return 1.0;
        }
        let avg = (self.total_len as f64 / self.docs as f64).max(1.0);
        2f64.powf((avg.log2() * 4.0).round() / 4.0)
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), i);
        self.keys.push(Key::default());
        i
    }

    fn info(&mut self, a: &Analysis) -> WordInfo {
        WordInfo {
            form: self.intern(&a.0),
            stem: self.intern(&a.1),
            parts: a
                .2
                .iter()
                .map(|(f, s)| (self.intern(f), self.intern(s)))
                .collect(),
        }
    }

    /// Builds the index of `records` (in doc order; doc = slot × `slot_size` + the
    /// record's place in the slot).
    pub fn build<R: std::borrow::Borrow<Record> + Sync>(records: &[R], slot_size: u32) -> Index {
        debug_assert!(
            records
                .windows(2)
                .all(|w| w[0].borrow().doc < w[1].borrow().doc)
        );
        let mut ix = Index {
            slot_size,
            ..Index::default()
        };
        // The words of every record, as ids of the distinct words of its language (a
        // record's words are taken apart in parallel, a chunk at a time, and numbered
        // in order): 8 bytes per word of a record rather than a string each. A record
        // with the same member, language, title and text as an earlier one (a member's
        // answer left unchanged from one year to the next) has the same words: it
        // shares the earlier record's list instead of taking its text apart again.
        const CHUNK: usize = 4096;
        let first = first_of_equal(records);
        let mut ids: [FxHashMap<Cow<str>, u32>; 2] = [FxHashMap::default(), FxHashMap::default()];
        let mut counts: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        let mut compact: Vec<(u32, Language, u32, Arc<[(u32, u32)]>)> =
            Vec::with_capacity(records.len());
        for (c, chunk) in records.chunks(CHUNK).enumerate() {
            let base = c * CHUNK;
            let rw: Vec<RecordWords> = chunk
                .par_iter()
                .enumerate()
                .filter(|(k, _)| first[base + k] as usize == base + k)
                .map(|(_, r)| record_words(r.borrow()))
                .collect();
            let mut rw = rw.into_iter();
            for (k, r) in chunk.iter().enumerate() {
                let i = base + k;
                let f = first[i] as usize;
                if f != i {
                    let (_, lang, len, words) = &compact[f];
                    let (lang, len, words) = (*lang, *len, Arc::clone(words));
                    for &(id, _) in words.iter() {
                        counts[lang as usize][id as usize] += 1;
                    }
                    compact.push((r.borrow().doc, lang, len, words));
                    continue;
                }
                let Some(r) = rw.next() else {
                    unreachable!("one word list per record that is the first of its kind")
                };
                let l = r.lang as usize;
                let words = r
                    .words
                    .into_iter()
                    .map(|(w, u)| {
                        let next = ids[l].len() as u32;
                        let id = *ids[l].entry(w).or_insert(next);
                        if id == next {
                            counts[l].push(0);
                        }
                        counts[l][id as usize] += 1;
                        (id, u)
                    })
                    .collect();
                compact.push((r.doc, r.lang, r.len, words));
            }
        }
        drop(first);
        crate::profile::stage("search: words");

        // The distinct words, analysed in name order.
        let mut distinct: Vec<(Language, &str, u32)> = Vec::new();
        for (l, lang) in [Language::Norwegian, Language::English]
            .into_iter()
            .enumerate()
        {
            distinct.extend(ids[l].iter().map(|(w, id)| (lang, w.as_ref(), *id)));
        }
        distinct.sort_unstable();
        let lexicon = Compounds::new(
            distinct
                .iter()
                .filter(|(l, _, _)| *l == Language::Norwegian)
                .map(|(_, w, _)| *w),
        );
        let analysed: Vec<Analysis> = distinct
            .par_iter()
            .map_init(Stems::default, |stems, (lang, w, _)| {
                analyse(stems, &lexicon, *lang, w)
            })
            .collect();
        // Each word's analysis, by language and word id.
        let mut infos: [Vec<Option<WordInfo>>; 2] =
            [vec![None; counts[0].len()], vec![None; counts[1].len()]];
        for ((lang, w, id), a) in distinct.iter().zip(&analysed) {
            let info = ix.info(a);
            let l = *lang as usize;
            infos[l][*id as usize] = Some(info.clone());
            ix.words[l].insert(
                (*w).into(),
                Word {
                    records: counts[l][*id as usize],
                    info,
                },
            );
        }
        drop(analysed);
        drop(distinct);
        drop(ids);
        ix.lexicon = Some(lexicon);
        crate::profile::stage("search: analyse");

        // Each record's contribution, a chunk at a time, in doc order.
        let end = records.last().map_or(0, |r| r.borrow().doc as usize + 1);
        ix.doc_len = vec![u32::MAX; end];
        for chunk in compact.chunks(CHUNK) {
            let contributions: Vec<Contribution> = chunk
                .par_iter()
                .map(|(doc, lang, len, words)| {
                    let infos = &infos[*lang as usize];
                    contribution(
                        *doc,
                        *len,
                        words
                            .iter()
                            .filter_map(|(id, u)| Some((infos[*id as usize].as_ref()?, *u))),
                    )
                })
                .collect();
            for c in &contributions {
                ix.add_counts(c, 1, None);
                let doc = c.doc;
                for h in &c.hits {
                    let set = ix.sets.id(c.slice(h.mask));
                    ix.keys[h.stem as usize].postings.push(Raw {
                        doc,
                        tf2: h.tf2,
                        set,
                    });
                }
            }
        }
        drop(compact);
        crate::profile::stage("search: contributions");
        for (id, k) in ix.keys.iter().enumerate() {
            if k.is_live() {
                ix.live.insert(ix.names[id].clone(), id as u32);
            }
        }
        ix
    }

    /// The contribution of one record, with the current word analyses.
    fn contribution(&self, r: &RecordWords) -> Contribution {
        let words = &self.words[r.lang as usize];
        contribution(
            r.doc,
            r.len,
            r.words
                .iter()
                .filter_map(|(w, u)| Some((&words.get(w.as_ref())?.info, *u))),
        )
    }

    /// Adds (`sign` 1) or subtracts (-1) a record's counts: its length, its forms'
    /// record counts and its (stem, form) pairs. Marks the keys it touches.
    fn add_counts(&mut self, c: &Contribution, sign: i32, mut dirty: Option<&mut Dirty>) {
        let d = c.doc as usize;
        if sign > 0 {
            if self.doc_len.len() <= d {
                self.doc_len.resize(d + 1, u32::MAX);
            }
            self.doc_len[d] = c.len;
            self.total_len += u64::from(c.len);
            self.docs += 1;
        } else {
            self.doc_len[d] = u32::MAX;
            self.total_len -= u64::from(c.len);
            self.docs -= 1;
        }
        let bump = |v: &mut Vec<(u32, u32)>, id: u32| match v.binary_search_by_key(&id, |x| x.0) {
            Ok(i) => {
                let n = &mut v[i].1;
                *n = n.wrapping_add_signed(sign);
                if *n == 0 {
                    v.remove(i);
                }
            }
            Err(i) => v.insert(i, (id, 1)),
        };
        for h in &c.hits {
            for &f in c.slice(h.all) {
                bump(&mut self.keys[h.stem as usize].stem_forms, f);
                bump(&mut self.keys[f as usize].form_stems, h.stem);
            }
            if let Some(d) = dirty.as_deref_mut() {
                d.keys.insert(h.stem);
            }
        }
        for &f in &c.forms {
            let k = &mut self.keys[f as usize];
            k.form_df = k.form_df.wrapping_add_signed(sign);
            if let Some(d) = dirty.as_deref_mut() {
                d.keys.insert(f);
            }
        }
    }

    /// Brings the index up to date after the records of some report slots changed:
    /// `edits` are (slot, the slot's records before, after). `records_of` gives the
    /// current records of any other slot (needed only when the lexicon changes the
    /// analysis of a word that other records hold). Returns what changed.
    pub fn update(
        &mut self,
        edits: &[(u32, Vec<Record>, Vec<Record>)],
        records_of: &dyn Fn(u32) -> Vec<Record>,
    ) -> Dirty {
        let mut dirty = Dirty::default();
        let avgdl = self.avgdl();
        let edited: BTreeSet<u32> = edits.iter().map(|e| e.0).collect();
        let old_w: Vec<Vec<RecordWords>> = edits
            .iter()
            .map(|e| e.1.iter().map(record_words).collect())
            .collect();
        let new_w: Vec<Vec<RecordWords>> = edits
            .iter()
            .map(|e| e.2.iter().map(record_words).collect())
            .collect();
        // The old records' contributions, with the word analyses they were made with.
        let mut old_c: BTreeMap<u32, Vec<Contribution>> = BTreeMap::new();
        for (e, ws) in edits.iter().zip(&old_w) {
            old_c.insert(e.0, ws.iter().map(|r| self.contribution(r)).collect());
        }

        // Words that appear in or disappear from the corpus.
        let mut delta: HashMap<(Language, &str), i32> = HashMap::new();
        for (ws, sign) in [(&old_w, -1), (&new_w, 1)] {
            for r in ws.iter().flatten() {
                for (w, _) in &r.words {
                    *delta.entry((r.lang, w.as_ref())).or_default() += sign;
                }
            }
        }
        let mut appeared: Vec<(Language, &str)> = Vec::new();
        let mut vanished: Vec<(Language, &str)> = Vec::new();
        for (&(lang, w), &n) in &delta {
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
        let mut lexicon = self.lexicon.take().unwrap_or_else(|| Compounds::new([]));
        let mut changed_entries: Vec<String> = Vec::new();
        for (lang, w) in &vanished {
            if *lang == Language::Norwegian {
                lexicon.remove(w, &mut changed_entries);
            }
        }
        for (lang, w) in &appeared {
            if *lang == Language::Norwegian {
                lexicon.add(w, &mut changed_entries);
            }
        }

        // Words whose split the lexicon change can alter: those that contain a changed
        // entry. Their new analyses, and the other slots that hold them.
        let mut reanalysed: Vec<(Box<str>, Analysis)> = Vec::new();
        if !changed_entries.is_empty() {
            changed_entries.sort();
            changed_entries.dedup();
            let gone: HashSet<&str> = vanished.iter().map(|(_, w)| *w).collect();
            let mut candidates: Vec<&Box<str>> = self.words[Language::Norwegian as usize]
                .keys()
                .filter(|w| {
                    !gone.contains(w.as_ref())
                        && changed_entries.iter().any(|e| w.contains(e.as_str()))
                })
                .collect();
            candidates.sort();
            for w in candidates {
                let a = analyse(&mut self.stems, &lexicon, Language::Norwegian, w);
                let old = &self.words[Language::Norwegian as usize][w.as_ref()].info;
                let same = self.names[old.form as usize].as_ref() == a.0
                    && self.names[old.stem as usize].as_ref() == a.1
                    && old.parts.len() == a.2.len()
                    && old.parts.iter().zip(&a.2).all(|(&(f, s), (pf, ps))| {
                        self.names[f as usize].as_ref() == pf
                            && self.names[s as usize].as_ref() == ps
                    });
                if !same {
                    reanalysed.push((w.clone(), a));
                }
            }
        }
        let mut other: BTreeMap<u32, (Vec<Record>, Vec<Contribution>)> = BTreeMap::new();
        if !reanalysed.is_empty() {
            let mut slots: BTreeSet<u32> = BTreeSet::new();
            for (w, _) in &reanalysed {
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
            for slot in slots {
                let records = records_of(slot);
                let contributions = records
                    .iter()
                    .map(|r| self.contribution(&record_words(r)))
                    .collect();
                other.insert(slot, (records, contributions));
            }
        }

        // The new word analyses, then the new contributions.
        for (w, a) in &reanalysed {
            let info = self.info(a);
            if let Some(word) = self.words[Language::Norwegian as usize].get_mut(w.as_ref()) {
                word.info = info;
            }
        }
        for (lang, w) in &appeared {
            let a = analyse(&mut self.stems, &lexicon, *lang, w);
            let info = self.info(&a);
            self.words[*lang as usize].insert((*w).into(), Word { records: 0, info });
        }
        self.lexicon = Some(lexicon);
        for (&(lang, w), &n) in &delta {
            if let Some(word) = self.words[lang as usize].get_mut(w) {
                word.records = word.records.wrapping_add_signed(n);
            }
        }
        for (lang, w) in &vanished {
            self.words[*lang as usize].remove(*w);
        }

        let mut replaced: Vec<(u32, Vec<Contribution>, Vec<Contribution>)> = Vec::new();
        for (e, ws) in edits.iter().zip(&new_w) {
            let new: Vec<Contribution> = ws.iter().map(|r| self.contribution(r)).collect();
            let old = old_c.remove(&e.0).unwrap_or_default();
            replaced.push((e.0, old, new));
        }
        for (slot, (records, old)) in std::mem::take(&mut other) {
            let new = records
                .iter()
                .map(|r| self.contribution(&record_words(r)))
                .collect();
            replaced.push((slot, old, new));
        }
        for (slot, old, new) in &replaced {
            self.replace_slot(*slot, old, new, &mut dirty);
        }
        let touched: Vec<u32> = dirty.keys.iter().copied().collect();
        for id in touched {
            let live = self.keys[id as usize].is_live();
            let name = &self.names[id as usize];
            if live {
                if !self.live.contains_key(name) {
                    self.live.insert(name.clone(), id);
                }
            } else {
                self.live.remove(name);
            }
        }
        if self.avgdl() != avgdl {
            dirty.all = true;
        }
        dirty
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
        // Record lengths.
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
        // Counts, by their net change.
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
        let bump =
            |v: &mut Vec<(u32, u32)>, id: u32, d: i32| match v.binary_search_by_key(&id, |x| x.0) {
                Ok(i) => {
                    let n = &mut v[i].1;
                    *n = n.wrapping_add_signed(d);
                    if *n == 0 {
                        v.remove(i);
                    }
                }
                Err(i) => v.insert(i, (id, d as u32)),
            };
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
        // Each touched stem's postings in the slot's doc range, replaced at once.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(doc: u32, title: &str, body: &str) -> Record {
        Record {
            doc,
            lang: Language::Norwegian,
            title: title.into(),
            body: body.into(),
            member: None,
        }
    }

    fn sample() -> Vec<Record> {
        vec![
            rec(
                0,
                "2.A.3 Prioriterte risikoer",
                "Barnearbeid i leverandørkjeden. Leverandøren svarte.",
            ),
            rec(
                1,
                "Forord",
                "Vi arbeider for menneskerettigheter og rettigheter for arbeidere.",
            ),
            rec(
                4,
                "2.A.3 Prioriterte risikoer",
                "Tvangsarbeid og barnearbeid hos leverandører i Malaysia.",
            ),
            rec(5, "Kjede", "En kjede av arbeid. Barn og menneske."),
            Record {
                doc: 8,
                lang: Language::English,
                title: "Prioritised risks".into(),
                body: "Child labour and working conditions at the supplier.".into(),
                member: None,
            },
        ]
    }

    fn forms_of(ix: &Index, k: &Key) -> Vec<String> {
        let mut v: Vec<String> = k
            .stem_forms
            .iter()
            .map(|(f, _)| ix.name(*f).to_string())
            .collect();
        v.sort();
        v
    }

    fn stems_of(ix: &Index, k: &Key) -> Vec<String> {
        let mut v: Vec<String> = k
            .form_stems
            .iter()
            .map(|(s, _)| ix.name(*s).to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn forms_point_at_stems_and_stems_hold_postings() {
        let ix = Index::build(&sample(), 4);
        let form = ix.key("leverandorer").unwrap();
        assert_eq!(stems_of(&ix, form), ["leverandor"]);
        let stem = ix.key("leverandor").unwrap();
        assert_eq!(
            stem.postings.iter().map(|p| p.doc).collect::<Vec<_>>(),
            [0, 4]
        );
        assert!(forms_of(&ix, stem).contains(&"leverandoren".to_string()));
        // Stop words are not keys.
        assert!(ix.key("og").is_none());
        // Question numbers are keys of their own.
        assert_eq!(ix.key("2.a.3").unwrap().postings.len(), 2);
        // English records use the English stemmer.
        assert!(stems_of(&ix, ix.key("working").unwrap()).contains(&"work".to_string()));
        assert_eq!(ix.docs, 5);
    }

    #[test]
    fn compound_parts_are_indexed_under_the_part_stem() {
        let ix = Index::build(&sample(), 4);
        let rett = text::stem_word("rettigheter", Language::Norwegian);
        let e = ix.key(&rett).unwrap();
        // Record 1 has "rettigheter" on its own.
        let p1 = e.postings.iter().find(|p| p.doc == 1).unwrap();
        assert!(p1.free());
        // "menneskerettigheter" puts its tail form in the stem's form list.
        assert!(forms_of(&ix, e).contains(&"rettigheter".to_string()));
        // barnearbeid is split into barn + arbeid because both occur on their own
        // (record 5): record 4 reaches "arbeid" only through compounds.
        let arbeid = ix
            .key(&text::stem_word("arbeid", Language::Norwegian))
            .unwrap();
        let p4 = arbeid.postings.iter().find(|p| p.doc == 4).unwrap();
        assert!(!p4.free(), "only as a compound part");
        let marked: Vec<&str> = ix.sets.forms(&p4.set).iter().map(|f| ix.name(*f)).collect();
        assert_eq!(marked, ["arbeid"], "the tail form is marked");
    }

    #[test]
    fn titles_weigh_more() {
        let ix = Index::build(
            &[
                rec(0, "Barnearbeid", "Tekst om noe annet her."),
                rec(1, "Annet", "Tekst om barnearbeid her."),
            ],
            2,
        );
        let p = &ix.key("barnearbeid").unwrap().postings;
        assert!(p[0].tf() > p[1].tf(), "{p:?}");
        assert_eq!(p[1].tf(), 1.0);
    }

    /// Everything an index publishes, by key name.
    fn published(ix: &Index) -> BTreeMap<String, (u32, Vec<String>, Vec<String>, Vec<String>)> {
        ix.live
            .iter()
            .map(|(name, &id)| {
                let k = &ix.keys[id as usize];
                let postings = k
                    .postings
                    .iter()
                    .map(|p| {
                        let forms: Vec<&str> =
                            ix.sets.forms(&p.set).iter().map(|f| ix.name(*f)).collect();
                        format!("{}:{}:{}", p.doc, p.tf2, forms.join("+"))
                    })
                    .collect();
                (
                    name.to_string(),
                    (k.form_df, stems_of(ix, k), forms_of(ix, k), postings),
                )
            })
            .collect()
    }

    #[test]
    fn repeated_answers_count_once_per_record_and_keep_their_member() {
        // The same answer in three years of member 1 (docs 0, 4, 8), in member 2 (doc 9),
        // and the same text under another title (doc 12).
        let text = "Leverandørene i Malaysia fikk besøk av revisorer.";
        let mut records = vec![
            rec(0, "2.A.3 Risiko", text),
            rec(4, "2.A.3 Risiko", text),
            rec(5, "2.A.4 Annet", "Noe helt annet om revisjon."),
            rec(8, "2.A.3 Risiko", text),
            rec(9, "2.A.3 Risiko", text),
            rec(12, "3.A.1 Tiltak", text),
        ];
        for r in &mut records {
            r.member = Some(if r.doc == 9 { 2 } else { 1 });
        }
        let ix = Index::build(&records, 4);
        let docs = |k: &str| -> Vec<u32> {
            let key = ix.key(k).unwrap_or_else(|| panic!("no key {k}"));
            key.postings.iter().map(|p| p.doc).collect()
        };
        let malaysia = text::stem_word("malaysia", Language::Norwegian);
        assert_eq!(docs(&malaysia), [0, 4, 8, 9, 12]);
        assert_eq!(ix.key("malaysia").unwrap().form_df, 5);
        // The number of records a word is in decides when an update drops the word.
        let nb = &ix.words[Language::Norwegian as usize];
        assert_eq!(nb.get("malaysia").map(|w| w.records), Some(5));
        assert_eq!(docs(&member_key(1)), [0, 4, 5, 8, 12]);
        assert_eq!(docs(&member_key(2)), [9]);
        let risiko = text::stem_word("risiko", Language::Norwegian);
        assert_eq!(docs(&risiko), [0, 4, 8, 9]);
        assert_eq!(ix.docs, 6);

        // The same index as one whose records were all different at first and were
        // then edited one report at a time (an update takes every record apart).
        let distinct: Vec<Record> = records
            .iter()
            .map(|r| Record {
                body: format!("Tekst nummer {}.", r.doc),
                ..r.clone()
            })
            .collect();
        let mut up = Index::build(&distinct, 4);
        for slot in 0..4 {
            let done: Vec<Record> = records
                .iter()
                .filter(|r| r.doc / 4 <= slot)
                .chain(distinct.iter().filter(|r| r.doc / 4 > slot))
                .cloned()
                .collect();
            let edit = (slot, of_slot(&distinct, slot), of_slot(&records, slot));
            up.update(&[edit], &|s| of_slot(&done, s));
        }
        assert_eq!(published(&up), published(&ix));
        assert_eq!(up.avgdl(), ix.avgdl());
    }

    fn of_slot(records: &[Record], slot: u32) -> Vec<Record> {
        records
            .iter()
            .filter(|r| r.doc / 4 == slot)
            .cloned()
            .collect()
    }

    #[test]
    fn an_updated_index_equals_a_fresh_one() {
        let mut records = sample();
        let mut ix = Index::build(&records, 4);
        // Slot 1 (docs 4..8): new text with new words, one of which ("kjeden") is a
        // part of a compound in slot 0 and changes how "leverandørkjeden" splits.
        let old: Vec<Record> = records.iter().filter(|r| r.doc / 4 == 1).cloned().collect();
        let new = vec![
            rec(
                4,
                "2.A.3 Prioriterte risikoer",
                "Tvangsarbeid i kjeden. Leverandør.",
            ),
            rec(5, "Kjede", "Menneskerettigheter."),
            rec(6, "Nytt", "Et helt nytt avsnitt om kjeden og arbeid."),
        ];
        records.retain(|r| r.doc / 4 != 1);
        records.extend(new.clone());
        records.sort_by_key(|r| r.doc);
        let all = records.clone();
        let d = ix.update(&[(1, old, new)], &|slot| {
            all.iter().filter(|r| r.doc / 4 == slot).cloned().collect()
        });
        assert!(d.slots.contains(&1));
        let fresh = Index::build(&records, 4);
        assert_eq!(published(&ix), published(&fresh));
        assert_eq!(ix.docs, fresh.docs);
        assert_eq!(ix.avgdl(), fresh.avgdl());
        // And back.
        let before = sample();
        let old: Vec<Record> = records.iter().filter(|r| r.doc / 4 == 1).cloned().collect();
        let new: Vec<Record> = before.iter().filter(|r| r.doc / 4 == 1).cloned().collect();
        let all = before.clone();
        ix.update(&[(1, old, new)], &|slot| {
            all.iter().filter(|r| r.doc / 4 == slot).cloned().collect()
        });
        assert_eq!(published(&ix), published(&Index::build(&before, 4)));
    }
}
