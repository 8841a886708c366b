//! Where a whole build's files go ([`DiskSink`]): straight into place, held in memory up to
//! [`HELD`] bytes, or into the staging folder; only files whose bytes changed are written.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Sink};
use crate::rewrite::{self, PageLinks};

use super::hash_bytes;

/// How many bytes of changed files a whole build holds in memory, after its first
/// good build, rather than in the staging folder: on a small site, or after an edit
/// that changes a few pages, every changed file is written once, in place, at the
/// commit; only a larger change (a template) goes through the staging folder, where
/// each file costs a new file and a rename.
pub const HELD: usize = 16 << 20;

/// Takes every file of a whole preview build as it is made: scans each HTML page once
/// for its ids and links (as [`output::Emitter`](crate::output::Emitter) does for `aktsom build`), hashes the
/// file, and, when its bytes differ from what the output folder holds, writes it
/// `direct`ly into place, or holds it (up to [`HELD`] bytes), or writes it into the
/// staging folder. Keeps paths, hashes and links, not the files (but those held and the
/// search page, which the search index keeps).
pub(super) struct DiskSink<'a> {
    pub(super) out: &'a Path,
    pub(super) staging: &'a Path,
    pub(super) direct: bool,
    /// Output path → hash of the bytes the output folder holds.
    pub(super) written: &'a HashMap<String, u64>,
    /// At most this many bytes are held.
    pub(super) held: usize,
    pub(super) sunk: Mutex<Sunk>,
    /// Folders known to exist.
    pub(super) dirs: Mutex<HashSet<PathBuf>>,
    /// The search page's output path (the search index keeps the page).
    pub(super) search_page: String,
}

/// What a [`DiskSink`] took.
#[derive(Default)]
pub(super) struct Sunk {
    /// Every file made, with its hash.
    pub(super) made: Vec<(String, u64)>,
    /// The changed files it wrote.
    pub(super) written: Vec<String>,
    /// The changed files it held, and their bytes in all.
    pub(super) held: Vec<OutFile>,
    pub(super) held_bytes: usize,
    pub(super) links: Vec<(String, PageLinks)>,
    pub(super) search_page: Option<OutFile>,
}

impl DiskSink<'_> {
    /// Notes one file, and writes or holds it unless the output folder holds its bytes
    /// already. An error is the file that could not be written, and why.
    pub(super) fn store(&self, file: OutFile) -> Result<(), (PathBuf, std::io::Error)> {
        let h = hash_bytes(&file.bytes);
        {
            let mut sunk = lock(&self.sunk);
            sunk.made.push((file.path.clone(), h));
            if self.written.get(&file.path) == Some(&h) {
                return Ok(());
            }
            if !self.direct && sunk.held_bytes + file.bytes.len() <= self.held {
                sunk.held_bytes += file.bytes.len();
                sunk.held.push(file);
                return Ok(());
            }
        }
        let to = if self.direct {
            self.out.join(&file.path)
        } else {
            self.staging.join(&file.path)
        };
        if let Some(dir) = to.parent()
            && !lock(&self.dirs).contains(dir)
        {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return Err((to, e));
            }
            lock(&self.dirs).insert(dir.to_path_buf());
        }
        let written = if self.direct {
            write_replacing(&to, &file.bytes)
        } else {
            std::fs::write(&to, &file.bytes)
        };
        if let Err(e) = written {
            return Err((to, e));
        }
        lock(&self.sunk).written.push(file.path);
        Ok(())
    }
}

impl Sink for DiskSink<'_> {
    fn put(&self, mut file: OutFile) -> Result<(), Diagnostic> {
        if let Some(links) = rewrite::page_on_its_way_out(&mut file)? {
            lock(&self.sunk).links.push((file.path.clone(), links));
        }
        if file.path == self.search_page {
            lock(&self.sunk).search_page = Some(file.clone());
        }
        self.store(file).map_err(write_error)
    }
}

pub(super) fn write_error((path, e): (PathBuf, std::io::Error)) -> Diagnostic {
    Diagnostic::file(path, format!("cannot write the preview: {e}"))
}

/// Replaces the file at `path` with `bytes` in one step: written under a temporary
/// name beside it (a dot name, never served), then renamed over it, so that a request
/// reading the file meanwhile gets the old bytes or the new ones, never half of them.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.aktsom-tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}
