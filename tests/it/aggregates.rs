//! Aggregates through the binary: `inspect` writes every option so that `diff` is empty,
//! and ordered-set aggregates, which the model leaves out, are still reported.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

const SETUP: &str = "
CREATE SCHEMA stats;
CREATE FUNCTION stats.step(state numeric, value numeric) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS 'SELECT state + value';
CREATE FUNCTION stats.unstep(state numeric, value numeric) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS 'SELECT state - value';
CREATE FUNCTION stats.finish(state numeric, extra numeric) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS 'SELECT state * 2';
CREATE AGGREGATE stats.doubled(amount numeric) (
  SFUNC = stats.step, STYPE = numeric, SSPACE = 16, INITCOND = '0',
  FINALFUNC = stats.finish, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_WRITE,
  COMBINEFUNC = stats.step,
  MSFUNC = stats.step, MINVFUNC = stats.unstep, MSTYPE = numeric, MSSPACE = 16,
  MFINALFUNC = stats.finish, MFINALFUNC_EXTRA, MINITCOND = '0',
  PARALLEL = RESTRICTED);
COMMENT ON AGGREGATE stats.doubled(numeric) IS 'twice the sum';
CREATE AGGREGATE greatest_of(VARIADIC integer[]) (SFUNC = array_cat, STYPE = integer[]);
CREATE AGGREGATE newest(timestamptz) (SFUNC = timestamptz_larger, STYPE = timestamptz, SORTOP = >);
CREATE AGGREGATE counted(*) (SFUNC = int8inc, STYPE = int8, INITCOND = 0);
CREATE AGGREGATE middle(float8 ORDER BY float8) (SFUNC = float8pl, STYPE = float8);
";

#[tokio::test]
async fn inspected_aggregates_diff_empty_and_ordered_set_ones_are_reported() {
    let database = ScratchDb::create("autogen_aggregates").await;
    database
        .client()
        .await
        .batch_execute(SETUP)
        .await
        .expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    for expected in [
        "  - name: doubled\n    schema: stats\n    arguments: [{ name: amount, type: numeric }]\n",
        "    finalfunc_extra: true\n    finalfunc_modify: read_write\n",
        "    minvfunc: stats.unstep\n",
        "arguments: [{ type: \"integer[]\", mode: variadic }]",
        "    sortop: \">\"\n",
        "  - name: counted\n    sfunc: int8inc\n",
    ] {
        assert!(yaml.contains(expected), "{expected} in:\n{yaml}");
    }
    let inspect = autogen()
        .args(["inspect", "--database-url", &database.url])
        .output()
        .expect("autogen runs");
    let stderr = String::from_utf8_lossy(&inspect.stderr);
    assert!(
        stderr.contains("aggregate public.middle(double precision ORDER BY double precision)"),
        "{stderr}"
    );
}
