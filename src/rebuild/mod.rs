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
//!
//! One file is left for later: the year's answers file (`data/svar/<year>.csv.gz`,
//! every report's answers of the year, compressed), which takes longer to make than
//! the pages above on a large site, and which no page reads. [`Preview::later`] names
//! it after the commit, and [`Preview::prepare_later`] renders it, to be committed in
//! turn: `serve` reloads the tabs in between (see [`crate::serve`]), and
//! [`Preview::update`] does both. It is not part of the build id, which identifies
//! what the tabs show.

mod report;
mod sink;
mod whole;
pub use sink::HELD;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use report::Change;

use crate::content::Site;
use crate::diagnostics::Diagnostic;
use crate::render::OutFile;
use crate::rewrite::PageLinks;
use crate::search;

/// The folder inside the output folder where a whole build stages the files it
/// changes until they all move into place (a dot folder: never served).
pub(crate) const STAGING: &str = ".aktsom-staging";

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
    /// How long the build or update took.
    pub(crate) elapsed: Duration,
    /// An identifier of the output: equal ids mean byte-identical builds (but for the
    /// answers files, which no page reads: see [`Preview::later`]).
    pub build_id: String,
    /// Output paths (relative, `/`-separated) that were written or removed.
    pub changed: Vec<String>,
    /// The warnings of the build.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// The preview build: the output folder kept up to date with the site (see the module
/// documentation).
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
    /// The years whose answers file a report edit left to be brought up to date after
    /// the pages ([`Preview::prepare_later`]).
    later: BTreeSet<u16>,
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
    /// A report edit: the few files to write, and the files to remove; and the year
    /// whose answers file it leaves for later, if any.
    Files {
        files: Vec<OutFile>,
        removed: Vec<String>,
        later: Option<u16>,
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
    /// A preview of the site in `opts`; nothing is built until [`Preview::build`].
    pub fn new(opts: PreviewOptions) -> Preview {
        Preview {
            opts,
            written: HashMap::new(),
            id_sum: 0,
            state: None,
            good: false,
            retry: Vec::new(),
            later: BTreeSet::new(),
            held: HELD,
        }
    }

    /// What the preview builds.
    pub(crate) fn options(&self) -> &PreviewOptions {
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
    /// site root) changed: the pages, then what a report edit leaves for later.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Outcome, Vec<Diagnostic>> {
        let prepared = self.prepare(changed)?;
        let mut outcome = self.commit(prepared)?;
        let later = self.prepare_later()?;
        let rest = self.commit(later)?;
        outcome.written += rest.written;
        outcome.removed += rest.removed;
        outcome.changed.extend(rest.changed);
        outcome.changed.sort();
        Ok(outcome)
    }

    /// The output files (relative, `/`-separated) that the last report edits left to be
    /// brought up to date by [`Preview::prepare_later`]: the answers files of their
    /// years, which no page reads.
    pub fn later(&self) -> Vec<String> {
        self.later
            .iter()
            .map(|y| crate::routes::answers_csv(*y))
            .collect()
    }

    /// Renders the files report edits left for later ([`Preview::later`]), to be put in
    /// place with [`Preview::commit`]: a report edit renders and commits the pages that
    /// show the report first, so that the preview can reload them at once, and the
    /// year's answers file (every report of the year, compressed) after.
    pub fn prepare_later(&mut self) -> Result<Prepared, Vec<Diagnostic>> {
        let start = Instant::now();
        let years = std::mem::take(&mut self.later);
        let nothing = Prepared {
            work: Work::Nothing,
            start,
            warnings: Vec::new(),
        };
        // Without a model (a whole build failed), the next whole build writes them.
        let Some(state) = self.state.as_ref().filter(|_| !years.is_empty()) else {
            return Ok(nothing);
        };
        let out = crate::output::Emitter::in_memory();
        let opts = crate::build::BuildOptions {
            scope: crate::render::Scope::Answers { years: &years },
            files: false,
            keep_search: false,
        };
        crate::build::build(&state.site, &opts, &out)?;
        let files = out.finish().files;
        Ok(Prepared {
            work: Work::Files {
                files,
                removed: Vec::new(),
                later: None,
            },
            ..nothing
        })
    }

    /// Renders and checks the whole site. Before the first good build its files go
    /// into place at once; after it, into the staging folder.
    pub(crate) fn prepare_build(&mut self) -> Result<Prepared, Vec<Diagnostic>> {
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
            Work::Files {
                files,
                removed,
                later,
            } => match self.commit_files(files, &removed) {
                Ok(o) => {
                    self.later.extend(later);
                    o
                }
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
    /// keeping the build id (a sum over every file but the answers files) up to date.
    /// The answers files are left out: no page reads them, and a report edit brings
    /// them up to date after the reload that announces its id ([`Preview::later`]).
    fn set_written(&mut self, path: &str, h: Option<u64>) {
        let counted = !crate::routes::is_answers_csv(path);
        let entry = |h: u64| {
            if counted {
                hash_bytes(format!("{path}\0{h:016x}").as_bytes())
            } else {
                0
            }
        };
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
        // Every answers file is current.
        self.later.clear();
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
