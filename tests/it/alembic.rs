//! Alembic's muscle memory: relative targets (`+N`, `-N`, `base`), revision-id prefixes,
//! `heads`, `revision` for hand-written SQL, `edit`, `--sql` without a database, and
//! `rebase` for a forked history.

use crate::project::{Project, Run, FIRST, SECOND, STUDENTS, STUDENTS_VACCINATED, THIRD};

const FIRST_ID: &str = "20261124160000";
const SECOND_ID: &str = "20261124170000";
const THIRD_ID: &str = "20261124180000";

/// Three revisions: students, students.vaccinated, then an empty hand-written one. With a
/// database (which `migrate` needs at head) they are applied on the way and undone after.
fn three_revisions(project: &Project, with_database: bool) {
    let upgrade = || {
        if with_database {
            ok(project.run(THIRD, &["upgrade"]));
        }
    };
    project.write("schema/schema.yaml", STUDENTS);
    ok(project.run(FIRST, &["migrate", "-m", "create students"]));
    upgrade();
    project.write("schema/schema.yaml", STUDENTS_VACCINATED);
    ok(project.run(SECOND, &["migrate", "-m", "add vaccination status"]));
    ok(project.run(THIRD, &["revision", "-m", "backfill vaccinations"]));
    if with_database {
        ok(project.run(THIRD, &["downgrade", "base"]));
    }
}

/// An offline project: autogen.toml names no database and $DATABASE_URL is unset.
async fn offline_project() -> Project {
    let project = Project::laid_out().await;
    project.write("autogen.toml", "");
    project
}

fn current(project: &Project) -> String {
    let current = project.run(THIRD, &["current"]);
    assert_eq!(current.code, Some(0), "{current:?}");
    current
        .stdout
        .split_whitespace()
        .next()
        .expect("an id")
        .to_string()
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, Some(0), "{run:?}");
    run
}

#[tokio::test]
async fn relative_targets_and_prefixes_move_the_database() {
    let project = Project::new().await;
    three_revisions(&project, true);
    ok(project.run(THIRD, &["upgrade", "+1"]));
    assert_eq!(current(&project), FIRST_ID);
    ok(project.run(THIRD, &["upgrade", "+2"]));
    assert_eq!(current(&project), THIRD_ID);
    let past = project.run(THIRD, &["upgrade", "+1"]);
    assert_eq!(past.code, Some(2), "{past:?}");
    assert!(past.stderr.contains("+1 goes past head"), "{past:?}");

    ok(project.run(THIRD, &["downgrade", "-2"]));
    assert_eq!(current(&project), FIRST_ID);
    let wrong_way = project.run(THIRD, &["upgrade", "-1"]);
    assert_eq!(wrong_way.code, Some(2), "{wrong_way:?}");
    assert!(
        wrong_way.stderr.contains("`autogen downgrade -N`"),
        "{wrong_way:?}"
    );
    let too_far = project.run(THIRD, &["downgrade", "-2"]);
    assert_eq!(too_far.code, Some(2), "{too_far:?}");
    assert!(too_far.stderr.contains("-2 goes past base"), "{too_far:?}");

    // A unique start of an id names the revision; an ambiguous one lists the candidates.
    ok(project.run(THIRD, &["upgrade", "2026112417"]));
    assert_eq!(current(&project), SECOND_ID);
    let ambiguous = project.run(THIRD, &["upgrade", "202611241"]);
    assert_eq!(ambiguous.code, Some(2), "{ambiguous:?}");
    assert!(
        ambiguous.stderr.contains("revision 202611241 is ambiguous")
            && ambiguous
                .stderr
                .contains(&format!("  {SECOND_ID} add vaccination status"))
            && ambiguous
                .stderr
                .contains(&format!("  {THIRD_ID} backfill vaccinations")),
        "{ambiguous:?}"
    );
    let show = ok(project.run(THIRD, &["show", "2026112416"]));
    assert!(
        show.stdout.contains("CREATE TABLE public.students"),
        "{show:?}"
    );

    ok(project.run(THIRD, &["downgrade", "base"]));
    assert_eq!(current(&project), "base");
}

#[tokio::test]
async fn revision_writes_an_empty_pair_that_check_accepts_with_data_statements() {
    let project = offline_project().await;
    three_revisions(&project, false);
    let up_path = format!("migrations/{THIRD_ID}_backfill_vaccinations.up.sql");
    let down_path = format!("migrations/{THIRD_ID}_backfill_vaccinations.down.sql");
    let up = std::fs::read_to_string(project.path(&up_path)).expect("the up file");
    let down = std::fs::read_to_string(project.path(&down_path)).expect("the down file");
    let header = format!(
        "-- autogen revision {THIRD_ID}\n-- parent: {SECOND_ID}\n-- message: backfill \
         vaccinations\n-- created: {THIRD}\n-- hazards: none\n"
    );
    assert_eq!(up, format!("{header}\n"));
    assert_eq!(down, up);
    ok(project.run(THIRD, &["check"]));

    project.write(
        &up_path,
        &format!("{up}UPDATE students SET vaccinated = true WHERE full_name <> '';\n"),
    );
    let check = ok(project.run(THIRD, &["check"]));
    assert!(check.stdout.starts_with("ok: "), "{check:?}");
    let heads = ok(project.run(THIRD, &["heads"]));
    assert_eq!(
        heads.stdout,
        format!("{THIRD_ID} backfill vaccinations (head)\n")
    );

    let empty = project.run(THIRD, &["revision", "-m", "  "]);
    assert_eq!(empty.code, Some(2), "{empty:?}");
    assert!(empty.stderr.contains("autogen revision -m"), "{empty:?}");
}

#[tokio::test]
async fn sql_without_a_database_prints_the_revisions_from_the_files() {
    let project = offline_project().await;
    three_revisions(&project, false);
    let all = ok(project.run(THIRD, &["upgrade", "--sql"]));
    assert!(
        all.stdout.starts_with("-- autogen's bookkeeping tables\n"),
        "{all:?}"
    );
    let headings = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .filter(|line| line.starts_with("-- upgrade ") || line.starts_with("-- downgrade "))
            .map(|line| line.split(':').next().expect("heading").to_string())
            .collect()
    };
    assert_eq!(
        headings(&all),
        [
            format!("-- upgrade {FIRST_ID}"),
            format!("-- upgrade {SECOND_ID}"),
            format!("-- upgrade {THIRD_ID}")
        ]
    );
    assert!(all.stderr.contains("no database configured"), "{all:?}");
    let first = ok(project.run(THIRD, &["upgrade", "--sql", "+1"]));
    assert_eq!(headings(&first), [format!("-- upgrade {FIRST_ID}")]);
    let back = ok(project.run(THIRD, &["downgrade", "--sql"]));
    assert_eq!(headings(&back), [format!("-- downgrade {THIRD_ID}")]);
    assert!(!back.stdout.contains("bookkeeping tables"), "{back:?}");
    let range = ok(project.run(
        THIRD,
        &["downgrade", "--sql", &format!("{THIRD_ID}:{FIRST_ID}")],
    ));
    assert_eq!(
        headings(&range),
        [
            format!("-- downgrade {THIRD_ID}"),
            format!("-- downgrade {SECOND_ID}")
        ]
    );
    let needs_sql = project.run(THIRD, &["upgrade", &format!("{FIRST_ID}:{SECOND_ID}")]);
    assert_eq!(needs_sql.code, Some(2), "{needs_sql:?}");
}

#[tokio::test]
async fn offline_sql_matches_what_the_database_would_be_sent() {
    let project = Project::new().await;
    three_revisions(&project, true);
    let online = ok(project.run(THIRD, &["upgrade", "--sql"]));
    let offline = ok(project.run(THIRD, &["upgrade", "--sql", "base:head"]));
    // The database already has the bookkeeping tables; offline, base means it may not.
    let bookkeeping_end = offline.stdout.find("-- upgrade ").expect("a heading");
    assert!(offline.stdout[..bookkeeping_end].contains("CREATE TABLE IF NOT EXISTS"));
    assert_eq!(offline.stdout[bookkeeping_end..], online.stdout);
    ok(project.run(THIRD, &["upgrade"]));
    let online = ok(project.run(THIRD, &["downgrade", "--sql", "base"]));
    let offline = ok(project.run(THIRD, &["downgrade", "--sql", "head:base"]));
    assert_eq!(offline.stdout, online.stdout);
}

#[tokio::test]
async fn heads_shows_a_fork_and_rebase_puts_the_newer_branch_last() {
    let project = offline_project().await;
    three_revisions(&project, false);
    // A branch wrote its own revision on top of the second one.
    let branch = format!("migrations/{}_branch_revision", "20261124190000");
    for suffix in [".up.sql", ".down.sql"] {
        project.write(
            &format!("{branch}{suffix}"),
            &format!(
                "-- autogen revision 20261124190000\n-- parent: {SECOND_ID}\n-- message: \
                 branch revision\n-- created: 2026-11-24T19:00:00Z\n-- hazards: none\n\n"
            ),
        );
    }
    let heads = ok(project.run(THIRD, &["heads"]));
    assert_eq!(
        heads.stdout,
        format!("{THIRD_ID} backfill vaccinations (head)\n20261124190000 branch revision (head)\n")
    );
    assert!(heads.stderr.contains("warning: 2 heads"), "{heads:?}");
    let refused = project.run(THIRD, &["check"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("`autogen rebase` puts 20261124190000 after"),
        "{refused:?}"
    );

    let rebase = ok(project.run(THIRD, &["rebase"]));
    assert!(
        rebase.stdout.starts_with(&format!(
            "rebased 20261124190000 branch revision: its parent was {SECOND_ID}, now {THIRD_ID}"
        )),
        "{rebase:?}"
    );
    for suffix in [".up.sql", ".down.sql"] {
        let text =
            std::fs::read_to_string(project.path(&format!("{branch}{suffix}"))).expect("reads");
        assert!(
            text.contains(&format!("\n-- parent: {THIRD_ID}\n")),
            "{text}"
        );
    }
    let heads = ok(project.run(THIRD, &["heads"]));
    assert_eq!(heads.stdout, "20261124190000 branch revision (head)\n");
    ok(project.run(THIRD, &["check"]));
    let nothing = project.run(THIRD, &["rebase"]);
    assert_eq!(nothing.code, Some(2), "{nothing:?}");
    assert!(nothing.stderr.contains("nothing to rebase"), "{nothing:?}");
}

#[tokio::test]
async fn edit_opens_both_files_of_a_revision_in_the_editor() {
    let project = offline_project().await;
    three_revisions(&project, false);
    let script = project.path("editor.sh");
    std::fs::write(
        &script,
        "for file in \"$@\"; do printf 'SELECT 1;\\n' >> \"$file\"; done\n",
    )
    .expect("editor script");
    let editor = format!("sh {}", script.display());
    let edit = project
        .command(THIRD, &["edit", "2026112417"])
        .env_remove("VISUAL")
        .env("EDITOR", &editor)
        .output()
        .expect("autogen runs");
    let edit = ok(edit.into());
    assert_eq!(
        edit.stdout,
        format!("edited {SECOND_ID} add vaccination status\n")
    );
    for suffix in ["up", "down"] {
        let text = std::fs::read_to_string(project.path(&format!(
            "migrations/{SECOND_ID}_add_vaccination_status.{suffix}.sql"
        )))
        .expect("reads");
        assert!(text.ends_with("SELECT 1;\n"), "{text}");
    }
    let failing = project
        .command(THIRD, &["edit"])
        .env_remove("VISUAL")
        .env("EDITOR", "false")
        .output()
        .expect("autogen runs");
    assert_eq!(failing.status.code(), Some(2));
    let missing = project
        .command(THIRD, &["edit"])
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .output()
        .expect("autogen runs");
    let missing: Run = missing.into();
    assert_eq!(missing.code, Some(2), "{missing:?}");
    assert!(
        missing.stderr.contains("set $VISUAL or $EDITOR"),
        "{missing:?}"
    );
}
