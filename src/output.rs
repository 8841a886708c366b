//! Writing the built site: everything goes into a fresh folder beside the output, and
//! only a complete build is swapped in. A failed build leaves the previous output
//! exactly as it was.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::OutFile;

/// A file copied as it is (a member's image).
pub struct Copy {
    pub from: PathBuf,
    pub to: String,
}

/// Refuses output folders that would destroy the site itself.
pub fn check_out_dir(root: &Path, out: &Path) -> Result<(), String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out_abs = absolute(out);
    if root.starts_with(&out_abs) {
        return Err(format!(
            "the output folder {} contains the site itself",
            out.display()
        ));
    }
    if out_abs.join("site.toml").exists() || out_abs.join("content").is_dir() {
        return Err(format!(
            "the output folder {} looks like a site (it has site.toml or content/)",
            out.display()
        ));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    match (
        abs.parent().and_then(|d| d.canonicalize().ok()),
        abs.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => abs,
    }
}

/// Writes `files` and `copies` into a new folder and swaps it in for `out`.
pub fn publish(out: &Path, files: &[OutFile], copies: &[Copy]) -> io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".aktsom-build-")
        .tempdir_in(&parent)?;
    let dir = staging.path();

    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(copies.iter().map(|c| c.to.as_str()))
        .filter_map(|p| Path::new(p).parent().map(|d| dir.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    files
        .par_iter()
        .try_for_each(|f| std::fs::write(dir.join(&f.path), &f.bytes))?;
    copies
        .par_iter()
        .try_for_each(|c| std::fs::copy(&c.from, dir.join(&c.to)).map(|_| ()))?;

    // Swap: the old output moves aside, the new one takes its place, the old one goes.
    let staged = staging.keep();
    if out.exists() {
        let old = tempfile::Builder::new()
            .prefix(".aktsom-old-")
            .tempdir_in(&parent)?
            .keep();
        std::fs::remove_dir(&old)?;
        std::fs::rename(out, &old)?;
        if let Err(e) = std::fs::rename(&staged, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
    } else if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    Ok(())
}
