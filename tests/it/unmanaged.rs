//! What the catalog reads but the model cannot hold is reported in `Schema::unmanaged`,
//! never dropped silently; what the model holds is not reported.

use autogen::catalog::{self, SchemaScope};

use crate::scratch::ScratchDb;

#[tokio::test]
async fn attributes_outside_the_model_are_reported_and_modelled_ones_are_not() {
    let db = ScratchDb::create("autogen_test_unmanaged").await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TABLE public.t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
               body text, n integer CHECK (n > 0), EXCLUDE (n WITH =));\n\
             ALTER TABLE public.t ALTER COLUMN body SET STORAGE EXTERNAL;\n\
             ALTER TABLE public.t ALTER COLUMN n SET STATISTICS 200;\n\
             ALTER TABLE public.t REPLICA IDENTITY FULL;\n\
             CREATE INDEX t_n_idx ON public.t (n);\n\
             ALTER TABLE public.t CLUSTER ON t_n_idx;\n\
             ALTER TABLE public.t ADD CONSTRAINT t_body_check CHECK (body <> '') NOT VALID;\n\
             COMMENT ON SEQUENCE public.t_id_seq IS 'identity';\n\
             CREATE DOMAIN public.positive AS integer;\n\
             ALTER DOMAIN public.positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;",
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
        ("NOT VALID constraint", "positive_check on public.positive"),
        ("clustered index", "t_n_idx on public.t"),
        ("column storage", "public.t.body"),
        ("comment on an identity sequence", "public.t_id_seq"),
        ("replica identity", "public.t"),
    ]
    .map(|(kind, name)| (kind.to_string(), name.to_string()));
    assert_eq!(reported, expected);
}
