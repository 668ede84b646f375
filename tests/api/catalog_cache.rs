//! The catalogue micro-cache and HTTP caching (`STOREFRONT_CATALOG_CACHE_TTL`): anonymous
//! catalogue reads are answered without the database, stock moved by a checkout or a cancel is
//! visible at once, nothing sent with a credential is cached or marked public, and catalogue
//! GETs carry `Cache-Control` and an `ETag` (304 on a match) on GraphQL, Spree and Medusa.

use reqwest::header::{CACHE_CONTROL, ETAG, HeaderMap, HeaderName, IF_NONE_MATCH};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use storefront::store::api_keys::{self, KeyKind};

use crate::account_support::register;
use crate::helpers::TestApp;
use crate::order_support::{Who, cancel, ok, place, shop};

const LISTING: &str = "query Listing($first: Int) { shop { name } products(first: $first) { \
    nodes { id name variants { sku inStock price { amount currency } } } } }";

const PRODUCT: &str = "query($id: ID) { product(id: $id) { variants { sku inStock } } }";

/// A server whose cache keeps answers far longer than any test runs (no timing is asserted).
async fn cached_app() -> TestApp {
    TestApp::builder()
        .env("STOREFRONT_CATALOG_CACHE_TTL", "60")
        .spawn()
        .await
}

fn post(app: &TestApp, query: &str, variables: Value) -> RequestBuilder {
    app.request(Method::POST, "/graphql")
        .json(&json!({ "query": query, "variables": variables }))
}

fn get(app: &TestApp, query: &str, variables: &Value) -> RequestBuilder {
    app.request(Method::GET, "/graphql")
        .query(&[("query", query), ("variables", &variables.to_string())])
}

/// A response's status and headers, beside its JSON body (`Value::Null` when none).
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
}

impl Reply {
    fn status(&self) -> StatusCode {
        self.status
    }
}

async fn send(request: RequestBuilder) -> (Reply, Value) {
    let response = request.send().await.expect("request sent");
    let reply = Reply {
        status: response.status(),
        headers: response.headers().clone(),
    };
    let text = response.text().await.expect("body read");
    (reply, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn header(reply: &Reply, name: HeaderName) -> &str {
    reply
        .headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_catalogue_read_does_not_touch_the_database() {
    let app = cached_app().await;
    shop(&app).await;
    let vars = json!({ "first": 10 });
    let (_, first) = send(post(&app, LISTING, vars.clone())).await;
    assert!(first["errors"].is_null(), "{first}");
    assert_eq!(
        first["data"]["products"]["nodes"].as_array().unwrap().len(),
        5
    );

    let before = app.statements();
    let (_, again) = send(post(&app, LISTING, vars.clone())).await;
    let (over_get, by_get) = send(get(&app, LISTING, &vars)).await;
    assert_eq!(app.statements(), before, "a cached read ran SQL");
    assert_eq!(again, first);
    assert_eq!(by_get, first);
    assert_eq!(header(&over_get, CACHE_CONTROL), "public, max-age=60");

    // Other variables are another answer.
    let (_, fewer) = send(post(&app, LISTING, json!({ "first": 1 }))).await;
    assert!(app.statements() > before);
    assert_eq!(
        fewer["data"]["products"]["nodes"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_of_one_read_run_it_once() {
    let app = cached_app().await;
    shop(&app).await;
    // What one computation of the listing costs, measured on other variables.
    let before = app.statements();
    let (_, alone) = send(post(&app, LISTING, json!({ "first": 3 }))).await;
    assert!(alone["errors"].is_null(), "{alone}");
    let once = app.statements() - before;
    assert!(once > 0);

    // Twelve requests for an answer nobody has computed yet, sent at once.
    let before = app.statements();
    let requests = (0..12).map(|_| send(post(&app, LISTING, json!({ "first": 4 }))));
    let answers = futures_util::future::join_all(requests).await;
    assert_eq!(
        app.statements() - before,
        once,
        "the read ran more than once"
    );
    for (reply, body) in &answers {
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(body, &answers[0].1);
    }
    assert_eq!(
        answers[0].1["data"]["products"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_moved_by_a_checkout_or_a_cancel_shows_at_once() {
    let app = cached_app().await;
    let shop = shop(&app).await;
    let scarf = ok(
        &app,
        Who::Anonymous,
        "query { products(first: 10, filter: { search: \"Scarf\" }) { nodes { id } } }",
        json!({}),
        "products",
    )
    .await["nodes"][0]["id"]
        .clone();
    let vars = json!({ "id": scarf });
    let in_stock = |body: &Value| body["data"]["product"]["variants"][0]["inStock"].clone();
    let (_, before) = send(post(&app, PRODUCT, vars.clone())).await;
    assert_eq!(in_stock(&before), json!(true), "{before}");
    // Served from the cache from now on...
    let (_, cached) = send(post(&app, PRODUCT, vars.clone())).await;
    assert_eq!(cached, before);

    // ...until the last scarf is sold.
    let ada = register(&app, "ada@example.com").await;
    let order = place(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.scarf, 1)],
        "ada@example.com",
    )
    .await;
    let (_, sold) = send(post(&app, PRODUCT, vars.clone())).await;
    assert_eq!(in_stock(&sold), json!(false), "stale stock: {sold}");

    // A cancel puts it back, visible at once too.
    let (_, cached) = send(post(&app, PRODUCT, vars.clone())).await;
    assert_eq!(in_stock(&cached), json!(false));
    ok(
        &app,
        Who::Customer(&ada.token),
        &cancel(),
        json!({ "id": order["id"] }),
        "cancelOrder",
    )
    .await;
    let (_, back) = send(post(&app, PRODUCT, vars)).await;
    assert_eq!(in_stock(&back), json!(true), "stale stock: {back}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_sent_with_a_credential_is_cached_or_public() {
    let app = cached_app().await;
    shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let (_, secret) = api_keys::create(&app.state.store, KeyKind::Secret, "Back office")
        .await
        .expect("secret key");
    let vars = json!({ "first": 10 });
    let credentials: [(&str, String); 3] = [
        ("authorization", format!("Bearer {}", ada.token)),
        ("x-order-token", "some-cart-token".into()),
        ("x-storefront-secret-key", secret.expose().clone()),
    ];
    for (name, value) in &credentials {
        for _ in 0..2 {
            let before = app.statements();
            let (response, body) =
                send(get(&app, LISTING, &vars).header(*name, value.as_str())).await;
            assert!(body["errors"].is_null(), "{name}: {body}");
            assert!(app.statements() > before, "{name}: answered from the cache");
            assert_eq!(
                header(&response, CACHE_CONTROL),
                "private, no-store",
                "{name}"
            );
            assert_eq!(header(&response, ETAG), "", "{name}");
        }
    }
    // An anonymous operation that reads more than the catalogue is not cached either.
    let mixed = "{ products(first: 2) { nodes { id } } me { id } }";
    for _ in 0..2 {
        let before = app.statements();
        let (response, body) = send(get(&app, mixed, &json!({}))).await;
        assert!(body["errors"].is_null(), "{body}");
        assert!(app.statements() > before, "a read of `me` was cached");
        assert_eq!(header(&response, CACHE_CONTROL), "private, no-store");
    }
    // Nor is an answer with errors.
    let missing = "query($id: ID!) { products(first: 2, after: $id) { nodes { id } } }";
    let (response, body) = send(get(&app, missing, &json!({ "id": "not a cursor" }))).await;
    if !body["errors"].is_null() {
        assert_eq!(header(&response, CACHE_CONTROL), "private, no-store");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_gets_carry_an_etag_and_answer_304() {
    let app = cached_app().await;
    shop(&app).await;
    let (_, key) = api_keys::create(&app.state.store, KeyKind::Publishable, "storefront")
        .await
        .expect("publishable key");
    let key = key.expose().clone();
    let vars = json!({ "first": 10 });
    let graphql = || get(&app, LISTING, &vars);
    let spree = || {
        app.request(Method::GET, "/api/v3/store/products")
            .header("x-spree-api-key", &key)
    };
    let medusa = || {
        app.request(Method::GET, "/store/products")
            .header("x-publishable-api-key", &key)
    };
    let surfaces: [(&str, &dyn Fn() -> RequestBuilder); 3] = [
        ("graphql", &graphql),
        ("spree", &spree),
        ("medusa", &medusa),
    ];
    for (surface, request) in surfaces {
        let (response, body) = send(request()).await;
        assert_eq!(response.status(), StatusCode::OK, "{surface}: {body}");
        assert_eq!(
            header(&response, CACHE_CONTROL),
            "public, max-age=60",
            "{surface}"
        );
        let etag = header(&response, ETAG).to_owned();
        assert!(etag.starts_with("W/\""), "{surface}: {etag}");

        let (again, _) = send(request().header(IF_NONE_MATCH, &etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{surface}");
        assert_eq!(header(&again, ETAG), etag, "{surface}");

        let (other, body) = send(request().header(IF_NONE_MATCH, "W/\"other\"")).await;
        assert_eq!(other.status(), StatusCode::OK, "{surface}");
        assert!(!body.is_null(), "{surface}");
    }
    // With a customer's token the REST catalogue is private and has no validator.
    let ada = register(&app, "ada@example.com").await;
    for request in [spree(), medusa()] {
        let (response, _) = send(request.bearer_auth(&ada.token)).await;
        assert_eq!(header(&response, CACHE_CONTROL), "private, no-store");
        assert_eq!(header(&response, ETAG), "");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ttl_of_zero_disables_the_cache() {
    let app = TestApp::builder()
        .env("STOREFRONT_CATALOG_CACHE_TTL", "0")
        .spawn()
        .await;
    shop(&app).await;
    let vars = json!({ "first": 10 });
    let (_, first) = send(post(&app, LISTING, vars.clone())).await;
    let before = app.statements();
    let (response, again) = send(get(&app, LISTING, &vars)).await;
    assert!(app.statements() > before, "answered from a disabled cache");
    assert_eq!(again, first);
    // Still a validator, but every use must be revalidated.
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache");
    assert!(header(&response, ETAG).starts_with("W/\""));
    assert!(app.state.catalog_cache.is_empty());
}
