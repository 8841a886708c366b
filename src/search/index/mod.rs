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
//! [`crate::search::text::Compounds`]) are analysed again, with every record that holds one of them.

mod build;
#[cfg(test)]
mod tests;
mod update;
mod words;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use words::{Analysis, Contribution, RecordWords, Word, WordInfo, contribution};

use super::text::{Compounds, Language, Stems};

/// One searchable record: a section of a report.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The record's id: its report's slot × the slot size + its position in the report.
    pub(crate) doc: u32,
    pub(crate) lang: Language,
    /// Text that weighs more: question number, the template's title, the heading.
    pub(crate) title: String,
    /// The plain text of the answer.
    pub(crate) body: String,
    /// The member the record belongs to: the record is then a posting of the key
    /// [`member_key`] of that member, so that a query for a member's name can find every
    /// record of the member.
    pub(crate) member: Option<u32>,
}

/// The key that lists every record of a member (no word can start with `#`).
pub(crate) fn member_key(member: u32) -> String {
    format!("#{member}")
}

/// The most forms a stem lists (and the posting mask can mark): the first ones by name.
pub(crate) const MAX_FORMS: usize = 30;

/// BM25 parameters, and how much a title and a compound part count.
pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;
pub(crate) const TITLE_WEIGHT: u32 = 3;
/// The published term-frequency factor is this many times the BM25 one, rounded.
pub(crate) const IMPACT_SCALE: f64 = 10.0;

/// Term frequencies are counted in halves: an occurrence in the body counts 2, in the
/// title 2 × [`TITLE_WEIGHT`], and a compound part half of its word.
const TF2_TITLE: u32 = TF2_BODY * TITLE_WEIGHT;
const TF2_BODY: u32 = 2;

/// Bit 31 of [`Raw::tf2`]: the stem occurs as a word of its own.
const FREE: u32 = 1 << 31;

/// A posting as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw {
    pub(crate) doc: u32,
    /// Twice the term frequency; bit 31 set when the stem occurs as a word of its own.
    pub(crate) tf2: u32,
    /// The forms the mask marks (a [`FormSets`] id): the stem's forms that occur as
    /// words of their own, or when it has none, those that end a compound.
    pub(crate) set: u32,
}

impl Raw {
    pub(crate) fn free(&self) -> bool {
        self.tf2 & FREE != 0
    }

    pub(crate) fn tf(&self) -> f64 {
        f64::from(self.tf2 & !FREE) / 2.0
    }
}

/// Small sets of form ids, as one `u32`: no form, one form (its id), or an interned set.
#[derive(Default)]
pub(crate) struct FormSets {
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
    pub(crate) fn forms<'a>(&'a self, id: &'a u32) -> &'a [u32] {
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
pub(crate) struct Key {
    /// As a form: the number of records that contain it.
    pub(crate) form_df: u32,
    /// As a form: its stems, with the number of records where it is a form of each
    /// (sorted by stem id).
    pub(crate) form_stems: Vec<(u32, u32)>,
    /// As a stem: its forms, with the number of records where each occurs (sorted by
    /// form id).
    pub(crate) stem_forms: Vec<(u32, u32)>,
    /// As a stem: one posting per record, by record.
    pub(crate) postings: Vec<Raw>,
}

impl Key {
    pub(crate) fn is_live(&self) -> bool {
        self.form_df > 0 || !self.postings.is_empty()
    }
}

/// The stems, forms and record lengths an update touched.
#[derive(Debug, Default)]
pub(crate) struct Dirty {
    /// Every key may have changed (the first build, or the length normalisation moved).
    pub(crate) all: bool,
    pub(crate) keys: HashSet<u32>,
    /// Report slots whose records changed (their postings chunks are written again).
    pub(crate) slots: BTreeSet<u32>,
}

#[derive(Default)]
pub(crate) struct Index {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
    pub(crate) keys: Vec<Key>,
    /// The live keys by name, for the key shards.
    pub(crate) live: BTreeMap<Box<str>, u32>,
    /// Distinct lower-case words, per language.
    words: [HashMap<Box<str>, Word>; 2],
    lexicon: Option<Compounds>,
    stems: Stems,
    pub(crate) sets: FormSets,
    /// Record length by doc (`u32::MAX`: no such record).
    doc_len: Vec<u32>,
    total_len: u64,
    /// The number of records.
    pub(crate) docs: usize,
    /// Records per report slot: doc = slot × `slot_size` + position.
    pub(crate) slot_size: u32,
}

impl Index {
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The id of a name (for the tests).
    #[cfg(test)]
    pub(crate) fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The key of a name, if it is live (for the tests).
    #[cfg(test)]
    pub(crate) fn key(&self, name: &str) -> Option<&Key> {
        self.id(name)
            .map(|i| &self.keys[i as usize])
            .filter(|k| k.is_live())
    }

    pub(crate) fn doc_len(&self, doc: u32) -> u32 {
        self.doc_len.get(doc as usize).copied().unwrap_or(0)
    }

    /// The average record length, rounded to a quarter power of two so that an edit
    /// rarely moves it (and with it every posting's published impact).
    pub(crate) fn avgdl(&self) -> f64 {
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

    /// Adds a record's counts: its length, its forms' record counts and its (stem,
    /// form) pairs.
    #[inline(never)]
    fn add_counts(&mut self, c: &Contribution) {
        let d = c.doc as usize;
        if self.doc_len.len() <= d {
            self.doc_len.resize(d + 1, u32::MAX);
        }
        self.doc_len[d] = c.len;
        self.total_len += u64::from(c.len);
        self.docs += 1;
        for h in &c.hits {
            for &f in c.slice(h.all) {
                bump(&mut self.keys[h.stem as usize].stem_forms, f, 1);
                bump(&mut self.keys[f as usize].form_stems, h.stem, 1);
            }
        }
        for &f in &c.forms {
            let k = &mut self.keys[f as usize];
            k.form_df += 1;
        }
    }
}

/// Adds `d` to the count of `id` in a list of (id, count) sorted by id; a count that
/// reaches 0 leaves the list.
#[inline]
fn bump(v: &mut Vec<(u32, u32)>, id: u32, d: i32) {
    match v.binary_search_by_key(&id, |x| x.0) {
        Ok(i) => {
            let n = &mut v[i].1;
            *n = n.wrapping_add_signed(d);
            if *n == 0 {
                v.remove(i);
            }
        }
        Err(i) => v.insert(i, (id, d as u32)),
    }
}
