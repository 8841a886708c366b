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

/// The fixture with the year-to-year edits comparisons must read right, without and
/// with drafts.
fn edits() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        build_ok(&fixture("compare-edits"), &out.path().join("public"), &[]);
        out
    })
    .path()
}

fn edits_with_drafts() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        build_ok(
            &fixture("compare-edits"),
            &out.path().join("public"),
            &["--drafts"],
        );
        out
    })
    .path()
}

/// The JSON the page for any two years gives its script.
fn browser_config(html: &str) -> serde_json::Value {
    let json = html
        .split("<script type=\"application/json\" id=\"sammenligning-data\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .expect("the page has its JSON");
    serde_json::from_str(json).unwrap()
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
fn only_neighbouring_reports_have_static_comparisons() {
    let root = sample();
    let dir = |slug: &str| root.join(format!("public/medlemmer/{slug}/sammenlign"));
    let pages = |slug: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir(slug))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "index.html")
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        pages("fjordvik-kommune"),
        ["2021-2022", "2022-2023", "2023-2024"]
    );
    assert_eq!(pages("helse-nordvest"), ["2022-2023", "2023-2024"]);
    // matgrossisten-vest's 2025 is a draft: no comparison without --drafts.
    assert_eq!(pages("matgrossisten-vest"), ["2022-2023", "2023-2024"]);
    // The report page links to the comparison with the report before it.
    let report = page(root, "medlemmer/fjordvik-kommune/2023/index.html");
    assert!(report.contains("href=\"/medlemmer/fjordvik-kommune/sammenlign/2022-2023/\""));
    // The member page links to each static comparison and to the page for any two
    // years, whose picker offers every year.
    let member = page(root, "medlemmer/fjordvik-kommune/index.html");
    for pair in ["2021-2022", "2022-2023", "2023-2024"] {
        assert!(
            member.contains(&format!(
                "<a href=\"/medlemmer/fjordvik-kommune/sammenlign/{pair}/\">"
            )),
            "{pair}"
        );
    }
    assert!(!member.contains("sammenlign/2021-2024/"));
    assert!(member.contains(
        "<a href=\"/medlemmer/fjordvik-kommune/sammenlign/\">Sammenlign to valgfrie år</a>"
    ));
    assert!(member.contains(
        "<form class=\"compare-picker\" data-url=\"/medlemmer/fjordvik-kommune/sammenlign/\""
    ));
    assert!(member.contains("<option value=\"2021\">2021</option>"));
    // A comparison page links to the other neighbouring comparisons (itself marked)
    // and to the page for any two years.
    let cmp = page(
        root,
        "medlemmer/fjordvik-kommune/sammenlign/2022-2023/index.html",
    );
    assert!(cmp.contains("<a href=\"../2021-2022/\">2021–2022</a>"));
    assert!(cmp.contains("<a href=\"../2022-2023/\" aria-current=\"page\">2022–2023</a>"));
    assert!(cmp.contains("<a href=\"../2023-2024/\">2023–2024</a>"));
    assert!(cmp.contains("<a href=\"../\">Sammenlign to valgfrie år</a>"));
    assert!(cmp.contains("<option value=\"2022\" selected>2022</option>"));
}

#[test]
fn drafts_have_comparisons_only_in_builds_with_drafts() {
    // delta-handel: 2019, 2020 (a draft), 2021, 2023 (no report for 2022).
    let pairs = |root: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(root.join("public/medlemmer/delta-handel/sammenlign"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != "index.html")
                .collect();
        v.sort();
        v
    };
    // Without drafts, the published 2021 is compared with the published 2019, and 2023
    // with 2021 (the last year before it with a report).
    assert_eq!(pairs(edits()), ["2019-2021", "2021-2023"]);
    assert_eq!(
        pairs(edits_with_drafts()),
        ["2019-2020", "2020-2021", "2021-2023"]
    );
    let report = page(edits(), "medlemmer/delta-handel/2021/index.html");
    assert!(
        report.contains("href=\"/medlemmer/delta-handel/sammenlign/2019-2021/\""),
        "{report}"
    );
    let report = page(
        edits_with_drafts(),
        "medlemmer/delta-handel/2021/index.html",
    );
    assert!(report.contains("href=\"/medlemmer/delta-handel/sammenlign/2020-2021/\""));
    // The browser compares published reports only (drafts have no rapport.json): the
    // draft is not among its years, but its static comparisons are linked.
    let any = page(
        edits_with_drafts(),
        "medlemmer/delta-handel/sammenlign/index.html",
    );
    let config = browser_config(&any);
    let years: Vec<u64> = config["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_u64().unwrap())
        .collect();
    assert_eq!(years, [2019, 2021, 2023]);
    assert!(any.contains("<a href=\"2019-2020/\">2019–2020</a>"));
    assert!(any.contains("<a href=\"../2020/\">Rapport for 2020</a> (Utkast – ikke publisert)"));
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
    assert!(html.contains("<h3 id=\"svar-alfa-kommune\">Alfa kommune</h3>"));
    assert!(html.contains("<h3 id=\"svar-beta-tekstil\">Beta Tekstil AS</h3>"));
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
fn each_report_has_its_sections_as_blocks() {
    let v: serde_json::Value = serde_json::from_str(&read(
        &minimal().join("public/medlemmer/alfa-kommune/2023/rapport.json"),
    ))
    .unwrap();
    assert_eq!(v["schema"], "aktsom-rapport/2");
    assert_eq!(v["year"], 2023);
    let sections = v["sections"].as_array().unwrap();
    let q = sections.iter().find(|s| s["number"] == "2.A.3").unwrap();
    assert_eq!(q["title"], "Prioriterte risikoer");
    assert_eq!(q["anchor"], "2-a-3");
    assert_eq!(
        q["url"],
        "https://test.example.no/medlemmer/alfa-kommune/2023/#2-a-3"
    );
    let table = &q["blocks"][0];
    assert_eq!(table["caption"], "Prioriterte risikoer 2023");
    assert_eq!(
        table["head"],
        serde_json::json!(["Prioritert risiko", "Relatert tema", "Geografi"])
    );
    assert_eq!(
        table["rows"][0],
        serde_json::json!([
            "Tvangsarbeid i hanskeproduksjon",
            "Tvangsarbeid",
            "Malaysia"
        ])
    );
    let foreword = sections.iter().find(|s| s["anchor"] == "forord").unwrap();
    assert!(foreword["number"].is_null());
    assert_eq!(
        foreword["blocks"],
        serde_json::json!(["Forordet for 2023."])
    );
    // The page describing the data links to the files.
    let data = page(minimal(), "data/index.html");
    assert!(data.contains("href=\"/data/nokkeltall.csv\""));
    assert!(data.contains("href=\"/data/rapporter.json\""));
    assert!(data.contains("CC BY 4.0"));
}

/// What a comparison page shows of question `number` among the changed questions.
fn change<'h>(html: &'h str, number: &str) -> &'h str {
    let start = html
        .find(&format!(
            "<section class=\"q-change\" data-number=\"{number}\""
        ))
        .unwrap_or_else(|| panic!("{number} is not among the changed questions:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

const GAMMA: &str = "medlemmer/gamma-kommune/sammenlign/2023-2024/index.html";

#[test]
fn a_list_that_gains_a_new_first_case_is_changed_not_rewritten() {
    // 6.A.2: a new first case of two paragraphs (three times the old answer's length)
    // in a numbered list; the introduction and last year's case unchanged.
    let html = page(edits(), GAMMA);
    let q = change(&html, "6.A.2");
    assert!(q.contains("data-status=\"changed\""), "{q}");
    // The new case in full, as added; the rest counted, not repeated; nothing removed.
    assert!(q.contains("<p><ins><span>Lagt til: </span>Sammen med andre offentlige innkjøpere i et nettverk for ansvarlig elektronikk tok kommunen kontakt med en produsent av nettbrett. Arbeiderne på en av produsentens fabrikker i Malaysia hadde etter kontrakten krav på en årlig bonus, men nettverkets undersøkelser viste at bare noen få av dem hadde fått den. Bonusen utgjør nesten en månedslønn for arbeiderne.</ins></p>"), "{q}");
    assert!(q.contains("<p><ins><span>Lagt til: </span>Noen uker etter henvendelsen begynte fabrikken å betale ut bonusen til alle som hadde krav på den. Vi kan ikke vite sikkert at det var henvendelsen fra innkjøperne som gjorde utslaget, men tidspunktet tyder på det. Saken viser hvordan offentlige innkjøpere sammen kan holde leverandører ansvarlige for forholdene lenger ned i kjeden.</ins></p>"), "{q}");
    assert_eq!(
        q.matches("<p class=\"elided\">[…] 1 uendret avsnitt</p>")
            .count(),
        2,
        "{q}"
    );
    assert!(!q.contains("<del>"), "{q}");
    // Only 5.A.1 is rewritten.
    assert!(html.contains(
        "6 av 7 spørsmål endret, 0 nye, 0 fjernet. 1 av de endrede svarene er skrevet om."
    ));
    assert!(html.contains("<li data-number=\"5.A.1\" data-status=\"rewritten\">"));
}

#[test]
fn list_items_are_compared_one_by_one() {
    let html = page(edits(), GAMMA);
    // 3.B.1: a bullet added in the middle of a list: that bullet, in full.
    assert_eq!(
        change(&html, "3.B.1")
            .split("<div class=\"diff\">")
            .nth(1)
            .unwrap(),
        "<p class=\"elided\">[…] 2 uendrede avsnitt</p><p><ins><span>Lagt til: </span>Mat laget av lokale råvarer i sesong der det lar seg gjøre.</ins></p><p class=\"elided\">[…] 2 uendrede avsnitt</p></div>\n"
    );
    // 3.B.2: an item reworded: word by word.
    assert!(change(&html, "3.B.2").contains("<p>Leverandører med høy risiko får en <ins><span>Lagt til: </span>grundig</ins> egenvurdering å fylle <del><span>Fjernet: </span>ut.</del> <ins><span>Lagt til: </span>ut hvert år.</ins></p>"));
    // 3.B.3: a list renumbered (4, 5, 6 instead of 1, 2, 3) and nothing else: unchanged.
    assert!(html.contains("<li data-number=\"3.B.3\" data-status=\"unchanged\">"));
}

#[test]
fn table_rows_added_and_removed_and_a_paragraph_moved() {
    let html = page(edits(), GAMMA);
    // 2.A.3: one row removed, one added, two unchanged rows counted.
    let t = change(&html, "2.A.3");
    assert!(t.contains("<tr class=\"row-removed\"><td>Fjernet rad</td><td>Lave lønninger i kaffeproduksjon</td><td>Lønn</td><td>Brasil</td></tr>"), "{t}");
    assert!(t.contains("<tr class=\"row-added\"><td>Ny rad</td><td>Barnearbeid i kakaoproduksjon</td><td>Barnearbeid</td><td>Elfenbenskysten</td></tr>"), "{t}");
    assert!(
        t.contains("<p class=\"elided\">[…] 2 uendrede rader</p>"),
        "{t}"
    );
    assert!(!t.contains("row-changed"), "{t}");
    // 1.A.2: a paragraph moved below the next one: shown once as moved, nothing added
    // or removed.
    let m = change(&html, "1.A.2");
    assert!(m.contains("data-status=\"changed\""), "{m}");
    assert!(
        m.contains("<p class=\"moved\"><span class=\"moved-label\">Flyttet hit, uendret:</span> "),
        "{m}"
    );
    assert!(!m.contains("<ins>") && !m.contains("<del>"), "{m}");
}

#[test]
fn rapport_json_carries_each_answers_blocks() {
    let v: serde_json::Value = serde_json::from_str(&read(
        &edits().join("public/medlemmer/gamma-kommune/2024/rapport.json"),
    ))
    .unwrap();
    let section = |n: &str| {
        v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["number"] == n)
            .unwrap()
            .clone()
    };
    // List items and the paragraphs of an item are units of their own.
    let blocks = section("6.A.2")["blocks"].as_array().unwrap().clone();
    assert_eq!(blocks.len(), 4);
    assert_eq!(
        blocks[0],
        "I rapporteringsåret bidro kommunen til gjenoppretting i disse tilfellene:"
    );
    assert!(
        blocks[2]
            .as_str()
            .unwrap()
            .starts_with("Noen uker etter henvendelsen")
    );
    assert_eq!(
        section("3.B.1")["blocks"],
        serde_json::json!([
            "Kommunen har satt disse kravene til leverandørene:",
            "Transport med utslippsfrie kjøretøy i sentrum.",
            "Mat laget av lokale råvarer i sesong der det lar seg gjøre.",
            "Emballasje som kan gjenvinnes.",
            "Rapportering av klimagassutslipp hvert år."
        ])
    );
    // A table as an object.
    assert_eq!(
        section("2.A.3")["blocks"][0],
        serde_json::json!({
            "caption": "Prioriterte risikoer 2024",
            "head": ["Prioritert risiko", "Relatert tema", "Geografi"],
            "rows": [
                ["Tvangsarbeid i produksjon av arbeidsklær", "Tvangsarbeid", "Kina og Vietnam"],
                ["Farlige arbeidsforhold i gruver", "Helse og sikkerhet", "Kongo"],
                ["Barnearbeid i kakaoproduksjon", "Barnearbeid", "Elfenbenskysten"]
            ]
        })
    );
    // Schema 2: the answer once, as blocks, not again as one text.
    assert!(section("6.A.2").get("text").is_none());
}
