//! Writing the built site. Pages go to a staging folder beside the output as they are
//! rendered (in parallel), and only a complete build (link check included) is swapped
//! in: a failed build leaves the previous output exactly as it was.
//!
//! Every finished file passes through an [`Emitter`]: HTML pages get their one scan
//! ([`crate::rewrite::scan_page`]: external links marked, ids and internal links kept
//! for the link check), then the file is written to the staging folder, or kept in
//! memory for `aktsom check`, the preview and the tests. Written pages are not kept:
//! a build holds the model and the links, not the output.
//!
//! What a build may replace is decided here too: never the site's own folders, a file
//! or a link ([`check_out_dir`]), and a folder only when aktsom made it (it holds
//! [`MARKER`]), when it holds nothing a build would remove, or with `--force`
//! ([`check_build_out`]). Whatever the folder held, the dot-files (`.git`…) and the
//! hosting files ([`HOSTING_FILES`]) at its top go into each new output.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Sink};
use crate::rewrite::{self, PageLinks};

/// A file copied as it is (a member's image).
pub struct Copy {
    pub from: PathBuf,
    pub to: String,
}

/// The default output folder of a site.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("public")
}

/// The file at the top of every output folder (and staging folder) `aktsom build`
/// makes: a folder without it is replaced only with `--force`.
pub const MARKER: &str = ".aktsom-output";

const MARKER_TEXT: &str = "\
This folder is the output of `aktsom build`. Each build replaces what is in it, except
the dot-files (such as .git) and CNAME, _headers, _redirects, _routes.json and
_worker.js at the top, which it keeps. Without this file, aktsom builds into the folder
only with --force.
";

/// The folders of a site that hold its sources: an output folder is never one of these
/// or inside one (`themes/` holds the theme folders).
pub const SOURCES: [&str; 6] = [
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
pub const HOSTING_FILES: [&str; 5] = [
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
fn kept_name(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.starts_with(b".aktsom-")
        && (bytes.starts_with(b".") || HOSTING_FILES.iter().any(|h| name == OsStr::new(h)))
}

/// Refuses output folders that would destroy the site or feed a build its own output:
/// the site root or a folder holding it, the home folder, a folder in the site's
/// sources ([`SOURCES`]),
/// a folder that looks like another site, and a file. These hold for `aktsom build`,
/// `--force` or not, and for the preview.
pub fn check_out_dir(root: &Path, out: &Path) -> Result<(), String> {
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
            default_out(&root).display()
        ));
    }
    if let Some(source) = source_holding(&root, &out_abs) {
        return Err(format!(
            "the output folder {shown} is inside the site's sources ({source}/), which a \
             build would replace or read back as input; give a folder outside content/, \
             static/, templates/, i18n/, themes/ and report-templates/, such as {}",
            default_out(&root).display()
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
/// (see [`Staging::new`]), and the link stays.
pub fn check_build_out(root: &Path, out: &Path, force: bool) -> Result<(), Vec<Diagnostic>> {
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
    let mut removed: Vec<String> = entries
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
    removed.sort();
    let more = removed.len().saturating_sub(3);
    removed.truncate(3);
    let mut listed = removed.join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    Err(vec![
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
        ),
    ])
}

/// A regular file (not a link to one).
fn is_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// A folder (not a link to one).
fn is_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// `p` made absolute: its longest existing part canonical (links resolved), the rest
/// (folders a build would create) added with `.` and `..` applied.
fn resolve(p: &Path) -> PathBuf {
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

/// The folder beside the output that a build writes into. Dropped without
/// [`Staging::publish`] (a failed build), it is removed and the output is untouched.
///
/// A publish keeps the output it replaces beside the new one, as
/// `.aktsom-previous-<name>`, and the next build takes that folder as its staging
/// folder: its folders already exist and most of its files already hold what the build
/// produces (they are hard links to the published files, see [`Emitter::to_dir`]), so
/// a rebuild creates and deletes almost nothing. It is only ever a cache: a file in it
/// is kept only when it holds exactly the bytes the build produces, anything the build
/// does not produce is removed before the swap, and deleting it costs only speed.
///
/// Staging folders are named `.aktsom-build-<name>-XXXXXX`; a build that finds such
/// folders of builds that were stopped removes them first.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    /// The output folder's name, part of the names of the folders beside it.
    name: String,
    spare: PathBuf,
    /// What the folder held when the build took it: files and folders, relative.
    held: Held,
    /// Kept entries moved from the output into the staging folder for the swap, put
    /// back should the swap not happen.
    moved: Vec<OsString>,
    published: bool,
    warnings: Vec<Diagnostic>,
    /// A shared lock on the folder that holds the output while the build runs (see
    /// [`lock_parent`]); released last, when the staging folder is gone or published.
    _lock: Option<File>,
}

/// Files and folders (relative paths) found in a reused staging folder.
#[derive(Default)]
struct Held {
    files: Vec<String>,
    dirs: Vec<String>,
}

impl Staging {
    /// A staging folder for the output folder `out`; a link to a folder is followed, so
    /// the staging folder goes beside the folder it leads to.
    pub fn new(out: &Path) -> io::Result<Staging> {
        let out = resolve(out);
        let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(io::Error::other(
                "the output folder cannot be the root folder",
            ));
        };
        let (parent, name) = (parent.to_path_buf(), name.to_string_lossy().into_owned());
        std::fs::create_dir_all(&parent)?;
        let mut warnings = Vec::new();
        let lock = match lock_parent(&parent) {
            Some((file, true)) => {
                warnings = clean_leftovers(&parent, &name, &out);
                let _ = file.unlock();
                file.lock_shared().ok().map(|()| file)
            }
            Some((file, false)) => Some(file),
            None => None,
        };
        let mut staging = Staging {
            dir: new_dir(&parent, "build", &name)?,
            spare: parent.join(format!(".aktsom-previous-{name}")),
            out,
            parent,
            name,
            held: Held::default(),
            moved: Vec::new(),
            published: false,
            warnings,
            _lock: lock,
        };
        staging.claim_spare()?;
        let marker = staging.dir.join(MARKER);
        if holds(&marker, MARKER_TEXT.as_bytes()).is_none() {
            write_new(&marker, MARKER_TEXT.as_bytes())?;
        }
        Ok(staging)
    }

    /// Takes the output the last build replaced as the staging folder, if there is one
    /// and every folder in it can be written to: renaming it onto the fresh (empty)
    /// folder claims it atomically, so two builds at once never share it. One that
    /// cannot be written to is put back, and the build starts from an empty folder.
    fn claim_spare(&mut self) -> io::Result<()> {
        if !is_dir(&self.spare) || std::fs::rename(&self.spare, &self.dir).is_err() {
            return Ok(());
        }
        let (held, writable) = survey(&self.dir);
        if writable {
            self.held = held;
            self.restore_kept_folders();
            return Ok(());
        }
        if std::fs::rename(&self.dir, &self.spare).is_err() {
            // Taken again meanwhile: this one is left for the next build to remove.
            let _ = remove_tree(&self.dir);
        }
        self.dir = new_dir(&self.parent, "build", &self.name)?;
        self.warnings.push(
            Diagnostic::file(
                &self.spare,
                "the output the last build replaced, kept to make this build faster, cannot \
                 be reused: a folder in it is read-only, so every file was written anew",
            )
            .with_help(format!(
                "make it writable (chmod -R u+w {0}) or delete it",
                self.spare.display()
            ))
            .warning(),
        );
        Ok(())
    }

    /// Folders with kept names ([`kept_name`]) in a reused staging folder came from an
    /// earlier version that did not keep them (a build never leaves one there): each
    /// goes back into the output when the output has none of that name.
    fn restore_kept_folders(&mut self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name();
            let to = self.out.join(&name);
            if !kept_name(&name)
                || !e.file_type().is_ok_and(|t| t.is_dir())
                || std::fs::symlink_metadata(&to).is_ok()
                || std::fs::rename(e.path(), &to).is_err()
            {
                continue;
            }
            let name = name.to_string_lossy();
            let inside = |p: &String| *p == *name || p.starts_with(&format!("{name}/"));
            self.held.files.retain(|p| !inside(p));
            self.held.dirs.retain(|p| !inside(p));
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Folders that already exist in the staging folder (relative paths).
    pub fn folders(&self) -> &[String] {
        &self.held.dirs
    }

    /// Whether the staging folder holds files from an earlier build.
    pub fn reused(&self) -> bool {
        !self.held.files.is_empty()
    }

    /// What the user should know about the folders beside the output: leftovers of
    /// stopped builds that could not be removed, a kept output that cannot be reused.
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
    }

    /// Swaps the staged folder in for the output: files of the reused folder that this
    /// build did not produce (`produced`, relative paths) are removed, what the build
    /// keeps from the output goes into the staged folder, the two folders swap places
    /// (in one step where the platform can, see `swap`), and the old output is kept
    /// for the next build (or removed when it cannot be).
    pub fn publish(mut self, produced: &[String]) -> io::Result<()> {
        self.remove_stale(produced);
        if std::fs::symlink_metadata(&self.out).is_err() {
            std::fs::rename(&self.dir, &self.out)?;
            self.published = true;
            return Ok(());
        }
        self.carry_kept(produced)?;
        let old = swap(&self.dir, &self.out, &self.parent, &self.name)?;
        self.published = true;
        if std::fs::rename(&old, &self.spare).is_err() {
            // Should this fail, the folder is a leftover the next build removes.
            let _ = remove_tree(&old);
        }
        Ok(())
    }

    /// Puts what the build keeps from the output ([`kept_name`]; not a name the build
    /// wrote itself) into the staged folder: files hard-linked, so that the output
    /// keeps them until the swap; folders moved, put back by `drop` should the swap not
    /// happen, and by the next build should this one be stopped before it.
    fn carry_kept(&mut self, produced: &[String]) -> io::Result<()> {
        let written: HashSet<&str> = produced
            .iter()
            .map(|p| p.split('/').next().unwrap_or(p))
            .collect();
        for e in std::fs::read_dir(&self.out)? {
            let e = e?;
            let name = e.file_name();
            if !kept_name(&name) || name.to_str().is_some_and(|n| written.contains(n)) {
                continue;
            }
            let (from, to) = (e.path(), self.dir.join(&name));
            if !e.file_type()?.is_dir() && std::fs::hard_link(&from, &to).is_ok() {
                continue;
            }
            std::fs::rename(&from, &to).map_err(|err| {
                io::Error::new(err.kind(), format!("cannot keep {}: {err}", from.display()))
            })?;
            self.moved.push(name);
        }
        Ok(())
    }

    /// Removes what the reused folder held and this build did not produce: files, then
    /// the folders left empty (deepest first). The marker stays.
    fn remove_stale(&self, produced: &[String]) {
        if self.held.files.is_empty() && self.held.dirs.is_empty() {
            return;
        }
        let mut produced: HashSet<&str> = produced.iter().map(String::as_str).collect();
        produced.insert(MARKER);
        let stale: Vec<&String> = self
            .held
            .files
            .iter()
            .filter(|f| !produced.contains(f.as_str()))
            .collect();
        stale.par_iter().for_each(|f| {
            let _ = std::fs::remove_file(self.dir.join(f));
        });
        let mut needed: HashSet<&str> = HashSet::new();
        for p in &produced {
            let mut at = *p;
            while let Some((parent, _)) = at.rsplit_once('/') {
                if !needed.insert(parent) {
                    break;
                }
                at = parent;
            }
        }
        let mut empty: Vec<&String> = self
            .held
            .dirs
            .iter()
            .filter(|d| !needed.contains(d.as_str()))
            .collect();
        empty.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
        for d in empty {
            let _ = std::fs::remove_dir(self.dir.join(d));
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.published {
            return;
        }
        // What was moved out of the output goes back; should something not, the folder
        // is left for the next build (see `clear_leftover`).
        let mut back = true;
        for name in &self.moved {
            let to = self.out.join(name);
            if std::fs::symlink_metadata(&to).is_ok()
                || std::fs::rename(self.dir.join(name), &to).is_err()
            {
                back = false;
            }
        }
        if back {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// A new, empty folder `.aktsom-<what>-<name>-XXXXXX` in `parent`.
fn new_dir(parent: &Path, what: &str, name: &str) -> io::Result<PathBuf> {
    Ok(tempfile::Builder::new()
        .prefix(&format!(".aktsom-{what}-{name}-"))
        .rand_bytes(6)
        .tempdir_in(parent)?
        .keep())
}

/// Puts the folder `new` in place of the output folder `out` and returns where the
/// replaced output is now. Where the platform swaps two folders in one step (Linux's
/// `renameat2` with `RENAME_EXCHANGE`, macOS's `renameatx_np` with `RENAME_SWAP`) and
/// the file system allows it, there is no moment without an output; elsewhere it takes
/// two renames ([`swap_by_renames`]).
fn swap(new: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            return Ok(new.to_path_buf());
        }
    }
    swap_by_renames(new, out, parent, name)
}

/// The swap in two renames: the output moves aside to `.aktsom-old-<name>-XXXXXX`,
/// then the new one takes its place. A build stopped in between leaves no output; the
/// next build puts the old one back first (see [`clean_leftovers`]).
fn swap_by_renames(new: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    let old = new_dir(parent, "old", name)?;
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(new, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    Ok(old)
}

/// Locks the folder that holds the output (an advisory lock, `flock` on Unix). Every
/// build holds a shared lock while its staging folder exists, so a build that gets the
/// lock alone knows that every staging folder beside it is left from a build that
/// stopped. Returns the lock and whether it is exclusive; `None` where locks are not
/// available (then leftovers are not removed).
fn lock_parent(parent: &Path) -> Option<(File, bool)> {
    let file = open_lock(parent).ok()?;
    match file.try_lock() {
        Ok(()) => Some((file, true)),
        Err(std::fs::TryLockError::WouldBlock) => {
            file.lock_shared().ok()?;
            Some((file, false))
        }
        Err(_) => None,
    }
}

#[cfg(unix)]
fn open_lock(parent: &Path) -> io::Result<File> {
    File::open(parent)
}

/// Where a folder cannot be opened as a file, a lock file beside the output.
#[cfg(not(unix))]
fn open_lock(parent: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(parent.join(".aktsom-lock"))
}

/// What a folder beside the output was left by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leftover {
    /// A staging folder of this output.
    Build,
    /// An output of this output folder moved aside by a swap in two renames.
    Old,
    /// `.aktsom-build-XXXXXX` or `.aktsom-old-XXXXXX` of a version that did not name
    /// the output in them: of this output folder or of another in the same folder.
    Earlier,
}

/// What a stopped build leaves beside the output folder `name` is named
/// `.aktsom-build-<name>-XXXXXX` or `.aktsom-old-<name>-XXXXXX`, or (earlier versions)
/// `.aktsom-build-XXXXXX` or `.aktsom-old-XXXXXX`, where XXXXXX is six ASCII letters or
/// digits. Nothing else is ever taken for a leftover.
fn leftover_kind(file: &str, name: &str) -> Option<Leftover> {
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    for (what, kind) in [("build-", Leftover::Build), ("old-", Leftover::Old)] {
        let Some(rest) = file
            .strip_prefix(".aktsom-")
            .and_then(|r| r.strip_prefix(what))
        else {
            continue;
        };
        if random(rest) {
            return Some(Leftover::Earlier);
        }
        if let Some(r) = rest.strip_prefix(name).and_then(|r| r.strip_prefix('-'))
            && random(r)
        {
            return Some(kind);
        }
    }
    None
}

/// Removes what builds that were stopped (killed, a power cut) left beside the output
/// `out` (in `parent`, named `name`): folders that [`leftover_kind`] names, and only
/// real folders, never what a link leads to. Called only while no other build into the
/// same folder runs (see [`lock_parent`]). Returns what could not be removed.
fn clean_leftovers(parent: &Path, name: &str, out: &Path) -> Vec<Diagnostic> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, Leftover)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let kind = leftover_kind(e.file_name().to_str()?, name)?;
            // The entry's own type: a link is not followed.
            e.file_type().ok()?.is_dir().then(|| (e.path(), kind))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    // Stopped between the two renames of a swap (see `swap_by_renames`): the output
    // that was moved aside goes back first.
    if std::fs::symlink_metadata(out).is_err()
        && let Some(i) = found.iter().position(|(_, k)| *k == Leftover::Old)
        && std::fs::rename(&found[i].0, out).is_ok()
    {
        found.remove(i);
    }
    found
        .iter()
        .filter_map(|(dir, kind)| clear_leftover(dir, (*kind != Leftover::Earlier).then_some(out)))
        .collect()
}

/// Removes a folder a stopped build left, after putting back into the output (`out`,
/// when the folder is known to be this output's) the kept entries ([`kept_name`]) that
/// the output lacks. A kept entry that cannot go back (the output has its own of that
/// name; not the same file) leaves the folder as it is. Returns what went wrong.
fn clear_leftover(dir: &Path, out: Option<&Path>) -> Option<Diagnostic> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return Some(cannot_remove(dir, &e)),
    };
    let mut stuck: Vec<String> = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        if !kept_name(&name) {
            continue;
        }
        let from = e.path();
        let back = out.is_some_and(|out| {
            let to = out.join(&name);
            match std::fs::symlink_metadata(&to) {
                Ok(_) => file_id(&from).is_some() && file_id(&from) == file_id(&to),
                Err(_) => std::fs::rename(&from, &to).is_ok(),
            }
        });
        if !back {
            stuck.push(format!("`{}`", name.to_string_lossy().escape_debug()));
        }
    }
    if !stuck.is_empty() {
        stuck.sort();
        return Some(
            Diagnostic::file(
                dir,
                format!(
                    "this folder, left by a build that stopped, holds {}, which aktsom did not \
                 write: it is left as it is",
                    stuck.join(", ")
                ),
            )
            .with_help("move what you need into the output folder, then delete this folder")
            .warning(),
        );
    }
    remove_tree(dir).err().map(|e| cannot_remove(dir, &e))
}

fn cannot_remove(dir: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::file(
        dir,
        format!("cannot remove this folder, left by a build that stopped: {e}"),
    )
    .with_help("delete it by hand")
    .warning()
}

/// Lists the files and folders under `dir` (relative paths, in parallel), removing
/// anything else on the way (symbolic links, pipes…: a build never makes them, and a
/// link would lead writes out of the folder), and tells whether every folder (`dir`
/// too) can be written to.
fn survey(dir: &Path) -> (Held, bool) {
    fn walk(abs: &Path, rel: &str, held: &Mutex<Held>, writable: &AtomicBool) {
        if !can_write(abs) {
            writable.store(false, Ordering::Relaxed);
        }
        let Ok(entries) = std::fs::read_dir(abs) else {
            return;
        };
        let entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.par_iter().for_each(|e| {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                // No page has such a name.
                let _ =
                    std::fs::remove_file(e.path()).or_else(|_| std::fs::remove_dir_all(e.path()));
                return;
            };
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    walk(&e.path(), &path, held, writable);
                    lock(held).dirs.push(path);
                }
                Ok(t) if t.is_file() => lock(held).files.push(path),
                _ => {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        });
    }
    let held = Mutex::new(Held::default());
    let writable = AtomicBool::new(true);
    walk(dir, "", &held, &writable);
    (
        held.into_inner().unwrap_or_else(|e| e.into_inner()),
        writable.into_inner(),
    )
}

/// Whether this process may create and remove entries in the folder `dir`.
#[cfg(unix)]
fn can_write(dir: &Path) -> bool {
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn can_write(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// Removes a folder tree, its top-level entries in parallel; links are removed, never
/// followed.
fn remove_tree(dir: &Path) -> io::Result<()> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.par_iter().for_each(|p| {
            if is_dir(p) {
                let _ = std::fs::remove_dir_all(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        });
    }
    std::fs::remove_dir_all(dir)
}

/// Where an [`Emitter`] puts the files.
enum Dest<'a> {
    /// Kept in memory.
    Memory(Mutex<Vec<OutFile>>),
    /// Written into the staging folder (see [`Emitter::to_dir`]).
    Dir {
        dir: &'a Path,
        previous: Option<&'a Path>,
        reused: bool,
    },
    /// Dropped (`aktsom check`: only the links matter).
    Discard,
}

/// Takes every finished file: scans HTML pages once (see [`rewrite::scan_page`]) and
/// writes the file, or keeps it, or drops it. Paths and links are kept for the link
/// check.
pub struct Emitter<'a> {
    dest: Dest<'a>,
    paths: Mutex<Vec<String>>,
    links: Mutex<Vec<(String, PageLinks)>>,
    dirs: Mutex<HashSet<String>>,
}

/// What an [`Emitter`] took: every path, the links of every HTML page, and the files
/// when they were kept in memory.
pub struct Emitted {
    pub paths: Vec<String>,
    pub links: Vec<(String, PageLinks)>,
    pub files: Vec<OutFile>,
}

impl<'a> Emitter<'a> {
    fn new(dest: Dest<'a>) -> Emitter<'a> {
        Emitter {
            dest,
            paths: Mutex::new(Vec::new()),
            links: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
        }
    }

    /// Writes into the staging folder. A file the staging folder already holds with
    /// the same bytes is left as it is; one that `previous` (the published output, if
    /// any) holds with the same bytes is hard-linked from there; only the others are
    /// written. So a rebuild allocates no new file for an unchanged page (on ext4 a
    /// burst of new files right after a burst of deleted ones is what costs a rebuild
    /// most of its time), and an unchanged file keeps its modification time, so `rsync`
    /// and HTTP caches see that it did not change.
    pub fn to_dir(staging: &'a Staging, previous: Option<&'a Path>) -> Emitter<'a> {
        let e = Emitter::new(Dest::Dir {
            dir: staging.path(),
            previous,
            reused: staging.reused(),
        });
        lock(&e.dirs).extend(staging.folders().iter().cloned());
        e
    }

    /// Keeps every file in memory.
    pub fn in_memory() -> Emitter<'static> {
        Emitter::new(Dest::Memory(Mutex::new(Vec::new())))
    }

    /// Keeps only paths and links.
    pub fn discard() -> Emitter<'static> {
        Emitter::new(Dest::Discard)
    }

    /// Copies a file as it is (into the folder; otherwise only its path is noted).
    pub fn copy(&self, c: &Copy) -> Result<(), Diagnostic> {
        if let Dest::Dir { dir, .. } = &self.dest {
            let bytes = std::fs::read(&c.from).map_err(|e| write_error(dir, &c.to, e))?;
            self.store(&c.to, &bytes)?;
        }
        lock(&self.paths).push(c.to.clone());
        Ok(())
    }

    /// Puts one file into the staging folder: kept when it is already there with the
    /// same bytes, hard-linked from the previous output when that holds the same bytes,
    /// written otherwise.
    fn store(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let Dest::Dir {
            dir,
            previous,
            reused,
        } = self.dest
        else {
            return Ok(());
        };
        self.make_parent(dir, path)?;
        let to = dir.join(path);
        if reused && holds(&to, bytes).is_some() {
            return Ok(());
        }
        if let Some(prev) = previous {
            let old = prev.join(path);
            if let Some(id) = holds(&old, bytes) {
                if reused {
                    let _ = std::fs::remove_file(&to);
                }
                // The link must be to the very file compared: were the output swapped
                // in between (another build at once), it is written instead.
                if std::fs::hard_link(&old, &to).is_ok() {
                    if file_id(&to) == Some(id) {
                        return Ok(());
                    }
                    let _ = std::fs::remove_file(&to);
                }
            }
        }
        write_new(&to, bytes).map_err(|e| write_error(dir, path, e))
    }

    fn make_parent(&self, dir: &Path, path: &str) -> Result<(), Diagnostic> {
        let Some((parent, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        if lock(&self.dirs).contains(parent) {
            return Ok(());
        }
        // Two threads may create the same folder at once: create_dir_all allows that.
        std::fs::create_dir_all(dir.join(parent)).map_err(|e| write_error(dir, path, e))?;
        lock(&self.dirs).insert(parent.to_string());
        Ok(())
    }

    pub fn finish(self) -> Emitted {
        let files = match self.dest {
            Dest::Memory(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        };
        Emitted {
            paths: self.paths.into_inner().unwrap_or_else(|e| e.into_inner()),
            links: self.links.into_inner().unwrap_or_else(|e| e.into_inner()),
            files,
        }
    }
}

impl Sink for Emitter<'_> {
    fn copy(&self, from: &Path, to: &str) -> Result<(), Diagnostic> {
        Emitter::copy(
            self,
            &Copy {
                from: from.to_path_buf(),
                to: to.to_string(),
            },
        )
    }

    fn put(&self, mut file: OutFile) -> Result<(), Diagnostic> {
        if file.path.ends_with(".html") {
            let html = std::str::from_utf8(&file.bytes).map_err(|_| {
                Diagnostic::file(&file.path, "cannot rewrite the page: it is not UTF-8")
            })?;
            let (patched, links) = rewrite::scan_page(html);
            if let Some(p) = patched {
                file.bytes = p.into_bytes();
            }
            lock(&self.links).push((file.path.clone(), links));
        }
        match &self.dest {
            Dest::Memory(files) => {
                lock(&self.paths).push(file.path.clone());
                lock(files).push(file);
            }
            Dest::Dir { .. } => {
                self.store(&file.path, &file.bytes)?;
                lock(&self.paths).push(file.path);
            }
            Dest::Discard => lock(&self.paths).push(file.path),
        }
        Ok(())
    }
}

/// A file's identity: device and inode.
type FileId = (u64, u64);

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

/// Without inode numbers nothing is reused: every file is written.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<FileId> {
    None
}

fn file_id(path: &Path) -> Option<FileId> {
    identity(&std::fs::symlink_metadata(path).ok()?)
}

/// The identity of the file at `path` when it is a regular file holding exactly
/// `bytes` (a symbolic link never is); `None` otherwise.
fn holds(path: &Path, bytes: &[u8]) -> Option<FileId> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() || meta.len() != bytes.len() as u64 {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    // The file read must be the file compared, not whatever the path names by now.
    let id = identity(&meta)?;
    if identity(&file.metadata().ok()?) != Some(id) {
        return None;
    }
    let mut held = Vec::with_capacity(bytes.len() + 1);
    file.take(bytes.len() as u64 + 1)
        .read_to_end(&mut held)
        .ok()?;
    (held == bytes).then_some(id)
}

/// Writes a file that must be new: a path written twice is replaced, never written
/// through, since the file there may be a hard link into the published output.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let open = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut f = match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            open()?
        }
        other => other?,
    };
    f.write_all(bytes)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_error(dir: &Path, path: &str, e: io::Error) -> Diagnostic {
    Diagnostic::file(dir.join(path), format!("cannot write the output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_dropped_staging_folder_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        {
            let staging = Staging::new(&out).unwrap();
            let e = Emitter::to_dir(&staging, None);
            e.put(OutFile {
                path: "a/b/index.html".into(),
                bytes: b"<a href=\"https://x.no\">x</a>".to_vec(),
            })
            .unwrap();
            // A failed build drops the staging folder without publishing it.
        }
        assert_eq!(names(tmp.path()), ["public"]);
        assert_eq!(names(&out), ["old.html"]);
    }

    #[test]
    fn publishing_swaps_the_staged_files_in() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("gone")).unwrap();
        std::fs::write(out.join("gone/old.html"), "old").unwrap();
        let staging = Staging::new(&out).unwrap();
        let e = Emitter::to_dir(&staging, Some(&out));
        e.put(OutFile {
            path: "a/b/index.html".into(),
            bytes: b"<a href=\"https://x.no\" id=\"i\">x</a><a href=\"/a/\">y</a>".to_vec(),
        })
        .unwrap();
        let done = e.finish();
        staging.publish(&done.paths).unwrap();
        // The old output is kept beside the new one for the next build.
        assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
        assert_eq!(names(&out), [MARKER, "a"]);
        assert_eq!(
            std::fs::read_to_string(out.join(MARKER)).unwrap(),
            MARKER_TEXT
        );
        assert_eq!(
            std::fs::read_to_string(out.join("a/b/index.html")).unwrap(),
            "<a href=\"https://x.no\" id=\"i\" rel=\"external\">x</a><a href=\"/a/\">y</a>"
        );
        assert_eq!(done.paths, ["a/b/index.html"]);
        assert!(done.files.is_empty());
        assert_eq!(done.links[0].1.ids, ["i"]);
        assert_eq!(done.links[0].1.hrefs, ["/a/"]);
    }

    fn build_once(out: &Path, files: &[(&str, &str)]) {
        let staging = Staging::new(out).unwrap();
        let previous = out.is_dir().then_some(out);
        let e = Emitter::to_dir(&staging, previous);
        for (path, text) in files {
            e.put(OutFile {
                path: path.to_string(),
                bytes: text.as_bytes().to_vec(),
            })
            .unwrap();
        }
        let done = e.finish();
        staging.publish(&done.paths).unwrap();
    }

    /// Every file under `dir` but the marker, relative, with its text.
    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    if rel != MARKER {
                        out.push((rel, std::fs::read_to_string(&p).unwrap()));
                    }
                }
            }
        }
        out.sort();
        out
    }

    fn pairs(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_rebuild_keeps_the_files_that_did_not_change() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let first = [
            ("a/index.html", "<p>a</p>"),
            ("b.json", "{}"),
            ("c/d/old.html", "old"),
        ];
        build_once(&out, &first);
        let a = inode("a/index.html");
        let second = [
            ("a/index.html", "<p>a</p>"),
            ("b.json", "{\"x\":1}"),
            ("e/f.html", "new"),
        ];
        build_once(&out, &second);
        // The same file, not a copy: the unchanged page keeps its inode (and its
        // modification time); changed and new files are new, gone ones are gone.
        assert_eq!(tree(&out), pairs(&second));
        assert_eq!(inode("a/index.html"), a);
        assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
        let b = inode("b.json");
        // The third build takes the first one's folder: what it held and the third does
        // not produce (c/d/old.html and its folders) is removed, the rest is reused.
        let third = [
            ("a/index.html", "<p>a</p>"),
            ("b.json", "{\"x\":1}"),
            ("e/f.html", "newer"),
        ];
        build_once(&out, &third);
        assert_eq!(tree(&out), pairs(&third));
        assert!(!out.join("c").exists());
        assert_eq!((inode("a/index.html"), inode("b.json")), (a, b));
        assert_eq!(
            tree(&tmp.path().join(".aktsom-previous-public")),
            pairs(&second)
        );
        // Every published file has one name in the output (and maybe one in the kept
        // folder), never more.
        assert!(std::fs::metadata(out.join("a/index.html")).unwrap().nlink() <= 2);
    }

    #[test]
    fn a_failed_build_after_a_reused_folder_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build_once(&out, &[("a.html", "1")]);
        build_once(&out, &[("a.html", "2")]);
        {
            let staging = Staging::new(&out).unwrap();
            assert!(staging.reused());
            let e = Emitter::to_dir(&staging, Some(&out));
            e.put(OutFile {
                path: "a.html".into(),
                bytes: b"3".to_vec(),
            })
            .unwrap();
            e.put(OutFile {
                path: "b.html".into(),
                bytes: b"3".to_vec(),
            })
            .unwrap();
        }
        assert_eq!(tree(&out), pairs(&[("a.html", "2")]));
        assert_eq!(names(tmp.path()), ["public"]);
        build_once(&out, &[("a.html", "4")]);
        assert_eq!(tree(&out), pairs(&[("a.html", "4")]));
    }

    #[test]
    fn a_link_in_the_kept_folder_never_leads_writes_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        build_once(&out, &[("a.html", "1")]);
        build_once(&out, &[("a.html", "2")]);
        let kept = tmp.path().join(".aktsom-previous-public");
        std::os::unix::fs::symlink(&outside, kept.join("m")).unwrap();
        build_once(&out, &[("a.html", "2"), ("m/x.html", "x")]);
        assert_eq!(tree(&out), pairs(&[("a.html", "2"), ("m/x.html", "x")]));
        assert!(std::fs::symlink_metadata(out.join("m")).unwrap().is_dir());
        assert!(names(&outside).is_empty());
    }

    #[test]
    fn a_file_written_twice_never_writes_through_to_the_published_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build_once(&out, &[("a.html", "<p>a</p>")]);
        {
            // The first put links the published file; the second must replace the
            // link, not write into it, and the build then fails.
            let staging = Staging::new(&out).unwrap();
            let e = Emitter::to_dir(&staging, Some(&out));
            for text in ["<p>a</p>", "<p>other</p>"] {
                e.put(OutFile {
                    path: "a.html".into(),
                    bytes: text.as_bytes().to_vec(),
                })
                .unwrap();
            }
            assert_eq!(
                std::fs::read_to_string(staging.path().join("a.html")).unwrap(),
                "<p>other</p>"
            );
        }
        assert_eq!(
            std::fs::read_to_string(out.join("a.html")).unwrap(),
            "<p>a</p>"
        );
    }

    #[test]
    fn a_symlink_in_the_old_output_is_never_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(tmp.path().join("elsewhere"), "<p>a</p>").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), out.join("a.html")).unwrap();
        build_once(&out, &[("a.html", "<p>a</p>")]);
        let meta = std::fs::symlink_metadata(out.join("a.html")).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(
            std::fs::read_to_string(out.join("a.html")).unwrap(),
            "<p>a</p>"
        );
    }

    #[test]
    fn only_these_names_are_leftovers() {
        use Leftover::*;
        for (file, kind) in [
            (".aktsom-build-public-Ab12Cd", Some(Build)),
            (".aktsom-old-public-Ab12Cd", Some(Old)),
            (".aktsom-build-Ab12Cd", Some(Earlier)),
            (".aktsom-old-Ab12Cd", Some(Earlier)),
            (".aktsom-build-other-Ab12Cd", None),
            (".aktsom-build-public-en-Ab12Cd", None),
            (".aktsom-build-public-Ab12C", None),
            (".aktsom-build-public-Ab12Cde", None),
            (".aktsom-build-public-Ab12C-", None),
            (".aktsom-build-Ab12C", None),
            (".aktsom-build-Ab-2Cd", None),
            (".aktsom-previous-public", None),
            (".aktsom-output", None),
            ("aktsom-build-Ab12Cd", None),
            (".aktsom-builds-Ab12Cd", None),
        ] {
            assert_eq!(leftover_kind(file, "public"), kind, "{file}");
        }
        assert_eq!(
            leftover_kind(".aktsom-build-public-en-Ab12Cd", "public-en"),
            Some(Build)
        );
    }

    #[test]
    fn kept_names() {
        for name in [
            ".git",
            ".nojekyll",
            ".well-known",
            "CNAME",
            "_headers",
            "_redirects",
        ] {
            assert!(kept_name(OsStr::new(name)), "{name}");
        }
        for name in [
            ".aktsom-output",
            ".aktsom-preview",
            "index.html",
            "cname",
            "headers",
        ] {
            assert!(!kept_name(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn a_swap_by_two_renames_stopped_in_between_gets_its_output_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build_once(&out, &[("a.html", "1")]);
        build_once(&out, &[("a.html", "2")]);
        // The swap where the platform has no swap in one step.
        let new = tmp.path().join("new");
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("a.html"), "3").unwrap();
        let old = swap_by_renames(&new, &out, tmp.path(), "public").unwrap();
        assert_eq!(tree(&out), pairs(&[("a.html", "3")]));
        assert_eq!(tree(&old), pairs(&[("a.html", "2")]));
        assert!(
            old.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".aktsom-old-public-")
        );
        assert!(!new.exists());
        // Stopped between its two renames: the output moved aside, the staged one not
        // in place.
        std::fs::remove_dir_all(&out).unwrap();
        let staged = tmp.path().join(".aktsom-build-public-Zz12Zz");
        std::fs::create_dir(&staged).unwrap();
        std::fs::write(staged.join("a.html"), "4").unwrap();
        let staging = Staging::new(&out).unwrap();
        assert_eq!(tree(&out), pairs(&[("a.html", "2")]));
        assert!(!old.exists() && !staged.exists());
        drop(staging);
        build_once(&out, &[("a.html", "5")]);
        assert_eq!(tree(&out), pairs(&[("a.html", "5")]));
        assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
    }

    #[test]
    fn folders_moved_out_for_the_swap_go_back_when_it_does_not_happen() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build_once(&out, &[("a.html", "1")]);
        std::fs::create_dir(out.join(".git")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
        std::fs::write(out.join("CNAME"), "x.no").unwrap();
        {
            let mut staging = Staging::new(&out).unwrap();
            staging.carry_kept(&[]).unwrap();
            assert!(!out.join(".git").exists());
            assert!(staging.path().join(".git/HEAD").is_file());
            // The file is linked, so the output keeps it all along.
            assert_eq!(
                file_id(&out.join("CNAME")),
                file_id(&staging.path().join("CNAME"))
            );
        }
        assert_eq!(
            std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
            "ref"
        );
        assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "x.no");
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn a_stopped_builds_kept_files_go_back_to_its_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build_once(&out, &[("a.html", "1")]);
        std::fs::write(out.join("CNAME"), "x.no").unwrap();
        // Stopped after moving .git and linking CNAME, before the swap.
        let left = tmp.path().join(".aktsom-build-public-Ab12Cd");
        std::fs::create_dir_all(left.join(".git")).unwrap();
        std::fs::write(left.join(".git/HEAD"), "ref").unwrap();
        std::fs::hard_link(out.join("CNAME"), left.join("CNAME")).unwrap();
        std::fs::write(left.join("a.html"), "2").unwrap();
        let mut staging = Staging::new(&out).unwrap();
        assert!(staging.take_warnings().is_empty());
        drop(staging);
        assert_eq!(
            std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
            "ref"
        );
        assert_eq!(names(tmp.path()), ["public"]);
        // One whose own .git cannot go back (the output has another) is left alone.
        std::fs::create_dir_all(left.join(".git")).unwrap();
        std::fs::write(left.join(".git/HEAD"), "other").unwrap();
        let mut staging = Staging::new(&out).unwrap();
        let warnings = staging.take_warnings();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("holds `.git`"),
            "{}",
            warnings[0].message
        );
        assert!(!warnings[0].is_error());
        assert_eq!(
            std::fs::read_to_string(left.join(".git/HEAD")).unwrap(),
            "other"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
            "ref"
        );
    }
}
