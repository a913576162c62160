//! Hazard labels checked against what PostgreSQL really does: a column type change labelled
//! a table rewrite must change the table's `relfilenode`, one labelled without must keep it,
//! and a change not labelled as data loss must bring every value back on the way down.

use autogen::catalog::{self, SchemaScope};
use autogen::diff::Hazard;
use autogen::model::{QualifiedName, Schema};
use autogen::normalize::normalize;
use tokio_postgres::Client;

use crate::scratch::ScratchDb;

/// (old type, new type, a value of the old type) in `format_type` spelling.
const TYPE_CHANGES: &[(&str, &str, &str)] = &[
    ("character varying(10)", "character varying(20)", "'abc'"),
    ("character varying(20)", "character varying(10)", "'abc'"),
    ("character varying(10)", "text", "'abc'"),
    ("text", "character varying", "'abc'"),
    ("text", "character varying(5)", "'abc'"),
    ("numeric(3,2)", "numeric(4,2)", "1.25"),
    ("numeric(3,2)", "numeric", "1.25"),
    ("numeric(3,2)", "numeric(5,3)", "1.25"),
    ("numeric(5,2)", "numeric(4,2)", "1.25"),
    ("numeric", "numeric(10,2)", "1.25"),
    ("integer", "bigint", "7"),
    ("bigint", "integer", "7"),
    ("integer", "numeric(12,2)", "7"),
    ("integer", "text", "7"),
    ("real", "double precision", "0.5"),
    (
        "timestamp(3) without time zone",
        "timestamp(6) without time zone",
        "'2026-01-02 03:04:05.678'",
    ),
    (
        "timestamp without time zone",
        "timestamp(3) without time zone",
        "'2026-01-02 03:04:05.678'",
    ),
    (
        "timestamp without time zone",
        "timestamp with time zone",
        "'2026-01-02 03:04:05'",
    ),
    (
        "time(2) without time zone",
        "time(4) without time zone",
        "'03:04:05.12'",
    ),
    ("interval(2)", "interval(4)", "'1.25 seconds'"),
    ("bit varying(5)", "bit varying(8)", "B'101'"),
    ("bit varying(5)", "bit varying", "B'101'"),
    ("character(5)", "character(8)", "'ab'"),
    ("cidr", "inet", "'10.0.0.0/8'"),
    ("xml", "text", "'<a/>'"),
    ("character varying(5)[]", "character varying(8)[]", "'{ab}'"),
];

async fn read(client: &Client) -> Schema {
    normalize(
        catalog::read(client, &SchemaScope::All)
            .await
            .expect("introspection"),
    )
}

async fn relfilenode(client: &Client) -> u32 {
    client
        .query_one(
            "SELECT relfilenode FROM pg_catalog.pg_class WHERE oid = 'public.t'::regclass",
            &[],
        )
        .await
        .expect("pg_class query")
        .get(0)
}

async fn value_text(client: &Client) -> String {
    client
        .query_one("SELECT c::text FROM public.t", &[])
        .await
        .expect("the row")
        .get(0)
}

#[tokio::test]
async fn type_change_labels_match_what_the_server_does() {
    let db = ScratchDb::create("autogen_test_hazards").await;
    let mut client = db.client().await;
    // Not UTC, where PostgreSQL skips the timestamp → timestamptz rewrite.
    client
        .batch_execute("SET TimeZone = 'America/New_York'")
        .await
        .expect("SET TimeZone");
    let table = QualifiedName::new("public", "t");
    let mut wrong = Vec::new();
    for (from, to, value) in TYPE_CHANGES {
        client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS public.t; CREATE TABLE public.t (c {from}); \
                 INSERT INTO public.t VALUES ({value})"
            ))
            .await
            .unwrap_or_else(|error| panic!("{from} with {value}: {error}"));
        let current = read(&client).await;
        let mut desired = current.clone();
        let column = desired
            .tables
            .get_mut(&table)
            .and_then(|table| table.columns.first_mut())
            .expect("column c");
        assert_eq!(column.data_type, *from, "spelling of the old type");
        column.data_type = (*to).to_string();
        let migration = autogen::generate(&current, &desired);
        let hazards: Vec<Hazard> = migration
            .changes
            .iter()
            .flat_map(|change| change.hazards())
            .collect();
        let labelled_rewrite = hazards
            .iter()
            .any(|hazard| matches!(hazard, Hazard::TableRewrite(_)));
        let labelled_loss = hazards
            .iter()
            .any(|hazard| matches!(hazard, Hazard::DataLoss(_)));

        let before = relfilenode(&client).await;
        let original = value_text(&client).await;
        let applied = autogen::apply::apply(&mut client, &migration.up, "up").await;
        if let Err(error) = applied {
            // Only a change labelled as data loss may fail on the value.
            if !labelled_loss {
                wrong.push(format!(
                    "{from} → {to}: not labelled data loss, failed: {error}"
                ));
            }
            continue;
        }
        let rewritten = relfilenode(&client).await != before;
        if rewritten != labelled_rewrite {
            wrong.push(format!(
                "{from} → {to}: labelled rewrite {labelled_rewrite}, the server rewrote {rewritten}"
            ));
        }
        if !labelled_loss {
            let restored = autogen::apply::apply(&mut client, &migration.down, "down").await;
            let round_trip = match restored {
                Ok(()) => value_text(&client).await,
                Err(error) => format!("down failed: {error}"),
            };
            if round_trip != original {
                wrong.push(format!(
                    "{from} → {to}: not labelled data loss, {original} came back as {round_trip}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// (old type, new type, a value of the old type) where the types are enums or domains.
const USER_TYPE_CHANGES: &[(&str, &str, &str)] = &[
    ("mood", "wider_mood", "'ok'"),
    ("wider_mood", "mood", "'glad'"),
    ("amount", "big_amount", "7"),
    ("big_amount", "amount", "3000000000"),
    ("amount", "bigint", "7"),
];

/// A column moving between enums or domains is labelled by what the types hold: a label or
/// a value the new type lacks is data loss (and the change fails on it); otherwise every value
/// comes back on the way down.
#[tokio::test]
async fn user_type_change_labels_match_what_the_server_does() {
    let db = ScratchDb::create("autogen_test_hazards").await;
    let mut client = db.client().await;
    client
        .batch_execute(
            "CREATE TYPE public.mood AS ENUM ('sad', 'ok'); \
             CREATE TYPE public.wider_mood AS ENUM ('sad', 'ok', 'glad'); \
             CREATE DOMAIN public.amount AS integer; \
             CREATE DOMAIN public.big_amount AS bigint",
        )
        .await
        .expect("types");
    let table = QualifiedName::new("public", "t");
    let mut wrong = Vec::new();
    for (from, to, value) in USER_TYPE_CHANGES {
        client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS public.t; CREATE TABLE public.t (c {from}); \
                 INSERT INTO public.t VALUES ({value})"
            ))
            .await
            .unwrap_or_else(|error| panic!("{from} with {value}: {error}"));
        let current = read(&client).await;
        let mut desired = current.clone();
        let column = desired
            .tables
            .get_mut(&table)
            .and_then(|table| table.columns.first_mut())
            .expect("column c");
        column.data_type = (*to).to_string();
        let migration = autogen::generate(&current, &desired);
        let labelled_loss = migration
            .changes
            .iter()
            .flat_map(|change| change.hazards())
            .any(|hazard| matches!(hazard, Hazard::DataLoss(_)));
        let original = value_text(&client).await;
        let applied = autogen::apply::apply(&mut client, &migration.up, "up").await;
        match (labelled_loss, applied) {
            (true, Ok(())) => wrong.push(format!(
                "{from} → {to}: labelled data loss, but {original} fits"
            )),
            (true, Err(_)) => {}
            (false, Err(error)) => wrong.push(format!(
                "{from} → {to}: not labelled data loss, failed: {error}"
            )),
            (false, Ok(())) => {
                let restored = autogen::apply::apply(&mut client, &migration.down, "down").await;
                let round_trip = match restored {
                    Ok(()) => value_text(&client).await,
                    Err(error) => format!("down failed: {error}"),
                };
                if round_trip != original {
                    wrong.push(format!(
                        "{from} → {to}: not labelled data loss, {original} came back as {round_trip}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
