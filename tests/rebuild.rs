//! The preview build: after every edit in a sequence, the incrementally updated output
//! must be byte-identical with a fresh full build of the same files.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aktsom::rebuild::{Outcome, Preview, PreviewOptions};
use common::*;

const BASE: &str = "http://127.0.0.1:1111/";

fn preview(root: &Path, out: &Path) -> Preview {
    Preview::new(PreviewOptions {
        root: root.to_path_buf(),
        out: out.to_path_buf(),
        base_url: BASE.into(),
        member: None,
    })
}

/// A site copy with a preview kept up to date by `update()`.
struct Session {
    site: tempfile::TempDir,
    out: tempfile::TempDir,
    preview: Preview,
}

impl Session {
    fn new(fixture_name: &str) -> Session {
        let site = copy_fixture(fixture_name);
        let out = tempfile::tempdir().unwrap();
        let mut preview = preview(site.path(), &out.path().join("site"));
        preview
            .build()
            .unwrap_or_else(|e| panic!("first build failed: {e:?}"));
        Session { site, out, preview }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    /// Rewrites a file of the site and runs the incremental update.
    fn edit(
        &mut self,
        rel: &str,
        from: &str,
        to: &str,
    ) -> Result<Outcome, Vec<aktsom::diagnostics::Diagnostic>> {
        let p = self.path(rel);
        let text = read(&p);
        assert!(text.contains(from), "{from:?} not in {rel}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        self.preview.update(&[p])
    }

    /// The incremental output equals a fresh full build.
    fn assert_fresh(&self) {
        let fresh = tempfile::tempdir().unwrap();
        let mut full = preview(self.site.path(), &fresh.path().join("site"));
        full.build()
            .unwrap_or_else(|e| panic!("full build failed: {e:?}"));
        let a = tree(&self.out.path().join("site"));
        let b = tree(&fresh.path().join("site"));
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b), "the files differ from a full build");
        for ((p, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{p} differs from a full build");
        }
    }
}

const ALFA_2024: &str = "content/members/alfa-kommune/2024.md";
const ALFA_2023: &str = "content/members/alfa-kommune/2023.md";

#[test]
fn a_report_edit_renders_only_the_pages_that_show_it() {
    let mut s = Session::new("minimal");
    let o = s
        .edit(
            ALFA_2024,
            "Samme som i fjor.",
            "Retningslinjene ble revidert i mai.",
        )
        .unwrap();
    assert!(
        o.changed
            .contains(&"medlemmer/alfa-kommune/2024/index.html".to_string()),
        "{:?}",
        o.changed
    );
    assert!(
        o.changed
            .contains(&"medlemmer/alfa-kommune/sammenlign/2023-2024/index.html".to_string())
    );
    assert!(
        o.changed
            .contains(&"sporsmal/1-a-1/2024/index.html".to_string())
    );
    assert!(
        o.changed
            .contains(&"medlemmer/alfa-kommune/2024/rapport.json".to_string())
    );
    // Pages that do not show the edited text are not written again.
    assert!(
        !o.changed
            .iter()
            .any(|p| p.starts_with("medlemmer/beta-tekstil/")),
        "{:?}",
        o.changed
    );
    assert!(
        !o.changed
            .contains(&"sporsmal/2-a-3/2024/index.html".to_string())
    );
    assert!(
        read(
            &s.out
                .path()
                .join("site/medlemmer/alfa-kommune/2024/index.html")
        )
        .contains("Retningslinjene ble revidert i mai.")
    );
    s.assert_fresh();
}

#[test]
fn any_sequence_of_edits_matches_a_full_build() {
    let mut s = Session::new("minimal");
    // Text, a figure, a title, a table row, a removed question, a new heading.
    s.edit(ALFA_2024, "Samme som i fjor.", "Nytt svar.")
        .unwrap();
    s.assert_fresh();
    s.edit(ALFA_2023, "employees = 1200", "employees = 1300")
        .unwrap();
    s.assert_fresh();
    s.edit(
        ALFA_2023,
        "title = \"Aktsomhetsrapport 2023\"",
        "title = \"Rapport for 2023\"",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(
        ALFA_2024,
        "| Lav lønn i tekstilproduksjon | Lønn | Bangladesh |",
        "| Lav lønn i tekstilproduksjon | Lønn | Pakistan |",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(ALFA_2024, "#### 1.A.1 Lenke\n\nNytt svar.\n", "")
        .unwrap();
    s.assert_fresh();
    s.edit(
        ALFA_2024,
        "## Forord\n",
        "## Forord\n\n### Et nytt avsnitt\n\nMed tekst.\n",
    )
    .unwrap();
    s.assert_fresh();
    // Files that take a full build: member.toml, site.toml, a template override, a new
    // report, a deleted report.
    s.edit(
        "content/members/alfa-kommune/member.toml",
        "Alfa kommune",
        "Alfa bykommune",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(
        "site.toml",
        "title = \"Testrapporter\"",
        "title = \"Prøverapporter\"",
    )
    .unwrap();
    s.assert_fresh();
    std::fs::create_dir_all(s.path("templates")).unwrap();
    std::fs::write(s.path("templates/page.html"), "{% extends \"base.html\" %}{% block content %}<h1>{{ title }}</h1>{{ body|safe }}{% endblock %}").unwrap();
    s.preview.update(&[s.path("templates/page.html")]).unwrap();
    s.assert_fresh();
    let new = s.path("content/members/beta-tekstil/2023.md");
    std::fs::write(
        &new,
        "+++\nyear = 2023\npublished = 2024-05-01\n+++\n\n## Foreword\n\nAn earlier report.\n",
    )
    .unwrap();
    s.preview.update(std::slice::from_ref(&new)).unwrap();
    s.assert_fresh();
    std::fs::remove_file(&new).unwrap();
    s.preview.update(&[new]).unwrap();
    s.assert_fresh();
    // Turning a report into a draft and back (drafts are in the preview, not in open data).
    s.edit(
        ALFA_2023,
        "published = 2024-03-01",
        "draft = true\npublished = 2024-03-01",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(ALFA_2023, "draft = true\n", "").unwrap();
    s.assert_fresh();
}

#[test]
fn a_broken_edit_keeps_the_last_good_build_and_the_fix_clears_it() {
    let mut s = Session::new("minimal");
    let before = tree(&s.out.path().join("site"));
    let err = s
        .edit(ALFA_2024, "year = 2024", "year = 2024 2024")
        .unwrap_err();
    assert!(
        err[0]
            .to_string()
            .contains("content/members/alfa-kommune/2024.md:2:"),
        "{}",
        err[0]
    );
    assert!(
        tree(&s.out.path().join("site")) == before,
        "a failed update changed the output"
    );
    s.edit(ALFA_2024, "year = 2024 2024", "year = 2024")
        .unwrap();
    assert!(tree(&s.out.path().join("site")) == before);
    // A broken link is refused the same way, and the model stays as it was.
    let err = s
        .edit(ALFA_2023, "../2024/#2-a-3", "../2024/#finnes-ikke")
        .unwrap_err();
    assert!(err[0].message.contains("#finnes-ikke"), "{}", err[0]);
    assert!(tree(&s.out.path().join("site")) == before);
    s.edit(ALFA_2023, "../2024/#finnes-ikke", "../2024/#2-a-3")
        .unwrap();
    s.assert_fresh();
}

#[test]
fn an_error_stays_until_it_is_fixed() {
    // A good edit to another file does not hide an error that is still there: the
    // failed report is built again with it.
    let mut s = Session::new("minimal");
    let before = tree(&s.out.path().join("site"));
    let broken = |err: &[aktsom::diagnostics::Diagnostic], file: &str| {
        assert!(
            err.iter().any(|d| d.to_string().contains(file)),
            "no error in {file}: {err:?}"
        );
    };
    let err = s
        .edit(ALFA_2024, "year = 2024", "year = 2024 2024")
        .unwrap_err();
    broken(&err, ALFA_2024);
    let err = s
        .edit(
            ALFA_2023,
            "Forordet for 2023.",
            "Forordet for 2023, endret.",
        )
        .unwrap_err();
    broken(&err, ALFA_2024);
    assert!(tree(&s.out.path().join("site")) == before);
    s.edit(ALFA_2024, "year = 2024 2024", "year = 2024")
        .unwrap();
    s.assert_fresh();

    // The same after a whole build that failed (member.toml): a report edit builds
    // everything again rather than the report alone on the old model.
    let member = "content/members/alfa-kommune/member.toml";
    let err = s.edit(member, "name = ", "navn = ").unwrap_err();
    broken(&err, member);
    let err = s
        .edit(
            ALFA_2023,
            "Forordet for 2023, endret.",
            "Forordet for 2023.",
        )
        .unwrap_err();
    broken(&err, member);
    s.edit(member, "navn = ", "name = ").unwrap();
    s.assert_fresh();
}

#[test]
fn a_refused_edit_leaves_no_trace_in_the_search_index() {
    // The search index is updated alongside the render; when the render refuses the
    // edit (a broken link), the index goes back too. The edit brings words no report
    // has, so a trace of it would show in the index files.
    let mut s = Session::new("minimal");
    let before = tree(&s.out.path().join("site"));
    let err = s
        .edit(
            ALFA_2023,
            "[neste år](../2024/#2-a-3)",
            "[kvartalsoppgjørets tilleggsmerknader](../2024/#finnes-ikke)",
        )
        .unwrap_err();
    assert!(err[0].message.contains("#finnes-ikke"), "{}", err[0]);
    assert!(tree(&s.out.path().join("site")) == before);
    s.edit(
        ALFA_2023,
        "[kvartalsoppgjørets tilleggsmerknader](../2024/#finnes-ikke)",
        "[neste år](../2024/#2-a-3) og mer",
    )
    .unwrap();
    s.assert_fresh();
    let index: String = tree(&s.out.path().join("site"))
        .iter()
        .filter(|(p, _)| p.starts_with("sok/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        !index.contains("tilleggsmerkna"),
        "the refused edit is in the index"
    );
}

#[test]
fn the_build_id_changes_with_the_output_only() {
    let mut s = Session::new("minimal");
    let first = s.preview.build().unwrap();
    let same = s.preview.build().unwrap();
    assert_eq!(first.build_id, same.build_id);
    assert_eq!(same.written, 0, "nothing changed, nothing written");
    let edited = s.edit(ALFA_2024, "Samme som i fjor.", "Endret.").unwrap();
    assert_ne!(edited.build_id, first.build_id);
}

#[test]
fn member_preview_builds_one_member() {
    let site = copy_fixture("minimal");
    let out = tempfile::tempdir().unwrap();
    let mut p = Preview::new(PreviewOptions {
        root: site.path().to_path_buf(),
        out: out.path().join("site"),
        base_url: BASE.into(),
        member: Some("beta-tekstil".into()),
    });
    p.build().unwrap();
    assert!(
        out.path()
            .join("site/medlemmer/beta-tekstil/2025/index.html")
            .is_file(),
        "drafts are previewed"
    );
    assert!(!out.path().join("site/medlemmer/alfa-kommune").exists());
    // An edit to another member's report changes nothing.
    let other = site.path().join(ALFA_2024);
    std::fs::write(&other, read(&other).replace("Samme som i fjor.", "X.")).unwrap();
    assert_eq!(p.update(&[other]).unwrap().written, 0);
    let err = Preview::new(PreviewOptions {
        root: site.path().to_path_buf(),
        out: out.path().join("other"),
        base_url: BASE.into(),
        member: Some("finnes-ikke".into()),
    })
    .build()
    .unwrap_err();
    assert!(err[0].message.contains("there is no member `finnes-ikke`"));
}

#[test]
fn the_sample_site_stays_fresh_after_edits() {
    let mut s = Session::new_sample();
    s.edit(
        "content/members/helse-nordvest/2023.md",
        "year = 2023",
        "year = 2023",
    )
    .unwrap();
    let file = "content/members/fjordvik-kommune/2023.md";
    let text = read(&s.path(file));
    let para = text
        .lines()
        .find(|l| l.len() > 80 && !l.starts_with('|') && !l.starts_with('#'))
        .unwrap()
        .to_string();
    s.edit(
        file,
        &para,
        "Dette avsnittet er skrevet om i forhåndsvisningen.",
    )
    .unwrap();
    s.assert_fresh();
}

impl Session {
    fn new_sample() -> Session {
        let site = tempfile::tempdir().unwrap();
        for dir in ["content", "report-templates"] {
            copy_dir(&repo_root().join(dir), &site.path().join(dir));
        }
        std::fs::copy(repo_root().join("site.toml"), site.path().join("site.toml")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let mut preview = preview(site.path(), &out.path().join("site"));
        preview
            .build()
            .unwrap_or_else(|e| panic!("first build failed: {e:?}"));
        Session { site, out, preview }
    }
}

#[test]
fn search_index_edits_match_a_full_build() {
    let mut s = Session::new("minimal");
    // New words that are parts of a compound in another report: "hanskeproduksjon"
    // (both years) now splits into hanske + produksjon, in 2023's records too.
    s.edit(
        ALFA_2024,
        "Forordet for 2024.",
        "Forordet for 2024. Hanske og produksjon.",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(ALFA_2024, " Hanske og produksjon.", "").unwrap();
    s.assert_fresh();
    // A new section in the earlier year: sections are numbered in the order they first
    // appear, so the later report's records get new ids.
    s.edit(
        ALFA_2023,
        "Forordet for 2023.\n",
        "Forordet for 2023.\n\n## Sammendrag\n\nEt sammendrag med hanskeproduksjon.\n",
    )
    .unwrap();
    s.assert_fresh();
    s.edit(
        ALFA_2023,
        "\n## Sammendrag\n\nEt sammendrag med hanskeproduksjon.\n",
        "",
    )
    .unwrap();
    s.assert_fresh();
    // A section emptied and filled again.
    s.edit(ALFA_2024, "Samme som i fjor.", "").unwrap();
    s.assert_fresh();
    s.edit(
        ALFA_2024,
        "#### 1.A.1 Lenke\n",
        "#### 1.A.1 Lenke\n\nIgjen.\n",
    )
    .unwrap();
    s.assert_fresh();
}

#[test]
fn a_report_edit_writes_few_search_files() {
    let mut s = Session::new_sample();
    let index = |s: &Session| -> Vec<String> {
        tree(&s.out.path().join("site/sok/indeks"))
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    };
    let before = index(&s);
    let file = "content/members/fjordvik-kommune/2024.md";
    let text = read(&s.path(file));
    let para = text
        .lines()
        .find(|l| l.len() > 80 && !l.starts_with('|') && !l.starts_with('#'))
        .unwrap()
        .to_string();
    let o = s
        .edit(file, &para, &format!("{para} Nytt om leverandørene."))
        .unwrap();
    let changed: Vec<&String> = o
        .changed
        .iter()
        .filter(|p| p.starts_with("sok/indeks/"))
        .collect();
    // The locator, the key shards and chunks of the edited record's words, and the
    // member's excerpt folder (written anew, the old one removed): not the whole index.
    assert!(!changed.is_empty());
    assert!(
        changed.len() < before.len() / 2,
        "{} of {} index files changed",
        changed.len(),
        before.len()
    );
    // Other members' excerpts are not touched.
    let member = |p: &str| {
        p.split('/')
            .nth(3)
            .and_then(|d| d.split('-').next())
            .map(str::to_string)
    };
    let members: BTreeSet<String> = changed
        .iter()
        .filter(|p| p.starts_with("sok/indeks/x/"))
        .filter_map(|p| member(p))
        .collect();
    assert_eq!(members.len(), 1, "{members:?}");
    s.assert_fresh();
}

/// Not a test: times one-report edits in the preview of a large site, for profiling.
/// `AKTSOM_EDIT_SITE=/tmp/corpus cargo test --release --test rebuild -- --ignored
/// --nocapture time_report_edits` (the site is copied first; `AKTSOM_EDITS`, default 10).
#[test]
#[ignore]
fn time_report_edits() {
    let Ok(root) = std::env::var("AKTSOM_EDIT_SITE") else {
        return;
    };
    let edits: usize = std::env::var("AKTSOM_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let site = tempfile::tempdir().unwrap();
    copy_dir(Path::new(&root), site.path());
    let out = tempfile::tempdir().unwrap();
    let mut p = preview(site.path(), &out.path().join("site"));
    let t = std::time::Instant::now();
    let first = p.build().unwrap_or_else(|e| panic!("{e:?}"));
    eprintln!("first build: {:?}, {} files", t.elapsed(), first.files);
    let members = site.path().join("content/members");
    let mut reports: Vec<PathBuf> = std::fs::read_dir(&members)
        .unwrap()
        .flat_map(|m| std::fs::read_dir(m.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .collect();
    reports.sort();
    for i in 0..edits {
        let file = &reports[(i * 7919) % reports.len()];
        let text = read(file);
        std::fs::write(
            file,
            format!("{text}\nEndret i forhåndsvisningen, gang {i}.\n"),
        )
        .unwrap();
        let t = std::time::Instant::now();
        let o = p
            .update(std::slice::from_ref(file))
            .unwrap_or_else(|e| panic!("{e:?}"));
        eprintln!(
            "edit {i} ({}): {:?}, {} written, {} removed",
            file.strip_prefix(&members).unwrap().display(),
            t.elapsed(),
            o.written,
            o.removed
        );
    }
}

#[test]
fn a_text_edit_renders_only_the_report_its_comparisons_questions_and_data_file() {
    // What the preview renders for one edited report: with its front matter and outline
    // unchanged, no page that lists reports; with them changed, those pages too.
    let root = repo_root().join("tests/fixtures/minimal");
    let site = aktsom::content::load(&root, &aktsom::content::LoadOptions { drafts: true })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let questions: BTreeSet<String> = ["1.A.1".to_string()].into_iter().collect();
    let rendered = |scope: &aktsom::render::Scope| -> BTreeSet<String> {
        let out = aktsom::output::Emitter::in_memory();
        let opts = aktsom::BuildOptions {
            scope: *scope,
            files: false,
            keep_search: false,
        };
        aktsom::build(&site, &opts, &out).unwrap_or_else(|e| panic!("{e:?}"));
        out.finish().files.into_iter().map(|f| f.path).collect()
    };
    let paths = |listed: bool| -> BTreeSet<String> {
        rendered(&aktsom::render::Scope::Report {
            member: "alfa-kommune",
            year: 2024,
            questions: &questions,
            listed,
        })
    };
    let text_only = paths(false);
    let expected: BTreeSet<String> = [
        "medlemmer/alfa-kommune/2024/index.html",
        "medlemmer/alfa-kommune/2024/rapport.json",
        "medlemmer/alfa-kommune/sammenlign/2023-2024/index.html",
        "sporsmal/1-a-1/2024/index.html",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(text_only, expected);
    let listed = paths(true);
    for p in [
        "index.html",
        "medlemmer/index.html",
        "medlemmer/alfa-kommune/index.html",
        "medlemmer/alfa-kommune/2023/index.html",
        "ar/2024/index.html",
        "data/rapporter.json",
        "data/nokkeltall.csv",
        "sporsmal/index.html",
        "sporsmal/1-a-1/index.html",
    ] {
        assert!(listed.contains(p), "{p} not in {listed:?}");
    }
    assert!(listed.is_superset(&expected));
    // Every answer of the year, as open data, is a scope of its own (the preview makes
    // it after the pages).
    assert!(!listed.iter().any(|p| p.starts_with("data/svar/")));
    let years: BTreeSet<u16> = [2024].into_iter().collect();
    let answers = rendered(&aktsom::render::Scope::Answers { years: &years });
    assert_eq!(
        answers.into_iter().collect::<Vec<_>>(),
        vec!["data/svar/2024.csv.gz".to_string()]
    );
}

#[test]
fn a_report_edit_leaves_its_answers_file_for_later_outside_the_build_id() {
    let mut s = Session::new("minimal");
    let answers = "data/svar/2024.csv.gz";
    let text = "Retningslinjene ble revidert i mai.";
    let p = s.path(ALFA_2024);
    std::fs::write(&p, read(&p).replacen("Samme som i fjor.", text, 1)).unwrap();
    let prepared = s.preview.prepare(std::slice::from_ref(&p)).unwrap();
    let pages = s.preview.commit(prepared).unwrap();
    // The pages are current; the year's answers file is named, not made yet.
    let site = s.out.path().join("site");
    assert!(read(&site.join("medlemmer/alfa-kommune/2024/index.html")).contains(text));
    assert!(
        !pages.changed.iter().any(|c| c == answers),
        "{:?}",
        pages.changed
    );
    assert_eq!(s.preview.later(), vec![answers.to_string()]);
    assert!(!gunzip(&site.join(answers)).contains(text));
    let later = s.preview.prepare_later().unwrap();
    let rest = s.preview.commit(later).unwrap();
    assert_eq!(rest.changed, vec![answers.to_string()]);
    assert!(gunzip(&site.join(answers)).contains(text));
    assert!(s.preview.later().is_empty());
    // What the tabs were told of is still the build.
    assert_eq!(rest.build_id, pages.build_id);
    s.assert_fresh();
    // A whole build leaves nothing for later.
    std::fs::write(&p, read(&p).replacen(text, "Samme som i fjor.", 1)).unwrap();
    let prepared = s.preview.prepare(std::slice::from_ref(&p)).unwrap();
    s.preview.commit(prepared).unwrap();
    s.preview.build().unwrap();
    assert!(s.preview.later().is_empty());
    s.assert_fresh();
}

fn gunzip(path: &Path) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn a_report_edit_renders_its_two_neighbouring_comparisons() {
    // gamma-kommune reports 2022, 2023 and 2024: an edit of 2023 changes its page
    // against 2022 and 2024's page against it, and nothing else of the comparisons.
    let mut s = Session::new("compare-edits");
    let o = s
        .edit(
            "content/members/gamma-kommune/2023.md",
            "Bystyret vedtok retningslinjene i juni",
            "Bystyret vedtok retningslinjene i august",
        )
        .unwrap();
    let comparisons: BTreeSet<&str> = o
        .changed
        .iter()
        .map(String::as_str)
        .filter(|p| p.contains("/sammenlign/"))
        .collect();
    assert_eq!(
        comparisons,
        [
            "medlemmer/gamma-kommune/sammenlign/2022-2023/index.html",
            "medlemmer/gamma-kommune/sammenlign/2023-2024/index.html",
        ]
        .into_iter()
        .collect(),
        "{:?}",
        o.changed
    );
    s.assert_fresh();
    // A key figure: the page comparing any two years shows each year's figures.
    let o = s
        .edit(
            "content/members/gamma-kommune/2023.md",
            "employees = 2400",
            "employees = 2410",
        )
        .unwrap();
    assert!(
        o.changed
            .contains(&"medlemmer/gamma-kommune/sammenlign/index.html".to_string()),
        "{:?}",
        o.changed
    );
    s.assert_fresh();
}

#[test]
fn the_preview_is_what_build_with_drafts_makes() {
    // The first build writes each file into place as it is made, later whole builds
    // hold changed files in memory or (past a limit, here 20 KB) go through the staging
    // folder, report edits write their few files: each time the folder holds exactly
    // what `aktsom build --drafts` makes for the same address (nothing more: no staging
    // folder or temporary file left behind).
    for held in [aktsom::rebuild::HELD, 20_000] {
        preview_is_what_build_makes(held);
    }
}

fn preview_is_what_build_makes(held: usize) {
    let site = copy_fixture("minimal");
    let image = site.path().join("content/members/alfa-kommune/kart.png");
    std::fs::write(&image, b"not really a png").unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut s = Session {
        preview: preview(site.path(), &out.path().join("site")),
        site,
        out,
    };
    let assert_built = |s: &Session| {
        let public = tempfile::tempdir().unwrap();
        let public = public.path().join("public");
        build_ok(s.site.path(), &public, &["--drafts", "--base-url", BASE]);
        let a = tree(&s.out.path().join("site"));
        // The build marks its output folder as its own (`.aktsom-output`); the preview's
        // folder is marked by serve in its own way.
        let mut b = tree(&public);
        b.retain(|(p, _)| p != ".aktsom-output");
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&a),
            names(&b),
            "the preview's files are not the build's"
        );
        for ((p, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{p} differs from aktsom build --drafts");
        }
    };
    s.preview.hold_at_most(held);
    s.preview.build().unwrap();
    assert_built(&s);
    // A whole build (member.toml): the image and every page as built.
    std::fs::write(&image, b"another picture").unwrap();
    s.edit(
        "content/members/alfa-kommune/member.toml",
        "Alfa kommune",
        "Alfa bykommune",
    )
    .unwrap();
    assert_built(&s);
    s.edit(ALFA_2024, "Samme som i fjor.", "Nytt svar.")
        .unwrap();
    assert_built(&s);
}
