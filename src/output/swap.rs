//! Swapping a staging folder in for the output: in one step where the system can, in two
//! renames where it cannot, under a lock on the folder that holds the output.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::staging::new_dir;

/// Puts the folder `new` in place of the output folder `out` and returns where the
/// replaced output is now. Where the platform swaps two folders in one step (Linux's
/// `renameat2` with `RENAME_EXCHANGE`, macOS's `renameatx_np` with `RENAME_SWAP`) and
/// the file system allows it, there is no moment without an output; elsewhere it takes
/// two renames ([`swap_by_renames`]).
pub(super) fn swap(new: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            return Ok(new.to_path_buf());
        }
    }
    swap_by_renames(new, out, parent, name)
}

/// The swap in two renames: the output moves aside to `.aktsom-old-<name>-XXXXXX`,
/// then the new one takes its place. A build stopped in between leaves no output; the
/// next build puts the old one back first (see [`clean_leftovers`](super::cleanup::clean_leftovers)).
pub(super) fn swap_by_renames(
    new: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
) -> io::Result<PathBuf> {
    let old = new_dir(parent, "old", name)?;
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(new, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    Ok(old)
}

/// Locks the folder that holds the output (an advisory lock, `flock` on Unix). Every
/// build holds a shared lock while its staging folder exists, so a build that gets the
/// lock alone knows that every staging folder beside it is left from a build that
/// stopped. Returns the lock and whether it is exclusive; `None` where locks are not
/// available (then leftovers are not removed).
pub(super) fn lock_parent(parent: &Path) -> Option<(File, bool)> {
    let file = open_lock(parent).ok()?;
    match file.try_lock() {
        Ok(()) => Some((file, true)),
        Err(std::fs::TryLockError::WouldBlock) => {
            file.lock_shared().ok()?;
            Some((file, false))
        }
        Err(_) => None,
    }
}

#[cfg(unix)]
fn open_lock(parent: &Path) -> io::Result<File> {
    File::open(parent)
}

/// Where a folder cannot be opened as a file, a lock file beside the output.
#[cfg(not(unix))]
fn open_lock(parent: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(parent.join(".aktsom-lock"))
}
