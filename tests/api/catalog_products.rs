//! `products` and `product`: visibility, every filter and order, the shape of a product, and a
//! statement count that does not grow with the page (pagination: `catalog_pagination.rs`).

use serde_json::{Value, json};

use crate::catalog_fixtures::{self, NewProduct, NewVariant, demo};
use crate::helpers::{TestApp, error_code};

pub const LIST: &str =
    "query($filter: ProductFilter, $sort: ProductSort, $first: Int, $after: String) {
  products(filter: $filter, sort: $sort, first: $first, after: $after) {
    nodes { name }
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}";

/// Runs the listing and returns `data.products`, failing on any error.
pub async fn products(app: &TestApp, vars: Value) -> Value {
    let body = app.graphql(LIST, vars).await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    body["data"]["products"].clone()
}

pub fn names(products: &Value) -> Vec<&str> {
    products["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

async fn filtered(app: &TestApp, filter: Value) -> Vec<String> {
    let list = products(app, json!({ "filter": filter })).await;
    let found: Vec<String> = names(&list).into_iter().map(str::to_owned).collect();
    assert_eq!(
        list["totalCount"],
        json!(found.len()),
        "totalCount of {filter}"
    );
    found
}

pub async fn sorted(app: &TestApp, sort: &str) -> Vec<String> {
    let list = products(app, json!({ "sort": sort })).await;
    names(&list).into_iter().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_available_products_are_listed_in_manual_order() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let list = products(&app, Value::Null).await;
    assert_eq!(
        names(&list),
        [
            "Delta Cap",
            "Bravo Shirt",
            "Charlie Pants",
            "Alpha Shirt",
            "Echo Belt"
        ]
    );
    assert_eq!(list["totalCount"], 5);
    assert_eq!(list["pageInfo"]["hasNextPage"], false);
    assert_eq!(list["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(list["edges"][0]["cursor"], list["pageInfo"]["startCursor"]);
    assert_eq!(list["edges"][4]["cursor"], list["pageInfo"]["endCursor"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_sorts_and_breaks_ties() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let expected: [(&str, [&str; 5]); 8] = [
        (
            "MANUAL",
            [
                "Delta Cap",
                "Bravo Shirt",
                "Charlie Pants",
                "Alpha Shirt",
                "Echo Belt",
            ],
        ),
        (
            "NAME_ASC",
            [
                "Alpha Shirt",
                "Bravo Shirt",
                "Charlie Pants",
                "Delta Cap",
                "Echo Belt",
            ],
        ),
        (
            "NAME_DESC",
            [
                "Echo Belt",
                "Delta Cap",
                "Charlie Pants",
                "Bravo Shirt",
                "Alpha Shirt",
            ],
        ),
        // Echo Belt has no USD price: last in both directions.
        (
            "PRICE_ASC",
            [
                "Delta Cap",
                "Bravo Shirt",
                "Alpha Shirt",
                "Charlie Pants",
                "Echo Belt",
            ],
        ),
        (
            "PRICE_DESC",
            [
                "Charlie Pants",
                "Alpha Shirt",
                "Bravo Shirt",
                "Delta Cap",
                "Echo Belt",
            ],
        ),
        (
            "NEWEST",
            [
                "Delta Cap",
                "Echo Belt",
                "Bravo Shirt",
                "Alpha Shirt",
                "Charlie Pants",
            ],
        ),
        (
            "OLDEST",
            [
                "Charlie Pants",
                "Alpha Shirt",
                "Bravo Shirt",
                "Echo Belt",
                "Delta Cap",
            ],
        ),
        (
            "BEST_SELLING",
            [
                "Bravo Shirt",
                "Alpha Shirt",
                "Charlie Pants",
                "Echo Belt",
                "Delta Cap",
            ],
        ),
    ];
    for (sort, names) in expected {
        assert_eq!(sorted(&app, sort).await, names, "sort {sort}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_search_covers_name_description_and_sku() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let search = |q: &str| json!({ "search": q });
    assert_eq!(
        filtered(&app, search("shirt")).await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
    assert_eq!(filtered(&app, search("COTTON")).await, ["Alpha Shirt"]);
    assert_eq!(filtered(&app, search("delta-cap")).await, ["Delta Cap"]);
    assert_eq!(filtered(&app, search("m-red")).await, ["Alpha Shirt"]);
    assert_eq!(filtered(&app, search("shirt soft")).await, ["Alpha Shirt"]);
    assert_eq!(filtered(&app, search("wool")).await, ["Charlie Pants"]);
    // Shorter than a trigram: still found.
    assert_eq!(filtered(&app, search("ec")).await, ["Echo Belt"]);
    // LIKE wildcards and FTS syntax are plain characters.
    assert!(filtered(&app, search("%")).await.is_empty());
    assert!(filtered(&app, search("a_p")).await.is_empty());
    assert!(filtered(&app, search("\"shirt")).await.is_empty());
    assert!(filtered(&app, search("shirt OR pants")).await.is_empty());
    // Hidden products are never found.
    assert!(filtered(&app, search("draft")).await.is_empty());
    let body = app
        .graphql(LIST, json!({ "filter": search(&"x".repeat(201)) }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_filter_is_a_substring_of_the_name_only() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    assert_eq!(
        filtered(&app, json!({ "name": "SHIRT" })).await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
    assert!(filtered(&app, json!({ "name": "cotton" })).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_filters_include_descendants_and_or_together() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    assert_eq!(
        filtered(&app, json!({ "categoryId": d.clothing })).await,
        ["Bravo Shirt", "Charlie Pants", "Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "categoryId": d.shirts })).await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "categoryIds": [d.pants, d.accessories] })).await,
        ["Delta Cap", "Charlie Pants", "Echo Belt"]
    );
    assert!(
        filtered(
            &app,
            json!({ "categoryId": "ctg_01JD0000000000000000000000" })
        )
        .await
        .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn price_range_filters_the_default_price() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    assert_eq!(
        filtered(
            &app,
            json!({ "priceMinInCents": 1500, "priceMaxInCents": 2500 })
        )
        .await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "priceMinInCents": 3000 })).await,
        ["Charlie Pants"]
    );
    assert_eq!(
        filtered(&app, json!({ "priceMaxInCents": 1000 })).await,
        ["Delta Cap"]
    );
    let body = app
        .graphql(LIST, json!({ "filter": { "priceMinInCents": -1 } }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn option_value_filter_matches_any_value() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    assert_eq!(
        filtered(&app, json!({ "optionValueIds": [d.red] })).await,
        ["Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "optionValueIds": [d.blue, d.red] })).await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "optionValueIds": [d.medium] })).await,
        ["Alpha Shirt"]
    );
    assert_eq!(
        filtered(&app, json!({ "optionValueIds": [d.small] })).await,
        ["Bravo Shirt", "Alpha Shirt"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_filter_splits_in_and_out_of_stock() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    assert_eq!(
        filtered(&app, json!({ "inStock": true })).await,
        ["Delta Cap", "Charlie Pants", "Alpha Shirt", "Echo Belt"]
    );
    // Bravo's only variant is out of stock (backorderable does not count as in stock).
    assert_eq!(
        filtered(&app, json!({ "inStock": false })).await,
        ["Bravo Shirt"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_combine() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    assert_eq!(
        filtered(
            &app,
            json!({ "categoryId": d.clothing, "inStock": true, "priceMaxInCents": 3000 })
        )
        .await,
        ["Alpha Shirt"]
    );
    let list = products(
        &app,
        json!({ "filter": { "categoryId": d.clothing }, "sort": "PRICE_DESC", "first": 1 }),
    )
    .await;
    assert_eq!(names(&list), ["Charlie Pants"]);
    assert_eq!(list["totalCount"], 3);
}

const PRODUCT: &str = "query($id: ID, $slug: String) {
  product(id: $id, slug: $slug) {
    id name slug description descriptionHtml tags metaTitle
    available inStock purchasable backorderable
    price { amount amountInCents currency formatted }
    compareAtPrice { amount formatted }
    priceRange { min { formatted } max { formatted } }
    defaultVariant { sku isDefault }
    variants {
      sku optionsText inStock backorderable purchasable weight
      price { formatted } compareAtPrice { formatted }
      optionValues { name presentation optionTypeName }
    }
    optionTypes { name presentation }
    categories { name permalink }
    images { url }
  }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_by_slug_has_its_whole_shape() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let body = app.graphql(PRODUCT, json!({ "slug": "alpha-shirt" })).await;
    assert_eq!(
        body,
        json!({ "data": { "product": {
            "id": d.alpha.id,
            "name": "Alpha Shirt",
            "slug": "alpha-shirt",
            "description": "Soft cotton tee",
            "descriptionHtml": "<p>Soft cotton tee</p>",
            "tags": ["summer", "cotton"],
            "metaTitle": null,
            "available": true,
            "inStock": true,
            "purchasable": true,
            "backorderable": false,
            "price": { "amount": "25.00", "amountInCents": 2500, "currency": "USD", "formatted": "$25.00" },
            "compareAtPrice": { "amount": "30.00", "formatted": "$30.00" },
            "priceRange": { "min": { "formatted": "$25.00" }, "max": { "formatted": "$27.00" } },
            "defaultVariant": { "sku": null, "isDefault": true },
            "variants": [
                {
                    "sku": "ALPHA-S-RED", "optionsText": "Size: S, Color: Red",
                    "inStock": true, "backorderable": false, "purchasable": true, "weight": 0.2,
                    "price": { "formatted": "$25.00" }, "compareAtPrice": null,
                    "optionValues": [
                        { "name": "s", "presentation": "S", "optionTypeName": "size" },
                        { "name": "red", "presentation": "Red", "optionTypeName": "color" },
                    ],
                },
                {
                    "sku": "ALPHA-M-RED", "optionsText": "Size: M, Color: Red",
                    "inStock": false, "backorderable": false, "purchasable": false, "weight": null,
                    "price": { "formatted": "$27.00" }, "compareAtPrice": null,
                    "optionValues": [
                        { "name": "m", "presentation": "M", "optionTypeName": "size" },
                        { "name": "red", "presentation": "Red", "optionTypeName": "color" },
                    ],
                },
            ],
            "optionTypes": [
                { "name": "size", "presentation": "Size" },
                { "name": "color", "presentation": "Color" },
            ],
            "categories": [{ "name": "Shirts", "permalink": "clothing/shirts" }],
            "images": [],
        }}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simple_product_sells_its_default_variant() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let body = app.graphql(PRODUCT, json!({ "id": d.bravo.id })).await;
    let bravo = &body["data"]["product"];
    assert_eq!(bravo["inStock"], false);
    assert_eq!(bravo["backorderable"], true);
    assert_eq!(bravo["purchasable"], true);
    let body = app.graphql(PRODUCT, json!({ "slug": "delta-cap" })).await;
    let delta = &body["data"]["product"];
    assert_eq!(
        delta["variants"],
        json!([{
            "sku": "DELTA-CAP", "optionsText": "", "inStock": true, "backorderable": false,
            "purchasable": true, "weight": null, "price": { "formatted": "$10.00" },
            "compareAtPrice": null, "optionValues": [],
        }])
    );
    assert_eq!(delta["priceRange"]["min"], delta["priceRange"]["max"]);
    // Priced only in EUR: no price in the shop's currency.
    let body = app.graphql(PRODUCT, json!({ "slug": "echo-belt" })).await;
    assert_eq!(body["data"]["product"]["price"], Value::Null);
    assert_eq!(body["data"]["product"]["priceRange"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_or_unknown_products_are_null_and_the_key_is_checked() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    for (product, name) in [
        (&d.alpha, "Alpha Shirt"),
        (&d.bravo, "Bravo Shirt"),
        (&d.charlie, "Charlie Pants"),
        (&d.delta, "Delta Cap"),
        (&d.echo, "Echo Belt"),
    ] {
        let body = app.graphql(PRODUCT, json!({ "id": product.id })).await;
        assert_eq!(body["data"]["product"]["name"], name);
    }
    for slug in [
        "hidden-draft-shirt",
        "future-shirt",
        "discontinued-shirt",
        "nope",
    ] {
        let body = app.graphql(PRODUCT, json!({ "slug": slug })).await;
        assert_eq!(body, json!({ "data": { "product": null } }), "{slug}");
    }
    let body = app.graphql(PRODUCT, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app
        .graphql(PRODUCT, json!({ "id": "prod_x", "slug": "alpha-shirt" }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

const DEEP_LIST: &str = "query($first: Int) {
  products(first: $first) {
    nodes {
      name price { formatted } inStock
      categories { name }
      variants { sku price { formatted } optionValues { name } }
    }
  }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_costs_the_same_statements_for_5_or_100_products() {
    let app = TestApp::spawn().await;
    let (category, _) = catalog_fixtures::category(&app, "Everything", None, 0).await;
    let (size, sizes) = catalog_fixtures::option_type(&app, "Size", &["S", "M"]).await;
    for i in 0..100 {
        catalog_fixtures::product(
            &app,
            NewProduct {
                position: i,
                categories: vec![category.clone()],
                option_types: vec![size.clone()],
                default_variant: NewVariant {
                    price: Some(1000 + i64::from(i)),
                    ..NewVariant::default()
                },
                variants: sizes
                    .iter()
                    .map(|value| NewVariant {
                        sku: Some(format!("P{i}-{value}")),
                        price: Some(1000 + i64::from(i)),
                        stock: 1,
                        option_values: vec![value.clone()],
                        ..NewVariant::default()
                    })
                    .collect(),
                ..NewProduct::named(&format!("Product {i:03}"))
            },
        )
        .await;
    }
    let mut counts = Vec::new();
    for first in [5, 100] {
        let before = app.statements();
        let body = app.graphql(DEEP_LIST, json!({ "first": first })).await;
        counts.push(app.statements() - before);
        let nodes = body["data"]["products"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first, "{body}");
        assert_eq!(nodes[first - 1]["variants"].as_array().unwrap().len(), 2);
        assert_eq!(
            nodes[first - 1]["variants"][1]["optionValues"][0]["name"],
            "m"
        );
        assert_eq!(nodes[first - 1]["categories"][0]["name"], "Everything");
    }
    // The listing, then one batch each: variants, prices, option values, categories.
    assert_eq!(counts, [5, 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_a_batch_gets_its_own_loaders() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let operation = json!({
        "query": "{ product(slug: \"delta-cap\") { price { formatted } variants { sku } } }"
    });
    let (status, body) = app
        .send(
            app.request(reqwest::Method::POST, "/graphql")
                .json(&json!([operation, operation])),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let one = json!({ "data": { "product": {
        "price": { "formatted": "$10.00" }, "variants": [{ "sku": "DELTA-CAP" }],
    }}});
    assert_eq!(body, json!([one, one]));
}
