//! What `serve` adds to HTML pages as it serves them: the live-reload script and, while
//! the last rebuild failed, the error overlay. Files on disk are never changed, and
//! `aktsom build` never sees any of this.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::path::Path;

use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element, rewrite_str};

use super::events::Overlay;
use crate::config::{Lang, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::theme::{Key, Strings, Theme, key};

/// URL prefix reserved for the preview server's own files.
pub(crate) const PREFIX: &str = "/__aktsom/";
pub(crate) const EVENTS: &str = "/__aktsom/events";
pub(crate) const SCRIPT: &str = "/__aktsom/live.js";
pub(crate) const STYLE: &str = "/__aktsom/live.css";

pub(crate) const SCRIPT_SOURCE: &str = include_str!("live.js");
pub(crate) const STYLE_SOURCE: &str = include_str!("live.css");

/// At most this many errors in the overlay; the terminal has them all.
const MAX_SHOWN: usize = 20;

/// The page with the reload script in its head (carrying the build the page belongs to)
/// and the overlay, if any, at the start of its body.
pub(crate) fn inject(html: &str, build_id: &str, overlay: Option<&Overlay>) -> String {
    let tags = format!(
        "<link rel=\"stylesheet\" href=\"{STYLE}\"><script src=\"{SCRIPT}\" data-build=\"{}\" defer></script>",
        escape(build_id)
    );
    let in_head = Cell::new(false);
    let in_body = Cell::new(false);
    let rewritten = rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("head", |el| {
                if !in_head.get() {
                    el.append(&tags, ContentType::Html);
                    in_head.set(true);
                }
                Ok(())
            }))
            .append_element_content_handler(element!("body", |el| {
                if !in_body.get() {
                    if let Some(o) = overlay {
                        el.prepend(&o.html, ContentType::Html);
                    }
                    in_body.set(true);
                }
                Ok(())
            })),
    );
    let mut out = match rewritten {
        Ok(out) => out,
        Err(_) => {
            in_head.set(false);
            in_body.set(false);
            html.to_string()
        }
    };
    // A page without <head> or <body> still gets both, at its start and end.
    if !in_head.get() {
        out.insert_str(0, &tags);
    }
    if let (false, Some(o)) = (in_body.get(), overlay) {
        out.push_str(&o.html);
    }
    out
}

/// The overlay for a failed build: role="alert", each error with its file, line and
/// column, the message, the offending line and what to do. `last_good`: whether an
/// earlier build is still being served.
pub(crate) fn overlay(diags: &[Diagnostic], last_good: bool, t: &Language) -> Overlay {
    let errors: Vec<&Diagnostic> = {
        let e: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
        if e.is_empty() {
            diags.iter().collect()
        } else {
            e
        }
    };
    let mut h = String::new();
    h.push_str(
        "<aside id=\"aktsom-live\" class=\"aktsom-live\" aria-labelledby=\"aktsom-live-title\"",
    );
    let body = overlay_body(&errors, last_good, t);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    let id = format!("{:016x}", hasher.finish());
    h.push_str(&format!(" data-error-id=\"{id}\">"));
    h.push_str(&body);
    h.push_str("</aside>");
    Overlay { id, html: h }
}

/// The overlay's box: what happened and what to do, the errors (at most
/// [`MAX_SHOWN`]), and the button that hides it.
fn overlay_body(errors: &[&Diagnostic], last_good: bool, t: &Language) -> String {
    let n = errors.len();
    let (title, text) = if last_good {
        (
            key!("serve_error_not_updated"),
            key!("serve_error_last_good"),
        )
    } else {
        (key!("serve_error_not_built"), key!("serve_error_fix"))
    };
    let mut h = String::new();
    h.push_str("<div class=\"aktsom-live-box\" role=\"alert\">");
    h.push_str(&format!(
        "<h2 id=\"aktsom-live-title\">{}</h2><p>{}</p>",
        escape(&t.get(title).replace("{n}", &n.to_string())),
        escape(t.get(text))
    ));
    h.push_str("<ol class=\"aktsom-live-errors\">");
    for d in errors.iter().take(MAX_SHOWN) {
        h.push_str("<li>");
        error_item(&mut h, d, t);
        h.push_str("</li>");
    }
    h.push_str("</ol>");
    if n > MAX_SHOWN {
        let more = t.get(key!("serve_error_more"));
        let more = more.replace("{n}", &(n - MAX_SHOWN).to_string());
        h.push_str(&format!("<p>{}</p>", escape(&more)));
    }
    h.push_str(&format!(
        "<button type=\"button\" class=\"aktsom-live-close\">{}</button>",
        escape(t.get(key!("serve_error_hide")))
    ));
    h.push_str("</div>");
    h
}

/// One error of the overlay: where, the message, the offending line with a caret
/// under the column, and the help and note (the messages are English).
fn error_item(h: &mut String, d: &Diagnostic, t: &Language) {
    h.push_str("<p class=\"aktsom-live-where\"><code>");
    h.push_str(&escape(&d.file.display().to_string()));
    h.push_str("</code>");
    if d.line > 0 {
        let at = t
            .get(key!("serve_error_at"))
            .replace("{line}", &d.line.to_string())
            .replace("{column}", &d.column.to_string());
        h.push_str(&format!(", {}", escape(&at)));
    }
    h.push_str("</p>");
    h.push_str("<p class=\"aktsom-live-message\"><span lang=\"en\">");
    h.push_str(&escape(&d.message));
    h.push_str("</span></p>");
    if let Some(line) = d.source_line() {
        let number = d.line.to_string();
        // The caret goes under the column, keeping the line's tabs so it lines up.
        let pad: String = line
            .chars()
            .take(d.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        h.push_str("<pre class=\"aktsom-live-source\"><code>");
        h.push_str(&format!(
            "<span class=\"aktsom-live-lineno\" aria-hidden=\"true\">{number} | </span>"
        ));
        h.push_str(&escape(line));
        h.push_str(&format!(
            "\n<span class=\"aktsom-live-caret\" aria-hidden=\"true\">{} | {pad}^</span>",
            " ".repeat(number.len())
        ));
        h.push_str("</code></pre>");
    }
    for (label, text) in [
        (key!("serve_error_help"), d.help.as_deref()),
        (key!("serve_error_note"), d.note.as_deref()),
    ] {
        if let Some(text) = text {
            h.push_str(&format!(
                "<p class=\"aktsom-live-help\">{} <span lang=\"en\">{}</span></p>",
                escape(t.get(label)),
                escape(text)
            ));
        }
    }
}

/// A page for when the site has no page to show: before the first good build, or a
/// missing page when the build has no 404.html.
pub(crate) fn fallback(t: &Language, title: Key, text: Key) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title} – {preview}</title>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{text}</p>\n</main>\n</body>\n</html>\n",
        lang = t.lang.code(),
        title = escape(t.get(title)),
        preview = escape(t.get(key!("serve_preview"))),
        text = escape(t.get(text))
    )
}

/// The answer, while the first build runs, for a page it has not made yet. The reload
/// script sees the `data-aktsom-building` mark and asks for the page again until it is
/// made (and the build's end reloads it anyway).
pub(crate) fn building(t: &Language) -> String {
    fallback(t, key!("serve_building_title"), key!("serve_building")).replacen(
        "<main>",
        "<main data-aktsom-building>",
        1,
    )
}

/// What the preview server says to the reader, and in which language: the site's (see
/// [`Language::of_site`]).
#[derive(Debug, Clone)]
pub(crate) struct Language {
    pub(crate) lang: Lang,
    pub(crate) strings: Strings,
}

impl Language {
    /// The site's language and interface strings (its theme's table, with the site's
    /// own strings), read from `root`; when they cannot be read (site.toml or a table
    /// has an error, which the build reports), the built-in table of the language, or
    /// Norwegian.
    pub(crate) fn of_site(root: &Path) -> Language {
        let config = SiteConfig::load(root).ok();
        let lang = config.as_ref().map_or(Lang::Nb, |c| c.language);
        let strings = config
            .and_then(|c| Theme::new(root, &c.theme).ok())
            .and_then(|theme| theme.strings(lang).ok())
            .unwrap_or_else(|| Strings::builtin(lang));
        Language { lang, strings }
    }

    /// The text of `key`.
    pub(crate) fn get(&self, key: Key) -> &str {
        self.strings.get(key)
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    crate::html::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Source;

    #[test]
    fn injects_script_into_head_and_overlay_into_body() {
        let o = Overlay {
            id: "x".into(),
            html: "<aside id=\"aktsom-live\"></aside>".into(),
        };
        let out = inject(
            "<!doctype html><html><head><title>t</title></head><body><p>x</p></body></html>",
            "b1",
            Some(&o),
        );
        assert!(
            out.contains("data-build=\"b1\" defer></script></head>"),
            "{out}"
        );
        assert!(out.contains("<body><aside id=\"aktsom-live\"></aside><p>x</p>"));
    }

    #[test]
    fn injects_into_pages_without_head_or_body() {
        let out = inject("<p>x</p>", "b1", None);
        assert!(out.starts_with("<link rel=\"stylesheet\""), "{out}");
        assert!(out.ends_with("<p>x</p>"));
    }

    #[test]
    fn overlay_shows_file_line_column_message_and_line() {
        let src = Source::new("content/x.md", "+++\npublised = <2025>\n+++\n");
        let d = src
            .error(4..12, "unknown key `publised`")
            .with_help("did you mean `published`?");
        let o = overlay(&[d], true, &Language::of_site(Path::new("/no/site")));
        assert!(o.html.contains("role=\"alert\""));
        assert!(
            o.html
                .contains("<code>content/x.md</code>, linje 2, kolonne 1")
        );
        assert!(o.html.contains("unknown key `publised`"));
        assert!(o.html.contains("publised = &lt;2025&gt;"), "{}", o.html);
        assert!(o.html.contains("did you mean `published`?"));
        assert!(!o.html.contains("<2025>"));
    }
}
