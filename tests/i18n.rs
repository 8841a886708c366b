//! Interface strings: the default theme's two tables have the same keys, every string
//! the templates and the comparison scripts ask for is in them, a site's own strings
//! replace only what they name, and no missing string is ever shown as nothing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

type Table = BTreeMap<String, String>;

fn table(path: &Path) -> Table {
    toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn default_table(lang: &str) -> Table {
    table(&repo_root().join(format!("themes/default/i18n/{lang}.toml")))
}

/// The keys of `a` that `b` lacks.
fn missing_from(a: &Table, b: &Table) -> Vec<String> {
    a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
}

#[test]
fn both_tables_have_the_same_keys_and_no_empty_string() {
    let (nb, en) = (default_table("nb"), default_table("en"));
    assert_eq!(
        missing_from(&nb, &en),
        Vec::<String>::new(),
        "not in en.toml"
    );
    assert_eq!(
        missing_from(&en, &nb),
        Vec::<String>::new(),
        "not in nb.toml"
    );
    for (lang, t) in [("nb", &nb), ("en", &en)] {
        let empty: Vec<_> = t.iter().filter(|(_, v)| v.trim().is_empty()).collect();
        assert!(empty.is_empty(), "{lang}: empty strings {empty:?}");
    }
}

/// Every `i18n/` folder of the sites in the repository (the sample site, the
/// fixtures) only replaces strings of the default theme.
#[test]
fn the_sites_strings_are_a_subset_of_the_themes() {
    let mut sites = vec![repo_root()];
    for e in std::fs::read_dir(repo_root().join("tests/fixtures")).unwrap() {
        let p = e.unwrap().path();
        sites.push(p.clone());
        sites.push(p.join("site"));
    }
    for site in sites.iter().filter(|s| s.join("site.toml").is_file()) {
        for lang in ["nb", "en"] {
            let own = site.join(format!("i18n/{lang}.toml"));
            if own.is_file() {
                let unknown = missing_from(&table(&own), &default_table(lang));
                assert!(unknown.is_empty(), "{}: {unknown:?}", own.display());
            }
        }
    }
}

/// The names after `t.` in `text` (not after `x.t.` or `report.`): the strings a
/// template asks for, and in the comparison scripts the strings object's keys.
fn keys_after_t(text: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    for (i, _) in text.match_indices("t.") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = &text[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            keys.push(&rest[..end]);
        }
    }
    keys
}

#[test]
fn every_string_the_templates_ask_for_is_in_both_tables() {
    let (nb, en) = (default_table("nb"), default_table("en"));
    let dir = repo_root().join("themes/default/templates");
    let mut asked = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let text = read(&path);
        for key in keys_after_t(&text) {
            asked += 1;
            assert!(
                nb.contains_key(key) && en.contains_key(key),
                "{} asks for t.{key}, which is not in both tables",
                path.display()
            );
        }
    }
    assert!(
        asked > 100,
        "only {asked} strings found: the scan is broken"
    );
}

/// The comparison scripts read the strings the page hands them (those starting with
/// `compare_`, `diff_` or `status_`), by `t.<key>` or by a quoted key.
#[test]
fn every_string_the_comparison_scripts_ask_for_is_in_both_tables() {
    let (nb, en) = (default_table("nb"), default_table("en"));
    let handed = |k: &str| {
        ["compare_", "diff_", "status_"]
            .iter()
            .any(|p| k.starts_with(p))
    };
    let mut asked = 0;
    for script in ["compare.js", "compare-core.js"] {
        let text = read(&repo_root().join("themes/default/static").join(script));
        let quoted = text.split(['\'', '"']).skip(1).step_by(2);
        let keys = keys_after_t(&text)
            .into_iter()
            .chain(quoted)
            .filter(|k| handed(k));
        for key in keys {
            asked += 1;
            assert!(
                nb.contains_key(key) && en.contains_key(key),
                "{script} asks for {key}, which is not in both tables"
            );
        }
    }
    assert!(asked > 20, "only {asked} strings found: the scan is broken");
}

/// A site's `i18n/nb.toml` with one string: that string changes, every other string
/// is the theme's (a build used to fail on the first string the file lacked).
#[test]
fn a_site_that_replaces_one_string_keeps_the_others() {
    let site = copy_fixture("minimal");
    let s = site.path();
    std::fs::create_dir(s.join("i18n")).unwrap();
    std::fs::write(s.join("i18n/nb.toml"), "nav_members = \"Våre medlemmer\"\n").unwrap();
    let out = s.join("public");
    build_ok(s, &out, &[]);
    let front = read(&out.join("index.html"));
    assert!(front.contains(">Våre medlemmer</a>"), "{front}");
    assert!(
        front.contains(">Spørsmål</a>"),
        "the theme's string: {front}"
    );
}

/// A site's string the theme does not have is a typo: an error where it is, with the
/// key it probably meant.
#[test]
fn a_site_string_the_theme_lacks_is_an_error_where_it_is() {
    let site = copy_fixture("minimal");
    let s = site.path();
    std::fs::create_dir(s.join("i18n")).unwrap();
    std::fs::write(
        s.join("i18n/en.toml"),
        "# Our own words\nnav_home = \"Start\"\nnav_membres = \"Who we are\"\n",
    )
    .unwrap();
    let o = aktsom(&[
        "build",
        "--root",
        s.to_str().unwrap(),
        "--out",
        s.join("public").to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: unknown interface string `nav_membres`: the theme has no such key\n --> i18n/en.toml:3:1"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `nav_members`?"), "{err}");
}

/// A template asking for a string that no table has fails the build, naming the
/// template and the line, rather than showing nothing.
#[test]
fn a_template_asking_for_a_missing_string_fails_with_its_place() {
    let site = copy_fixture("minimal");
    let s = site.path();
    std::fs::create_dir(s.join("templates")).unwrap();
    let page = read(&repo_root().join("themes/default/templates/404.html"))
        .replace("{{ t.not_found_text }}", "{{ t.not_found_txt }}");
    std::fs::write(s.join("templates/404.html"), page).unwrap();
    let o = aktsom(&[
        "build",
        "--root",
        s.to_str().unwrap(),
        "--out",
        s.join("public").to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("undefined value (in 404.html:5)"), "{err}");
    assert!(err.contains("--> templates/404.html"), "{err}");
}
