//! The tokeniser's one pass over a text ([`each_token`]), and the indexable words of a
//! text read in that same pass ([`indexable_words`]).
//!
//! Indexing a whole site reads every record's text once, and this is where most of
//! that reading happens. The general rules are `tokens`'s split (the tests' own),
//! [`super::lower_cow`] and [`super::indexable`], one after the other, each reading the
//! token again. Here the tokeniser notes what those two need while it reads a token (its
//! length in characters, and whether it has an upper-case character), so that a
//! lower-case word other than a question number (most of them) is not read again.
//! ASCII, and the Latin-1 letters of Norwegian (two bytes, `0xC3 …`), are classified
//! from their bytes; any other character is decoded and Unicode is asked. The tests
//! hold both against the general rules (`indexable_words_are_the_general_rules`,
//! `latin1_classes_are_unicodes`).

use std::borrow::Cow;

use super::{Language, MAX_TOKEN_CHARS, STOP_EN, STOP_NB, indexable, is_stop, lower_cow};

/// What a character is to the tokeniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Neither a letter nor a digit: it ends a token.
    Other,
    /// A letter or digit without an upper case of its own to be lowered.
    Word,
    /// An upper-case letter.
    Upper,
}

/// What the tokeniser learnt about a token while reading it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    /// Its length in characters.
    pub(super) chars: usize,
    /// Whether it has an upper-case character (lower-casing would change it).
    pub(super) upper: bool,
    /// Whether it is a question number (`2.A.3`) rather than a run of letters and digits.
    pub(super) question: bool,
}

/// The class of each ASCII byte.
const ASCII: [Class; 128] = {
    let mut t = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            t[b] = Class::Upper;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            t[b] = Class::Word;
        }
        b += 1;
    }
    t
};

/// The class and byte length of the character at byte `i` of `text`.
#[inline(always)]
pub(super) fn class_at(text: &str, i: usize) -> (Class, usize) {
    let b = text.as_bytes();
    let x = b[i];
    if x < 0x80 {
        return (ASCII[x as usize], 1);
    }
    if x == 0xC3
        && let Some(&y) = b.get(i + 1)
    {
        return (latin1(y), 2);
    }
    let c = text
        .get(i..)
        .and_then(|s| s.chars().next())
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    (unicode_class(c), c.len_utf8())
}

/// The class of U+00C0–U+00FF from the second byte of its UTF-8 (`0xC3 y`): letters,
/// upper case up to U+00DE, except the signs × (U+00D7) and ÷ (U+00F7).
#[inline(always)]
fn latin1(y: u8) -> Class {
    match y {
        0x97 | 0xB7 => Class::Other,
        0x80..=0x9E => Class::Upper,
        _ => Class::Word,
    }
}

/// The general rule [`class_at`] follows.
pub(super) fn unicode_class(c: char) -> Class {
    if !c.is_alphanumeric() {
        Class::Other
    } else if c.is_uppercase() {
        Class::Upper
    } else {
        Class::Word
    }
}

/// Calls `f` with every token of `text`, as `tokens` (the tests') splits it (runs of letters
/// and digits, and question numbers that stand on their own), with its shape.
pub(super) fn each_token<'t>(text: &'t str, mut f: impl FnMut(&'t str, Shape)) {
    let b = text.as_bytes();
    let mut i = 0;
    // Whether the character before `i` ends a token: none, or neither a letter, a
    // digit nor a dot (a question number never starts inside `1.2.A.3`).
    let mut boundary = true;
    while i < b.len() {
        let (class, len) = class_at(text, i);
        if class == Class::Other {
            boundary = b[i] != b'.';
            i += len;
            continue;
        }
        if boundary
            && (b'1'..=b'9').contains(&b[i])
            && let Some(n) = super::question_number_at(&text[i..])
        {
            // A question number is ASCII: a character a byte.
            let q = &text[i..i + n];
            let upper = q.bytes().any(|c| c.is_ascii_uppercase());
            let (chars, question) = (n, true);
            f(
                q,
                Shape {
                    chars,
                    upper,
                    question,
                },
            );
            let last = q.chars().next_back().unwrap_or(' ');
            boundary = !(last.is_alphanumeric() || last == '.');
            i += n;
            continue;
        }
        let start = i;
        let (mut class, mut len) = (class, len);
        let mut shape = Shape {
            chars: 0,
            upper: false,
            question: false,
        };
        loop {
            shape.chars += 1;
            shape.upper |= class == Class::Upper;
            i += len;
            if i >= b.len() {
                break;
            }
            (class, len) = class_at(text, i);
            if class == Class::Other {
                break;
            }
        }
        f(&text[start..i], shape);
        boundary = false;
    }
}

/// The longest stop word, in bytes.
const MAX_STOP_BYTES: usize = {
    let mut max = 0;
    let mut k = 0;
    while k < STOP_NB.len() + STOP_EN.len() {
        let w = if k < STOP_NB.len() {
            STOP_NB[k]
        } else {
            STOP_EN[k - STOP_NB.len()]
        };
        if w.len() > max {
            max = w.len();
        }
        k += 1;
    }
    max
};

/// Per language (as [`is_stop`] numbers them) and per first and per last byte, the
/// byte lengths of the stop words that start or end with it (bit n for n bytes).
const STOP_ENDS: [[[u8; 256]; 2]; 2] = [stop_ends(STOP_NB), stop_ends(STOP_EN)];
const _: () = assert!(MAX_STOP_BYTES < 8, "a length is a bit of a u8");

const fn stop_ends(words: &[&str]) -> [[u8; 256]; 2] {
    let mut t = [[0u8; 256]; 2];
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_bytes();
        t[0][w[0] as usize] |= 1 << w.len();
        t[1][w[w.len() - 1] as usize] |= 1 << w.len();
        k += 1;
    }
    t
}

/// Whether a word may be a stop word of `lang`: it is no longer than the longest, and
/// some stop word of its length starts with its first byte and one ends with its last.
/// Most words are not, and are not looked up.
#[inline(always)]
fn may_be_stop(w: &str, lang: Language) -> bool {
    let b = w.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    let ends = &STOP_ENDS[lang as usize];
    b.len() <= MAX_STOP_BYTES
        && ends[0][first as usize] & ends[1][last as usize] & (1 << b.len()) != 0
}

/// Calls `f` with each indexable word of `text`, lower-cased, in order: what
/// `tokens(text)`, [`lower_cow`] of each and the filter [`indexable`] give. A token
/// that lower-casing leaves as it is and that is not a question number is judged from
/// its shape; any other goes through those rules.
pub(crate) fn indexable_words<'t>(text: &'t str, lang: Language, mut f: impl FnMut(Cow<'t, str>)) {
    each_token(text, |t, shape| {
        if shape.upper || shape.question {
            let w = lower_cow(t);
            if indexable(&w, lang) {
                f(w);
            }
        } else if (2..=MAX_TOKEN_CHARS).contains(&shape.chars)
            && !(may_be_stop(t, lang) && is_stop(t, lang))
        {
            f(Cow::Borrowed(t));
        }
    });
}
