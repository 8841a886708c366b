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
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    spare: Option<PathBuf>,
    /// What the folder held when the build took it: files and folders, relative.
    held: Held,
    published: bool,
}

/// Files and folders (relative paths) found in a reused staging folder.
#[derive(Default)]
struct Held {
    files: Vec<String>,
    dirs: Vec<String>,
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
            .tempdir_in(&parent)?
            .keep();
        let spare = out
            .file_name()
            .map(|n| parent.join(format!(".aktsom-previous-{}", n.to_string_lossy())));
        let mut staging = Staging {
            dir,
            out: out.to_path_buf(),
            parent,
            spare,
            held: Held::default(),
            published: false,
        };
        // Take the previous output, if there is one: renaming it onto the fresh (empty)
        // folder claims it atomically, so two builds at once never share it.
        let is_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        if let Some(spare) = staging.spare.as_ref().filter(|p| is_dir(p))
            && std::fs::rename(spare, &staging.dir).is_ok()
        {
            staging.held = survey(&staging.dir);
        }
        Ok(staging)
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

    /// Swaps the staged folder in for the output: files of the reused folder that this
    /// build did not produce (`produced`, relative paths) are removed, the old output
    /// moves aside, the new one takes its place, and the old one is kept for the next
    /// build (or removed when it cannot be).
    pub fn publish(mut self, produced: &[String]) -> io::Result<()> {
        self.remove_stale(produced);
        let staged = self.dir.clone();
        self.published = true;
        if self.out.exists() {
            let old = tempfile::Builder::new()
                .prefix(".aktsom-old-")
                .tempdir_in(&self.parent)?
                .keep();
            std::fs::remove_dir(&old)?;
            std::fs::rename(&self.out, &old)?;
            if let Err(e) = std::fs::rename(&staged, &self.out) {
                let _ = std::fs::rename(&old, &self.out);
                let _ = std::fs::remove_dir_all(&staged);
                return Err(e);
            }
            let kept = self
                .spare
                .as_ref()
                .is_some_and(|spare| std::fs::rename(&old, spare).is_ok());
            if !kept {
                remove_tree(&old);
            }
        } else if let Err(e) = std::fs::rename(&staged, &self.out) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        Ok(())
    }

    /// Removes what the reused folder held and this build did not produce: files, then
    /// the folders left empty (deepest first).
    fn remove_stale(&self, produced: &[String]) {
        if self.held.files.is_empty() && self.held.dirs.is_empty() {
            return;
        }
        let produced: HashSet<&str> = produced.iter().map(String::as_str).collect();
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
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Lists the files and folders under `dir` (relative paths, in parallel), removing
/// anything else on the way (symbolic links, pipes…: a build never makes them, and a
/// link would lead writes out of the folder).
fn survey(dir: &Path) -> Held {
    fn walk(abs: &Path, rel: &str, held: &Mutex<Held>) {
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
                    walk(&e.path(), &path, held);
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
    walk(dir, "", &held);
    held.into_inner().unwrap_or_else(|e| e.into_inner())
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

    /// Every file under `dir`, relative, with its text.
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
                    out.push((rel, std::fs::read_to_string(&p).unwrap()));
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
}
