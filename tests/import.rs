//! `aktsom import`: reports in the layout of the association's form (the text
//! `pdftotext` gives for their PDF, or a PDF) made into reports that pass `check`.
//!
//! The fixtures in tests/fixtures/import/reports/ are fictional members written in the
//! form's layout. When the reference report (../shared/reference/, not part of the
//! repository) is there, it is imported too.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn report_fixture(name: &str) -> PathBuf {
    fixture("import/reports").join(name)
}

/// A copy of the site to import into.
fn site() -> tempfile::TempDir {
    copy_fixture("import/site")
}

fn import(site: &Path, args: &[&str]) -> Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", site.to_str().unwrap()]);
    aktsom(&all)
}

fn import_ok(site: &Path, args: &[&str]) -> String {
    let o = import(site, args);
    assert!(
        o.status.success(),
        "import failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// The paragraphs of a Markdown file's body: blocks of lines between blank lines.
fn blocks(markdown: &str) -> Vec<String> {
    let body = markdown.splitn(3, "+++\n").nth(2).expect("front matter");
    body.split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect()
}

fn is_plain_paragraph(block: &str) -> bool {
    let first = block.chars().next().unwrap_or(' ');
    !(first == '#'
        || first == '|'
        || first == '>'
        || first == '*'
        || block.starts_with("- ")
        || block.starts_with("Tabell:")
        || first.is_ascii_digit() && block.contains(". "))
}

/// No paragraph is cut by a line break of the PDF: every paragraph is one line (or
/// lines ended with a hard break `\`), and no paragraph that does not end a sentence
/// (. ! ? : ; or a closing quote or bracket after one) is followed by a paragraph that
/// starts in lower case.
fn assert_no_cut_paragraphs(markdown: &str) {
    let blocks = blocks(markdown);
    for b in &blocks {
        if is_plain_paragraph(b) {
            for line in b.lines().rev().skip(1) {
                assert!(line.ends_with('\\'), "a paragraph broken over lines: {b:?}");
            }
        }
    }
    for pair in blocks.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if !(is_plain_paragraph(a) && is_plain_paragraph(b)) {
            continue;
        }
        let end = a.trim_end_matches(['"', '”', '»', ')', '>']);
        let ends = end.ends_with(['.', '!', '?', ':', ';']);
        let lower = b.chars().next().is_some_and(char::is_lowercase);
        assert!(ends || !lower, "a paragraph cut in two:\n{a}\n---\n{b}");
    }
}

/// The questions (`N.X.n`) of a template version, from its file.
fn questions_of(template: &Path) -> Vec<String> {
    read(template)
        .lines()
        .filter_map(|l| l.strip_prefix("number = \""))
        .map(|n| n.trim_end_matches('"').to_string())
        .filter(|n| n.matches('.').count() == 2)
        .collect()
}

fn numbered_headings(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|l| l.strip_prefix("#### "))
        .filter_map(|h| h.split(' ').next())
        .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_report_in_the_forms_layout_becomes_a_report_that_passes_check() {
    let site = site();
    let root = site.path();
    let member_before = read(&root.join("content/members/fjellby-kommune/member.toml"));
    let input = report_fixture("fjellby-kommune-2024.txt");
    let out = import_ok(root, &[input.to_str().unwrap()]);
    let md = read(&root.join("content/members/fjellby-kommune/2024.md"));

    // The member and year come from the file name; the member exists, so its
    // member.toml is left as it is.
    assert_eq!(
        read(&root.join("content/members/fjellby-kommune/member.toml")),
        member_before
    );
    assert!(!out.contains("new member"), "{out}");

    // Every question of the 2024 version, as a heading with the member's text.
    let questions = questions_of(&root.join("report-templates/2024.toml"));
    assert_eq!(numbered_headings(&md), questions);
    assert!(
        out.contains(&format!("{0} of {0} questions found", questions.len())),
        "{out}"
    );
    assert!(out.contains("missing: none"), "{out}");
    assert!(md.contains("\n## 1 Forankring av ansvarlighet i virksomheten\n"));
    assert!(md.contains("\n### 2.A Kartlegging og prioritering\n"));
    // The form's capitals heading above 3.B.1 is the heading of group 3.B.
    assert!(md.contains("\n### 3.B Andre tiltak for å håndtere negativ påvirkning\n\n#### 3.B.1 "));
    assert!(md.contains(
        "\n#### 1.B.1 Hvordan er arbeidet med aktsomhetsvurderinger i anskaffelser for bærekraftig forretningspraksis organisert i virksomheten, og hvorfor?\n"
    ));
    // A long question: its first sentence is the heading, the rest is below it.
    assert!(md.contains(
        "#### 2.A.4 Beskriv prioriterte risikoområder og bakgrunn for prioriteringen av disse\n\n*Beskriv hvordan informasjon ble hentet inn, og hvilke kilder som er benyttet.*\n"
    ));

    // Key figures by their labels in the form (site.toml's aliases), with spaces and
    // non-breaking spaces between thousands.
    for figure in [
        "employees = 2417",
        "purchase_value_nok = 1284650000",
        "agreements = 212",
        "agreements_followed_up = 37",
    ] {
        assert!(
            md.contains(&format!("\n{figure}  # ")),
            "{figure} in:\n{md}"
        );
        assert!(out.contains(figure), "{out}");
    }

    // Paragraphs rejoined: wrapped lines, a word broken at the end of a line, a
    // paragraph cut by a page break; hyphens that are the words' own kept.
    assert!(md.contains("vi har fulgt opp lønns- og arbeidsvilkår hos leverandørene"));
    assert!(md.contains("hvor IKT-utstyret vi kjøper"));
    assert!(md.contains("et kurs om arbeidstakerrettigheter i leverandørkjeden."));
    assert!(md.contains("Oversikten deles med avtaleforvalterne i tjenesteområdene."));
    assert_no_cut_paragraphs(&md);

    // Lists, a quote, a signature and web addresses.
    assert!(md.contains("Handlingsplanen har tre tiltak:\n\n1. Krav om aktsomhetsvurderinger"));
    assert!(md.contains("\n- fire med møter,\n"));
    assert!(md.contains("\n> Et godt innkjøp er et innkjøp vi kan stå for"));
    assert!(md.contains("Kari Fjellstad\\\nKommunedirektør, Fjellby kommune"));
    assert!(md.contains("\n<https://www.fjellby.example.no/innkjop/retningslinjer/>\n"));

    // The form's tables.
    assert!(md.contains(
        "| Mål | Status |\n| --- | --- |\n| Alle nye avtaler med høy risiko skal ha krav om aktsomhetsvurderinger. | Nådd: kravet ble stilt i alle elleve anskaffelser med høy risiko. |\n"
    ));
    assert!(md.contains("| Solcellepaneler | 1 | Ja | Ja | Ja |\n"));
    assert!(md.contains(
        "| Prioritert risiko | Relatert tema | Geografi |\n| --- | --- | --- |\n| Tvangsarbeid i produksjonen av polysilisium til solcellepaneler. | Tvangsarbeid; Marginaliserte befolkningsgrupper | Kina |\n"
    ));
    assert!(md.contains("| Manglende HMS-kort | Underleverandør på byggeplass | Bortvisning fra plassen | Lukket |\n"));
    assert!(out.contains("2.A.3 3 rows × 3 columns"), "{out}");
    // 3.A.1: a sub-heading per prioritised risk, the form's labels in bold.
    assert!(md.contains(
        "##### Lave lønninger og lange arbeidsdager i produksjonen av arbeidstøy\n\n**Overordnet mål:**\n"
    ));

    // The association's and the form's own text is left out, and said so.
    for form_text in [
        "Til lesere",
        "Ola Foreningsleder",
        "Kartlegging handler om",
        "PRIORITERT",
        "Her lister virksomheten",
    ] {
        assert!(!md.contains(form_text), "{form_text} in the report");
    }
    assert!(
        out.contains("left out, the form's own text: lines 1–11 (Til lesere av rapporten)"),
        "{out}"
    );

    // A report without a publication date is a draft; check has nothing against it.
    assert!(md.contains("\ndraft = true\n"));
    assert!(
        out.contains("check: 0 errors and 0 warnings in what was written"),
        "{out}"
    );
    let o = aktsom(&["check", "--root", root.to_str().unwrap(), "--drafts"]);
    assert!(o.status.success(), "{}", stdout(&o));

    // And the site builds with it: every question has its anchor.
    let built = tempfile::tempdir().unwrap();
    build_ok(root, built.path(), &["--drafts"]);
    let page = read(
        &built
            .path()
            .join("medlemmer/fjellby-kommune/2024/index.html"),
    );
    for anchor in ["id=\"2-a-3\"", "id=\"4-a-3\"", "id=\"6-b-1\""] {
        assert!(page.contains(anchor), "{anchor}");
    }
}

#[test]
fn a_new_member_and_the_warnings_at_the_lines_of_the_input() {
    let site = site();
    let root = site.path();
    let input = report_fixture("bolgen-tekstil-2023.txt");
    let out = import_ok(
        root,
        &[input.to_str().unwrap(), "--published", "2024-05-02"],
    );
    let member = read(&root.join("content/members/bolgen-tekstil/member.toml"));
    assert!(
        member.contains("\nname = \"Bølgen Tekstil AS\"\n"),
        "{member}"
    );
    assert!(member.contains("\nsector = \"private\""), "{member}");
    assert!(
        member.contains("\naddress = \"Kaigata 9, 5003 Bergen\"\n"),
        "{member}"
    );
    assert!(
        out.contains("new member: content/members/bolgen-tekstil/member.toml"),
        "{out}"
    );
    // The member page shows the address.
    let built = tempfile::tempdir().unwrap();
    build_ok(root, built.path(), &[]);
    let page = read(&built.path().join("medlemmer/bolgen-tekstil/index.html"));
    assert!(
        page.contains("<dt>Adresse</dt><dd>Kaigata 9, 5003 Bergen</dd>"),
        "{page}"
    );

    let md = read(&root.join("content/members/bolgen-tekstil/2023.md"));
    assert!(md.contains("\npublished = 2024-05-02\n"), "{md}");
    assert!(!md.contains("draft"), "{md}");
    // The 2023 version: 3.B.7 is not one of its questions, so it stays text.
    assert!(out.contains("template version 2023: 6 of "), "{out}");
    assert!(out.contains("missing: 1.B.2, 1.C.1, 1.D.1"), "{out}");
    let name = input.display().to_string();
    for (at, warning) in [
        (
            89,
            "3.B.7 is not a question of template version 2023: kept as text",
        ),
        (
            18,
            "`Antall ansatte`: `ca. 85` is not a number, so the figure `employees` is left out",
        ),
        (
            70,
            "2.A.3: the form's table (Prioriterte risikoer) was not recognised: written as text",
        ),
        (
            41,
            "no heading for 1.B was found above this question: added with the template's title",
        ),
    ] {
        assert!(
            out.contains(&format!("warning: {warning}\n  --> {name}:{at}:1")),
            "{warning} at line {at} in:\n{out}"
        );
    }
    assert!(
        md.contains("\n### 1.B Organisering og kompetanse\n"),
        "{md}"
    );
    assert!(
        md.contains("\n3\\.B\\.7 Annen relevant informasjon\n")
            || md.contains("\n3.B.7 Annen relevant informasjon\n"),
        "{md}"
    );
    // A paragraph cut by a page break and its footer is one paragraph again.
    assert!(md.contains("hos underleverandører til vaskeriene, og det følger vi opp særskilt."));
    assert_no_cut_paragraphs(&md);
    assert!(out.contains("check: 0 errors and"), "{out}");
}

#[test]
fn a_report_is_never_overwritten_without_force() {
    let site = site();
    let root = site.path();
    let input = report_fixture("bolgen-tekstil-2023.txt");
    import_ok(root, &[input.to_str().unwrap()]);
    let path = root.join("content/members/bolgen-tekstil/2023.md");
    std::fs::write(&path, "endret for hånd").unwrap();

    let o = import(root, &[input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the report exists already"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(read(&path), "endret for hånd");

    import_ok(root, &[input.to_str().unwrap(), "--force"]);
    assert!(read(&path).starts_with("+++\n"));
}

#[test]
fn the_member_and_year_are_given_or_come_from_the_file_name() {
    let site = site();
    let root = site.path();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rapport.txt");
    std::fs::copy(report_fixture("bolgen-tekstil-2023.txt"), &input).unwrap();
    let o = import(root, &[input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("which member and year is this report?"),
        "{}",
        stderr(&o)
    );

    import_ok(
        root,
        &[
            input.to_str().unwrap(),
            "--member",
            "havbris-as",
            "--year",
            "2023",
        ],
    );
    assert!(root.join("content/members/havbris-as/2023.md").is_file());

    // A year no template version fits.
    let o = import(
        root,
        &[
            input.to_str().unwrap(),
            "--member",
            "havbris-as",
            "--year",
            "2019",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no template version fits a report of 2019"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_folder_of_reports_named_slug_year() {
    let site = site();
    let root = site.path();
    let dir = tempfile::tempdir().unwrap();
    for name in ["fjellby-kommune-2024.txt", "bolgen-tekstil-2023.txt"] {
        std::fs::copy(report_fixture(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("notater.txt"), "Ikke en rapport.").unwrap();
    let out = import_ok(root, &[dir.path().to_str().unwrap()]);
    assert!(
        root.join("content/members/fjellby-kommune/2024.md")
            .is_file()
    );
    assert!(
        root.join("content/members/bolgen-tekstil/2023.md")
            .is_file()
    );
    assert!(
        out.contains("not imported: notater.txt: not named <slug>-<year>.pdf or .txt"),
        "{out}"
    );
    assert_eq!(out.matches("Imported ").count(), 2, "{out}");
}

#[test]
fn an_import_that_fails_check_exits_with_1() {
    let site = site();
    let root = site.path();
    // The member exists, but its member.toml is broken: the report cannot pass check.
    std::fs::write(
        root.join("content/members/fjellby-kommune/member.toml"),
        "name = \"Fjellby kommune\"\n",
    )
    .unwrap();
    let input = report_fixture("fjellby-kommune-2024.txt");
    let o = import(root, &[input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("content/members/fjellby-kommune/member.toml"),
        "{out}"
    );
    assert!(out.contains("check: 1 error"), "{out}");
    // What was found is still written and said.
    assert!(
        root.join("content/members/fjellby-kommune/2024.md")
            .is_file()
    );
}

#[test]
fn odd_inputs_are_imported_without_a_crash_and_pass_check() {
    let long = "ord ".repeat(30_000);
    let cases: Vec<(&str, String)> = vec![
        ("tom", String::new()),
        ("bare-tall", "1\n\n2\n\n3\n\n1.A\n\n1.A.1\n\n2.A.3\n\n9.Z.9 Falsk\n".into()),
        ("crlf", "Forord fra virksomhetsleder\r\nTekst med\r\nlinjeskift.\r\n\r\n1.A.1 Lenke\r\n\r\nSvar.\r\n".into()),
        (
            "tegn",
            "Forord fra virksomhetsleder\n<script>alert(1)</script> *fet* _kursiv_ [lenke](javascript:alert(1)) `kode` # ikke\n\n#### 2.A.3 Falsk overskrift\n\n| a | b |\n\n&amp; &#x41; \u{0} ~~slett~~ <!-- kommentar --> \\ \u{202e}snudd\n\n- \n\n1.\n\n---\n\n===\n\n> sitat\n\n    kode\n\n<https://x.example.no/a\"b>\n".into(),
        ),
        ("lang", format!("Forord fra virksomhetsleder\n{long}\n")),
        (
            "tabeller",
            "2.A.2 Krav\n\n1\n\nI hvilke type anskaffelser\n\n2.A.3 Risikoer\n\nPrioritert risiko Relatert tema Geografi\n\n4.A.3 Avvik\n\n1\n\nStatus\n\nMål og fremdrift\n\n1\n\nMål :\n\nStatus :\n".into(),
        ),
    ];
    for (name, text) in cases {
        let site = site();
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join(format!("{name}-2024.txt"));
        std::fs::write(&input, text).unwrap();
        let o = import(site.path(), &[input.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}:\n{}\n{}",
            stdout(&o),
            stderr(&o)
        );
        let built = tempfile::tempdir().unwrap();
        build_ok(site.path(), built.path(), &["--drafts"]);
    }
}

/// A PDF with `text` set in Helvetica, a line of the PDF for each line of the text: a
/// blank line is a gap, a line that starts with one space (or a form feed) starts a
/// page, and a footer line (`|  name  |  6`) goes to the bottom of its page. `created`
/// is the PDF's creation date (`D:20250314093000`).
fn pdf_of(text: &str, created: Option<&str>) -> Vec<u8> {
    fn win_ansi(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for c in s.chars() {
            let b = match c {
                '(' | ')' | '\\' => {
                    out.push(b'\\');
                    c as u8
                }
                '–' => 0x96,
                '“' => 0x93,
                '”' => 0x94,
                '’' => 0x92,
                c if (c as u32) < 0x100 => c as u32 as u8,
                _ => b'?',
            };
            out.push(b);
        }
        out
    }
    let mut pages: Vec<Vec<u8>> = vec![Vec::new()];
    let mut y = 800;
    for line in text.lines() {
        let new_page =
            line.starts_with('\u{c}') || line.starts_with(' ') && !line.starts_with("  ");
        let footer = line.trim_start().starts_with('|');
        let line = line.trim();
        if new_page && y < 800 {
            pages.push(Vec::new());
            y = 800;
        }
        if footer {
            let page = pages.last_mut().unwrap();
            page.extend(b"BT /F1 8 Tf 250 30 Td (");
            page.extend(win_ansi(line));
            page.extend(b") Tj ET\n");
            pages.push(Vec::new());
            y = 800;
            continue;
        }
        if line.is_empty() {
            // A gap pdftotext reads as a new paragraph.
            y -= 25;
            continue;
        }
        if y < 60 {
            pages.push(Vec::new());
            y = 800;
        }
        let page = pages.last_mut().unwrap();
        page.extend(format!("BT /F1 9 Tf 40 {y} Td (").bytes());
        page.extend(win_ansi(line));
        page.extend(b") Tj ET\n");
        y -= 11;
    }
    pages.retain(|p| !p.is_empty());
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    let mut kids = Vec::new();
    for content in &pages {
        let n = objects.len() + 1;
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend(b"endstream");
        objects.push(stream);
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {n} 0 R /Resources << /Font << /F1 3 0 R >> >> >>")
                .into_bytes(),
        );
        kids.push(format!("{} 0 R", n + 1));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes();
    let info = created.map(|d| {
        objects.push(format!("<< /CreationDate ({d}) >>").into_bytes());
        format!(" /Info {} 0 R", objects.len())
    });
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).bytes());
        pdf.extend(o);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1,
            info.unwrap_or_default()
        )
        .bytes(),
    );
    pdf
}

fn has_pdftotext() -> bool {
    Command::new("pdftotext").arg("-v").output().is_ok()
}

#[test]
fn a_pdf_is_read_with_pdftotext_like_its_text() {
    if !has_pdftotext() {
        println!("note: pdftotext is not installed (poppler-utils); the PDF import is not tested");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = read(&report_fixture("fjellby-kommune-2024.txt"));
    let pdf = dir.path().join("fjellby-kommune-2024.pdf");
    std::fs::write(&pdf, pdf_of(&text, None)).unwrap();
    if let Ok(keep) = std::env::var("AKTSOM_KEEP_PDF") {
        std::fs::copy(&pdf, keep).unwrap();
    }

    let from_pdf = site();
    let out = import_ok(from_pdf.path(), &[pdf.to_str().unwrap()]);
    let from_text = site();
    import_ok(
        from_text.path(),
        &[report_fixture("fjellby-kommune-2024.txt").to_str().unwrap()],
    );
    let report = "content/members/fjellby-kommune/2024.md";
    let a = read(&from_pdf.path().join(report));
    let b = read(&from_text.path().join(report));
    // The same report, but for the name of the file it came from, the lines the
    // figures were found on, and non-breaking spaces (pdftotext gives spaces).
    let body = |s: &str| {
        s.lines()
            .skip(2)
            .map(|l| l.split("  # ").next().unwrap_or(l).replace('\u{a0}', " "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&a),
        body(&b),
        "the PDF's import differs from its text's:\n{a}"
    );
    // pdftotext joins `lønns-` and `og` at the end of a line into `lønnsog`: the
    // importer puts the hyphen back.
    assert!(a.contains("lønns- og arbeidsvilkår"));
    assert!(out.contains("check: 0 errors and 0 warnings"), "{out}");
}

#[test]
fn a_pdfs_creation_date_is_the_publication_date() {
    if !has_pdftotext() {
        println!("note: pdftotext is not installed (poppler-utils); the PDF import is not tested");
        return;
    }
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("bolgen-tekstil-2023.pdf");
    let text = read(&report_fixture("bolgen-tekstil-2023.txt"));
    std::fs::write(&pdf, pdf_of(&text, Some("D:20240314093000+01'00'"))).unwrap();
    let out = import_ok(site.path(), &[pdf.to_str().unwrap()]);
    let md = read(&site.path().join("content/members/bolgen-tekstil/2023.md"));
    assert!(md.contains("\npublished = 2024-03-14\n"), "{md}");
    assert!(
        out.contains("published = 2024-03-14 (the PDF's creation date: check it)"),
        "{out}"
    );
}

#[test]
fn without_pdftotext_a_pdf_is_a_clear_error() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("fjellby-kommune-2024.pdf");
    std::fs::write(&pdf, pdf_of("Forord fra virksomhetsleder\nTekst.\n", None)).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_aktsom"))
        .args(["import", pdf.to_str().unwrap(), "--root"])
        .arg(site.path())
        .env("PATH", empty.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("cannot run pdftotext"), "{err}");
    assert!(err.contains("install poppler-utils"), "{err}");
    assert!(
        !site
            .path()
            .join("content/members/fjellby-kommune/2024.md")
            .exists()
    );
}

/// The reference report (a real member's 2024 report as pdftotext gives it), when it is
/// next to the repository.
fn reference() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/reference", "../../shared/reference"]
        .iter()
        .map(|d| here.join(d).join("member-report-2024-oslo-kommune.txt"))
        .find(|p| p.is_file())
}

#[test]
fn the_reference_report_is_imported_whole() {
    let Some(input) = reference() else {
        println!("note: ../shared/reference/ is not there; the reference report is not imported");
        return;
    };
    let site = site();
    let root = site.path();
    let out = import_ok(
        root,
        &[
            input.to_str().unwrap(),
            "--member",
            "oslo-kommune",
            "--year",
            "2024",
        ],
    );
    let md = read(&root.join("content/members/oslo-kommune/2024.md"));

    // Every numbered question of the 2024 version is found, in order.
    let questions = questions_of(&root.join("report-templates/2024.toml"));
    assert_eq!(numbered_headings(&md), questions);
    assert!(out.contains("missing: none"), "{out}");

    // The key figures are the numbers the text gives.
    for figure in [
        "employees = 54147",
        "purchase_value_nok = 3536883116",
        "agreements = 94",
        "agreements_followed_up = 94",
    ] {
        assert!(md.contains(&format!("\n{figure}  # ")), "{figure}:\n{out}");
    }

    // The prioritised risks: six rows of three columns; the last row's geography is
    // empty in the text.
    let start = md
        .find("| Prioritert risiko | Relatert tema | Geografi |")
        .expect("the 2.A.3 table");
    let rows: Vec<&str> = md[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 6, "{rows:#?}");
    for r in &rows {
        assert_eq!(r.matches(" | ").count(), 2, "three cells: {r}");
    }
    assert!(rows[0].ends_with("| Globalt |"), "{}", rows[0]);
    assert!(rows[1].ends_with("| Norge |"), "{}", rows[1]);
    assert!(
        rows[0].contains("Fagorganisering og kollektive forhandlinger; Barnearbeid"),
        "{}",
        rows[0]
    );
    assert!(rows[5].contains("Dyrevelferd"), "{}", rows[5]);
    assert!(out.contains("2.A.3 6 rows × 3 columns"), "{out}");
    assert!(out.contains("2.A.2 4 rows × 5 columns"), "{out}");

    // No paragraph is cut by a line break; real hyphens are kept.
    assert_no_cut_paragraphs(&md);
    assert!(md.contains("kontroll av lønns- og arbeidsvilkår"));
    assert!(out.contains("check: 0 errors"), "{out}");
}
