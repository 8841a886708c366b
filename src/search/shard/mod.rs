//! The index as static files: a small locator, key shards, postings packs and chunks,
//! and excerpt files. Everything is JSON, deterministic (sorted, no timestamps) and named after a
//! hash of its content, so it can be cached for ever; and everything is laid out so
//! that an edit to one report changes few files ([`Encoder`] keeps what it wrote and
//! writes again only what changed).
//!
//! ```text
//! sok/indeks/l.json           the locator: members, reports by year, the shard table,
//!                              stop words
//! sok/indeks/t/<i>.json        key shard i: a sorted run of keys and their entries
//! sok/indeks/q/<k>.json        a postings pack: the postings of a run of stems, the
//!                              first of which hashes to k
//! sok/indeks/p/<k>-<b>.json    postings chunk b of the stem whose name hashes to k
//! sok/indeks/x/<m>/<b>.json    member m's excerpt file b: a run of its sections
//!                              (anchors) of about Layout::excerpt_bytes, each section
//!                              in every year with each line of text stored once
//! ```
//!
//! Files keep their names from build to build; whoever names a file also gives a hash
//! of its content, and the browser asks for `name?v=<hash>`, so that every file can be
//! cached for ever (the search page names the locator's hash, the locator each shard's
//! and each member's excerpts', an entry each pack's and chunk's). An edit rewrites the
//! files whose bytes changed, in place.
//!
//! The number of files follows the bytes of the index, not the number of stems or
//! sections: a stem's postings are inline in its key shard when they are few, in a
//! pack with the neighbouring stems' (in key order) up to [`Layout::pack_postings`],
//! and only beyond that in chunks of their own, of about [`Layout::chunk_postings`]
//! postings each; excerpt files hold about [`Layout::excerpt_bytes`] of a member's
//! text (the locator says which sections each holds).
//!
//! A key entry (all fields optional):
//!
//! ```text
//! { "d": 12,                     form: records that contain it
//!   "s": ["rett"],               form: its stems, when not just the key itself
//!   "f": ["rettigheter", …],     stem: its forms, by name (at most MAX_FORMS)
//!   "n": 412,                    stem: number of postings (its document frequency)
//!   "p": "…",                    stem: the postings inline
//!   "q": "…", "h": "…",          stem: or in the pack q/<q>.json (content hash h),
//!                                under the stem's name
//!   "k": "…", "r": 5,            stem: or in chunks: chunk b (file p/<k>-<b>.json)
//!   "c": [b, "hash", …] }        holds the records of report slots b·2^r to
//!                                (b+1)·2^r - 1
//! ```
//!
//! Postings are a string of base-64 digits (`A`–`Z`, `a`–`z`, `0`–`9`, `-`, `_`):
//! numbers in 5-bit groups, low group first, a digit ≥ 32 meaning that more groups
//! follow. First the number of postings n, then n record ids, each as the difference
//! from the previous one (from 0 inline, from the chunk's first possible record in a
//! chunk), then n impacts (the BM25 term-frequency factor × [`IMPACT_SCALE`]; the
//! browser multiplies it with the stem's inverse document frequency), then n masks
//! (see [`super::index`]). A chunk file is that string as JSON; a pack is a JSON object
//! of such strings (inline form, record ids from 0) by stem.
//!
//! Key shards and packs end where a key's hash says so (about one key in M, M chosen so
//! that they hold about [`Layout::shard_bytes`] or [`Layout::pack_bytes`]), not where a
//! size runs out: adding or removing a key changes one shard, not every one after it.
//! Chunks are ranges of report slots sized so that a common stem's chunks hold about
//! [`Layout::chunk_postings`] postings; an edit to one report changes one chunk of each
//! stem it touches, and the pack of each packed stem it touches.

mod encode;
mod entry;
mod excerpts;
#[cfg(test)]
mod tests;

pub(crate) use crate::text::fnv;
pub(crate) use encode::Encoder;
pub(crate) use excerpts::{Excerpt, bundle_excerpts, member_excerpts};

use super::index::{B, IMPACT_SCALE, K1};

/// Sizes that shape the files. Postings files and excerpt files hold runs of stems and
/// of a member's sections, so that the number of files follows the bytes of the index
/// rather than the number of stems or sections: about 2,000 files for the bench corpus
/// (200 members × 10 years), twice that at 20 years, while a query fetches tens of KB.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The size a key shard aims at.
    pub shard_bytes: usize,
    /// Stems with at most this many postings keep them inline in their shard.
    pub(crate) inline_postings: usize,
    /// Stems with more, and at most this many, keep them in a pack.
    pub(crate) pack_postings: usize,
    /// The size a pack aims at.
    pub(crate) pack_bytes: usize,
    /// The number of postings a chunk aims at (between half of it and all of it, for a
    /// stem spread evenly over the reports).
    pub chunk_postings: usize,
    /// The longest excerpt text, in characters.
    pub(crate) excerpt_chars: usize,
    /// The size a member's excerpt file aims at (a run of its sections).
    pub excerpt_bytes: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            shard_bytes: 10 * 1024,
            inline_postings: 128,
            pack_postings: 4096,
            pack_bytes: 16 * 1024,
            chunk_postings: 16384,
            excerpt_chars: 4000,
            excerpt_bytes: 24 * 1024,
        }
    }
}

impl Layout {
    /// Small files: a small site then has postings packs and chunks, many key shards
    /// and several excerpt files per member, as a large site has with the default
    /// layout. For tests (which check that a search finds the same either way).
    pub(crate) fn small() -> Self {
        Layout {
            shard_bytes: 2048,
            inline_postings: 8,
            pack_postings: 32,
            pack_bytes: 1024,
            chunk_postings: 64,
            excerpt_bytes: 2048,
            ..Layout::default()
        }
    }

    /// The layout of a build: [`Layout::small`] when the environment variable
    /// `AKTSOM_SEARCH_SMALL` is set to anything but the empty string (tests set it),
    /// [`Layout::default`] otherwise.
    pub(crate) fn from_env() -> Self {
        match std::env::var_os("AKTSOM_SEARCH_SMALL") {
            Some(v) if !v.is_empty() => Layout::small(),
            _ => Layout::default(),
        }
    }
}

/// A file of the index, relative to the index folder (`sok/indeks/`).
#[derive(Debug, Clone)]
pub(crate) struct IndexFile {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
}

/// The files a build or an update wrote and removed, relative to the index folder.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) written: Vec<IndexFile>,
    pub(crate) removed: Vec<String>,
}

/// The content hash (FNV-1a, `crate::text::fnv`) as 16 hex digits.
pub(crate) fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", fnv(bytes))
}

const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends a number in base-64 digits, 5 bits each, low group first.
pub(crate) fn put_number(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let d = (v & 31) as usize;
        v >>= 5;
        if v == 0 {
            out.push(DIGITS[d]);
            return;
        }
        out.push(DIGITS[d | 32]);
    }
}

/// One posting as the browser reads it (for the tests, which decode what they encode).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub(crate) doc: u32,
    pub(crate) impact: u32,
    pub(crate) mask: u32,
}

/// Reads a postings string (inline, or a chunk's with `base` its first possible record).
#[cfg(test)]
pub(crate) fn decode_postings(s: &str, base: u32) -> Option<Vec<Posting>> {
    let mut numbers = Vec::new();
    let (mut v, mut shift) = (0u64, 0u32);
    for b in s.bytes() {
        let d = DIGITS.iter().position(|x| *x == b)? as u64;
        v |= (d & 31) << shift;
        if d >= 32 {
            shift += 5;
            if shift > 35 {
                return None;
            }
        } else {
            numbers.push(u32::try_from(v).ok()?);
            v = 0;
            shift = 0;
        }
    }
    let (&n, rest) = numbers.split_first()?;
    let n = n as usize;
    if shift != 0 || rest.len() != 3 * n {
        return None;
    }
    let mut doc = base;
    Some(
        (0..n)
            .map(|i| {
                doc += rest[i];
                Posting {
                    doc,
                    impact: rest[n + i],
                    mask: rest[2 * n + i],
                }
            })
            .collect(),
    )
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    // Serialising a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A JSON array of strings.
fn json_strs<'a>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    out.push(b'[');
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, s);
    }
    out.push(b']');
}

fn json_num(out: &mut Vec<u8>, n: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(out, "{n}");
}

/// The published impact of a posting: the BM25 term-frequency factor, × 10, at least 1.
pub(crate) fn impact(tf: f64, len: u32, avgdl: f64) -> u32 {
    let norm = K1 * (1.0 - B + B * f64::from(len) / avgdl);
    let sat = tf * (K1 + 1.0) / (tf + norm);
    ((sat * IMPACT_SCALE).round() as u32).max(1)
}
