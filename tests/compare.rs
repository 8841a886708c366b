//! Comparisons, question pages, year aggregates and open data, on the fixture site
//! (known edits) and on the sample site (new and removed questions, two template
//! versions). Data files are parsed, not grepped.

mod common;

use std::sync::OnceLock;

use common::*;

/// Builds the fixture site once for all tests in this file.
fn minimal() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        build_ok(
            &fixture("minimal"),
            &out.path().join("public"),
            &["--drafts"],
        );
        out
    })
    .path()
}

fn sample() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        build_ok(&repo_root(), &out.path().join("public"), &[]);
        out
    })
    .path()
}

fn page(root: &std::path::Path, path: &str) -> String {
    read(&root.join("public").join(path))
}

#[test]
fn member_page_shows_figures_over_time_with_changes_and_a_chart() {
    let html = page(minimal(), "medlemmer/alfa-kommune/index.html");
    // Employees 1200 → 1250: +50, +4,2 %.
    assert!(
        html.contains("Antall ansatte økte fra 1\u{a0}200 i 2023 til 1\u{a0}250 i 2024."),
        "summary sentence"
    );
    assert!(html.contains("<td class=\"num\">+50</td>"));
    assert!(html.contains("<td class=\"num\">+4,2 %</td>"));
    // The chart is drawn at build time and labelled with the same sentence.
    assert!(html.contains("<svg class=\"chart\" viewBox=\"0 0 640 220\" role=\"img\" aria-label=\"Antall ansatte økte fra"));
    // Purchase value is reported in 2023 only: the 2024 bar is a visible "not reported"
    // mark and the change cannot be computed, never 0.
    let purchase = html
        .split("id=\"tall-purchase_value_nok\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        purchase.contains("Samlet innkjøpsverdi er bare rapportert for 2023: 800 mill.\u{a0}kr."),
        "{purchase}"
    );
    assert!(purchase.contains("Ikke rapportert for 2024."));
    assert!(purchase.contains("<text class=\"missing\""));
    assert!(purchase.contains("<span class=\"not-reported\">Ikke rapportert</span>"));
    assert!(purchase.contains("Kan ikke beregnes"));
    // 0 → 14: a change from a real zero has an absolute change but no percentage.
    let followed = html
        .split("id=\"tall-agreements_followed_up\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(followed.contains("<td class=\"num\">0</td>"));
    assert!(followed.contains("<td class=\"num\">+14</td>"));
    // The comparison picker: links for every pair, and the JS-enhanced form.
    assert!(
        html.contains("<a href=\"/medlemmer/alfa-kommune/sammenlign/2023-2024/\">2023–2024</a>")
    );
    assert!(html.contains(
        "<form class=\"compare-picker\" data-url=\"/medlemmer/alfa-kommune/sammenlign/\""
    ));
}

/// A question's part of a comparison page: from its heading to the next heading or the
/// end of its section.
fn question<'h>(html: &'h str, id: &str) -> &'h str {
    let rest = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let end = [rest.find("<h3"), rest.find("</section>")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn comparison_page_lines_up_questions_and_diffs_known_edits() {
    let html = page(
        minimal(),
        "medlemmer/alfa-kommune/sammenlign/2023-2024/index.html",
    );
    assert!(html.contains("<h1>Hva endret seg fra 2023 til 2024?</h1>"));
    assert!(
        html.contains("2 av 2 spørsmål endret, 0 nye, 0 fjernet."),
        "summary"
    );
    // Key figures that changed, with not reported kept apart from 0.
    assert!(html.contains("<strong>Samlet innkjøpsverdi:</strong> 800\u{a0}000\u{a0}000\u{a0}kr (2023) → <span class=\"not-reported\">Ikke rapportert</span> (2024)"));
    assert!(html.contains("<strong>Avtaler fulgt opp:</strong> 0 (2023) → 14 (2024)"));
    // The word-level diff of 1.A.1, readable without colour.
    let q = question(&html, "q-1-a-1");
    assert!(
        q.contains("<del><span>Fjernet: </span>Se retningslinjene og neste år.</del>"),
        "{q}"
    );
    assert!(
        q.contains("<ins><span>Lagt til: </span>Samme som i fjor.</ins>"),
        "{q}"
    );
    assert!(q.contains("<a href=\"../../2024/#1-a-1\">2024</a>"), "{q}");
    // The table of 2.A.3 is compared row by row: one row unchanged, one new.
    let t = question(&html, "q-2-a-3");
    assert!(
        t.contains("<p class=\"elided\">[…] 1 uendret rad</p>"),
        "{t}"
    );
    assert!(!t.contains("Tvangsarbeid i hanskeproduksjon"), "{t}");
    assert!(
        t.contains("<tr class=\"row-added\"><td>Ny rad</td><td>Lav lønn i tekstilproduksjon</td>"),
        "{t}"
    );
    // Same template version: no note.
    assert!(!html.contains("ulike versjoner av rapporteringsmalen"));
}

#[test]
fn every_pair_of_years_has_a_comparison() {
    let root = sample();
    for (slug, years) in [
        ("fjordvik-kommune", vec![2021, 2022, 2023, 2024]),
        ("helse-nordvest", vec![2022, 2023, 2024]),
    ] {
        for (i, a) in years.iter().enumerate() {
            for b in &years[i + 1..] {
                let p = root.join(format!(
                    "public/medlemmer/{slug}/sammenlign/{a}-{b}/index.html"
                ));
                assert!(p.is_file(), "{} missing", p.display());
            }
        }
    }
    // The report page links to the comparison with the year before.
    let report = page(root, "medlemmer/fjordvik-kommune/2023/index.html");
    assert!(report.contains("href=\"/medlemmer/fjordvik-kommune/sammenlign/2022-2023/\""));
}

#[test]
fn new_and_removed_questions_and_template_versions() {
    let root = sample();
    // helse-nordvest drops 1.D.2 in 2023 and answers 3.B.5 for the first time.
    let html = page(
        root,
        "medlemmer/helse-nordvest/sammenlign/2022-2023/index.html",
    );
    let removed = question(&html, "q-1-d-2");
    assert!(removed.contains("Fjernet spørsmål"), "{removed}");
    assert!(
        removed.contains("<a href=\"../../2022/#1-d-2\">2022</a>"),
        "removed questions link to the earlier report"
    );
    let new = question(&html, "q-3-b-5");
    assert!(new.contains("Nytt spørsmål"), "{new}");
    assert!(html.contains(", 1 nye, 1 fjernet."), "summary counts");
    // 2023 and 2024 use different template versions: said at the top; 2.A.4 is new.
    let html = page(
        root,
        "medlemmer/fjordvik-kommune/sammenlign/2023-2024/index.html",
    );
    assert!(
        html.contains("Rapportene bruker ulike versjoner av rapporteringsmalen: 2023 og 2024.")
    );
    assert!(question(&html, "q-2-a-4").contains("Nytt spørsmål"));
    // Unchanged questions are only listed, with a link to the answer.
    assert!(html.contains("<h2 id=\"uendrede-sporsmal\">"));
}

#[test]
fn comparison_page_size_follows_the_amount_of_change() {
    // A long report where one word changed from one year to the next: the page shows
    // that change and lists the rest, so it is far smaller than the report.
    let site = copy_fixture("minimal");
    let long: String = (0..400)
        .map(|i| format!("Setning nummer {i} om aktsomhet i leverandørkjeden."))
        .collect::<Vec<_>>()
        .join(" ");
    for (year, word) in [(2023, "Malaysia"), (2024, "Vietnam")] {
        let p = site
            .path()
            .join(format!("content/members/alfa-kommune/{year}.md"));
        let text = read(&p)
            .replace("Forordet for 2023.", &long)
            .replace("Forordet for 2024.", &long);
        let text = text.replace(
            "| Tvangsarbeid i hanskeproduksjon | Tvangsarbeid | Malaysia |",
            &format!("| Tvangsarbeid i hanskeproduksjon | Tvangsarbeid | {word} |"),
        );
        let text = text.replace("Samme som i fjor.", "Se [retningslinjene](https://alfa.example.no/retningslinjer) og [neste år](../2024/#2-a-3).").replace("\n| Lav lønn i tekstilproduksjon | Lønn | Bangladesh |", "");
        let text = text.replace("<script>alert(\"xss\")</script>\n\nIkke trykk [her](javascript:alert(1)) eller <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">her</a>.\nLeverandøren har signert <span lang=\"en\">Supplier Code of Conduct</span>.\n\n", "");
        std::fs::write(&p, text).unwrap();
    }
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    let html = read(&out.join("medlemmer/alfa-kommune/sammenlign/2023-2024/index.html"));
    let report = std::fs::metadata(site.path().join("content/members/alfa-kommune/2024.md"))
        .unwrap()
        .len() as usize;
    assert!(
        html.contains("1 av 2 spørsmål endret, 0 nye, 0 fjernet."),
        "{html}"
    );
    assert!(
        html.len() < report / 2,
        "comparison page {} bytes for a report of {report} bytes",
        html.len()
    );
    assert!(
        !html.contains("Setning nummer 200"),
        "unchanged text is not repeated"
    );
    assert!(
        html.contains("<del><span>Fjernet: </span>Malaysia</del>"),
        "{html}"
    );
}

#[test]
fn question_pages_show_every_members_answer() {
    let root = minimal();
    let html = page(root, "sporsmal/2-a-3/2024/index.html");
    assert!(html.contains("<span class=\"qnum\">2.A.3</span> Prioriterte risikoer, 2024"));
    assert!(html.contains("<h2 id=\"svar-alfa-kommune\">Alfa kommune</h2>"));
    assert!(html.contains("<h2 id=\"svar-beta-tekstil\">Beta Tekstil AS</h2>"));
    // Tables of many members share captions: their regions are named after the member too.
    assert!(html.contains("aria-labelledby=\"svar-alfa-kommune alfa-kommune-tabell-1\""));
    // The English answer keeps its language, and ids are prefixed per member.
    assert!(html.contains("<div class=\"answer-body prose\" lang=\"en\">"));
    assert!(html.contains("id=\"alfa-kommune-tabell-1\""));
    assert!(html.contains("href=\"/medlemmer/alfa-kommune/2024/#2-a-3\""));
    // Links to the other years of the question.
    assert!(html.contains("href=\"/sporsmal/2-a-3/2023/\""));
    // /sporsmal/<number>/ leads to the latest year; /sporsmal/ lists the template.
    assert!(page(root, "sporsmal/2-a-3/index.html").contains("href=\"/sporsmal/2-a-3/2024/\""));
    let index = page(root, "sporsmal/index.html");
    assert!(index.contains("href=\"/sporsmal/1-a-1/\""));
    assert!(index.contains("<span class=\"qnum\">2.A</span> Kartlegging og prioritering"));
}

#[test]
fn year_overview_has_aggregates_and_every_members_figures() {
    let html = page(minimal(), "ar/2024/index.html");
    let agg = html
        .split("id=\"aggregater\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    // Employees 1250 and 80: sum 1330, median 665, reported by 2 of 2.
    assert!(agg.contains("<th scope=\"row\">Antall ansatte</th>\n<td class=\"num\">1\u{a0}330</td>\n<td class=\"num\">665</td>\n<td class=\"num\">2 av 2</td>"), "{agg}");
    // Nobody reported purchase value in 2024: not 0.
    assert!(agg.contains("<th scope=\"row\">Samlet innkjøpsverdi</th>\n<td class=\"num\"><span class=\"not-reported\">Ikke rapportert</span></td>"), "{agg}");
    assert!(agg.contains("<td class=\"num\">1 av 2</td>"));
    let members = html.split("id=\"medlemstall\"").nth(1).unwrap();
    assert!(members.contains("<a href=\"/medlemmer/alfa-kommune/2024/\">Alfa kommune</a>"));
}

#[test]
fn key_figures_csv_keeps_not_reported_apart_from_zero() {
    let mut rdr = csv::Reader::from_path(minimal().join("public/data/nokkeltall.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "member",
            "member_name",
            "sector",
            "year",
            "figure",
            "value",
            "unit",
            "status"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // Three published reports (the draft is never open data) × three figures.
    assert_eq!(rows.len(), 9);
    let find = |year: &str, figure: &str| {
        rows.iter()
            .find(|r| &r[0] == "alfa-kommune" && &r[3] == year && &r[4] == figure)
            .unwrap()
            .clone()
    };
    let zero = find("2023", "agreements_followed_up");
    assert_eq!((&zero[5], &zero[7]), ("0", "reported"));
    let missing = find("2024", "purchase_value_nok");
    assert_eq!(
        (&missing[5], &missing[6], &missing[7]),
        ("", "NOK", "not_reported")
    );
    let value = find("2023", "purchase_value_nok");
    assert_eq!(&value[5], "800000000");
    assert!(
        !rows.iter().any(|r| &r[3] == "2025"),
        "no draft in open data"
    );
}

#[test]
fn reports_json_lists_every_published_report() {
    let v: serde_json::Value =
        serde_json::from_str(&read(&minimal().join("public/data/rapporter.json"))).unwrap();
    assert_eq!(v["schema"], "aktsom-rapporter/1");
    assert_eq!(v["licence"]["name"], "CC BY 4.0");
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    let alfa24 = reports
        .iter()
        .find(|r| r["member"] == "alfa-kommune" && r["year"] == 2024)
        .unwrap();
    assert_eq!(alfa24["sector"], "public");
    assert_eq!(alfa24["template"], "2024");
    assert_eq!(
        alfa24["url"],
        "https://test.example.no/medlemmer/alfa-kommune/2024/"
    );
    assert!(
        alfa24["figures"]["purchase_value_nok"].is_null(),
        "not reported is null"
    );
    assert_eq!(alfa24["figures"]["employees"], 1250);
    assert_eq!(
        alfa24["questions"],
        serde_json::json!(["1", "1.A", "1.A.1", "2", "2.A", "2.A.3"])
    );
    let alfa23 = reports
        .iter()
        .find(|r| r["member"] == "alfa-kommune" && r["year"] == 2023)
        .unwrap();
    assert_eq!(
        alfa23["figures"]["agreements_followed_up"], 0,
        "a real zero stays 0"
    );
    let beta = reports
        .iter()
        .find(|r| r["member"] == "beta-tekstil")
        .unwrap();
    assert_eq!(beta["language"], "en");
}

#[test]
fn each_report_has_its_sections_as_text() {
    let v: serde_json::Value = serde_json::from_str(&read(
        &minimal().join("public/medlemmer/alfa-kommune/2023/rapport.json"),
    ))
    .unwrap();
    assert_eq!(v["schema"], "aktsom-rapport/1");
    assert_eq!(v["year"], 2023);
    let sections = v["sections"].as_array().unwrap();
    let q = sections.iter().find(|s| s["number"] == "2.A.3").unwrap();
    assert_eq!(q["title"], "Prioriterte risikoer");
    assert_eq!(q["anchor"], "2-a-3");
    assert_eq!(
        q["url"],
        "https://test.example.no/medlemmer/alfa-kommune/2023/#2-a-3"
    );
    let text = q["text"].as_str().unwrap();
    assert!(text.contains("Prioriterte risikoer 2023\nPrioritert risiko | Relatert tema | Geografi\nTvangsarbeid i hanskeproduksjon | Tvangsarbeid | Malaysia"), "{text}");
    let foreword = sections.iter().find(|s| s["anchor"] == "forord").unwrap();
    assert!(foreword["number"].is_null());
    assert_eq!(foreword["text"], "Forordet for 2023.");
    // The page describing the data links to the files.
    let data = page(minimal(), "data/index.html");
    assert!(data.contains("href=\"/data/nokkeltall.csv\""));
    assert!(data.contains("href=\"/data/rapporter.json\""));
    assert!(data.contains("CC BY 4.0"));
}
