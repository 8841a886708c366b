//! The excerpt files: a member's sections, each in every year with each line of text
//! once, in runs of about [`super::Layout::excerpt_bytes`].

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::{fnv, json_num, json_str, json_strs};

/// What the browser shows for one record.
#[derive(Debug, Clone)]
pub(crate) struct Excerpt {
    /// The anchor on the report page.
    pub(crate) anchor: String,
    /// The question number, for numbered sections.
    pub(crate) number: Option<String>,
    /// The template's title of the question, or the section's heading.
    pub(crate) title: String,
}

/// The lines of an excerpt text, cut at a word boundary after at most `max` characters.
pub(super) fn excerpt_lines(text: &str, max: usize) -> Vec<String> {
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
pub(crate) fn member_excerpts(
    reports: &[(u16, Vec<(&Excerpt, &str)>)],
    groups: &HashMap<&str, u32>,
    max_chars: usize,
) -> Vec<Vec<u8>> {
    let mut files: Vec<Section> = Vec::new();
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
                    // Most lines carry over from the year before: looked up, not copied.
                    if let Some(&id) = ids.get(l.as_str()) {
                        return id;
                    }
                    let n = lines.len() as u32;
                    ids.insert(l.clone(), n);
                    lines.push(l);
                    n
                })
                .collect();
            entries.push((*year, *x, refs));
        }
    }
    files.iter().map(section_json).collect()
}

/// One section's excerpts, as it is gathered: its distinct lines (and their ids), and
/// per year (year, excerpt, line ids).
type Section<'a> = (
    Vec<String>,
    FxHashMap<String, u32>,
    Vec<(u16, &'a Excerpt, Vec<u32>)>,
);

/// A section's JSON: `{"l": [lines], "y": [[year, anchor, number, title, [line ids]], …]}`.
fn section_json((lines, _, entries): &Section) -> Vec<u8> {
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
pub(crate) fn bundle_excerpts(
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
pub(super) fn bundle_starts(sizes: &[usize], anchors: &[&str], target: usize) -> Vec<u32> {
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
