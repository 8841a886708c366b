//! `aktsom check` on fixture sites: every check with its severity, file, line and
//! column; all problems at once; the JSON schema; exit codes; nothing written; and
//! `build` refusing exactly what `check` calls an error.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const ALFA_2023: &str = "content/members/alfa-kommune/2023.md";
const ALFA_2024: &str = "content/members/alfa-kommune/2024.md";
const BETA_2024: &str = "content/members/beta-tekstil/2024.md";

fn check(site: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--root", site.to_str().unwrap()];
    args.extend_from_slice(extra);
    aktsom(&args)
}

fn check_json(site: &Path) -> (Option<i32>, Vec<Value>) {
    let o = check(site, &["--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(&o)));
    (o.status.code(), v.as_array().expect("an array").clone())
}

fn replace_in(site: &Path, file: &str, from: &str, to: &str) {
    let p = site.join(file);
    let s = read(&p);
    assert!(s.contains(from), "{from} not in {file}");
    std::fs::write(p, s.replacen(from, to, 1)).unwrap();
}

fn append_to(site: &Path, file: &str, text: &str) {
    let p = site.join(file);
    let s = read(&p);
    std::fs::write(p, s + text).unwrap();
}

/// Finds the diagnostic at `file:line:column` with `text` in its message.
fn find<'a>(list: &'a [Value], severity: &str, location: &str, text: &str) -> &'a Value {
    list.iter()
        .find(|d| {
            let at = format!(
                "{}:{}:{}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            );
            d["severity"] == severity
                && at == location
                && d["message"].as_str().unwrap().contains(text)
        })
        .unwrap_or_else(|| {
            panic!(
                "no {severity} at {location} with {text:?} in:\n{}",
                serde_json::to_string_pretty(list).unwrap()
            )
        })
}

/// Breaks a copy of the minimal fixture with `edit`; `check` must report an error at
/// `location` (exit 1, with a snippet and a hint), and `build` must refuse to publish
/// for the same error.
fn assert_error(edit: impl FnOnce(&Path), location: &str, text: &str) -> Value {
    let site = copy_fixture("minimal");
    edit(site.path());
    let (code, list) = check_json(site.path());
    assert_eq!(code, Some(1), "check must exit 1");
    let d = find(&list, "error", location, text).clone();
    assert!(d["help"].is_string(), "every error has a hint: {d}");

    let human = check(site.path(), &[]);
    let out = stdout(&human);
    assert_eq!(human.status.code(), Some(1));
    assert!(out.contains(&format!("--> {location}")), "{out}");
    assert!(out.contains("help: "), "{out}");
    assert!(out.contains('^'), "a caret under the problem:\n{out}");
    assert!(!out.contains("panicked") && !stderr(&human).contains("panicked"));

    let public = site.path().join("public");
    let b = aktsom(&[
        "build",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        public.to_str().unwrap(),
    ]);
    let err = stderr(&b);
    assert_eq!(b.status.code(), Some(1), "build must refuse:\n{err}");
    assert!(err.contains(location) && err.contains(text), "{err}");
    assert!(!public.exists(), "a failed build wrote output");
    d
}

/// Like [`assert_error`] for a warning: reported where expected, and neither `check`
/// (exit 0) nor `build` fails because of it.
fn assert_warning(edit: impl FnOnce(&Path), location: &str, text: &str) -> Value {
    let site = copy_fixture("minimal");
    edit(site.path());
    let (code, list) = check_json(site.path());
    let d = find(&list, "warning", location, text).clone();
    assert!(d["help"].is_string(), "every warning has a hint: {d}");
    assert_eq!(code, Some(0), "warnings alone do not fail check");
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), &out.path().join("public"), &[]);
    d
}

// ---- Errors: the same as `build`'s ----

#[test]
fn error_front_matter_type() {
    assert_error(
        |s| replace_in(s, ALFA_2024, "year = 2024", "year = \"2024\""),
        &format!("{ALFA_2024}:2:8"),
        "invalid type",
    );
}

#[test]
fn error_unknown_key_suggests() {
    let d = assert_error(
        |s| replace_in(s, ALFA_2024, "published =", "publised ="),
        &format!("{ALFA_2024}:3:1"),
        "unknown key `publised`",
    );
    assert_eq!(d["help"], "did you mean `published`?");
}

#[test]
fn error_year_against_file_name() {
    assert_error(
        |s| replace_in(s, ALFA_2024, "year = 2024", "year = 2023"),
        &format!("{ALFA_2024}:2:8"),
        "year 2023 does not match the file name 2024.md",
    );
}

#[test]
fn error_duplicate_question() {
    let d = assert_error(
        |s| append_to(s, ALFA_2024, "\n#### 2.A.3 Igjen\n\nEn gang til.\n"),
        &format!("{ALFA_2024}:40:1"),
        "question 2.A.3 appears twice",
    );
    assert!(d["help"].as_str().unwrap().contains("line 31"), "{d}");
}

#[test]
fn error_question_not_in_template() {
    let d = assert_error(
        |s| {
            replace_in(
                s,
                ALFA_2024,
                "#### 2.A.3 Prioriterte",
                "#### 2.A.4 Prioriterte",
            )
        },
        &format!("{ALFA_2024}:31:1"),
        "2.A.4 is not a question of template version 2024",
    );
    assert!(
        d["help"].as_str().unwrap().contains("did you mean 2.A.3?"),
        "{d}"
    );
}

#[test]
fn error_unknown_figure_suggests() {
    let d = assert_error(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employes = 1250"),
        &format!("{ALFA_2024}:6:1"),
        "unknown figure `employes`",
    );
    assert_eq!(d["help"], "did you mean `employees`?");
}

#[test]
fn error_negative_figure() {
    assert_error(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employees = -1250"),
        &format!("{ALFA_2024}:6:13"),
        "figure `employees` is negative",
    );
}

#[test]
fn error_non_numeric_figure() {
    assert_error(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employees = \"1 250\""),
        &format!("{ALFA_2024}:6:13"),
        "figure `employees` is not a number",
    );
    assert_error(
        |s| replace_in(s, ALFA_2024, "employees = 1250", "employees = nan"),
        &format!("{ALFA_2024}:6:13"),
        "figure `employees` is not a number",
    );
}

#[test]
fn error_broken_internal_link() {
    assert_error(
        |s| replace_in(s, ALFA_2023, "../2024/#2-a-3", "../2022/"),
        &format!("{ALFA_2023}:22:76"),
        "the link `../2022/` leads to a page that does not exist",
    );
}

#[test]
fn error_broken_anchor() {
    assert_error(
        |s| replace_in(s, ALFA_2023, "../2024/#2-a-3", "../2024/#2-a-9"),
        &format!("{ALFA_2023}:22:76"),
        "anchor #2-a-9 that does not exist",
    );
}

#[test]
fn error_missing_image_file() {
    let d = assert_error(
        |s| {
            std::fs::write(
                s.join("content/members/alfa-kommune/fabrikk.png"),
                b"\x89PNG\r\n",
            )
            .unwrap();
            append_to(s, ALFA_2024, "\nEt bilde: ![Fabrikken](fabrik.png)\n");
        },
        &format!("{ALFA_2024}:40:11"),
        "image file `fabrik.png` not found",
    );
    assert_eq!(d["help"], "did you mean `fabrikk.png`?");
}

#[test]
fn error_level_one_heading() {
    assert_error(
        |s| replace_in(s, ALFA_2024, "## Forord", "# Forord"),
        &format!("{ALFA_2024}:10:1"),
        "a level-1 heading",
    );
}

// ---- Warnings: `check` only adds these; nothing stops the build ----

#[test]
fn warning_questions_out_of_order() {
    // Part 1 moved after part 2: one warning, at the first heading out of place.
    let d = assert_warning(
        |s| {
            let p = s.join(ALFA_2024);
            let text = read(&p);
            let (head, rest) = text.split_at(text.find("## 1 Forankring").unwrap());
            let (part1, part2) = rest.split_at(rest.find("## 2 Kartlegging").unwrap());
            std::fs::write(&p, format!("{head}{part2}\n{part1}")).unwrap();
        },
        &format!("{ALFA_2024}:32:1"),
        "question 1 comes after 2.A.3",
    );
    assert!(
        d["help"].as_str().unwrap().contains("template's order"),
        "{d}"
    );
    let site = copy_fixture("minimal");
    let (_, list) = check_json(site.path());
    assert!(
        !list
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("comes after")),
        "the fixture is in order"
    );
}

#[test]
fn warning_template_question_missing() {
    let d = assert_warning(|_| {}, &format!("{BETA_2024}:15:1"), "question 1.A.1");
    assert_eq!(
        d["message"],
        "question 1.A.1 (Link to the policy) of template version 2024 is not answered"
    );
    assert!(d["help"].as_str().unwrap().contains("#### 1.A.1"), "{d}");
    // Several missing at the end of a report are reported together.
    assert_warning(
        |s| {
            let p = s.join(ALFA_2024);
            let text = read(&p);
            std::fs::write(&p, &text[..text.find("## 1 Forankring").unwrap()]).unwrap();
            append_to(
                s,
                ALFA_2024,
                "## 2 Kartlegging\n\n#### 2.A.3 Risiko\n\nTekst.\n",
            );
        },
        &format!("{ALFA_2024}:19:1"),
        "question 1.A.1",
    );
}

#[test]
fn warning_member_without_reports() {
    let d = assert_warning(
        |s| {
            let dir = s.join("content/members/gamma-as");
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(
                dir.join("member.toml"),
                "name = \"Gamma AS\"\nsector = \"private\"\n",
            )
            .unwrap();
        },
        "content/members/gamma-as/member.toml:1:1",
        "member `gamma-as` has no reports",
    );
    assert!(d["help"].as_str().unwrap().contains("<year>.md"), "{d}");
}

#[test]
fn warning_image_without_alt_text() {
    assert_warning(
        |s| {
            std::fs::write(
                s.join("content/members/alfa-kommune/fabrikk.png"),
                b"\x89PNG\r\n",
            )
            .unwrap();
            append_to(s, ALFA_2024, "\n![](fabrikk.png)\n");
        },
        &format!("{ALFA_2024}:40:1"),
        "image without alt text",
    );
}

#[test]
fn warning_skipped_heading_level() {
    assert_warning(
        |s| {
            replace_in(
                s,
                ALFA_2024,
                "Forordet for 2024.\n",
                "Forordet for 2024.\n\n#### Detaljer\n\nTekst.\n",
            )
        },
        &format!("{ALFA_2024}:14:1"),
        "heading level skipped: `####` after `##`",
    );
    assert_warning(
        |s| replace_in(s, ALFA_2024, "## Forord", "### Forord"),
        &format!("{ALFA_2024}:10:1"),
        "the first heading is level 3",
    );
}

#[test]
fn warning_empty_section() {
    assert_warning(
        |s| {
            replace_in(
                s,
                ALFA_2024,
                "## 1 Forankring",
                "## Tomt\n\n<!-- skrives senere -->\n\n## 1 Forankring",
            )
        },
        &format!("{ALFA_2024}:19:1"),
        "the section `Tomt` is empty",
    );
    let d = assert_warning(
        |s| replace_in(s, ALFA_2024, "Samme som i fjor.\n", ""),
        &format!("{ALFA_2024}:23:1"),
        "the section `1.A.1 Lenke` is empty",
    );
    assert!(
        d["help"].as_str().unwrap().contains("does not apply"),
        "{d}"
    );
}

#[test]
fn warning_raw_html_removed() {
    let site = copy_fixture("minimal");
    let (code, list) = check_json(site.path());
    assert_eq!(code, Some(0));
    find(
        &list,
        "warning",
        &format!("{ALFA_2024}:14:1"),
        "raw HTML <script> will be removed with its content",
    );
    find(
        &list,
        "warning",
        &format!("{ALFA_2024}:16:45"),
        "raw HTML <a> will be removed",
    );
    find(
        &list,
        "warning",
        &format!("{ALFA_2024}:16:12"),
        "link to `javascript:alert(1)` removed",
    );
}

#[test]
fn warning_removed_attribute() {
    assert_warning(
        |s| {
            append_to(
                s,
                ALFA_2024,
                "\n<span lang=\"en\" onclick=\"x()\">Hi</span>\n",
            )
        },
        &format!("{ALFA_2024}:40:17"),
        "the attribute `onclick` of raw HTML <span> will be removed",
    );
}

// ---- The command as a whole ----

#[test]
fn reports_every_problem_at_once() {
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(s, ALFA_2024, "year = 2024", "year = 2022");
    replace_in(s, ALFA_2023, "employees = 1200", "employees = \"mange\"");
    replace_in(s, BETA_2024, "published =", "publisert =");
    append_to(
        s,
        "content/tilgjengelighet.md",
        "\n### Kontakt\n\nSkriv til oss.\n",
    );
    let o = check(s, &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for text in [
        "does not match the file name",
        "is not a number",
        "unknown key `publisert`",
        "the first heading is level 3",
        // A report with an error in its front matter still has its text checked.
        "raw HTML <script>",
    ] {
        assert!(out.contains(text), "{text} missing:\n{out}");
    }
    // Errors first, then warnings, and a summary with both counts.
    let first_warning = out.find("warning:").unwrap();
    assert!(out.rfind("error:").unwrap() < first_warning, "{out}");
    // Beta's 2024 report, with an unknown key, still has its questions analysed.
    assert!(
        out.contains(&format!("--> {BETA_2024}:15:1")),
        "question 1.A.1 not answered, in beta's 2024 report:\n{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last == "Checked 2 members, 3 reports and 1 page: 3 errors, 6 warnings",
        "{last}"
    );
    // Links are checked once the content loads without errors.
    assert!(out.contains("note: links"), "{out}");
}

#[test]
fn a_clean_site_passes() {
    let o = check(&fixture("minimal"), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).ends_with("Checked 2 members, 3 reports and 1 page: 0 errors, 5 warnings\n"),
        "{}",
        stdout(&o)
    );
    // The bundled sample site has no errors.
    let o = check(&repo_root(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn json_has_a_stable_schema() {
    let site = copy_fixture("minimal");
    replace_in(site.path(), ALFA_2024, "year = 2024", "year = 2022");
    let (code, list) = check_json(site.path());
    assert_eq!(code, Some(1));
    assert!(!list.is_empty());
    for d in &list {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 7, "{d}");
        for k in [
            "severity", "file", "line", "column", "message", "help", "note",
        ] {
            assert!(keys.contains(&k), "{k} missing in {d}");
        }
        assert!(d["severity"] == "error" || d["severity"] == "warning");
        assert!(d["file"].is_string() && d["line"].is_u64() && d["column"].is_u64());
        assert!(d["help"].is_string() || d["help"].is_null());
        assert!(d["note"].is_string() || d["note"].is_null());
        assert!(!d["file"].as_str().unwrap().contains('\\'));
    }
    // Errors come first.
    assert_eq!(list[0]["severity"], "error");
    assert_eq!(list[0]["file"], ALFA_2024);
    assert_eq!(list[0]["line"], 2);
    assert_eq!(list[0]["column"], 8);
}

#[test]
fn check_writes_nothing() {
    let site = copy_fixture("minimal");
    let before = tree(site.path());
    let o = check(site.path(), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(tree(site.path()), before, "check changed the site folder");
    assert!(!site.path().join("public").exists());
}

#[test]
fn drafts_are_analysed_and_rendered_on_request() {
    let site = copy_fixture("minimal");
    let draft = "content/members/beta-tekstil/2025.md";
    // A broken link in the draft: `build` without --drafts never renders it, so
    // neither does `check`; with --drafts both do.
    append_to(site.path(), draft, "\nSe [her](../2019/).\n");
    let o = check(site.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("the report answers none of the 2 questions"));
    let o = check(site.path(), &["--drafts"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(&format!("--> {draft}:13:10")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_site_that_cannot_load_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = check(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("no site.toml"), "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with(": 1 error, 0 warnings\n"),
        "{}",
        stdout(&o)
    );
}

// ---- One file's problems all at once ----

/// Every error of `list`, as `file:line:column: message`.
fn errors_of(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{}:{}:{}: {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// `build` refuses the site, naming every error `check` found.
fn build_names_every_error(site: &Path, errors: &[String]) {
    let public = site.join("public");
    let b = aktsom(&[
        "build",
        "--root",
        site.to_str().unwrap(),
        "--out",
        public.to_str().unwrap(),
    ]);
    let err = stderr(&b);
    assert_eq!(b.status.code(), Some(1), "build must refuse:\n{err}");
    for e in errors {
        let (at, message) = e.split_once(": ").unwrap();
        assert!(
            err.contains(&format!("--> {at}")) && err.contains(message),
            "{e} not in:\n{err}"
        );
    }
    assert!(!public.exists(), "a failed build wrote output");
}

#[test]
fn front_matter_errors_hide_nothing_in_the_text() {
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(
        s,
        ALFA_2024,
        "published =",
        "forfatter = \"Kari\"\npublished =",
    );
    append_to(
        s,
        ALFA_2024,
        "\n#### 2.A.3 Igjen\n\nEn gang til: ![Fabrikken](fabrik.png)\n",
    );
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    assert_eq!(
        errors,
        [
            format!("{ALFA_2024}:3:1: unknown key `forfatter`"),
            format!("{ALFA_2024}:41:1: question 2.A.3 appears twice"),
            format!("{ALFA_2024}:43:14: image file `fabrik.png` not found"),
        ],
        "{list:#?}"
    );
    // The text's warnings too.
    find(
        &list,
        "warning",
        &format!("{ALFA_2024}:15:1"),
        "raw HTML <script>",
    );
    build_names_every_error(s, &errors);
}

#[test]
fn every_front_matter_key_is_checked_on_its_own() {
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(
        s,
        ALFA_2024,
        "year = 2024\npublished = 2025-03-01\n",
        "yaer = 2024\ndraft = \"ja\"\npublisert = 2025-03-01\nlanguage = 7\n",
    );
    replace_in(
        s,
        ALFA_2024,
        "#### 2.A.3 Prioriterte",
        "#### 2.A.4 Prioriterte",
    );
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    // A missing `year` or `published` is not reported beside the unknown key that
    // stands for it; with `draft` not a boolean, whether `published` is needed is not
    // known.
    assert_eq!(
        errors,
        [
            format!("{ALFA_2024}:2:1: unknown key `yaer`"),
            format!("{ALFA_2024}:3:9: invalid type: string \"ja\", expected a boolean"),
            format!("{ALFA_2024}:4:1: unknown key `publisert`"),
            format!("{ALFA_2024}:5:12: invalid type: integer `7`, expected a string"),
            format!("{ALFA_2024}:33:1: 2.A.4 is not a question of template version 2024"),
        ],
        "{list:#?}"
    );
    let yaer = find(&list, "error", &format!("{ALFA_2024}:2:1"), "yaer");
    assert_eq!(yaer["help"], "did you mean `year`?");
    // Without the unknown key that stands for it, a missing key is an error of its own.
    let site = copy_fixture("minimal");
    replace_in(site.path(), ALFA_2024, "year = 2024\n", "");
    let (_, list) = check_json(site.path());
    let d = find(
        &list,
        "error",
        &format!("{ALFA_2024}:1:1"),
        "the front matter has no `year`",
    );
    assert_eq!(d["help"], "add year = 2024, the year of the file name");
    build_names_every_error(site.path(), &errors_of(&list));
}

#[test]
fn the_text_of_a_report_with_front_matter_errors_is_analysed() {
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(s, ALFA_2024, "employees = 1250", "employes = 1250");
    replace_in(
        s,
        ALFA_2024,
        "Forordet for 2024.\n",
        "Forordet for 2024.\n\n#### Detaljer\n\nTekst.\n",
    );
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    find(
        &list,
        "error",
        &format!("{ALFA_2024}:6:1"),
        "unknown figure",
    );
    find(
        &list,
        "warning",
        &format!("{ALFA_2024}:14:1"),
        "heading level skipped: `####` after `##`",
    );
}

#[test]
fn a_front_matter_that_cannot_be_read_says_the_text_was_not_checked() {
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(s, ALFA_2024, "published = 2025", "published 2025");
    append_to(s, ALFA_2024, "\n#### 2.A.3 Igjen\n\nEn gang til.\n");
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    assert_eq!(errors.len(), 1, "the text is not checked: {list:#?}");
    let d = find(&list, "error", &format!("{ALFA_2024}:3:11"), "expected `=`");
    assert_eq!(
        d["note"],
        "the report's text was not checked, since its front matter cannot be read"
    );
    let out = stdout(&check(s, &[]));
    assert!(
        out.contains(
            "help: see docs/content-format.md for the expected keys and types\n\
             note: the report's text was not checked, since its front matter cannot be read\n"
        ),
        "{out}"
    );
    build_names_every_error(s, &errors);

    // Nor is it without a template version to check it against.
    let site = copy_fixture("minimal");
    let s = site.path();
    replace_in(
        s,
        ALFA_2024,
        "year = 2024\n",
        "year = 2024\ntemplate = \"2019\"\n",
    );
    append_to(s, ALFA_2024, "\n#### 2.A.3 Igjen\n\nEn gang til.\n");
    let (_, list) = check_json(s);
    assert_eq!(errors_of(&list).len(), 1, "{list:#?}");
    let d = find(
        &list,
        "error",
        &format!("{ALFA_2024}:3:12"),
        "there is no template version \"2019\"",
    );
    assert_eq!(
        d["note"],
        "the report's text was not checked, since its template version is not known"
    );
}

#[test]
fn a_member_toml_error_hides_nothing_in_its_reports() {
    let site = copy_fixture("minimal");
    let s = site.path();
    append_to(
        s,
        "content/members/alfa-kommune/member.toml",
        "styreleder = \"Kari\"\n",
    );
    append_to(s, ALFA_2024, "\n#### 2.A.3 Igjen\n\nEn gang til.\n");
    replace_in(s, ALFA_2023, "../2024/#2-a-3", "../2024/#2-a-3 ");
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    assert_eq!(
        errors,
        [
            format!("{ALFA_2024}:40:1: question 2.A.3 appears twice"),
            "content/members/alfa-kommune/member.toml:6:1: unknown key `styreleder`".to_string(),
        ],
        "{list:#?}"
    );
    // Its other report, without errors, has its warnings.
    let o = check(s, &[]);
    assert!(
        stdout(&o).contains("Checked 2 members, 3 reports and 1 page: 2 errors,"),
        "{}",
        stdout(&o)
    );
    build_names_every_error(s, &errors);
}

#[test]
fn a_page_with_front_matter_errors_has_its_text_checked() {
    let site = copy_fixture("minimal");
    let s = site.path();
    let page = "content/tilgjengelighet.md";
    replace_in(s, page, "title =", "tittel =");
    append_to(s, page, "\n# Kontakt\n\n### Adresse\n\nGata 1.\n");
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    assert_eq!(
        errors,
        [
            format!("{page}:2:1: unknown key `tittel`"),
            format!("{page}:7:1: a level-1 heading (`#`) in the text"),
        ],
        "{list:#?}"
    );
    build_names_every_error(s, &errors);
}

#[test]
fn links_are_checked_beside_files_with_errors() {
    let site = copy_fixture("minimal");
    let s = site.path();
    // Alfa's 2024 report does not load: links to it wait, since its sections are not
    // known (alfa's 2023 report links to its #2-a-3).
    replace_in(s, ALFA_2024, "published =", "publisert =");
    replace_in(
        s,
        BETA_2024,
        "Our first report in English.",
        "Se [alfa](/medlemmer/alfa-kommune/2024/#2-a-9), [2019](../2019/) og \
         [siden](/tilgjengelighet/#kontakt).",
    );
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    let errors = errors_of(&list);
    assert_eq!(
        errors,
        [
            format!("{ALFA_2024}:3:1: unknown key `publisert`"),
            format!("{BETA_2024}:13:56: the link `../2019/` leads to a page that does not exist"),
            format!(
                "{BETA_2024}:13:77: the link `/tilgjengelighet/#kontakt` leads to an anchor #kontakt that does not exist"
            ),
        ],
        "{list:#?}"
    );
    let out = stdout(&check(s, &[]));
    assert!(
        out.contains(
            "note: links on or to the pages of files with errors are checked once the errors above are fixed\n"
        ),
        "{out}"
    );
    // Once the error is fixed, the link into alfa's report is checked too.
    replace_in(s, ALFA_2024, "publisert =", "published =");
    let (_, list) = check_json(s);
    find(&list, "error", &format!("{BETA_2024}:13:11"), "#2-a-9");
}

/// The README's example of `aktsom check` is what it prints for the report shown there,
/// to the byte: it cannot go stale.
#[test]
fn the_readme_example_is_real_output() {
    let readme = read(&repo_root().join("README.md"));
    let intro =
        format!("A copy of `tests/fixtures/minimal` with mistakes in one report,\n`{ALFA_2024}`:");
    let at = readme.find(&intro).expect("the README's example of check");
    let example = &readme[at..];
    let report = fenced(example, "```markdown\n");
    let printed = "and what `aktsom check` prints for that site (exit code 1):";
    let shown = fenced(&example[example.find(printed).expect(printed)..], "```\n");
    let site = copy_fixture("minimal");
    std::fs::write(site.path().join(ALFA_2024), report).unwrap();
    let o = check(site.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out == shown,
        "the README's example is not what check prints; it prints:\n{out}"
    );
}

/// The text of the first fenced block that opens with `open` in `text`, up to its
/// closing fence.
fn fenced<'a>(text: &'a str, open: &str) -> &'a str {
    let start = text.find(open).expect("a fenced block") + open.len();
    let end = text[start..].find("\n```\n").expect("a closing fence") + start + 1;
    &text[start..end]
}

/// Where a value of site.toml or a template is wrong comes from the parser: the value
/// itself (not the first place the text says the key, such as a comment above it),
/// and a figure or question given twice at its second place.
#[test]
fn toml_errors_are_where_the_parser_read_the_value() {
    let site = copy_fixture("minimal");
    let s = site.path();
    let toml = s.join("site.toml");
    let text = read(&toml).replacen(
        "base_url = \"https://test.example.no/\"",
        "base_url = \"ikke en adresse\"",
        1,
    );
    let twice = "[[figures]]\nid = \"employees\"\nlabel = { nb = \"Ansatte\", en = \"Staff\" }\n";
    let text = format!("# base_url: where the site is published\n{text}\n{twice}");
    let lines: Vec<&str> = text.lines().collect();
    let id = |l: &&str| *l == "id = \"employees\"";
    let (first, second) = (
        lines.iter().position(id).unwrap(),
        lines.iter().rposition(id).unwrap(),
    );
    assert!(first < second);
    std::fs::write(&toml, text).unwrap();
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    find(&list, "error", "site.toml:5:12", "base_url ");
    find(
        &list,
        "error",
        &format!("site.toml:{}:6", second + 1),
        "defined twice",
    );

    let site = copy_fixture("minimal");
    let s = site.path();
    let template = s.join("report-templates/2024.toml");
    let text = read(&template).replacen("version = \"2024\"", "version = \"2023\"", 1);
    let text = format!(
        "# version 2024 of the template\n{text}\n[[question]]\nnumber = \"1.A\"\nnb = \"To\"\nen = \"Two\"\n"
    );
    let lines: Vec<&str> = text.lines().collect();
    let second = 1 + lines
        .iter()
        .rposition(|l| *l == "number = \"1.A\"")
        .unwrap();
    std::fs::write(&template, text).unwrap();
    let (code, list) = check_json(s);
    assert_eq!(code, Some(1));
    find(
        &list,
        "error",
        "report-templates/2024.toml:2:11",
        "does not match the file name",
    );
    find(
        &list,
        "error",
        &format!("report-templates/2024.toml:{second}:10"),
        "listed twice",
    );
}
