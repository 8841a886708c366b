//! `site.toml`: the site's settings and the definitions of its key figures.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Source, parse_toml, read_text};

/// A text in the site's two interface languages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Localized {
    pub(crate) nb: String,
    pub(crate) en: String,
}

impl Localized {
    pub(crate) fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nb => &self.nb,
            Lang::En => &self.en,
        }
    }
}

/// The languages aktsom has interface strings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norwegian Bokmål (`nb`), the association's language and the default.
    Nb,
    /// English (`en`), for sites and reports written in English.
    En,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    /// The interface language for a content language code (`nn`, `no` read as `nb`).
    pub(crate) fn for_code(code: &str) -> Lang {
        match code.split('-').next().unwrap_or("") {
            "en" => Lang::En,
            _ => Lang::Nb,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum NumberFormat {
    #[default]
    Integer,
    Decimal,
}

/// One key figure members report (`[[figures]]` in site.toml).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FigureDef {
    pub(crate) id: String,
    pub(crate) label: Localized,
    #[serde(default)]
    pub(crate) unit: Option<Localized>,
    #[serde(default)]
    pub(crate) format: NumberFormat,
    /// Other labels the figure has in members' reports, for `aktsom import`
    /// (`"Antall ansatte"`, `"Samlet verdi innkjøp av varer og tjenester …"`).
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Licence {
    pub(crate) name: String,
    pub(crate) url: String,
}

const SITE_KEYS: &[&str] = &[
    "title",
    "description",
    "publisher",
    "base_url",
    "language",
    "theme",
    "default_template",
    "data_licence",
    "figures",
    "images",
    "allowed_hosts",
];

/// The site's settings, read from `site.toml`: its title and address, the interface
/// language, the theme, the licence of the open data and the key figures members report.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) publisher: String,
    pub(crate) base_url: String,
    /// The language of the site's interface strings and of reports that name none.
    #[serde(default = "default_language")]
    pub language: Lang,
    #[serde(default = "default_theme")]
    pub(crate) theme: String,
    /// The template version of a report older than every version named after a year
    /// (a report otherwise uses the version of its year, [`crate::reporting::choose`]).
    #[serde(default)]
    pub(crate) default_template: Option<String>,
    pub(crate) data_licence: Licence,
    #[serde(default)]
    pub(crate) figures: Vec<FigureDef>,
    #[serde(default)]
    pub(crate) images: Images,
}

/// `[images]`: where the images in reports and pages may come from.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Images {
    /// Hosts whose `https://` images the text may show, such as `bilder.example.no`
    /// (lower case after loading, as a browser reads them). Empty, the default: only
    /// image files in the member's folder, so that no reader's browser is sent to
    /// another site by a report (a tracking pixel).
    #[serde(default)]
    pub(crate) allowed_hosts: Vec<String>,
}

/// Where in site.toml the values [`SiteConfig::load`] checks are, as the parser saw
/// them (read from the same text, after it parsed as a [`SiteConfig`]).
#[derive(Deserialize)]
struct Positions {
    base_url: Spanned<String>,
    #[serde(default)]
    figures: Vec<FigurePosition>,
    #[serde(default)]
    images: ImagesPositions,
}

#[derive(Deserialize)]
struct FigurePosition {
    id: Spanned<String>,
}

#[derive(Deserialize, Default)]
struct ImagesPositions {
    #[serde(default)]
    allowed_hosts: Vec<Spanned<String>>,
}

fn default_language() -> Lang {
    Lang::Nb
}

fn default_theme() -> String {
    "default".into()
}

impl SiteConfig {
    /// Reads and validates `site.toml` in `root`.
    pub(crate) fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let shown = Path::new("site.toml");
        let path = root.join(shown);
        if let Err(e) = std::fs::metadata(&path)
            && e.kind() == std::io::ErrorKind::NotFound
        {
            return Err(vec![
                Diagnostic::file(shown, format!("no site.toml in {}", root.display()))
                    .with_help("run aktsom in a site folder, or point --root at one"),
            ]);
        }
        // Any other failure (permissions, a named pipe) is reported with its reason.
        let source = read_text(&path, shown).map_err(|d| vec![d])?;
        let mut config: SiteConfig =
            parse_toml(&source, &source.text, 0, SITE_KEYS).map_err(|d| vec![d])?;
        // Where the values checked below are, from the parser (the text parsed above).
        let at: Positions = toml::from_str(&source.text)
            .map_err(|e| vec![crate::diagnostics::toml_error(&source, &e, 0, SITE_KEYS)])?;
        let mut errors = Vec::new();
        match base_url(&config.base_url) {
            Ok(url) => config.base_url = url,
            Err(why) => errors.push(
                source
                    .error(at.base_url.span(), format!("base_url {why}"))
                    .with_help("for example base_url = \"https://rapporter.example.no/\""),
            ),
        }
        errors.extend(check_figures(&config.figures, &at.figures, &source));
        errors.extend(config.images.check(&source, &at.images.allowed_hosts));
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    pub(crate) fn figure(&self, id: &str) -> Option<&FigureDef> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// Each figure id a slug, and none defined twice: errors at the ids' places.
fn check_figures(figures: &[FigureDef], at: &[FigurePosition], source: &Source) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut seen = BTreeMap::new();
    for (f, place) in figures.iter().zip(at) {
        let at = place.id.span();
        if !is_slug(&f.id, '_') {
            errors.push(
                source
                    .error(at.clone(), format!("figure id `{}` is not valid", f.id))
                    .with_help("use lower-case letters, digits and underscores"),
            );
        }
        if seen.insert(f.id.clone(), ()).is_some() {
            errors.push(source.error(at, format!("figure `{}` is defined twice", f.id)));
        }
    }
    errors
}

impl Images {
    /// Checks each allowed host (a host name, nothing more) and writes it as browsers
    /// read it (lower case; international names in their `xn--` form).
    fn check(&mut self, source: &Source, at: &[Spanned<String>]) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        for (host, place) in self.allowed_hosts.iter_mut().zip(at) {
            match image_host(host) {
                Some(h) => *host = h,
                None => errors.push(
                    source
                        .error(place.span(), format!("`{host}` is not a host name"))
                        .with_help(
                            "write only the host of the image addresses, for example allowed_hosts = [\"bilder.example.no\"]",
                        ),
                ),
            }
        }
        errors
    }

    /// Whether an image at `url` may be shown: an `https://` address on an allowed host,
    /// on the default port.
    pub(crate) fn allows(&self, url: &url::Url) -> bool {
        url.scheme() == "https"
            && url.port().is_none()
            && url
                .host_str()
                .is_some_and(|h| self.allowed_hosts.iter().any(|a| a == h))
    }
}

/// `host` as a browser reads it, if it is a host name and nothing else (no scheme,
/// port, path or user).
fn image_host(host: &str) -> Option<String> {
    let bare = !host.is_empty()
        && !host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/\\:@?#%*".contains(c));
    if !bare {
        return None;
    }
    let url = url::Url::parse(&format!("https://{host}/")).ok()?;
    url.domain().map(str::to_string)
}

/// Checks a site address (`base_url` in site.toml, `aktsom build --base-url`: one rule
/// for both) and returns it ending in `/`. The address goes into every absolute link of
/// the feed, the sitemap and the open data, so it must be a plain absolute http(s)
/// address: a scheme, a host, a path, and nothing that could end an attribute or
/// change what the links mean. `Err` says why, to follow the setting's name.
pub fn base_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must be an absolute http(s) address")?;
    let bad = |c: char| c.is_whitespace() || c.is_control() || "\"'<>\\^`{|}".contains(c);
    if url.contains(bad) {
        return Err("must not contain spaces, quotes, `<`, `>`, `\\` or control characters".into());
    }
    if url.contains(['?', '#']) {
        return Err("must not have a query (`?…`) or a fragment (`#…`)".into());
    }
    let host = rest.split('/').next().unwrap_or("");
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || "-.:[]".contains(c));
    if !host_ok {
        return Err("must name a host after the scheme (https://host/…)".into());
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

/// The path part of an absolute URL: `https://x.no/sub/` → `/sub/`.
pub(crate) fn url_path(url: &str) -> String {
    let after_scheme = url.split("://").nth(1).unwrap_or("");
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

/// Lower-case ASCII letters and digits, joined by `sep`.
pub(crate) fn is_slug(s: &str, sep: char) -> bool {
    !s.is_empty()
        && !s.starts_with(sep)
        && !s.ends_with(sep)
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_of_urls() {
        assert_eq!(url_path("https://x.no/"), "/");
        assert_eq!(url_path("https://x.no/sub/dir/"), "/sub/dir/");
    }

    #[test]
    fn base_urls() {
        assert_eq!(base_url("https://x.no").as_deref(), Ok("https://x.no/"));
        assert_eq!(
            base_url("http://127.0.0.1:1111/sub/").as_deref(),
            Ok("http://127.0.0.1:1111/sub/")
        );
        assert_eq!(
            base_url("https://rapporter.bø.no/").as_deref(),
            Ok("https://rapporter.bø.no/")
        );
        for bad in [
            "javascript:alert(1)//",
            "data:text/html,x",
            "/rapporter/",
            "rapporter.example.no/",
            "ftp://x.no/",
            "https://",
            "https:///x/",
            "https://x.no/?a=1",
            "https://x.no/#top",
            "https://x.no/\"><script>",
            "https://x.no/a b/",
            "https://us@er@x.no/",
            "https://x.no\n/",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("fjordvik-kommune", '-'));
        assert!(!is_slug("Fjordvik", '-'));
        assert!(!is_slug("-a", '-'));
        assert!(!is_slug("", '-'));
    }
}
