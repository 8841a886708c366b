//! Showing a [`Diagnostic`] to people: the snippet with a caret, as rustc shows its errors
//! (through `annotate-snippets`), long lines cut around the problem, and control characters
//! escaped so that a file cannot drive the terminal.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{Diagnostic, Severity};

impl Diagnostic {
    /// Renders the diagnostic like rustc does, with a snippet and a caret. Control
    /// characters and bidirectional overrides in the path, the texts and the snippet
    /// are shown escaped (`\u{1b}`), so that a file name or a line cannot drive the
    /// terminal or disguise what is printed.
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
        let path = escape_controls(&self.file.display().to_string()).into_owned();
        let message = escape_controls(&self.message);
        let help = self.help.as_deref().map(escape_controls);
        let note = self.note.as_deref().map(escape_controls);
        let title = level.primary_title(message.as_ref());
        let mut report: Vec<Group> = Vec::new();
        let group = match self.snippet.as_deref() {
            Some((src, span)) => {
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
                footer(&mut report, help.as_deref(), note.as_deref());
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
            None => {
                let mut origin = annotate_snippets::Origin::path(path.as_str());
                if self.line > 0 {
                    origin = origin.line(self.line).char_column(self.column);
                }
                title.element(origin)
            }
        };
        report.push(group);
        footer(&mut report, help.as_deref(), note.as_deref());
        renderer.render(&report).to_string()
    }
}

/// The help and the note below a rendered diagnostic.
fn footer<'a>(report: &mut Vec<Group<'a>>, help: Option<&'a str>, note: Option<&'a str>) {
    if let Some(help) = help {
        report.push(Group::with_title(Level::HELP.secondary_title(help)));
    }
    if let Some(note) = note {
        report.push(Group::with_title(Level::NOTE.secondary_title(note)));
    }
}

/// Whether `c` is shown escaped in human output: control characters (C0, DEL, C1)
/// and the invisible characters that reorder or hide text (bidirectional marks,
/// embeddings, overrides and isolates).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Appends `c` escaped: `\n`, `\r`, `\t`, or `\u{1b}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            use fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` for a terminal: control characters and bidirectional overrides escaped as
/// `\u{1b}` (`\n`, `\r`, `\t`), without a copy when there are none. Only for human
/// output: `--format json` keeps every text exact.
fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Appends a line of a snippet to `out` with hidden characters escaped (tabs, which
/// the snippet renderer lays out, and a line's closing carriage return are kept), and
/// returns where the byte offsets `marks` of `line` land in `out`.
fn push_shown(out: &mut String, line: &str, marks: [usize; 2]) -> [usize; 2] {
    let mut at = [usize::MAX; 2];
    for (i, c) in line.char_indices() {
        for k in 0..2 {
            if at[k] == usize::MAX && marks[k] <= i {
                at[k] = out.len();
            }
        }
        let closing_cr = c == '\r' && i + 1 == line.len();
        if is_hidden(c) && c != '\t' && !closing_cr {
            push_escaped(out, c);
        } else {
            out.push(c);
        }
    }
    at.map(|a| a.min(out.len()))
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
        // Map the span's ends that fall on this line (an end past it to its end).
        let (a, b) = (pos + offset, pos + offset + shown.len());
        let rel = |x: usize| x.clamp(a, b) - a;
        let [start, end] = push_shown(&mut out, shown, [rel(span.start), rel(span.end)]);
        if offset + shown.len() < line.len() {
            out.push('…');
        }
        if span.start >= a && span.start <= b {
            new_start = start;
        }
        if span.end >= a {
            new_end = end;
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

pub(super) fn clamp_span(src: &str, span: Range<usize>) -> Range<usize> {
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
    /// The one-line form for people: `file:line:column: error: message`, with hidden
    /// characters escaped as in [`Diagnostic::render`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = self.file.display().to_string();
        let (file, message) = (escape_controls(&file), escape_controls(&self.message));
        if self.line > 0 {
            write!(f, "{file}:{}:{}: {kind}: {message}", self.line, self.column)
        } else {
            write!(f, "{file}: {kind}: {message}")
        }
    }
}
