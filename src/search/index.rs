//! The inverted index: records in, keys with postings out.
//!
//! Every key is a folded string, and plays one or both of two roles:
//! - a **form**, a word as it occurs in the text (`rettigheter`), which points at the
//!   stem(s) it belongs to;
//! - a **stem** (`rett`), which holds the postings: one per record that contains any of
//!   its forms, on its own or as a part of a compound (`menneskerettigheter`).
//!
//! A posting carries a precomputed BM25 impact and a mask that says *how* the record
//! matches, so that the browser can rank exact word forms above other forms of the
//! same stem, and both above compound parts, without a second list per key:
//! bit 0 is set when the stem occurs as a word of its own; bit k + 1 when the stem's
//! form k (in the entry's `forms` order) occurs as a word of its own, or, in a record
//! where the stem occurs only inside compounds, as the compound's last part.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::text::{self, Compounds, Language, Stems};

/// One searchable record: a section of a report, in index order.
#[derive(Debug, Clone)]
pub struct Record {
    /// Index of the report in the locator's report list.
    pub report: usize,
    pub lang: Language,
    /// Text that weighs more: question number, the template's title, the heading.
    pub title: String,
    /// The plain text of the answer.
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    /// BM25 impact × 10, at least 1.
    pub impact: u32,
    pub mask: u32,
}

/// A key of the index: a form, a stem, or both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// As a form: the number of records that contain it (for ranking completions).
    pub form_df: u32,
    /// As a form: the stems it belongs to.
    pub stems: BTreeSet<String>,
    /// As a stem: its forms, most frequent first (at most [`MAX_FORMS`]).
    pub forms: Vec<String>,
    /// As a stem: one posting per record, in record order.
    pub postings: Vec<Posting>,
}

/// The most forms a stem lists (and the posting mask can mark).
pub const MAX_FORMS: usize = 30;

/// BM25 parameters, and how much a title and a compound part count.
const K1: f64 = 1.2;
const B: f64 = 0.75;
pub const TITLE_WEIGHT: f64 = 3.0;
pub const PART_WEIGHT: f64 = 0.5;

#[derive(Debug, Default)]
pub struct Index {
    pub keys: BTreeMap<String, Entry>,
    pub docs: usize,
}

/// What one word of the corpus contributes: its folded form and stem, and for
/// Norwegian compounds the (form, stem) of each part.
#[derive(Debug, Clone)]
struct WordInfo {
    form: u32,
    stem: u32,
    parts: Vec<(u32, u32)>,
}

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.ids.insert(s.to_string(), i);
        self.names.push(s.to_string());
        i
    }
}

#[derive(Default, Clone)]
struct Acc {
    tf: f64,
    free: bool,
    /// Forms seen as words of their own, and as the last part of compounds.
    free_forms: Vec<u32>,
    tail_forms: Vec<u32>,
}

/// Lower-cased indexable tokens of a text.
fn analyse(text: &str, lang: Language) -> Vec<String> {
    text::tokens(text)
        .into_iter()
        .map(text::lower)
        .filter(|t| text::indexable(t, lang))
        .collect()
}

/// Builds the index of `records` (already in index order).
pub fn build(records: &[Record]) -> Index {
    // Tokens of every record, in parallel.
    let tokenised: Vec<(Vec<String>, Vec<String>)> = records
        .par_iter()
        .map(|r| (analyse(&r.title, r.lang), analyse(&r.body, r.lang)))
        .collect();

    // The distinct words per language, and the lexicon of Norwegian words that occur
    // on their own (for compound splitting).
    let mut distinct: BTreeSet<(Language, &str)> = BTreeSet::new();
    for (r, (title, body)) in records.iter().zip(&tokenised) {
        for w in title.iter().chain(body) {
            distinct.insert((r.lang, w.as_str()));
        }
    }
    let compounds = Compounds::new(
        distinct
            .iter()
            .filter(|(l, _)| *l == Language::Norwegian)
            .map(|(_, w)| *w),
    );
    let distinct: Vec<(Language, &str)> = distinct.into_iter().collect();
    // Stems and compound parts per distinct word, in parallel.
    type Analysed = (String, String, Vec<(String, String)>);
    let analysed: Vec<Analysed> = distinct
        .par_iter()
        .map_init(Stems::default, |stems, (lang, w)| {
            let stem = stems.stem(w, *lang);
            let parts = match lang {
                Language::Norwegian if !text::is_question_number(w) => compounds
                    .split(w)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| (text::fold(&p), stems.stem(&p, *lang)))
                    .filter(|(_, s)| *s != stem)
                    .collect(),
                _ => Vec::new(),
            };
            (text::fold(w), stem, parts)
        })
        .collect();
    let mut strings = Interner::default();
    let mut words: HashMap<(Language, &str), WordInfo> = HashMap::with_capacity(distinct.len());
    for ((lang, w), (form, stem, parts)) in distinct.iter().zip(analysed) {
        let info = WordInfo {
            form: strings.id(&form),
            stem: strings.id(&stem),
            parts: parts
                .iter()
                .map(|(f, s)| (strings.id(f), strings.id(s)))
                .collect(),
        };
        words.insert((*lang, w), info);
    }

    // Term frequencies per record and stem.
    let per_doc: Vec<(Vec<(u32, Acc)>, usize)> = records
        .par_iter()
        .zip(&tokenised)
        .map(|(r, (title, body))| {
            let mut acc: HashMap<u32, Acc> = HashMap::new();
            for (tokens, weight) in [(title, TITLE_WEIGHT), (body, 1.0)] {
                for w in tokens {
                    let Some(info) = words.get(&(r.lang, w.as_str())) else {
                        continue;
                    };
                    let a = acc.entry(info.stem).or_default();
                    a.tf += weight;
                    a.free = true;
                    if !a.free_forms.contains(&info.form) {
                        a.free_forms.push(info.form);
                    }
                    for (k, &(form, stem)) in info.parts.iter().enumerate() {
                        let a = acc.entry(stem).or_default();
                        a.tf += weight * PART_WEIGHT;
                        // The last part carries the inflection: its form counts for
                        // the exact-form bonus in records with no free occurrence.
                        if k + 1 == info.parts.len() && !a.tail_forms.contains(&form) {
                            a.tail_forms.push(form);
                        }
                    }
                }
            }
            let mut v: Vec<(u32, Acc)> = acc.into_iter().collect();
            v.sort_by_key(|(s, _)| *s);
            (v, body.len())
        })
        .collect();

    // Document frequencies, forms per stem, stems per form.
    let n_strings = strings.names.len();
    let mut df = vec![0u32; n_strings];
    let mut form_df = vec![0u32; n_strings];
    let mut form_stems: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); n_strings];
    let mut stem_forms: HashMap<u32, HashMap<u32, u32>> = HashMap::new();
    for (accs, _) in &per_doc {
        let mut forms_here: BTreeSet<u32> = BTreeSet::new();
        for (stem, a) in accs {
            df[*stem as usize] += 1;
            let forms = stem_forms.entry(*stem).or_default();
            for f in a.free_forms.iter().chain(&a.tail_forms) {
                *forms.entry(*f).or_default() += 1;
                form_stems[*f as usize].insert(*stem);
                forms_here.insert(*f);
            }
        }
        for f in forms_here {
            form_df[f as usize] += 1;
        }
    }
    // Each stem's forms, most frequent first, and where each sits in the mask.
    let mut form_bit: HashMap<(u32, u32), u32> = HashMap::new();
    let mut forms_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for (stem, forms) in &stem_forms {
        let mut v: Vec<(u32, u32)> = forms.iter().map(|(f, c)| (*f, *c)).collect();
        v.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| strings.names[a.0 as usize].cmp(&strings.names[b.0 as usize]))
        });
        v.truncate(MAX_FORMS);
        for (k, (f, _)) in v.iter().enumerate() {
            form_bit.insert((*stem, *f), 1 << (k + 1));
        }
        forms_of.insert(*stem, v.into_iter().map(|(f, _)| f).collect());
    }

    // BM25 impacts.
    let n = records.len();
    let total_len: usize = per_doc.iter().map(|(_, l)| *l).sum();
    let avgdl = if n == 0 {
        1.0
    } else {
        (total_len as f64 / n as f64).max(1.0)
    };
    let mut postings: HashMap<u32, Vec<Posting>> = HashMap::new();
    for (doc, (accs, len)) in per_doc.iter().enumerate() {
        let norm = K1 * (1.0 - B + B * (*len as f64) / avgdl);
        for (stem, a) in accs {
            let d = df[*stem as usize] as f64;
            let idf = (1.0 + (n as f64 - d + 0.5) / (d + 0.5)).ln();
            let score = idf * a.tf * (K1 + 1.0) / (a.tf + norm);
            let impact = ((score * 10.0).round() as u32).max(1);
            let forms = if a.free { &a.free_forms } else { &a.tail_forms };
            let mut mask = u32::from(a.free);
            for f in forms {
                mask |= form_bit.get(&(*stem, *f)).copied().unwrap_or(0);
            }
            postings.entry(*stem).or_default().push(Posting {
                doc: doc as u32,
                impact,
                mask,
            });
        }
    }

    let mut keys: BTreeMap<String, Entry> = BTreeMap::new();
    for (id, name) in strings.names.iter().enumerate() {
        let id = id as u32;
        let is_form = form_df[id as usize] > 0 || !form_stems[id as usize].is_empty();
        let is_stem = postings.contains_key(&id);
        if !is_form && !is_stem {
            continue;
        }
        let e = keys.entry(name.clone()).or_default();
        if is_form {
            e.form_df = form_df[id as usize];
            e.stems = form_stems[id as usize]
                .iter()
                .map(|s| strings.names[*s as usize].clone())
                .collect();
        }
        if let Some(p) = postings.remove(&id) {
            e.postings = p;
            e.forms = forms_of
                .get(&id)
                .map(|v| {
                    v.iter()
                        .map(|f| strings.names[*f as usize].clone())
                        .collect()
                })
                .unwrap_or_default();
        }
    }
    Index { keys, docs: n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(report: usize, title: &str, body: &str) -> Record {
        Record {
            report,
            lang: Language::Norwegian,
            title: title.into(),
            body: body.into(),
        }
    }

    fn sample() -> Index {
        build(&[
            rec(
                0,
                "2.A.3 Prioriterte risikoer",
                "Barnearbeid i leverandørkjeden. Leverandøren svarte.",
            ),
            rec(
                0,
                "Forord",
                "Vi arbeider for menneskerettigheter og rettigheter for arbeidere.",
            ),
            rec(
                1,
                "2.A.3 Prioriterte risikoer",
                "Tvangsarbeid og barnearbeid hos leverandører i Malaysia.",
            ),
            rec(1, "Kjede", "En kjede av arbeid. Barn og menneske."),
            Record {
                report: 2,
                lang: Language::English,
                title: "Prioritised risks".into(),
                body: "Child labour and working conditions at the supplier.".into(),
            },
        ])
    }

    #[test]
    fn forms_point_at_stems_and_stems_hold_postings() {
        let ix = sample();
        let form = &ix.keys["leverandorer"];
        assert_eq!(form.stems.iter().collect::<Vec<_>>(), ["leverandor"]);
        let stem = &ix.keys["leverandor"];
        assert_eq!(
            stem.postings.iter().map(|p| p.doc).collect::<Vec<_>>(),
            [0, 2]
        );
        assert!(stem.forms.contains(&"leverandoren".to_string()));
        // Stop words are not keys.
        assert!(!ix.keys.contains_key("og"));
        // Question numbers are keys of their own.
        let q = &ix.keys["2.a.3"];
        assert_eq!(q.postings.len(), 2);
        // English records use the English stemmer.
        assert!(ix.keys["working"].stems.contains("work"));
    }

    #[test]
    fn compound_parts_are_indexed_under_the_part_stem() {
        let ix = sample();
        let rett = text::stem_word("rettigheter", Language::Norwegian);
        let e = &ix.keys[&rett];
        // Record 1 has "rettigheter" on its own: bit 0 and the form's bit.
        let p1 = e.postings.iter().find(|p| p.doc == 1).unwrap();
        assert_eq!(p1.mask & 1, 1);
        // "menneskerettigheter" puts its tail form in the stem's form list.
        assert!(e.forms.contains(&"rettigheter".to_string()));
        // barnearbeid is split into barn + arbeid because both occur on their own
        // (record 3): record 2 reaches "arbeid" only through compounds.
        let arbeid = &ix.keys[&text::stem_word("arbeid", Language::Norwegian)];
        let p2 = arbeid.postings.iter().find(|p| p.doc == 2).unwrap();
        assert_eq!(p2.mask & 1, 0, "only as a compound part");
        let k = arbeid.forms.iter().position(|f| f == "arbeid").unwrap();
        assert_ne!(p2.mask & (1 << (k + 1)), 0, "the tail form is marked");
    }

    #[test]
    fn titles_weigh_more_and_impacts_are_positive() {
        let ix = sample();
        let risiko = &ix.keys["risiko"];
        assert!(risiko.postings.iter().all(|p| p.impact >= 1));
        let barne = &ix.keys["barnearbeid"];
        assert_eq!(barne.postings.len(), 2);
        // The record where a word is in the title ranks above one with it in the text.
        let ix2 = build(&[
            rec(0, "Barnearbeid", "Tekst om noe annet her."),
            rec(0, "Annet", "Tekst om barnearbeid her."),
        ]);
        let p = &ix2.keys["barnearbeid"].postings;
        assert!(p[0].impact > p[1].impact, "{p:?}");
    }

    #[test]
    fn building_is_deterministic() {
        let a = sample();
        let b = sample();
        assert_eq!(a.keys, b.keys);
    }
}
