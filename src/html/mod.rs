//! HTML as text: the one escaper, the characters HTML forbids, character references,
//! and the one tag scanner (`html::scan`).
//!
//! Every piece of text the build writes into a page goes through `escape` (or
//! `write_escaped`, which the templates' formatter uses): `&`, `<`, `>`, `"` and `'`
//! become character references, so an escaped value is safe in element content and in
//! an attribute value in either kind of quotes, and the characters HTML forbids become
//! U+FFFD. The browser's comparison (`compare-core.js`, `esc`) escapes by the same
//! rule, so its HTML equals the static pages'.
//!
//! Markdown is escaped by pulldown-cmark as it writes (its own rule, which leaves `'`
//! as it is); raw HTML from members is cut down by [`crate::markdown`]'s allowlist and
//! re-serialised by the sanitiser.

pub(crate) mod scan;

use std::borrow::Cow;
use std::fmt;

use crate::text::{HIGH, LANES, ONES, word_at};

/// The character reference for a byte the escaper replaces. All of them are ASCII, so
/// replacing them keeps every other byte of UTF-8 text whole.
fn reference(b: u8) -> Option<&'static str> {
    Some(match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => "&#39;",
        _ => return None,
    })
}

/// Writes `s` escaped for HTML content and attribute values (see the module's note).
pub(crate) fn write_escaped<W: fmt::Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    let s = html_chars(s);
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(rep) = reference(b) {
            out.write_str(&s[last..i])?;
            out.write_str(rep)?;
            last = i + 1;
        }
    }
    out.write_str(&s[last..])
}

/// `s` escaped for HTML content and attribute values, without a copy when there is
/// nothing to escape.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| reference(b).is_some()) || may_have_forbidden(s.as_bytes()) {
        let mut out = String::with_capacity(s.len() + s.len() / 8);
        escape_into(&mut out, s);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// Appends `s` escaped for HTML content and attribute values.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    // Writing to a String cannot fail.
    let _ = write_escaped(out, s);
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
pub(crate) fn may_have_forbidden(b: &[u8]) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut from = 0;
    while let Some(i) = next_suspect(b, from) {
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

/// The first byte at or after `from` that may start a [`forbidden_in_html`]
/// character. Eight bytes at a time past runs of printable ASCII (most of a text): a
/// chunk goes byte by byte only when one of its bytes is below 0x20 or from 0x7F up.
fn next_suspect(b: &[u8], mut from: usize) -> Option<usize> {
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
    while let Some(x) = word_at(b, from) {
        if (x.wrapping_sub(0x20 * ONES) | x.wrapping_add(ONES) | x) & HIGH == 0 {
            from += LANES;
            continue;
        }
        if let Some(k) = b[from..from + LANES]
            .iter()
            .position(|&c| SUSPECT[c as usize])
        {
            return Some(from + k);
        }
        from += LANES;
    }
    b.get(from..)?
        .iter()
        .position(|&c| SUSPECT[c as usize])
        .map(|k| from + k)
}

/// `s` with every [`forbidden_in_html`] character replaced by U+FFFD.
pub(crate) fn html_chars(s: &str) -> Cow<'_, str> {
    if !may_have_forbidden(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if forbidden_in_html(c) { '\u{fffd}' } else { c })
            .collect(),
    )
}

/// Decodes the character references that can appear in an attribute value the build
/// wrote (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&#x27;` …); others stay
/// as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest
            .find(';')
            .filter(|&e| e < 12)
            .and_then(|e| reference_char(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference names (`amp`, `#39`, `#x27`, without `&` and `;`).
fn reference_char(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ if name.starts_with("#x") || name.starts_with("#X") => {
            u32::from_str_radix(&name[2..], 16)
                .ok()
                .and_then(char::from_u32)
        }
        _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_five_characters_and_replaces_forbidden_ones() {
        assert_eq!(
            escape("a & b < c > d \"e\" 'f'"),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"
        );
        assert_eq!(escape("x\u{1}y\u{fffe}"), "x\u{fffd}y\u{fffd}");
        assert!(matches!(escape("Bærekraft – «ja»"), Cow::Borrowed(_)));
        let mut out = String::from("<p>");
        escape_into(&mut out, "1 < 2");
        assert_eq!(out, "<p>1 &lt; 2");
        // Escaped, then decoded: the text again.
        let text = "Fisk & «skalldyr» <i> \"x\" 'y' \u{a0}";
        assert_eq!(decode_entities(&escape(text)), text);
    }

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
        assert!(matches!(html_chars("æøå\t\n ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn decodes_the_references_the_build_writes() {
        assert_eq!(decode_entities("/a/?q=1&amp;r=2"), "/a/?q=1&r=2");
        assert_eq!(
            decode_entities("&#39;&#x27;&apos;&lt;&gt;&quot;"),
            "'''<>\""
        );
        assert_eq!(decode_entities("&eacute; &amp &;"), "&eacute; &amp &;");
    }
}
