//! Search: `aktsom build` on the fixture and the sample site, and the index files it
//! writes under sok/indeks/, read back the way the browser reads them (locator → key
//! shard → postings → excerpt), parsed as JSON.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A built site's search index, read through its locator.
struct Index {
    dir: PathBuf,
    locator: Value,
}

/// One posting: record, impact, how it matched.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u64,
    impact: u64,
    mask: u64,
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A postings string: base-64 digits, 5-bit groups, low first, ≥ 32 = more follow; the
/// count n, n record id differences (from `base`), n impacts, n masks.
fn decode(s: &str, base: u64) -> Vec<Posting> {
    const DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut nums = Vec::new();
    let (mut v, mut shift) = (0u64, 0);
    for c in s.chars() {
        let d = DIGITS.find(c).expect("a base-64 digit") as u64;
        v |= (d & 31) << shift;
        if d >= 32 {
            shift += 5;
        } else {
            nums.push(v);
            v = 0;
            shift = 0;
        }
    }
    let n = nums[0] as usize;
    assert_eq!(nums.len(), 1 + 3 * n, "{s}");
    let mut doc = base;
    (0..n)
        .map(|i| {
            doc += nums[1 + i];
            Posting {
                doc,
                impact: nums[1 + n + i],
                mask: nums[1 + 2 * n + i],
            }
        })
        .collect()
}

impl Index {
    fn open(public: &Path) -> Index {
        let page = read(&public.join("sok/index.html"));
        let url = page
            .split("data-index=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the search page names its index");
        let (url, hash) = url.split_once("?v=").expect("the index URL carries a hash");
        let path = public.join(url.trim_start_matches('/'));
        assert_eq!(hash, fnv(&std::fs::read(&path).unwrap()));
        Index {
            dir: path.parent().unwrap().to_path_buf(),
            locator: json(&path),
        }
    }

    fn docs(&self) -> u64 {
        self.locator["docs"].as_u64().unwrap()
    }

    fn slot(&self) -> u64 {
        self.locator["slot"].as_u64().unwrap()
    }

    fn shard_of(&self, key: &str) -> BTreeMap<String, Value> {
        let shards = self.locator["shards"].as_array().unwrap();
        let i = shards.partition_point(|s| s[0].as_str().unwrap() <= key) - 1;
        let bytes = std::fs::read(self.dir.join(format!("t/{i}.json"))).unwrap();
        assert_eq!(shards[i][1].as_str().unwrap(), fnv(&bytes));
        serde_json::from_slice(&bytes).unwrap()
    }

    fn entry(&self, key: &str) -> Option<Value> {
        self.shard_of(key).remove(key)
    }

    /// The stems a typed word reaches, as the browser resolves them.
    fn stems(&self, form: &str) -> Vec<String> {
        match self.entry(form) {
            None => Vec::new(),
            Some(e) => match e.get("s") {
                Some(s) => serde_json::from_value(s.clone()).unwrap(),
                None if e.get("f").is_some() => vec![form.to_string()],
                None => Vec::new(),
            },
        }
    }

    /// The pack that holds a key's postings, if they are in one; checks its hash.
    fn pack(&self, e: &Value) -> Option<String> {
        let name = format!("q/{}.json", e.get("q")?.as_str().unwrap());
        let bytes = std::fs::read(self.dir.join(&name)).unwrap();
        assert_eq!(e["h"].as_str().unwrap(), fnv(&bytes), "{name}");
        Some(name)
    }

    /// The files a key's postings take: inline (none), a pack, or its chunks.
    fn chunks(&self, e: &Value) -> Vec<(u64, String)> {
        let Some(c) = e.get("c") else {
            return Vec::new();
        };
        let span = (1u64 << e["r"].as_u64().unwrap()) * self.slot();
        c.as_array()
            .unwrap()
            .chunks(2)
            .map(|p| {
                let name = format!("p/{}-{}.json", e["k"].as_str().unwrap(), p[0]);
                let bytes = std::fs::read(self.dir.join(&name)).unwrap();
                assert_eq!(p[1].as_str().unwrap(), fnv(&bytes), "{name}");
                (p[0].as_u64().unwrap() * span, name)
            })
            .collect()
    }

    fn postings(&self, stem: &str) -> Vec<Posting> {
        let Some(e) = self.entry(stem) else {
            return Vec::new();
        };
        let out = if let Some(p) = e.get("p") {
            decode(p.as_str().unwrap(), 0)
        } else if let Some(name) = self.pack(&e) {
            let pack: BTreeMap<String, String> =
                serde_json::from_value(json(&self.dir.join(name))).unwrap();
            decode(&pack[stem], 0)
        } else {
            let mut all = Vec::new();
            for (base, name) in self.chunks(&e) {
                let s: String = serde_json::from_value(json(&self.dir.join(name))).unwrap();
                all.extend(decode(&s, base));
            }
            all
        };
        assert_eq!(out.len() as u64, e["n"].as_u64().unwrap(), "{stem}");
        assert!(out.windows(2).all(|w| w[0].doc < w[1].doc), "{stem}");
        out
    }

    /// Records whose text or title contains the word in any form.
    fn docs_for(&self, word: &str) -> BTreeSet<u64> {
        self.stems(word)
            .iter()
            .flat_map(|s| self.postings(s))
            .map(|p| p.doc)
            .collect()
    }

    /// Every record: the records of every member (key `#<member>`).
    fn all_docs(&self) -> Vec<u64> {
        let n = self.locator["members"].as_array().unwrap().len();
        let mut all: Vec<u64> = (0..n)
            .flat_map(|m| self.postings(&format!("#{m}")))
            .map(|p| p.doc)
            .collect();
        all.sort();
        assert_eq!(
            all.len() as u64,
            self.docs(),
            "every record belongs to a member"
        );
        all
    }

    /// The first section of each of a member's excerpt files, from the locator.
    fn excerpt_starts(&self, member: u64) -> Vec<u64> {
        self.locator["members"][member as usize][4]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    }

    /// The excerpt file that holds a record's section (relative to the index folder),
    /// as the browser finds it: member m's file b holds its sections from the b-th
    /// first section in the locator on.
    fn excerpt_file(&self, doc: u64) -> String {
        let (m, _, _) = self.report_of_index(doc);
        let g = doc % self.slot();
        let b = self.excerpt_starts(m).partition_point(|&s| s <= g) - 1;
        format!("x/{m}/{b}.json")
    }

    /// The excerpt of a record, as the browser reads it: {a, n, t, x}.
    fn excerpt(&self, doc: u64) -> Value {
        let (_, year, _) = self.report_of_index(doc);
        let g = doc % self.slot();
        let f = json(&self.dir.join(self.excerpt_file(doc)));
        let s = &f["s"][(g - f["f"].as_u64().unwrap()) as usize];
        let y = s["y"]
            .as_array()
            .unwrap_or_else(|| panic!("no section {g} in {}", self.excerpt_file(doc)))
            .iter()
            .find(|e| e[0] == year)
            .unwrap_or_else(|| panic!("no excerpt for record {doc}"));
        let text: Vec<&str> = y[4]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| s["l"][i.as_u64().unwrap() as usize].as_str().unwrap())
            .collect();
        serde_json::json!({"a": y[1], "n": y[2], "t": y[3], "x": text.join("\n")})
    }

    /// The reports by slot, as the browser reads them from the members per year:
    /// (member index, year, language).
    fn reports(&self) -> Vec<(u64, u64, Option<String>)> {
        let mut out = Vec::new();
        for y in self.locator["years"].as_array().unwrap() {
            let year = y[0].as_u64().unwrap();
            for m in y[1].as_array().unwrap() {
                let lang = self.locator["lang"]
                    .get(out.len().to_string())
                    .and_then(Value::as_str)
                    .map(str::to_string);
                out.push((m.as_u64().unwrap(), year, lang));
            }
        }
        out
    }

    fn report_of_index(&self, doc: u64) -> (u64, u64, Option<String>) {
        self.reports()[(doc / self.slot()) as usize].clone()
    }

    /// (member slug, year, language) of the report a record belongs to.
    fn report_of(&self, doc: u64) -> (String, u64, Option<String>) {
        let (m, year, lang) = self.report_of_index(doc);
        let m = &self.locator["members"][m as usize];
        (m[2].as_str().unwrap().to_string(), year, lang)
    }

    /// Where a record is: member slug, year, anchor.
    fn place(&self, doc: u64) -> (String, u64, String) {
        let (m, y, _) = self.report_of(doc);
        (m, y, self.excerpt(doc)["a"].as_str().unwrap().to_string())
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        tree(&self.dir)
    }

    /// Every key's entry, from every shard.
    fn entries(&self) -> BTreeMap<String, Value> {
        let shards = self.locator["shards"].as_array().unwrap().len();
        let mut all = BTreeMap::new();
        for i in 0..shards {
            let shard: BTreeMap<String, Value> =
                serde_json::from_value(json(&self.dir.join(format!("t/{i}.json")))).unwrap();
            all.extend(shard);
        }
        all
    }
}

fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_ok(root, &public, extra);
    (out, public)
}

/// Builds `root` with the search index laid out in small files (`AKTSOM_SEARCH_SMALL`).
fn build_small(root: &Path) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_aktsom"))
        .args(["build", "--root", root.to_str().unwrap()])
        .args(["--out", public.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("AKTSOM_SEARCH_SMALL", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    (out, public)
}

#[test]
fn fixture_index_has_one_record_per_section_of_published_reports() {
    let (_t, public) = build(&fixture("minimal"), &[]);
    let ix = Index::open(&public);
    let loc = &ix.locator;
    assert_eq!(loc["v"], 3);
    // Members in slug order; reports by year, then member; the English one marked.
    assert_eq!(
        loc["members"][0].as_array().unwrap()[..3],
        serde_json::json!(["Alfa kommune", "public", "alfa-kommune"])
            .as_array()
            .unwrap()[..]
    );
    assert_eq!(loc["members"][1][1], "private");
    let reports: Vec<(u64, u64)> = ix.reports().iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(reports, [(0, 2023), (0, 2024), (1, 2024)]);
    assert_eq!(ix.reports()[2].2.as_deref(), Some("en"));
    // Records: the sections with text (Forord, 1.A.1, 2.A.3; Foreword, 2.A.3), not the
    // empty part and group headings, not the draft.
    assert_eq!(ix.docs(), 8);
    let all = ix.all_docs();
    let anchors: Vec<String> = all
        .iter()
        .map(|d| ix.excerpt(*d)["a"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        anchors,
        [
            "forord", "1-a-1", "2-a-3", "forord", "1-a-1", "2-a-3", "foreword", "2-a-3"
        ]
    );
    // A record's id is its report's slot × the slot size + its section's number among
    // the member's sections: the same section has the same number every year.
    let slot = ix.slot();
    assert_eq!(all[..6], [0, 1, 2, slot, slot + 1, slot + 2]);
    let x = ix.excerpt(2);
    assert_eq!(x["n"], "2.A.3");
    assert_eq!(x["t"], "Prioriterte risikoer", "the template's title");
    assert!(
        x["x"]
            .as_str()
            .unwrap()
            .contains("Tvangsarbeid i hanskeproduksjon")
    );
    // Unnumbered sections have no number.
    assert!(ix.excerpt(0)["n"].is_null());

    // Words find their records through the locator and the shards.
    let places = |docs: BTreeSet<u64>| -> Vec<(String, u64, String)> {
        docs.into_iter().map(|d| ix.place(d)).collect()
    };
    let p = |m: &str, y: u64, a: &str| (m.to_string(), y, a.to_string());
    assert_eq!(
        places(ix.docs_for("tvangsarbeid")),
        [
            p("alfa-kommune", 2023, "2-a-3"),
            p("alfa-kommune", 2024, "2-a-3")
        ]
    );
    // The question number is a key, with the title weighing in.
    assert_eq!(
        places(ix.docs_for("2.a.3")),
        [
            p("alfa-kommune", 2023, "2-a-3"),
            p("alfa-kommune", 2024, "2-a-3"),
            p("beta-tekstil", 2024, "2-a-3")
        ]
    );
    // Typed without ø.
    assert_eq!(
        places(ix.docs_for("leverandoren")),
        [p("alfa-kommune", 2024, "forord")]
    );
    // The English report is stemmed in English: "regions" reaches "region".
    assert_eq!(ix.stems("regions"), ["region"]);
    assert_eq!(
        ix.report_of(all[6]),
        ("beta-tekstil".into(), 2024, Some("en".into()))
    );
    // Removed script content, stop words and the draft are not indexed.
    for absent in ["alert", "xss", "og", "progress", "work"] {
        assert!(ix.entry(absent).is_none(), "{absent} should not be a key");
    }
    // The stop words the browser drops come with the locator, folded.
    let stop: Vec<&str> = loc["stop"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(stop.contains(&"og") && stop.contains(&"pa") && stop.contains(&"the"));
}

#[test]
fn index_files_are_content_hashed_small_and_deterministic() {
    let (_a, pa) = build(&fixture("minimal"), &[]);
    let (_b, pb) = build(&fixture("minimal"), &[]);
    let fa = Index::open(&pa).files();
    let fb = Index::open(&pb).files();
    assert_eq!(fa, fb, "two builds write the same index");
    // Every file is named by the file that leads to it, with a hash of its content:
    // the locator (checked by `open`), shards (`shard_of`), packs (`pack`), chunks
    // (`chunks`), and
    // each member's excerpts (a hash of its files' hashes, in the locator).
    let ix = Index::open(&pa);
    for (m, member) in ix.locator["members"].as_array().unwrap().iter().enumerate() {
        let mut files: Vec<(u64, Vec<u8>)> = fa
            .iter()
            .filter_map(|(n, b)| {
                let i = n.strip_prefix(&format!("x/{m}/"))?.strip_suffix(".json")?;
                Some((i.parse().unwrap(), b.clone()))
            })
            .collect();
        files.sort();
        let hashes: Vec<u8> = files
            .iter()
            .flat_map(|(_, b)| u64::from_str_radix(&fnv(b), 16).unwrap().to_le_bytes())
            .collect();
        assert_eq!(member[3].as_str().unwrap(), fnv(&hashes), "member {m}");
    }
    for (name, bytes) in &fa {
        assert!(
            name == "l.json" || ["t/", "p/", "q/", "x/"].iter().any(|p| name.starts_with(p)),
            "{name}"
        );
        serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn drafts_stay_out_of_the_index_in_preview_builds() {
    let (_t, public) = build(&fixture("minimal"), &["--drafts"]);
    assert!(
        public
            .join("medlemmer/beta-tekstil/2025/index.html")
            .is_file()
    );
    let ix = Index::open(&public);
    assert_eq!(ix.docs(), 8);
    assert!(ix.entry("progress").is_none());
}

#[test]
fn search_page_and_header_field() {
    let (_t, public) = build(&fixture("minimal"), &[]);
    let page = read(&public.join("sok/index.html"));
    // A labelled search form that works as a plain GET form.
    assert!(
        page.contains("<form class=\"sok-form\" role=\"search\" action=\"/sok/\" method=\"get\">")
    );
    assert!(page.contains("<label class=\"sok-label\" for=\"sok-q\">"));
    assert!(page.contains("<input type=\"search\" id=\"sok-q\" name=\"q\""));
    for name in ["medlem", "ar", "sektor"] {
        assert!(page.contains(&format!("name=\"{name}\"")), "filter {name}");
    }
    assert!(page.contains("role=\"status\" aria-live=\"polite\""));
    // Without JavaScript: a message and links to the browsable indexes that exist.
    assert!(page.contains("<noscript>"));
    assert!(page.contains("href=\"/medlemmer/\"") && page.contains("href=\"/ar/\""));
    let questions = public.join("sporsmal/index.html").is_file();
    assert_eq!(page.contains("href=\"/sporsmal/\""), questions);
    // The script URL carries a hash of the script.
    assert!(page.contains("<script src=\"/search.js?v="));
    assert!(public.join("search.js").is_file());
    // The page has no second search field in its header.
    assert!(!page.contains("id=\"sok\""));
    // Every other page has one, a GET form to /sok/.
    let front = read(&public.join("index.html"));
    assert!(
        front.contains(
            "<form class=\"site-search\" role=\"search\" action=\"/sok/\" method=\"get\">"
        )
    );
    assert!(front.contains("<label class=\"visually-hidden\" for=\"sok\">"));
    assert!(front.contains("<input type=\"search\" id=\"sok\" name=\"q\""));
}

#[test]
fn search_page_follows_the_base_path() {
    let (_t, public) = build(
        &fixture("minimal"),
        &["--base-url", "https://example.org/rapporter/"],
    );
    let page = read(&public.join("sok/index.html"));
    assert!(page.contains("data-index=\"/rapporter/sok/indeks/l.json?v="));
    assert!(page.contains("data-base=\"/rapporter/\""));
    let front = read(&public.join("index.html"));
    assert!(front.contains("action=\"/rapporter/sok/\""));
}

#[test]
fn sample_site_finds_norwegian_words_forms_and_compounds() {
    let (_t, public) = build(&repo_root(), &[]);
    let ix = Index::open(&public);
    assert!(ix.docs() > 300, "{} records", ix.docs());

    // barnearbeid: several members and years.
    let docs = ix.docs_for("barnearbeid");
    let all: BTreeSet<u64> = ix.all_docs().into_iter().collect();
    assert!(docs.is_subset(&all));
    let members: BTreeSet<String> = docs.iter().map(|d| ix.report_of(*d).0).collect();
    assert!(members.len() >= 4, "{members:?}");

    // leverandør typed without ø reaches the same stem as with it.
    assert_eq!(ix.stems("leverandor"), ["leverandor"]);
    assert_eq!(ix.docs_for("leverandorer"), ix.docs_for("leverandor"));

    // rettigheter → rettighet, whose postings include records that only have
    // menneskerettigheter (a compound part: bit 0 of the mask is clear).
    assert_eq!(ix.stems("rettigheter"), ["rettighet"]);
    let parts: Vec<Posting> = ix
        .postings("rettighet")
        .into_iter()
        .filter(|p| p.mask & 1 == 0)
        .collect();
    assert!(!parts.is_empty());
    assert!(parts.iter().all(|p| p.impact >= 1));
    let via_compound = parts
        .iter()
        .filter(|p| {
            let text = ix.excerpt(p.doc)["x"].as_str().unwrap().to_lowercase();
            text.contains("menneskerettigheter")
        })
        .count();
    assert!(via_compound > 0);

    // 2.A.3: the question's own records rank first (the number is in their title).
    let mut q = ix.postings("2.a.3");
    q.sort_by_key(|p| std::cmp::Reverse(p.impact));
    let top = ix.excerpt(q[0].doc);
    assert_eq!(top["n"], "2.A.3");
    let own: BTreeSet<(String, u64)> = q
        .iter()
        .filter(|p| ix.excerpt(p.doc)["n"] == "2.A.3")
        .map(|p| {
            let (m, y, _) = ix.report_of(p.doc);
            (m, y)
        })
        .collect();
    assert!(own.len() >= 15, "{own:?}");

    // Every record's URL anchor exists on its report page.
    for &d in all.iter().step_by(7) {
        let (m, y, _) = ix.report_of(d);
        let html = read(&public.join(format!("medlemmer/{m}/{y}/index.html")));
        let a = ix.excerpt(d)["a"].as_str().unwrap().to_string();
        assert!(html.contains(&format!("id=\"{a}\"")), "{m} {y} #{a}");
    }

    // The English report is marked, and its words are stemmed in English.
    let en: Vec<(String, u64)> = ix
        .reports()
        .iter()
        .filter(|r| r.2.is_some())
        .map(|r| {
            let m = &ix.locator["members"][r.0 as usize];
            (m[2].as_str().unwrap().to_string(), r.1)
        })
        .collect();
    assert_eq!(en, [("nordtrad-tekstil".to_string(), 2024)]);
    assert!(!ix.docs_for("labour").is_empty());

    // No file balloons: shards and chunks stay small; excerpts are capped.
    for (name, bytes) in ix.files() {
        assert!(bytes.len() < 40 * 1024, "{name} is {} bytes", bytes.len());
    }
}

/// What the browser fetches for a one-word query, first page: the locator, the word's
/// shard, its stems' shards and postings packs or chunks, and the excerpt files of the
/// sections shown.
fn fetched(ix: &Index, word: &str) -> Vec<(String, usize)> {
    let size = |n: &str| std::fs::metadata(ix.dir.join(n)).unwrap().len() as usize;
    let mut files = BTreeSet::new();
    let shard_name = |key: &str| {
        let shards = ix.locator["shards"].as_array().unwrap();
        let i = shards.partition_point(|s| s[0].as_str().unwrap() <= key) - 1;
        format!("t/{i}.json")
    };
    files.insert(shard_name(word));
    let mut docs: Vec<u64> = Vec::new();
    for stem in ix.stems(word) {
        files.insert(shard_name(&stem));
        let e = ix.entry(&stem).unwrap();
        for (_, name) in ix.chunks(&e) {
            files.insert(name);
        }
        files.extend(ix.pack(&e));
        docs.extend(ix.postings(&stem).iter().map(|p| p.doc));
    }
    docs.sort();
    docs.dedup();
    for &d in docs.iter().take(10) {
        files.insert(ix.excerpt_file(d));
    }
    let mut out: Vec<(String, usize)> = files.into_iter().map(|f| (f.clone(), size(&f))).collect();
    let l = serde_json::to_vec(&ix.locator).unwrap().len();
    out.push(("locator".into(), l));
    out
}

#[test]
fn a_query_fetches_what_the_layout_promises() {
    let (_t, public) = build(&repo_root(), &[]);
    let ix = Index::open(&public);
    let layout = aktsom::search::shard::Layout::default();
    // Key shards end at a key whose hash says so, or before the shard would hold twice
    // the aim: no shard is larger than that (no single key is, here).
    for (name, bytes) in ix.files() {
        if name.starts_with("t/") {
            assert!(
                bytes.len() <= 2 * layout.shard_bytes + 2,
                "{name} is {} bytes",
                bytes.len()
            );
        }
    }
    // One word: the locator, its shard(s), the chunks of its stems (at most
    // n / chunk_postings × 2 + 1 of them), ten excerpt files of a few KB.
    for word in [
        "barnearbeid",
        "leverandor",
        "rettigheter",
        "2.a.3",
        "kommunen",
    ] {
        let files = fetched(&ix, word);
        let chunks = files.iter().filter(|f| f.0.starts_with("p/")).count();
        let n: usize = ix.stems(word).iter().map(|s| ix.postings(s).len()).sum();
        assert!(
            chunks <= 2 * n / layout.chunk_postings + 1,
            "{word}: {files:?}"
        );
        // The excerpts of the first ten results: at most ten files, each a run of a
        // member's sections of about `excerpt_bytes`.
        let excerpts: Vec<usize> = files
            .iter()
            .filter(|f| f.0.starts_with("x/"))
            .map(|f| f.1)
            .collect();
        assert!(excerpts.len() <= 10);
        assert!(
            excerpts
                .iter()
                .all(|&n| n <= layout.excerpt_bytes * 3 / 2 + 64),
            "{word}: {files:?}"
        );
        // The rest (locator, shards, postings) is small.
        let total: usize = files.iter().map(|f| f.1).sum();
        let rest = total - excerpts.iter().sum::<usize>();
        assert!(rest < 100 * 1024, "{word}: {rest} bytes: {files:?}");
    }
}

#[test]
fn excerpt_files_hold_runs_of_a_members_sections() {
    let (_t, public) = build(&repo_root(), &[]);
    let ix = Index::open(&public);
    let layout = aktsom::search::shard::Layout::default();
    let files: BTreeMap<String, Vec<u8>> = ix.files().into_iter().collect();
    let members = ix.locator["members"].as_array().unwrap().len() as u64;
    let mut sections = 0;
    for m in 0..members {
        // The locator gives the first section of each of the member's files: from 0,
        // rising, one per file x/<m>/<b>.json, each file naming its first section again
        // and holding the sections up to the next file's first.
        let starts = ix.excerpt_starts(m);
        assert_eq!(starts.first(), Some(&0), "member {m}");
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
        let mine: Vec<&String> = files
            .keys()
            .filter(|n| n.starts_with(&format!("x/{m}/")))
            .collect();
        assert_eq!(mine.len(), starts.len(), "member {m}: {mine:?}");
        for (b, first) in starts.iter().enumerate() {
            let name = format!("x/{m}/{b}.json");
            let bytes = &files[&name];
            let f: Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(f["f"], *first, "{name}");
            let n = f["s"].as_array().unwrap().len() as u64;
            if let Some(next) = starts.get(b + 1) {
                assert_eq!(first + n, *next, "{name}");
            }
            // Files stay near the size they aim at, unless one section is larger.
            assert!(
                bytes.len() <= layout.excerpt_bytes * 3 / 2 + 64 || n == 1,
                "{name}: {} bytes, {n} sections",
                bytes.len()
            );
            sections += n;
        }
    }
    // Far fewer files than sections: the sample's members have about 30 sections
    // each, a few KB of excerpts per section over the years.
    let excerpt_files = files.keys().filter(|n| n.starts_with("x/")).count() as u64;
    assert!(sections > 150, "{sections} sections");
    assert!(
        excerpt_files * 8 < sections,
        "{excerpt_files} excerpt files for {sections} sections"
    );
    // Every record's excerpt is found through the locator (the helper checks that its
    // section and year are in the file).
    for d in ix.all_docs() {
        let x = ix.excerpt(d);
        assert!(x["a"].is_string() && x["x"].is_string(), "{d}: {x}");
    }
}

#[test]
fn a_search_finds_the_same_whatever_the_layout() {
    let (_a, pa) = build(&repo_root(), &[]);
    let (_b, pb) = build_small(&repo_root());
    let (a, b) = (Index::open(&pa), Index::open(&pb));
    // In small files the sample site is laid out as a large site is: postings in
    // packs and chunks, many key shards, several excerpt files per member.
    let count = |ix: &Index, dir: &str| ix.files().iter().filter(|f| f.0.starts_with(dir)).count();
    assert!(count(&b, "p/") > 50, "{} chunk files", count(&b, "p/"));
    assert!(count(&b, "q/") > 10, "{} packs", count(&b, "q/"));
    let shards = |ix: &Index| ix.locator["shards"].as_array().unwrap().len();
    assert!(shards(&b) > 2 * shards(&a), "{} shards", shards(&b));
    let members = a.locator["members"].as_array().unwrap().len() as u64;
    for m in 0..members {
        assert!(b.excerpt_starts(m).len() >= 3, "member {m}");
    }
    // The same records, reports and members.
    assert_eq!((a.docs(), a.slot()), (b.docs(), b.slot()));
    assert_eq!(a.reports(), b.reports());
    for m in 0..members as usize {
        assert_eq!(
            a.locator["members"][m].as_array().unwrap()[..3],
            b.locator["members"][m].as_array().unwrap()[..3]
        );
    }
    // The same keys: forms, stems, counts, and postings (record, impact, mask).
    let (ea, eb) = (a.entries(), b.entries());
    assert_eq!(ea.keys().collect::<Vec<_>>(), eb.keys().collect::<Vec<_>>());
    let (mut chunked, mut packed) = (0, 0);
    for (key, e) in &ea {
        for field in ["d", "s", "f", "n"] {
            assert_eq!(e.get(field), eb[key].get(field), "{key}: {field}");
        }
        if e.get("f").is_none() {
            continue;
        }
        chunked += usize::from(eb[key].get("c").is_some());
        packed += usize::from(eb[key].get("q").is_some());
        let triples = |ix: &Index| -> Vec<(u64, u64, u64)> {
            let p = ix.postings(key);
            p.iter().map(|p| (p.doc, p.impact, p.mask)).collect()
        };
        assert_eq!(triples(&a), triples(&b), "{key}");
    }
    assert!(
        chunked > 20 && packed > 20,
        "{chunked} stems in chunks, {packed} in packs"
    );
    // Every record's excerpt.
    for d in a.all_docs() {
        assert_eq!(a.excerpt(d), b.excerpt(d), "record {d}");
    }
}

/// The locator lists the question pages (#21: a query that is a question number puts
/// the question's page first): one entry per page the build wrote under `/sporsmal/`,
/// as [number, path from the site's root, the template's title].
#[test]
fn locator_lists_the_question_pages() {
    for root in [fixture("minimal"), repo_root()] {
        let (_t, public) = build(&root, &[]);
        let ix = Index::open(&public);
        let listed: Vec<(String, String, String)> =
            serde_json::from_value(ix.locator["questions"].clone()).expect("a list of questions");
        let mut pages: Vec<String> = std::fs::read_dir(public.join("sporsmal"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("index.html").is_file())
            .map(|e| format!("sporsmal/{}/", e.file_name().to_string_lossy()))
            .collect();
        pages.sort();
        let mut paths: Vec<String> = listed.iter().map(|q| q.1.clone()).collect();
        paths.sort();
        assert_eq!(paths, pages, "{}", root.display());
        let q = listed
            .iter()
            .find(|q| q.0 == "2.A.3")
            .expect("2.A.3 listed");
        assert_eq!(q.1, "sporsmal/2-a-3/");
        let page = read(&public.join("sporsmal/2-a-3/index.html"));
        assert!(!q.2.is_empty() && page.contains(&q.2), "title {:?}", q.2);
    }
}
