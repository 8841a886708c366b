//! The renderer as a whole: what a member's Markdown becomes.

use std::collections::BTreeSet;

use super::*;
use crate::config::{Images, Lang};
use crate::diagnostics::{Diagnostic, Source};

fn render_plain(md: &str) -> Result<Rendered, Vec<Diagnostic>> {
    let source = Source::new("x.md", md);
    let images = BTreeSet::from(["bilde.png".to_string()]);
    let cx = MdContext {
        source: &source,
        offset: 0,
        template: None,
        lang: Lang::Nb,
        image_prefix: "/medlemmer/x/",
        images: &images,
        image_hosts: &Images {
            allowed_hosts: vec!["bilder.example.no".into()],
        },
    };
    render(md, &cx)
}

#[test]
fn script_and_javascript_links_do_not_survive() {
    let r = render_plain("Hei <script>alert(1)</script> [lenke](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<span lang=\"en\" onclick=\"x()\">English</span>").unwrap();
    assert!(!r.html.contains("<script"), "{}", r.html);
    assert!(!r.html.contains("alert(1)"), "{}", r.html);
    assert!(!r.html.contains("javascript:"), "{}", r.html);
    assert!(!r.html.contains("onerror"), "{}", r.html);
    assert!(!r.html.contains("onclick"), "{}", r.html);
    assert!(
        r.html.contains("<span lang=\"en\">English</span>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("lenke"));
    assert!(r.warnings.iter().any(|w| w.message.contains("<script>")));
}

#[test]
fn blank_header_cells_are_data_cells() {
    let r = render_plain(
        "## Tall\n\n|  | 2023 | <script>x()</script> | <br> |\n|---|--:|--:|---|\n| Ansatte | 1 | 2 | 3 |\n",
    )
    .unwrap();
    assert!(
        r.html.contains(
            "<thead><tr><td></td><th scope=\"col\" class=\"num\">2023</th><td class=\"num\"></td><td><br></td></tr></thead>"
        ),
        "{}",
        r.html
    );
    assert!(!r.html.contains("<th scope=\"col\"></th>"), "{}", r.html);
}

#[test]
fn tables_get_caption_scope_and_wrapper() {
    let r = render_plain(
        "## Risiko\n\nTabell: Prioriterte risikoer\n\n| A | B |\n|---|--:|\n| x | 1 |\n",
    )
    .unwrap();
    assert!(
        r.html
            .contains("<caption id=\"tabell-1\">Prioriterte risikoer</caption>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("<th scope=\"col\">A</th>"), "{}", r.html);
    assert!(r.html.contains("<td class=\"num\">1</td>"), "{}", r.html);
    assert!(
        r.html.contains("aria-labelledby=\"tabell-1\""),
        "{}",
        r.html
    );
    assert!(!r.html.contains("Tabell:"));
}

#[test]
fn headings_get_unique_ids_and_sections() {
    let r = render_plain(
        "Innledning\n\n## Forord\n\nTekst\n\n### Under\n\nMer\n\n## Forord\n\nIgjen\n",
    )
    .unwrap();
    let ids: Vec<_> = r.sections.iter().map(|s| s.anchor.as_str()).collect();
    assert_eq!(ids, ["forord", "under", "forord-2"]);
    // The first section runs over its sub-heading.
    assert!(r.html[r.sections[0].html.clone()].contains("Mer"));
    assert!(!r.html[r.sections[0].html.clone()].contains("Igjen"));
    assert!(r.html[r.sections[2].html.clone()].contains("Igjen"));
}

#[test]
fn answers_become_text_blocks_and_tables() {
    let r = render_plain("## A\n\nFørste *avsnitt*\nfortsetter.\n\n- punkt en\n- punkt to\n\nTabell: Risikoer\n\n| R | T |\n|---|---|\n| x | y |\n\n##### Under\n\nSiste.\n\n## B\n\nAnnet.\n").unwrap();
    let a = &r.sections[0];
    assert_eq!(
        a.blocks[0],
        Block::Text("Første avsnitt fortsetter.".into())
    );
    assert_eq!(a.blocks[1], Block::Text("punkt en".into()));
    assert_eq!(a.blocks[2], Block::Text("punkt to".into()));
    assert_eq!(
        a.blocks[3],
        Block::Table(TableBlock {
            caption: "Risikoer".into(),
            head: vec!["R".into(), "T".into()],
            rows: vec![vec!["x".into(), "y".into()]]
        })
    );
    assert_eq!(a.blocks[4], Block::Text("Under".into()));
    assert_eq!(a.blocks[5], Block::Text("Siste.".into()));
    assert_eq!(a.blocks.len(), 6);
    assert_eq!(r.sections[2].blocks, vec![Block::Text("Annet.".into())]);
}

#[test]
fn footnotes_do_not_clash_with_anchors() {
    let r = render_plain("Tekst[^1].\n\n[^1]: Kilde.\n").unwrap();
    assert!(r.html.contains("href=\"#fn-1-1\""), "{}", r.html);
    assert!(r.html.contains("id=\"fn-1-1\""), "{}", r.html);
    assert!(r.html.contains("href=\"#fnref-1-1\""), "{}", r.html);
}

#[test]
fn image_paths_are_checked() {
    assert!(
        render_plain("![Et bilde](bilde.png)")
            .unwrap()
            .html
            .contains("src=\"/medlemmer/x/bilde.png\"")
    );
    let e = render_plain("![x](../../site.toml)").unwrap_err();
    assert!(e[0].message.contains("leaves the member's folder"));
    let e = render_plain("![x](bilde.jpg)").unwrap_err();
    assert_eq!(e[0].help.as_deref(), Some("did you mean `bilde.png`?"));
    let r = render_plain("![](bilde.png)").unwrap();
    assert!(r.warnings[0].message.contains("alt text"));
}

/// An image from another site would let that site follow every reader: only the
/// hosts site.toml allows (here bilder.example.no), over https.
#[test]
fn remote_images_come_only_from_allowed_hosts() {
    let r = render_plain("![Fabrikk](https://bilder.example.no/fabrikk.png)\n").unwrap();
    assert!(
        r.html
            .contains("src=\"https://bilder.example.no/fabrikk.png\""),
        "{}",
        r.html
    );
    let r = render_plain("![Fabrikk](HTTPS://Bilder.Example.NO/f.png)\n").unwrap();
    assert!(
        r.html.contains("src=\"https://bilder.example.no/f.png\""),
        "{}",
        r.html
    );
    for (md, column) in [
        ("![Piksel](https://sporing.example.com/p.png)", 1),
        ("![Piksel](http://bilder.example.no/p.png)", 1),
        ("![Piksel](https://bilder.example.no:8443/p.png)", 1),
        (
            "![Piksel](https://bilder.example.no@sporing.example.com/p.png)",
            1,
        ),
        (
            "![Piksel](https://bilder.example.no.sporing.example.com/p.png)",
            1,
        ),
        ("![Piksel](//sporing.example.com/p.png)", 1),
        ("![Piksel](<ht\ttps://sporing.example.com/p.png>)", 1),
        ("![Piksel][p]\n\n[p]: https://sporing.example.com/p.png", 1),
        ("![Piksel](mailto:a@sporing.example.com)", 1),
        (
            "Tabell: ![Piksel](https://sporing.example.com/p.png)\n\n| a |\n|---|\n| b |",
            9,
        ),
    ] {
        let e = render_plain(&format!("{md}\n")).expect_err(md);
        assert!(
            e[0].message.contains("image from another site")
                || e[0].message.contains("is not allowed"),
            "{md}: {e:?}"
        );
        assert_eq!((e[0].line, e[0].column), (1, column), "{md}: {e:?}");
    }
    // Raw HTML images never reach the page.
    let r = render_plain("<img src=\"https://sporing.example.com/p.png\">\n").unwrap();
    assert!(!r.html.contains("sporing"), "{}", r.html);
    assert!(
        r.warnings[0]
            .message
            .contains("raw HTML <img> will be removed")
    );
}

#[test]
fn table_captions_are_checked_like_other_text() {
    // Found while writing the hostile fixture: the caption's inline events were
    // copied as they were, so a link or raw HTML in it skipped every check (and the
    // sanitiser too, in a section with no other raw HTML).
    let r = render_plain(
        "## A\n\nTabell: [x](javascript:alert(1)) <img src=x onerror=alert(2)> **Risiko**\n\n| a |\n|---|\n| b |\n",
    )
    .unwrap();
    assert!(!r.html.contains("javascript:"), "{}", r.html);
    assert!(!r.html.contains("onerror"), "{}", r.html);
    assert!(!r.html.contains("<img"), "{}", r.html);
    assert!(
        r.html
            .contains("<caption id=\"tabell-1\">x  <strong>Risiko</strong></caption>"),
        "{}",
        r.html
    );
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
}

/// Every kind of nesting stops at the same depth, and a level is what a member
/// counts: one per list, quote, emphasis, link or HTML tag.
#[test]
fn nesting_has_one_limit_for_every_kind() {
    let quotes = |n: usize| ">".repeat(n) + " x\n";
    let lists = |n: usize| {
        (0..n)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>()
    };
    // `*a _a *a … x … a* a_ a*`: emphasis in emphasis, one level each.
    let emphasis = |n: usize| {
        let mark = |i: usize| if i.is_multiple_of(2) { "*" } else { "_" };
        let open: String = (0..n).map(|i| format!("{}a ", mark(i))).collect();
        let close: String = (0..n).rev().map(|i| format!(" a{}", mark(i))).collect();
        format!("{open}x{close}\n")
    };
    // `**a ~~a **a … x … a** a~~ a**`: strong and struck through.
    let strong = |n: usize| {
        let mark = |i: usize| if i.is_multiple_of(2) { "**" } else { "~~" };
        let open: String = (0..n).map(|i| format!("{}a ", mark(i))).collect();
        let close: String = (0..n).rev().map(|i| format!(" a{}", mark(i))).collect();
        format!("{open}x{close}\n")
    };
    let mixed = |n: usize| "> - ".repeat(n / 2) + "x\n";
    let html = |n: usize| "<span lang=\"en\">".repeat(n) + "x\n";
    // Each with the elements that make its levels (none counted for the mix).
    type Case<'a> = (&'a str, &'a dyn Fn(usize) -> String, &'a [&'a str]);
    let cases: [Case; 6] = [
        ("quotes", &quotes, &["<blockquote>"]),
        ("lists", &lists, &["<ul>"]),
        ("emphasis", &emphasis, &["<em>"]),
        ("strong and struck", &strong, &["<strong>", "<del>"]),
        ("a list in a quote", &mixed, &[]),
        ("raw HTML", &html, &["<span"]),
    ];
    for (what, make, tags) in cases {
        let ok = render_plain(&make(MAX_NESTING))
            .unwrap_or_else(|e| panic!("{what}: {MAX_NESTING} levels refused: {e:?}"));
        if !tags.is_empty() {
            let levels: usize = tags.iter().map(|t| ok.html.matches(t).count()).sum();
            assert_eq!(levels, MAX_NESTING, "{what}: {}", ok.html);
        }
        let e = render_plain(&make(MAX_NESTING + 2))
            .expect_err(&format!("{what}: {} levels accepted", MAX_NESTING + 2));
        assert!(
            e[0].message.contains("nested more than 64 levels"),
            "{what}: {e:?}"
        );
    }
    // One more than the limit is refused (the mixed case counts two per step).
    for make in [quotes, lists] {
        assert!(render_plain(&make(MAX_NESTING + 1)).is_err());
    }
    assert!(render_plain(&emphasis(MAX_NESTING + 1)).is_err());
}

/// pulldown-cmark ends `<pre>` … blocks only at a lower-case end tag: an upper-case
/// one used to turn the rest of the report into raw text, without its headings.
#[test]
fn raw_text_blocks_end_at_their_end_tag_in_any_case() {
    for tag in ["script", "style", "pre", "textarea"] {
        let upper = tag.to_uppercase();
        let mixed: String = tag
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i.is_multiple_of(2) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        for (open, close) in [
            (upper.as_str(), tag),
            (tag, upper.as_str()),
            (upper.as_str(), upper.as_str()),
            (mixed.as_str(), mixed.as_str()),
            (tag, &*format!("{mixed} \t")),
        ] {
            let md = format!(
                "## Forord\n\n<{open}>\nlinje en\n\nlinje to\n</{close}>\n\n## Etter\n\nTekst *her*.\n"
            );
            let r = render_plain(&md).unwrap_or_else(|e| panic!("{md}: {e:?}"));
            let ids: Vec<&str> = r.sections.iter().map(|s| s.anchor.as_str()).collect();
            assert_eq!(ids, ["forord", "etter"], "{md}");
            assert!(r.html.contains("<em>her</em>"), "{md}\n{}", r.html);
            // The end tag is read by the line it is on: the block ends there.
            assert!(!r.html.contains("## Etter"), "{md}\n{}", r.html);
        }
    }
}

#[test]
fn code_shows_end_tags_as_written() {
    let r =
        render_plain("<PRE>\nx\n</PRE>\n\nKode: `</PRE>` og `</Script >`.\n\n```\n</STYLE>\n```\n")
            .unwrap();
    assert!(r.html.contains("<code>&lt;/PRE&gt;</code>"), "{}", r.html);
    assert!(
        r.html.contains("<code>&lt;/Script &gt;</code>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("&lt;/STYLE&gt;\n</code></pre>"),
        "{}",
        r.html
    );
}

#[test]
fn an_unclosed_raw_text_block_is_an_error() {
    for (md, line) in [
        ("## A\n\n<pre>\nx\n\n## B\n\ny\n", 3),
        ("## A\n\n<script>\nx\n</pre>\n\n## B\n", 3),
        ("Tekst.\n\n  <STYLE type=x>\n", 3),
    ] {
        let e = render_plain(md).expect_err(md);
        assert!(e[0].message.contains("is never closed"), "{md}: {e:?}");
        assert_eq!(e[0].line, line, "{md}: {e:?}");
    }
    // Closed, or ended by the list it is in: not an error.
    assert!(render_plain("<pre>\nx\n</pre>\n").is_ok());
    assert!(render_plain("- <pre>\n  x\n\nTekst\n").is_ok());
}

#[test]
fn raw_html_keeps_only_the_allowlist() {
    let r = render_plain(
        "<div lang=\"en\" id=\"hovedinnhold\" class=\"skip-link\">\n\nTekst\n\n</div>\n\nEn <a href=\"https://x.no/\">rå lenke</a> og <abbr title=\"Etisk handel\" style=\"x\">EHN</abbr>.\n",
    )
    .unwrap();
    assert!(r.html.contains("<div lang=\"en\">"), "{}", r.html);
    assert!(!r.html.contains("hovedinnhold") && !r.html.contains("skip-link"));
    assert!(!r.html.contains("<a "), "{}", r.html);
    assert!(
        r.html.contains("<abbr title=\"Etisk handel\">EHN</abbr>"),
        "{}",
        r.html
    );
    let messages: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the attribute `id` of raw HTML <div> will be removed",
            "the attribute `class` of raw HTML <div> will be removed",
            "raw HTML <a> will be removed",
            "the attribute `style` of raw HTML <abbr> will be removed",
        ]
    );
    // Warnings point at what is removed.
    assert_eq!((r.warnings[0].line, r.warnings[0].column), (1, 16));
}

#[test]
fn level_one_heading_is_an_error() {
    let e = render_plain("# Tittel\n").unwrap_err();
    assert!(e[0].message.contains("level-1"));
    assert_eq!(e[0].line, 1);
}
