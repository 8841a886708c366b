//! What the fuzz targets share: the small site in `fuzz/site/` they put their inputs
//! into, and the properties every result must have.
//!
//! Beyond "no panic, no hang", the targets check that nothing a member writes reaches
//! a page as something a browser would run: in the member's text only the sanitiser's
//! tags and attributes, on every page no event-handler attribute and no link or source
//! with a scheme other than http, https, mailto and tel.

use std::cell::RefCell;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use aktsom::content::{self, LoadOptions, Site};
use aktsom::diagnostics::Diagnostic;
use aktsom::markdown::url_is_safe;
use lol_html::{RewriteStrSettings, element, rewrite_str};

/// The fuzz site, loaded once (drafts included).
pub static SITE: LazyLock<Mutex<Site>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let site = content::load(&root, &LoadOptions { drafts: true })
        .unwrap_or_else(|e| panic!("the fuzz site does not load: {e:?}"));
    Mutex::new(site)
});

/// Where the input pretends to be.
pub const REPORT_PATH: &str = "content/members/fuzz-medlem/2024.md";

/// Renders every diagnostic as `check` and `build` print them (the coloured form
/// differs only in escape codes).
pub fn render_all(diags: &[Diagnostic]) {
    for d in diags {
        assert!(!d.render(false).is_empty());
        let _ = d.to_string();
    }
}

/// Tags the sanitiser lets through in a report's text.
const BODY_TAGS: &[&str] = &[
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
];

const BODY_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "alt",
    "title",
    "id",
    "class",
    "lang",
    "start",
    "scope",
    "role",
    "tabindex",
    "aria-label",
    "aria-labelledby",
];

/// The member's HTML holds only allowlisted tags and attributes, and safe URLs.
pub fn check_body(html: &str) {
    walk(html, |tag, attrs| {
        assert!(BODY_TAGS.contains(&tag), "tag <{tag}> in the body:\n{html}");
        for (name, value) in attrs {
            assert!(
                BODY_ATTRIBUTES.contains(&name.as_str()),
                "attribute {name} on <{tag}> in the body:\n{html}"
            );
            check_url_attribute(tag, name, value, html);
        }
    });
}

/// A whole page (theme and content): no event handlers, no unsafe URLs.
pub fn check_page(html: &str) {
    walk(html, |tag, attrs| {
        for (name, value) in attrs {
            assert!(
                !name.starts_with("on"),
                "event handler {name} on <{tag}>:\n{html}"
            );
            check_url_attribute(tag, name, value, html);
        }
    });
}

fn check_url_attribute(tag: &str, name: &str, value: &str, html: &str) {
    if !matches!(
        name,
        "href" | "src" | "action" | "formaction" | "xlink:href" | "srcset" | "poster"
    ) {
        return;
    }
    let decoded = decode(value).unwrap_or_else(|| {
        panic!("a character reference in {name}={value:?} on <{tag}> that aktsom does not write:\n{html}")
    });
    assert!(
        url_is_safe(&decoded),
        "unsafe {name}={value:?} on <{tag}>:\n{html}"
    );
}

/// Decodes the character references aktsom's writers produce; any other reference
/// (`&colon;`, `&#58;`, …) is `None`, since it could hide a scheme.
fn decode(v: &str) -> Option<String> {
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (c, len) = [
            ("&amp;", '&'),
            ("&quot;", '"'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
            ("&nbsp;", '\u{a0}'),
        ]
        .iter()
        .find(|(e, _)| rest.starts_with(e))
        .map(|(e, c)| (*c, e.len()))?;
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    Some(out)
}

/// Calls `f` with each element's tag name and attributes, as a browser would parse them.
fn walk(html: &str, mut f: impl FnMut(&str, &[(String, String)])) {
    let seen: RefCell<Vec<(String, Vec<(String, String)>)>> = RefCell::new(Vec::new());
    rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
            let attrs = el
                .attributes()
                .iter()
                .map(|a| (a.name(), a.value()))
                .collect();
            seen.borrow_mut().push((el.tag_name(), attrs));
            Ok(())
        })),
    )
    .expect("lol_html reads the page");
    for (tag, attrs) in seen.into_inner() {
        f(&tag, &attrs);
    }
}
