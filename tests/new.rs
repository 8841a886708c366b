//! `aktsom new`: a member's next report started as a draft from the earlier one, a
//! first report, a new member; never overwriting; and `aktsom serve` showing the draft.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;

const FJELLBY: &str = "content/members/fjellby-kommune";

fn site() -> tempfile::TempDir {
    copy_fixture("import/site")
}

fn new(site: &Path, args: &[&str]) -> Output {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", site.to_str().unwrap()]);
    aktsom(&all)
}

fn new_ok(site: &Path, args: &[&str]) -> String {
    let o = new(site, args);
    assert!(
        o.status.success(),
        "new failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// The numbers of the numbered headings, in order.
fn numbered_headings(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### ") || l.starts_with("#### "))
        .filter_map(|l| l.split(' ').nth(1))
        .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

fn template_numbers(site: &Path, version: &str) -> Vec<String> {
    read(&site.join(format!("report-templates/{version}.toml")))
        .lines()
        .filter_map(|l| l.strip_prefix("number = \""))
        .map(|n| n.trim_end_matches('"').to_string())
        .collect()
}

fn check_drafts(site: &Path) -> Output {
    aktsom(&["check", "--root", site.to_str().unwrap(), "--drafts"])
}

#[test]
fn the_next_report_carries_over_last_years_answers_and_marks_new_questions() {
    let site = site();
    let root = site.path();
    let out = new_ok(root, &["fjellby-kommune", "2024"]);
    let md = read(&root.join(FJELLBY).join("2024.md"));

    assert!(
        out.contains(
            "Started content/members/fjellby-kommune/2024.md (a draft on template version 2024)"
        ),
        "{out}"
    );
    assert!(
        out.contains("from the 2023 report: 5 answers and 2 key figures carried over"),
        "{out}"
    );
    assert!(
        out.contains("new in template version 2024: 2.A.4, 3.B.7 (marked)"),
        "{out}"
    );

    // A draft of 2024, on the 2024 version: every part, group and question in order.
    assert!(md.contains("\nyear = 2024\n"));
    assert!(md.contains("\ntitle = \"Aktsomhetsrapport 2024\"\n"));
    assert!(md.contains("\ndraft = true\n"));
    assert!(!md.contains("published"));
    assert_eq!(numbered_headings(&md), template_numbers(root, "2024"));

    // Last year's figures to update; the ones it did not report listed behind #.
    assert!(
        md.contains("\nemployees = 2380  # Antall ansatte\n"),
        "{md}"
    );
    assert!(
        md.contains("\nagreements = 205  # Aktive avtaler\n"),
        "{md}"
    );
    assert!(
        md.contains("\n# purchase_value_nok =   # Samlet innkjøpsverdi, kr\n"),
        "{md}"
    );

    // Last year's answers, as the member wrote them (their own headings, tables).
    assert!(md.contains("## Forord fra ledelsen\n\nFjellby kommune la i 2023 grunnlaget"));
    assert!(md.contains("#### 1.A.2 Hvordan retningslinjene ble laget\n\nKommunestyret vedtok retningslinjene i 2021.\n"));
    assert!(md.contains("| Tvangsarbeid i produksjon av hansker | Tvangsarbeid | Malaysia |"));
    // Questions the 2024 version added are marked; unanswered ones wait for an answer.
    assert!(md.contains(
        "#### 2.A.4 Hvorfor disse risikoene ble prioritert\n\n<!-- Nytt spørsmål i malen for 2024: skriv svaret her. -->\n"
    ));
    assert!(md.contains("#### 3.B.7 Øvrige tiltak\n\n<!-- Nytt spørsmål i malen for 2024"));
    assert!(
        md.contains("#### 1.B.1 Hvordan arbeidet er organisert\n\n<!-- Skriv svaret her. -->\n")
    );
    // The contact section stays at the end.
    assert!(
        md.trim_end()
            .ends_with("## Kontaktinformasjon\n\nInnkjøpsenheten, Fjellby kommune."),
        "{md}"
    );

    // It passes check as a draft (the empty answers are warnings).
    let o = check_drafts(root);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn an_answer_to_a_question_the_new_version_dropped_is_kept_in_a_comment() {
    let site = site();
    let root = site.path();
    // A 2025 version without 3.B.6.
    let v2024 = read(&root.join("report-templates/2024.toml"));
    let v2025 = v2024
        .replace("version = \"2024\"", "version = \"2025\"")
        .replace("[[question]]\nnumber = \"3.B.6\"\nnb = \"Antikorrupsjon\"\nen = \"Anti-corruption\"\n\n", "");
    assert!(!v2025.contains("3.B.6"));
    std::fs::write(root.join("report-templates/2025.toml"), v2025).unwrap();

    let out = new_ok(root, &["fjellby-kommune", "2025"]);
    assert!(
        out.contains("no longer in the template: 3.B.6 (the answers kept in a comment)"),
        "{out}"
    );
    let md = read(&root.join(FJELLBY).join("2025.md"));
    assert!(md.contains(
        "<!-- 3.B.6 er ikke med i malen for 2025. Svaret fra 2023 står her så det ikke går tapt: flytt det dit det hører hjemme, eller slett det.\n\n#### 3.B.6 Antikorrupsjon\n\nAlle innkjøpere har gjennomført kurs i antikorrupsjon.\n-->"
    ), "{md}");
    // Outside the comment, the headings are the 2025 version's.
    let outside: String = md
        .split("<!--")
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                piece
            } else {
                piece.split_once("-->").map_or("", |(_, rest)| rest)
            }
        })
        .collect();
    assert_eq!(numbered_headings(&outside), template_numbers(root, "2025"));
    let o = check_drafts(root);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn a_new_member_and_its_first_report() {
    let site = site();
    let root = site.path();
    let out = new_ok(root, &["--member", "havbris-as"]);
    assert!(
        out.contains("Started content/members/havbris-as/member.toml"),
        "{out}"
    );
    assert!(out.contains("aktsom new havbris-as YEAR"), "{out}");
    let member = read(&root.join("content/members/havbris-as/member.toml"));
    assert!(member.contains("\nname = \"Havbris as\"\n"), "{member}");
    assert!(member.contains("\nsector = \"private\""), "{member}");
    // It passes check: a member without reports is a warning.
    let o = check_drafts(root);
    assert!(o.status.success(), "{}", stdout(&o));

    let out = new_ok(root, &["havbris-as", "2025"]);
    assert!(
        out.contains("every question of the template as a heading"),
        "{out}"
    );
    let md = read(&root.join("content/members/havbris-as/2025.md"));
    assert_eq!(numbered_headings(&md), template_numbers(root, "2024"));
    assert!(md.contains("#### 2.A.3 Prioriterte risikoer\n\n<!-- Skriv svaret her. -->\n"));
    assert!(md.contains("\n# employees =   # Antall ansatte\n"), "{md}");
    assert!(md.contains("\ndraft = true\n"));
    let o = check_drafts(root);
    assert!(o.status.success(), "{}", stdout(&o));

    let o = new(
        root,
        &[
            "--member", "havbris", "--name", "Havbris", "--sector", "public",
        ],
    );
    assert!(o.status.success());
    let member = read(&root.join("content/members/havbris/member.toml"));
    assert!(
        member.contains("\nname = \"Havbris\"\nsector = \"public\""),
        "{member}"
    );
}

#[test]
fn new_never_overwrites() {
    let site = site();
    let root = site.path();
    let before = read(&root.join(FJELLBY).join("2023.md"));
    let o = new(root, &["fjellby-kommune", "2023"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the report exists already"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&root.join(FJELLBY).join("2023.md")), before);

    let member = read(&root.join(FJELLBY).join("member.toml"));
    let o = new(root, &["--member", "fjellby-kommune"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the member exists already"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&root.join(FJELLBY).join("member.toml")), member);
}

#[test]
fn an_unknown_member_or_a_year_without_a_template_version() {
    let site = site();
    let root = site.path();
    let o = new(root, &["ingen-slik", "2024"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("there is no member `ingen-slik`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("aktsom new --member ingen-slik"),
        "{}",
        stderr(&o)
    );

    let o = new(root, &["fjellby-kommune", "2019"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no template version fits a report of 2019"),
        "{}",
        stderr(&o)
    );
    assert!(!root.join(FJELLBY).join("2019.md").exists());
}

#[test]
fn an_earlier_report_with_errors_is_not_carried_over() {
    let site = site();
    let root = site.path();
    let p = root.join(FJELLBY).join("2023.md");
    std::fs::write(&p, read(&p).replace("employees = 2380", "employes = 2380")).unwrap();
    let o = new(root, &["fjellby-kommune", "2024"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("unknown figure `employes`"), "{err}");
    assert!(
        err.contains("the 2023 report has errors, so it cannot be carried over"),
        "{err}"
    );
    assert!(!root.join(FJELLBY).join("2024.md").exists());
}

/// GET `path` from the server on `port`: the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn serve_shows_the_draft() {
    let site = site();
    let root = site.path();
    new_ok(root, &["fjellby-kommune", "2024"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_aktsom"))
        .args([
            "serve",
            "--port",
            "0",
            "--member",
            "fjellby-kommune",
            "--root",
        ])
        .arg(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines
        .find_map(|l| {
            let l = l.ok()?;
            l.split("http://127.0.0.1:")
                .nth(1)?
                .split('/')
                .next()?
                .parse()
                .ok()
        })
        .expect("serve prints its address");
    // The address comes first; the pages are there once the first build is over.
    assert!(
        lines.any(|l| l.is_ok_and(|l| l.starts_with("Built in "))),
        "serve builds the site"
    );
    let (status, page) = get(port, "/medlemmer/fjellby-kommune/2024/");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Utkast – ikke publisert"), "{page}");
    assert!(page.contains("id=\"2-a-4\""), "{page}");
    assert!(page.contains("Kommunestyret vedtok retningslinjene i 2021."));
}
