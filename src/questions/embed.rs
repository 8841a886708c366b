//! An answer embedded from its report's HTML into a page that holds many: its ids
//! (and the links and labels that point at them) get a prefix, and its sub-headings
//! move to the levels under the member's heading.

use std::collections::HashSet;
use std::fmt::Write;

use crate::html::escape;
use crate::html::scan::{Tag, tags};

/// Prepares an answer's HTML for a page that holds many: ids, fragment links and
/// `aria-labelledby` get `prefix`, and headings move so the highest becomes `top`.
/// A fragment link whose target is not in the answer (a footnote defined elsewhere in
/// the report) leads to that place in the report at `report_url`.
/// Scroll regions (wide tables) are named after their member too, `owner` being the id
/// and text of the member's heading on the page: many members' tables share captions.
pub(super) fn embed(
    html: &str,
    prefix: &str,
    top: u8,
    report_url: &str,
    owner: (&str, &str),
) -> String {
    let (ids, highest) = ids_and_highest(html);
    let shift = i16::from(highest.unwrap_or(top)) - i16::from(top);
    let level = |l: u8| (i16::from(l) - shift).clamp(i16::from(top), 6);
    let embedding = Embedding {
        ids: &ids,
        prefix,
        report_url,
        owner,
    };
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut last = 0;
    // (attribute index, new value) for the tag at hand.
    let mut changes: Vec<(usize, String)> = Vec::new();
    tags(html, |t: &Tag| {
        let heading = heading_level(t.name);
        if t.end {
            if let Some(l) = heading {
                out.push_str(&html[last..t.span.start]);
                let _ = write!(out, "</h{}>", level(l));
                last = t.span.end;
            }
            return;
        }
        changes.clear();
        embedding.changes(t, &mut changes);
        if changes.is_empty() && heading.is_none() {
            return;
        }
        out.push_str(&html[last..t.span.start]);
        write_start_tag(&mut out, html, t, heading.map(level), &changes);
        last = t.span.end;
    });
    out.push_str(&html[last..]);
    out
}

/// The answer's ids and its highest heading level.
fn ids_and_highest(html: &str) -> (HashSet<&str>, Option<u8>) {
    let mut ids: HashSet<&str> = HashSet::new();
    let mut highest = None::<u8>;
    tags(html, |t| {
        if t.end {
            return;
        }
        if let Some(id) = t.attr("id") {
            ids.insert(id);
        }
        if let Some(l) = heading_level(t.name) {
            highest = Some(highest.map_or(l, |h| h.min(l)));
        }
    });
    (ids, highest)
}

/// What an answer's attributes become on the page that holds it.
struct Embedding<'a> {
    /// The answer's own ids.
    ids: &'a HashSet<&'a str>,
    prefix: &'a str,
    report_url: &'a str,
    /// The id and text of the member's heading on the page.
    owner: (&'a str, &'a str),
}

impl Embedding<'_> {
    /// The attributes of start tag `t` that change, by index, with their new values.
    fn changes(&self, t: &Tag, changes: &mut Vec<(usize, String)>) {
        let region = t.attr("role") == Some("region");
        for (k, a) in t.attrs.iter().enumerate() {
            let (name, value) = (a.name, a.value);
            let new = if name.eq_ignore_ascii_case("id") {
                Some(format!("{}{value}", self.prefix))
            } else if name.eq_ignore_ascii_case("href") && t.is("a") {
                self.href(value)
            } else if name.eq_ignore_ascii_case("src") && t.is("img") {
                relative(self.report_url, value)
            } else if name.eq_ignore_ascii_case("aria-labelledby") {
                Some(self.labelledby(value, region))
            } else if name.eq_ignore_ascii_case("aria-label") && region {
                Some(format!("{}: {value}", escape(self.owner.1)))
            } else {
                None
            };
            if let Some(v) = new {
                changes.push((k, v));
            }
        }
    }

    /// A link: to an id of the answer, prefixed; to another place in the report, to
    /// the report; a relative path, made absolute.
    fn href(&self, value: &str) -> Option<String> {
        let Some(target) = value.strip_prefix('#') else {
            return relative(self.report_url, value);
        };
        Some(if self.ids.contains(target) {
            format!("#{}{target}", self.prefix)
        } else {
            format!("{}{value}", self.report_url)
        })
    }

    /// `aria-labelledby`'s ids prefixed; a scroll region is labelled by its member's
    /// heading first.
    fn labelledby(&self, value: &str, region: bool) -> String {
        let mut v = String::new();
        if region {
            v.push_str(self.owner.0);
        }
        for id in value.split_whitespace() {
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(self.prefix);
            v.push_str(id);
        }
        v
    }
}

/// Start tag `t` written again: as `h<level>` when it is a heading that moved, with
/// the changed attributes' new values; the rest as written.
fn write_start_tag(
    out: &mut String,
    html: &str,
    t: &Tag,
    level: Option<i16>,
    changes: &[(usize, String)],
) {
    out.push('<');
    match level {
        Some(l) => {
            let _ = write!(out, "h{l}");
        }
        None => out.push_str(t.name),
    }
    let mut at = t.span.start + 1 + t.name.len();
    for (k, v) in changes {
        let raw = &t.attrs[*k].raw;
        out.push_str(&html[at..raw.start]);
        out.push_str("=\"");
        out.push_str(v);
        out.push('"');
        at = raw.end;
    }
    out.push_str(&html[at..t.span.end]);
}

/// `h1` … `h6` → 1 … 6.
fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h' | b'H', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// A path relative to the report page, made absolute (it would break on this page);
/// `None` for anything else.
fn relative(report_url: &str, url: &str) -> Option<String> {
    if url.starts_with('/') || url.contains(':') {
        return None;
    }
    let (path, frag) = crate::rewrite::resolve(report_url, url);
    Some(match frag {
        Some(f) => format!("{path}#{f}"),
        None => path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_answers_get_prefixed_ids_and_moved_headings() {
        let html = "<p>Tekst<sup class=\"fn-ref\"><a href=\"#fn-1-1\" id=\"fnref-1-1\">1</a></sup><a href=\"#fn-1-1\">x</a><a href=\"#annet\">y</a><a href=\"../2023/#2-a-3\">z</a></p><p id=\"fn-1-1\">Fotnote</p><h5 id=\"risiko\">Risiko</h5><div class=\"table-wrap\" role=\"region\" aria-labelledby=\"tabell-1\"><table><caption id=\"tabell-1\">T</caption></table></div><h6 id=\"x\">X</h6>";
        let out = embed(
            html,
            "alfa-",
            3,
            "/medlemmer/alfa/2024/",
            ("svar-alfa", "Alfa"),
        );
        assert!(
            out.contains("href=\"#alfa-fn-1-1\" id=\"alfa-fnref-1-1\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"/medlemmer/alfa/2024/#annet\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"/medlemmer/alfa/2023/#2-a-3\""),
            "{out}"
        );
        assert!(out.contains("<h3 id=\"alfa-risiko\">Risiko</h3>"), "{out}");
        assert!(out.contains("<h4 id=\"alfa-x\">X</h4>"), "{out}");
        assert!(
            out.contains("aria-labelledby=\"svar-alfa alfa-tabell-1\""),
            "{out}"
        );
        assert!(out.contains("<caption id=\"alfa-tabell-1\">"), "{out}");
    }
}
