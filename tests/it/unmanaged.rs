//! What the catalog reads but the model cannot hold is reported in `Schema::unmanaged`,
//! never dropped silently; what the model holds is not reported.

use autogen::catalog::{self, SchemaScope};
use autogen::model::QualifiedName;

use crate::scratch::ScratchDb;

#[tokio::test]
async fn attributes_outside_the_model_are_reported_and_modelled_ones_are_not() {
    let db = ScratchDb::create("autogen_test_unmanaged").await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TABLE public.t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
               body text, n integer CHECK (n > 0), EXCLUDE (n WITH =), UNIQUE (id, n));\n\
             ALTER TABLE public.t ALTER COLUMN body SET STORAGE EXTERNAL;\n\
             ALTER TABLE public.t ALTER COLUMN n SET STATISTICS 200;\n\
             ALTER TABLE public.t ALTER COLUMN n SET (n_distinct = -0.5);\n\
             ALTER TABLE public.t REPLICA IDENTITY FULL;\n\
             CREATE INDEX t_n_idx ON public.t (n);\n\
             ALTER TABLE public.t CLUSTER ON t_n_idx;\n\
             ALTER TABLE public.t ADD CONSTRAINT t_body_check CHECK (body <> '') NOT VALID;\n\
             COMMENT ON SEQUENCE public.t_id_seq IS 'identity';\n\
             CREATE DOMAIN public.positive AS integer;\n\
             ALTER DOMAIN public.positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;\n\
             CREATE TABLE public.c (id integer PRIMARY KEY, t_id integer, n integer, \
               doc tsvector, CONSTRAINT c_t_fkey FOREIGN KEY (t_id, n) \
               REFERENCES public.t (id, n) ON DELETE SET NULL (t_id));\n\
             CREATE INDEX c_doc_idx ON public.c USING gist (doc tsvector_ops (siglen = 32));\n\
             CREATE INDEX c_plain_doc_idx ON public.c USING gist (doc);\n\
             CREATE VIEW public.v AS SELECT id, n FROM public.t;\n\
             ALTER VIEW public.v ALTER COLUMN n SET DEFAULT 1;",
        )
        .await
        .expect("schema");
    let schema = catalog::read(&client, &SchemaScope::All)
        .await
        .expect("introspection");
    let reported: Vec<(String, String)> = schema
        .unmanaged
        .iter()
        .map(|object| (object.kind.clone(), object.name.clone()))
        .collect();
    let expected = [
        ("clustered index", "t_n_idx on public.t"),
        ("column options", "public.t.n"),
        ("column storage", "public.t.body"),
        ("comment on an identity sequence", "public.t_id_seq"),
        ("foreign key column list", "c_t_fkey on public.c"),
        ("operator class parameters", "c_doc_idx on public.c"),
        ("replica identity", "public.t"),
        ("view column default", "public.v.n"),
    ]
    .map(|(kind, name)| (kind.to_string(), name.to_string()));
    assert_eq!(reported, expected);
}

/// Issue 10: what autogen does not manage and that needs a retyped column, a rebuilt enum or
/// a dropped key (read from `pg_depend`) stops the plan, named; what PostgreSQL keeps across
/// the change (an extended statistics object on a retyped column) does not.
#[tokio::test]
async fn unmanaged_dependents_stop_the_plan_by_name() {
    let db = ScratchDb::create("autogen_test_unmanaged").await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TYPE public.mood AS ENUM ('sad', 'happy');
             CREATE TABLE public.person (id integer PRIMARY KEY, code text, m public.mood);
             CREATE STATISTICS public.person_stats ON id, code FROM public.person;
             CREATE SCHEMA other;
             CREATE VIEW other.codes AS SELECT code FROM public.person;
             CREATE TABLE other.visit (person integer REFERENCES public.person (id));
             CREATE FUNCTION other.cheer(public.mood) RETURNS boolean
               LANGUAGE sql AS 'SELECT $1 = ''happy''';",
        )
        .await
        .expect("schema");
    let public = SchemaScope::Only(vec!["public".to_string()]);
    let current = catalog::read(&client, &public)
        .await
        .expect("introspection");
    let casualties = |change: &str| {
        let mut desired = current.clone();
        let person = desired
            .tables
            .get_mut(&QualifiedName::new("public", "person"))
            .expect("person");
        match change {
            "retype code" => person.columns[1].data_type = "character varying(20)".into(),
            "retype id" => person.columns[0].data_type = "bigint".into(),
            "drop the key" => person.primary_key = None,
            _ => {
                let mood = desired
                    .enums
                    .get_mut(&QualifiedName::new("public", "mood"))
                    .expect("mood");
                mood.values.retain(|value| value != "sad");
            }
        }
        autogen::generate(&current, &desired).unmanaged_casualties(&current)
    };
    assert_eq!(
        casualties("retype code"),
        ["view other.codes needs column person.code, which the migration changes the type of"]
    );
    assert_eq!(
        casualties("retype id"),
        [
            "constraint visit_person_fkey on table other.visit needs column person.id, \
          which the migration changes the type of"
        ]
    );
    assert_eq!(
        casualties("drop the key"),
        [
            "constraint visit_person_fkey on table other.visit needs constraint person_pkey on \
          person, which the migration drops"
        ]
    );
    assert_eq!(
        casualties("remove an enum value"),
        ["function other.cheer(mood) needs enum mood, which the migration rebuilds"]
    );
}

/// Issue 10: a range type or an aggregate dropped and created again (here around the enum
/// rebuilt under them) stops the plan when something autogen does not manage needs it (from
/// `DEPENDENTS_QUERY`: a column of another schema's table, of the range type or its
/// multirange type, a view of another schema calling the aggregate), naming it.
#[tokio::test]
async fn unmanaged_dependents_of_recreated_ranges_and_aggregates_stop_the_plan() {
    let db = ScratchDb::create("autogen_test_unmanaged_ranges").await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
             CREATE TYPE public.mood_range AS RANGE (subtype = public.mood);
             CREATE AGGREGATE public.best_mood(public.mood)
               (SFUNC = enum_larger, STYPE = public.mood);
             CREATE TABLE public.person (id integer PRIMARY KEY, m public.mood);
             CREATE SCHEMA other;
             CREATE TABLE other.visit (moods public.mood_range, spans public.mood_multirange);
             CREATE VIEW other.best AS SELECT public.best_mood(m) FROM public.person;",
        )
        .await
        .expect("schema");
    // The view also reads the retyped column (reported before this change).
    let casualties = casualties_of_removing_ok(&client).await;
    for expected in [
        "column moods of table other.visit needs range type mood_range, which the migration \
             drops and creates again",
        "column spans of table other.visit needs range type mood_range, which the migration \
             drops and creates again",
        "view other.best needs aggregate best_mood(mood), which the migration drops and \
             creates again",
    ] {
        assert!(
            casualties.iter().any(|casualty| casualty == expected),
            "{casualties:?}"
        );
    }
    // Without them, nothing is in the way.
    client
        .batch_execute("DROP SCHEMA other CASCADE")
        .await
        .expect("drops them");
    let casualties = casualties_of_removing_ok(&client).await;
    assert!(casualties.is_empty(), "{casualties:?}");
}

/// What removing the value `ok` of `public.mood` (which rebuilds the enum) would destroy.
async fn casualties_of_removing_ok(client: &tokio_postgres::Client) -> Vec<String> {
    let public = SchemaScope::Only(vec!["public".to_string()]);
    let current = catalog::read(client, &public).await.expect("introspection");
    let mut desired = current.clone();
    let mood = desired
        .enums
        .get_mut(&QualifiedName::new("public", "mood"))
        .expect("mood");
    mood.values.retain(|value| value != "ok");
    autogen::generate(&current, &desired).unmanaged_casualties(&current)
}

/// A trigger the migration drops with its function's old return type does not stop the
/// plan, neither way: on the way back the trigger does not exist yet when the function is
/// dropped. One on a table autogen does not manage stays in the database and does.
#[tokio::test]
async fn a_dropped_trigger_does_not_stop_its_function_being_recreated() {
    let db = ScratchDb::create("autogen_test_unmanaged").await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TABLE public.t (a integer);
             CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf();",
        )
        .await
        .expect("schema");
    let public = SchemaScope::Only(vec!["public".to_string()]);
    let current = catalog::read(&client, &public)
        .await
        .expect("introspection");
    let mut desired = current.clone();
    desired
        .tables
        .get_mut(&QualifiedName::new("public", "t"))
        .expect("t")
        .triggers = Default::default();
    desired.function_users.clear();
    let function = desired.functions.values_mut().next().expect("tf");
    function.returns = Some(autogen::model::Returns::Type {
        setof: false,
        data_type: "void".to_string(),
    });
    function.body = autogen::model::FunctionBody::Source(" BEGIN END ".to_string());
    assert!(autogen::generate(&current, &desired)
        .blocked_function_drops
        .is_empty());

    client
        .batch_execute(
            "CREATE SCHEMA other;
             CREATE TABLE other.x (a integer);
             CREATE TRIGGER tr2 BEFORE INSERT ON other.x FOR EACH ROW EXECUTE FUNCTION public.tf();",
        )
        .await
        .expect("unmanaged trigger");
    let current = catalog::read(&client, &public)
        .await
        .expect("introspection");
    // The desired side has the trigger autogen does not manage, not the one it drops.
    desired.function_users = current.function_users.clone();
    for callers in desired.function_users.values_mut() {
        callers.retain(|caller| caller.contains("other.x"));
    }
    assert_eq!(
        autogen::generate(&current, &desired).blocked_function_drops,
        [
            "trigger tr2 on table other.x calls function tf(), but it is dropped and created \
          again, since its return type, kind or arguments change"
        ]
    );
}
