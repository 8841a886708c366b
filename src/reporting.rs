//! The reporting template: for each version, its numbered parts, groups and questions.
//!
//! Read from `report-templates/<version>.toml`. The template labels and orders the
//! sections of a report; later stages use it to check reports and line up comparisons.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{Lang, Localized};
use crate::diagnostics::{Diagnostic, parse_toml, read_text};

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// `2`, `2.A` or `2.A.3`.
    pub number: String,
    pub title: Localized,
    /// 1 for a part, 2 for a group, 3 for a question.
    pub depth: u8,
    /// The stable anchor: `2-a-3`.
    pub anchor: String,
}

#[derive(Debug, Clone)]
pub struct ReportTemplate {
    pub version: String,
    pub description: String,
    pub questions: Vec<Question>,
    index: rustc_hash::FxHashMap<String, usize>,
}

impl ReportTemplate {
    pub fn get(&self, number: &str) -> Option<&Question> {
        self.index.get(number).map(|&i| &self.questions[i])
    }

    /// Position of a number in the template's order.
    pub fn position(&self, number: &str) -> Option<usize> {
        self.index.get(number).copied()
    }

    pub fn title(&self, number: &str, lang: Lang) -> Option<&str> {
        self.get(number).map(|q| q.title.get(lang))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    question: Vec<QuestionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionEntry {
    number: String,
    nb: String,
    en: String,
}

/// Parses the leading question number of a heading text: `2.A.3 Prioriterte …`.
/// Returns the normalised number (`2.A.3`) and the rest of the text.
pub fn parse_number(text: &str) -> Option<(String, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    if !(b.first()?.is_ascii_digit() && *b.first()? != b'0') {
        return None;
    }
    i += 1;
    let mut number = String::from(&text[..1]);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
        number.push('.');
        number.push(b[i + 1].to_ascii_uppercase() as char);
        i += 2;
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() && end - start < 2 {
                end += 1;
            }
            number.push('.');
            number.push_str(&text[start..end]);
            i = end;
        }
    }
    // The number must end the text or be followed by white space (or a closing dot
    // or colon, as in "2.A.3. Prioriterte risikoer").
    let rest = &text[i..];
    let rest = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix(':'))
        .unwrap_or(rest);
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        Some((number, rest.trim()))
    } else {
        None
    }
}

/// The stable anchor of a question number: `2.A.3` → `2-a-3`.
pub fn anchor(number: &str) -> String {
    number.to_ascii_lowercase().replace('.', "-")
}

fn depth(number: &str) -> u8 {
    number.split('.').count() as u8
}

/// Loads every `report-templates/*.toml` of the site.
pub fn load_all(root: &Path) -> Result<BTreeMap<String, ReportTemplate>, Vec<Diagnostic>> {
    let dir = root.join("report-templates");
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(_) => {
            return Err(vec![
                Diagnostic::file(
                    "report-templates/",
                    "the folder report-templates/ is missing",
                )
                .with_help("add report-templates/<version>.toml with the template's questions"),
            ]);
        }
    };
    files.sort();
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for path in files {
        let shown = Path::new("report-templates").join(path.file_name().unwrap_or_default());
        match load_one(&path, &shown) {
            Ok(t) => {
                out.insert(t.version.clone(), t);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn load_one(path: &Path, shown: &Path) -> Result<ReportTemplate, Vec<Diagnostic>> {
    let source = read_text(path, shown).map_err(|d| vec![d])?;
    let file: TemplateFile = parse_toml(
        &source,
        &source.text,
        0,
        &["version", "description", "question", "number", "nb", "en"],
    )
    .map_err(|d| vec![d])?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let mut errors = Vec::new();
    let at = |needle: &str| {
        let i = source.text.find(needle).unwrap_or(0);
        i..i + needle.len()
    };
    if file.version != stem {
        errors.push(
            source
                .error(
                    at("version"),
                    format!("version \"{}\" does not match the file name", file.version),
                )
                .with_help(format!(
                    "name the file {}.toml or set version = \"{stem}\"",
                    file.version
                )),
        );
    }
    let mut questions = Vec::new();
    let mut index = rustc_hash::FxHashMap::default();
    for q in file.question {
        let needle = format!("\"{}\"", q.number);
        match parse_number(&q.number) {
            Some((n, rest)) if rest.is_empty() && n == q.number => {
                if index.insert(n.clone(), questions.len()).is_some() {
                    errors.push(source.error(at(&needle), format!("question {n} is listed twice")));
                }
                questions.push(Question {
                    anchor: anchor(&n),
                    depth: depth(&n),
                    number: n,
                    title: Localized { nb: q.nb, en: q.en },
                });
            }
            _ => errors.push(
                source
                    .error(
                        at(&needle),
                        format!("`{}` is not a question number", q.number),
                    )
                    .with_help("numbers look like 2, 2.A or 2.A.3"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(ReportTemplate {
            version: file.version,
            description: file.description,
            questions,
            index,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers() {
        assert_eq!(
            parse_number("2.A.3 Prioriterte"),
            Some(("2.A.3".into(), "Prioriterte"))
        );
        assert_eq!(
            parse_number("2.a.3. Tekst"),
            Some(("2.A.3".into(), "Tekst"))
        );
        assert_eq!(
            parse_number("3 Håndtering"),
            Some(("3".into(), "Håndtering"))
        );
        assert_eq!(parse_number("1.B"), Some(("1.B".into(), "")));
        assert_eq!(parse_number("6.B.12 x"), Some(("6.B.12".into(), "x")));
        assert_eq!(parse_number("2024 i korte trekk"), None);
        assert_eq!(parse_number("Forord"), None);
        assert_eq!(parse_number("0 x"), None);
        assert_eq!(parse_number("2.Avtaler"), None);
    }

    #[test]
    fn anchors() {
        assert_eq!(anchor("2.A.3"), "2-a-3");
        assert_eq!(anchor("3"), "3");
    }
}
