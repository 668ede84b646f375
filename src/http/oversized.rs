//! Oversized bodies, answered so that the client reads the answer.
//!
//! The body limit refuses a request whose `Content-Length` is over the limit before reading
//! its body. The connection is then closed with the body still unread, and the kernel answers
//! unread data with a reset, which can reach the client before it has read the 413: it sees a
//! network error instead of the dialect's JSON (the SDKs then crash). So a declared body over
//! the limit is first read and thrown away, within bounds of size and time, and the limit then
//! refuses it as before.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

/// Largest body read and discarded; beyond it the client gets the bare refusal.
const MAX_DRAIN: u64 = 16 * 1024 * 1024;
/// Longest time spent discarding one body.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The middleware; its state is the body limit in bytes.
pub async fn drain_oversized(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 && length <= MAX_DRAIN => {
            let (parts, body) = request.into_parts();
            let _ = tokio::time::timeout(DRAIN_TIME, discard(body)).await;
            // The declared length stays on the request, so the limit refuses it unread.
            next.run(Request::from_parts(parts, Body::empty())).await
        }
        _ => next.run(request).await,
    }
}

async fn discard(body: Body) {
    let mut stream = body.into_data_stream();
    while let Some(Ok(_)) = stream.next().await {}
}
