//! Issue 11's extension versions: a version the file pins is compared with the installed
//! one and reached with `ALTER EXTENSION ... UPDATE TO`, with a hazard note; a file that pins
//! none matches any version. (Updates rarely have a way back, so this runs one way.)

use autogen::diff::PrivilegeScope;
use autogen::source::{self, Source};

use crate::scratch::ScratchDb;

#[tokio::test]
async fn a_pinned_version_is_updated_to_and_an_unpinned_one_matches_any() {
    let database = ScratchDb::create("autogen_extensions").await;
    let mut client = database.client().await;
    client
        .batch_execute("CREATE EXTENSION pg_trgm VERSION '1.5'")
        .await
        .expect("pg_trgm 1.5 is available");
    let here = Source::Database(database.url.clone());
    let path = |pin: &str| {
        let path = std::env::temp_dir().join(format!("autogen-{pin}-{}.yaml", database.name));
        let text = match pin {
            "unpinned" => "extensions: [pg_trgm]\n".to_string(),
            version => format!("extensions:\n  pg_trgm: {{ version: \"{version}\" }}\n"),
        };
        std::fs::write(&path, text).expect("temp file");
        Source::SchemaFile(path)
    };
    let scope = PrivilegeScope::default();
    for (pin, expected) in [
        ("unpinned", ""),
        ("1.5", ""),
        ("1.6", "ALTER EXTENSION pg_trgm UPDATE TO '1.6';\n"),
    ] {
        let (current, desired) = source::read_pair(&here, &path(pin), &scope)
            .await
            .expect("reads both");
        let up = autogen::generate(&current, &desired).up;
        let text = up.to_text();
        assert!(text.ends_with(expected), "{pin}: {text}");
        if pin == "1.6" {
            assert!(
                text.contains("-- hazards: extension update: pg_trgm"),
                "{text}"
            );
            autogen::apply::apply(&mut client, &up, "up")
                .await
                .expect("the update applies");
        }
        assert_eq!(text.is_empty(), expected.is_empty(), "{pin}: {text}");
    }
    let (current, desired) = source::read_pair(&here, &path("1.6"), &scope)
        .await
        .expect("reads both");
    assert!(autogen::generate(&current, &desired).up.is_empty());
    for pin in ["unpinned", "1.5", "1.6"] {
        let file = std::env::temp_dir().join(format!("autogen-{pin}-{}.yaml", database.name));
        std::fs::remove_file(file).ok();
    }
}
