//! Which files an import run takes: one file (its member and year given, or in its
//! name), or a folder's files named `<slug>-<year>.pdf|txt`.

use std::path::{Path, PathBuf};

use crate::config::is_slug;
use crate::diagnostics::Diagnostic;

use super::ImportOptions;

/// One file to import: the file, the member and the year.
pub(super) struct Job {
    pub(super) input: PathBuf,
    pub(super) member: String,
    pub(super) year: u16,
}

/// `fjordvik-kommune-2024.pdf` → (`fjordvik-kommune`, 2024).
fn member_and_year(path: &Path) -> Option<(String, u16)> {
    let stem = path.file_stem()?.to_str()?;
    let (slug, year) = stem.rsplit_once('-')?;
    let year: u16 = year.parse().ok().filter(|_| year.len() == 4)?;
    is_slug(slug, '-').then(|| (slug.to_string(), year))
}

fn is_report_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
}

/// The files to import, and the files of a folder that are left alone (with why).
pub(super) fn jobs(opts: &ImportOptions) -> Result<(Vec<Job>, Vec<String>), Vec<Diagnostic>> {
    let input = &opts.input;
    if !input.is_dir() {
        return Ok((vec![one_file(opts)?], Vec::new()));
    }
    if opts.member.is_some() || opts.year.is_some() {
        return Err(vec![
            Diagnostic::file(input, "--member and --year are for one file, not a folder")
                .with_help(
                    "in a folder, each file's name says its member and year: <slug>-<year>.pdf",
                ),
        ]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .map_err(|e| {
            vec![Diagnostic::file(
                input,
                format!("cannot read the folder: {e}"),
            )]
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_report_file(p))
        .collect();
    files.sort();
    Ok(folder(files))
}

/// The one file to import: its member and year from the options, else its name.
fn one_file(opts: &ImportOptions) -> Result<Job, Vec<Diagnostic>> {
    let input = &opts.input;
    let named = member_and_year(input);
    let member = opts
        .member
        .clone()
        .or_else(|| named.as_ref().map(|n| n.0.clone()));
    let year = opts.year.or(named.map(|n| n.1));
    let (Some(member), Some(year)) = (member, year) else {
        return Err(vec![
            Diagnostic::file(input, "which member and year is this report?")
                .with_help("give --member SLUG --year YEAR, or name the file <slug>-<year>.pdf"),
        ]);
    };
    Ok(Job {
        input: input.clone(),
        member,
        year,
    })
}

/// A folder's report files (sorted) as jobs, and the files left alone with why: a name
/// that does not say the member and year, or a second file of the same report.
fn folder(files: Vec<PathBuf>) -> (Vec<Job>, Vec<String>) {
    let (mut out, mut ignored): (Vec<Job>, Vec<String>) = (Vec::new(), Vec::new());
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match member_and_year(&f) {
            Some((member, year)) if out.iter().any(|j| j.member == member && j.year == year) => {
                ignored.push(format!("{name}: the same report as a file before it"));
            }
            Some((member, year)) => out.push(Job {
                input: f,
                member,
                year,
            }),
            None => ignored.push(format!("{name}: not named <slug>-<year>.pdf or .txt")),
        }
    }
    (out, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_and_year_from_file_names() {
        assert_eq!(
            member_and_year(Path::new("x/fjordvik-kommune-2024.pdf")),
            Some(("fjordvik-kommune".into(), 2024))
        );
        assert_eq!(member_and_year(Path::new("rapport.pdf")), None);
        assert_eq!(member_and_year(Path::new("Fjordvik-2024.txt")), None);
        assert_eq!(member_and_year(Path::new("fjordvik-24.txt")), None);
    }
}
