//! Folders that stopped builds left beside the output, and the survey and removal of
//! folder trees.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

use super::emit::{file_id, lock};
use super::guard::{is_dir, kept_name};

/// What a folder beside the output was left by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leftover {
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
pub(super) fn leftover_kind(file: &str, name: &str) -> Option<Leftover> {
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
/// same folder runs (see [`lock_parent`](super::swap::lock_parent)). Returns what could not be removed.
pub(super) fn clean_leftovers(parent: &Path, name: &str, out: &Path) -> Vec<Diagnostic> {
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

/// Files and folders (relative paths) found in a reused staging folder.
#[derive(Default)]
pub(super) struct Held {
    pub(super) files: Vec<String>,
    pub(super) dirs: Vec<String>,
}

/// Lists the files and folders under `dir` (relative paths, in parallel), removing
/// anything else on the way (symbolic links, pipes…: a build never makes them, and a
/// link would lead writes out of the folder), and tells whether every folder (`dir`
/// too) can be written to.
pub(super) fn survey(dir: &Path) -> (Held, bool) {
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
pub(super) fn remove_tree(dir: &Path) -> io::Result<()> {
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
