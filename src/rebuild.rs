//! The preview build: the site kept in memory and brought up to date as files change.
//!
//! `aktsom serve` owns one [`Preview`]. [`Preview::build`] builds everything (drafts
//! included) and writes it to the output folder; [`Preview::update`] takes the paths that
//! changed and brings the output up to date, writing only the files whose bytes changed
//! and removing the ones that are gone. A failed build or update writes nothing, so the
//! output folder always holds the last good build.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::content::{self, LoadOptions};
use crate::diagnostics::Diagnostic;
use crate::render::OutFile;
use crate::{build_files, output};

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
        let (files, copies) = build_files(&site, &self.opts.base_url)?;
        let mut outcome = self.write(files, &copies)?;
        outcome.warnings = std::mem::take(&mut site.warnings);
        outcome.elapsed = start.elapsed();
        Ok(outcome)
    }

    /// Brings the output up to date after `changed` paths (files or folders under the
    /// site root) changed.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Outcome, Vec<Diagnostic>> {
        let _ = changed;
        self.build()
    }

    /// Writes the files whose bytes differ from what is on disk and removes the files
    /// the build no longer makes.
    fn write(
        &mut self,
        files: Vec<OutFile>,
        copies: &[output::Copy],
    ) -> Result<Outcome, Vec<Diagnostic>> {
        let io = |e: std::io::Error| {
            vec![Diagnostic::file(
                &self.opts.out,
                format!("cannot write the preview: {e}"),
            )]
        };
        let out = self.opts.out.clone();
        std::fs::create_dir_all(&out).map_err(io)?;
        let mut next: HashMap<String, u64> = HashMap::with_capacity(files.len() + copies.len());
        let mut changed = Vec::new();
        for f in &files {
            let h = hash_bytes(&f.bytes);
            if self.written.get(&f.path) != Some(&h) {
                let path = out.join(&f.path);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                std::fs::write(&path, &f.bytes).map_err(io)?;
                changed.push(f.path.clone());
            }
            next.insert(f.path.clone(), h);
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
            }
            next.insert(c.to.clone(), h);
        }
        let written = changed.len();
        let mut removed = 0;
        for old in self.written.keys() {
            if !next.contains_key(old) {
                let _ = std::fs::remove_file(out.join(old));
                changed.push(old.clone());
                removed += 1;
            }
        }
        let mut all: Vec<(&String, &u64)> = next.iter().collect();
        all.sort();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        all.hash(&mut h);
        let build_id = format!("{:016x}", h.finish());
        let files = next.len();
        self.written = next;
        changed.sort();
        Ok(Outcome {
            written,
            removed,
            files,
            elapsed: Duration::ZERO,
            build_id,
            changed,
            warnings: Vec::new(),
        })
    }
}
