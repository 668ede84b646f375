//! What a connection may send before any route runs (`src/http/transport.rs`,
//! `startup::serve`): an over-long URL gets 414 and an over-large header block 431, each in the
//! dialect of its path; a client that stalls halfway through its headers is disconnected; a
//! keep-alive connection serves one request after another.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Longer than the default `STOREFRONT_MAX_URL_BYTES` (8 KiB).
fn long_query() -> String {
    format!("q={}", "a".repeat(9 * 1024))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_url_gets_414_in_each_dialect() {
    let app = TestApp::spawn().await;
    let spree = app
        .get(&format!("/api/v3/store/products?{}", long_query()))
        .await;
    assert_eq!(
        spree,
        (
            StatusCode::URI_TOO_LONG,
            json!({ "error": {
                "code": "uri_too_long",
                "message": "Request URL is too long"
            } })
        )
    );
    let medusa = app.get(&format!("/store/products?{}", long_query())).await;
    assert_eq!(
        medusa,
        (
            StatusCode::URI_TOO_LONG,
            json!({ "type": "invalid_data", "message": "Request URL is too long" })
        )
    );
    let graphql = app.get(&format!("/graphql?{}", long_query())).await;
    assert_eq!(
        graphql,
        (
            StatusCode::URI_TOO_LONG,
            json!({ "errors": [{
                "message": "the request URL is too long",
                "extensions": { "code": "BAD_REQUEST" }
            }] })
        )
    );
    // Just under the limit is served as usual.
    let (status, _) = app
        .get(&format!("/store/products?q={}", "a".repeat(7 * 1024)))
        .await;
    assert_ne!(status, StatusCode::URI_TOO_LONG);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_large_header_block_gets_431_in_each_dialect() {
    let app = TestApp::spawn().await;
    // Over the default STOREFRONT_MAX_HEADER_BYTES (16 KiB), in several headers as cookies and
    // tracing headers grow.
    let filler = "b".repeat(6 * 1024);
    let send = |path: &str| {
        app.request(Method::GET, path)
            .header("x-filler-1", &filler)
            .header("x-filler-2", &filler)
            .header("x-filler-3", &filler)
    };
    let (status, body) = app.send(send("/api/v3/store/products")).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(body["error"]["code"], "request_header_fields_too_large");
    let (status, body) = app.send(send("/store/products")).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(
        body,
        json!({ "type": "invalid_data", "message": "Request headers are too large" })
    );
    let (status, body) = app.send(send("/graphql?query=%7Bshop%7Bname%7D%7D")).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

/// A head beyond what hyper buffers never reaches our code: hyper answers 431 itself, bare,
/// and closes the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_header_block_is_refused_by_hyper_with_431() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "GET /health HTTP/1.1\r\nhost: localhost\r\nx-filler: {}\r\n\r\n",
        "c".repeat(40 * 1024)
    );
    // The server may stop reading (and reset) before the whole head is written.
    let _ = stream.write_all(head.as_bytes()).await;
    let response = read_until_closed(&mut stream).await;
    assert!(
        response.starts_with("HTTP/1.1 431"),
        "expected hyper's 431, got {response:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let app = TestApp::builder()
        .env("STOREFRONT_HEADER_READ_TIMEOUT", "1")
        .spawn()
        .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(b"GET /health HT").await.unwrap();
    // The bound only keeps a broken server from hanging the test; the assertion is that the
    // server closes the connection without an answer.
    let response = tokio::time::timeout(Duration::from_secs(60), read_until_closed(&mut stream))
        .await
        .expect("the server never closed the stalled connection");
    assert_eq!(response, "", "a stalled request got an answer");

    // A connection that sends nothing at all is closed the same way.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let response = tokio::time::timeout(Duration::from_secs(60), read_until_closed(&mut silent))
        .await
        .expect("the server never closed the silent connection");
    assert_eq!(response, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keep_alive_connection_serves_request_after_request() {
    let app = TestApp::builder()
        .env("STOREFRONT_HEADER_READ_TIMEOUT", "1")
        .spawn()
        .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    for path in ["/health", "/graphql?query=%7Bshop%7Bname%7D%7D", "/health"] {
        let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let (status, body) = read_one_response(&mut stream).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (_, body) = {
        stream
            .write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        read_one_response(&mut stream).await
    };
    assert_eq!(body, json!({ "status": "ok" }));
}

/// Everything the server sends until it closes the connection (a reset ends it too).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one response with a `content-length` off a keep-alive connection: its status and its
/// body as JSON.
async fn read_one_response(stream: &mut TcpStream) -> (u16, Value) {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before a response");
        received.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let status: u16 = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .expect("a content-length");
    while received.len() < head_end + length {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed inside a body");
        received.extend_from_slice(&buf[..n]);
    }
    let body =
        serde_json::from_slice(&received[head_end..head_end + length]).unwrap_or(Value::Null);
    (status, body)
}
