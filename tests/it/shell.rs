//! Shell and editor support: completion scripts, man pages, and the JSON Schema that `init`
//! and `inspect` point editors at.

use std::process::Command;

use crate::project::{Project, Run, FIRST};

fn autogen(args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(args)
        .output()
        .expect("autogen runs")
        .into()
}

const SUBCOMMANDS: [&str; 6] = [
    "migrate",
    "upgrade",
    "downgrade",
    "check",
    "heads",
    "rebase",
];

#[test]
fn completions_for_each_shell_name_every_command() {
    for (shell, marker, format_option) in [
        ("bash", "complete -F _autogen", "--format"),
        ("zsh", "#compdef autogen", "--format"),
        ("fish", "complete -c autogen", "-l format"),
        ("powershell", "Register-ArgumentCompleter", "--format"),
    ] {
        let script = autogen(&["completions", shell]);
        assert_eq!(script.code, Some(0), "{shell}: {script:?}");
        assert!(script.stdout.contains(marker), "{shell}: {}", script.stdout);
        for subcommand in SUBCOMMANDS {
            assert!(script.stdout.contains(subcommand), "{shell}: {subcommand}");
        }
        assert!(script.stdout.contains(format_option), "{shell}");
    }
    let bash = autogen(&["completions", "bash"]);
    let file = std::env::temp_dir().join(format!("autogen-completion-{}.bash", std::process::id()));
    std::fs::write(&file, &bash.stdout).expect("writes the script");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash runs");
    std::fs::remove_file(&file).ok();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let unknown = autogen(&["completions", "tcsh"]);
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
}

#[test]
fn man_pages_for_autogen_and_each_command() {
    let page = autogen(&["man"]);
    assert_eq!(page.code, Some(0), "{page:?}");
    assert!(page.stdout.contains(".TH autogen 1"), "{}", page.stdout);
    for subcommand in SUBCOMMANDS {
        assert!(page.stdout.contains(subcommand), "{subcommand}");
    }
    let upgrade = autogen(&["man", "upgrade"]);
    assert_eq!(upgrade.code, Some(0), "{upgrade:?}");
    assert!(
        upgrade.stdout.contains(".TH autogen-upgrade 1"),
        "{upgrade:?}"
    );
    assert!(upgrade.stdout.contains("\\-\\-dry\\-run"), "{upgrade:?}");
    // Global options are on every command's page.
    assert!(upgrade.stdout.contains("\\-\\-color"), "{upgrade:?}");
    let unknown = autogen(&["man", "nope"]);
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
}

#[tokio::test]
async fn init_and_inspect_point_editors_at_the_json_schema_it_prints() {
    let printed = autogen(&["schema-json"]);
    assert_eq!(printed.code, Some(0), "{printed:?}");
    let shipped = std::fs::read_to_string(format!(
        "{}/schema/autogen.schema.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the shipped schema");
    assert_eq!(printed.stdout, shipped);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).expect("JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );

    let modeline = "# yaml-language-server: $schema=autogen.schema.json\n";
    let project = Project::new().await;
    let schema_file =
        std::fs::read_to_string(project.path("schema/schema.yaml")).expect("init wrote it");
    assert!(schema_file.starts_with(modeline), "{schema_file}");
    let beside = std::fs::read_to_string(project.path("schema/autogen.schema.json"))
        .expect("init wrote the JSON Schema beside it");
    assert_eq!(beside, shipped);
    let url = project.database.url.clone();
    project
        .database
        .client()
        .await
        .batch_execute("CREATE TABLE t (id integer PRIMARY KEY)")
        .await
        .expect("a table");
    let inspect = project.run(FIRST, &["inspect", "--database-url", &url]);
    assert_eq!(inspect.code, Some(0), "{inspect:?}");
    assert!(inspect.stdout.starts_with(modeline), "{inspect:?}");
    assert!(inspect.stdout.contains("\n  t:\n"), "{inspect:?}");
    let again = project.run(FIRST, &["init", "--database-url", &url]);
    assert_eq!(again.code, Some(2), "{again:?}");
}
