//! Raw HTML in member Markdown, cut down to the documented allowlist.
//!
//! Members may write a few HTML tags in their Markdown: `abbr` (with `title`), `span`
//! and `div` (with `lang`), `sup`, `sub` and `br`; `lang` is allowed on all of them.
//! [`Builder::raw_html`] takes each raw HTML fragment (an inline tag, or a whole HTML
//! block), and [`filter`] rewrites it so that only those tags and attributes remain,
//! and reports everything it removes so the member can be warned (once per tag and
//! attribute in a fragment, at the place in the Markdown). Kept tags count towards
//! the nesting limit ([`super::MAX_NESTING`]).
//!
//! The filter reads the fragment with the one tag scanner ([`crate::html::scan`]),
//! which does not have to be a complete HTML parser here: the filter only ever
//! *removes* markup, and the sanitiser (ammonia, in [`super::write`]) still parses the
//! result as a browser would, so whatever the scanner misjudges is still made safe
//! there.
//!
//! `script` and `style` are special: written inside one fragment they are removed with
//! their content here; split over several Markdown events (`<script>` and `</script>`
//! inline, text between) the bare tags are kept for the sanitiser, which removes them
//! with everything between.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::Event;

use super::MAX_NESTING;
use super::builder::Builder;
use crate::html::scan::{Scanner, Tag, Token, find_end_tag};

impl Builder<'_, '_> {
    /// The raw HTML fragment that starts at event `i`, filtered; the index of the next
    /// event.
    pub(super) fn raw_html(&mut self, i: usize) -> usize {
        let (fragment, next) = Fragment::gather(self.events, i);
        let filtered = filter(&fragment.html);
        self.warn_removed(&fragment, &filtered.removed);
        let depth = self.raw_depth + filtered.max_depth.max(0) as usize;
        if depth > MAX_NESTING {
            let cx = self.cx;
            let at = self.events[i].1.start;
            self.found.error(|| {
                cx.source
                    .error(
                        cx.span(&(at..at + 1)),
                        format!("the text is nested more than {MAX_NESTING} levels deep"),
                    )
                    .with_help("HTML tags inside each other: flatten the structure")
            });
        }
        self.raw_depth = (self.raw_depth as isize + filtered.depth_change).max(0) as usize;
        if filtered.html.contains('<') {
            self.raw_html_in.insert(self.current_section);
        }
        self.html(filtered.html);
        next
    }

    /// A warning for each tag and attribute the filter removed, the first time in the
    /// fragment, at its place in the Markdown.
    fn warn_removed(&mut self, fragment: &Fragment, removed: &[Removed]) {
        let mut said: HashSet<String> = HashSet::new();
        for removed in removed {
            let (key, message, help, r) = match removed {
                Removed::Tag(tag, r) => (
                    tag.clone(),
                    format!("raw HTML <{tag}> will be removed"),
                    "write Markdown instead; only abbr, span lang, div lang, sup, sub and br are kept",
                    r,
                ),
                Removed::WithContent(tag, r) => (
                    tag.clone(),
                    format!("raw HTML <{tag}> will be removed with its content"),
                    "scripts and styles are never published; write the text in Markdown",
                    r,
                ),
                Removed::Attribute(tag, attr, r) => (
                    format!("{tag} {attr}"),
                    format!("the attribute `{attr}` of raw HTML <{tag}> will be removed"),
                    "raw HTML keeps only the attribute lang, and title on abbr",
                    r,
                ),
            };
            if said.insert(key) {
                let at = fragment.locate(self.text, r.start)
                    ..fragment.locate(self.text, r.end.saturating_sub(1)) + 1;
                let cx = self.cx;
                self.found.warning(|| {
                    cx.source
                        .error(cx.span(&at), message)
                        .with_help(help)
                        .warning()
                });
            }
        }
    }
}

/// A raw HTML fragment as the Markdown has it: its pieces (one event each: a block's
/// lines come one by one), and together.
struct Fragment<'e> {
    pieces: Vec<(&'e str, Range<usize>)>,
    html: String,
}

impl<'e> Fragment<'e> {
    /// The fragment that starts at event `i`: an inline tag, or a block's lines; and
    /// the index of the event after it.
    fn gather(events: &'e [(Event, Range<usize>)], i: usize) -> (Self, usize) {
        let inline = matches!(events[i].0, Event::InlineHtml(_));
        let mut pieces: Vec<(&str, Range<usize>)> = Vec::new();
        let mut j = i;
        while let Some((e, r)) = events.get(j) {
            match e {
                Event::InlineHtml(h) if j == i => pieces.push((h, r.clone())),
                Event::Html(h) if !inline => pieces.push((h, r.clone())),
                _ => break,
            }
            j += 1;
        }
        let html = pieces.iter().map(|(h, _)| *h).collect();
        (Fragment { pieces, html }, j)
    }

    /// Where byte `o` of the fragment is in the Markdown `text`.
    fn locate(&self, text: &str, o: usize) -> usize {
        let mut at = 0;
        for (h, r) in &self.pieces {
            if o < at + h.len() {
                return if text.get(r.clone()) == Some(*h) {
                    r.start + (o - at)
                } else {
                    r.start
                };
            }
            at += h.len();
        }
        self.pieces.last().map_or(0, |(_, r)| r.end)
    }
}

/// Tags kept from raw HTML.
const ALLOWED_TAGS: &[&str] = &["abbr", "span", "div", "sup", "sub", "br"];

/// Elements removed together with their content.
const REMOVED_WITH_CONTENT: &[&str] = &["script", "style"];

/// Attributes kept on a kept tag.
fn attribute_allowed(tag: &str, attr: &str) -> bool {
    attr == "lang" || (tag == "abbr" && attr == "title")
}

/// Something [`filter`] removed, with its byte range in the fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Removed {
    /// A tag that is not allowed (named in lower case).
    Tag(String, Range<usize>),
    /// `script` or `style` with what is inside.
    WithContent(String, Range<usize>),
    /// An attribute of a kept tag: (tag, attribute).
    Attribute(String, String, Range<usize>),
}

/// The result of filtering one fragment.
#[derive(Debug, Default)]
struct Filtered {
    html: String,
    removed: Vec<Removed>,
    /// Kept container tags opened minus closed (for the nesting limit).
    depth_change: isize,
    /// The deepest this fragment nests kept tags, counted from its start.
    max_depth: isize,
}

/// Keeps only the allowlisted tags and attributes of a raw HTML fragment. HTML
/// comments, doctypes and processing instructions are dropped silently.
fn filter(fragment: &str) -> Filtered {
    let mut f = Filter {
        out: Filtered {
            html: String::with_capacity(fragment.len()),
            ..Filtered::default()
        },
        depth: 0,
    };
    let mut scanner = Scanner::new(fragment);
    while let Some(token) = scanner.next_token() {
        let skip_to = match token {
            Token::Text(r) => {
                f.text(&fragment[r]);
                None
            }
            Token::Other => None,
            Token::Tag(tag) if tag.end => {
                f.end_tag(&tag);
                None
            }
            Token::Tag(tag) => f.start_tag(fragment, &tag),
        };
        if let Some(pos) = skip_to {
            scanner.skip_to(pos);
        }
    }
    f.out.depth_change = f.depth;
    f.out
}

/// A fragment being filtered.
struct Filter {
    out: Filtered,
    /// Kept container tags open at this point (negative when more were closed).
    depth: isize,
}

impl Filter {
    /// Text as it is, but for a `<` that starts no tag.
    fn text(&mut self, text: &str) {
        let mut rest = text;
        while let Some(i) = rest.find('<') {
            self.out.html.push_str(&rest[..i]);
            self.out.html.push_str("&lt;");
            rest = &rest[i + 1..];
        }
        self.out.html.push_str(rest);
    }

    /// Keeps the end tags of kept elements (and of `script` and `style`, for the
    /// sanitiser); others go silently: their start tags are reported.
    fn end_tag(&mut self, tag: &Tag) {
        if !tag.complete {
            // Cut off: a browser drops an unfinished tag too.
            return;
        }
        let name = tag.name.to_ascii_lowercase();
        if name == "br" {
            // `</br>` is read as `<br>` by browsers.
            self.out.html.push_str("<br>");
        } else if ALLOWED_TAGS.contains(&name.as_str()) {
            self.push_end(&name);
            self.depth -= 1;
        } else if REMOVED_WITH_CONTENT.contains(&name.as_str()) {
            self.push_end(&name);
        }
    }

    /// Keeps a start tag of the allowlist, removes others; where to go on reading if
    /// the element was removed with its content.
    fn start_tag(&mut self, fragment: &str, tag: &Tag) -> Option<usize> {
        let name = tag.name.to_ascii_lowercase();
        let span = tag.span.clone();
        if !tag.complete {
            self.out.removed.push(Removed::Tag(name, span));
        } else if REMOVED_WITH_CONTENT.contains(&name.as_str()) {
            match find_end_tag(fragment, span.end, &name) {
                Some(end) => {
                    let whole = span.start..end.end;
                    self.out.removed.push(Removed::WithContent(name, whole));
                    return Some(end.end);
                }
                None => {
                    // The content continues outside this fragment: keep the bare tag
                    // for the sanitiser, which removes it with its content.
                    self.out.html.push('<');
                    self.out.html.push_str(&name);
                    self.out.html.push('>');
                    self.out.removed.push(Removed::WithContent(name, span));
                }
            }
        } else if ALLOWED_TAGS.contains(&name.as_str()) {
            self.kept_tag(&name, tag);
        } else {
            self.out.removed.push(Removed::Tag(name, span));
        }
        None
    }

    /// Writes a kept start tag with its allowed attributes.
    fn kept_tag(&mut self, name: &str, tag: &Tag) {
        let html = &mut self.out.html;
        html.push('<');
        html.push_str(name);
        for (k, a) in tag.attrs.iter().enumerate() {
            // A repeated attribute counts once, the first, as in HTML.
            if tag.attrs[..k]
                .iter()
                .any(|b| b.name.eq_ignore_ascii_case(a.name))
            {
                continue;
            }
            let attr = a.name.to_ascii_lowercase();
            if attribute_allowed(name, &attr) {
                html.push(' ');
                html.push_str(&attr);
                html.push_str("=\"");
                push_attr_value(html, a.value);
                html.push('"');
            } else {
                let removed = Removed::Attribute(name.to_string(), attr, a.span.clone());
                self.out.removed.push(removed);
            }
        }
        html.push('>');
        if name == "br" {
            return;
        }
        if tag.self_closing {
            // `<span/>` is an open tag in HTML: close it at once.
            self.push_end(name);
        } else {
            self.depth += 1;
            self.out.max_depth = self.out.max_depth.max(self.depth);
        }
    }

    fn push_end(&mut self, name: &str) {
        self.out.html.push_str("</");
        self.out.html.push_str(name);
        self.out.html.push('>');
    }
}

/// Writes an attribute value inside double quotes. Not an escaper of text (that is
/// [`crate::html::escape`]): the value is HTML as the member wrote it, so character
/// references are left as they are (the sanitiser reads them); only quotes and angle
/// brackets are escaped.
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
