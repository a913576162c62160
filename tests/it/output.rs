//! Every printing command against an unwritable stream (`/dev/full`: exit 2 naming the
//! stream) and a closed pipe (`autogen check | head -1`: a quiet exit 0, never a panic).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::scratch::ScratchDb;

const STUDENTS: &str = "\
tables:
  students:
    columns:
      id: { type: bigint, identity: always }
    primary_key: [id]
";

/// Where a run's standard output or error goes.
#[derive(Debug, Clone, Copy)]
enum Sink {
    Full,
    ClosedPipe,
}

impl Sink {
    fn stdio(self) -> Stdio {
        match self {
            Sink::Full => File::options()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full opens")
                .into(),
            Sink::ClosedPipe => {
                let (reader, writer) = std::io::pipe().expect("a pipe");
                drop(reader);
                writer.into()
            }
        }
    }
}

/// A temporary project directory on a scratch database, removed on drop.
struct Project {
    directory: PathBuf,
    database: ScratchDb,
}

impl Project {
    async fn new() -> Project {
        let directory = std::env::temp_dir().join(format!("autogen-output-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(directory.join("schema")).expect("schema/");
        std::fs::create_dir_all(directory.join("migrations")).expect("migrations/");
        let database = ScratchDb::create("autogen_output").await;
        std::fs::write(
            directory.join("autogen.toml"),
            format!("database_url = \"{}\"\n", database.url),
        )
        .expect("autogen.toml");
        std::fs::write(directory.join("schema/schema.yaml"), STUDENTS).expect("schema.yaml");
        Project {
            directory,
            database,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
        command
            .args(args)
            .current_dir(&self.directory)
            .env_remove("DATABASE_URL")
            .env("AUTOGEN_NOW", "2026-11-24T16:00:00Z");
        command
    }

    /// Runs `args` with standard output going to `sink`.
    fn to_stdout(&self, args: &[&str], sink: Sink) -> Output {
        self.command(args)
            .stdout(sink.stdio())
            .output()
            .expect("autogen runs")
    }

    /// Runs `args` with standard error going to `sink`.
    fn to_stderr(&self, args: &[&str], sink: Sink) -> Output {
        self.command(args)
            .stderr(sink.stdio())
            .output()
            .expect("autogen runs")
    }

    /// What `autogen current` prints.
    fn current(&self) -> String {
        let output = self.command(&["current"]).output().expect("autogen runs");
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.directory.join(relative)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn assert_full_stdout_is_an_error(project: &Project, args: &[&str]) {
    let output = project.to_stdout(args, Sink::Full);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stderr(&output)
    );
    assert!(
        stderr(&output)
            .starts_with("error: cannot write to standard output: No space left on device"),
        "{args:?}: {}",
        stderr(&output)
    );
}

fn assert_closed_pipe_is_quiet(project: &Project, args: &[&str]) {
    let output = project.to_stdout(args, Sink::ClosedPipe);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("error"),
        "{args:?}: {}",
        stderr(&output)
    );
}

#[tokio::test]
async fn every_printing_command_reports_a_full_disk_and_quits_quietly_on_a_closed_pipe() {
    let project = Project::new().await;
    let migrate = project
        .command(&["migrate", "-m", "create students"])
        .output();
    let migrate = migrate.expect("autogen runs");
    assert_eq!(migrate.status.code(), Some(0), "{}", stderr(&migrate));

    for sink in [Sink::Full, Sink::ClosedPipe] {
        let output = project.to_stdout(&["upgrade", "--sql"], sink);
        let code = output.status.code();
        match sink {
            Sink::Full => assert_eq!(code, Some(2), "{}", stderr(&output)),
            Sink::ClosedPipe => assert_eq!(code, Some(0), "{}", stderr(&output)),
        }
    }
    // A progress line that cannot be printed does not stop the upgrade: it applies, then fails.
    assert_full_stdout_is_an_error(&project, &["upgrade"]);
    assert_eq!(project.current(), "20261124160000 create students (head)\n");
    assert_closed_pipe_is_quiet(&project, &["downgrade", "base"]);
    assert_eq!(
        project.current(),
        "base (1 revision pending: run `autogen upgrade`)\n"
    );
    assert_closed_pipe_is_quiet(&project, &["upgrade"]);
    assert_eq!(project.current(), "20261124160000 create students (head)\n");

    let empty = project.path("empty.yaml");
    std::fs::write(&empty, "tables: {}\n").expect("empty.yaml");
    let empty = empty.to_string_lossy().to_string();
    let url = project.database.url.clone();
    let commands: [&[&str]; 9] = [
        &["diff", "--from", &url, "--to", &empty],
        &["inspect", "--database-url", &url],
        &["check"],
        &["current"],
        &["history"],
        &["show", "head"],
        &["migrate", "-m", "nothing to do"],
        &["stamp", "head"],
        &["upgrade", "--dry-run"],
    ];
    for args in commands {
        assert_full_stdout_is_an_error(&project, args);
        assert_closed_pipe_is_quiet(&project, args);
    }

    // `-o` names a device or a pipe: written directly, never renamed over.
    let inspect = project
        .command(&["inspect", "--database-url", &url, "-o", "/dev/full"])
        .output()
        .expect("autogen runs");
    assert_eq!(inspect.status.code(), Some(2), "{}", stderr(&inspect));
    assert_eq!(
        stderr(&inspect),
        "error: /dev/full: No space left on device (os error 28)\n"
    );
    assert!(Path::new("/dev/full")
        .metadata()
        .is_ok_and(|metadata| !metadata.is_file()));
    let to_stdout = ["inspect", "--database-url", &url, "-o", "/dev/stdout"];
    let inspect = project.to_stdout(&to_stdout, Sink::Full);
    assert_eq!(inspect.status.code(), Some(2), "{}", stderr(&inspect));
    assert!(
        stderr(&inspect).starts_with("error: /dev/stdout: No space left on device"),
        "{}",
        stderr(&inspect)
    );
    assert_closed_pipe_is_quiet(&project, &to_stdout);

    // `upgrade --sql` at head says so on standard error.
    let nothing = project.to_stderr(&["upgrade", "--sql"], Sink::Full);
    assert_eq!(nothing.status.code(), Some(2));
    let nothing = project.to_stderr(&["upgrade", "--sql"], Sink::ClosedPipe);
    assert_eq!(nothing.status.code(), Some(0));
}

#[test]
fn help_and_usage_errors_go_through_the_same_checks() {
    let autogen = || Command::new(env!("CARGO_BIN_EXE_autogen"));
    let help = autogen()
        .arg("--help")
        .stdout(Sink::Full.stdio())
        .output()
        .expect("autogen runs");
    assert_eq!(help.status.code(), Some(2), "{}", stderr(&help));
    assert!(
        stderr(&help).starts_with("error: cannot write to standard output"),
        "{}",
        stderr(&help)
    );
    let help = autogen()
        .arg("--help")
        .stdout(Sink::ClosedPipe.stdio())
        .output()
        .expect("autogen runs");
    assert_eq!(help.status.code(), Some(0), "{}", stderr(&help));
    let usage = autogen()
        .arg("no-such-command")
        .stderr(Sink::ClosedPipe.stdio())
        .output()
        .expect("autogen runs");
    assert_eq!(usage.status.code(), Some(2));
}
