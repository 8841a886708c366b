//! Reading the content, and what of it reaches the page and the terminal: a file or
//! folder that cannot be read is an error with its path and the system's reason
//! (never an empty site); upper-case raw-text HTML blocks end where they end; images
//! come only from the member's folder or allowed hosts; the limits on diagnostics per
//! file and on nesting are one rule each; file names cannot drive the terminal.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const ALFA: &str = "content/members/alfa-kommune";
const ALFA_2024: &str = "content/members/alfa-kommune/2024.md";

/// Runs aktsom and gives up after a minute (a named pipe once made it wait for ever).
fn run(args: &[&str], as_reader: bool) -> Output {
    let bin = env!("CARGO_BIN_EXE_aktsom");
    let mut cmd = if as_reader && running_as_root() {
        // Root reads everything: run as `nobody`, for whom `chmod 000` means something.
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    let mut child = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aktsom runs (setpriv, from util-linux, when the tests run as root)");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("aktsom {args:?} did not finish in a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn running_as_root() -> bool {
    let probe = tempfile::tempfile().unwrap();
    probe.metadata().unwrap().uid() == 0
}

/// A copy of the minimal site that `nobody` may read, and an empty folder it may
/// build into.
fn readable_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&fixture("minimal"), &site);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for (p, mode) in [(dir.path(), 0o755), (site.as_path(), 0o755), (&out, 0o777)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    (dir, site, out)
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn check(site: &Path, as_reader: bool) -> Output {
    run(&["check", "--root", site.to_str().unwrap()], as_reader)
}

fn build(site: &Path, out: &Path, as_reader: bool) -> Output {
    let (site, out) = (site.to_str().unwrap(), out.to_str().unwrap());
    run(&["build", "--root", site, "--out", out], as_reader)
}

/// Whether `check` and `build` both fail with `text` at `shown`, with nothing
/// published: `Err` says what went wrong instead.
fn refused(
    site: &Path,
    out: &Path,
    shown: &str,
    text: &str,
    as_reader: bool,
) -> Result<(), String> {
    let o = check(site, as_reader);
    let report = stdout(&o);
    if o.status.code() != Some(1) || !report.contains(&format!("{text}\n--> {shown}\n")) {
        return Err(format!("{shown}: check says\n{report}{}", stderr(&o)));
    }
    let public = out.join("public");
    let b = build(site, &public, as_reader);
    if b.status.code() != Some(1) || !stderr(&b).contains(text) || public.exists() {
        return Err(format!("{shown}: build says\n{}{}", stdout(&b), stderr(&b)));
    }
    Ok(())
}

/// Every case refused; the failures of all cases at once.
fn assert_all(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `chmod 000` on a folder or file of the site used to publish a site without it
/// (`content/members`: "0 reports", exit 0), or to say the wrong thing.
#[test]
fn unreadable_files_and_folders_are_errors_with_the_reason() {
    // (path, "file" or "folder", what to make before it is closed to readers)
    type Case = (&'static str, &'static str, fn(&Path));
    let cases: [Case; 10] = [
        ("content/members", "folder", |_| {}),
        (ALFA, "folder", |_| {}),
        ("content", "folder", |_| {}),
        ("report-templates", "folder", |_| {}),
        ("site.toml", "file", |_| {}),
        ("content/members/alfa-kommune/bilde.png", "file", |s| {
            std::fs::write(s.join(ALFA).join("bilde.png"), b"\x89PNG").unwrap();
        }),
        ("templates/base.html", "file", |s| {
            std::fs::create_dir(s.join("templates")).unwrap();
            let base = repo_root().join("themes/default/templates/base.html");
            std::fs::copy(base, s.join("templates/base.html")).unwrap();
        }),
        ("i18n/nb.toml", "file", |s| {
            std::fs::create_dir(s.join("i18n")).unwrap();
            let nb = repo_root().join("themes/default/i18n/nb.toml");
            std::fs::copy(nb, s.join("i18n/nb.toml")).unwrap();
        }),
        ("static", "folder", |s| {
            std::fs::create_dir(s.join("static")).unwrap();
            std::fs::write(s.join("static/egen.css"), "p {}").unwrap();
        }),
        ("themes/egen", "folder", |s| {
            std::fs::create_dir_all(s.join("themes/egen")).unwrap();
            std::fs::create_dir(s.join("themes/egen/templates")).unwrap();
            let toml = s.join("site.toml");
            let text =
                read(&toml).replace("default_template", "theme = \"egen\"\ndefault_template");
            std::fs::write(toml, text).unwrap();
        }),
    ];
    let mut failures = Vec::new();
    for (path, what, prepare) in cases {
        let (_dir, site, out) = readable_site();
        prepare(&site);
        let (shown, target) = match path {
            "i18n/nb.toml" => (path, site.join("i18n")),
            "themes/egen" => (path, site.join("themes")),
            _ => (path, site.join(path)),
        };
        chmod(&target, 0o000);
        let text = format!("error: cannot read the {what}: Permission denied (os error 13)");
        failures.extend(refused(&site, &out, shown, &text, true).err());
        chmod(&target, 0o755);
    }
    assert_all(failures);
}

/// A link that leads to itself, or to nothing, is not a link "outside the site".
#[test]
fn symlink_loops_and_links_to_nothing_are_errors_with_the_reason() {
    let mut failures = Vec::new();
    for (link, what) in [
        ("content/members/ring", "folder"),
        ("content/members/alfa-kommune/2030.md", "file"),
        ("content/members/alfa-kommune/member.toml", "file"),
        ("content/members/alfa-kommune/bilde.png", "file"),
        ("content/ring.md", "file"),
    ] {
        let (_dir, site, out) = readable_site();
        let at = site.join(link);
        let _ = std::fs::remove_file(&at);
        // a → b → a
        let other = at.with_file_name("ring-b");
        symlink(&other, &at).unwrap();
        symlink(&at, &other).unwrap();
        let text = format!(
            "error: cannot read the {what}: Too many levels of symbolic links (os error 40)"
        );
        failures.extend(refused(&site, &out, link, &text, false).err());

        // A link to nothing, inside the site, is not one "outside the site" either.
        std::fs::remove_file(&other).unwrap();
        let text = format!("error: cannot read the {what}: No such file or directory (os error 2)");
        failures.extend(refused(&site, &out, link, &text, false).err());
    }
    assert_all(failures);
}

/// A named pipe where a file is read is neither "not found" nor a build that waits
/// for ever.
#[test]
fn a_named_pipe_is_an_error_not_a_missing_file() {
    let mut failures = Vec::new();
    for path in [
        "content/members/alfa-kommune/member.toml",
        "content/members/alfa-kommune/bilde.png",
        "content/side.md",
        "report-templates/2025.toml",
        "site.toml",
        "templates/base.html",
        "static/egen.css",
        "i18n/en.toml",
    ] {
        let (_dir, site, out) = readable_site();
        let at = site.join(path);
        let _ = std::fs::remove_file(&at);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        let made = Command::new("mkfifo")
            .arg(&at)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let text = "error: this is not a regular file (it is a named pipe)";
        failures.extend(refused(&site, &out, path, text, false).err());
    }
    assert_all(failures);
}

/// The question anchors of a report, in its built page.
fn anchors(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let id = &rest[..rest.find('"').unwrap_or(0)];
        let b = id.as_bytes();
        let numbered = b.first().is_some_and(|c| c.is_ascii_digit())
            && id.split('-').count() <= 3
            && !id.starts_with("fn");
        if numbered {
            found.push(id.to_string());
        }
    }
    found
}

/// An upper-case `<SCRIPT>`, `<STYLE>`, `<PRE>` or `<TEXTAREA>` block turned the rest of
/// a sample report into raw text: its question anchors went from many to none.
#[test]
fn upper_case_raw_text_blocks_leave_the_report_whole() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    for d in ["content", "report-templates"] {
        copy_dir(&repo_root().join(d), &site.join(d));
    }
    std::fs::copy(repo_root().join("site.toml"), site.join("site.toml")).unwrap();
    let report = site.join("content/members/fjordvik-kommune/2024.md");
    let page = "medlemmer/fjordvik-kommune/2024/index.html";
    let original = read(&report);
    let before = anchors(&read(&build_to(&site, dir.path(), "plain").join(page)));
    assert!(before.len() > 20, "{before:?}");
    for tag in ["SCRIPT", "Style", "PRE", "TextArea"] {
        // After the front matter: everything after the block is at stake.
        let block = format!("<{tag}>\nvar x = 1;\n\nvar y = 2;\n</{tag}>\n\n");
        let at = original.match_indices("+++\n").nth(1).unwrap().0 + 4;
        let text = format!("{}\n{block}{}", &original[..at], &original[at..]);
        std::fs::write(&report, text).unwrap();
        let after = anchors(&read(&build_to(&site, dir.path(), tag).join(page)));
        assert_eq!(after, before, "<{tag}> … </{tag}>");
    }
}

fn build_to(site: &Path, dir: &Path, name: &str) -> PathBuf {
    let public = dir.join(format!("public-{name}"));
    common::build_ok(site, &public, &[]);
    public
}

fn check_json(site: &Path) -> (Option<i32>, Vec<Value>) {
    let o = aktsom(&[
        "check",
        "--root",
        site.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(&o)));
    (o.status.code(), v.as_array().expect("an array").clone())
}

fn append(site: &Path, file: &str, text: &str) {
    let p = site.join(file);
    let s = read(&p);
    std::fs::write(p, s + text).unwrap();
}

/// A report could carry a tracking pixel: every reader's browser would call another
/// site. Images come from the member's folder, or from hosts site.toml allows.
#[test]
fn images_from_other_sites_need_an_allowed_host() {
    let site = copy_fixture("minimal");
    append(
        site.path(),
        ALFA_2024,
        "\n![Piksel](https://sporing.example.com/p.png)\n\n![Bilde][ref]\n\n<img src=\"https://sporing.example.com/raw.png\">\n\n[ref]: https://bilder.example.no/fabrikk.png\n",
    );
    let (code, list) = check_json(site.path());
    assert_eq!(code, Some(1));
    let remote: Vec<&Value> = list
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("image from another site")
        })
        .collect();
    let text = read(&site.path().join(ALFA_2024));
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let at: Vec<String> = remote
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["severity"]
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            format!("{ALFA_2024}:{}:1 \"error\"", line_of("![Piksel]")),
            format!("{ALFA_2024}:{}:1 \"error\"", line_of("![Bilde]")),
        ],
        "{list:#?}"
    );
    assert!(
        remote[0]["help"]
            .as_str()
            .unwrap()
            .contains("[images] allowed_hosts"),
        "{:#?}",
        remote[0]
    );

    // Allowed: the one host, over https.
    append(
        site.path(),
        "site.toml",
        "\n[images]\nallowed_hosts = [\"Bilder.Example.no\"]\n",
    );
    let (_, list) = check_json(site.path());
    let remote: Vec<&Value> = list
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("image from another site")
        })
        .collect();
    assert_eq!(remote.len(), 1, "{list:#?}");
    assert_eq!(remote[0]["line"], line_of("![Piksel]"));
    let report = site.path().join(ALFA_2024);
    let text = read(&report).replace("![Piksel](https://sporing.example.com/p.png)", "");
    std::fs::write(&report, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    common::build_ok(site.path(), out.path(), &[]);
    let page = read(&out.path().join("medlemmer/alfa-kommune/2024/index.html"));
    assert!(
        page.contains("src=\"https://bilder.example.no/fabrikk.png\""),
        "{page}"
    );
    assert!(!page.contains("sporing.example.com"), "{page}");

    // Only host names.
    for bad in [
        "https://bilder.example.no/",
        "bilder.example.no/x",
        "*.example.no",
        "",
    ] {
        let toml = site.path().join("site.toml");
        let text = read(&toml);
        let start = text.find("allowed_hosts").unwrap();
        std::fs::write(
            &toml,
            format!("{}allowed_hosts = [\"{bad}\"]\n", &text[..start]),
        )
        .unwrap();
        let (code, list) = check_json(site.path());
        assert_eq!(code, Some(1));
        assert!(
            list.iter().any(|d| d["file"] == "site.toml"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("is not a host name")),
            "{bad}: {list:#?}"
        );
    }
}

/// 100,000 unknown figures printed 23 MB: the limit of 100 errors per file holds for
/// figures too, and over all that `check` finds in one file.
#[test]
fn at_most_a_hundred_errors_and_warnings_per_file() {
    let site = copy_fixture("minimal");
    let figures: String = (0..100_000).map(|i| format!("ukjent_{i} = 1\n")).collect();
    std::fs::write(
        site.path().join(ALFA_2024),
        format!("+++\nyear = 2024\npublished = 2025-03-01\n\n[figures]\n{figures}+++\n\n## Forord\n\nTekst.\n"),
    )
    .unwrap();
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(out.matches("error: unknown figure").count(), 100);
    assert!(
        out.contains("error: 99900 more errors in this file"),
        "{}",
        &out[out.len() - 2000..]
    );
    assert!(out.len() < 100_000, "{} bytes", out.len());
    // The count is of every error, shown or not.
    assert!(
        out.contains(": 100000 errors, "),
        "{}",
        &out[out.len() - 300..]
    );

    // Front matter and text together, and warnings from rendering and from the
    // analyses of `check` together.
    let figures: String = (0..80).map(|i| format!("ukjent_{i} = 1\n")).collect();
    let images: String = (0..80)
        .map(|i| format!("![x](mangler-{i}.png)\n\n"))
        .collect();
    std::fs::write(
        site.path().join(ALFA_2024),
        format!("+++\nyear = 2024\npublished = 2025-03-01\n\n[figures]\n{figures}+++\n\n## Forord\n\n{images}"),
    )
    .unwrap();
    let no_alt: String = (0..80).map(|_| "![](bilde.png)\n\n").collect();
    let empty: String = (0..80).map(|i| format!("## Tom {i}\n\n")).collect();
    let beta = "content/members/beta-tekstil/2024.md";
    append(site.path(), beta, &format!("\n{no_alt}{empty}"));
    std::fs::write(
        site.path().join("content/members/beta-tekstil/bilde.png"),
        b"\x89PNG",
    )
    .unwrap();
    let (_, list) = check_json(site.path());
    let count = |file: &str, severity: &str| {
        list.iter()
            .filter(|d| d["file"] == file && d["severity"] == severity)
            .count()
    };
    let note = |file: &str, text: &str| {
        list.iter()
            .any(|d| d["file"] == file && d["message"] == text)
    };
    assert_eq!(count(ALFA_2024, "error"), 101, "{list:#?}");
    assert!(note(ALFA_2024, "60 more errors in this file"), "{list:#?}");
    let warnings = count(beta, "warning");
    assert_eq!(warnings, 101, "{list:#?}");
    assert!(list.iter().any(|d| {
        d["file"] == beta
            && d["message"]
                .as_str()
                .unwrap()
                .ends_with("more warnings in this file")
    }));
}

/// The README promised 64 levels; lists stopped at 32 and quotes and emphasis at 63.
#[test]
fn every_kind_of_nesting_stops_at_64_levels() {
    let quotes = |n: usize| ">".repeat(n) + " sitat\n";
    let lists = |n: usize| {
        (0..n)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>()
    };
    let emphasis = |n: usize| {
        let m = |i: usize| if i.is_multiple_of(2) { "*" } else { "_" };
        let open: String = (0..n).map(|i| format!("{}a ", m(i))).collect();
        let close: String = (0..n).rev().map(|i| format!(" a{}", m(i))).collect();
        format!("{open}x{close}\n")
    };
    let cases: [(&str, &dyn Fn(usize) -> String); 3] = [
        ("quotes", &quotes),
        ("lists", &lists),
        ("emphasis", &emphasis),
    ];
    for (what, make) in cases {
        for (levels, refused) in [(64, false), (65, true)] {
            let site = copy_fixture("minimal");
            append(
                site.path(),
                ALFA_2024,
                &format!("\n## Dypt\n\n{}", make(levels)),
            );
            let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
            let said = stdout(&o).contains("the text is nested more than 64 levels deep");
            assert_eq!(said, refused, "{what}, {levels} levels:\n{}", stdout(&o));
        }
    }
}

/// A file or folder name with terminal escape codes was printed as it is by `check`.
#[test]
fn names_and_lines_with_escape_codes_are_printed_escaped() {
    let site = copy_fixture("minimal");
    let red = "content/members/\x1b[31mrod\x1b]0;tittel\x07";
    std::fs::create_dir(site.path().join(red)).unwrap();
    append(site.path(), ALFA_2024, "\nSkjult \x1b[2J<b>fet</b>\n");
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert!(!out.contains(['\x1b', '\x07']), "{out:?}");
    assert!(
        out.contains("--> content/members/\\u{1b}[31mrod\\u{1b}]0;tittel\\u{7}\n"),
        "{out}"
    );
    assert!(out.contains("Skjult \\u{1b}[2J<b>fet</b>"), "{out}");
    let b = aktsom(&[
        "build",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        site.path().join("p").to_str().unwrap(),
    ]);
    assert!(!stderr(&b).contains(['\x1b', '\x07']), "{:?}", stderr(&b));
    // JSON keeps every text exact.
    let (_, list) = check_json(site.path());
    assert!(list.iter().any(|d| d["file"] == red), "{list:#?}");
    assert!(
        list.iter()
            .any(|d| d["message"].as_str().unwrap().contains("\x1b[31mrod")),
        "{list:#?}"
    );
}
