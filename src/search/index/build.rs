//! Building the index of every record at once ([`Index::build`]).

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::words::{
    Analysis, Contribution, RecordWords, Word, WordInfo, analyse, contribution, first_of_equal,
    record_words,
};
use super::{Index, Raw, Record};
use crate::search::text::{Compounds, Language, Stems};

/// A record's words as ids of the distinct words of its language, each with its
/// weight: (doc, language, length, words). Records with the same words share the list.
type WordList = (u32, Language, u32, Arc<[(u32, u32)]>);

/// The distinct words of the records, per language: word → id, and the number of
/// records that hold each id.
#[derive(Default)]
struct Distinct<'a> {
    ids: [FxHashMap<Cow<'a, str>, u32>; 2],
    counts: [Vec<u32>; 2],
}

impl<'a> Distinct<'a> {
    /// A record's words as ids, each counted once more.
    fn list(&mut self, r: RecordWords<'a>) -> WordList {
        let l = r.lang as usize;
        let words = r
            .words
            .into_iter()
            .map(|(w, u)| {
                let next = self.ids[l].len() as u32;
                let id = *self.ids[l].entry(w).or_insert(next);
                if id == next {
                    self.counts[l].push(0);
                }
                self.counts[l][id as usize] += 1;
                (id, u)
            })
            .collect();
        (r.doc, r.lang, r.len, words)
    }

    /// Another record with the words of an earlier one.
    fn again(&mut self, doc: u32, earlier: &WordList) -> WordList {
        let (_, lang, len, words) = earlier;
        for &(id, _) in words.iter() {
            self.counts[*lang as usize][id as usize] += 1;
        }
        (doc, *lang, *len, Arc::clone(words))
    }
}

/// The words of every record, as ids of the distinct words of its language (a record's
/// words are taken apart in parallel, a chunk at a time, and numbered in order): 8
/// bytes per word of a record rather than a string each. A record with the same member,
/// language, title and text as an earlier one (a member's answer left unchanged from
/// one year to the next) has the same words: it shares the earlier record's list
/// instead of taking its text apart again.
fn word_lists<R: std::borrow::Borrow<Record> + Sync>(
    records: &[R],
) -> (Distinct<'_>, Vec<WordList>) {
    let first = first_of_equal(records);
    let mut distinct = Distinct::default();
    let mut lists: Vec<WordList> = Vec::with_capacity(records.len());
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
            let f = first[base + k] as usize;
            let list = if f != base + k {
                distinct.again(r.borrow().doc, &lists[f])
            } else {
                let Some(words) = rw.next() else {
                    unreachable!("one word list per record that is the first of its kind")
                };
                distinct.list(words)
            };
            lists.push(list);
        }
    }
    (distinct, lists)
}

/// Records are taken apart and added a chunk at a time.
const CHUNK: usize = 4096;

impl Index {
    /// Builds the index of `records` (in doc order; doc = slot × `slot_size` + the
    /// record's place in the slot). The records are dropped as soon as their words are
    /// analysed: a whole build does not hold every record's text while it adds up the
    /// postings.
    pub(crate) fn build<R: std::borrow::Borrow<Record> + Sync>(
        records: Vec<R>,
        slot_size: u32,
    ) -> Index {
        debug_assert!(
            records
                .windows(2)
                .all(|w| w[0].borrow().doc < w[1].borrow().doc)
        );
        let mut ix = Index {
            slot_size,
            ..Index::default()
        };
        let (distinct, lists) = word_lists(&records);
        crate::profile::stage("search: words");
        let infos = ix.analyse_all(distinct);
        crate::profile::stage("search: analyse");
        let end = records.last().map_or(0, |r| r.borrow().doc as usize + 1);
        drop(records);
        ix.add_all(&lists, &infos, end);
        drop(lists);
        crate::profile::stage("search: contributions");
        for (id, k) in ix.keys.iter().enumerate() {
            if k.is_live() {
                ix.live.insert(ix.names[id].clone(), id as u32);
            }
        }
        ix
    }

    /// Analyses the distinct words, in name order; sets up the lexicon and the words.
    /// Returns each word's analysis, by language and word id.
    fn analyse_all(&mut self, d: Distinct) -> [Vec<Option<WordInfo>>; 2] {
        let mut distinct: Vec<(Language, &str, u32)> = Vec::new();
        for (l, lang) in [Language::Norwegian, Language::English]
            .into_iter()
            .enumerate()
        {
            distinct.extend(d.ids[l].iter().map(|(w, id)| (lang, w.as_ref(), *id)));
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
        let mut infos: [Vec<Option<WordInfo>>; 2] =
            [vec![None; d.counts[0].len()], vec![None; d.counts[1].len()]];
        for ((lang, w, id), a) in distinct.iter().zip(&analysed) {
            let info = self.info(a);
            let l = *lang as usize;
            infos[l][*id as usize] = Some(info.clone());
            let records = d.counts[l][*id as usize];
            self.words[l].insert((*w).into(), Word { records, info });
        }
        self.lexicon = Some(lexicon);
        infos
    }

    /// Adds each record's contribution, a chunk at a time, in doc order (`end`: one
    /// past the last doc).
    fn add_all(&mut self, lists: &[WordList], infos: &[Vec<Option<WordInfo>>; 2], end: usize) {
        self.doc_len = vec![u32::MAX; end];
        for chunk in lists.chunks(CHUNK) {
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
                self.add_counts(c);
                for h in &c.hits {
                    let set = self.sets.id(c.slice(h.mask));
                    self.keys[h.stem as usize].postings.push(Raw {
                        doc: c.doc,
                        tf2: h.tf2,
                        set,
                    });
                }
            }
        }
    }
}
