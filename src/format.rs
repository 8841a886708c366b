//! Numbers and dates formatted for the page's language.
//!
//! Norwegian groups thousands with a no-break space and uses a decimal comma
//! (`3 536 883 116`, `1,5`); English uses commas and a decimal point.

use crate::config::{FigureDef, Lang, NumberFormat};
use crate::content::Date;

const NBSP: char = '\u{a0}';

/// A number with thousands grouped; `decimals` is the most decimals shown
/// (trailing zeros are dropped).
pub(crate) fn number(value: f64, decimals: usize, lang: Lang) -> String {
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
pub(crate) fn figure(def: &FigureDef, value: f64, lang: Lang) -> String {
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
pub(crate) fn plain(value: f64) -> String {
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
pub(crate) fn date(d: Date, lang: Lang) -> String {
    let m = usize::from(d.month.clamp(1, 12)) - 1;
    match lang {
        Lang::Nb => format!("{}. {} {}", d.day, MONTHS_NB[m], d.year),
        Lang::En => format!("{} {} {}", d.day, MONTHS_EN[m], d.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
