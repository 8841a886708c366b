//! Markdown to HTML, for untrusted member text.
//!
//! One pass of pulldown-cmark events does everything a report needs:
//! - headings get stable ids: a heading that starts with a template question number
//!   (`2.A.3 …`) gets the number's anchor (`2-a-3`), other headings a slug unique in the page;
//! - the report is cut into [`Section`]s at its top-level headings, with the byte ranges of
//!   each section's HTML and of its answer's Markdown source, for tables of contents,
//!   comparisons and search;
//! - links and images with unsafe schemes (`javascript:`, `data:`, …) are dropped, and images
//!   must be files in the member's folder;
//! - GFM tables get a caption (from a `Tabell: …` paragraph), `scope` on header cells and a
//!   focusable scroll wrapper so they reflow at 320 px;
//! - footnotes get ids that cannot clash with question anchors;
//! - raw HTML is sanitised with ammonia to a small allowlist, per section, only in the
//!   sections that contain any.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::config::{Images, Lang};
use crate::diagnostics::{Diagnostic, FileDiagnostics, Source};
use crate::rawhtml;
use crate::reporting::{self, ReportTemplate};

/// What the renderer needs to know about where the Markdown comes from.
pub struct MdContext<'a> {
    pub source: &'a Source,
    /// Byte offset of the Markdown body inside the source file (after front matter).
    pub offset: usize,
    /// The reporting template for numbered headings; `None` for plain pages.
    pub template: Option<&'a ReportTemplate>,
    /// The language the text is written in (table caption prefix, footnote labels).
    pub lang: Lang,
    /// URL prefix under which the member's images are published (`/medlemmer/slug/`).
    pub image_prefix: &'a str,
    /// Image files available in the member's folder.
    pub images: &'a BTreeSet<String>,
    /// The other sites images may come from (site.toml's `[images]`).
    pub image_hosts: &'a Images,
}

/// One top-level heading and what belongs to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Section {
    pub level: u8,
    /// The template question number, when the heading starts with one.
    pub number: Option<String>,
    /// The heading's text as the author wrote it (without the number for numbered ones).
    pub heading: String,
    pub anchor: String,
    /// 1-based line of the heading in the source file.
    pub line: usize,
    /// Byte range of this section's HTML (heading and answer) in [`Rendered::html`].
    #[serde(skip)]
    pub html: Range<usize>,
    /// Byte range of the answer's Markdown (after the heading) in the source file.
    #[serde(skip)]
    pub source: Range<usize>,
    /// The answer as plain text blocks and tables, for comparisons, open data and search.
    #[serde(skip)]
    pub blocks: Vec<Block>,
}

/// A piece of an answer as plain text: a paragraph, list item, sub-heading or code
/// block, or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Text(String),
    Table(TableBlock),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableBlock {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Block {
    /// The block as one line of text (table cells separated by ` | `).
    pub fn text(&self) -> String {
        match self {
            Block::Text(t) => t.clone(),
            Block::Table(t) => {
                let mut lines = Vec::with_capacity(t.rows.len() + 2);
                if !t.caption.is_empty() {
                    lines.push(t.caption.clone());
                }
                lines.push(t.head.join(" | "));
                lines.extend(t.rows.iter().map(|r| r.join(" | ")));
                lines.join("\n")
            }
        }
    }
}

/// An answer's blocks as plain text, paragraphs separated by blank lines.
pub fn blocks_text(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(Block::text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub sections: Vec<Section>,
    pub warnings: Vec<Diagnostic>,
    pub words: usize,
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
pub const RESERVED_IDS: &[&str] = &[
    "hovedinnhold",
    "innhold",
    "toppen",
    "sok",
    "meny",
    "nokkeltall",
];

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// How deep lists, block quotes, emphasis (each of `*`, `**`, `~~`), links and raw
/// HTML tags may nest: each of them counts one level, and so does a mix of them (a
/// list in a quote in a list is three). Real reports stay far below; past it, the
/// sanitiser's work grows with the square of the depth.
pub const MAX_NESTING: usize = 64;

/// Whether an element counts as a level of nesting. The elements that only ever hold
/// others of a counted one (a list's items, a paragraph, a table's rows and cells) do
/// not: a member counts one list level per list, not two.
fn counts_as_level(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::FootnoteDefinition(_)
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// The range of the first element nested deeper than [`MAX_NESTING`], if any.
fn too_deep(events: &[(Event, Range<usize>)]) -> Option<Range<usize>> {
    // For each open element, whether it counts (End events do not say what they close
    // in a way that tells).
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    for (e, r) in events {
        match e {
            Event::Start(tag) => {
                let counts = counts_as_level(tag);
                open.push(counts);
                if counts {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(r.clone());
                    }
                }
            }
            Event::End(_) if open.pop() == Some(true) => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The HTML blocks that CommonMark ends only at an end tag (type 1), with the end tag
/// pulldown-cmark looks for.
const RAW_TEXT_BLOCKS: [(&str, &str); 4] = [
    ("script", "</script>"),
    ("pre", "</pre>"),
    ("style", "</style>"),
    ("textarea", "</textarea>"),
];

/// The end tag of the type-1 HTML block that `line` starts (`<pre>`, `<SCRIPT src=…>`,
/// in any case), if it starts one.
fn raw_text_block(line: &str) -> Option<(&'static str, &'static str)> {
    let rest = line.trim_start().strip_prefix('<')?.as_bytes();
    RAW_TEXT_BLOCKS.into_iter().find(|(name, _)| {
        rest.len() >= name.len()
            && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && rest
                .get(name.len())
                .is_none_or(|&c| c == b'>' || c.is_ascii_whitespace())
    })
}

/// Works around pulldown-cmark 0.13 (0.13.6 is the newest release): it ends an HTML
/// block that starts with `<script`, `<pre`, `<style` or `<textarea` (an HTML block of
/// CommonMark's type 1) only at that end tag written in lower case, while CommonMark
/// matches it in any case, so a `<PRE>` … `</PRE>` block ran to the end of the text and turned every
/// heading after it into raw text. Here every such end tag (`</PRE>`, `</Script >`) is
/// written as pulldown-cmark looks for it (`</pre>`, `</script> `): ASCII only and the
/// same length, so every byte offset, and so every span and line number, stays as it
/// was. `None` when there is nothing to change (nearly always). Code that shows such
/// a tag gets its own case back from [`restore_code`].
fn lower_end_tags(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut fixed: Option<Vec<u8>> = None;
    for at in memchr::memmem::find_iter(b, b"</") {
        let rest = &b[at + 2..];
        for (name, end_tag) in RAW_TEXT_BLOCKS {
            let n = name.len();
            if rest.len() < n || !rest[..n].eq_ignore_ascii_case(name.as_bytes()) {
                continue;
            }
            // Spaces or tabs may come before the `>`, on the same line.
            let spaces = rest[n..]
                .iter()
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count();
            if rest.get(n + spaces) != Some(&b'>') {
                continue;
            }
            let whole = at..at + 2 + n + spaces + 1;
            if &b[whole.clone()] != end_tag.as_bytes() {
                let out = fixed.get_or_insert_with(|| b.to_vec());
                let tag = &mut out[whole];
                tag[..end_tag.len()].copy_from_slice(end_tag.as_bytes());
                tag[end_tag.len()..].fill(b' ');
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    fixed.map(|v| String::from_utf8(v).unwrap_or_else(|_| text.to_string()))
}

/// Gives code spans and other text the case of the original text back after
/// [`lower_end_tags`] (text that pulldown-cmark copied rather than borrowed, such as a
/// code span over several lines, keeps the lower case).
fn restore_code<'a>(events: &mut [(Event<'a>, Range<usize>)], fixed: &'a str, original: &'a str) {
    let base = fixed.as_ptr() as usize;
    for (e, _) in events.iter_mut() {
        if let Event::Text(t) | Event::Code(t) = e
            && let CowStr::Borrowed(s) = t
        {
            let Some(at) = (s.as_ptr() as usize).checked_sub(base) else {
                continue;
            };
            if at < fixed.len()
                && let Some(before) = original.get(at..at + s.len())
                && before != *s
            {
                *t = CowStr::Borrowed(before);
            }
        }
    }
}

/// A type-1 HTML block that is never closed runs to the end of the text: everything
/// after its start tag would be published as raw HTML (removed, for `script` and
/// `style`). An error at its start tag.
fn unclosed_raw_block(
    events: &[(Event, Range<usize>)],
    text: &str,
) -> Option<(Range<usize>, &'static str)> {
    for (e, r) in events {
        let Event::Start(Tag::HtmlBlock) = e else {
            continue;
        };
        let block = text.get(r.clone()).unwrap_or("");
        let first = block.lines().next().unwrap_or("");
        let Some((name, end_tag)) = raw_text_block(first) else {
            continue;
        };
        let to_the_end = text.get(r.end..).is_some_and(|t| t.trim().is_empty());
        if to_the_end && !block.contains(end_tag) {
            let start = r.start + (first.len() - first.trim_start().len());
            return Some((start..r.start + first.len(), name));
        }
    }
    None
}

/// Renders Markdown; errors (unknown question numbers, bad image paths, …) come back
/// all at once.
pub fn render(text: &str, cx: &MdContext) -> Result<Rendered, Vec<Diagnostic>> {
    let fixed = lower_end_tags(text);
    let original = text;
    let text: &str = fixed.as_deref().unwrap_or(text);
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(text, options())
        .into_offset_iter()
        .collect();
    if fixed.is_some() {
        restore_code(&mut events, text, original);
    }
    let mut found = FileDiagnostics::default();
    let span = |r: &Range<usize>| r.start + cx.offset..r.end + cx.offset;
    if let Some((at, name)) = unclosed_raw_block(&events, text) {
        let lost = if matches!(name, "script" | "style") {
            "everything after it would be removed from the page"
        } else {
            "everything after it would be published as plain text, without headings"
        };
        found.error(|| {
            cx.source
                .error(span(&at), format!("<{name}> is never closed: {lost}"))
                .with_help(format!(
                    "close it with </{name}>, or remove it (raw HTML keeps only abbr, span lang, div lang, sup, sub and br)"
                ))
        });
    }
    if let Some(at) = too_deep(&events) {
        // Stop here: deeper stages (the sanitiser) slow down with every level.
        found.error(|| {
            cx.source
                .error(span(&(at.start..at.start + 1)), format!("the text is nested more than {MAX_NESTING} levels deep"))
                .with_help("lists, block quotes, emphasis and HTML tags inside each other: flatten the structure")
        });
        return Err(found.finish(cx.source));
    }
    // Line numbers in the source file, computed once: (offset of each line start).
    let lines = LineIndex::new(&cx.source.text);

    // Pass 1: headings, their numbers and ids.
    let headings = collect_headings(&events);
    let mut used: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let mut suffixes: HashMap<String, usize> = HashMap::new();
    let mut numbered_seen: HashMap<String, usize> = HashMap::new();
    let mut heading_info: HashMap<usize, (String, Option<String>, String)> = HashMap::new();
    for h in &headings {
        if h.level == 1 {
            found.error(||
                cx.source
                    .error(span(&h.range), "a level-1 heading (`#`) in the text")
                    .with_help("the page title is the only level-1 heading: start the text's headings at `##`"),
            );
        }
        if !h.top_level {
            continue;
        }
        let parsed = reporting::parse_number(&h.text);
        if let (Some((number, rest)), Some(template)) = (parsed, cx.template) {
            if template.get(&number).is_some() {
                if let Some(first_line) = numbered_seen.insert(number.clone(), h.range.start) {
                    let line = lines.line(first_line + cx.offset);
                    found.error(|| {
                        cx.source
                            .error(span(&h.range), format!("question {number} appears twice"))
                            .with_help(format!(
                                "it was already answered at line {}; merge the two answers",
                                line
                            ))
                    });
                    continue;
                }
                let anchor = reporting::anchor(&number);
                used.insert(anchor.clone());
                heading_info.insert(h.index, (anchor, Some(number), rest.to_string()));
            } else if number.contains('.') {
                found.error(||
                    cx.source
                        .error(span(&h.range), format!("{number} is not a question of template version {}", template.version))
                        .with_help(match crate::diagnostics::did_you_mean(&number, template.questions.iter().map(|q| q.number.as_str())) {
                            Some(s) => format!("did you mean {s}? Otherwise check the number against report-templates/{}.toml", template.version),
                            None => format!("check the number against report-templates/{}.toml", template.version),
                        }),
                );
            }
        }
    }
    for h in &headings {
        if heading_info.contains_key(&h.index) {
            continue;
        }
        let id = unique_slug(&h.text, &mut used, &mut suffixes);
        heading_info.insert(h.index, (id, None, h.text.clone()));
    }

    // Pass 2: transform events.
    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 16);
    // (index into `out`, index into `headings`) of each top-level heading start.
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut raw_html_in: BTreeSet<usize> = BTreeSet::new(); // section indexes (0 = preamble)
    let mut current_section = 0usize;
    let mut skip_link_end = 0usize;
    // How deep the kept raw HTML tags nest at this point.
    let mut raw_depth = 0usize;
    let mut footnotes = Footnotes::default();
    let mut table = TableState::default();
    let mut tables_seen = 0usize;
    let mut words = 0usize;
    let mut heading_cursor = 0usize;
    // While inside a `Tabell: …` paragraph: (index of its End event, where its
    // transformed events start in `out`).
    let mut caption_until: Option<(usize, usize)> = None;
    let mut i = 0usize;
    while i < events.len() {
        if let Some((end, start)) = caption_until
            && i == end
        {
            table.caption = Some(out.drain(start..).collect());
            caption_until = None;
            i += 1;
            continue;
        }
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                let h = &headings[heading_cursor];
                heading_cursor += 1;
                let (id, _, _) = &heading_info[&h.index];
                if h.top_level {
                    current_section = marks.len() + 1;
                    marks.push((out.len(), heading_cursor - 1));
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id.clone())),
                    classes: vec![],
                    attrs: vec![],
                }));
            }
            Event::Start(Tag::Paragraph) if table_caption_follows(&events, i, cx.lang) => {
                // `Tabell: …` directly above a table becomes its caption. Its inline
                // events go through this loop like all others (links, images and raw
                // HTML are checked the same way) and are moved to the caption at the
                // paragraph's end.
                caption_until = Some((find_end(&events, i), out.len()));
                if let Some((Event::Text(t), _)) = events.get(i + 1) {
                    let stripped = strip_caption_prefix(t, cx.lang).unwrap_or(t).trim_start();
                    out.push(Event::Text(CowStr::from(stripped.to_string())));
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            Event::Start(Tag::Table(aligns)) => {
                tables_seen += 1;
                table.aligns = aligns.clone();
                let id = format!("tabell-{tables_seen}");
                let section_name = marks
                    .last()
                    .map(|&(_, h)| heading_info[&headings[h].index].2.clone())
                    .unwrap_or_default();
                match table.caption.take() {
                    Some(caption) => {
                        out.push(Event::Html(CowStr::from(format!(
                            "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\"><table><caption id=\"{id}\">"
                        ))));
                        out.extend(caption);
                        out.push(Event::Html("</caption>".into()));
                    }
                    None => {
                        let label = if section_name.is_empty() {
                            table_word(cx.lang).to_string()
                        } else {
                            format!("{} ({})", section_name, table_word(cx.lang).to_lowercase())
                        };
                        out.push(Event::Html(CowStr::from(format!(
                            "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table>",
                            crate::html::escape(&label)
                        ))));
                    }
                }
            }
            Event::End(TagEnd::Table) => out.push(Event::Html("</tbody></table></div>\n".into())),
            Event::Start(Tag::TableHead) => {
                table.in_head = true;
                table.cell = 0;
                out.push(Event::Html("<thead><tr>".into()));
            }
            Event::End(TagEnd::TableHead) => {
                table.in_head = false;
                out.push(Event::Html("</tr></thead>\n<tbody>".into()));
            }
            Event::Start(Tag::TableRow) => {
                table.cell = 0;
                out.push(Event::Html("<tr>".into()));
            }
            Event::End(TagEnd::TableRow) => out.push(Event::Html("</tr>\n".into())),
            Event::Start(Tag::TableCell) => {
                let class = match table.aligns.get(table.cell) {
                    Some(pulldown_cmark::Alignment::Right) => " class=\"num\"",
                    Some(pulldown_cmark::Alignment::Center) => " class=\"center\"",
                    _ => "",
                };
                let tag = if table.in_head {
                    format!("<th scope=\"col\"{class}>")
                } else {
                    format!("<td{class}>")
                };
                table.cell_start = out.len();
                out.push(Event::Html(CowStr::from(tag)));
            }
            Event::End(TagEnd::TableCell) => {
                // A header cell with nothing to read (a blank corner cell, or one whose
                // raw HTML was all removed) is a data cell: an empty header names no
                // column for a screen reader.
                let blank_head =
                    table.in_head && cell_is_blank(out.get(table.cell_start + 1..).unwrap_or(&[]));
                if blank_head && let Some(start) = out.get_mut(table.cell_start) {
                    let class = match table.aligns.get(table.cell) {
                        Some(pulldown_cmark::Alignment::Right) => " class=\"num\"",
                        Some(pulldown_cmark::Alignment::Center) => " class=\"center\"",
                        _ => "",
                    };
                    *start = Event::Html(CowStr::from(format!("<td{class}>")));
                }
                out.push(Event::Html(
                    if table.in_head && !blank_head {
                        "</th>"
                    } else {
                        "</td>"
                    }
                    .into(),
                ));
                table.cell += 1;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if url_is_safe(dest_url) {
                    out.push(ev.clone());
                } else {
                    found.warning(||
                        cx.source
                            .error(span(range), format!("link to `{}` removed: only http, https, mailto, tel and paths are allowed", truncate(dest_url, 60)))
                            .with_help("link to a web address (https://…) or to a page of the site")
                            .warning(),
                    );
                    skip_link_end += 1;
                }
            }
            Event::End(TagEnd::Link) => {
                if skip_link_end > 0 {
                    skip_link_end -= 1;
                } else {
                    out.push(ev.clone());
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let end = find_end(&events, i);
                let alt: String = events[i + 1..end]
                    .iter()
                    .filter_map(|(e, _)| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                match image_url(dest_url, cx) {
                    Ok(url) => {
                        if alt.trim().is_empty() {
                            found.warning(||
                                cx.source
                                    .error(span(range), "image without alt text")
                                    .with_help("describe the image between the brackets: ![what the image shows](file.jpg)")
                                    .warning(),
                            );
                        }
                        out.push(Event::Start(Tag::Image {
                            link_type: *link_type,
                            dest_url: CowStr::from(url),
                            title: title.clone(),
                            id: id.clone(),
                        }));
                    }
                    Err((message, help)) => {
                        found.error(|| cx.source.error(span(range), message).with_help(help));
                        // Keep the alt text as plain text in place of the image.
                        out.push(Event::Text(CowStr::from(alt)));
                        i = end + 1;
                        continue;
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                // A block's lines come one event each: filter the block as one fragment.
                let mut pieces: Vec<(&str, Range<usize>)> = Vec::new();
                let mut j = i;
                while let Some((e, r)) = events.get(j) {
                    match e {
                        Event::InlineHtml(h) if j == i => pieces.push((h, r.clone())),
                        Event::Html(h) if !matches!(ev, Event::InlineHtml(_)) => {
                            pieces.push((h, r.clone()))
                        }
                        _ => break,
                    }
                    j += 1;
                }
                let fragment: String = pieces.iter().map(|(h, _)| *h).collect();
                let filtered = rawhtml::filter(&fragment);
                // Where a byte of the fragment is in the Markdown text.
                let locate = |o: usize| -> usize {
                    let mut at = 0;
                    for (h, r) in &pieces {
                        if o < at + h.len() {
                            return if text.get(r.clone()) == Some(*h) {
                                r.start + (o - at)
                            } else {
                                r.start
                            };
                        }
                        at += h.len();
                    }
                    pieces.last().map_or(0, |(_, r)| r.end)
                };
                let mut said: HashSet<String> = HashSet::new();
                for removed in &filtered.removed {
                    let (key, message, help, r) = match removed {
                        rawhtml::Removed::Tag(tag, r) => (
                            tag.clone(),
                            format!("raw HTML <{tag}> will be removed"),
                            "write Markdown instead; only abbr, span lang, div lang, sup, sub and br are kept",
                            r,
                        ),
                        rawhtml::Removed::WithContent(tag, r) => (
                            tag.clone(),
                            format!("raw HTML <{tag}> will be removed with its content"),
                            "scripts and styles are never published; write the text in Markdown",
                            r,
                        ),
                        rawhtml::Removed::Attribute(tag, attr, r) => (
                            format!("{tag} {attr}"),
                            format!("the attribute `{attr}` of raw HTML <{tag}> will be removed"),
                            "raw HTML keeps only the attribute lang, and title on abbr",
                            r,
                        ),
                    };
                    if said.insert(key) {
                        let at = locate(r.start)..locate(r.end.saturating_sub(1)) + 1;
                        found.warning(|| {
                            cx.source
                                .error(span(&at), message)
                                .with_help(help)
                                .warning()
                        });
                    }
                }
                let depth = raw_depth + filtered.max_depth.max(0) as usize;
                if depth > MAX_NESTING {
                    found.error(|| {
                        cx.source
                            .error(
                                span(&(range.start..range.start + 1)),
                                format!("the text is nested more than {MAX_NESTING} levels deep"),
                            )
                            .with_help("HTML tags inside each other: flatten the structure")
                    });
                }
                raw_depth = (raw_depth as isize + filtered.depth_change).max(0) as usize;
                if filtered.html.contains('<') {
                    raw_html_in.insert(current_section);
                }
                out.push(Event::Html(CowStr::from(filtered.html)));
                i = j;
                continue;
            }
            Event::FootnoteReference(label) => {
                let (n, slug, first) = footnotes.reference(label);
                let id_attr = if first {
                    format!(" id=\"fnref-{slug}\"")
                } else {
                    String::new()
                };
                out.push(Event::Html(CowStr::from(format!(
                    "<sup class=\"fn-ref\"><a href=\"#fn-{slug}\"{id_attr}>{n}<span class=\"visually-hidden\"> ({})</span></a></sup>",
                    footnote_word(cx.lang)
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (n, slug, _) = footnotes.definition(label);
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"footnote\" id=\"fn-{slug}\" role=\"note\"><span class=\"fn-label\">{n}</span>"
                ))));
                footnotes.open.push(slug);
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let slug = footnotes.open.pop().unwrap_or_default();
                let back = if footnotes.referenced(&slug) {
                    format!(
                        " <a class=\"fn-back\" href=\"#fnref-{slug}\">{}</a>",
                        back_word(cx.lang)
                    )
                } else {
                    String::new()
                };
                out.push(Event::Html(CowStr::from(format!("{back}</div>\n"))));
            }
            Event::Text(t) => {
                words += count_words(t);
                out.push(ev.clone());
            }
            _ => out.push(ev.clone()),
        }
        i += 1;
    }

    if !found.errors.is_empty() {
        // Nothing is published: skip writing and sanitising (which may be slow on
        // what caused the errors, such as tags nested too deep).
        return Err(found.finish(cx.source));
    }

    // Write HTML, noting where each top-level heading starts.
    let written = Rc::new(Cell::new(0usize));
    let mut html = String::with_capacity(text.len() * 3 / 2);
    let mut starts: Vec<usize> = Vec::with_capacity(marks.len());
    {
        let mut mark_iter = marks.iter().map(|&(o, _)| o).peekable();
        let counter = written.clone();
        let starts_ref = &mut starts;
        let iter = out.into_iter().enumerate().map(|(k, e)| {
            if mark_iter.peek() == Some(&k) {
                mark_iter.next();
                starts_ref.push(counter.get());
            }
            e
        });
        let writer = CountingWriter {
            out: &mut html,
            count: written.clone(),
            // Every character written comes from the text or from this module, or
            // from a numeric character reference: with none of those to fear, no
            // write needs the check.
            check: text.contains("&#") || crate::html::may_have_forbidden(text.as_bytes()),
        };
        // Writing to a String cannot fail.
        let _ = pulldown_cmark::html::write_html_fmt(writer, iter);
    }

    // Sanitise the sections that hold raw HTML, and build the section list.
    let mut bounds: Vec<usize> = Vec::with_capacity(starts.len() + 2);
    bounds.push(0);
    bounds.extend(&starts);
    bounds.push(html.len());
    let html = if raw_html_in.is_empty() {
        html
    } else {
        let mut clean = String::with_capacity(html.len());
        for k in 0..bounds.len() - 1 {
            let chunk = &html[bounds[k]..bounds[k + 1]];
            bounds[k] = clean.len();
            if raw_html_in.contains(&k) {
                clean.push_str(&SANITIZER.clean(chunk).to_string());
            } else {
                clean.push_str(chunk);
            }
        }
        let last = bounds.len() - 1;
        bounds[last] = clean.len();
        clean
    };

    let heading_events: Vec<usize> = marks.iter().map(|&(_, h)| headings[h].index).collect();
    let mut groups = extract_blocks(&events, &heading_events, cx.lang);
    let mut sections = Vec::with_capacity(marks.len());
    for (k, &(_, h)) in marks.iter().enumerate() {
        let head = &headings[h];
        let (anchor, number, heading) = heading_info[&head.index].clone();
        let line = lines.line(head.range.start + cx.offset);
        // A section runs until the next numbered heading or heading of the same or
        // a higher level.
        let mut next = k + 1;
        while next < marks.len() {
            let nh = &headings[marks[next].1];
            if nh.level <= head.level || heading_info[&nh.index].1.is_some() {
                break;
            }
            next += 1;
        }
        // The answer: this heading's blocks, then each sub-heading with its blocks.
        // Taken, not copied: no later section needs this heading's own blocks (a
        // section only reaches forward, and the earlier ones have copied them).
        let mut blocks = std::mem::take(&mut groups[k + 1]);
        for j in k + 1..next {
            let sub = &headings[marks[j].1];
            // Collapsed like every text block: words between single spaces, which is
            // how the browser's comparison splits them.
            let text = collapse_whitespace(&sub.text);
            if !text.is_empty() {
                blocks.push(Block::Text(text));
            }
            blocks.extend(groups[j + 1].iter().cloned());
        }
        let source_end = if next < marks.len() {
            headings[marks[next].1].range.start
        } else {
            text.len()
        };
        sections.push(Section {
            level: head.level,
            number,
            heading,
            anchor,
            line,
            // bounds[0] is the preamble, bounds[k + 1] the start of section k and the
            // last bound the end of the HTML.
            html: bounds[k + 1]..bounds[next + 1],
            source: head.range.end + cx.offset..source_end + cx.offset,
            blocks,
        });
    }

    if found.errors.is_empty() {
        Ok(Rendered {
            html,
            sections,
            warnings: found.finish(cx.source),
            words,
        })
    } else {
        // The warnings come along, so that everything is reported at once.
        Err(found.finish(cx.source))
    }
}

/// Splits the document's text into blocks, grouped by top-level heading: element 0 is
/// the text before the first heading, element k + 1 what follows heading k.
fn extract_blocks(
    events: &[(Event, Range<usize>)],
    heading_events: &[usize],
    lang: Lang,
) -> Vec<Vec<Block>> {
    let mut groups: Vec<Vec<Block>> = vec![Vec::new(); heading_events.len() + 1];
    let mut group = 0usize;
    let mut next_heading = heading_events.iter().peekable();
    let mut buf = String::new();
    let mut table: Option<TableBlock> = None;
    let mut row: Vec<String> = Vec::new();
    let mut pending_caption: Option<String> = None;
    let flush = |buf: &mut String, out: &mut Vec<Block>| {
        let t = collapse_whitespace(buf);
        if !t.is_empty() {
            out.push(Block::Text(t));
        }
        buf.clear();
    };
    let mut i = 0;
    while i < events.len() {
        if next_heading.peek() == Some(&&i) {
            next_heading.next();
            flush(&mut buf, &mut groups[group]);
            group += 1;
            // The heading's own text is not part of the answer.
            i = find_end(events, i) + 1;
            continue;
        }
        match &events[i].0 {
            Event::Start(Tag::Paragraph) if table_caption_follows(events, i, lang) => {
                let end = find_end(events, i);
                let text = plain_text(&events[i + 1..end]);
                pending_caption = Some(
                    strip_caption_prefix(&text, lang)
                        .unwrap_or(&text)
                        .trim()
                        .to_string(),
                );
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Table(_)) => {
                flush(&mut buf, &mut groups[group]);
                table = Some(TableBlock {
                    caption: pending_caption.take().unwrap_or_default(),
                    ..TableBlock::default()
                });
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.head = std::mem::take(&mut row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(std::mem::take(&mut row));
                }
            }
            Event::End(TagEnd::TableCell) => {
                let cell = collapse_whitespace(&buf);
                buf.clear();
                row.push(cell);
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    groups[group].push(Block::Table(t));
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
            ) if table.is_none() => flush(&mut buf, &mut groups[group]),
            Event::Text(t) | Event::Code(t) => buf.push_str(t),
            Event::SoftBreak | Event::HardBreak => buf.push(' '),
            _ => {}
        }
        i += 1;
    }
    flush(&mut buf, &mut groups[group]);
    groups
}

/// Per byte: 1 for ASCII whitespace, 2 for a byte that may start a non-ASCII
/// whitespace character, 0 for any other.
static SPACE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[0x0b] = 1;
    t[0x0c] = 1;
    t[b'\r' as usize] = 1;
    t[0xc2] = 2;
    t[0xe1] = 2;
    t[0xe2] = 2;
    t[0xe3] = 2;
    t
};

/// The length in bytes of the whitespace character (as `char::is_whitespace`) at
/// byte `i` of `b`, or 0; read from the bytes without decoding.
#[inline(always)]
fn space_at(b: &[u8], i: usize) -> usize {
    match SPACE[b[i] as usize] {
        0 => 0,
        1 => 1,
        _ => wide_space_at(b, i),
    }
}

fn wide_space_at(b: &[u8], i: usize) -> usize {
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match b[i] {
        0xc2 if matches!(at(1), 0x85 | 0xa0) => 2,
        0xe1 if at(1) == 0x9a && at(2) == 0x80 => 3,
        0xe2 if at(1) == 0x80 && matches!(at(2), 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf) => 3,
        0xe2 if at(1) == 0x81 && at(2) == 0x9f => 3,
        0xe3 if at(1) == 0x80 && at(2) == 0x80 => 3,
        _ => 0,
    }
}

/// Calls `word` with each run of non-whitespace in `s`, as `str::split_whitespace`.
pub(crate) fn words<'s>(s: &'s str, mut word: impl FnMut(&'s str)) {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let k = space_at(b, i);
        if k > 0 {
            i += k;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            while i < n && SPACE[b[i] as usize] == 0 {
                i += 1;
            }
            if i >= n || space_at(b, i) > 0 {
                break;
            }
            i += 1;
        }
        word(&s[start..i]);
    }
}

/// `s.split_whitespace().count()`.
fn count_words(s: &str) -> usize {
    let mut n = 0;
    words(s, |_| n += 1);
    n
}

/// The words of `s` joined by single spaces.
fn collapse_whitespace(s: &str) -> String {
    // Most text already is: one space between words, none around them.
    let b = s.as_bytes();
    let mut after_space = true;
    let mut plain = true;
    for i in 0..b.len() {
        match SPACE[b[i] as usize] {
            0 => after_space = false,
            1 if b[i] == b' ' && !after_space => after_space = true,
            1 => {
                plain = false;
                break;
            }
            _ if wide_space_at(b, i) > 0 => {
                plain = false;
                break;
            }
            _ => after_space = false,
        }
    }
    if plain && (!after_space || b.is_empty()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    words(s, |w| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    });
    out
}

/// 1-based line numbers of byte offsets, by binary search over the line starts.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(text.match_indices('\n').map(|(i, _)| i).collect())
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

struct CountingWriter<'a> {
    out: &'a mut String,
    count: Rc<Cell<usize>>,
    /// Whether a write may hold a character HTML forbids.
    check: bool,
}

impl std::fmt::Write for CountingWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.check {
            self.out.push_str(&crate::html::html_chars(s));
        } else {
            self.out.push_str(s);
        }
        self.count.set(self.out.len());
        Ok(())
    }
}

struct HeadingRef {
    /// Index of the Start(Heading) event.
    index: usize,
    level: u8,
    text: String,
    range: Range<usize>,
    /// Not inside a list, quote or footnote.
    top_level: bool,
}

fn collect_headings(events: &[(Event, Range<usize>)]) -> Vec<HeadingRef> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)) => {
                depth += 1
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition) => {
                depth = depth.saturating_sub(1)
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let end = find_end(events, i);
                let text = plain_text(&events[i + 1..end]);
                out.push(HeadingRef {
                    index: i,
                    level: heading_level(*level),
                    text: text.trim().to_string(),
                    range: events[i].1.clone(),
                    top_level: depth == 0,
                });
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The index of the End event matching the Start event at `start`.
fn find_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// The text of inline events, as a reader would see it.
pub fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

fn caption_prefixes(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Nb => &["Tabell:", "Table:"],
        Lang::En => &["Table:", "Tabell:"],
    }
}

fn strip_caption_prefix(text: &str, lang: Lang) -> Option<&str> {
    caption_prefixes(lang)
        .iter()
        .find_map(|p| text.strip_prefix(p))
}

fn table_caption_follows(events: &[(Event, Range<usize>)], i: usize, lang: Lang) -> bool {
    let starts_with_prefix = matches!(events.get(i + 1), Some((Event::Text(t), _)) if strip_caption_prefix(t, lang).is_some());
    if !starts_with_prefix {
        return false;
    }
    let end = find_end(events, i);
    matches!(events.get(end + 1), Some((Event::Start(Tag::Table(_)), _)))
}

/// Whether a cell's events hold nothing a reader would see or hear: only white space,
/// tags without text, and text inside `<script>` or `<style>` (the sanitiser removes
/// it). An image counts as content: its alt text is read.
fn cell_is_blank(events: &[Event]) -> bool {
    let mut removed_until: Option<&str> = None;
    events.iter().all(|e| match e {
        Event::Text(t) => removed_until.is_some() || t.trim().is_empty(),
        Event::Html(h) | Event::InlineHtml(h) => {
            let lower = h.to_ascii_lowercase();
            if let Some(close) = removed_until {
                if lower.contains(close) {
                    removed_until = None;
                }
                return true;
            }
            for (open, close) in [("<script", "</script"), ("<style", "</style")] {
                if lower.contains(open) && !lower.contains(close) {
                    removed_until = Some(close);
                }
            }
            let mut in_tag = false;
            let mut in_removed = false;
            let mut rest = lower.as_str();
            while let Some(c) = rest.chars().next() {
                if !in_tag && (rest.starts_with("<script") || rest.starts_with("<style")) {
                    in_removed = true;
                } else if rest.starts_with("</script") || rest.starts_with("</style") {
                    in_removed = false;
                }
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ if in_tag || in_removed || c.is_whitespace() => {}
                    _ => return false,
                }
                rest = &rest[c.len_utf8()..];
            }
            true
        }
        Event::SoftBreak | Event::HardBreak => true,
        _ => false,
    })
}

#[derive(Default)]
struct TableState<'a> {
    aligns: Vec<pulldown_cmark::Alignment>,
    in_head: bool,
    cell: usize,
    /// Where the open cell's start tag is in `out`.
    cell_start: usize,
    caption: Option<Vec<Event<'a>>>,
}

#[derive(Default)]
struct Footnotes {
    numbers: HashMap<String, (usize, String)>,
    referenced: HashSet<String>,
    open: Vec<String>,
}

impl Footnotes {
    fn entry(&mut self, label: &str) -> (usize, String) {
        let n = self.numbers.len() + 1;
        self.numbers
            .entry(label.to_string())
            .or_insert_with(|| (n, format!("{}-{}", n, slugify(label))))
            .clone()
    }

    fn reference(&mut self, label: &str) -> (usize, String, bool) {
        let (n, slug) = self.entry(label);
        let first = self.referenced.insert(slug.clone());
        (n, slug, first)
    }

    fn definition(&mut self, label: &str) -> (usize, String, bool) {
        let (n, slug) = self.entry(label);
        (n, slug, false)
    }

    fn referenced(&self, slug: &str) -> bool {
        self.referenced.contains(slug)
    }
}

fn table_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Tabell",
        Lang::En => "Table",
    }
}

fn footnote_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "fotnote",
        Lang::En => "footnote",
    }
}

fn back_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Tilbake til teksten",
        Lang::En => "Back to the text",
    }
}

/// True for http(s), mailto and tel addresses, fragments and paths.
pub fn url_is_safe(url: &str) -> bool {
    let url = url.trim();
    // Browsers ignore ASCII tab and newline inside a scheme ("java\tscript:").
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

fn image_url(dest: &str, cx: &MdContext) -> Result<String, (String, String)> {
    let dest = dest.trim();
    if !url_is_safe(dest) {
        return Err((
            format!("image address `{}` is not allowed", truncate(dest, 60)),
            "put the image file in the member's folder and write its file name".into(),
        ));
    }
    if let Some(remote) = remote_image(dest) {
        return match remote {
            Some(url) if cx.image_hosts.allows(&url) => Ok(url.to_string()),
            _ => Err(remote_refused(dest, cx.image_hosts)),
        };
    }
    let name = dest.strip_prefix("./").unwrap_or(dest);
    if name.contains("..") || name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return Err((
            format!(
                "image path `{}` leaves the member's folder",
                truncate(dest, 60)
            ),
            "put the image file in the member's folder and write only its file name".into(),
        ));
    }
    if !cx.images.contains(name) {
        let help =
            match crate::diagnostics::did_you_mean(name, cx.images.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "put the image file in the member's folder (png, jpg, jpeg, gif or webp)".into()
                }
            };
        return Err((
            format!("image file `{}` not found", truncate(name, 60)),
            help,
        ));
    }
    Ok(format!("{}{}", cx.image_prefix, name))
}

/// For an address that leaves the site (`https://…`, `//host/…`, `mailto:…`): the URL,
/// if it is one a browser would load. `None` for a path in the member's folder.
fn remote_image(dest: &str) -> Option<Option<url::Url>> {
    if let Some(rest) = dest.strip_prefix("//") {
        return Some(url::Url::parse(&format!("https://{rest}")).ok());
    }
    // A scheme (`url_is_safe` passed only http, https, mailto and tel): not a path.
    let scheme_end = dest.find([':', '/', '?', '#'])?;
    if dest.as_bytes()[scheme_end] != b':' {
        return None;
    }
    let url = url::Url::parse(dest).ok();
    Some(url.filter(|u| matches!(u.scheme(), "http" | "https")))
}

/// Why an image from another site is refused, and what to do.
fn remote_refused(dest: &str, hosts: &Images) -> (String, String) {
    let message = format!(
        "image from another site `{}`: images must be files in the member's folder",
        truncate(dest, 60)
    );
    let allowed = match hosts.allowed_hosts.as_slice() {
        [] => "site.toml allows none".to_string(),
        list => format!(
            "site.toml allows only https:// addresses on {}",
            list.join(", ")
        ),
    };
    let help = format!(
        "put the image file in the member's folder and write its file name; every reader's browser would fetch an image from another site, so that site could follow who reads the report ({allowed} in [images] allowed_hosts)"
    );
    (message, help)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// A URL- and id-safe slug: lower-case ASCII, Norwegian letters folded (æ→ae, ø→o, å→a).
pub fn slugify(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'æ' => "ae",
            'ø' => "o",
            'å' => "a",
            'é' | 'è' | 'ê' => "e",
            'ä' => "a",
            'ö' => "o",
            'ü' => "u",
            c if c.is_ascii_alphanumeric() => {
                if dash && !s.is_empty() {
                    s.push('-');
                }
                dash = false;
                s.push(c);
                continue;
            }
            _ => {
                dash = true;
                continue;
            }
        };
        if dash && !s.is_empty() {
            s.push('-');
        }
        dash = false;
        s.push_str(folded);
    }
    if s.len() > 60 {
        let mut cut = 60;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        while s.ends_with('-') {
            s.pop();
        }
    }
    s
}

/// `suffixes` remembers the next number to try for each base, so that many headings
/// with the same text cost linear time.
fn unique_slug(
    text: &str,
    used: &mut HashSet<String>,
    suffixes: &mut HashMap<String, usize>,
) -> String {
    let mut base = slugify(text);
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        // Ids that start with a digit are reserved for question anchors.
        base = if base.is_empty() {
            "seksjon".into()
        } else {
            format!("s-{base}")
        };
    }
    let mut id = base.clone();
    let n = suffixes.entry(base.clone()).or_insert(2);
    while used.contains(&id) {
        id = format!("{base}-{n}");
        *n += 1;
    }
    used.insert(id.clone());
    id
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "del",
        "a",
        "img",
        "hr",
        "br",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "span",
        "sup",
        "sub",
        "abbr",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut allow = |tag: &'static str, list: &[&'static str]| {
        attrs.insert(tag, list.iter().copied().collect());
    };
    allow("a", &["href", "title", "id", "class"]);
    allow("img", &["src", "alt", "title"]);
    allow("ol", &["start"]);
    allow("th", &["scope", "class"]);
    allow("td", &["class"]);
    allow(
        "div",
        &[
            "class",
            "role",
            "tabindex",
            "aria-label",
            "aria-labelledby",
            "id",
        ],
    );
    allow("caption", &["id"]);
    allow("span", &["class"]);
    allow("sup", &["class"]);
    allow("abbr", &["title"]);
    for h in ["h2", "h3", "h4", "h5", "h6"] {
        allow(h, &["id"]);
    }
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .tag_attributes(attrs)
        .generic_attributes(["lang"].into_iter().collect())
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(None);
    b
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_whitespace_character_splits_words() {
        for n in (0..0x11_0000u32).filter(|n| !(0xd800..0xe000).contains(n)) {
            let c = char::from_u32(n).unwrap();
            let s = format!("a{c}b");
            assert_eq!(count_words(&s), s.split_whitespace().count(), "U+{n:04X}");
        }
    }

    #[test]
    fn words_split_as_split_whitespace() {
        for s in [
            "",
            "  ",
            "a",
            " a  b\tc\n",
            "æ\u{a0}ø\u{2003}å\u{3000}x\u{85}y\u{b}z",
            "«sitat» – 12 %",
            "a b",
            "a  b",
            " a",
            "a ",
            "a\u{a0}b",
        ] {
            assert_eq!(count_words(s), s.split_whitespace().count(), "{s:?}");
            assert_eq!(
                collapse_whitespace(s),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{s:?}"
            );
        }
    }

    fn render_plain(md: &str) -> Result<Rendered, Vec<Diagnostic>> {
        let source = Source::new("x.md", md);
        let images = BTreeSet::from(["bilde.png".to_string()]);
        let cx = MdContext {
            source: &source,
            offset: 0,
            template: None,
            lang: Lang::Nb,
            image_prefix: "/medlemmer/x/",
            images: &images,
            image_hosts: &Images {
                allowed_hosts: vec!["bilder.example.no".into()],
            },
        };
        render(md, &cx)
    }

    #[test]
    fn slugs_fold_norwegian_letters() {
        assert_eq!(slugify("Forord fra ledelsen"), "forord-fra-ledelsen");
        assert_eq!(slugify("Mål og fremdrift – 2024!"), "mal-og-fremdrift-2024");
        assert_eq!(slugify("Bærekraft på tvers"), "baerekraft-pa-tvers");
    }

    #[test]
    fn unsafe_urls_are_refused() {
        assert!(!url_is_safe("javascript:alert(1)"));
        assert!(!url_is_safe("JaVaScRiPt:alert(1)"));
        assert!(!url_is_safe("java\tscript:alert(1)"));
        assert!(!url_is_safe("data:text/html,<b>"));
        assert!(!url_is_safe("vbscript:x"));
        assert!(url_is_safe("https://example.no/"));
        assert!(url_is_safe("../2023/#2-a-3"));
        assert!(url_is_safe("mailto:a@b.no"));
        assert!(url_is_safe("side?x=a:b"));
    }

    #[test]
    fn script_and_javascript_links_do_not_survive() {
        let r = render_plain("Hei <script>alert(1)</script> [lenke](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<span lang=\"en\" onclick=\"x()\">English</span>").unwrap();
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("alert(1)"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("onclick"), "{}", r.html);
        assert!(
            r.html.contains("<span lang=\"en\">English</span>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("lenke"));
        assert!(r.warnings.iter().any(|w| w.message.contains("<script>")));
    }

    #[test]
    fn blank_header_cells_are_data_cells() {
        let r = render_plain(
            "## Tall\n\n|  | 2023 | <script>x()</script> | <br> |\n|---|--:|--:|---|\n| Ansatte | 1 | 2 | 3 |\n",
        )
        .unwrap();
        assert!(
            r.html.contains(
                "<thead><tr><td></td><th scope=\"col\" class=\"num\">2023</th><td class=\"num\"></td><td><br></td></tr></thead>"
            ),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<th scope=\"col\"></th>"), "{}", r.html);
    }

    #[test]
    fn tables_get_caption_scope_and_wrapper() {
        let r = render_plain(
            "## Risiko\n\nTabell: Prioriterte risikoer\n\n| A | B |\n|---|--:|\n| x | 1 |\n",
        )
        .unwrap();
        assert!(
            r.html
                .contains("<caption id=\"tabell-1\">Prioriterte risikoer</caption>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<th scope=\"col\">A</th>"), "{}", r.html);
        assert!(r.html.contains("<td class=\"num\">1</td>"), "{}", r.html);
        assert!(
            r.html.contains("aria-labelledby=\"tabell-1\""),
            "{}",
            r.html
        );
        assert!(!r.html.contains("Tabell:"));
    }

    #[test]
    fn headings_get_unique_ids_and_sections() {
        let r = render_plain(
            "Innledning\n\n## Forord\n\nTekst\n\n### Under\n\nMer\n\n## Forord\n\nIgjen\n",
        )
        .unwrap();
        let ids: Vec<_> = r.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(ids, ["forord", "under", "forord-2"]);
        // The first section runs over its sub-heading.
        assert!(r.html[r.sections[0].html.clone()].contains("Mer"));
        assert!(!r.html[r.sections[0].html.clone()].contains("Igjen"));
        assert!(r.html[r.sections[2].html.clone()].contains("Igjen"));
    }

    #[test]
    fn answers_become_text_blocks_and_tables() {
        let r = render_plain("## A\n\nFørste *avsnitt*\nfortsetter.\n\n- punkt en\n- punkt to\n\nTabell: Risikoer\n\n| R | T |\n|---|---|\n| x | y |\n\n##### Under\n\nSiste.\n\n## B\n\nAnnet.\n").unwrap();
        let a = &r.sections[0];
        assert_eq!(
            a.blocks[0],
            Block::Text("Første avsnitt fortsetter.".into())
        );
        assert_eq!(a.blocks[1], Block::Text("punkt en".into()));
        assert_eq!(a.blocks[2], Block::Text("punkt to".into()));
        assert_eq!(
            a.blocks[3],
            Block::Table(TableBlock {
                caption: "Risikoer".into(),
                head: vec!["R".into(), "T".into()],
                rows: vec![vec!["x".into(), "y".into()]]
            })
        );
        assert_eq!(a.blocks[4], Block::Text("Under".into()));
        assert_eq!(a.blocks[5], Block::Text("Siste.".into()));
        assert_eq!(a.blocks.len(), 6);
        assert_eq!(r.sections[2].blocks, vec![Block::Text("Annet.".into())]);
    }

    #[test]
    fn footnotes_do_not_clash_with_anchors() {
        let r = render_plain("Tekst[^1].\n\n[^1]: Kilde.\n").unwrap();
        assert!(r.html.contains("href=\"#fn-1-1\""), "{}", r.html);
        assert!(r.html.contains("id=\"fn-1-1\""), "{}", r.html);
        assert!(r.html.contains("href=\"#fnref-1-1\""), "{}", r.html);
    }

    #[test]
    fn image_paths_are_checked() {
        assert!(
            render_plain("![Et bilde](bilde.png)")
                .unwrap()
                .html
                .contains("src=\"/medlemmer/x/bilde.png\"")
        );
        let e = render_plain("![x](../../site.toml)").unwrap_err();
        assert!(e[0].message.contains("leaves the member's folder"));
        let e = render_plain("![x](bilde.jpg)").unwrap_err();
        assert_eq!(e[0].help.as_deref(), Some("did you mean `bilde.png`?"));
        let r = render_plain("![](bilde.png)").unwrap();
        assert!(r.warnings[0].message.contains("alt text"));
    }

    /// An image from another site would let that site follow every reader: only the
    /// hosts site.toml allows (here bilder.example.no), over https.
    #[test]
    fn remote_images_come_only_from_allowed_hosts() {
        let r = render_plain("![Fabrikk](https://bilder.example.no/fabrikk.png)\n").unwrap();
        assert!(
            r.html
                .contains("src=\"https://bilder.example.no/fabrikk.png\""),
            "{}",
            r.html
        );
        let r = render_plain("![Fabrikk](HTTPS://Bilder.Example.NO/f.png)\n").unwrap();
        assert!(
            r.html.contains("src=\"https://bilder.example.no/f.png\""),
            "{}",
            r.html
        );
        for (md, column) in [
            ("![Piksel](https://sporing.example.com/p.png)", 1),
            ("![Piksel](http://bilder.example.no/p.png)", 1),
            ("![Piksel](https://bilder.example.no:8443/p.png)", 1),
            (
                "![Piksel](https://bilder.example.no@sporing.example.com/p.png)",
                1,
            ),
            (
                "![Piksel](https://bilder.example.no.sporing.example.com/p.png)",
                1,
            ),
            ("![Piksel](//sporing.example.com/p.png)", 1),
            ("![Piksel](<ht\ttps://sporing.example.com/p.png>)", 1),
            ("![Piksel][p]\n\n[p]: https://sporing.example.com/p.png", 1),
            ("![Piksel](mailto:a@sporing.example.com)", 1),
            (
                "Tabell: ![Piksel](https://sporing.example.com/p.png)\n\n| a |\n|---|\n| b |",
                9,
            ),
        ] {
            let e = render_plain(&format!("{md}\n")).expect_err(md);
            assert!(
                e[0].message.contains("image from another site")
                    || e[0].message.contains("is not allowed"),
                "{md}: {e:?}"
            );
            assert_eq!((e[0].line, e[0].column), (1, column), "{md}: {e:?}");
        }
        // Raw HTML images never reach the page.
        let r = render_plain("<img src=\"https://sporing.example.com/p.png\">\n").unwrap();
        assert!(!r.html.contains("sporing"), "{}", r.html);
        assert!(
            r.warnings[0]
                .message
                .contains("raw HTML <img> will be removed")
        );
    }

    #[test]
    fn table_captions_are_checked_like_other_text() {
        // Found while writing the hostile fixture: the caption's inline events were
        // copied as they were, so a link or raw HTML in it skipped every check (and the
        // sanitiser too, in a section with no other raw HTML).
        let r = render_plain(
            "## A\n\nTabell: [x](javascript:alert(1)) <img src=x onerror=alert(2)> **Risiko**\n\n| a |\n|---|\n| b |\n",
        )
        .unwrap();
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(
            r.html
                .contains("<caption id=\"tabell-1\">x  <strong>Risiko</strong></caption>"),
            "{}",
            r.html
        );
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    }

    /// Every kind of nesting stops at the same depth, and a level is what a member
    /// counts: one per list, quote, emphasis, link or HTML tag.
    #[test]
    fn nesting_has_one_limit_for_every_kind() {
        let quotes = |n: usize| ">".repeat(n) + " x\n";
        let lists = |n: usize| {
            (0..n)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect::<String>()
        };
        // `*a _a *a … x … a* a_ a*`: emphasis in emphasis, one level each.
        let emphasis = |n: usize| {
            let mark = |i: usize| if i.is_multiple_of(2) { "*" } else { "_" };
            let open: String = (0..n).map(|i| format!("{}a ", mark(i))).collect();
            let close: String = (0..n).rev().map(|i| format!(" a{}", mark(i))).collect();
            format!("{open}x{close}\n")
        };
        // `**a ~~a **a … x … a** a~~ a**`: strong and struck through.
        let strong = |n: usize| {
            let mark = |i: usize| if i.is_multiple_of(2) { "**" } else { "~~" };
            let open: String = (0..n).map(|i| format!("{}a ", mark(i))).collect();
            let close: String = (0..n).rev().map(|i| format!(" a{}", mark(i))).collect();
            format!("{open}x{close}\n")
        };
        let mixed = |n: usize| "> - ".repeat(n / 2) + "x\n";
        let html = |n: usize| "<span lang=\"en\">".repeat(n) + "x\n";
        // Each with the elements that make its levels (none counted for the mix).
        type Case<'a> = (&'a str, &'a dyn Fn(usize) -> String, &'a [&'a str]);
        let cases: [Case; 6] = [
            ("quotes", &quotes, &["<blockquote>"]),
            ("lists", &lists, &["<ul>"]),
            ("emphasis", &emphasis, &["<em>"]),
            ("strong and struck", &strong, &["<strong>", "<del>"]),
            ("a list in a quote", &mixed, &[]),
            ("raw HTML", &html, &["<span"]),
        ];
        for (what, make, tags) in cases {
            let ok = render_plain(&make(MAX_NESTING))
                .unwrap_or_else(|e| panic!("{what}: {MAX_NESTING} levels refused: {e:?}"));
            if !tags.is_empty() {
                let levels: usize = tags.iter().map(|t| ok.html.matches(t).count()).sum();
                assert_eq!(levels, MAX_NESTING, "{what}: {}", ok.html);
            }
            let e = render_plain(&make(MAX_NESTING + 2))
                .expect_err(&format!("{what}: {} levels accepted", MAX_NESTING + 2));
            assert!(
                e[0].message.contains("nested more than 64 levels"),
                "{what}: {e:?}"
            );
        }
        // One more than the limit is refused (the mixed case counts two per step).
        for make in [quotes, lists] {
            assert!(render_plain(&make(MAX_NESTING + 1)).is_err());
        }
        assert!(render_plain(&emphasis(MAX_NESTING + 1)).is_err());
    }

    /// pulldown-cmark ends `<pre>` … blocks only at a lower-case end tag: an upper-case
    /// one used to turn the rest of the report into raw text, without its headings.
    #[test]
    fn raw_text_blocks_end_at_their_end_tag_in_any_case() {
        for tag in ["script", "style", "pre", "textarea"] {
            let upper = tag.to_uppercase();
            let mixed: String = tag
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i.is_multiple_of(2) {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            for (open, close) in [
                (upper.as_str(), tag),
                (tag, upper.as_str()),
                (upper.as_str(), upper.as_str()),
                (mixed.as_str(), mixed.as_str()),
                (tag, &*format!("{mixed} \t")),
            ] {
                let md = format!(
                    "## Forord\n\n<{open}>\nlinje en\n\nlinje to\n</{close}>\n\n## Etter\n\nTekst *her*.\n"
                );
                let r = render_plain(&md).unwrap_or_else(|e| panic!("{md}: {e:?}"));
                let ids: Vec<&str> = r.sections.iter().map(|s| s.anchor.as_str()).collect();
                assert_eq!(ids, ["forord", "etter"], "{md}");
                assert!(r.html.contains("<em>her</em>"), "{md}\n{}", r.html);
                // The end tag is read by the line it is on: the block ends there.
                assert!(!r.html.contains("## Etter"), "{md}\n{}", r.html);
            }
        }
    }

    #[test]
    fn code_shows_end_tags_as_written() {
        let r = render_plain(
            "<PRE>\nx\n</PRE>\n\nKode: `</PRE>` og `</Script >`.\n\n```\n</STYLE>\n```\n",
        )
        .unwrap();
        assert!(r.html.contains("<code>&lt;/PRE&gt;</code>"), "{}", r.html);
        assert!(
            r.html.contains("<code>&lt;/Script &gt;</code>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("&lt;/STYLE&gt;\n</code></pre>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn an_unclosed_raw_text_block_is_an_error() {
        for (md, line) in [
            ("## A\n\n<pre>\nx\n\n## B\n\ny\n", 3),
            ("## A\n\n<script>\nx\n</pre>\n\n## B\n", 3),
            ("Tekst.\n\n  <STYLE type=x>\n", 3),
        ] {
            let e = render_plain(md).expect_err(md);
            assert!(e[0].message.contains("is never closed"), "{md}: {e:?}");
            assert_eq!(e[0].line, line, "{md}: {e:?}");
        }
        // Closed, or ended by the list it is in: not an error.
        assert!(render_plain("<pre>\nx\n</pre>\n").is_ok());
        assert!(render_plain("- <pre>\n  x\n\nTekst\n").is_ok());
    }

    #[test]
    fn raw_html_keeps_only_the_allowlist() {
        let r = render_plain(
            "<div lang=\"en\" id=\"hovedinnhold\" class=\"skip-link\">\n\nTekst\n\n</div>\n\nEn <a href=\"https://x.no/\">rå lenke</a> og <abbr title=\"Etisk handel\" style=\"x\">EHN</abbr>.\n",
        )
        .unwrap();
        assert!(r.html.contains("<div lang=\"en\">"), "{}", r.html);
        assert!(!r.html.contains("hovedinnhold") && !r.html.contains("skip-link"));
        assert!(!r.html.contains("<a "), "{}", r.html);
        assert!(
            r.html.contains("<abbr title=\"Etisk handel\">EHN</abbr>"),
            "{}",
            r.html
        );
        let messages: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the attribute `id` of raw HTML <div> will be removed",
                "the attribute `class` of raw HTML <div> will be removed",
                "raw HTML <a> will be removed",
                "the attribute `style` of raw HTML <abbr> will be removed",
            ]
        );
        // Warnings point at what is removed.
        assert_eq!((r.warnings[0].line, r.warnings[0].column), (1, 16));
    }

    #[test]
    fn level_one_heading_is_an_error() {
        let e = render_plain("# Tittel\n").unwrap_err();
        assert!(e[0].message.contains("level-1"));
        assert_eq!(e[0].line, 1);
    }
}
