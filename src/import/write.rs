//! Writing the recognised report as aktsom's Markdown (and a new member's
//! `member.toml`): the text escaped so that it reads as the member wrote it, web
//! addresses as links.

use std::fmt::Write as _;

use crate::content::{Date, Sector};

use super::model::{Block, MemberFacts, Report, Section, Table};
use super::text::is_url;

/// How the report is dated: published on a date, or a draft until someone sets it.
pub(super) enum Dating {
    Published(Date),
    Draft,
}

/// The report file: front matter (year, publication or draft, key figures with the
/// labels they were found under) and the sections.
pub(super) fn report_markdown(report: &Report, year: u16, dating: &Dating, from: &str) -> String {
    let mut out = String::new();
    out.push_str("+++\n");
    let _ = writeln!(
        out,
        "# Imported by `aktsom import` from {}: compare it with the PDF.",
        from.replace('\n', " ")
    );
    let _ = writeln!(out, "year = {year}");
    match dating {
        Dating::Published(d) => {
            let _ = writeln!(out, "published = {d}");
        }
        Dating::Draft => out.push_str("draft = true\n"),
    }
    if !report.figures.is_empty() {
        out.push_str("\n[figures]\n");
        for f in &report.figures {
            let value = if f.whole {
                format!("{}", f.value as i64)
            } else {
                format!("{}", f.value)
            };
            let _ = writeln!(
                out,
                "{} = {value}  # \"{}\", line {}",
                f.id,
                f.label.replace(['\n', '"'], " "),
                f.line
            );
        }
    }
    out.push_str("+++\n");
    for s in &report.sections {
        section(&mut out, s);
    }
    out
}

fn section(out: &mut String, s: &Section) {
    if s.level > 0 {
        let number = s
            .number
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{} {number}{}",
            "#".repeat(s.level.into()),
            inline(&s.heading)
        );
    }
    for b in &s.blocks {
        out.push('\n');
        block(out, b);
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Paragraph(lines) => {
            let lines: Vec<String> = lines.iter().map(|l| line_start(&inline(l))).collect();
            let _ = writeln!(out, "{}", lines.join("\\\n"));
        }
        Block::Asked(text) => {
            let _ = writeln!(out, "*{}*", inline(text));
        }
        Block::List { start, items } => {
            for (i, item) in items.iter().enumerate() {
                let marker = match start {
                    Some(n) => format!("{}.", n + i as u64),
                    None => "-".to_string(),
                };
                let _ = writeln!(out, "{marker} {}", inline(item));
            }
        }
        Block::Quote(text) => {
            let _ = writeln!(out, "> {}", inline(text));
        }
        Block::Label(label) => {
            let _ = writeln!(out, "**{}:**", inline(label));
        }
        Block::Heading(level, text) => {
            let _ = writeln!(out, "{} {}", "#".repeat((*level).into()), inline(text));
        }
        Block::Table(t) => table(out, t),
        Block::Fields(pairs) => {
            for (label, value) in pairs {
                let _ = writeln!(out, "- **{}:** {}", inline(label), inline(value));
            }
        }
    }
}

fn table(out: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        let _ = writeln!(out, "Tabell: {}\n", inline(&t.caption));
    }
    let row = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| inline(c)).collect();
        format!("| {} |", cells.join(" | "))
    };
    let _ = writeln!(out, "{}", row(&t.head));
    let _ = writeln!(out, "|{}", " --- |".repeat(t.head.len()));
    for r in &t.rows {
        let mut cells = r.clone();
        cells.resize(t.head.len(), String::new());
        let _ = writeln!(out, "{}", row(&cells));
    }
}

/// Text as Markdown that shows it as written: Markdown's special characters escaped,
/// web addresses made links (`<https://…>`).
pub(super) fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match url_in(word) {
            Some((before, url, after)) => {
                escape_into(&mut out, before);
                let _ = write!(out, "<{url}>");
                escape_into(&mut out, after);
            }
            None => escape_into(&mut out, word),
        }
    }
    out
}

/// A web address with a scheme in a word: what comes before it, the address, and the
/// punctuation after it.
fn url_in(word: &str) -> Option<(&str, &str, &str)> {
    let start = word.find("https://").or_else(|| word.find("http://"))?;
    let (before, rest) = word.split_at(start);
    let end = rest
        .trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '»', '"', '”'])
        .len();
    let url = &rest[..end];
    let fine =
        is_url(url) && url.len() > "https://".len() && !url.contains(['<', '>', '"', '\\', '`']);
    fine.then(|| (before, url, &rest[end..]))
}

fn escape_into(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '~' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '&' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') =>
            {
                out.push_str("&amp;")
            }
            _ => out.push(c),
        }
    }
}

/// Escapes what would make a line something else than a paragraph: a list item
/// (`- `, `+ `, `2024. `), a heading rule (`===`).
fn line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 9 {
        let rest = &line[digits..];
        if let Some(after) = rest.strip_prefix(['.', ')'])
            && (after.is_empty() || after.starts_with(' '))
        {
            return format!("{}\\{}", &line[..digits], rest);
        }
    }
    let first = line.chars().next();
    match first {
        Some('-' | '+' | '=') => format!("\\{line}"),
        _ => line.to_string(),
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A new member's `member.toml` from what the report says of it.
pub(super) fn member_toml(
    facts: &MemberFacts,
    slug: &str,
    sector: Sector,
    guessed: bool,
    from: &str,
) -> String {
    let mut out = format!("# Started by `aktsom import` from {from}: check each value.\n");
    let name = facts
        .name
        .clone()
        .unwrap_or_else(|| crate::new::name_from_slug(slug));
    let _ = writeln!(out, "name = {}", toml_string(&name));
    let sector_code = match sector {
        Sector::Public => "public",
        Sector::Private => "private",
    };
    let why = if guessed {
        "from the name"
    } else {
        "the report does not say: check it"
    };
    let _ = writeln!(
        out,
        "sector = \"{sector_code}\"  # \"public\" or \"private\"; {why}"
    );
    if let Some(a) = &facts.address {
        let _ = writeln!(out, "address = {}", toml_string(a));
    }
    if let Some(o) = &facts.org_number {
        let _ = writeln!(out, "org_number = {}", toml_string(o));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_addresses_linked() {
        assert_eq!(
            inline("Se *alle* krav_liste <b> [1]"),
            "Se \\*alle\\* krav\\_liste \\<b\\> \\[1\\]"
        );
        assert_eq!(
            inline("Se https://www.example.no/krav/#gref."),
            "Se <https://www.example.no/krav/#gref>."
        );
        assert_eq!(
            inline("(https://x.example.no/a)"),
            "(<https://x.example.no/a>)"
        );
        assert_eq!(inline("AT&T og &amp; & co"), "AT&amp;T og &amp;amp; & co");
        assert_eq!(line_start("2024. Et år"), "2024\\. Et år");
        assert_eq!(line_start("- ikke en liste"), "\\- ikke en liste");
        assert_eq!(line_start("2024 var et år"), "2024 var et år");
    }
}
