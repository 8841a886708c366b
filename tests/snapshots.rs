//! Snapshots (`insta`) of what a reader and an editor get, byte for byte: pages and open
//! data of the minimal fixture, and `aktsom check` on broken copies of it. The other
//! tests assert what matters about each output; these show everything else, so that
//! a change nobody meant (a lost attribute, a reordered line, an empty label) shows
//! up as a diff in review.
//!
//! The snapshots are the `.snap` files in `tests/snapshots/`, read and committed like
//! code. A mismatch fails the test (`bash scripts/test` runs with `INSTA_UPDATE=no`,
//! and insta writes nothing under `CI` either). After a change that is meant, write the
//! new snapshots with `INSTA_UPDATE=always cargo test --test snapshots` and review them
//! with `git diff tests/snapshots/` before committing.
//!
//! Pages: a representative set rather than every page. The minimal fixture has 23
//! pages; those left out repeat the shapes of these (the lists of members, years and
//! questions; a question's other years), and the header and footer every page shares
//! would otherwise show up 23 times in the diff of a change to the base template. The
//! list of every file the build makes stands for the rest.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// The minimal fixture built once for every page test (the build is deterministic).
fn built() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_dir, out) = OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build_ok(&fixture("minimal"), &out, &[]);
        (dir, out)
    });
    out
}

/// One file of the built fixture, as text.
fn page(rel: &str) -> String {
    read(&built().join(rel))
}

/// A test per page: `name => path of the page in the output`.
macro_rules! page_snapshots {
    ($($name:ident => $path:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), page($path));
        }
    )*};
}

page_snapshots! {
    front_page => "index.html",
    report_page => "medlemmer/alfa-kommune/2024/index.html",
    member_page => "medlemmer/alfa-kommune/index.html",
    year_page => "ar/2024/index.html",
    comparison_page => "medlemmer/alfa-kommune/sammenlign/2023-2024/index.html",
    question_page => "sporsmal/2-a-3/index.html",
    question_year_page => "sporsmal/2-a-3/2024/index.html",
    not_found_page => "404.html",
    reports_json => "data/rapporter.json",
    figures_csv => "data/nokkeltall.csv",
    report_json => "medlemmer/alfa-kommune/2024/rapport.json",
}

/// Every file of the build, so that a page appearing or going away is seen.
#[test]
fn every_output_file() {
    let list: Vec<String> = tree(built()).into_iter().map(|(path, _)| path).collect();
    insta::assert_snapshot!("every_output_file", list.join("\n"));
}

// ---- `aktsom check` ----

const ALFA_2023: &str = "content/members/alfa-kommune/2023.md";
const ALFA_2024: &str = "content/members/alfa-kommune/2024.md";
const BETA_2024: &str = "content/members/beta-tekstil/2024.md";

/// `aktsom check` on `site` as a person reads it (exit code, standard output, standard
/// error) and as JSON, with the site's temporary folder shown as `<site>`.
fn check_both(site: &Path) -> (String, String) {
    let root = site.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--root", root];
        args.extend_from_slice(extra);
        let o = aktsom(&args);
        let shown = format!(
            "exit code: {:?}\n--- stdout\n{}--- stderr\n{}",
            o.status.code(),
            stdout(&o),
            stderr(&o)
        );
        shown.replace(root, "<site>")
    };
    (run(&[]), run(&["--format", "json"]))
}

/// Replaces the first `from` in the site's `file` with `to`.
fn edit(site: &Path, file: &str, from: &str, to: &str) {
    let p = site.join(file);
    let s = read(&p);
    assert!(s.contains(from), "{from} not in {file}");
    std::fs::write(p, s.replacen(from, to, 1)).unwrap();
}

/// Both outputs of `check` on `site` as two snapshots, `<name>_human` and `<name>_json`.
fn snapshot_check(name: &str, site: &Path) {
    let (human, json) = check_both(site);
    insta::assert_snapshot!(format!("{name}_human"), human);
    insta::assert_snapshot!(format!("{name}_json"), json);
}

/// The clean fixture: only the warnings it is made to have.
#[test]
fn check_clean_site() {
    snapshot_check("check_clean_site", &fixture("minimal"));
}

/// Errors in three files and a page at once: errors first, then warnings, the summary.
#[test]
fn check_every_problem_at_once() {
    let site = copy_fixture("minimal");
    let s = site.path();
    edit(s, ALFA_2024, "year = 2024", "year = 2022");
    edit(s, ALFA_2023, "employees = 1200", "employees = \"mange\"");
    edit(s, BETA_2024, "published =", "publisert =");
    let page = s.join("content/tilgjengelighet.md");
    std::fs::write(&page, read(&page) + "\n### Kontakt\n\nSkriv til oss.\n").unwrap();
    snapshot_check("check_every_problem_at_once", s);
}

/// Every front matter key checked on its own, with suggestions, beside the text's own
/// errors.
#[test]
fn check_front_matter_errors() {
    let site = copy_fixture("minimal");
    let s = site.path();
    edit(
        s,
        ALFA_2024,
        "year = 2024\npublished = 2025-03-01\n",
        "yaer = 2024\ndraft = \"ja\"\npublisert = 2025-03-01\nlanguage = 7\n",
    );
    edit(
        s,
        ALFA_2024,
        "#### 2.A.3 Prioriterte",
        "#### 2.A.4 Prioriterte",
    );
    snapshot_check("check_front_matter_errors", s);
}

/// Links to a page and to an anchor that do not exist (checked once the site has no
/// other error).
#[test]
fn check_broken_links() {
    let site = copy_fixture("minimal");
    let s = site.path();
    let report = s.join(BETA_2024);
    let text = read(&report)
        + "\nSe [forrige år](/medlemmer/beta-tekstil/2023/) og [spørsmålet](#9-z-9).\n";
    std::fs::write(&report, text).unwrap();
    snapshot_check("check_broken_links", s);
}

/// A folder that is not a site: one error, said once.
#[test]
fn check_not_a_site() {
    let dir = tempfile::tempdir().unwrap();
    snapshot_check("check_not_a_site", dir.path());
}
