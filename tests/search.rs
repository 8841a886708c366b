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

fn decode(flat: &[u64]) -> Vec<Posting> {
    let mut doc = 0;
    flat.chunks_exact(3)
        .enumerate()
        .map(|(i, c)| {
            doc = if i == 0 { c[0] } else { doc + c[0] };
            Posting {
                doc,
                impact: c[1],
                mask: c[2],
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
        let path = public.join(url.trim_start_matches('/'));
        Index {
            dir: path.parent().unwrap().to_path_buf(),
            locator: json(&path),
        }
    }

    fn docs(&self) -> u64 {
        self.locator["docs"].as_u64().unwrap()
    }

    fn shard_of(&self, key: &str) -> BTreeMap<String, Value> {
        let shards = self.locator["shards"].as_array().unwrap();
        let i = shards.partition_point(|s| s[0].as_str().unwrap() <= key) - 1;
        serde_json::from_value(json(&self.dir.join(shards[i][1].as_str().unwrap()))).unwrap()
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

    fn postings(&self, stem: &str) -> Vec<Posting> {
        let Some(e) = self.entry(stem) else {
            return Vec::new();
        };
        let out = if let Some(p) = e.get("p") {
            decode(&serde_json::from_value::<Vec<u64>>(p.clone()).unwrap())
        } else {
            let mut all = Vec::new();
            for c in e["c"].as_array().unwrap() {
                let flat: Vec<u64> =
                    serde_json::from_value(json(&self.dir.join(c[2].as_str().unwrap()))).unwrap();
                all.extend(decode(&flat));
            }
            all
        };
        assert_eq!(out.len() as u64, e["n"].as_u64().unwrap(), "{stem}");
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

    fn excerpt(&self, doc: u64) -> Value {
        let dir = self.locator["x"].as_str().unwrap();
        json(&self.dir.join(format!("{dir}{doc}.json")))
    }

    /// The reports in index order, as the browser reads them from the per-year pairs
    /// (member, number of records): (member index, year, first record, language).
    fn reports(&self) -> Vec<(u64, u64, u64, Option<String>)> {
        let mut out = Vec::new();
        let mut doc = 0;
        for y in self.locator["years"].as_array().unwrap() {
            let year = y[0].as_u64().unwrap();
            for pair in y[1].as_array().unwrap().chunks(2) {
                let lang = self.locator["lang"]
                    .get(out.len().to_string())
                    .and_then(Value::as_str)
                    .map(str::to_string);
                out.push((pair[0].as_u64().unwrap(), year, doc, lang));
                doc += pair[1].as_u64().unwrap();
            }
        }
        assert_eq!(doc, self.docs(), "the counts add up to all records");
        out
    }

    /// (member slug, year, language) of the report a record belongs to.
    fn report_of(&self, doc: u64) -> (String, u64, Option<String>) {
        let reports = self.reports();
        let i = reports.partition_point(|r| r.2 <= doc) - 1;
        let (m, year, _, lang) = reports[i].clone();
        let m = &self.locator["members"][m as usize];
        (m[2].as_str().unwrap().to_string(), year, lang)
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        tree(&self.dir)
    }
}

fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_ok(root, &public, extra);
    (out, public)
}

#[test]
fn fixture_index_has_one_record_per_section_of_published_reports() {
    let (_t, public) = build(&fixture("minimal"), &[]);
    let ix = Index::open(&public);
    let loc = &ix.locator;
    assert_eq!(loc["v"], 1);
    // Members in slug order; reports by year, then member; the English one marked.
    assert_eq!(
        loc["members"][0],
        serde_json::json!(["Alfa kommune", "public", "alfa-kommune"])
    );
    assert_eq!(loc["members"][1][1], "private");
    let reports: Vec<(u64, u64)> = ix.reports().iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(reports, [(0, 2023), (0, 2024), (1, 2024)]);
    assert_eq!(ix.reports()[2].3.as_deref(), Some("en"));
    // Records: the sections with text (Forord, 1.A.1, 2.A.3; Foreword, 2.A.3), not the
    // empty part and group headings, not the draft.
    assert_eq!(ix.docs(), 8);
    let anchors: Vec<String> = (0..ix.docs())
        .map(|d| ix.excerpt(d)["a"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        anchors,
        [
            "forord", "1-a-1", "2-a-3", "forord", "1-a-1", "2-a-3", "foreword", "2-a-3"
        ]
    );
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
    assert!(ix.excerpt(0).get("n").is_none());

    // Words find their records through the locator and the shards.
    let tvang: Vec<(String, u64)> = ix
        .docs_for("tvangsarbeid")
        .into_iter()
        .map(|d| {
            let (m, y, _) = ix.report_of(d);
            (format!("{m}#{}", ix.excerpt(d)["a"].as_str().unwrap()), y)
        })
        .collect();
    assert_eq!(
        tvang,
        [
            ("alfa-kommune#2-a-3".to_string(), 2023),
            ("alfa-kommune#2-a-3".to_string(), 2024)
        ]
    );
    // The question number is a key, with the title weighing in.
    assert_eq!(ix.docs_for("2.a.3"), BTreeSet::from([2, 5, 7]));
    // Typed without ø.
    assert_eq!(ix.docs_for("leverandoren"), BTreeSet::from([3]));
    // The English report is stemmed in English: "regions" reaches "region".
    assert_eq!(ix.stems("regions"), ["region"]);
    assert_eq!(
        ix.report_of(7),
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
    for (name, bytes) in &fa {
        let file = name.rsplit('/').next().unwrap();
        if let Some(h) = file
            .strip_prefix("l.")
            .or_else(|| file.strip_prefix("t."))
            .or_else(|| file.strip_prefix("p."))
        {
            assert_eq!(h, format!("{}.json", fnv(bytes)), "{name}");
        } else {
            assert!(name.starts_with("x/"), "{name}");
        }
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
    assert!(page.contains("data-index=\"/rapporter/sok/indeks/l."));
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
    for d in (0..ix.docs()).step_by(7) {
        let (m, y, _) = ix.report_of(d);
        let html = read(&public.join(format!("medlemmer/{m}/{y}/index.html")));
        let a = ix.excerpt(d)["a"].as_str().unwrap().to_string();
        assert!(html.contains(&format!("id=\"{a}\"")), "{m} {y} #{a}");
    }

    // The English report is marked, and its words are stemmed in English.
    let en: Vec<(String, u64)> = ix
        .reports()
        .iter()
        .filter(|r| r.3.is_some())
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
