//! Runs sqldef's psqldef test cases (a directory of `tests_*.yml`) as outside evidence.
//!
//! Each case in scope runs database to database: `current` and `desired` are loaded into two
//! scratch databases, autogen diffs them, its upgrade is applied and must leave no diff, its
//! downgrade is applied and must restore the original. Each case that passes also runs file
//! to file: both SQL texts are replayed offline by autogen's DDL interpreter, the scripts
//! generated from the replayed pair must do the same on the database. Outcomes are compared,
//! never sqldef's expected text. Exits 1 when a case listed in
//! `tests/corpus/sqldef-passing.txt` (database to database) or
//! `tests/corpus/sqldef-offline-passing.txt` (file to file) fails.
//! A case that fails on a server resource error (SQLSTATE class 53, such as 53200 out of
//! shared memory) runs once more before it counts, and a `retry` line says so.
//!
//! Privileges are managed as the case says: those of its `managed_roles` (or of the targets
//! of `manage.privilege` rules that allow revoking), every role's when it names none, as
//! `diff --with-privileges` does. Owners are managed where the desired SQL sets them (`ALTER
//! ... OWNER TO`), every one when the case names no roles. The roles a case grants to are
//! created cluster-wide when missing (those sqldef's harness creates, named in the corpus
//! README) and never dropped:
//! other runs may use them at the same time, and a role is not this run's to remove.
//! A case with a `user` is loaded as sqldef's harness runs it: as that role, in a schema
//! `foo` it owns, with `search_path` `foo, public`; autogen still connects as before. File to
//! file, its SQL is replayed after the same statements.
//!
//! Usage: `cargo run --example sqldef_corpus -- [DIR] [--update] [--filter TEXT]...`
//! (DIR defaults to `$SQLDEF_CORPUS`, then `../shared/corpus/sqldef`; each `--filter` keeps
//! the cases whose name contains its text).

#[path = "../tests/it/scratch.rs"]
mod scratch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use autogen::catalog::{self, SchemaScope};
use autogen::diff::{scope_privileges, PrivilegeScope};
use autogen::model::{Directives, QualifiedName, Schema};
use scratch::ScratchDb;
use yaml_serde::Value;

const PASSING_LIST: &str = "tests/corpus/sqldef-passing.txt";
const OFFLINE_PASSING_LIST: &str = "tests/corpus/sqldef-offline-passing.txt";
/// Cases run at once; each holds two scratch databases.
const CONCURRENCY: usize = 4;

#[derive(Debug)]
enum Outcome {
    /// Passed database to database; then the file-to-file result.
    Pass(Offline),
    Fail(String),
    OutOfScope(String),
}

#[derive(Debug)]
enum Offline {
    Pass,
    Fail(String),
    /// The interpreter refused a statement (with its error).
    Unreadable(String),
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let mut directory = None;
    let mut update = false;
    let mut filters: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--update" => update = true,
            "--filter" => filters.extend(args.next()),
            _ => directory = Some(PathBuf::from(arg)),
        }
    }
    let directory = directory
        .or_else(|| std::env::var_os("SQLDEF_CORPUS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("../shared/corpus/sqldef"));
    let cases = match read_cases(&directory) {
        Ok(cases) => cases,
        Err(message) => {
            eprintln!("error: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let cases: Vec<(String, Value)> = cases
        .into_iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|text| name.contains(text)))
        .collect();

    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut pending = tokio::task::JoinSet::new();
    let mut queue = cases.into_iter();
    loop {
        while pending.len() < CONCURRENCY {
            let Some((name, case)) = queue.next() else {
                break;
            };
            pending.spawn(async move {
                let outcome = run_case_retrying(&name, &case).await;
                (name, outcome)
            });
        }
        match pending.join_next().await {
            Some(Ok((name, outcome))) => {
                outcomes.insert(name, outcome);
            }
            Some(Err(error)) => eprintln!("a case panicked: {error}"),
            None => break,
        }
    }
    report(&outcomes, update)
}

fn report(outcomes: &BTreeMap<String, Outcome>, update: bool) -> std::process::ExitCode {
    let mut scope_reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (name, outcome) in outcomes {
        match outcome {
            Outcome::Pass(offline) => {
                println!("pass  {name}");
                match offline {
                    Offline::Pass => println!("pass  {name} (file to file)"),
                    Offline::Fail(reason) => println!(
                        "FAIL  {name} (file to file)\n      {}",
                        reason.replace('\n', "\n      ")
                    ),
                    Offline::Unreadable(reason) => println!(
                        "skip  {name} (file to file): {}",
                        reason.lines().next().unwrap_or_default()
                    ),
                }
            }
            Outcome::Fail(reason) => {
                println!("FAIL  {name}\n      {}", reason.replace('\n', "\n      "))
            }
            Outcome::OutOfScope(reason) => {
                println!("skip  {name}: {reason}");
                *scope_reasons.entry(scope_category(reason)).or_default() += 1;
            }
        }
    }
    let count = |wanted: fn(&Outcome) -> bool| outcomes.values().filter(|o| wanted(o)).count();
    let n_pass = count(|outcome| matches!(outcome, Outcome::Pass(_)));
    let n_offline_pass = count(|outcome| matches!(outcome, Outcome::Pass(Offline::Pass)));
    let n_offline_fail = count(|outcome| matches!(outcome, Outcome::Pass(Offline::Fail(_))));
    let n_unreadable = count(|outcome| matches!(outcome, Outcome::Pass(Offline::Unreadable(_))));
    let n_fail = count(|outcome| matches!(outcome, Outcome::Fail(_)));
    let n_out = count(|outcome| matches!(outcome, Outcome::OutOfScope(_)));
    println!("\nout of scope, by reason:");
    for (reason, n_cases) in &scope_reasons {
        println!("  {n_cases:4}  {reason}");
    }
    println!("sqldef corpus: {n_pass} pass, {n_fail} fail, {n_out} out of scope");
    println!(
        "file to file (of the {n_pass} that pass): {n_offline_pass} pass, {n_offline_fail} fail, \
         {n_unreadable} use DDL the offline interpreter refuses"
    );
    let mut exit = std::process::ExitCode::SUCCESS;
    for (list, offline) in [(PASSING_LIST, false), (OFFLINE_PASSING_LIST, true)] {
        let passing_now: Vec<&str> = outcomes
            .iter()
            .filter(|(_, outcome)| match outcome {
                Outcome::Pass(Offline::Pass) => true,
                Outcome::Pass(_) => !offline,
                _ => false,
            })
            .map(|(name, _)| name.as_str())
            .collect();
        if check_list(list, &passing_now, outcomes, update).is_err() {
            exit = std::process::ExitCode::from(1);
        }
    }
    exit
}

/// Rewrites `list` (under `--update`), or compares the passing cases with it.
fn check_list(
    list: &str,
    passing_now: &[&str],
    outcomes: &BTreeMap<String, Outcome>,
    update: bool,
) -> Result<(), ()> {
    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(list);
    if update {
        let text: String = passing_now.iter().map(|name| format!("{name}\n")).collect();
        if let Err(error) = std::fs::write(&list_path, text) {
            eprintln!("error: {}: {error}", list_path.display());
            return Err(());
        }
        println!("wrote {} passing cases to {list}", passing_now.len());
        return Ok(());
    }
    let listed = std::fs::read_to_string(&list_path).unwrap_or_default();
    let regressions: Vec<&str> = listed
        .lines()
        .filter(|name| outcomes.contains_key(*name) && !passing_now.contains(name))
        .collect();
    if regressions.is_empty() {
        println!("no regressions against {list}");
        Ok(())
    } else {
        println!(
            "REGRESSIONS against {list} (listed as passing, now failing): {}",
            regressions.join(", ")
        );
        Err(())
    }
}

/// The first words of a reason, to group the out-of-scope counts.
fn scope_category(reason: &str) -> String {
    reason.split(':').next().unwrap_or(reason).to_string()
}

fn read_cases(directory: &Path) -> Result<Vec<(String, Value)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .map_err(|error| {
            format!(
                "{}: {error} (name the corpus directory)",
                directory.display()
            )
        })?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("tests") && name.ends_with(".yml")
        })
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|error| format!("{}: {error}", file.display()))?;
        let parsed: BTreeMap<String, Value> =
            yaml_serde::from_str(&text).map_err(|error| format!("{}: {error}", file.display()))?;
        cases.extend(parsed);
    }
    Ok(cases)
}

fn text_field<'a>(case: &'a Value, field: &str) -> Option<&'a str> {
    case.get(field).and_then(Value::as_str)
}

/// Reasons decided from the case's fields alone, before any database work.
fn static_scope(case: &Value) -> Option<String> {
    let present = |field: &str| case.get(field).is_some_and(|value| !value.is_null());
    if present("error") {
        return Some("expects an error from sqldef".into());
    }
    if case.get("offline").and_then(Value::as_bool) == Some(true) {
        return Some("parse-only case (Aurora DSQL)".into());
    }
    if present("flavor") {
        return Some("needs the pgvector extension".into());
    }
    // A statement sqldef leaves as `-- Skipped:` stays undone, which autogen never does; a
    // case where nothing was skipped ends as it would without the rule that skips.
    let skips = ["up", "down"]
        .iter()
        .any(|field| text_field(case, field).is_some_and(|sql| sql.contains("-- Skipped")));
    if present("manage") && (managed_by_rules(case).is_none() || skips) {
        return Some("manage rules for extensions, functions, or privileges kept on drift".into());
    }
    if case.get("enable_drop").and_then(Value::as_bool) == Some(false) && skips {
        return Some("sqldef skips drops (enable_drop: false)".into());
    }
    let version = |field: &str| {
        case.get(field)
            .and_then(|value| value.as_f64().or_else(|| value.as_str()?.parse().ok()))
    };
    if version("min_version").is_some_and(|min| min > 15.0)
        || version("max_version").is_some_and(|max| max < 15.0)
    {
        return Some("not for PostgreSQL 15".into());
    }
    None
}

/// Roles sqldef's harness creates before it runs (see the corpus README).
const HARNESS_ROLES: &[&str] = &[
    "readonly_user",
    "app_user",
    "admin_role",
    "user-with-dash",
    "user.with.dot",
    "user with spaces",
    "CamelCaseUser",
    "UPPERCASE_USER",
    "user1",
    "user2",
    "user3",
    "user4",
    "My User",
    "reader",
    "writer",
    "admin",
    "reader1",
    "reader2",
    "writer1",
    "writer2",
    "role1",
    "role2",
    "power_user",
    "user@domain.com",
];

/// Whose privileges the case manages: its `managed_roles`, the targets of its
/// `manage.privilege` rules, or every role's.
fn privilege_scope(case: &Value) -> PrivilegeScope {
    if let Some(roles) = case.get("managed_roles").and_then(Value::as_sequence) {
        let roles: Vec<String> = roles
            .iter()
            .filter_map(|role| role.as_str().map(str::to_string))
            .collect();
        return PrivilegeScope::of_roles(&roles);
    }
    match managed_by_rules(case) {
        Some(roles) => PrivilegeScope::of_roles(&roles),
        None => PrivilegeScope {
            all_roles: true,
            ..PrivilegeScope::default()
        },
    }
}

/// The roles of `manage.privilege` rules when every rule names one role (autogen's managed
/// roles); `None` for any other `manage` section.
fn managed_by_rules(case: &Value) -> Option<Vec<String>> {
    let manage = case.get("manage")?.as_mapping()?;
    if manage.len() != 1 {
        return None;
    }
    let rules = manage.get("privilege")?.as_sequence()?;
    rules
        .iter()
        .map(|rule| {
            let target = rule.get("target")?.as_str()?;
            let literal = target
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@'));
            literal.then(|| target.to_string())
        })
        .collect()
}

/// Creates the harness roles the case's SQL names, unless they exist.
async fn create_roles(client: &tokio_postgres::Client, case: &Value) -> Result<(), String> {
    let text: String = ["current", "desired"]
        .iter()
        .filter_map(|field| text_field(case, field))
        .collect::<Vec<_>>()
        .join("\n");
    for role in HARNESS_ROLES.iter().filter(|role| names_role(&text, role)) {
        create_role(client, role).await?;
    }
    Ok(())
}

/// Creates `role` unless it exists. Concurrent runs may race to create it; losing the race
/// is fine.
async fn create_role(client: &tokio_postgres::Client, role: &str) -> Result<(), String> {
    let statement = format!(
        "DO $$ BEGIN CREATE ROLE {} NOLOGIN; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        quote_role(role)
    );
    client
        .batch_execute(&statement)
        .await
        .map_err(|error| format!("cannot create role {role}: {error}"))
}

fn quote_role(role: &str) -> String {
    format!("\"{}\"", role.replace('"', "\"\""))
}

/// The role of a `user` case (created unless it exists, never dropped: roles are
/// cluster-wide) and, in each of the case's databases, the schema `foo` it owns.
async fn create_user_schema(
    current: &tokio_postgres::Client,
    desired: &tokio_postgres::Client,
    user: &str,
) -> Result<(), String> {
    create_role(current, user).await?;
    for client in [current, desired] {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA foo AUTHORIZATION {}",
                quote_role(user)
            ))
            .await
            .map_err(|error| format!("cannot create schema foo for {user}: {error}"))?;
    }
    Ok(())
}

/// Runs a case's SQL in its own session: as `user` with `search_path` `foo, public` when
/// the case names one, so the session autogen uses keeps its role and path.
async fn load(
    database: &ScratchDb,
    user: Option<&str>,
    sql: &str,
) -> Result<(), tokio_postgres::Error> {
    let client = database.client().await;
    if let Some(user) = user {
        let role = quote_role(user);
        client
            .batch_execute(&format!("SET ROLE {role}; SET search_path = foo, public"))
            .await?;
    }
    client.batch_execute(sql).await
}

/// Whether `role` occurs in `text` as a whole name (`admin` is not in `admin_role`).
fn names_role(text: &str, role: &str) -> bool {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(role).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + role.len()..].chars().next();
        !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
    })
}

/// The pair with privileges scoped as the case manages them.
fn scoped(current: &Schema, desired: &Schema, scope: &PrivilegeScope) -> (Schema, Schema) {
    let (mut current, mut desired) = (current.clone(), desired.clone());
    scope_privileges(&mut current, &mut desired, scope);
    (current, desired)
}

/// sqldef's rename hints (`-- @renamed from=old` on the line of a table, column, constraint,
/// index, enum type or enum label) as autogen's `renamed_from` directives.
fn rename_directives(desired_sql: &str) -> Result<Directives, String> {
    let mut directives = Directives::default();
    let mut table: Option<QualifiedName> = None;
    let mut enum_type: Option<QualifiedName> = None;
    // A hint alone on its line names the object defined on the next one.
    let mut pending_hint: Option<String> = None;
    for line in desired_sql.lines() {
        let definition = strip_comments(line);
        let upper = definition.to_uppercase();
        let hint = line
            .find("@renamed from=")
            .map(|hint_at| identifier(&line[hint_at + "@renamed from=".len()..]));
        if definition.trim().is_empty() {
            pending_hint = hint.or(pending_hint);
            continue;
        }
        let hint = hint.or(pending_hint.take());
        if let Some(name) = name_after(&definition, &upper, "CREATE TABLE") {
            table = Some(name);
            enum_type = None;
        }
        if let Some(name) = name_after(&definition, &upper, "CREATE TYPE") {
            enum_type = Some(name);
            table = None;
        }
        let Some(old_name) = hint else {
            continue;
        };
        if let Some(name) = name_after(&definition, &upper, "CREATE TYPE") {
            directives.enum_renames.insert(name, old_name);
        } else if let (Some(enum_name), Some(label)) =
            (&enum_type, definition.trim_start().strip_prefix('\''))
        {
            let value = label.split('\'').next().unwrap_or_default().to_string();
            directives
                .enum_value_renames
                .insert((enum_name.clone(), value), old_name);
        } else if let Some(name) = name_after(&definition, &upper, "CREATE TABLE") {
            directives.table_renames.insert(name, old_name);
        } else if let Some(index) = name_after(&definition, &upper, "CREATE INDEX") {
            let on = upper.find(" ON ").ok_or("index without ON")?;
            let on_table = qualified(&definition[on + 4..]);
            directives
                .index_renames
                .insert((on_table, index.name), old_name);
        } else if let (Some(name), Some(table)) =
            (name_after(&definition, &upper, "CONSTRAINT"), &table)
        {
            directives
                .constraint_renames
                .insert((table.clone(), name.name), old_name);
        } else if let Some(table) = &table {
            let column = identifier(definition.trim_start());
            directives
                .column_renames
                .insert((table.clone(), column), old_name);
        } else {
            return Err(format!(
                "a rename hint autogen cannot place: {}",
                line.trim()
            ));
        }
    }
    Ok(directives)
}

fn strip_comments(line: &str) -> String {
    let without_line_comment = line.split("--").next().unwrap_or(line);
    let mut text = String::new();
    let mut rest = without_line_comment;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    // A comment between keywords leaves two spaces; keywords are matched with one.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The (possibly qualified) name after a keyword, e.g. after `CREATE TABLE`.
fn name_after(line: &str, upper: &str, keyword: &str) -> Option<QualifiedName> {
    let start = upper.find(keyword)? + keyword.len();
    let rest = line[start..].trim_start();
    let rest = rest
        .strip_prefix("IF NOT EXISTS ")
        .or_else(|| rest.strip_prefix("if not exists "))
        .unwrap_or(rest);
    Some(qualified(rest))
}

fn qualified(text: &str) -> QualifiedName {
    let first = identifier(text);
    let consumed = identifier_length(text.trim_start());
    let after = text.trim_start()[consumed..].trim_start();
    match after.strip_prefix('.') {
        Some(rest) => QualifiedName::new(first, identifier(rest)),
        None => QualifiedName::new("public", first),
    }
}

/// An SQL identifier at the start of `text`: quoted ones exact, others folded to lower case.
fn identifier(text: &str) -> String {
    let text = text.trim_start();
    if let Some(quoted) = text.strip_prefix('"') {
        return quoted.split('"').next().unwrap_or_default().to_string();
    }
    text[..identifier_length(text)].to_lowercase()
}

fn identifier_length(text: &str) -> usize {
    if let Some(quoted) = text.strip_prefix('"') {
        return quoted.find('"').map_or(text.len(), |end| end + 2);
    }
    text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len())
}

/// Runs a case, and once more when the server ran short of a resource (SQLSTATE class 53,
/// such as 53200 out of shared memory on a loaded shared server): that says how the server
/// was doing, not what autogen does, so only a second such failure counts.
async fn run_case_retrying(name: &str, case: &Value) -> Outcome {
    let outcome = run_case(case).await;
    let Some(reason) = resource_error(&outcome) else {
        return outcome;
    };
    println!("retry {name}: the server ran short of a resource, running the case again: {reason}");
    run_case(case).await
}

/// The line of an outcome's reason that carries a SQLSTATE of class 53 (insufficient
/// resources); every server error reaches a reason through `describe_db_error`, which
/// writes `(SQLSTATE xxxxx)`.
fn resource_error(outcome: &Outcome) -> Option<&str> {
    let reason = match outcome {
        Outcome::Fail(reason)
        | Outcome::OutOfScope(reason)
        | Outcome::Pass(Offline::Fail(reason) | Offline::Unreadable(reason)) => reason,
        Outcome::Pass(Offline::Pass) => return None,
    };
    reason
        .lines()
        .map(str::trim)
        .find(|line| line.contains("(SQLSTATE 53"))
}

async fn run_case(case: &Value) -> Outcome {
    if let Some(reason) = static_scope(case) {
        return Outcome::OutOfScope(reason);
    }
    let current_db = ScratchDb::create("autogen_corpus").await;
    let desired_db = ScratchDb::create("autogen_corpus").await;
    let mut current_client = current_db.client().await;
    let desired_client = desired_db.client().await;
    if let Err(reason) = create_roles(&current_client, case).await {
        return Outcome::Fail(reason);
    }
    let user = text_field(case, "user");
    if let Some(user) = user {
        if let Err(reason) = create_user_schema(&current_client, &desired_client, user).await {
            return Outcome::Fail(reason);
        }
    }
    let privileges = privilege_scope(case);
    for (field, database) in [("current", &current_db), ("desired", &desired_db)] {
        if let Some(sql) = text_field(case, field) {
            if let Err(error) = load(database, user, sql).await {
                return Outcome::OutOfScope(format!(
                    "{field} does not load on PostgreSQL 15: {}",
                    autogen::error::describe_db_error(&error)
                        .lines()
                        .next()
                        .unwrap_or_default()
                ));
            }
        }
    }
    let (current, desired) = match (read(&current_client).await, read(&desired_client).await) {
        (Ok(current), Ok(desired)) => (current, desired),
        (Err(error), _) | (_, Err(error)) => {
            return Outcome::Fail(format!("introspection: {error}"))
        }
    };
    let unmanaged: Vec<String> = current
        .unmanaged
        .iter()
        .chain(&desired.unmanaged)
        .map(|object| object.kind.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !unmanaged.is_empty() {
        return Outcome::OutOfScope(format!(
            "objects autogen does not model yet: {}",
            unmanaged.join(", ")
        ));
    }

    let mut desired = desired;
    if let Some(desired_sql) = text_field(case, "desired").filter(|sql| sql.contains("@renamed")) {
        match rename_directives(desired_sql) {
            Ok(directives) => desired.directives = directives,
            Err(reason) => return Outcome::OutOfScope(reason),
        }
    }
    // The desired SQL states an owner with `ALTER ... OWNER TO`; the others are the role
    // that ran it, which the catalog leaves out, and sqldef leaves them alone.
    desired.directives.declared_owners = desired.owners.keys().cloned().collect();
    let (current, desired) = scoped(&current, &desired, &privileges);
    let migration = autogen::generate(&current, &desired);
    if let Err(error) = autogen::apply::apply(&mut current_client, &migration.up, "up").await {
        return Outcome::Fail(format!("{error}"));
    }
    match read(&current_client).await {
        Ok(after_up) => {
            let (after_up, desired) = scoped(&after_up, &desired, &privileges);
            let leftover = autogen::generate(&after_up, &desired).up;
            if !leftover.is_empty() {
                return Outcome::Fail(format!("after up, still differs:\n{}", leftover.to_text()));
            }
        }
        Err(error) => return Outcome::Fail(format!("introspection after up: {error}")),
    }
    if let Err(error) = autogen::apply::apply(&mut current_client, &migration.down, "down").await {
        return Outcome::Fail(format!("{error}"));
    }
    match read(&current_client).await {
        Ok(after_down) => {
            let (current, after_down) = scoped(&current, &after_down, &privileges);
            let leftover = autogen::generate(&current, &after_down).up;
            if !leftover.is_empty() {
                return Outcome::Fail(format!(
                    "after down, differs from the original:\n{}",
                    leftover.to_text()
                ));
            }
        }
        Err(error) => return Outcome::Fail(format!("introspection after down: {error}")),
    }
    let database_found_nothing = migration.changes.is_empty();
    Outcome::Pass(
        run_offline(
            case,
            user,
            &mut current_client,
            (&current, &desired),
            database_found_nothing,
            &privileges,
        )
        .await,
    )
}

/// File to file: the scripts generated from the two SQL texts replayed offline must turn
/// the current database into the desired one and back, like the database-to-database ones,
/// and must be empty where those were (no difference the server would not see).
async fn run_offline(
    case: &Value,
    user: Option<&str>,
    client: &mut tokio_postgres::Client,
    (current, desired): (&Schema, &Schema),
    database_found_nothing: bool,
    privileges: &PrivilegeScope,
) -> Offline {
    let replay = |field: &str| -> Result<Schema, String> {
        let mut interpreter = autogen::ddl::Interpreter::new();
        // What the harness does before a `user` case's SQL (`create_user_schema`, `load`).
        if let Some(user) = user {
            let role = quote_role(user);
            let prelude = format!(
                "CREATE SCHEMA foo AUTHORIZATION {role};\n\
                 SET ROLE {role};\nSET search_path = foo, public;\n"
            );
            interpreter
                .run(&prelude, Path::new("harness.sql"))
                .map_err(|error| error.to_string())?;
        }
        let sql = text_field(case, field).unwrap_or_default();
        interpreter
            .run(sql, Path::new(&format!("{field}.sql")))
            .map_err(|error| error.to_string())?;
        Ok(autogen::normalize::normalize(interpreter.schema()))
    };
    let (replayed_current, mut replayed_desired) = match (replay("current"), replay("desired")) {
        (Ok(current), Ok(desired)) => (current, desired),
        (Err(error), _) | (_, Err(error)) => return Offline::Unreadable(error),
    };
    // sqldef manages the grants of its managed roles only, whatever the SQL grants to others.
    replayed_desired.directives = desired.directives.clone();
    let mut replayed_current = replayed_current;
    replayed_current.directives.declared_privileges.clear();
    replayed_current.directives.declared_owners.clear();
    autogen::equivalence::align(&replayed_current, &mut replayed_desired);
    let (replayed_current, replayed_desired) =
        scoped(&replayed_current, &replayed_desired, privileges);
    let migration = autogen::generate(&replayed_current, &replayed_desired);
    if database_found_nothing && !migration.changes.is_empty() {
        return Offline::Fail(format!(
            "offline finds a difference the server does not:\n{}",
            migration.up.to_text()
        ));
    }
    if let Err(error) = autogen::apply::apply(client, &migration.up, "up").await {
        return Offline::Fail(format!("{error}"));
    }
    match read(client).await {
        Ok(after_up) => {
            let (after_up, desired) = scoped(&after_up, desired, privileges);
            let leftover = autogen::generate(&after_up, &desired).up;
            if !leftover.is_empty() {
                return Offline::Fail(format!(
                    "after the offline up, the database differs from desired:\n{}",
                    leftover.to_text()
                ));
            }
        }
        Err(error) => return Offline::Fail(format!("introspection after up: {error}")),
    }
    if let Err(error) = autogen::apply::apply(client, &migration.down, "down").await {
        return Offline::Fail(format!("{error}"));
    }
    match read(client).await {
        Ok(after_down) => {
            let (current, after_down) = scoped(current, &after_down, privileges);
            let leftover = autogen::generate(&current, &after_down).up;
            match leftover.is_empty() {
                true => Offline::Pass,
                false => Offline::Fail(format!(
                    "after the offline down, differs from the original:\n{}",
                    leftover.to_text()
                )),
            }
        }
        Err(error) => Offline::Fail(format!("introspection after down: {error}")),
    }
}

async fn read(client: &tokio_postgres::Client) -> Result<Schema, autogen::error::Error> {
    Ok(autogen::normalize::normalize(
        catalog::read(client, &SchemaScope::All).await?,
    ))
}
