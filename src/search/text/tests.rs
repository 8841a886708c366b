//! Tests of the search text analysis (tokens, stems, compounds, plain text).

use super::*;

/// The plain char-by-char tokenizer [`tokens`] must split exactly like.
fn reference_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if !c.is_alphanumeric() {
            prev = Some(c);
            continue;
        }
        if prev.is_none_or(|p| !(p.is_alphanumeric() || p == '.'))
            && let Some(len) = question_number_at(&text[i..])
        {
            out.push(&text[i..i + len]);
            while chars.peek().is_some_and(|(j, _)| *j < i + len) {
                chars.next();
            }
            prev = text[..i + len].chars().next_back();
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !d.is_alphanumeric() {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        out.push(&text[i..end]);
        prev = text[..end].chars().next_back();
    }
    out
}

#[test]
fn tokens_split_like_the_reference_on_mixed_text() {
    let pieces = [
        "2.A.3", "1.B", "6.B.1.", "x", "Æ", "øy", "å", " ", "  ", ".", ",", "-", "12", "3,5",
        "\u{301}", "\u{fffd}", "🙂", "ß", "İ", "\n", "(", "2.a", "9.Z.9", "Ω", "\u{a0}", "٣",
        "漢字", "é",
    ];
    for text in mixed_texts(&pieces, 5_000) {
        assert_eq!(tokens(&text), reference_tokens(&text), "{text:?}");
    }
}

/// Texts of twelve pieces each, mixed by a fixed pseudo-random sequence (xorshift): the
/// same strings on every run.
fn mixed_texts(pieces: &[&str], n: usize) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            let mut text = String::new();
            for _ in 0..12 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            text
        })
        .collect()
}

#[test]
fn indexable_words_are_the_general_rules() {
    let pieces = [
        "Og",
        "og",
        "OG",
        "på",
        "På",
        "the",
        "The",
        "Leverandør",
        "LEVERANDØR",
        "ærlig",
        "Ærlig",
        "ÆØÅ",
        "2.A.3",
        "2.a",
        "x",
        " ",
        ".",
        ",",
        "×",
        "÷",
        "Þ",
        "ÿ",
        "ß",
        "İ",
        "ǅ",
        "Ω",
        "ω",
        "٣",
        "漢字",
        "\u{301}",
        "hvordan",
        "Hvordan",
        "hvordann",
        "12",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "a",
        "é",
        "É",
    ];
    for lang in [Language::Norwegian, Language::English] {
        for text in mixed_texts(&pieces, 3_000) {
            let general: Vec<std::borrow::Cow<str>> = tokens(&text)
                .into_iter()
                .map(lower_cow)
                .filter(|w| indexable(w, lang))
                .collect();
            let mut fast = Vec::new();
            indexable_words(&text, lang, |w| fast.push(w));
            assert_eq!(fast, general, "{text:?}");
        }
    }
}

#[test]
fn latin1_classes_are_unicodes() {
    for c in '\u{80}'..='\u{7ff}' {
        let s = c.to_string();
        assert_eq!(
            scan::class_at(&s, 0),
            (scan::unicode_class(c), c.len_utf8()),
            "{c:?}"
        );
    }
}

#[test]
fn tokenises_words_numbers_and_question_numbers() {
    assert_eq!(
        tokens("Se 2.A.3 og 3.A.1: leverandørkjeden, 2024."),
        ["Se", "2.A.3", "og", "3.A.1", "leverandørkjeden", "2024"]
    );
    assert_eq!(
        tokens("elev-PC-er i «Kina»"),
        ["elev", "PC", "er", "i", "Kina"]
    );
    assert_eq!(
        tokens("2.A 1.B.12 4.C.123"),
        ["2.A", "1.B.12", "4.C", "123"]
    );
    // Not question numbers: a letter run after the dot, a leading zero, inside a word.
    assert_eq!(
        tokens("2.Arbeid 0.A.1 x2.A.3"),
        ["2", "Arbeid", "0", "A", "1", "x2", "A", "3"]
    );
    assert_eq!(
        tokens("3,5 % – f.eks. OECD’s"),
        ["3", "5", "f", "eks", "OECD", "s"]
    );
    assert!(tokens("  — … ").is_empty());
}

#[test]
fn question_numbers_are_recognised_alone() {
    assert!(is_question_number("2.a.3"));
    assert!(is_question_number("6.b"));
    assert!(!is_question_number("2.a.3x"));
    assert!(!is_question_number("2024"));
}

#[test]
fn lower_case_is_the_browsers() {
    assert_eq!(lower("LEVERANDØR"), "leverandør");
}

#[test]
fn stop_words_are_not_indexable() {
    assert!(!indexable("og", Language::Norwegian));
    assert!(!indexable("på", Language::Norwegian));
    assert!(!indexable("the", Language::English));
    assert!(indexable("the", Language::Norwegian));
    assert!(!indexable("x", Language::Norwegian));
    assert!(indexable("2.a.3", Language::Norwegian));
    assert!(indexable("barnearbeid", Language::Norwegian));
    assert!(!indexable(&"a".repeat(41), Language::Norwegian));
}

#[test]
fn stems_are_folded_snowball_stems() {
    let mut s = Stems::default();
    let nb = Language::Norwegian;
    assert_eq!(s.stem("leverandører", nb), "leverandor");
    assert_eq!(s.stem("leverandør", nb), "leverandor");
    // Typed without ø, the word still reaches the same stem.
    assert_eq!(s.stem("leverandorer", nb), "leverandor");
    assert_eq!(s.stem("risikoer", nb), "risiko");
    assert_eq!(s.stem("kommunen", nb), s.stem("kommunens", nb));
    // -het nouns keep their suffix (Snowball alone would give "rett").
    assert_eq!(s.stem("rettigheter", nb), "rettighet");
    assert_eq!(s.stem("rettighetene", nb), "rettighet");
    assert_eq!(s.stem("menneskerettighet", nb), "menneskerettighet");
    assert_eq!(s.stem("muligheter", nb), "mulighet");
    assert_eq!(s.stem("rett", nb), "rett");
    assert_eq!(s.stem("heter", nb), stem_word("heter", nb));
    assert_eq!(s.stem("working", Language::English), "work");
    assert_eq!(s.stem("policies", Language::English), "polici");
    assert_eq!(s.stem("2.a.3", nb), "2.a.3");
    assert_eq!(s.stem("2024", nb), "2024");
    assert_eq!(stem_word("leverandørene", nb), "leverandor");
}

#[test]
fn compounds_split_on_words_of_the_corpus() {
    let c = Compounds::new([
        "menneske",
        "rettigheter",
        "barn",
        "arbeid",
        "leverandør",
        "kjede",
        "tvang",
        "mat",
        "varer",
        "for",
        "pliktelser",
    ]);
    assert_eq!(
        c.split("menneskerettigheter").unwrap(),
        ["menneske", "rettigheter"]
    );
    // A linking e, and a tail found through its stem (kjeden → kjed ← kjede).
    assert_eq!(c.split("barnearbeid").unwrap(), ["barn", "arbeid"]);
    assert_eq!(
        c.split("leverandørkjeden").unwrap(),
        ["leverandør", "kjeden"]
    );
    // A linking s; a three-letter head.
    assert_eq!(c.split("tvangsarbeid").unwrap(), ["tvang", "arbeid"]);
    assert_eq!(c.split("matvarer").unwrap(), ["mat", "varer"]);
    // Three parts.
    assert_eq!(
        c.split("barnearbeidsleverandørkjeden").unwrap(),
        ["barn", "arbeid", "leverandør", "kjeden"]
    );
    // Stop words are not parts; words of the lexicon are not split into themselves.
    assert_eq!(c.split("forpliktelser"), None);
    assert_eq!(c.split("arbeid"), None);
    assert_eq!(c.split("kontrakt"), None);
    assert_eq!(c.split("2024abc"), None);
}

#[test]
fn plain_text_of_markdown() {
    let md = "Vi fant **barnearbeid** i [leverandørkjeden](https://x.no).\n\n\
              <span lang=\"en\">Supplier Code</span> <script>alert(1)</script>\n\n\
              Tabell: Risikoer\n\n| Risiko | Land |\n| --- | --- |\n| Tvangsarbeid | Malaysia |\n\n\
              - punkt én\n- punkt to[^1]\n\n[^1]: Fotnote.\n";
    let t = plain_text(md);
    assert!(
        t.starts_with("Vi fant barnearbeid i leverandørkjeden.\n"),
        "{t}"
    );
    assert!(t.contains("Supplier Code"), "{t}");
    assert!(!t.contains("alert"), "{t}");
    assert!(t.contains("Risiko · Land\nTvangsarbeid · Malaysia"), "{t}");
    assert!(t.contains("punkt én\npunkt to"), "{t}");
    assert!(t.contains("Fotnote."), "{t}");
    assert!(!t.contains("  "));
}
