//! Raw HTML in member Markdown, cut down to the documented allowlist.
//!
//! Members may write a few HTML tags in their Markdown: `abbr` (with `title`), `span`
//! and `div` (with `lang`), `sup`, `sub` and `br`; `lang` is allowed on all of them.
//! [`filter`] rewrites each raw HTML fragment so that only those tags and attributes
//! remain, and reports everything it removes so the member can be warned. It does not
//! have to be a complete HTML parser: it only ever *removes* markup, and the sanitiser
//! (ammonia, in [`crate::markdown`]) still parses the result as a browser would, so
//! whatever this tokenizer misjudges is still made safe there.
//!
//! `script` and `style` are special: written inside one fragment they are removed with
//! their content here; split over several Markdown events (`<script>` and `</script>`
//! inline, text between) the bare tags are kept for the sanitiser, which removes them
//! with everything between.

use std::ops::Range;

/// Tags kept from raw HTML.
pub const ALLOWED_TAGS: &[&str] = &["abbr", "span", "div", "sup", "sub", "br"];

/// Elements removed together with their content.
const REMOVED_WITH_CONTENT: &[&str] = &["script", "style"];

/// Attributes kept on a kept tag.
fn attribute_allowed(tag: &str, attr: &str) -> bool {
    attr == "lang" || (tag == "abbr" && attr == "title")
}

/// Something [`filter`] removed, with its byte range in the fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// A tag that is not allowed (named in lower case).
    Tag(String, Range<usize>),
    /// `script` or `style` with what is inside.
    WithContent(String, Range<usize>),
    /// An attribute of a kept tag: (tag, attribute).
    Attribute(String, String, Range<usize>),
}

/// The result of filtering one fragment.
#[derive(Debug, Default)]
pub struct Filtered {
    pub html: String,
    pub removed: Vec<Removed>,
    /// Kept container tags opened minus closed (for the nesting limit).
    pub depth_change: isize,
    /// The deepest this fragment nests kept tags, counted from its start.
    pub max_depth: isize,
}

/// Keeps only the allowlisted tags and attributes of a raw HTML fragment. HTML
/// comments, doctypes and processing instructions are dropped silently.
pub fn filter(fragment: &str) -> Filtered {
    let b = fragment.as_bytes();
    let mut out = Filtered {
        html: String::with_capacity(fragment.len()),
        ..Filtered::default()
    };
    let mut depth = 0isize;
    let mut i = 0usize;
    let mut text_start = 0usize;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        out.html.push_str(&fragment[text_start..i]);
        let start = i;
        let next = b.get(i + 1).copied();
        match next {
            Some(b'!') if fragment[i..].starts_with("<!--") => {
                i = find_from(fragment, i + 4, "-->").map_or(b.len(), |e| e + 3);
            }
            Some(b'!') if fragment[i..].starts_with("<![CDATA[") => {
                i = find_from(fragment, i + 9, "]]>").map_or(b.len(), |e| e + 3);
            }
            Some(b'!' | b'?') => {
                i = find_from(fragment, i + 2, ">").map_or(b.len(), |e| e + 1);
            }
            Some(b'/') if b.get(i + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let tag = parse_tag(fragment, i + 2);
                i = tag.end;
                let name = tag.name.as_str();
                if !tag.complete {
                    // Cut off: a browser drops an unfinished tag too.
                } else if ALLOWED_TAGS.contains(&name) {
                    if name != "br" {
                        out.html.push_str("</");
                        out.html.push_str(name);
                        out.html.push('>');
                        depth -= 1;
                    } else {
                        // `</br>` is read as `<br>` by browsers.
                        out.html.push_str("<br>");
                    }
                } else if REMOVED_WITH_CONTENT.contains(&name) {
                    out.html.push_str("</");
                    out.html.push_str(name);
                    out.html.push('>');
                }
                // Other end tags go silently: their start tags are reported.
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let tag = parse_tag(fragment, i + 1);
                i = tag.end;
                let name = tag.name.as_str();
                if !tag.complete {
                    out.removed.push(Removed::Tag(name.to_string(), start..i));
                } else if REMOVED_WITH_CONTENT.contains(&name) {
                    match find_close(fragment, i, name) {
                        Some(end) => {
                            i = end;
                            out.removed
                                .push(Removed::WithContent(name.to_string(), start..i));
                        }
                        None => {
                            // The content continues outside this fragment: keep the bare
                            // tag for the sanitiser, which removes it with its content.
                            out.html.push('<');
                            out.html.push_str(name);
                            out.html.push('>');
                            out.removed
                                .push(Removed::WithContent(name.to_string(), start..i));
                        }
                    }
                } else if ALLOWED_TAGS.contains(&name) {
                    out.html.push('<');
                    out.html.push_str(name);
                    for a in &tag.attrs {
                        if attribute_allowed(name, &a.name) {
                            out.html.push(' ');
                            out.html.push_str(&a.name);
                            out.html.push_str("=\"");
                            push_attr_value(&mut out.html, &a.value);
                            out.html.push('"');
                        } else {
                            out.removed.push(Removed::Attribute(
                                name.to_string(),
                                a.name.clone(),
                                a.range.clone(),
                            ));
                        }
                    }
                    out.html.push('>');
                    if name != "br" && !tag.self_closing {
                        depth += 1;
                        out.max_depth = out.max_depth.max(depth);
                    } else if name != "br" {
                        // `<span/>` is an open tag in HTML: close it at once.
                        out.html.push_str("</");
                        out.html.push_str(name);
                        out.html.push('>');
                    }
                } else {
                    out.removed.push(Removed::Tag(name.to_string(), start..i));
                }
            }
            _ => {
                // A `<` that starts no tag is text.
                out.html.push_str("&lt;");
                i += 1;
            }
        }
        text_start = i;
    }
    out.html.push_str(&fragment[text_start.min(b.len())..]);
    out.depth_change = depth;
    out
}

struct Attr {
    name: String,
    value: String,
    range: Range<usize>,
}

struct Tag {
    /// Lower-case.
    name: String,
    attrs: Vec<Attr>,
    self_closing: bool,
    /// Ended by `>` (rather than by the end of the fragment).
    complete: bool,
    /// Byte after the tag.
    end: usize,
}

/// Tokenizes a tag from its name at `i` to its `>`, following the HTML tokenizer's
/// rules for names, attributes and quoting.
fn parse_tag(s: &str, mut i: usize) -> Tag {
    let b = s.as_bytes();
    let name_start = i;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() {
            return Tag {
                name,
                attrs,
                self_closing,
                complete: false,
                end: b.len(),
            };
        }
        if b[i] == b'>' {
            return Tag {
                name,
                attrs,
                self_closing,
                complete: true,
                end: i + 1,
            };
        }
        self_closing = false;
        // An attribute name: its first character may be `=`.
        let attr_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr_name = s[attr_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        let mut value = String::new();
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let v_start = j + 1;
                    let v_end = s[v_start..]
                        .find(q as char)
                        .map_or(b.len(), |e| v_start + e);
                    value = s[v_start..v_end].to_string();
                    j = (v_end + 1).min(b.len());
                }
                _ => {
                    let v_start = j;
                    while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                    value = s[v_start..j].to_string();
                }
            }
            i = j;
        }
        if !attrs.iter().any(|a: &Attr| a.name == attr_name) {
            attrs.push(Attr {
                name: attr_name,
                value,
                range: attr_start..i,
            });
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn find_from(s: &str, from: usize, needle: &str) -> Option<usize> {
    s.get(from..)?.find(needle).map(|p| from + p)
}

/// The byte after `</name …>` (ASCII case-insensitive), searching from `from`.
fn find_close(s: &str, from: usize, name: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while let Some(p) = find_from(s, i, "</") {
        let n = p + 2;
        let matches_name = b.len() >= n + name.len()
            && b[n..n + name.len()].eq_ignore_ascii_case(name.as_bytes())
            && b.get(n + name.len())
                .is_none_or(|&c| is_space(c) || c == b'>' || c == b'/');
        if matches_name {
            return Some(find_from(s, n, ">").map_or(b.len(), |e| e + 1));
        }
        i = n;
    }
    None
}

/// Writes an attribute value inside double quotes. Character references are left as
/// they are (the sanitiser reads them); quotes and angle brackets are escaped.
fn push_attr_value(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> String {
        filter(s).html
    }

    #[test]
    fn keeps_the_allowlist() {
        assert_eq!(
            html("<span lang=\"en\">Code</span>"),
            "<span lang=\"en\">Code</span>"
        );
        assert_eq!(
            html("<ABBR TITLE='Etisk handel Norge'>EHN</ABBR>"),
            "<abbr title=\"Etisk handel Norge\">EHN</abbr>"
        );
        assert_eq!(html("a<br/>b</br>"), "a<br>b<br>");
        assert_eq!(html("H<sub>2</sub>O"), "H<sub>2</sub>O");
    }

    #[test]
    fn removes_other_tags_and_attributes() {
        let f = filter("<span lang=en onclick=\"alert(1)\" class=skip-link id=x>a</span>");
        assert_eq!(f.html, "<span lang=\"en\">a</span>");
        let attrs: Vec<_> = f
            .removed
            .iter()
            .filter_map(|r| match r {
                Removed::Attribute(_, a, _) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(attrs, ["onclick", "class", "id"]);
        let f = filter("<img src=x onerror=alert(1)><a href=\"javascript:x\">y</a>");
        assert_eq!(f.html, "y");
        // End tags go silently: the start tag was reported.
        assert_eq!(f.removed.len(), 2);
        assert_eq!(
            filter("<b>fet</b>").removed[0],
            Removed::Tag("b".into(), 0..3)
        );
    }

    #[test]
    fn script_and_style_go_with_their_content() {
        assert_eq!(html("a<script>alert(1)</script>b"), "ab");
        assert_eq!(html("a<STYLE>p{}</style >b"), "ab");
        assert_eq!(html("<script type=x>"), "<script>");
        assert_eq!(html("</script>"), "</script>");
        assert_eq!(html("<script>if (a<b) x()</SCRIPT>"), "");
    }

    #[test]
    fn comments_and_declarations_are_dropped() {
        assert_eq!(html("a<!-- <script>x</script> -->b"), "ab");
        assert_eq!(html("<!doctype html><?xml x?>c"), "c");
        assert_eq!(html("<![CDATA[<img src=x>]]>d"), "d");
        assert_eq!(html("a<!-- never closed <b>"), "a");
    }

    #[test]
    fn quoting_tricks_stay_inside_attributes() {
        // The `>` inside the quoted value does not end the tag.
        assert_eq!(
            html("<span title='a>b' lang=\"x\"onmouseover=y>t</span>"),
            "<span lang=\"x\">t</span>"
        );
        assert_eq!(
            html("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"),
            ""
        );
        assert_eq!(
            html("<span lang='\"><script>alert(1)</script>'>"),
            "<span lang=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"
        );
        assert_eq!(html("<svg><style><img src=x onerror=alert(1)></style>"), "");
        assert_eq!(html("a < b <3 <<"), "a &lt; b &lt;3 &lt;&lt;");
        // An unfinished tag is dropped.
        assert_eq!(html("x <span lang=en"), "x ");
    }

    #[test]
    fn counts_nesting() {
        let f = filter("<div lang=en><span>a<br></span><div>");
        assert_eq!(f.depth_change, 2);
        assert_eq!(f.max_depth, 2);
        assert_eq!(filter("<span/>").html, "<span></span>");
    }
}
