//! Hazard gates and `lint`, as a user runs them: `migrate` refuses hazards that neither
//! autogen.toml nor the flags allow and writes nothing; what the flags accepted goes into the
//! revision's header; `upgrade` and `downgrade` refuse a file whose hazards are neither
//! allowed nor accepted in its header before changing anything; `lint` reports each
//! statement of hand-written files.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::scratch::ScratchDb;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

const STUDENTS: &str = "\
tables:
  students:
    columns:
      id: { type: bigint }
      full_name: { type: text }
";

const STUDENTS_VACCINATED: &str = "\
tables:
  students:
    columns:
      id: { type: bigint }
      full_name: { type: text }
      vaccinated: { type: boolean }
";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
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

/// A project directory (removed on drop) whose autogen.toml names `database`, or no
/// database at all (revisions are then diffed against their offline replay).
struct Project {
    directory: PathBuf,
    database: Option<String>,
}

impl Project {
    fn new(database: Option<&ScratchDb>, settings: &str) -> Project {
        let directory = std::env::temp_dir().join(format!(
            "autogen-gates-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(directory.join("migrations")).expect("migrations/");
        std::fs::create_dir_all(directory.join("schema")).expect("schema/");
        let project = Project {
            directory,
            database: database.map(|database| database.url.clone()),
        };
        let database_line = match &project.database {
            Some(url) => format!("database_url = \"{url}\""),
            None => "database_url_env = \"AUTOGEN_GATES_NO_DATABASE\"".to_string(),
        };
        project.write("autogen.toml", &format!("{database_line}\n{settings}"));
        project
    }

    fn run(&self, now: &str, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_autogen"))
            .args(args)
            .current_dir(&self.directory)
            .env_remove("DATABASE_URL")
            .env_remove("AUTOGEN_GATES_NO_DATABASE")
            .env("AUTOGEN_NOW", now)
            .output()
            .expect("autogen runs");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }

    fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.directory.join(relative), text).expect("writes a project file");
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.directory.join(relative)).expect("reads a project file")
    }

    fn n_files(&self) -> usize {
        std::fs::read_dir(self.directory.join("migrations"))
            .expect("migrations/")
            .count()
    }

    /// Writes the schema file, then a revision of it, which must succeed.
    fn migrate(&self, now: &str, schema: &str, message: &str, flags: &[&str]) -> Run {
        self.write("schema/schema.yaml", schema);
        let mut args = vec!["migrate", "-m", message];
        args.extend(flags);
        let run = self.run(now, &args);
        assert_eq!(run.code, Some(0), "{run:?}");
        run
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

const FIRST: &str = "2026-11-24T16:00:00Z";
const SECOND: &str = "2026-11-24T17:00:00Z";
const THIRD: &str = "2026-11-24T18:00:00Z";
const SECOND_UP: &str = "migrations/20261124170000_add_vaccination_status.up.sql";
const SECOND_DOWN: &str = "migrations/20261124170000_add_vaccination_status.down.sql";
const THIRD_UP: &str = "migrations/20261124180000_drop_vaccination_status.up.sql";

#[test]
fn migrate_refuses_hazards_not_allowed_and_records_what_the_flags_accept() {
    let project = Project::new(None, "");
    project.migrate(FIRST, STUDENTS, "create students", &[]);
    project.migrate(SECOND, STUDENTS_VACCINATED, "add vaccination status", &[]);
    // The down file's data loss comes with undoing the revision: its header accepts it.
    let down = project.read(SECOND_DOWN);
    assert!(down.contains("-- accepted hazards: data-loss\n"), "{down}");
    assert!(
        !project.read(SECOND_UP).contains("accepted hazards"),
        "nothing beyond autogen.toml"
    );

    project.write("schema/schema.yaml", STUDENTS);
    let refused = project.run(THIRD, &["migrate", "-m", "drop vaccination status"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains(
            "  ALTER TABLE public.students DROP COLUMN vaccinated\n    data-loss: data loss: \
             drops column students.vaccinated and all its values\n"
        ) && refused.stderr.contains("--allow-destructive"),
        "{refused:?}"
    );
    assert_eq!(project.n_files(), 4, "nothing written");

    project.migrate(
        THIRD,
        STUDENTS,
        "drop vaccination status",
        &["--allow-hazard", "data-loss"],
    );
    let up = project.read(THIRD_UP);
    assert!(
        up.contains("--   ACCESS EXCLUSIVE lock: students\n-- accepted hazards: data-loss\n"),
        "{up}"
    );
}

#[test]
fn allow_hazards_in_autogen_toml_replaces_the_default_and_unknown_kinds_are_located() {
    let project = Project::new(None, "allow_hazards = [\"data-loss\"]\n");
    // Creating a table takes no lock anyone waits for.
    project.migrate(FIRST, STUDENTS, "create students", &[]);
    project.write("schema/schema.yaml", STUDENTS_VACCINATED);
    let refused = project.run(SECOND, &["migrate", "-m", "add vaccination status"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains(
            "  ALTER TABLE public.students ADD COLUMN vaccinated boolean\n    \
             access-exclusive-lock: ACCESS EXCLUSIVE lock: students\n"
        ) && refused
            .stderr
            .contains("--allow-hazard access-exclusive-lock"),
        "{refused:?}"
    );
    assert_eq!(project.n_files(), 2, "nothing written");
    project.migrate(
        SECOND,
        STUDENTS_VACCINATED,
        "add vaccination status",
        &["--allow-hazard", "access-exclusive-lock"],
    );
    assert!(project
        .read(SECOND_UP)
        .contains("-- accepted hazards: access-exclusive-lock\n"));
    assert!(project
        .read(SECOND_DOWN)
        .contains("-- accepted hazards: access-exclusive-lock\n"));

    project.write(
        "autogen.toml",
        "database_url_env = \"X\"\nallow_hazards = [\"scan\", \"locks\"]\n",
    );
    let unknown = project.run(THIRD, &["lint"]);
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
    assert!(
        unknown.stderr.starts_with(
            "error: autogen.toml:2:26: allow_hazards: unknown hazard kind \"locks\"; the kinds \
             are data-loss, rewrite, scan, access-exclusive-lock"
        ),
        "{unknown:?}"
    );
    let flag = project.run(THIRD, &["lint", "--allow-hazard", "everything"]);
    assert_eq!(flag.code, Some(2), "{flag:?}");
    assert!(
        flag.stderr.contains("unknown hazard kind \"everything\""),
        "{flag:?}"
    );
}

/// Adds `sql` as the last statement of a revision file.
fn append(project: &Project, relative: &str, sql: &str) {
    let text = project.read(relative);
    project.write(relative, &format!("{text}{sql}\n"));
}

/// Adds `line` below a revision file's hazards.
fn accept(project: &Project, relative: &str, line: &str) {
    let text = project.read(relative);
    let (header, body) = text.split_once("\n\n").expect("a header");
    project.write(relative, &format!("{header}\n{line}\n\n{body}"));
}

#[tokio::test]
async fn upgrade_and_downgrade_refuse_a_hazard_neither_allowed_nor_accepted_before_changing_anything(
) {
    let database = ScratchDb::create("autogen_gates").await;
    let project = Project::new(Some(&database), "");
    project.migrate(FIRST, STUDENTS, "create students", &[]);
    let first = project.run(FIRST, &["upgrade"]);
    assert_eq!(first.code, Some(0), "{first:?}");
    project.migrate(SECOND, STUDENTS_VACCINATED, "add vaccination status", &[]);
    // A hand edit: the revision now also drops a column.
    append(
        &project,
        SECOND_UP,
        "ALTER TABLE public.students DROP COLUMN full_name;",
    );

    let refused = project.run(SECOND, &["upgrade"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains(&format!(
            "  {SECOND_UP}:10: ALTER TABLE public.students DROP COLUMN full_name\n    data-loss: \
             data loss: drops column students.full_name and all its values\n"
        )) && refused.stderr.contains(&format!(
            "    {SECOND_UP}: -- accepted hazards: data-loss\n"
        )),
        "{refused:?}"
    );
    let client = database.client().await;
    let count_columns = || async {
        client
            .query_one(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'students'",
                &[],
            )
            .await
            .expect("counts columns")
            .get::<_, i64>(0)
    };
    assert_eq!(count_columns().await, 2, "nothing ran");
    for mode in ["--sql", "--dry-run"] {
        let refused = project.run(SECOND, &["upgrade", mode]);
        assert_eq!(refused.code, Some(2), "{mode}: {refused:?}");
    }

    let flagged = project.run(
        SECOND,
        &["upgrade", "--dry-run", "--allow-hazard", "data-loss"],
    );
    assert_eq!(flagged.code, Some(0), "{flagged:?}");
    accept(&project, SECOND_UP, "-- accepted hazards: data-loss");
    // The down file accepts the data loss migrate wrote into it, not a hand-added rewrite.
    append(
        &project,
        SECOND_DOWN,
        "ALTER TABLE public.students ALTER COLUMN id TYPE numeric;",
    );
    let accepted = project.run(SECOND, &["upgrade"]);
    assert_eq!(accepted.code, Some(0), "{accepted:?}");

    project.write(
        "autogen.toml",
        &format!(
            "database_url = \"{}\"\nallow_hazards = [\"access-exclusive-lock\"]\n",
            database.url
        ),
    );
    let refused = project.run(SECOND, &["downgrade"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains(&format!(
            "  {SECOND_DOWN}:13: ALTER TABLE public.students ALTER COLUMN id TYPE numeric\n    \
             rewrite: table rewrite: students\n"
        )) && !refused.stderr.contains("DROP COLUMN vaccinated"),
        "{refused:?}"
    );
    assert_eq!(
        count_columns().await,
        2,
        "id and vaccinated are still there"
    );
    let allowed = project.run(SECOND, &["downgrade", "--allow-hazard", "rewrite"]);
    assert_eq!(allowed.code, Some(0), "{allowed:?}");
}

/// A hand-written revision: a statement with a known hazard, one autogen cannot analyse
/// and a clean one.
const HAND_WRITTEN: &str = "\
-- autogen revision 20261124170000
-- parent: 20261124160000
-- message: index names
-- created: 2026-11-24T17:00:00Z
-- hazards: none

CREATE INDEX students_full_name_idx ON public.students (full_name);
-- autogen:step outside-transaction
CREATE INDEX CONCURRENTLY students_id_idx ON public.students (id);
-- autogen:step in-transaction
UPDATE public.students SET full_name = initcap(full_name);
CREATE TABLE public.courses (id bigint, title text);
CREATE INDEX courses_title_idx ON public.courses (title);
";

const HAND_WRITTEN_DOWN: &str = "\
-- autogen revision 20261124170000
-- parent: 20261124160000
-- message: index names
-- created: 2026-11-24T17:00:00Z
-- hazards: none
-- accepted hazards: data-loss

DROP TABLE public.courses;
DROP INDEX public.students_full_name_idx;
";

#[test]
fn lint_reports_each_statement_of_hand_written_revisions() {
    let project = Project::new(None, "");
    project.migrate(FIRST, STUDENTS, "create students", &[]);
    project.write("migrations/20261124170000_index_names.up.sql", HAND_WRITTEN);
    project.write(
        "migrations/20261124170000_index_names.down.sql",
        HAND_WRITTEN_DOWN,
    );
    let lint = project.run(SECOND, &["lint", "20261124170000"]);
    assert_eq!(lint.code, Some(0), "{lint:?}");
    let up = "migrations/20261124170000_index_names.up.sql";
    let down = "migrations/20261124170000_index_names.down.sql";
    let expected = format!(
        "20261124170000 index names\n\
         \x20 {up}:7: CREATE INDEX students_full_name_idx ON public.students (full_name)\n\
         \x20   scan: full-table scan: students\n\
         \x20   share-lock: SHARE (blocks writes) lock: students\n\
         \x20 {up}:9: CREATE INDEX CONCURRENTLY students_id_idx ON public.students (id)\n\
         \x20   scan: full-table scan: students\n\
         \x20   share-update-exclusive-lock: SHARE UPDATE EXCLUSIVE lock: students\n\
         \x20 {up}:11: UPDATE public.students SET full_name = initcap(full_name)\n\
         \x20   unknown: changes rows, not the schema\n\
         \x20 {up}:12: CREATE TABLE public.courses (id bigint, title text)\n\
         \x20   no hazards\n\
         \x20 {up}:13: CREATE INDEX courses_title_idx ON public.courses (title)\n\
         \x20   no hazards\n\
         \x20 {down}:8: DROP TABLE public.courses\n\
         \x20   data-loss: data loss: drops table courses and all its rows (accepted in the file's header)\n\
         \x20   access-exclusive-lock: ACCESS EXCLUSIVE lock: courses\n\
         \x20 {down}:9: DROP INDEX public.students_full_name_idx\n\
         \x20   access-exclusive-lock: ACCESS EXCLUSIVE lock: students\n\
         \n\
         lint: 1 revision, 7 statements: 0 hazards not allowed, 1 unknown\n"
    );
    assert_eq!(lint.stdout, expected, "{lint:?}");

    // A stricter autogen.toml: the lock that blocks writes is not allowed, and lint says so.
    project.write(
        "autogen.toml",
        "database_url_env = \"X\"\nallow_hazards = [\"scan\", \"share-update-exclusive-lock\", \
         \"access-exclusive-lock\"]\n",
    );
    let strict = project.run(SECOND, &["lint"]);
    assert_eq!(strict.code, Some(1), "{strict:?}");
    assert!(
        strict
            .stdout
            .contains("    share-lock: SHARE (blocks writes) lock: students NOT ALLOWED\n")
            && strict.stdout.contains("20261124160000 create students\n")
            && strict
                .stdout
                .ends_with("lint: 2 revisions, 9 statements: 1 hazard not allowed, 1 unknown\n"),
        "{strict:?}"
    );
    let flagged = project.run(SECOND, &["lint", "--allow-hazard", "share-lock"]);
    assert_eq!(flagged.code, Some(0), "{flagged:?}");

    // The same findings for CI, as one JSON document with the same exit code.
    let json = project.run(SECOND, &["lint", "--format", "json"]);
    assert_eq!(json.code, Some(1), "{json:?}");
    let document: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(
        (
            &document["version"],
            &document["revisions"],
            &document["not_allowed"],
            &document["unknown"]
        ),
        (&1.into(), &2.into(), &1.into(), &1.into()),
        "{document}"
    );
    let statements = document["statements"].as_array().expect("statements");
    assert_eq!(statements.len(), 9, "{document}");
    let index = statements
        .iter()
        .find(|statement| statement["line"] == 7 && statement["file"] == up)
        .expect("the CREATE INDEX statement");
    assert_eq!(index["revision"], "20261124170000", "{index}");
    assert_eq!(index["direction"], "upgrade", "{index}");
    let statuses: Vec<(&str, &str)> = index["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .map(|hazard| {
            (
                hazard["kind"].as_str().unwrap_or_default(),
                hazard["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("scan", "allowed"), ("share-lock", "not_allowed")],
        "{index}"
    );
    let update = statements
        .iter()
        .find(|statement| statement["line"] == 11 && statement["file"] == up)
        .expect("the UPDATE statement");
    assert_eq!(
        update["unknown"], "changes rows, not the schema",
        "{update}"
    );
    let unknown = project.run(SECOND, &["lint", "20991231000000"]);
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
}
