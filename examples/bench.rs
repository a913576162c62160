//! Benchmark of the main job as the schema grows (issue 13).
//!
//! For each size N, `../shared/bench/gen_schema.py` writes a realistic pair of schemas (a and
//! b, 5 % of the tables changed) that are loaded into two scratch databases, and b is written
//! as schema.yaml by `autogen inspect`. Each path then runs as a whole `autogen` process, timed
//! by GNU time (wall, CPU, peak memory), next to `pg_dump --schema-only` of database a:
//! database → database, database → schema.yaml (what `migrate` and `check` do), SQL → SQL
//! offline, and migrations → schema.yaml offline (a.sql as one revision). A checkpoint after
//! the load keeps its dirty buffers out of the timings. Each stage is also timed alone, in
//! process. Finally each path's upgrade is applied to a fresh copy of a, and both a re-diff
//! against b and one against b's schema.yaml must come out empty, so the numbers are for
//! scripts that are right.
//!
//! Usage: `cargo build --release && cargo run --release --example bench -- [--runs R] [N ...]`
//! (default: 3 runs of each path at 1000 5000 10000 tables). Needs `python3`, `psql`,
//! `pg_dump` and `/usr/bin/time`, and the server named by `TEST_DATABASE_URL`.

#[path = "../tests/it/scratch.rs"]
mod scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use autogen::catalog::{self, SchemaScope};
use autogen::sql::Direction;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut runs = 3;
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            size => sizes.extend(size.parse::<usize>().ok()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1000, 5000, 10000];
    }
    let binary = release_binary();
    for n_tables in sizes {
        bench_size(&binary, n_tables, runs.max(1)).await;
    }
}

/// The `autogen` built next to this example (same profile).
fn release_binary() -> PathBuf {
    let example = std::env::current_exe().expect("the example's own path");
    let binary = example
        .parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("autogen"))
        .expect("a target directory");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release` first",
        binary.display()
    );
    binary
}

async fn bench_size(binary: &Path, n_tables: usize, runs: usize) {
    let work =
        std::env::temp_dir().join(format!("autogen_bench_{}_{n_tables}", std::process::id()));
    std::fs::create_dir_all(&work).expect("a work directory");
    let (a_sql, b_sql, b_yaml) = (work.join("a.sql"), work.join("b.sql"), work.join("b.yaml"));
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_schema.py");
    run_checked(
        Command::new("python3")
            .arg(&generator)
            .args(["both", &n_tables.to_string(), "-q", "--out-a"])
            .arg(&a_sql)
            .arg("--out-b")
            .arg(&b_sql),
    );
    let a = scratch::ScratchDb::create("autogen_test_bench").await;
    let b = scratch::ScratchDb::create("autogen_test_bench").await;
    let load_started = Instant::now();
    for (database, sql) in [(&a, &a_sql), (&b, &b_sql)] {
        run_checked(
            Command::new("psql")
                .args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    &database.url,
                    "-f",
                ])
                .arg(sql),
        );
    }
    let load_time = load_started.elapsed();
    // The load leaves the cluster full of dirty buffers, and the shadow database's DROP
    // DATABASE forces a checkpoint: without this one, the first timed run would write them.
    let admin = scratch::connect(&scratch::server_url()).await;
    admin
        .batch_execute("CHECKPOINT")
        .await
        .expect("a checkpoint");
    let migrations = work.join("migrations");
    write_revision(&migrations, &a_sql);
    run_checked(
        Command::new(binary)
            .args(["inspect", "--database-url", &b.url, "-o"])
            .arg(&b_yaml),
    );

    println!(
        "\n## {n_tables} tables ({} lines of SQL in a; both loaded in {:.1} s)\n",
        std::fs::read_to_string(&a_sql).map_or(0, |text| text.lines().count()),
        load_time.as_secs_f64()
    );
    let path = |path: &Path| path.to_string_lossy().into_owned();
    let mut rows: Vec<(&str, Measurement)> = Vec::new();
    let pg_dump = measure(runs, "pg_dump", &["--schema-only", "-d", &a.url]);
    let autogen = binary.to_string_lossy();
    rows.push(("`pg_dump --schema-only` of a", pg_dump));
    rows.push((
        "database → database",
        measure(runs, &autogen, &["diff", "--from", &a.url, "--to", &b.url]),
    ));
    rows.push((
        "database → schema.yaml",
        measure(
            runs,
            &autogen,
            &["diff", "--from", &a.url, "--to", &path(&b_yaml)],
        ),
    ));
    rows.push((
        "SQL → SQL, offline",
        measure(
            runs,
            &autogen,
            &["diff", "--from", &path(&a_sql), "--to", &path(&b_sql)],
        ),
    ));
    rows.push((
        "migrations → schema.yaml, offline",
        measure(
            runs,
            &autogen,
            &["diff", "--from", &path(&migrations), "--to", &path(&b_yaml)],
        ),
    ));
    println!("| path | wall (median of {runs}) | × pg_dump | CPU | peak memory |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, measurement) in &rows {
        println!(
            "| {name} | {:.2} s | {:.2} | {:.2} s | {} MiB |",
            measurement.wall,
            measurement.wall / pg_dump.wall,
            measurement.cpu,
            measurement.peak_kib / 1024
        );
    }

    stages(&a, &b_yaml).await;
    let copy = scratch::ScratchDb::create("autogen_test_bench").await;
    println!();
    for (name, from, to) in [
        ("database → database", a.url.clone(), b.url.clone()),
        ("database → schema.yaml", a.url.clone(), path(&b_yaml)),
        ("SQL → SQL", path(&a_sql), path(&b_sql)),
        ("migrations → schema.yaml", path(&migrations), path(&b_yaml)),
    ] {
        let upgrade =
            run_checked(Command::new(binary).args(["diff", "--from", &from, "--to", &to]));
        for statement in [
            format!("DROP DATABASE \"{}\"", copy.name),
            format!("CREATE DATABASE \"{}\" TEMPLATE \"{}\"", copy.name, a.name),
        ] {
            admin
                .batch_execute(&statement)
                .await
                .expect("a copy of database a");
        }
        verify(binary, &upgrade, &copy.url, &b.url, &b_yaml);
        println!("checked: {name}'s upgrade applied to a copy of a leaves nothing to diff against b or b.yaml");
    }
    std::fs::remove_dir_all(&work).ok();
}

/// `migrations/` holding one revision whose upgrade is `sql`.
fn write_revision(migrations: &Path, sql: &Path) {
    std::fs::create_dir_all(migrations).expect("a migrations directory");
    let header = "-- autogen revision 20261201000000\n-- parent: none\n-- message: bench a\n\
                  -- created: 2026-12-01T00:00:00Z\n-- hazards: none\n\n";
    let body = std::fs::read_to_string(sql).expect("the generated SQL");
    let stem = migrations.join("20261201000000_bench_a");
    std::fs::write(stem.with_extension("up.sql"), format!("{header}{body}"))
        .expect("the revision's upgrade");
    std::fs::write(stem.with_extension("down.sql"), header).expect("the revision's downgrade");
}

/// Each stage of the database → schema.yaml path alone, in this process.
async fn stages(a: &scratch::ScratchDb, b_yaml: &Path) {
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let started = Instant::now();
    let loaded = autogen::source::load_schema_file(b_yaml).expect("b.yaml loads");
    times.push(("load schema.yaml", started.elapsed()));
    let client = a.client().await;
    let started = Instant::now();
    let current = catalog::read(&client, &SchemaScope::All)
        .await
        .expect("catalog reads");
    times.push(("introspect a", started.elapsed()));
    let started = Instant::now();
    let current = autogen::normalize::normalize(current);
    let desired = autogen::normalize::normalize(loaded.schema);
    times.push(("normalize both", started.elapsed()));
    let admin = scratch::connect(&scratch::server_url()).await;
    let origin = autogen::shadow::Origin {
        path: b_yaml,
        source_map: &loaded.source_map,
    };
    let started = Instant::now();
    let server_url = scratch::server_url();
    let desired =
        autogen::shadow::canonicalize_against(&admin, &server_url, &desired, &current, &origin)
            .await
            .expect("the shadow builds");
    times.push(("shadow canonicalization", started.elapsed()));
    let desired = autogen::normalize::normalize(desired);
    let started = Instant::now();
    let changes = autogen::diff::diff(&current, &desired);
    times.push(("diff", started.elapsed()));
    let started = Instant::now();
    let plan = autogen::plan::build(&changes, autogen::plan::Mode::Transactional);
    times.push(("plan", started.elapsed()));
    let started = Instant::now();
    let script = autogen::sql::render(&plan, Direction::Upgrade);
    times.push(("render", started.elapsed()));
    println!(
        "\nstages of database → schema.yaml ({} statements):\n",
        script.statements.len()
    );
    println!("| stage | wall |");
    println!("| --- | ---: |");
    for (stage, time) in times {
        println!("| {stage} | {:.3} s |", time.as_secs_f64());
    }
}

/// Applies `upgrade` to the database at `url`, which must then match b and b's schema.yaml.
fn verify(binary: &Path, upgrade: &[u8], url: &str, b_url: &str, b_yaml: &Path) {
    let mut psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("psql runs");
    std::io::Write::write_all(psql.stdin.as_mut().expect("psql's stdin"), upgrade)
        .expect("the upgrade reaches psql");
    assert!(
        psql.wait().expect("psql ends").success(),
        "the upgrade applies"
    );
    for to in [b_url.to_string(), b_yaml.to_string_lossy().into_owned()] {
        let rediff = run_checked(Command::new(binary).args(["diff", "--from", url, "--to", &to]));
        assert!(
            rediff.is_empty(),
            "after the upgrade, the copy of a still differs from {to}:\n{}",
            String::from_utf8_lossy(&rediff)
        );
    }
}

#[derive(Debug, Clone, Copy)]
struct Measurement {
    wall: f64,
    cpu: f64,
    peak_kib: u64,
}

/// Runs `program args` `runs` times under GNU time; the run with the median wall time.
fn measure(runs: usize, program: &str, args: &[&str]) -> Measurement {
    let report = std::env::temp_dir().join(format!("autogen_bench_time_{}", std::process::id()));
    let mut measurements: Vec<Measurement> = (0..runs)
        .map(|_| {
            run_checked(
                Command::new("/usr/bin/time")
                    .args(["-f", "%e %U %S %M", "-o"])
                    .arg(&report)
                    .arg(program)
                    .args(args),
            );
            let text = std::fs::read_to_string(&report).expect("GNU time's report");
            let fields: Vec<f64> = text
                .split_whitespace()
                .filter_map(|field| field.parse().ok())
                .collect();
            let [wall, user, system, peak_kib] = fields[..] else {
                panic!("unexpected GNU time report: {text}");
            };
            Measurement {
                wall,
                cpu: user + system,
                peak_kib: peak_kib as u64,
            }
        })
        .collect();
    std::fs::remove_file(&report).ok();
    measurements.sort_by(|x, y| x.wall.total_cmp(&y.wall));
    measurements[measurements.len() / 2]
}

/// Runs a command to completion; its standard output, or a panic with its standard error.
fn run_checked(command: &mut Command) -> Vec<u8> {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{command:?} does not start: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
