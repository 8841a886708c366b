//! Tests of the index files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::excerpts::{bundle_starts, excerpt_lines};
use super::*;
use crate::search::index::{Dirty, Index, Record};
use crate::search::text::Language;

fn index() -> Index {
    let mut records = Vec::new();
    for i in 0..40u32 {
        let body = if i % 2 == 0 {
            format!("Barnearbeid og tvangsarbeid hos leverandør nummer {i}.")
        } else {
            format!("Arbeid i leverandørkjeden, runde {i}.")
        };
        records.push(Record {
            doc: (i / 10) * 16 + i % 10,
            lang: Language::Norwegian,
            title: "2.A.3 Prioriterte risikoer".into(),
            body,
            member: None,
        });
    }
    Index::build(records.iter().collect(), 16)
}

fn all() -> Dirty {
    Dirty {
        all: true,
        ..Dirty::default()
    }
}

fn get<'a>(files: &'a [IndexFile], name: &str) -> &'a [u8] {
    &files.iter().find(|f| f.name == name).unwrap().bytes
}

#[test]
fn postings_round_trip_through_the_digits() {
    let mut s = Vec::new();
    for v in [2u32, 3, 70_000, 31, 32, 1000, u32::MAX] {
        put_number(&mut s, v);
    }
    let s = String::from_utf8(s).unwrap();
    assert!(s.starts_with("CD"), "{s}");
    let p = decode_postings(&s, 10).unwrap();
    assert_eq!(
        p,
        [
            Posting {
                doc: 13,
                impact: 31,
                mask: 1000
            },
            Posting {
                doc: 70_013,
                impact: 32,
                mask: u32::MAX
            }
        ]
    );
    assert_eq!(decode_postings("B", 0), None, "too few numbers");
    assert_eq!(decode_postings("AA!", 0), None);
}

#[test]
fn shards_lead_to_every_key_and_its_postings() {
    let ix = index();
    let layout = Layout {
        shard_bytes: 200,
        inline_postings: 4,
        pack_postings: 24,
        pack_bytes: 150,
        chunk_postings: 8,
        excerpt_chars: 30,
        excerpt_bytes: 1024,
    };
    let mut enc = Encoder::default();
    let (changes, table) = enc.encode(&ix, &all(), &layout, 4);
    let files = changes.written;
    assert!(changes.removed.is_empty());
    assert!(table.len() > 2, "small shards split the key space");
    assert_eq!(table[0].0, "");
    let firsts: Vec<&str> = table.iter().map(|s| s.0.as_str()).collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]));
    let (mut packed, mut chunked) = (0, 0);
    for (key, &id) in &ix.live {
        let i = firsts.partition_point(|f| *f <= key.as_ref()) - 1;
        let bytes = get(&files, &format!("t/{i}.json"));
        assert_eq!(table[i].1, hash(bytes));
        let shard: BTreeMap<String, serde_json::Value> = serde_json::from_slice(bytes).unwrap();
        let e = &shard[key.as_ref()];
        let k = &ix.keys[id as usize];
        if k.postings.is_empty() {
            continue;
        }
        assert_eq!(e["n"], k.postings.len());
        let mut docs = Vec::new();
        if let Some(p) = e.get("p") {
            docs = decode_postings(p.as_str().unwrap(), 0).unwrap();
        } else if let Some(q) = e.get("q") {
            let bytes = get(&files, &format!("q/{}.json", q.as_str().unwrap()));
            assert_eq!(e["h"].as_str().unwrap(), hash(bytes));
            let pack: BTreeMap<String, String> = serde_json::from_slice(bytes).unwrap();
            docs = decode_postings(&pack[key.as_ref()], 0).unwrap();
            packed += 1;
        } else {
            chunked += 1;
            let r = e["r"].as_u64().unwrap() as u32;
            let c = e["c"].as_array().unwrap();
            let k = e["k"].as_str().unwrap();
            assert_eq!(k, hash(key.as_bytes()));
            for pair in c.chunks(2) {
                let b = pair[0].as_u64().unwrap() as u32;
                let bytes = get(&files, &format!("p/{k}-{b}.json"));
                assert_eq!(pair[1].as_str().unwrap(), hash(bytes));
                let s: String = serde_json::from_slice(bytes).unwrap();
                let base = (b << r) * 16;
                let part = decode_postings(&s, base).unwrap();
                assert!(
                    part.iter()
                        .all(|p| p.doc >= base && p.doc < base + (16 << r))
                );
                docs.extend(part);
            }
        }
        let want: Vec<u32> = k.postings.iter().map(|p| p.doc).collect();
        assert_eq!(
            docs.iter().map(|p| p.doc).collect::<Vec<_>>(),
            want,
            "{key}"
        );
        assert!(docs.iter().all(|p| p.impact >= 1));
    }
    assert!(
        packed > 2 && chunked > 2,
        "{packed} packed, {chunked} chunked"
    );
    // Several packs, each holding several stems.
    let packs: Vec<&IndexFile> = files.iter().filter(|f| f.name.starts_with("q/")).collect();
    assert!(
        packs.len() > 1 && packs.len() < packed,
        "{} packs",
        packs.len()
    );
}

#[test]
fn names_are_content_hashes_and_output_is_deterministic() {
    let layout = Layout::default();
    let (a, ta) = Encoder::default().encode(&index(), &all(), &layout, 4);
    let (b, tb) = Encoder::default().encode(&index(), &all(), &layout, 4);
    assert_eq!(ta, tb);
    assert_eq!(a.written.len(), b.written.len());
    for (x, y) in a.written.iter().zip(&b.written) {
        assert_eq!(x.name, y.name);
        assert_eq!(x.bytes, y.bytes);
    }
    assert_eq!(hash(b""), "cbf29ce484222325");
}

#[test]
fn a_second_encoding_writes_only_what_changed() {
    let layout = Layout {
        shard_bytes: 200,
        inline_postings: 4,
        pack_postings: 24,
        pack_bytes: 150,
        chunk_postings: 8,
        excerpt_chars: 30,
        excerpt_bytes: 1024,
    };
    let mut ix = index();
    let mut enc = Encoder::default();
    let (first, _) = enc.encode(&ix, &all(), &layout, 4);
    // Slot 2's records change: a new word, one record fewer.
    let old: Vec<Record> = (20..30u32)
        .map(|i| Record {
            doc: 2 * 16 + i % 10,
            lang: Language::Norwegian,
            title: "2.A.3 Prioriterte risikoer".into(),
            body: if i % 2 == 0 {
                format!("Barnearbeid og tvangsarbeid hos leverandør nummer {i}.")
            } else {
                format!("Arbeid i leverandørkjeden, runde {i}.")
            },
            member: None,
        })
        .collect();
    let mut new = old.clone();
    new.pop();
    new[0].body.push_str(" Solcellepaneler.");
    let dirty = ix.update(&[(2, old, new)], &|_| unreachable!());
    let (second, table) = enc.encode(&ix, &dirty, &layout, 4);
    assert!(!second.written.is_empty());
    assert!(second.written.len() < first.written.len());
    // Of each chunked stem, only the chunk of slot 2 is written again.
    let stems = |files: &[IndexFile]| -> BTreeSet<String> {
        let chunks = files.iter().filter_map(|f| f.name.strip_prefix("p/"));
        chunks
            .map(|n| n.split('-').next().unwrap_or("").to_string())
            .collect()
    };
    let chunked = stems(&first.written).len();
    let again = second
        .written
        .iter()
        .filter(|f| f.name.starts_with("p/"))
        .count();
    assert!(
        again <= chunked && chunked > 1,
        "{again} chunks of {chunked} stems"
    );
    // The same as encoding the updated index afresh.
    let (fresh, fresh_table) = Encoder::default().encode(&ix, &all(), &layout, 4);
    assert_eq!(table, fresh_table);
    let mut files: BTreeMap<String, Vec<u8>> = first
        .written
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect();
    for r in second.removed {
        files.remove(&r);
    }
    files.extend(second.written.into_iter().map(|f| (f.name, f.bytes)));
    let fresh: BTreeMap<String, Vec<u8>> = fresh
        .written
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect();
    assert_eq!(files, fresh);
}

/// Sections of varied sizes, as a member's would be.
fn sections(n: usize) -> (Vec<usize>, Vec<String>) {
    let sizes = (0..n).map(|i| 500 + (i * 7919) % 6000).collect();
    let anchors = (0..n)
        .map(|i| format!("{}-a-{}", i / 10 + 1, i % 10))
        .collect();
    (sizes, anchors)
}

/// The runs of sections (first, end) that [`bundle_starts`] makes.
fn runs(sizes: &[usize], anchors: &[String], target: usize) -> Vec<(u32, u32)> {
    let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
    let starts = bundle_starts(sizes, &anchors, target);
    let ends = starts.iter().skip(1).copied().chain([sizes.len() as u32]);
    starts.iter().copied().zip(ends).collect()
}

#[test]
fn excerpt_files_are_runs_of_sections_of_about_the_target_size() {
    let (sizes, anchors) = sections(300);
    let target = 24 * 1024;
    let r = runs(&sizes, &anchors, target);
    assert_eq!(r[0].0, 0);
    assert!(r.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
    let bytes = |&(a, b): &(u32, u32)| sizes[a as usize..b as usize].iter().sum::<usize>();
    let total: usize = sizes.iter().sum();
    // No run holds more than 1.5 × the target (unless it is one section); on average
    // a run holds about the target.
    assert!(
        r.iter()
            .all(|x| bytes(x) <= target * 3 / 2 || x.1 == x.0 + 1),
        "{r:?}"
    );
    let mean = total / r.len();
    assert!(
        mean > target / 2 && mean < target * 3 / 2,
        "{mean} bytes a run"
    );
    // A single huge section is a file of its own.
    let mut big = sizes.clone();
    big[10] = 10 * target;
    let rb = runs(&big, &anchors, target);
    assert!(rb.contains(&(10, 11)), "{rb:?}");

    // The files: each names its first section and holds the sections in order.
    let secs: Vec<Vec<u8>> = (0..5)
        .map(|i| format!("{{\"x\":{i}}}").into_bytes())
        .collect();
    let a: Vec<&str> = anchors[..5].iter().map(String::as_str).collect();
    let (files, starts) = bundle_excerpts(&secs, &a, 16);
    assert_eq!(files.len(), starts.len());
    let mut seen = Vec::new();
    for (f, first) in files.iter().zip(&starts) {
        let v: serde_json::Value = serde_json::from_slice(f).unwrap();
        assert_eq!(v["f"], *first);
        seen.extend(v["s"].as_array().unwrap().iter().map(|x| x["x"].clone()));
    }
    assert_eq!(
        seen,
        (0..5).map(serde_json::Value::from).collect::<Vec<_>>()
    );
    assert_eq!(bundle_excerpts(&[], &[], 16), (Vec::new(), Vec::new()));
}

#[test]
fn a_section_that_grows_or_shrinks_changes_few_excerpt_files() {
    let (sizes, anchors) = sections(300);
    let target = 24 * 1024;
    let before = runs(&sizes, &anchors, target);
    let mut worst = 0;
    let mut total = 0;
    for i in 0..sizes.len() {
        for factor in [0.5, 1.5] {
            let mut edited = sizes.clone();
            edited[i] = (edited[i] as f64 * factor) as usize;
            let after = runs(&edited, &anchors, target);
            // The runs that are no longer there, or now hold other bytes.
            let changed = after
                .iter()
                .filter(|r| !before.contains(r) || (r.0..r.1).contains(&(i as u32)))
                .count();
            worst = worst.max(changed);
            total += changed;
        }
    }
    let mean = total as f64 / (2 * sizes.len()) as f64;
    assert!(mean < 1.5, "{mean} files change on average");
    assert!(
        worst <= 3,
        "{worst} files change at worst of {}",
        before.len()
    );

    // A new section at the end (a new question in the latest report): only the last
    // runs change.
    let (more_sizes, more_anchors) = sections(301);
    let after = runs(&more_sizes, &more_anchors, target);
    let changed = after.iter().filter(|r| !before.contains(r)).count();
    assert!(changed <= 2, "{changed}");
}

#[test]
fn excerpts_store_each_line_once_per_section() {
    let x = |a: &str| Excerpt {
        anchor: a.into(),
        number: None,
        title: "T".into(),
    };
    let (fa, fb, fc) = (x("forord"), x("2-a-3"), x("ny"));
    let reports = vec![
        (2023, vec![(&fa, "Samme linje.\nGammel."), (&fb, "Risiko.")]),
        (
            2024,
            vec![
                (&fc, "Ny."),
                (&fa, "Samme linje.\nNy linje."),
                (&fb, "Risiko."),
            ],
        ),
    ];
    let groups: HashMap<&str, u32> = [("forord", 0), ("2-a-3", 1), ("ny", 2)].into();
    let files = member_excerpts(&reports, &groups, 4000);
    assert_eq!(files.len(), 3);
    let f: serde_json::Value = serde_json::from_slice(&files[0]).unwrap();
    assert_eq!(
        f["l"],
        serde_json::json!(["Samme linje.", "Gammel.", "Ny linje."])
    );
    assert_eq!(
        f["y"][1],
        serde_json::json!([2024, "forord", null, "T", [0, 2]])
    );
    assert_eq!(excerpt_lines("Ett to tre fire", 9), ["Ett to …"]);
    assert_eq!(excerpt_lines("Ett\nto tre fire", 6), ["Ett", "to …"]);
}
