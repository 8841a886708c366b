//! The staging folder a build writes into ([`Staging`]): taking the previous output's
//! folder as a cache, carrying the kept files over, removing stale ones and publishing.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

use super::cleanup::{Held, clean_leftovers, remove_tree, survey};
use super::emit::{holds, write_new};
use super::guard::{MARKER, MARKER_TEXT, is_dir, kept_name, resolve};
use super::swap::{lock_parent, swap};

/// The folder beside the output that a build writes into. Dropped without
/// [`Staging::publish`] (a failed build), it is removed and the output is untouched.
///
/// A publish keeps the output it replaces beside the new one, as
/// `.aktsom-previous-<name>`, and the next build takes that folder as its staging
/// folder: its folders already exist and most of its files already hold what the build
/// produces (they are hard links to the published files, see `Emitter::to_dir`), so
/// a rebuild creates and deletes almost nothing. It is only ever a cache: a file in it
/// is kept only when it holds exactly the bytes the build produces, anything the build
/// does not produce is removed before the swap, and deleting it costs only speed.
///
/// Staging folders are named `.aktsom-build-<name>-XXXXXX`; a build that finds such
/// folders of builds that were stopped removes them first.
pub(crate) struct Staging {
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

impl Staging {
    /// A staging folder for the output folder `out`; a link to a folder is followed, so
    /// the staging folder goes beside the folder it leads to.
    pub(crate) fn new(out: &Path) -> io::Result<Staging> {
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

    /// The staging folder.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Where the record of the output's files made from known inputs is kept
    /// (`.aktsom-cache-<name>` beside the output; see `cache`).
    pub(crate) fn record_file(&self) -> PathBuf {
        self.parent.join(format!(".aktsom-cache-{}", self.name))
    }

    /// Folders that already exist in the staging folder (relative paths).
    pub(crate) fn folders(&self) -> &[String] {
        &self.held.dirs
    }

    /// Whether the staging folder holds files from an earlier build.
    pub(crate) fn reused(&self) -> bool {
        !self.held.files.is_empty()
    }

    /// What the user should know about the folders beside the output: leftovers of
    /// stopped builds that could not be removed, a kept output that cannot be reused.
    pub(crate) fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
    }

    /// Swaps the staged folder in for the output: files of the reused folder that this
    /// build did not produce (`produced`, relative paths) are removed, what the build
    /// keeps from the output goes into the staged folder, the two folders swap places
    /// (in one step where the platform can, see `swap`), and the old output is kept
    /// for the next build (or removed when it cannot be).
    pub(crate) fn publish(mut self, produced: &[String]) -> io::Result<()> {
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
    pub(super) fn carry_kept(&mut self, produced: &[String]) -> io::Result<()> {
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
pub(super) fn new_dir(parent: &Path, what: &str, name: &str) -> io::Result<PathBuf> {
    Ok(tempfile::Builder::new()
        .prefix(&format!(".aktsom-{what}-{name}-"))
        .rand_bytes(6)
        .tempdir_in(parent)?
        .keep())
}
