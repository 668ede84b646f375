//! Generated and hand-kept schemas stay true: `schema.graphql` matches the code, both migration
//! trees make the same tables and columns, and `src/db/schema.rs` matches them.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use storefront::db::{DatabaseUrl, SqliteConn, migrate};

use crate::helpers::TestApp;

/// table -> column -> (diesel type, nullable)
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

#[test]
fn schema_graphql_is_current() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    assert!(
        committed == storefront::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn both_migration_trees_have_the_same_folders() {
    let list = |backend: &str| -> Vec<String> {
        let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(list("sqlite"), list("postgres"));
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

fn collect(rows: Vec<ColumnRow>, normalize: impl Fn(&str, &str, &str) -> String) -> Columns {
    let mut tables = Columns::new();
    for row in rows {
        if row.table_name == "__diesel_schema_migrations" {
            continue;
        }
        let ty = normalize(&row.table_name, &row.column_name, &row.data_type);
        tables
            .entry(row.table_name)
            .or_default()
            .insert(row.column_name, (ty, row.nullable));
    }
    tables
}

/// The SQLite tree's columns, without full-text (FTS5) virtual tables and their shadow tables
/// (`products_fts`, `products_fts_data`, ...): they are SQLite's search index, the counterpart of
/// PostgreSQL's trigram indexes, which `information_schema.columns` does not list either.
async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    migrate::run(&DatabaseUrl::Sqlite(path.clone()))
        .await
        .unwrap();
    let mut conn = SqliteConn::establish(&path.to_string_lossy())
        .await
        .unwrap();
    let rows: Vec<ColumnRow> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND NOT EXISTS (SELECT 1 FROM sqlite_master v \
             WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' \
             AND (m.name = v.name OR m.name LIKE v.name || '\\_%' ESCAPE '\\'))",
    )
    .load(&mut conn)
    .await
    .unwrap();
    collect(rows, |table, column, ty| match ty {
        "TEXT" => "Text".into(),
        "BOOLEAN" => "Bool".into(),
        "TIMESTAMP" => "Timestamp".into(),
        "BIGINT" => "BigInt".into(),
        "DOUBLE" => "Double".into(),
        // SQLite's rowid alias must be spelled INTEGER; ours is the only one.
        "INTEGER" if (table, column) == ("events", "id") => "BigInt".into(),
        "INTEGER" => "Integer".into(),
        other => format!("unexpected sqlite type {other}"),
    })
}

async fn postgres_columns(url: &str) -> Columns {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let rows: Vec<ColumnRow> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS data_type, (is_nullable = 'YES') AS nullable \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    collect(rows, |_, _, ty| match ty {
        "text" => "Text".into(),
        "boolean" => "Bool".into(),
        "timestamp without time zone" => "Timestamp".into(),
        "bigint" => "BigInt".into(),
        "integer" => "Integer".into(),
        "double precision" => "Double".into(),
        other => format!("unexpected postgres type {other}"),
    })
}

/// Reads the `diesel::table!` blocks of `src/db/schema.rs`.
fn schema_rs_columns() -> Columns {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let mut tables = Columns::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix('{').and_then(|l| l.split_once(" (")) {
            current = Some(name.0.trim().to_owned());
            continue;
        }
        if line.starts_with('}') {
            current = None;
            continue;
        }
        if let (Some(table), Some((column, ty))) = (&current, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            tables
                .entry(table.clone())
                .or_default()
                .insert(column.trim().to_owned(), (ty.to_owned(), nullable));
        }
    }
    tables
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_matches_the_sqlite_migrations() {
    let expected = schema_rs_columns();
    assert!(expected.len() >= 15, "parsed {} tables", expected.len());
    assert_eq!(sqlite_columns().await, expected);
}

/// Runs only with `TEST_DATABASE_URL` (CI sets it): compares the PostgreSQL tree too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_match_sqlite_and_schema_rs() {
    if crate::helpers::test_database_url().is_none() {
        eprintln!("TEST_DATABASE_URL unset: PostgreSQL schema comparison skipped");
        return;
    }
    let app = TestApp::spawn().await;
    let postgres = postgres_columns(&app.database_url).await;
    assert_eq!(postgres, sqlite_columns().await);
    assert_eq!(postgres, schema_rs_columns());
}
