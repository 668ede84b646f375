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
    // The account stays backed off for this network and window, even with the right password...
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

/// A login as a client behind the trusted proxy (this test's server trusts 127.0.0.1).
async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> Value {
    let (_, body) = app
        .send(
            app.request(reqwest::Method::POST, "/graphql")
                .header("x-forwarded-for", client)
                .json(&json!({ "query": crate::account_support::LOGIN,
                               "variables": { "email": email, "password": password } })),
        )
        .await;
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_cannot_lock_the_victim_out() {
    let app = TestApp::builder()
        .env("STOREFRONT_TRUSTED_PROXIES", "127.0.0.1")
        .env("STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT", "3")
        .spawn()
        .await;
    register(&app, "victim@example.com").await;
    let mut codes_seen = Vec::new();
    for _ in 0..5 {
        let body = login_from(&app, "203.0.113.5", "victim@example.com", "guess").await;
        codes_seen.push(error_code(&body).to_owned());
    }
    assert_eq!(
        codes_seen,
        [
            "INVALID_CREDENTIALS",
            "INVALID_CREDENTIALS",
            "INVALID_CREDENTIALS",
            "RATE_LIMITED",
            "RATE_LIMITED"
        ]
    );
    // The attacker's network (its /24) stays backed off, even with the right password...
    let body = login_from(&app, "203.0.113.77", "victim@example.com", PASSWORD).await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // ...while the victim, elsewhere, signs in as usual.
    let body = login_from(&app, "198.51.100.7", "victim@example.com", PASSWORD).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_header_is_ignored_without_a_trusted_proxy() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_IP", "2")
        .spawn()
        .await;
    // Each attempt claims another address; the server counts the real peer.
    let mut last = Value::Null;
    for i in 0..3 {
        last = login_from(
            &app,
            &format!("198.51.100.{i}"),
            &format!("u{i}@example.com"),
            "x",
        )
        .await;
    }
    assert_eq!(error_code(&last), "RATE_LIMITED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/health",
        "/graphql?query=%7B__typename%7D",
        "/api/v3/store/products",
        "/nope",
    ] {
        let response = app
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "development: {path}"
        );
    }
    let app = TestApp::builder()
        .env("STOREFRONT_ENV", "production")
        .env("STOREFRONT_SMTP_URL", "smtp://127.0.0.1:9")
        .spawn()
        .await;
    let response = app
        .request(reqwest::Method::GET, "/health")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_are_shared_between_instances_and_survive_a_restart() {
    let limits = [
        ("STOREFRONT_THROTTLE_LOGIN_PER_IP", "4"),
        ("STOREFRONT_THROTTLE_WINDOW", "300"),
    ];
    let mut builder = TestApp::builder();
    for (k, v) in limits {
        builder = builder.env(k, v);
    }
    let a = builder.spawn().await;
    let mut builder = TestApp::builder().database_url(&a.database_url);
    for (k, v) in limits {
        builder = builder.env(k, v);
    }
    let b = builder.spawn().await;
    // Two attempts on each instance: the fifth, anywhere, is over the limit of four.
    for app in [&a, &b, &a, &b] {
        let body = login(app, "someone@example.com", "wrong password").await;
        assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    }
    assert_eq!(
        error_code(&login(&b, "someone@example.com", "wrong password").await),
        "RATE_LIMITED"
    );
    // A restarted instance on the same database still counts them.
    b.stop().await;
    let mut builder = TestApp::builder().database_url(&a.database_url);
    for (k, v) in limits {
        builder = builder.env(k, v);
    }
    let c = builder.spawn().await;
    assert_eq!(
        error_code(&login(&c, "other@example.com", "wrong password").await),
        "RATE_LIMITED"
    );
    c.stop().await;
    drop(a);
}
