//! The one CSV writer of the open data, with its guard against formula injection.

use crate::format;
use crate::text::{HIGH, LANES, ONES, first_marked, word_at};

/// One cell of an open-data CSV file. Which cells are text and which are numbers is
/// decided here, by the caller, never guessed from the content.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Anything a person wrote or named (a member's name, a unit, a slug): guarded
    /// against formula injection (see [`Csv`]).
    Text(&'a str),
    /// A year, a count or an amount: written as its digits ([`format::plain`]), never
    /// changed. Figures are never negative (the content check refuses that), so a
    /// number cannot start with `-`, and no number cell holds text.
    Number(f64),
    /// A value that is not there (a figure not reported): an empty cell.
    Empty,
}

/// The one writer every open-data CSV goes through: UTF-8, comma-separated, one header
/// row, lines ended by `\n`, cells quoted as RFC 4180 says, and every text cell guarded
/// against formula injection.
///
/// The guard (OWASP, "CSV Injection"): a `'` goes in front of a `=`, `+`, `-`, `@`, tab
/// or carriage return that starts a text cell, since a spreadsheet program could take
/// it for a formula. Programs that split lines at other characters than the comma (a
/// Norwegian spreadsheet splits at `;`) or at line breaks would see a new cell start
/// inside this one, so the same applies after each `,`, `;`, tab and line break in the
/// cell; spaces before the character do not hide it. The JSON files keep the text
/// exactly as written.
///
/// Written by hand rather than with the `csv` crate, which decides quoting for a whole
/// file, not for a cell: a neutralised cell is always quoted (as OWASP recommends),
/// other cells only when they must be, so that the file of a site without such text
/// stays as it was. Each text cell is read once to decide, and written once, straight
/// into the file (the answers files are most of the open data's bytes).
pub(crate) struct Csv {
    out: Vec<u8>,
}

/// Per byte, what the guard and the quoting look for (all of it ASCII, so the bytes of
/// a UTF-8 text can be read one by one): a character that needs the cell quoted, one
/// that would start a formula at the start of a cell, one after which a cell starts,
/// and the space (which keeps a cell's start).
const QUOTE: u8 = 1;
const LEAD: u8 = 2;
const SPLIT: u8 = 4;
const SPACE: u8 = 8;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b',' as usize] = QUOTE | SPLIT;
    t[b'"' as usize] = QUOTE;
    t[b'\r' as usize] = QUOTE | LEAD | SPLIT;
    t[b'\n' as usize] = QUOTE | SPLIT;
    t[b'\t' as usize] = LEAD | SPLIT;
    t[b';' as usize] = SPLIT;
    t[b'=' as usize] = LEAD;
    t[b'+' as usize] = LEAD;
    t[b'-' as usize] = LEAD;
    t[b'@' as usize] = LEAD;
    t[b' ' as usize] = SPACE;
    t
};

impl Csv {
    pub(crate) fn new(header: &[&str]) -> Csv {
        Csv::with_capacity(header, 0)
    }

    /// A file whose size is about `bytes` known beforehand (it then grows without
    /// being copied).
    pub(crate) fn with_capacity(header: &[&str], bytes: usize) -> Csv {
        let mut csv = Csv {
            out: Vec::with_capacity(bytes),
        };
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        csv.row(&cells);
        csv
    }

    pub(crate) fn row(&mut self, cells: &[Cell]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            match *cell {
                Cell::Text(text) => self.text(text),
                Cell::Number(v) => self.out.extend_from_slice(format::plain(v).as_bytes()),
                Cell::Empty => {}
            }
        }
        self.out.push(b'\n');
    }

    /// A text cell: as it is, or quoted (`"` doubled) with a `'` before each formula
    /// lead at the start of a cell. One pass: the cell is written quoted, since the
    /// text in between is the same either way (a `"` or a lead makes it quoted), and
    /// the opening quote taken out again if the cell turns out not to need it.
    fn text(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let start = self.out.len();
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        let (mut run, mut i, mut quote) = (0, 0, false);
        // At the start of a cell: spaces kept, a lead guarded.
        let mut cell_start = true;
        while i < bytes.len() {
            let b = bytes[i];
            let c = CLASS[b as usize];
            if cell_start {
                if c & LEAD != 0 {
                    self.out.extend_from_slice(&bytes[run..i]);
                    self.out.push(b'\'');
                    run = i;
                    quote = true;
                }
                cell_start = c & (SPLIT | SPACE) != 0;
            } else if c & (QUOTE | SPLIT) != 0 {
                cell_start = c & SPLIT != 0;
            } else {
                // Inside a cell only the characters that quote or split matter.
                i = inside_cell(bytes, i + 1);
                continue;
            }
            if b == b'"' {
                self.out.extend_from_slice(&bytes[run..i]);
                self.out.push(b'"');
                run = i;
            }
            quote |= c & QUOTE != 0;
            i += 1;
        }
        self.out.extend_from_slice(&bytes[run..]);
        if quote {
            self.out.push(b'"');
        } else {
            self.out.remove(start);
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Where the next byte at or after `i` is that may quote or split a cell (or the end
/// of the run of eight-byte steps): inside a cell [`Csv::text`] passes over the rest
/// eight bytes at a time. The answers files are most of the open data's bytes, and
/// most of their text needs nothing done.
fn inside_cell(bytes: &[u8], mut i: usize) -> usize {
    while let Some(x) = word_at(bytes, i) {
        let m = may_quote_or_split(x);
        if m != 0 {
            return i + first_marked(m);
        }
        i += LANES;
    }
    i
}

/// The bytes of eight (`x`, little-endian) that may quote or split a cell, each
/// marked by its high bit: those below 0x3C other than the space. Every such
/// character (tab, line breaks, `"`, `,`, `;`) is among them; a digit or a `.` is too,
/// and is then read on its own.
#[inline(always)]
fn may_quote_or_split(x: u64) -> u64 {
    // The low seven bits of each byte, so that no sum carries into the next byte: a
    // byte + 0x44 reaches 0x80 from 0x3C up, and a byte ^ 0x20 + 0x7F does unless the
    // byte is a space. A byte with its high bit set (part of a non-ASCII character)
    // is never one of them.
    let y = x & !HIGH;
    let below = !(y + 0x44 * ONES) & !x & HIGH;
    let space = !((y ^ (0x20 * ONES)) + 0x7F * ONES) & HIGH;
    below & !space
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file of one text cell (after the header `h`), without its line end.
    fn cell(text: &str) -> String {
        let mut csv = Csv::new(&["h"]);
        csv.row(&[Cell::Text(text)]);
        let out = String::from_utf8(csv.finish()).unwrap();
        out["h\n".len()..out.len() - 1].to_string()
    }

    #[test]
    fn neutralises_formula_leads_in_text() {
        for (text, safe) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(1)", "\"'@SUM(1)\""),
            ("\tx", "\"'\tx\""),
            ("\t=x", "\"'\t'=x\""),
            ("\rx", "\"'\rx\""),
            ("  =1", "\"  '=1\""),
            ("Alfa; =1+1", "\"Alfa; '=1+1\""),
            ("Alfa,-1", "\"Alfa,'-1\""),
            ("a\n@b", "\"a\n'@b\""),
            ("ø\n-å", "\"ø\n'-å\""),
        ] {
            assert_eq!(cell(text), safe, "{text:?}");
        }
        for text in [
            "Alfa kommune",
            "Bygg-og-anlegg",
            "a=b",
            "",
            "1-2",
            "x@y.no",
            "ø-",
        ] {
            assert_eq!(cell(text), text, "{text:?}");
        }
        for (text, quoted) in [
            ("a, b", "\"a, b\""),
            ("a\nb", "\"a\nb\""),
            ("Nå -1", "Nå -1"),
        ] {
            assert_eq!(cell(text), quoted, "{text:?}");
        }
    }

    /// The rule as the guard states it, character by character, allocating: what the
    /// writer must do in one pass.
    fn by_the_rule(text: &str) -> String {
        let mut out = String::new();
        let (mut guarded, mut cell_start) = (false, true);
        for c in text.chars() {
            if cell_start && ['=', '+', '-', '@', '\t', '\r'].contains(&c) {
                out.push('\'');
                guarded = true;
            }
            out.push(c);
            cell_start = [',', ';', '\t', '\r', '\n'].contains(&c) || (cell_start && c == ' ');
        }
        if guarded || text.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", out.replace('"', "\"\""))
        } else {
            out
        }
    }

    /// A small deterministic generator (a linear congruential one): numbers below `n`.
    fn random(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        }
    }

    #[test]
    fn one_pass_writes_what_the_rule_says() {
        let alphabet = [
            "a", "ø", "\u{a0}", " ", ",", ";", "\"", "'", "\t", "\r", "\n", "=", "+", "-", "@",
        ];
        let mut next = random(11);
        for _ in 0..20_000 {
            let text: String = (0..next(9))
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(cell(&text), by_the_rule(&text), "{text:?}");
        }
    }

    /// Long cells, so that the writer passes over text eight bytes at a time: words,
    /// digits and every character the rule looks at.
    #[test]
    fn long_cells_are_written_as_the_rule_says() {
        let alphabet = [
            "ord",
            "Leverandøren",
            " ",
            "12",
            ".",
            "a",
            ",",
            ";",
            "\"",
            "\t",
            "\r",
            "\n",
            "=",
            "+",
            "-",
            "@",
            "\u{a0}",
            "<",
            ":",
            "9",
            "/",
        ];
        let mut next = random(7);
        for _ in 0..20_000 {
            let text: String = (0..next(40))
                .map(|_| {
                    // Mostly words and spaces, so that runs of eight plain bytes occur.
                    let k = next(4 * alphabet.len() as u64) as usize;
                    alphabet.get(k).copied().unwrap_or(["ord", " "][k % 2])
                })
                .collect();
            assert_eq!(cell(&text), by_the_rule(&text), "{text:?}");
        }
        for b in 0..=0xffu8 {
            let x = u64::from_le_bytes([b, b'a', b' ', b, 0xc3, b, b'9', b]);
            let m = may_quote_or_split(x).to_le_bytes();
            for (k, &c) in x.to_le_bytes().iter().enumerate() {
                assert_eq!(m[k] != 0, c < 0x3c && c != b' ', "{c:#x} at {k}");
            }
        }
    }

    #[test]
    fn quotes_neutralised_and_special_text_cells_only() {
        let mut csv = Csv::new(&["a", "b", "c", "d"]);
        csv.row(&[
            Cell::Text("=1+1"),
            Cell::Text("x, \"y\""),
            Cell::Number(1250.5),
            Cell::Empty,
        ]);
        csv.row(&[
            Cell::Text("plain"),
            Cell::Text(""),
            Cell::Number(0.0),
            Cell::Text("-"),
        ]);
        assert_eq!(
            String::from_utf8(csv.finish()).unwrap(),
            "a,b,c,d\n\"'=1+1\",\"x, \"\"y\"\"\",1250.5,\nplain,,0,\"'-\"\n"
        );
    }
}
