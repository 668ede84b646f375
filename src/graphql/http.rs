//! The GraphQL endpoints: `/graphql` (GET and POST, batches bounded), `/graphql/ws`
//! (graphql-ws and the legacy subscriptions-transport-ws).

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, Data, ServerError};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};

use crate::error::Secret;
use crate::graphql::session::{RequestAuth, SocketAuth};
use crate::state::AppState;
use crate::store::auth::Client;

/// The routes of the GraphQL surface.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/graphql", get(execute).post(execute))
        .route("/graphql/ws", get(websocket))
}

/// `/graphql/ws`: the caller's credentials come in the `connection_init` payload
/// (`{"authorization": "Bearer ...", "x-order-token": "...", "x-storefront-secret-key": "..."}`,
/// any case), since browsers cannot set headers on a WebSocket. Each operation on the socket
/// then checks them afresh (see `loaders::PerRequestLoaders`), so a session ended while the
/// socket is open ends its access too.
async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = client_of(&headers, connect);
    let schema = state.schema.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let mut data = Data::default();
                    data.insert(SocketAuth(socket_auth(client, &payload)));
                    Ok(data)
                })
                .serve()
        })
}

/// The credentials of a WebSocket's `connection_init` payload, as headers would carry them.
fn socket_auth(client: Client, payload: &serde_json::Value) -> RequestAuth {
    let mut headers = HeaderMap::new();
    if let Some(fields) = payload.as_object() {
        for (name, value) in fields {
            let name = name.to_ascii_lowercase();
            if let (Ok(name), Some(Ok(value))) = (
                axum::http::HeaderName::try_from(name.as_str()),
                value.as_str().map(axum::http::HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
    }
    request_auth(client, &headers)
}

fn client_of(headers: &HeaderMap, connect: Option<Extension<ConnectInfo<SocketAddr>>>) -> Client {
    Client {
        ip: connect.map(|Extension(ConnectInfo(addr))| addr.ip()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        // Read with the other credentials by `request_auth` (headers, or `connection_init`).
        order_token: None,
    }
}

/// The caller's credentials from request headers.
fn request_auth(client: Client, headers: &HeaderMap) -> RequestAuth {
    RequestAuth::new(client, customer_token(headers))
        .with_keys(header_secret(headers, "x-order-token"), secret_key(headers))
}

async fn execute(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let auth = request_auth(client_of(&headers, connect), &headers);
    // Each operation of a batch gets its own copy, so each resolves its caller once.
    let batch = request.into_inner().data(auth);
    let size = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(list) => list.len(),
    };
    let max = state.config.graphql.max_batch;
    if size > max {
        return refuse(format!(
            "a batch may hold at most {max} operations, this one has {size}"
        ));
    }
    if method == Method::GET {
        let has_mutation = batch
            .iter()
            .any(|r| is_mutation(&r.query, r.operation_name.as_deref()));
        if has_mutation {
            // Mutations over GET would let any page trigger them through a link or an image.
            return refuse("mutations must be sent with POST".into());
        }
    }
    state.schema.execute_batch(batch).await.into()
}

/// The customer's access token from `Authorization: Bearer ...`. A header in another form is
/// kept as a token that will fail, so a malformed header is an error rather than anonymity;
/// secret keys (`sk_...`) are not customer tokens.
fn customer_token(headers: &HeaderMap) -> Option<Secret<String>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let value = value.to_str().unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    if token.starts_with("sk_") {
        return None;
    }
    Some(Secret::new(token.to_owned()))
}

/// The integrator's secret key: `x-storefront-secret-key`, or a bearer token starting `sk_`.
fn secret_key(headers: &HeaderMap) -> Option<Secret<String>> {
    header_secret(headers, "x-storefront-secret-key").or_else(|| {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && token.starts_with("sk_"))
            .then(|| Secret::new(token.to_owned()))
    })
}

/// A header's value, trimmed, when present and not empty.
fn header_secret(headers: &HeaderMap, name: &str) -> Option<Secret<String>> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| Secret::new(value.to_owned()))
}

fn refuse(message: String) -> GraphQLResponse {
    let mut error = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "BAD_REQUEST");
    error.extensions = Some(ext);
    async_graphql::Response::from_errors(vec![error]).into()
}

fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => ops.iter().any(|(name, op)| {
            operation_name.is_none_or(|wanted| name.as_str() == wanted)
                && op.node.ty == OperationType::Mutation
        }),
    }
}
