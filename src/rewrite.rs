//! Rewrites that belong on the finished HTML, done with lol_html in one streaming pass
//! per page: external links are marked (`rel="external"`), and the page's ids and
//! internal link targets are collected for the link check.

use std::cell::RefCell;

use lol_html::{RewriteStrSettings, element, rewrite_str};

/// What a page links to and which ids it has.
#[derive(Debug, Default, Clone)]
pub struct PageLinks {
    pub ids: Vec<String>,
    /// `href` values of links to this site (paths and fragments), as written.
    pub hrefs: Vec<String>,
}

/// Rewrites one HTML page and collects its links.
pub fn rewrite_page(html: &str) -> Result<(String, PageLinks), String> {
    let links = RefCell::new(PageLinks::default());
    let out = rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("[id]", |el| {
                if let Some(id) = el.get_attribute("id") {
                    links.borrow_mut().ids.push(id);
                }
                Ok(())
            }))
            .append_element_content_handler(element!("a[href], link[href]", |el| {
                let href = decode_entities(&el.get_attribute("href").unwrap_or_default());
                if is_external(&href) {
                    if el.tag_name() == "a" && el.get_attribute("rel").is_none() {
                        el.set_attribute("rel", "external")?;
                    }
                } else if !href.starts_with("mailto:") && !href.starts_with("tel:") {
                    links.borrow_mut().hrefs.push(href);
                }
                Ok(())
            }))
            .append_element_content_handler(element!("img[src], script[src]", |el| {
                let src = decode_entities(&el.get_attribute("src").unwrap_or_default());
                if !is_external(&src) && !src.starts_with("data:") {
                    links.borrow_mut().hrefs.push(src);
                }
                Ok(())
            })),
    )
    .map_err(|e| e.to_string())?;
    Ok((out, links.into_inner()))
}

/// Decodes the character references that can appear in an attribute value we wrote.
fn decode_entities(s: &str) -> String {
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

/// The links of every HTML page among `files` (already rewritten pages).
pub fn collect_links(
    files: &[crate::render::OutFile],
) -> std::collections::HashMap<String, PageLinks> {
    use rayon::prelude::*;
    files
        .par_iter()
        .filter(|f| f.path.ends_with(".html"))
        .filter_map(|f| {
            let html = std::str::from_utf8(&f.bytes).ok()?;
            rewrite_page(html).ok().map(|(_, l)| (f.path.clone(), l))
        })
        .collect()
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
    if (joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..")) && out != "/" {
        out.push('/');
    }
    (out, frag)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(out.contains("rel=\"external\""));
        assert_eq!(links.hrefs, ["/a/#b"]);
        assert_eq!(links.ids, ["c"]);
    }
}
