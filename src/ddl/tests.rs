use super::*;

pub(super) fn replay(sql: &str) -> Schema {
    let mut interpreter = Interpreter::new();
    interpreter
        .run(sql, Path::new("test.sql"))
        .unwrap_or_else(|error| panic!("{error}"));
    crate::normalize::normalize(interpreter.schema())
}

pub(super) fn replay_error(sql: &str) -> String {
    let mut interpreter = Interpreter::new();
    match interpreter.run(sql, Path::new("test.sql")) {
        Ok(()) => panic!("expected an error for {sql}"),
        Err(error) => error.to_string(),
    }
}

pub(super) fn table<'a>(schema: &'a Schema, name: &str) -> &'a Table {
    &schema.tables[&QualifiedName::new("public", name)]
}

#[test]
fn pg_dump_style_input_reads_back_as_serial_and_named_constraints() {
    let schema = replay(
        "SET statement_timeout = 0;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE TABLE public.items (id integer NOT NULL, name character varying(20), price numeric);\n\
         ALTER TABLE public.items OWNER TO app;\n\
         CREATE SEQUENCE public.items_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;\n\
         ALTER SEQUENCE public.items_id_seq OWNED BY public.items.id;\n\
         ALTER TABLE ONLY public.items ALTER COLUMN id SET DEFAULT nextval('public.items_id_seq'::regclass);\n\
         ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);\n\
         ALTER TABLE public.items ADD CHECK (price > 0), ADD UNIQUE (name);\n\
         GRANT SELECT ON public.items TO reader;\n",
    );
    let items = table(&schema, "items");
    let id = items.column("id").expect("id");
    assert_eq!(
        (id.data_type.as_str(), id.default.as_ref()),
        ("serial", None)
    );
    assert_eq!(
        items.column("name").map(|c| c.data_type.as_str()),
        Some("character varying(20)")
    );
    assert_eq!(
        items.primary_key.as_ref().map(|key| key.name.as_str()),
        Some("items_pkey")
    );
    assert_eq!(
        items.checks.keys().collect::<Vec<_>>(),
        ["items_price_check"]
    );
    assert_eq!(items.uniques.keys().collect::<Vec<_>>(), ["items_name_key"]);
    assert!(schema.unmanaged.is_empty());
}

#[test]
fn pg_dump_style_attributes_of_tables_keys_and_views_are_kept() {
    let schema = replay(
        "CREATE UNLOGGED TABLE public.u (id integer NOT NULL, x integer);\n\
         CREATE TABLE public.f (a integer, b integer);\n\
         CREATE VIEW public.v WITH (security_invoker='on', security_barrier='false') AS\n SELECT u.id\n   FROM public.u;\n\
         CREATE VIEW public.v2 AS\n SELECT u.id,\n    u.x\n   FROM public.u\n  WITH CASCADED CHECK OPTION;\n\
         ALTER TABLE ONLY public.u ADD CONSTRAINT u_pkey PRIMARY KEY (id, x) DEFERRABLE;\n\
         CREATE UNIQUE INDEX u_x_idx ON public.u USING btree (x, id);\n\
         ALTER TABLE ONLY public.f\n    ADD CONSTRAINT f_a_b_fkey FOREIGN KEY (a, b) REFERENCES public.u(x, id) MATCH FULL;\n\
         ALTER VIEW public.v2 SET (security_barrier);\n",
    );
    let u = table(&schema, "u");
    assert!(u.unlogged);
    assert_eq!(
        u.primary_key.as_ref().map(|key| key.deferrable),
        Some(Deferrable::Immediate)
    );
    assert_eq!(
        table(&schema, "f").foreign_keys["f_a_b_fkey"].match_type,
        MatchType::Full
    );
    let view = |name: &str| schema.views[&QualifiedName::new("public", name)].clone();
    let expected = ViewOptions {
        security_invoker: true,
        ..ViewOptions::default()
    };
    assert_eq!(view("v").options, expected);
    let expected = ViewOptions {
        security_barrier: true,
        check_option: Some(CheckOption::Cascaded),
        ..ViewOptions::default()
    };
    assert_eq!(view("v2").options, expected);
    assert!(view("v2").definition.as_str().ends_with("FROM public.u"));
    assert!(
        replay_error("CREATE TABLE t (a int REFERENCES t (a) MATCH PARTIAL);")
            .contains("MATCH PARTIAL is not implemented")
    );
}

#[test]
fn sequences_are_modelled_unless_serial_implies_them() {
    let schema = replay(
        "CREATE SEQUENCE tickets START 1000 INCREMENT BY 10;\n\
         CREATE TABLE t (id serial, n bigint DEFAULT nextval('tickets'), o int);\n\
         CREATE SEQUENCE owned AS integer OWNED BY t.o;\n\
         ALTER SEQUENCE tickets AS integer CACHE 5;\n",
    );
    assert_eq!(
        table(&schema, "t")
            .column("id")
            .map(|c| c.data_type.as_str()),
        Some("serial")
    );
    let names: Vec<&str> = schema
        .sequences
        .keys()
        .map(|name| name.name.as_str())
        .collect();
    assert_eq!(names, ["owned", "tickets"]);
    let tickets = &schema.sequences[&QualifiedName::new("public", "tickets")];
    assert_eq!(tickets.data_type, "integer");
    assert_eq!(
        (
            tickets.options.start,
            tickets.options.increment,
            tickets.options.cache
        ),
        (Some(1000), Some(10), Some(5))
    );
    let owned = &schema.sequences[&QualifiedName::new("public", "owned")];
    assert_eq!(
        owned.owned_by,
        Some((QualifiedName::new("public", "t"), "o".to_string()))
    );
    let without_owner = replay(
        "CREATE TABLE t (o int);\nCREATE SEQUENCE s OWNED BY t.o;\nALTER TABLE t DROP COLUMN o;\n",
    );
    assert!(
        without_owner.sequences.is_empty(),
        "dropped with its owning column"
    );
}

#[test]
fn default_names_follow_postgresql() {
    let schema = replay(
        "CREATE TABLE t (a int, b int, CHECK (a < b), CHECK (a > 0), UNIQUE (a), UNIQUE (a));\n\
         CREATE INDEX ON t (a, b);\nCREATE INDEX ON t (lower(a::text));\nCREATE INDEX ON t ((a + b));\n\
         CREATE INDEX ON t (a, b);\n",
    );
    let t = table(&schema, "t");
    assert_eq!(
        t.checks.keys().collect::<Vec<_>>(),
        ["t_a_check", "t_check"]
    );
    // Checked against PostgreSQL 15: the repeated UNIQUE (a) is created once.
    assert_eq!(t.uniques.keys().collect::<Vec<_>>(), ["t_a_key"]);
    assert_eq!(
        t.indexes.keys().collect::<Vec<_>>(),
        ["t_a_b_idx", "t_a_b_idx1", "t_expr_idx", "t_lower_idx"]
    );
}

#[test]
fn renames_follow_through_keys_and_expressions() {
    let schema = replay(
        "CREATE TABLE parent (id int PRIMARY KEY);\n\
         CREATE TABLE child (id int, parent_id int REFERENCES parent, CHECK (parent_id > 0));\n\
         CREATE INDEX child_parent_idx ON child (parent_id) WHERE parent_id IS NOT NULL;\n\
         ALTER TABLE child RENAME COLUMN parent_id TO owner_id;\n\
         ALTER TABLE parent RENAME TO owner;\n\
         ALTER TABLE owner RENAME COLUMN id TO owner_key;\n",
    );
    let child = table(&schema, "child");
    let key = &child.foreign_keys["child_parent_id_fkey"];
    assert_eq!(key.columns, ["owner_id"]);
    assert_eq!(key.referenced_table, QualifiedName::new("public", "owner"));
    assert_eq!(key.referenced_columns, ["owner_key"]);
    assert_eq!(
        child.checks["child_parent_id_check"].expression.as_str(),
        "owner_id > 0"
    );
    assert_eq!(
        child.indexes["child_parent_idx"]
            .predicate
            .as_ref()
            .map(Expr::as_str),
        Some("owner_id IS NOT NULL")
    );
}

#[test]
fn renames_reach_what_postgresql_stores_by_oid_and_nothing_else() {
    let schema = replay(
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\n\
         CREATE TABLE t (date date DEFAULT '2020-01-01'::date, m mood, CHECK (m <> 'sad'));\n\
         CREATE INDEX t_m_idx ON t (m) WHERE m = 'sad';\n\
         CREATE SEQUENCE s;\nALTER TABLE t ADD COLUMN n bigint DEFAULT nextval('s');\n\
         CREATE VIEW v AS SELECT date FROM t;\n\
         ALTER TABLE t RENAME COLUMN date TO day;\n\
         ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n\
         ALTER SEQUENCE s RENAME TO s2;\n\
         ALTER TABLE t RENAME TO u;\n",
    );
    let u = table(&schema, "u");
    let default = |name: &str| {
        u.column(name)
            .and_then(|c| c.default.as_ref())
            .map(Expr::as_str)
    };
    assert_eq!(default("day"), Some("'2020-01-01'::date"));
    assert_eq!(default("n"), Some("nextval('s2'::regclass)"));
    assert_eq!(u.checks["t_m_check"].expression.as_str(), "m <> 'blue'");
    assert_eq!(
        u.indexes["t_m_idx"].predicate.as_ref().map(Expr::as_str),
        Some("m = 'blue'")
    );
    let view = &schema.views[&QualifiedName::new("public", "v")];
    assert!(view.depends_on.contains(&QualifiedName::new("public", "u")));
}

#[test]
fn keys_merge_indexes_avoid_only_relations_and_drops_cascade_to_views() {
    // Each expectation was checked against PostgreSQL 15.
    let schema = replay(
        "CREATE TABLE t (a int UNIQUE, CONSTRAINT named UNIQUE (a), CONSTRAINT t_a_idx CHECK (a > 0));\n\
         CREATE INDEX ON t (a);\nCREATE SEQUENCE s;\nALTER TABLE s OWNER TO app;\n\
         CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\n\
         CREATE TABLE other (b int);\nDROP TABLE t CASCADE;\n",
    );
    assert!(schema.views.is_empty(), "views reading t go with it");
    let schema = replay(
        "CREATE TABLE t (a int UNIQUE, CONSTRAINT named UNIQUE (a), CONSTRAINT t_a_idx CHECK (a > 0));\n\
         CREATE INDEX ON t (a);\n",
    );
    let t = table(&schema, "t");
    assert_eq!(t.uniques.keys().collect::<Vec<_>>(), ["named"]);
    assert_eq!(t.indexes.keys().collect::<Vec<_>>(), ["t_a_idx"]);
    let message = replay_error("CREATE TABLE t (a int, CHECK (a > 0) whatever);");
    assert!(message.contains("unexpected `whatever`"), "{message}");
}

#[test]
fn dropping_a_column_drops_what_depends_on_it() {
    let schema = replay(
        "CREATE TABLE t (a int, b int UNIQUE, CHECK (a < b));\nCREATE INDEX ON t (a) WHERE b > 0;\n\
         ALTER TABLE t DROP COLUMN b;\n",
    );
    let t = table(&schema, "t");
    assert!(t.uniques.is_empty() && t.checks.is_empty() && t.indexes.is_empty());
}

#[test]
fn what_cannot_be_replayed_is_an_error_with_file_line_and_statement() {
    let message = replay_error(
        "CREATE TABLE t (a int);\n\nCREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;\n",
    );
    assert!(
        message.starts_with("test.sql:3: autogen cannot interpret"),
        "{message}"
    );
    assert!(message.contains("statement: CREATE RULE r"), "{message}");
    assert!(message.contains("hint: connect a database"), "{message}");
    let message = replay_error("ALTER TABLE missing ADD COLUMN a int;");
    assert!(
        message.contains("table missing does not exist"),
        "{message}"
    );
}

#[test]
fn not_valid_holds_until_validated_and_only_after_create_table() {
    let schema = replay(
        "CREATE TABLE p (id int PRIMARY KEY);\n\
         CREATE TABLE t (a int, CONSTRAINT born_valid CHECK (a > 0) NOT VALID);\n\
         ALTER TABLE t ADD CONSTRAINT later CHECK (a < 10) NOT VALID, \
           ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p DEFERRABLE NOT VALID;\n\
         ALTER TABLE t ADD CONSTRAINT checked CHECK (a <> 5) NOT VALID;\n\
         ALTER TABLE t VALIDATE CONSTRAINT checked;\n",
    );
    let t = table(&schema, "t");
    let valid = |name: &str| t.checks.get(name).map(|check| check.valid);
    assert_eq!(
        (valid("born_valid"), valid("later"), valid("checked")),
        (Some(true), Some(false), Some(true))
    );
    assert!(!t.foreign_keys["t_a_fkey"].valid);
    let message = replay_error("CREATE TABLE t (a int);\nALTER TABLE t ADD UNIQUE (a) NOT VALID;");
    assert!(message.contains("can be NOT VALID"), "{message}");
}

#[test]
fn exclusion_constraints_take_default_names_and_go_with_their_columns() {
    let schema = replay(
        "CREATE TABLE t (room int, during tstzrange, note text, \
           EXCLUDE USING gist (room WITH =, during WITH &&));\n\
         ALTER TABLE t ADD EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (note <> '');\n\
         ALTER TABLE t ADD CONSTRAINT by_note EXCLUDE \
           (lower(note) COLLATE \"C\" text_pattern_ops DESC NULLS LAST WITH OPERATOR(pg_catalog.=)) \
           INCLUDE (room) WITH (fillfactor = 70) DEFERRABLE;\n\
         ALTER TABLE t RENAME COLUMN note TO remark;\n",
    );
    let t = table(&schema, "t");
    assert_eq!(
        t.exclusions.keys().collect::<Vec<_>>(),
        ["by_note", "t_room_during_excl", "t_room_during_excl1"]
    );
    let by_note = &t.exclusions["by_note"];
    let element = &by_note.elements[0];
    assert_eq!(
        (
            &element.key.target,
            element.key.collation.as_deref(),
            element.key.opclass.as_deref(),
            element.key.descending,
            element.key.nulls_first,
            element.operator.as_str(),
        ),
        (
            &IndexTarget::Expression(Expr::new("lower(remark)")),
            Some("C"),
            Some("text_pattern_ops"),
            true,
            false,
            "OPERATOR(pg_catalog.=)",
        )
    );
    assert_eq!(
        (
            by_note.method.as_str(),
            &by_note.include[..],
            by_note.deferrable
        ),
        ("btree", &["room".to_string()][..], Deferrable::Immediate)
    );
    assert_eq!(
        t.exclusions["t_room_during_excl1"]
            .predicate
            .as_ref()
            .map(Expr::as_str),
        Some("remark <> ''")
    );
    let schema = replay(
        "CREATE TABLE t (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));\n\
         ALTER TABLE t DROP COLUMN during;\n\
         CREATE INDEX t_room_during_excl ON t (room);\n",
    );
    assert!(table(&schema, "t").exclusions.is_empty());
}

#[test]
fn statistics_and_compression_are_replayed_and_storage_is_refused() {
    let schema = replay(
        "CREATE TABLE t (a text COMPRESSION lz4, b text, c int);\n\
         ALTER TABLE t ALTER COLUMN b SET STATISTICS 300, ALTER COLUMN c SET STATISTICS 10;\n\
         ALTER TABLE t ALTER COLUMN c SET STATISTICS -1, ALTER COLUMN a SET COMPRESSION default;\n\
         ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz;\n",
    );
    let t = table(&schema, "t");
    let column = |name: &str| t.column(name).map(|c| (c.statistics, c.compression));
    assert_eq!(column("a"), Some((None, None)));
    assert_eq!(column("b"), Some((Some(300), Some(Compression::Pglz))));
    assert_eq!(column("c"), Some((None, None)));
    let message = replay_error(
        "CREATE TABLE t (a text);\nALTER TABLE t ALTER COLUMN a SET STORAGE EXTERNAL;",
    );
    assert!(message.contains("SET STORAGE"), "{message}");
}

#[test]
fn extension_versions_are_known_only_where_a_statement_names_them() {
    let schema = replay(
        "CREATE EXTENSION pg_trgm VERSION '1.5';\n\
         CREATE EXTENSION pgcrypto;\n\
         ALTER EXTENSION pg_trgm UPDATE TO '1.6';\n\
         CREATE EXTENSION citext WITH VERSION '1.6';\n\
         ALTER EXTENSION citext UPDATE;\n",
    );
    let version = |name: &str| schema.extensions[name].version.as_deref();
    assert_eq!(version("pg_trgm"), Some("1.6"));
    assert_eq!(version("pgcrypto"), None);
    assert_eq!(version("citext"), None);
}
