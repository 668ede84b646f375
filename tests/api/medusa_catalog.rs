//! Medusa catalogue routes: products with `calculated_price` for the shop's region, `fields`,
//! `limit`/`offset`, `order`, `handle`; categories; the one region.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, normalised};
use crate::order_support::shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_answer_in_medusa_shapes_with_region_prices() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;

    let (status, body) = m
        .get(
            "/store/products?limit=2&fields=id,title,handle&order=title",
            As::Nobody,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        normalised(&body),
        json!({ "products": [
            { "id": "prod_*", "title": "Hoodie", "handle": "hoodie" },
            { "id": "prod_*", "title": "Mug", "handle": "mug" }
        ], "count": 5, "offset": 0, "limit": 2 }),
        "the draft is not listed"
    );
    let (_, body) = m
        .get(
            "/store/products?limit=1&offset=4&order=title&fields=title",
            As::Nobody,
        )
        .await;
    assert_eq!(body["products"][0]["title"], "Tee");
    assert_eq!(
        (body["count"].clone(), body["offset"].clone()),
        (json!(5), json!(4))
    );

    let (status, body) = m
        .get(&format!("/store/products/{}", s.tee_product), As::Nobody)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let variant = &body["product"]["variants"][0];
    assert_eq!(variant["id"], s.tee.as_str());
    let price = json!({
        "id": "price_*", "is_calculated_price_price_list": false,
        "is_calculated_price_tax_inclusive": false, "calculated_amount": 20,
        "raw_calculated_amount": { "value": "20.00", "precision": 20 },
        "is_original_price_price_list": false, "is_original_price_tax_inclusive": false,
        "original_amount": 25, "raw_original_amount": { "value": "25.00", "precision": 20 },
        "currency_code": "usd",
        "calculated_price": { "id": "price_*", "price_list_id": null, "price_list_type": null, "min_quantity": null, "max_quantity": null },
        "original_price": { "id": "price_*", "price_list_id": null, "price_list_type": null, "min_quantity": null, "max_quantity": null }
    });
    assert_eq!(
        normalised(variant),
        json!({
            "id": "variant_*", "title": "Tee", "sku": "TEE-1", "barcode": null, "ean": null,
            "upc": null, "allow_backorder": false, "manage_inventory": true, "in_stock": true,
            "hs_code": null, "origin_country": null, "mid_code": null, "material": null,
            "weight": null, "length": null, "height": null, "width": null, "metadata": null,
            "variant_rank": variant["variant_rank"], "thumbnail": null, "product_id": "prod_*",
            "created_at": "<time>", "updated_at": "<time>", "deleted_at": null, "options": [],
            "calculated_price": price,
        })
    );
    let product = &body["product"];
    assert_eq!(
        (
            product["title"].clone(),
            product["handle"].clone(),
            product["categories"].clone()
        ),
        (json!("Tee"), json!("tee"), json!([]))
    );

    // A product with options sells its option variants, each titled by its values.
    let (_, body) = m.get("/store/products?handle=hoodie", As::Nobody).await;
    assert_eq!(body["count"], 1);
    let hoodie = &body["products"][0];
    assert_eq!(hoodie["variants"].as_array().unwrap().len(), 1);
    assert_eq!(hoodie["variants"][0]["id"], s.hoodie_s.as_str());
    assert_eq!(hoodie["variants"][0]["title"], "S");
    assert_eq!(hoodie["variants"][0]["options"][0]["value"], "S");
    assert_eq!(hoodie["options"][0]["title"], "Size");
    assert_eq!(
        hoodie["variants"][0]["calculated_price"]["calculated_amount"],
        45
    );

    let (_, body) = m
        .get(
            &format!("/store/products/{}?fields=id,title", s.tee_product),
            As::Nobody,
        )
        .await;
    assert_eq!(
        body,
        json!({ "product": { "id": s.tee_product, "title": "Tee", "categories": [] } })
    );
    assert_eq!(
        m.get("/store/products/prod_doesnotexist", As::Nobody).await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": "Product with id: prod_doesnotexist was not found" })
        )
    );
    let (_, draft) = m
        .get("/store/products?handle=draft-thing", As::Nobody)
        .await;
    assert_eq!(
        draft,
        json!({ "products": [], "count": 0, "offset": 0, "limit": 50 })
    );
    assert_eq!(
        m.get("/store/products?limit=abc", As::Nobody).await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'" })
        )
    );
    let (status, body) = m.get("/store/products?limit=101", As::Nobody).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["type"], "invalid_data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_and_the_one_region() {
    let app = TestApp::builder()
        .env("STOREFRONT_COUNTRIES", "de,FR")
        .env("STOREFRONT_CURRENCY", "EUR")
        .env("STOREFRONT_SHOP_NAME", "Europe")
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let (status, body) = m
        .get("/store/regions?fields=id,name,currency_code", As::Nobody)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "regions": [{ "id": "reg_eur", "name": "Europe", "currency_code": "eur" }],
                "count": 1, "offset": 0, "limit": 50 })
    );
    let (status, body) = m.get("/store/regions/reg_eur", As::Nobody).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["region"]["countries"][1],
        json!({ "iso_2": "fr", "iso_3": "fra", "num_code": "250", "name": "FRANCE",
                "display_name": "France", "region_id": "reg_eur" })
    );
    assert_eq!(
        m.get("/store/regions/reg_usd", As::Nobody).await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": "Region with id: reg_usd was not found" })
        )
    );

    let (root, root_link) = crate::catalog_fixtures::category(&app, "Clothing", None, 0).await;
    let (child, _) =
        crate::catalog_fixtures::category(&app, "Shirts", Some((&root, &root_link)), 0).await;
    let (_, body) = m
        .get(
            "/store/product-categories?parent_category_id=null",
            As::Nobody,
        )
        .await;
    assert_eq!(body["count"], 1);
    assert_eq!(
        body["product_categories"][0],
        json!({ "id": root, "name": "Clothing", "description": "", "handle": "clothing",
                "rank": 0, "parent_category_id": null, "metadata": null })
    );
    let (_, body) = m
        .get(
            &format!("/store/product-categories/{child}?fields=id,handle"),
            As::Nobody,
        )
        .await;
    assert_eq!(
        body,
        json!({ "product_category": { "id": child, "handle": "clothing/shirts" } })
    );
    assert_eq!(
        m.get("/store/product-categories/ctg_nope", As::Nobody)
            .await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": "Category with id: ctg_nope was not found" })
        )
    );
}
