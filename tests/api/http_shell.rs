//! Health, readiness, metrics, request ids, body limits.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_ready_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/health").await,
        (StatusCode::OK, json!({ "status": "ok" }))
    );
    let backend = if crate::helpers::test_database_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(
        app.get("/ready").await,
        (
            StatusCode::OK,
            json!({ "status": "ready", "database": backend })
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.state.db().close();
    let (status, body) = app.get("/ready").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = TestApp::spawn().await;
    app.get("/health").await;
    app.get("/health").await;
    let text = app
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"storefront_http_requests_total{method="GET",route="/health",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"storefront_http_request_duration_seconds_count{method="GET",route="/health"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains("storefront_db_pool_max_connections 8"),
        "{text}"
    );
    assert!(text.contains("storefront_db_statements_total"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/health").send().await.unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 26, "a ULID: {id}");
    let response = app
        .request(Method::GET, "/health")
        .header("x-request-id", "from-the-load-balancer")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "from-the-load-balancer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused() {
    let app = TestApp::builder()
        .env("STOREFRONT_BODY_LIMIT", "2048")
        .spawn()
        .await;
    let query = format!("{{ shop {{ name }} }} # {}", "x".repeat(4096));
    let response = app
        .request(Method::POST, "/graphql")
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::builder()
        .env("STOREFRONT_ALLOWED_ORIGINS", "https://shop.example")
        .spawn()
        .await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization",
            )
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
