//! The link check: every link from a page to the site's own pages must reach a file that
//! the build made, and every `#fragment` an id on that page. It runs over what the one
//! scan of each page found (see [`crate::rewrite`]); an error points at the link in the
//! member's file when the link comes from a report or a page, and at the templates
//! otherwise.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::content::Site;
use crate::diagnostics::{self, Diagnostic, Source};
use crate::output::Emitted;
use crate::rewrite;
use crate::routes::{self, Route, Routes};

/// The link check over everything an [`crate::output::Emitter`] took.
pub fn check_emitted(site: &Site, emitted: &Emitted) -> Result<(), Vec<Diagnostic>> {
    let exists: FxHashSet<&str> = emitted.paths.iter().map(String::as_str).collect();
    let ids = LinkTargets::new(&emitted.links);
    check(site, &exists, &ids, &emitted.links)
}

/// The ids of every HTML page, by output path, for the link check.
pub(crate) struct LinkTargets<'a>(FxHashMap<&'a str, FxHashSet<&'a str>>);

impl<'a> LinkTargets<'a> {
    pub(crate) fn new(links: &'a [(String, rewrite::PageLinks)]) -> Self {
        LinkTargets(
            links
                .par_iter()
                .map(|(p, l)| (p.as_str(), l.ids.iter().map(String::as_str).collect()))
                .collect(),
        )
    }

    pub(crate) fn from_map(links: &'a HashMap<String, rewrite::PageLinks>) -> Self {
        LinkTargets(
            links
                .iter()
                .map(|(p, l)| (p.as_str(), l.ids.iter().map(String::as_str).collect()))
                .collect(),
        )
    }
}

/// Every link to the site's own pages must reach a file, and every `#fragment` an id.
/// Checks the links of `links` (pages and what they link to) against every file that
/// `exists` and every page's ids in `ids`.
pub(crate) fn check(
    site: &Site,
    exists: &FxHashSet<&str>,
    ids: &LinkTargets,
    links: &[(String, rewrite::PageLinks)],
) -> Result<(), Vec<Diagnostic>> {
    let routes = Routes::new(&site.config.base_url);
    let sources = sources(site);
    let cx = PageCheck {
        base: routes.base(),
        exists,
        ids: &ids.0,
        sources: &sources,
    };
    // Each page's problems, in parallel; then each distinct one once, in page order.
    let found: Vec<Vec<Diagnostic>> = links
        .par_iter()
        .map(|(page, l)| cx.page(page, &routes.file_url(page), l))
        .collect();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut said: HashSet<(PathBuf, String)> = HashSet::new();
    for d in found.into_iter().flatten() {
        if said.insert((d.file.clone(), d.message.clone())) {
            errors.push(d);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(diagnostics::cap_per_file(errors))
    }
}

/// Which source file a page comes from (reports and pages), to point errors at it.
fn sources(site: &Site) -> HashMap<String, &Source> {
    let mut sources: HashMap<String, &Source> = HashMap::new();
    for m in &site.members {
        for r in &m.reports {
            sources.insert(Route::Report(&m.slug, r.year).file(), &r.source);
        }
    }
    for p in &site.pages {
        sources.insert(Route::Page(&p.slug).file(), &p.source);
    }
    sources
}

/// What the check of each page reads.
struct PageCheck<'a> {
    base: &'a str,
    exists: &'a FxHashSet<&'a str>,
    ids: &'a FxHashMap<&'a str, FxHashSet<&'a str>>,
    sources: &'a HashMap<String, &'a Source>,
}

impl PageCheck<'_> {
    /// The problems of the links on one page (at output path `page`, URL path
    /// `page_url`), each message once.
    fn page(&self, page: &str, page_url: &str, l: &rewrite::PageLinks) -> Vec<Diagnostic> {
        // At most MAX_DIAGNOSTICS_PER_FILE are built (finding each in the source costs a
        // scan of it).
        let mut errors = diagnostics::FileDiagnostics::default();
        let mut said: HashSet<String> = HashSet::new();
        // (Each page's hrefs are distinct already: see `rewrite::scan_page`.)
        for href in &l.hrefs {
            let problem = link_problem(page, page_url, href, self.base, self.exists, self.ids);
            let Some(message) = problem else {
                continue;
            };
            if !said.insert(message.clone()) {
                continue;
            }
            errors.error(|| self.error(page, href, message));
        }
        let file = self
            .sources
            .get(page)
            .map_or(Path::new("templates"), |s| &s.path);
        errors.finish_file(file)
    }

    /// A link's problem: content links point at the line in the member's file; anything
    /// else comes from a theme template.
    fn error(&self, page: &str, href: &str, message: String) -> Diagnostic {
        let found = self
            .sources
            .get(page)
            .and_then(|src| src.text.find(href).map(|i| (src, i)));
        match found {
            Some((src, i)) => src.error(i..i + href.len(), message).with_help(
                "check the address; links to reports look like ../2023/ or /medlemmer/<slug>/2023/#2-a-3",
            ),
            None => Diagnostic::file("templates", format!("{message} (on /{page})"))
                .with_help("a theme template links to a page or anchor that is not built"),
        }
    }
}

/// The output path that the link `href` on a page leads to, with the link's fragment;
/// `None` for a link that leaves the site. `page` is the page's output path,
/// `page_url` its URL path, `base` the site's URL path.
pub(crate) fn link_target<'a>(
    page: &'a str,
    page_url: &str,
    href: &'a str,
    base: &str,
) -> Option<(Cow<'a, str>, Option<&'a str>)> {
    let (before, frag) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    // The common links need no resolving: a fragment on the page itself, or a plain
    // path under the base (no dots, query or empty segments).
    if before.is_empty() {
        return Some((Cow::Borrowed(page), frag));
    }
    let plain = !before.contains(['?', '\\']) && !before.contains("/.") && !before.contains("//");
    let rel: Cow<'a, str> = match before.strip_prefix(base) {
        Some(rel) if plain => Cow::Borrowed(rel),
        _ => {
            let (path, _) = rewrite::resolve(page_url, before);
            match path.strip_prefix(base) {
                Some(rel) => Cow::Owned(rel.to_string()),
                None if format!("{path}/") == base => Cow::Borrowed(""),
                None => return None,
            }
        }
    };
    let target = if rel.is_empty() || rel.ends_with('/') {
        // Joined rather than formatted: this runs for most links of every page.
        Cow::Owned([rel.as_ref(), routes::INDEX].concat())
    } else {
        rel
    };
    Some((target, frag))
}

/// What is wrong with the link `href` on the page at URL path `page_url`, if anything.
/// `page` is the page's output path, `page_url` its URL path.
fn link_problem(
    page: &str,
    page_url: &str,
    href: &str,
    base: &str,
    exists: &FxHashSet<&str>,
    ids: &FxHashMap<&str, FxHashSet<&str>>,
) -> Option<String> {
    let Some((target, frag)) = link_target(page, page_url, href, base) else {
        return Some(format!("the link `{href}` leads outside the site"));
    };
    let target = target.as_ref();
    if !exists.contains(target) {
        return Some(format!(
            "the link `{href}` leads to a page that does not exist"
        ));
    }
    match (frag, ids.get(target)) {
        (Some(f), Some(set)) if !f.is_empty() && !set.contains(f) => Some(format!(
            "the link `{href}` leads to an anchor #{f} that does not exist"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_problems() {
        let exists: FxHashSet<&str> = [
            "index.html",
            "medlemmer/a/2024/index.html",
            "medlemmer/a/2023/index.html",
            "style.css",
            "404.html",
        ]
        .into_iter()
        .collect();
        let ids: FxHashMap<&str, FxHashSet<&str>> = [
            ("medlemmer/a/2024/index.html", ["x"].into_iter().collect()),
            ("medlemmer/a/2023/index.html", ["y"].into_iter().collect()),
            ("404.html", ["z"].into_iter().collect()),
        ]
        .into_iter()
        .collect();
        let page = "medlemmer/a/2024/index.html";
        let check = |base: &str, page: &str, href: &str| {
            let url = format!("{base}{}", page.trim_end_matches("index.html"));
            link_problem(page, &url, href, base, &exists, &ids)
        };
        for ok in [
            "#x",
            "#",
            "../2023/#y",
            "/medlemmer/a/2023/#y",
            "/medlemmer/a/2023/",
            "/",
            "/style.css?v=1",
            "./",
            "/medlemmer/./a/2024/#x",
        ] {
            assert_eq!(check("/", page, ok), None, "{ok}");
        }
        assert_eq!(check("/", "404.html", "#z"), None);
        assert_eq!(check("/sub/", "404.html", "/sub/#"), None);
        assert_eq!(check("/sub/", page, "/sub"), None);
        for (bad, says) in [
            ("#y", "anchor #y"),
            ("../2023/#x", "anchor #x"),
            ("/medlemmer/a/2022/", "does not exist"),
            ("/medlemmer//a/2022/", "does not exist"),
            ("../../../../../x/", "does not exist"),
        ] {
            let p = check("/", page, bad).unwrap_or_default();
            assert!(p.contains(says), "{bad}: {p}");
        }
        let p = check("/sub/", page, "/other/").unwrap_or_default();
        assert!(p.contains("outside the site"), "{p}");
    }
}
