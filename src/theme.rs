//! Theme files and the override rule.
//!
//! A theme is a folder with `templates/`, `static/` and `i18n/`. A theme file `P` is
//! looked up, first match wins, at:
//! 1. `<site root>/P` (the site's own override of that one file),
//! 2. `<site root>/themes/<theme>/P`,
//! 3. the default theme built into the binary (only for `theme = "default"`).
//!
//! The interface strings in `i18n/` are the exception: their tables are merged string
//! by string, over the built-in default theme's (see `strings`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::config::Lang;
use crate::diagnostics::{Diagnostic, list_dir, read_text, regular_file, unreadable};

mod strings;
pub(crate) use strings::key;
pub(crate) use strings::{Key, Strings};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Clone)]
pub(crate) struct Theme {
    root: PathBuf,
    theme_dir: PathBuf,
    /// `themes/<name>`, to name its files in diagnostics.
    theme_shown: PathBuf,
    builtin: bool,
}

/// A file of the theme's `static/`: its path relative to `static/` and its contents.
pub(crate) type StaticFile = (String, Cow<'static, [u8]>);

impl Theme {
    pub(crate) fn new(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let theme_shown = Path::new("themes").join(name);
        let theme_dir = root.join(&theme_shown);
        let builtin = name == "default";
        if !builtin && !present(&theme_dir, &theme_shown, "folder")? {
            return Err(Diagnostic::file(
                "site.toml",
                format!("theme `{name}` not found in themes/{name}/"),
            )
            .with_help("use theme = \"default\" or add the theme folder"));
        }
        let theme = Theme {
            root: root.to_path_buf(),
            theme_dir,
            theme_shown,
            builtin,
        };
        theme.check_templates()?;
        Ok(theme)
    }

    /// Every template file of the site and the theme folder must be readable: said
    /// once, with its path and the reason, rather than as a template error on each
    /// page that uses it.
    fn check_templates(&self) -> Result<(), Diagnostic> {
        let mut names = std::collections::BTreeSet::new();
        let mut errors = Vec::new();
        for (dir, shown) in self.layers() {
            let (dir, shown) = (dir.join("templates"), shown.join("templates"));
            collect_files(&dir, &shown, "", &mut names, &mut errors);
        }
        for name in names {
            if let Err(d) = self.file(&format!("templates/{name}")) {
                errors.push(d);
            }
        }
        errors.into_iter().next().map_or(Ok(()), Err)
    }

    /// The folders a theme file is looked up in, first match wins, each with its path
    /// as shown in diagnostics (relative to the site root).
    fn layers(&self) -> [(&Path, &Path); 2] {
        [
            (&self.root, Path::new("")),
            (&self.theme_dir, &self.theme_shown),
        ]
    }

    /// The contents of theme file `rel` (a `/`-separated path such as
    /// `templates/base.html`) by the override rule; `None` when no layer has it. A file
    /// that is there but cannot be read is an error with the system's reason, never a
    /// silent fall back to the next layer.
    pub(crate) fn file(&self, rel: &str) -> Result<Option<Cow<'static, [u8]>>, Diagnostic> {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return Ok(None);
        }
        for (dir, shown) in self.layers() {
            let (p, shown) = (dir.join(rel), shown.join(rel));
            if present(&p, &shown, "file")? {
                regular_file(&p, &shown)?;
                let bytes = std::fs::read(&p).map_err(|e| unreadable(&shown, "file", &e))?;
                return Ok(Some(Cow::Owned(bytes)));
            }
        }
        if self.builtin {
            return Ok(DEFAULT_THEME
                .get_file(rel)
                .map(|f| Cow::Borrowed(f.contents())));
        }
        Ok(None)
    }

    /// [`Theme::file`] where only the bytes matter (a file that cannot be read is
    /// reported where the build reads it: [`Theme::static_files`], the templates).
    pub(crate) fn read(&self, rel: &str) -> Option<Cow<'static, [u8]>> {
        self.file(rel).ok().flatten()
    }

    /// [`Theme::file`] as text.
    pub(crate) fn read_string(&self, rel: &str) -> Result<Option<String>, Diagnostic> {
        Ok(self
            .file(rel)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Every file under `static/`, as (path relative to `static/`, contents), sorted.
    /// Folders and files that cannot be read are errors.
    pub(crate) fn static_files(&self) -> Result<Vec<StaticFile>, Vec<Diagnostic>> {
        let mut names = std::collections::BTreeSet::new();
        let mut errors = Vec::new();
        for (dir, shown) in self.layers() {
            let (dir, shown) = (dir.join("static"), shown.join("static"));
            collect_files(&dir, &shown, "", &mut names, &mut errors);
        }
        if self.builtin
            && let Some(d) = DEFAULT_THEME.get_dir("static")
        {
            collect_builtin(d, &mut names);
        }
        let mut files = Vec::with_capacity(names.len());
        for n in names {
            match self.file(&format!("static/{n}")) {
                Ok(Some(c)) => files.push((n, c)),
                Ok(None) => {}
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }

    /// The interface strings of `lang`: the built-in default theme's, with those of
    /// the theme's and then the site's `i18n/<lang>.toml` in their place (see
    /// `strings`).
    pub(crate) fn strings(&self, lang: Lang) -> Result<Strings, Diagnostic> {
        let rel = format!("i18n/{}.toml", lang.code());
        let [site, theme] = self.layers().map(|(dir, shown)| {
            let (p, shown) = (dir.join(&rel), shown.join(&rel));
            match present(&p, &shown, "file")? {
                true => read_text(&p, &shown).map(Some),
                false => Ok(None),
            }
        });
        let site = site?;
        strings::layered(lang, theme?.as_ref(), site.as_ref())
    }

    /// Feeds every file of the site's and the theme folder's `templates/`, `static/`
    /// and `i18n/` (names and bytes) to `h`: the theme's part of the fingerprint by
    /// which a build reuses pages ([`crate::inputs`]); the built-in default theme is
    /// part of the binary's. `None` when something cannot be read or a folder is a
    /// symbolic link (not followed, so a change behind it could go unseen): then
    /// nothing is reused.
    pub(crate) fn fingerprint(&self, h: &mut xxhash_rust::xxh3::Xxh3) -> Option<()> {
        for (l, (dir, _)) in self.layers().iter().enumerate() {
            for sub in ["templates", "static", "i18n"] {
                h.update(&[l as u8]);
                h.update(sub.as_bytes());
                hash_tree(&dir.join(sub), h)?;
            }
        }
        Some(())
    }
}

/// Feeds the names and bytes of every file below `dir` to `h`, in name order (see
/// [`Theme::fingerprint`]); an absent folder adds nothing. Not [`collect_files`]:
/// that one leaves out links to files, which [`Theme::file`] still reads by name, so
/// a template behind a link would go unseen here.
fn hash_tree(dir: &Path, h: &mut xxhash_rust::xxh3::Xxh3) -> Option<()> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .ok()?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(()),
        Err(_) => return None,
    };
    entries.sort();
    for p in entries {
        h.update(p.file_name()?.as_encoded_bytes());
        h.update(&[0]);
        let meta = std::fs::metadata(&p).ok()?;
        if meta.is_dir() {
            if std::fs::symlink_metadata(&p).ok()?.is_symlink() {
                return None;
            }
            h.update(b"/");
            hash_tree(&p, h)?;
        } else if meta.is_file() {
            let bytes = std::fs::read(&p).ok()?;
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
    Some(())
}

/// Whether a theme file or folder is there. Absent is not an error (the next layer
/// is looked at); a path that is there but cannot be looked at (a folder on the way
/// that cannot be opened, a symbolic link in a loop) is.
fn present(p: &Path, shown: &Path, what: &str) -> Result<bool, Diagnostic> {
    match std::fs::metadata(p) {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) && std::fs::symlink_metadata(p).is_err() =>
        {
            Ok(false)
        }
        Err(e) => Err(unreadable(shown, what, &e)),
    }
}

/// The regular files below `dir` (shown as `shown`), by path relative to it. Symbolic
/// links are left out, as they always were; anything else that is neither a file nor a
/// folder (a named pipe), and what cannot be read, is an error.
fn collect_files(
    dir: &Path,
    shown: &Path,
    prefix: &str,
    out: &mut std::collections::BTreeSet<String>,
    errors: &mut Vec<Diagnostic>,
) {
    let entries = match list_dir(dir, shown) {
        Ok(Some(entries)) => entries,
        Ok(None) => return,
        Err(d) => return errors.push(d),
    };
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let shown = shown.join(&name);
        let ft = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta.file_type(),
            Err(e) => {
                errors.push(unreadable(&shown, "file", &e));
                continue;
            }
        };
        if ft.is_dir() {
            collect_files(&path, &shown, &format!("{rel}/"), out, errors);
        } else if ft.is_file() {
            out.insert(rel);
        } else if !ft.is_symlink() {
            // A named pipe or device: `regular_file` names it.
            if let Err(d) = regular_file(&path, &shown) {
                errors.push(d);
            }
        }
    }
}

fn collect_builtin(d: &Dir<'static>, out: &mut std::collections::BTreeSet<String>) {
    for f in d.files() {
        if let Ok(rel) = f.path().strip_prefix("static") {
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    for sub in d.dirs() {
        collect_builtin(sub, out);
    }
}
