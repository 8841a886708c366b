//! `aktsom new`: a member's next report started as a draft, and a new member started.
//!
//! The draft follows the template version of its year: every question as a heading.
//! When the member has an earlier report, its answers and key figures are carried
//! over (members update last year's text), questions the new version added are marked,
//! and answers to questions it dropped are kept in a comment. Nothing is overwritten.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{Lang, SiteConfig, is_slug};
use crate::content::{self, LoadOptions, Report, Sector};
use crate::diagnostics::Diagnostic;
use crate::reporting::{self, ReportTemplate};

/// What `aktsom new` started.
#[derive(Debug)]
pub struct Started {
    /// The file written, relative to the site root.
    pub(crate) path: PathBuf,
    pub(crate) template: String,
    /// The year of the report carried over, if there was one.
    pub(crate) from_year: Option<u16>,
    /// Answers carried over.
    pub(crate) carried: usize,
    /// Key figures carried over.
    pub(crate) figures: usize,
    /// Questions the template version added since the earlier report's.
    pub(crate) added: Vec<String>,
    /// Questions of the earlier report the template version no longer has.
    pub(crate) dropped: Vec<String>,
}

/// The notes written into the draft, in the site's language.
struct Words {
    started: &'static str,
    answer_here: &'static str,
    new_question: &'static str,
    dropped: &'static str,
    figures: &'static str,
}

const NB: Words = Words {
    started: "Utkast startet med `aktsom new`",
    answer_here: "Skriv svaret her.",
    new_question: "Nytt spørsmål i malen for {version}: skriv svaret her.",
    dropped: "{number} er ikke med i malen for {version}. Svaret fra {year} står her så det ikke går tapt: flytt det dit det hører hjemme, eller slett det.",
    figures: "Nøkkeltall: oppdater tallene; et tall som står utenfor (eller bak #), er «ikke rapportert».",
};

const EN: Words = Words {
    started: "Draft started with `aktsom new`",
    answer_here: "Write the answer here.",
    new_question: "A new question in template version {version}: write the answer here.",
    dropped: "{number} is not in template version {version}. The answer of {year} is kept here so that it is not lost: move it where it belongs, or delete it.",
    figures: "Key figures: update the numbers; a figure left out (or behind #) is \"not reported\".",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nb => &NB,
        Lang::En => &EN,
    }
}

fn error(file: impl Into<PathBuf>, message: impl Into<String>, help: &str) -> Vec<Diagnostic> {
    vec![Diagnostic::file(file, message).with_help(help)]
}

/// Starts `content/members/<member>/<year>.md` as a draft.
pub fn report(root: &Path, member: &str, year: u16) -> Result<Started, Vec<Diagnostic>> {
    let dir = Path::new("content/members").join(member);
    let path = dir.join(format!("{year}.md"));
    may_start(root, &dir, &path, member)?;
    let content::Loaded { site, errors, .. } =
        content::load_partial(root, &LoadOptions { drafts: true })?;
    let template = reporting::choose(
        &site.templates,
        None,
        year,
        site.config.default_template.as_deref(),
    )
    .map_err(|no| vec![Diagnostic::file(&path, no.message).with_help(no.help)])?;
    let previous = site
        .members
        .iter()
        .find(|m| m.slug == member)
        .and_then(|m| m.reports.iter().rev().find(|r| r.year < year));
    if let Some(newest) = newest_earlier_file(root, &dir, year)
        && previous.is_none_or(|p| p.year < newest)
    {
        return Err(not_loaded(errors, &dir, newest, &path));
    }
    let (text, started) = match previous {
        Some(prev) => carried_over(&site.config, &site.templates, template, prev, year, &path),
        None => blank(&site.config, template, year, &path),
    };
    std::fs::write(root.join(&path), text).map_err(|e| {
        vec![Diagnostic::file(
            &path,
            format!("cannot write the file: {e}"),
        )]
    })?;
    Ok(started)
}

/// A report can be started: the member exists and the report does not.
fn may_start(root: &Path, dir: &Path, path: &Path, member: &str) -> Result<(), Vec<Diagnostic>> {
    if !root.join(dir).join("member.toml").is_file() {
        return Err(error(
            dir,
            format!("there is no member `{member}`"),
            &format!("start the member first: aktsom new --member {member}"),
        ));
    }
    if root.join(path).exists() {
        return Err(error(
            path,
            "the report exists already",
            "aktsom new never overwrites: edit the file, or remove it first",
        ));
    }
    Ok(())
}

/// The errors of the earlier report that did not load, and why the draft is not made.
fn not_loaded(errors: Vec<Diagnostic>, dir: &Path, year: u16, path: &Path) -> Vec<Diagnostic> {
    let shown = dir.join(format!("{year}.md"));
    let mut theirs: Vec<Diagnostic> = errors.into_iter().filter(|d| d.file == shown).collect();
    if theirs.is_empty() {
        theirs = error(&shown, "the report could not be read", "run aktsom check");
    }
    theirs.push(
        Diagnostic::file(
            path,
            format!("the {year} report has errors, so it cannot be carried over"),
        )
        .with_help("fix the errors above (aktsom check), then run aktsom new again"),
    );
    theirs
}

/// The newest `<year>.md` before `year` in the member's folder, loaded or not.
fn newest_earlier_file(root: &Path, dir: &Path, year: u16) -> Option<u16> {
    std::fs::read_dir(root.join(dir))
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".md")?;
            (stem.len() == 4)
                .then(|| stem.parse::<u16>().ok())
                .flatten()
        })
        .filter(|&y| y < year)
        .max()
}

/// The front matter of a draft: year, title, language, draft, and the key figures
/// (`values` from the earlier report; the others listed behind `#`).
fn front_matter(
    config: &SiteConfig,
    year: u16,
    title: Option<&str>,
    language: Option<&str>,
    values: Option<&Report>,
    lang: Lang,
) -> String {
    let w = words(lang);
    let mut out = format!("+++\n# {}.\nyear = {year}\n", w.started);
    if let Some(t) = title {
        let _ = writeln!(out, "title = {}", toml::Value::String(t.to_string()));
    }
    if let Some(l) = language {
        let _ = writeln!(out, "language = {}", toml::Value::String(l.to_string()));
    }
    out.push_str("draft = true\n");
    if !config.figures.is_empty() {
        let _ = writeln!(out, "\n# {}\n[figures]", w.figures);
    }
    for f in &config.figures {
        let label = f.label.get(lang);
        let unit = f
            .unit
            .as_ref()
            .map(|u| format!(", {}", u.get(lang)))
            .unwrap_or_default();
        match values.and_then(|r| r.figures.get(&f.id)) {
            Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => {
                let _ = writeln!(out, "{} = {}  # {label}{unit}", f.id, *v as i64);
            }
            Some(v) => {
                let _ = writeln!(out, "{} = {v}  # {label}{unit}", f.id);
            }
            None => {
                let _ = writeln!(out, "# {} =   # {label}{unit}", f.id);
            }
        }
    }
    out.push_str("+++\n");
    out
}

fn hashes(depth: u8) -> String {
    "#".repeat(usize::from(depth) + 1)
}

/// A heading of the template, with its title, and a note below it.
fn template_heading(
    out: &mut String,
    template: &ReportTemplate,
    number: &str,
    lang: Lang,
    note: Option<&str>,
) {
    let Some(q) = template.get(number) else {
        return;
    };
    let _ = writeln!(
        out,
        "\n{} {} {}",
        hashes(q.depth),
        q.number,
        q.title.get(lang)
    );
    if let Some(note) = note {
        let _ = writeln!(out, "\n<!-- {} -->", comment_safe(note));
    }
}

/// A draft without an earlier report: every question of the template as a heading.
fn blank(
    config: &SiteConfig,
    template: &ReportTemplate,
    year: u16,
    path: &Path,
) -> (String, Started) {
    let lang = config.language;
    let mut out = front_matter(config, year, None, None, None, lang);
    for q in &template.questions {
        let note = (q.depth == 3).then_some(words(lang).answer_here);
        template_heading(&mut out, template, &q.number, lang, note);
    }
    let started = Started {
        path: path.to_path_buf(),
        template: template.version.clone(),
        from_year: None,
        carried: 0,
        figures: 0,
        added: Vec::new(),
        dropped: Vec::new(),
    };
    (out, started)
}

/// Text that can stand inside an HTML comment (`-->` would end it).
fn comment_safe(text: &str) -> String {
    text.replace("-->", "- ->").replace("<!--", "< !--")
}

/// A piece of the earlier report: from one heading (numbered, or an unnumbered `##`)
/// to the next, with the heading's number.
struct Unit<'a> {
    number: Option<&'a str>,
    text: &'a str,
}

/// The earlier report's body cut into [`Unit`]s, and the text before the first.
fn units<'a>(prev: &'a Report, body_offset: usize) -> (&'a str, Vec<Unit<'a>>) {
    let text: &str = &prev.source.text;
    let starts: Vec<(usize, Option<&str>)> = prev
        .body
        .sections
        .iter()
        .filter(|s| s.number.is_some() || s.level <= 2)
        .filter_map(|s| Some((prev.source.line_range(s.line)?.start, s.number.as_deref())))
        .collect();
    let body_start = starts.first().map_or(text.len(), |s| s.0);
    let lead_start = body_offset.min(body_start);
    let mut out = Vec::with_capacity(starts.len());
    for (i, &(start, number)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |s| s.0);
        out.push(Unit {
            number,
            text: text[start..end].trim_end(),
        });
    }
    (text[lead_start..body_start].trim(), out)
}

/// The earlier report's pieces, placed for the new template: the pieces before its
/// first numbered unit (foreword, key information, goals), each kept numbered unit with
/// the pieces that followed it, the pieces after its last numbered unit (contact), and
/// the numbers the new template dropped.
#[derive(Default)]
struct Placed<'a> {
    front: Vec<String>,
    numbered: Vec<(&'a str, String, Vec<String>)>,
    back: Vec<String>,
    dropped: Vec<String>,
}

fn place<'a>(
    units: &[Unit<'a>],
    template: &ReportTemplate,
    prev: &Report,
    w: &Words,
) -> Placed<'a> {
    let last_numbered = units.iter().rposition(|u| u.number.is_some());
    let mut p = Placed::default();
    for (i, u) in units.iter().enumerate() {
        let piece = match u.number {
            Some(n) if template.get(n).is_some() => {
                p.numbered.push((n, u.text.to_string(), Vec::new()));
                continue;
            }
            None if last_numbered.is_some_and(|l| i > l) => {
                p.back.push(u.text.to_string());
                continue;
            }
            None => u.text.to_string(),
            Some(n) => {
                p.dropped.push(n.to_string());
                let note = w
                    .dropped
                    .replace("{number}", n)
                    .replace("{version}", &template.version)
                    .replace("{year}", &prev.year.to_string());
                format!(
                    "<!-- {}\n\n{}\n-->",
                    comment_safe(&note),
                    comment_safe(u.text)
                )
            }
        };
        match p.numbered.last_mut() {
            Some(last) => last.2.push(piece),
            None => p.front.push(piece),
        }
    }
    p
}

/// A draft from the earlier report: its answers and figures, in the new template's
/// order; new questions marked; dropped ones kept in a comment.
fn carried_over(
    config: &SiteConfig,
    templates: &std::collections::BTreeMap<String, ReportTemplate>,
    template: &ReportTemplate,
    prev: &Report,
    year: u16,
    path: &Path,
) -> (String, Started) {
    let lang = prev.lang(config.language);
    let w = words(lang);
    let title = prev
        .title
        .as_ref()
        .map(|t| t.replace(&prev.year.to_string(), &year.to_string()));
    let language = prev.language.as_deref();
    let mut out = front_matter(config, year, title.as_deref(), language, Some(prev), lang);
    // Where the body starts, as the core splits the front matter off.
    let body_offset = content::parse_front_matter(&prev.source, prev.year, config, templates)
        .map_or(prev.source.text.len(), |(front, _)| front.body_offset);
    let (lead, units) = units(prev, body_offset);
    let placed = place(&units, template, prev, w);
    for piece in std::iter::once(lead)
        .filter(|l| !l.is_empty())
        .chain(placed.front.iter().map(String::as_str))
    {
        let _ = writeln!(out, "\n{piece}");
    }
    let old_template = templates.get(&prev.template);
    let (added, carried) = in_template_order(&mut out, template, old_template, &placed, w, lang);
    for piece in &placed.back {
        let _ = writeln!(out, "\n{piece}");
    }
    let started = Started {
        path: path.to_path_buf(),
        template: template.version.clone(),
        from_year: Some(prev.year),
        carried,
        figures: prev.figures.len(),
        added,
        dropped: placed.dropped,
    };
    (out, started)
}

/// The new template's questions into `out`, in its order: the earlier report's answer
/// where it had one, else the question's heading, with a note for a question the
/// earlier report's template did not have. Returns the questions added and the count
/// of answers carried over.
fn in_template_order(
    out: &mut String,
    template: &ReportTemplate,
    old_template: Option<&ReportTemplate>,
    placed: &Placed,
    w: &Words,
    lang: Lang,
) -> (Vec<String>, usize) {
    let (mut added, mut carried) = (Vec::new(), 0);
    for q in &template.questions {
        if let Some((_, text, followers)) = placed.numbered.iter().find(|(n, ..)| *n == q.number) {
            carried += usize::from(q.depth == 3);
            for piece in std::iter::once(text).chain(followers) {
                let _ = writeln!(out, "\n{piece}");
            }
            continue;
        }
        let is_new = old_template.is_none_or(|t| t.get(&q.number).is_none());
        let note = match (q.depth, is_new) {
            (3, true) => {
                added.push(q.number.clone());
                Some(w.new_question.replace("{version}", &template.version))
            }
            (3, false) => Some(w.answer_here.to_string()),
            _ => None,
        };
        template_heading(out, template, &q.number, lang, note.as_deref());
    }
    (added, carried)
}

/// Starts a member: `content/members/<slug>/member.toml` with the keys to fill in.
pub fn member(
    root: &Path,
    slug: &str,
    name: Option<&str>,
    sector: Option<Sector>,
) -> Result<PathBuf, Vec<Diagnostic>> {
    if !is_slug(slug, '-') {
        return Err(error(
            "content/members",
            format!("`{slug}` is not a valid member slug"),
            "use lower-case letters a–z, digits and hyphens, for example fjordvik-kommune",
        ));
    }
    SiteConfig::load(root)?;
    let path = Path::new("content/members").join(slug).join("member.toml");
    if root.join(&path).exists() {
        return Err(error(
            &path,
            "the member exists already",
            "aktsom new never overwrites",
        ));
    }
    let name = name.map_or_else(|| name_from_slug(slug), str::to_string);
    let guessed = guess_sector(&name);
    let sector = match sector.or(guessed).unwrap_or(Sector::Public) {
        Sector::Public => "public",
        Sector::Private => "private",
    };
    let text = format!(
        "# Started by `aktsom new`: check the name and sector, and fill in the rest\n\
         # (see docs/content-format.md); remove the # before a key to use it.\n\
         name = {}\n\
         sector = \"{sector}\"  # \"public\" or \"private\"\n\
         # industry = \"Kommune\"\n\
         # website = \"https://www.example.no/\"\n\
         # member_since = 2025\n\
         # org_number = \"123 456 789\"\n\
         # address = \"Gateveien 1, 0000 Sted\"\n",
        toml::Value::String(name)
    );
    let full = root.join(&path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            vec![Diagnostic::file(
                &path,
                format!("cannot create the folder: {e}"),
            )]
        })?;
    }
    std::fs::write(&full, text).map_err(|e| {
        vec![Diagnostic::file(
            &path,
            format!("cannot write the file: {e}"),
        )]
    })?;
    Ok(path)
}

/// A guess at the sector from the member's name: `… kommune`, `… HF`, state agencies
/// are public; `… AS`, `… ASA`, `… SA` private. `None` when the name does not tell.
pub(crate) fn guess_sector(name: &str) -> Option<Sector> {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let last = words.last().copied().unwrap_or("");
    if ["as", "asa", "sa", "ans", "da", "ba"].contains(&last) {
        return Some(Sector::Private);
    }
    const PUBLIC: &[&str] = &[
        "kommune",
        "fylkeskommune",
        "hf",
        "helseforetak",
        "direktorat",
        "direktoratet",
        "etat",
        "etaten",
        "departement",
        "departementet",
        "tilsyn",
        "tilsynet",
        "universitet",
        "universitetet",
        "høgskole",
        "høgskolen",
        "statens",
        "sykehus",
        "sykehuset",
        "fylke",
    ];
    let public = words.iter().any(|w| {
        PUBLIC.contains(w)
            || w.ends_with("kommune")
            || w.ends_with("direktoratet")
            || w.ends_with("etaten")
    });
    public.then_some(Sector::Public)
}

/// `fjordvik-kommune` → `Fjordvik kommune`.
pub(crate) fn name_from_slug(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What `aktsom new` started, for the terminal.
pub fn summary(s: &Started, member: &str) -> String {
    let mut out = format!(
        "Started {} (a draft on template version {})\n",
        s.path.display(),
        s.template
    );
    match s.from_year {
        Some(y) => {
            let _ = writeln!(
                out,
                "  from the {y} report: {} answers and {} key figures carried over; update each one",
                s.carried, s.figures
            );
        }
        None => out.push_str(
            "  every question of the template as a heading, the key figures listed behind #\n",
        ),
    }
    if !s.added.is_empty() {
        let _ = writeln!(
            out,
            "  new in template version {}: {} (marked)",
            s.template,
            s.added.join(", ")
        );
    }
    if !s.dropped.is_empty() {
        let _ = writeln!(
            out,
            "  no longer in the template: {} (the answers kept in a comment)",
            s.dropped.join(", ")
        );
    }
    let _ = writeln!(out, "Preview it with: aktsom serve --member {member}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_from_names() {
        assert_eq!(guess_sector("Fjordvik kommune"), Some(Sector::Public));
        assert_eq!(guess_sector("Helse Nordvest HF"), Some(Sector::Public));
        assert_eq!(guess_sector("Nordtråd Tekstil AS"), Some(Sector::Private));
        assert_eq!(guess_sector("Bitvis"), None);
        assert_eq!(name_from_slug("fjordvik-kommune"), "Fjordvik kommune");
    }
}
