//! The preview build: the site kept in memory and brought up to date as files change.
//!
//! `aktsom serve` owns one [`Preview`]. [`Preview::build`] builds everything (drafts
//! included) into the output folder; [`Preview::update`] takes the paths that changed
//! and brings the output up to date, writing only the files whose bytes changed and
//! removing the ones that are gone. Each runs in two steps, so that the server holds
//! requests back only while files move: [`Preview::prepare_build`] or
//! [`Preview::prepare`] renders and checks (link check included) and
//! [`Preview::commit`] puts the result in place. Once the output folder holds a good
//! build, a failed build or update changes nothing in it, so it always holds the last
//! good build; the paths of a failed update are tried again with the next one, so an
//! error stays until it is fixed.
//!
//! # Pages go to disk, not into memory
//!
//! The preview keeps the model, the ids of every page (the link check of a report edit
//! needs them), the search index and a hash of every file it wrote; never the pages
//! themselves (on the bench corpus they would be 600 MB). A whole build hashes each
//! file as it is made and writes only those whose bytes differ from what the output
//! folder holds:
//!
//! - before the first good build, straight into place (a temporary name, then a
//!   rename, so that a request never reads half a file): `serve` answers with the
//!   pages already made while the rest of the site, the search index and the link
//!   check are still running, instead of making the reader wait for all of it;
//! - after it, into memory up to [`HELD`] bytes (the few pages an edit to member.toml
//!   changes, or all of a small site), then into a staging folder inside the output
//!   folder ([`STAGING`], which `serve` never serves): [`Preview::commit`] writes the
//!   held files in place and renames the staged ones once the whole build succeeded;
//!   a failed build leaves the served files alone.
//!
//! A whole build drops the model of the last one before it loads the site again, so
//! that the two are never held at once.
//!
//! # Report edits
//!
//! The common edit, a change to one report's text, takes a fast path: only that file
//! is parsed again (nothing at all when its bytes are the ones last built), and only
//! the pages that show it are rendered: the report, its two comparisons (against the
//! report before it, and the next report's against it), the question pages of the
//! questions whose answers changed and the report's open data file; and when its front
//! matter or outline (question numbers, headings) changed, also the pages that list it
//! (its neighbours, the member page and its page that compares any two years, the year
//! page, the site-wide lists and data files). Its links are checked against the ids
//! kept from the last build. Anything else (a new or deleted report, member.toml,
//! site.toml, templates, the theme) is a whole build. Tests hold the result of any
//! sequence of edits to be byte-identical with a fresh whole build, and a whole build
//! with `aktsom build --drafts`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::content::{self, LoadOptions, Report, Site};
use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Scope, Sink};
use crate::rewrite::{self, PageLinks};
use crate::search;
use crate::{LinkTargets, RenderedPages, check_links, output, render_pages, render_site};

/// The folder inside the output folder where a whole build stages the files it
/// changes until they all move into place (a dot folder: never served).
pub const STAGING: &str = ".aktsom-staging";

/// The search page, kept for the search index's updates.

/// What the preview builds.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// The site root.
    pub root: PathBuf,
    /// The folder the preview writes and serves (never the published `public/`).
    pub out: PathBuf,
    /// The address the preview is served at, e.g. `http://127.0.0.1:1111/`.
    pub base_url: String,
    /// Only this member's pages (`--member SLUG`).
    pub member: Option<String>,
}

/// What one build or update did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Files written because they are new or their bytes changed.
    pub written: usize,
    /// Files removed because the build no longer makes them.
    pub removed: usize,
    /// Every file of the build.
    pub files: usize,
    pub elapsed: Duration,
    /// An identifier of the whole output: equal ids mean byte-identical builds.
    pub build_id: String,
    /// Output paths (relative, `/`-separated) that were written or removed.
    pub changed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
}

pub struct Preview {
    opts: PreviewOptions,
    /// Output path → hash of the bytes on disk.
    written: HashMap<String, u64>,
    /// The sum of a hash of every (path, hash) in `written`: the build id.
    id_sum: u64,
    /// The model, every page's ids and the search index, as of the last good build.
    state: Option<State>,
    /// Whether the output folder holds a good build (then whole builds are staged).
    good: bool,
    /// The paths of the last update, when it failed: part of the next one.
    retry: Vec<PathBuf>,
    /// How many bytes of changed files a whole build holds in memory ([`HELD`]).
    held: usize,
}

struct State {
    site: Site,
    /// Every HTML page's ids, by output path (its links are not kept: only those of
    /// the pages a report edit renders again are checked).
    links: HashMap<String, PageLinks>,
    /// The search index, updated in place by a report edit.
    search: search::Live,
}

/// A build or update rendered and checked, waiting for [`Preview::commit`].
pub struct Prepared {
    work: Work,
    start: Instant,
    warnings: Vec<Diagnostic>,
}

enum Work {
    /// A whole build: every file it made with its hash; those it wrote (straight into
    /// place when `direct`, else into the staging folder); and the changed files it
    /// held in memory instead (see [`HELD`]).
    Whole {
        made: Vec<(String, u64)>,
        written: Vec<String>,
        held: Vec<OutFile>,
        direct: bool,
        state: Box<State>,
    },
    /// A report edit: the few files to write, and the files to remove.
    Files {
        files: Vec<OutFile>,
        removed: Vec<String>,
    },
    /// Nothing to write: only files the preview does not use changed, or a report was
    /// saved with the bytes last built.
    Nothing,
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    // DefaultHasher::new() has fixed keys: the same bytes give the same hash in every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Preview {
    pub fn new(opts: PreviewOptions) -> Preview {
        Preview {
            opts,
            written: HashMap::new(),
            id_sum: 0,
            state: None,
            good: false,
            retry: Vec::new(),
            held: HELD,
        }
    }

    pub fn options(&self) -> &PreviewOptions {
        &self.opts
    }

    /// Holds at most `bytes` of a whole build's changed files in memory (default
    /// [`HELD`]); the rest goes through the staging folder.
    pub fn hold_at_most(&mut self, bytes: usize) {
        self.held = bytes;
    }

    /// Builds the whole site and writes what changed.
    pub fn build(&mut self) -> Result<Outcome, Vec<Diagnostic>> {
        let prepared = self.prepare_build()?;
        self.commit(prepared)
    }

    /// Brings the output up to date after `changed` paths (files or folders under the
    /// site root) changed.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Outcome, Vec<Diagnostic>> {
        let prepared = self.prepare(changed)?;
        self.commit(prepared)
    }

    /// Renders and checks the whole site. Before the first good build its files go
    /// into place at once; after it, into the staging folder.
    pub fn prepare_build(&mut self) -> Result<Prepared, Vec<Diagnostic>> {
        let start = Instant::now();
        // Not held beside the new model: the build replaces it, and a failed build
        // leaves none (the next update builds everything again, so the error stays
        // until fixed).
        self.state = None;
        let (work, warnings) = self.render_whole()?;
        Ok(Prepared {
            work,
            start,
            warnings,
        })
    }

    /// Renders and checks what `changed` paths (files or folders under the site root)
    /// change, with the paths of a failed update before.
    pub fn prepare(&mut self, changed: &[PathBuf]) -> Result<Prepared, Vec<Diagnostic>> {
        let mut paths = std::mem::take(&mut self.retry);
        paths.extend(changed.iter().cloned());
        paths.sort();
        paths.dedup();
        let result = match self.changed_report(&paths) {
            Some(Change::Report { member, year }) => match self.update_report(member, year) {
                Ok(Some(prepared)) => Ok(prepared),
                Ok(None) => self.prepare_build(),
                Err(e) => Err(e),
            },
            Some(Change::Outside) => Ok(Prepared {
                work: Work::Nothing,
                start: Instant::now(),
                warnings: Vec::new(),
            }),
            None => self.prepare_build(),
        };
        if result.is_err() {
            self.retry = paths;
        }
        result
    }

    /// Puts a prepared build in place: moves staged files into place, writes a report
    /// edit's files, removes the files the build no longer makes.
    pub fn commit(&mut self, prepared: Prepared) -> Result<Outcome, Vec<Diagnostic>> {
        let Prepared {
            work,
            start,
            warnings,
        } = prepared;
        let mut outcome = match work {
            Work::Whole {
                made,
                written,
                held,
                direct,
                state,
            } => {
                let staged = if direct { Vec::new() } else { written.clone() };
                let mut changed = written;
                changed.extend(held.iter().map(|f| f.path.clone()));
                self.commit_whole(made, &staged, held, changed, *state)?
            }
            Work::Files { files, removed } => match self.commit_files(files, &removed) {
                Ok(o) => o,
                Err(e) => {
                    // The model in memory is ahead of the files: start afresh next time.
                    self.state = None;
                    return Err(e);
                }
            },
            Work::Nothing => self.outcome(Vec::new(), 0),
        };
        outcome.warnings = warnings;
        outcome.elapsed = start.elapsed();
        Ok(outcome)
    }

    fn staging(&self) -> PathBuf {
        self.opts.out.join(STAGING)
    }

    fn io_error(&self, e: std::io::Error) -> Vec<Diagnostic> {
        vec![Diagnostic::file(
            &self.opts.out,
            format!("cannot write the preview: {e}"),
        )]
    }

    /// Loads the site and renders every file into the output folder (see the module
    /// documentation), then checks the links.
    fn render_whole(&mut self) -> Result<(Work, Vec<Diagnostic>), Vec<Diagnostic>> {
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

    /// The one report an edit changed in place, if that is all it changed.
    fn changed_report(&self, changed: &[PathBuf]) -> Option<Change> {
        let state = self.state.as_ref()?;
        let members = self.opts.root.join("content").join("members");
        let mut found: Option<(usize, u16)> = None;
        let mut outside = true;
        for path in changed {
            let rel = path.strip_prefix(&members).ok()?;
            let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
            let [slug, file] = parts.as_slice() else {
                return None;
            };
            let year: u16 = file
                .strip_suffix(".md")
                .filter(|y| y.len() == 4)?
                .parse()
                .ok()?;
            let Some(m) = state.site.members.iter().position(|m| m.slug == *slug) else {
                // Another member's file while previewing one member: nothing to do.
                if self.opts.member.is_some() {
                    continue;
                }
                return None;
            };
            if !path.is_file() || !state.site.members[m].reports.iter().any(|r| r.year == year) {
                return None;
            }
            outside = false;
            match found {
                Some(f) if f != (m, year) => return None,
                _ => found = Some((m, year)),
            }
        }
        match found {
            Some((member, year)) => Some(Change::Report { member, year }),
            None if outside && !changed.is_empty() => Some(Change::Outside),
            None => None,
        }
    }

    /// The fast path for one edited report. `Ok(None)` when the edit needs a full build
    /// after all (its template version, language or draft state changed).
    fn update_report(
        &mut self,
        member: usize,
        year: u16,
    ) -> Result<Option<Prepared>, Vec<Diagnostic>> {
        let start = Instant::now();
        let mut clock = Clock::new();
        let Some(state) = self.state.as_mut() else {
            return Ok(None);
        };
        let site = &mut state.site;
        let m = &site.members[member];
        let Some(index) = m.reports.iter().position(|r| r.year == year) else {
            return Ok(None);
        };
        let shown = Path::new("content/members")
            .join(&m.slug)
            .join(format!("{year}.md"));
        let path = self.opts.root.join(&shown);
        let old = &m.reports[index];
        // Saved with the bytes last built (an editor's save without changes, or the
        // last step of a burst that ends where it began): nothing to do.
        if std::fs::read(&path).is_ok_and(|b| b == old.source.text.as_bytes()) {
            return Ok(Some(Prepared {
                work: Work::Nothing,
                start,
                warnings: old.body.warnings.clone(),
            }));
        }
        let new = content::load_report(&path, &shown, year, m, &site.config, &site.templates)?;
        if new.template != old.template || new.language != old.language || new.draft != old.draft {
            return Ok(None);
        }
        let questions = changed_questions(old, &new);
        let listed = listed_changed(old, &new);
        let warnings = new.body.warnings.clone();
        let slug = m.slug.clone();
        let old = std::mem::replace(&mut site.members[member].reports[index], new);
        let scope = Scope::Report {
            member: &slug,
            year,
            questions: &questions,
            listed,
        };
        clock.stage("load the report");
        // With AKTSOM_PROFILE=1, the render's own stages too.
        crate::profile::start();
        // The pages and the search index at once: they read the same model and nothing
        // else in common.
        let (links_kept, search) = (&mut state.links, &mut state.search);
        let site_now: &Site = site;
        let (rendered, update) = rayon::join(
            || {
                render_pages(site_now, &self.opts.base_url, &scope).and_then(
                    |RenderedPages { files, links }| {
                        clock.stage("render");
                        // Links of the new pages, checked against the pages they lead to: the
                        // new ones, or those kept from the last build (moved out of the state
                        // for the check and back, not copied).
                        let made: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
                        let new: HashMap<&str, &PageLinks> =
                            links.iter().map(|(p, l)| (p.as_str(), l)).collect();
                        let mut targets: HashMap<String, PageLinks> = HashMap::new();
                        let mut exists: HashSet<String> = HashSet::new();
                        let mut borrowed: Vec<String> = Vec::new();
                        for (t, anchored) in link_targets(&self.opts.base_url, &links) {
                            if !made.contains(t.as_str()) && !self.written.contains_key(&t) {
                                continue;
                            }
                            if !anchored {
                                // Only links with a #fragment need the page's ids.
                            } else if let Some(l) = new.get(t.as_str()) {
                                targets.insert(t.clone(), (*l).clone());
                            } else if let Some(l) = links_kept.remove(&t) {
                                targets.insert(t.clone(), l);
                                borrowed.push(t.clone());
                            }
                            exists.insert(t);
                        }
                        let exists: rustc_hash::FxHashSet<&str> =
                            exists.iter().map(String::as_str).collect();
                        let checked = check_links(
                            site_now,
                            &self.opts.base_url,
                            &exists,
                            &LinkTargets::from_map(&targets),
                            &links,
                        );
                        for t in borrowed {
                            if let Some(l) = targets.remove(&t) {
                                links_kept.insert(t, l);
                            }
                        }
                        checked?;
                        clock.stage("check links");
                        Ok((files, links))
                    },
                )
            },
            || search.update_report(site_now, member, year, &old),
        );
        let (files, links) = match rendered {
            Ok(r) => r,
            Err(e) => {
                // Keep the model as of the last good build, and the index with it: the
                // same update the other way (nothing of it was written).
                let new = std::mem::replace(&mut site.members[member].reports[index], old);
                if update.is_some()
                    && state
                        .search
                        .update_report(site, member, year, &new)
                        .is_none()
                {
                    self.state = None;
                }
                return Err(e);
            }
        };
        // The search index: this report's sections again, and the files that changed.
        let Some(update) = update else {
            return Ok(None);
        };
        clock.stage("search index (what it took beyond the render)");
        for (p, l) in links {
            let ids = PageLinks {
                ids: l.ids,
                hrefs: Vec::new(),
            };
            state.links.insert(p, ids);
        }
        let mut files = files;
        files.extend(update.written);
        clock.stage("prepare");
        Ok(Some(Prepared {
            work: Work::Files {
                files,
                removed: update.removed,
            },
            start,
            warnings,
        }))
    }

    fn build_id(&self) -> String {
        format!("{:016x}", self.id_sum)
    }

    /// An outcome with the given changed paths, of which `written` were written.
    fn outcome(&self, mut changed: Vec<String>, written: usize) -> Outcome {
        changed.sort();
        Outcome {
            written,
            removed: changed.len() - written,
            files: self.written.len(),
            elapsed: Duration::ZERO,
            build_id: self.build_id(),
            changed,
            warnings: Vec::new(),
        }
    }

    /// Records that `path` now holds bytes with hash `h` (or nothing, for `None`),
    /// keeping the build id (a sum over every file) up to date.
    fn set_written(&mut self, path: &str, h: Option<u64>) {
        let entry = |h: u64| hash_bytes(format!("{path}\0{h:016x}").as_bytes());
        let old = match h {
            Some(h) => {
                self.id_sum = self.id_sum.wrapping_add(entry(h));
                self.written.insert(path.to_string(), h)
            }
            None => self.written.remove(path),
        };
        if let Some(o) = old {
            self.id_sum = self.id_sum.wrapping_sub(entry(o));
        }
    }

    /// Puts a whole build in place: held files are written and staged files move into
    /// the output folder, files it no longer makes go. `changed`: every file written.
    fn commit_whole(
        &mut self,
        made: Vec<(String, u64)>,
        staged: &[String],
        held: Vec<OutFile>,
        mut changed: Vec<String>,
        state: State,
    ) -> Result<Outcome, Vec<Diagnostic>> {
        let out = self.opts.out.clone();
        let staging = self.staging();
        let mut dirs: HashSet<PathBuf> = HashSet::new();
        let mut place = |p: &str, bytes: Option<&[u8]>| -> std::io::Result<()> {
            let to = out.join(p);
            if let Some(dir) = to.parent()
                && dirs.insert(dir.to_path_buf())
            {
                std::fs::create_dir_all(dir)?;
            }
            match bytes {
                // In place (a new file per write costs this file system more).
                Some(bytes) => std::fs::write(&to, bytes),
                None => std::fs::rename(staging.join(p), &to),
            }
        };
        let placed = held
            .iter()
            .try_for_each(|f| place(&f.path, Some(&f.bytes)))
            .and_then(|()| staged.iter().try_for_each(|p| place(p, None)));
        if let Err(e) = placed {
            // Some files are new and some are not: what they hold is unknown, and the
            // next build writes them all again (straight into place: the folder no
            // longer holds a good build).
            for p in &changed {
                self.set_written(p, Some(0));
            }
            self.good = false;
            return Err(self.io_error(e));
        }
        let _ = std::fs::remove_dir_all(&staging);
        let keep: HashSet<&str> = made.iter().map(|(p, _)| p.as_str()).collect();
        let mut gone: Vec<String> = self
            .written
            .keys()
            .filter(|p| !keep.contains(p.as_str()))
            .cloned()
            .collect();
        gone.sort();
        let written = changed.len();
        for (p, h) in &made {
            self.set_written(p, Some(*h));
        }
        self.remove(&gone);
        changed.extend(gone);
        self.state = Some(state);
        self.good = true;
        Ok(self.outcome(changed, written))
    }

    /// Removes output files, and the folders they leave empty (content-hashed excerpt
    /// folders).
    fn remove(&mut self, paths: &[String]) {
        for p in paths {
            let file = self.opts.out.join(p);
            let _ = std::fs::remove_file(&file);
            if let Some(dir) = file.parent()
                && dir != self.opts.out
            {
                let _ = std::fs::remove_dir(dir);
            }
            self.set_written(p, None);
        }
    }

    /// Writes a report edit's files whose bytes differ from what is on disk, and
    /// removes the files in `removed` that it did not make again.
    fn commit_files(
        &mut self,
        files: Vec<OutFile>,
        removed: &[String],
    ) -> Result<Outcome, Vec<Diagnostic>> {
        let out = self.opts.out.clone();
        let made: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let mut gone: Vec<String> = removed
            .iter()
            .filter(|p| !made.contains(p.as_str()) && self.written.contains_key(*p))
            .cloned()
            .collect();
        gone.sort();
        let mut changed = Vec::new();
        for f in &files {
            let h = hash_bytes(&f.bytes);
            if self.written.get(&f.path) != Some(&h) {
                let path = out.join(&f.path);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| self.io_error(e))?;
                }
                // In place: requests wait for the commit (and a new file per write
                // would cost this file system a scan of recently deleted inodes).
                std::fs::write(&path, &f.bytes).map_err(|e| self.io_error(e))?;
                self.set_written(&f.path, Some(h));
                changed.push(f.path.clone());
            }
        }
        let written = changed.len();
        self.remove(&gone);
        changed.extend(gone);
        Ok(self.outcome(changed, written))
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

/// How many bytes of changed files a whole build holds in memory, after its first
/// good build, rather than in the staging folder: on a small site, or after an edit
/// that changes a few pages, every changed file is written once, in place, at the
/// commit; only a larger change (a template) goes through the staging folder, where
/// each file costs a new file and a rename.
pub const HELD: usize = 16 << 20;

/// Takes every file of a whole preview build as it is made: scans each HTML page once
/// for its ids and links (as [`output::Emitter`] does for `aktsom build`), hashes the
/// file, and, when its bytes differ from what the output folder holds, writes it
/// `direct`ly into place, or holds it (up to [`HELD`] bytes), or writes it into the
/// staging folder. Keeps paths, hashes and links, not the files (but those held and the
/// search page, which the search index keeps).
struct DiskSink<'a> {
    out: &'a Path,
    staging: &'a Path,
    direct: bool,
    /// Output path → hash of the bytes the output folder holds.
    written: &'a HashMap<String, u64>,
    /// At most this many bytes are held.
    held: usize,
    sunk: Mutex<Sunk>,
    /// Folders known to exist.
    dirs: Mutex<HashSet<PathBuf>>,
    /// The search page's output path (the search index keeps the page).
    search_page: String,
}

/// What a [`DiskSink`] took.
#[derive(Default)]
struct Sunk {
    /// Every file made, with its hash.
    made: Vec<(String, u64)>,
    /// The changed files it wrote.
    written: Vec<String>,
    /// The changed files it held, and their bytes in all.
    held: Vec<OutFile>,
    held_bytes: usize,
    links: Vec<(String, PageLinks)>,
    search_page: Option<OutFile>,
}

impl DiskSink<'_> {
    /// Notes one file, and writes or holds it unless the output folder holds its bytes
    /// already. An error is the file that could not be written, and why.
    fn store(&self, file: OutFile) -> Result<(), (PathBuf, std::io::Error)> {
        let h = hash_bytes(&file.bytes);
        {
            let mut sunk = lock(&self.sunk);
            sunk.made.push((file.path.clone(), h));
            if self.written.get(&file.path) == Some(&h) {
                return Ok(());
            }
            if !self.direct && sunk.held_bytes + file.bytes.len() <= self.held {
                sunk.held_bytes += file.bytes.len();
                sunk.held.push(file);
                return Ok(());
            }
        }
        let to = if self.direct {
            self.out.join(&file.path)
        } else {
            self.staging.join(&file.path)
        };
        if let Some(dir) = to.parent()
            && !lock(&self.dirs).contains(dir)
        {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return Err((to, e));
            }
            lock(&self.dirs).insert(dir.to_path_buf());
        }
        let written = if self.direct {
            write_replacing(&to, &file.bytes)
        } else {
            std::fs::write(&to, &file.bytes)
        };
        if let Err(e) = written {
            return Err((to, e));
        }
        lock(&self.sunk).written.push(file.path);
        Ok(())
    }
}

impl Sink for DiskSink<'_> {
    fn put(&self, mut file: OutFile) -> Result<(), Diagnostic> {
        if file.path.ends_with(".html") {
            let html = std::str::from_utf8(&file.bytes).map_err(|_| {
                Diagnostic::file(&file.path, "cannot rewrite the page: it is not UTF-8")
            })?;
            let (patched, links) = rewrite::scan_page(html);
            if let Some(p) = patched {
                file.bytes = p.into_bytes();
            }
            lock(&self.sunk).links.push((file.path.clone(), links));
        }
        if file.path == self.search_page {
            lock(&self.sunk).search_page = Some(file.clone());
        }
        self.store(file).map_err(write_error)
    }
}

fn write_error((path, e): (PathBuf, std::io::Error)) -> Diagnostic {
    Diagnostic::file(path, format!("cannot write the preview: {e}"))
}

/// Replaces the file at `path` with `bytes` in one step: written under a temporary
/// name beside it (a dot name, never served), then renamed over it, so that a request
/// reading the file meanwhile gets the old bytes or the new ones, never half of them.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.aktsom-tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The pages (output paths) that links on `pages` lead to, the way the link check
/// resolves them ([`crate::link_target`]), each with whether a link to it has a #fragment.
fn link_targets(base_url: &str, pages: &[(String, PageLinks)]) -> HashMap<String, bool> {
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

/// With `AKTSOM_PROFILE=1`, the wall time of each stage of a report edit, on stderr.
struct Clock(Option<Instant>);

impl Clock {
    fn new() -> Clock {
        Clock(std::env::var_os("AKTSOM_PROFILE").map(|_| Instant::now()))
    }

    fn stage(&mut self, name: &str) {
        if let Some(t) = self.0 {
            eprintln!(
                "profile: {name:<20} {:>8.2} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
            self.0 = Some(Instant::now());
        }
    }
}

enum Change {
    /// One report, changed in place: (member index, year).
    Report { member: usize, year: u16 },
    /// Only files the preview does not use (another member's, with `--member`).
    Outside,
}

/// Whether what other pages show of a report differs between two versions of it: its
/// front matter, or its sections' numbers, headings, levels and anchors.
fn listed_changed(old: &Report, new: &Report) -> bool {
    let outline = |r: &Report| -> Vec<(Option<String>, String, String, u8)> {
        r.body
            .sections
            .iter()
            .map(|s| {
                (
                    s.number.clone(),
                    s.heading.clone(),
                    s.anchor.clone(),
                    s.level,
                )
            })
            .collect()
    };
    old.title != new.title
        || old.published != new.published
        || old.figures != new.figures
        || old.language != new.language
        || old.template != new.template
        || old.draft != new.draft
        || outline(old) != outline(new)
}

/// The question numbers whose section (heading or answer) differs between two versions
/// of a report, or that only one of them has.
fn changed_questions(old: &Report, new: &Report) -> BTreeSet<String> {
    let answers = |r: &Report| -> HashMap<String, (String, String)> {
        r.body
            .sections
            .iter()
            .filter_map(|s| {
                s.number
                    .clone()
                    .map(|n| (n, (s.heading.clone(), r.body.answer_html(s).to_string())))
            })
            .collect()
    };
    let (a, b) = (answers(old), answers(new));
    a.keys()
        .chain(b.keys())
        .filter(|n| a.get(*n) != b.get(*n))
        .cloned()
        .collect()
}
