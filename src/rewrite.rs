//! Reading the finished HTML: one fast scan per page (`html::scan::tags`)
//! marks external links (`rel="external"`) and collects the page's ids and internal
//! link targets for the link check; [`resolve`] reads those targets as the link check
//! needs them.

use rustc_hash::FxHashSet;

use crate::html::decode_entities;
use crate::html::scan::tags;

/// What a page links to and which ids it has.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PageLinks {
    pub(crate) ids: Vec<String>,
    /// `href` values of links to this site (paths and fragments), as written (character
    /// references decoded), each once.
    pub(crate) hrefs: Vec<String>,
}

/// What every sink does with a finished file on its way out (the publishing
/// [`crate::output::Emitter`] and the preview's disk sink alike): an HTML page is
/// scanned once by [`scan_page`], patched in place when it has to change, and its links
/// returned for the link check; any other file passes as it is (`None`).
pub(crate) fn page_on_its_way_out(
    file: &mut crate::render::OutFile,
) -> Result<Option<PageLinks>, crate::diagnostics::Diagnostic> {
    if !file.path.ends_with(".html") {
        return Ok(None);
    }
    let html = simdutf8::basic::from_utf8(&file.bytes).map_err(|_| {
        crate::diagnostics::Diagnostic::file(&file.path, "cannot rewrite the page: it is not UTF-8")
    })?;
    let (patched, links) = scan_page(html);
    if let Some(p) = patched {
        file.bytes = p.into_bytes();
    }
    Ok(Some(links))
}

/// Marks external links and collects the page's links: the page again when it had to
/// change (`rel="external"` added to an external link without `rel`), or `None`.
pub(crate) fn scan_page(html: &str) -> (Option<String>, PageLinks) {
    let mut links = PageLinks::default();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut patches: Vec<usize> = Vec::new();
    tags(html, |tag| {
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
    let marked = (!patches.is_empty()).then(|| mark_external(html, &patches));
    (marked, links)
}

/// The page with ` rel="external"` written at each offset of `at` (in order).
fn mark_external(html: &str, at: &[usize]) -> String {
    const REL: &str = " rel=\"external\"";
    let mut out = String::with_capacity(html.len() + at.len() * REL.len());
    let mut last = 0;
    for &p in at {
        out.push_str(&html[last..p]);
        out.push_str(REL);
        last = p;
    }
    out.push_str(&html[last..]);
    out
}

fn is_external(href: &str) -> bool {
    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("//")
}

/// Resolves `href` found on the page at URL path `page` (e.g. `/medlemmer/x/2024/`) to
/// (path, fragment). Query strings are dropped.
pub(crate) fn resolve(page: &str, href: &str) -> (String, Option<String>) {
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

    #[test]
    fn a_page_is_read_only_when_it_is_utf8() {
        let file = |bytes: &[u8]| crate::render::OutFile {
            path: "a/index.html".to_string(),
            bytes: bytes.to_vec(),
        };
        // Long enough to be checked in wide steps, with Norwegian letters throughout.
        let text = "<p id=\"x\">Blåbær, grønn te og ærlige svar.</p>".repeat(40);
        let links = page_on_its_way_out(&mut file(text.as_bytes())).unwrap();
        assert_eq!(links.map(|l| l.ids.len()), Some(40));
        for bad in [
            &b"\xff"[..],
            b"\xc3(",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xe2\x82",
        ] {
            for at in [0, 7, text.len() / 2, text.len()] {
                let mut bytes = text.as_bytes().to_vec();
                bytes.splice(at..at, bad.iter().copied());
                assert!(std::str::from_utf8(&bytes).is_err());
                let e = page_on_its_way_out(&mut file(&bytes)).unwrap_err();
                assert_eq!(e.message, "cannot rewrite the page: it is not UTF-8");
            }
        }
    }

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
            scan_page("<a href=\"https://x.no\">x</a><a href=\"/a/#b\" id=\"c\">y</a>");
        assert_eq!(
            out.as_deref().unwrap_or_default(),
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
}
