//! Spree Store API: products (filters, sort, pages, expand, fields) and categories.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::catalog_fixtures::demo;
use crate::helpers::TestApp;
use crate::spree_support::{As, Spree, normalized};

fn names(body: &Value) -> Vec<&str> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {body}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

fn merged_price(price: &Value, id: &str) -> Value {
    let mut price = price.clone();
    price["id"] = json!(id);
    price
}

#[tokio::test(flavor = "multi_thread")]
async fn products_list_filter_sort_and_show() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let demo = demo(&app).await;
    let get = |path: String| {
        let spree = &spree;
        async move {
            let r = spree.get(&path, As::Anonymous).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            r.body
        }
    };

    let all = get("/products".into()).await;
    assert_eq!(
        names(&all),
        [
            "Delta Cap",
            "Bravo Shirt",
            "Charlie Pants",
            "Alpha Shirt",
            "Echo Belt"
        ]
    );
    assert_eq!(
        all["meta"],
        json!({ "page": 1, "limit": 25, "count": 5, "pages": 1, "from": 1, "to": 5, "in": 5,
                "previous": null, "next": null })
    );
    let page = get("/products?limit=2&page=2".into()).await;
    assert_eq!(names(&page), ["Charlie Pants", "Alpha Shirt"]);
    assert_eq!(
        page["meta"],
        json!({ "page": 2, "limit": 2, "count": 5, "pages": 3, "from": 3, "to": 4, "in": 2,
                "previous": 1, "next": 3 })
    );
    for (query, expected) in [
        ("q[name_cont]=SHIRT", vec!["Bravo Shirt", "Alpha Shirt"]),
        ("q[search]=wool", vec!["Charlie Pants"]),
        (
            "q[price_gte]=20&q[price_lte]=40.00",
            vec!["Charlie Pants", "Alpha Shirt"],
        ),
        (
            &format!("q[with_option_value_ids][]={}", demo.blue),
            vec!["Bravo Shirt"],
        ),
        ("q[out_of_stock]=true", vec!["Bravo Shirt"]),
        (
            "q[in_stock]=true",
            vec!["Delta Cap", "Charlie Pants", "Alpha Shirt", "Echo Belt"],
        ),
        (
            &format!("q[in_category]={}", demo.clothing),
            vec!["Bravo Shirt", "Charlie Pants", "Alpha Shirt"],
        ),
        (
            &format!(
                "q[in_categories][]={}&q[in_categories][]={}",
                demo.pants, demo.accessories
            ),
            vec!["Delta Cap", "Charlie Pants", "Echo Belt"],
        ),
        (
            "sort=-price",
            vec![
                "Charlie Pants",
                "Alpha Shirt",
                "Bravo Shirt",
                "Delta Cap",
                "Echo Belt",
            ],
        ),
        (
            "sort=name",
            vec![
                "Alpha Shirt",
                "Bravo Shirt",
                "Charlie Pants",
                "Delta Cap",
                "Echo Belt",
            ],
        ),
        (
            "sort=best_selling",
            vec![
                "Bravo Shirt",
                "Alpha Shirt",
                "Charlie Pants",
                "Echo Belt",
                "Delta Cap",
            ],
        ),
    ] {
        assert_eq!(
            names(&get(format!("/products?{query}")).await),
            expected,
            "{query}"
        );
    }

    let charlie = json!({
        "id": "<prod_2>", "name": "Charlie Pants", "slug": "charlie-pants", "meta_title": null,
        "meta_description": null, "meta_keywords": null, "variant_count": 1,
        "available_on": "<time>", "preorder_ships_at": null, "purchasable": true,
        "preorder": false, "in_stock": true, "backorderable": false, "available": true,
        "description": "Warm wool trousers", "description_html": "Warm wool trousers",
        "default_variant_id": "<variant_1>", "thumbnail_url": null, "tags": [],
        "price": { "id": "<price_3>", "amount": "40.0", "amount_in_cents": 4000,
                   "compare_at_amount": null, "compare_at_amount_in_cents": null,
                   "currency": "USD", "display_amount": "$40.00",
                   "display_compare_at_amount": null, "price_list_id": null },
        "original_price": null });
    assert_eq!(
        normalized(&get("/products/charlie-pants".into()).await),
        charlie
    );
    assert_eq!(
        normalized(&get(format!("/products/{}", demo.charlie.id)).await),
        charlie
    );
    assert_eq!(
        normalized(&get(format!("/products/{}?fields=name,price", demo.charlie.id)).await),
        json!({ "id": "<prod_1>", "name": "Charlie Pants",
                "price": merged_price(&charlie["price"], "<price_2>") })
    );
    let listed_fields = get("/products?fields=slug&limit=1".into()).await;
    assert_eq!(
        normalized(&listed_fields["data"]),
        json!([{ "id": "<prod_1>", "slug": "delta-cap" }])
    );

    let alpha = get("/products/alpha-shirt?expand=variants,option_types,categories".into()).await;
    let (raw, alpha) = (alpha.clone(), normalized(&alpha));
    assert_eq!(
        normalized(&raw["variants"][0]),
        json!({ "id": "<variant_1>", "product_id": "<prod_7>", "sku": "ALPHA-S-RED",
                "options_text": "Size: S, Color: Red", "track_inventory": true,
                "media_count": 0, "preorder_ships_at": null, "thumbnail_url": null,
                "purchasable": true, "in_stock": true, "backorderable": false,
                "preorder": false, "weight": 0.2, "height": null, "width": null, "depth": null,
                "price": { "id": "<price_6>", "amount": "25.0", "amount_in_cents": 2500,
                           "compare_at_amount": null, "compare_at_amount_in_cents": null,
                           "currency": "USD", "display_amount": "$25.00",
                           "display_compare_at_amount": null, "price_list_id": null },
                "original_price": null,
                "option_values": [
                    { "id": "<optval_2>", "option_type_id": "<opt_3>", "name": "s", "label": "S",
                      "position": 0, "color_code": null, "option_type_name": "size",
                      "option_type_label": "Size", "image_url": null },
                    { "id": "<optval_4>", "option_type_id": "<opt_5>", "name": "red", "label": "Red",
                      "position": 0, "color_code": null, "option_type_name": "color",
                      "option_type_label": "Color", "image_url": null }
                ] }),
        "{alpha}"
    );
    assert_eq!(alpha["variants"].as_array().unwrap().len(), 2);
    assert_eq!(alpha["variant_count"], 2);
    assert_eq!(alpha["price"]["compare_at_amount"], "30.0");
    assert_eq!(
        normalized(&raw["option_types"]),
        json!([{ "id": "<opt_1>", "name": "size", "label": "Size", "position": 0, "kind": "dropdown" },
               { "id": "<opt_2>", "name": "color", "label": "Color", "position": 0, "kind": "dropdown" }])
    );
    assert_eq!(alpha["categories"][0]["permalink"], "clothing/shirts");
    assert_eq!(alpha["description"], "Soft cotton tee");
    assert_eq!(alpha["description_html"], "<p>Soft cotton tee</p>");
    assert_eq!(alpha["tags"], json!(["summer", "cotton"]));
    assert!(alpha.get("media").is_none(), "not expanded");

    let echo = get("/products/echo-belt".into()).await;
    assert_eq!(echo["price"], Value::Null, "no USD price");
    for missing in [
        "no-such-product",
        "hidden-draft-shirt",
        "future-shirt",
        "prod_01JD0000000000000000000000",
    ] {
        let r = spree
            .get(&format!("/products/{missing}"), As::Anonymous)
            .await;
        assert_eq!(
            (r.status, r.body),
            (
                StatusCode::NOT_FOUND,
                json!({ "error": { "code": "record_not_found", "message": "Product not found" } })
            ),
            "{missing}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn categories_by_list_permalink_and_id() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let demo = demo(&app).await;
    let all = spree.get("/categories", As::Anonymous).await;
    assert_eq!(
        names(&all.body),
        ["Clothing", "Accessories", "Shirts", "Pants"]
    );
    assert_eq!(all.body["meta"]["count"], 4);
    assert_eq!(
        normalized(&all.body["data"][0]),
        json!({ "id": "<ctg_1>", "name": "Clothing", "permalink": "clothing", "position": 0,
                "depth": 0, "meta_title": null, "meta_description": null,
                "meta_keywords": null, "children_count": 2, "parent_id": null,
                "description": "", "description_html": "", "image_url": null,
                "square_image_url": null, "is_root": true, "is_child": false,
                "is_leaf": false })
    );
    let roots = spree.get("/categories?q[depth_eq]=0", As::Anonymous).await;
    assert_eq!(names(&roots.body), ["Clothing", "Accessories"]);
    let children = spree
        .get(
            &format!("/categories?q[parent_id_eq]={}", demo.clothing),
            As::Anonymous,
        )
        .await;
    assert_eq!(names(&children.body), ["Shirts", "Pants"]);
    let named = spree
        .get("/categories?q[name_cont]=ant", As::Anonymous)
        .await;
    assert_eq!(names(&named.body), ["Pants"]);

    let shirts = spree
        .get(
            "/categories/clothing/shirts?expand=parent,ancestors,children",
            As::Anonymous,
        )
        .await;
    assert_eq!(shirts.status, StatusCode::OK, "{}", shirts.text);
    let shirts = normalized(&shirts.body);
    assert_eq!(
        (
            shirts["name"].as_str(),
            shirts["is_leaf"].as_bool(),
            shirts["is_child"].as_bool()
        ),
        (Some("Shirts"), Some(true), Some(true))
    );
    assert_eq!(shirts["parent"]["name"], "Clothing");
    assert_eq!(shirts["parent_id"], shirts["parent"]["id"]);
    assert_eq!(shirts["ancestors"].as_array().unwrap().len(), 1);
    assert_eq!(shirts["children"], json!([]));
    let by_id = spree
        .get(&format!("/categories/{}", demo.shirts), As::Anonymous)
        .await;
    assert_eq!(by_id.body["permalink"], "clothing/shirts");
    assert_eq!(by_id.body, all.body["data"][2], "shown as listed");
    assert!(by_id.body.get("parent").is_none(), "not expanded");
    let missing = spree.get("/categories/clothing/hats", As::Anonymous).await;
    assert_eq!(
        (missing.status, missing.body),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": { "code": "record_not_found", "message": "Category not found" } })
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn product_filters_count_what_a_listing_holds() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let demo = demo(&app).await;
    let all = spree.get("/products/filters", As::Anonymous).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    let sorts = json!([{ "id": "manual", "label": null }, { "id": "best_selling", "label": null },
        { "id": "price", "label": null }, { "id": "-price", "label": null },
        { "id": "-available_on", "label": null }, { "id": "available_on", "label": null },
        { "id": "name", "label": null }, { "id": "-name", "label": null }]);
    let shirts = spree
        .get(
            &format!("/products/filters?category_id={}", demo.shirts),
            As::Anonymous,
        )
        .await;
    assert_eq!(
        normalized(&shirts.body),
        json!({ "id": null,
            "filters": [
                { "id": "price", "type": "price_range", "min": 15.0, "max": 27.0, "currency": "USD" },
                { "id": "availability", "type": "availability",
                  "options": [{ "id": "in_stock", "count": 1 }, { "id": "out_of_stock", "count": 1 }] },
                { "id": "<opt_1>", "type": "option", "name": "size", "label": "Size", "kind": "dropdown",
                  "options": [
                    { "id": "<optval_2>", "name": "s", "label": "S", "position": 0, "color_code": null, "image_url": null, "count": 2 },
                    { "id": "<optval_3>", "name": "m", "label": "M", "position": 1, "color_code": null, "image_url": null, "count": 1 } ] },
                { "id": "<opt_4>", "type": "option", "name": "color", "label": "Color", "kind": "dropdown",
                  "options": [
                    { "id": "<optval_5>", "name": "red", "label": "Red", "position": 0, "color_code": null, "image_url": null, "count": 1 },
                    { "id": "<optval_6>", "name": "blue", "label": "Blue", "position": 1, "color_code": null, "image_url": null, "count": 1 } ] },
                { "id": "categories", "type": "category",
                  "options": [{ "id": "<ctg_7>", "name": "Shirts", "permalink": "clothing/shirts", "count": 2 }] }
            ],
            "sort_options": sorts, "default_sort": "manual", "total_count": 2 })
    );
    assert_eq!(all.body["total_count"], 5);
    let cheap = spree
        .get("/products/filters?q[price_lte]=10", As::Anonymous)
        .await;
    assert_eq!(cheap.body["total_count"], 1);
    assert_eq!(cheap.body["filters"][0]["min"], 10.0);
}
