//! `--format json` of `diff`, `migrate` and `check`, and `check --format sarif`: the documents
//! parse, their fields say what the text output says, and the SARIF log has what the
//! SARIF 2.1.0 schema requires.

use serde_json::Value;

use crate::project::{Project, Run, FIRST, SECOND, STUDENTS, STUDENTS_VACCINATED};

fn parse(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("{error}: {run:?}"))
}

fn kinds(changes: &Value) -> Vec<&str> {
    changes
        .as_array()
        .expect("changes is an array")
        .iter()
        .map(|change| change["kind"].as_str().expect("kind is a string"))
        .collect()
}

#[tokio::test]
async fn diff_json_lists_each_change_with_its_object_hazards_and_sql() {
    let project = Project::laid_out().await;
    project.write("current.yaml", STUDENTS);
    project.write(
        "desired.yaml",
        "tables:\n  students:\n    columns:\n      id: { type: bigint, identity: always }\n      \
         email: text\n    primary_key: [id]\n",
    );
    let args = ["diff", "--from", "current.yaml", "--to", "desired.yaml"];
    let text = project.run(FIRST, &args);
    let json = project.run(FIRST, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(json.code, Some(0), "{json:?}");
    let document = parse(&json);
    assert_eq!(document["version"], 1);
    assert_eq!(document["direction"], "upgrade");
    assert_eq!(document["sql"].as_str(), Some(text.stdout.as_str()));
    assert_eq!(
        kinds(&document["changes"]),
        ["drop_column", "add_column"],
        "{document:#}"
    );
    let dropped = &document["changes"][0];
    assert_eq!(dropped["summary"], "dropped column students.full_name");
    assert_eq!(
        dropped["object"],
        serde_json::json!({"type": "column", "schema": "public", "table": "students", "name": "full_name"})
    );
    assert_eq!(dropped["destructive"], true);
    let hazard_kinds: Vec<&str> = dropped["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .map(|hazard| hazard["kind"].as_str().expect("kind"))
        .collect();
    assert!(hazard_kinds.contains(&"data_loss"), "{dropped:#}");
    assert!(hazard_kinds.contains(&"lock"), "{dropped:#}");
    assert_eq!(
        dropped["sql"],
        serde_json::json!(["ALTER TABLE public.students DROP COLUMN full_name"])
    );
    // Every statement of the script belongs to exactly one change, in the script's order.
    let statements: Vec<String> = document["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .flat_map(|change| change["sql"].as_array().expect("sql").clone())
        .map(|statement| format!("{};", statement.as_str().expect("a string")))
        .collect();
    let script_statements: Vec<&str> = text
        .stdout
        .lines()
        .filter(|line| !line.starts_with("--") && !line.is_empty())
        .collect();
    assert_eq!(statements, script_statements);

    let reverse = project.run(
        FIRST,
        &[&args[..], &["--format", "json", "--reverse"]].concat(),
    );
    let reverse = parse(&reverse);
    assert_eq!(reverse["direction"], "downgrade");
    assert_eq!(kinds(&reverse["changes"]), ["drop_column", "add_column"]);
    assert_eq!(reverse["changes"][0]["object"]["name"], "email");
}

#[tokio::test]
async fn migrate_and_check_json_offline_report_the_missing_revision_then_agree() {
    let project = Project::laid_out().await;
    project.write("autogen.toml", "");
    project.write("schema/schema.yaml", STUDENTS);
    let check = project.run(FIRST, &["check", "--format", "json"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    let document = parse(&check);
    assert_eq!(document["ok"], false);
    assert_eq!(document["database"], Value::Null);
    assert_eq!(document["schema_file"], "schema/schema.yaml");
    let disagreement = &document["disagreements"][0];
    assert_eq!(disagreement["kind"], "missing_revision");
    assert_eq!(
        disagreement["between"],
        serde_json::json!(["schema_file", "migrations"])
    );
    assert_eq!(kinds(&disagreement["changes"]), ["create_table"]);
    assert!(disagreement["sql"]
        .as_str()
        .expect("sql")
        .starts_with("CREATE TABLE public.students"));

    let migrate = project.run(
        FIRST,
        &["migrate", "-m", "create students", "--format", "json"],
    );
    assert_eq!(migrate.code, Some(0), "{migrate:?}");
    let written = parse(&migrate);
    assert_eq!(written["status"], "written");
    let revision = &written["revisions"][0];
    assert_eq!(revision["id"], "20261124160000");
    assert_eq!(revision["parent"], Value::Null);
    assert_eq!(revision["stamped"], false);
    assert_eq!(
        revision["up"],
        "migrations/20261124160000_create_students.up.sql"
    );
    assert!(project
        .path(revision["up"].as_str().expect("path"))
        .exists());
    assert_eq!(kinds(&revision["changes"]), ["create_table"]);

    let again = project.run(SECOND, &["migrate", "-m", "nothing", "--format", "json"]);
    assert_eq!(parse(&again)["status"], "no_changes", "{again:?}");
    let check = project.run(SECOND, &["check", "--format", "json"]);
    assert_eq!(check.code, Some(0), "{check:?}");
    let document = parse(&check);
    assert_eq!(document["ok"], true);
    assert_eq!(document["head"], "20261124160000");
    assert_eq!(document["disagreements"], serde_json::json!([]));
}

#[tokio::test]
async fn check_json_names_pending_revisions_and_drift_separately() {
    let project = Project::new().await;
    project.two_revisions();
    project
        .database
        .client()
        .await
        .batch_execute("ALTER TABLE students ADD COLUMN nickname text")
        .await
        .expect("a hand-made change");
    let check = project.run(SECOND, &["check", "--format", "json"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    let document = parse(&check);
    assert_eq!(document["current"], "20261124160000");
    assert_eq!(document["head"], "20261124170000");
    assert_eq!(document["revisions_replayed"], true);
    assert!(document["database"]
        .as_str()
        .expect("described")
        .ends_with(&project.database.name));
    let disagreements = document["disagreements"].as_array().expect("array");
    let kinds: Vec<&str> = disagreements
        .iter()
        .map(|disagreement| disagreement["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["pending", "drift"], "{document:#}");
    assert_eq!(
        disagreements[0]["between"],
        serde_json::json!(["migrations", "database"])
    );
    assert_eq!(disagreements[0]["revisions"][0]["id"], "20261124170000");
    assert_eq!(
        disagreements[0]["revisions"][0]["message"],
        "add vaccination status"
    );
    let drift = &disagreements[1];
    assert_eq!(
        drift["between"],
        serde_json::json!(["database", "migrations"])
    );
    assert_eq!(drift["changes"][0]["kind"], "add_column");
    assert_eq!(drift["changes"][0]["object"]["name"], "nickname");
    assert!(
        drift["sql"]
            .as_str()
            .expect("undo sql")
            .contains("DROP COLUMN nickname"),
        "{drift:#}"
    );
}

/// What the SARIF 2.1.0 schema requires of the parts autogen writes: `version` and `runs`;
/// a run's `tool.driver.name`; a rule's `id`; a result's `message` (with `text`), a `level`
/// from the schema's enum, and `ruleIndex` pointing at the rule named by `ruleId`;
/// locations whose `uri` is a URI reference and whose region lines and columns start at 1.
fn assert_valid_sarif(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs is an array");
    assert!(!runs.is_empty());
    for run in runs {
        let driver = &run["tool"]["driver"];
        assert!(driver["name"].is_string(), "{driver:#}");
        let rules = driver["rules"].as_array().expect("rules");
        let rule_ids: Vec<&str> = rules
            .iter()
            .map(|rule| rule["id"].as_str().expect("a rule has an id"))
            .collect();
        for rule in rules {
            assert!(rule["shortDescription"]["text"].is_string(), "{rule:#}");
            let level = rule["defaultConfiguration"]["level"]
                .as_str()
                .expect("level");
            assert!(["none", "note", "warning", "error"].contains(&level));
        }
        for result in run["results"].as_array().expect("results") {
            assert!(result["message"]["text"].is_string(), "{result:#}");
            let level = result["level"].as_str().expect("level");
            assert!(["none", "note", "warning", "error"].contains(&level));
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(Some(&rule_ids[index]), result["ruleId"].as_str().as_ref());
            for location in result["locations"].as_array().expect("locations") {
                let physical = &location["physicalLocation"];
                let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
                assert!(
                    !uri.is_empty() && !uri.contains([' ', '\\', '"']),
                    "{uri:?}"
                );
                if let Some(region) = physical.get("region") {
                    assert!(region["startLine"].as_u64().expect("startLine") >= 1);
                    assert!(region["startColumn"].as_u64().expect("startColumn") >= 1);
                }
            }
        }
    }
}

#[tokio::test]
async fn check_sarif_annotates_the_schema_file_line_and_the_pending_revision() {
    let project = Project::new().await;
    project.two_revisions();
    project.write(
        "schema/schema.yaml",
        &format!("{STUDENTS_VACCINATED}    indexes:\n      - {{ columns: [full_name] }}\n"),
    );
    let check = project.run(SECOND, &["check", "--format", "sarif"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    let log = parse(&check);
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let rules: Vec<&str> = results
        .iter()
        .map(|result| result["ruleId"].as_str().expect("ruleId"))
        .collect();
    assert_eq!(rules, ["missing-revision", "pending-revision"], "{log:#}");
    let missing = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(missing["artifactLocation"]["uri"], "schema/schema.yaml");
    let line = missing["region"]["startLine"].as_u64().expect("line") as usize;
    let schema = std::fs::read_to_string(project.path("schema/schema.yaml")).expect("reads");
    assert!(
        schema
            .lines()
            .nth(line - 1)
            .expect("the line")
            .contains("full_name"),
        "line {line} of\n{schema}"
    );
    let pending = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(
        pending["artifactLocation"]["uri"],
        "migrations/20261124170000_add_vaccination_status.up.sql"
    );

    project.write("schema/schema.yaml", STUDENTS_VACCINATED);
    let upgrade = project.run(SECOND, &["upgrade"]);
    assert_eq!(upgrade.code, Some(0), "{upgrade:?}");
    let clean = project.run(SECOND, &["check", "--format", "sarif"]);
    assert_eq!(clean.code, Some(0), "{clean:?}");
    let log = parse(&clean);
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}
