//! Stage 7, revision files: naming, headers, checksums, reading `migrations/` into a
//! verified chain, and writing a revision pair (`syntax::statements` splits them).
//!
//! File IO only, no database. A revision is written completely (both files) or not at all;
//! the chain is defined by each header's `-- parent:` line, never by file order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::diff::HazardKind;
use crate::error::{Error, Result};
use crate::syntax::quote::{comment_text, comment_text_value};

mod branches;
mod resolve;

pub use branches::{heads, rebase, Rebased};

/// Overrides the clock (RFC 3339, e.g. `2026-11-24T17:00:00Z`) so tests and the README
/// get the same revision ids in every run.
pub const NOW_ENV: &str = "AUTOGEN_NOW";

const UP_SUFFIX: &str = ".up.sql";
const DOWN_SUFFIX: &str = ".down.sql";
const ID_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year][month][day][hour][minute][second]");
const HEADER_FIRST: &str = "-- autogen revision ";
const ACCEPTED_PREFIX: &str = "-- accepted hazards:";

/// The comment block at the top of both files of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub revision: String,
    pub parent: Option<String>,
    pub message: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// What the file's statements do to a running application (`Hazard` in words).
    pub hazards: Vec<String>,
    /// How many steps the file has and which run outside a transaction (`None`: one
    /// step, in one transaction; `Script::steps_summary`).
    pub steps: Option<String>,
    /// Hazard kinds accepted for this file beyond the project's `allow_hazards`
    /// (`-- accepted hazards:`), so review sees them and `upgrade` runs it.
    pub accepted: BTreeSet<HazardKind>,
}

impl Header {
    /// The header as comment lines; every value is escaped (`quote::comment_text`), so
    /// a message or hazard cannot end its line, and `parse` reads it back exactly.
    pub fn render(&self) -> String {
        let mut text = format!("{HEADER_FIRST}{}\n", comment_text(&self.revision));
        let parent = self.parent.as_deref().unwrap_or("none");
        text.push_str(&format!("-- parent: {}\n", comment_text(parent)));
        text.push_str(&format!("-- message: {}\n", comment_text(&self.message)));
        text.push_str(&format!("-- created: {}\n", comment_text(&self.created)));
        if self.hazards.is_empty() {
            text.push_str("-- hazards: none\n");
        } else {
            text.push_str("-- hazards:\n");
            for hazard in &self.hazards {
                text.push_str(&format!("--   {}\n", comment_text(hazard)));
            }
        }
        if let Some(steps) = &self.steps {
            text.push_str(&format!("-- steps: {}\n", comment_text(steps)));
        }
        if !self.accepted.is_empty() {
            let names: Vec<&str> = self.accepted.iter().map(|kind| kind.name()).collect();
            text.push_str(&format!("{ACCEPTED_PREFIX} {}\n", names.join(", ")));
        }
        text
    }

    /// Reads the header from the top of a revision file; `path` is for messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Header> {
        let mut lines = text.lines();
        let revision = lines
            .next()
            .and_then(|line| line.strip_prefix(HEADER_FIRST))
            .map(|id| comment_text_value(id.trim()))
            .ok_or_else(|| {
                revision_error(
                    path,
                    format!(
                        "does not start with an autogen header (`{HEADER_FIRST}<id>`)\n  \
                         hint: revision files are written by `autogen migrate`; restore the \
                         header lines if they were removed"
                    ),
                )
            })?;
        let mut header = Header {
            revision,
            parent: None,
            message: String::new(),
            created: String::new(),
            hazards: Vec::new(),
            steps: None,
            accepted: BTreeSet::new(),
        };
        let mut seen_parent = false;
        let mut in_hazards = false;
        for line in lines {
            let Some(comment) = line.strip_prefix("--") else {
                break;
            };
            if in_hazards {
                if let Some(hazard) = comment.strip_prefix("   ") {
                    header.hazards.push(comment_text_value(hazard.trim()));
                    continue;
                }
                in_hazards = false;
            }
            let comment = comment.trim();
            if let Some(parent) = comment.strip_prefix("parent:") {
                let parent = parent.trim();
                header.parent = (parent != "none").then(|| comment_text_value(parent));
                seen_parent = true;
            } else if let Some(message) = comment.strip_prefix("message:") {
                header.message = comment_text_value(message.trim());
            } else if let Some(created) = comment.strip_prefix("created:") {
                header.created = comment_text_value(created.trim());
            } else if comment == "hazards:" {
                in_hazards = true;
            } else if let Some(steps) = comment.strip_prefix("steps:") {
                header.steps = Some(comment_text_value(steps.trim()));
            } else if let Some(names) = line.strip_prefix(ACCEPTED_PREFIX) {
                for name in names
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                {
                    let kind = HazardKind::parse(name).map_err(|message| {
                        revision_error(
                            path,
                            format!(
                                "`{ACCEPTED_PREFIX}` line: {message}\n  hint: name the kinds \
                                 separated by commas, e.g. `{ACCEPTED_PREFIX} data-loss, rewrite`"
                            ),
                        )
                    })?;
                    header.accepted.insert(kind);
                }
            }
        }
        if !seen_parent {
            return Err(revision_error(
                path,
                "the header has no `-- parent:` line\n  hint: add `-- parent: <revision id>` \
                 (or `-- parent: none` for the first revision) below the first line",
            ));
        }
        Ok(header)
    }
}

/// One revision: its two files, as read from `migrations/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The UTC timestamp prefix of the file names, `yyyymmddHHMMSS`.
    pub id: String,
    /// The file name without its suffix, `<id>_<slug>`.
    pub name: String,
    pub up_path: PathBuf,
    pub down_path: PathBuf,
    pub header: Header,
    /// What the down file's header accepts (its other lines repeat the up file's).
    pub down_accepted: BTreeSet<HazardKind>,
    pub up_text: String,
    pub down_text: String,
    /// sha256 (hex) of the up file's bytes followed by the down file's.
    pub checksum: String,
}

impl Revision {
    /// The upgrade file: its path and text.
    pub fn up_file(&self) -> (&Path, &str) {
        (&self.up_path, &self.up_text)
    }

    pub fn parent(&self) -> Option<&str> {
        self.header.parent.as_deref()
    }

    pub fn message(&self) -> &str {
        &self.header.message
    }
}

/// The revisions of a project in order, base first; every parent link checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    pub directory: PathBuf,
    pub revisions: Vec<Revision>,
}

impl Chain {
    pub fn head(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.revisions.iter().position(|revision| revision.id == id)
    }
}

/// Reads every revision in `directory` and checks the chain: paired files, headers that
/// match their names, no two revisions with the same parent, every parent present.
pub fn read_chain(directory: &Path) -> Result<Chain> {
    let (revisions, problems) = scan(directory)?;
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem);
    }
    order_chain(directory, revisions)
}

/// `read_chain` for commands that only look (`current`, `history`): files that cannot be
/// read are left out and a chain that cannot be ordered comes in id order, each problem
/// returned beside the chain instead of refusing. Errs only when the directory is unreadable.
pub fn read_chain_leniently(directory: &Path) -> Result<(Chain, Vec<Error>)> {
    let (revisions, mut problems) = scan(directory)?;
    let chain = match order_chain(directory, revisions.clone()) {
        Ok(chain) => chain,
        Err(problem) => {
            problems.push(problem);
            Chain {
                directory: directory.to_path_buf(),
                revisions,
            }
        }
    };
    Ok((chain, problems))
}

/// The readable revisions in `directory` in id order, and a problem for every file that is
/// not one (badly named, unpaired, unreadable header).
fn scan(directory: &Path) -> Result<(Vec<Revision>, Vec<Error>)> {
    let entries = std::fs::read_dir(directory).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::Usage(format!(
                "{} not found\n  hint: run `autogen init`, or set `migrations` in autogen.toml",
                directory.display()
            ))
        } else {
            Error::io(directory, source)
        }
    })?;
    let mut problems = Vec::new();
    let mut files: BTreeMap<String, (Option<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::io(directory, source))?;
        let file_name = entry.file_name().to_string_lossy().to_string();
        if file_name.starts_with('.') || !file_name.ends_with(".sql") {
            continue;
        }
        let path = entry.path();
        let (name, is_up) = if let Some(name) = file_name.strip_suffix(UP_SUFFIX) {
            (name, true)
        } else if let Some(name) = file_name.strip_suffix(DOWN_SUFFIX) {
            (name, false)
        } else {
            problems.push(revision_error(&path, not_a_revision_name()));
            continue;
        };
        if id_of(name).is_none() {
            problems.push(revision_error(&path, not_a_revision_name()));
            continue;
        }
        let slot = files.entry(name.to_string()).or_default();
        if is_up {
            slot.0 = Some(path);
        } else {
            slot.1 = Some(path);
        }
    }
    let mut revisions = Vec::new();
    for (name, (up_path, down_path)) in files {
        let (up_path, down_path) = match (up_path, down_path) {
            (Some(up), Some(down)) => (up, down),
            (Some(present), None) | (None, Some(present)) => {
                let missing = if present.to_string_lossy().ends_with(UP_SUFFIX) {
                    DOWN_SUFFIX
                } else {
                    UP_SUFFIX
                };
                problems.push(revision_error(
                    &present,
                    format!(
                        "has no matching {name}{missing}; a revision is a pair of files\n  \
                         hint: restore the missing file from version control"
                    ),
                ));
                continue;
            }
            (None, None) => continue,
        };
        match read_revision(&name, up_path, down_path) {
            Ok(revision) => revisions.push(revision),
            Err(problem) => problems.push(problem),
        }
    }
    Ok((revisions, problems))
}

fn not_a_revision_name() -> String {
    "is not named like a revision file (<yyyymmddHHMMSS>_<slug>.up.sql and .down.sql)\n  \
     hint: move other SQL files out of the migrations directory"
        .to_string()
}

/// The id part of `<id>_<slug>`, when it is 14 digits.
fn id_of(name: &str) -> Option<&str> {
    let (id, slug) = name.split_once('_').unwrap_or((name, ""));
    let is_id = id.len() == 14 && id.bytes().all(|byte| byte.is_ascii_digit());
    (is_id && !slug.is_empty()).then_some(id)
}

fn read_revision(name: &str, up_path: PathBuf, down_path: PathBuf) -> Result<Revision> {
    let up_bytes = crate::fs::read_input(&up_path)?;
    let down_bytes = crate::fs::read_input(&down_path)?;
    let as_text = |bytes: Vec<u8>, path: &Path| {
        String::from_utf8(bytes).map_err(|_| revision_error(path, "is not valid UTF-8"))
    };
    let checksum = checksum(&up_bytes, &down_bytes);
    let up_text = as_text(up_bytes, &up_path)?;
    let down_text = as_text(down_bytes, &down_path)?;
    let header = Header::parse(&up_text, &up_path)?;
    let down_header = Header::parse(&down_text, &down_path)?;
    let id = id_of(name).unwrap_or(name).to_string();
    for (path, file_header) in [(&up_path, &header), (&down_path, &down_header)] {
        if file_header.revision != id {
            return Err(revision_error(
                path,
                format!(
                    "the header says revision {} but the file name says {id}\n  hint: make the \
                     `{HEADER_FIRST}` line and the file name agree",
                    file_header.revision
                ),
            ));
        }
    }
    if down_header.parent != header.parent {
        return Err(revision_error(
            &down_path,
            format!(
                "its parent ({}) differs from the up file's ({})\n  hint: make the \
                 `-- parent:` lines of both files name the same revision",
                down_header.parent.as_deref().unwrap_or("none"),
                header.parent.as_deref().unwrap_or("none")
            ),
        ));
    }
    Ok(Revision {
        id,
        name: name.to_string(),
        up_path,
        down_path,
        header,
        down_accepted: down_header.accepted,
        up_text,
        down_text,
        checksum,
    })
}

/// Orders revisions by their parent links, refusing duplicates, forks, missing parents
/// and cycles.
fn order_chain(directory: &Path, revisions: Vec<Revision>) -> Result<Chain> {
    let mut by_id: BTreeMap<&str, &Revision> = BTreeMap::new();
    for revision in &revisions {
        if let Some(other) = by_id.insert(&revision.id, revision) {
            return Err(revision_error(
                &revision.up_path,
                format!(
                    "revision id {} is also used by {}\n  hint: give one of them a later id \
                     (file names and the `{HEADER_FIRST}` lines)",
                    revision.id,
                    other.up_path.display()
                ),
            ));
        }
    }
    let mut children: BTreeMap<Option<&str>, Vec<&Revision>> = BTreeMap::new();
    for revision in &revisions {
        if let Some(parent) = revision.parent() {
            if !by_id.contains_key(parent) {
                return Err(revision_error(
                    &revision.up_path,
                    format!(
                        "revision {} names parent {parent}, which is not in {}\n  hint: restore \
                         {parent}'s files from version control, or correct the `-- parent:` \
                         lines of {}",
                        revision.id,
                        directory.display(),
                        revision.id
                    ),
                ));
            }
        }
        children
            .entry(revision.parent())
            .or_default()
            .push(revision);
    }
    for (parent, siblings) in &children {
        if let [kept, moved, ..] = siblings.as_slice() {
            let parent_text = match parent {
                Some(parent) => format!("both have parent {parent}"),
                None => "both have no parent (two first revisions)".to_string(),
            };
            return Err(revision_error(
                &moved.up_path,
                format!(
                    "revisions {} and {} {parent_text}: two branches of history were merged\n  \
                     hint: `autogen rebase` puts {} after the last revision of {}'s branch; or, \
                     if {} is not applied to any database, delete its two files, run `autogen \
                     upgrade`, then `autogen migrate -m \"{}\"` again; or set the `-- parent:` \
                     line of both its files to {}",
                    kept.id,
                    moved.id,
                    moved.id,
                    kept.id,
                    moved.id,
                    moved.message(),
                    kept.id
                ),
            ));
        }
    }
    let mut order = Vec::new();
    let mut parent: Option<&str> = None;
    while let Some(next) = children.get(&parent).and_then(|siblings| siblings.first()) {
        order.push(next.id.clone());
        parent = Some(&next.id);
    }
    if order.len() != revisions.len() {
        let reached: BTreeSet<&String> = order.iter().collect();
        let stray: Vec<&str> = revisions
            .iter()
            .filter(|revision| !reached.contains(&revision.id))
            .map(|revision| revision.id.as_str())
            .collect();
        return Err(Error::Revision {
            path: directory.to_path_buf(),
            message: format!(
                "revisions {} do not lead back to a first revision (their parents form a \
                 cycle)\n  hint: correct their `-- parent:` lines",
                stray.join(", ")
            ),
        });
    }
    let mut by_id: BTreeMap<String, Revision> = revisions
        .into_iter()
        .map(|revision| (revision.id.clone(), revision))
        .collect();
    Ok(Chain {
        directory: directory.to_path_buf(),
        revisions: order.iter().filter_map(|id| by_id.remove(id)).collect(),
    })
}

fn revision_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Revision {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The first 12 hex digits of a checksum, as messages show it.
pub fn short_checksum(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

/// sha256 (hex) of the up file's bytes followed by the down file's.
pub fn checksum(up: &[u8], down: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(up);
    hasher.update(down);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The current UTC time to the second, or `$AUTOGEN_NOW`.
pub fn now() -> Result<OffsetDateTime> {
    let now = match std::env::var(NOW_ENV) {
        Ok(text) => OffsetDateTime::parse(&text, &Rfc3339).map_err(|error| {
            Error::Usage(format!(
                "${NOW_ENV} must be an RFC 3339 time such as 2026-11-24T17:00:00Z: {error}"
            ))
        })?,
        Err(_) => OffsetDateTime::now_utc(),
    };
    Ok(now
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(now))
}

/// The id for a new revision created at `now`: its UTC timestamp, bumped past `latest` so
/// ids stay unique and increasing.
pub fn next_id(now: OffsetDateTime, latest: Option<&str>) -> Result<(String, OffsetDateTime)> {
    let mut created = now.to_offset(time::UtcOffset::UTC);
    if let Some(latest) = latest {
        if let Ok(latest) = PrimitiveDateTime::parse(latest, ID_FORMAT) {
            let after_latest = latest.assume_utc() + Duration::seconds(1);
            if after_latest > created {
                created = after_latest;
            }
        }
    }
    let id = created
        .format(ID_FORMAT)
        .map_err(|error| Error::Usage(format!("cannot format a revision id: {error}")))?;
    Ok((id, created))
}

pub fn format_created(created: OffsetDateTime) -> Result<String> {
    created
        .format(&Rfc3339)
        .map_err(|error| Error::Usage(format!("cannot format the creation time: {error}")))
}

/// `Add vaccination status!` → `add_vaccination_status`; ASCII only, at most 60 bytes.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for character in message.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('_');
    if slug.is_empty() {
        "revision".to_string()
    } else {
        slug.to_string()
    }
}

/// A revision about to be written.
#[derive(Debug, Clone)]
pub struct NewRevision {
    pub id: String,
    pub name: String,
    pub up_path: PathBuf,
    pub down_path: PathBuf,
    pub up_text: String,
    pub down_text: String,
}

impl NewRevision {
    /// Lays out a revision: each script under its header (the same revision, parent,
    /// message and time; each file's own hazards).
    pub fn new(
        directory: &Path,
        header: &Header,
        down_header: &Header,
        up_sql: &str,
        down_sql: &str,
    ) -> NewRevision {
        let name = format!("{}_{}", header.revision, slug(&header.message));
        NewRevision {
            id: header.revision.clone(),
            up_path: directory.join(format!("{name}{UP_SUFFIX}")),
            down_path: directory.join(format!("{name}{DOWN_SUFFIX}")),
            name,
            up_text: format!("{}\n{up_sql}", header.render()),
            down_text: format!("{}\n{down_sql}", down_header.render()),
        }
    }

    /// Writes both files or neither, never replacing a file: each goes to a synced
    /// temporary file first, then takes its name only if the name is free (so a concurrent
    /// writer of the same id is refused, not overwritten); if the second fails the first file
    /// is removed.
    pub fn write(&self) -> Result<()> {
        let up = crate::fs::temporary_beside(&self.up_path, self.up_text.as_bytes())?;
        let down = crate::fs::temporary_beside(&self.down_path, self.down_text.as_bytes())?;
        persist_new(up, &self.up_path)?;
        persist_new(down, &self.down_path).inspect_err(|_| {
            let _ = std::fs::remove_file(&self.up_path);
        })?;
        if let Some(directory) = self.up_path.parent() {
            // Persists the names themselves; a failure here leaves both files in place.
            if let Ok(directory) = std::fs::File::open(directory) {
                let _ = directory.sync_all();
            }
        }
        Ok(())
    }
}

/// Gives `file` the name `path`, failing if `path` exists.
fn persist_new(file: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    match file.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => Err(
            revision_error(path, "already exists; autogen never overwrites a revision"),
        ),
        Err(error) => Err(Error::io(path, error.error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::statements::split_statements;

    #[test]
    fn headers_round_trip() {
        let header = Header {
            revision: "20261124170000".into(),
            parent: Some("20261124160000".into()),
            message: "add vaccination status".into(),
            created: "2026-11-24T17:00:00Z".into(),
            hazards: vec!["ACCESS EXCLUSIVE lock: students".into()],
            steps: None,
            accepted: BTreeSet::from([HazardKind::DataLoss, HazardKind::Rewrite]),
        };
        let text = format!("{}\nSELECT 1;\n", header.render());
        assert!(
            text.contains(
                "--   ACCESS EXCLUSIVE lock: students\n-- accepted hazards: data-loss, rewrite\n"
            ),
            "{text}"
        );
        assert_eq!(
            Header::parse(&text, Path::new("x.sql")).expect("parses"),
            header
        );
        let first = Header {
            parent: None,
            hazards: Vec::new(),
            steps: None,
            accepted: BTreeSet::new(),
            ..header
        };
        assert!(first.render().contains("-- parent: none\n-- message"));
        assert!(first.render().ends_with("-- hazards: none\n"));
        assert_eq!(
            Header::parse(&first.render(), Path::new("x.sql")).expect("parses"),
            first
        );
    }

    #[test]
    fn hostile_header_values_stay_in_their_comment_lines_and_read_back() {
        let header = Header {
            revision: "20261124170000".into(),
            parent: None,
            message: "drop\nDROP TABLE students;\r-- \\n \u{1b}[2J".into(),
            created: "2026-11-24T17:00:00Z".into(),
            hazards: vec!["ACCESS EXCLUSIVE lock: \"a\nb\"; SELECT 1".into()],
            steps: None,
            accepted: BTreeSet::new(),
        };
        let text = format!("{}\nSELECT 1;\n", header.render());
        assert!(
            text.lines().take(6).all(|line| line.starts_with("--")),
            "{text}"
        );
        let statements = split_statements(&text, Path::new("x.sql")).expect("splits");
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert_eq!(
            Header::parse(&text, Path::new("x.sql")).expect("parses"),
            header
        );
    }

    #[test]
    fn an_unknown_accepted_kind_is_a_revision_error() {
        let text = "-- autogen revision 20261124170000\n-- parent: none\n\
                    -- accepted hazards: data-loss, everything\n";
        let error = Header::parse(text, Path::new("x.up.sql")).expect_err("unknown kind");
        let message = error.to_string();
        assert!(
            message.starts_with(
                "x.up.sql: `-- accepted hazards:` line: unknown hazard kind \"everything\""
            ),
            "{message}"
        );
    }

    #[test]
    fn slugs_and_ids() {
        assert_eq!(slug("Add vaccination status!"), "add_vaccination_status");
        assert_eq!(slug("  ---  "), "revision");
        let now = OffsetDateTime::parse("2026-11-24T17:00:00Z", &Rfc3339).expect("time");
        assert_eq!(next_id(now, None).expect("id").0, "20261124170000");
        assert_eq!(
            next_id(now, Some("20261124170000")).expect("id").0,
            "20261124170001"
        );
        assert_eq!(
            next_id(now, Some("20261124160000")).expect("id").0,
            "20261124170000"
        );
        assert_eq!(
            format_created(now).expect("formats"),
            "2026-11-24T17:00:00Z"
        );
    }

    #[test]
    fn a_revision_is_written_whole_or_not_at_all() {
        let directory =
            std::env::temp_dir().join(format!("autogen-pair-{}-{}", std::process::id(), line!()));
        std::fs::create_dir_all(&directory).expect("temp dir");
        let header = Header {
            revision: "20261124170000".into(),
            parent: None,
            message: "first".into(),
            created: "2026-11-24T17:00:00Z".into(),
            hazards: Vec::new(),
            steps: None,
            accepted: BTreeSet::new(),
        };
        let revision = NewRevision::new(&directory, &header, &header, "SELECT 1;\n", "");
        // A directory where the down file should go makes the second link fail.
        std::fs::create_dir_all(directory.join("blocker")).expect("blocker");
        std::fs::write(directory.join("blocker").join("keep"), "x").expect("non-empty");
        let blocked = NewRevision {
            down_path: directory.join("blocker"),
            ..revision.clone()
        };
        assert!(blocked.write().is_err(), "refuses an existing path");
        assert!(!revision.up_path.exists(), "no half-written revision");
        std::fs::remove_dir_all(directory.join("blocker")).expect("cleanup");

        revision.write().expect("writes");
        let chain = read_chain(&directory).expect("reads");
        assert_eq!(chain.revisions.len(), 1);
        assert_eq!(chain.revisions[0].name, "20261124170000_first");
        assert!(revision.write().is_err(), "never overwrites");
        let leftovers: Vec<String> = std::fs::read_dir(&directory)
            .expect("lists")
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().to_string())
            .filter(|name| name.contains("autogen-tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        std::fs::remove_dir_all(&directory).expect("cleanup");
    }
}
