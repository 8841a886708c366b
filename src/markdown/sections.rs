//! Sections: the report cut at its top-level headings. A section runs until the next
//! numbered heading or the next heading of the same or a higher level, so a question's
//! answer takes in its unnumbered sub-headings; it knows the byte ranges of its HTML
//! and of its answer's Markdown, and holds the answer as plain-text blocks.

use std::ops::Range;

use pulldown_cmark::Event;

use super::blocks::{self, Block};
use super::headings::Heading;
use super::text::collapse_whitespace;
use super::{MdContext, Section};
use crate::diagnostics::LineIndex;

/// What the sections are made from.
pub(super) struct Parts<'a, 't> {
    pub(super) events: &'a [(Event<'t>, Range<usize>)],
    pub(super) headings: &'a [Heading],
    /// (index into the written events, index into `headings`) of each top-level
    /// heading.
    pub(super) marks: &'a [(usize, usize)],
    /// Where each section's HTML starts (see [`super::write::Written::bounds`]).
    pub(super) bounds: &'a [usize],
    /// The Markdown.
    pub(super) text: &'a str,
    pub(super) lines: &'a LineIndex,
    pub(super) cx: &'a MdContext<'a>,
}

/// Every section, in order.
pub(super) fn build(p: &Parts) -> Vec<Section> {
    let heading_events: Vec<usize> = p.marks.iter().map(|&(_, h)| p.headings[h].index).collect();
    let mut groups = blocks::extract(p.events, &heading_events, p.cx.lang);
    let offset = p.cx.offset;
    let mut sections = Vec::with_capacity(p.marks.len());
    for (k, &(_, h)) in p.marks.iter().enumerate() {
        let head = &p.headings[h];
        let next = section_end(p, k);
        let source_end = match p.marks.get(next) {
            Some(&(_, n)) => p.headings[n].range.start,
            None => p.text.len(),
        };
        sections.push(Section {
            level: head.level,
            number: head.number.clone(),
            heading: head.title.clone(),
            anchor: head.anchor.clone(),
            line: p.lines.line(head.range.start + offset),
            // bounds[0] is the preamble, bounds[k + 1] the start of section k and the
            // last bound the end of the HTML.
            html: p.bounds[k + 1]..p.bounds[next + 1],
            source: head.range.end + offset..source_end + offset,
            blocks: answer(p, &mut groups, k, next),
        });
    }
    sections
}

/// The index of the first top-level heading after heading `k` that ends its section
/// (a numbered one, or one of the same or a higher level), or the number of headings.
fn section_end(p: &Parts, k: usize) -> usize {
    let head = &p.headings[p.marks[k].1];
    (k + 1..p.marks.len())
        .find(|&next| {
            let nh = &p.headings[p.marks[next].1];
            nh.level <= head.level || nh.number.is_some()
        })
        .unwrap_or(p.marks.len())
}

/// The answer of the section of heading `k`, which runs to heading `next`: the
/// heading's blocks, then each sub-heading with its blocks. Taken, not copied: no
/// later section needs this heading's own blocks (a section only reaches forward, and
/// the earlier ones have copied them).
fn answer(p: &Parts, groups: &mut [Vec<Block>], k: usize, next: usize) -> Vec<Block> {
    let mut blocks = std::mem::take(&mut groups[k + 1]);
    for j in k + 1..next {
        let sub = &p.headings[p.marks[j].1];
        // Collapsed like every text block: words between single spaces, which is how
        // the browser's comparison splits them.
        let text = collapse_whitespace(&sub.text);
        if !text.is_empty() {
            blocks.push(Block::Text(text));
        }
        blocks.extend(groups[j + 1].iter().cloned());
    }
    blocks
}
