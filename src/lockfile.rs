//! The project-level lock: `migrations/.autogen.lock`, created exclusively by the run that
//! writes revisions (`migrate`), so two runs in one project never pick the same parent.
//!
//! File IO only. The file holds the owner's pid, host and start time; a lock whose owner is
//! gone (same host, no such process) or that is older than `STALE_AFTER` is broken.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

pub const FILE_NAME: &str = ".autogen.lock";
/// No `migrate` takes this long, so an older lock from another host is left over.
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Held until dropped, which removes the file.
#[derive(Debug)]
pub struct ProjectLock {
    path: PathBuf,
}

/// What a lock file says about its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    pid: u32,
    host: String,
    /// Seconds since the Unix epoch.
    since: u64,
}

impl Owner {
    fn me() -> Owner {
        Owner {
            pid: std::process::id(),
            host: host_name(),
            since: seconds_since_epoch(SystemTime::now()),
        }
    }

    fn render(&self) -> String {
        format!(
            "pid={}\nhost={}\nsince={}\n",
            self.pid, self.host, self.since
        )
    }

    fn parse(text: &str) -> Option<Owner> {
        let mut fields = text.lines().filter_map(|line| line.split_once('='));
        let mut next = |key: &str| {
            fields
                .next()
                .filter(|(found, _)| *found == key)
                .map(|(_, value)| value.to_string())
        };
        Some(Owner {
            pid: next("pid")?.parse().ok()?,
            host: next("host")?,
            since: next("since")?.parse().ok()?,
        })
    }

    fn is_stale(&self, now: u64) -> bool {
        let gone = self.host == host_name() && !process_exists(self.pid);
        gone || now.saturating_sub(self.since) > STALE_AFTER.as_secs()
    }
}

impl ProjectLock {
    /// Creates the lock file in `directory`, breaking a stale one; refuses, naming the
    /// owner, when another live run holds it.
    pub fn acquire(directory: &Path) -> Result<ProjectLock> {
        let path = directory.join(FILE_NAME);
        let me = Owner::me();
        // One retry: the first attempt may find a stale file, which is then moved aside.
        for _ in 0..2 {
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            match created {
                Ok(mut file) => {
                    let lock = ProjectLock { path };
                    file.write_all(me.render().as_bytes())
                        .and_then(|()| file.sync_all())
                        .map_err(|source| Error::io(&lock.path, source))?;
                    return Ok(lock);
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = match std::fs::read_to_string(&path) {
                        Ok(text) => text,
                        // Released between our attempt and the read.
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(source) => return Err(Error::io(&path, source)),
                    };
                    let owner = Owner::parse(&text);
                    let stale = match &owner {
                        Some(owner) => owner.is_stale(me.since),
                        // Half-written by a run that died between creating and writing it.
                        None => modified_before(&path, STALE_AFTER),
                    };
                    if !stale {
                        return Err(held_error(&path, owner.as_ref()));
                    }
                    break_stale(&path, &text)?;
                }
                Err(source) => return Err(Error::io(&path, source)),
            }
        }
        Err(held_error(&path, None))
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Moves the stale file aside before removing it, so two runs breaking the same stale lock
/// cannot remove a fresh one: only the run whose rename took the stale text removes it.
fn break_stale(path: &Path, stale_text: &str) -> Result<()> {
    let aside = path.with_file_name(format!("{FILE_NAME}.stale-{}", std::process::id()));
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::io(path, source)),
    }
    let moved = std::fs::read_to_string(&aside).unwrap_or_default();
    if moved != stale_text {
        // Another run broke the stale lock and took it in between: put its lock back.
        let restored = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        restored.map_err(|source| Error::io(path, source))?;
        return Err(held_error(path, Owner::parse(&moved).as_ref()));
    }
    std::fs::remove_file(&aside).map_err(|source| Error::io(&aside, source))
}

fn held_error(path: &Path, owner: Option<&Owner>) -> Error {
    let who = match owner {
        Some(owner) => format!(
            "pid {} on {}, {} s ago",
            owner.pid,
            owner.host,
            seconds_since_epoch(SystemTime::now()).saturating_sub(owner.since)
        ),
        None => "an unknown run".to_string(),
    };
    Error::Workflow(format!(
        "another autogen run is writing a revision in this project ({who}); nothing was \
         written\n  hint: run again once it has finished; if no such run exists, remove {}",
        path.display()
    ))
}

fn modified_before(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

fn seconds_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The kernel's host name where `/proc` has it, else `$HOSTNAME`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown-host".to_string())
}

/// Whether `pid` runs on this host. Without `/proc` there is no way to tell, so the owner
/// counts as alive and only `STALE_AFTER` breaks its lock.
fn process_exists(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory(tag: &str) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("autogen-lock-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).expect("temp dir");
        directory
    }

    #[test]
    fn a_held_lock_refuses_and_a_dead_owner_s_lock_is_broken() {
        let directory = directory("held");
        let lock = ProjectLock::acquire(&directory).expect("first run locks");
        let refused = ProjectLock::acquire(&directory).expect_err("second run refused");
        assert!(
            refused
                .to_string()
                .contains(&format!("pid {} on ", std::process::id())),
            "{refused}"
        );
        drop(lock);
        assert!(!directory.join(FILE_NAME).exists(), "released on drop");

        let dead = Owner {
            pid: u32::MAX,
            ..Owner::me()
        };
        std::fs::write(directory.join(FILE_NAME), dead.render()).expect("stale lock");
        let lock = ProjectLock::acquire(&directory).expect("stale lock broken");
        drop(lock);

        let old = Owner {
            host: "elsewhere".into(),
            since: 0,
            ..Owner::me()
        };
        std::fs::write(directory.join(FILE_NAME), old.render()).expect("old lock");
        drop(ProjectLock::acquire(&directory).expect("old lock broken"));
        let fresh = Owner {
            host: "elsewhere".into(),
            ..Owner::me()
        };
        std::fs::write(directory.join(FILE_NAME), fresh.render()).expect("fresh lock");
        assert!(ProjectLock::acquire(&directory).is_err(), "another host's");
        std::fs::remove_dir_all(&directory).expect("cleanup");
    }

    #[test]
    fn owners_round_trip() {
        let owner = Owner::me();
        assert_eq!(Owner::parse(&owner.render()), Some(owner));
        assert_eq!(Owner::parse("pid=1\n"), None);
    }
}
