//! Durable mail: what the outbox sends is received by a real SMTP listener (headers, links,
//! tokens), an SMTP outage or a restart loses and repeats nothing, a crashed worker's claim is
//! retaken, and two instances on one database send each mail once.

use std::collections::BTreeSet;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use storefront::db::schema::mail_outbox;
use storefront::db::{DatabaseUrl, Db, PoolOptions};
use storefront::db_run;
use storefront::store::mail::{self, outbox};
use storefront::store::now;

use crate::account_support::{PASSWORD, register, signed_in};
use crate::helpers::{TestApp, TestAppBuilder};
use crate::order_support::{Who, fulfil, ok, place, secret_key, shop};
use crate::smtp::{ReceivedMail, SmtpSink, free_port};

const REQUEST: &str = "mutation($email: String!) { requestPasswordReset(email: $email) }";
const RESET: &str = "mutation($t: String!, $p: String!) { \
    resetPassword(token: $t, password: $p, passwordConfirmation: $p) { token } }";
const CHANGE: &str = "mutation($c: String!, $n: String!) { \
    changePassword(currentPassword: $c, newPassword: $n) { token } }";

/// One outbox row as the tests look at it.
#[derive(Clone, Debug, Queryable)]
struct Row {
    id: String,
    kind: String,
    recipient: String,
    status: String,
    attempts: i32,
    text_body: String,
    html_body: String,
    last_error: Option<String>,
}

async fn rows_of(db: &Db) -> Vec<Row> {
    let mut conn = db.conn().await.unwrap();
    db_run!(conn, |c| mail_outbox::table
        .order((mail_outbox::created_at, mail_outbox::id))
        .select((
            mail_outbox::id,
            mail_outbox::kind,
            mail_outbox::recipient,
            mail_outbox::status,
            mail_outbox::attempts,
            mail_outbox::text_body,
            mail_outbox::html_body,
            mail_outbox::last_error,
        ))
        .load(c)
        .await)
    .unwrap()
}

/// Waits until the outbox satisfies `done` (the worker runs in the background).
async fn outbox_until(db: &Db, what: &str, done: impl Fn(&[Row]) -> bool) -> Vec<Row> {
    for _ in 0..400 {
        let rows = rows_of(db).await;
        if done(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the outbox never got to {what}: {:?}", rows_of(db).await);
}

fn all_sent(count: usize) -> impl Fn(&[Row]) -> bool {
    move |rows| rows.len() == count && rows.iter().all(|r| r.status == "sent")
}

fn with_smtp(url: &str) -> TestAppBuilder {
    TestApp::builder()
        .env("STOREFRONT_SMTP_URL", url)
        .env("STOREFRONT_MAIL_RETRY_DELAY", "1")
        .env("STOREFRONT_MAIL_RETRY_MAX_DELAY", "1")
}

fn by_subject<'a>(mails: &'a [ReceivedMail], start: &str) -> &'a ReceivedMail {
    mails
        .iter()
        .find(|m| m.header("Subject").is_some_and(|s| s.starts_with(start)))
        .unwrap_or_else(|| panic!("no mail `{start}...` in {mails:#?}"))
}

/// Every mail was received once: as many mails as rows, no Message-ID twice.
fn once_each(mails: &[ReceivedMail], rows: &[Row]) {
    assert_eq!(mails.len(), rows.len(), "{mails:#?}");
    let ids: BTreeSet<String> = mails
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect();
    let expected: BTreeSet<String> = rows
        .iter()
        .map(|r| format!("<{}@localhost>", r.id))
        .collect();
    assert_eq!(ids, expected);
    for row in rows {
        assert_eq!(row.text_body, "", "a sent mail keeps no body");
        assert_eq!(row.html_body, "");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_and_account_mails_arrive_with_their_links_and_tokens() {
    let sink = SmtpSink::start().await;
    let app = with_smtp(&sink.url())
        .env("STOREFRONT_SHOP_NAME", "Tom & Co")
        .spawn()
        .await;
    let shop = shop(&app).await;

    // A guest's order: the confirmation carries the lines, totals, address and guest link.
    let order = place(
        &app,
        Who::Anonymous,
        &[(&shop.tee, 2), (&shop.mug, 1)],
        "guest@example.com",
    )
    .await;
    let number = order["number"].as_str().unwrap();
    let token = order["token"].as_str().unwrap();
    let mails = sink.wait_besides_verification(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to, ["<guest@example.com>"]);
    assert!(mail.from.contains("no-reply@localhost"));
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some(format!("Your Tom & Co order {number}").as_str())
    );
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative"),
        "{}",
        mail.data
    );
    let text = mail.text();
    for expected in [
        "Thank you for your order, Grace!".to_owned(),
        "2 x Tee at $20.00 = $40.00".into(),
        "1 x Mug at $12.50 = $12.50".into(),
        format!("Total:    ${}", order["total"]["amount"].as_str().unwrap()),
        "Grace Hopper".into(),
        "1 Navy Yard".into(),
        "Arlington Virginia 22202".into(),
        format!("http://127.0.0.1:8080/orders/{number}?token={token}"),
        // The HTML part, escaped.
        "Tom &amp; Co".into(),
        "<td>Tee</td>".into(),
    ] {
        assert!(text.contains(&expected), "`{expected}` missing from {text}");
    }
    assert!(!text.contains("Tom & Co</td>"));

    // Shipped, with the tracking number.
    let key = secret_key(&app).await;
    ok(
        &app,
        Who::Integrator(&key),
        &fulfil(),
        json!({ "id": order["id"], "tracking": "1Z<999>" }),
        "fulfillOrder",
    )
    .await;
    let mails = sink.wait_besides_verification(2).await;
    let shipped = &mails[1];
    assert_eq!(
        shipped.header("Subject").as_deref(),
        Some(format!("Your Tom & Co order {number} has shipped").as_str())
    );
    let text = shipped.text();
    assert!(text.contains("Tracking number: 1Z<999>"), "{text}");
    assert!(text.contains("<strong>1Z&lt;999&gt;</strong>"), "{text}");

    // A customer: password reset (link and token), then the notice of the change.
    register(&app, "ada@example.com").await;
    app.graphql(REQUEST, json!({ "email": "ada@example.com" }))
        .await;
    let mails = sink.wait_besides_verification(3).await;
    let reset = by_subject(&mails, "Reset your Tom & Co password");
    assert_eq!(reset.to, ["<ada@example.com>"]);
    assert!(
        reset.text().contains(&format!(
            "http://127.0.0.1:8080/reset-password?token={}",
            reset.token()
        )),
        "{}",
        reset.text()
    );
    let body = app
        .graphql(
            RESET,
            json!({ "t": reset.token(), "p": "a brand new secret" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let mails = sink.wait_besides_verification(4).await;
    let changed = by_subject(&mails, "Your Tom & Co password was changed");
    assert_eq!(changed.to, ["<ada@example.com>"]);
    assert!(
        changed
            .text()
            .contains("http://127.0.0.1:8080/forgot-password")
    );

    // changePassword sends the notice too.
    let session = signed_in(&app, "ada@example.com", "a brand new secret").await;
    let body = app
        .graphql_as(
            Some(&session.token),
            CHANGE,
            json!({ "c": "a brand new secret", "n": PASSWORD }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let rows = outbox_until(app.state.db(), "six mails sent", all_sent(6)).await;
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "order_confirmation",
            "order_shipped",
            "email_verification",
            "password_reset",
            "password_changed",
            "password_changed"
        ]
    );
    once_each(&sink.mails(), &rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_outage_then_recovery_delivers_every_mail_exactly_once() {
    let port = free_port();
    let app = with_smtp(&format!("smtp://127.0.0.1:{port}")).spawn().await;
    let shop = shop(&app).await;
    for email in ["one@example.com", "two@example.com"] {
        register(&app, email).await;
        let body = app.graphql(REQUEST, json!({ "email": email })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    place(&app, Who::Anonymous, &[(&shop.mug, 1)], "three@example.com").await;

    // The server is down: every mail (two verification links, two resets, one confirmation)
    // is tried, fails, and waits for its next attempt.
    let rows = outbox_until(app.state.db(), "five mails retried", |rows| {
        rows.len() == 5 && rows.iter().all(|r| r.attempts >= 2 && r.status != "sent")
    })
    .await;
    for row in &rows {
        assert!(
            row.last_error
                .as_deref()
                .unwrap_or_default()
                .contains("smtp")
        );
        assert_ne!(row.text_body, "", "a mail not yet sent keeps its body");
    }

    let sink = SmtpSink::start_on(port).await;
    sink.wait_for(5).await;
    let rows = outbox_until(app.state.db(), "every mail sent", all_sent(5)).await;
    once_each(&sink.mails(), &rows);
    let recipients: BTreeSet<String> = rows.iter().map(|r| r.recipient.clone()).collect();
    assert_eq!(
        recipients,
        BTreeSet::from(
            ["one@example.com", "three@example.com", "two@example.com"].map(String::from)
        )
    );

    // The tokens mailed after the outage still work.
    for mail in sink
        .mails()
        .iter()
        .filter(|m| m.text().contains("reset-password"))
    {
        let body = app
            .graphql(
                RESET,
                json!({ "t": mail.token(), "p": "a brand new secret" }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_during_an_outage_loses_nothing_and_retakes_a_crashed_claim() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut first = with_smtp(&url).spawn().await;
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        register(&first, email).await;
        first.graphql(REQUEST, json!({ "email": email })).await;
    }
    // A verification link and a reset for each.
    let rows = outbox_until(first.state.db(), "six mails tried", |rows| {
        rows.len() == 6
            && rows
                .iter()
                .all(|r| r.attempts >= 1 && r.status == "pending")
    })
    .await;
    first.halt().await;

    // As if an instance had died while sending one of them: claimed, its lease lapsed.
    let db = Db::connect(
        &DatabaseUrl::parse(&first.database_url).unwrap(),
        &PoolOptions {
            max_size: 1,
            wait_timeout: Duration::from_secs(5),
        },
    )
    .await
    .unwrap();
    let mut conn = db.write_conn().await.unwrap();
    let lapsed = now() - chrono::Duration::seconds(1);
    db_run!(conn, |c| diesel::update(
        mail_outbox::table.find(&rows[0].id)
    )
    .set((
        mail_outbox::status.eq("sending"),
        mail_outbox::claimed_by.eq("worker_that_died"),
        mail_outbox::lease_until.eq(lapsed),
    ))
    .execute(c)
    .await)
    .unwrap();
    drop(conn);

    let sink = SmtpSink::start_on(port).await;
    let second = with_smtp(&url)
        .database_url(&first.database_url)
        .spawn()
        .await;
    sink.wait_for(6).await;
    let rows = outbox_until(second.state.db(), "every mail sent", all_sent(6)).await;
    once_each(&sink.mails(), &rows);
    db.close();
    second.stop().await;
    drop(first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_send_each_mail_once() {
    let sink = SmtpSink::start().await;
    let a = with_smtp(&sink.url()).spawn().await;
    let b = with_smtp(&sink.url())
        .database_url(&a.database_url)
        .spawn()
        .await;
    let count = 16;
    for i in 0..count {
        let app = if i % 2 == 0 { &a } else { &b };
        let notice = mail::password_changed(&app.state.config, &format!("u{i}@example.com"), now());
        let mut conn = app.state.db().write_conn().await.unwrap();
        outbox::queue(&mut conn.backend(), &notice).await.unwrap();
        drop(conn);
        // Both workers race for every mail.
        a.state.store.wake_mail();
        b.state.store.wake_mail();
    }
    sink.wait_for(count).await;
    let rows = outbox_until(a.state.db(), "every mail sent", all_sent(count)).await;
    once_each(&sink.mails(), &rows);
    b.stop().await;
    drop(a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_is_written_as_files_and_marked_sent() {
    let app = TestApp::spawn().await;
    register(&app, "files@example.com").await;
    app.graphql(REQUEST, json!({ "email": "files@example.com" }))
        .await;
    // The verification link, then the reset.
    let rows = outbox_until(app.state.db(), "the mails written", all_sent(2)).await;
    let dir = app.state.config.data_dir.join("mail");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2);
    for (name, row) in names.iter().zip(&rows) {
        assert!(name.ends_with(&format!("-{}.eml", row.id)), "{name}");
        let raw = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("To: files@example.com"));
    }
}
