//! The key shards and postings packs, and what the encoder keeps of them to write again
//! only what changed (each key's entry and chunks: [`super::entry`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::entry::{Chunk, Ctx, Encoded, Frag, encode_key};
use super::{Changes, IndexFile, Layout, fnv};
use crate::search::index::{Dirty, Index};

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

/// Writes the key shards and postings chunks of an index, and keeps what it wrote so
/// that the next [`Encoder::encode`] writes only what changed.
#[derive(Default)]
pub(crate) struct Encoder {
    frags: HashMap<u32, Frag>,
    /// By first key.
    shards: BTreeMap<Box<str>, Shard>,
    /// The hash of each shard file, by number.
    shard_files: Vec<u64>,
    /// By first stem.
    packs: BTreeMap<Box<str>, Pack>,
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
    pub(crate) fn encode(
        &mut self,
        ix: &Index,
        dirty: &Dirty,
        layout: &Layout,
        slots: u32,
    ) -> (Changes, Vec<(String, String)>) {
        let all = dirty.all || (self.frags.is_empty() && self.shards.is_empty());
        let cx = Ctx {
            ix,
            layout,
            slots: slots.max(1),
            avgdl: ix.avgdl(),
            all,
            touched: &dirty.slots,
        };
        let ids = self.keys_to_encode(ix, dirty, all);
        let frags = &self.frags;
        let encoded: Vec<(u32, Encoded)> = ids
            .par_iter()
            .map(|&id| {
                let live = ix.keys[id as usize].is_live();
                (id, live.then(|| encode_key(&cx, id, frags.get(&id))))
            })
            .collect();
        let mut changes = Changes::default();
        let (mut changed, repack) = self.keep_keys(ix, encoded, &mut changes);
        self.encode_packs(ix, layout, &repack, &mut changed, &mut changes);
        let table = self.encode_shards(ix, layout, &changed, &mut changes);
        (changes, table)
    }

    /// The keys to encode: every live key and every key encoded before, or the keys
    /// `dirty` names.
    fn keys_to_encode(&self, ix: &Index, dirty: &Dirty, all: bool) -> Vec<u32> {
        let mut ids: Vec<u32> = if all {
            let mut v: Vec<u32> = ix.live.values().copied().collect();
            v.extend(self.frags.keys().copied());
            v
        } else {
            dirty.keys.iter().copied().collect()
        };
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Keeps the keys as encoded; writes their chunks whose bytes changed and removes
    /// those that are gone. Returns the keys whose entries changed, and the stems whose
    /// packed postings changed, came or went.
    fn keep_keys<'a>(
        &mut self,
        ix: &'a Index,
        encoded: Vec<(u32, Encoded)>,
        changes: &mut Changes,
    ) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        let mut repack: BTreeSet<&str> = BTreeSet::new();
        for (id, new) in encoded {
            let key = ix.name(id);
            let old = self.frags.remove(&id);
            let (new, chunks) = match new {
                Some((f, c)) => (Some(f), c),
                None => (None, Vec::new()),
            };
            write_chunks(key, old.as_ref(), new.as_ref(), chunks, changes);
            if old.as_ref().map(|f| &f.json) != new.as_ref().map(|f| &f.json) {
                changed.insert(key);
            }
            let postings =
                |f: &Option<Frag>| f.as_ref()?.packed.as_ref().map(|p| p.postings.clone());
            if postings(&old) != postings(&new) {
                repack.insert(key);
            }
            if let Some(f) = new {
                self.frags.insert(id, f);
            }
        }
        (changed, repack)
    }

    /// Shards: runs of keys of about `shard_bytes` (see `run_starts`). Writes those
    /// whose bytes changed, removes those that are gone, and returns the shard table.
    fn encode_shards(
        &mut self,
        ix: &Index,
        layout: &Layout,
        changed: &BTreeSet<&str>,
        changes: &mut Changes,
    ) -> Vec<(String, String)> {
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
        let built: Vec<(Box<str>, Shard, Option<Vec<u8>>)> = ranges
            .par_iter()
            .enumerate()
            .map(|(j, &(a, b))| {
                let (first, last) = (live[a].0, live[b - 1].0);
                let kept = old_shards.get(first).filter(|s| {
                    s.last.as_ref() == last
                        && s.count == b - a
                        && changed.range(first..=last).next().is_none()
                        && old_files.get(j) == Some(&s.hash)
                });
                match kept {
                    Some(s) => (first.into(), s.clone(), None),
                    None => self.shard(&live[a..b], layout),
                }
            })
            .collect();
        let mut table = Vec::with_capacity(built.len());
        for (j, (first, shard, bytes)) in built.into_iter().enumerate() {
            if let Some(bytes) = bytes.filter(|_| old_files.get(j) != Some(&shard.hash)) {
                changes.written.push(IndexFile {
                    name: shard_name(j),
                    bytes,
                });
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
        table
    }

    /// A shard of a run of live keys: its first key, what the encoder keeps of it, and
    /// its bytes.
    fn shard(&self, keys: &[(&str, u32)], layout: &Layout) -> (Box<str>, Shard, Option<Vec<u8>>) {
        let mut bytes = Vec::with_capacity(layout.shard_bytes + 1024);
        bytes.push(b'{');
        for (i, (_, id)) in keys.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            if let Some(f) = self.frags.get(id) {
                bytes.extend_from_slice(&f.json);
            }
        }
        bytes.push(b'}');
        let (first, last) = (keys[0].0, keys[keys.len() - 1].0);
        let shard = Shard {
            last: last.into(),
            count: keys.len(),
            hash: fnv(&bytes),
        };
        (first.into(), shard, Some(bytes))
    }

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
                None => self.write_pack(&packed[a..b], old.get(first).map(|p| p.hash), changes),
            };
            self.point_at_pack(&packed[a..b], (fnv(first.as_bytes()), hash), changed);
            let pack = Pack {
                last: last.into(),
                count: b - a,
                hash,
            };
            self.packs.insert(first.into(), pack);
        }
        for first in old.keys() {
            if !self.packs.contains_key(first) {
                changes.removed.push(pack_name(fnv(first.as_bytes())));
            }
        }
    }

    /// A pack of a run of packed stems: writes it unless its hash is `old`'s; returns
    /// its hash.
    fn write_pack(&self, stems: &[(&str, u32)], old: Option<u64>, changes: &mut Changes) -> u64 {
        let mut bytes = Vec::new();
        bytes.push(b'{');
        for (i, (_, id)) in stems.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            if let Some(p) = self.frags.get(id).and_then(|f| f.packed.as_ref()) {
                bytes.extend_from_slice(&p.postings);
            }
        }
        bytes.push(b'}');
        let h = fnv(&bytes);
        if old != Some(h) {
            changes.written.push(IndexFile {
                name: pack_name(fnv(stems[0].0.as_bytes())),
                bytes,
            });
        }
        h
    }

    /// Ends the entries of a pack's stems with the pack's name and hash; marks those
    /// that changed.
    fn point_at_pack<'a>(
        &mut self,
        stems: &[(&'a str, u32)],
        pack: (u64, u64),
        changed: &mut BTreeSet<&'a str>,
    ) {
        for (key, id) in stems {
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
    }
}

/// A key's chunks and their hashes, when it has chunks.
fn chunk_table(f: Option<&Frag>) -> Option<&BTreeMap<u32, u64>> {
    f.and_then(|f| f.chunked.as_ref()).map(|c| &c.1)
}

/// A key's chunk files: writes those whose bytes changed (a chunk's file keeps its
/// name, stem and number) and removes those that are gone.
fn write_chunks(
    key: &str,
    old: Option<&Frag>,
    new: Option<&Frag>,
    chunks: Vec<Chunk>,
    changes: &mut Changes,
) {
    let (old_chunks, new_chunks) = (chunk_table(old), chunk_table(new));
    for (b, h, bytes) in chunks {
        if old_chunks.and_then(|c| c.get(&b)) != Some(&h) {
            changes.written.push(IndexFile {
                name: chunk_name(key, b),
                bytes,
            });
        }
    }
    for b in old_chunks.into_iter().flat_map(|c| c.keys()) {
        if !new_chunks.is_some_and(|c| c.contains_key(b)) {
            changes.removed.push(chunk_name(key, *b));
        }
    }
}
