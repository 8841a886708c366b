//! The output folder's guard: which folders a build may replace (the [`MARKER`], the
//! site's own folders, [`check_out_dir`], [`check_build_out`]) and which names at the top of
//! an output are kept (dot-files and [`HOSTING_FILES`]).

use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::Diagnostic;

use super::emit::FileId;
use super::emit::identity;

/// The file at the top of every output folder (and staging folder) `aktsom build`
/// makes: a folder without it is replaced only with `--force`.
pub(crate) const MARKER: &str = ".aktsom-output";

pub(super) const MARKER_TEXT: &str = "\
This folder is the output of `aktsom build`. Each build replaces what is in it, except
the dot-files (such as .git) and CNAME, _headers, _redirects, _routes.json and
_worker.js at the top, which it keeps. Without this file, aktsom builds into the folder
only with --force.
";

/// The folders of a site that hold its sources: an output folder is never one of these
/// or inside one (`themes/` holds the theme folders).
pub(crate) const SOURCES: [&str; 6] = [
    "content",
    "static",
    "templates",
    "i18n",
    "themes",
    "report-templates",
];

/// Files that hosting services read at the top of the published folder (GitHub Pages,
/// Netlify, Cloudflare Pages). aktsom writes one only when the site's `static/` has it;
/// otherwise a build keeps the output's own, like the dot-files.
pub(crate) const HOSTING_FILES: [&str; 5] = [
    "CNAME",
    "_headers",
    "_redirects",
    "_routes.json",
    "_worker.js",
];

/// The files that mark a folder as the output of an aktsom version before [`MARKER`]:
/// a build writes every one of them.
const EARLIER_OUTPUT: [&str; 5] = [
    "index.html",
    "404.html",
    "sitemap.xml",
    "medlemmer/index.html",
    "data/rapporter.json",
];

/// Whether a build keeps `name`, at the top of the output folder, when it does not
/// write that name itself: dot-files and [`HOSTING_FILES`], but not aktsom's own
/// `.aktsom-*` files.
pub(super) fn kept_name(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.starts_with(b".aktsom-")
        && (bytes.starts_with(b".") || HOSTING_FILES.iter().any(|h| name == OsStr::new(h)))
}

/// Refuses output folders that would destroy the site or feed a build its own output:
/// the site root or a folder holding it, the home folder, a folder in the site's
/// sources ([`SOURCES`]),
/// a folder that looks like another site, and a file. These hold for `aktsom build`,
/// `--force` or not, and for the preview.
pub(crate) fn check_out_dir(root: &Path, out: &Path) -> Result<(), String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out_abs = resolve(out);
    let shown = out.display();
    if root.starts_with(&out_abs) {
        return Err(format!(
            "the output folder {shown} contains the site itself"
        ));
    }
    if std::env::home_dir().is_some_and(|home| resolve(&home) == out_abs) {
        return Err(format!(
            "the output folder {shown} is your home folder; give a folder of its own, such as {}",
            super::default_out(&root).display()
        ));
    }
    if let Some(source) = source_holding(&root, &out_abs) {
        return Err(format!(
            "the output folder {shown} is inside the site's sources ({source}/), which a \
             build would replace or read back as input; give a folder outside content/, \
             static/, templates/, i18n/, themes/ and report-templates/, such as {}",
            super::default_out(&root).display()
        ));
    }
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "{shown} is a file, not a folder; give a folder for the output with --out \
                 (a build never replaces a file)"
            ));
        }
        _ => {}
    }
    if out_abs.join("site.toml").exists() || out_abs.join("content").is_dir() {
        return Err(format!(
            "the output folder {shown} looks like a site (it has site.toml or content/)"
        ));
    }
    Ok(())
}

/// [`check_out_dir`], and whether `aktsom build` may replace what the folder holds: yes
/// when it does not exist, holds nothing but what a build keeps (dot-files, [`HOSTING_FILES`]), was
/// made by aktsom (it has [`MARKER`], or every file an earlier version wrote), or with
/// `force`. A symbolic link is followed: the folder it leads to is the one replaced
/// (see `Staging::new`), and the link stays.
pub(crate) fn check_build_out(root: &Path, out: &Path, force: bool) -> Result<(), Vec<Diagnostic>> {
    check_out_dir(root, out).map_err(|m| vec![Diagnostic::file(out, m)])?;
    if let Ok(target) = std::fs::read_link(out)
        && std::fs::metadata(out).is_err()
    {
        return Err(vec![
            Diagnostic::file(
                out,
                format!(
                    "the output folder {} is a symbolic link to {}, which does not exist",
                    out.display(),
                    target.display()
                ),
            )
            .with_help("make the folder it leads to, or give another folder with --out"),
        ]);
    }
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(vec![Diagnostic::file(
                out,
                format!("cannot read the output folder: {e}"),
            )]);
        }
    };
    if force || is_file(&out.join(MARKER)) {
        return Ok(());
    }
    let removed: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| !kept_name(&e.file_name()))
        .map(|e| {
            let slash = if e.file_type().is_ok_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            format!(
                "`{}{slash}`",
                e.file_name().to_string_lossy().escape_debug()
            )
        })
        .collect();
    if removed.is_empty() || EARLIER_OUTPUT.iter().all(|f| is_file(&out.join(f))) {
        return Ok(());
    }
    Err(vec![not_made_by_aktsom(out, removed)])
}

/// The refusal to replace a folder aktsom did not make, naming the first three of
/// the entries (`removed`) a build would delete.
fn not_made_by_aktsom(out: &Path, mut removed: Vec<String>) -> Diagnostic {
    removed.sort();
    let more = removed.len().saturating_sub(3);
    removed.truncate(3);
    let mut listed = removed.join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    Diagnostic::file(
        out,
        format!(
            "the output folder {} is not empty and was not made by aktsom (it has no {MARKER} \
             file): a build would delete {listed}",
            out.display()
        ),
    )
    .with_help(
        "give an empty or new folder with --out, or add --force to replace what is in it \
         (dot-files such as .git, and CNAME, _headers, _redirects, _routes.json and \
         _worker.js, are kept)",
    )
}

/// A regular file (not a link to one).
fn is_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// A folder (not a link to one).
pub(super) fn is_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// `p` made absolute: its longest existing part canonical (links resolved), the rest
/// (folders a build would create) added with `.` and `..` applied.
pub(super) fn resolve(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let parts: Vec<Component> = abs.components().collect();
    for i in (1..=parts.len()).rev() {
        let head: PathBuf = parts[..i].iter().collect();
        let Ok(mut path) = head.canonicalize() else {
            continue;
        };
        for c in &parts[i..] {
            match c {
                Component::Normal(n) => path.push(n),
                Component::ParentDir => {
                    path.pop();
                }
                _ => {}
            }
        }
        return path;
    }
    abs
}

/// The source folder of the site at `root` (canonical) that `out` (resolved) is or is
/// inside, if any: by name, and by identity for another name of the same folder (a file
/// system that ignores case, a link to the folder).
fn source_holding(root: &Path, out: &Path) -> Option<&'static str> {
    let first = out
        .strip_prefix(root)
        .ok()
        .and_then(|rel| rel.components().next());
    if let Some(Component::Normal(first)) = first
        && let Some(s) = SOURCES.iter().find(|s| same_name(first, s))
    {
        return Some(s);
    }
    let sources: Vec<(FileId, &'static str)> = SOURCES
        .iter()
        .filter_map(|s| Some((identity(&std::fs::metadata(root.join(s)).ok()?)?, *s)))
        .collect();
    out.ancestors()
        .filter_map(|a| identity(&std::fs::metadata(a).ok()?))
        .find_map(|id| {
            sources
                .iter()
                .find(|(s, _)| *s == id)
                .map(|(_, name)| *name)
        })
}

/// Whether a folder's name is `name` (ignoring ASCII case where the file system usually
/// does).
fn same_name(found: &OsStr, name: &str) -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        found.to_str().is_some_and(|f| f.eq_ignore_ascii_case(name))
    } else {
        found == OsStr::new(name)
    }
}
