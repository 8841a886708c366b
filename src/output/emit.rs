//! The [`Emitter`]: every finished file passes through it, to the staging folder, to
//! memory or nowhere, with HTML pages scanned once for the link check.

use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::FxHashMap;

use crate::diagnostics::Diagnostic;
use crate::inputs::Fingerprint;
use crate::render::{OutFile, Sink};
use crate::rewrite::{self, PageLinks};

use super::Copy;
use super::cache::{self, Entry, Manifest};
use super::staging::Staging;

/// Where an [`Emitter`] puts the files.
enum Dest<'a> {
    /// Kept in memory.
    Memory(Mutex<Vec<OutFile>>),
    /// Written into the staging folder (see [`Emitter::to_dir`]).
    Dir {
        dir: &'a Path,
        previous: Option<&'a Path>,
        reused: bool,
        /// What the previous build made from known inputs (see [`Emitter::reuse`]).
        record: Manifest,
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
    /// The fingerprints of the files about to be put that a producer asked to reuse.
    keys: Mutex<FxHashMap<String, Fingerprint>>,
    /// This build's record: every file made from known inputs.
    made: Mutex<Vec<(String, Entry)>>,
    /// How many files were reused without being made again.
    reused: AtomicUsize,
}

/// What an [`Emitter`] took: every path, the links of every HTML page, and the files
/// when they were kept in memory.
pub struct Emitted {
    /// The output path of every file, in the order they came.
    pub(crate) paths: Vec<String>,
    /// The ids and links of every HTML page, for the link check.
    pub(crate) links: Vec<(String, PageLinks)>,
    /// The files themselves, when kept in memory ([`Emitter::in_memory`]).
    pub files: Vec<OutFile>,
    /// Which files were made from which inputs, for the next build to reuse them.
    pub(crate) record: Manifest,
    /// How many files were reused from the previous output without being made again.
    pub(crate) reused: usize,
}

impl<'a> Emitter<'a> {
    fn new(dest: Dest<'a>) -> Emitter<'a> {
        Emitter {
            dest,
            paths: Mutex::new(Vec::new()),
            links: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            keys: Mutex::new(FxHashMap::default()),
            made: Mutex::new(Vec::new()),
            reused: AtomicUsize::new(0),
        }
    }

    /// Writes into the staging folder. A file the staging folder already holds with
    /// the same bytes is left as it is; one that `previous` (the published output, if
    /// any) holds with the same bytes is hard-linked from there; only the others are
    /// written. So a rebuild allocates no new file for an unchanged page (on ext4 a
    /// burst of new files right after a burst of deleted ones is what costs a rebuild
    /// most of its time), and an unchanged file keeps its modification time, so `rsync`
    /// and HTTP caches see that it did not change. A file of `previous` that its build
    /// recorded as made from the inputs a producer asks for is not even made again
    /// ([`Emitter::reuse`]).
    pub(crate) fn to_dir(staging: &'a Staging, previous: Option<&'a Path>) -> Emitter<'a> {
        let record = match previous {
            Some(_) => Manifest::read(&staging.record_file()),
            None => Manifest::default(),
        };
        let e = Emitter::new(Dest::Dir {
            dir: staging.path(),
            previous,
            reused: staging.reused(),
            record,
        });
        lock(&e.dirs).extend(staging.folders().iter().cloned());
        e
    }

    /// Keeps every file in memory.
    pub fn in_memory() -> Emitter<'static> {
        Emitter::new(Dest::Memory(Mutex::new(Vec::new())))
    }

    /// Keeps only paths and links.
    pub(crate) fn discard() -> Emitter<'static> {
        Emitter::new(Dest::Discard)
    }

    /// Copies a file as it is (into the folder; otherwise only its path is noted).
    pub(crate) fn copy(&self, c: &Copy) -> Result<(), Diagnostic> {
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
            ..
        } = &self.dest
        else {
            return Ok(());
        };
        self.make_parent(dir, path)?;
        let to = dir.join(path);
        if *reused && holds(&to, bytes).is_some() {
            return Ok(());
        }
        if let Some(prev) = previous {
            let old = prev.join(path);
            if let Some(id) = holds(&old, bytes) {
                if *reused {
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

    /// See [`Sink::reuse`]: the file the previous output holds at `path` is reused when
    /// its build recorded it as made from `key` and it is still that very file; it is
    /// then hard-linked into the staging folder (or kept, when the staging folder
    /// already holds that file), and its links come from the record.
    fn reuse_from_previous(&self, path: &str, key: Fingerprint) -> Result<bool, Diagnostic> {
        let Dest::Dir {
            dir,
            previous: Some(prev),
            reused,
            record,
        } = &self.dest
        else {
            return Ok(false);
        };
        let Some(entry) = record.get(path) else {
            return Ok(false);
        };
        let old = prev.join(path);
        let Some(stamp) = cache::stamp_of(&old) else {
            return Ok(false);
        };
        if !entry.matches(key, stamp) {
            return Ok(false);
        }
        self.make_parent(dir, path)?;
        let to = dir.join(path);
        let same = |p: &Path| cache::stamp_of(p) == Some(stamp);
        if !(*reused && same(&to)) {
            if *reused {
                let _ = std::fs::remove_file(&to);
            }
            // As in `store`: the link must be to the very file the record names.
            if std::fs::hard_link(&old, &to).is_err() || !same(&to) {
                let _ = std::fs::remove_file(&to);
                return Ok(false);
            }
        }
        if let Some(links) = entry.links() {
            lock(&self.links).push((path.to_string(), links.clone()));
        }
        lock(&self.made).push((path.to_string(), entry.clone()));
        lock(&self.paths).push(path.to_string());
        self.reused.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    /// Notes in this build's record that the file just stored at `path` was made from
    /// the inputs its producer named (if it named any).
    fn note_made(&self, path: &str, links: Option<&PageLinks>) {
        let Some(key) = lock(&self.keys).remove(path) else {
            return;
        };
        let Dest::Dir { dir, .. } = &self.dest else {
            return;
        };
        if let Some(stamp) = cache::stamp_of(&dir.join(path)) {
            let entry = Entry::new(key, stamp, links.cloned());
            lock(&self.made).push((path.to_string(), entry));
        }
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

    /// What went through: paths, links and (in memory) the files.
    pub fn finish(self) -> Emitted {
        let files = match self.dest {
            Dest::Memory(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        };
        Emitted {
            paths: self.paths.into_inner().unwrap_or_else(|e| e.into_inner()),
            links: self.links.into_inner().unwrap_or_else(|e| e.into_inner()),
            files,
            record: Manifest::of(self.made.into_inner().unwrap_or_else(|e| e.into_inner())),
            reused: self.reused.into_inner(),
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
        let links = rewrite::page_on_its_way_out(&mut file)?;
        if let Dest::Dir { .. } = self.dest {
            self.store(&file.path, &file.bytes)?;
            self.note_made(&file.path, links.as_ref());
        }
        if let Some(links) = links {
            lock(&self.links).push((file.path.clone(), links));
        }
        lock(&self.paths).push(file.path.clone());
        if let Dest::Memory(files) = &self.dest {
            lock(files).push(file);
        }
        Ok(())
    }

    fn reuses(&self) -> bool {
        matches!(self.dest, Dest::Dir { .. })
    }

    fn reuse(&self, path: &str, key: Fingerprint) -> Result<bool, Diagnostic> {
        if self.reuse_from_previous(path, key)? {
            return Ok(true);
        }
        if self.reuses() {
            lock(&self.keys).insert(path.to_string(), key);
        }
        Ok(false)
    }
}

/// A file's identity: device and inode.
pub(super) type FileId = (u64, u64);

#[cfg(unix)]
pub(super) fn identity(m: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

/// Without inode numbers nothing is reused: every file is written.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<FileId> {
    None
}

pub(super) fn file_id(path: &Path) -> Option<FileId> {
    identity(&std::fs::symlink_metadata(path).ok()?)
}

/// The identity of the file at `path` when it is a regular file holding exactly
/// `bytes` (a symbolic link never is); `None` otherwise.
pub(super) fn holds(path: &Path, bytes: &[u8]) -> Option<FileId> {
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
pub(super) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
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

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_error(dir: &Path, path: &str, e: io::Error) -> Diagnostic {
    Diagnostic::file(dir.join(path), format!("cannot write the output: {e}"))
}
