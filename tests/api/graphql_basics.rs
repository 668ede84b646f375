//! The GraphQL pipeline: the `shop` query over POST and GET, and the request limits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_answers_over_post() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ shop { name defaultCurrency currencies version } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "shop": {
            "name": "Storefront Demo",
            "defaultCurrency": "USD",
            "currencies": ["USD"],
            "version": env!("CARGO_PKG_VERSION"),
        }}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_costs_one_statement() {
    let app = TestApp::spawn().await;
    let before = app.statements();
    app.graphql("{ shop { currencies } }", Value::Null).await;
    assert_eq!(app.statements() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_settings_come_from_configuration() {
    let app = TestApp::builder()
        .env("STOREFRONT_SHOP_NAME", "Corner Shop")
        .env("STOREFRONT_CURRENCY", "eur")
        .spawn()
        .await;
    let body = app
        .graphql("{ shop { name defaultCurrency } }", Value::Null)
        .await;
    assert_eq!(
        body,
        json!({ "data": { "shop": { "name": "Corner Shop", "defaultCurrency": "EUR" } } })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_work_over_get_but_mutations_do_not() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .send(
            app.request(Method::GET, "/graphql")
                .query(&[("query", "{ shop { name } }")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "data": { "shop": { "name": "Storefront Demo" } } })
    );

    let (_, body) = app
        .send(
            app.request(Method::GET, "/graphql")
                .query(&[("query", "mutation { __typename }")]),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
    assert_eq!(
        body["errors"][0]["message"],
        "mutations must be sent with POST"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_bounded() {
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_MAX_BATCH", "2")
        .spawn()
        .await;
    let op = json!({ "query": "{ shop { name } }" });
    let (status, body) = app
        .send(app.request(Method::POST, "/graphql").json(&json!([op, op])))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().map(Vec::len), Some(2), "{body}");

    let (_, body) = app
        .send(
            app.request(Method::POST, "/graphql")
                .json(&json!([op, op, op])),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_and_complexity_are_limited() {
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_MAX_DEPTH", "2")
        .env("STOREFRONT_GRAPHQL_MAX_COMPLEXITY", "10")
        .spawn()
        .await;
    let ok = app.graphql("{ shop { name } }", Value::Null).await;
    assert!(ok["errors"].is_null(), "{ok}");
    let deep = app
        .graphql("{ __schema { types { fields { name } } } }", Value::Null)
        .await;
    assert_eq!(deep["errors"][0]["message"], "Query is nested too deep.");
    let aliases: String = (0..12).map(|i| format!("a{i}: shop {{ name }} ")).collect();
    let wide = app.graphql(&format!("{{ {aliases} }}"), Value::Null).await;
    assert_eq!(wide["errors"][0]["message"], "Query is too complex.");
}

/// Parsed documents are kept by their text (`graphql::engine`): a text seen before still runs
/// the operation each request names, with its own variables and limits, and a text that does
/// not parse says so every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_seen_before_runs_as_asked_each_time() {
    let app = TestApp::builder()
        .env("STOREFRONT_GRAPHQL_MAX_DEPTH", "3")
        .spawn()
        .await;
    let two = "query Name { shop { name } } query Currency($n: Int) { shop { defaultCurrency } products(first: $n) { nodes { id } } }";
    for _ in 0..2 {
        let (status, name) = app
            .send(app.request(Method::POST, "/graphql").json(&json!({
                "query": two, "operationName": "Name"
            })))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            name,
            json!({ "data": { "shop": { "name": "Storefront Demo" } } })
        );
        // Pages hold at most 100: the variables are this request's, not the first one's.
        for (n, refused) in [(2, false), (101, true), (2, false)] {
            let (_, currency) = app
                .send(app.request(Method::POST, "/graphql").json(&json!({
                    "query": two, "operationName": "Currency", "variables": { "n": n }
                })))
                .await;
            assert_eq!(currency["errors"].is_array(), refused, "{currency}");
        }
    }
    let deep = "{ products(first: 1) { nodes { variants { product { id } } } } }";
    for _ in 0..2 {
        let body = app.graphql(deep, Value::Null).await;
        assert_eq!(
            body["errors"][0]["message"], "Query is nested too deep.",
            "{body}"
        );
    }
    for _ in 0..2 {
        let body = app.graphql("{ shop { name }", Value::Null).await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("expected")),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_graphql_errors_not_crashes() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::POST, "/graphql")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = app.graphql("{ shop { nope } }", Value::Null).await;
    assert_eq!(
        body["errors"][0]["message"],
        r#"Unknown field "nope" on type "Shop"."#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_page_is_served() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/graphiql").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<script src="/graphiql/assets/graphiql.min.js">"#));
    assert!(
        html.contains("query Shop"),
        "the example operations are embedded"
    );
    assert!(!html.contains("__EXAMPLES__"));
    // The page's script reads the examples element, so it must come first.
    assert!(html.find(r#"id="examples""#) < html.find("GraphiQL.createFetcher"));
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphql-ws.min.js",
    ] {
        let response = app
            .request(Method::GET, &format!("/graphiql/assets/{asset}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 1000, "{asset}");
    }
    let missing = app
        .request(Method::GET, "/graphiql/assets/nope.js")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_endpoint_speaks_graphql_ws() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let app = TestApp::spawn().await;
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    let messages = [
        json!({ "type": "connection_init" }),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ shop { name } }" } }),
    ];
    let expected = [
        json!({ "type": "connection_ack" }),
        json!({ "id": "1", "type": "next", "payload": { "data": { "shop": { "name": "Storefront Demo" } } } }),
        json!({ "id": "1", "type": "complete" }),
    ];
    for message in messages {
        socket
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }
    for want in expected {
        let got = socket.next().await.expect("a message").expect("readable");
        let got: Value = serde_json::from_str(got.to_text().unwrap()).unwrap();
        assert_eq!(got, want);
    }
}

/// A graphql-transport-ws connection whose `connection_init` carries `payload`.
async fn socket_with(
    app: &TestApp,
    payload: Value,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": payload });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack = socket.next().await.expect("ack").expect("readable");
    assert_eq!(
        serde_json::from_str::<Value>(ack.to_text().unwrap()).unwrap()["type"],
        "connection_ack"
    );
    socket
}

/// Runs one operation on the socket and returns its `next` payload.
async fn over_socket(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    id: &str,
    query: &str,
) -> Value {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let subscribe = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let next = socket.next().await.expect("a message").expect("readable");
    let next: Value = serde_json::from_str(next.to_text().unwrap()).unwrap();
    assert_eq!(next["type"], "next", "{next}");
    let complete = socket.next().await.expect("complete").expect("readable");
    let complete: Value = serde_json::from_str(complete.to_text().unwrap()).unwrap();
    assert_eq!(complete["type"], "complete");
    next["payload"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_callers_sign_in_with_connection_init_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let who = crate::account_support::register(&app, "socket@example.com").await;

    let mut anonymous = socket_with(&app, json!({})).await;
    assert_eq!(
        over_socket(&mut anonymous, "1", "{ me { email } }").await,
        json!({ "data": { "me": null } })
    );

    let mut signed = socket_with(
        &app,
        json!({ "Authorization": format!("Bearer {}", who.token) }),
    )
    .await;
    assert_eq!(
        over_socket(&mut signed, "1", "{ me { email } }").await,
        json!({ "data": { "me": { "email": "socket@example.com" } } })
    );

    // Logging out ends the open socket: it closes with 4403 (tests/api/subscriptions.rs says
    // more, with a bad token at connection_init too).
    let out = app
        .graphql_as(
            Some(&who.token),
            crate::account_support::LOGOUT,
            json!({ "t": who.refresh }),
        )
        .await;
    assert!(out["errors"].is_null(), "{out}");
    use futures_util::StreamExt;
    let code = loop {
        match signed.next().await.expect("a frame").expect("readable") {
            tokio_tungstenite::tungstenite::Message::Close(frame) => {
                break frame.map(|f| u16::from(f.code));
            }
            _ => continue,
        }
    };
    assert_eq!(code, Some(4403));
}

/// Every example operation of the GraphiQL page still fits the schema: run without its
/// variables, each gets past validation (an error then has a path or a code: a missing
/// variable or an unknown id, never an unknown field).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_operations_fit_the_schema() {
    let app = TestApp::spawn().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playground/operations");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let document = std::fs::read_to_string(&path).unwrap();
        for line in document.lines() {
            let Some(name) = line
                .strip_prefix("query ")
                .or_else(|| line.strip_prefix("mutation "))
                .and_then(|rest| rest.split(['(', ' ', '{']).next())
            else {
                continue;
            };
            let request = app
                .request(Method::POST, "/graphql")
                .json(&json!({ "query": document, "operationName": name }));
            let (status, body) = app.send(request).await;
            assert_eq!(status, StatusCode::OK, "{name}: {body}");
            for error in body["errors"].as_array().into_iter().flatten() {
                let validated = error["path"].is_array() || error["extensions"]["code"].is_string();
                assert!(validated, "{} {name}: {error}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}
