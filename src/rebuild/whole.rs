//! A whole build of the preview: the site loaded again and every file rendered, written
//! straight into place before the first good build and held or staged after it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::content::{self, LoadOptions, Site};
use crate::diagnostics::Diagnostic;
use crate::render::OutFile;
use crate::rewrite::PageLinks;
use crate::search;
use crate::{LinkTargets, check_links, output, render_site};

use super::sink::{DiskSink, Sunk, into_inner, write_error};
use super::{Preview, State, Work};

impl Preview {
    /// Loads the site and renders every file into the output folder (see the module
    /// documentation), then checks the links.
    pub(super) fn render_whole(&mut self) -> Result<(Work, Vec<Diagnostic>), Vec<Diagnostic>> {
        output::check_out_dir(&self.opts.root, &self.opts.out)
            .map_err(|m| vec![Diagnostic::file(&self.opts.out, m)])?;
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
        let staging = self.staging();
        // What an earlier build that was never committed left.
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| self.io_error(e))?;
        }
        let sink = DiskSink {
            out: &self.opts.out,
            staging: &staging,
            direct: !self.good,
            written: &self.written,
            held: self.held,
            sunk: Mutex::default(),
            dirs: Mutex::default(),
            search_page: crate::routes::Route::Search.file(),
        };
        let checked = render_into(&site, &self.opts.base_url, &sink);
        let direct = sink.direct;
        let sunk = into_inner(sink.sunk);
        if direct {
            // The files are in place whatever happened: note them, so that the next
            // build knows what the folder holds.
            for (p, h) in &sunk.made {
                self.set_written(p, Some(*h));
            }
        }
        let mut search = match checked {
            Ok(search) => search,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let Sunk {
            made,
            written,
            held,
            links,
            search_page,
            ..
        } = sunk;
        let exists: rustc_hash::FxHashSet<&str> = made.iter().map(|(p, _)| p.as_str()).collect();
        let checked = check_links(
            &site,
            &self.opts.base_url,
            &exists,
            &LinkTargets::new(&links),
            &links,
        );
        if let Err(e) = checked {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        search.set_page(search_page);
        // Only the ids are kept (see `State::links`).
        let links = links
            .into_iter()
            .map(|(p, l)| {
                let kept = PageLinks {
                    ids: l.ids,
                    hrefs: Vec::new(),
                };
                (p, kept)
            })
            .collect();
        let warnings = std::mem::take(&mut site.warnings);
        let state = Box::new(State {
            site,
            links,
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
}

/// Renders every file of `site` into `sink`, the members' images included; the search
/// index comes back for report edits.
fn render_into(
    site: &Site,
    base_url: &str,
    sink: &DiskSink,
) -> Result<search::Live, Vec<Diagnostic>> {
    let mut search = None;
    let copies = render_site(site, base_url, sink, Some(&mut search))?;
    let errors: Vec<Diagnostic> = copies
        .par_iter()
        .filter_map(|c| match std::fs::read(&c.from) {
            Ok(bytes) => {
                let file = OutFile {
                    path: c.to.clone(),
                    bytes,
                };
                sink.store(file).err().map(write_error)
            }
            Err(e) => Some(Diagnostic::file(
                &c.from,
                format!("cannot read the file: {e}"),
            )),
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    search.ok_or_else(|| {
        vec![Diagnostic::file(
            &site.root,
            "internal error: a whole build made no search index",
        )]
    })
}

/// The pages (output paths) that links on `pages` lead to, the way the link check
/// resolves them ([`crate::link_target`]), each with whether a link to it has a #fragment.
pub(super) fn link_targets(base_url: &str, pages: &[(String, PageLinks)]) -> HashMap<String, bool> {
    let base = crate::config::url_path(base_url);
    let mut out: HashMap<String, bool> = HashMap::new();
    for (page, l) in pages {
        let page_url = format!("{base}{}", crate::routes::dir_of(page));
        for href in &l.hrefs {
            if let Some((target, frag)) = crate::link_target(page, &page_url, href, &base) {
                *out.entry(target.into_owned()).or_default() |= frag.is_some_and(|f| !f.is_empty());
            }
        }
    }
    out
}
