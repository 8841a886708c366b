//! Numbers and dates formatted for the page's language.
//!
//! Norwegian groups thousands with a no-break space and uses a decimal comma
//! (`3 536 883 116`, `1,5`); English uses commas and a decimal point.

use crate::config::{FigureDef, Lang, NumberFormat};
use crate::content::Date;

const NBSP: char = '\u{a0}';

/// A number with thousands grouped; `decimals` is the most decimals shown
/// (trailing zeros are dropped).
pub fn number(value: f64, decimals: usize, lang: Lang) -> String {
    let negative = value < 0.0;
    let rounded = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match rounded.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (rounded.as_str(), ""),
    };
    let (group, point) = match lang {
        Lang::Nb => (NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::with_capacity(int.len() + int.len() / 3 + frac.len() + 2);
    if negative && (int != "0" || !frac.is_empty()) {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A key figure's value with its unit: `3 536 883 116 kr`.
pub fn figure(def: &FigureDef, value: f64, lang: Lang) -> String {
    let decimals = match def.format {
        NumberFormat::Integer => 0,
        NumberFormat::Decimal => 2,
    };
    let n = number(value, decimals, lang);
    match &def.unit {
        Some(unit) => format!("{n}{NBSP}{}", unit.get(lang)),
        None => n,
    }
}

/// A value as written in open data files: plain digits, a decimal point, no grouping.
pub fn plain(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

const MONTHS_NB: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `14. mars 2025` / `14 March 2025`.
pub fn date(d: Date, lang: Lang) -> String {
    let m = usize::from(d.month.clamp(1, 12)) - 1;
    match lang {
        Lang::Nb => format!("{}. {} {}", d.day, MONTHS_NB[m], d.year),
        Lang::En => format!("{} {} {}", d.day, MONTHS_EN[m], d.year),
    }
}

/// Whether HTML forbids this character in a document: controls other than white
/// space (C0 and C1, DEL) and the noncharacters. A member's text can hold them,
/// typed raw or as `&#x01;`; pages show U+FFFD in their place.
pub fn forbidden_in_html(c: char) -> bool {
    let n = c as u32;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || (n & 0xFFFE) == 0xFFFE
}

/// Whether `b` (UTF-8) may hold a [`forbidden_in_html`] character: a byte-level test
/// without decoding (never false when it has one).
pub fn may_have_forbidden(b: &[u8]) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    // Bytes that may start one; the rest of the test runs only at those.
    static SUSPECT: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            t[c] = (c < 0x20 && !matches!(c, 0x09 | 0x0a | 0x0d | 0x0c))
                || c == 0x7f
                || c == 0xc2
                || c >= 0xef;
            c += 1;
        }
        t
    };
    // Eight bytes at a time past runs of printable ASCII (most of a text): a chunk
    // goes byte by byte only when one of its bytes is below 0x20 or from 0x7F up.
    let next_suspect = |mut from: usize| -> Option<usize> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        while let Some(chunk) = b.get(from..from + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if (x.wrapping_sub(0x20 * ONES) | x.wrapping_add(ONES) | x) & HIGH == 0 {
                from += 8;
                continue;
            }
            if let Some(k) = chunk.iter().position(|&c| SUSPECT[c as usize]) {
                return Some(from + k);
            }
            from += 8;
        }
        b.get(from..)?
            .iter()
            .position(|&c| SUSPECT[c as usize])
            .map(|k| from + k)
    };
    let mut from = 0;
    while let Some(i) = next_suspect(from) {
        from = i + 1;
        let found = match b[i] {
            b'\t' | b'\n' | b'\r' | 0x0c => false,
            0..0x20 | 0x7f => true,
            // C1 controls: U+0080–U+009F.
            0xc2 => (0x80..0xa0).contains(&at(i + 1)),
            // U+FDD0–U+FDEF and U+FFFE, U+FFFF.
            0xef => {
                (at(i + 1) == 0xb7 && (0x90..0xb0).contains(&at(i + 2)))
                    || (at(i + 1) == 0xbf && at(i + 2) >= 0xbe)
            }
            // U+1FFFE, U+1FFFF … U+10FFFE, U+10FFFF.
            0xf0.. => at(i + 1) & 0x0f == 0x0f && at(i + 2) == 0xbf && at(i + 3) >= 0xbe,
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// `s` with every [`forbidden_in_html`] character replaced by U+FFFD.
pub fn html_chars(s: &str) -> std::borrow::Cow<'_, str> {
    if !may_have_forbidden(s.as_bytes()) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| if forbidden_in_html(c) { '\u{fffd}' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_test_finds_every_forbidden_character() {
        for n in (0..0x11_0000u32).filter(|n| !(0xd800..0xe000).contains(n)) {
            let c = char::from_u32(n).unwrap();
            let s = format!("a{c}b");
            if forbidden_in_html(c) {
                assert!(may_have_forbidden(s.as_bytes()), "U+{n:04X}");
            }
        }
        assert!(!may_have_forbidden("«æøå» – · \u{a0}".as_bytes()));
        // At every offset of a longer text (the test skips eight bytes at a time).
        let text = "Leverandøren svarte på «alle» spørsmål – også de vanskelige.";
        for c in [
            '\u{1}',
            '\u{7f}',
            '\u{85}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{10ffff}',
        ] {
            for k in text.char_indices().map(|(i, _)| i) {
                let s = format!("{}{c}{}", &text[..k], &text[k..]);
                assert!(
                    may_have_forbidden(s.as_bytes()),
                    "U+{:04X} at {k}",
                    c as u32
                );
            }
        }
        assert!(!may_have_forbidden(text.repeat(3).as_bytes()));
    }

    #[test]
    fn characters_html_forbids_become_replacement_characters() {
        assert_eq!(
            html_chars("a\u{1}b\u{80}c\u{7f}d\u{fdd0}e\u{ffff}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}"
        );
        assert!(matches!(
            html_chars("æøå\t\n ok"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn norwegian_numbers() {
        assert_eq!(
            number(3536883116.0, 0, Lang::Nb),
            "3\u{a0}536\u{a0}883\u{a0}116"
        );
        assert_eq!(number(1.5, 2, Lang::Nb), "1,5");
        assert_eq!(number(999.0, 0, Lang::Nb), "999");
        assert_eq!(number(0.0, 0, Lang::Nb), "0");
        assert_eq!(number(1000.0, 0, Lang::En), "1,000");
        assert_eq!(number(-1234.5, 1, Lang::Nb), "−1\u{a0}234,5");
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain(3536883116.0), "3536883116");
        assert_eq!(plain(2.5), "2.5");
        assert_eq!(plain(0.0), "0");
    }

    #[test]
    fn dates() {
        let d = Date {
            year: 2025,
            month: 3,
            day: 14,
        };
        assert_eq!(date(d, Lang::Nb), "14. mars 2025");
        assert_eq!(date(d, Lang::En), "14 March 2025");
    }
}
