//! File IO at the edges: reading input files within limits, and writing files that never
//! leave a partial file behind and report every write error.
//!
//! Input files (schema files, revisions, autogen.toml) come from pull requests when `check`
//! runs in CI, so every read goes through `read_input`, which refuses anything that could
//! block, never end, or exhaust memory.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::Path;

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Overrides the size cap on input files: bytes, or with a `K`, `M` or `G` suffix (KiB,
/// MiB, GiB).
pub const MAX_FILE_SIZE_ENV: &str = "AUTOGEN_MAX_FILE_SIZE";

/// Far above any real schema or revision, far below what would exhaust memory.
const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// The deepest nesting accepted in an input file: YAML collections, SQL parentheses and
/// brackets. Real files nest a handful of levels; the cap keeps parsers linear and their
/// recursion shallow.
pub const MAX_NESTING_DEPTH: usize = 128;

/// The bytes of an input file. Anything but a regular file (after following symlinks) is
/// refused before it is opened, since opening a FIFO blocks until a writer appears and a
/// device may never end; files over the cap are refused, even if they grow while read.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let max_size = max_file_size()?;
    let metadata = std::fs::metadata(path).map_err(|source| Error::io(path, source))?;
    if !metadata.is_file() {
        let kind = describe(&metadata.file_type());
        return Err(Error::input(
            path,
            None,
            format!("is {kind}, not a regular file"),
        ));
    }
    if metadata.len() > max_size {
        return Err(too_large(path, max_size));
    }
    let file = std::fs::File::open(path).map_err(|source| Error::io(path, source))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::io(path, source))?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(path, max_size));
    }
    Ok(bytes)
}

fn too_large(path: &Path, max_size: u64) -> Error {
    Error::input(
        path,
        None,
        format!("is larger than the {max_size}-byte limit for input files (${MAX_FILE_SIZE_ENV} raises it)"),
    )
}

fn describe(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    "a special file"
}

/// `$AUTOGEN_MAX_FILE_SIZE`, or the default when it is unset.
fn max_file_size() -> Result<u64> {
    let text = match std::env::var(MAX_FILE_SIZE_ENV) {
        Err(std::env::VarError::NotPresent) => return Ok(DEFAULT_MAX_FILE_SIZE),
        Err(std::env::VarError::NotUnicode(text)) => text.to_string_lossy().to_string(),
        Ok(text) => text,
    };
    parse_size(&text).ok_or_else(|| {
        Error::Usage(format!(
            "${MAX_FILE_SIZE_ENV} must be a positive number of bytes, optionally followed by \
             K, M or G (KiB, MiB, GiB), such as 128M; it is \"{}\"",
            text.escape_debug()
        ))
    })
}

/// `4096`, `512K`, `128M`, `1G` as bytes; `None` for zero, overflow or anything else.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = match text.as_bytes().last()? {
        b'K' | b'k' => (&text[..text.len() - 1], 1 << 10),
        b'M' | b'm' => (&text[..text.len() - 1], 1 << 20),
        b'G' | b'g' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let size = digits.parse::<u64>().ok()?.checked_mul(unit)?;
    (size > 0).then_some(size)
}

/// Writes to a temporary file beside `path`, syncs it, then renames it into place, so a
/// reader sees the old file or the whole new one.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    temporary_beside(path, contents)?
        .persist(path)
        .map_err(|error| Error::io(path, error.error))?;
    Ok(())
}

/// A synced temporary file holding `contents` in `path`'s directory (so it can be renamed
/// or linked to `path`), named after `path` and removed when dropped unless persisted.
pub fn temporary_beside(path: &Path, contents: &[u8]) -> Result<NamedTempFile> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{} is not a file path", path.display())))?;
    let mut prefix = OsString::from(".");
    prefix.push(file_name);
    prefix.push(".autogen-tmp-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // The mode `File::create` gives (less the umask), not tempfile's private 0600: the file
    // becomes a schema file or a revision.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder
        .tempfile_in(directory)
        .map_err(|source| Error::io(path, source))?;
    file.write_all(contents)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|source| Error::io(path, source))?;
    Ok(file)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes_and_refuse_the_rest() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("128m"), Some(128 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        for bad in [
            "",
            "0",
            "0M",
            "M",
            "-1",
            "+5",
            "1.5M",
            "12 M",
            "1T",
            "99999999999999999999",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
        assert_eq!(parse_size("17179869184G"), None, "overflow");
    }

    #[test]
    fn only_regular_files_are_read() {
        let error = read_input(Path::new(".")).expect_err("a directory");
        assert_eq!(error.to_string(), ".: is a directory, not a regular file");
        assert_eq!(
            read_input(Path::new("Cargo.toml")).expect("reads"),
            std::fs::read("Cargo.toml").expect("reads")
        );
    }

    #[test]
    fn atomic_writes_replace_the_file_whole_with_the_mode_file_create_gives() {
        let directory =
            std::env::temp_dir().join(format!("autogen-fs-test-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("creates");
        let path = directory.join("schema.yaml");
        write_atomically(&path, b"old").expect("writes");
        write_atomically(&path, b"new").expect("replaces");
        assert_eq!(std::fs::read(&path).expect("reads"), b"new");
        let names: Vec<_> = std::fs::read_dir(&directory)
            .expect("lists")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["schema.yaml"], "no temporary file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let created = directory.join("created");
            std::fs::File::create(&created).expect("creates");
            let mode = |path: &Path| {
                std::fs::metadata(path)
                    .expect("metadata")
                    .permissions()
                    .mode()
            };
            assert_eq!(mode(&path), mode(&created));
        }
        std::fs::remove_dir_all(&directory).expect("cleanup");
    }
}
