//! Theme files and the override rule.
//!
//! A theme is a folder with `templates/`, `static/` and `i18n/`. A theme file `P` is
//! looked up, first match wins, at:
//! 1. `<site root>/P` (the site's own override of that one file),
//! 2. `<site root>/themes/<theme>/P`,
//! 3. the default theme built into the binary (only for `theme = "default"`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::config::Lang;
use crate::diagnostics::{Diagnostic, parse_toml, read_text};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Clone)]
pub struct Theme {
    root: PathBuf,
    theme_dir: PathBuf,
    builtin: bool,
}

/// Interface strings of one language: key → text.
pub type Strings = BTreeMap<String, String>;

impl Theme {
    pub fn new(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let theme_dir = root.join("themes").join(name);
        let builtin = name == "default";
        if !builtin && !theme_dir.is_dir() {
            return Err(Diagnostic::file(
                "site.toml",
                format!("theme `{name}` not found in themes/{name}/"),
            )
            .with_help("use theme = \"default\" or add the theme folder"));
        }
        Ok(Theme {
            root: root.to_path_buf(),
            theme_dir,
            builtin,
        })
    }

    /// The contents of theme file `rel` (a `/`-separated path such as `templates/base.html`).
    pub fn read(&self, rel: &str) -> Option<Cow<'static, [u8]>> {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return None;
        }
        for dir in [&self.root, &self.theme_dir] {
            let p = dir.join(rel);
            if p.is_file() {
                return std::fs::read(p).ok().map(Cow::Owned);
            }
        }
        if self.builtin {
            return DEFAULT_THEME
                .get_file(rel)
                .map(|f| Cow::Borrowed(f.contents()));
        }
        None
    }

    pub fn read_string(&self, rel: &str) -> Option<String> {
        self.read(rel)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// Every file under `static/`, as (path relative to `static/`, contents), sorted.
    pub fn static_files(&self) -> Vec<(String, Cow<'static, [u8]>)> {
        let mut names = std::collections::BTreeSet::new();
        for dir in [&self.root, &self.theme_dir] {
            collect_files(&dir.join("static"), "", &mut names);
        }
        if self.builtin {
            if let Some(d) = DEFAULT_THEME.get_dir("static") {
                collect_builtin(d, &mut names);
            }
        }
        names
            .into_iter()
            .filter_map(|n| self.read(&format!("static/{n}")).map(|c| (n, c)))
            .collect()
    }

    /// The interface strings of `lang` from `i18n/<lang>.toml`.
    pub fn strings(&self, lang: Lang) -> Result<Strings, Diagnostic> {
        let rel = format!("i18n/{}.toml", lang.code());
        let shown = Path::new(&rel);
        for dir in [&self.root, &self.theme_dir] {
            let p = dir.join(&rel);
            if p.is_file() {
                let source = read_text(&p, shown)?;
                return parse_toml(&source, &source.text, 0, &[]);
            }
        }
        if self.builtin {
            // The built-in strings never change: parsed once per process (the preview
            // renders with them on every edit).
            static PARSED: [std::sync::OnceLock<Option<Result<Strings, String>>>; 2] =
                [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
            let slot = match lang {
                Lang::Nb => &PARSED[0],
                Lang::En => &PARSED[1],
            };
            let parsed = slot.get_or_init(|| {
                DEFAULT_THEME.get_file(&rel).map(|f| {
                    toml::from_str(&String::from_utf8_lossy(f.contents()))
                        .map_err(|e: toml::de::Error| e.to_string())
                })
            });
            if let Some(parsed) = parsed {
                return parsed.clone().map_err(|e| Diagnostic::file(shown, e));
            }
        }
        Err(Diagnostic::file(
            shown,
            "the theme has no interface strings for this language",
        ))
    }
}

fn collect_files(dir: &Path, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect_files(&e.path(), &format!("{rel}/"), out);
        } else if ft.is_file() {
            out.insert(rel);
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
