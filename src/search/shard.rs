//! The index as static files: a small locator, key shards, postings chunks and one
//! excerpt file per record. Everything is JSON, deterministic (sorted maps, no
//! timestamps) and named after a hash of its content, so it can be cached for ever.
//!
//! ```text
//! sok/indeks/l.<hash>.json        the locator: members, reports by year, shard table,
//!                                 stop words, the excerpt folder
//! sok/indeks/t.<hash>.json        a key shard: a sorted run of keys and their entries
//! sok/indeks/p.<hash>.json        a postings chunk of a common stem
//! sok/indeks/x/<hash>/<doc>.json  one record's excerpt: anchor, number, title, text
//! ```
//!
//! A key entry (all fields optional):
//!
//! ```text
//! { "d": 12,                     form: records that contain it
//!   "s": ["rett"],               form: its stems, when not just the key itself
//!   "f": ["rettigheter", …],     stem: its forms, most frequent first
//!   "n": 412,                    stem: number of postings
//!   "p": [doc, impact, mask, …], stem: the postings inline, doc ids delta-coded
//!   "c": [[first, last, "p.….json"], …] }   stem: or in chunks, by record range
//! ```
//!
//! A postings chunk is a flat array `[doc, impact, mask, …]` delta-coded like `p`.
//! A stem with more postings than fit inline is split into chunks of at most
//! [`Layout::chunk_postings`], in record order, so that no common word balloons into
//! one huge file and a query fetches only the chunks whose record range it needs.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::index::{Entry, Index, Posting};

/// Sizes that shape the files.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// A key shard is closed once it holds this many bytes.
    pub shard_bytes: usize,
    /// Stems with at most this many postings keep them inline in their shard.
    pub inline_postings: usize,
    /// The most postings in one chunk file.
    pub chunk_postings: usize,
    /// The longest excerpt text, in characters.
    pub excerpt_chars: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            shard_bytes: 16 * 1024,
            inline_postings: 64,
            chunk_postings: 2048,
            excerpt_chars: 4000,
        }
    }
}

/// A file of the index, relative to the index folder (`sok/indeks/`).
#[derive(Debug, Clone)]
pub struct IndexFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One member in the locator.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub name: String,
    pub sector: String,
    pub slug: String,
}

/// One report in the locator, in index order.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub member: usize,
    pub year: u16,
    /// The first record of the report.
    pub first_doc: u32,
    /// `Some("en")` for a report written in English.
    pub lang: Option<String>,
}

/// What the browser shows for one record.
#[derive(Debug, Clone, Serialize)]
pub struct Excerpt {
    /// The anchor on the report page.
    #[serde(rename = "a")]
    pub anchor: String,
    /// The question number, for numbered sections.
    #[serde(rename = "n", skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The template's title of the question, or the section's heading.
    #[serde(rename = "t")]
    pub title: String,
    /// The plain text of the answer.
    #[serde(rename = "x")]
    pub text: String,
}

/// FNV-1a, 64 bits: a stable content hash for file names (not for security).
pub fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn to_json(v: &Value) -> Vec<u8> {
    // Serialising a Value built here cannot fail.
    serde_json::to_vec(v).unwrap_or_default()
}

/// Postings as a flat, delta-coded array.
pub fn encode_postings(p: &[Posting]) -> Vec<u32> {
    let mut out = Vec::with_capacity(p.len() * 3);
    let mut last = 0;
    for (i, x) in p.iter().enumerate() {
        out.push(if i == 0 { x.doc } else { x.doc - last });
        out.push(x.impact);
        out.push(x.mask);
        last = x.doc;
    }
    out
}

/// The inverse of [`encode_postings`].
pub fn decode_postings(flat: &[u64]) -> Vec<Posting> {
    let mut out = Vec::with_capacity(flat.len() / 3);
    let mut doc = 0u64;
    for (i, c) in flat.chunks_exact(3).enumerate() {
        doc = if i == 0 { c[0] } else { doc + c[0] };
        out.push(Posting {
            doc: doc as u32,
            impact: c[1] as u32,
            mask: c[2] as u32,
        });
    }
    out
}

fn entry_json(key: &str, e: &Entry, layout: &Layout, chunks: &mut Vec<IndexFile>) -> Value {
    let mut m = serde_json::Map::new();
    if e.form_df > 0 || !e.stems.is_empty() {
        m.insert("d".into(), json!(e.form_df));
        let only_itself = e.stems.len() == 1 && e.stems.contains(key) && !e.postings.is_empty();
        if !only_itself && !e.stems.is_empty() {
            m.insert("s".into(), json!(e.stems));
        }
    }
    if !e.postings.is_empty() {
        m.insert("f".into(), json!(e.forms));
        m.insert("n".into(), json!(e.postings.len()));
        if e.postings.len() <= layout.inline_postings {
            m.insert("p".into(), json!(encode_postings(&e.postings)));
        } else {
            let mut list = Vec::new();
            for chunk in e.postings.chunks(layout.chunk_postings.max(1)) {
                let bytes = to_json(&json!(encode_postings(chunk)));
                let name = format!("p.{}.json", hash(&bytes));
                let first = chunk.first().map_or(0, |p| p.doc);
                let last = chunk.last().map_or(0, |p| p.doc);
                list.push(json!([first, last, name]));
                chunks.push(IndexFile { name, bytes });
            }
            m.insert("c".into(), Value::Array(list));
        }
    }
    Value::Object(m)
}

/// Writes the index, the excerpts and the locator. Returns the files and the name of
/// the locator (which the search page refers to).
pub fn write(
    index: &Index,
    members: &[MemberRow],
    reports: &[ReportRow],
    excerpts: &[Excerpt],
    stop_words: &[String],
    layout: &Layout,
) -> (Vec<IndexFile>, String) {
    let mut files = Vec::new();

    // Key shards, closed when they reach the target size.
    let mut shards: Vec<(String, String)> = Vec::new();
    let mut current: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut current_first = String::new();
    let mut current_bytes = 0usize;
    let flush = |map: &mut serde_json::Map<String, Value>,
                 first: &str,
                 files: &mut Vec<IndexFile>,
                 shards: &mut Vec<(String, String)>| {
        let bytes = to_json(&Value::Object(std::mem::take(map)));
        let name = format!("t.{}.json", hash(&bytes));
        shards.push((first.to_string(), name.clone()));
        files.push(IndexFile { name, bytes });
    };
    for (key, e) in &index.keys {
        let v = entry_json(key, e, layout, &mut files);
        let size = key.len() + to_json(&v).len() + 4;
        if current_bytes > 0 && current_bytes + size > layout.shard_bytes {
            flush(&mut current, &current_first, &mut files, &mut shards);
            current_first = key.clone();
            current_bytes = 0;
        }
        current.insert(key.clone(), v);
        current_bytes += size;
    }
    if !current.is_empty() || shards.is_empty() {
        flush(&mut current, &current_first, &mut files, &mut shards);
    }
    // The first shard starts at the beginning of the key space.
    if let Some(s) = shards.first_mut() {
        s.0 = String::new();
    }

    // Excerpts, under a folder named after all of them together.
    let excerpt_bytes: Vec<Vec<u8>> = excerpts
        .iter()
        .map(|x| {
            let mut x = x.clone();
            x.text = truncate(&x.text, layout.excerpt_chars);
            serde_json::to_vec(&x).unwrap_or_default()
        })
        .collect();
    let mut all = Vec::new();
    for b in &excerpt_bytes {
        all.extend_from_slice(b);
        all.push(b'\n');
    }
    let excerpt_dir = format!("x/{}/", hash(&all));
    for (doc, bytes) in excerpt_bytes.into_iter().enumerate() {
        files.push(IndexFile {
            name: format!("{excerpt_dir}{doc}.json"),
            bytes,
        });
    }

    // Reports are in index order, grouped by year: per year the pairs (member, number of
    // records); the browser adds up the counts to find each report's first record.
    let mut years: Vec<(u16, Vec<u32>)> = Vec::new();
    let mut langs = serde_json::Map::new();
    for (i, r) in reports.iter().enumerate() {
        let end = reports
            .get(i + 1)
            .map_or(index.docs as u32, |next| next.first_doc);
        if years.last().is_none_or(|(y, _)| *y != r.year) {
            years.push((r.year, Vec::new()));
        }
        if let Some((_, list)) = years.last_mut() {
            list.push(r.member as u32);
            list.push(end.saturating_sub(r.first_doc));
        }
        if let Some(l) = &r.lang {
            langs.insert(i.to_string(), json!(l));
        }
    }
    let years_json: Vec<Value> = years.iter().map(|(y, l)| json!([y, l])).collect();
    let members_json: Vec<Value> = members
        .iter()
        .map(|m| json!([m.name, m.sector, m.slug]))
        .collect();
    let shards_json: Vec<Value> = shards.iter().map(|(k, f)| json!([k, f])).collect();
    let locator = json!({
        "v": 1,
        "docs": index.docs,
        "members": members_json,
        "years": years_json,
        "lang": langs,
        "shards": shards_json,
        "x": excerpt_dir,
        "stop": stop_words,
    });
    let bytes = to_json(&locator);
    let name = format!("l.{}.json", hash(&bytes));
    files.push(IndexFile {
        name: name.clone(),
        bytes,
    });
    files.sort_by(|a, b| a.name.cmp(&b.name));
    // Two stems with the same postings share one chunk file (same bytes, same name).
    files.dedup_by(|a, b| a.name == b.name);
    (files, name)
}

/// Cuts a text at a word boundary after at most `max` characters.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{} …", cut[..end].trim_end())
}

/// Reads a key shard back (for tests and tools): key → entry as JSON.
pub fn read_shard(bytes: &[u8]) -> Result<BTreeMap<String, Value>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::index::{Record, build};
    use super::super::text::Language;
    use super::*;

    fn files(layout: &Layout) -> (Vec<IndexFile>, String, Index) {
        let mut records = Vec::new();
        for i in 0..40 {
            let body = if i % 2 == 0 {
                format!("Barnearbeid og tvangsarbeid hos leverandør nummer {i}.")
            } else {
                format!("Arbeid i leverandørkjeden, runde {i}.")
            };
            records.push(Record {
                report: i / 10,
                lang: Language::Norwegian,
                title: "2.A.3 Prioriterte risikoer".into(),
                body,
            });
        }
        let ix = build(&records);
        let members = vec![MemberRow {
            name: "Alfa kommune".into(),
            sector: "public".into(),
            slug: "alfa-kommune".into(),
        }];
        let reports: Vec<ReportRow> = (0..4)
            .map(|r| ReportRow {
                member: 0,
                year: 2020 + r as u16,
                first_doc: r * 10,
                lang: None,
            })
            .collect();
        let excerpts: Vec<Excerpt> = records
            .iter()
            .map(|r| Excerpt {
                anchor: "2-a-3".into(),
                number: Some("2.A.3".into()),
                title: "Prioriterte risikoer".into(),
                text: r.body.clone(),
            })
            .collect();
        let (f, l) = write(&ix, &members, &reports, &excerpts, &["og".into()], layout);
        (f, l, ix)
    }

    fn get<'a>(files: &'a [IndexFile], name: &str) -> &'a [u8] {
        &files.iter().find(|f| f.name == name).unwrap().bytes
    }

    #[test]
    fn postings_round_trip_through_delta_coding() {
        let p = vec![
            Posting {
                doc: 3,
                impact: 40,
                mask: 3,
            },
            Posting {
                doc: 7,
                impact: 12,
                mask: 1,
            },
            Posting {
                doc: 70_000,
                impact: 1,
                mask: 0,
            },
        ];
        let flat = encode_postings(&p);
        assert_eq!(flat, [3, 40, 3, 4, 12, 1, 69_993, 1, 0]);
        let wide: Vec<u64> = flat.iter().map(|x| *x as u64).collect();
        assert_eq!(decode_postings(&wide), p);
    }

    #[test]
    fn locator_leads_to_every_key_and_its_postings() {
        let layout = Layout {
            shard_bytes: 200,
            inline_postings: 4,
            chunk_postings: 8,
            excerpt_chars: 30,
        };
        let (files, locator, ix) = files(&layout);
        assert!(locator.starts_with("l.") && locator.ends_with(".json"));
        let loc: Value = serde_json::from_slice(get(&files, &locator)).unwrap();
        assert_eq!(loc["docs"], 40);
        assert_eq!(loc["years"][1], json!([2021, [0, 10]]));
        assert_eq!(loc["years"].as_array().unwrap().len(), 4);
        let shards = loc["shards"].as_array().unwrap();
        assert!(shards.len() > 2, "small shards split the key space");
        assert_eq!(shards[0][0], "");
        // Shards are in key order and every key is in the shard the table points to.
        let firsts: Vec<&str> = shards.iter().map(|s| s[0].as_str().unwrap()).collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]));
        for (key, entry) in &ix.keys {
            let i = firsts.partition_point(|f| *f <= key.as_str()) - 1;
            let shard = read_shard(get(&files, shards[i][1].as_str().unwrap())).unwrap();
            let e = &shard[key];
            if entry.postings.is_empty() {
                continue;
            }
            assert_eq!(e["n"], entry.postings.len());
            // Inline or chunked, the postings decode to the same list.
            let mut flat_all: Vec<Posting> = Vec::new();
            if let Some(p) = e.get("p") {
                let flat: Vec<u64> = serde_json::from_value(p.clone()).unwrap();
                flat_all = decode_postings(&flat);
            } else {
                for c in e["c"].as_array().unwrap() {
                    let chunk: Vec<u64> =
                        serde_json::from_slice(get(&files, c[2].as_str().unwrap())).unwrap();
                    let decoded = decode_postings(&chunk);
                    assert!(decoded.len() <= layout.chunk_postings);
                    assert_eq!(decoded[0].doc as u64, c[0].as_u64().unwrap());
                    assert_eq!(decoded.last().unwrap().doc as u64, c[1].as_u64().unwrap());
                    flat_all.extend(decoded);
                }
            }
            assert_eq!(flat_all, entry.postings, "{key}");
        }
        // A common stem is chunked; a form points at its stem.
        let lev = &ix.keys["leverandor"];
        assert!(lev.postings.len() > layout.inline_postings);
        let i = firsts.partition_point(|f| *f <= "leverandorkjeden") - 1;
        let shard = read_shard(get(&files, shards[i][1].as_str().unwrap())).unwrap();
        assert_eq!(shard["leverandorkjeden"]["s"], json!(["leverandorkjed"]));
    }

    #[test]
    fn excerpts_are_small_files_under_a_content_hash() {
        let layout = Layout {
            excerpt_chars: 30,
            ..Layout::default()
        };
        let (files, locator, _) = files(&layout);
        let loc: Value = serde_json::from_slice(get(&files, &locator)).unwrap();
        let dir = loc["x"].as_str().unwrap();
        assert!(dir.starts_with("x/") && dir.ends_with('/'));
        let x: Value = serde_json::from_slice(get(&files, &format!("{dir}0.json"))).unwrap();
        assert_eq!(x["a"], "2-a-3");
        assert_eq!(x["n"], "2.A.3");
        let text = x["x"].as_str().unwrap();
        assert!(text.chars().count() <= 32 && text.ends_with('…'), "{text}");
        assert!(files.iter().any(|f| f.name == format!("{dir}39.json")));
    }

    #[test]
    fn names_are_content_hashes_and_output_is_deterministic() {
        let (a, la, _) = files(&Layout::default());
        let (b, lb, _) = files(&Layout::default());
        assert_eq!(la, lb);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.bytes, y.bytes);
            if let Some(h) = x
                .name
                .strip_prefix("t.")
                .or_else(|| x.name.strip_prefix("p."))
            {
                assert_eq!(h, format!("{}.json", hash(&x.bytes)));
            }
        }
        assert_eq!(hash(b""), "cbf29ce484222325");
        let mut names: Vec<&str> = a.iter().map(|f| f.name.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), a.len(), "every file name once");
    }
}
