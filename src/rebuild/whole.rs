//! A whole build of the preview: the site loaded again and every file rendered, written
//! straight into place before the first good build and held or staged after it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use crate::build::{BuildOptions, build};
use crate::content::{self, LoadOptions, Site};
use crate::diagnostics::Diagnostic;
use crate::links::{self, LinkTargets};
use crate::output;
use crate::rewrite::PageLinks;
use crate::search;

use super::sink::{DiskSink, Sunk, into_inner};
use super::{Preview, State, Work};

impl Preview {
    /// Loads the site and renders every file into the output folder (see the module
    /// documentation), then checks the links.
    pub(super) fn render_whole(&mut self) -> Result<(Work, Vec<Diagnostic>), Vec<Diagnostic>> {
        output::check_out_dir(&self.opts.root, &self.opts.out)
            .map_err(|m| vec![Diagnostic::file(&self.opts.out, m)])?;
        let mut site = self.load_site()?;
        let staging = self.staging();
        // What an earlier build that was never committed left.
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| self.io_error(e))?;
        }
        let (direct, sunk, search) = self.render_to_disk(&site, &staging)?;
        let Sunk {
            made,
            written,
            held,
            links,
            search_page,
            ..
        } = sunk;
        let exists: rustc_hash::FxHashSet<&str> = made.iter().map(|(p, _)| p.as_str()).collect();
        let checked = links::check(&site, &exists, &LinkTargets::new(&links), &links);
        if let Err(e) = checked {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        let mut search = search;
        search.set_page(search_page);
        let warnings = std::mem::take(&mut site.warnings);
        let state = Box::new(State {
            site,
            links: ids_only(links),
            search,
        });
        let work = Work::Whole {
            made,
            written,
            held,
            direct,
            state,
        };
        Ok((work, warnings))
    }

    /// The site as the preview shows it: drafts included, only one member with
    /// `--member`, at the preview's address.
    fn load_site(&self) -> Result<Site, Vec<Diagnostic>> {
        let mut site = content::load(&self.opts.root, &LoadOptions { drafts: true })?;
        if let Some(slug) = &self.opts.member {
            if !site.members.iter().any(|m| &m.slug == slug) {
                return Err(vec![
                    Diagnostic::file(
                        Path::new("content/members").join(slug),
                        format!("there is no member `{slug}`"),
                    )
                    .with_help("use the name of a folder in content/members/"),
                ]);
            }
            site.members.retain(|m| &m.slug == slug);
        }
        site.config.base_url = self.opts.base_url.clone();
        Ok(site)
    }

    /// Renders every file of `site` through a [`DiskSink`]: straight into place before
    /// the first good build (`direct`, returned first), else held or into `staging`.
    /// Returns what the sink took and the search index.
    fn render_to_disk(
        &mut self,
        site: &Site,
        staging: &Path,
    ) -> Result<(bool, Sunk, search::Live), Vec<Diagnostic>> {
        let sink = DiskSink {
            out: &self.opts.out,
            staging,
            direct: !self.good,
            written: &self.written,
            held: self.held,
            sunk: Mutex::default(),
            dirs: Mutex::default(),
            search_page: crate::routes::Route::Search.file(),
        };
        let checked = render_into(site, &sink);
        let direct = sink.direct;
        let sunk = into_inner(sink.sunk);
        if direct {
            // The files are in place whatever happened: note them, so that the next
            // build knows what the folder holds.
            for (p, h) in &sunk.made {
                self.set_written(p, Some(*h));
            }
        }
        match checked {
            Ok(search) => Ok((direct, sunk, search)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(staging);
                Err(e)
            }
        }
    }
}

/// Every page's links with only the ids kept (see `State::links`).
fn ids_only(links: Vec<(String, PageLinks)>) -> HashMap<String, PageLinks> {
    links
        .into_iter()
        .map(|(p, l)| {
            let kept = PageLinks {
                ids: l.ids,
                hrefs: Vec::new(),
            };
            (p, kept)
        })
        .collect()
}

/// Renders every file of `site` into `sink`, the members' images included; the search
/// index comes back for report edits.
fn render_into(site: &Site, sink: &DiskSink) -> Result<search::Live, Vec<Diagnostic>> {
    let opts = BuildOptions {
        keep_search: true,
        ..BuildOptions::whole()
    };
    let built = build(site, &opts, sink)?;
    built.search.ok_or_else(|| {
        vec![Diagnostic::file(
            &site.root,
            "internal error: a whole build made no search index",
        )]
    })
}

/// The pages (output paths) that links on `pages` lead to, the way the link check
/// resolves them ([`links::link_target`]), each with whether a link to it has a #fragment.
pub(super) fn link_targets(site: &Site, pages: &[(String, PageLinks)]) -> HashMap<String, bool> {
    let routes = crate::routes::Routes::new(&site.config.base_url);
    let base = routes.base();
    let mut out: HashMap<String, bool> = HashMap::new();
    for (page, l) in pages {
        let page_url = routes.file_url(page);
        for href in &l.hrefs {
            if let Some((target, frag)) = links::link_target(page, &page_url, href, base) {
                *out.entry(target.into_owned()).or_default() |= frag.is_some_and(|f| !f.is_empty());
            }
        }
    }
    out
}
