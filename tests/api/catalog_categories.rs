//! `categories` and `category`: the tree, its pagination, and a category's products.

use serde_json::{Value, json};

use crate::catalog_fixtures::demo;
use crate::helpers::{TestApp, error_code};

const LIST: &str = "query($filter: CategoryFilter, $first: Int, $after: String) {
  categories(filter: $filter, first: $first, after: $after) {
    nodes { permalink }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}";

fn permalinks(body: &Value) -> Vec<&str> {
    body["data"]["categories"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no categories in {body}"))
        .iter()
        .map(|n| n["permalink"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_list_parents_first_and_paginate() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let body = app.graphql(LIST, Value::Null).await;
    assert_eq!(
        permalinks(&body),
        [
            "clothing",
            "accessories",
            "clothing/shirts",
            "clothing/pants"
        ]
    );
    assert_eq!(body["data"]["categories"]["totalCount"], 4);

    let first = app.graphql(LIST, json!({ "first": 3 })).await;
    assert_eq!(
        permalinks(&first),
        ["clothing", "accessories", "clothing/shirts"]
    );
    assert_eq!(first["data"]["categories"]["pageInfo"]["hasNextPage"], true);
    let after = first["data"]["categories"]["pageInfo"]["endCursor"].clone();
    let last = app
        .graphql(LIST, json!({ "first": 3, "after": after }))
        .await;
    assert_eq!(permalinks(&last), ["clothing/pants"]);
    assert_eq!(
        last["data"]["categories"]["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true,
                "endCursor": last["data"]["categories"]["pageInfo"]["endCursor"] })
    );

    let body = app.graphql(LIST, json!({ "first": 101 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app.graphql(LIST, json!({ "after": "forged" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_filter_by_depth_parent_and_name() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let body = app.graphql(LIST, json!({ "filter": { "depth": 0 } })).await;
    assert_eq!(permalinks(&body), ["clothing", "accessories"]);
    let body = app
        .graphql(LIST, json!({ "filter": { "parentId": d.clothing } }))
        .await;
    assert_eq!(permalinks(&body), ["clothing/shirts", "clothing/pants"]);
    let body = app
        .graphql(LIST, json!({ "filter": { "name": "PANT" } }))
        .await;
    assert_eq!(permalinks(&body), ["clothing/pants"]);
    let body = app
        .graphql(LIST, json!({ "filter": { "name": "none" } }))
        .await;
    assert_eq!(permalinks(&body), Vec::<&str>::new());
    assert_eq!(body["data"]["categories"]["totalCount"], 0);
}

const ONE: &str = "query($id: ID, $permalink: String) {
  category(id: $id, permalink: $permalink) {
    name permalink depth position isLeaf
    parent { permalink }
    ancestors { permalink }
    children { permalink isLeaf }
    products(first: 1, sort: PRICE_ASC) { nodes { name } pageInfo { hasNextPage } totalCount }
  }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_shows_its_place_in_the_tree_and_its_products() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let body = app.graphql(ONE, json!({ "id": d.clothing })).await;
    assert_eq!(
        body,
        json!({ "data": { "category": {
            "name": "Clothing", "permalink": "clothing", "depth": 0, "position": 0, "isLeaf": false,
            "parent": null, "ancestors": [],
            "children": [
                { "permalink": "clothing/shirts", "isLeaf": true },
                { "permalink": "clothing/pants", "isLeaf": true },
            ],
            "products": { "nodes": [{ "name": "Bravo Shirt" }], "pageInfo": { "hasNextPage": true }, "totalCount": 3 },
        }}})
    );
    let body = app
        .graphql(ONE, json!({ "permalink": "clothing/shirts" }))
        .await;
    let shirts = &body["data"]["category"];
    assert_eq!(shirts["depth"], 1);
    assert_eq!(shirts["parent"], json!({ "permalink": "clothing" }));
    assert_eq!(shirts["ancestors"], json!([{ "permalink": "clothing" }]));
    assert_eq!(shirts["products"]["totalCount"], 2);

    let body = app.graphql(ONE, json!({ "permalink": "nope" })).await;
    assert_eq!(body, json!({ "data": { "category": null } }));
    let body = app.graphql(ONE, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}
