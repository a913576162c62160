//! The interpreter's partitioning and inheritance, against what PostgreSQL 15 does.

use super::tests::{replay, replay_error, table};
use super::*;

const MEASUREMENT: &str = "\
CREATE TABLE measurement (city_id int NOT NULL, logdate date NOT NULL, peaktemp int,
    PRIMARY KEY (city_id, logdate)) PARTITION BY RANGE (logdate);
CREATE INDEX ON measurement (peaktemp);
CREATE TABLE measurement_y2006m02 PARTITION OF measurement
    FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');\n";

#[test]
fn keys_and_bounds_read_back_as_the_catalog_prints_them() {
    let key = partition_key("RANGE (a, ((b || 'x'::text)), b COLLATE \"C\" text_pattern_ops)")
        .expect("a key");
    assert_eq!(key.strategy, crate::model::PartitionStrategy::Range);
    assert_eq!(key.columns.len(), 3);
    assert_eq!(key.columns[2].opclass.as_deref(), Some("text_pattern_ops"));
    let bound =
        partition_bound("FOR VALUES FROM (minvalue, 1) TO ('-5', MAXVALUE)").expect("a bound");
    assert_eq!(
        bound.to_sql(),
        "FOR VALUES FROM (MINVALUE, 1) TO ('-5', MAXVALUE)"
    );
    let hash = partition_bound("FOR VALUES WITH (REMAINDER 1, MODULUS 4)").expect("a bound");
    assert_eq!(hash.to_sql(), "FOR VALUES WITH (modulus 4, remainder 1)");
    assert!(partition_bound("FOR VALUES WITH (modulus 2, remainder 2)").is_err());
    assert!(partition_bound("FOR VALUES IN (1); DROP TABLE x").is_err());
    assert!(partition_key("LIST (a, b)").is_err());
}

#[test]
fn a_partition_lists_only_what_it_sets_itself() {
    let schema = replay(&format!(
        "{MEASUREMENT}\
         CREATE TABLE measurement_y2006m03 PARTITION OF measurement
             (peaktemp WITH OPTIONS DEFAULT 5 NOT NULL) FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
         ALTER TABLE measurement ADD COLUMN unitsales int DEFAULT 0;"
    ));
    let plain = table(&schema, "measurement_y2006m02");
    assert!(plain.columns.is_empty());
    assert!(plain.primary_key.is_none() && plain.indexes.is_empty());
    let own = table(&schema, "measurement_y2006m03");
    let names: Vec<&str> = own.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["peaktemp"]);
    assert_eq!(table(&schema, "measurement").columns.len(), 4);
}

#[test]
fn partitions_get_the_parents_indexes_under_their_own_names() {
    let mut interpreter = Interpreter::new();
    interpreter
        .run(
            &format!(
                "{MEASUREMENT}\
                 CREATE INDEX ON measurement_y2006m02 (peaktemp);"
            ),
            Path::new("test.sql"),
        )
        .unwrap_or_else(|error| panic!("{error}"));
    let partition = QualifiedName::new("public", "measurement_y2006m02");
    let names: BTreeSet<&String> = interpreter
        .hierarchy
        .inherited_index_names(&partition)
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            &"measurement_y2006m02_peaktemp_idx".to_string(),
            &"measurement_y2006m02_pkey".to_string()
        ])
    );
    // The partition's own index comes after its copy of the parent's, with a suffix.
    let schema = crate::normalize::normalize(interpreter.schema());
    assert_eq!(
        table(&schema, "measurement_y2006m02")
            .indexes
            .keys()
            .collect::<Vec<_>>(),
        ["measurement_y2006m02_peaktemp_idx1"]
    );
}

#[test]
fn attach_adopts_matching_keys_and_detach_gives_everything_back() {
    let attached = format!(
        "{MEASUREMENT}\
         ALTER TABLE measurement ADD CONSTRAINT positive CHECK (peaktemp > 0);
         CREATE TABLE m3 (city_id int NOT NULL, logdate date NOT NULL, peaktemp int,
             CONSTRAINT m3_key PRIMARY KEY (city_id, logdate), CONSTRAINT positive CHECK (peaktemp > 0));
         ALTER TABLE measurement ATTACH PARTITION m3 FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');"
    );
    let schema = replay(&attached);
    let m3 = table(&schema, "m3");
    assert!(m3.columns.is_empty() && m3.primary_key.is_none() && m3.checks.is_empty());
    let schema = replay(&format!(
        "{attached}ALTER TABLE measurement DETACH PARTITION m3;"
    ));
    let m3 = table(&schema, "m3");
    assert_eq!(m3.columns.len(), 3);
    assert_eq!(
        m3.primary_key.as_ref().map(|key| key.name.as_str()),
        Some("m3_key")
    );
    assert_eq!(m3.indexes.keys().collect::<Vec<_>>(), ["m3_peaktemp_idx"]);
    assert_eq!(m3.checks.keys().collect::<Vec<_>>(), ["positive"]);
    assert!(replay_error(&format!(
        "{MEASUREMENT}\
         ALTER TABLE measurement ADD CONSTRAINT positive CHECK (peaktemp > 0);
         CREATE TABLE m3 (city_id int NOT NULL, logdate date NOT NULL, peaktemp int);
         ALTER TABLE measurement ATTACH PARTITION m3 FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');"
    ))
    .contains("missing constraint positive"));
}

#[test]
fn parent_column_changes_reach_the_children() {
    let schema = replay(
        "CREATE TABLE cities (name text, population int CHECK (population >= 0) NO INHERIT);
         CREATE TABLE capitals (state char(2), name text DEFAULT 'x') INHERITS (cities);
         ALTER TABLE cities ADD COLUMN elevation int;
         ALTER TABLE cities RENAME COLUMN population TO people;
         ALTER TABLE cities ALTER COLUMN elevation TYPE bigint;
         ALTER TABLE cities DROP COLUMN name;",
    );
    let capitals = table(&schema, "capitals");
    let names: Vec<&str> = capitals.columns.iter().map(|c| c.name.as_str()).collect();
    // `name` was declared by the child too, so it stays; the others are inherited only.
    assert_eq!(names, ["name", "state"]);
    assert_eq!(capitals.inherits, [QualifiedName::new("public", "cities")]);
    let cities = table(&schema, "cities");
    assert!(cities.checks.values().all(|check| check.no_inherit));
    assert_eq!(
        cities.column("elevation").map(|c| c.data_type.as_str()),
        Some("bigint")
    );
    assert!(replay_error(
        "CREATE TABLE p (a int) PARTITION BY LIST (a);
         CREATE TABLE p1 PARTITION OF p DEFAULT;
         CREATE TABLE p2 PARTITION OF p DEFAULT;"
    )
    .contains("already has a default partition"));
    assert!(
        replay_error("CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p); DROP TABLE p;")
            .contains("inherits from it")
    );
}
