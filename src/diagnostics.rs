//! Errors and warnings as values, with the file, line and column they come from.
//!
//! Every problem a user can cause is a [`Diagnostic`]. It carries a byte span into the
//! file's text when there is one, so it can be shown like rustc shows its errors (with
//! `annotate-snippets`), and it also serialises to JSON for tools.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
                // Only the lines of the span, cut when long: the location line is
                // written here, since the excerpt may start anywhere in a line.
                let (excerpt, first_line, span) = excerpt(src, span, self.line);
                let last_line = first_line + excerpt.matches('\n').count();
                let snippet = Snippet::source(excerpt)
                    .line_start(first_line)
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(span));
                let mut report = vec![title.element(snippet)];
                if let Some(help) = &self.help {
                    report.push(Group::with_title(
                        Level::HELP.secondary_title(help.as_str()),
                    ));
                }
                let out = renderer.render(&report).to_string();
                let arrow = if color {
                    "\x1b[1m\x1b[94m-->\x1b[0m"
                } else {
                    "-->"
                };
                let location = format!(
                    "{}{arrow} {path}:{}:{}\n",
                    " ".repeat(last_line.to_string().len()),
                    self.line,
                    self.column
                );
                return match out.split_once('\n') {
                    Some((head, rest)) => format!("{head}\n{location}{rest}"),
                    None => format!("{out}\n{location}"),
                };
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

/// The longest line shown in a snippet, in characters; longer lines are cut around
/// the problem (rendering a line costs time in its length, and a member's file may be
/// one line of megabytes).
const MAX_SHOWN_LINE: usize = 160;

/// The part of `src` to show for `span`: the lines it covers, each cut to about
/// [`MAX_SHOWN_LINE`] characters around the span. `line` is the span's line when known
/// (0 to count it). Returns the excerpt, the line number of its first line, and the
/// span within it.
fn excerpt(src: &str, span: Range<usize>, line: usize) -> (String, usize, Range<usize>) {
    let line_start = src[..span.start].rfind('\n').map_or(0, |i| i + 1);
    // At most a few lines: `fold` would hide the middle of a long span anyway.
    let mut line_end = span.start;
    let mut lines = 0;
    loop {
        line_end = src[line_end..]
            .find('\n')
            .map_or(src.len(), |i| line_end + i);
        lines += 1;
        if line_end >= span.end || line_end == src.len() || lines == 8 {
            break;
        }
        line_end += 1;
    }
    let first_line = if line > 0 {
        line
    } else {
        src[..line_start].bytes().filter(|&b| b == b'\n').count() + 1
    };
    let mut out = String::new();
    // Where the span starts and ends in the excerpt.
    let (mut new_start, mut new_end) = (usize::MAX, 0);
    let mut pos = line_start;
    for line in src[line_start..line_end].split('\n') {
        let (shown, offset, cut_front) = cut_line(line, span.start.saturating_sub(pos));
        if !out.is_empty() {
            out.push('\n');
        }
        if cut_front {
            out.push('…');
        }
        let base = out.len();
        out.push_str(shown);
        if offset + shown.len() < line.len() {
            out.push('…');
        }
        // Map the span's ends that fall on this line.
        let (a, b) = (pos + offset, pos + offset + shown.len());
        if span.start >= a && span.start <= b {
            new_start = base + (span.start - a);
        }
        if span.end >= a && span.end <= b {
            new_end = base + (span.end - a);
        } else if span.end > b {
            new_end = base + shown.len();
        }
        pos += line.len() + 1;
    }
    if new_start > out.len() {
        new_start = 0;
    }
    new_end = new_end.clamp(new_start, out.len());
    let new_span = new_start..new_end;
    (out, first_line, new_span)
}

/// A window of at most [`MAX_SHOWN_LINE`] characters of `line` that shows byte `at`:
/// (the window, its byte offset in the line, whether the front was cut).
fn cut_line(line: &str, at: usize) -> (&str, usize, bool) {
    if line.chars().count() <= MAX_SHOWN_LINE {
        return (line, 0, false);
    }
    let at = at.min(line.len());
    let mut start = at.saturating_sub(MAX_SHOWN_LINE / 4);
    while !line.is_char_boundary(start) {
        start -= 1;
    }
    let end = line[start..]
        .char_indices()
        .nth(MAX_SHOWN_LINE)
        .map_or(line.len(), |(i, _)| start + i);
    (&line[start..end], start, start > 0)
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

/// How many errors, and how many warnings, one file reports in full. A hostile file
/// could otherwise produce millions of them, each costing a scan of the file.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 100;

/// The errors and warnings of one file, at most [`MAX_DIAGNOSTICS_PER_FILE`] of each;
/// the rest are counted. Diagnostics are built only when they will be kept.
#[derive(Default)]
pub struct FileDiagnostics {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    more_errors: usize,
    more_warnings: usize,
}

impl FileDiagnostics {
    pub fn error(&mut self, make: impl FnOnce() -> Diagnostic) {
        if self.errors.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.errors.push(make());
        } else {
            self.more_errors += 1;
        }
    }

    pub fn warning(&mut self, make: impl FnOnce() -> Diagnostic) {
        if self.warnings.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.warnings.push(make());
        } else {
            self.more_warnings += 1;
        }
    }

    /// Every diagnostic kept, errors first, with a note for those left out.
    pub fn finish(mut self, source: &Source) -> Vec<Diagnostic> {
        if self.more_errors > 0 {
            self.errors.push(
                source
                    .whole(format!("{} more errors in this file", self.more_errors))
                    .with_help("fix the errors above and run aktsom again to see the rest"),
            );
        }
        if self.more_warnings > 0 {
            self.warnings.push(
                source
                    .whole(format!("{} more warnings in this file", self.more_warnings))
                    .with_help("fix the warnings above and run aktsom again to see the rest")
                    .warning(),
            );
        }
        self.errors.append(&mut self.warnings);
        self.errors
    }
}

/// The text of one user file, to point diagnostics into.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Where each line starts, computed on the first diagnostic.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    fn starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        })
    }

    /// The byte range of a 1-based line, without its line break; `None` past the end.
    pub fn line_range(&self, line: usize) -> Option<Range<usize>> {
        let starts = self.starts();
        let start = *starts.get(line.checked_sub(1)?)?;
        let end = starts.get(line).map_or(self.text.len(), |&next| next - 1);
        Some(start..end.max(start))
    }

    /// 1-based line and character column of a byte offset (as [`line_col`], without
    /// reading the file up to the offset each time).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts();
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let column = String::from_utf8_lossy(&self.text.as_bytes()[start..offset])
            .chars()
            .count()
            + 1;
        (line, column)
    }

    /// A diagnostic pointing at a byte span of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
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
    text_from_bytes(bytes, shown)
}

/// A user file's bytes as UTF-8 text; invalid UTF-8 is a diagnostic at the first bad
/// byte.
pub fn text_from_bytes(bytes: Vec<u8>, shown: &Path) -> Result<Source, Diagnostic> {
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
    fn sources_count_lines_like_line_col() {
        let text = "ab\nøyc\n\nd";
        let src = Source::new("x", text);
        for offset in 0..=text.len() + 2 {
            if text.is_char_boundary(offset.min(text.len())) {
                assert_eq!(src.line_col(offset), line_col(text, offset), "{offset}");
            }
        }
    }

    #[test]
    fn line_ranges() {
        let src = Source::new("x", "ab\nøyc\n\nd");
        assert_eq!(src.line_range(1), Some(0..2));
        assert_eq!(src.line_range(2), Some(3..7));
        assert_eq!(src.line_range(3), Some(8..8));
        assert_eq!(src.line_range(4), Some(9..10));
        assert_eq!(src.line_range(5), None);
        assert_eq!(src.line_range(0), None);
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

    #[test]
    fn long_lines_are_cut_around_the_problem() {
        let text = format!("+++\n{}<b>x</b>{}\n", "a".repeat(100_000), "z".repeat(5000));
        let at = text.find("<b>").unwrap();
        let src = Source::new("content/x.md", text.as_str());
        let out = src.error(at..at + 3, "raw HTML <b>").render(false);
        assert!(out.contains("content/x.md:2:100001"), "{out}");
        assert!(out.contains("…aaaa"), "{out}");
        assert!(out.contains("<b>x</b>zzz"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        let code = out.lines().find(|l| l.contains("<b>x</b>")).unwrap();
        assert_eq!(
            caret.find('^').map(|i| caret[..i].chars().count()),
            code.find('<').map(|i| code[..i].chars().count())
        );
    }

    #[test]
    fn snippets_keep_their_line_numbers() {
        let src = Source::new("x.md", "a\nb\nccc ddd\ne\n");
        let out = src.error(8..11, "here").render(false);
        assert!(out.contains("x.md:3:5"), "{out}");
        assert!(out.contains("3 | ccc ddd"), "{out}");
        assert!(out.contains("^^^"), "{out}");
    }
}
