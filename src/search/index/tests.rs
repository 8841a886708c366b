//! Tests of the inverted index.

use super::*;
use std::collections::BTreeMap;

use crate::search::text::{self, Language};

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
    let ix = Index::build(sample().iter().collect(), 4);
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
    let ix = Index::build(sample().iter().collect(), 4);
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
        vec![
            rec(0, "Barnearbeid", "Tekst om noe annet her."),
            rec(1, "Annet", "Tekst om barnearbeid her."),
        ],
        2,
    );
    let p = &ix.key("barnearbeid").unwrap().postings;
    assert!(p[0].tf() > p[1].tf(), "{p:?}");
    assert_eq!(p[1].tf(), 1.0);
}

/// Everything an index publishes, by key name: form count, stems, forms, postings.
type Published = BTreeMap<String, (u32, Vec<String>, Vec<String>, Vec<String>)>;

/// Everything an index publishes, by key name.
fn published(ix: &Index) -> Published {
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
    let ix = Index::build(records.iter().collect(), 4);
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
    let mut up = Index::build(distinct.iter().collect(), 4);
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
    let mut ix = Index::build(records.iter().collect(), 4);
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
    let fresh = Index::build(records.iter().collect(), 4);
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
    assert_eq!(
        published(&ix),
        published(&Index::build(before.iter().collect(), 4))
    );
}
