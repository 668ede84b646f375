//! The GraphQL endpoints: `/graphql` (GET and POST, batches bounded), `/graphql/ws`
//! (graphql-transport-ws and the legacy graphql-ws of subscriptions-transport-ws).

use std::str::FromStr;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use async_graphql::{BatchRequest, Executor, ParseRequestError, ServerError};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::cache;
use crate::http::auth::{Auth, Graphql};
use crate::http::caching;
use crate::state::AppState;

/// The routes of the GraphQL surface.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/graphql", get(execute).post(execute))
        .route("/graphql/ws", get(websocket))
}

/// `/graphql/ws`: the caller's credentials come in the `connection_init` payload
/// (`{"authorization": "Bearer ...", "x-order-token": "...", "x-storefront-secret-key": "..."}`,
/// any case), since browsers cannot set headers on a WebSocket; other clients may send them as
/// headers of the upgrade request, which the payload overrides. They are checked at
/// `connection_init` (4403 when bad), again by each operation on the socket (see
/// `graphql::engine`), and whenever the customer's sessions may have ended (see
/// `graphql::socket`). At most `STOREFRONT_WS_MAX_CONNECTIONS` sockets are open at once (503
/// beyond), and messages are at most `STOREFRONT_WS_MAX_MESSAGE` bytes.
async fn websocket(
    State(state): State<AppState>,
    upgrade_auth: Auth<Graphql>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = protocol_of(&headers) else {
        return (
            StatusCode::BAD_REQUEST,
            "Sec-WebSocket-Protocol must be graphql-transport-ws or graphql-ws",
        )
            .into_response();
    };
    let Ok(slot) = state.sockets.clone().try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "too many WebSocket connections; try again shortly",
        )
            .into_response();
    };
    let ip = upgrade_auth.client.ip;
    let max_message = state.config.sockets.max_message;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| super::socket::serve(socket, state, protocol, ip, headers, slot))
}

/// The first GraphQL subprotocol the client offers.
fn protocol_of(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
}

/// Whether a path is the GraphQL surface's (for answers made before a route runs).
pub fn owns(path: &str) -> bool {
    path == "/graphql" || path.starts_with("/graphql/")
}

/// An answer under `/graphql` as GraphQL clients need it (see `rest::answer_in_dialect`): a
/// plain-text refusal of the request's size, made before any route ran, becomes a JSON error.
/// Everything else passes unchanged (the WebSocket's 101 among it).
pub fn in_graphql_shape(response: Response) -> Response {
    let message = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::URI_TOO_LONG => "the request URL is too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "the request headers are too large",
        _ => return response,
    };
    if crate::http::has_json_body(&response) {
        return response;
    }
    Rejection {
        status: response.status(),
        message: message.into(),
    }
    .into_response()
}

/// Why a request to `/graphql` is refused before it is read as GraphQL: a JSON answer, as the
/// GraphQL-over-HTTP specification describes, never Rust's debug text.
pub struct Rejection {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "errors": [{ "message": self.message, "extensions": { "code": "BAD_REQUEST" } }]
        });
        (self.status, Json(body)).into_response()
    }
}

impl From<ParseRequestError> for Rejection {
    fn from(e: ParseRequestError) -> Self {
        let (status, message) = match e {
            ParseRequestError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large".to_owned(),
            ),
            ParseRequestError::InvalidRequest(e) => (
                StatusCode::BAD_REQUEST,
                format!("the body is not a GraphQL request: {e}"),
            ),
            ParseRequestError::Io(e) => (
                StatusCode::BAD_REQUEST,
                format!("the request could not be read: {e}"),
            ),
            other => (
                StatusCode::BAD_REQUEST,
                format!("the body is not a GraphQL request: {other}"),
            ),
        };
        Self { status, message }
    }
}

/// A GraphQL request read from a GET query string or a JSON body. A POST must say it is JSON:
/// the "simple" content types a page may post cross-site without a preflight (forms,
/// `text/plain`) are refused (415), so no other site can make a browser run a mutation.
pub struct GraphqlRequest(BatchRequest);

/// Content types a GraphQL POST may carry.
fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("application/graphql-response+json")
}

impl<S: Send + Sync> FromRequest<S> for GraphqlRequest {
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::POST && !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(Rejection {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: "send GraphQL requests as application/json".into(),
            });
        }
        let request = GraphQLBatchRequest::<Rejection>::from_request(req, state).await?;
        Ok(Self(request.into_inner()))
    }
}

async fn execute(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    auth: Auth<Graphql>,
    mut request: GraphqlRequest,
) -> Response {
    let auth = auth.into_inner();
    let credentialed = auth.has_bearer()
        || auth.has_secret_key()
        || auth.client.order_token.is_some()
        || caching::has_credential(&headers);
    let size = match &request.0 {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(list) => list.len(),
    };
    let max = state.config.graphql.max_batch;
    if size == 0 {
        return refuse("a batch must hold at least one operation".into());
    }
    if size > max {
        return refuse(format!(
            "a batch may hold at most {max} operations, this one has {size}"
        ));
    }
    if method == Method::GET {
        let has_mutation = request.0.iter_mut().any(|r| {
            let name = r.operation_name.clone();
            state
                .graphql
                .parse(r)
                .is_some_and(|doc| is_mutation(doc, name.as_deref()))
        });
        if has_mutation {
            // Mutations over GET would let any page trigger them through a link or an image.
            return refuse("mutations must be sent with POST".into());
        }
    }
    match request.0 {
        BatchRequest::Single(one) if !credentialed => {
            catalog_read(&state, &method, &headers, one, auth).await
        }
        batch => {
            // Each operation of a batch gets its own copy, so each resolves its caller once.
            let batch = batch.data(auth);
            let mut response =
                GraphQLResponse(state.graphql.execute_batch(batch).await).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, caching::PRIVATE);
            response
        }
    }
}

/// One anonymous operation: from the catalogue micro-cache when it reads only the catalogue
/// (see `graphql::cache`), with `Cache-Control: public` and an `ETag` on GET; anything else
/// `private, no-store`.
async fn catalog_read(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    mut request: async_graphql::Request,
    auth: crate::http::auth::RequestAuth,
) -> Response {
    let cache = &state.catalog_cache;
    let generation = state.store.catalog_generation().current();
    let key = cache::key(&request);
    let from_cache = |hit: std::sync::Arc<cache::Cached>| {
        answer(
            method,
            headers,
            cache.ttl(),
            hit.body.clone(),
            hit.etag.clone(),
        )
    };
    // Only answers of catalogue reads are kept, so a hit needs no parsing.
    if let Some(hit) = cache.get(&key, generation) {
        return from_cache(hit);
    }
    let name = request.operation_name.clone();
    let cacheable = state
        .graphql
        .parse(&mut request)
        .is_some_and(|doc| cache::reads_only_catalog(doc, name.as_deref()));
    // One request computes an expired answer; the others wait for it and take it.
    let _turn = if cacheable && !cache.ttl().is_zero() {
        let turn = cache.turn(&key).await;
        if let Some(hit) = cache.get(&key, generation) {
            return from_cache(hit);
        }
        Some(turn)
    } else {
        None
    };
    let response = state.graphql.execute(request.data(auth)).await;
    if !cacheable || !response.is_ok() {
        let mut response = GraphQLResponse::from(response).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, caching::PRIVATE);
        return response;
    }
    let body = match serde_json::to_vec(&response) {
        Ok(body) => Bytes::from(body),
        Err(e) => {
            tracing::error!(error = %e, "a GraphQL answer could not be serialized");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if cache.ttl().is_zero() && *method != Method::GET {
        // Neither kept nor validated: the hash would be wasted.
        return answer(
            method,
            headers,
            cache.ttl(),
            body,
            HeaderValue::from_static(""),
        );
    }
    let etag = caching::etag_of(&body);
    cache.put(key, generation, body.clone(), etag.clone());
    answer(method, headers, cache.ttl(), body, etag)
}

/// A catalogue answer: public with its `ETag` on GET (304 when the client holds it); POST
/// answers are not reused by HTTP caches, so they carry neither.
fn answer(
    method: &Method,
    headers: &HeaderMap,
    ttl: std::time::Duration,
    body: Bytes,
    etag: HeaderValue,
) -> Response {
    let response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/graphql-response+json"),
        )],
        body,
    )
        .into_response();
    if *method != Method::GET {
        return response;
    }
    caching::cacheable(
        headers,
        etag,
        ttl,
        "authorization, x-order-token, x-storefront-secret-key",
        response,
    )
}

fn refuse(message: String) -> Response {
    let mut error = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "BAD_REQUEST");
    error.extensions = Some(ext);
    GraphQLResponse::from(async_graphql::Response::from_errors(vec![error])).into_response()
}

fn is_mutation(
    doc: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => ops.iter().any(|(name, op)| {
            operation_name.is_none_or(|wanted| name.as_str() == wanted)
                && op.node.ty == OperationType::Mutation
        }),
    }
}
