//! The transform: one walk over the parser's events that makes the events to write.
//!
//! [`Builder`] carries the walk's state; [`Builder::step`] gives each event to the
//! method of its concern, and those methods live beside the rest of their concern:
//! headings in [`super::headings`], tables and captions in [`super::tables`], links and
//! images in [`super::links`], raw HTML in [`super::raw_html`], footnotes in
//! [`super::footnotes`]. Other events are kept as they are.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::MdContext;
use super::footnotes::Footnotes;
use super::headings::Heading;
use super::tables::{TableState, table_caption_follows};
use super::text::count_words;
use crate::diagnostics::FileDiagnostics;

/// The state of the walk. `'c` is the render's (context, events, headings), `'t` the
/// text's.
pub(super) struct Builder<'c, 't> {
    pub(super) cx: &'c MdContext<'c>,
    /// The Markdown as parsed (see [`super::limits::lower_end_tags`]).
    pub(super) text: &'t str,
    pub(super) events: &'c [(Event<'t>, Range<usize>)],
    pub(super) headings: &'c [Heading],
    pub(super) found: FileDiagnostics,
    /// The events to write.
    pub(super) out: Vec<Event<'t>>,
    /// (index into `out`, index into `headings`) of each top-level heading's start.
    pub(super) marks: Vec<(usize, usize)>,
    /// The next heading of `headings`.
    pub(super) heading_cursor: usize,
    /// The section at this point: 0 before the first top-level heading, k + 1 after
    /// the k-th.
    pub(super) current_section: usize,
    /// The sections that keep raw HTML tags (to be sanitised).
    pub(super) raw_html_in: BTreeSet<usize>,
    /// How deep the kept raw HTML tags nest at this point.
    pub(super) raw_depth: usize,
    /// End events of removed links still to come.
    pub(super) skip_link_end: usize,
    pub(super) footnotes: Footnotes,
    pub(super) table: TableState<'t>,
    pub(super) tables_seen: usize,
    /// While inside a `Tabell: …` paragraph: (index of its End event, where its
    /// transformed events start in `out`).
    pub(super) caption_until: Option<(usize, usize)>,
    /// Words of text, for the reading time.
    pub(super) words: usize,
}

/// What the walk made.
pub(super) struct Built<'t> {
    pub(super) out: Vec<Event<'t>>,
    pub(super) marks: Vec<(usize, usize)>,
    pub(super) raw_html_in: BTreeSet<usize>,
    pub(super) found: FileDiagnostics,
    pub(super) words: usize,
}

impl<'c, 't> Builder<'c, 't> {
    pub(super) fn new(
        cx: &'c MdContext<'c>,
        text: &'t str,
        events: &'c [(Event<'t>, Range<usize>)],
        headings: &'c [Heading],
        found: FileDiagnostics,
    ) -> Self {
        Builder {
            cx,
            text,
            events,
            headings,
            found,
            out: Vec::with_capacity(events.len() + 16),
            marks: Vec::new(),
            heading_cursor: 0,
            current_section: 0,
            raw_html_in: BTreeSet::new(),
            raw_depth: 0,
            skip_link_end: 0,
            footnotes: Footnotes::default(),
            table: TableState::default(),
            tables_seen: 0,
            caption_until: None,
            words: 0,
        }
    }

    /// Walks every event.
    pub(super) fn run(&mut self) {
        let mut i = 0;
        while i < self.events.len() {
            i = self.step(i);
        }
    }

    pub(super) fn finish(self) -> Built<'t> {
        Built {
            out: self.out,
            marks: self.marks,
            raw_html_in: self.raw_html_in,
            found: self.found,
            words: self.words,
        }
    }

    /// Transforms the event at `i` (with the ones after it that belong to it); the
    /// index of the next event.
    fn step(&mut self, i: usize) -> usize {
        if let Some((end, _)) = self.caption_until
            && i == end
        {
            self.caption_end();
            return i + 1;
        }
        let events = self.events;
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::Heading { level, .. }) => self.heading_start(*level),
            Event::Start(Tag::Paragraph) if table_caption_follows(events, i, self.cx.lang) => {
                return self.caption_start(i);
            }
            Event::Start(Tag::Table(aligns)) => self.table_start(aligns),
            Event::End(TagEnd::Table) => self.html("</tbody></table></div>\n"),
            Event::Start(Tag::TableHead) => self.table_head_start(),
            Event::End(TagEnd::TableHead) => self.table_head_end(),
            Event::Start(Tag::TableRow) => self.table_row_start(),
            Event::End(TagEnd::TableRow) => self.html("</tr>\n"),
            Event::Start(Tag::TableCell) => self.table_cell_start(),
            Event::End(TagEnd::TableCell) => self.table_cell_end(),
            Event::Start(Tag::Link { dest_url, .. }) => self.link_start(ev, dest_url, range),
            Event::End(TagEnd::Link) => self.link_end(ev),
            Event::Start(Tag::Image { .. }) => return self.image(i),
            Event::Html(_) | Event::InlineHtml(_) => return self.raw_html(i),
            Event::FootnoteReference(label) => self.footnote_reference(label),
            Event::Start(Tag::FootnoteDefinition(label)) => self.footnote_start(label),
            Event::End(TagEnd::FootnoteDefinition) => self.footnote_end(),
            Event::Text(t) => {
                self.words += count_words(t);
                self.out.push(ev.clone());
            }
            _ => self.out.push(ev.clone()),
        }
        i + 1
    }

    /// Writes HTML made here.
    pub(super) fn html(&mut self, html: impl Into<CowStr<'t>>) {
        self.out.push(Event::Html(html.into()));
    }
}
