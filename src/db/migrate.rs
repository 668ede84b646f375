//! Embedded migrations, one tree per backend with the same folder names, applied on a
//! connection of their own (diesel's harness owns the connection it runs on).

use diesel_async::{AsyncConnection, AsyncMigrationHarness, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DatabaseUrl, PgConn, SqliteConn};
use crate::error::StoreError;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant: the advisory lock instances take while migrating PostgreSQL, so two
/// instances starting together do not both apply the same migration.
const PG_MIGRATION_LOCK: i64 = 0x5354_4f52_4546_524e;

/// Applies every pending migration; returns the versions applied (empty when up to date).
///
/// diesel-async's harness uses `block_in_place`: call this from a multi-threaded runtime.
pub async fn run(url: &DatabaseUrl) -> Result<Vec<String>, StoreError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConn::establish(&path.to_string_lossy())
                .await
                .map_err(failed)?;
            conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                .await?;
            AsyncMigrationHarness::new(conn)
                .run_pending_migrations(SQLITE)
                .map(versions)
                .map_err(failed)
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConn::establish(url).await.map_err(failed)?;
            diesel::sql_query(format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
                .execute(&mut conn)
                .await?;
            let mut harness = AsyncMigrationHarness::new(conn);
            let applied = harness
                .run_pending_migrations(POSTGRES)
                .map(versions)
                .map_err(failed);
            let mut conn = harness.into_inner();
            diesel::sql_query(format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))
                .execute(&mut conn)
                .await?;
            applied
        }
    }
}

fn versions(applied: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    applied.iter().map(|v| v.to_string()).collect()
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("migration failed: {e}"))
}
