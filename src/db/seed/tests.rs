use std::collections::{HashMap, HashSet};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::catalog::{LeafCategory, Taxonomy};
use super::data::{self, COLORS, TREE};
use super::product_rows;
use super::*;
use crate::db::schema::{categories, line_items, orders, prices, products, variants};
use crate::db::{DatabaseUrl, PoolOptions};

/// The taxonomy with made-up ids, for tests that need no database.
fn offline_taxonomy() -> Taxonomy {
    fn leaves(cats: &'static [data::Category], path: &str, out: &mut Vec<LeafCategory>) {
        for cat in cats {
            let permalink = format!("{path}{}", cat.slug);
            if let Some(def) = &cat.leaf {
                out.push(LeafCategory {
                    id: format!("ctg_{permalink}"),
                    root: permalink.split('/').next().unwrap_or_default().to_owned(),
                    permalink: permalink.clone(),
                    name: cat.name,
                    def,
                    twin: None,
                });
            }
            leaves(cat.children, &format!("{permalink}/"), out);
        }
    }
    let mut out = Vec::new();
    leaves(TREE, "", &mut out);
    Taxonomy {
        leaves: out,
        size_type: "opt_size".into(),
        color_type: "opt_color".into(),
        sizes: data::SIZES
            .iter()
            .map(|s| format!("optval_{}", s.0))
            .collect(),
        colors: COLORS
            .iter()
            .map(|c| format!("optval_{}", c.name))
            .collect(),
    }
}

#[test]
fn hand_written_catalogue_is_consistent() {
    let taxonomy = offline_taxonomy();
    assert_eq!(data::PRODUCTS.len(), 48);
    assert_eq!(taxonomy.leaves.len(), 22);
    let mut slugs = HashSet::new();
    for j in 0..data::PRODUCTS.len() {
        let spec = product_rows::hand_written(&taxonomy, j).expect("leaf and colors exist");
        assert!(slugs.insert(slugify(&spec.name)), "duplicate {}", spec.name);
    }
    // Generated names never repeat, nor take a hand-written slug.
    for i in 0..30_000 {
        let name = product_rows::generated_name(&taxonomy, i).name;
        assert!(
            slugs.insert(slugify(&name)),
            "generated #{i} repeats {name}"
        );
    }
}

#[test]
fn building_is_deterministic() {
    let taxonomy = offline_taxonomy();
    let build = || {
        let mut batch = product_rows::Batch::default();
        for i in 0..200 {
            product_rows::build(&taxonomy, product_rows::generated(&taxonomy, i), &mut batch);
        }
        batch
    };
    let (a, b) = (build(), build());
    let ids = |batch: &product_rows::Batch| -> Vec<String> {
        let variants = batch
            .variants
            .iter()
            .map(|v| format!("{}{:?}", v.id, v.sku));
        batch
            .products
            .iter()
            .map(|p| p.id.clone())
            .chain(variants)
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    let skus: HashSet<_> = a.variants.iter().map(|v| v.sku.clone()).collect();
    assert_eq!(skus.len(), a.variants.len(), "SKUs are unique");
    let defaults = a.variants.iter().filter(|v| v.is_default).count();
    assert_eq!(
        defaults,
        a.products.len(),
        "one default variant per product"
    );
}

#[test]
fn slugs() {
    assert_eq!(slugify("Cast Iron Skillet 10\""), "cast-iron-skillet-10");
    assert_eq!(
        slugify("Cedar & Smoke Soy Candle"),
        "cedar-smoke-soy-candle"
    );
    assert_eq!(
        slugify("Speckled Pasta Bowls, Set of 4"),
        "speckled-pasta-bowls-set-of-4"
    );
}

async fn sqlite(dir: &tempfile::TempDir, name: &str) -> Db {
    let url = DatabaseUrl::Sqlite(dir.path().join(name));
    let options = PoolOptions {
        max_size: 2,
        wait_timeout: Duration::from_secs(5),
    };
    let db = Db::connect(&url, &options).await.expect("open sqlite");
    crate::db::migrate::run(&url).await.expect("migrate");
    db
}

async fn product_ids(db: &Db) -> Vec<String> {
    let mut conn = db.conn().await.expect("conn");
    db_run!(conn, |c| products::table
        .select(products::id)
        .order(products::id)
        .load(c)
        .await)
    .expect("load")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_batched_and_tops_up_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite(&dir, "a.db").await;
    let options = |products, customers| SeedOptions {
        products,
        customers,
    };

    let before = db.statements().get();
    let report = run(&db, &options(120, 15)).await.expect("seed");
    let statements = db.statements().get() - before;
    assert_eq!(report.categories, 31);
    assert_eq!(report.products, 120);
    assert_eq!(report.customers, 15);
    assert!(report.variants > 120 * 3, "{report:?}");
    assert!(report.orders > 0);
    // Batched: a few statements per table and one update per customer, not one per row.
    assert!(statements < 120, "{statements} statements");

    let again = run(&db, &options(120, 15)).await.expect("second seed");
    assert_eq!(
        (again.categories, again.products, again.customers),
        (0, 0, 0)
    );
    assert_eq!((again.variants, again.orders), (0, 0));

    let more = run(&db, &options(150, 20)).await.expect("top up");
    assert_eq!((more.products, more.customers), (30, 5));

    // Topping up gives the same catalogue as seeding the larger number at once.
    let fresh = sqlite(&dir, "b.db").await;
    run(&fresh, &options(150, 0)).await.expect("seed b");
    assert_eq!(product_ids(&db).await, product_ids(&fresh).await);

    assert_tree_and_prices(&db).await;
    assert_order_totals(&db, report.orders + more.orders).await;
}

/// Three levels of categories, and every variant priced.
async fn assert_tree_and_prices(db: &Db) {
    let mut conn = db.conn().await.expect("conn");
    let depths: Vec<i32> = db_run!(conn, |c| categories::table
        .select(categories::depth)
        .distinct()
        .order(categories::depth)
        .load(c)
        .await)
    .expect("depths");
    assert_eq!(depths, vec![0, 1, 2]);
    let unpriced: i64 = db_run!(conn, |c| variants::table
        .left_join(prices::table)
        .filter(prices::id.is_null())
        .count()
        .get_result(c)
        .await)
    .expect("unpriced");
    assert_eq!(unpriced, 0);
}

/// `expected_orders` orders, each totalling its lines plus shipping, and units sold matching the lines.
async fn assert_order_totals(db: &Db, expected_orders: usize) {
    let mut conn = db.conn().await.expect("conn");
    type Totals = (String, i32, i64, i64, i64);
    let totals: Vec<Totals> = db_run!(conn, |c| orders::table
        .select((
            orders::id,
            orders::item_count,
            orders::item_total,
            orders::shipping_total,
            orders::total,
        ))
        .load(c)
        .await)
    .expect("orders");
    assert_eq!(totals.len(), expected_orders);
    let lines: Vec<(String, i32, i64)> = db_run!(conn, |c| line_items::table
        .select((
            line_items::order_id,
            line_items::quantity,
            line_items::total
        ))
        .load(c)
        .await)
    .expect("lines");
    let mut by_order: HashMap<String, (i64, i64)> = HashMap::new();
    for (order, quantity, total) in &lines {
        let entry = by_order.entry(order.clone()).or_default();
        entry.0 += i64::from(*quantity);
        entry.1 += total;
    }
    for (id, count, item_total, shipping, total) in totals {
        assert_eq!(by_order.get(&id), Some(&(i64::from(count), item_total)));
        assert_eq!(shipping, 500);
        assert_eq!(total, item_total + shipping);
    }
    let sold: Vec<i64> = db_run!(conn, |c| products::table
        .select(products::units_sold)
        .load(c)
        .await)
    .expect("units sold");
    let bought: i64 = lines.iter().map(|l| i64::from(l.1)).sum();
    assert_eq!(sold.iter().sum::<i64>(), bought);
}
