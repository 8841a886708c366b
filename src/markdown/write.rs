//! Writing: pulldown-cmark writes the transformed events as HTML, noting where each
//! top-level section starts; the sections that kept raw HTML tags, and only those, go
//! through the sanitiser (ammonia, with the tags and attributes the transform writes
//! and the raw-HTML allowlist). Characters HTML forbids become U+FFFD as they are
//! written.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::Event;

/// A report's HTML.
pub(super) struct Written {
    pub(super) html: String,
    /// Where the sections' HTML starts: `bounds[0]` is the start of the text before
    /// the first top-level heading, `bounds[k + 1]` the start of section k, and the
    /// last bound the end of the HTML.
    pub(super) bounds: Vec<usize>,
}

/// Writes `out` (the transformed events of `text`) as HTML, with its sections'
/// bounds; `marks` says where each section starts in `out`, `raw_html_in` which
/// sections (0 before the first heading, k + 1 for the k-th) to sanitise.
pub(super) fn html(
    out: Vec<Event>,
    marks: &[(usize, usize)],
    text: &str,
    raw_html_in: &BTreeSet<usize>,
) -> Written {
    let (html, starts) = write_events(out, marks, text);
    let mut bounds: Vec<usize> = Vec::with_capacity(starts.len() + 2);
    bounds.push(0);
    bounds.extend(&starts);
    bounds.push(html.len());
    let html = if raw_html_in.is_empty() {
        html
    } else {
        sanitise(&html, &mut bounds, raw_html_in)
    };
    Written { html, bounds }
}

/// The HTML of the events, and where the event at each mark starts in it.
fn write_events(out: Vec<Event>, marks: &[(usize, usize)], text: &str) -> (String, Vec<usize>) {
    let written = Cell::new(0usize);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    let mut starts: Vec<usize> = Vec::with_capacity(marks.len());
    let mut mark_iter = marks.iter().map(|&(o, _)| o).peekable();
    let events = out.into_iter().enumerate().map(|(k, e)| {
        if mark_iter.peek() == Some(&k) {
            mark_iter.next();
            starts.push(written.get());
        }
        e
    });
    let writer = CountingWriter {
        out: &mut html,
        count: &written,
        // Every character written comes from the text or from this module, or from a
        // numeric character reference: with none of those to fear, no write needs
        // the check.
        check: text.contains("&#") || crate::html::may_have_forbidden(text.as_bytes()),
    };
    // Writing to a String cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(writer, events);
    (html, starts)
}

/// Writes into a String, telling how much it holds (the writer holds the String while
/// the events are read).
struct CountingWriter<'a> {
    out: &'a mut String,
    count: &'a Cell<usize>,
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

/// The HTML with the sections in `raw_html_in` sanitised, and `bounds` moved to match.
fn sanitise(html: &str, bounds: &mut [usize], raw_html_in: &BTreeSet<usize>) -> String {
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
