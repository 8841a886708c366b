//! Reading the user's files and folders: every failure a diagnostic with the path and the
//! system's reason, never an empty result.

use std::path::{Path, PathBuf};

use super::Diagnostic;
use super::source::{LineIndex, Source};

/// The largest text file aktsom reads (Markdown and TOML; a long report is about
/// 100 KB).
pub(crate) const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

const MIB: f64 = 1024.0 * 1024.0;

/// A file or folder that cannot be read (`what` is "file" or "folder"): the path and
/// the system's reason, never a silent empty result.
pub(crate) fn unreadable(shown: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    let help = match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "give the user who runs aktsom permission to read it, and to open the folders above it"
        }
        std::io::ErrorKind::NotFound => {
            "a symbolic link that leads to nothing: fix the link or remove it"
        }
        _ => "aktsom reads every file and folder of the site: fix or remove this one",
    };
    Diagnostic::file(shown, format!("cannot read the {what}: {e}")).with_help(help)
}

/// The metadata of a file about to be read (following symbolic links), or why it
/// cannot be read: the system's reason, or that it is not a regular file (a folder, or
/// a named pipe that would block the build).
pub(crate) fn regular_file(path: &Path, shown: &Path) -> Result<std::fs::Metadata, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(shown, "file", &e))?;
    if meta.is_file() {
        return Ok(meta);
    }
    Err(Diagnostic::file(
        shown,
        format!("this is not a regular file (it is {})", file_kind(&meta)),
    )
    .with_help("aktsom reads only ordinary files here: remove or rename this one"))
}

/// What kind of file system entry, for people.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// The entries of a folder, sorted; `None` when the folder does not exist. A folder
/// (or an entry of it) that cannot be read is a diagnostic with the system's reason.
pub(crate) fn list_dir(dir: &Path, shown: &Path) -> Result<Option<Vec<PathBuf>>, Diagnostic> {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        // Absent, and not a symbolic link that leads nowhere.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::fs::symlink_metadata(dir).is_err() =>
        {
            return Ok(None);
        }
        Err(e) => return Err(unreadable(shown, "folder", &e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        out.push(entry.map_err(|e| unreadable(shown, "folder", &e))?.path());
    }
    out.sort();
    Ok(Some(out))
}

/// Reads a user text file as UTF-8: a regular file of at most [`MAX_FILE_BYTES`] (checked
/// before anything is read). A file that cannot be read is a diagnostic with the
/// system's reason; invalid UTF-8 is a diagnostic at the first bad byte.
pub(crate) fn read_text(path: &Path, shown: &Path) -> Result<Source, Diagnostic> {
    let len = regular_file(path, shown)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            shown,
            format!(
                "the file is {:.1} MB; the limit is {} MB",
                len as f64 / MIB,
                MAX_FILE_BYTES as f64 / MIB
            ),
        )
        .with_help("split the text or move large attachments out of the Markdown"));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(shown, "file", &e))?;
    text_from_bytes(bytes, shown)
}

/// A user file's bytes as UTF-8 text; invalid UTF-8 is a diagnostic at the first bad
/// byte.
pub fn text_from_bytes(bytes: Vec<u8>, shown: &Path) -> Result<Source, Diagnostic> {
    // Checked with simdutf8 (every report is read, and std's check reads the Norwegian
    // letters a character at a time); only a file that fails is checked again by std,
    // for the place of the first bad byte. The text is copied into the source either way.
    if let Ok(text) = simdutf8::basic::from_utf8(&bytes) {
        return Ok(Source::new(shown, text));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(shown, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let (line, column) = LineIndex::new(&prefix).line_col(&prefix, valid);
            let mut d = Diagnostic::file(shown, "the file is not valid UTF-8")
                .with_help("save the file with UTF-8 encoding (most editors offer this under \"Save as\" or \"Encoding\")");
            d.line = line;
            d.column = column;
            Err(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_text_only_when_it_is_utf8_and_says_where_it_is_not() {
        let lines = [
            "Forord",
            "Leverandørene våre ble fulgt opp i år.",
            "Æ ø å « » –",
        ];
        let text = lines.join("\n").repeat(3);
        let shown = Path::new("content/a.md");
        let source = text_from_bytes(text.clone().into_bytes(), shown).unwrap();
        assert_eq!(&*source.text, text.as_str());
        for (at, line, column) in [(0, 1, 1), (7, 2, 1), (18, 2, 11), (text.len(), 7, 12)] {
            let mut bytes = text.clone().into_bytes();
            bytes.splice(at..at, [0xff, 0xfe]);
            let d = text_from_bytes(bytes, shown).err().unwrap();
            assert_eq!((d.line, d.column), (line, column), "at {at}");
        }
    }
}
