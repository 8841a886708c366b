//! Front matter: the `+++` block of TOML at the top of a report or page.
//!
//! Keys are read one by one rather than into a struct, so that each problem is an
//! error of its own: an unknown key or a value of the wrong type hides neither the
//! other keys nor the text below. Only a front matter that cannot be read at all
//! (no `+++` lines, a TOML syntax error), or a report whose template version is not
//! known, keeps the text from being checked, and says so in a note.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::Date;
use crate::config::SiteConfig;
use crate::diagnostics::{
    Diagnostic, FileDiagnostics, Source, did_you_mean, toml_error, unknown_key,
};
use crate::reporting::{self, ReportTemplate};

const REPORT_KEYS: &[&str] = &[
    "year",
    "title",
    "language",
    "draft",
    "published",
    "template",
    "figures",
];

const PAGE_KEYS: &[&str] = &["title", "description"];

// The notes on an error that keeps a text from being checked.
const REPORT_UNREAD: &str =
    "the report's text was not checked, since its front matter cannot be read";
const REPORT_NO_TEMPLATE: &str =
    "the report's text was not checked, since its template version is not known";
const PAGE_UNREAD: &str = "the page's text was not checked, since its front matter cannot be read";

/// Splits `+++` front matter from the body: (front matter text, its offset, body offset).
pub(super) fn split_front_matter(source: &Source) -> Result<(&str, usize, usize), Diagnostic> {
    let text: &str = &source.text;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let t = &text[bom..];
    let first_end = t.find('\n').unwrap_or(t.len());
    if t[..first_end].trim_end() != "+++" {
        return Err(source
            .error(
                bom..bom + first_end,
                "the file must start with front matter between two `+++` lines",
            )
            .with_help("start the file with +++, then year = …, then +++ on a line of its own"));
    }
    let fm_start = bom + first_end + 1;
    let mut pos = fm_start;
    for line in text[fm_start.min(text.len())..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok((&text[fm_start..pos], fm_start, pos + line.len()));
        }
        pos += line.len();
    }
    Err(source
        .error(bom..bom + first_end, "the front matter is never closed")
        .with_help("add a line with +++ after the front matter"))
}

fn to_date(d: &toml::value::Datetime) -> Option<Date> {
    let date = d.date?;
    if d.time.is_some() || d.offset.is_some() {
        return None;
    }
    Some(Date {
        year: date.year,
        month: date.month,
        day: date.day,
    })
}

/// A front matter's keys and their values, read without types: each key is checked on
/// its own, so that an unknown key or a value of the wrong type is one error and hides
/// neither the other keys nor the text below. (Deserialising into a struct with
/// `deny_unknown_fields` stops at the first.)
struct FrontKeys<'a> {
    source: &'a Source,
    /// Where the front matter starts in the file.
    offset: usize,
    /// The known keys that are there.
    values: BTreeMap<String, Spanned<DeValue<'a>>>,
    /// The known keys suggested for unknown ones (`publised`): a missing key that is
    /// one of them is not reported again.
    suggested: BTreeSet<String>,
}

impl<'a> FrontKeys<'a> {
    /// Reads the front matter `text`, found at `offset` in `source`: `Err` only when it
    /// is not TOML. Every key not in `known` is an error in `found`.
    fn parse(
        source: &'a Source,
        text: &'a str,
        offset: usize,
        known: &[&str],
        found: &mut FileDiagnostics,
    ) -> Result<Self, Diagnostic> {
        let table = DeTable::parse(text).map_err(|e| toml_error(source, &e, offset, known))?;
        let mut values = BTreeMap::new();
        let mut suggested = BTreeSet::new();
        for (key, value) in table.into_inner() {
            let at = key.span().start + offset..key.span().end + offset;
            let key = key.into_inner().into_owned();
            if known.contains(&key.as_str()) {
                values.insert(key, value);
            } else {
                suggested.extend(did_you_mean(&key, known.iter().copied()).map(str::to_string));
                found.error(|| unknown_key(source, at, &key, known));
            }
        }
        Ok(FrontKeys {
            source,
            offset,
            values,
            suggested,
        })
    }

    fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// Whether `key` is missing and not reported yet (as the suggestion for an unknown
    /// key).
    fn lacks(&self, key: &str) -> bool {
        !self.has(key) && !self.suggested.contains(key)
    }

    /// Takes the value of `key` as a `T`, with its span in the file: `None` when the key
    /// is not there, or when its value is not a `T` (an error in `found`).
    fn take<T: DeserializeOwned>(
        &mut self,
        key: &str,
        found: &mut FileDiagnostics,
    ) -> Option<Spanned<T>> {
        let value = self.values.remove(key)?;
        let at = self.at(value.span());
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(Spanned::new(at, v)),
            Err(e) => {
                found.error(|| {
                    let span = e.span().map_or(at, |s| self.at(s));
                    let message = e.message().trim();
                    self.source
                        .error(span, message.lines().next().unwrap_or(message))
                        .with_help("see docs/content-format.md for the expected keys and types")
                });
                None
            }
        }
    }

    /// A span of the front matter text as a span of the file.
    fn at(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    /// The front matter's first line, the `+++` above its keys: where a missing key is
    /// reported.
    fn first_line(&self) -> Range<usize> {
        let head = self.source.text[..self.offset].trim_end_matches(['\r', '\n']);
        head.rfind('\n').map_or(0, |i| i + 1)..head.len()
    }

    fn missing(&self, key: &str, help: impl Into<String>) -> Diagnostic {
        self.source
            .error(
                self.first_line(),
                format!("the front matter has no `{key}`"),
            )
            .with_help(help)
    }
}

/// A report's front matter, validated against the site's settings and templates.
#[derive(Debug, Clone)]
pub struct ReportFront {
    pub(crate) title: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) draft: bool,
    pub(crate) published: Option<Date>,
    /// The template version; `None` when it is not known (the front matter names one
    /// that does not exist, or none fits the year).
    pub template: Option<String>,
    /// The key figures the report gives, by the id `site.toml` defines them with; a
    /// figure the report leaves out is absent, not zero.
    pub figures: BTreeMap<String, f64>,
    /// Where the Markdown body starts in the file.
    pub body_offset: usize,
}

/// Parses and validates a report's front matter, as `aktsom build` does for
/// `content/members/<slug>/<file_year>.md`. A front matter that cannot be read at all
/// (no `+++` lines, a TOML syntax error) is `Err`; otherwise the front matter comes
/// back with every error found in it, each key checked on its own.
pub fn parse_front_matter(
    source: &Source,
    file_year: u16,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<(ReportFront, Vec<Diagnostic>), Vec<Diagnostic>> {
    let unread = |d: Diagnostic| vec![d.with_note(REPORT_UNREAD)];
    let (fm_text, fm_offset, body_offset) = split_front_matter(source).map_err(unread)?;
    // At most MAX_DIAGNOSTICS_PER_FILE of them are built: a front matter may hold
    // 100,000 unknown figures.
    let mut found = FileDiagnostics::default();
    let mut keys =
        FrontKeys::parse(source, fm_text, fm_offset, REPORT_KEYS, &mut found).map_err(unread)?;
    // The template version goes by the file name's year, which `year` must repeat.
    let year_at = front_year(&mut keys, file_year, &mut found);
    let template = front_template(
        &mut keys, &year_at, file_year, config, templates, &mut found,
    );
    let language = front_language(&mut keys, &mut found);
    let title = keys.take::<String>("title", &mut found);
    let (draft, published) = front_dates(&mut keys, &year_at, &mut found);
    let figures = front_figures(&mut keys, fm_text, config, &mut found);
    let front = ReportFront {
        title: title.map(Spanned::into_inner),
        language,
        draft,
        published,
        template,
        figures,
        body_offset,
    };
    Ok((front, found.finish(source)))
}

/// Checks `year` against the file name; where it is (the front matter's first line
/// when it is not there).
fn front_year(keys: &mut FrontKeys, file_year: u16, found: &mut FileDiagnostics) -> Range<usize> {
    let lacks = keys.lacks("year");
    match keys.take::<i64>("year", found) {
        Some(y) if *y.get_ref() != i64::from(file_year) => {
            found.error(|| {
                keys.source
                    .error(
                        y.span(),
                        format!(
                            "year {} does not match the file name {file_year}.md",
                            y.get_ref()
                        ),
                    )
                    .with_help(format!(
                        "set year = {file_year}, or rename the file to {}.md",
                        y.get_ref()
                    ))
            });
            y.span()
        }
        Some(y) => y.span(),
        None => {
            if lacks {
                found.error(|| {
                    keys.missing(
                        "year",
                        format!("add year = {file_year}, the year of the file name"),
                    )
                });
            }
            keys.first_line()
        }
    }
}

/// The template version: the one `template` names, else the one of the year. `None`,
/// with the error and a note that the text was not checked, when there is none.
fn front_template(
    keys: &mut FrontKeys,
    year_at: &Range<usize>,
    file_year: u16,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
    found: &mut FileDiagnostics,
) -> Option<String> {
    let named = match keys.values.remove("template") {
        None => None,
        Some(v) => {
            let at = keys.at(v.span());
            match v.get_ref().as_str() {
                Some(name) => Some((name.to_string(), at)),
                None => {
                    found.error(|| {
                        keys.source
                            .error(at, "template must be a string: a template version's name")
                            .with_help("write it in quotes, like template = \"2024\", or leave it out to use the version of the report's year")
                            .with_note(REPORT_NO_TEMPLATE)
                    });
                    return None;
                }
            }
        }
    };
    let fallback = config.default_template.as_deref();
    let name = named.as_ref().map(|(n, _)| n.as_str());
    match reporting::choose(templates, name, file_year, fallback) {
        Ok(t) => Some(t.version.clone()),
        Err(no) => {
            let span = named.map_or_else(|| year_at.clone(), |(_, at)| at);
            found.error(|| {
                keys.source
                    .error(span, no.message)
                    .with_help(no.help)
                    .with_note(REPORT_NO_TEMPLATE)
            });
            None
        }
    }
}

/// The report's language code, when it has one that looks like a code.
fn front_language(keys: &mut FrontKeys, found: &mut FileDiagnostics) -> Option<String> {
    let lang = keys.take::<String>("language", found)?;
    let l = lang.get_ref();
    let ok = !l.is_empty()
        && l.len() <= 12
        && l.split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        found.error(|| {
            keys.source
                .error(lang.span(), format!("`{l}` is not a language code"))
                .with_help("use a code such as \"en\" or \"nb\"")
        });
        return None;
    }
    Some(lang.into_inner())
}

/// `draft` and `published`: a report that is not a draft needs a publication date.
fn front_dates(
    keys: &mut FrontKeys,
    year_at: &Range<usize>,
    found: &mut FileDiagnostics,
) -> (bool, Option<Date>) {
    // `None`: `draft` is there, but not true or false.
    let draft = match keys.has("draft") {
        true => keys.take::<bool>("draft", found).map(Spanned::into_inner),
        false => Some(false),
    };
    let undated = keys.lacks("published");
    let published = keys
        .take::<toml::value::Datetime>("published", found)
        .and_then(|p| {
            let date = to_date(p.get_ref());
            if date.is_none() {
                found.error(|| {
                    keys.source
                        .error(p.span(), "published must be a date without a time")
                        .with_help("write it as published = 2025-03-14")
                });
            }
            date
        });
    if undated && draft == Some(false) {
        found.error(|| {
            keys.source
                .error(
                    year_at.clone(),
                    "a report that is not a draft needs a `published` date",
                )
                .with_help(
                    "add published = YYYY-MM-DD, or draft = true while the report is being written",
                )
        });
    }
    (draft.unwrap_or(false), published)
}

/// The key figures: each id must be one of site.toml's, each value a number not below
/// zero.
fn front_figures(
    keys: &mut FrontKeys,
    fm_text: &str,
    config: &SiteConfig,
    found: &mut FileDiagnostics,
) -> BTreeMap<String, f64> {
    type Figures = BTreeMap<String, Spanned<toml::Value>>;
    let mut figures = BTreeMap::new();
    let Some(given) = keys.take::<Figures>("figures", found) else {
        return figures;
    };
    let source = keys.source;
    for (id, value) in given.into_inner() {
        let at = keys.at(value.span());
        if config.figure(&id).is_none() {
            found.error(|| {
                let key_at = fm_text[..value.span().start]
                    .rfind(id.as_str())
                    .map_or(at.clone(), |i| keys.at(i..i + id.len()));
                let ids = config.figures.iter().map(|f| f.id.as_str());
                let help = match did_you_mean(&id, ids.clone()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the figures defined in site.toml are: {}",
                        ids.collect::<Vec<_>>().join(", ")
                    ),
                };
                source
                    .error(key_at, format!("unknown figure `{id}`"))
                    .with_help(help)
            });
            continue;
        }
        let number = match value.get_ref() {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        };
        match number {
            Some(n) if n >= 0.0 => {
                figures.insert(id, n);
            }
            Some(_) => found.error(||
                source
                    .error(at, format!("figure `{id}` is negative"))
                    .with_help("key figures are counts and amounts: use 0 or a positive number"),
            ),
            None => found.error(||
                source
                    .error(at, format!("figure `{id}` is not a number"))
                    .with_help("write the number without quotes or spaces, e.g. 3536883116; leave the figure out if it was not reported"),
            ),
        }
    }
    figures
}

/// A page's front matter.
pub(super) struct PageFront {
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    /// Where the Markdown body starts in the file.
    pub(super) body_offset: usize,
}

/// Parses a page's front matter: `Err` when it cannot be read at all, otherwise the
/// front matter with every error found in it.
pub(super) fn parse_page_front(
    source: &Source,
) -> Result<(PageFront, Vec<Diagnostic>), Diagnostic> {
    let unread = |d: Diagnostic| d.with_note(PAGE_UNREAD);
    let (fm_text, fm_offset, body_offset) = split_front_matter(source).map_err(unread)?;
    let mut found = FileDiagnostics::default();
    let mut keys =
        FrontKeys::parse(source, fm_text, fm_offset, PAGE_KEYS, &mut found).map_err(unread)?;
    if keys.lacks("title") {
        found.error(|| keys.missing("title", "add title = \"…\": the page's heading"));
    }
    let title = keys.take::<String>("title", &mut found);
    let description = keys.take::<String>("description", &mut found);
    let front = PageFront {
        title: title.map(Spanned::into_inner),
        description: description.map(Spanned::into_inner),
        body_offset,
    };
    Ok((front, found.finish(source)))
}
