//! Catalogue rows for tests, inserted straight into the test's database (the demo seeder is not
//! used: tests state exactly the rows they rely on).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use storefront::db::schema::{
    categories, option_types, option_values, prices, product_categories, product_option_types,
    products, variant_option_values, variants,
};
use storefront::db_run;
use storefront::store::ids::{self, prefix};

use crate::helpers::TestApp;

fn now() -> NaiveDateTime {
    storefront::store::now()
}

/// `days` ago (negative: in the future).
pub fn days_ago(days: i64) -> NaiveDateTime {
    now() - Duration::days(days)
}

/// Inserts a category under `parent` (its permalink continues the parent's).
pub async fn category(
    app: &TestApp,
    name: &str,
    parent: Option<(&str, &str)>,
    position: i32,
) -> (String, String) {
    let id = ids::new(prefix::CATEGORY);
    let slug = name.to_lowercase().replace(' ', "-");
    let (parent_id, permalink, depth) = match parent {
        Some((pid, plink)) => (
            Some(pid.to_owned()),
            format!("{plink}/{slug}"),
            plink.split('/').count() as i32,
        ),
        None => (None, slug, 0),
    };
    let mut conn = app.state.db().write_conn().await.unwrap();
    let row = (
        categories::id.eq(&id),
        categories::parent_id.eq(&parent_id),
        categories::name.eq(name),
        categories::permalink.eq(&permalink),
        categories::position.eq(position),
        categories::depth.eq(depth),
        categories::created_at.eq(now()),
        categories::updated_at.eq(now()),
    );
    db_run!(conn, |c| diesel::insert_into(categories::table)
        .values(row)
        .execute(c)
        .await)
    .unwrap();
    (id, permalink)
}

/// Inserts an option type and its values; returns the type id and the value ids in order.
pub async fn option_type(app: &TestApp, name: &str, values: &[&str]) -> (String, Vec<String>) {
    let type_id = ids::new(prefix::OPTION_TYPE);
    let mut conn = app.state.db().write_conn().await.unwrap();
    let row = (
        option_types::id.eq(&type_id),
        option_types::name.eq(name.to_lowercase()),
        option_types::presentation.eq(name),
        option_types::created_at.eq(now()),
        option_types::updated_at.eq(now()),
    );
    db_run!(conn, |c| diesel::insert_into(option_types::table)
        .values(row)
        .execute(c)
        .await)
    .unwrap();
    let mut value_ids = Vec::new();
    for (position, value) in values.iter().enumerate() {
        let id = ids::new(prefix::OPTION_VALUE);
        let row = (
            option_values::id.eq(&id),
            option_values::option_type_id.eq(&type_id),
            option_values::name.eq(value.to_lowercase()),
            option_values::presentation.eq(*value),
            option_values::position.eq(position as i32),
            option_values::created_at.eq(now()),
            option_values::updated_at.eq(now()),
        );
        db_run!(conn, |c| diesel::insert_into(option_values::table)
            .values(row)
            .execute(c)
            .await)
        .unwrap();
        value_ids.push(id);
    }
    (type_id, value_ids)
}

/// A variant to insert.
#[derive(Clone, Debug)]
pub struct NewVariant {
    pub sku: Option<String>,
    /// USD price in cents.
    pub price: Option<i64>,
    pub compare_at: Option<i64>,
    /// Other prices: (currency, cents).
    pub other_prices: Vec<(&'static str, i64)>,
    pub stock: i32,
    pub track_inventory: bool,
    pub backorderable: bool,
    pub option_values: Vec<String>,
    pub weight: Option<f64>,
}

impl Default for NewVariant {
    fn default() -> Self {
        Self {
            sku: None,
            price: None,
            compare_at: None,
            other_prices: Vec::new(),
            stock: 0,
            track_inventory: true,
            backorderable: false,
            option_values: Vec::new(),
            weight: None,
        }
    }
}

/// A product to insert, with its default variant and any others.
#[derive(Clone, Debug)]
pub struct NewProduct {
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub status: &'static str,
    pub tags: Vec<&'static str>,
    pub available_on: Option<NaiveDateTime>,
    pub discontinue_on: Option<NaiveDateTime>,
    pub position: i32,
    pub units_sold: i64,
    pub default_variant: NewVariant,
    pub variants: Vec<NewVariant>,
    pub categories: Vec<String>,
    pub option_types: Vec<String>,
}

impl NewProduct {
    /// An active product on sale since yesterday, slug from its name.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            slug: name.to_lowercase().replace(' ', "-"),
            description: None,
            status: "active",
            tags: Vec::new(),
            available_on: Some(days_ago(1)),
            discontinue_on: None,
            position: 0,
            units_sold: 0,
            default_variant: NewVariant::default(),
            variants: Vec::new(),
            categories: Vec::new(),
            option_types: Vec::new(),
        }
    }
}

/// Ids of an inserted product.
#[derive(Clone, Debug)]
pub struct Inserted {
    pub id: String,
    /// The default variant first, then the others in the order given.
    pub variants: Vec<String>,
}

/// Inserts a product with its variants, prices, options and categories.
pub async fn product(app: &TestApp, p: NewProduct) -> Inserted {
    let id = ids::new(prefix::PRODUCT);
    let mut conn = app.state.db().write_conn().await.unwrap();
    let tags = serde_json::to_string(&p.tags).unwrap();
    let row = (
        products::id.eq(&id),
        products::name.eq(&p.name),
        products::slug.eq(&p.slug),
        products::description.eq(&p.description),
        products::status.eq(p.status),
        products::tags.eq(&tags),
        products::available_on.eq(p.available_on),
        products::discontinue_on.eq(p.discontinue_on),
        products::units_sold.eq(p.units_sold),
        products::position.eq(p.position),
        products::created_at.eq(now()),
        products::updated_at.eq(now()),
    );
    db_run!(conn, |c| diesel::insert_into(products::table)
        .values(row)
        .execute(c)
        .await)
    .unwrap();
    for (position, category_id) in p.categories.iter().enumerate() {
        let row = (
            product_categories::product_id.eq(&id),
            product_categories::category_id.eq(category_id),
            product_categories::position.eq(position as i32),
        );
        db_run!(conn, |c| diesel::insert_into(product_categories::table)
            .values(row)
            .execute(c)
            .await)
        .unwrap();
    }
    for (position, type_id) in p.option_types.iter().enumerate() {
        let row = (
            product_option_types::product_id.eq(&id),
            product_option_types::option_type_id.eq(type_id),
            product_option_types::position.eq(position as i32),
        );
        db_run!(conn, |c| diesel::insert_into(product_option_types::table)
            .values(row)
            .execute(c)
            .await)
        .unwrap();
    }
    drop(conn);
    let mut variants = vec![variant(app, &id, true, 0, &p.default_variant).await];
    for (i, v) in p.variants.iter().enumerate() {
        variants.push(variant(app, &id, false, i as i32 + 1, v).await);
    }
    Inserted { id, variants }
}

async fn variant(
    app: &TestApp,
    product_id: &str,
    is_default: bool,
    position: i32,
    v: &NewVariant,
) -> String {
    let id = ids::new(prefix::VARIANT);
    let mut conn = app.state.db().write_conn().await.unwrap();
    let row = (
        variants::id.eq(&id),
        variants::product_id.eq(product_id),
        variants::sku.eq(&v.sku),
        variants::is_default.eq(is_default),
        variants::position.eq(position),
        variants::track_inventory.eq(v.track_inventory),
        variants::stock_on_hand.eq(v.stock),
        variants::backorderable.eq(v.backorderable),
        variants::weight.eq(v.weight),
        variants::created_at.eq(now()),
        variants::updated_at.eq(now()),
    );
    db_run!(conn, |c| diesel::insert_into(variants::table)
        .values(row)
        .execute(c)
        .await)
    .unwrap();
    let mut all_prices: Vec<(&str, i64, Option<i64>)> =
        v.other_prices.iter().map(|(c, a)| (*c, *a, None)).collect();
    if let Some(amount) = v.price {
        all_prices.push(("USD", amount, v.compare_at));
    }
    for (currency, amount, compare_at) in all_prices {
        let row = (
            prices::id.eq(ids::new(prefix::PRICE)),
            prices::variant_id.eq(&id),
            prices::currency.eq(currency),
            prices::amount.eq(amount),
            prices::compare_at_amount.eq(compare_at),
            prices::created_at.eq(now()),
            prices::updated_at.eq(now()),
        );
        db_run!(conn, |c| diesel::insert_into(prices::table)
            .values(row)
            .execute(c)
            .await)
        .unwrap();
    }
    for value_id in &v.option_values {
        let row = (
            variant_option_values::variant_id.eq(&id),
            variant_option_values::option_value_id.eq(value_id),
        );
        db_run!(conn, |c| diesel::insert_into(variant_option_values::table)
            .values(row)
            .execute(c)
            .await)
        .unwrap();
    }
    id
}

/// The small catalogue most catalogue tests share.
///
/// | product       | price | position | sold | on sale since | category    | stock                     |
/// |---------------|-------|----------|------|---------------|-------------|---------------------------|
/// | Alpha Shirt   | 25.00 | 3        | 10   | 10 days       | shirts      | S/Red 5, M/Red 0          |
/// | Bravo Shirt   | 15.00 | 1        | 50   | 5 days        | shirts      | S/Blue 0, backorderable   |
/// | Charlie Pants | 40.00 | 2        | 5    | 20 days       | pants       | 3                         |
/// | Delta Cap     | 10.00 | 0        | 0    | 1 day         | accessories | not tracked               |
/// | Echo Belt     | EUR only | 4     | 1    | 2 days        | accessories | 1                         |
///
/// Plus three hidden products: a draft, one on sale in 5 days, one discontinued yesterday.
pub struct Demo {
    pub clothing: String,
    pub shirts: String,
    pub pants: String,
    pub accessories: String,
    pub small: String,
    pub medium: String,
    pub red: String,
    pub blue: String,
    pub alpha: Inserted,
    pub bravo: Inserted,
    pub charlie: Inserted,
    pub delta: Inserted,
    pub echo: Inserted,
}

pub async fn demo(app: &TestApp) -> Demo {
    let (clothing, clothing_link) = category(app, "Clothing", None, 0).await;
    let (accessories, _) = category(app, "Accessories", None, 1).await;
    let (shirts, _) = category(app, "Shirts", Some((&clothing, &clothing_link)), 0).await;
    let (pants, _) = category(app, "Pants", Some((&clothing, &clothing_link)), 1).await;
    let (size, sizes) = option_type(app, "Size", &["S", "M"]).await;
    let (color, colors) = option_type(app, "Color", &["Red", "Blue"]).await;
    let (small, medium) = (sizes[0].clone(), sizes[1].clone());
    let (red, blue) = (colors[0].clone(), colors[1].clone());

    let priced = |cents: i64| NewVariant {
        price: Some(cents),
        ..NewVariant::default()
    };
    let alpha = product(
        app,
        NewProduct {
            description: Some("<p>Soft cotton tee</p>".into()),
            tags: vec!["summer", "cotton"],
            position: 3,
            units_sold: 10,
            available_on: Some(days_ago(10)),
            categories: vec![shirts.clone()],
            option_types: vec![size.clone(), color.clone()],
            default_variant: NewVariant {
                compare_at: Some(3000),
                ..priced(2500)
            },
            variants: vec![
                NewVariant {
                    sku: Some("ALPHA-S-RED".into()),
                    stock: 5,
                    option_values: vec![small.clone(), red.clone()],
                    weight: Some(0.2),
                    ..priced(2500)
                },
                NewVariant {
                    sku: Some("ALPHA-M-RED".into()),
                    option_values: vec![medium.clone(), red.clone()],
                    ..priced(2700)
                },
            ],
            ..NewProduct::named("Alpha Shirt")
        },
    )
    .await;
    let bravo = product(
        app,
        NewProduct {
            position: 1,
            units_sold: 50,
            available_on: Some(days_ago(5)),
            categories: vec![shirts.clone()],
            option_types: vec![size.clone(), color.clone()],
            default_variant: priced(1500),
            variants: vec![NewVariant {
                sku: Some("BRAVO-S-BLUE".into()),
                backorderable: true,
                option_values: vec![small.clone(), blue.clone()],
                ..priced(1500)
            }],
            ..NewProduct::named("Bravo Shirt")
        },
    )
    .await;
    let charlie = product(
        app,
        NewProduct {
            description: Some("Warm wool trousers".into()),
            position: 2,
            units_sold: 5,
            available_on: Some(days_ago(20)),
            categories: vec![pants.clone()],
            default_variant: NewVariant {
                sku: Some("CHARLIE-1".into()),
                stock: 3,
                ..priced(4000)
            },
            ..NewProduct::named("Charlie Pants")
        },
    )
    .await;
    let delta = product(
        app,
        NewProduct {
            position: 0,
            available_on: Some(days_ago(1)),
            categories: vec![accessories.clone()],
            default_variant: NewVariant {
                sku: Some("DELTA-CAP".into()),
                track_inventory: false,
                ..priced(1000)
            },
            ..NewProduct::named("Delta Cap")
        },
    )
    .await;
    let echo = product(
        app,
        NewProduct {
            position: 4,
            units_sold: 1,
            available_on: Some(days_ago(2)),
            categories: vec![accessories.clone()],
            default_variant: NewVariant {
                sku: Some("ECHO-1".into()),
                stock: 1,
                other_prices: vec![("EUR", 900)],
                ..NewVariant::default()
            },
            ..NewProduct::named("Echo Belt")
        },
    )
    .await;
    for hidden in [
        NewProduct {
            status: "draft",
            default_variant: priced(100),
            ..NewProduct::named("Hidden Draft Shirt")
        },
        NewProduct {
            available_on: Some(days_ago(-5)),
            default_variant: priced(100),
            ..NewProduct::named("Future Shirt")
        },
        NewProduct {
            discontinue_on: Some(days_ago(1)),
            default_variant: priced(100),
            ..NewProduct::named("Discontinued Shirt")
        },
    ] {
        let mut hidden = hidden;
        hidden.categories = vec![shirts.clone()];
        product(app, hidden).await;
    }
    Demo {
        clothing,
        shirts,
        pants,
        accessories,
        small,
        medium,
        red,
        blue,
        alpha,
        bravo,
        charlie,
        delta,
        echo,
    }
}
