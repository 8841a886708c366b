//! Tables: a `Tabell: …` (or `Table: …`) paragraph right above a table becomes its
//! caption, header cells get `scope="col"` (or become data cells when blank), cells
//! their alignment as a class, and each table a focusable scroll region named by its
//! caption or its section, so that it reflows at 320 px.

use std::ops::Range;

use pulldown_cmark::{Alignment, CowStr, Event, Tag};

use super::builder::Builder;
use super::text::find_end;
use crate::config::Lang;

impl<'t> Builder<'_, 't> {
    /// The start of a `Tabell: …` paragraph at `i`: its events go through the walk like
    /// all others (links, images and raw HTML are checked the same way) and are moved
    /// to the caption at the paragraph's end ([`Builder::caption_end`]). The index of
    /// the next event.
    pub(super) fn caption_start(&mut self, i: usize) -> usize {
        let events = self.events;
        self.caption_until = Some((find_end(events, i), self.out.len()));
        let Some((Event::Text(t), _)) = events.get(i + 1) else {
            return i + 1;
        };
        let stripped = strip_caption_prefix(t, self.cx.lang)
            .unwrap_or(t)
            .trim_start();
        self.out
            .push(Event::Text(CowStr::from(stripped.to_string())));
        i + 2
    }

    /// The end of a caption paragraph: its events wait for the table.
    pub(super) fn caption_end(&mut self) {
        if let Some((_, start)) = self.caption_until.take() {
            self.table.caption = Some(self.out.drain(start..).collect());
        }
    }

    /// A table's start: the scroll region, named by the caption when there is one,
    /// else by the section.
    pub(super) fn table_start(&mut self, aligns: &[Alignment]) {
        self.tables_seen += 1;
        self.table.aligns = aligns.to_vec();
        let id = format!("tabell-{}", self.tables_seen);
        if let Some(caption) = self.table.caption.take() {
            self.html(format!(
                "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{id}\"><table><caption id=\"{id}\">"
            ));
            self.out.extend(caption);
            self.html("</caption>");
            return;
        }
        let headings = self.headings;
        let section = self.marks.last().map_or("", |&(_, h)| &headings[h].title);
        let word = table_word(self.cx.lang);
        let label = if section.is_empty() {
            word.to_string()
        } else {
            format!("{section} ({})", word.to_lowercase())
        };
        self.html(format!(
            "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table>",
            crate::html::escape(&label)
        ));
    }

    pub(super) fn table_head_start(&mut self) {
        self.table.in_head = true;
        self.table.cell = 0;
        self.html("<thead><tr>");
    }

    pub(super) fn table_head_end(&mut self) {
        self.table.in_head = false;
        self.html("</tr></thead>\n<tbody>");
    }

    pub(super) fn table_row_start(&mut self) {
        self.table.cell = 0;
        self.html("<tr>");
    }

    pub(super) fn table_cell_start(&mut self) {
        let class = self.table.align_class();
        let tag = if self.table.in_head {
            format!("<th scope=\"col\"{class}>")
        } else {
            format!("<td{class}>")
        };
        self.table.cell_start = self.out.len();
        self.html(tag);
    }

    /// A cell's end. A header cell with nothing to read (a blank corner cell, or one
    /// whose raw HTML was all removed) is a data cell: an empty header names no column
    /// for a screen reader.
    pub(super) fn table_cell_end(&mut self) {
        let start = self.table.cell_start;
        let blank_head =
            self.table.in_head && cell_is_blank(self.out.get(start + 1..).unwrap_or(&[]));
        if blank_head {
            let td = Event::Html(CowStr::from(format!("<td{}>", self.table.align_class())));
            if let Some(e) = self.out.get_mut(start) {
                *e = td;
            }
        }
        self.html(if self.table.in_head && !blank_head {
            "</th>"
        } else {
            "</td>"
        });
        self.table.cell += 1;
    }
}

/// The open table.
#[derive(Default)]
pub(super) struct TableState<'a> {
    aligns: Vec<Alignment>,
    in_head: bool,
    cell: usize,
    /// Where the open cell's start tag is in `out`.
    cell_start: usize,
    /// The caption's events, from the paragraph above the table.
    pub(super) caption: Option<Vec<Event<'a>>>,
}

impl TableState<'_> {
    /// The class of the open cell's column: its alignment.
    fn align_class(&self) -> &'static str {
        match self.aligns.get(self.cell) {
            Some(Alignment::Right) => " class=\"num\"",
            Some(Alignment::Center) => " class=\"center\"",
            _ => "",
        }
    }
}

fn caption_prefixes(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Nb => &["Tabell:", "Table:"],
        Lang::En => &["Table:", "Tabell:"],
    }
}

pub(super) fn strip_caption_prefix(text: &str, lang: Lang) -> Option<&str> {
    caption_prefixes(lang)
        .iter()
        .find_map(|p| text.strip_prefix(p))
}

pub(super) fn table_caption_follows(
    events: &[(Event, Range<usize>)],
    i: usize,
    lang: Lang,
) -> bool {
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

fn table_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Tabell",
        Lang::En => "Table",
    }
}
