//! The GraphQL endpoints: `/graphql` (GET and POST, batches bounded), `/graphql/ws`
//! (graphql-ws and the legacy subscriptions-transport-ws).

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, Data, ServerError};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};

use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;

use crate::graphql::session::SocketAuth;
use crate::http::auth::{Auth, Graphql, RequestAuth, Surface};
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
/// headers of the upgrade request, which the payload overrides. Each operation on the socket
/// then checks them afresh (see `loaders::PerRequestLoaders`), so a session ended while the
/// socket is open ends its access too.
async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade_auth: Auth<Graphql>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = state.schema.clone();
    let ip = upgrade_auth.client.ip;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let mut data = Data::default();
                    let auth = RequestAuth::from_payload(Graphql::HEADERS, ip, &headers, &payload);
                    data.insert(SocketAuth(auth));
                    Ok(data)
                })
                .serve()
        })
}

async fn execute(
    State(state): State<AppState>,
    method: Method,
    auth: Auth<Graphql>,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let auth = auth.into_inner();
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
