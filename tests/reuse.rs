//! A build over its previous output reuses the member pages whose inputs did not change
//! (report pages, comparison pages, `rapport.json`) instead of rendering them again
//! (src/inputs.rs, src/output/cache.rs). The rule these tests hold it to: whatever
//! changed, the output is byte for byte the output of a fresh build into an empty
//! folder; and it does reuse what did not change.

mod common;

use std::path::{Path, PathBuf};

use common::{aktsom, copy_dir, stdout, tree};

/// The sample site's sources, copied to a temporary folder to edit.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    for part in ["content", "report-templates"] {
        copy_dir(&root.join(part), &dir.path().join(part));
    }
    std::fs::copy(root.join("site.toml"), dir.path().join("site.toml")).unwrap();
    dir
}

/// Builds `site` into `out` and returns how many files the build reused.
fn build(site: &Path, out: &Path, extra: &[&str]) -> usize {
    let line = stdout(&common::build_ok(site, out, extra));
    line.split("; ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// The site built over `out` (its previous output) is the site built fresh; returns how
/// many files the build over the previous output reused.
fn rebuild_matches_fresh(site: &Path, out: &Path, extra: &[&str]) -> usize {
    let reused = build(site, out, extra);
    let fresh = tempfile::tempdir().unwrap();
    let fresh_out = fresh.path().join("public");
    assert_eq!(
        build(site, &fresh_out, extra),
        0,
        "an empty folder has nothing to reuse"
    );
    let (got, want) = (tree(out), tree(&fresh_out));
    let differ: Vec<&String> = got
        .iter()
        .zip(&want)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(
        got.len() == want.len() && differ.is_empty(),
        "the build over the previous output differs from a fresh build: {} files against {}, \
         differing: {differ:?}",
        got.len(),
        want.len()
    );
    reused
}

/// The files a build may reuse, in the output `out` (src/inputs.rs): each report's
/// page and `rapport.json`, each comparison page, each question's pages, each year's
/// answers file.
fn reusable(out: &Path) -> Vec<String> {
    let year = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
    let pair = |s: &str| s.split_once('-').is_some_and(|(a, b)| year(a) && year(b));
    tree(out)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            match parts.as_slice() {
                ["medlemmer", _, y, "index.html" | "rapport.json"] => year(y),
                ["medlemmer", _, "sammenlign", yy, "index.html"] => pair(yy),
                ["sporsmal", _, "index.html"] => true,
                ["sporsmal", _, y, "index.html"] => year(y),
                ["data", "svar", f] => f.strip_suffix(".csv.gz").is_some_and(year),
                _ => false,
            }
        })
        .collect()
}

/// Of the reusable files, those made from report `year` of `member`: the member's
/// pages, the year's question pages and answers file.
fn made_from(reusable: &[String], member: &str, year: u16) -> usize {
    let (m, y) = (format!("medlemmer/{member}/"), format!("/{year}/"));
    reusable
        .iter()
        .filter(|p| {
            p.starts_with(&m)
                || (p.starts_with("sporsmal/") && p.contains(&y))
                || **p == format!("data/svar/{year}.csv.gz")
        })
        .count()
}

fn edit(path: PathBuf, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(&path).unwrap();
    let new = f(text.clone());
    assert_ne!(new, text, "the edit of {} changes nothing", path.display());
    std::fs::write(&path, new).unwrap();
}

fn report(site: &Path, member: &str, year: u16) -> PathBuf {
    site.join(format!("content/members/{member}/{year}.md"))
}

#[test]
fn a_build_over_its_previous_output_reuses_what_did_not_change_and_equals_a_fresh_build() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    assert_eq!(build(site, &out, &[]), 0);
    let files = reusable(&out);
    let all = files.len();
    assert!(all > 100, "{files:?}");
    assert_eq!(
        rebuild_matches_fresh(site, &out, &[]),
        all,
        "nothing changed"
    );

    // One report's text: that member's pages (4 reports, 3 comparisons), and that
    // year's question pages and answers file, are made again; nothing else.
    edit(report(site, "fjordvik-kommune", 2023), |t| {
        t.replacen(
            "## Forord",
            "Et nytt avsnitt om oppfølgingen.\n\n## Forord",
            1,
        )
    });
    let again = made_from(&files, "fjordvik-kommune", 2023);
    let questions_2023 = files
        .iter()
        .filter(|p| p.starts_with("sporsmal/") && p.contains("/2023/"))
        .count();
    assert_eq!(again, 4 * 2 + 3 + questions_2023 + 1);
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), all - again);
    assert_eq!(
        rebuild_matches_fresh(site, &out, &[]),
        all,
        "unchanged again"
    );

    // An answer to a numbered question, in another member's report.
    edit(report(site, "helse-nordvest", 2024), |t| {
        t.replacen(
            "#### 1.A.2 ",
            "En ny setning i svaret på 1.A.1.\n\n#### 1.A.2 ",
            1,
        )
    });
    let again = made_from(&files, "helse-nordvest", 2024);
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), all - again);
}

/// Something every page may show, changed by `step`.
type Step = (&'static str, fn(&Path));

#[test]
fn what_every_page_shows_of_the_site_makes_every_page_again() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    build(site, &out, &[]);
    let steps: [Step; 10] = [
        ("a report's title", |s| {
            edit(report(s, "helse-nordvest", 2022), |t| {
                t.replacen("title = \"", "title = \"Endret: ", 1)
            })
        }),
        ("a key figure", |s| {
            edit(report(s, "fjordvik-kommune", 2024), |t| {
                t.replace("employees = 3842", "employees = 3843")
            })
        }),
        ("a member's details", |s| {
            edit(
                s.join("content/members/fjordvik-kommune/member.toml"),
                |t| t.replace("Fjordvik kommune", "Fjordvik kommune (endret)"),
            )
        }),
        ("site.toml", |s| {
            edit(s.join("site.toml"), |t| {
                t.replace("(eksempelnettsted)", "(endret)")
            })
        }),
        ("a free page", |s| {
            edit(s.join("content/om.md"), |t| {
                format!("{t}\nEn ny setning.\n")
            })
        }),
        ("a template of the site's own", |s| {
            let theme = common::repo_root().join("themes/default/templates/report.html");
            let text = common::read(&theme).replacen("<main", "<!-- egen -->\n<main", 1);
            std::fs::create_dir_all(s.join("templates")).unwrap();
            std::fs::write(s.join("templates/report.html"), text).unwrap();
        }),
        ("an interface string of the site's own", |s| {
            std::fs::create_dir_all(s.join("i18n")).unwrap();
            std::fs::write(s.join("i18n/nb.toml"), "report_pager = \"Andre år\"\n").unwrap();
        }),
        ("a reporting template", |s| {
            edit(s.join("report-templates/2024.toml"), |t| {
                t.replace(
                    "nb = \"Retningslinjer\"",
                    "nb = \"Retningslinjer (endret)\"",
                )
            })
        }),
        ("a new report", |s| {
            let text = common::read(&report(s, "helse-nordvest", 2022));
            std::fs::write(
                report(s, "helse-nordvest", 2021),
                text.replace("2022", "2021"),
            )
            .unwrap();
        }),
        ("a report removed", |s| {
            std::fs::remove_file(report(s, "bitvis-it", 2023)).unwrap();
        }),
    ];
    for (what, step) in steps {
        step(site);
        assert_eq!(
            rebuild_matches_fresh(site, &out, &[]),
            0,
            "after {what}: nothing reused"
        );
        let all = reusable(&out).len();
        assert_eq!(
            rebuild_matches_fresh(site, &out, &[]),
            all,
            "after {what}: all reused again"
        );
    }
}

#[test]
fn build_options_are_inputs_too() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    build(site, &out, &[]);
    let url = ["--base-url", "https://andre.example.no/rapporter/"];
    assert_eq!(rebuild_matches_fresh(site, &out, &url), 0);
    assert!(rebuild_matches_fresh(site, &out, &url) > 0);
    assert_eq!(rebuild_matches_fresh(site, &out, &["--drafts"]), 0);
    assert!(rebuild_matches_fresh(site, &out, &["--drafts"]) > 0);
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), 0);
}

#[test]
fn a_published_file_changed_by_anyone_else_is_made_again() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    build(site, &out, &[]);
    let page = out.join("medlemmer/fjordvik-kommune/2023/index.html");
    let text = std::fs::read_to_string(&page).unwrap();
    // Written in place, as another tool would (the same length, so only the
    // modification time tells).
    std::fs::write(&page, text.replacen("<main", "<mian", 1)).unwrap();
    assert_eq!(
        rebuild_matches_fresh(site, &out, &[]),
        reusable(&out).len() - 1
    );
}

#[test]
fn a_record_that_cannot_be_read_only_costs_time() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    build(site, &out, &[]);
    let record = out_dir.path().join(".aktsom-cache-public");
    assert!(record.is_file(), "the record is kept beside the output");
    std::fs::write(&record, "{ ikke json").unwrap();
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), 0);
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), reusable(&out).len());
    std::fs::remove_file(&record).unwrap();
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), 0);
}

#[test]
fn a_failed_build_leaves_a_record_the_next_build_can_trust() {
    let site = sample_copy();
    let site = site.path();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    build(site, &out, &[]);
    let before = tree(&out);
    // A link to a page that does not exist fails the link check, after every page was
    // made and the record written.
    let path = report(site, "fjordvik-kommune", 2024);
    let text = common::read(&path);
    let broken = text.replacen(
        "## Forord",
        "[Se her](/medlemmer/finnes-ikke/)\n\n## Forord",
        1,
    );
    std::fs::write(&path, &broken).unwrap();
    let args = [
        "build",
        "--root",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let o = aktsom(&args);
    assert!(!o.status.success(), "the link check fails the build");
    assert!(
        tree(&out) == before,
        "a failed build leaves the output as it was"
    );
    // Fixed another way: the pages of the failed build are in the record, never in
    // the output.
    std::fs::write(&path, text.replacen("## Forord", "Rettet.\n\n## Forord", 1)).unwrap();
    let all = reusable(&out);
    let again = made_from(&all, "fjordvik-kommune", 2024);
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), all.len() - again);
    std::fs::write(&path, text).unwrap();
    assert_eq!(rebuild_matches_fresh(site, &out, &[]), all.len() - again);
}
