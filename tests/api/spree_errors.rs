//! Spree Store API: every error answers Spree's JSON envelope, the SDK's only readable error
//! body: a missing or bad publishable key (checked first), malformed or oversized bodies,
//! unknown routes, wrong methods and throttling.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::spree_support::{As, PASSWORD, Spree};

#[tokio::test(flavor = "multi_thread")]
async fn the_publishable_key_is_checked_before_anything_else() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let invalid =
        json!({ "error": { "code": "invalid_token", "message": "Valid API key required" } });
    for who in [As::NoKey, As::BadKey] {
        for (method, path, body) in [
            (Method::GET, "/products", None),
            (
                Method::POST,
                "/auth/login",
                Some(json!({ "email": "a@b.co", "password": "x" })),
            ),
            (Method::POST, "/auth/logout", None),
            (
                Method::POST,
                "/password_resets",
                Some(json!({ "email": "a@b.co" })),
            ),
            (Method::GET, "/customers/me", None),
            (Method::GET, "/no/such/route", None),
            (Method::DELETE, "/products", None),
        ] {
            let r = spree.call(method.clone(), path, who, body).await;
            assert_eq!(
                (r.status, r.body.clone()),
                (StatusCode::UNAUTHORIZED, invalid.clone()),
                "{method} {path} {who:?}"
            );
        }
    }
    // A secret key is not a publishable key.
    let secret = crate::order_support::secret_key(&app).await;
    let r = app
        .send(
            app.request(Method::GET, "/api/v3/store/products")
                .header("x-spree-api-key", secret),
        )
        .await;
    assert_eq!((r.0, r.1), (StatusCode::UNAUTHORIZED, invalid));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_answer_the_envelope() {
    let app = TestApp::builder()
        .env("STOREFRONT_BODY_LIMIT", "4096")
        .spawn()
        .await;
    let spree = Spree::new(&app).await;
    let raw = |method: Method, path: &str| {
        app.request(method, &format!("/api/v3/store{path}"))
            .header("x-spree-api-key", &spree.key)
    };
    let cases = [
        (
            raw(Method::POST, "/auth/login")
                .header("content-type", "application/json")
                .body("{\"email\":"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            raw(Method::POST, "/auth/login")
                .header("content-type", "application/json")
                .body("{\"email\": 5}"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            raw(Method::POST, "/auth/login")
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            raw(Method::POST, "/auth/login")
                .header("content-type", "application/json")
                .body(format!("{{\"email\":\"{}\"}}", "x".repeat(10_000))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
        ),
        (
            raw(Method::GET, "/no/such/route"),
            StatusCode::NOT_FOUND,
            "record_not_found",
        ),
        (
            raw(Method::PUT, "/customers/me"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            raw(Method::GET, "/products?sort=cheapest"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
        ),
        (
            raw(Method::GET, "/products?q[price_gte]=abc"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.unwrap();
        let got = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (kind, nosniff) = (header("content-type"), header("x-content-type-options"));
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(body["error"]["message"].is_string(), "{body}");
        assert_eq!(kind.as_deref(), Some("application/json"));
        assert_eq!(nosniff.as_deref(), Some("nosniff"));
    }
    // Without a content length (chunked) the limit is met while reading: the same answer.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let chunk = " ".repeat(1000);
    let mut request = format!(
        "POST /api/v3/store/customers HTTP/1.1\r\nhost: x\r\nx-spree-api-key: {}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\
         connection: close\r\n\r\n",
        spree.key
    );
    for _ in 0..10 {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"request_too_large\""),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_sign_ins_answer_429_with_retry_after() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_IP", "2")
        .spawn()
        .await;
    let spree = Spree::new(&app).await;
    spree.register("ada@example.com").await;
    let login = json!({ "email": "ada@example.com", "password": PASSWORD });
    for _ in 0..2 {
        let r = spree
            .post("/auth/login", As::Anonymous, login.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = spree.post("/auth/login", As::Anonymous, login).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.body,
        json!({ "error": { "code": "rate_limit_exceeded",
                           "message": "Too many requests. Please retry later." } })
    );
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
}
