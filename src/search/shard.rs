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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::index::{B, IMPACT_SCALE, Index, K1, Key, MAX_FORMS, Raw};

/// Sizes that shape the files. Postings files and excerpt files hold runs of stems and
/// of a member's sections, so that the number of files follows the bytes of the index
/// rather than the number of stems or sections: about 2,000 files for the bench corpus
/// (200 members × 10 years), twice that at 20 years, while a query fetches tens of KB.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The size a key shard aims at.
    pub shard_bytes: usize,
    /// Stems with at most this many postings keep them inline in their shard.
    pub inline_postings: usize,
    /// Stems with more, and at most this many, keep them in a pack.
    pub pack_postings: usize,
    /// The size a pack aims at.
    pub pack_bytes: usize,
    /// The number of postings a chunk aims at (between half of it and all of it, for a
    /// stem spread evenly over the reports).
    pub chunk_postings: usize,
    /// The longest excerpt text, in characters.
    pub excerpt_chars: usize,
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
    pub fn small() -> Self {
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
    pub fn from_env() -> Self {
        match std::env::var_os("AKTSOM_SEARCH_SMALL") {
            Some(v) if !v.is_empty() => Layout::small(),
            _ => Layout::default(),
        }
    }
}

/// A file of the index, relative to the index folder (`sok/indeks/`).
#[derive(Debug, Clone)]
pub struct IndexFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files a build or an update wrote and removed, relative to the index folder.
#[derive(Debug, Default)]
pub struct Changes {
    pub written: Vec<IndexFile>,
    pub removed: Vec<String>,
}

/// FNV-1a, 64 bits: a stable content hash for file names (not for security).
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// [`fnv`] as 16 hex digits.
pub fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", fnv(bytes))
}

const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends a number in base-64 digits, 5 bits each, low group first.
pub fn put_number(out: &mut Vec<u8>, mut v: u32) {
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

/// One posting as the browser reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    pub impact: u32,
    pub mask: u32,
}

/// Reads a postings string (inline, or a chunk's with `base` its first possible record).
pub fn decode_postings(s: &str, base: u32) -> Option<Vec<Posting>> {
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
pub fn impact(tf: f64, len: u32, avgdl: f64) -> u32 {
    let norm = K1 * (1.0 - B + B * f64::from(len) / avgdl);
    let sat = tf * (K1 + 1.0) / (tf + norm);
    ((sat * IMPACT_SCALE).round() as u32).max(1)
}

/// What the encoder keeps of a key it wrote.
#[derive(Debug, Default, Clone, PartialEq)]
struct Frag {
    /// `"key":{…}`, as it stands in its shard.
    json: Vec<u8>,
    /// The forms the mask bits stand for, in bit order.
    forms: Vec<u32>,
    /// Chunked postings: log2 of the report slots per chunk, and the chunks by number.
    chunked: Option<(u32, BTreeMap<u32, u64>)>,
    /// Packed postings: `"key":"…"` as it stands in its pack; the entry without its
    /// closing brace (the pack's name and hash follow); the (name, hash) of the pack
    /// that `json` names, once known.
    packed: Option<Packed>,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Packed {
    postings: Vec<u8>,
    base: Vec<u8>,
    pack: Option<(u64, u64)>,
}

/// A pack as the encoder keeps it (by its first stem).
#[derive(Debug, Clone)]
struct Pack {
    last: Box<str>,
    count: usize,
    hash: u64,
}

#[derive(Debug, Clone)]
struct Shard {
    last: Box<str>,
    count: usize,
    hash: u64,
}

/// Everything an encoding needs to know about the index as a whole.
struct Ctx<'a> {
    ix: &'a Index,
    layout: &'a Layout,
    /// The number of report slots.
    slots: u32,
    avgdl: f64,
}

/// Writes the key shards and postings chunks of an index, and keeps what it wrote so
/// that the next [`Encoder::encode`] writes only what changed.
#[derive(Default)]
pub struct Encoder {
    frags: HashMap<u32, Frag>,
    /// By first key.
    shards: BTreeMap<Box<str>, Shard>,
    /// The hash of each shard file, by number.
    shard_files: Vec<u64>,
    /// By first stem.
    packs: BTreeMap<Box<str>, Pack>,
}

/// The chunk size of a stem with `n` postings, as log2 of the report slots per chunk.
fn chunk_bits(n: usize, slots: u32, target: usize) -> u32 {
    let mut r = 0;
    while r < 31 && (n as u64) << (r + 1) <= target as u64 * u64::from(slots) {
        r += 1;
    }
    r
}

fn encode_postings(cx: &Ctx, postings: &[Raw], base: u32, bits: &[(u32, u32)], out: &mut Vec<u8>) {
    // Column by column (compresses better): the count, the record ids, the impacts, the
    // masks.
    put_number(out, postings.len() as u32);
    let mut prev = base;
    for p in postings {
        put_number(out, p.doc - prev);
        prev = p.doc;
    }
    for p in postings {
        put_number(out, impact(p.tf(), cx.ix.doc_len(p.doc), cx.avgdl));
    }
    for p in postings {
        let mut mask = u32::from(p.free());
        for f in cx.ix.sets.forms(&p.set) {
            if let Ok(i) = bits.binary_search_by_key(f, |x| x.0) {
                mask |= bits[i].1;
            }
        }
        put_number(out, mask);
    }
}

/// A key's entry, and the chunks it (re)computed: (number, hash, bytes).
fn encode_key(
    cx: &Ctx,
    id: u32,
    old: Option<&Frag>,
    all: bool,
    slots: &BTreeSet<u32>,
) -> (Frag, Vec<(u32, u64, Vec<u8>)>) {
    let ix = cx.ix;
    let k: &Key = &ix.keys[id as usize];
    let name = ix.name(id);
    let mut forms: Vec<u32> = k.stem_forms.iter().map(|x| x.0).collect();
    forms.sort_by(|a, b| ix.name(*a).cmp(ix.name(*b)));
    forms.truncate(MAX_FORMS);

    let mut json = Vec::with_capacity(64);
    json_str(&mut json, name);
    json.extend_from_slice(b":{");
    let mut sep = "";
    let mut field = |json: &mut Vec<u8>, f: &str| {
        json.extend_from_slice(sep.as_bytes());
        json.push(b'"');
        json.extend_from_slice(f.as_bytes());
        json.extend_from_slice(b"\":");
        sep = ",";
    };
    if k.form_df > 0 {
        field(&mut json, "d");
        json_num(&mut json, k.form_df);
        let mut stems: Vec<&str> = k.form_stems.iter().map(|x| ix.name(x.0)).collect();
        stems.sort_unstable();
        let only_itself = stems == [name] && !k.postings.is_empty();
        if !only_itself && !stems.is_empty() {
            field(&mut json, "s");
            json_strs(&mut json, stems.iter().copied());
        }
    }
    let mut chunks_out = Vec::new();
    let mut chunked = None;
    let mut packed = None;
    if !k.postings.is_empty() {
        field(&mut json, "f");
        json_strs(&mut json, forms.iter().map(|f| ix.name(*f)));
        field(&mut json, "n");
        json_num(&mut json, k.postings.len());
        let mut bits: Vec<(u32, u32)> = forms
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, 1u32 << (i + 1)))
            .collect();
        bits.sort_unstable();
        if k.postings.len() <= cx.layout.inline_postings {
            field(&mut json, "p");
            json.push(b'"');
            encode_postings(cx, &k.postings, 0, &bits, &mut json);
            json.push(b'"');
        } else if k.postings.len() <= cx.layout.pack_postings {
            let mut postings = Vec::with_capacity(k.postings.len() * 4 + name.len() + 8);
            json_str(&mut postings, name);
            postings.extend_from_slice(b":\"");
            encode_postings(cx, &k.postings, 0, &bits, &mut postings);
            postings.push(b'"');
            packed = Some(Packed {
                postings,
                base: json.clone(),
                pack: None,
            });
        } else {
            let r = chunk_bits(k.postings.len(), cx.slots, cx.layout.chunk_postings);
            let span = (1u32 << r) * ix.slot_size;
            let reuse = !all
                && old.is_some_and(|o| {
                    o.forms == forms && o.chunked.as_ref().is_some_and(|c| c.0 == r)
                });
            let mut chunks: BTreeMap<u32, u64> = BTreeMap::new();
            let buckets: BTreeSet<u32> = if reuse {
                if let Some((_, c)) = old.and_then(|o| o.chunked.as_ref()) {
                    chunks = c.clone();
                }
                slots.iter().map(|s| s >> r).collect()
            } else {
                k.postings.iter().map(|p| p.doc / span).collect()
            };
            for b in buckets {
                let (lo, hi) = (b * span, b.saturating_add(1).saturating_mul(span));
                let from = k.postings.partition_point(|p| p.doc < lo);
                let to = k.postings.partition_point(|p| p.doc < hi);
                if from == to {
                    chunks.remove(&b);
                    continue;
                }
                let mut bytes = Vec::with_capacity((to - from) * 4 + 2);
                bytes.push(b'"');
                encode_postings(cx, &k.postings[from..to], lo, &bits, &mut bytes);
                bytes.push(b'"');
                let h = fnv(&bytes);
                chunks.insert(b, h);
                chunks_out.push((b, h, bytes));
            }
            field(&mut json, "k");
            json.extend_from_slice(format!("\"{:016x}\"", fnv(name.as_bytes())).as_bytes());
            field(&mut json, "r");
            json_num(&mut json, r);
            field(&mut json, "c");
            json.push(b'[');
            for (i, (b, h)) in chunks.iter().enumerate() {
                if i > 0 {
                    json.push(b',');
                }
                json_num(&mut json, b);
                json.extend_from_slice(format!(",\"{h:016x}\"").as_bytes());
            }
            json.push(b']');
            chunked = Some((r, chunks));
        }
    }
    json.push(b'}');
    (
        Frag {
            json,
            forms,
            chunked,
            packed,
        },
        chunks_out,
    )
}

/// A pack's file: `q/<hash of its first stem>.json`.
fn pack_name(first: u64) -> String {
    format!("q/{first:016x}.json")
}

/// Where runs of consecutive keys begin (indexes into `sizes`, a run's keys' sizes in
/// bytes): a key starts one when its hash is 0 modulo m, m keys being about `target`,
/// once the run holds a quarter of that; or when the key would take the run over twice
/// that. Either way the boundaries move only near a key that changed.
fn run_starts(keys: &[&str], sizes: &[usize], target: usize) -> Vec<usize> {
    let avg = (sizes.iter().sum::<usize>() / sizes.len().max(1)).max(1);
    let m = (target as f64 / avg as f64)
        .log2()
        .round()
        .clamp(0.0, 16.0)
        .exp2() as u64;
    let (min, max) = (target / 4, target * 2);
    let mut starts: Vec<usize> = Vec::new();
    let mut bytes = 0usize;
    for (i, (k, &size)) in keys.iter().zip(sizes).enumerate() {
        if i == 0 || bytes + size > max || (bytes >= min && fnv(k.as_bytes()).is_multiple_of(m)) {
            starts.push(i);
            bytes = 0;
        }
        bytes += size;
    }
    starts
}

/// A chunk's file: `p/<hash of the stem>-<chunk number>.json`.
fn chunk_name(key: &str, bucket: u32) -> String {
    format!("p/{:016x}-{bucket}.json", fnv(key.as_bytes()))
}

/// A shard's file: `t/<number>.json`.
fn shard_name(i: usize) -> String {
    format!("t/{i}.json")
}

impl Encoder {
    /// Encodes the keys that `dirty` names (every key the first time), and the shards
    /// that hold them. Returns the files written and removed, and the shard table:
    /// (first key, hash of the file) in key order; shard i is `t/<i>.json`.
    pub fn encode(
        &mut self,
        ix: &Index,
        dirty: &super::index::Dirty,
        layout: &Layout,
        slots: u32,
    ) -> (Changes, Vec<(String, String)>) {
        let cx = Ctx {
            ix,
            layout,
            slots: slots.max(1),
            avgdl: ix.avgdl(),
        };
        let all = dirty.all || (self.frags.is_empty() && self.shards.is_empty());
        let mut ids: Vec<u32> = if all {
            let mut v: Vec<u32> = ix.live.values().copied().collect();
            v.extend(self.frags.keys().copied());
            v
        } else {
            dirty.keys.iter().copied().collect()
        };
        ids.sort_unstable();
        ids.dedup();
        let frags = &self.frags;
        type Encoded = Option<(Frag, Vec<(u32, u64, Vec<u8>)>)>;
        let encoded: Vec<(u32, Encoded)> = ids
            .par_iter()
            .map(|&id| {
                let live = ix.keys[id as usize].is_live();
                (
                    id,
                    live.then(|| encode_key(&cx, id, frags.get(&id), all, &dirty.slots)),
                )
            })
            .collect();

        let mut changes = Changes::default();
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        // Stems whose packed postings changed, came or went.
        let mut repack: BTreeSet<&str> = BTreeSet::new();
        for (id, new) in encoded {
            let key = ix.name(id);
            let old = self.frags.remove(&id);
            let chunks = |f: &Option<Frag>| -> BTreeMap<u32, u64> {
                f.as_ref()
                    .and_then(|f| f.chunked.as_ref())
                    .map(|c| c.1.clone())
                    .unwrap_or_default()
            };
            let old_chunks = chunks(&old);
            let (new, bytes) = match new {
                Some((f, b)) => (Some(f), b),
                None => (None, Vec::new()),
            };
            let new_chunks = chunks(&new);
            // A chunk's file keeps its name (stem and number); it is written when its
            // bytes changed and removed when the chunk is gone.
            for (b, h, bytes) in bytes {
                if old_chunks.get(&b) != Some(&h) {
                    changes.written.push(IndexFile {
                        name: chunk_name(key, b),
                        bytes,
                    });
                }
            }
            for b in old_chunks.keys() {
                if !new_chunks.contains_key(b) {
                    changes.removed.push(chunk_name(key, *b));
                }
            }
            if old.as_ref().map(|f| &f.json) != new.as_ref().map(|f| &f.json) {
                changed.insert(key);
            }
            let postings = |f: &Option<Frag>| -> Option<Vec<u8>> {
                f.as_ref()?.packed.as_ref().map(|p| p.postings.clone())
            };
            if postings(&old) != postings(&new) {
                repack.insert(key);
            }
            if let Some(f) = new {
                self.frags.insert(id, f);
            }
        }
        self.encode_packs(ix, layout, &repack, &mut changed, &mut changes);

        // Shards: runs of keys of about `shard_bytes` (see `run_starts`).
        let live: Vec<(&str, u32)> = ix.live.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
        let keys: Vec<&str> = live.iter().map(|k| k.0).collect();
        let sizes: Vec<usize> = live
            .iter()
            .map(|(_, id)| self.frags.get(id).map_or(0, |f| f.json.len() + 1))
            .collect();
        let starts = run_starts(&keys, &sizes, layout.shard_bytes);
        let ranges: Vec<(usize, usize)> = starts
            .iter()
            .enumerate()
            .map(|(j, &s)| (s, starts.get(j + 1).copied().unwrap_or(live.len())))
            .collect();
        let old_shards = std::mem::take(&mut self.shards);
        let old_files = std::mem::take(&mut self.shard_files);
        let frags = &self.frags;
        let built: Vec<(Box<str>, Shard, Option<Vec<u8>>)> = ranges
            .par_iter()
            .enumerate()
            .map(|(j, &(a, b))| {
                let (first, last) = (live[a].0, live[b - 1].0);
                if let Some(s) = old_shards.get(first) {
                    if s.last.as_ref() == last
                        && s.count == b - a
                        && changed.range(first..=last).next().is_none()
                        && old_files.get(j) == Some(&s.hash)
                    {
                        return (first.into(), s.clone(), None);
                    }
                }
                let mut bytes = Vec::with_capacity(layout.shard_bytes + 1024);
                bytes.push(b'{');
                for (i, (_, id)) in live[a..b].iter().enumerate() {
                    if i > 0 {
                        bytes.push(b',');
                    }
                    if let Some(f) = frags.get(id) {
                        bytes.extend_from_slice(&f.json);
                    }
                }
                bytes.push(b'}');
                let shard = Shard {
                    last: last.into(),
                    count: b - a,
                    hash: fnv(&bytes),
                };
                (first.into(), shard, Some(bytes))
            })
            .collect();
        let mut table = Vec::with_capacity(built.len());
        for (j, (first, shard, bytes)) in built.into_iter().enumerate() {
            if let Some(bytes) = bytes {
                if old_files.get(j) != Some(&shard.hash) {
                    changes.written.push(IndexFile {
                        name: shard_name(j),
                        bytes,
                    });
                }
            }
            table.push((first.to_string(), format!("{:016x}", shard.hash)));
            self.shard_files.push(shard.hash);
            self.shards.insert(first, shard);
        }
        for j in self.shard_files.len()..old_files.len() {
            changes.removed.push(shard_name(j));
        }
        // The first shard starts at the beginning of the key space.
        if let Some(first) = table.first_mut() {
            first.0 = String::new();
        }
        (changes, table)
    }
}

impl Encoder {
    /// Packs: the postings of the stems that keep them in a pack, in runs of
    /// consecutive stems (by key) of about `pack_bytes` (see `run_starts`), each file
    /// named after its first stem. Writes the packs whose bytes changed and removes
    /// those that are gone; gives each packed stem's entry its pack's name and hash, and
    /// marks the entries that changed. `repack` are the stems whose packed postings
    /// changed, came or went.
    fn encode_packs<'a>(
        &mut self,
        ix: &'a Index,
        layout: &Layout,
        repack: &BTreeSet<&'a str>,
        changed: &mut BTreeSet<&'a str>,
        changes: &mut Changes,
    ) {
        let frags = &self.frags;
        let postings = |id: &u32| frags.get(id).and_then(|f| f.packed.as_ref());
        let packed: Vec<(&'a str, u32)> = ix
            .live
            .iter()
            .filter(|(_, id)| postings(id).is_some())
            .map(|(k, id)| (k.as_ref(), *id))
            .collect();
        let keys: Vec<&str> = packed.iter().map(|p| p.0).collect();
        let sizes: Vec<usize> = packed
            .iter()
            .map(|(_, id)| postings(id).map_or(0, |p| p.postings.len() + 1))
            .collect();
        let starts = run_starts(&keys, &sizes, layout.pack_bytes);
        let old = std::mem::take(&mut self.packs);
        for (j, &a) in starts.iter().enumerate() {
            let b = starts.get(j + 1).copied().unwrap_or(packed.len());
            let (first, last) = (keys[a], keys[b - 1]);
            let kept = old.get(first).filter(|p| {
                p.last.as_ref() == last
                    && p.count == b - a
                    && repack.range(first..=last).next().is_none()
            });
            let hash = match kept {
                Some(p) => p.hash,
                None => {
                    let mut bytes = Vec::with_capacity(sizes[a..b].iter().sum::<usize>() + 2);
                    bytes.push(b'{');
                    for (i, (_, id)) in packed[a..b].iter().enumerate() {
                        if i > 0 {
                            bytes.push(b',');
                        }
                        if let Some(p) = self.frags.get(id).and_then(|f| f.packed.as_ref()) {
                            bytes.extend_from_slice(&p.postings);
                        }
                    }
                    bytes.push(b'}');
                    let h = fnv(&bytes);
                    if old.get(first).map(|p| p.hash) != Some(h) {
                        changes.written.push(IndexFile {
                            name: pack_name(fnv(first.as_bytes())),
                            bytes,
                        });
                    }
                    h
                }
            };
            let pack = (fnv(first.as_bytes()), hash);
            for (key, id) in &packed[a..b] {
                let Some(f) = self.frags.get_mut(id) else {
                    continue;
                };
                let Some(p) = f.packed.as_mut().filter(|p| p.pack != Some(pack)) else {
                    continue;
                };
                p.pack = Some(pack);
                let mut json = p.base.clone();
                let reference = format!(",\"q\":\"{:016x}\",\"h\":\"{:016x}\"}}", pack.0, pack.1);
                json.extend_from_slice(reference.as_bytes());
                if json != f.json {
                    changed.insert(key);
                    f.json = json;
                }
            }
            self.packs.insert(
                first.into(),
                Pack {
                    last: last.into(),
                    count: b - a,
                    hash,
                },
            );
        }
        for first in old.keys() {
            if !self.packs.contains_key(first) {
                changes.removed.push(pack_name(fnv(first.as_bytes())));
            }
        }
    }
}

/// What the browser shows for one record.
#[derive(Debug, Clone)]
pub struct Excerpt {
    /// The anchor on the report page.
    pub anchor: String,
    /// The question number, for numbered sections.
    pub number: Option<String>,
    /// The template's title of the question, or the section's heading.
    pub title: String,
}

/// The lines of an excerpt text, cut at a word boundary after at most `max` characters.
fn excerpt_lines(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut left = max;
    for line in text.split('\n') {
        let n = line.chars().count();
        if n <= left {
            out.push(line.to_string());
            left -= n;
            continue;
        }
        let cut: String = line.chars().take(left).collect();
        let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
        let cut = cut[..end].trim_end();
        out.push(if cut.is_empty() {
            "…".to_string()
        } else {
            format!("{cut} …")
        });
        break;
    }
    out
}

/// A member's excerpt files: one per section (anchor), holding that section of every
/// year with each distinct line of text once (most text carries over from year to
/// year). `reports` are the member's reports in year order, each with its records'
/// excerpts and texts; `groups` numbers the member's anchors from 0. Returns the files,
/// by group.
pub fn member_excerpts(
    reports: &[(u16, Vec<(&Excerpt, &str)>)],
    groups: &HashMap<&str, u32>,
    max_chars: usize,
) -> Vec<Vec<u8>> {
    // Per group: its distinct lines, and per year (year, excerpt, line ids).
    type Entry<'a> = (u16, &'a Excerpt, Vec<u32>);
    let mut files: Vec<(Vec<String>, HashMap<String, u32>, Vec<Entry>)> = Vec::new();
    files.resize_with(groups.len(), Default::default);
    for (year, records) in reports {
        for (x, text) in records {
            let Some(&g) = groups.get(x.anchor.as_str()) else {
                continue;
            };
            let (lines, ids, entries) = &mut files[g as usize];
            let refs = excerpt_lines(text, max_chars)
                .into_iter()
                .map(|l| {
                    let n = lines.len() as u32;
                    *ids.entry(l.clone()).or_insert_with(|| {
                        lines.push(l);
                        n
                    })
                })
                .collect();
            entries.push((*year, *x, refs));
        }
    }
    files
        .into_iter()
        .map(|(lines, _, entries)| {
            let mut out = Vec::new();
            out.extend_from_slice(b"{\"l\":");
            json_strs(&mut out, lines.iter().map(|l| l.as_ref()));
            out.extend_from_slice(b",\"y\":[");
            for (i, (year, x, refs)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                json_num(&mut out, year);
                out.push(b',');
                json_str(&mut out, &x.anchor);
                out.push(b',');
                match &x.number {
                    Some(n) => json_str(&mut out, n),
                    None => out.extend_from_slice(b"null"),
                }
                out.push(b',');
                json_str(&mut out, &x.title);
                out.extend_from_slice(b",[");
                for (j, r) in refs.iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    json_num(&mut out, r);
                }
                out.extend_from_slice(b"]]");
            }
            out.extend_from_slice(b"]}");
            out
        })
        .collect()
}

/// A member's excerpt files: its sections' excerpts ([`member_excerpts`], by section
/// number) in runs of consecutive sections of about `target` bytes. Returns each file
/// and the number of its first section; the browser finds a section's file from these
/// numbers (in the locator), and the file names its first section again:
///
/// ```text
/// {"f": 12, "s": [<section 12>, <section 13>, …]}
/// ```
///
/// Where runs end: see `bundle_starts`.
pub fn bundle_excerpts(
    sections: &[Vec<u8>],
    anchors: &[&str],
    target: usize,
) -> (Vec<Vec<u8>>, Vec<u32>) {
    let sizes: Vec<usize> = sections.iter().map(|s| s.len() + 1).collect();
    let starts = bundle_starts(&sizes, anchors, target);
    let files = starts
        .iter()
        .enumerate()
        .map(|(i, &first)| {
            let end = starts.get(i + 1).map_or(sections.len(), |&e| e as usize);
            let part = &sections[first as usize..end];
            let mut out = Vec::with_capacity(part.iter().map(|s| s.len() + 1).sum::<usize>() + 16);
            out.extend_from_slice(b"{\"f\":");
            json_num(&mut out, first);
            out.extend_from_slice(b",\"s\":[");
            for (j, sec) in part.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(sec);
            }
            out.extend_from_slice(b"]}");
            out
        })
        .collect();
    (files, starts)
}

/// Where runs of sections begin (see [`bundle_excerpts`]): section numbers, from 0.
///
/// The runs are first cut by the anchors alone: a run of k sections is about `target`
/// bytes (k from the member's average section, rounded to a power of two so that an
/// edit rarely moves it), and a run ends before a section whose anchor's hash says so
/// once it holds k/2 sections, or at 2k sections. An edit that makes a section longer
/// or shorter moves none of these cuts; a new section moves the cuts near it only.
/// Then a run of more than 1.5 × `target` bytes is split where it would go over that,
/// which changes that run's files only.
fn bundle_starts(sizes: &[usize], anchors: &[&str], target: usize) -> Vec<u32> {
    if sizes.is_empty() {
        return Vec::new();
    }
    let avg = (sizes.iter().sum::<usize>() / sizes.len()).max(1);
    let k = (target as f64 / avg as f64)
        .log2()
        .round()
        .clamp(0.0, 16.0)
        .exp2() as usize;
    // Runs of kmin + (a number of sections with mean m - 1): k on average.
    let (kmin, kmax) = (k.div_ceil(2), 2 * k);
    let m = (k - kmin + 1) as u64;
    let mut cuts = vec![0usize];
    for (i, anchor) in anchors.iter().enumerate().take(sizes.len()).skip(1) {
        let len = i - cuts.last().copied().unwrap_or(0);
        // The high bits of the hash: FNV-1a's low bits mix little.
        if (len >= kmin && (fnv(anchor.as_bytes()) >> 32).is_multiple_of(m)) || len >= kmax {
            cuts.push(i);
        }
    }
    let max = target * 3 / 2;
    let mut starts = Vec::with_capacity(cuts.len());
    for (j, &a) in cuts.iter().enumerate() {
        let b = cuts.get(j + 1).copied().unwrap_or(sizes.len());
        starts.push(a as u32);
        let mut bytes = sizes[a];
        for (i, &size) in sizes.iter().enumerate().take(b).skip(a + 1) {
            if bytes + size > max {
                starts.push(i as u32);
                bytes = 0;
            }
            bytes += size;
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::super::index::{Dirty, Record};
    use super::super::text::Language;
    use super::*;

    fn index() -> Index {
        let mut records = Vec::new();
        for i in 0..40u32 {
            let body = if i % 2 == 0 {
                format!("Barnearbeid og tvangsarbeid hos leverandør nummer {i}.")
            } else {
                format!("Arbeid i leverandørkjeden, runde {i}.")
            };
            records.push(Record {
                doc: (i / 10) * 16 + i % 10,
                lang: Language::Norwegian,
                title: "2.A.3 Prioriterte risikoer".into(),
                body,
                member: None,
            });
        }
        Index::build(&records, 16)
    }

    fn all() -> Dirty {
        Dirty {
            all: true,
            ..Dirty::default()
        }
    }

    fn get<'a>(files: &'a [IndexFile], name: &str) -> &'a [u8] {
        &files.iter().find(|f| f.name == name).unwrap().bytes
    }

    #[test]
    fn postings_round_trip_through_the_digits() {
        let mut s = Vec::new();
        for v in [2u32, 3, 70_000, 31, 32, 1000, u32::MAX] {
            put_number(&mut s, v);
        }
        let s = String::from_utf8(s).unwrap();
        assert!(s.starts_with("CD"), "{s}");
        let p = decode_postings(&s, 10).unwrap();
        assert_eq!(
            p,
            [
                Posting {
                    doc: 13,
                    impact: 31,
                    mask: 1000
                },
                Posting {
                    doc: 70_013,
                    impact: 32,
                    mask: u32::MAX
                }
            ]
        );
        assert_eq!(decode_postings("B", 0), None, "too few numbers");
        assert_eq!(decode_postings("AA!", 0), None);
    }

    #[test]
    fn shards_lead_to_every_key_and_its_postings() {
        let ix = index();
        let layout = Layout {
            shard_bytes: 200,
            inline_postings: 4,
            pack_postings: 24,
            pack_bytes: 150,
            chunk_postings: 8,
            excerpt_chars: 30,
            excerpt_bytes: 1024,
        };
        let mut enc = Encoder::default();
        let (changes, table) = enc.encode(&ix, &all(), &layout, 4);
        let files = changes.written;
        assert!(changes.removed.is_empty());
        assert!(table.len() > 2, "small shards split the key space");
        assert_eq!(table[0].0, "");
        let firsts: Vec<&str> = table.iter().map(|s| s.0.as_str()).collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]));
        let (mut packed, mut chunked) = (0, 0);
        for (key, &id) in &ix.live {
            let i = firsts.partition_point(|f| *f <= key.as_ref()) - 1;
            let bytes = get(&files, &format!("t/{i}.json"));
            assert_eq!(table[i].1, hash(bytes));
            let shard: BTreeMap<String, serde_json::Value> = serde_json::from_slice(bytes).unwrap();
            let e = &shard[key.as_ref()];
            let k = &ix.keys[id as usize];
            if k.postings.is_empty() {
                continue;
            }
            assert_eq!(e["n"], k.postings.len());
            let mut docs = Vec::new();
            if let Some(p) = e.get("p") {
                docs = decode_postings(p.as_str().unwrap(), 0).unwrap();
            } else if let Some(q) = e.get("q") {
                let bytes = get(&files, &format!("q/{}.json", q.as_str().unwrap()));
                assert_eq!(e["h"].as_str().unwrap(), hash(bytes));
                let pack: BTreeMap<String, String> = serde_json::from_slice(bytes).unwrap();
                docs = decode_postings(&pack[key.as_ref()], 0).unwrap();
                packed += 1;
            } else {
                chunked += 1;
                let r = e["r"].as_u64().unwrap() as u32;
                let c = e["c"].as_array().unwrap();
                let k = e["k"].as_str().unwrap();
                assert_eq!(k, hash(key.as_bytes()));
                for pair in c.chunks(2) {
                    let b = pair[0].as_u64().unwrap() as u32;
                    let bytes = get(&files, &format!("p/{k}-{b}.json"));
                    assert_eq!(pair[1].as_str().unwrap(), hash(bytes));
                    let s: String = serde_json::from_slice(bytes).unwrap();
                    let base = (b << r) * 16;
                    let part = decode_postings(&s, base).unwrap();
                    assert!(
                        part.iter()
                            .all(|p| p.doc >= base && p.doc < base + (16 << r))
                    );
                    docs.extend(part);
                }
            }
            let want: Vec<u32> = k.postings.iter().map(|p| p.doc).collect();
            assert_eq!(
                docs.iter().map(|p| p.doc).collect::<Vec<_>>(),
                want,
                "{key}"
            );
            assert!(docs.iter().all(|p| p.impact >= 1));
        }
        assert!(
            packed > 2 && chunked > 2,
            "{packed} packed, {chunked} chunked"
        );
        // Several packs, each holding several stems.
        let packs: Vec<&IndexFile> = files.iter().filter(|f| f.name.starts_with("q/")).collect();
        assert!(
            packs.len() > 1 && packs.len() < packed,
            "{} packs",
            packs.len()
        );
    }

    #[test]
    fn names_are_content_hashes_and_output_is_deterministic() {
        let layout = Layout::default();
        let (a, ta) = Encoder::default().encode(&index(), &all(), &layout, 4);
        let (b, tb) = Encoder::default().encode(&index(), &all(), &layout, 4);
        assert_eq!(ta, tb);
        assert_eq!(a.written.len(), b.written.len());
        for (x, y) in a.written.iter().zip(&b.written) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.bytes, y.bytes);
        }
        assert_eq!(hash(b""), "cbf29ce484222325");
    }

    #[test]
    fn a_second_encoding_writes_only_what_changed() {
        let layout = Layout {
            shard_bytes: 200,
            inline_postings: 4,
            pack_postings: 24,
            pack_bytes: 150,
            chunk_postings: 8,
            excerpt_chars: 30,
            excerpt_bytes: 1024,
        };
        let mut ix = index();
        let mut enc = Encoder::default();
        let (first, _) = enc.encode(&ix, &all(), &layout, 4);
        // Slot 2's records change: a new word, one record fewer.
        let old: Vec<Record> = (20..30u32)
            .map(|i| Record {
                doc: 2 * 16 + i % 10,
                lang: Language::Norwegian,
                title: "2.A.3 Prioriterte risikoer".into(),
                body: if i % 2 == 0 {
                    format!("Barnearbeid og tvangsarbeid hos leverandør nummer {i}.")
                } else {
                    format!("Arbeid i leverandørkjeden, runde {i}.")
                },
                member: None,
            })
            .collect();
        let mut new = old.clone();
        new.pop();
        new[0].body.push_str(" Solcellepaneler.");
        let dirty = ix.update(&[(2, old, new)], &|_| unreachable!());
        let (second, table) = enc.encode(&ix, &dirty, &layout, 4);
        assert!(!second.written.is_empty());
        assert!(second.written.len() < first.written.len());
        // Of each chunked stem, only the chunk of slot 2 is written again.
        let stems = |files: &[IndexFile]| -> BTreeSet<String> {
            let chunks = files.iter().filter_map(|f| f.name.strip_prefix("p/"));
            chunks
                .map(|n| n.split('-').next().unwrap_or("").to_string())
                .collect()
        };
        let chunked = stems(&first.written).len();
        let again = second
            .written
            .iter()
            .filter(|f| f.name.starts_with("p/"))
            .count();
        assert!(
            again <= chunked && chunked > 1,
            "{again} chunks of {chunked} stems"
        );
        // The same as encoding the updated index afresh.
        let (fresh, fresh_table) = Encoder::default().encode(&ix, &all(), &layout, 4);
        assert_eq!(table, fresh_table);
        let mut files: BTreeMap<String, Vec<u8>> = first
            .written
            .into_iter()
            .map(|f| (f.name, f.bytes))
            .collect();
        for r in second.removed {
            files.remove(&r);
        }
        files.extend(second.written.into_iter().map(|f| (f.name, f.bytes)));
        let fresh: BTreeMap<String, Vec<u8>> = fresh
            .written
            .into_iter()
            .map(|f| (f.name, f.bytes))
            .collect();
        assert_eq!(files, fresh);
    }

    /// Sections of varied sizes, as a member's would be.
    fn sections(n: usize) -> (Vec<usize>, Vec<String>) {
        let sizes = (0..n).map(|i| 500 + (i * 7919) % 6000).collect();
        let anchors = (0..n)
            .map(|i| format!("{}-a-{}", i / 10 + 1, i % 10))
            .collect();
        (sizes, anchors)
    }

    /// The runs of sections (first, end) that [`bundle_starts`] makes.
    fn runs(sizes: &[usize], anchors: &[String], target: usize) -> Vec<(u32, u32)> {
        let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        let starts = bundle_starts(sizes, &anchors, target);
        let ends = starts.iter().skip(1).copied().chain([sizes.len() as u32]);
        starts.iter().copied().zip(ends).collect()
    }

    #[test]
    fn excerpt_files_are_runs_of_sections_of_about_the_target_size() {
        let (sizes, anchors) = sections(300);
        let target = 24 * 1024;
        let r = runs(&sizes, &anchors, target);
        assert_eq!(r[0].0, 0);
        assert!(r.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
        let bytes = |&(a, b): &(u32, u32)| sizes[a as usize..b as usize].iter().sum::<usize>();
        let total: usize = sizes.iter().sum();
        // No run holds more than 1.5 × the target (unless it is one section); on average
        // a run holds about the target.
        assert!(
            r.iter()
                .all(|x| bytes(x) <= target * 3 / 2 || x.1 == x.0 + 1),
            "{r:?}"
        );
        let mean = total / r.len();
        assert!(
            mean > target / 2 && mean < target * 3 / 2,
            "{mean} bytes a run"
        );
        // A single huge section is a file of its own.
        let mut big = sizes.clone();
        big[10] = 10 * target;
        let rb = runs(&big, &anchors, target);
        assert!(rb.contains(&(10, 11)), "{rb:?}");

        // The files: each names its first section and holds the sections in order.
        let secs: Vec<Vec<u8>> = (0..5)
            .map(|i| format!("{{\"x\":{i}}}").into_bytes())
            .collect();
        let a: Vec<&str> = anchors[..5].iter().map(String::as_str).collect();
        let (files, starts) = bundle_excerpts(&secs, &a, 16);
        assert_eq!(files.len(), starts.len());
        let mut seen = Vec::new();
        for (f, first) in files.iter().zip(&starts) {
            let v: serde_json::Value = serde_json::from_slice(f).unwrap();
            assert_eq!(v["f"], *first);
            seen.extend(v["s"].as_array().unwrap().iter().map(|x| x["x"].clone()));
        }
        assert_eq!(
            seen,
            (0..5).map(serde_json::Value::from).collect::<Vec<_>>()
        );
        assert_eq!(bundle_excerpts(&[], &[], 16), (Vec::new(), Vec::new()));
    }

    #[test]
    fn a_section_that_grows_or_shrinks_changes_few_excerpt_files() {
        let (sizes, anchors) = sections(300);
        let target = 24 * 1024;
        let before = runs(&sizes, &anchors, target);
        let mut worst = 0;
        let mut total = 0;
        for i in 0..sizes.len() {
            for factor in [0.5, 1.5] {
                let mut edited = sizes.clone();
                edited[i] = (edited[i] as f64 * factor) as usize;
                let after = runs(&edited, &anchors, target);
                // The runs that are no longer there, or now hold other bytes.
                let changed = after
                    .iter()
                    .filter(|r| !before.contains(r) || (r.0..r.1).contains(&(i as u32)))
                    .count();
                worst = worst.max(changed);
                total += changed;
            }
        }
        let mean = total as f64 / (2 * sizes.len()) as f64;
        assert!(mean < 1.5, "{mean} files change on average");
        assert!(
            worst <= 3,
            "{worst} files change at worst of {}",
            before.len()
        );

        // A new section at the end (a new question in the latest report): only the last
        // runs change.
        let (more_sizes, more_anchors) = sections(301);
        let after = runs(&more_sizes, &more_anchors, target);
        let changed = after.iter().filter(|r| !before.contains(r)).count();
        assert!(changed <= 2, "{changed}");
    }

    #[test]
    fn excerpts_store_each_line_once_per_section() {
        let x = |a: &str| Excerpt {
            anchor: a.into(),
            number: None,
            title: "T".into(),
        };
        let (fa, fb, fc) = (x("forord"), x("2-a-3"), x("ny"));
        let reports = vec![
            (2023, vec![(&fa, "Samme linje.\nGammel."), (&fb, "Risiko.")]),
            (
                2024,
                vec![
                    (&fc, "Ny."),
                    (&fa, "Samme linje.\nNy linje."),
                    (&fb, "Risiko."),
                ],
            ),
        ];
        let groups: HashMap<&str, u32> = [("forord", 0), ("2-a-3", 1), ("ny", 2)].into();
        let files = member_excerpts(&reports, &groups, 4000);
        assert_eq!(files.len(), 3);
        let f: serde_json::Value = serde_json::from_slice(&files[0]).unwrap();
        assert_eq!(
            f["l"],
            serde_json::json!(["Samme linje.", "Gammel.", "Ny linje."])
        );
        assert_eq!(
            f["y"][1],
            serde_json::json!([2024, "forord", null, "T", [0, 2]])
        );
        assert_eq!(excerpt_lines("Ett to tre fire", 9), ["Ett to …"]);
        assert_eq!(excerpt_lines("Ett\nto tre fire", 6), ["Ett", "to …"]);
    }
}
