//! Request paths to files of the output folder ([`resolve`]: never outside it, never
//! through a link leading out) and their content types.

use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Splits a request target into its path and query; drops a fragment.
pub(super) fn split_url(url: &str) -> (&str, Option<&str>) {
    let url = url.split('#').next().unwrap_or("");
    match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    }
}

/// Where a URL path leads inside the output folder.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
    /// Traversal, encoded separators, NUL bytes, invalid UTF-8: refused with 400.
    Bad,
}

/// Characters percent-encoded in a path segment of a redirect.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\');

/// Maps a URL path to a file under `out` (canonical). Only files whose real path (after
/// following symlinks) is inside `out` are served.
pub(crate) fn resolve(out: &Path, path: &str) -> Resolved {
    if !path.starts_with('/') {
        return Resolved::Bad;
    }
    let lower = path.to_ascii_lowercase();
    // Encoded slashes, backslashes and NUL would change the meaning after decoding.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Resolved::Bad;
    }
    let decoded = match percent_decode_str(path).decode_utf8() {
        Ok(d) => d.into_owned(),
        Err(_) => return Resolved::Bad,
    };
    if decoded.contains(['\0', '\\']) {
        return Resolved::Bad;
    }
    let dir_url = decoded.ends_with('/');
    let inner = decoded[1..].strip_suffix('/').unwrap_or(&decoded[1..]);
    let segments: Vec<&str> = if inner.is_empty() {
        Vec::new()
    } else {
        inner.split('/').collect()
    };
    let mut file = out.to_path_buf();
    for s in &segments {
        // A drive letter (`C:`) would replace the path on Windows.
        if s.is_empty() || *s == "." || *s == ".." || (cfg!(windows) && s.contains(':')) {
            return Resolved::Bad;
        }
        if s.starts_with('.') {
            return Resolved::NotFound;
        }
        file.push(s);
    }
    let Ok(real) = file.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(out) {
        return Resolved::NotFound;
    }
    if real.is_dir() {
        if !dir_url {
            let mut location = String::from("/");
            for s in &segments {
                location.extend(utf8_percent_encode(s, SEGMENT));
                location.push('/');
            }
            return Resolved::Redirect(location);
        }
        return match real.join(crate::routes::INDEX).canonicalize() {
            Ok(index) if index.starts_with(out) && index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if dir_url || !real.is_file() {
        return Resolved::NotFound;
    }
    Resolved::File(real)
}

/// The Content-Type of a file from its name.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "atom.xml" {
        return "application/atom+xml; charset=utf-8";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        // The answers as open data: data/svar/<year>.csv.gz, downloaded as it is.
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}
