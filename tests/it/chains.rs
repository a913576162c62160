//! Chains of dependents (issue 10): a type under a column under an index, a check, a
//! generated column and a view, under a view, under a materialized view with an index, and
//! a key under a foreign key and a grouping view. Each case changes the bottom of a chain;
//! its upgrade must apply over rows, leave nothing to diff, and its downgrade must bring the
//! original schema back.

use autogen::source::{self, Source};

use crate::scratch::ScratchDb;

const BASE: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE person (
    id integer PRIMARY KEY,
    code varchar(10) NOT NULL,
    mood mood NOT NULL,
    score integer NOT NULL,
    is_happy boolean GENERATED ALWAYS AS (mood = 'happy') STORED,
    CONSTRAINT person_code_key UNIQUE (code),
    CONSTRAINT person_score_check CHECK (mood <> 'happy' OR score >= 0)
);
CREATE INDEX person_happy_idx ON person (score) WHERE mood = 'happy';
CREATE INDEX person_is_happy_idx ON person (is_happy);
CREATE TABLE visit (
    id integer PRIMARY KEY,
    person_code varchar(10) REFERENCES person (code)
);
INSERT INTO person VALUES (1, 'a', 'happy', 3), (2, 'b', 'sad', 5), (3, 'c', 'happy', 7);
INSERT INTO visit VALUES (1, 'a'), (2, 'c');
CREATE VIEW person_v AS SELECT id, code, mood, score FROM person;
CREATE VIEW happy_v AS SELECT id, code, score FROM person_v WHERE mood = 'happy';
CREATE MATERIALIZED VIEW happy_m AS SELECT code, score FROM happy_v;
CREATE UNIQUE INDEX happy_m_code_idx ON happy_m (code);
CREATE VIEW person_visits AS
    SELECT p.id, p.code, count(v.id) AS visits
    FROM person p LEFT JOIN visit v ON v.person_code = p.code
    GROUP BY p.id;
";

/// (name, what replaces what in `BASE` to give the desired schema).
const CASES: &[(&str, &[(&str, &str)])] = &[
    (
        "enum value added",
        &[(
            "('sad', 'ok', 'happy')",
            "('sad', 'ok', 'happy', 'ecstatic')",
        )],
    ),
    (
        "enum value added in the middle",
        &[("('sad', 'ok', 'happy')", "('sad', 'meh', 'ok', 'happy')")],
    ),
    (
        "enum value removed",
        &[("('sad', 'ok', 'happy')", "('sad', 'happy')")],
    ),
    (
        "enum values reordered",
        &[("('sad', 'ok', 'happy')", "('happy', 'ok', 'sad')")],
    ),
    (
        "column type changed",
        &[("score integer NOT NULL", "score bigint NOT NULL")],
    ),
    (
        "key column type changed",
        &[
            ("code varchar(10) NOT NULL", "code varchar(20) NOT NULL"),
            ("person_code varchar(10)", "person_code varchar(20)"),
        ],
    ),
    (
        "key changed",
        &[
            ("UNIQUE (code)", "UNIQUE (code, id)"),
            (" REFERENCES person (code)", ""),
        ],
    ),
    (
        "primary key changed",
        &[
            ("id integer PRIMARY KEY,", "id integer,"),
            (
                "CONSTRAINT person_code_key",
                "PRIMARY KEY (id, code),\n    CONSTRAINT person_code_key",
            ),
            ("GROUP BY p.id;", "GROUP BY p.id, p.code;"),
        ],
    ),
    (
        "primary key recreated under another name",
        &[(
            "id integer PRIMARY KEY,",
            "id integer CONSTRAINT person_id_pk PRIMARY KEY,",
        )],
    ),
    (
        "view definition changed",
        &[(
            "SELECT id, code, mood, score FROM person;",
            "SELECT id, code, mood, score FROM person WHERE score > 0;",
        )],
    ),
    (
        "view column appended",
        &[(
            "SELECT id, code, mood, score FROM person;",
            "SELECT id, code, mood, score, is_happy FROM person;",
        )],
    ),
    (
        "view column retyped",
        &[(
            "SELECT id, code, mood, score FROM person;",
            "SELECT id, code, mood, score::bigint AS score FROM person;",
        )],
    ),
];

#[tokio::test]
async fn changing_the_bottom_of_a_chain_rebuilds_the_chain() {
    let mut failures = Vec::new();
    for (name, replacements) in CASES {
        let mut desired_sql = BASE.to_string();
        for (from, to) in *replacements {
            assert!(
                desired_sql.contains(from),
                "{name}: {from:?} is not in BASE"
            );
            desired_sql = desired_sql.replacen(from, to, 1);
        }
        if let Err(problem) = round_trip(&desired_sql).await {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

async fn round_trip(desired_sql: &str) -> Result<(), String> {
    let current_db = ScratchDb::create("autogen_chain").await;
    let desired_db = ScratchDb::create("autogen_chain").await;
    let mut client = current_db.client().await;
    client
        .batch_execute(BASE)
        .await
        .map_err(|e| e.to_string())?;
    desired_db
        .client()
        .await
        .batch_execute(desired_sql)
        .await
        .map_err(|error| format!("desired SQL does not load: {error:?}"))?;
    let here = Source::Database(current_db.url.clone());
    let there = Source::Database(desired_db.url.clone());
    let read = |from: Source, to: Source| async move {
        source::read_pair(&from, &to, &Default::default())
            .await
            .map_err(|error| format!("reading schemas failed: {error}"))
    };

    let (current, desired) = read(here.clone(), there.clone()).await?;
    let migration = autogen::generate(&current, &desired);
    let casualties = migration.unmanaged_casualties(&current);
    if !casualties.is_empty() {
        return Err(format!("refused: {casualties:?}"));
    }
    let up = migration.up.to_text();
    let down = migration.down.to_text();
    autogen::apply::apply(&mut client, &migration.up, "up")
        .await
        .map_err(|error| format!("up fails: {error}\n{up}"))?;
    let (after_up, desired) = read(here.clone(), there.clone()).await?;
    let leftover = autogen::generate(&after_up, &desired).up;
    if !leftover.is_empty() {
        return Err(format!("after up:\n{}\nup was:\n{up}", leftover.to_text()));
    }
    autogen::apply::apply(&mut client, &migration.down, "down")
        .await
        .map_err(|error| format!("down fails: {error}\n{down}"))?;
    let (after_down, _) = read(here, there).await?;
    let leftover = autogen::generate(&after_down, &current).up;
    if !leftover.is_empty() {
        return Err(format!(
            "after down:\n{}\ndown was:\n{down}",
            leftover.to_text()
        ));
    }
    let rows: i64 = client
        .query_one("SELECT count(*) FROM happy_m", &[])
        .await
        .map_err(|error| error.to_string())?
        .get(0);
    if rows != 2 {
        return Err(format!(
            "happy_m holds {rows} rows after down, not 2\nup:\n{up}\ndown:\n{down}"
        ));
    }
    Ok(())
}
