//! Errors and warnings as values, with the file, line and column they come from.
//!
//! Every problem a user can cause is a [`Diagnostic`]. It carries a byte span into the
//! file's text when there is one, so it can be shown like rustc shows its errors (with
//! `annotate-snippets`), and it also serialises to JSON for tools.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    /// What this problem kept from being checked, when anything (the text of a report
    /// whose front matter cannot be read). Boxed, as the snippet is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Box<str>>,
    /// The file's text and the byte span in it, to show the line with a caret (boxed:
    /// a diagnostic travels in every `Result` of the pipeline, so it is kept small).
    #[serde(skip)]
    snippet: Option<Box<(Arc<str>, Range<usize>)>>,
    /// For a note that stands for diagnostics left out ([`MAX_DIAGNOSTICS_PER_FILE`]):
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

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into().into_boxed_str());
        self
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// How many problems this diagnostic stands for: 1, or for the note on those left
    /// out of a file ([`MAX_DIAGNOSTICS_PER_FILE`]), how many it counts.
    pub fn count(&self) -> usize {
        if self.omitted > 0 {
            self.omitted as usize
        } else {
            1
        }
    }

    /// The line of source text the diagnostic points at, if any.
    pub fn source_line(&self) -> Option<&str> {
        let src = self.snippet.as_deref().map(|(src, _)| &**src)?;
        if self.line == 0 {
            return None;
        }
        src.lines().nth(self.line - 1)
    }

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
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
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
    pub fn finish(self, source: &Source) -> Vec<Diagnostic> {
        self.finish_file(&source.path)
    }

    /// [`FileDiagnostics::finish`], for diagnostics of `file` that has no [`Source`].
    pub fn finish_file(mut self, file: &Path) -> Vec<Diagnostic> {
        if self.more_errors > 0 {
            self.errors.push(Diagnostic::more(
                file.to_path_buf(),
                Severity::Error,
                self.more_errors,
            ));
        }
        if self.more_warnings > 0 {
            self.warnings.push(Diagnostic::more(
                file.to_path_buf(),
                Severity::Warning,
                self.more_warnings,
            ));
        }
        self.errors.append(&mut self.warnings);
        self.errors
    }
}

/// The per-file limit over diagnostics gathered from several stages (front matter,
/// Markdown, links, the analyses of `check`): at most [`MAX_DIAGNOSTICS_PER_FILE`]
/// errors and as many warnings for each file, the first ones in `diags`; the rest are
/// counted in one note per file and severity, together with those that
/// [`FileDiagnostics`] already left out. Stages build diagnostics through
/// [`FileDiagnostics`] so that a hostile file costs little; this is the one rule for
/// what is shown.
pub fn cap_per_file(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept: HashMap<(PathBuf, Severity), usize> = HashMap::new();
    let mut more: BTreeMap<(PathBuf, Severity), usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        if d.omitted > 0 {
            *more.entry((d.file, d.severity)).or_default() += d.omitted as usize;
            continue;
        }
        let shown = kept.entry((d.file.clone(), d.severity)).or_default();
        if *shown < MAX_DIAGNOSTICS_PER_FILE {
            *shown += 1;
            out.push(d);
        } else {
            *more.entry((d.file, d.severity)).or_default() += 1;
        }
    }
    out.extend(
        more.into_iter()
            .map(|((file, severity), n)| Diagnostic::more(file, severity, n)),
    );
    out
}

/// Sorts diagnostics by file, then line and column (errors first on the same spot);
/// the note on those left out comes last in its file.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.omitted > 0, a.line, a.column, a.severity).cmp(&(
            &b.file,
            b.omitted > 0,
            b.line,
            b.column,
            b.severity,
        ))
    });
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
            note: None,
            snippet: Some(Box::new((self.text.clone(), span))),
            omitted: 0,
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

/// The largest text file aktsom reads (Markdown and TOML; a long report is about
/// 100 KB).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

const MIB: f64 = 1024.0 * 1024.0;

/// A file or folder that cannot be read (`what` is "file" or "folder"): the path and
/// the system's reason, never a silent empty result.
pub fn unreadable(shown: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    let help = match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "give the user who runs aktsom permission to read it, and to open the folders above it"
        }
        std::io::ErrorKind::NotFound => {
            "a symbolic link that leads to nothing: fix the link or remove it"
        }
        _ => "aktsom reads every file and folder of the site: fix or remove this one",
    };
    Diagnostic::file(shown, format!("cannot read the {what}: {e}")).with_help(help)
}

/// The metadata of a file about to be read (following symbolic links), or why it
/// cannot be read: the system's reason, or that it is not a regular file (a folder, or
/// a named pipe that would block the build).
pub fn regular_file(path: &Path, shown: &Path) -> Result<std::fs::Metadata, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(shown, "file", &e))?;
    if meta.is_file() {
        return Ok(meta);
    }
    Err(Diagnostic::file(
        shown,
        format!("this is not a regular file (it is {})", file_kind(&meta)),
    )
    .with_help("aktsom reads only ordinary files here: remove or rename this one"))
}

/// What kind of file system entry, for people.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// The entries of a folder, sorted; `None` when the folder does not exist. A folder
/// (or an entry of it) that cannot be read is a diagnostic with the system's reason.
pub fn list_dir(dir: &Path, shown: &Path) -> Result<Option<Vec<PathBuf>>, Diagnostic> {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        // Absent, and not a symbolic link that leads nowhere.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::fs::symlink_metadata(dir).is_err() =>
        {
            return Ok(None);
        }
        Err(e) => return Err(unreadable(shown, "folder", &e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        out.push(entry.map_err(|e| unreadable(shown, "folder", &e))?.path());
    }
    out.sort();
    Ok(Some(out))
}

/// Reads a user text file as UTF-8: a regular file of at most [`MAX_FILE_BYTES`] (checked
/// before anything is read). A file that cannot be read is a diagnostic with the
/// system's reason; invalid UTF-8 is a diagnostic at the first bad byte.
pub fn read_text(path: &Path, shown: &Path) -> Result<Source, Diagnostic> {
    let len = regular_file(path, shown)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            shown,
            format!(
                "the file is {:.1} MB; the limit is {} MB",
                len as f64 / MIB,
                MAX_FILE_BYTES as f64 / MIB
            ),
        )
        .with_help("split the text or move large attachments out of the Markdown"));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(shown, "file", &e))?;
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
    toml::from_str::<T>(text).map_err(|e| toml_error(source, &e, offset, known_keys))
}

/// A TOML error of `text` (found at `offset` in `source`) as a diagnostic, with a
/// suggestion among `known_keys` for an unknown key.
pub fn toml_error(
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
pub fn unknown_key(
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

    /// A file name or a line of a file can hold terminal escape codes: shown escaped,
    /// with the caret still under the problem.
    #[test]
    fn control_characters_are_shown_escaped() {
        let d = Diagnostic::file(
            "content/members/\x1b[31mrod\u{202e}",
            "the member folder name `\x1b[31mrod` is not a valid slug",
        )
        .with_help("not \x07 this");
        // In colour the renderer's own escape codes are there, but not the file's.
        for out in [d.render(false), d.render(true), d.to_string()] {
            assert!(
                out.contains("content/members/\\u{1b}[31mrod\\u{202e}"),
                "{out}"
            );
            assert!(!out.contains("\x1b[31m") && !out.contains(['\x07', '\u{202e}']));
        }
        assert!(!d.render(false).contains('\x1b'), "{}", d.render(false));
        assert!(d.render(false).contains("not \\u{7} this"));

        let text = "+++\nx\x1b[2J\x1b]0;t\x07 <b>fet</b>\r\n";
        let src = Source::new("x.md", text);
        let at = text.find("<b>").unwrap();
        let out = src.error(at..at + 3, "raw HTML <b>").render(false);
        assert!(!out.contains(['\x1b', '\x07']), "{out}");
        assert!(
            out.contains("x\\u{1b}[2J\\u{1b}]0;t\\u{7} <b>fet</b>"),
            "{out}"
        );
        assert!(!out.contains("\\r"), "{out}");
        let code = out.lines().find(|l| l.contains("<b>fet")).unwrap();
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        let col = |l: &str, c: char| l.find(c).map(|i| l[..i].chars().count());
        assert_eq!(col(caret, '^'), col(code, '<'), "{out}");
        assert_eq!(caret.matches('^').count(), 3, "{out}");
    }

    /// Each stage keeps to the limit per file; the stages of one file together too.
    #[test]
    fn the_limit_per_file_holds_over_all_stages() {
        let src = Source::new("r.md", "x\n");
        let stage = |n: usize| {
            let mut f = FileDiagnostics::default();
            for i in 0..n {
                f.error(|| src.error(0..1, format!("e{i}")));
                f.warning(|| src.error(0..1, format!("w{i}")).warning());
            }
            f.finish(&src)
        };
        let mut all = stage(150);
        all.extend(stage(30));
        all.push(Diagnostic::file("other.md", "e"));
        let mut capped = cap_per_file(all);
        sort(&mut capped);
        let errors: Vec<&Diagnostic> = capped
            .iter()
            .filter(|d| d.file == Path::new("r.md") && d.is_error())
            .collect();
        assert_eq!(errors.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
        // 50 left out by the first stage, 30 by the rule over both.
        assert_eq!(errors[100].message, "80 more errors in this file");
        assert!(errors[..100].iter().all(|d| d.omitted == 0));
        let notes: Vec<&str> = capped
            .iter()
            .filter(|d| d.omitted > 0)
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            notes,
            [
                "80 more errors in this file",
                "80 more warnings in this file"
            ]
        );
        assert!(capped.iter().any(|d| d.file == Path::new("other.md")));
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
