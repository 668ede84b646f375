//! Password reset over GraphQL, with mail really sent over SMTP to a local sink.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};
use storefront::db::schema::events;
use storefront::db_run;

use crate::account_support::{PASSWORD, Signed, login, me, refresh, register, signed_in};
use crate::helpers::{TestApp, error_code};
use crate::smtp::SmtpSink;

const REQUEST: &str = "mutation($email: String!, $url: String) { \
    requestPasswordReset(email: $email, redirectUrl: $url) }";
const RESET: &str = "mutation($t: String!, $p: String!, $c: String!) { \
    resetPassword(token: $t, password: $p, passwordConfirmation: $c) { token refreshToken \
    expiresAt customer { id email } } }";
const NEW_PASSWORD: &str = "a completely new secret";

async fn app_with_sink(extra: &[(&str, &str)]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let mut builder = TestApp::builder().env("STOREFRONT_SMTP_URL", &sink.url());
    for (k, v) in extra {
        builder = builder.env(k, v);
    }
    (builder.spawn().await, sink)
}

async fn request_reset(app: &TestApp, email: &str, url: Option<&str>) -> Value {
    app.graphql(REQUEST, json!({ "email": email, "url": url }))
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> Value {
    app.graphql(RESET, json!({ "t": token, "p": password, "c": password }))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_and_unknown_emails_get_the_same_answer_and_only_known_get_mail() {
    let (app, sink) = app_with_sink(&[]).await;
    register(&app, "known@example.com").await;
    let raw = |email: &str| {
        app.request(Method::POST, "/graphql")
            .json(&json!({ "query": REQUEST, "variables": { "email": email } }))
    };
    let started = std::time::Instant::now();
    let (known_status, known) = app.send(raw("known@example.com")).await;
    let known_time = started.elapsed();
    let started = std::time::Instant::now();
    let (unknown_status, unknown) = app.send(raw("unknown@example.com")).await;
    let unknown_time = started.elapsed();
    assert_eq!(known_status, unknown_status);
    assert_eq!(known, unknown);
    assert_eq!(
        known,
        json!({ "data": { "requestPasswordReset":
            "If an account exists for that email, a link to reset its password is on its way." } })
    );
    // About the same time: neither waits for the mail server.
    assert!(
        known_time < Duration::from_millis(500) && unknown_time < Duration::from_millis(500),
        "known {known_time:?}, unknown {unknown_time:?}"
    );

    let mails = sink.resets(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.mails().iter().filter(|m| !m.is_verification()).count(),
        1,
        "no mail for the unknown email"
    );
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["<known@example.com>"]);
    assert!(mail.from.contains("no-reply@localhost"));
    assert!(
        mail.data
            .contains("Subject: Reset your Storefront Demo password")
    );
    assert!(
        mail.text()
            .contains("http://127.0.0.1:8080/reset-password?token="),
        "{}",
        mail.text()
    );
    assert_eq!(mail.token().len(), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_works_once_ends_every_session_and_signs_in() {
    let (app, sink) = app_with_sink(&[]).await;
    let old = register(&app, "reset@example.com").await;
    request_reset(&app, "RESET@example.com", None).await;
    let token = sink.resets(1).await[0].token();

    let body = app
        .graphql(
            RESET,
            json!({ "t": token, "p": NEW_PASSWORD, "c": "something else" }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"],
        "passwordConfirmation"
    );
    let body = reset(&app, &token, "password").await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    let body = reset(&app, &token, NEW_PASSWORD).await;
    let fresh = Signed::from_payload(&body["data"]["resetPassword"]);
    assert_eq!(fresh.customer_id, old.customer_id);
    assert_eq!(
        me(&app, &fresh.token).await["data"]["me"]["email"],
        "reset@example.com"
    );
    assert_eq!(error_code(&me(&app, &old.token).await), "UNAUTHENTICATED");
    assert_eq!(
        error_code(&refresh(&app, &old.refresh).await),
        "INVALID_TOKEN"
    );
    assert_eq!(
        error_code(&login(&app, "reset@example.com", PASSWORD).await),
        "INVALID_CREDENTIALS"
    );
    signed_in(&app, "reset@example.com", NEW_PASSWORD).await;

    // Each step left its event, written with the change.
    let mut conn = app.state.db().conn().await.unwrap();
    let kinds: Vec<String> = db_run!(conn, |c| events::table
        .order(events::id)
        .select(events::event_type)
        .load(c)
        .await)
    .unwrap();
    drop(conn);
    assert_eq!(
        kinds,
        [
            "customer.created",
            "customer.password_reset_requested",
            // The link reached the address: the email counts as verified.
            "customer.email_verified",
            "customer.password_reset"
        ]
    );

    // Single use.
    let body = reset(&app, &token, "yet another new secret").await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    assert_eq!(
        error_code(&reset(&app, "0".repeat(64).as_str(), NEW_PASSWORD).await),
        "INVALID_TOKEN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_tokens_expire() {
    let (app, sink) = app_with_sink(&[("STOREFRONT_PASSWORD_RESET_TTL", "1")]).await;
    register(&app, "late@example.com").await;
    request_reset(&app, "late@example.com", None).await;
    let mail = &sink.resets(1).await[0];
    assert!(mail.text().contains("within 1 minutes"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        error_code(&reset(&app, &mail.token(), NEW_PASSWORD).await),
        "INVALID_TOKEN"
    );
    signed_in(&app, "late@example.com", PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_request_or_a_password_change_voids_older_tokens() {
    let (app, sink) = app_with_sink(&[]).await;
    let s = register(&app, "twice@example.com").await;
    request_reset(&app, "twice@example.com", None).await;
    let older = sink.resets(1).await[0].token();
    request_reset(&app, "twice@example.com", None).await;
    let newer = sink.resets(2).await[1].token();
    assert_ne!(older, newer);
    assert_eq!(
        error_code(&reset(&app, &older, NEW_PASSWORD).await),
        "INVALID_TOKEN"
    );

    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, \
        newPassword: $n) { token } }";
    let body = app
        .graphql_as(
            Some(&s.token),
            change,
            json!({ "c": PASSWORD, "n": NEW_PASSWORD }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        error_code(&reset(&app, &newer, "yet another new secret").await),
        "INVALID_TOKEN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redirect_url_is_kept_only_for_allowed_origins() {
    let (app, sink) = app_with_sink(&[
        (
            "STOREFRONT_ALLOWED_ORIGINS",
            "https://shop.example, http://localhost:3000",
        ),
        ("STOREFRONT_PUBLIC_URL", "https://api.shop.example/"),
        ("STOREFRONT_THROTTLE_RESET_PER_ACCOUNT", "20"),
    ])
    .await;
    register(&app, "link@example.com").await;
    let cases = [
        (
            Some("https://shop.example/account/reset"),
            "https://shop.example/account/reset?token=",
        ),
        (
            Some("http://localhost:3000/reset?step=2"),
            "http://localhost:3000/reset?step=2&token=",
        ),
        (
            Some("https://evil.example/reset"),
            "https://api.shop.example/reset-password?token=",
        ),
        (
            Some("https://shop.example:8443/reset"),
            "https://api.shop.example/reset-password?token=",
        ),
        (
            Some("http://shop.example/reset"),
            "https://api.shop.example/reset-password?token=",
        ),
        (
            Some("javascript:alert(1)"),
            "https://api.shop.example/reset-password?token=",
        ),
        (None, "https://api.shop.example/reset-password?token="),
    ];
    for (i, (url, expected)) in cases.iter().enumerate() {
        let body = request_reset(&app, "link@example.com", *url).await;
        assert!(body["errors"].is_null(), "{body}");
        let mail = &sink.resets(i + 1).await[i];
        assert!(mail.text().contains(expected), "{url:?}: {}", mail.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_mail_server_does_not_change_the_answer() {
    // Nothing listens on this port once the listener is dropped.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))
        .spawn()
        .await;
    register(&app, "down@example.com").await;
    let known = request_reset(&app, "down@example.com", None).await;
    let unknown = request_reset(&app, "other@example.com", None).await;
    assert_eq!(known, unknown);
    assert!(known["errors"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_mail_is_written_to_the_data_folder() {
    let app = TestApp::spawn().await;
    register(&app, "file@example.com").await;
    request_reset(&app, "file@example.com", None).await;
    let dir = app.state.config.data_dir.join("mail");
    let mut found = None;
    for _ in 0..50 {
        if let Ok(entries) = std::fs::read_dir(&dir)
            && let Some(text) = entries
                .flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .find(|text| text.contains("reset-password?token="))
        {
            found = Some(text);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mail = found.expect("a mail file");
    assert!(mail.contains("To: file@example.com"), "{mail}");
    assert!(mail.contains("reset-password?token="));
}
