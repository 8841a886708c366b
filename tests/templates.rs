//! Which template version a report uses: the one its `template` key names, else the
//! newest version named after a year not after its own, else site.toml's
//! `default_template` (for reports older than every version); none → an error.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const ALFA: &str = "content/members/alfa-kommune";

/// A 2023 version of the template with a question (3.B.8) the 2024 version dropped.
const TEMPLATE_2023: &str = r#"version = "2023"

[[question]]
number = "2"
nb = "Kartlegging"
en = "Identify"

[[question]]
number = "2.A"
nb = "Kartlegging og prioritering"
en = "Mapping"

[[question]]
number = "2.A.3"
nb = "Prioriterte risikoer"
en = "Prioritised risks"

[[question]]
number = "3"
nb = "Håndtering"
en = "Cease"

[[question]]
number = "3.B"
nb = "Andre tiltak"
en = "Other measures"

[[question]]
number = "3.B.8"
nb = "Dyrevelferd"
en = "Animal welfare"
"#;

fn report(year: u16, extra_front: &str, body: &str) -> String {
    format!(
        "+++\nyear = {year}\npublished = {}-03-01\n{extra_front}+++\n\n## Forord\n\nEt forord.\n\n{body}",
        year + 1
    )
}

/// The template version each report of `member` was built against, from the open data.
fn versions_built(out: &Path) -> Vec<(u64, String)> {
    let v: Value = serde_json::from_str(&read(&out.join("data/rapporter.json"))).unwrap();
    v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["member"] == "alfa-kommune")
        .map(|r| {
            (
                r["year"].as_u64().unwrap(),
                r["template"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check_json(site: &Path) -> (Option<i32>, Vec<Value>) {
    let o = aktsom(&[
        "check",
        "--root",
        site.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    (o.status.code(), v.as_array().unwrap().clone())
}

#[test]
fn a_report_without_a_template_line_builds_against_its_years_version() {
    let site = copy_fixture("minimal");
    let root = site.path();
    std::fs::write(root.join("report-templates/2023.toml"), TEMPLATE_2023).unwrap();
    // 3.B.8 is a question of 2023's version only: against 2024's (site.toml's
    // default_template) it is an error.
    std::fs::write(
        root.join(ALFA).join("2023.md"),
        report(
            2023,
            "",
            "## 3 Håndtering\n\n### 3.B Andre tiltak\n\n#### 3.B.8 Dyrevelferd\n\nKrav til dyrevelferd i matavtalene.\n",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path(), &[]);
    let built = versions_built(out.path());
    assert!(built.contains(&(2023, "2023".into())), "{built:?}");
    assert!(built.contains(&(2024, "2024".into())), "{built:?}");
    let page = read(&out.path().join("medlemmer/alfa-kommune/2023/index.html"));
    assert!(page.contains("id=\"3-b-8\""), "3.B.8 is a question of 2023");
}

#[test]
fn a_year_without_its_own_version_uses_the_newest_before_it() {
    let site = copy_fixture("minimal");
    let root = site.path();
    std::fs::write(root.join("report-templates/2023.toml"), TEMPLATE_2023).unwrap();
    std::fs::write(
        root.join(ALFA).join("2025.md"),
        report(
            2025,
            "",
            "## 2 Kartlegging\n\n### 2.A Kartlegging\n\n#### 2.A.3 Prioriterte risikoer\n\nTvangsarbeid.\n",
        ),
    )
    .unwrap();
    // A report that names a version still uses it.
    let named = root.join(ALFA).join("2023.md");
    let text = read(&named).replace("year = 2023\n", "year = 2023\ntemplate = \"2024\"\n");
    std::fs::write(&named, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path(), &[]);
    let built = versions_built(out.path());
    assert!(built.contains(&(2025, "2024".into())), "{built:?}");
    assert!(built.contains(&(2023, "2024".into())), "{built:?}");

    // Once there is a 2025 version, the same report uses it.
    let v2025 = read(&root.join("report-templates/2024.toml"))
        .replace("version = \"2024\"", "version = \"2025\"");
    std::fs::write(root.join("report-templates/2025.toml"), v2025).unwrap();
    build_ok(root, out.path(), &[]);
    let built = versions_built(out.path());
    assert!(built.contains(&(2025, "2025".into())), "{built:?}");
    assert!(built.contains(&(2024, "2024".into())), "{built:?}");
}

/// The minimal fixture without `default_template` in its site.toml.
fn without_default_template(root: &Path) {
    let toml = read(&root.join("site.toml")).replace("default_template = \"2024\"\n", "");
    std::fs::write(root.join("site.toml"), toml).unwrap();
}

#[test]
fn no_version_fits_a_report_older_than_every_version() {
    let site = copy_fixture("minimal");
    let root = site.path();
    without_default_template(root);
    std::fs::write(root.join(ALFA).join("2019.md"), report(2019, "", "")).unwrap();
    let (code, list) = check_json(root);
    assert_eq!(code, Some(1));
    let d = list
        .iter()
        .find(|d| d["file"] == format!("{ALFA}/2019.md"))
        .unwrap_or_else(|| panic!("no error for 2019.md: {list:?}"));
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "no template version fits a report of 2019");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(8))
    );
    let help = d["help"].as_str().unwrap();
    assert!(help.contains("the versions are: 2024"), "{help}");
    assert!(help.contains("template = "), "{help}");

    let out = tempfile::tempdir().unwrap();
    let o = aktsom(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("--> {ALFA}/2019.md:2:8")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn default_template_is_the_version_of_reports_older_than_every_version() {
    let site = copy_fixture("minimal");
    let root = site.path();
    std::fs::write(root.join("report-templates/2023.toml"), TEMPLATE_2023).unwrap();
    std::fs::write(root.join(ALFA).join("2019.md"), report(2019, "", "")).unwrap();
    std::fs::write(
        root.join(ALFA).join("2023.md"),
        report(
            2023,
            "",
            "## 3 Håndtering\n\n### 3.B Andre tiltak\n\n#### 3.B.8 Dyrevelferd\n\nKrav.\n",
        ),
    )
    .unwrap();
    // The fixture's site.toml has default_template = "2024"; the 2023 report names no
    // version.
    assert!(read(&root.join("site.toml")).contains("default_template = \"2024\""));
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path(), &[]);
    let built = versions_built(out.path());
    assert!(built.contains(&(2019, "2024".into())), "{built:?}");
    assert!(built.contains(&(2023, "2023".into())), "{built:?}");

    // A default_template without its file is an error.
    let toml = read(&root.join("site.toml"))
        .replace("default_template = \"2024\"", "default_template = \"2018\"");
    std::fs::write(root.join("site.toml"), toml).unwrap();
    let (code, list) = check_json(root);
    assert_eq!(code, Some(1));
    assert!(
        list.iter().any(|d| d["file"] == "site.toml"
            && d["message"] == "default_template \"2018\" has no file report-templates/2018.toml"),
        "{list:?}"
    );
}
