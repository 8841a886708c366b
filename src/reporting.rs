//! The reporting template: for each version, its numbered parts, groups and questions.
//!
//! Read from `report-templates/<version>.toml`. The template labels and orders the
//! sections of a report; later stages use it to check reports and line up comparisons.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::{Lang, Localized};
use crate::diagnostics::{Diagnostic, Source, list_dir, parse_toml, read_text};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Question {
    /// `2`, `2.A` or `2.A.3`.
    pub(crate) number: String,
    pub(crate) title: Localized,
    /// 1 for a part, 2 for a group, 3 for a question.
    pub(crate) depth: u8,
    /// The stable anchor: `2-a-3`.
    pub(crate) anchor: String,
}

/// One version of the association's reporting template
/// (`report-templates/<version>.toml`): its numbered parts, groups and questions (1,
/// 2.A, 2.A.3) in order, which members' reports answer by number.
#[derive(Debug, Clone)]
pub struct ReportTemplate {
    pub(crate) version: String,
    pub(crate) questions: Vec<Question>,
    index: rustc_hash::FxHashMap<String, usize>,
    /// The positions of the leaves, worked out once (every report's completeness on
    /// several pages reads them): see [`ReportTemplate::leaves`].
    leaves: Vec<usize>,
}

impl ReportTemplate {
    pub(crate) fn get(&self, number: &str) -> Option<&Question> {
        self.index.get(number).map(|&i| &self.questions[i])
    }

    /// Position of a number in the template's order.
    pub(crate) fn position(&self, number: &str) -> Option<usize> {
        self.index.get(number).copied()
    }

    pub(crate) fn title(&self, number: &str, lang: Lang) -> Option<&str> {
        self.get(number).map(|q| q.title.get(lang))
    }

    /// The positions of the questions that a report answers, in order: the leaves,
    /// questions with no question under them. A part or group heading that has
    /// questions under it is not itself answered.
    pub(crate) fn leaves(&self) -> &[usize] {
        &self.leaves
    }
}

/// The positions of the leaves of `questions` (see [`ReportTemplate::leaves`]).
fn leaves(questions: &[Question]) -> Vec<usize> {
    // Every number that some other number lies under (`2` and `2.A` for `2.A.3`).
    let mut parents: BTreeSet<&str> = BTreeSet::new();
    for q in questions {
        let n = q.number.as_str();
        parents.extend(n.match_indices('.').map(|(i, _)| &n[..i]));
    }
    (0..questions.len())
        .filter(|&i| !parents.contains(questions[i].number.as_str()))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    /// With its place in the file, for an error there (as are the numbers).
    version: Spanned<String>,
    /// A note for the people who keep the template; the site does not show it.
    #[serde(default, rename = "description")]
    _description: String,
    #[serde(default)]
    question: Vec<QuestionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionEntry {
    number: Spanned<String>,
    nb: String,
    en: String,
}

/// Parses the leading question number of a heading text: `2.A.3 Prioriterte …`.
/// Returns the normalised number (`2.A.3`) and the rest of the text.
pub(crate) fn parse_number(text: &str) -> Option<(String, &str)> {
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
pub(crate) fn anchor(number: &str) -> String {
    number.to_ascii_lowercase().replace('.', "-")
}

fn depth(number: &str) -> u8 {
    number.split('.').count() as u8
}

/// The year a template version is named after (`report-templates/2024.toml` → 2024).
/// Versions with other names are used only by reports that name them.
pub(crate) fn version_year(version: &str) -> Option<u16> {
    if version.len() == 4 && version.bytes().all(|b| b.is_ascii_digit()) {
        version.parse().ok()
    } else {
        None
    }
}

/// The template version a report of `year` uses when its front matter names none: the
/// newest version named after a year that is not after `year` (a 2025 report uses
/// 2024's until there is a 2025 version).
pub(crate) fn version_for_year(
    templates: &BTreeMap<String, ReportTemplate>,
    year: u16,
) -> Option<&str> {
    templates
        .keys()
        .filter_map(|v| version_year(v).map(|y| (y, v)))
        .filter(|(y, _)| *y <= year)
        .max_by_key(|(y, _)| *y)
        .map(|(_, v)| v.as_str())
}

/// The site's current template: the newest version named after a year, or the last
/// version by name when none is.
pub(crate) fn latest(templates: &BTreeMap<String, ReportTemplate>) -> Option<&ReportTemplate> {
    templates
        .values()
        .filter_map(|t| version_year(&t.version).map(|y| (y, t)))
        .max_by_key(|(y, _)| *y)
        .map(|(_, t)| t)
        .or_else(|| templates.values().next_back())
}

/// Why no template version fits a report: what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoVersion {
    pub(crate) message: String,
    pub(crate) help: String,
}

/// The template version of a report of `year`: the one its `template` key names
/// (`named`), else the one of its year ([`version_for_year`]), else `fallback` (site.toml's
/// `default_template`, for reports older than every version).
pub(crate) fn choose<'a>(
    templates: &'a BTreeMap<String, ReportTemplate>,
    named: Option<&str>,
    year: u16,
    fallback: Option<&str>,
) -> Result<&'a ReportTemplate, NoVersion> {
    let versions = templates.keys().cloned().collect::<Vec<_>>().join(", ");
    match named {
        Some(name) => templates.get(name).ok_or_else(|| NoVersion {
            message: format!("there is no template version \"{name}\""),
            help: match crate::diagnostics::did_you_mean(name, templates.keys().map(String::as_str)) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("the template versions are: {versions}"),
            },
        }),
        None => version_for_year(templates, year)
            .or(fallback)
            .and_then(|v| templates.get(v))
            .ok_or_else(|| NoVersion {
                message: format!("no template version fits a report of {year}"),
                help: format!(
                    "a report uses the newest version in report-templates/ named after a year not after its own, and the versions are: {versions}; add report-templates/{year}.toml, or name one with template = \"…\""
                ),
            }),
    }
}

/// Loads every `report-templates/*.toml` of the site.
pub(crate) fn load_all(root: &Path) -> Result<BTreeMap<String, ReportTemplate>, Vec<Diagnostic>> {
    let shown_dir = Path::new("report-templates");
    let files: Vec<_> = match list_dir(&root.join(shown_dir), shown_dir) {
        Ok(Some(entries)) => entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Ok(None) => {
            return Err(vec![
                Diagnostic::file(
                    "report-templates/",
                    "the folder report-templates/ is missing",
                )
                .with_help("add report-templates/<version>.toml with the template's questions"),
            ]);
        }
        Err(d) => return Err(vec![d]),
    };
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
    let version = file.version.get_ref();
    if version != stem {
        errors.push(
            source
                .error(
                    file.version.span(),
                    format!("version \"{version}\" does not match the file name"),
                )
                .with_help(format!(
                    "name the file {version}.toml or set version = \"{stem}\""
                )),
        );
    }
    let (questions, index) = questions(file.question, &source, &mut errors);
    if errors.is_empty() {
        Ok(ReportTemplate {
            version: file.version.into_inner(),
            leaves: leaves(&questions),
            questions,
            index,
        })
    } else {
        Err(errors)
    }
}

/// The template's questions in order, and their positions by number; a number that is
/// not one, or listed twice, is an error at its place in the file.
fn questions(
    entries: Vec<QuestionEntry>,
    source: &Source,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<Question>, rustc_hash::FxHashMap<String, usize>) {
    let mut questions = Vec::new();
    let mut index = rustc_hash::FxHashMap::default();
    for q in entries {
        let at = q.number.span();
        let number = q.number.into_inner();
        match parse_number(&number) {
            Some((n, rest)) if rest.is_empty() && n == number => {
                if index.insert(n.clone(), questions.len()).is_some() {
                    errors.push(source.error(at, format!("question {n} is listed twice")));
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
                    .error(at, format!("`{number}` is not a question number"))
                    .with_help("numbers look like 2, 2.A or 2.A.3"),
            ),
        }
    }
    (questions, index)
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

    fn templates(versions: &[&str]) -> BTreeMap<String, ReportTemplate> {
        versions
            .iter()
            .map(|v| {
                let t = ReportTemplate {
                    version: v.to_string(),
                    questions: Vec::new(),
                    index: Default::default(),
                    leaves: Vec::new(),
                };
                (v.to_string(), t)
            })
            .collect()
    }

    #[test]
    fn leaves_are_the_questions_with_nothing_under_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let all = load_all(root).unwrap();
        assert!(!all.is_empty());
        for t in all.values() {
            let under = |i: usize| {
                let prefix = format!("{}.", t.questions[i].number);
                t.questions.iter().any(|q| q.number.starts_with(&prefix))
            };
            let expected: Vec<usize> = (0..t.questions.len()).filter(|&i| !under(i)).collect();
            assert_eq!(t.leaves(), expected, "{}", t.version);
            assert!(expected.len() < t.questions.len(), "{}", t.version);
        }
    }

    #[test]
    fn versions_by_year() {
        let t = templates(&["2023", "2024", "utkast"]);
        assert_eq!(version_for_year(&t, 2023), Some("2023"));
        assert_eq!(version_for_year(&t, 2024), Some("2024"));
        assert_eq!(version_for_year(&t, 2025), Some("2024"));
        assert_eq!(version_for_year(&t, 2022), None);
        assert_eq!(latest(&t).map(|t| t.version.as_str()), Some("2024"));
        assert_eq!(
            latest(&templates(&["a", "b"])).map(|t| t.version.as_str()),
            Some("b")
        );
    }

    #[test]
    fn a_named_version_wins() {
        let t = templates(&["2023", "2024"]);
        assert_eq!(
            choose(&t, Some("2024"), 2023, None).unwrap().version,
            "2024"
        );
        assert_eq!(choose(&t, None, 2023, None).unwrap().version, "2023");
        // site.toml's default_template only for reports older than every version.
        assert_eq!(
            choose(&t, None, 2023, Some("2024")).unwrap().version,
            "2023"
        );
        assert_eq!(
            choose(&t, None, 2019, Some("2024")).unwrap().version,
            "2024"
        );
        let e = choose(&t, None, 2019, None).unwrap_err();
        assert_eq!(e.message, "no template version fits a report of 2019");
        assert!(e.help.contains("2023, 2024"), "{}", e.help);
        let e = choose(&t, Some("2042"), 2024, None).unwrap_err();
        assert_eq!(e.message, "there is no template version \"2042\"");
    }

    #[test]
    fn anchors() {
        assert_eq!(anchor("2.A.3"), "2-a-3");
        assert_eq!(anchor("3"), "3");
    }
}
