//! TOML errors as diagnostics at their place, and suggestions for unknown keys.

use std::ops::Range;

use super::Diagnostic;
use super::source::Source;

/// The closest of `candidates` to `word`, if it is close enough to suggest.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Parses TOML into `T`, turning the parser's error into a diagnostic at the right
/// place of `source`. `offset` is where `text` starts inside the source file.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    source: &Source,
    text: &str,
    offset: usize,
    known_keys: &[&str],
) -> Result<T, Diagnostic> {
    toml::from_str::<T>(text).map_err(|e| toml_error(source, &e, offset, known_keys))
}

/// A TOML error of `text` (found at `offset` in `source`) as a diagnostic, with a
/// suggestion among `known_keys` for an unknown key.
pub(crate) fn toml_error(
    source: &Source,
    e: &toml::de::Error,
    offset: usize,
    known_keys: &[&str],
) -> Diagnostic {
    let span = e
        .span()
        .map(|s| s.start + offset..s.end + offset)
        .unwrap_or(offset..offset);
    let message = e.message().trim().to_string();
    if let Some(unknown) = unknown_field(&message) {
        return unknown_key(source, span, unknown, known_keys);
    }
    let mut d = source.error(span, first_line(&message));
    if message.contains("missing field") {
        d.help = Some("add the missing key".into());
    } else {
        d.help = Some("see docs/content-format.md for the expected keys and types".into());
    }
    d
}

/// The error for the unknown key `key` at `span`, suggesting one of `known_keys`.
pub(crate) fn unknown_key(
    source: &Source,
    span: Range<usize>,
    key: &str,
    known_keys: &[&str],
) -> Diagnostic {
    source
        .error(span, format!("unknown key `{key}`"))
        .with_help(match did_you_mean(key, known_keys.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the keys allowed here are: {}", known_keys.join(", ")),
        })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}
