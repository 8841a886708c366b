//! Errors and warnings as values, with the file, line and column they come from.
//!
//! Every problem a user can cause is a [`Diagnostic`]. It carries a byte span into the
//! file's text when there is one, so it can be shown like rustc shows its errors (with
//! `annotate-snippets`), and it also serialises to JSON for tools.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the user's files.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem is with the file as a whole.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip)]
    span: Option<Range<usize>>,
    #[serde(skip)]
    source: Option<Arc<str>>,
}

impl Diagnostic {
    /// A problem with a file as a whole (a missing file, an unreadable folder).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            span: None,
            source: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The line of source text the diagnostic points at, if any.
    pub fn source_line(&self) -> Option<&str> {
        let src = self.source.as_deref()?;
        if self.line == 0 {
            return None;
        }
        src.lines().nth(self.line - 1)
    }

    /// Renders the diagnostic like rustc does, with a snippet and a caret.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = self.file.display().to_string();
        let title = level.primary_title(self.message.as_str());
        let mut report: Vec<Group> = Vec::new();
        let group = match (&self.source, &self.span) {
            (Some(src), Some(span)) => {
                let span = clamp_span(src, span.clone());
                title.element(
                    Snippet::source(src.as_ref())
                        .path(path.as_str())
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(span)),
                )
            }
            _ => {
                let mut origin = annotate_snippets::Origin::path(path.as_str());
                if self.line > 0 {
                    origin = origin.line(self.line).char_column(self.column);
                }
                title.element(origin)
            }
        };
        report.push(group);
        if let Some(help) = &self.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        renderer.render(&report).to_string()
    }
}

fn clamp_span(src: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

impl fmt::Display for Diagnostic {
    /// The one-line form: `file:line:column: error: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {kind}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {kind}: {}", self.file.display(), self.message)
        }
    }
}

/// The text of one user file, to point diagnostics into.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// A diagnostic pointing at a byte span of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let mut span = clamp_span(&self.text, span);
        // A block's span ends after its newline; point at the text only.
        while span.end > span.start + 1 && self.text.as_bytes()[span.end - 1].is_ascii_whitespace()
        {
            span.end -= 1;
        }
        let (line, column) = line_col(&self.text, span.start);
        Diagnostic {
            severity: Severity::Error,
            file: self.path.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            span: Some(span),
            source: Some(self.text.clone()),
        }
    }

    /// A diagnostic about the file as a whole.
    pub fn whole(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::file(self.path.clone(), message)
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Reads a user file as UTF-8; invalid UTF-8 is a diagnostic at the first bad byte.
pub fn read_text(path: &Path, shown: &Path) -> Result<Source, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::file(shown, format!("cannot read the file: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(shown, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let (line, column) = line_col(&prefix, valid);
            let mut d = Diagnostic::file(shown, "the file is not valid UTF-8")
                .with_help("save the file with UTF-8 encoding (most editors offer this under \"Save as\" or \"Encoding\")");
            d.line = line;
            d.column = column;
            Err(d)
        }
    }
}

/// The closest of `candidates` to `word`, if it is close enough to suggest.
pub fn did_you_mean<'a>(
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
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    source: &Source,
    text: &str,
    offset: usize,
    known_keys: &[&str],
) -> Result<T, Diagnostic> {
    toml::from_str::<T>(text).map_err(|e| {
        let span = e
            .span()
            .map(|s| s.start + offset..s.end + offset)
            .unwrap_or(offset..offset);
        let message = e.message().trim().to_string();
        let mut d = source.error(span, first_line(&message));
        if let Some(unknown) = unknown_field(&message) {
            d.message = format!("unknown key `{unknown}`");
            d.help = Some(match did_you_mean(unknown, known_keys.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys allowed here are: {}", known_keys.join(", ")),
            });
        } else if message.contains("missing field") {
            d.help = Some("add the missing key".into());
        } else {
            d.help = Some("see docs/content-format.md for the expected keys and types".into());
        }
        d
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\nøyc", 5), (2, 2));
        assert_eq!(line_col("abc", 0), (1, 1));
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(did_you_mean("yaer", ["year", "title"]), Some("year"));
        assert_eq!(did_you_mean("zzz", ["year", "title"]), None);
    }

    #[test]
    fn renders_with_file_line_and_caret() {
        let src = Source::new("content/x.md", "+++\nyaer = 2024\n+++\n");
        let d = src
            .error(4..8, "unknown key `yaer`")
            .with_help("did you mean `year`?");
        let out = d.render(false);
        assert!(out.contains("content/x.md:2:1"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("did you mean `year`?"), "{out}");
        assert_eq!(d.to_string(), "content/x.md:2:1: error: unknown key `yaer`");
    }
}
