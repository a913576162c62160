//! A temporary project directory and its scratch database, and one run of the binary in
//! it: shared by the tests that run the revision workflow as a user does.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::scratch::ScratchDb;

static PROJECT_COUNTER: AtomicUsize = AtomicUsize::new(0);

pub(crate) const FIRST: &str = "2026-11-24T16:00:00Z";
pub(crate) const SECOND: &str = "2026-11-24T17:00:00Z";
pub(crate) const THIRD: &str = "2026-11-24T18:00:00Z";

pub(crate) const STUDENTS: &str = "\
tables:
  students:
    columns:
      id: { type: bigint, identity: always }
      full_name: { type: text, nullable: false }
    primary_key: [id]
";

pub(crate) const STUDENTS_VACCINATED: &str = "\
tables:
  students:
    columns:
      id: { type: bigint, identity: always }
      full_name: { type: text, nullable: false }
      vaccinated: { type: boolean, nullable: false, default: \"false\" }
    primary_key: [id]
";

/// What one run of the binary did.
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }
}

/// A temporary project directory (removed on drop) and its scratch database.
pub(crate) struct Project {
    pub(crate) directory: PathBuf,
    pub(crate) database: ScratchDb,
}

impl Project {
    /// An initialized project whose autogen.toml names the scratch database.
    pub(crate) async fn new() -> Project {
        let project = Project::empty().await;
        let init = project.run(FIRST, &["init", "--database-url", &project.database.url]);
        assert_eq!(init.code, Some(0), "{init:?}");
        project
    }

    pub(crate) async fn empty() -> Project {
        let directory = std::env::temp_dir().join(format!(
            "autogen-workflow-{}-{}",
            std::process::id(),
            PROJECT_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).expect("project directory");
        Project {
            directory,
            database: ScratchDb::create("autogen_workflow").await,
        }
    }

    /// An empty project directory with `schema/` and `migrations/`, but no autogen.toml.
    pub(crate) async fn laid_out() -> Project {
        let project = Project::empty().await;
        std::fs::create_dir_all(project.path("migrations")).expect("migrations/");
        std::fs::create_dir_all(project.path("schema")).expect("schema/");
        project
    }

    pub(crate) fn command(&self, now: &str, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
        command
            .args(args)
            .current_dir(&self.directory)
            .env_remove("DATABASE_URL")
            .env("AUTOGEN_NOW", now);
        command
    }

    pub(crate) fn run(&self, now: &str, args: &[&str]) -> Run {
        self.command(now, args)
            .output()
            .expect("autogen runs")
            .into()
    }

    pub(crate) fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.directory.join(relative), text).expect("writes a project file");
    }

    pub(crate) fn migrations(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.directory.join("migrations"))
            .expect("migrations/")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        names.sort();
        names
    }

    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.directory.join(relative)
    }

    /// The two revisions most tests start from: students, then students.vaccinated, both
    /// written but not applied.
    pub(crate) fn two_revisions(&self) {
        self.write("schema/schema.yaml", STUDENTS);
        let first = self.run(FIRST, &["migrate", "-m", "create students"]);
        assert_eq!(first.code, Some(0), "{first:?}");
        let upgrade = self.run(FIRST, &["upgrade"]);
        assert_eq!(upgrade.code, Some(0), "{upgrade:?}");
        self.write("schema/schema.yaml", STUDENTS_VACCINATED);
        let second = self.run(SECOND, &["migrate", "-m", "add vaccination status"]);
        assert_eq!(second.code, Some(0), "{second:?}");
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
