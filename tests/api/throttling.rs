//! Throttles: per IP and per account, counted per attempt, aliased mutations included.

use serde_json::{Value, json};

use crate::account_support::{PASSWORD, login, register};
use crate::helpers::{TestApp, error_code};

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("-").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_from_one_ip_is_throttled_with_a_retry_hint() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_IP", "3")
        .env("STOREFRONT_THROTTLE_WINDOW", "60")
        .spawn()
        .await;
    for i in 0..3 {
        let body = login(&app, &format!("u{i}@example.com"), "wrong password").await;
        assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    }
    let body = login(&app, "u9@example.com", "wrong password").await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    let retry = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliased_logins_in_one_request_count_once_each() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT", "3")
        .spawn()
        .await;
    register(&app, "alias@example.com").await;
    let attempts: Vec<String> = (0..6)
        .map(|i| {
            format!(
                "a{i}: login(email: \"alias@example.com\", password: \"guess number {i}\") {{ token }}"
            )
        })
        .collect();
    let query = format!("mutation {{ {} }}", attempts.join(" "));
    let body = app.graphql(&query, Value::Null).await;
    let codes = codes(&body);
    assert_eq!(codes.len(), 6, "{body}");
    assert_eq!(
        codes.iter().filter(|c| *c == "INVALID_CREDENTIALS").count(),
        3
    );
    assert_eq!(codes.iter().filter(|c| *c == "RATE_LIMITED").count(), 3);
    // The account stays locked for this window, even with the right password...
    assert_eq!(
        error_code(&login(&app, "alias@example.com", PASSWORD).await),
        "RATE_LIMITED"
    );
    // ...while other accounts are not.
    assert_eq!(
        error_code(&login(&app, "other@example.com", "wrong password").await),
        "INVALID_CREDENTIALS"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_requests_count_every_operation() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_RESET_PER_IP", "3")
        .spawn()
        .await;
    let op = json!({ "query": "mutation { requestPasswordReset(email: \"x@example.com\") }" });
    let ops: Vec<Value> = (0..5).map(|_| op.clone()).collect();
    let (status, body) = app
        .send(app.request(reqwest::Method::POST, "/graphql").json(&ops))
        .await;
    assert_eq!(status, 200);
    let limited = body
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| codes(r) == ["RATE_LIMITED"])
        .count();
    assert_eq!(limited, 2, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_and_refreshes_are_throttled_per_ip() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_REGISTER_PER_IP", "2")
        .env("STOREFRONT_THROTTLE_REFRESH_PER_IP", "2")
        .spawn()
        .await;
    register(&app, "r1@example.com").await;
    register(&app, "r2@example.com").await;
    let body = app
        .graphql(
            crate::account_support::REGISTER,
            json!({ "input": { "email": "r3@example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    let query = "mutation { a: refresh(refreshToken: \"x\") { token } \
        b: refresh(refreshToken: \"y\") { token } c: refresh(refreshToken: \"z\") { token } }";
    let body = app.graphql(query, Value::Null).await;
    assert_eq!(
        codes(&body),
        ["INVALID_TOKEN", "INVALID_TOKEN", "RATE_LIMITED"]
    );
}
