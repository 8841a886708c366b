//! Text of the PDF's lines: joining wrapped lines (and undoing end-of-line
//! hyphenation), telling sentence ends and labels, and reading numbers.
//!
//! Hand-written: the rules are the form's and Norwegian's (suspended compounds such as
//! `lønns- og` keep their hyphen), which no text-reflow crate knows.

/// One line of the report's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// 1-based line number in the input text.
    pub(crate) no: usize,
    /// The text, without a page-break mark and without white space at either end.
    pub(crate) text: String,
    /// The first line of a page of the PDF.
    pub(crate) page_start: bool,
    /// The line ended in white space in the input: often the end of a line the member
    /// typed, rather than a wrap.
    pub(crate) trailing_space: bool,
}

/// Words after which a hyphen at the end of a line is a suspended compound's
/// (`lønns- og arbeidsvilkår`), not a word broken in two.
const CONJUNCTIONS: &[&str] = &["og", "eller", "samt", "til", "enn", "and", "or", "nor"];

/// Lower case, runs of white space as one space, no closing colon or question mark:
/// how labels and titles are compared.
pub(super) fn normalise(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_end_matches([':', ' ']).trim().to_lowercase()
}

pub(super) fn chars(s: &str) -> usize {
    s.chars().count()
}

pub(super) fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

pub(super) fn last_word(s: &str) -> &str {
    s.split_whitespace().next_back().unwrap_or("")
}

pub(super) fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_lowercase)
}

/// Starts a new sentence or item: a capital, a digit or an opening quote.
pub(super) fn starts_upper(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“«'‘(".contains(c))
}

/// Ends with a sentence's closing punctuation (a closing quote or bracket after it
/// counts too).
pub(super) fn ends_sentence(s: &str) -> bool {
    let t = s
        .trim_end()
        .trim_end_matches(['"', '”', '»', '\'', '’', ')']);
    t.ends_with(['.', '!', '?', ':', ';'])
}

pub(super) fn is_url(word: &str) -> bool {
    let w = word.trim_start_matches(['(', '<', '"']);
    w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
}

/// A line that is nothing but one web address.
pub(super) fn is_url_line(s: &str) -> bool {
    let mut words = s.split_whitespace();
    words.next().is_some_and(is_url) && words.next().is_none()
}

/// Letters, all capitals, at least two words: the form's own sub-headings
/// ("ANDRE TILTAK FOR Å HÅNDTERE …").
pub(super) fn is_caps(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 10
        && letters.iter().all(|c| c.is_uppercase())
        && s.split_whitespace().count() >= 2
}

/// "MÅL FOR KOMMENDE ÅR" → "Mål for kommende år".
pub(super) fn sentence_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a hyphen at the end of a line joins the next line's first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hyphen {
    /// A word broken in two: the hyphen goes (`arbeids-` `takere` → `arbeidstakere`).
    Drop,
    /// A hyphen that belongs to the word (`IKT-` `utstyr`, a web address).
    Keep,
    /// A suspended compound (`lønns-` `og` → `lønns- og`), or a dash.
    KeepSpace,
}

fn hyphen_rule(word: &str, next: &str) -> Hyphen {
    if word == "-" || word == "–" || word.ends_with('–') && chars(word) == 1 {
        return Hyphen::KeepSpace;
    }
    if word.ends_with('–') {
        return Hyphen::Keep;
    }
    let next_word = first_word(next).trim_end_matches([',', '.', ';', ':']);
    if CONJUNCTIONS.contains(&next_word.to_lowercase().as_str()) || word.ends_with(",-") {
        return Hyphen::KeepSpace;
    }
    if is_url(word) {
        return Hyphen::Keep;
    }
    let stem = word.trim_end_matches(['-', '\u{2010}']);
    let before = stem.chars().next_back();
    let after = next.chars().next();
    let capital_or_digit =
        |c: Option<char>| c.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    if capital_or_digit(before) || capital_or_digit(after) || before.is_none() {
        return Hyphen::Keep;
    }
    Hyphen::Drop
}

/// Whether a web address at the end of `prev` goes on at the start of `next` (cut
/// without a hyphen: the next line starts with the rest of the address).
fn url_goes_on(prev: &str, next: &str) -> bool {
    let (last, first) = (last_word(prev), first_word(next));
    is_url(last)
        && !is_url(first)
        && !ends_sentence(last)
        && first.contains(['/', '%', '=', '&', '#', '?'])
}

/// Appends the next line of the same paragraph to `acc`, undoing the wrap: a space
/// between words, no space and no hyphen inside a word broken in two, and the hyphen
/// kept where it is the word's (`lønns- og`, `IKT-utstyr`, web addresses).
pub(super) fn join_line(acc: &mut String, next: &str) {
    let trimmed_len = acc.trim_end().len();
    acc.truncate(trimmed_len);
    let next = next.trim();
    if acc.is_empty() {
        acc.push_str(next);
        return;
    }
    if next.is_empty() {
        return;
    }
    if acc.ends_with('\u{00AD}') {
        acc.pop();
        acc.push_str(next);
        return;
    }
    if acc.ends_with(['-', '\u{2010}', '–']) {
        match hyphen_rule(last_word(acc), next) {
            Hyphen::Drop => {
                acc.pop();
            }
            Hyphen::Keep => {}
            Hyphen::KeepSpace => acc.push(' '),
        }
        acc.push_str(next);
        return;
    }
    if !url_goes_on(acc, next) {
        acc.push(' ');
    }
    acc.push_str(next);
}

/// The lines of a block as one text, joined as [`join_line`] joins them.
pub(super) fn joined(raw: &[Line]) -> String {
    let mut s = String::new();
    for l in raw {
        join_line(&mut s, &l.text);
    }
    s
}

/// What `pdftotext` makes of a word hyphenated at the end of a line (it drops the
/// hyphen and joins the lines: `lønns-` `og` → `lønnsog`), and what [`join_line`]
/// makes of it (`lønns- og`). `None` when the two agree.
pub(super) fn rejoin_hyphenated(word: &str, next: &str) -> Option<(String, String)> {
    let stem = word.strip_suffix('-')?;
    let next_word = first_word(next);
    if stem.is_empty() || next_word.is_empty() {
        return None;
    }
    let poppler = format!("{stem}{next_word}");
    let mut ours = word.to_string();
    join_line(&mut ours, next_word);
    (ours != poppler).then_some((poppler, ours))
}

/// Reads a number as the form prints it: `54 147`, `3 536 883 116` (spaces,
/// non-breaking or thin spaces between thousands), `3.536.883`, `11,9`, with an
/// optional unit (`kr`, `NOK`, `%`). Returns the value and whether it is whole.
pub(super) fn parse_number(s: &str) -> Option<(f64, bool)> {
    let mut t = s.trim().trim_end_matches(['.', ',']).to_string();
    for unit in ["NOK", "kr.", "kr", "%", ",-"] {
        if let Some(rest) = t.strip_suffix(unit) {
            t = rest.trim_end().to_string();
        }
    }
    let compact: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if compact.is_empty()
        || !compact
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    // Spaces may only separate groups of three digits.
    let groups: Vec<&str> = t.split([' ', '\u{a0}', '\u{202f}', '\u{2009}']).collect();
    if groups.len() > 1
        && groups[1..]
            .iter()
            .any(|g| g.len() < 3 || !g.starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    let dots = compact.matches('.').count();
    let commas = compact.matches(',').count();
    let normal = match (dots, commas) {
        (0, 0) => compact,
        (0, 1) => compact.replace(',', "."),
        (1, 0) if compact.split('.').nth(1).is_some_and(|d| d.len() != 3) => compact,
        (_, 0) if compact.split('.').skip(1).all(|g| g.len() == 3) => compact.replace('.', ""),
        (_, 1)
            if compact
                .split(',')
                .next()
                .is_some_and(|w| w.split('.').skip(1).all(|g| g.len() == 3)) =>
        {
            compact.replace('.', "").replace(',', ".")
        }
        _ => return None,
    };
    let value: f64 = normal.parse().ok()?;
    Some((value, !normal.contains('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(lines: &[&str]) -> String {
        let mut acc = String::new();
        for l in lines {
            join_line(&mut acc, l);
        }
        acc
    }

    #[test]
    fn suspended_compounds_keep_their_hyphen() {
        assert_eq!(
            joined(&["kontroll av lønns-", "og arbeidsvilkår"]),
            "kontroll av lønns- og arbeidsvilkår"
        );
        assert_eq!(
            joined(&["ombruks-, reparasjons-", "og redesign"]),
            "ombruks-, reparasjons- og redesign"
        );
        assert_eq!(
            joined(&["bygge-", "eller anleggsfasen"]),
            "bygge- eller anleggsfasen"
        );
    }

    #[test]
    fn broken_words_are_joined() {
        assert_eq!(
            joined(&["for arbeids-", "takere i kjeden"]),
            "for arbeidstakere i kjeden"
        );
        assert_eq!(
            joined(&["myke binde\u{00AD}", "streker"]),
            "myke bindestreker"
        );
        assert_eq!(joined(&["en linje", "til"]), "en linje til");
    }

    #[test]
    fn hyphens_of_the_word_stay() {
        assert_eq!(
            joined(&["møbler, IKT-", "produkter og"]),
            "møbler, IKT-produkter og"
        );
        assert_eq!(joined(&["planen 2024-", "2027"]), "planen 2024-2027");
        assert_eq!(joined(&["i Nord-", "Norge"]), "i Nord-Norge");
        assert_eq!(
            joined(&["https://x.example.no/alle-oslo-", "handler-med-1"]),
            "https://x.example.no/alle-oslo-handler-med-1"
        );
        assert_eq!(
            joined(&["https://x.example.no/a?text=M%C3", "%A5let%20med"]),
            "https://x.example.no/a?text=M%C3%A5let%20med"
        );
        assert_eq!(
            joined(&["levetiden –", "fra produksjon"]),
            "levetiden – fra produksjon"
        );
        assert_eq!(
            joined(&["levetiden -", "fra produksjon"]),
            "levetiden - fra produksjon"
        );
    }

    #[test]
    fn what_pdftotext_joined_is_rejoined() {
        assert_eq!(
            rejoin_hyphenated("lønns-", "og arbeidsvilkår"),
            Some(("lønnsog".into(), "lønns- og".into()))
        );
        assert_eq!(
            rejoin_hyphenated("IKT-", "produkter og"),
            Some(("IKTprodukter".into(), "IKT-produkter".into()))
        );
        assert_eq!(rejoin_hyphenated("arbeids-", "takere"), None);
    }

    #[test]
    fn numbers_as_the_form_prints_them() {
        assert_eq!(parse_number("54 147"), Some((54147.0, true)));
        assert_eq!(parse_number("3 536 883 116"), Some((3536883116.0, true)));
        assert_eq!(
            parse_number("3\u{a0}536\u{a0}883\u{a0}116"),
            Some((3536883116.0, true))
        );
        assert_eq!(parse_number("54\u{202f}147"), Some((54147.0, true)));
        assert_eq!(parse_number("94"), Some((94.0, true)));
        assert_eq!(parse_number("3.536.883"), Some((3536883.0, true)));
        assert_eq!(parse_number("11,9"), Some((11.9, false)));
        assert_eq!(parse_number("12 500 kr"), Some((12500.0, true)));
        assert_eq!(parse_number("1 234,5"), Some((1234.5, false)));
        assert_eq!(parse_number("ca. 36 milliarder"), None);
        assert_eq!(parse_number("12 34"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("Oslo"), None);
    }

    #[test]
    fn labels_and_sentences() {
        assert_eq!(normalise("  Antall   ansatte :"), "antall ansatte");
        assert!(ends_sentence("slik ble det."));
        assert!(ends_sentence("«sitat.»"));
        assert!(!ends_sentence("og så"));
        assert!(is_caps("ANDRE TILTAK FOR Å HÅNDTERE NEGATIV PÅVIRKNING"));
        assert!(!is_caps("UKE"));
        assert!(!is_caps("Mål og fremdrift"));
        assert_eq!(sentence_case("MÅL FOR KOMMENDE ÅR"), "Mål for kommende år");
    }
}
