//! Text as the rest of the build reads it: words split as `str::split_whitespace`
//! splits them (without decoding, for speed), white space collapsed, the plain text of
//! inline events, and where an element's events end. (Line numbers come from
//! [`crate::diagnostics::LineIndex`].)

use std::ops::Range;

use pulldown_cmark::Event;

use crate::text::{HIGH, LANES, ONES, count_marked, has_byte, word_at};

/// Per byte: 1 for ASCII whitespace, 2 for a byte that may start a non-ASCII
/// whitespace character, 0 for any other.
static SPACE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[0x0b] = 1;
    t[0x0c] = 1;
    t[b'\r' as usize] = 1;
    t[0xc2] = 2;
    t[0xe1] = 2;
    t[0xe2] = 2;
    t[0xe3] = 2;
    t
};

/// The length in bytes of the whitespace character (as `char::is_whitespace`) at
/// byte `i` of `b`, or 0; read from the bytes without decoding.
#[inline(always)]
fn space_at(b: &[u8], i: usize) -> usize {
    match SPACE[b[i] as usize] {
        0 => 0,
        1 => 1,
        _ => wide_space_at(b, i),
    }
}

fn wide_space_at(b: &[u8], i: usize) -> usize {
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match b[i] {
        0xc2 if matches!(at(1), 0x85 | 0xa0) => 2,
        0xe1 if at(1) == 0x9a && at(2) == 0x80 => 3,
        0xe2 if at(1) == 0x80 && matches!(at(2), 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf) => 3,
        0xe2 if at(1) == 0x81 && at(2) == 0x9f => 3,
        0xe3 if at(1) == 0x80 && at(2) == 0x80 => 3,
        _ => 0,
    }
}

/// Calls `word` with each run of non-whitespace in `s`, as `str::split_whitespace`.
pub(crate) fn words<'s>(s: &'s str, mut word: impl FnMut(&'s str)) {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let k = space_at(b, i);
        if k > 0 {
            i += k;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            while i < n && SPACE[b[i] as usize] == 0 {
                i += 1;
            }
            if i >= n || space_at(b, i) > 0 {
                break;
            }
            i += 1;
        }
        word(&s[start..i]);
    }
}

/// The white space in eight bytes of text (`x`, little-endian): (the spaces, the other
/// ASCII white space: `\t` `\n` `\x0b` `\x0c` `\r`), each byte that is one marked
/// by its high bit. `None` when a byte may start a non-ASCII white space character
/// (U+00A0, U+2003…: 0xC2 or 0xE0–0xE3); [`space_at`] reads those. Any other
/// non-ASCII byte is part of a character that is not white space (æ, ø and å are
/// 0xC3 …). Counting words and checking collapsed text eight bytes at a time rather
/// than a byte at a time matters because every report's text goes through both.
#[inline(always)]
fn spaces8(x: u64) -> Option<(u64, u64)> {
    if x & HIGH != 0 && (has_byte(x, 0xC2) || has_byte(x & (0xFC * ONES), 0xE0)) {
        return None;
    }
    // The low seven bits of each byte: no sum or difference below carries into the
    // next byte. A byte of `y ^ 0x20` is zero exactly where `y` has a space; adding
    // 0x7F sets the high bit of every byte that is not zero.
    let y = x & !HIGH;
    let ascii = !x & HIGH;
    let spaces = !((y ^ (0x20 * ONES)) + 0x7F * ONES) & ascii;
    // 0x09 ≤ byte (byte + 0x77 reaches 0x80) and byte ≤ 0x0D (0x8D − byte stays ≥ 0x80).
    let other = (y + 0x77 * ONES) & (0x8D * ONES - y) & ascii;
    Some((spaces, other))
}

/// `s.split_whitespace().count()`: the characters that start a word (not white space,
/// and first or after white space), eight ASCII bytes at a time.
pub(super) fn count_words(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    // Whether the character before `i` is white space (or there is none).
    let mut after_space = true;
    let mut i = 0;
    while i < b.len() {
        if let Some((spaces, other)) = word_at(b, i).and_then(spaces8) {
            let space = spaces | other;
            let before = (space << 8) | if after_space { 0x80 } else { 0 };
            n += count_marked(!space & before & HIGH);
            after_space = space >> 63 != 0;
            i += LANES;
            continue;
        }
        // Character by character to the end of these eight bytes (or a little past it,
        // to the end of a character).
        let end = (i + LANES).min(b.len());
        while i < end {
            let k = space_at(b, i);
            if k > 0 {
                after_space = true;
                i += k;
            } else {
                n += usize::from(after_space);
                after_space = false;
                i += 1;
            }
        }
    }
    n
}

/// Whether `s` is its words joined by single spaces already: no white space but
/// single spaces between words. Most text is.
fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    // Whether the character before `i` is a space (or there is none).
    let mut after_space = true;
    let mut i = 0;
    while i < b.len() {
        if let Some((spaces, other)) = word_at(b, i).and_then(spaces8) {
            let before = (spaces << 8) | if after_space { 0x80 } else { 0 };
            if other != 0 || spaces & before != 0 {
                return false;
            }
            after_space = spaces >> 63 != 0;
            i += LANES;
            continue;
        }
        let end = (i + LANES).min(b.len());
        while i < end {
            match SPACE[b[i] as usize] {
                0 => after_space = false,
                1 if b[i] == b' ' && !after_space => after_space = true,
                1 => return false,
                _ if wide_space_at(b, i) > 0 => return false,
                _ => after_space = false,
            }
            i += 1;
        }
    }
    !after_space || b.is_empty()
}

/// The words of `s` joined by single spaces.
pub(super) fn collapse_whitespace(s: &str) -> String {
    if is_collapsed(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    words(s, |w| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    });
    out
}

/// The text of inline events, as a reader would see it.
pub(super) fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// The index of the End event matching the Start event at `start`.
pub(super) fn find_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_whitespace_character_splits_words() {
        for n in (0..0x11_0000u32).filter(|n| !(0xd800..0xe000).contains(n)) {
            let c = char::from_u32(n).unwrap();
            let s = format!("a{c}b");
            assert_eq!(count_words(&s), s.split_whitespace().count(), "U+{n:04X}");
        }
    }

    /// Long texts (so that eight bytes at a time are read) of white space, ASCII and
    /// non-ASCII, and words, mixed by a fixed pseudo-random sequence (xorshift).
    #[test]
    fn long_text_splits_as_split_whitespace() {
        // ASCII mostly, so that most runs of eight bytes are read at once.
        let ascii = [
            "a", "ord", " ", "  ", "\t", "\n", "\r\n", "\u{b}", "\u{c}", "x y", ".", "!",
        ];
        let other = [
            "Leverandør",
            "\u{85}",
            "\u{a0}",
            "\u{1680}",
            "\u{2003}",
            "\u{2028}",
            "\u{202f}",
            "\u{205f}",
            "\u{3000}",
            "æ",
            "«",
            "–",
            "\u{2010}",
            "\u{1681}",
            "\u{3001}",
            "漢字",
            "🙂",
            "é",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..next() % 40 {
                let r = next();
                let from: &[&str] = if r % 8 == 0 { &other } else { &ascii };
                s.push_str(from[(r / 8 % from.len() as u64) as usize]);
            }
            assert_eq!(count_words(&s), s.split_whitespace().count(), "{s:?}");
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(&s), joined, "{s:?}");
            assert_eq!(is_collapsed(&s), s == joined, "{s:?}");
        }
    }

    #[test]
    fn words_split_as_split_whitespace() {
        for s in [
            "",
            "  ",
            "a",
            " a  b\tc\n",
            "æ\u{a0}ø\u{2003}å\u{3000}x\u{85}y\u{b}z",
            "«sitat» – 12 %",
            "a b",
            "a  b",
            " a",
            "a ",
            "a\u{a0}b",
        ] {
            assert_eq!(count_words(s), s.split_whitespace().count(), "{s:?}");
            assert_eq!(
                collapse_whitespace(s),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{s:?}"
            );
        }
    }
}
