//! Shared steps of the account lifecycle tests: a server that mails to a local SMTP sink, the
//! links it mails, and a search of every text column of the database.

use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use storefront::db_run;

use crate::helpers::TestApp;
use crate::smtp::{ReceivedMail, SmtpSink};

/// A server mailing to a fresh sink, with extra settings.
pub async fn app_with_sink(extra: &[(&str, &str)]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let mut builder = TestApp::builder().env("STOREFRONT_SMTP_URL", &sink.url());
    for (k, v) in extra {
        builder = builder.env(k, v);
    }
    (builder.spawn().await, sink)
}

/// The `count`-th (1-based) mail to `to` whose subject starts with `subject`, once it arrived.
pub async fn nth_mail(sink: &SmtpSink, subject: &str, to: &str, count: usize) -> ReceivedMail {
    let want = format!("<{to}>");
    for _ in 0..300 {
        let mails: Vec<ReceivedMail> = sink
            .mails()
            .into_iter()
            .filter(|m| m.to.contains(&want))
            .filter(|m| m.header("Subject").is_some_and(|s| s.starts_with(subject)))
            .collect();
        if mails.len() >= count {
            return mails[count - 1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail #{count} `{subject}` to {to}: {:#?}", sink.mails());
}

/// The token of the `count`-th verification mail to `to`.
pub async fn verification_token(sink: &SmtpSink, to: &str, count: usize) -> String {
    nth_mail(sink, "Confirm your email", to, count)
        .await
        .token()
}

/// Mails received so far to `to` with a subject starting with `subject`.
pub fn mails_to(sink: &SmtpSink, subject: &str, to: &str) -> usize {
    let want = format!("<{to}>");
    sink.mails()
        .iter()
        .filter(|m| m.to.contains(&want))
        .filter(|m| m.header("Subject").is_some_and(|s| s.starts_with(subject)))
        .count()
}

/// Whether the GraphQL answer is free of errors; panics with the body otherwise.
pub fn no_errors(body: &Value) {
    assert!(body["errors"].is_null(), "{body}");
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every `table.column` of the database whose text holds `needle` (any case).
pub async fn found_in_database(app: &TestApp, needle: &str) -> Vec<String> {
    let postgres = app.database_url.starts_with("postgres");
    let list = if postgres {
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name <> '__diesel_schema_migrations'"
    } else {
        "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
         AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'"
    };
    let mut conn = app.state.db().conn().await.unwrap();
    let columns: Vec<Column> = db_run!(conn, |c| diesel::sql_query(list).load(c).await).unwrap();
    assert!(columns.len() > 50, "the schema was listed");
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut found = Vec::new();
    for col in columns {
        let query = format!(
            "SELECT COUNT(*) AS n FROM \"{}\" WHERE LOWER(CAST(\"{}\" AS TEXT)) LIKE $1",
            col.table_name, col.column_name
        );
        let query = if postgres {
            query
        } else {
            query.replace("$1", "?")
        };
        let row: Count = db_run!(conn, |c| diesel::sql_query(&query)
            .bind::<Text, _>(&pattern)
            .get_result(c)
            .await)
        .unwrap();
        if row.n > 0 {
            found.push(format!("{}.{}", col.table_name, col.column_name));
        }
    }
    found
}
