//! Markdown to HTML, for untrusted member text.
//!
//! [`render`] runs a report's Markdown through these steps, each in its own file:
//!
//! 1. **Limits** (`limits.rs`): pulldown-cmark parses the text into events with their
//!    byte ranges, after a pre-pass that writes the end tags of raw-text blocks
//!    (`</PRE>`) as the parser looks for them. A raw-text block that is never closed,
//!    or text nested more than [`MAX_NESTING`] levels deep, is an error here.
//! 2. **Headings** (`headings.rs`): every heading gets a stable id, a heading that
//!    starts with a template question number (`2.A.3 …`) the number's anchor
//!    (`2-a-3`), other headings a slug unique in the page; unknown and repeated
//!    question numbers and level-1 headings are errors.
//! 3. **Transform** (`builder.rs`): one walk over the events, by a `Builder` that
//!    carries the state and gives each kind of event to the method of its concern:
//!    headings (ids, where each top-level section starts), tables and captions
//!    (`tables.rs`: a caption from a `Tabell: …` paragraph, `scope` on header cells,
//!    a focusable scroll wrapper so they reflow at 320 px), links and images
//!    (`links.rs`: unsafe schemes dropped, images only from the member's folder or an
//!    allowed host), raw HTML (`raw_html.rs`: cut down to a small allowlist, with a
//!    warning for what is removed) and footnotes (`footnotes.rs`: ids that cannot
//!    clash with question anchors). Nothing is written when there are errors.
//! 4. **Writing** (`write.rs`): pulldown-cmark writes the events as HTML, noting where
//!    each top-level section starts; the sections that hold raw HTML, and only those,
//!    go through the sanitiser (ammonia: the tags the transform writes and the raw
//!    HTML allowlist).
//! 5. **Sections** (`sections.rs`): the report cut into [`Section`]s at its top-level
//!    headings, with the byte ranges of each section's HTML and of its answer's Markdown
//!    source, and the answer as plain-text [`Block`]s (`blocks.rs`), for tables of
//!    contents, comparisons, open data and search.

mod blocks;
mod builder;
mod footnotes;
mod headings;
mod limits;
mod links;
mod raw_html;
mod sections;
mod tables;
mod text;
mod write;

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use crate::config::{Images, Lang};
use crate::diagnostics::{Diagnostic, FileDiagnostics, LineIndex, Source};
use crate::reporting::ReportTemplate;

pub(crate) use blocks::{Block, TableBlock, write_blocks_text};
pub(crate) use limits::MAX_NESTING;
pub use links::url_is_safe;
pub(crate) use text::words;

/// What the renderer needs to know about where the Markdown comes from.
pub(crate) struct MdContext<'a> {
    pub(crate) source: &'a Source,
    /// Byte offset of the Markdown body inside the source file (after front matter).
    pub(crate) offset: usize,
    /// The reporting template for numbered headings; `None` for plain pages.
    pub(crate) template: Option<&'a ReportTemplate>,
    /// The language the text is written in (table caption prefix, footnote labels).
    pub(crate) lang: Lang,
    /// URL prefix under which the member's images are published (`/medlemmer/slug/`).
    pub(crate) image_prefix: &'a str,
    /// Image files available in the member's folder.
    pub(crate) images: &'a BTreeSet<String>,
    /// The other sites images may come from (site.toml's `[images]`).
    pub(crate) image_hosts: &'a Images,
}

impl MdContext<'_> {
    /// A byte range of the Markdown as a range of the source file.
    fn span(&self, r: &Range<usize>) -> Range<usize> {
        r.start + self.offset..r.end + self.offset
    }
}

/// One top-level heading and what belongs to it: usually the answer to one question
/// of the reporting template, such as 2.A.3.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Section {
    pub(crate) level: u8,
    /// The template question number, when the heading starts with one.
    pub(crate) number: Option<String>,
    /// The heading's text as the author wrote it (without the number for numbered ones).
    pub(crate) heading: String,
    pub(crate) anchor: String,
    /// 1-based line of the heading in the source file.
    pub(crate) line: usize,
    /// Byte range of this section's HTML (heading and answer) in [`Rendered::html`].
    #[serde(skip)]
    pub html: Range<usize>,
    /// Byte range of the answer's Markdown (after the heading) in the source file.
    #[serde(skip)]
    pub source: Range<usize>,
    /// The answer as plain text blocks and tables, for comparisons, open data and search.
    #[serde(skip)]
    pub(crate) blocks: Vec<Block>,
}

/// A report's Markdown as the site shows it: the sanitised HTML of its body, cut into
/// question sections, with what the author should fix but that does not stop the build.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The body's HTML, sanitised (member Markdown is untrusted), with an id on every
    /// section heading; the report page inserts it as it is.
    pub html: String,
    /// The top-level headings in the order of the text: one per answered question
    /// (numbered like 2.A.3) or free heading, each with its byte ranges.
    pub sections: Vec<Section>,
    /// Warnings about the text that do not stop the build, at most
    /// `MAX_DIAGNOSTICS_PER_FILE` (then one note that counts the rest).
    pub warnings: Vec<Diagnostic>,
    pub(crate) words: usize,
}

impl Rendered {
    /// The HTML of a section's answer, without its heading.
    pub fn answer_html(&self, section: &Section) -> &str {
        let html = &self.html[section.html.clone()];
        match html.find("</h") {
            Some(i) => html[i..].split_once('>').map_or("", |(_, rest)| rest),
            None => html,
        }
    }
}

/// Ids the theme uses on every page; content headings never take them.
const RESERVED_IDS: &[&str] = &[
    "hovedinnhold",
    "innhold",
    "toppen",
    "sok",
    "meny",
    "nokkeltall",
];

/// Renders Markdown; errors (unknown question numbers, bad image paths, …) come back
/// all at once, with the warnings.
pub(crate) fn render(text: &str, cx: &MdContext) -> Result<Rendered, Vec<Diagnostic>> {
    let fixed = limits::lower_end_tags(text);
    let events = parse(text, fixed.as_deref());
    // From here on the text as parsed: the same length and offsets as `text`.
    let text = fixed.as_deref().unwrap_or(text);
    let mut found = FileDiagnostics::default();
    if !limits::check(&events, text, cx, &mut found) {
        return Err(found.finish(cx.source));
    }
    let lines = LineIndex::new(&cx.source.text);
    let headings = headings::assign(&events, cx, &lines, &mut found);
    let mut builder = builder::Builder::new(cx, text, &events, &headings, found);
    builder.run();
    let built = builder.finish();
    if !built.found.errors.is_empty() {
        // Nothing is published: skip writing and sanitising (which may be slow on
        // what caused the errors, such as tags nested too deep).
        return Err(built.found.finish(cx.source));
    }
    let written = write::html(built.out, &built.marks, text, &built.raw_html_in);
    let sections = sections::build(&sections::Parts {
        events: &events,
        headings: &headings,
        marks: &built.marks,
        bounds: &written.bounds,
        text,
        lines: &lines,
        cx,
    });
    Ok(Rendered {
        html: written.html,
        sections,
        warnings: built.found.finish(cx.source),
        words: built.words,
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// The events of `text` with their byte ranges; from `fixed` (see
/// [`limits::lower_end_tags`]) when there is one, with the case of code restored.
fn parse<'t>(text: &'t str, fixed: Option<&'t str>) -> Vec<(Event<'t>, Range<usize>)> {
    let parsed = fixed.unwrap_or(text);
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(parsed, options())
        .into_offset_iter()
        .collect();
    if fixed.is_some() {
        limits::restore_code(&mut events, parsed, text);
    }
    events
}

#[cfg(test)]
mod tests;
