//! Hostile input: the site in tests/fixtures/hostile/ must build with nothing in its
//! pages that a browser would run, and each input that cannot be published safely
//! must be a clear error (never a panic, a hang, or a file read from outside the site).
//! Huge and deeply nested inputs are generated here rather than kept as files.

mod common;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use aktsom::markdown::url_is_safe;
use common::*;
use lol_html::{RewriteStrSettings, element, rewrite_str};

const REPORT: &str = "content/members/skadelig-as/2024.md";
/// Where generated reports go: a year nothing links to.
const GENERATED: &str = "content/members/skadelig-as/2022.md";

fn built_hostile() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("hostile"), &out.path().join("public"), &[]);
    out
}

fn html_files(dir: &Path) -> Vec<(String, String)> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("pages are UTF-8")))
        .collect()
}

/// Tags the member's text may contain after sanitising.
const CONTENT_TAGS: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "hr",
    "br",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "span",
    "sup",
    "sub",
    "abbr",
];

/// The classes aktsom itself puts into a member's text; raw HTML keeps none.
const GENERATED_CLASSES: &[&str] = &[
    "table-wrap",
    "num",
    "center",
    "fn-ref",
    "visually-hidden",
    "footnote",
    "fn-label",
    "fn-back",
];

/// Decodes the character references aktsom's writers produce. Anything else is a
/// failure: a reference like `&colon;` could hide a scheme from the check.
fn decode_attr(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (c, len) = [
            ("&amp;", '&'),
            ("&quot;", '"'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
            ("&nbsp;", '\u{a0}'),
        ]
        .iter()
        .find(|(e, _)| rest.starts_with(e))
        .map(|(e, c)| (*c, e.len()))
        .unwrap_or_else(|| panic!("unexpected character reference in {v:?}"));
        out.push(c);
        rest = &rest[len..];
    }
    out + rest
}

/// Every element of a page as (tag, attributes, inside the member's text).
/// An element: its tag, its attributes, and whether it is inside a member's text.
type Element = (String, Vec<(String, String)>, bool);

fn elements(page: &str, html: &str) -> Vec<Element> {
    // Where member text is shown: reports, pages, the front page, answers on the
    // question pages. (The open-data page uses the page layout for its own text.)
    let selector = if page.starts_with("data/") {
        ".report-body *, .lead *, .answer-body *"
    } else {
        ".report-body *, article.prose *, .lead *, .answer-body *"
    };
    let seen = RefCell::new(Vec::new());
    let content = RefCell::new(Vec::new());
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("*", |el| {
                let attrs = el
                    .attributes()
                    .iter()
                    .map(|a| (a.name(), a.value()))
                    .collect();
                seen.borrow_mut().push((el.tag_name(), attrs, false));
                Ok(())
            }))
            .append_element_content_handler(element!(selector, |el| {
                // The page title above a page's text comes from the theme.
                if el.tag_name() != "h1" {
                    content.borrow_mut().push(seen.borrow().len() - 1);
                }
                Ok(())
            })),
    )
    .expect("lol_html reads the page");
    let mut all = seen.into_inner();
    for i in content.into_inner() {
        all[i].2 = true;
    }
    all
}

/// Nothing a browser would run: no event handlers, no unsafe URLs, no scripts but the
/// theme's own, and only the allowlist in the member's text.
fn assert_inert(page: &str, html: &str) {
    for (tag, attrs, in_content) in elements(page, html) {
        if in_content {
            assert!(
                CONTENT_TAGS.contains(&tag.as_str()),
                "<{tag}> in the text of {page}"
            );
        }
        for (name, value) in &attrs {
            assert!(
                !name.starts_with("on"),
                "{name}= on <{tag}> in {page}: {value}"
            );
            assert_ne!(name, "srcdoc", "srcdoc= on <{tag}> in {page}");
            if in_content {
                assert!(
                    !matches!(name.as_str(), "style" | "formaction" | "action"),
                    "{name}= on <{tag}> in the text of {page}"
                );
            }
            if matches!(
                name.as_str(),
                "href" | "src" | "xlink:href" | "data" | "action" | "formaction"
            ) {
                let url = decode_attr(value);
                assert!(url_is_safe(&url), "{name}={value:?} on <{tag}> in {page}");
            }
            if in_content && name == "class" {
                for class in value.split_whitespace() {
                    assert!(
                        GENERATED_CLASSES.contains(&class),
                        "class {class} (not aktsom's) on <{tag}> in {page}"
                    );
                }
            }
        }
        if tag == "script" {
            let src = attrs.iter().find(|(n, _)| n == "src").map(|(_, v)| v);
            let json = attrs
                .iter()
                .any(|(n, v)| n == "type" && v == "application/json");
            assert!(
                json || src.is_some_and(|s| s.starts_with('/') && s.contains(".js")),
                "a script that is not the theme's in {page}: {attrs:?}"
            );
            assert!(!in_content, "a script in the text of {page}");
        }
        for banned in ["iframe", "object", "embed", "base", "frame", "applet"] {
            assert_ne!(tag, banned, "<{tag}> in {page}");
        }
        if tag == "meta" {
            assert!(
                !attrs.iter().any(|(n, _)| n == "http-equiv"),
                "<meta http-equiv> in {page}"
            );
        }
    }
}

#[test]
fn the_hostile_site_builds_and_nothing_in_it_can_run() {
    let out = built_hostile();
    let pages = html_files(&out.path().join("public"));
    assert!(pages.len() >= 10, "{}", pages.len());
    for (page, html) in &pages {
        assert_inert(page, html);
        // The theme's ids stay unique: raw HTML cannot take them.
        assert!(html.matches("id=\"hovedinnhold\"").count() <= 1, "{page}");
        assert!(!html.contains("__pwned='member name'\">"), "{page}");
    }
    let report = read(
        &out.path()
            .join("public/medlemmer/skadelig-as/2024/index.html"),
    );
    // What was meant as text is still there, as text.
    assert!(
        report.contains("<span lang=\"en\">English</span>"),
        "{report}"
    );
    assert!(report.contains("&lt;script&gt;alert('code')&lt;/script&gt;"));
    assert!(report.contains("<abbr title=\"x\">EHN</abbr>"));
    assert!(report.contains("Et avsnitt i en div."));
    // Characters HTML forbids, raw or as references, are shown as U+FFFD.
    assert!(
        report.contains("entitet\u{fffd}her, C1\u{fffd}her, rått\u{fffd}her, ikke-tegn\u{fffd}her"),
        "{report}"
    );
    assert!(report.contains("kode\u{fffd}her"), "{report}");
    for (page, html) in &pages {
        assert!(!html.chars().any(aktsom::html::forbidden_in_html), "{page}");
    }
    // Unsafe links are dropped and their text kept.
    assert!(report.contains("store bokstaver"));
    assert!(!report.contains("href=\"javascript"));
}

#[test]
fn html_in_front_matter_and_member_strings_is_escaped() {
    let out = built_hostile();
    let p = out.path().join("public");
    let report = read(&p.join("medlemmer/skadelig-as/2024/index.html"));
    assert!(report.contains(
        "<title>&lt;/title&gt;&lt;script&gt;window.__pwned=&#39;report title&#39;&lt;/script&gt;"
    ));
    assert!(report.contains(
        "&lt;img src=x onerror=&quot;window.__pwned=&#39;member name&#39;&quot;&gt;Skadelig &lt;b&gt;AS&lt;/b&gt;"
    ));
    let member = read(&p.join("medlemmer/skadelig-as/index.html"));
    assert!(
        member.contains("&lt;script&gt;window.__pwned=&#39;industry&#39;&lt;/script&gt;Tekstil")
    );
    assert!(member.contains("&lt;svg onload="));
    assert!(member.contains("href=\"https://skadelig.example.no/?a=1&amp;b=2\""));
    let members = read(&p.join("medlemmer/index.html"));
    assert!(members.contains("&lt;img src=x onerror="));
    let page = read(&p.join("om/index.html"));
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;window.__pwned=&#39;page title&#39;"));
    assert!(page.contains("content=\"&quot;&gt;&lt;script&gt;"));
    let feed = read(&p.join("atom.xml"));
    assert!(!feed.contains("<script"), "{feed}");
    assert!(feed.contains("&lt;/title&gt;&lt;script&gt;"), "{feed}");
}

#[test]
fn check_warns_about_everything_it_removes() {
    let o = aktsom(&["check", "--root", fixture("hostile").to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for text in [
        "raw HTML <script> will be removed with its content",
        "raw HTML <img> will be removed",
        "raw HTML <svg> will be removed",
        "raw HTML <math> will be removed",
        "raw HTML <iframe> will be removed",
        "the attribute `onclick` of raw HTML <span> will be removed",
        "the attribute `style` of raw HTML <div> will be removed",
        "link to `javascript:window.__pwned='md-link'` removed",
        "link to `data:text/html;base64,",
    ] {
        assert!(out.contains(text), "{text:?} missing:\n{out}");
    }
    assert!(!out.contains("panicked"));
}

/// Copies the hostile site, lets `edit` break it, and expects `check` and `build` to
/// fail cleanly with `text` in their output, within `limit`.
fn assert_refused(edit: impl FnOnce(&Path), text: &str, limit: Duration) -> String {
    let site = copy_fixture("hostile");
    edit(site.path());
    let start = Instant::now();
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let took = start.elapsed();
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "check must fail:\n{out}\n{}",
        stderr(&o)
    );
    assert!(out.contains(text), "{text:?} missing:\n{}", shorten(&out));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(took < limit, "check took {took:?}");
    assert!(out.len() < 200_000, "the report is {} bytes", out.len());
    let public = site.path().join("public");
    let b = build(site.path(), &public);
    assert_eq!(b.status.code(), Some(1), "build must fail");
    assert!(stderr(&b).contains(text), "{}", shorten(&stderr(&b)));
    assert!(!public.exists());
    out
}

fn build(site: &Path, out: &Path) -> Output {
    aktsom(&[
        "build",
        "--root",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn shorten(s: &str) -> String {
    s.chars().take(4000).collect()
}

fn write_report(site: &Path, body: &str) {
    std::fs::write(
        site.join(GENERATED),
        format!("+++\nyear = 2022\npublished = 2023-03-01\n+++\n\n## Forord\n\n{body}"),
    )
    .unwrap();
}

const QUICK: Duration = Duration::from_secs(20);

#[test]
fn a_website_that_is_not_an_address_is_refused() {
    for website in [
        "https://x.example/\\\" onmouseover=\\\"alert(1)",
        "javascript:alert(1)",
        "https://x.example/<script>",
        "https://x.example/ a",
    ] {
        let out = assert_refused(
            |s| {
                let p = s.join("content/members/skadelig-as/member.toml");
                let text = read(&p);
                let start = text.find("website = ").unwrap();
                let end = start + text[start..].find('\n').unwrap();
                let line = format!("website = \"{website}\"");
                std::fs::write(&p, format!("{}{line}{}", &text[..start], &text[end..])).unwrap();
            },
            "website must be an http(s) address",
            QUICK,
        );
        assert!(
            out.contains("content/members/skadelig-as/member.toml:6:1"),
            "{out}"
        );
    }
}

#[test]
fn a_50_mb_file_is_refused_unread() {
    let out = assert_refused(
        |s| {
            let f = std::fs::File::create(s.join(REPORT)).unwrap();
            f.set_len(50 * 1024 * 1024).unwrap();
        },
        "the file is 50.0 MB; the limit is 5 MB",
        QUICK,
    );
    assert!(out.contains(REPORT));
}

#[test]
fn a_large_member_toml_is_refused() {
    assert_refused(
        |s| {
            let f =
                std::fs::File::create(s.join("content/members/skadelig-as/member.toml")).unwrap();
            f.set_len(6 * 1024 * 1024).unwrap();
        },
        "the limit is 5 MB",
        QUICK,
    );
}

#[test]
fn invalid_utf8_is_an_error_at_the_first_bad_byte() {
    let out = assert_refused(
        |s| {
            std::fs::copy(fixture("hostile/cases/invalid-utf8.md"), s.join(REPORT)).unwrap();
        },
        "the file is not valid UTF-8",
        QUICK,
    );
    assert!(out.contains(&format!("{REPORT}:10:")), "{out}");
}

/// A secret outside the site that no symlink may reach.
fn secret() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2024.md");
    std::fs::write(
        &file,
        "+++\nyear = 2024\npublished = 2025-01-01\n+++\n\nHEMMELIG-INNHOLD\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("member.toml"),
        "name = \"HEMMELIG\"\nsector = \"private\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("hemmelig.png"), b"\x89PNG HEMMELIG").unwrap();
    (dir, file)
}

#[cfg(unix)]
fn assert_symlink_refused(link: &str, target: &Path) {
    let (secret_dir, _) = secret();
    let target = secret_dir.path().join(target);
    let out = assert_refused(
        |s| {
            let at = s.join(link);
            let _ = std::fs::remove_file(&at);
            let _ = std::fs::remove_dir_all(&at);
            std::os::unix::fs::symlink(&target, &at).unwrap();
        },
        "a symbolic link that leads outside the site folder",
        QUICK,
    );
    assert!(!out.contains("HEMMELIG"), "{out}");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_refused() {
    assert_symlink_refused(REPORT, Path::new("2024.md"));
    assert_symlink_refused(
        "content/members/skadelig-as/member.toml",
        Path::new("member.toml"),
    );
    assert_symlink_refused(
        "content/members/skadelig-as/bilde.png",
        Path::new("hemmelig.png"),
    );
    assert_symlink_refused("content/members/utenfor", Path::new(""));
    assert_symlink_refused("content/om.md", Path::new("2024.md"));
}

#[cfg(unix)]
#[test]
fn a_content_folder_linked_from_outside_is_refused() {
    let (secret_dir, _) = secret();
    let site = copy_fixture("hostile");
    let outside = secret_dir.path().join("members");
    copy_dir(&site.path().join("content/members"), &outside);
    std::fs::remove_dir_all(site.path().join("content/members")).unwrap();
    std::os::unix::fs::symlink(&outside, site.path().join("content/members")).unwrap();
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("a symbolic link that leads outside the site folder"),
        "{}",
        stdout(&o)
    );
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_site_are_fine() {
    let site = copy_fixture("hostile");
    let dir = site.path().join("content/members/skadelig-as");
    std::fs::rename(dir.join("bilde.png"), site.path().join("delt.png")).unwrap();
    std::os::unix::fs::symlink(site.path().join("delt.png"), dir.join("bilde.png")).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), &out.path().join("public"), &[]);
    assert!(
        out.path()
            .join("public/medlemmer/skadelig-as/bilde.png")
            .is_file()
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_does_not_hang_the_build() {
    let site = copy_fixture("hostile");
    std::fs::remove_file(site.path().join(REPORT)).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(site.path().join(REPORT))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("this is not a regular file"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn image_paths_stay_in_the_member_folder() {
    for (src, text) in [
        ("../../../site.toml", "leaves the member's folder"),
        ("..%2F..%2Fsite.toml", "leaves the member's folder"),
        ("bilde.png/../../../site.toml", "leaves the member's folder"),
        ("/etc/passwd", "leaves the member's folder"),
        ("..\\\\..\\\\site.toml", "leaves the member's folder"),
        (".hidden.png", "leaves the member's folder"),
        ("javascript:alert(1)", "is not allowed"),
        (
            "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
            "is not allowed",
        ),
        ("jav&#x61;script:alert(1)", "is not allowed"),
        ("file:///etc/passwd", "is not allowed"),
    ] {
        let out = assert_refused(
            |s| write_report(s, &format!("![Et bilde]({src})\n")),
            text,
            QUICK,
        );
        assert!(out.contains(&format!("{GENERATED}:8:1")), "{out}");
    }
}

#[test]
fn deep_nesting_is_a_clear_error() {
    let deep = 10_000;
    let cases = [
        ">".repeat(deep) + " sitat\n",
        "- ".repeat(deep) + "liste\n",
        (0..300)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>(),
        "*".repeat(deep) + "x" + &"*".repeat(deep) + "\n",
        "<div lang=\"en\">".repeat(deep) + "x\n",
        "x <span lang=\"en\">".repeat(deep) + "\n",
        "> - ".repeat(deep) + "<b>x</b>\n",
    ];
    for body in cases {
        let out = assert_refused(
            |s| write_report(s, &body),
            "the text is nested more than 64 levels deep",
            QUICK,
        );
        assert!(
            out.contains(&format!("--> {GENERATED}:")),
            "{}",
            shorten(&out)
        );
    }
}

#[test]
fn a_hundred_thousand_levels_do_not_overflow_the_stack() {
    for body in [
        ">".repeat(100_000) + " x\n",
        "[".repeat(100_000) + "x" + &"]".repeat(100_000) + "\n",
        "<div lang=en>".repeat(100_000) + "\n",
    ] {
        let site = copy_fixture("hostile");
        write_report(site.path(), &body);
        let start = Instant::now();
        let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        assert!(!stderr(&o).contains("overflow") && !stderr(&o).contains("panicked"));
        assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
    }
}

/// Inputs of about 1 MB that would each take many minutes with work that grows with
/// the square of their size. Each must be checked in seconds (the limit is generous,
/// for slow and busy machines) and print a bounded report.
#[test]
fn big_inputs_take_linear_time() {
    let big = |unit: &str| unit.repeat(1_000_000 / unit.len());
    let cases: Vec<(String, &str)> = vec![
        // One very long line, with a warning on it.
        (big("a") + " <b>x</b>\n", "raw HTML <b> will be removed"),
        // A million raw tags: the warnings are capped per file.
        (big("<b>x</b> "), "more warnings in this file"),
        // Many headings with the same text (unique ids).
        (big("## Samme\n\n"), "is empty"),
        // Many images that are not there: the errors are capped too.
        (big("![x](mangler.png) "), "more errors in this file"),
        // Many unsafe links.
        (big("[x](javascript:x) "), "more warnings in this file"),
        // Many footnotes and tables.
        (big("x[^a] "), "Checked"),
        (big("| a |\n|---|\n| b |\n\n"), "Checked"),
    ];
    for (body, text) in cases {
        let site = copy_fixture("hostile");
        write_report(site.path(), &body);
        let start = Instant::now();
        let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
        let took = start.elapsed();
        let out = stdout(&o);
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        assert!(out.contains(text), "{text:?} missing:\n{}", shorten(&out));
        assert!(took < Duration::from_secs(60), "{text}: took {took:?}");
        assert!(
            out.len() < 1_000_000,
            "{text}: the report is {} bytes",
            out.len()
        );
    }
}

#[test]
fn a_long_line_is_shown_shortened() {
    let site = copy_fixture("hostile");
    write_report(site.path(), &("a".repeat(200_000) + " <b>x</b>\n"));
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("raw HTML <b> will be removed"));
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 1000, "a line of {longest} bytes in the report");
}

#[test]
fn hostile_toml_in_front_matter_is_an_error() {
    for fm in [
        "year = 2024\npublished = 2025-03-01\ntitle = ".to_string() + &"[".repeat(100_000) + "\n",
        "year = 2024\npublished = 2025-03-01\n[figures]\nemployees = ".to_string()
            + &"{ a = ".repeat(50_000)
            + "\n",
        "year = 2024\npublished = 2025-03-01\n[figures]\nemployees = inf\n".to_string(),
        "year = 99999999999999999999\n".to_string(),
    ] {
        let site = copy_fixture("hostile");
        std::fs::write(
            site.path().join(REPORT),
            format!("+++\n{fm}+++\n\n## Forord\n\nx\n"),
        )
        .unwrap();
        let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", shorten(&stdout(&o)));
        assert!(
            stdout(&o).contains(&format!("--> {REPORT}:")),
            "{}",
            shorten(&stdout(&o))
        );
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}
