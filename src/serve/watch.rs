//! Watching the site's files: folders, not single files, so that editors which save by
//! writing a new file and renaming it over the old one are seen; editor temp and swap
//! files, hidden files and the output folder are ignored.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// The folders under the site root whose files go into the build: content, the
/// reporting templates, themes, and the site's own overrides of theme files.
pub const FOLDERS: [&str; 6] = [
    "content",
    "report-templates",
    "themes",
    "templates",
    "static",
    "i18n",
];
/// The files directly in the site root that go into the build.
pub const ROOT_FILES: [&str; 1] = ["site.toml"];

/// What the main loop of `serve` waits for.
pub enum Msg {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// The watches on one site.
pub struct Watch {
    watcher: RecommendedWatcher,
    root: PathBuf,
    out: PathBuf,
    watched: HashSet<PathBuf>,
}

impl Watch {
    /// Watches the root (not recursively, for site.toml and folders that appear) and
    /// each of [`FOLDERS`] that exists (recursively). `root` and `out` are canonical.
    pub fn start(root: &Path, out: &Path, tx: Sender<Msg>) -> notify::Result<Watch> {
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
    pub fn refresh(&mut self) -> notify::Result<()> {
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

    /// Waits for the next change to the site and returns every path that changed in its
    /// burst, once `quiet` passed without another change. `None` when asked to stop.
    /// Problems of the watcher itself go to `on_error`.
    pub fn next_burst(
        &mut self,
        rx: &Receiver<Msg>,
        quiet: Duration,
        on_error: &mut dyn FnMut(notify::Error),
    ) -> Option<Vec<PathBuf>> {
        let mut changed = BTreeSet::new();
        let mut first_change: Option<Instant> = None;
        let mut last_change: Option<Instant> = None;
        loop {
            let msg = match last_change {
                None => rx.recv().ok()?,
                Some(t) => {
                    let wait = quiet.saturating_sub(t.elapsed());
                    match rx.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return None,
                    }
                }
            };
            match msg {
                Msg::Stop => return None,
                Msg::Fs(Err(e)) => on_error(e),
                Msg::Fs(Ok(event)) => {
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    let mut seen = false;
                    for p in event.paths {
                        if relevant(&self.root, &self.out, &p) {
                            changed.insert(p);
                            seen = true;
                        }
                    }
                    if seen {
                        let now = Instant::now();
                        first_change.get_or_insert(now);
                        last_change = Some(now);
                    }
                }
            }
            // A file written without pause still gets rebuilt now and then.
            if first_change.is_some_and(|t| t.elapsed() >= quiet * 10) {
                break;
            }
        }
        if let Err(e) = self.refresh() {
            on_error(e);
        }
        Some(changed.into_iter().collect())
    }
}

/// Whether a change to `path` can change the build.
pub fn relevant(root: &Path, out: &Path, path: &Path) -> bool {
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
pub fn is_editor_temp(name: &str) -> bool {
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
