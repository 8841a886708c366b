//! Writing the built site. Pages go to a fresh staging folder beside the output as
//! they are rendered (in parallel), and only a complete build (link check included)
//! is swapped in: a failed build leaves the previous output exactly as it was.
//!
//! Every finished file passes through an [`Emitter`]: HTML pages get their one scan
//! ([`crate::rewrite::scan_page`]: external links marked, ids and internal links kept
//! for the link check), then the file is written to the staging folder, or kept in
//! memory for `aktsom check`, the preview and the tests. Written pages are not kept:
//! a build holds the model and the links, not the output.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Sink};
use crate::rewrite::{self, PageLinks};

/// A file copied as it is (a member's image).
pub struct Copy {
    pub from: PathBuf,
    pub to: String,
}

/// Refuses output folders that would destroy the site itself.
pub fn check_out_dir(root: &Path, out: &Path) -> Result<(), String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out_abs = absolute(out);
    if root.starts_with(&out_abs) {
        return Err(format!(
            "the output folder {} contains the site itself",
            out.display()
        ));
    }
    if out_abs.join("site.toml").exists() || out_abs.join("content").is_dir() {
        return Err(format!(
            "the output folder {} looks like a site (it has site.toml or content/)",
            out.display()
        ));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    match (
        abs.parent().and_then(|d| d.canonicalize().ok()),
        abs.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => abs,
    }
}

/// A fresh folder beside the output that a build writes into. Dropped without
/// [`Staging::publish`] (a failed build), it is removed and the output is untouched.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    parent: PathBuf,
}

impl Staging {
    pub fn new(out: &Path) -> io::Result<Staging> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let dir = tempfile::Builder::new()
            .prefix(".aktsom-build-")
            .tempdir_in(&parent)?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            parent,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Swaps the staged folder in for the output: the old output moves aside, the new
    /// one takes its place, the old one goes.
    pub fn publish(self) -> io::Result<()> {
        let Staging { dir, out, parent } = self;
        let staged = dir.keep();
        if out.exists() {
            let old = tempfile::Builder::new()
                .prefix(".aktsom-old-")
                .tempdir_in(&parent)?
                .keep();
            std::fs::remove_dir(&old)?;
            std::fs::rename(&out, &old)?;
            if let Err(e) = std::fs::rename(&staged, &out) {
                let _ = std::fs::rename(&old, &out);
                let _ = std::fs::remove_dir_all(&staged);
                return Err(e);
            }
            remove_tree(&old);
        } else if let Err(e) = std::fs::rename(&staged, &out) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        Ok(())
    }
}

/// Removes a folder tree, its top-level entries in parallel (best effort).
fn remove_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.par_iter().for_each(|p| {
            if p.is_dir() {
                let _ = std::fs::remove_dir_all(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        });
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Where an [`Emitter`] puts the files.
enum Dest<'a> {
    /// Kept in memory.
    Memory(Mutex<Vec<OutFile>>),
    /// Written into this folder.
    Dir(&'a Path),
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

    /// Writes into `dir` (the staging folder).
    pub fn to_dir(dir: &'a Path) -> Emitter<'a> {
        Emitter::new(Dest::Dir(dir))
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
        if let Dest::Dir(dir) = &self.dest {
            self.make_parent(dir, &c.to)?;
            std::fs::copy(&c.from, dir.join(&c.to)).map_err(|e| write_error(dir, &c.to, e))?;
        }
        lock(&self.paths).push(c.to.clone());
        Ok(())
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
            Dest::Dir(dir) => {
                self.make_parent(dir, &file.path)?;
                std::fs::write(dir.join(&file.path), &file.bytes)
                    .map_err(|e| write_error(dir, &file.path, e))?;
                lock(&self.paths).push(file.path);
            }
            Dest::Discard => lock(&self.paths).push(file.path),
        }
        Ok(())
    }
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
            let e = Emitter::to_dir(staging.path());
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
        let e = Emitter::to_dir(staging.path());
        e.put(OutFile {
            path: "a/b/index.html".into(),
            bytes: b"<a href=\"https://x.no\" id=\"i\">x</a><a href=\"/a/\">y</a>".to_vec(),
        })
        .unwrap();
        let done = e.finish();
        staging.publish().unwrap();
        assert_eq!(names(tmp.path()), ["public"]);
        assert_eq!(names(&out), ["a"]);
        assert_eq!(
            std::fs::read_to_string(out.join("a/b/index.html")).unwrap(),
            "<a href=\"https://x.no\" id=\"i\" rel=\"external\">x</a><a href=\"/a/\">y</a>"
        );
        assert_eq!(done.paths, ["a/b/index.html"]);
        assert!(done.files.is_empty());
        assert_eq!(done.links[0].1.ids, ["i"]);
        assert_eq!(done.links[0].1.hrefs, ["/a/"]);
    }
}
