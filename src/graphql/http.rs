//! The GraphQL endpoints: `/graphql` (GET and POST, batches bounded), `/graphql/ws`
//! (graphql-ws and the legacy subscriptions-transport-ws) and `/graphiql`.

use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, ServerError};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse, GraphQLSubscription};
use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::state::AppState;

/// The routes of the GraphQL surface.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/graphql", get(execute).post(execute))
        .route_service(
            "/graphql/ws",
            GraphQLSubscription::new(state.schema.clone()),
        )
        .route("/graphiql", get(graphiql))
}

async fn execute(
    State(state): State<AppState>,
    method: Method,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let batch = request.into_inner();
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

async fn graphiql() -> impl IntoResponse {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("storefront GraphiQL")
            .finish(),
    )
}
