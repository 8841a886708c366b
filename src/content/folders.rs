//! Walking the content folders: member folders with their `member.toml`, report
//! files and images, and the free-standing pages. Each file or folder that cannot be
//! read, or that leads out of the site, is an error; the walk goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::parse::{Owner, ReadReport, load_page, read_report};
use super::{
    Found, IMAGE_EXTENSIONS, LoadOptions, Member, MemberInfo, Page, RESERVED_SLUGS, Report,
};
use crate::config::{SiteConfig, is_slug};
use crate::diagnostics::{Diagnostic, list_dir, parse_toml, read_text, regular_file, unreadable};
use crate::reporting::ReportTemplate;

const MEMBER_KEYS: &[&str] = &[
    "name",
    "sector",
    "industry",
    "website",
    "member_since",
    "member_until",
    "org_number",
    "address",
];

/// A member's folder as found on disk.
pub(super) struct MemberFolder {
    slug: String,
    dir: PathBuf,
    /// `None` when the folder's name or its `member.toml` has an error: its reports
    /// are still checked, but the member is left out of the model.
    info: Option<MemberInfo>,
    /// Image file names.
    images: BTreeSet<String>,
    reports: Vec<ReportFile>,
}

/// A report file in a member's folder.
struct ReportFile {
    path: PathBuf,
    /// The path shown in diagnostics, relative to the site root.
    shown: PathBuf,
    /// The year of the file name.
    year: u16,
}

/// Every folder in `content/members/` that can be read.
pub(super) fn member_folders(
    root: &Path,
    root_canon: &Path,
    found: &mut Found,
) -> Vec<MemberFolder> {
    let shown = Path::new("content/members");
    let dirs = content_entries(&root.join(shown), shown).unwrap_or_else(|d| {
        found.error(d);
        Vec::new()
    });
    dirs.into_iter()
        .filter_map(|dir| member_folder(dir, root_canon, found))
        .collect()
}

/// One member's folder; `None` when `dir` is not a folder, or cannot be read.
fn member_folder(dir: PathBuf, root_canon: &Path, found: &mut Found) -> Option<MemberFolder> {
    let slug = file_name(&dir);
    let shown = Path::new("content/members").join(&slug);
    if let Err(d) = stays_inside(&dir, root_canon, &shown, "folder") {
        found.error(d);
        return None;
    }
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        // Files beside the member folders are not read.
        Ok(_) => return None,
        Err(e) => {
            found.error(unreadable(&shown, "folder", &e));
            return None;
        }
    }
    let files = content_entries(&dir, &shown)
        .map_err(|d| found.error(d))
        .ok()?;
    let valid = is_slug(&slug, '-');
    if !valid {
        found.error(
            Diagnostic::file(
                &shown,
                format!("the member folder name `{slug}` is not a valid slug"),
            )
            .with_help(
                "use lower-case letters a–z, digits and hyphens, for example fjordvik-kommune",
            ),
        );
    }
    let info = load_member_info(&dir, &shown, root_canon)
        .map_err(|d| found.error(d))
        .ok();
    let (images, reports) = folder_files(files, &shown, root_canon, found);
    Some(MemberFolder {
        slug,
        dir,
        info: info.filter(|_| valid),
        images,
        reports,
    })
}

/// Sorts a member folder's files into images and report files; other files are not
/// read.
fn folder_files(
    files: Vec<PathBuf>,
    shown_dir: &Path,
    root_canon: &Path,
    found: &mut Found,
) -> (BTreeSet<String>, Vec<ReportFile>) {
    let mut images = BTreeSet::new();
    let mut reports = Vec::new();
    for file in files {
        let name = file_name(&file);
        let shown = shown_dir.join(&name);
        if let Err(d) = stays_inside(&file, root_canon, &shown, "file") {
            found.error(d);
            continue;
        }
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext == "md" {
            match report_year(&file) {
                Some(year) => reports.push(ReportFile {
                    path: file,
                    shown,
                    year,
                }),
                None => found.error(
                    Diagnostic::file(
                        &shown,
                        "a report file must be named after its year, like 2024.md",
                    )
                    .with_help("rename the file to <year>.md"),
                ),
            }
        } else if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            match check_image(&file, &shown) {
                Ok(()) => {
                    images.insert(name);
                }
                Err(d) => found.error(d),
            }
        }
    }
    (images, reports)
}

/// The year a report file is named after: `2024.md`.
fn report_year(file: &Path) -> Option<u16> {
    let stem = file.file_stem().and_then(|s| s.to_str())?;
    if stem.len() == 4 {
        stem.parse().ok()
    } else {
        None
    }
}

/// Reads and renders the reports of every folder in parallel, and makes the members.
/// A report goes into its member's model when neither it nor its member has an error
/// (drafts only when `opts.drafts`); one with an error whose text was rendered, and
/// every report of a member left out, go into [`LeftOut`](super::LeftOut).
pub(super) fn load_members(
    folders: Vec<MemberFolder>,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
    opts: &LoadOptions,
    found: &mut Found,
) -> Vec<Member> {
    let jobs: Vec<(usize, &ReportFile)> = folders
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.reports.iter().map(move |r| (i, r)))
        .collect();
    let read: Vec<(usize, ReadReport)> = jobs
        .par_iter()
        .map(|&(i, file)| {
            let owner = Owner::of_folder(&folders[i]);
            let read = read_text(&file.path, &file.shown).map_or_else(
                |d| (None, vec![d]),
                |source| read_report(source, file.year, owner, config, templates),
            );
            (i, read)
        })
        .collect();
    let mut reports: Vec<Vec<Report>> = folders.iter().map(|_| Vec::new()).collect();
    for (i, (report, diags)) in read {
        let failed = found.file(diags);
        match report {
            Some(r) if failed || folders[i].info.is_none() => found.left_out.reports.push(r),
            Some(r) if opts.drafts || !r.draft => reports[i].push(r),
            _ => {}
        }
    }
    folders
        .into_iter()
        .zip(reports)
        .filter_map(|(f, mut reports)| {
            reports.sort_by_key(|r| r.year);
            Some(Member {
                slug: f.slug,
                info: f.info?,
                reports,
                images: f.images,
                dir: f.dir,
            })
        })
        .collect()
}

/// The free-standing pages, `content/<slug>.md`, and the front page's text,
/// `content/index.md`.
pub(super) fn load_pages(
    root: &Path,
    root_canon: &Path,
    config: &SiteConfig,
    found: &mut Found,
) -> (Vec<Page>, Option<Page>) {
    let content = Path::new("content");
    let files = content_entries(&root.join(content), content).unwrap_or_else(|d| {
        found.error(d);
        Vec::new()
    });
    let mut pages = Vec::new();
    let mut front = None;
    for file in files {
        let Some((slug, shown)) = page_file(&file, root_canon, found) else {
            continue;
        };
        let (page, diags) = load_page(&file, &shown, &slug, config);
        let failed = found.file(diags);
        match page {
            Some(page) if failed => found.left_out.pages.push(page),
            Some(page) if slug == "index" => front = Some(page),
            Some(page) => pages.push(page),
            None => {}
        }
    }
    (pages, front)
}

/// A page's slug and the path shown, when `file` is a page file (`.md`) with a name a
/// page may have.
fn page_file(file: &Path, root_canon: &Path, found: &mut Found) -> Option<(String, PathBuf)> {
    if file.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let slug = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let shown = Path::new("content").join(file_name(file));
    if let Err(d) = stays_inside(file, root_canon, &shown, "file") {
        found.error(d);
        return None;
    }
    if slug != "index" && (!is_slug(&slug, '-') || RESERVED_SLUGS.contains(&slug.as_str())) {
        found.error(
            Diagnostic::file(&shown, format!("`{slug}` cannot be a page name")).with_help(format!(
                "use lower-case letters, digits and hyphens, and none of: {}",
                RESERVED_SLUGS.join(", ")
            )),
        );
        return None;
    }
    Some((slug, shown))
}

/// The entries of a content folder, sorted, without hidden files and editor backups
/// (`.x`, `x~`, `#x#`). A folder that does not exist has none; one that cannot be read
/// is an error with the system's reason (never an empty site).
fn content_entries(dir: &Path, shown: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut v = list_dir(dir, shown)?.unwrap_or_default();
    v.retain(|p| {
        let name = file_name(p);
        !name.starts_with('.') && !name.ends_with('~') && !name.starts_with('#')
    });
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Refuses a file or folder (`what`) that is, or lies below, a symbolic link leading
/// out of the site root (`root` is canonical). Nothing outside the site is ever read or
/// published. A link that cannot be followed (a loop, a link to nothing, a folder on
/// the way that cannot be opened) is an error with the system's reason.
fn stays_inside(path: &Path, root: &Path, shown: &Path, what: &str) -> Result<(), Diagnostic> {
    match path.canonicalize() {
        Ok(target) if target.starts_with(root) => Ok(()),
        Ok(_) => Err(
            Diagnostic::file(shown, "a symbolic link that leads outside the site folder")
                .with_help("copy the file into the site instead of linking to it"),
        ),
        // A path that does not exist is reported where it is read.
        Err(_) if std::fs::symlink_metadata(path).is_err() => Ok(()),
        Err(e) => Err(unreadable(shown, what, &e)),
    }
}

/// An image is published as it is, so it is only opened here: it must be a regular
/// file that aktsom may read (what `build` will copy, `check` checks).
fn check_image(path: &Path, shown: &Path) -> Result<(), Diagnostic> {
    regular_file(path, shown)?;
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| unreadable(shown, "file", &e))
}

fn load_member_info(dir: &Path, shown_dir: &Path, root: &Path) -> Result<MemberInfo, Diagnostic> {
    let path = dir.join("member.toml");
    let shown = shown_dir.join("member.toml");
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Diagnostic::file(shown_dir, "the member folder has no member.toml")
                .with_help("add member.toml with name, sector, industry, website and member_since (see docs/content-format.md)"));
        }
        Err(e) => return Err(unreadable(&shown, "file", &e)),
        Ok(_) => {}
    }
    stays_inside(&path, root, &shown, "file")?;
    let source = read_text(&path, &shown)?;
    let info: MemberInfo = parse_toml(&source, &source.text, 0, MEMBER_KEYS)?;
    if let Some(w) = &info.website {
        // Characters a URL cannot hold: the address is published as a link.
        let bad = |c: char| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c);
        if !(w.starts_with("https://") || w.starts_with("http://")) || w.contains(bad) {
            let at = source.text.find("website").unwrap_or(0);
            return Err(source
                .error(
                    at..at + 7,
                    "website must be an http(s) address without spaces, quotes or angle brackets",
                )
                .with_help("for example website = \"https://www.example.no/\""));
        }
    }
    if let (Some(since), Some(until)) = (info.member_since, info.member_until)
        && until < since
    {
        let at = key_at(&source.text, "member_until");
        return Err(source
            .error(
                at..at + "member_until".len(),
                format!("member_until ({until}) is before member_since ({since})"),
            )
            .with_help("member_until is the last year of membership: the year the member left, or later than member_since"));
    }
    Ok(info)
}

/// Where the key `key` starts a line of a TOML file (0 when it does not).
fn key_at(text: &str, key: &str) -> usize {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return at + (line.len() - trimmed.len());
        }
        at += line.len();
    }
    0
}

impl<'a> Owner<'a> {
    fn of_folder(folder: &'a MemberFolder) -> Self {
        Owner {
            slug: &folder.slug,
            images: &folder.images,
        }
    }
}
