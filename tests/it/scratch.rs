//! Scratch databases on the server named by `TEST_DATABASE_URL`: each test gets its own,
//! created from `template0` and dropped when the guard goes out of scope. The database the
//! URL names is never touched.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;

pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_string())
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |position| position + 3);
    let path_start = url[scheme_end..]
        .find('/')
        .map(|position| scheme_end + position);
    let query_start = url.find('?');
    match (path_start, query_start) {
        (Some(path), Some(query)) if path < query => {
            format!("{}/{database}{}", &url[..path], &url[query..])
        }
        (Some(path), _) => format!("{}/{database}", &url[..path]),
        (None, Some(query)) => format!("{}/{database}{}", &url[..query], &url[query..]),
        (None, None) => format!("{url}/{database}"),
    }
}

pub async fn connect(url: &str) -> Client {
    match autogen::db::connect(url).await {
        Ok(client) => client,
        Err(error) => panic!(
            "cannot reach the test server: {error}\n\
             point TEST_DATABASE_URL at a PostgreSQL server where this role may CREATE DATABASE \
             (default {DEFAULT_TEST_DATABASE_URL}); database tests never skip"
        ),
    }
}

pub struct ScratchDb {
    pub name: String,
    pub url: String,
}

impl ScratchDb {
    pub async fn create(prefix: &str) -> ScratchDb {
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect(&server_url()).await;
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
            .await
            .unwrap_or_else(|error| panic!("cannot create scratch database {name}: {error}"));
        let url = with_database(&server_url(), &name);
        ScratchDb { name, url }
    }

    pub async fn client(&self) -> Client {
        connect(&self.url).await
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the scratch database");
            runtime.block_on(async {
                let admin = connect(&server_url()).await;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop scratch database {}", self.name);
        }
    }
}

#[test]
fn with_database_replaces_only_the_name() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
