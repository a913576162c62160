//! File writing that never leaves a partial file behind.

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
