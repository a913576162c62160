//! File writing that never leaves a partial file behind, and reports every write error.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes to a temporary file beside `path`, syncs it, then renames it into place, so a
/// reader sees the old file or the whole new one.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{} is not a file path", path.display())))?;
    let temporary = directory.join(format!(
        ".{}.autogen-tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(contents)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::io(path, source)
    })
}

/// Writes an output file the user named (`inspect -o`): a regular file (or a new one)
/// atomically; anything else (`/dev/stdout`, a pipe, `/dev/full`) directly, since renaming
/// over a device or a pipe would replace it rather than write to it.
pub fn write_output(path: &Path, contents: &[u8]) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| {
                file.write_all(contents)?;
                file.flush()
            })
            .map_err(|source| Error::io(path, source)),
        _ => write_atomically(path, contents),
    }
}
