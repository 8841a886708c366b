//! Links and images: a link keeps only a safe address (http, https, mailto, tel, a
//! path or a fragment), else it is removed with a warning and its text stays; an image
//! must be a file in the member's folder or come over https from a host site.toml
//! allows, else it is an error and its alt text stays in its place.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::MdContext;
use super::builder::Builder;
use super::text::find_end;
use crate::config::Images;

impl<'t> Builder<'_, 't> {
    pub(super) fn link_start(&mut self, ev: &Event<'t>, dest_url: &str, range: &Range<usize>) {
        if url_is_safe(dest_url) {
            self.out.push(ev.clone());
            return;
        }
        let cx = self.cx;
        self.found.warning(|| {
            cx.source
                .error(
                    cx.span(range),
                    format!(
                        "link to `{}` removed: only http, https, mailto, tel and paths are allowed",
                        truncate(dest_url, 60)
                    ),
                )
                .with_help("link to a web address (https://…) or to a page of the site")
                .warning()
        });
        self.skip_link_end += 1;
    }

    pub(super) fn link_end(&mut self, ev: &Event<'t>) {
        if self.skip_link_end > 0 {
            self.skip_link_end -= 1;
        } else {
            self.out.push(ev.clone());
        }
    }

    /// The image whose Start event is at `i`, with its address checked; the index of
    /// the next event.
    pub(super) fn image(&mut self, i: usize) -> usize {
        let events = self.events;
        let (
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }),
            range,
        ) = &events[i]
        else {
            return i + 1;
        };
        let end = find_end(events, i);
        let alt: String = events[i + 1..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let cx = self.cx;
        match image_url(dest_url, cx) {
            Ok(url) => {
                if alt.trim().is_empty() {
                    self.found.warning(|| {
                        cx.source
                            .error(cx.span(range), "image without alt text")
                            .with_help("describe the image between the brackets: ![what the image shows](file.jpg)")
                            .warning()
                    });
                }
                self.out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: CowStr::from(url),
                    title: title.clone(),
                    id: id.clone(),
                }));
                i + 1
            }
            Err((message, help)) => {
                self.found
                    .error(|| cx.source.error(cx.span(range), message).with_help(help));
                // Keep the alt text as plain text in place of the image.
                self.out.push(Event::Text(CowStr::from(alt)));
                end + 1
            }
        }
    }
}

/// True for http(s), mailto and tel addresses, fragments and paths.
pub fn url_is_safe(url: &str) -> bool {
    let url = url.trim();
    // Browsers ignore ASCII tab and newline inside a scheme ("java\tscript:").
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

fn image_url(dest: &str, cx: &MdContext) -> Result<String, (String, String)> {
    let dest = dest.trim();
    if !url_is_safe(dest) {
        return Err((
            format!("image address `{}` is not allowed", truncate(dest, 60)),
            "put the image file in the member's folder and write its file name".into(),
        ));
    }
    if let Some(remote) = remote_image(dest) {
        return match remote {
            Some(url) if cx.image_hosts.allows(&url) => Ok(url.to_string()),
            _ => Err(remote_refused(dest, cx.image_hosts)),
        };
    }
    let name = dest.strip_prefix("./").unwrap_or(dest);
    if name.contains("..") || name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return Err((
            format!(
                "image path `{}` leaves the member's folder",
                truncate(dest, 60)
            ),
            "put the image file in the member's folder and write only its file name".into(),
        ));
    }
    if !cx.images.contains(name) {
        let help =
            match crate::diagnostics::did_you_mean(name, cx.images.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "put the image file in the member's folder (png, jpg, jpeg, gif or webp)".into()
                }
            };
        return Err((
            format!("image file `{}` not found", truncate(name, 60)),
            help,
        ));
    }
    Ok(format!("{}{}", cx.image_prefix, name))
}

/// For an address that leaves the site (`https://…`, `//host/…`, `mailto:…`): the URL,
/// if it is one a browser would load. `None` for a path in the member's folder.
fn remote_image(dest: &str) -> Option<Option<url::Url>> {
    if let Some(rest) = dest.strip_prefix("//") {
        return Some(url::Url::parse(&format!("https://{rest}")).ok());
    }
    // A scheme (`url_is_safe` passed only http, https, mailto and tel): not a path.
    let scheme_end = dest.find([':', '/', '?', '#'])?;
    if dest.as_bytes()[scheme_end] != b':' {
        return None;
    }
    let url = url::Url::parse(dest).ok();
    Some(url.filter(|u| matches!(u.scheme(), "http" | "https")))
}

/// Why an image from another site is refused, and what to do.
fn remote_refused(dest: &str, hosts: &Images) -> (String, String) {
    let message = format!(
        "image from another site `{}`: images must be files in the member's folder",
        truncate(dest, 60)
    );
    let allowed = match hosts.allowed_hosts.as_slice() {
        [] => "site.toml allows none".to_string(),
        list => format!(
            "site.toml allows only https:// addresses on {}",
            list.join(", ")
        ),
    };
    let help = format!(
        "put the image file in the member's folder and write its file name; every reader's browser would fetch an image from another site, so that site could follow who reads the report ({allowed} in [images] allowed_hosts)"
    );
    (message, help)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_urls_are_refused() {
        assert!(!url_is_safe("javascript:alert(1)"));
        assert!(!url_is_safe("JaVaScRiPt:alert(1)"));
        assert!(!url_is_safe("java\tscript:alert(1)"));
        assert!(!url_is_safe("data:text/html,<b>"));
        assert!(!url_is_safe("vbscript:x"));
        assert!(url_is_safe("https://example.no/"));
        assert!(url_is_safe("../2023/#2-a-3"));
        assert!(url_is_safe("mailto:a@b.no"));
        assert!(url_is_safe("side?x=a:b"));
    }
}
