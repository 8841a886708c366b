//! Building a loaded site: [`build`] runs every page producer over the model into a
//! [`Sink`] (the core pages in [`crate::pages`], then each feature's: member and year
//! overviews, comparisons, open data, question pages, and the search index beside
//! them), adding the theme's static files and listing the members' images for a whole
//! build. `aktsom build` ([`publish`]), `aktsom check` ([`check_site`]) and the preview
//! ([`crate::rebuild`]) all build through it, each with its own sink.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::content::{self, LoadOptions, Member, Site};
use crate::diagnostics::Diagnostic;
use crate::output::{self, Emitter};
use crate::render::{self, OutFile, Renderer, Scope, Sink};
use crate::theme::Theme;
use crate::{compare, config, data, links, overview, pages, profile, questions, routes, search};

/// What a build of a loaded site makes.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions<'s> {
    /// Which pages: every page, or those an edit touched (the preview).
    pub scope: Scope<'s>,
    /// Whether the theme's static files and the members' images go into the sink too
    /// (for the whole site).
    pub files: bool,
    /// Whether the search index of a whole build is kept (the preview updates it in
    /// place after each report edit).
    pub keep_search: bool,
}

impl BuildOptions<'_> {
    /// Every page and file of the site.
    pub fn whole() -> BuildOptions<'static> {
        BuildOptions {
            scope: Scope::All,
            files: true,
            keep_search: false,
        }
    }
}

/// What a build made besides what went into the sink.
#[derive(Default)]
pub struct Built {
    /// The search index, with [`BuildOptions::keep_search`].
    pub(crate) search: Option<search::Live>,
}

/// Builds the pages (and files) `opts` asks for into `sink`, as they are made.
pub fn build(site: &Site, opts: &BuildOptions, sink: &dyn Sink) -> Result<Built, Vec<Diagnostic>> {
    let theme = Theme::new(&site.root, &site.config.theme).map_err(|d| vec![d])?;
    let mut renderer = Renderer::new(site, &theme)?;
    renderer.reuse_into(sink);
    let search = produce(&renderer, &opts.scope, sink, opts.keep_search)?;
    if opts.files {
        let statics: Vec<OutFile> = theme
            .static_files()?
            .into_iter()
            .map(|(name, bytes)| OutFile {
                path: name,
                bytes: bytes.into_owned(),
            })
            .collect();
        render::emit_all(statics, sink)?;
        copy_images(site, sink)?;
    }
    Ok(Built { search })
}

/// The members' images, each beside its member's page, as they are.
fn copy_images(site: &Site, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let images: Vec<(&Member, &String)> = site
        .members
        .iter()
        .flat_map(|m| m.images.iter().map(move |img| (m, img)))
        .collect();
    let errors: Vec<Diagnostic> = images
        .par_iter()
        .filter_map(|(m, img)| {
            sink.copy(&m.dir.join(img), &routes::member_file(&m.slug, img))
                .err()
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A page producer: renders its pages in a scope into a sink.
type Producer = fn(&Renderer, &Scope, &dyn Sink) -> Result<(), Vec<Diagnostic>>;

/// Every page producer, with the name of its profiling stage.
const PRODUCERS: [(Producer, &str); 5] = [
    (pages::pages, "pages: front, reports, lists"),
    (overview::pages, "members, years"),
    (compare::pages, "comparisons"),
    (data::pages, "open data"),
    (questions::pages, "question pages"),
];

/// Renders the pages in `scope` into `sink`: the core pages, then each feature
/// module's, and the search index (of a whole build), which is returned if `keep_search`.
fn produce(
    r: &Renderer,
    scope: &Scope,
    sink: &dyn Sink,
    keep_search: bool,
) -> Result<Option<search::Live>, Vec<Diagnostic>> {
    let search = || -> Result<Option<search::Live>, Vec<Diagnostic>> {
        let live = search::pages(r, scope, sink)?;
        profile::stage("search");
        // Not held while the pages render unless it is kept.
        Ok(live.filter(|_| keep_search))
    };
    if scope.is_all() {
        // A whole build: the page producers one after the other (each is parallel
        // inside), which keeps the peak memory down, and the search index beside them,
        // whose serial parts would otherwise leave a core idle. With AKTSOM_PROFILE=1
        // everything runs in turn so that each stage can be timed.
        let pages = || -> Result<(), Vec<Diagnostic>> {
            for (produce, stage) in PRODUCERS {
                produce(r, scope, sink)?;
                profile::stage(stage);
            }
            Ok(())
        };
        if profile::on() {
            pages()?;
            search()
        } else {
            let (p, s) = rayon::join(pages, search);
            match (p, s) {
                (Ok(()), Ok(live)) => Ok(live),
                (p, s) => {
                    render::distinct(p.err().into_iter().chain(s.err()).flatten()).map(|()| None)
                }
            }
        }
    } else {
        // A preview rebuild: a handful of pages each, of very different sizes (one
        // question page holds every member's answer), so all at once.
        let results: Vec<Result<(), Vec<Diagnostic>>> = PRODUCERS
            .par_iter()
            .map(|(produce, _)| produce(r, scope, sink))
            .collect();
        render::distinct(results.into_iter().filter_map(Result::err).flatten())?;
        profile::stage("pages");
        search()
    }
}

/// Everything `aktsom build` checks before it writes (every page rendered, every link
/// checked), keeping nothing but the links. Links to the output files for which
/// `unsure` is true are left out (`aktsom check` of a site loaded with errors: they
/// lead where files with errors would change the site).
pub(crate) fn check_site(
    site: &Site,
    unsure: &(dyn Fn(&str) -> bool + Sync),
) -> Result<(), Vec<Diagnostic>> {
    let out = Emitter::discard();
    build(site, &BuildOptions::whole(), &out)?;
    let mut emitted = out.finish();
    let routes = routes::Routes::new(&site.config.base_url);
    let base = routes.base();
    emitted.links.par_iter_mut().for_each(|(page, l)| {
        let page_url = routes.file_url(page);
        l.hrefs.retain(|href| {
            links::link_target(page, &page_url, href, base).is_none_or(|(to, _)| !unsure(&to))
        });
    });
    links::check_emitted(site, &emitted)
}

/// What `aktsom build` is asked to do.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The site root: the folder with `site.toml`, `content/` and `report-templates/`.
    pub root: PathBuf,
    /// The output folder; swapped in whole only when the build succeeds.
    pub out: PathBuf,
    /// Build draft reports too (each marked as a draft on its pages), as a preview for
    /// the association before a member publishes.
    pub drafts: bool,
    /// Replaces `base_url` from `site.toml`, already checked by
    /// [`config::base_url`]'s rule; `None` keeps the file's.
    pub base_url: Option<String>,
    /// Replace the output folder's contents even when aktsom did not make it (see
    /// [`output::check_build_out`]).
    pub force: bool,
}

/// What a successful `aktsom build` did.
#[derive(Debug)]
pub struct BuildSummary {
    /// How many HTML pages the site has.
    pub pages: usize,
    /// How many files the output holds in all: pages and every other file the build
    /// put there (feeds, open data, the search index, static files, members' images).
    pub files: usize,
    /// How many member reports were published (drafts included with `--drafts`).
    pub reports: usize,
    /// How many files were taken over from the previous output without being made
    /// again, their inputs unchanged ([`crate::inputs`]).
    pub reused: usize,
    /// What the build found worth fixing but that did not stop it; `aktsom build`
    /// prints them.
    pub warnings: Vec<Diagnostic>,
    /// Wall-clock time of the whole build, for the summary line (never in a page).
    pub elapsed: Duration,
}

/// `aktsom build`: load, build, check and publish. Nothing is published unless every
/// step succeeded (only the record of the files' inputs beside the output, a cache,
/// is written before the last step). A successful build does not free its model: this
/// is the end of the command.
pub fn publish(opts: &PublishOptions) -> Result<BuildSummary, Vec<Diagnostic>> {
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
    let load = LoadOptions {
        drafts: opts.drafts,
    };
    let mut site = content::load(&opts.root, &load)?;
    profile::stage("load and parse");
    if let Some(url) = base_url_flag {
        site.config.base_url = url;
    }
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
    build(&site, &BuildOptions::whole(), &out)?;
    let emitted = out.finish();
    profile::stage("static files");
    let record_file = staging.record_file();
    // The record of the files' inputs is written while the links are checked, before
    // the swap: it is only a cache, and each of its entries stays true whatever becomes
    // of this build (it names a file by its identity, see `output::cache`).
    let (checked, recorded) = rayon::join(
        || links::check_emitted(&site, &emitted),
        || emitted.record.write(&record_file),
    );
    checked?;
    profile::stage("link check");
    staging.publish(&emitted.paths).map_err(write_error)?;
    profile::stage("swap");
    if let Err(e) = recorded {
        site.warnings.push(
            Diagnostic::file(
                &record_file,
                format!("cannot write the build's record: {e}"),
            )
            .with_help("the next build renders every page again; it publishes the same site")
            .warning(),
        );
    }
    let summary = BuildSummary {
        pages: emitted.links.len(),
        files: emitted.paths.len(),
        reports: site.members.iter().map(|m| m.reports.len()).sum(),
        reused: emitted.reused,
        warnings: std::mem::take(&mut site.warnings),
        elapsed: start.elapsed(),
    };
    // Not freed: `aktsom build` ends right after, and the system takes the memory back
    // at once, where freeing a large site's model and links piece by piece took 0.15 s
    // of a 2.7 s build (200 members x 10 years).
    std::mem::forget((site, emitted));
    Ok(summary)
}
