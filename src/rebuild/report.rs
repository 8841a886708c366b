//! The fast path for a report edit: which report changed, and the few pages that show it
//! rendered again.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{BuildOptions, build};
use crate::content::{self, Report, Site};
use crate::diagnostics::Diagnostic;
use crate::links::{self, LinkTargets};
use crate::output;
use crate::render::OutFile;
use crate::render::Scope;
use crate::rewrite::PageLinks;
use crate::search;

use super::whole::link_targets;
use super::{Prepared, Preview, State, Work};

impl Preview {
    /// The one report an edit changed in place, if that is all it changed.
    pub(super) fn changed_report(&self, changed: &[PathBuf]) -> Option<Change> {
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
    pub(super) fn update_report(
        &mut self,
        member: usize,
        year: u16,
    ) -> Result<Option<Prepared>, Vec<Diagnostic>> {
        let start = Instant::now();
        crate::profile::start();
        let Some(state) = self.state.as_mut() else {
            return Ok(None);
        };
        let (index, new) = match edited(&self.opts.root, &state.site, member, year)? {
            Edited::Same(warnings) => return Ok(Some(Prepared::nothing(start, warnings))),
            Edited::Whole => return Ok(None),
            Edited::Changed(index, new) => (index, new),
        };
        let questions = changed_questions(&state.site.members[member].reports[index], &new);
        let listed = listed_changed(&state.site.members[member].reports[index], &new);
        let warnings = new.body.warnings.clone();
        let slug = state.site.members[member].slug.clone();
        let old = std::mem::replace(&mut state.site.members[member].reports[index], *new);
        let scope = Scope::Report {
            member: &slug,
            year,
            questions: &questions,
            listed,
        };
        crate::profile::stage("edit: load the report");
        // The pages and the search index at once: they read the same model and nothing
        // else in common.
        let (kept, search, site) = (&mut state.links, &mut state.search, &state.site);
        let (rendered, update) = rayon::join(
            || render_checked(site, &scope, kept, &self.written),
            || search.update_report(site, member, year, &old),
        );
        let (files, links) = match rendered {
            Ok(r) => r,
            Err(e) => {
                // Keep the model as of the last good build, and the index with it.
                if !undo(state, (member, index, year), old, update.is_some()) {
                    self.state = None;
                }
                return Err(e);
            }
        };
        // The search index: this report's sections again, and the files that changed.
        let Some(update) = update else {
            return Ok(None);
        };
        crate::profile::stage("edit: search index (beyond the render)");
        state.links.extend(super::whole::ids_only(links));
        // A published report's answers are in its year's answers file, which is
        // brought up to date after the pages (see `Preview::later`).
        let later = (!old.draft).then_some(year);
        Ok(Some(report_prepared(files, update, later, start, warnings)))
    }
}

/// The files of a report edit, ready to commit: the rendered pages and the search
/// index's changed files, its removed ones, and the year whose answers file follows.
fn report_prepared(
    mut files: Vec<OutFile>,
    update: search::Update,
    later: Option<u16>,
    start: Instant,
    warnings: Vec<Diagnostic>,
) -> Prepared {
    files.extend(update.written);
    crate::profile::stage("edit: prepare");
    Prepared {
        work: Work::Files {
            files,
            removed: update.removed,
            later,
        },
        start,
        warnings,
    }
}

/// What a report's file holds now, against the report of the last build.
enum Edited {
    /// The bytes last built (an editor's save without changes, or the last step of a
    /// burst that ends where it began): nothing to do. With the report's warnings.
    Same(Vec<Diagnostic>),
    /// A change of template version, language or draft state (or no such report): a
    /// whole build.
    Whole,
    /// The report as it is now, with its index among the member's reports.
    Changed(usize, Box<Report>),
}

/// Reads member `member`'s report of `year` again (see [`Edited`]).
fn edited(root: &Path, site: &Site, member: usize, year: u16) -> Result<Edited, Vec<Diagnostic>> {
    let m = &site.members[member];
    let Some(index) = m.reports.iter().position(|r| r.year == year) else {
        return Ok(Edited::Whole);
    };
    let old = &m.reports[index];
    let shown = Path::new("content/members")
        .join(&m.slug)
        .join(format!("{}.md", old.year));
    let path = root.join(&shown);
    if std::fs::read(&path).is_ok_and(|b| b == old.source.text.as_bytes()) {
        return Ok(Edited::Same(old.body.warnings.clone()));
    }
    let new = content::load_report(&path, &shown, old.year, m, &site.config, &site.templates)?;
    if new.template != old.template || new.language != old.language || new.draft != old.draft {
        return Ok(Edited::Whole);
    }
    Ok(Edited::Changed(index, Box::new(new)))
}

/// Puts back the report of the last good build after a failed edit, and the search
/// index with it (the same update the other way, when `indexed`: nothing of it was
/// written). `at`: (member, report index, year). False when the index could not be
/// put back (then the model is to be dropped).
fn undo(state: &mut State, at: (usize, usize, u16), old: Report, indexed: bool) -> bool {
    let (member, index, year) = at;
    let new = std::mem::replace(&mut state.site.members[member].reports[index], old);
    !indexed
        || state
            .search
            .update_report(&state.site, member, year, &new)
            .is_some()
}

/// Renders the pages in `scope` and checks their links against the pages they lead
/// to: the new ones, or those `kept` from the last build (moved out of it for the
/// check and back, not copied). `written`: every file the output folder holds.
#[allow(clippy::type_complexity)]
fn render_checked(
    site: &Site,
    scope: &Scope,
    kept: &mut HashMap<String, PageLinks>,
    written: &HashMap<String, u64>,
) -> Result<(Vec<OutFile>, Vec<(String, PageLinks)>), Vec<Diagnostic>> {
    let (files, links) = render_pages(site, scope)?;
    crate::profile::stage("edit: render");
    let made: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let new: HashMap<&str, &PageLinks> = links.iter().map(|(p, l)| (p.as_str(), l)).collect();
    let mut targets: HashMap<String, PageLinks> = HashMap::new();
    let mut exists: HashSet<String> = HashSet::new();
    let mut borrowed: Vec<String> = Vec::new();
    for (t, anchored) in link_targets(site, &links) {
        if !made.contains(t.as_str()) && !written.contains_key(&t) {
            continue;
        }
        if !anchored {
            // Only links with a #fragment need the page's ids.
        } else if let Some(l) = new.get(t.as_str()) {
            targets.insert(t.clone(), (*l).clone());
        } else if let Some(l) = kept.remove(&t) {
            targets.insert(t.clone(), l);
            borrowed.push(t.clone());
        }
        exists.insert(t);
    }
    let exists: rustc_hash::FxHashSet<&str> = exists.iter().map(String::as_str).collect();
    let checked = links::check(site, &exists, &LinkTargets::from_map(&targets), &links);
    for t in borrowed {
        if let Some(l) = targets.remove(&t) {
            kept.insert(t, l);
        }
    }
    checked?;
    crate::profile::stage("edit: check links");
    Ok((files, links))
}

pub(super) enum Change {
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

/// Renders the pages in `scope` into memory, each HTML page scanned once (see
/// [`crate::rewrite`]): the files and each page's links.
#[allow(clippy::type_complexity)]
fn render_pages(
    site: &Site,
    scope: &Scope,
) -> Result<(Vec<OutFile>, Vec<(String, PageLinks)>), Vec<Diagnostic>> {
    let out = output::Emitter::in_memory();
    let opts = BuildOptions {
        scope: *scope,
        files: false,
        keep_search: false,
    };
    build(site, &opts, &out)?;
    let output::Emitted { files, links, .. } = out.finish();
    Ok((files, links))
}
