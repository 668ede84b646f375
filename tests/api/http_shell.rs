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
    let key = crate::spree_support::Spree::new(&app).await.key;
    // One route of each surface: GraphQL, Spree, Medusa.
    let routes = [
        (Method::POST, "/graphql"),
        (Method::GET, "/api/v3/store/products"),
        (Method::GET, "/store/products"),
    ];
    for (method, path) in routes {
        let preflight = |origin: &'static str| {
            app.request(Method::OPTIONS, path)
                .header("origin", origin)
                .header("access-control-request-method", method.as_str())
                .header(
                    "access-control-request-headers",
                    "content-type,authorization,x-spree-api-key,x-publishable-api-key",
                )
                .send()
        };
        let simple = |origin: &'static str| {
            let request = app
                .request(Method::GET, path)
                .header("origin", origin)
                .header("x-spree-api-key", &key)
                .header("x-publishable-api-key", &key);
            match path {
                "/graphql" => request.query(&[("query", "{ shop { name } }")]),
                _ => request,
            }
            .send()
        };
        for response in [
            preflight("https://shop.example").await.unwrap(),
            simple("https://shop.example").await.unwrap(),
        ] {
            let headers = response.headers();
            assert_eq!(
                headers["access-control-allow-origin"], "https://shop.example",
                "{path}"
            );
            // Credentials (the bearer token, Medusa's session cookie) for listed origins only,
            // and never with a wildcard.
            assert_eq!(
                headers["access-control-allow-credentials"], "true",
                "{path}"
            );
            // A cache must not serve one origin's answer to another.
            let vary: Vec<&str> = headers
                .get_all("vary")
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            assert!(
                vary.iter().any(|v| v.contains("origin")),
                "{path}: {vary:?}"
            );
        }
        for origin in [
            "https://evil.example",
            "null",
            "https://shop.example.evil.example",
        ] {
            for response in [
                preflight(origin).await.unwrap(),
                simple(origin).await.unwrap(),
            ] {
                let headers = response.headers();
                assert!(
                    headers.get("access-control-allow-origin").is_none(),
                    "{path} from {origin}"
                );
            }
        }
        // The simple request still runs for a listed origin: CORS decides what a page may read.
        let response = simple("https://shop.example").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }

    // With no origin configured, no origin is allowed.
    let closed = TestApp::spawn().await;
    let response = closed
        .request(Method::OPTIONS, "/graphql")
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
