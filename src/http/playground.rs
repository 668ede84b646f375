//! GraphiQL at `/graphiql`, with its scripts served from the binary (`playground/assets`,
//! vendored from npm) so it works offline, and the example operations of
//! `playground/operations` opened as tabs.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::state::AppState;

/// Example operations shown as GraphiQL tabs, in order: (name, query, variables as JSON).
/// Products comes first: it is what a newcomer runs first (and what the browser test runs).
const OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "products",
        include_str!("../../playground/operations/products.graphql"),
        r#"{"filter": {"inStock": true, "priceMaxInCents": 10000}, "sort": "PRICE_ASC"}"#,
    ),
    (
        "shop",
        include_str!("../../playground/operations/shop.graphql"),
        "",
    ),
    (
        "account",
        include_str!("../../playground/operations/account.graphql"),
        r#"{"refreshToken": "paste the refreshToken from Register or Login"}"#,
    ),
    (
        "addresses",
        include_str!("../../playground/operations/addresses.graphql"),
        r#"{"input": {"label": "Home", "firstName": "Ada", "lastName": "Lovelace", "address1": "350 Fifth Avenue", "city": "New York", "postalCode": "10118", "countryCode": "US", "provinceCode": "NY", "phone": "+1 212 555 0100"}, "id": "addr_..."}"#,
    ),
    (
        "checkout",
        include_str!("../../playground/operations/checkout.graphql"),
        r#"{"cartId": "cart_...", "variantId": "variant_..."}"#,
    ),
    (
        "password",
        include_str!("../../playground/operations/password.graphql"),
        r#"{"token": "paste the token from the reset mail"}"#,
    ),
    (
        "subscription",
        include_str!("../../playground/operations/subscription.graphql"),
        r#"{"orderId": "or_...", "token": null}"#,
    ),
];

const PAGE: &str = include_str!("../../playground/graphiql.html");

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript",
        include_bytes!("../../playground/assets/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css",
        include_bytes!("../../playground/assets/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript",
        include_bytes!("../../playground/assets/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../../playground/assets/react-dom.production.min.js"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript",
        include_bytes!("../../playground/assets/graphql-ws.min.js"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../playground/assets/LICENSES.txt"),
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/graphiql", get(page))
        .route("/graphiql/assets/{file}", get(asset))
}

async fn page() -> Html<String> {
    let examples: Vec<_> = OPERATIONS
        .iter()
        .map(|(name, query, variables)| json!({ "name": name, "query": query, "variables": variables }))
        .collect();
    // `</` cannot close the script element the JSON sits in once escaped.
    let examples = serde_json::to_string(&examples)
        .unwrap_or_else(|_| "[]".into())
        .replace("</", "<\\/");
    Html(PAGE.replace("__EXAMPLES__", &examples))
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
