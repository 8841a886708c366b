//! Watching the site's files: folders, not single files, so that editors which save by
//! writing a new file and renaming it over the old one are seen; editor temp and swap
//! files, hidden files and the output folder are ignored.
//!
//! # When a save is over
//!
//! An editor's save is a burst of file system events, and the preview must build once,
//! from the finished file, and as soon as the save is over. Waiting for a fixed quiet
//! period (100 ms, once) made every save wait that long. Instead, each relevant path of
//! a burst is followed through its events, and the burst is over as soon as every path
//! in it is finished:
//!
//! - renamed into place (the temp-file-and-rename save): finished;
//! - written (truncated, then written in one or several writes): finished when the
//!   writer closes it. Linux reports the close (`IN_CLOSE_WRITE`); where the platform
//!   does not, a written file counts as finished after [`NO_CLOSE_QUIET`] without
//!   another write to it;
//! - removed or renamed away (vim and Emacs move the old file aside as a backup, then
//!   write a new one): finished when it is back, or after [`GONE_GRACE`] when it is
//!   really gone;
//! - a change of metadata only (`touch`, permissions): not a change of content, so not
//!   a change at all.
//!
//! Then [`SETTLE`] more for the rest of a "save all" or of a checkout, and the burst is
//! handed over. A file that never settles (written without pause, or kept open for
//! writing) is handed over [`WRITING_GRACE`] after its last write, and any burst after
//! [`MAX_BURST`]. Editors' own files (`.#x`, `x~`, `.x.swp`, `4913`) are not paths of
//! the site at all ([`relevant`]).
//!
//! A save that is over early can still be followed by another: what `serve` does with
//! changes that come in while it builds (one more build, and no reload for the build
//! they superseded) and with a build that fails (shown only when no change follows
//! soon) is described in [`crate::serve`].

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// The folders under the site root whose files go into the build: content, the
/// reporting templates, themes, and the site's own overrides of theme files.
pub(crate) const FOLDERS: [&str; 6] = [
    "content",
    "report-templates",
    "themes",
    "templates",
    "static",
    "i18n",
];
/// The files directly in the site root that go into the build.
pub(crate) const ROOT_FILES: [&str; 1] = ["site.toml"];

/// Quiet after a finished save before it is handed over: the other files of the same
/// save (a "save all", a checkout) come within this.
pub(crate) const SETTLE: Duration = Duration::from_millis(5);
/// A file removed or renamed away is waited for this long to come back (an editor
/// writing the new version) before its removal counts.
pub const GONE_GRACE: Duration = Duration::from_millis(1500);
/// A file written but not closed counts as finished after this long without another
/// write to it (a writer that keeps the file open).
pub(crate) const WRITING_GRACE: Duration = Duration::from_secs(2);
/// Where the platform does not report closes: a written file counts as finished after
/// this long without another write to it.
pub(crate) const NO_CLOSE_QUIET: Duration = Duration::from_millis(100);
/// A burst that never settles is handed over this long after it began.
pub(crate) const MAX_BURST: Duration = Duration::from_secs(3);

/// Whether the watcher reports a writer closing a file (inotify does).
const CLOSES_REPORTED: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// What the main loop of `serve` waits for.
pub(crate) enum Msg {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// What [`Watch::next_burst`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Every path that changed in a finished burst.
    Changed(Vec<PathBuf>),
    /// No change began within the time given.
    Quiet,
    /// Asked to stop.
    Stop,
}

/// The watches on one site.
pub(crate) struct Watch {
    watcher: RecommendedWatcher,
    root: PathBuf,
    out: PathBuf,
    watched: HashSet<PathBuf>,
}

impl Watch {
    /// Watches the root (not recursively, for site.toml and folders that appear) and
    /// each of [`FOLDERS`] that exists (recursively). `root` and `out` are canonical.
    pub(crate) fn start(root: &Path, out: &Path, tx: Sender<Msg>) -> notify::Result<Watch> {
        let mut watcher = notify::recommended_watcher(move |res| {
            let _ = tx.send(Msg::Fs(res));
        })?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut w = Watch {
            watcher,
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            watched: HashSet::new(),
        };
        w.refresh()?;
        Ok(w)
    }

    /// Adds watches for folders that appeared since, and forgets the ones that went.
    pub(crate) fn refresh(&mut self) -> notify::Result<()> {
        for name in FOLDERS {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.watcher.watch(&dir, RecursiveMode::Recursive)?;
                self.watched.insert(dir);
            } else if !dir.is_dir() && self.watched.remove(&dir) {
                let _ = self.watcher.unwatch(&dir);
            }
        }
        Ok(())
    }

    /// Waits up to `wait` (`None`: as long as it takes) for a change to the site to
    /// begin, then until its burst is over (see the module documentation), and returns
    /// every path that changed in it. `Some(Duration::ZERO)` takes only the changes that
    /// already happened. Problems of the watcher itself go to `on_error`.
    pub(crate) fn next_burst(
        &mut self,
        rx: &Receiver<Msg>,
        wait: Option<Duration>,
        on_error: &mut dyn FnMut(notify::Error),
    ) -> Next {
        let mut burst = Burst::default();
        let begin_by = wait.map(|w| Instant::now() + w);
        loop {
            let deadline = match burst.due(Instant::now()) {
                Some(due) => Some(due),
                None if burst.is_empty() => begin_by,
                None => break,
            };
            let msg = match deadline {
                None => match rx.recv() {
                    Ok(m) => m,
                    Err(_) => return Next::Stop,
                },
                Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) if burst.is_empty() => return Next::Quiet,
                    // Time to look again at whether the burst is over.
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return Next::Stop,
                },
            };
            match msg {
                Msg::Stop => return Next::Stop,
                Msg::Fs(Err(e)) => on_error(e),
                Msg::Fs(Ok(event)) => {
                    let now = Instant::now();
                    for (p, kind) in each_path(&event) {
                        if relevant(&self.root, &self.out, p) {
                            burst.note(p, &kind, now);
                        }
                    }
                }
            }
        }
        if let Err(e) = self.refresh() {
            on_error(e);
        }
        Next::Changed(burst.changed.into_iter().collect())
    }
}

/// Each path of an event with what happened to it: a rename with both paths is the
/// source going away and the destination arriving.
fn each_path(event: &notify::Event) -> Vec<(&Path, EventKind)> {
    use notify::event::{ModifyKind, RenameMode};
    match (event.kind, event.paths.as_slice()) {
        (EventKind::Modify(ModifyKind::Name(RenameMode::Both)), [from, to]) => vec![
            (from, EventKind::Modify(ModifyKind::Name(RenameMode::From))),
            (to, EventKind::Modify(ModifyKind::Name(RenameMode::To))),
        ],
        (kind, paths) => paths.iter().map(|p| (p.as_path(), kind)).collect(),
    }
}

/// The changes of one burst, and what each changed path is waiting for.
#[derive(Default)]
struct Burst {
    /// When the first change came.
    began: Option<Instant>,
    /// When the last change came.
    last: Option<Instant>,
    changed: BTreeSet<PathBuf>,
    /// Paths written and not closed yet, with their last write.
    writing: HashMap<PathBuf, Instant>,
    /// Paths removed or renamed away, with when.
    gone: HashMap<PathBuf, Instant>,
}

impl Burst {
    fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    /// Takes one event on a relevant path.
    fn note(&mut self, path: &Path, kind: &EventKind, now: Instant) {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
        match kind {
            // The writer is done with it.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                self.writing.remove(path);
                return;
            }
            // Reading, or metadata only: the content is the same.
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => return,
            EventKind::Create(CreateKind::File)
            | EventKind::Modify(ModifyKind::Data(_))
            | EventKind::Modify(ModifyKind::Any) => {
                self.writing.insert(path.to_path_buf(), now);
                self.gone.remove(path);
            }
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                self.writing.remove(path);
                self.gone.insert(path.to_path_buf(), now);
            }
            // Renamed into place: complete.
            EventKind::Modify(ModifyKind::Name(_)) => {
                self.writing.remove(path);
                self.gone.remove(path);
            }
            _ => {}
        }
        self.changed.insert(path.to_path_buf());
        self.began.get_or_insert(now);
        self.last = Some(now);
    }

    /// When to look again, while the burst is not over; `None` once it is (or before
    /// it began).
    fn due(&self, now: Instant) -> Option<Instant> {
        let (Some(began), Some(last)) = (self.began, self.last) else {
            return None;
        };
        if now >= began + MAX_BURST {
            return None;
        }
        let writing = if CLOSES_REPORTED {
            WRITING_GRACE
        } else {
            NO_CLOSE_QUIET
        };
        let waits = self
            .writing
            .values()
            .map(|t| *t + writing)
            .chain(
                self.gone
                    .iter()
                    .filter(|(p, _)| std::fs::symlink_metadata(p).is_err())
                    .map(|(_, t)| *t + GONE_GRACE),
            )
            .chain([last + SETTLE]);
        waits
            .filter(|t| *t > now)
            .max()
            .map(|t| t.min(began + MAX_BURST))
    }
}

/// Whether a change to `path` can change the build.
pub(crate) fn relevant(root: &Path, out: &Path, path: &Path) -> bool {
    if path.starts_with(out) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().unwrap_or("."),
            _ => ".",
        })
        .collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.iter().any(|p| p.starts_with('.')) || is_editor_temp(last) {
        return false;
    }
    if parts.len() == 1 {
        ROOT_FILES.contains(first) || FOLDERS.contains(first)
    } else {
        FOLDERS.contains(first)
    }
}

/// Files editors write while saving: swap files, backups, lock files, temp files.
pub(crate) fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')                                    // .2024.md.swp, .#2024.md
        || name.ends_with('~')                               // 2024.md~
        || (name.starts_with('#') && name.ends_with('#'))    // #2024.md#
        || name == "4913"                                    // vim's write test
        || [".swp", ".swo", ".swx", ".tmp", ".bak", ".part", ".crdownload"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
        || name.contains(".tmp.")                            // 2024.md.tmp.1234
        || name.starts_with(".goutputstream-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_temp_files_are_ignored() {
        for t in [
            ".2024.md.swp",
            "2024.md.swp",
            "2024.md~",
            "#2024.md#",
            ".#2024.md",
            "4913",
            "2024.md.tmp",
            "2024.md.tmp.81234",
            ".hidden",
        ] {
            assert!(is_editor_temp(t), "{t}");
        }
        for f in [
            "2024.md",
            "member.toml",
            "site.toml",
            "report.html",
            "nb.toml",
        ] {
            assert!(!is_editor_temp(f), "{f}");
        }
    }

    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind};
    use notify::event::{ModifyKind, RemoveKind, RenameMode};

    fn kind_write() -> EventKind {
        EventKind::Modify(ModifyKind::Data(DataChange::Any))
    }

    fn kind_close() -> EventKind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
    }

    #[test]
    fn a_written_file_is_finished_when_closed() {
        let t = Instant::now();
        let p = Path::new("/s/content/members/a/2024.md");
        let mut b = Burst::default();
        b.note(p, &EventKind::Modify(ModifyKind::Data(DataChange::Any)), t);
        b.note(p, &kind_write(), t);
        let writing = if CLOSES_REPORTED {
            WRITING_GRACE
        } else {
            NO_CLOSE_QUIET
        };
        assert_eq!(b.due(t), Some(t + writing));
        b.note(p, &kind_close(), t);
        assert_eq!(b.due(t), Some(t + SETTLE));
        assert_eq!(b.due(t + SETTLE), None);
        assert_eq!(b.changed.len(), 1);
    }

    #[test]
    fn metadata_and_reads_are_no_change() {
        let t = Instant::now();
        let p = Path::new("/s/site.toml");
        let mut b = Burst::default();
        b.note(
            p,
            &EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
            t,
        );
        b.note(p, &EventKind::Access(AccessKind::Open(AccessMode::Any)), t);
        b.note(p, &kind_close(), t);
        assert!(b.is_empty());
        assert_eq!(b.due(t), None);
    }

    #[test]
    fn a_file_moved_aside_is_waited_for_until_it_is_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("2024.md");
        let backup = dir.path().join("2024.md~");
        let t = Instant::now();
        let mut b = Burst::default();
        let rename = notify::Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path(p.clone())
            .add_path(backup.clone());
        for (path, kind) in each_path(&rename) {
            b.note(path, &kind, t);
        }
        // The file is not there: wait for it.
        assert_eq!(b.due(t), Some(t + GONE_GRACE));
        // A new version written and closed.
        std::fs::write(&p, "ny").unwrap();
        b.note(&p, &EventKind::Create(CreateKind::File), t);
        b.note(&p, &kind_close(), t);
        assert_eq!(b.due(t), Some(t + SETTLE));
        // Really removed: it counts once the grace is over.
        std::fs::remove_file(&p).unwrap();
        b.note(&p, &EventKind::Remove(RemoveKind::File), t);
        assert_eq!(b.due(t), Some(t + GONE_GRACE));
        assert_eq!(b.due(t + GONE_GRACE), None);
    }

    #[test]
    fn a_burst_that_never_settles_is_handed_over() {
        let t = Instant::now();
        let p = Path::new("/s/content/members/a/2024.md");
        let mut b = Burst::default();
        b.note(p, &kind_write(), t);
        let later = t + MAX_BURST - Duration::from_millis(1);
        b.note(p, &kind_write(), later);
        assert_eq!(b.due(later), Some(t + MAX_BURST));
        assert_eq!(b.due(t + MAX_BURST), None);
    }

    #[test]
    fn only_site_files_are_relevant() {
        let root = Path::new("/s");
        let out = Path::new("/s/content/preview");
        for p in [
            "/s/site.toml",
            "/s/content/members/a/2024.md",
            "/s/content",
            "/s/templates/report.html",
            "/s/themes/default/static/style.css",
            "/s/i18n/nb.toml",
            "/s/report-templates/2024.toml",
        ] {
            assert!(relevant(root, out, Path::new(p)), "{p}");
        }
        for p in [
            "/s/public/index.html",
            "/s/README.md",
            "/s/content/preview/index.html",
            "/s/content/.git/HEAD",
            "/s/content/members/a/.2024.md.swp",
            "/s/content/members/a/2024.md~",
            "/s/site.toml.tmp",
            "/s",
            "/elsewhere/site.toml",
        ] {
            assert!(!relevant(root, out, Path::new(p)), "{p}");
        }
    }
}
