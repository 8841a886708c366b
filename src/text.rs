//! Small text utilities used across the crate, each written once: the content hash
//! ([`fnv`]), the Norwegian letter handling ([`fold`] for matching and slugs,
//! [`collation_key`] for sorting names), and the plumbing for reading text eight bytes
//! at a time ([`word_at`], [`ONES`], [`HIGH`]), whose byte classes each reader defines
//! for itself (markdown's white space, the CSV writer's quoting, HTML's forbidden
//! characters).
//!
//! The search page's script (`themes/default/static/search.js`) has a copy of
//! [`fold`]'s table: the browser folds query words the way the index folded the text.

/// FNV-1a, 64 bits: a stable, quick hash for content hashes in file names and for
/// short words (not for security). Hand-written: eight lines, and its output is part of
/// the published file names, so it must never change with a crate's version. The
/// fingerprints of a build's inputs are the one other hash ([`crate::inputs`], xxh3
/// 128 bits from the `xxhash-rust` crate): they hash all of a site's Markdown on every
/// build, at many bytes a cycle where this takes one, and decide whether a page is
/// rendered at all, which wants more than 64 bits.
#[inline]
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Eight bytes read as one little-endian word ([`word_at`]): each byte's lane.
pub(crate) const LANES: usize = 8;
/// 0x01 in every lane: `c * ONES` is the byte `c` in every lane.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every lane: the mark a byte test leaves in its lane.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` from `i` as a little-endian word, if there are eight.
#[inline(always)]
pub(crate) fn word_at(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..)?
        .first_chunk::<LANES>()
        .map(|c| u64::from_le_bytes(*c))
}

/// The lane of the first (lowest) byte marked in `m` (whose marks are high bits).
#[inline(always)]
pub(crate) fn first_marked(m: u64) -> usize {
    (m.trailing_zeros() / 8) as usize
}

/// The number of lanes marked in `m` (which has no bits but the marks).
#[inline(always)]
pub(crate) fn count_marked(m: u64) -> usize {
    ((m >> 7).wrapping_mul(ONES) >> 56) as usize
}

/// Whether one of the eight bytes of `x` is `c`.
#[inline(always)]
pub(crate) fn has_byte(x: u64, c: u8) -> bool {
    let t = x ^ (u64::from(c) * ONES);
    // A lane's high bit ends up set exactly where the byte of `t` is zero.
    (!(((t & !HIGH) + !HIGH) | t) & HIGH) != 0
}

/// The Norwegian letters, in the alphabet's order (after z), with their folding.
const NORWEGIAN: [(char, &str); 3] = [('æ', "ae"), ('ø', "o"), ('å', "a")];

/// Folds one lower-case character for matching; `None` keeps it as it is. The
/// Norwegian letters as [`NORWEGIAN`] says, other accented Latin letters to their base.
#[inline]
pub(crate) fn fold_char(c: char) -> Option<&'static str> {
    if let Some((_, f)) = NORWEGIAN.iter().find(|(n, _)| *n == c) {
        return Some(f);
    }
    Some(match c {
        'ö' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
        'ä' => "ae",
        'á' | 'à' | 'â' | 'ã' => "a",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'ú' | 'ù' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'ç' => "c",
        'ñ' => "n",
        'ß' => "ss",
        _ => return None,
    })
}

/// Folds a lower-case word for matching: `leverandør` → `leverandor`, `være` → `vaere`.
pub(crate) fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match fold_char(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// Sort key that orders Norwegian names as a reader expects: lower-case, Æ, Ø and Å
/// after Z (as the characters that follow `z` in ASCII).
pub(crate) fn collation_key(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match NORWEGIAN.iter().position(|(n, _)| *n == c) {
            Some(i) => char::from(b'{' + i as u8),
            None => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_maps_norwegian_letters_and_accents() {
        assert_eq!(fold("leverandør"), "leverandor");
        assert_eq!(fold("være"), "vaere");
        assert_eq!(fold("årsrapport"), "arsrapport");
        assert_eq!(fold("kafé"), "kafe");
        assert_eq!(fold("müller"), "muller");
        assert_eq!(fold("straße"), "strasse");
        assert_eq!(fold("2.a.3"), "2.a.3");
    }

    #[test]
    fn norwegian_letters_sort_after_z() {
        let mut names = vec!["Åsdal", "Østby", "Ærø", "Zeta", "alfa"];
        names.sort_by_key(|n| collation_key(n));
        assert_eq!(names, ["alfa", "Zeta", "Ærø", "Østby", "Åsdal"]);
    }

    #[test]
    fn fnv_is_fnv_1a() {
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
