//! The preview build: the site kept in memory and brought up to date as files change.
//!
//! `aktsom serve` owns one [`Preview`]. [`Preview::build`] builds everything (drafts
//! included) and writes it to the output folder; [`Preview::update`] takes the paths that
//! changed and brings the output up to date, writing only the files whose bytes changed
//! and removing the ones that are gone. A failed build or update writes nothing, so the
//! output folder always holds the last good build.
//!
//! The common edit, a change to one report's text, takes a fast path: only that file
//! is parsed again, and only the pages that show it are rendered: the report, its two
//! comparisons (against the report before it, and the next report's against it), the
//! question pages of the questions whose answers changed and the report's open data
//! file; and when its front matter or outline (question numbers, headings) changed,
//! also the pages that list it (its neighbours, the member page and its page that
//! compares any two years, the year page, the site-wide lists and data files). Its links are
//! checked against the ids kept from the last build. Anything else (a new or deleted report, member.toml, site.toml, templates,
//! the theme) is a full build. Tests hold the result of any sequence of edits to be
//! byte-identical with a fresh full build.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::content::{self, LoadOptions, Report, Site};
use crate::diagnostics::Diagnostic;
use crate::render::{OutFile, Scope};
use crate::rewrite::PageLinks;
use crate::search;
use crate::{LinkTargets, RenderedPages, build_files_keeping, check_links, output, render_pages};

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
    /// The model and every page's links as of the last good build.
    state: Option<State>,
}

struct State {
    site: Site,
    links: HashMap<String, PageLinks>,
    /// The search index, updated in place by a report edit.
    search: search::Live,
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
        }
    }

    pub fn options(&self) -> &PreviewOptions {
        &self.opts
    }

    /// Builds the whole site and writes what changed.
    pub fn build(&mut self) -> Result<Outcome, Vec<Diagnostic>> {
        let start = Instant::now();
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
        // The search index is kept for report edits.
        let mut search = None;
        let built = build_files_keeping(&site, &self.opts.base_url, Some(&mut search))?;
        let (files, copies) = (built.files, built.copies);
        let links = built.links.into_iter().collect();
        let Some(mut search) = search else {
            return Err(vec![Diagnostic::file(
                &self.opts.root,
                "internal error: a whole build made no search index",
            )]);
        };
        search.set_page(files.iter().find(|f| f.path == "sok/index.html").cloned());
        self.state = None;
        let mut outcome = self.write(files, &copies, true, &[])?;
        outcome.warnings = std::mem::take(&mut site.warnings);
        outcome.elapsed = start.elapsed();
        self.state = Some(State {
            site,
            links,
            search,
        });
        Ok(outcome)
    }

    /// Brings the output up to date after `changed` paths (files or folders under the
    /// site root) changed.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Outcome, Vec<Diagnostic>> {
        match self.changed_report(changed) {
            Some(Change::Report { member, year }) => match self.update_report(member, year) {
                Ok(Some(outcome)) => Ok(outcome),
                Ok(None) => self.build(),
                Err(e) => Err(e),
            },
            Some(Change::Outside) => Ok(Outcome {
                written: 0,
                removed: 0,
                files: self.written.len(),
                elapsed: Duration::ZERO,
                build_id: self.build_id(),
                changed: Vec::new(),
                warnings: Vec::new(),
            }),
            None => self.build(),
        }
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
    ) -> Result<Option<Outcome>, Vec<Diagnostic>> {
        let start = Instant::now();
        let mut clock = Clock::new();
        let Some(state) = self.state.as_mut() else {
            return Ok(None);
        };
        let site = &mut state.site;
        let m = &site.members[member];
        let index = m
            .reports
            .iter()
            .position(|r| r.year == year)
            .expect("checked by changed_report");
        let shown = Path::new("content/members")
            .join(&m.slug)
            .join(format!("{year}.md"));
        let path = self.opts.root.join(&shown);
        let new = content::load_report(&path, &shown, year, m, &site.config, &site.templates)?;
        let old = &m.reports[index];
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
            state.links.insert(p, l);
        }
        let mut files = files;
        files.extend(update.written);
        let mut outcome = match self.write(files, &[], false, &update.removed) {
            Ok(o) => o,
            Err(e) => {
                // The index in memory is ahead of the files: start afresh next time.
                self.state = None;
                return Err(e);
            }
        };
        clock.stage("write");
        outcome.warnings = warnings;
        outcome.elapsed = start.elapsed();
        Ok(Some(outcome))
    }

    fn build_id(&self) -> String {
        format!("{:016x}", self.id_sum)
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

    /// Writes the files whose bytes differ from what is on disk. After a full build
    /// (`complete`), files the build no longer makes are removed; after a partial one,
    /// the files in `removed`.
    fn write(
        &mut self,
        files: Vec<OutFile>,
        copies: &[output::Copy],
        complete: bool,
        removed: &[String],
    ) -> Result<Outcome, Vec<Diagnostic>> {
        let io = |e: std::io::Error| {
            vec![Diagnostic::file(
                &self.opts.out,
                format!("cannot write the preview: {e}"),
            )]
        };
        let out = self.opts.out.clone();
        std::fs::create_dir_all(&out).map_err(io)?;
        let mut changed = Vec::new();
        let mut gone: Vec<String> = if complete {
            let made: HashSet<&str> = files
                .iter()
                .map(|f| f.path.as_str())
                .chain(copies.iter().map(|c| c.to.as_str()))
                .collect();
            self.written
                .keys()
                .filter(|p| !made.contains(p.as_str()))
                .cloned()
                .collect()
        } else {
            let made: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
            removed
                .iter()
                .filter(|p| !made.contains(p.as_str()) && self.written.contains_key(*p))
                .cloned()
                .collect()
        };
        let mut made = Vec::with_capacity(files.len() + copies.len());
        for f in &files {
            let h = hash_bytes(&f.bytes);
            if self.written.get(&f.path) != Some(&h) {
                let path = out.join(&f.path);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                std::fs::write(&path, &f.bytes).map_err(io)?;
                changed.push(f.path.clone());
                made.push((f.path.clone(), h));
            }
        }
        for c in copies {
            let bytes = std::fs::read(&c.from).map_err(io)?;
            let h = hash_bytes(&bytes);
            if self.written.get(&c.to) != Some(&h) {
                let path = out.join(&c.to);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                std::fs::write(&path, &bytes).map_err(io)?;
                changed.push(c.to.clone());
                made.push((c.to.clone(), h));
            }
        }
        let written = changed.len();
        for (p, h) in made {
            self.set_written(&p, Some(h));
        }
        gone.sort();
        let removed = gone.len();
        for p in gone {
            let file = out.join(&p);
            let _ = std::fs::remove_file(&file);
            // Folders the build no longer uses go too (content-hashed excerpt folders).
            if let Some(dir) = file.parent() {
                if dir != out {
                    let _ = std::fs::remove_dir(dir);
                }
            }
            self.set_written(&p, None);
            changed.push(p);
        }
        changed.sort();
        Ok(Outcome {
            written,
            removed,
            files: self.written.len(),
            elapsed: Duration::ZERO,
            build_id: self.build_id(),
            changed,
            warnings: Vec::new(),
        })
    }
}

/// The pages (output paths) that links on `pages` lead to, the way the link check
/// resolves them ([`crate::link_target`]), each with whether a link to it has a #fragment.
fn link_targets(base_url: &str, pages: &[(String, PageLinks)]) -> HashMap<String, bool> {
    let base = crate::config::url_path(base_url);
    let mut out: HashMap<String, bool> = HashMap::new();
    for (page, l) in pages {
        let page_url = format!("{base}{}", page.trim_end_matches("index.html"));
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
