//! The record of which output files were made from which inputs ([`Manifest`]), kept
//! beside the output as `.aktsom-cache-<name>`, by which the next build reuses a file
//! instead of rendering it again (see [`Emitter`](super::Emitter) and
//! [`crate::inputs`]).
//!
//! An entry says: the file with this [`Stamp`] (which file, its size and modification
//! time) holds what the build makes from inputs with this fingerprint, and these are
//! its links. A build never writes into a file (it replaces it, see `write_new`), so a
//! file that still has that identity still holds those bytes; a file changed or
//! replaced by anyone else has another stamp and is not reused. The record is only
//! a cache: an entry that no longer matches, or a record that cannot be read, costs
//! only the time to render the file again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::inputs::Fingerprint;
use crate::rewrite::PageLinks;

#[cfg(unix)]
use super::emit::identity;
use super::emit::{FileId, write_new};

/// The record's format; a record of another format is not read.
const FORMAT: u32 = 1;

/// Which file ([`FileId`]: device and inode) and its state: size, and modification
/// time in seconds and nanoseconds.
pub(super) type Stamp = (FileId, u64, i64, i64);

/// One file made from known inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The fingerprint of its inputs, in hexadecimal.
    key: String,
    stamp: Stamp,
    /// An HTML page's ids and links, for the link check.
    links: Option<PageLinks>,
}

impl Entry {
    pub(super) fn new(key: Fingerprint, stamp: Stamp, links: Option<PageLinks>) -> Entry {
        Entry {
            key: hex(key),
            stamp,
            links,
        }
    }

    /// Whether the file made from `key` is the one with `stamp`.
    pub(super) fn matches(&self, key: Fingerprint, stamp: Stamp) -> bool {
        self.key == hex(key) && self.stamp == stamp
    }

    /// The page's ids and links, when it is a page.
    pub(super) fn links(&self) -> Option<&PageLinks> {
        self.links.as_ref()
    }
}

fn hex(key: Fingerprint) -> String {
    format!("{key:032x}")
}

/// Every file of an output made from known inputs, by path.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    format: u32,
    files: BTreeMap<String, Entry>,
}

impl Manifest {
    /// A record of `files`.
    pub(super) fn of(files: impl IntoIterator<Item = (String, Entry)>) -> Manifest {
        Manifest {
            format: FORMAT,
            files: files.into_iter().collect(),
        }
    }

    /// The record at `path`; an empty one when there is none, or it cannot be read or
    /// is of another format.
    pub(super) fn read(path: &Path) -> Manifest {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
            .filter(|m| m.format == FORMAT)
            .unwrap_or_default()
    }

    /// The entry of output file `path`.
    pub(super) fn get(&self, path: &str) -> Option<&Entry> {
        self.files.get(path)
    }

    /// Writes the record to `path`, whole or not at all: into `<path>.new` (a new
    /// file, as every file a build writes: never written through a link), then renamed
    /// over the old record. The name is fixed rather than random, so that a build
    /// stopped while writing leaves at most that one file, which the next build
    /// replaces.
    pub(crate) fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".new");
        let tmp = path.with_file_name(name);
        write_new(&tmp, &serde_json::to_vec(self)?)?;
        std::fs::rename(&tmp, path)
    }
}

/// The [`Stamp`] of a file from its metadata.
#[cfg(unix)]
pub(super) fn stamp(m: &std::fs::Metadata) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    Some((identity(m)?, m.len(), m.mtime(), m.mtime_nsec()))
}

/// Without inode numbers no file is reused.
#[cfg(not(unix))]
pub(super) fn stamp(_: &std::fs::Metadata) -> Option<Stamp> {
    None
}

/// The [`Stamp`] of the regular file at `path` (a link is not followed).
pub(super) fn stamp_of(path: &Path) -> Option<Stamp> {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_file())
        .and_then(|m| stamp(&m))
}
