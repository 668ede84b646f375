//! `Variant.product` and the by-id batches behind it: the product of every variant of a page
//! without a statement per product, and products or variants found whatever their status (an
//! order line keeps showing what it sold).

use serde_json::json;
use storefront::store::catalog::batch;

use crate::catalog_fixtures::{self, NewProduct, NewVariant, demo};
use crate::helpers::TestApp;

const LIST: &str = "query($first: Int) {
  products(first: $first) {
    nodes { id name variants { product { id name } } }
  }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variant_products_cost_the_same_statements_for_2_or_10_products() {
    let app = TestApp::spawn().await;
    for i in 0..10 {
        catalog_fixtures::product(
            &app,
            NewProduct {
                position: i,
                variants: vec![NewVariant::default(), NewVariant::default()],
                ..NewProduct::named(&format!("Product {i:02}"))
            },
        )
        .await;
    }
    let mut counts = Vec::new();
    for first in [2, 10] {
        let before = app.statements();
        let body = app.graphql(LIST, json!({ "first": first })).await;
        counts.push(app.statements() - before);
        assert!(body["errors"].is_null(), "{body}");
        let nodes = body["data"]["products"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first, "{body}");
        for node in nodes {
            let variants = node["variants"].as_array().unwrap();
            assert_eq!(variants.len(), 2, "{node}");
            for variant in variants {
                assert_eq!(
                    variant["product"],
                    json!({ "id": node["id"], "name": node["name"] })
                );
            }
        }
    }
    // The listing and the variants; the products come from the page itself.
    assert_eq!(counts, [2, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_product_variants_resolve_their_product() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let query =
        "query($slug: String) { product(slug: $slug) { variants { sku product { id slug } } } }";
    let body = app.graphql(query, json!({ "slug": "alpha-shirt" })).await;
    let product = json!({ "id": d.alpha.id, "slug": "alpha-shirt" });
    assert_eq!(
        body,
        json!({ "data": { "product": { "variants": [
            { "sku": "ALPHA-S-RED", "product": product },
            { "sku": "ALPHA-M-RED", "product": product },
        ]}}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_id_batches_ignore_visibility_and_leave_out_unknown_ids() {
    let app = TestApp::spawn().await;
    let d = demo(&app).await;
    let draft = catalog_fixtures::product(
        &app,
        NewProduct {
            status: "draft",
            ..NewProduct::named("Withdrawn Shirt")
        },
    )
    .await;
    let store = &app.state.store;
    let ids = [d.alpha.id.clone(), draft.id.clone(), "prod_nope".to_owned()];
    let found = batch::products_by_id(store, &ids).await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[&d.alpha.id].name, "Alpha Shirt");
    assert_eq!(found[&draft.id].name, "Withdrawn Shirt");
    assert_eq!(found[&draft.id].status, "draft");

    let by_product = batch::variants_by_product(store, std::slice::from_ref(&draft.id))
        .await
        .unwrap();
    let default_id = by_product[&draft.id][0].id.clone();
    let found = batch::variants_by_id(store, &[default_id.clone(), "var_nope".to_owned()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[&default_id].product_id, draft.id);
}
