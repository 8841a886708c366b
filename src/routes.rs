//! Every URL and output path of the site, in one place.
//!
//! A [`Route`] names a page (a member, a report, a question in a year…); its
//! [`dir`](Route::dir) is the page's path under the site's base path (`medlemmer/x/2024/`,
//! `""` for the front page) and its [`file`](Route::file) the output path
//! (`medlemmer/x/2024/index.html`). [`Routes`] adds the site's base: the URL path every
//! internal link starts with (`/` or `/sub/`, from `base_url`) and the absolute address
//! for the sitemap and the feed. The files that are not pages (the feed, the open data
//! files, a member's images) have their paths here too. Page producers, the link check,
//! search, open data and the preview all go through this module, so that a path is
//! spelled once.

use std::fmt::Write;

/// The front page's file (every folder's page is `<dir>index.html`).
pub(crate) const INDEX: &str = "index.html";
/// The page for addresses that lead nowhere.
pub(crate) const NOT_FOUND: &str = "404.html";
/// The Atom feed of published reports.
pub(crate) const FEED: &str = "atom.xml";
pub(crate) const SITEMAP: &str = "sitemap.xml";
pub(crate) const ROBOTS: &str = "robots.txt";
/// Key figures of every published report, one row per figure.
pub(crate) const FIGURES_CSV: &str = "data/nokkeltall.csv";
/// Every published report, without its text.
pub(crate) const REPORTS_JSON: &str = "data/rapporter.json";
/// Who has reported: one row per member and reporting year.
pub(crate) const REPORTING_CSV: &str = "data/rapportering.csv";
/// The folder of the search index's files.
pub(crate) const SEARCH_INDEX_DIR: &str = "sok/indeks/";
/// The search page's script (a theme file).
pub(crate) const SEARCH_SCRIPT: &str = "search.js";
/// The theme's style sheet.
pub(crate) const STYLE: &str = "style.css";
/// The theme's icon.
pub(crate) const FAVICON: &str = "favicon.svg";
/// The comparison pages' script (a theme file).
pub(crate) const COMPARE_SCRIPT: &str = "compare.js";
/// The diff the browser comparison page runs (a theme file, loaded before
/// [`COMPARE_SCRIPT`]).
pub(crate) const COMPARE_CORE_SCRIPT: &str = "compare-core.js";

/// A page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    Front,
    /// Every member.
    Members,
    /// A member's page, by slug.
    Member(&'a str),
    /// A member's report of a year.
    Report(&'a str, u16),
    /// Every year.
    Years,
    Year(u16),
    /// Every question of the template.
    Questions,
    /// One question (by number, `2.A.3`): its years.
    Question(&'a str),
    /// One question in one year: every member's answer.
    QuestionYear(&'a str, u16),
    /// The page that compares any two of a member's years in the browser.
    CompareBrowser(&'a str),
    /// A member's report of one year against an earlier one.
    Comparison(&'a str, u16, u16),
    /// A free-standing page (`content/pages/<slug>.md`).
    Page(&'a str),
    /// The page that documents the open data.
    Data,
    Search,
}

impl Route<'_> {
    /// Writes the page's folder under the base path (`medlemmer/x/`; nothing for the
    /// front page).
    fn write_dir(self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = match self {
            Route::Front => Ok(()),
            Route::Members => out.write_str("medlemmer/"),
            Route::Member(slug) => write!(out, "medlemmer/{slug}/"),
            Route::Report(slug, year) => write!(out, "medlemmer/{slug}/{year}/"),
            Route::Years => out.write_str("ar/"),
            Route::Year(y) => write!(out, "ar/{y}/"),
            Route::Questions => out.write_str("sporsmal/"),
            Route::Question(number) => write!(out, "sporsmal/{}/", question_slug(number)),
            Route::QuestionYear(number, year) => {
                write!(out, "sporsmal/{}/{year}/", question_slug(number))
            }
            Route::CompareBrowser(slug) => write!(out, "medlemmer/{slug}/sammenlign/"),
            Route::Comparison(slug, a, b) => write!(out, "medlemmer/{slug}/sammenlign/{a}-{b}/"),
            Route::Page(slug) => write!(out, "{slug}/"),
            Route::Data => out.write_str("data/"),
            Route::Search => out.write_str("sok/"),
        };
    }

    /// The page's folder under the base path: `medlemmer/x/2024/` (`""` for the front
    /// page).
    pub(crate) fn dir(self) -> String {
        let mut out = String::new();
        self.write_dir(&mut out);
        out
    }

    /// The page's output path: `medlemmer/x/2024/index.html`.
    pub(crate) fn file(self) -> String {
        let mut out = String::new();
        self.write_dir(&mut out);
        out.push_str(INDEX);
        out
    }
}

/// The relative URL of the page `to` from the page `from`: from a comparison page
/// (`medlemmer/x/sammenlign/2023-2024/`) to its later report, `../../2024/`.
pub(crate) fn relative(from: Route, to: Route) -> String {
    relative_file(from, &to.dir())
}

/// The relative URL of the output file `path` (or of a page's folder, ending in `/`)
/// from the page `from`. It climbs to the deepest folder the two share, then down; a
/// page's link to itself names its folder (`../2023-2024/`) rather than being empty.
pub(crate) fn relative_file(from: Route, path: &str) -> String {
    let from_dir = from.dir();
    let from: Vec<&str> = from_dir.split_terminator('/').collect();
    let (to_dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let to: Vec<&str> = to_dir.split_terminator('/').collect();
    let mut common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common > 0 && common == from.len() && common == to.len() && name.is_empty() {
        common -= 1;
    }
    let mut out = "../".repeat(from.len() - common);
    for part in &to[common..] {
        out.push_str(part);
        out.push('/');
    }
    out.push_str(name);
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// The URLs of the site's fixed pages and the theme's files, for every template as
/// `routes`: templates take their links from here (or from a page's own values)
/// rather than joining paths to `site.base`.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TemplateRoutes {
    front: String,
    members: String,
    years: String,
    questions: String,
    search: String,
    data: String,
    feed: String,
    style: String,
    favicon: String,
    compare_script: String,
    compare_core_script: String,
}

/// A question's part of a URL: `2.A.3` → `2-a-3` (the question's anchor).
pub(crate) fn question_slug(number: &str) -> String {
    crate::reporting::anchor(number)
}

/// The open data file of a member's report, beside its page.
pub(crate) fn report_data(slug: &str, year: u16) -> String {
    format!("medlemmer/{slug}/{year}/rapport.json")
}

/// Every answer of one year's published reports, one row per report and question,
/// gzip-compressed: one file per year, so that no file grows with the years.
pub(crate) fn answers_csv(year: u16) -> String {
    format!("data/svar/{year}.csv.gz")
}

/// Whether an output path is a year's answers file ([`answers_csv`]).
pub(crate) fn is_answers_csv(path: &str) -> bool {
    path.strip_prefix("data/svar/")
        .and_then(|p| p.strip_suffix(".csv.gz"))
        .is_some_and(|y| y.parse::<u16>().is_ok_and(|y| answers_csv(y) == path))
}

/// A member's feed of published reports, beside the member's page.
pub(crate) fn member_feed(slug: &str) -> String {
    format!("medlemmer/{slug}/atom.xml")
}

/// A file of a member's folder (an image of its reports), beside the member's page.
pub(crate) fn member_file(slug: &str, name: &str) -> String {
    format!("medlemmer/{slug}/{name}")
}

/// The URL path of the output file `path`: `medlemmer/x/index.html` → `medlemmer/x/`
/// (without the base path).
pub(crate) fn dir_of(path: &str) -> &str {
    path.strip_suffix(INDEX).unwrap_or(path)
}

/// The site's addresses: [`Route`]s and files under its base.
#[derive(Debug, Clone)]
pub(crate) struct Routes {
    /// The URL path every internal link starts with: `/` or `/sub/`.
    base: String,
    /// The site's absolute address, ending in `/`: `https://x.no/sub/`.
    base_url: String,
}

impl Routes {
    /// The addresses of a site published at `base_url` (checked by
    /// [`crate::config::base_url`]: absolute, ending in `/`).
    pub(crate) fn new(base_url: &str) -> Routes {
        Routes {
            base: crate::config::url_path(base_url),
            base_url: base_url.to_string(),
        }
    }

    /// The path every internal link starts with (`/` or `/sub/`).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The site's absolute address (`https://x.no/sub/`).
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Scheme and host of the site, without a `/` at the end (`https://x.no`), for
    /// absolute links made from URL paths.
    pub(crate) fn origin(&self) -> &str {
        let trimmed = self.base_url.trim_end_matches('/');
        trimmed
            .strip_suffix(self.base.trim_end_matches('/'))
            .unwrap_or(&self.base_url)
            .trim_end_matches('/')
    }

    /// The URL path of a page: `/medlemmer/x/2024/`.
    pub(crate) fn url(&self, route: Route) -> String {
        let mut out = String::with_capacity(self.base.len() + 32);
        out.push_str(&self.base);
        route.write_dir(&mut out);
        out
    }

    /// The absolute address of a page: `https://x.no/medlemmer/x/2024/`.
    pub(crate) fn absolute(&self, route: Route) -> String {
        let mut out = String::with_capacity(self.base_url.len() + 32);
        out.push_str(&self.base_url);
        route.write_dir(&mut out);
        out
    }

    /// The URL path of an output file that is not a page's `index.html`
    /// (`/data/nokkeltall.csv`); for a page's file, the URL of its folder.
    pub(crate) fn file_url(&self, path: &str) -> String {
        format!("{}{}", self.base, dir_of(path))
    }

    /// The URLs every template reads as `routes` ([`TemplateRoutes`]).
    pub(crate) fn template_routes(&self) -> TemplateRoutes {
        TemplateRoutes {
            front: self.url(Route::Front),
            members: self.url(Route::Members),
            years: self.url(Route::Years),
            questions: self.url(Route::Questions),
            search: self.url(Route::Search),
            data: self.url(Route::Data),
            feed: self.file_url(FEED),
            style: self.file_url(STYLE),
            favicon: self.file_url(FAVICON),
            compare_script: self.file_url(COMPARE_SCRIPT),
            compare_core_script: self.file_url(COMPARE_CORE_SCRIPT),
        }
    }

    /// The absolute address of an output file (`https://x.no/sitemap.xml`).
    pub(crate) fn absolute_file(&self, path: &str) -> String {
        format!("{}{}", self.base_url, dir_of(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_under_a_base() {
        let r = Routes::new("https://x.no/sub/");
        assert_eq!(r.base(), "/sub/");
        assert_eq!(r.origin(), "https://x.no");
        assert_eq!(r.url(Route::Front), "/sub/");
        assert_eq!(r.url(Route::Report("a", 2024)), "/sub/medlemmer/a/2024/");
        assert_eq!(
            r.url(Route::QuestionYear("2.A.3", 2024)),
            "/sub/sporsmal/2-a-3/2024/"
        );
        assert_eq!(
            r.absolute(Route::Comparison("a", 2023, 2024)),
            "https://x.no/sub/medlemmer/a/sammenlign/2023-2024/"
        );
        assert_eq!(Route::Front.file(), "index.html");
        assert_eq!(Route::Year(2024).file(), "ar/2024/index.html");
        assert_eq!(r.file_url(FIGURES_CSV), "/sub/data/nokkeltall.csv");
        assert_eq!(r.file_url("ar/index.html"), "/sub/ar/");
        let root = Routes::new("https://x.no/");
        assert_eq!(root.base(), "/");
        assert_eq!(root.origin(), "https://x.no");
        assert_eq!(root.absolute_file(SITEMAP), "https://x.no/sitemap.xml");
    }

    #[test]
    fn relative_urls() {
        let page = Route::Comparison("x", 2023, 2024);
        assert_eq!(relative(page, Route::Member("x")), "../../");
        assert_eq!(relative(page, Route::Report("x", 2024)), "../../2024/");
        assert_eq!(
            relative(page, Route::Comparison("x", 2022, 2023)),
            "../2022-2023/"
        );
        assert_eq!(relative(page, page), "../2023-2024/");
        assert_eq!(relative(page, Route::CompareBrowser("x")), "../");
        assert_eq!(relative(page, Route::Front), "../../../../");
        let any = Route::CompareBrowser("x");
        assert_eq!(
            relative_file(any, &report_data("x", 2023)),
            "../2023/rapport.json"
        );
        assert_eq!(relative(Route::Front, Route::Year(2024)), "ar/2024/");
        assert_eq!(relative(Route::Front, Route::Front), "./");
        assert_eq!(relative_file(Route::Front, FEED), "atom.xml");
    }
}
