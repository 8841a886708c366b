//! Text as the rest of the build reads it: words split as `str::split_whitespace`
//! splits them (without decoding, for speed), white space collapsed, the plain text of
//! inline events, and where an element's events end. (Line numbers come from
//! [`crate::diagnostics::LineIndex`].)

use std::ops::Range;

use pulldown_cmark::Event;

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

/// `s.split_whitespace().count()`.
pub(super) fn count_words(s: &str) -> usize {
    let mut n = 0;
    words(s, |_| n += 1);
    n
}

/// The words of `s` joined by single spaces.
pub(super) fn collapse_whitespace(s: &str) -> String {
    // Most text already is: one space between words, none around them.
    let b = s.as_bytes();
    let mut after_space = true;
    let mut plain = true;
    for i in 0..b.len() {
        match SPACE[b[i] as usize] {
            0 => after_space = false,
            1 if b[i] == b' ' && !after_space => after_space = true,
            1 => {
                plain = false;
                break;
            }
            _ if wide_space_at(b, i) > 0 => {
                plain = false;
                break;
            }
            _ => after_space = false,
        }
    }
    if plain && (!after_space || b.is_empty()) {
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
