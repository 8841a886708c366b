//! aktsom: publishes members' yearly due-diligence reports as an accessible static site.
//!
//! # The pipeline
//!
//! A build goes one way, content → model → pages → output. [`config`] reads `site.toml`
//! and [`reporting`] the reporting template (the numbered questions, as data).
//! [`content`] loads every member and report into a typed model ([`content::Site`]),
//! parsing front matter with spans so that each problem becomes a
//! [`diagnostics::Diagnostic`] with file, line and column; reports are parsed and their
//! Markdown rendered in parallel by [`markdown`], which cuts each report into question
//! sections with stable anchors and sanitises untrusted HTML and URLs. [`render`] turns
//! the model into pages through the theme's minijinja templates (located by [`theme`],
//! with the site's overrides), again in parallel; the feature modules add their pages
//! through the same renderer: [`compare`] (figures over time, what changed between two
//! years), [`questions`] (one question across members), [`overview`] (a year's
//! aggregates), [`data`] (open data) and [`search`] (the static index, built beside the
//! page producers in a whole build). Every finished file goes through an
//! [`output::Emitter`] as soon as it is made: [`rewrite`] scans each HTML page once
//! (external links marked; ids and link targets kept), and the file is written into a
//! staging folder (the output the previous build replaced, when [`output`] kept it, so
//! that unchanged files are kept rather than written; or in memory for the tests, or
//! nowhere for `aktsom check`; the preview writes only what changed, through its own
//! sink, see [`rebuild`]), so a build holds the model and the links, not its output.
//! The link check then runs over the whole set, and [`output`] swaps the staging folder
//! in only when the whole build succeeded.
//!
//! `aktsom serve` keeps the model in memory instead: [`rebuild`] re-renders only the
//! pages an edit touches (every producer honours a [`render::Scope`]), and [`serve`]
//! watches the files, serves the output and tells open tabs to reload.
//!
//! Two commands stand beside the pipeline and write content instead: [`import`] reads a
//! report as the association has it (its PDF or the PDF's text) into a member's report
//! file, and [`new`] starts a member's next report from the earlier one. They use the
//! core ([`config`], [`reporting`], [`content`], [`check`]); the core does not use them.

pub mod check;
pub mod compare;
pub mod config;
pub mod content;
pub mod data;
pub mod diagnostics;
pub mod format;
pub mod html;
pub mod import;
pub mod markdown;
pub mod new;
pub mod output;
pub mod overview;
pub mod questions;
pub mod rebuild;
pub mod render;
pub mod reporting;
pub mod rewrite;
pub mod routes;
pub mod search;
pub mod serve;
pub mod theme;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::content::{LoadOptions, Site};
use crate::diagnostics::{Diagnostic, Source};
use crate::output::{Emitted, Emitter};
use crate::render::{OutFile, Scope, Sink};

/// What `aktsom build` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    /// Replace the output folder's contents even when aktsom did not make it (see
    /// [`output::check_build_out`]).
    pub force: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildSummary {
    pub pages: usize,
    pub files: usize,
    pub reports: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Pages rendered and rewritten, with the links each HTML page holds.
pub struct RenderedPages {
    pub files: Vec<OutFile>,
    pub links: Vec<(String, rewrite::PageLinks)>,
}

/// Renders the pages in `scope` (every page for [`Scope::All`]) into `sink`: the core
/// pages, then each feature module's. Static theme files and images are not included.
fn produce(
    site: &Site,
    base_url: &str,
    scope: &Scope,
    sink: &dyn Sink,
    keep_search: Option<&mut Option<search::Live>>,
) -> Result<(), Vec<Diagnostic>> {
    let theme = theme::Theme::new(&site.root, &site.config.theme).map_err(|d| vec![d])?;
    let renderer = render::Renderer::new(site, &theme, base_url)?;
    // Feature modules add their own pages here, each rendering its own templates
    // through `renderer`.
    type Producer<'p> = &'p (dyn Fn() -> Result<(), Vec<Diagnostic>> + Sync);
    let producers: [(Producer, &str); 4] = [
        (
            &|| renderer.render_all(scope, sink),
            "pages: reports, members, years",
        ),
        (&|| compare::pages(&renderer, scope, sink), "comparisons"),
        (&|| data::pages(&renderer, scope, sink), "open data"),
        (
            &|| questions::pages(&renderer, scope, sink),
            "question pages",
        ),
    ];
    // Search goes beside the pages: its page links only to browsable indexes that are
    // always built (the question pages always have their index).
    let built = [OutFile {
        path: routes::Route::Questions.file(),
        bytes: Vec::new(),
    }];
    let search = || -> Result<(), Vec<Diagnostic>> {
        let (live, files) = search::pages(&renderer, scope, &built)?;
        render::emit_all(files, sink)?;
        if let (Some(keep), Some(live)) = (keep_search, live) {
            *keep = Some(live);
        }
        profile::stage("search");
        Ok(())
    };
    if matches!(scope, Scope::All) {
        // A whole build: the page producers one after the other (each is parallel
        // inside), which keeps the peak memory down, and the search index beside them,
        // whose serial parts would otherwise leave a core idle. With AKTSOM_PROFILE=1
        // everything runs in turn so that each stage can be timed.
        let pages = || -> Result<(), Vec<Diagnostic>> {
            for (produce, stage) in producers {
                produce()?;
                profile::stage(stage);
            }
            Ok(())
        };
        if profile::on() {
            pages()?;
            search()
        } else {
            let (p, s) = rayon::join(pages, search);
            render::distinct(p.err().into_iter().chain(s.err()).flatten())
        }
    } else {
        // A preview rebuild: a handful of pages each, of very different sizes (one
        // question page holds every member's answer), so all at once.
        let results: Vec<Result<(), Vec<Diagnostic>>> =
            producers.par_iter().map(|(produce, _)| produce()).collect();
        render::distinct(results.into_iter().filter_map(Result::err).flatten())?;
        profile::stage("pages");
        search()
    }
}

/// Renders the pages in `scope` (every page for [`Scope::All`]) into memory, each HTML
/// page scanned once (see [`rewrite`]). Static theme files and images are not included.
pub fn render_pages(
    site: &Site,
    base_url: &str,
    scope: &Scope,
) -> Result<RenderedPages, Vec<Diagnostic>> {
    let out = Emitter::in_memory();
    produce(site, base_url, scope, &out, None)?;
    let Emitted { files, links, .. } = out.finish();
    Ok(RenderedPages { files, links })
}

/// Every page of the site and the theme's static files into `sink`, as they are made;
/// returns the members' images, which go into the output as they are (the caller
/// copies them). `keep_search` as in [`build_files_keeping`].
pub fn render_site(
    site: &Site,
    base_url: &str,
    sink: &dyn Sink,
    keep_search: Option<&mut Option<search::Live>>,
) -> Result<Vec<output::Copy>, Vec<Diagnostic>> {
    let theme = theme::Theme::new(&site.root, &site.config.theme).map_err(|d| vec![d])?;
    produce(site, base_url, &Scope::All, sink, keep_search)?;
    let statics: Vec<OutFile> = theme
        .static_files()?
        .into_iter()
        .map(|(name, bytes)| OutFile {
            path: name,
            bytes: bytes.into_owned(),
        })
        .collect();
    render::emit_all(statics, sink)?;
    let mut copies = Vec::new();
    for m in &site.members {
        for img in &m.images {
            copies.push(output::Copy {
                from: m.dir.join(img),
                to: routes::member_file(&m.slug, img),
            });
        }
    }
    Ok(copies)
}

/// Every file of the site into `out`: the pages, the theme's static files and the
/// members' images (which are also returned).
fn build_into(
    site: &Site,
    base_url: &str,
    out: &Emitter,
    keep_search: Option<&mut Option<search::Live>>,
) -> Result<Vec<output::Copy>, Vec<Diagnostic>> {
    let copies = render_site(site, base_url, out, keep_search)?;
    let errors: Vec<Diagnostic> = copies
        .par_iter()
        .filter_map(|c| out.copy(c).err())
        .collect();
    if errors.is_empty() {
        Ok(copies)
    } else {
        Err(errors)
    }
}

/// The link check over everything an [`Emitter`] took.
fn check_emitted(site: &Site, base_url: &str, emitted: &Emitted) -> Result<(), Vec<Diagnostic>> {
    let exists: FxHashSet<&str> = emitted.paths.iter().map(String::as_str).collect();
    let ids = LinkTargets::new(&emitted.links);
    check_links(site, base_url, &exists, &ids, &emitted.links)
}

/// Builds the site into memory: every output file, sorted by path, and the files to
/// copy as they are. For the preview and the tests; `aktsom build` writes as it goes.
pub fn build_files(
    site: &Site,
    base_url: &str,
) -> Result<(Vec<OutFile>, Vec<output::Copy>), Vec<Diagnostic>> {
    let built = build_files_keeping(site, base_url, None)?;
    Ok((built.files, built.copies))
}

/// What [`build_files_keeping`] made.
pub struct BuiltFiles {
    /// Every output file, sorted by path.
    pub files: Vec<OutFile>,
    /// Files to copy as they are.
    pub copies: Vec<output::Copy>,
    /// The links and ids of every HTML page, by output path (from the one scan of
    /// each page).
    pub links: Vec<(String, rewrite::PageLinks)>,
}

/// [`build_files`], also keeping each page's links and the search index in
/// `keep_search` (the preview updates both in place after each report edit).
pub fn build_files_keeping(
    site: &Site,
    base_url: &str,
    keep_search: Option<&mut Option<search::Live>>,
) -> Result<BuiltFiles, Vec<Diagnostic>> {
    let out = Emitter::in_memory();
    let copies = build_into(site, base_url, &out, keep_search)?;
    let emitted = out.finish();
    check_emitted(site, base_url, &emitted)?;
    let Emitted {
        mut files, links, ..
    } = emitted;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(BuiltFiles {
        files,
        copies,
        links,
    })
}

/// Everything `aktsom build` checks before it writes (every page rendered, every link
/// checked), keeping nothing but the links. Links to the output files for which
/// `unsure` is true are left out (`aktsom check` of a site loaded with errors: they
/// lead where files with errors would change the site).
pub fn check_site(
    site: &Site,
    base_url: &str,
    unsure: &(dyn Fn(&str) -> bool + Sync),
) -> Result<(), Vec<Diagnostic>> {
    let out = Emitter::discard();
    build_into(site, base_url, &out, None)?;
    let mut emitted = out.finish();
    let base = config::url_path(base_url);
    emitted.links.par_iter_mut().for_each(|(page, l)| {
        let page_url = page_url(&base, page);
        l.hrefs.retain(|href| {
            link_target(page, &page_url, href, &base).is_none_or(|(to, _)| !unsure(&to))
        });
    });
    check_emitted(site, base_url, &emitted)
}

/// The ids of every HTML page, by output path, for the link check.
pub struct LinkTargets<'a>(FxHashMap<&'a str, FxHashSet<&'a str>>);

impl<'a> LinkTargets<'a> {
    pub fn new(links: &'a [(String, rewrite::PageLinks)]) -> Self {
        LinkTargets(
            links
                .par_iter()
                .map(|(p, l)| (p.as_str(), l.ids.iter().map(String::as_str).collect()))
                .collect(),
        )
    }

    pub fn from_map(links: &'a HashMap<String, rewrite::PageLinks>) -> Self {
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
pub fn check_links(
    site: &Site,
    base_url: &str,
    exists: &FxHashSet<&str>,
    ids: &LinkTargets,
    links: &[(String, rewrite::PageLinks)],
) -> Result<(), Vec<Diagnostic>> {
    let ids = &ids.0;
    let base = config::url_path(base_url);
    // Which source file a page comes from, to point errors at it.
    let mut sources: HashMap<String, &Source> = HashMap::new();
    for m in &site.members {
        for r in &m.reports {
            sources.insert(routes::Route::Report(&m.slug, r.year).file(), &r.source);
        }
    }
    for p in &site.pages {
        sources.insert(routes::Route::Page(&p.slug).file(), &p.source);
    }
    // Each page's problems, in parallel; then each distinct one once, in page order.
    let found: Vec<Vec<Diagnostic>> = links
        .par_iter()
        .map(|(page, l)| {
            // At most MAX_DIAGNOSTICS_PER_FILE are built (finding each in the source
            // costs a scan of it).
            let mut errors = diagnostics::FileDiagnostics::default();
            let mut said: HashSet<String> = HashSet::new();
            let page_url = page_url(&base, page);
            // (Each page's hrefs are distinct already: see `rewrite::scan_page`.)
            for href in &l.hrefs {
                let Some(message) = link_problem(page, &page_url, href, &base, exists, ids)
                else {
                    continue;
                };
                if !said.insert(message.clone()) {
                    continue;
                }
                errors.error(|| {
                    // Content links point at the line in the member's file; anything
                    // else comes from a theme template.
                    let found = sources
                        .get(page)
                        .and_then(|src| src.text.find(href.as_str()).map(|i| (src, i)));
                    match found {
                        Some((src, i)) => src
                            .error(i..i + href.len(), message)
                            .with_help("check the address; links to reports look like ../2023/ or /medlemmer/<slug>/2023/#2-a-3"),
                        None => Diagnostic::file("templates", format!("{message} (on /{page})"))
                            .with_help("a theme template links to a page or anchor that is not built"),
                    }
                });
            }
            let file = sources.get(page).map_or(Path::new("templates"), |s| &s.path);
            errors.finish_file(file)
        })
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

/// The URL path of the page at output path `page`, under the site's URL path `base`.
fn page_url(base: &str, page: &str) -> String {
    format!("{base}{}", routes::dir_of(page))
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
        Cow::Owned(format!("{rel}{}", routes::INDEX))
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

/// `aktsom build`: load, render, check and publish. Nothing is written unless every
/// step succeeded.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary, Vec<Diagnostic>> {
    let start = Instant::now();
    profile::start();
    output::check_build_out(&opts.root, &opts.out, opts.force)?;
    let base_url_flag = match &opts.base_url {
        Some(url) => Some(
            config::base_url(url)
                .map_err(|why| vec![Diagnostic::file("--base-url", format!("--base-url {why}"))])?,
        ),
        None => None,
    };
    let mut site = content::load(
        &opts.root,
        &LoadOptions {
            drafts: opts.drafts,
        },
    )?;
    profile::stage("load and parse");
    if let Some(url) = base_url_flag {
        site.config.base_url = url;
    }
    let base_url = site.config.base_url.clone();
    let write_error = |e: std::io::Error| {
        vec![Diagnostic::file(
            &opts.out,
            format!("cannot write the output: {e}"),
        )]
    };
    // Pages go to the staging folder as they are made; dropped on any error below, it
    // is removed and the output stays as it was.
    let mut staging = output::Staging::new(&opts.out).map_err(write_error)?;
    site.warnings.extend(staging.take_warnings());
    let previous = opts.out.is_dir().then_some(opts.out.as_path());
    let out = Emitter::to_dir(&staging, previous);
    build_into(&site, &base_url, &out, None)?;
    let emitted = out.finish();
    profile::stage("static files");
    check_emitted(&site, &base_url, &emitted)?;
    profile::stage("link check");
    staging.publish(&emitted.paths).map_err(write_error)?;
    profile::stage("swap");
    Ok(BuildSummary {
        pages: emitted.links.len(),
        files: emitted.paths.len(),
        reports: site.members.iter().map(|m| m.reports.len()).sum(),
        warnings: std::mem::take(&mut site.warnings),
        elapsed: start.elapsed(),
    })
}

/// With `AKTSOM_PROFILE=1`, `aktsom build` prints each stage's wall time, the process's
/// CPU time and its peak memory to standard error (Linux; for measuring, not a
/// feature).
pub(crate) mod profile {
    use std::sync::Mutex;
    use std::time::Instant;

    static LAST: Mutex<Option<(Instant, f64)>> = Mutex::new(None);

    pub fn on() -> bool {
        std::env::var_os("AKTSOM_PROFILE").is_some_and(|v| v == "1")
    }

    /// (CPU seconds so far, peak RSS in MB) of this process.
    fn usage() -> (f64, f64) {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let f: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        ((ticks(11) + ticks(12)) / 100.0, hwm / 1024.0)
    }

    pub fn start() {
        if on() {
            let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
            *last = Some((Instant::now(), usage().0));
        }
    }

    pub fn stage(name: &str) {
        if !on() {
            return;
        }
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, cpu)) = *last {
            let (now_cpu, peak) = usage();
            eprintln!(
                "profile: {name:<32} {:>7.2} s wall {:>7.2} s CPU  peak {peak:>6.0} MB",
                t.elapsed().as_secs_f64(),
                now_cpu - cpu
            );
            *last = Some((Instant::now(), now_cpu));
        }
    }
}

/// The default output folder of a site.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("public")
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
