//! An answer as plain text: paragraphs, list items, sub-headings and code blocks as
//! text blocks (white space collapsed), tables as rows of cells with their caption.
//! Comparisons, open data and search read answers this way.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::tables::{strip_caption_prefix, table_caption_follows};
use super::text::{collapse_whitespace, find_end, plain_text};
use crate::config::Lang;

/// A piece of an answer as plain text: a paragraph, list item, sub-heading or code
/// block, or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Text(String),
    Table(TableBlock),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct TableBlock {
    pub(crate) caption: String,
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Block {
    /// The block as plain text, added to `out`: a table as its caption (if any), head
    /// and rows, one a line, cells separated by ` | `.
    pub(crate) fn write_text(&self, out: &mut String) {
        let joined = |out: &mut String, cells: &[String]| {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                out.push_str(c);
            }
        };
        match self {
            Block::Text(t) => out.push_str(t),
            Block::Table(t) => {
                if !t.caption.is_empty() {
                    out.push_str(&t.caption);
                    out.push('\n');
                }
                joined(out, &t.head);
                for r in &t.rows {
                    out.push('\n');
                    joined(out, r);
                }
            }
        }
    }
}

/// An answer's blocks as plain text, paragraphs separated by blank lines, added to
/// `out` (the open data's answers files write every answer through one buffer).
pub(crate) fn write_blocks_text(blocks: &[Block], out: &mut String) {
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        b.write_text(out);
    }
}

/// Splits the document's text into blocks, grouped by top-level heading: element 0 is
/// the text before the first heading, element k + 1 what follows heading k (the
/// heading's event index is `heading_events[k]`).
pub(super) fn extract(
    events: &[(Event, Range<usize>)],
    heading_events: &[usize],
    lang: Lang,
) -> Vec<Vec<Block>> {
    let mut c = Collector {
        groups: vec![Vec::new(); heading_events.len() + 1],
        ..Collector::default()
    };
    let mut next_heading = heading_events.iter().peekable();
    let mut i = 0;
    while i < events.len() {
        if next_heading.next_if_eq(&&i).is_some() {
            c.flush();
            c.group += 1;
            // The heading's own text is not part of the answer.
            i = find_end(events, i) + 1;
        } else if matches!(events[i].0, Event::Start(Tag::Paragraph))
            && table_caption_follows(events, i, lang)
        {
            let end = find_end(events, i);
            let text = plain_text(&events[i + 1..end]);
            let caption = strip_caption_prefix(&text, lang).unwrap_or(&text).trim();
            c.caption = Some(caption.to_string());
            i = end + 1;
        } else {
            c.event(&events[i].0);
            i += 1;
        }
    }
    c.flush();
    c.groups
}

/// The blocks so far, and the one being read.
#[derive(Default)]
struct Collector {
    groups: Vec<Vec<Block>>,
    /// The group being filled.
    group: usize,
    /// The text of the open block or cell.
    buf: String,
    table: Option<TableBlock>,
    row: Vec<String>,
    /// The caption of the next table.
    caption: Option<String>,
}

impl Collector {
    fn event(&mut self, e: &Event) {
        match e {
            Event::Start(Tag::Table(_)) => {
                self.flush();
                self.table = Some(TableBlock {
                    caption: self.caption.take().unwrap_or_default(),
                    ..TableBlock::default()
                });
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = self.table.as_mut() {
                    t.head = std::mem::take(&mut self.row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = self.table.as_mut() {
                    t.rows.push(std::mem::take(&mut self.row));
                }
            }
            Event::End(TagEnd::TableCell) => {
                let cell = collapse_whitespace(&self.buf);
                self.buf.clear();
                self.row.push(cell);
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = self.table.take() {
                    self.groups[self.group].push(Block::Table(t));
                }
            }
            Event::Start(Tag::List(_))
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock,
            ) if self.table.is_none() => self.flush(),
            Event::Text(t) | Event::Code(t) => self.buf.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.buf.push(' '),
            _ => {}
        }
    }

    /// Ends the open text block.
    fn flush(&mut self) {
        let t = collapse_whitespace(&self.buf);
        if !t.is_empty() {
            self.groups[self.group].push(Block::Text(t));
        }
        self.buf.clear();
    }
}
