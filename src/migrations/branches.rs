//! Forked histories: the heads of the revisions on disk (more than one after two branches
//! that each added a revision are merged), and `rebase`, which puts the newer branch after
//! the older one by rewriting one revision's `-- parent:` lines.

use std::collections::BTreeMap;
use std::path::Path;

use super::{read_chain, revision_error, scan, Revision};
use crate::error::{Error, Result};
use crate::syntax::quote::comment_text;

/// The revisions no other revision names as parent, in id order, read leniently: files
/// that cannot be read are left out, each problem returned beside the heads.
pub fn heads(directory: &Path) -> Result<(Vec<Revision>, Vec<Error>)> {
    let (revisions, problems) = scan(directory)?;
    let heads = revisions
        .iter()
        .filter(|revision| {
            !revisions
                .iter()
                .any(|child| child.parent() == Some(revision.id.as_str()))
        })
        .cloned()
        .collect();
    Ok((heads, problems))
}

/// What `rebase` changed: `moved` (as it is now) had `old_parent` and now follows `tip`.
#[derive(Debug)]
pub struct Rebased {
    pub moved: Revision,
    pub old_parent: Option<String>,
    pub old_checksum: String,
    /// The other branch's last revision.
    pub tip: String,
    /// Another fork remains (more than two branches); it needs another rebase.
    pub remaining_fork: Option<Error>,
}

/// Where two revisions have the same parent, re-parents the newer one (the later id) onto
/// the last revision of the older one's branch, rewriting both its files. Its statements
/// are kept as they are; its checksum changes with the header.
pub fn rebase(directory: &Path) -> Result<Rebased> {
    let (revisions, problems) = scan(directory)?;
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem);
    }
    let mut children: BTreeMap<Option<&str>, Vec<&Revision>> = BTreeMap::new();
    for revision in &revisions {
        children
            .entry(revision.parent())
            .or_default()
            .push(revision);
    }
    let Some(siblings) = children.values().find(|siblings| siblings.len() > 1) else {
        return Err(Error::Usage(format!(
            "nothing to rebase: the revisions in {} form one line\n  hint: `autogen heads` \
             lists the heads; a fork has more than one",
            directory.display()
        )));
    };
    // `scan` reads revisions in id order, so the first sibling is the oldest.
    let (kept, moved) = (siblings[0], siblings[siblings.len() - 1]);
    let mut tip = kept;
    while let Some(next) = children.get(&Some(tip.id.as_str())) {
        match next.as_slice() {
            [only] => tip = only,
            _ => {
                return Err(revision_error(
                    &tip.up_path,
                    format!(
                        "the branch of {} forks again after {}; rebase cannot tell which of \
                         its branches {} goes after\n  hint: set the `-- parent:` lines of {} \
                         by hand",
                        kept.id, tip.id, moved.id, moved.id
                    ),
                ))
            }
        }
    }
    let old_parent = moved.parent().map(str::to_string);
    let old_checksum = moved.checksum.clone();
    let tip_id = tip.id.clone();
    for (path, text) in [
        (&moved.up_path, &moved.up_text),
        (&moved.down_path, &moved.down_text),
    ] {
        let rewritten = reparented(text, &tip_id)
            .ok_or_else(|| revision_error(path, "its header has no `-- parent:` line"))?;
        crate::fs::write_atomically(path, rewritten.as_bytes())?;
    }
    let moved_id = moved.id.clone();
    let remaining_fork = read_chain(directory).err();
    let (revisions, _) = scan(directory)?;
    let moved = revisions
        .into_iter()
        .find(|revision| revision.id == moved_id)
        .ok_or_else(|| Error::Usage(format!("revision {moved_id} vanished during the rebase")))?;
    Ok(Rebased {
        moved,
        old_parent,
        old_checksum,
        tip: tip_id,
        remaining_fork,
    })
}

/// `text` with the header's `-- parent:` line naming `parent`; `None` without one.
fn reparented(text: &str, parent: &str) -> Option<String> {
    let mut replaced = false;
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        let in_header = line.starts_with("--");
        if !replaced && in_header && line.trim_start_matches('-').trim().starts_with("parent:") {
            let ending = if line.ends_with('\n') { "\n" } else { "" };
            lines.push(format!("-- parent: {}{ending}", comment_text(parent)));
            replaced = true;
        } else {
            lines.push(line.to_string());
        }
        if !in_header && !replaced {
            return None;
        }
    }
    replaced.then(|| lines.concat())
}
