//! One key's entry in its shard, and its postings: inline, for a pack, or in chunks.

use std::collections::{BTreeMap, BTreeSet};

use super::{Layout, fnv, impact, json_num, json_str, json_strs, put_number};
use crate::search::index::{Index, Key, MAX_FORMS, Raw};

/// What the encoder keeps of a key it wrote.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Frag {
    /// `"key":{…}`, as it stands in its shard.
    pub(super) json: Vec<u8>,
    /// The forms the mask bits stand for, in bit order.
    pub(super) forms: Vec<u32>,
    /// Chunked postings: log2 of the report slots per chunk, and the chunks by number.
    pub(super) chunked: Option<(u32, BTreeMap<u32, u64>)>,
    /// Packed postings: `"key":"…"` as it stands in its pack; the entry without its
    /// closing brace (the pack's name and hash follow); the (name, hash) of the pack
    /// that `json` names, once known.
    pub(super) packed: Option<Packed>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Packed {
    pub(super) postings: Vec<u8>,
    pub(super) base: Vec<u8>,
    pub(super) pack: Option<(u64, u64)>,
}

/// Everything an encoding needs to know about the index as a whole.
pub(super) struct Ctx<'a> {
    pub(super) ix: &'a Index,
    pub(super) layout: &'a Layout,
    /// The number of report slots.
    pub(super) slots: u32,
    pub(super) avgdl: f64,
    /// Every key is encoded afresh (nothing kept is reused).
    pub(super) all: bool,
    /// The report slots whose records changed.
    pub(super) touched: &'a BTreeSet<u32>,
}

/// A chunk a key's encoding (re)computed: its number, hash and bytes.
pub(super) type Chunk = (u32, u64, Vec<u8>);

/// A key's encoding, or `None` for a key that is no longer live.
pub(super) type Encoded = Option<(Frag, Vec<Chunk>)>;

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

/// A key entry's JSON, written field by field: `"key":{"d":…,"s":…`, without its
/// closing brace.
struct Entry {
    json: Vec<u8>,
    empty: bool,
}

impl Entry {
    fn new(name: &str) -> Entry {
        let mut json = Vec::with_capacity(64);
        json_str(&mut json, name);
        json.extend_from_slice(b":{");
        Entry { json, empty: true }
    }

    /// Starts field `f`; returns the JSON to write its value into.
    fn field(&mut self, f: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.json.push(b',');
        }
        self.empty = false;
        self.json.push(b'"');
        self.json.extend_from_slice(f.as_bytes());
        self.json.extend_from_slice(b"\":");
        &mut self.json
    }
}

/// A stem's forms as the mask bits stand for them: the first [`MAX_FORMS`] by name.
fn mask_forms(ix: &Index, k: &Key) -> Vec<u32> {
    let mut forms: Vec<u32> = k.stem_forms.iter().map(|x| x.0).collect();
    forms.sort_by(|a, b| ix.name(*a).cmp(ix.name(*b)));
    forms.truncate(MAX_FORMS);
    forms
}

/// The (form, mask bit) pairs of a stem's mask forms, sorted by form.
fn mask_bits(forms: &[u32]) -> Vec<(u32, u32)> {
    let mut bits: Vec<(u32, u32)> = forms
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, 1u32 << (i + 1)))
        .collect();
    bits.sort_unstable();
    bits
}

/// A form's fields: the records that contain it (`d`), and its stems (`s`) unless it
/// is just its own stem.
fn form_fields(e: &mut Entry, ix: &Index, k: &Key, name: &str) {
    json_num(e.field("d"), k.form_df);
    let mut stems: Vec<&str> = k.form_stems.iter().map(|x| ix.name(x.0)).collect();
    stems.sort_unstable();
    let only_itself = stems == [name] && !k.postings.is_empty();
    if !only_itself && !stems.is_empty() {
        json_strs(e.field("s"), stems.iter().copied());
    }
}

/// A key's entry, and the chunks it (re)computed.
pub(super) fn encode_key(cx: &Ctx, id: u32, old: Option<&Frag>) -> (Frag, Vec<Chunk>) {
    let ix = cx.ix;
    let k: &Key = &ix.keys[id as usize];
    let name = ix.name(id);
    let mut frag = Frag {
        forms: mask_forms(ix, k),
        ..Frag::default()
    };
    let mut e = Entry::new(name);
    if k.form_df > 0 {
        form_fields(&mut e, ix, k, name);
    }
    let mut chunks = Vec::new();
    if !k.postings.is_empty() {
        chunks = stem_fields(cx, &mut e, &mut frag, k, name, old);
    }
    e.json.push(b'}');
    frag.json = e.json;
    (frag, chunks)
}

/// A stem's fields: its forms (`f`), its number of postings (`n`) and the postings,
/// inline (`p`), in a pack (the entry's end waits for the pack's name: `frag.packed`)
/// or in chunks (`k`, `r`, `c`). Returns the chunks it (re)computed.
fn stem_fields(
    cx: &Ctx,
    e: &mut Entry,
    frag: &mut Frag,
    k: &Key,
    name: &str,
    old: Option<&Frag>,
) -> Vec<Chunk> {
    let ix = cx.ix;
    json_strs(e.field("f"), frag.forms.iter().map(|f| ix.name(*f)));
    json_num(e.field("n"), k.postings.len());
    let bits = mask_bits(&frag.forms);
    if k.postings.len() <= cx.layout.inline_postings {
        let json = e.field("p");
        json.push(b'"');
        encode_postings(cx, &k.postings, 0, &bits, json);
        json.push(b'"');
        return Vec::new();
    }
    if k.postings.len() <= cx.layout.pack_postings {
        let mut postings = Vec::with_capacity(k.postings.len() * 4 + name.len() + 8);
        json_str(&mut postings, name);
        postings.extend_from_slice(b":\"");
        encode_postings(cx, &k.postings, 0, &bits, &mut postings);
        postings.push(b'"');
        frag.packed = Some(Packed {
            postings,
            base: e.json.clone(),
            pack: None,
        });
        return Vec::new();
    }
    let (r, chunks, out) = chunk_postings(cx, k, &frag.forms, &bits, old);
    chunk_fields(e, name, r, &chunks);
    frag.chunked = Some((r, chunks));
    out
}

/// A common stem's postings in chunks of report slots: log2 of the slots per chunk,
/// every chunk's hash by number, and the chunks (re)computed: all of them, or when the
/// chunking is as before, those of the slots that changed.
fn chunk_postings(
    cx: &Ctx,
    k: &Key,
    forms: &[u32],
    bits: &[(u32, u32)],
    old: Option<&Frag>,
) -> (u32, BTreeMap<u32, u64>, Vec<Chunk>) {
    let r = chunk_bits(k.postings.len(), cx.slots, cx.layout.chunk_postings);
    let span = (1u32 << r) * cx.ix.slot_size;
    let kept = old
        .filter(|o| !cx.all && o.forms == forms)
        .and_then(|o| o.chunked.as_ref())
        .filter(|c| c.0 == r);
    let (mut chunks, buckets): (BTreeMap<u32, u64>, BTreeSet<u32>) = match kept {
        Some((_, c)) => (c.clone(), cx.touched.iter().map(|s| s >> r).collect()),
        None => (
            BTreeMap::new(),
            k.postings.iter().map(|p| p.doc / span).collect(),
        ),
    };
    let mut out = Vec::new();
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
        encode_postings(cx, &k.postings[from..to], lo, bits, &mut bytes);
        bytes.push(b'"');
        let h = fnv(&bytes);
        chunks.insert(b, h);
        out.push((b, h, bytes));
    }
    (r, chunks, out)
}

/// A chunked stem's fields: the hash of its name (`k`, the chunks' file names), the
/// chunk size (`r`) and the chunks with their hashes (`c`).
fn chunk_fields(e: &mut Entry, name: &str, r: u32, chunks: &BTreeMap<u32, u64>) {
    let k = format!("\"{:016x}\"", fnv(name.as_bytes()));
    e.field("k").extend_from_slice(k.as_bytes());
    json_num(e.field("r"), r);
    let json = e.field("c");
    json.push(b'[');
    for (i, (b, h)) in chunks.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json_num(json, b);
        json.extend_from_slice(format!(",\"{h:016x}\"").as_bytes());
    }
    json.push(b']');
}
