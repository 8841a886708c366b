//! Writing the built site. Pages go to a staging folder beside the output as they are
//! rendered (in parallel), and only a complete build (link check included) is swapped
//! in: a failed build leaves the previous output exactly as it was.
//!
//! Every finished file passes through an [`Emitter`]: HTML pages get their one scan
//! ([`crate::rewrite::scan_page`]: external links marked, ids and internal links kept
//! for the link check), then the file is written to the staging folder, or kept in
//! memory for `aktsom check`, the preview and the tests. Written pages are not kept:
//! a build holds the model and the links, not the output.
//!
//! What a build may replace is decided here too: never the site's own folders, a file
//! or a link ([`check_out_dir`]), and a folder only when aktsom made it (it holds
//! [`MARKER`](guard::MARKER)), when it holds nothing a build would remove, or with `--force`
//! ([`check_build_out`]). Whatever the folder held, the dot-files (`.git`…) and the
//! hosting files ([`HOSTING_FILES`](guard::HOSTING_FILES)) at its top go into each new output.

mod cache;
mod cleanup;
mod emit;
mod guard;
mod staging;
mod swap;
#[cfg(test)]
mod tests;

pub use emit::{Emitted, Emitter};
pub(crate) use guard::{check_build_out, check_out_dir};
pub(crate) use staging::Staging;

use std::path::{Path, PathBuf};

/// The default output folder of a site.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("public")
}

/// A file copied as it is (a member's image).
pub(crate) struct Copy {
    /// The file to copy.
    pub(crate) from: PathBuf,
    /// Its output path.
    pub(crate) to: String,
}
