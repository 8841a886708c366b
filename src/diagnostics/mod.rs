//! Errors and warnings as values, with the file, line and column they come from.
//!
//! Every problem a user can cause is a [`Diagnostic`]. It carries a byte span into the
//! file's text when there is one, so it can be shown like rustc shows its errors (with
//! `annotate-snippets`), and it also serialises to JSON for tools.

mod files;
mod keys;
mod limits;
mod render;
mod source;
#[cfg(test)]
mod tests;

pub use files::text_from_bytes;
pub(crate) use files::{list_dir, read_text, regular_file, unreadable};
pub(crate) use keys::{did_you_mean, parse_toml, toml_error, unknown_key};
pub(crate) use limits::{FileDiagnostics, cap_per_file, sort};
pub(crate) use source::LineIndex;
pub(crate) use source::Source;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
/// How bad a problem is: an error stops the build, a warning does not.
pub(crate) enum Severity {
    /// The site cannot be built until it is fixed.
    Error,
    /// The site builds; something is worth fixing.
    Warning,
}

/// One problem found in the user's files.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub(crate) severity: Severity,
    /// The file, relative to the site root where possible.
    pub(crate) file: PathBuf,
    /// 1-based line; 0 when the problem is with the file as a whole.
    pub(crate) line: usize,
    /// 1-based column, counted in characters.
    pub(crate) column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) help: Option<String>,
    /// What this problem kept from being checked, when anything (the text of a report
    /// whose front matter cannot be read). Boxed, as the snippet is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<Box<str>>,
    /// The file's text and the byte span in it, to show the line with a caret (boxed:
    /// a diagnostic travels in every `Result` of the pipeline, so it is kept small).
    #[serde(skip)]
    snippet: Option<Box<(Arc<str>, Range<usize>)>>,
    /// For a note that stands for diagnostics left out ([`MAX_DIAGNOSTICS_PER_FILE`](limits::MAX_DIAGNOSTICS_PER_FILE)):
    /// how many; 0 for every other diagnostic.
    #[serde(skip)]
    omitted: u32,
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
            note: None,
            snippet: None,
            omitted: 0,
        }
    }

    /// The note that `n` more diagnostics of `severity` in `file` were left out.
    fn more(file: PathBuf, severity: Severity, n: usize) -> Self {
        let (what, fix) = match severity {
            Severity::Error => ("errors", "errors"),
            Severity::Warning => ("warnings", "warnings"),
        };
        let mut d = Diagnostic::file(file, format!("{n} more {what} in this file")).with_help(
            format!("fix the {fix} above and run aktsom again to see the rest"),
        );
        d.severity = severity;
        d.omitted = u32::try_from(n).unwrap_or(u32::MAX);
        d
    }

    /// The diagnostic with `help`: what to do about it.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic with a note on what the problem kept from being checked.
    pub(crate) fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into().into_boxed_str());
        self
    }

    /// The diagnostic as a warning.
    pub(crate) fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// How many problems this diagnostic stands for: 1, or for the note on those left
    /// out of a file ([`MAX_DIAGNOSTICS_PER_FILE`](limits::MAX_DIAGNOSTICS_PER_FILE)), how many it counts.
    pub fn count(&self) -> usize {
        if self.omitted > 0 {
            self.omitted as usize
        } else {
            1
        }
    }

    /// The line of source text the diagnostic points at, if any.
    pub(crate) fn source_line(&self) -> Option<&str> {
        let src = self.snippet.as_deref().map(|(src, _)| &**src)?;
        if self.line == 0 {
            return None;
        }
        src.lines().nth(self.line - 1)
    }
}
