//! Interface strings: the tables in `i18n/<lang>.toml` and the one way the code reads
//! them.
//!
//! A language's table is made in layers, each replacing the strings it has: the
//! built-in default theme's `i18n/<lang>.toml` (every key the code and the default
//! templates use), then the theme folder's, then the site's own `i18n/<lang>.toml`. So a
//! theme or a site that changes a few strings lists only those, and a string it lacks
//! is the default theme's, never an empty one. A theme may add strings of its own for
//! its templates; a site's file may only replace strings the theme has (a key it does
//! not know is a typo, reported where it is).
//!
//! Templates read the table as `t.<key>`; they are rendered with undefined values as
//! errors, so a template asking for a string no table has fails with its file and line.
//! The code reads it with [`Strings::get`] and a [`Key`], which only `key!` makes:
//! it refuses, when aktsom is compiled, a key that is not in both built-in tables.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::config::Lang;
use crate::diagnostics::{Diagnostic, Source, did_you_mean, parse_toml};

/// The interface strings of one language: key → text, every key of the built-in
/// default theme included (see the module documentation).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub(crate) struct Strings(BTreeMap<String, String>);

impl Strings {
    /// The text of `key`. A table made by [`crate::theme::Theme::strings`] has every
    /// key `key!` accepts, so this finds it (only a table made by hand in a unit
    /// test can lack it: then the text is empty).
    pub(crate) fn get(&self, key: Key) -> &str {
        self.0.get(key.0).map_or("", String::as_str)
    }

    /// The built-in default theme's table of `lang` alone: for what is said before a
    /// site's own table can be read (the preview server's messages).
    pub(crate) fn builtin(lang: Lang) -> Strings {
        builtin(lang)
            .map(|t| Strings(t.clone()))
            .unwrap_or_default()
    }

    /// Every (key, text), sorted by key.
    pub(crate) fn iter(&self) -> std::collections::btree_map::Iter<'_, String, String> {
        self.0.iter()
    }
}

/// A table made by hand, for unit tests of code that reads strings.
#[cfg(test)]
impl FromIterator<(String, String)> for Strings {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Strings(iter.into_iter().collect())
    }
}

/// A key of the interface strings that is in both built-in tables (checked when aktsom
/// is compiled); made by `key!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(&'static str);

impl Key {
    /// `key` as a [`Key`]; in a constant (as `key!` uses it), a key missing from a
    /// built-in table stops the compilation at the place that asked for it.
    #[doc(hidden)]
    pub(crate) const fn checked(key: &'static str) -> Key {
        assert!(
            has_key(BUILTIN_NB, key),
            "this interface string is not in themes/default/i18n/nb.toml"
        );
        assert!(
            has_key(BUILTIN_EN, key),
            "this interface string is not in themes/default/i18n/en.toml"
        );
        Key(key)
    }
}

/// `key!("diff_added")`: the [`Key`] of an interface string, checked against both
/// built-in tables when aktsom is compiled.
macro_rules! key {
    ($key:literal) => {
        const { $crate::theme::Key::checked($key) }
    };
}
pub(crate) use key;

/// The built-in tables as text, for [`Key::checked`] (only read at compile time).
const BUILTIN_NB: &str = include_str!("../../themes/default/i18n/nb.toml");
const BUILTIN_EN: &str = include_str!("../../themes/default/i18n/en.toml");

/// Whether `toml` has a line `key = …`. A scan that a constant can run: the built-in
/// tables are flat, one `key = "text"` a line (a unit test holds them to that).
const fn has_key(toml: &str, key: &str) -> bool {
    let (t, k) = (toml.as_bytes(), key.as_bytes());
    let mut line = 0;
    while line < t.len() {
        let mut i = 0;
        while i < k.len() && line + i < t.len() && t[line + i] == k[i] {
            i += 1;
        }
        let end = line + i;
        if i == k.len() && end < t.len() && (t[end] == b' ' || t[end] == b'=') {
            return true;
        }
        while line < t.len() && t[line] != b'\n' {
            line += 1;
        }
        line += 1;
    }
    false
}

/// The built-in default theme's table of `lang`, parsed once per process (the preview
/// renders with it on every edit).
pub(super) fn builtin(lang: Lang) -> Result<&'static BTreeMap<String, String>, Diagnostic> {
    static PARSED: [OnceLock<Result<BTreeMap<String, String>, String>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    let (slot, text) = match lang {
        Lang::Nb => (&PARSED[0], BUILTIN_NB),
        Lang::En => (&PARSED[1], BUILTIN_EN),
    };
    let parsed = slot.get_or_init(|| toml::from_str(text).map_err(|e| e.to_string()));
    parsed.as_ref().map_err(|e| {
        Diagnostic::file(format!("themes/default/i18n/{}.toml", lang.code()), e)
            .with_note("the strings built into aktsom: a bug in aktsom")
    })
}

/// The table of `lang`: the built-in one, then `layers` (the theme's file, then the
/// site's, each `None` when absent) replacing the strings they have.
pub(super) fn layered(
    lang: Lang,
    theme: Option<&Source>,
    site: Option<&Source>,
) -> Result<Strings, Diagnostic> {
    let mut table = builtin(lang)?.clone();
    if let Some(source) = theme {
        let own: BTreeMap<String, String> = parse_toml(source, &source.text, 0, &[])?;
        table.extend(own);
    }
    if let Some(source) = site {
        let own: BTreeMap<toml::Spanned<String>, String> =
            parse_toml(source, &source.text, 0, &[])?;
        for (key, text) in own {
            if !table.contains_key(key.get_ref()) {
                return Err(unknown(source, &key, &table));
            }
            table.insert(key.into_inner(), text);
        }
    }
    Ok(Strings(table))
}

/// A key of a site's strings that the theme does not have.
fn unknown(
    source: &Source,
    key: &toml::Spanned<String>,
    table: &BTreeMap<String, String>,
) -> Diagnostic {
    let name = key.get_ref();
    let help = match did_you_mean(name, table.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "a site's strings replace the theme's; the theme's keys are in \
                 themes/default/i18n/ (or your theme's i18n/)"
            .to_string(),
    };
    source
        .error(
            key.span(),
            format!("unknown interface string `{name}`: the theme has no such key"),
        )
        .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`has_key`] reads the built-in tables as the TOML parser does: one `key = "…"`
    /// a line, besides comments and blank lines.
    #[test]
    fn the_builtin_tables_are_flat_and_has_key_finds_every_key() {
        for (lang, text) in [(Lang::Nb, BUILTIN_NB), (Lang::En, BUILTIN_EN)] {
            for line in text.lines() {
                let flat = line.is_empty()
                    || line.starts_with('#')
                    || line.split_once(" = \"").is_some_and(|(k, rest)| {
                        k.bytes()
                            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
                            && rest.ends_with('"')
                    });
                assert!(flat, "{lang:?}: not a flat `key = \"text\"` line: {line}");
            }
            let table = builtin(lang).unwrap();
            for key in table.keys() {
                assert!(has_key(text, key), "{lang:?}: {key}");
            }
            assert!(!has_key(text, "no_such_key"));
            assert!(!has_key(text, "nav"), "a key's prefix is not a key");
        }
    }

    #[test]
    fn key_reads_the_string() {
        let t = layered(Lang::En, None, None).unwrap();
        assert_eq!(t.get(key!("nav_home")), "Home");
        assert_eq!(key!("nav_home"), Key("nav_home"));
    }

    #[test]
    fn a_site_replaces_strings_and_keeps_the_rest() {
        let site = Source::new("i18n/nb.toml", "nav_home = \"Hjem\"\n");
        let t = layered(Lang::Nb, None, Some(&site)).unwrap();
        assert_eq!(t.get(key!("nav_home")), "Hjem");
        assert_eq!(t.get(key!("nav_members")), "Medlemmer");
    }

    #[test]
    fn a_theme_may_add_strings_a_site_may_not() {
        let theme = Source::new("themes/egen/i18n/nb.toml", "egen_tekst = \"Egen\"\n");
        let site = Source::new(
            "i18n/nb.toml",
            "egen_tekst = \"Min\"\nnav_hjem = \"Hjem\"\n",
        );
        let t = layered(Lang::Nb, Some(&theme), None).unwrap();
        assert!(t.iter().any(|(k, _)| k == "egen_tekst"));
        let e = layered(Lang::Nb, Some(&theme), Some(&site)).unwrap_err();
        assert_eq!(
            e.message,
            "unknown interface string `nav_hjem`: the theme has no such key"
        );
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.help.as_deref(), Some("did you mean `nav_home`?"));
    }
}
