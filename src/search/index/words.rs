//! What records and words contribute to the index: a record's words, each distinct
//! word's analysis (form, stem, compound parts), and a record's contribution (its
//! hits on stems, with the forms that mark them).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{FREE, Record, TF2_BODY, TF2_TITLE, member_key};
use crate::search::text::{self, Compounds, Language, Stems};

/// What one distinct word of the corpus contributes: its folded form and stem, and for
/// Norwegian compounds the (form, stem) of each part whose stem is not the word's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WordInfo {
    pub(super) form: u32,
    pub(super) stem: u32,
    pub(super) parts: Box<[(u32, u32)]>,
}

pub(super) struct Word {
    /// The number of records that contain the word.
    pub(super) records: u32,
    pub(super) info: WordInfo,
}

/// The lower-case indexable words of a record, each once with its weight in halves
/// (2 per occurrence in the body, 6 per occurrence in the title), sorted; and the
/// record's length (indexable words in the body).
pub(super) struct RecordWords<'a> {
    pub(super) doc: u32,
    pub(super) lang: Language,
    pub(super) len: u32,
    pub(super) words: Vec<(Cow<'a, str>, u32)>,
}

/// For each record, the index of the first record with the same language, member,
/// title and text (its own index when it is the first).
pub(super) fn first_of_equal<R: std::borrow::Borrow<Record> + Sync>(records: &[R]) -> Vec<u32> {
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

pub(super) fn record_words(r: &Record) -> RecordWords<'_> {
    // Each distinct word once, with its weights added up; sized for about a distinct
    // word per 16 bytes of text, so that it rarely grows. The order in which the words
    // come out (which the size changes) does not reach the output: the index analyses
    // the words in name order and sorts each record's hits.
    let guess = (r.title.len() + r.body.len()) / 16;
    let mut words: FxHashMap<Cow<'_, str>, u32> =
        FxHashMap::with_capacity_and_hasher(guess, Default::default());
    if let Some(m) = r.member {
        words.insert(Cow::Owned(member_key(m)), 0);
    }
    let mut len = 0u32;
    for (text, weight) in [(&r.title, TF2_TITLE), (&r.body, TF2_BODY)] {
        text::indexable_words(text, r.lang, |w| {
            if weight == TF2_BODY {
                len += 1;
            }
            *words.entry(w).or_insert(0) += weight;
        });
    }
    RecordWords {
        doc: r.doc,
        lang: r.lang,
        len,
        words: words.into_iter().collect(),
    }
}

/// One stem's share of a record, before its form sets are interned.
pub(super) struct Hit {
    pub(super) stem: u32,
    pub(super) tf2: u32,
    /// The mask's forms and all forms (free and compound-final), as ranges of `arena`.
    pub(super) mask: (u32, u32),
    pub(super) all: (u32, u32),
}

/// What one record adds to the index.
pub(super) struct Contribution {
    pub(super) doc: u32,
    pub(super) len: u32,
    pub(super) hits: Vec<Hit>,
    pub(super) arena: Vec<u32>,
    /// Every form the record has, once.
    pub(super) forms: Vec<u32>,
}

/// A word's share of a stem in a record: (stem, kind, form, weight in halves).
type Event = (u32, u8, u32, u32);
const FREE_FORM: u8 = 0;
const TAIL_FORM: u8 = 1;
const PART: u8 = 2;

/// The contribution of one record from its words' analyses, each with its weight.
pub(super) fn contribution<'w>(
    doc: u32,
    len: u32,
    words: impl Iterator<Item = (&'w WordInfo, u32)>,
) -> Contribution {
    // Sorted: per stem the free forms, then the tails. Sized for a word and a part each
    // (most words have no parts), so that it rarely grows.
    let mut ev: Vec<Event> = Vec::with_capacity(2 * words.size_hint().1.unwrap_or(0));
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
        hits: Vec::with_capacity(ev.len()),
        arena: Vec::with_capacity(2 * ev.len()),
        forms: Vec::with_capacity(ev.len()),
    };
    // The tails and all forms of one stem, cleared for each.
    let mut scratch = (Vec::new(), Vec::new());
    for stem in ev.chunk_by(|a, b| a.0 == b.0) {
        c.add_stem(stem, &mut scratch);
    }
    c.forms.sort_unstable();
    c.forms.dedup();
    c
}

impl Contribution {
    #[inline]
    pub(super) fn slice(&self, r: (u32, u32)) -> &[u32] {
        &self.arena[r.0 as usize..r.1 as usize]
    }

    /// Adds one stem's hit, from its events (sorted, all of the stem). Inlined: it runs
    /// once per stem of every record.
    #[inline(always)]
    fn add_stem(&mut self, ev: &[Event], (tails, all): &mut (Vec<u32>, Vec<u32>)) {
        let stem = ev[0].0;
        let mut tf2 = 0u32;
        let mut free = false;
        let start = self.arena.len() as u32;
        tails.clear();
        for &(_, kind, form, u) in ev {
            tf2 += u;
            match kind {
                FREE_FORM => {
                    free = true;
                    if self.arena.last() != Some(&form) || self.arena.len() as u32 == start {
                        self.arena.push(form);
                    }
                }
                TAIL_FORM if tails.last() != Some(&form) => tails.push(form),
                _ => {}
            }
        }
        let free_end = self.arena.len() as u32;
        let mask = if free {
            (start, free_end)
        } else {
            self.arena.extend_from_slice(tails);
            (free_end, self.arena.len() as u32)
        };
        // All forms: the free ones and the tails, once each.
        let all_start = self.arena.len() as u32;
        all.clear();
        all.extend_from_slice(&self.arena[start as usize..free_end as usize]);
        all.extend_from_slice(tails);
        all.sort_unstable();
        all.dedup();
        self.forms.extend_from_slice(all);
        self.arena.extend_from_slice(all);
        self.hits.push(Hit {
            stem,
            tf2: tf2 | if free { FREE } else { 0 },
            mask,
            all: (all_start, self.arena.len() as u32),
        });
    }
}

/// Stems and compound parts of one word: (form, stem, [(part form, part stem)]).
pub(super) type Analysis = (String, String, Vec<(String, String)>);

pub(super) fn analyse(stems: &mut Stems, lexicon: &Compounds, lang: Language, w: &str) -> Analysis {
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
