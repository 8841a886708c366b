//! How many diagnostics one file shows ([`MAX_DIAGNOSTICS_PER_FILE`]), and the order they
//! are shown in.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::source::Source;
use super::{Diagnostic, Severity};

/// How many errors, and how many warnings, one file reports in full. A hostile file
/// could otherwise produce millions of them, each costing a scan of the file.
pub(crate) const MAX_DIAGNOSTICS_PER_FILE: usize = 100;

/// The errors and warnings of one file, at most [`MAX_DIAGNOSTICS_PER_FILE`] of each;
/// the rest are counted. Diagnostics are built only when they will be kept.
#[derive(Default)]
pub(crate) struct FileDiagnostics {
    /// The errors kept.
    pub(crate) errors: Vec<Diagnostic>,
    /// The warnings kept.
    pub(crate) warnings: Vec<Diagnostic>,
    more_errors: usize,
    more_warnings: usize,
}

impl FileDiagnostics {
    /// Adds the error `make` builds, when the file has room for it; else counts it.
    pub(crate) fn error(&mut self, make: impl FnOnce() -> Diagnostic) {
        if self.errors.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.errors.push(make());
        } else {
            self.more_errors += 1;
        }
    }

    /// Adds the warning `make` builds, when the file has room for it; else counts it.
    pub(crate) fn warning(&mut self, make: impl FnOnce() -> Diagnostic) {
        if self.warnings.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.warnings.push(make());
        } else {
            self.more_warnings += 1;
        }
    }

    /// Every diagnostic kept, errors first, with a note for those left out.
    pub(crate) fn finish(self, source: &Source) -> Vec<Diagnostic> {
        self.finish_file(&source.path)
    }

    /// [`FileDiagnostics::finish`], for diagnostics of `file` that has no [`Source`].
    pub(crate) fn finish_file(mut self, file: &Path) -> Vec<Diagnostic> {
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
pub(crate) fn cap_per_file(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
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
pub(crate) fn sort(diags: &mut [Diagnostic]) {
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
