//! Reading a report as the association has it: the text `pdftotext` gives for its PDF,
//! or the PDF itself (then `pdftotext` from poppler-utils is run here).
//!
//! `pdftotext` runs in its default mode, the mode the association's text files were
//! made in, so that one recogniser reads both: it keeps the blank line between
//! paragraphs and prints a table's cells one after the other. That mode drops a hyphen
//! at the end of a line and joins the lines (`lønns-` `og` → `lønnsog`); the raw mode
//! keeps the lines as they are, so a second run in raw mode finds those places and
//! [`restore_hyphens`] puts the hyphen back where it belongs to the word.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::content::Date;
use crate::diagnostics::{Diagnostic, Source, text_from_bytes};

use super::text::{Line, last_word, rejoin_hyphenated};

/// The report's text, and what the PDF says of itself.
pub(super) struct Input {
    /// The text, as shown in warnings (for a PDF: the text `pdftotext` gave).
    pub(crate) source: Source,
    /// The PDF's creation date, when the input is a PDF that has one.
    pub(crate) created: Option<Date>,
}

/// The largest input read (a report's text is about 100 KB; its PDF a few MB).
const MAX_INPUT_BYTES: u64 = 50 * 1024 * 1024;

/// Reads a `.txt` (the text of the PDF) or a `.pdf` (through `pdftotext`).
pub(super) fn read(path: &Path) -> Result<Input, Box<Diagnostic>> {
    let shown = path.to_path_buf();
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::file(&shown, format!("cannot read the file: {e}")))?;
    if !meta.is_file() || meta.len() > MAX_INPUT_BYTES {
        return Err(Box::new(Diagnostic::file(
            &shown,
            "not a regular file of at most 50 MB",
        )));
    }
    let pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !pdf {
        let bytes = std::fs::read(path)
            .map_err(|e| Diagnostic::file(&shown, format!("cannot read the file: {e}")))?;
        return Ok(Input {
            source: text_from_bytes(bytes, &shown)?,
            created: None,
        });
    }
    let text = pdftotext(path, &[])?;
    let raw = pdftotext(path, &["-raw"])?;
    Ok(Input {
        source: Source::new(pdf_text_name(path), restore_hyphens(&text, &raw)),
        created: creation_date(path),
    })
}

/// How the text of a PDF is named in warnings: `report.pdf (text)`.
fn pdf_text_name(path: &Path) -> PathBuf {
    PathBuf::from(format!("{} (text)", path.display()))
}

/// Runs `pdftotext [args] FILE -` and returns its output.
fn pdftotext(path: &Path, args: &[&str]) -> Result<String, Box<Diagnostic>> {
    let out = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| {
            let d = Diagnostic::file(path, format!("cannot run pdftotext: {e}"));
            if e.kind() == std::io::ErrorKind::NotFound {
                d.with_help("install poppler-utils (`apt-get install poppler-utils`), or import the text: `pdftotext FILE.pdf FILE.txt`")
            } else {
                d
            }
        })?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(Box::new(
            Diagnostic::file(
                path,
                format!("pdftotext could not read the PDF: {}", why.trim()),
            )
            .with_help("check that the file is a PDF that opens in a PDF reader"),
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| {
        Box::new(Diagnostic::file(
            path,
            "pdftotext gave text that is not UTF-8",
        ))
    })
}

/// The PDF's creation date from `pdfinfo -isodates`, if it has one.
fn creation_date(path: &Path) -> Option<Date> {
    let out = Command::new("pdfinfo")
        .arg("-isodates")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("CreationDate:"))?
        .trim();
    parse_date(value.get(..10)?)
}

/// `2025-03-14` → a date.
pub(super) fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day) && s.len() == 10).then_some(Date {
        year,
        month,
        day,
    })
}

/// Puts back the hyphens `pdftotext` took out of the default mode's text where a line
/// ended in a hyphen that belongs to the word: each such place of the raw text
/// (`lønns-` at the end of a line, `og` on the next) is looked for in `text` as
/// `pdftotext` joined it (`lønnsog`) and written as [`super::text::join_line`] joins
/// it (`lønns- og`), in order.
pub(super) fn restore_hyphens(text: &str, raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for pair in lines.windows(2) {
        let end = pair[0].trim_end();
        if !end.ends_with('-') || end.ends_with(" -") {
            continue;
        }
        let Some((joined, ours)) = rejoin_hyphenated(last_word(end), pair[1].trim_start()) else {
            continue;
        };
        if let Some(at) = rest.find(&joined) {
            out.push_str(&rest[..at]);
            out.push_str(&ours);
            rest = &rest[at + joined.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// A line of page furniture: `|  Oslo kommune  |   16` (the member's name and the
/// page number in the footer).
fn is_page_footer(line: &str) -> bool {
    let t = line.trim();
    let Some(inner) = t.strip_prefix('|') else {
        return false;
    };
    match inner.rsplit_once('|') {
        Some((name, number)) => {
            !name.trim().is_empty()
                && !number.trim().is_empty()
                && number.trim().chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The text as lines: a form feed (or, in text files that lost it, a single space at
/// the start of a line) marks the first line of a page; page footers and the blank
/// lines around them are left out; white space at the ends is trimmed. Blank lines
/// stay (as empty text): they separate paragraphs.
pub(super) fn lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut page_start = false;
    for (i, raw) in text.lines().enumerate() {
        let mut s = raw;
        if s.starts_with('\u{c}') {
            s = s.trim_start_matches('\u{c}');
            page_start = true;
        } else if s.starts_with(' ') && !s.starts_with("  ") && !s.trim().is_empty() {
            page_start = true;
        }
        if is_page_footer(s) {
            // The footer ends a page: the blank lines around it are the page's margin.
            while out.last().is_some_and(|l| l.text.is_empty()) {
                out.pop();
            }
            page_start = true;
            continue;
        }
        let text = s.trim();
        if text.is_empty() {
            // Blank lines at the top of a page are its margin.
            if !page_start {
                out.push(Line {
                    no: i + 1,
                    text: String::new(),
                    page_start: false,
                    trailing_space: false,
                });
            }
            continue;
        }
        out.push(Line {
            no: i + 1,
            // Runs of spaces are the PDF's spacing, not the member's.
            text: text
                .split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            page_start,
            trailing_space: s.ends_with([' ', '\t', '\u{a0}']),
        });
        page_start = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_footers() {
        let text = "Første side.\n\n  |  Fjordvik kommune  |   2\n\n\n\nAndre side\n\u{c}tredje side \n Fjerde side\n";
        let l = lines(text);
        let texts: Vec<(&str, bool, usize)> = l
            .iter()
            .map(|l| (l.text.as_str(), l.page_start, l.no))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("Første side.", false, 1),
                ("Andre side", true, 7),
                ("tredje side", true, 8),
                ("Fjerde side", true, 9)
            ]
        );
        assert!(l[2].trailing_space);
    }

    #[test]
    fn hyphens_that_pdftotext_joined_come_back() {
        let raw = "kontroll av lønns-\nog arbeidsvilkår for\narbeids-\ntakere og IKT-\nprodukter\n";
        let text = "kontroll av lønnsog arbeidsvilkår for arbeidstakere og IKTprodukter\n";
        assert_eq!(
            restore_hyphens(text, raw),
            "kontroll av lønns- og arbeidsvilkår for arbeidstakere og IKT-produkter\n"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2025-03-14").map(|d| d.to_string()).as_deref(),
            Some("2025-03-14")
        );
        assert_eq!(parse_date("2025-13-14"), None);
        assert_eq!(parse_date("20250314"), None);
    }
}
