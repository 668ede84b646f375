//! Housekeeping: one pass deletes expired throttle windows, ended sessions, used or expired
//! reset tokens, stale idempotency answers, old guest carts, old events and old finished
//! mail, and keeps every live row.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use storefront::db::schema::{
    data_exports, email_tokens, events, idempotency_keys, identities, line_items, mail_outbox,
    orders, password_resets, rate_limits, sessions,
};
use storefront::db_run;
use storefront::store::jobs::{self, Report};
use storefront::store::mail::{self, outbox};
use storefront::store::{now, tokens};

use crate::account_support::{LOGOUT, PASSWORD, me, register, signed_in};
use crate::helpers::TestApp;
use crate::order_support::{Who, create_cart, ok, place, ready_cart, row_of, shop};

const REQUEST: &str = "mutation($email: String!) { requestPasswordReset(email: $email) }";

fn days_ago(days: i64) -> NaiveDateTime {
    now() - chrono::Duration::days(days)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows in `table`.
async fn count(app: &TestApp, table: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    let query = format!("SELECT COUNT(*) AS n FROM {table}");
    let row: Count = db_run!(conn, |c| diesel::sql_query(&query).get_result(c).await).unwrap();
    row.n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_deletes_what_expired_and_keeps_what_lives() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;

    // Sessions: one live, one signed out, one past its lifetime.
    let live = register(&app, "ada@example.com").await;
    let out = signed_in(&app, "ada@example.com", PASSWORD).await;
    let body = app
        .graphql_as(Some(&out.token), LOGOUT, json!({ "t": out.refresh }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let old = signed_in(&app, "ada@example.com", PASSWORD).await;

    // Reset tokens: ada's first voided by her second (live); bob's expired.
    register(&app, "bob@example.com").await;
    for email in ["ada@example.com", "ada@example.com", "bob@example.com"] {
        app.graphql(REQUEST, json!({ "email": email })).await;
    }
    // Mailed links: ada's verification link stays live, bob's expires; ada's data export link
    // is used.
    let body = app
        .graphql_as(
            Some(&live.token),
            "mutation { requestDataExport }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // Carts: an old guest cart with a line goes; a fresh guest cart, an old customer cart and
    // an old placed order stay.
    let stale = ready_cart(&app, Who::Anonymous, &[(&shop.mug, 1)], "g@example.com").await;
    let fresh = ready_cart(&app, Who::Anonymous, &[(&shop.mug, 1)], "h@example.com").await;
    let mine = ok(
        &app,
        Who::Customer(&live.token),
        &create_cart(),
        json!({ "input": { "email": "ada@example.com" } }),
        "createCart",
    )
    .await;
    let order = place(&app, Who::Anonymous, &[(&shop.tee, 1)], "o@example.com").await;

    // Every mail so far is written (no SMTP: files) before rows are aged.
    let mut mails = 0;
    for _ in 0..200 {
        let mut conn = app.state.db().conn().await.unwrap();
        let pending: i64 = db_run!(conn, |c| mail_outbox::table
            .filter(mail_outbox::status.ne("sent"))
            .count()
            .get_result(c)
            .await)
        .unwrap();
        mails = count(&app, "mail_outbox").await;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        mails, 7,
        "two verification links, three resets, an export link and one order confirmation"
    );

    let mut conn = app.state.db().write_conn().await.unwrap();
    let window = app.state.config.throttle.window.as_secs() as i64;
    let throttles: usize = db_run!(conn, |c| diesel::update(rate_limits::table)
        .set(rate_limits::window_started_at.eq(now() - chrono::Duration::seconds(window + 1)))
        .execute(c)
        .await)
    .unwrap();
    assert!(throttles > 0);
    db_run!(conn, |c| diesel::insert_into(rate_limits::table)
        .values((
            rate_limits::bucket.eq("login:ip:192.0.2.1"),
            rate_limits::window_started_at.eq(now()),
            rate_limits::hits.eq(1),
        ))
        .execute(c)
        .await)
    .unwrap();
    db_run!(conn, |c| diesel::update(sessions::table.filter(
        sessions::refresh_token_hash.eq(tokens::hash(&old.refresh))
    ))
    .set(sessions::expires_at.eq(days_ago(1)))
    .execute(c)
    .await)
    .unwrap();
    let bob: String = db_run!(conn, |c| identities::table
        .filter(identities::email.eq("bob@example.com"))
        .select(identities::id)
        .first(c)
        .await)
    .unwrap();
    let bob_reset = db_run!(conn, |c| diesel::update(
        password_resets::table.filter(password_resets::identity_id.eq(&bob))
    )
    .set(password_resets::expires_at.eq(days_ago(1)))
    .execute(c)
    .await)
    .unwrap();
    assert_eq!(bob_reset, 1);
    let bob_customer: String = db_run!(conn, |c| identities::table
        .filter(identities::email.eq("bob@example.com"))
        .select(identities::customer_id.assume_not_null())
        .first(c)
        .await)
    .unwrap();
    let bob_link = db_run!(conn, |c| diesel::update(
        email_tokens::table.filter(email_tokens::customer_id.eq(&bob_customer))
    )
    .set(email_tokens::expires_at.eq(days_ago(1)))
    .execute(c)
    .await)
    .unwrap();
    assert_eq!(bob_link, 1);
    let used = db_run!(conn, |c| diesel::update(data_exports::table)
        .set(data_exports::used_at.eq(now()))
        .execute(c)
        .await)
    .unwrap();
    assert_eq!(used, 1);
    for (id, expires) in [
        ("idem-old", days_ago(1)),
        ("idem-live", now() + chrono::Duration::hours(1)),
    ] {
        db_run!(conn, |c| diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::id.eq(id),
                idempotency_keys::fingerprint.eq("f"),
                idempotency_keys::status.eq(200),
                idempotency_keys::body.eq("{}"),
                idempotency_keys::created_at.eq(days_ago(2)),
                idempotency_keys::expires_at.eq(expires),
            ))
            .execute(c)
            .await)
        .unwrap();
    }
    for id in [
        row_of(&stale["id"]),
        row_of(&mine["id"]),
        order["id"].as_str().unwrap().to_owned(),
    ] {
        db_run!(conn, |c| diesel::update(orders::table.find(&id))
            .set(orders::updated_at.eq(days_ago(31)))
            .execute(c)
            .await)
        .unwrap();
    }
    let old_events = db_run!(conn, |c| diesel::update(
        events::table.filter(events::event_type.eq("customer.created"))
    )
    .set(events::created_at.eq(days_ago(31)))
    .execute(c)
    .await)
    .unwrap();
    assert_eq!(old_events, 2);
    // Old sent mail goes; a pending mail stays however old it is.
    db_run!(conn, |c| diesel::update(mail_outbox::table)
        .set(mail_outbox::updated_at.eq(days_ago(31)))
        .execute(c)
        .await)
    .unwrap();
    let waiting = mail::password_changed(&app.state.config, "late@example.com", now());
    outbox::queue(&mut conn.backend(), &waiting).await.unwrap();
    db_run!(conn, |c| diesel::update(
        mail_outbox::table.filter(mail_outbox::status.eq("pending"))
    )
    .set((
        mail_outbox::updated_at.eq(days_ago(31)),
        mail_outbox::next_attempt_at.eq(now() + chrono::Duration::days(1)),
    ))
    .execute(c)
    .await)
    .unwrap();
    drop(conn);

    let events_before = count(&app, "events").await;
    let report = jobs::run_once(app.state.db(), &app.state.config)
        .await
        .unwrap()
        .expect("the pass ran");
    assert_eq!(
        report,
        Report {
            throttles,
            sessions: 2,
            password_resets: 2,
            email_tokens: 1,
            data_exports: 1,
            idempotency_keys: 1,
            carts: 1,
            events: 2,
            mails: 7,
        }
    );

    // What lives is still there and works.
    assert_eq!(count(&app, "rate_limits").await, 1);
    assert_eq!(
        count(&app, "sessions").await,
        2,
        "ada's live session and bob's"
    );
    assert!(me(&app, &live.token).await["errors"].is_null());
    assert_eq!(count(&app, "password_resets").await, 1);
    assert_eq!(count(&app, "email_tokens").await, 1, "ada's live link");
    assert_eq!(count(&app, "data_exports").await, 0);
    assert_eq!(count(&app, "idempotency_keys").await, 1);
    assert_eq!(count(&app, "events").await, events_before - 2);
    assert_eq!(count(&app, "mail_outbox").await, 1);
    let mut conn = app.state.db().conn().await.unwrap();
    let left: Vec<String> = db_run!(conn, |c| orders::table
        .select(orders::id)
        .order(orders::id)
        .load(c)
        .await)
    .unwrap();
    let mut expected = vec![
        row_of(&fresh["id"]),
        row_of(&mine["id"]),
        order["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(left, expected);
    let stale_lines: i64 = db_run!(conn, |c| line_items::table
        .filter(line_items::order_id.eq(row_of(&stale["id"])))
        .count()
        .get_result(c)
        .await)
    .unwrap();
    assert_eq!(stale_lines, 0);
    drop(conn);

    // A second pass finds nothing more.
    let again = jobs::run_once(app.state.db(), &app.state.config)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, Report::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_one_instance_at_a_time_runs_a_pass() {
    let app = TestApp::spawn().await;
    let mut conn = app.state.db().write_conn().await.unwrap();
    let storefront::db::DbConn::Postgres(pg) = &mut conn else {
        // SQLite has one writer process: every pass runs.
        drop(conn);
        let report = jobs::run_once(app.state.db(), &app.state.config).await;
        assert!(report.unwrap().is_some());
        return;
    };
    use diesel_async::AsyncConnection;
    let pg: &mut storefront::db::PgConn = pg;
    let db = app.state.db().clone();
    let config = app.state.config.clone();
    let skipped = pg
        .transaction(async |c| {
            diesel::sql_query(format!(
                "SELECT pg_advisory_xact_lock({})",
                jobs::PG_HOUSEKEEPING_LOCK
            ))
            .execute(c)
            .await?;
            // Another instance's pass, while this one holds the lock.
            let other = jobs::run_once(&db, &config).await;
            Ok::<_, diesel::result::Error>(other)
        })
        .await
        .unwrap();
    assert_eq!(skipped.unwrap(), None);
    drop(conn);
    assert!(
        jobs::run_once(app.state.db(), &app.state.config)
            .await
            .unwrap()
            .is_some()
    );
}
