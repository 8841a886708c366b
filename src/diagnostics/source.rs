//! The text of a user file ([`Source`]) and its one line index ([`LineIndex`]): byte
//! offsets to lines and columns, for diagnostics and for the line numbers of answers.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::render::clamp_span;
use super::{Diagnostic, Severity};

/// The text of one user file, to point diagnostics into.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file, relative to the site root where possible.
    pub(crate) path: PathBuf,
    /// The file's text.
    pub text: Arc<str>,
    /// Where each line starts, computed when first asked for (a diagnostic, the line
    /// numbers of a report's answers) and shared by the clones.
    lines: Arc<OnceLock<LineIndex>>,
}

impl Source {
    /// The text `text` of the file `path`.
    pub(crate) fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    /// The file's line index.
    pub(crate) fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The byte range of a 1-based line, without its line break; `None` past the end.
    pub(crate) fn line_range(&self, line: usize) -> Option<Range<usize>> {
        self.lines().line_range(self.text.len(), line)
    }

    /// 1-based line and character column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    /// A diagnostic pointing at a byte span of this file.
    pub(crate) fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let mut span = clamp_span(&self.text, span);
        // A block's span ends after its newline; point at the text only.
        while span.end > span.start + 1 && self.text.as_bytes()[span.end - 1].is_ascii_whitespace()
        {
            span.end -= 1;
        }
        let (line, column) = self.line_col(span.start);
        Diagnostic {
            severity: Severity::Error,
            file: self.path.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            note: None,
            snippet: Some(Box::new((self.text.clone(), span))),
            omitted: 0,
        }
    }
}

/// Where the lines of a text start: byte offsets to 1-based lines and character columns
/// by binary search. The one line index of the crate: diagnostics and the line numbers
/// of a report's answers (the Markdown renderer) both use it.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// The byte offset of each line's start: 0, then one past each `\n`.
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`'s lines.
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset (an offset on a line break belongs to the line
    /// the break ends).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// 1-based line and character column of a byte offset of `text` (the text the index
    /// was made from); an offset past the end counts as the end.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let column = String::from_utf8_lossy(&text.as_bytes()[start..offset])
            .chars()
            .count()
            + 1;
        (line, column)
    }

    /// The byte range of a 1-based line of a text of `len` bytes, without its line
    /// break; `None` past the end.
    pub(crate) fn line_range(&self, len: usize, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(len, |&next| next - 1);
        Some(start..end.max(start))
    }
}
