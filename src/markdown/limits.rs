//! The pre-pass: what must hold before the events are worth transforming. The end
//! tags of raw-text blocks are written as pulldown-cmark looks for them (before it
//! parses), a raw-text block that is never closed is an error, and so is text nested
//! deeper than [`MAX_NESTING`] levels, which stops the render at once.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::MdContext;
use crate::diagnostics::FileDiagnostics;

/// How deep lists, block quotes, emphasis (each of `*`, `**`, `~~`), links and raw
/// HTML tags may nest: each of them counts one level, and so does a mix of them (a
/// list in a quote in a list is three). Real reports stay far below; past it, the
/// sanitiser's work grows with the square of the depth.
pub(crate) const MAX_NESTING: usize = 64;

/// Reports an unclosed raw-text block and text nested too deep; `false` when the
/// render must stop here (too deep: deeper stages, the sanitiser, slow down with every
/// level).
pub(super) fn check(
    events: &[(Event, Range<usize>)],
    text: &str,
    cx: &MdContext,
    found: &mut FileDiagnostics,
) -> bool {
    if let Some((at, name)) = unclosed_raw_block(events, text) {
        let lost = if matches!(name, "script" | "style") {
            "everything after it would be removed from the page"
        } else {
            "everything after it would be published as plain text, without headings"
        };
        found.error(|| {
            cx.source
                .error(cx.span(&at), format!("<{name}> is never closed: {lost}"))
                .with_help(format!(
                    "close it with </{name}>, or remove it (raw HTML keeps only abbr, span lang, div lang, sup, sub and br)"
                ))
        });
    }
    let Some(at) = too_deep(events) else {
        return true;
    };
    found.error(|| {
        cx.source
            .error(
                cx.span(&(at.start..at.start + 1)),
                format!("the text is nested more than {MAX_NESTING} levels deep"),
            )
            .with_help(
                "lists, block quotes, emphasis and HTML tags inside each other: flatten the structure",
            )
    });
    false
}

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

/// The range of the first element nested deeper than [`MAX_NESTING`], if any. (Raw
/// HTML tags are counted where they are filtered, in [`super::raw_html`].)
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
/// matches it in any case, so a `<PRE>` … `</PRE>` block ran to the end of the text and
/// turned every heading after it into raw text. Here every such end tag (`</PRE>`,
/// `</Script >`) is written as pulldown-cmark looks for it (`</pre>`, `</script> `):
/// ASCII only and the same length, so every byte offset, and so every span and line
/// number, stays as it was. `None` when there is nothing to change (nearly always).
/// Code that shows such a tag gets its own case back from [`restore_code`].
pub(super) fn lower_end_tags(text: &str) -> Option<String> {
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
pub(super) fn restore_code<'a>(
    events: &mut [(Event<'a>, Range<usize>)],
    fixed: &'a str,
    original: &'a str,
) {
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
/// `style`). Its start tag, and its name.
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
