//! The terminal: `--color` and `NO_COLOR`, `-q` and `-v`, `diff`'s usage, and autogen.toml
//! found from a subdirectory.

use std::process::Command;

use crate::project::{Project, Run, FIRST, STUDENTS, STUDENTS_VACCINATED};

/// The binary with no colour settings inherited from the environment running the tests.
fn plain_command(project: &Project, args: &[&str]) -> Command {
    let mut command = project.command(FIRST, args);
    command
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    command
}

fn run(mut command: Command) -> Run {
    command.output().expect("autogen runs").into()
}

const ESCAPE: char = '\u{1b}';

/// A project whose schema file is one revision ahead, so `check` prints a YAML diff.
async fn missing_revision() -> Project {
    let project = Project::laid_out().await;
    project.write("autogen.toml", "");
    project.write("schema/schema.yaml", STUDENTS);
    let migrate = project.run(FIRST, &["migrate", "-m", "create students"]);
    assert_eq!(migrate.code, Some(0), "{migrate:?}");
    project.write("schema/schema.yaml", STUDENTS_VACCINATED);
    project
}

#[tokio::test]
async fn color_follows_the_flag_then_no_color_then_the_terminal() {
    let project = missing_revision().await;
    let check = |args: &[&str], environment: &[(&str, &str)]| {
        let mut command = plain_command(&project, &[&["check"], args].concat());
        command.envs(environment.iter().copied());
        let check = run(command);
        assert_eq!(check.code, Some(1), "{check:?}");
        check.stdout.contains(ESCAPE)
    };
    // Piped, `auto` means no colour; CLICOLOR_FORCE asks for it anyway, NO_COLOR wins over that.
    assert!(!check(&[], &[]));
    assert!(check(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!check(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    // The flag wins over the environment.
    assert!(check(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!check(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    let coloured = run(plain_command(&project, &["check", "--color=always"]));
    assert!(
        coloured.stdout.contains("\u{1b}[32m+      vaccinated:"),
        "{coloured:?}"
    );

    // Help and usage errors, which clap reports before parsing is done, follow it too.
    for (args, coloured) in [
        (&["--color", "always", "--help"][..], true),
        (&["--color", "never", "--help"][..], false),
        (&["--color=always", "diff", "--bogus"][..], true),
        (&["--color=never", "diff", "--bogus"][..], false),
    ] {
        let mut command = plain_command(&project, args);
        command.env("CLICOLOR_FORCE", "1");
        let help = run(command);
        let text = format!("{}{}", help.stdout, help.stderr);
        assert_eq!(text.contains(ESCAPE), coloured, "{args:?}: {help:?}");
    }
    let mut errored = plain_command(&project, &["--color", "never", "show", "nope"]);
    errored.env("CLICOLOR_FORCE", "1");
    let errored = run(errored);
    assert_eq!(errored.code, Some(2));
    assert!(
        errored.stderr.starts_with("error: unknown revision nope"),
        "{errored:?}"
    );
}

#[tokio::test]
async fn quiet_leaves_out_notes_and_verbose_shows_the_catalog_queries() {
    let project = missing_revision().await;
    let history = project.run(FIRST, &["history"]);
    assert!(
        history.stderr.contains("note: no database configured"),
        "{history:?}"
    );
    let quiet = project.run(FIRST, &["-q", "history"]);
    assert_eq!(quiet.code, Some(0), "{quiet:?}");
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, history.stdout);
    let both = project.run(FIRST, &["-q", "-v", "history"]);
    assert_eq!(both.code, Some(2), "{both:?}");

    let url = project.database.url.clone();
    let normal = project.run(FIRST, &["inspect", "--database-url", &url]);
    assert_eq!(normal.code, Some(0), "{normal:?}");
    assert!(!normal.stderr.contains("catalog query"), "{normal:?}");
    let verbose = project.run(FIRST, &["inspect", "-v", "--database-url", &url]);
    assert_eq!(verbose.stdout, normal.stdout);
    let timed: Vec<&str> = verbose
        .stderr
        .lines()
        .filter(|line| line.starts_with("catalog query ") && line.ends_with(" ms"))
        .collect();
    assert!(
        timed
            .iter()
            .any(|line| line.starts_with("catalog query SCHEMAS_QUERY: ")),
        "{verbose:?}"
    );
    assert!(timed.len() > 5, "{verbose:?}");
    assert!(
        !verbose.stderr.contains("pg_catalog.pg_namespace"),
        "{verbose:?}"
    );
    let very = project.run(FIRST, &["inspect", "-vv", "--database-url", &url]);
    assert!(very.stderr.contains("pg_catalog."), "{very:?}");
}

#[tokio::test]
async fn diff_from_defaults_to_database_url_and_says_so() {
    let project = missing_revision().await;
    let help = project.run(FIRST, &["diff", "--help"]);
    assert!(
        help.stdout
            .contains("Usage: autogen diff [--from <FROM>] --to <TO> [OPTIONS]")
            && help.stdout.contains("(--from defaults to $DATABASE_URL)")
            && help
                .stdout
                .contains("Current schema (default: $DATABASE_URL)"),
        "{help:?}"
    );
    let without = project.run(FIRST, &["diff", "--to", "schema/schema.yaml"]);
    assert_eq!(without.code, Some(2), "{without:?}");
    assert!(
        without.stderr.contains("or set $DATABASE_URL"),
        "{without:?}"
    );
    let from_environment = run({
        let mut command = project.command(FIRST, &["diff", "--to", "schema/schema.yaml"]);
        command.env("DATABASE_URL", &project.database.url);
        command
    });
    assert_eq!(from_environment.code, Some(0), "{from_environment:?}");
    assert!(
        from_environment
            .stdout
            .contains("CREATE TABLE public.students"),
        "{from_environment:?}"
    );
}

#[tokio::test]
async fn autogen_toml_is_found_in_a_parent_directory() {
    let project = missing_revision().await;
    std::fs::create_dir_all(project.path("src/deeper")).expect("subdirectory");
    let check = run({
        let mut command = project.command(FIRST, &["check"]);
        command.current_dir(project.path("src/deeper"));
        command
    });
    assert_eq!(check.code, Some(1), "{check:?}");
    assert!(
        check.stdout.starts_with(
            "missing revision: ../../schema/schema.yaml differs from the state the revisions \
             in ../../migrations produce"
        ),
        "{check:?}"
    );
    let outside = std::env::temp_dir().join(format!("autogen-no-project-{}", std::process::id()));
    std::fs::create_dir_all(&outside).expect("a directory");
    let none = run({
        let mut command = project.command(FIRST, &["check"]);
        command.current_dir(&outside);
        command
    });
    std::fs::remove_dir_all(&outside).ok();
    assert_eq!(none.code, Some(2), "{none:?}");
    assert!(
        none.stderr
            .contains("autogen.toml not found in this directory or any parent"),
        "{none:?}"
    );
}
