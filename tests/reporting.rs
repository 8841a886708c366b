//! Who has reported, how complete each report is, question pages by sector, every
//! answer as open data and each member's feed (issue #21), on the `reporting` fixture:
//!
//! | member | sector | membership | reports |
//! | --- | --- | --- | --- |
//! | alfa-kommune | public | since 2022 | 2022 (3 of 3), 2024 (2 of 3: 1.A.2 left out) |
//! | beta-handel | private | since 2023 | 2023; 2024 only as a draft |
//! | gamma-as | private | 2020 to 2022 | 2022 |
//! | delta-etat | public | (not given) | 2024 |
//!
//! The reporting years are 2022–2024; 2024 is the current one.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn built(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_ok(&fixture("reporting"), &out, extra);
    (dir, out)
}

/// The visible text of an HTML page, tags removed and white space collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn page(out: &Path, path: &str) -> String {
    read(&out.join(path))
}

/// The part of `html` from the element with id `id` to the end of its section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = if path.extension().is_some_and(|e| e == "gz") {
        gunzip(&bytes)
    } else {
        String::from_utf8(bytes).unwrap()
    };
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn gunzip(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn year_pages_count_and_list_members_without_a_report() {
    let (_d, out) = built(&[]);
    let y2022 = text(&page(&out, "ar/2022/index.html"));
    assert!(
        y2022.contains("2 av 2 medlemmer har rapportert for 2022"),
        "{y2022}"
    );
    assert!(!y2022.contains("Medlemmer uten rapport"), "{y2022}");

    let html = page(&out, "ar/2023/index.html");
    let y2023 = text(&html);
    assert!(
        y2023.contains("1 av 2 medlemmer har rapportert for 2023"),
        "{y2023}"
    );
    let missing = text(section(&html, "ikke-rapportert"));
    assert!(
        missing.contains("Alfa kommune Offentlig sektor · Ikke rapportert"),
        "{missing}"
    );
    assert!(!missing.contains("ennå"), "{missing}");
    // Delta gave no member_since and first reported for 2024; Gamma left in 2022.
    for absent in ["Delta-etaten", "Gamma AS", "Beta handel"] {
        assert!(!missing.contains(absent), "{absent}: {missing}");
    }

    let html = page(&out, "ar/2024/index.html");
    let y2024 = text(&html);
    assert!(
        y2024.contains("2 av 3 medlemmer har rapportert for 2024"),
        "{y2024}"
    );
    let missing = text(section(&html, "ikke-rapportert"));
    assert!(
        missing.contains("Beta handel AS Privat sektor · Ikke rapportert ennå"),
        "{missing}"
    );
    for absent in ["Gamma AS", "Alfa kommune", "Delta-etaten"] {
        assert!(!missing.contains(absent), "{absent}: {missing}");
    }
    // The year's table has each report's completeness.
    let table = text(section(&html, "medlemstall"));
    assert!(table.contains("Alfa kommune"), "{table}");
    assert!(table.contains("2 av 3"), "{table}");
    assert!(table.contains("3 av 3"), "{table}");

    let front = text(&page(&out, "index.html"));
    assert!(
        front.contains("2 av 3 medlemmer har rapportert for 2024"),
        "{front}"
    );
}

#[test]
fn member_page_shows_each_year_with_status_and_completeness() {
    let (_d, out) = built(&[]);
    let html = page(&out, "medlemmer/alfa-kommune/index.html");
    let rows = text(section(&html, "rapportering"));
    assert!(
        rows.contains(
            "2024 Rapportert 2 av 3 1.A.2 2023 Ikke rapportert – – 2022 Rapportert 3 av 3 ingen"
        ),
        "{rows}"
    );
    assert!(
        html.contains("<a href=\"/sporsmal/1-a-2/2024/\">1.A.2</a>"),
        "the unanswered question links to its page"
    );
    assert!(html.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Nye rapporter fra Alfa kommune\" href=\"/medlemmer/alfa-kommune/atom.xml\">"
    ));
    // Gamma left in 2022: no later year is listed.
    let gamma = text(section(
        &page(&out, "medlemmer/gamma-as/index.html"),
        "rapportering",
    ));
    assert!(gamma.contains("2022 Rapportert 3 av 3"), "{gamma}");
    assert!(
        !gamma.contains("2023") && !gamma.contains("2024"),
        "{gamma}"
    );
}

#[test]
fn report_page_says_how_complete_it_is() {
    let (_d, out) = built(&[]);
    let html = page(&out, "medlemmer/alfa-kommune/2024/index.html");
    let line = html
        .split("<p class=\"completeness\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_default();
    assert_eq!(
        line,
        "Besvarer 2 av 3 spørsmål i malen. Ubesvarte spørsmål: <a href=\"/sporsmal/1-a-2/2024/\">1.A.2</a>."
    );
    // "Ikke relevant" is an answer.
    let full = page(&out, "medlemmer/alfa-kommune/2022/index.html");
    assert!(full.contains("<p class=\"completeness\">Besvarer 3 av 3 spørsmål i malen.</p>"));
}

#[test]
fn reporting_csv_has_a_status_per_member_and_year() {
    let (_d, out) = built(&[]);
    let rows = csv_rows(&out.join("data/rapportering.csv"));
    let o = "https://test.example.no";
    let expected: Vec<Vec<String>> = [
        "member,member_name,sector,year,status,template,answered,questions,unanswered,url",
        &format!("alfa-kommune,Alfa kommune,public,2022,reported,2024,3,3,,{o}/medlemmer/alfa-kommune/2022/"),
        "alfa-kommune,Alfa kommune,public,2023,not_reported,,,,,",
        &format!("alfa-kommune,Alfa kommune,public,2024,reported,2024,2,3,1.A.2,{o}/medlemmer/alfa-kommune/2024/"),
        &format!("beta-handel,Beta handel AS,private,2023,reported,2024,3,3,,{o}/medlemmer/beta-handel/2023/"),
        "beta-handel,Beta handel AS,private,2024,not_reported_yet,,,,,",
        &format!("delta-etat,Delta-etaten,public,2024,reported,2024,3,3,,{o}/medlemmer/delta-etat/2024/"),
        &format!("gamma-as,Gamma AS,private,2022,reported,2024,3,3,,{o}/medlemmer/gamma-as/2022/"),
    ]
    .iter()
    .map(|l| l.split(',').map(str::to_string).collect())
    .collect();
    assert_eq!(rows, expected);

    let json = page(&out, "data/rapporter.json");
    assert!(
        json.contains(
            "\"completeness\":{\"answered\":2,\"questions\":3,\"unanswered\":[\"1.A.2\"]}"
        ),
        "{json}"
    );
}

#[test]
fn answers_csv_has_one_row_per_report_and_question() {
    let (_d, out) = built(&[]);
    let rows = csv_rows(&out.join("data/svar/2024.csv.gz"));
    let url = "https://test.example.no/medlemmer/alfa-kommune/2024/";
    let alfa: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "alfa-kommune").collect();
    let cells = |r: &Vec<String>| r.iter().map(String::as_str).collect::<Vec<_>>().join("|");
    let got: Vec<String> = alfa.iter().map(|r| cells(r)).collect();
    assert_eq!(
        got,
        [
            format!("alfa-kommune|Alfa kommune|public|2024|2024|1|Forankring|answered||{url}#1"),
            format!(
                "alfa-kommune|Alfa kommune|public|2024|2024|1.A|Retningslinjer|answered||{url}#1-a"
            ),
            format!(
                "alfa-kommune|Alfa kommune|public|2024|2024|1.A.1|Lenke til retningslinjene|answered|Ikke relevant for oss i år: retningslinjene er under revisjon.|{url}#1-a-1"
            ),
            format!(
                "alfa-kommune|Alfa kommune|public|2024|2024|1.A.2|Hvordan retningslinjene ble forankret|not_answered||{url}"
            ),
            format!("alfa-kommune|Alfa kommune|public|2024|2024|2|Kartlegging|answered||{url}#2"),
            format!(
                "alfa-kommune|Alfa kommune|public|2024|2024|2.A|Kartlegging og prioritering|answered||{url}#2-a"
            ),
            format!(
                "alfa-kommune|Alfa kommune|public|2024|2024|2.A.3|Prioriterte risikoer|answered|'=SUM(1+1) er ikke en risiko, men\n\nlav lønn er det.|{url}#2-a-3"
            ),
        ]
    );
    assert_eq!(
        rows[0].join(","),
        "member,member_name,sector,year,template,question,title,status,answer,url"
    );
    // One file per reporting year, each with that year's reports only.
    for y in [2022, 2023] {
        let rows = csv_rows(&out.join(format!("data/svar/{y}.csv.gz")));
        assert!(rows[1..].iter().all(|r| r[3] == y.to_string()));
    }
    let data = page(&out, "data/index.html");
    assert!(data.contains("href=\"/data/svar/2024.csv.gz\""), "{data}");
    assert!(data.contains("aktsom-svar/1") && data.contains("aktsom-rapportering/1"));
}

#[test]
fn drafts_never_reach_the_answers_or_the_feeds() {
    for extra in [&[][..], &["--drafts"][..]] {
        let (_d, out) = built(extra);
        for f in [
            "data/svar/2022.csv.gz",
            "data/svar/2023.csv.gz",
            "data/svar/2024.csv.gz",
        ] {
            let csv = gunzip(&std::fs::read(out.join(f)).unwrap());
            assert!(!csv.contains("Hemmelig utkast"), "{f} {extra:?}");
            assert!(
                !csv.contains("beta-handel,Beta handel AS,private,2024"),
                "{f} {extra:?}"
            );
        }
        let feed = page(&out, "medlemmer/beta-handel/atom.xml");
        assert!(!feed.contains("/2024/"), "{extra:?}: {feed}");
        assert_eq!(feed.matches("<entry>").count(), 1, "{feed}");
        // The draft is not a report: 2024 is still not reported.
        let status = page(&out, "data/rapportering.csv");
        assert!(status.contains("beta-handel,Beta handel AS,private,2024,not_reported_yet"));
    }
}

#[test]
fn member_feed_is_dated_by_the_reports() {
    let (_d, out) = built(&[]);
    let feed = page(&out, "medlemmer/alfa-kommune/atom.xml");
    let o = "https://test.example.no";
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    assert!(feed.contains(&format!("<id>{o}/medlemmer/alfa-kommune/atom.xml</id>")));
    assert!(feed.contains(&format!(
        "<link href=\"{o}/medlemmer/alfa-kommune/atom.xml\" rel=\"self\"/>"
    )));
    // The feed's date is the newest report's, never the clock's.
    assert!(
        feed.contains("<updated>2025-02-15T00:00:00Z</updated>\n<author>"),
        "{feed}"
    );
    let entries: Vec<&str> = feed.split("<entry>").skip(1).collect();
    assert_eq!(entries.len(), 2, "{feed}");
    assert!(entries[0].contains(&format!(
        "<link href=\"{o}/medlemmer/alfa-kommune/2024/\"/>"
    )));
    assert!(entries[0].contains("<updated>2025-02-15T00:00:00Z</updated>"));
    assert!(entries[1].contains("<updated>2023-03-01T00:00:00Z</updated>"));
    assert!(entries[0].contains("<title>"), "{feed}");
}

#[test]
fn question_year_pages_group_answers_by_sector_and_link_the_next_years() {
    let (_d, out) = built(&[]);
    let html = page(&out, "sporsmal/2-a-3/2022/index.html");
    // A list of in-page links to each sector's answers.
    assert!(html.contains("<h2 id=\"etter-sektor\">Svar etter sektor</h2>"));
    assert!(
        html.contains("<li><a href=\"#sektor-public\">Offentlig sektor</a> (1 svar)</li>"),
        "{html}"
    );
    assert!(
        html.contains("<li><a href=\"#sektor-private\">Privat sektor</a> (1 svar)</li>"),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"sektor-public\">Offentlig sektor</h2>"));
    let groups = text(&html[html.find("id=\"sektor-public\"").unwrap()..]);
    let (public, private) = groups.split_once("Privat sektor").unwrap();
    assert!(
        public.contains("Alfa kommune Offentlig sektor ·"),
        "{public}"
    );
    assert!(private.contains("Gamma AS Privat sektor ·"), "{private}");
    assert!(!html.contains("rel=\"prev\""));
    assert!(html.contains("<a href=\"/sporsmal/2-a-3/2023/\" rel=\"next\"><span class=\"pager-label\">Samme spørsmål året etter</span> 2023</a>"));
    let mid = page(&out, "sporsmal/2-a-3/2023/index.html");
    assert!(mid.contains("href=\"/sporsmal/2-a-3/2022/\" rel=\"prev\""));
    assert!(mid.contains("href=\"/sporsmal/2-a-3/2024/\" rel=\"next\""));
    // One sector only: no list of sectors, still its group.
    assert!(!mid.contains("id=\"etter-sektor\""));
    assert!(mid.contains("id=\"sektor-private\""));
}

#[test]
fn member_until_before_member_since_is_an_error_at_its_place() {
    let site = copy_fixture("reporting");
    let toml = site.path().join("content/members/gamma-as/member.toml");
    std::fs::write(
        &toml,
        "name = \"Gamma AS\"\nsector = \"private\"\nmember_since = 2020\nmember_until = 2019\n",
    )
    .unwrap();
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let err = stderr(&o) + &stdout(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("content/members/gamma-as/member.toml:4:1"),
        "{err}"
    );
    assert!(
        err.contains("member_until (2019) is before member_since (2020)"),
        "{err}"
    );
    std::fs::write(
        &toml,
        "name = \"Gamma AS\"\nsector = \"private\"\nmember_until = \"snart\"\n",
    )
    .unwrap();
    let o = aktsom(&["check", "--root", site.path().to_str().unwrap()]);
    let err = stderr(&o) + &stdout(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("content/members/gamma-as/member.toml:3:"),
        "{err}"
    );
}
