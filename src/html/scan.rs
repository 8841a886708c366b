//! The one HTML tag scanner: it cuts HTML into text, tags (with their attributes) and
//! the markup that is neither (comments, doctypes, processing instructions, CDATA).
//!
//! Two readers use it. [`crate::rewrite`] reads every finished page once (external
//! links marked, ids and links collected), and [`crate::questions`] re-addresses the ids
//! of embedded answers, both through [`tags`]: pages are HTML this program wrote
//! (templates with escaped values, Markdown written by pulldown-cmark, raw HTML
//! re-serialised by the sanitiser), which a scanner that knows tags, quoted attributes,
//! comments and the raw-text elements reads exactly; a general HTML rewriter (lol_html)
//! did the same work about ten times slower, so it is kept only for the preview
//! server's pages. [`crate::markdown`]'s allowlist reads members' raw HTML fragments
//! with the [`Scanner`]: there it only ever *removes* markup, and the sanitiser parses
//! the result again as a browser would, so whatever the scanner misjudges in hostile
//! input is still made safe.
//!
//! It follows the HTML tokenizer for what it reads: tag and attribute names end at
//! white space, `/` or `>` (an attribute name also at `=`, except as its first
//! character); values are quoted with `"` or `'`, or run to white space or `>`; a
//! comment ends at `-->`, a CDATA section at `]]>`, other declarations at `>`. A `<`
//! that starts none of them is text.

use std::ops::Range;

/// One attribute of a start tag, its value as written (character references not
/// decoded).
#[derive(Debug, Clone)]
pub(crate) struct Attr<'h> {
    pub(crate) name: &'h str,
    pub(crate) value: &'h str,
    /// Byte range of the whole attribute, its name to the end of its value.
    pub(crate) span: Range<usize>,
    /// Byte range of the `="value"` part as written (quotes included); empty, at the
    /// end of the name, for an attribute without a value.
    pub(crate) raw: Range<usize>,
}

/// A start or end tag.
#[derive(Debug)]
pub(crate) struct Tag<'h, 's> {
    /// The tag name as written.
    pub(crate) name: &'h str,
    /// `</name>`.
    pub(crate) end: bool,
    /// Byte range of the whole tag, `<` to `>`.
    pub(crate) span: Range<usize>,
    /// Attributes in order, repeated names included (empty for end tags).
    pub(crate) attrs: &'s [Attr<'h>],
    /// Where the attributes end: the offset of the closing `>` (or `/>`).
    pub(crate) close: usize,
    /// Ends with `/>`.
    pub(crate) self_closing: bool,
    /// Ended by `>`, rather than by the end of the text.
    pub(crate) complete: bool,
}

impl<'h> Tag<'h, '_> {
    /// The value of attribute `name` (ASCII case-insensitive; the first one if it is
    /// repeated, as in HTML), as written.
    pub(crate) fn attr(&self, name: &str) -> Option<&'h str> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value)
    }

    /// Whether this is a `name` tag (ASCII case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A piece of HTML.
#[derive(Debug)]
pub(crate) enum Token<'h, 's> {
    /// Text, with any `<` that starts no markup.
    Text(Range<usize>),
    Tag(Tag<'h, 's>),
    /// A comment, doctype, processing instruction or CDATA section.
    Other,
}

/// Reads HTML token by token; the attributes of the tag it returns are borrowed from
/// it, so that a page's tags need no allocation each.
pub(crate) struct Scanner<'h> {
    html: &'h str,
    pos: usize,
    attrs: Vec<Attr<'h>>,
}

/// What a `<` starts.
enum Markup {
    Tag { end: bool },
    Other,
}

impl<'h> Scanner<'h> {
    pub(crate) fn new(html: &'h str) -> Self {
        Scanner {
            html,
            pos: 0,
            attrs: Vec::new(),
        }
    }

    /// The next token, or `None` at the end.
    pub(crate) fn next_token(&mut self) -> Option<Token<'h, '_>> {
        let b = self.html.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        match markup_at(b, start) {
            Some(Markup::Tag { end }) => Some(Token::Tag(self.tag(start, end))),
            Some(Markup::Other) => {
                self.pos = other_end(self.html, start);
                Some(Token::Other)
            }
            None => {
                self.pos = next_markup(b, start + 1);
                Some(Token::Text(start..self.pos))
            }
        }
    }

    /// Goes on reading at `pos` (after the content of a raw-text element).
    pub(crate) fn skip_to(&mut self, pos: usize) {
        self.pos = pos.max(self.pos).min(self.html.len());
    }

    /// Reads the tag whose `<` is at `lt`.
    fn tag(&mut self, lt: usize, end: bool) -> Tag<'h, '_> {
        let (html, b) = (self.html, self.html.as_bytes());
        let name_start = if end { lt + 2 } else { lt + 1 };
        let mut i = name_start;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let name = &html[name_start..i];
        self.attrs.clear();
        let mut self_closing = false;
        loop {
            // White space and `/` between attributes; `/>` ends a self-closing tag.
            while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
                self_closing = b[i] == b'/';
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            self_closing = false;
            let attr = attribute(html, i);
            i = attr.span.end;
            if !end {
                self.attrs.push(attr);
            }
        }
        let complete = i < b.len();
        let self_closing = self_closing && complete;
        let close = if self_closing { i - 1 } else { i };
        self.pos = if complete { i + 1 } else { b.len() };
        Tag {
            name,
            end,
            span: lt..self.pos,
            attrs: &self.attrs,
            close,
            self_closing,
            complete,
        }
    }
}

/// The attribute whose name starts at `start`.
fn attribute(html: &str, start: usize) -> Attr<'_> {
    let b = html.as_bytes();
    // The first character is part of the name even if it is `=`.
    let mut i = start + 1;
    while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
        i += 1;
    }
    let name_end = i;
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'=') {
        // No value: the white space belongs to what follows.
        return Attr {
            name: &html[start..name_end],
            value: "",
            span: start..name_end,
            raw: name_end..name_end,
        };
    }
    let eq = i;
    i += 1;
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    let value = match b.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let vs = i + 1;
            let ve = find_byte(b, q, vs).unwrap_or(b.len());
            i = (ve + 1).min(b.len());
            vs..ve
        }
        _ => {
            let vs = i;
            while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                i += 1;
            }
            vs..i
        }
    };
    Attr {
        name: &html[start..name_end],
        value: &html[value],
        span: start..i,
        raw: eq..i,
    }
}

/// What the `<` at `i` starts, if anything.
fn markup_at(b: &[u8], i: usize) -> Option<Markup> {
    if b[i] != b'<' {
        return None;
    }
    match b.get(i + 1)? {
        b'!' | b'?' => Some(Markup::Other),
        b'/' if b.get(i + 2).is_some_and(u8::is_ascii_alphabetic) => {
            Some(Markup::Tag { end: true })
        }
        c if c.is_ascii_alphabetic() => Some(Markup::Tag { end: false }),
        _ => None,
    }
}

/// The offset of the first `<` at or after `from` that starts markup, or the end.
fn next_markup(b: &[u8], mut from: usize) -> usize {
    while let Some(lt) = find_byte(b, b'<', from) {
        if markup_at(b, lt).is_some() {
            return lt;
        }
        from = lt + 1;
    }
    b.len()
}

/// The byte after the comment, CDATA section or declaration that starts at `lt`.
fn other_end(html: &str, lt: usize) -> usize {
    let (open, close) = if html[lt..].starts_with("<!--") {
        (4, "-->")
    } else if html[lt..].starts_with("<![CDATA[") {
        (9, "]]>")
    } else {
        (2, ">")
    };
    find(html, lt + open, close).map_or(html.len(), |e| e + close.len())
}

/// The range of the end tag `</name …>` (ASCII case-insensitive) at or after `from`:
/// where a raw-text element such as `script` ends. Its `>` may be missing at the end.
pub(crate) fn find_end_tag(html: &str, from: usize, name: &str) -> Option<Range<usize>> {
    let b = html.as_bytes();
    let mut i = from;
    while let Some(p) = find(html, i, "</") {
        let n = p + 2;
        let matches_name = b.len() >= n + name.len()
            && b[n..n + name.len()].eq_ignore_ascii_case(name.as_bytes())
            && b.get(n + name.len())
                .is_none_or(|&c| is_space(c) || c == b'>' || c == b'/');
        if matches_name {
            return Some(p..find_byte(b, b'>', n).map_or(b.len(), |e| e + 1));
        }
        i = n;
    }
    None
}

/// The elements whose content is text up to their end tag.
const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// Calls `f` with every start and end tag of `html`, in order. Comments, doctypes and
/// the content of `script`, `style`, `textarea` and `title` are skipped.
pub(crate) fn tags<'h>(html: &'h str, mut f: impl FnMut(&Tag<'h, '_>)) {
    let mut scanner = Scanner::new(html);
    while let Some(token) = scanner.next_token() {
        let Token::Tag(tag) = token else {
            continue;
        };
        f(&tag);
        if tag.end {
            continue;
        }
        if let Some(raw) = RAW_TEXT.into_iter().find(|r| tag.is(r)) {
            let from = tag.span.end;
            let to = find_end_tag(html, from, raw).map_or(html.len(), |r| r.start);
            scanner.skip_to(to);
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The offset of byte `c` in `b` at or after `from`.
fn find_byte(b: &[u8], c: u8, from: usize) -> Option<usize> {
    memchr::memchr(c, b.get(from..)?).map(|o| from + o)
}

/// The offset of `needle` in `html` at or after `from`.
fn find(html: &str, from: usize, needle: &str) -> Option<usize> {
    let b = html.as_bytes();
    memchr::memmem::find(b.get(from..)?, needle.as_bytes()).map(|o| from + o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = Scanner::new(html);
        let mut start = 0;
        while let Some(t) = s.next_token() {
            out.push(match t {
                Token::Text(r) => format!("text {:?}", &html[r]),
                Token::Other => format!("other {:?}", &html[start..s.pos]),
                Token::Tag(t) => format!(
                    "{}{}{}{} {:?}",
                    if t.end { "/" } else { "" },
                    t.name,
                    if t.self_closing { "/" } else { "" },
                    if t.complete { "" } else { " (cut off)" },
                    t.attrs
                        .iter()
                        .map(|a| (a.name, a.value, &html[a.span.clone()]))
                        .collect::<Vec<_>>()
                ),
            });
            start = s.pos;
        }
        out
    }

    #[test]
    fn tags_and_attributes() {
        let mut seen = Vec::new();
        tags(
            "<div class=\"a b\" data-x=1 hidden><h2 id='q'>x</h2 ></div><br/>",
            |t| {
                seen.push(format!(
                    "{}{} {:?}",
                    if t.end { "/" } else { "" },
                    t.name,
                    t.attrs
                        .iter()
                        .map(|a| (a.name, a.value))
                        .collect::<Vec<_>>()
                ))
            },
        );
        assert_eq!(
            seen,
            [
                "div [(\"class\", \"a b\"), (\"data-x\", \"1\"), (\"hidden\", \"\")]",
                "h2 [(\"id\", \"q\")]",
                "/h2 []",
                "/div []",
                "br []"
            ]
        );
    }

    #[test]
    fn text_markup_and_quoting() {
        assert_eq!(
            tokens("a < b<!-- <i> --><![CDATA[<x>]]><?p?><!doctype html>c"),
            [
                "text \"a < b\"",
                "other \"<!-- <i> -->\"",
                "other \"<![CDATA[<x>]]>\"",
                "other \"<?p?>\"",
                "other \"<!doctype html>\"",
                "text \"c\""
            ]
        );
        assert_eq!(
            tokens("<span title='a>b' lang=\"x\"onclick=y =z>t</SPAN x=1><br / ><i/>"),
            [
                "span [(\"title\", \"a>b\", \"title='a>b'\"), (\"lang\", \"x\", \"lang=\\\"x\\\"\"), (\"onclick\", \"y\", \"onclick=y\"), (\"=z\", \"\", \"=z\")]",
                "text \"t\"",
                "/SPAN []",
                "br []",
                "i/ []"
            ]
        );
        assert_eq!(
            tokens("x <span lang=en"),
            [
                "text \"x \"",
                "span (cut off) [(\"lang\", \"en\", \"lang=en\")]"
            ]
        );
        assert_eq!(tokens("</ x><3"), ["text \"</ x><3\""]);
    }

    #[test]
    fn raw_text_ends_at_its_own_end_tag() {
        let html = "<script>if (a<b) x('</scripts>')</SCRIPT ><b>";
        let mut seen = Vec::new();
        tags(html, |t| seen.push(t.name.to_string()));
        assert_eq!(seen, ["script", "SCRIPT", "b"]);
        assert_eq!(find_end_tag(html, 8, "script"), Some(32..42));
        assert_eq!(find_end_tag("</style", 0, "style"), Some(0..7));
        assert_eq!(find_end_tag("</b>", 0, "style"), None);
    }

    #[test]
    fn close_is_where_an_attribute_could_be_added() {
        let html = "<a href=\"/x\"/><a href=x/>";
        let mut closes = Vec::new();
        tags(html, |t| closes.push((t.close, t.self_closing)));
        assert_eq!(closes, [(12, true), (24, false)]);
    }
}
