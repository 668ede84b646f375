//! `/store/openapi.json`: the Medusa routes' OpenAPI 3 description, generated from the code.
//! Routes are mounted only together with their description (`rest::medusa::api`); this test
//! checks the list against the routes and that every described route is served.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa};

const ROUTES: &[(&str, &str)] = &[
    ("get", "/store/openapi.json"),
    ("post", "/auth/customer/emailpass/register"),
    ("get", "/auth/customer/emailpass"),
    ("post", "/auth/customer/emailpass"),
    ("post", "/auth/customer/{provider}"),
    ("post", "/auth/token/refresh"),
    ("post", "/auth/session"),
    ("delete", "/auth/session"),
    ("post", "/auth/customer/emailpass/reset-password"),
    ("post", "/auth/customer/emailpass/update"),
    ("post", "/store/customers"),
    ("get", "/store/customers/me"),
    ("post", "/store/customers/me"),
    ("get", "/store/customers/me/addresses"),
    ("post", "/store/customers/me/addresses"),
    ("get", "/store/customers/me/addresses/{id}"),
    ("post", "/store/customers/me/addresses/{id}"),
    ("delete", "/store/customers/me/addresses/{id}"),
    ("get", "/store/products"),
    ("get", "/store/products/{id}"),
    ("get", "/store/product-categories"),
    ("get", "/store/product-categories/{id}"),
    ("get", "/store/regions"),
    ("get", "/store/regions/{id}"),
    ("post", "/store/carts"),
    ("get", "/store/carts/{id}"),
    ("post", "/store/carts/{id}"),
    ("post", "/store/carts/{id}/line-items"),
    ("post", "/store/carts/{id}/line-items/{line_id}"),
    ("delete", "/store/carts/{id}/line-items/{line_id}"),
    ("post", "/store/carts/{id}/customer"),
    ("post", "/store/carts/{id}/complete"),
    ("get", "/store/shipping-options"),
    ("post", "/store/carts/{id}/shipping-methods"),
    ("get", "/store/payment-providers"),
    ("post", "/store/payment-collections"),
    ("post", "/store/payment-collections/{id}/payment-sessions"),
    ("get", "/store/orders"),
    ("get", "/store/orders/{id}"),
    ("post", "/store/auth"),
    ("get", "/store/auth"),
    ("delete", "/store/auth"),
    ("post", "/store/auth/token"),
    ("get", "/store/auth/{email}"),
    ("get", "/store/customers/me/orders"),
    ("post", "/store/customers/password-token"),
    ("post", "/store/customers/password-reset"),
    ("get", "/store/customers/me/payment-methods"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mounted_route_is_described_and_every_described_route_is_mounted() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (status, spec) = app.get("/store/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        spec["openapi"]
    );
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "delete", "put", "patch"].contains(&k.as_str()))
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(described, expected);

    for (method, path) in &described {
        let concrete = path
            .replace("{id}", "x_1")
            .replace("{line_id}", "li_1")
            .replace("{provider}", "nosuch")
            .replace("{email}", "a@example.com");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = m
            .request(method.clone(), &concrete, As::Nobody)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("Cannot "),
            "{method} {concrete} is described but not mounted: {status} {body}"
        );
    }
    // An undescribed path is not served.
    let (status, body) = m.get("/store/carts", As::Nobody).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "Cannot GET /store/carts");
}
