//! The GraphiQL examples are valid against the schema: every query and mutation of every tab,
//! read from the served page, runs with the tab's variables and fails, if at all, only with a
//! business error (signed out, a placeholder id), never with a validation error.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Business outcomes an example may meet when run as it stands.
const BUSINESS: &[&str] = &[
    "UNAUTHENTICATED",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "INVALID_TOKEN",
    "INVALID_CREDENTIALS",
    "CONFLICT",
];

/// The examples the page embeds: (query, variables).
async fn examples(app: &TestApp) -> Vec<(String, Value)> {
    let html = app
        .request(Method::GET, "/graphiql")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html
        .find(r#"<script id="examples" type="application/json">"#)
        .unwrap();
    let json_start = html[start..].find('>').unwrap() + start + 1;
    let end = html[json_start..].find("</script>").unwrap() + json_start;
    let examples: Vec<Value> =
        serde_json::from_str(&html[json_start..end].replace("<\\/", "</")).unwrap();
    examples
        .into_iter()
        .map(|e| {
            let variables = match e["variables"].as_str().unwrap_or_default() {
                "" => Value::Null,
                text => serde_json::from_str(text).expect("the tab's variables are JSON"),
            };
            (e["query"].as_str().unwrap().to_owned(), variables)
        })
        .collect()
}

/// The names of the operations of `kind` in a document.
fn operations(document: &str, kind: &str) -> Vec<String> {
    document
        .lines()
        .filter_map(|line| line.strip_prefix(kind)?.strip_prefix(' '))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_operation_is_valid_against_the_schema() {
    let app = TestApp::builder()
        .env("STOREFRONT_SEED", "demo")
        .spawn()
        .await;
    let examples = examples(&app).await;
    assert_eq!(examples.len(), 7, "one tab per journey");
    let mut ran = Vec::new();
    for (query, variables) in &examples {
        for name in [operations(query, "query"), operations(query, "mutation")].concat() {
            let body = app
                .send(app.request(Method::POST, "/graphql").json(&json!({
                    "query": query, "variables": variables, "operationName": name,
                })))
                .await
                .1;
            for error in body["errors"].as_array().into_iter().flatten() {
                let code = error["extensions"]["code"].as_str().unwrap_or_default();
                assert!(BUSINESS.contains(&code), "{name}: {error}");
            }
            ran.push(name);
        }
    }
    for journey in [
        "Products",
        "Search",
        "Register",
        "Login",
        "Me",
        "AddressBook",
        "NewCart",
        "PlaceOrder",
        "RequestReset",
        "Reset",
        "ChangePassword",
    ] {
        assert!(
            ran.iter().any(|n| n == journey),
            "{journey} missing from {ran:?}"
        );
    }
    // Subscriptions run over the socket; the Subscription tab names orderUpdated.
    assert!(
        examples
            .iter()
            .any(|(q, _)| q.contains("subscription MyOrders {\n  orderUpdated"))
    );
}
