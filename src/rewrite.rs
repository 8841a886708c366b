//! Reading the finished HTML: one fast scan per page marks external links
//! (`rel="external"`) and collects the page's ids and internal link targets for the
//! link check.
//!
//! Every page is HTML this program wrote (templates with escaped values, Markdown
//! rendered by pulldown-cmark, raw HTML re-serialised by the sanitiser), so a small
//! tokenizer that knows tags, quoted attributes, comments and the raw-text elements
//! reads it exactly; a general HTML rewriter (lol_html) did the same work about ten
//! times slower. [`scan`] is also what [`crate::questions`] uses to re-address the ids
//! of embedded answers.

use rustc_hash::FxHashSet;
use std::ops::Range;

/// What a page links to and which ids it has.
#[derive(Debug, Default, Clone)]
pub struct PageLinks {
    pub ids: Vec<String>,
    /// `href` values of links to this site (paths and fragments), as written (character
    /// references decoded), each once.
    pub hrefs: Vec<String>,
}

/// One attribute of a start tag, its value as written (character references not
/// decoded).
#[derive(Debug, Clone)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub value: &'a str,
    /// Byte range of the `="value"` part as written (quotes included); empty, at the
    /// end of the name, for an attribute without a value.
    pub raw: Range<usize>,
}

/// A start or end tag found by [`scan`].
#[derive(Debug)]
pub struct Tag<'h, 's> {
    /// The tag name as written.
    pub name: &'h str,
    /// `</name>`.
    pub end: bool,
    /// Byte range of the whole tag, `<` to `>`.
    pub span: Range<usize>,
    /// Attributes in order (empty for end tags).
    pub attrs: &'s [Attr<'h>],
    /// Where the attributes end: the offset of the closing `>` (or `/>`).
    pub close: usize,
}

impl<'h> Tag<'h, '_> {
    /// The value of attribute `name` (ASCII case-insensitive), as written.
    pub fn attr(&self, name: &str) -> Option<&'h str> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value)
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Calls `f` with every start and end tag of `html`, in order. Comments, doctypes and
/// the content of `script`, `style`, `textarea` and `title` are skipped.
pub fn scan<'h>(html: &'h str, mut f: impl FnMut(&Tag<'h, '_>)) {
    let b = html.as_bytes();
    let mut attrs: Vec<Attr<'h>> = Vec::new();
    let mut pos = 0usize;
    while let Some(lt) = memchr(b'<', html, pos) {
        let next = b.get(lt + 1).copied().unwrap_or(0);
        if next == b'!' {
            pos = if b[lt..].starts_with(b"<!--") {
                find(html, lt + 4, "-->").map_or(b.len(), |e| e + 3)
            } else {
                memchr(b'>', html, lt).map_or(b.len(), |e| e + 1)
            };
            continue;
        }
        if next == b'?' {
            pos = memchr(b'>', html, lt).map_or(b.len(), |e| e + 1);
            continue;
        }
        let end = next == b'/';
        let name_start = if end { lt + 2 } else { lt + 1 };
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // A `<` in text.
            pos = lt + 1;
            continue;
        }
        let mut i = name_start;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let name = &html[name_start..i];
        attrs.clear();
        // Attributes.
        let close;
        loop {
            while i < b.len() && (is_space(b[i]) || (b[i] == b'/' && b.get(i + 1) != Some(&b'>'))) {
                i += 1;
            }
            if i >= b.len() {
                close = b.len();
                break;
            }
            if b[i] == b'>' || b[i] == b'/' {
                close = i;
                break;
            }
            let an = i;
            while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let aname = &html[an..i];
            let name_end = i;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let mut value = "";
            let mut raw = name_end..name_end;
            if b.get(i) == Some(&b'=') {
                let eq = i;
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let vs = i + 1;
                        let ve = memchr(q, html, vs).unwrap_or(b.len());
                        value = &html[vs..ve];
                        i = (ve + 1).min(b.len());
                    }
                    _ => {
                        let vs = i;
                        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        value = &html[vs..i];
                    }
                }
                raw = eq..i;
            } else {
                // Not an `=`: the spaces belong to what follows.
                i = name_end;
            }
            if !end {
                attrs.push(Attr {
                    name: aname,
                    value,
                    raw,
                });
            }
        }
        let tag_end = memchr(b'>', html, close).map_or(b.len(), |e| e + 1);
        f(&Tag {
            name,
            end,
            span: lt..tag_end,
            attrs: &attrs,
            close,
        });
        pos = tag_end;
        if !end {
            let raw = ["script", "style", "textarea", "title"]
                .into_iter()
                .find(|r| name.eq_ignore_ascii_case(r));
            if let Some(raw) = raw {
                // Skip to the matching end tag.
                let mut k = pos;
                pos = b.len();
                while let Some(o) = find(html, k, "</") {
                    let n = &b[o + 2..];
                    if n.len() >= raw.len() && n[..raw.len()].eq_ignore_ascii_case(raw.as_bytes()) {
                        pos = o;
                        break;
                    }
                    k = o + 2;
                }
            }
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The offset of byte `c` in `html` at or after `from`.
fn memchr(c: u8, html: &str, from: usize) -> Option<usize> {
    let b = html.as_bytes();
    memchr::memchr(c, b.get(from..)?).map(|o| from + o)
}

/// The offset of `needle` in `html` at or after `from`.
fn find(html: &str, from: usize, needle: &str) -> Option<usize> {
    let first = needle.as_bytes()[0];
    let mut k = from;
    while let Some(at) = memchr(first, html, k) {
        if html.as_bytes()[at..].starts_with(needle.as_bytes()) {
            return Some(at);
        }
        k = at + 1;
    }
    None
}

/// Marks external links and collects the page's links: the page again when it had to
/// change (`rel="external"` added to an external link without `rel`), or `None`.
pub fn scan_page(html: &str) -> (Option<String>, PageLinks) {
    let mut links = PageLinks::default();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut patches: Vec<usize> = Vec::new();
    scan(html, |tag| {
        if tag.end {
            return;
        }
        if let Some(id) = tag.attr("id") {
            links.ids.push(id.to_string());
        }
        let (attr, is_a) = if tag.is("a") {
            ("href", true)
        } else if tag.is("link") {
            ("href", false)
        } else if tag.is("img") || tag.is("script") {
            ("src", false)
        } else {
            return;
        };
        let Some(raw) = tag.attr(attr) else {
            return;
        };
        if !seen.insert(raw) {
            // The same value again: an external link still needs its mark.
            if is_a && tag.attr("rel").is_none() && is_external(&decode_entities(raw)) {
                patches.push(tag.close);
            }
            return;
        }
        let href = decode_entities(raw);
        if is_external(&href) {
            if is_a && tag.attr("rel").is_none() {
                patches.push(tag.close);
            }
        } else if attr == "href" {
            if !href.starts_with("mailto:") && !href.starts_with("tel:") {
                links.hrefs.push(href);
            }
        } else if !href.starts_with("data:") {
            links.hrefs.push(href);
        }
    });
    if patches.is_empty() {
        return (None, links);
    }
    const REL: &str = " rel=\"external\"";
    let mut out = String::with_capacity(html.len() + patches.len() * REL.len());
    let mut last = 0;
    for p in patches {
        out.push_str(&html[last..p]);
        out.push_str(REL);
        last = p;
    }
    out.push_str(&html[last..]);
    (Some(out), links)
}

/// Marks external links and collects the page's links (the page as it is when nothing
/// changes).
pub fn rewrite_page(html: &str) -> Result<(String, PageLinks), String> {
    let (out, links) = scan_page(html);
    Ok((out.unwrap_or_else(|| html.to_string()), links))
}

/// Decodes the character references that can appear in an attribute value we wrote.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e < 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_external(href: &str) -> bool {
    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("//")
}

/// Resolves `href` found on the page at URL path `page` (e.g. `/medlemmer/x/2024/`) to
/// (path, fragment). Query strings are dropped.
pub fn resolve(page: &str, href: &str) -> (String, Option<String>) {
    let (before_frag, frag) = match href.split_once('#') {
        Some((a, f)) => (a, Some(f.to_string())),
        None => (href, None),
    };
    let path = before_frag.split('?').next().unwrap_or("");
    if path.is_empty() {
        return (page.to_string(), frag);
    }
    // The page's folder and then the link's segments, `.` and `..` applied as they
    // come: `out` holds `/segment` for each segment kept (a link checked on every
    // page of a big site, so no intermediate strings).
    let dir = if path.starts_with('/') {
        ""
    } else {
        page.rfind('/').map_or("/", |i| &page[..=i])
    };
    let mut out = String::with_capacity(dir.len() + path.len() + 1);
    for seg in dir.split('/').chain(path.split('/')) {
        match seg {
            "" | "." => {}
            ".." => out.truncate(out.rfind('/').unwrap_or(0)),
            seg => {
                out.push('/');
                out.push_str(seg);
            }
        }
    }
    let folder = path.ends_with('/') || matches!(path.rsplit('/').next(), Some("." | ".."));
    if out.is_empty() || folder {
        out.push('/');
    }
    (out, frag)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The way `resolve` was first written (join, then normalise), as a reference.
    fn resolve_reference(page: &str, href: &str) -> (String, Option<String>) {
        let (before_frag, frag) = match href.split_once('#') {
            Some((a, f)) => (a, Some(f.to_string())),
            None => (href, None),
        };
        let path = before_frag.split('?').next().unwrap_or("");
        if path.is_empty() {
            return (page.to_string(), frag);
        }
        let joined = if path.starts_with('/') {
            path.to_string()
        } else {
            let dir = match page.rfind('/') {
                Some(i) => &page[..=i],
                None => "/",
            };
            format!("{dir}{path}")
        };
        let mut parts: Vec<&str> = Vec::new();
        for p in joined.split('/') {
            match p {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let mut out = format!("/{}", parts.join("/"));
        if (joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/.."))
            && out != "/"
        {
            out.push('/');
        }
        (out, frag)
    }

    #[test]
    fn resolve_equals_the_reference_on_generated_links() {
        let pages = [
            "/",
            "/a/",
            "/a/b/",
            "/a/b/c.html",
            "/a/./b/",
            "/a/../b/",
            "",
            "x",
            "/a//b/",
        ];
        let parts = ["", ".", "..", "a", "b.html", "2023", "?q=1", "#f"];
        let mut n = 0;
        for page in pages {
            for x in parts {
                for y in parts {
                    for z in parts {
                        for lead in ["", "/", "./", "../", "../../"] {
                            for sep in ["/", "//"] {
                                let href = format!("{lead}{x}{sep}{y}/{z}");
                                assert_eq!(
                                    resolve(page, &href),
                                    resolve_reference(page, &href),
                                    "page {page:?}, href {href:?}"
                                );
                                let href = format!("{lead}{x}{sep}{y}");
                                assert_eq!(resolve(page, &href), resolve_reference(page, &href));
                                n += 2;
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 40_000);
    }

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("/medlemmer/x/2024/", "../2023/#2-a-3"),
            ("/medlemmer/x/2023/".into(), Some("2-a-3".into()))
        );
        assert_eq!(
            resolve("/medlemmer/x/2024/", "#top"),
            ("/medlemmer/x/2024/".into(), Some("top".into()))
        );
        assert_eq!(
            resolve("/a/", "/style.css?v=1"),
            ("/style.css".into(), None)
        );
        assert_eq!(resolve("/a/b/", "../../"), ("/".into(), None));
    }

    #[test]
    fn marks_external_links_and_collects() {
        let (out, links) =
            rewrite_page("<a href=\"https://x.no\">x</a><a href=\"/a/#b\" id=\"c\">y</a>").unwrap();
        assert_eq!(
            out,
            "<a href=\"https://x.no\" rel=\"external\">x</a><a href=\"/a/#b\" id=\"c\">y</a>"
        );
        assert_eq!(links.hrefs, ["/a/#b"]);
        assert_eq!(links.ids, ["c"]);
    }

    #[test]
    fn skips_comments_scripts_and_text() {
        let html = "<!doctype html><!-- <a href=\"/x/\"> --><p>1 < 2 &amp; <b>3</b></p>\
            <script>if (a<b) { s = '<a href=\"/y/\">'; }</script>\
            <title>a <a href=\"/t/\"></title>\
            <img src=\"/i.png\" alt='x > y' id=z><a rel=\"me\" href='https://x'>x</a>\
            <a href=\"/a/?q=1&amp;r=2#f\">a</a><a href=\"/a/?q=1&amp;r=2#f\">again</a>\
            <a href=\"mailto:x@y\">m</a><link rel=\"stylesheet\" href=\"/s.css\"/>";
        let (out, links) = scan_page(html);
        assert!(out.is_none(), "{out:?}");
        assert_eq!(links.ids, ["z"]);
        assert_eq!(links.hrefs, ["/i.png", "/a/?q=1&r=2#f", "/s.css"]);
    }

    #[test]
    fn tags_and_attributes() {
        let mut seen = Vec::new();
        scan(
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
}
