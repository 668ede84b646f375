//! What the usual GraphQL security scanners try, against production defaults (introspection,
//! suggestions and GraphiQL off) and the development ones: alias overloading, batching, field
//! duplication, directive overloading, circular introspection, field suggestions, GraphiQL,
//! GET-based mutations, form and text/plain CSRF, trace mode, unhandled errors, oversized
//! queries. None gets through.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

/// A production server (it needs SMTP configured: nothing listens there, no mail is sent).
async fn production() -> TestApp {
    TestApp::builder()
        .env("STOREFRONT_ENV", "production")
        .env("STOREFRONT_SMTP_URL", "smtp://127.0.0.1:9")
        .spawn()
        .await
}

/// The standard introspection query GraphiQL and codegen tools send (abridged fragments).
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } \
    mutationType { name } subscriptionType { name } types { ...FullType } directives { name \
    locations args { ...InputValue } } } } fragment FullType on __Type { kind name description \
    fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } \
    isDeprecated } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues { name } \
    possibleTypes { ...TypeRef } } fragment InputValue on __InputValue { name type { ...TypeRef } \
    defaultValue } fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name \
    ofType { kind name ofType { kind name ofType { kind name } } } } } }";

const CIRCULAR: &str =
    "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";

fn no_data(body: &Value) {
    assert!(
        body["data"].is_null() || body.get("data").is_none(),
        "the operation ran: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alias_overloading_is_refused() {
    let app = production().await;
    let aliases: String = (0..100).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let body = app.graphql(&format!("{{ {aliases} }}"), Value::Null).await;
    assert_eq!(error_code(&body), "TOO_MANY_ALIASES", "{body}");
    no_data(&body);
    // A few aliases are fine.
    let body = app
        .graphql("{ a: shop { name } b: shop { name } }", Value::Null)
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn array_batching_is_bounded_to_five() {
    let app = production().await;
    let op = json!({ "query": "{ shop { name } }" });
    let ten: Vec<Value> = (0..10).map(|_| op.clone()).collect();
    let (_, body) = app
        .send(app.request(Method::POST, "/graphql").json(&ten))
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST", "{body}");
    let five: Vec<Value> = (0..5).map(|_| op.clone()).collect();
    let (_, body) = app
        .send(app.request(Method::POST, "/graphql").json(&five))
        .await;
    assert_eq!(body.as_array().map(Vec::len), Some(5), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_duplication_and_directive_overloading_are_refused() {
    let app = production().await;
    let names = "name ".repeat(50);
    let body = app
        .graphql(&format!("{{ shop {{ {names} }} }}"), Value::Null)
        .await;
    assert_eq!(error_code(&body), "FIELD_REPEATED", "{body}");
    no_data(&body);
    // Through fragments too.
    let body = app
        .graphql(
            &format!(
                "{{ shop {{ ...A ...A }} }} fragment A on Shop {{ {} }}",
                "name ".repeat(6)
            ),
            Value::Null,
        )
        .await;
    assert_eq!(error_code(&body), "FIELD_REPEATED", "{body}");

    let directives = "@include(if: true) ".repeat(50);
    let body = app
        .graphql(&format!("{{ shop {{ name {directives} }} }}"), Value::Null)
        .await;
    assert!(!body["errors"].is_null(), "{body}");
    no_data(&body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_suggestions_and_graphiql_are_off_in_production() {
    let app = production().await;
    for query in [
        INTROSPECTION,
        CIRCULAR,
        "{ __type(name: \"Query\") { fields { name } } }",
    ] {
        let text = app.graphql(query, Value::Null).await.to_string();
        for schema_detail in ["\"kind\"", "\"fields\":[", "\"queryType\""] {
            assert!(
                !text.contains(schema_detail),
                "introspection answered: {text}"
            );
        }
    }
    let body = app.graphql("{ shop { nam } }", Value::Null).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let page = app.request(Method::GET, "/graphiql").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    // __typename is not introspection of the schema: clients rely on it.
    let body = app.graphql("{ __typename }", Value::Null).await;
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_introspects_but_never_in_circles() {
    let app = TestApp::spawn().await;
    let body = app.graphql(INTROSPECTION, Value::Null).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
    let body = app.graphql(CIRCULAR, Value::Null).await;
    assert_eq!(error_code(&body), "INTROSPECTION_TOO_DEEP", "{body}");
    no_data(&body);
    let body = app.graphql("{ shop { nam } }", Value::Null).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{body}"
    );
    let page = app.request(Method::GET, "/graphiql").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // Production switches can be turned on explicitly, development ones off.
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_INTROSPECTION", "false")
        .env("STOREFRONT_GRAPHIQL", "false")
        .spawn()
        .await;
    let text = app.graphql(INTROSPECTION, Value::Null).await.to_string();
    assert!(
        !text.contains("\"queryType\"") && !text.contains("\"kind\""),
        "{text}"
    );
    let page = app.request(Method::GET, "/graphiql").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_simple_requests_and_get_mutations_are_refused() {
    let app = production().await;
    let mutation = "mutation { logout }";
    for (content_type, body) in [
        (
            "application/x-www-form-urlencoded",
            format!("query={mutation}"),
        ),
        ("text/plain", json!({ "query": mutation }).to_string()),
        ("multipart/form-data; boundary=x", "--x--".to_owned()),
    ] {
        let response = app
            .request(Method::POST, "/graphql")
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "BAD_REQUEST");
    }
    let response = app
        .request(Method::POST, "/graphql")
        .body(json!({ "query": mutation }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "no content type"
    );
    // A JSON body with a charset is fine.
    let response = app
        .request(Method::POST, "/graphql")
        .header("content-type", "application/json; charset=utf-8")
        .body(json!({ "query": "{ shop { name } }" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // GET runs queries (for CDN caching) and never a mutation.
    let (_, body) = app
        .send(
            app.request(Method::GET, "/graphql")
                .query(&[("query", mutation)]),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
    let (_, body) = app
        .send(
            app.request(Method::GET, "/graphql")
                .query(&[("query", "{ shop { name } }")]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_json_errors_and_no_trace_or_internals() {
    let app = production().await;
    for raw in [
        "{not json",
        "{\"query\": 1}",
        "[]",
        "",
        "{\"query\": \"{ shop { name } }\", \"variables\": 7}",
    ] {
        let response = app
            .request(Method::POST, "/graphql")
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_client_error() || status == StatusCode::OK,
            "{raw}: {status}"
        );
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/json")
                || content_type.starts_with("application/graphql-response+json"),
            "{raw}: {content_type}"
        );
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{raw}: {text}"));
        assert!(!body["errors"].is_null(), "{raw}: {body}");
        for leak in [
            "InvalidRequest",
            "Error(",
            "src/",
            "panicked",
            "SELECT",
            "sqlite",
            "diesel",
        ] {
            assert!(!text.contains(leak), "{raw}: {text}");
        }
    }
    // A normal answer carries no tracing extension (Apollo's trace mode is not installed).
    let body = app.graphql("{ shop { name } }", Value::Null).await;
    assert!(body.get("extensions").is_none(), "{body}");
    // A syntax error is reported as such, with no internals.
    let body = app.graphql("{ shop { name ", Value::Null).await;
    assert!(!body["errors"].is_null());
    assert!(!body.to_string().contains("src/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_queries_are_refused() {
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_MAX_QUERY_SIZE", "2048")
        .spawn()
        .await;
    let padding = " ".repeat(3000);
    let body = app
        .graphql(&format!("{{ shop {{ name }} {padding} }}"), Value::Null)
        .await;
    assert_eq!(error_code(&body), "QUERY_TOO_LARGE", "{body}");
    // Fragments spreading each other cannot make the check itself explode.
    let mut query = String::from("{ shop { ...F0 } } fragment F0 on Shop { name }");
    for i in 1..40 {
        query = query.replace(&format!("{{ ...F{} }}", i - 1), &format!("{{ ...F{i} }}"));
        query.push_str(&format!(
            " fragment F{i} on Shop {{ ...F{} ...F{} }}",
            i - 1,
            i - 1
        ));
    }
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_MAX_FIELD_REPEATS", "1000000")
        .spawn()
        .await;
    let body = app.graphql(&query, Value::Null).await;
    assert!(!body["errors"].is_null(), "{body}");
    no_data(&body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cost_what_their_pages_may_return() {
    let app = production().await;
    let listing = "{ products(first: 20) { nodes { id name slug description price { amount currency } \
        variants { id sku price { amount currency } optionValues { name } } images { url } \
        categories { id name } } } }";
    let body = app.graphql(listing, Value::Null).await;
    assert!(body["errors"].is_null(), "{body}");
    // Nested pages multiply: 100 categories of 100 products each is refused before it runs.
    let nested =
        "{ categories(first: 100) { nodes { products(first: 100) { nodes { id name } } } } }";
    let body = app.graphql(nested, Value::Null).await;
    assert_eq!(
        body["errors"][0]["message"], "Query is too complex.",
        "{body}"
    );
    let small = "{ categories(first: 5) { nodes { products(first: 5) { nodes { id name } } } } }";
    let body = app.graphql(small, Value::Null).await;
    assert!(body["errors"].is_null(), "{body}");
}
