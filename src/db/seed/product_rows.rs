//! Products with their variants, prices, images and option links, as rows.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::insert_into;
use rand::Rng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

use super::catalog::Taxonomy;
use super::data::{self, COLORS, Offer, Options, SIZES};
use super::names::{COLLECTIONS, OPENINGS, closing};
use super::rows::*;
use super::*;
use crate::db::schema::{
    prices, product_categories, product_images, product_option_types, products,
    variant_option_values, variants,
};
use crate::store::ids::prefix;

/// One product to make, before ids.
pub(super) struct Spec {
    /// Position in the catalogue and number in the SKU.
    pub number: usize,
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    pub leaf: usize,
    pub also: Option<usize>,
    /// Regular price in cents.
    pub price: i64,
    pub sale_percent: Option<i64>,
    pub colors: Vec<usize>,
    pub offer: Offer,
    pub images: usize,
    pub created_at: NaiveDateTime,
    pub rng: ChaCha8Rng,
}

pub(super) fn hand_written(taxonomy: &Taxonomy, j: usize) -> Result<Spec, StoreError> {
    let product = &data::PRODUCTS[j];
    let leaf_index = |permalink: &str| {
        taxonomy
            .leaves
            .iter()
            .position(|leaf| leaf.permalink == permalink)
            .ok_or_else(|| StoreError::Internal(format!("seed: no leaf category {permalink}")))
    };
    let mut rng = rng_for(Stream::HandWritten, j as u64);
    let colors = product
        .colors
        .iter()
        .map(|name| {
            COLORS
                .iter()
                .position(|c| c.name == *name)
                .ok_or_else(|| StoreError::Internal(format!("seed: no color {name}")))
        })
        .collect::<Result<_, _>>()?;
    let sale_percent = match product.offer {
        Offer::Sale(percent) => Some(percent),
        _ => None,
    };
    let mut tags: Vec<String> = product.tags.iter().map(|t| (*t).to_owned()).collect();
    tags.extend(sale_percent.map(|_| "sale".to_owned()));
    let created_at = catalog_start() + TimeDelta::hours(6 * j as i64) + seconds(&mut rng, 6 * 3600);
    Ok(Spec {
        number: j + 1,
        name: product.name.into(),
        description: product.description.into(),
        tags,
        leaf: leaf_index(product.leaf)?,
        also: product.also.map(leaf_index).transpose()?,
        price: product.price,
        sale_percent,
        colors,
        offer: product.offer,
        images: 3,
        created_at,
        rng,
    })
}

/// The leaf and name parts of generated product `i`: leaves in turn, and within a leaf every
/// collection × material × noun combination in a scattered order, then again with " 2"...
pub(super) struct GeneratedName {
    pub leaf: usize,
    pub collection: &'static str,
    pub material: &'static str,
    pub name: String,
}

pub(super) fn generated_name(taxonomy: &Taxonomy, i: usize) -> GeneratedName {
    let leaf = i % taxonomy.leaves.len();
    let k = i / taxonomy.leaves.len();
    let def = taxonomy.leaves[leaf].def;
    let (nouns, materials) = (def.nouns.len(), def.materials.len());
    let combos = COLLECTIONS.len() * materials * nouns;
    let mut stride = 7919 % combos;
    while gcd(stride, combos) != 1 {
        stride += 1;
    }
    let r = (k % combos * stride + leaf * 37 + 11) % combos;
    let collection = COLLECTIONS[r / (nouns * materials)];
    let material = def.materials[r / nouns % materials];
    let mut name = format!("{collection} {material} {}", def.nouns[r % nouns]);
    if k >= combos {
        name.push_str(&format!(" {}", k / combos + 1));
    }
    GeneratedName {
        leaf,
        collection,
        material,
        name,
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

pub(super) fn generated(taxonomy: &Taxonomy, i: usize) -> Spec {
    let GeneratedName {
        leaf,
        collection,
        material,
        name,
    } = generated_name(taxonomy, i);
    let category = &taxonomy.leaves[leaf];
    let def = category.def;
    let mut rng = rng_for(Stream::Generated, i as u64);
    let (low, high) = def.price;
    let dollars = rng.random_range(low..=high) / 10 * 10 + 8;
    let sale_percent = rng
        .random_bool(0.12)
        .then(|| [15, 20, 25, 30, 40][rng.random_range(0..5)]);
    let count = match def.options {
        Options::SizeColor => rng.random_range(2..=3),
        Options::Color => rng.random_range(2..=4),
        Options::None => 0,
    };
    let colors = sample(&mut rng, COLORS.len(), count).into_vec();
    let roll: f64 = rng.random();
    let offer = match roll {
        r if r < 0.02 => Offer::Draft,
        r if r < 0.035 => Offer::Discontinued,
        r if r < 0.055 => Offer::ComingSoon,
        _ => Offer::Active,
    };
    let opening = OPENINGS[rng.random_range(0..OPENINGS.len())]
        .replace("{collection}", collection)
        .replace("{material}", &material.to_lowercase());
    let description = format!(
        "{opening} {}",
        closing(&category.root, rng.random_range(0..3))
    );
    let mut tags = vec![
        slugify(material),
        slugify(category.name),
        slugify(collection),
    ];
    tags.extend(sale_percent.map(|_| "sale".to_owned()));
    let span = 450 * DAY;
    let offset = (i as i64 * 2400) % span;
    let created_at = catalog_start()
        + TimeDelta::days(30)
        + TimeDelta::seconds(offset)
        + seconds(&mut rng, 2400);
    let also = category.twin.filter(|_| rng.random_bool(0.08));
    Spec {
        number: i + 101,
        name,
        description,
        tags,
        leaf,
        also,
        price: dollars * 100,
        sale_percent,
        colors,
        offer,
        images: rng.random_range(1..=3),
        created_at,
        rng,
    }
}

/// Rows of many products, inserted together.
#[derive(Default)]
pub(super) struct Batch {
    pub products: Vec<NewProduct>,
    pub product_categories: Vec<NewProductCategory>,
    pub product_option_types: Vec<NewProductOptionType>,
    pub variants: Vec<NewVariant>,
    pub variant_option_values: Vec<NewVariantOptionValue>,
    pub prices: Vec<NewPrice>,
    pub images: Vec<NewImage>,
}

impl Batch {
    pub(super) async fn insert(self, conn: &mut DbConn) -> Result<(), StoreError> {
        insert_rows(conn, self.products, |rows| {
            insert_into(products::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.product_categories, |rows| {
            insert_into(product_categories::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.product_option_types, |rows| {
            insert_into(product_option_types::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.variants, |rows| {
            insert_into(variants::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.variant_option_values, |rows| {
            insert_into(variant_option_values::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.prices, |rows| {
            insert_into(prices::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.images, |rows| {
            insert_into(product_images::table).values(rows)
        })
        .await?;
        Ok(())
    }
}

/// Stock on hand and whether it may be backordered: some sold out, some low, most in stock.
fn stock(rng: &mut impl Rng) -> (i32, bool) {
    match rng.random::<f64>() {
        r if r < 0.10 => (0, false),
        r if r < 0.16 => (0, true),
        r if r < 0.24 => (rng.random_range(1..=4), false),
        _ => (rng.random_range(5..=150), rng.random_bool(0.05)),
    }
}

/// Turns a spec into rows: the product, its categories, its default variant carrying the
/// product's price, and one variant per size × color when it has options.
pub(super) fn build(taxonomy: &Taxonomy, spec: Spec, batch: &mut Batch) {
    let mut rng = spec.rng.clone();
    let at = spec.created_at;
    let leaf = &taxonomy.leaves[spec.leaf];
    let product_id = new_id(&mut rng, prefix::PRODUCT, at);
    let slug = slugify(&spec.name);
    let (updated_at, discontinue_on) = push_product(&spec, &mut rng, &product_id, &slug, batch);
    for category in std::iter::once(spec.leaf).chain(spec.also.iter().copied()) {
        batch.product_categories.push(NewProductCategory {
            product_id: product_id.clone(),
            category_id: taxonomy.leaves[category].id.clone(),
            position: spec.number as i32,
        });
    }
    let sized = leaf.def.options == Options::SizeColor;
    let mut option_types = Vec::new();
    if sized {
        option_types.push(taxonomy.size_type.clone());
    }
    if !spec.colors.is_empty() {
        option_types.push(taxonomy.color_type.clone());
    }
    for (option_type_id, position) in option_types.iter().zip(1..) {
        batch.product_option_types.push(NewProductOptionType {
            product_id: product_id.clone(),
            option_type_id: option_type_id.clone(),
            position,
        });
    }
    let variants = Variants {
        product_id: &product_id,
        at,
        updated_at,
        discontinued_at: discontinue_on,
        has_options: !option_types.is_empty(),
        sale_percent: spec.sale_percent,
    };
    let code = format!("{}-{:05}", leaf.def.code, spec.number);
    variants.push(batch, &mut rng, code.clone(), 0, spec.price, &[]);
    if variants.has_options {
        let xl_costs_more = sized && rng.random_bool(0.25);
        push_option_variants(
            taxonomy,
            &spec,
            &variants,
            sized,
            xl_costs_more,
            &code,
            &mut rng,
            batch,
        );
    }
    push_images(&spec, &mut rng, &product_id, &slug, batch);
}

/// The product row; returns its `updated_at` and `discontinue_on`.
fn push_product(
    spec: &Spec,
    rng: &mut ChaCha8Rng,
    product_id: &str,
    slug: &str,
    batch: &mut Batch,
) -> (NaiveDateTime, Option<NaiveDateTime>) {
    let at = spec.created_at;
    let (status, available_on, discontinue_on) = match spec.offer {
        Offer::Draft => ("draft", None, None),
        Offer::ComingSoon => (
            "active",
            Some(coming_soon() + TimeDelta::days(rng.random_range(0..120))),
            None,
        ),
        Offer::Discontinued => (
            "archived",
            Some(at),
            Some(at + TimeDelta::days(rng.random_range(30..120))),
        ),
        Offer::Active | Offer::Sale(_) => ("active", Some(at), None),
    };
    let updated_at = discontinue_on.unwrap_or(at + seconds(rng, 30 * DAY));
    let summary = spec.description.split(". ").next().unwrap_or_default();
    let summary: String = summary.trim_end_matches('.').chars().take(155).collect();
    batch.products.push(NewProduct {
        id: product_id.to_owned(),
        name: spec.name.clone(),
        slug: slug.to_owned(),
        description: Some(spec.description.clone()),
        status: status.into(),
        tags: serde_json::Value::from(spec.tags.clone()).to_string(),
        available_on,
        discontinue_on,
        meta_title: Some(format!("{} | Storefront", spec.name)),
        meta_description: Some(format!("{summary}.")),
        meta_keywords: Some(spec.tags.join(", ")),
        position: spec.number as i32,
        created_at: at,
        updated_at,
    });
    (updated_at, discontinue_on)
}

/// What every variant of one product shares.
struct Variants<'a> {
    product_id: &'a str,
    at: NaiveDateTime,
    updated_at: NaiveDateTime,
    discontinued_at: Option<NaiveDateTime>,
    has_options: bool,
    sale_percent: Option<i64>,
}

impl Variants<'_> {
    /// One variant with its price and option values.
    fn push(
        &self,
        batch: &mut Batch,
        rng: &mut ChaCha8Rng,
        sku: String,
        position: i32,
        price: i64,
        values: &[&String],
    ) {
        let (at, updated_at) = (self.at, self.updated_at);
        let id = new_id(rng, prefix::VARIANT, at);
        // The default variant of a product with options is not sold, so holds no stock.
        let (stock_on_hand, backorderable) = if !self.has_options || position > 0 {
            stock(rng)
        } else {
            (0, false)
        };
        batch.variants.push(NewVariant {
            id: id.clone(),
            product_id: self.product_id.to_owned(),
            sku: Some(sku),
            is_default: position == 0,
            position,
            track_inventory: true,
            stock_on_hand,
            backorderable,
            discontinued_at: self.discontinued_at,
            created_at: at,
            updated_at,
        });
        let (amount, compare_at_amount) = match self.sale_percent {
            Some(percent) => (price * (100 - percent) / 10_000 * 100, Some(price)),
            None => (price, None),
        };
        batch.prices.push(NewPrice {
            id: new_id(rng, prefix::PRICE, at),
            variant_id: id.clone(),
            currency: "USD".into(),
            amount,
            compare_at_amount,
            created_at: at,
            updated_at,
        });
        for value in values {
            batch.variant_option_values.push(NewVariantOptionValue {
                variant_id: id.clone(),
                option_value_id: (*value).clone(),
            });
        }
    }
}

/// One variant per size and color, colors outermost.
#[allow(clippy::too_many_arguments)]
fn push_option_variants(
    taxonomy: &Taxonomy,
    spec: &Spec,
    variants: &Variants<'_>,
    sized: bool,
    xl_costs_more: bool,
    code: &str,
    rng: &mut ChaCha8Rng,
    batch: &mut Batch,
) {
    let sizes: Vec<Option<usize>> = if sized {
        (0..SIZES.len()).map(Some).collect()
    } else {
        vec![None]
    };
    let colors: Vec<Option<usize>> = if spec.colors.is_empty() {
        vec![None]
    } else {
        spec.colors.iter().copied().map(Some).collect()
    };
    let mut position = 1;
    for color in &colors {
        for size in &sizes {
            let mut sku = code.to_owned();
            let mut values = Vec::new();
            let mut price = spec.price;
            if let Some(s) = *size {
                sku = format!("{sku}-{}", SIZES[s].1);
                values.push(&taxonomy.sizes[s]);
                if xl_costs_more && SIZES[s].0 == "xl" {
                    price += 400;
                }
            }
            if let Some(c) = *color {
                sku = format!("{sku}-{}", COLORS[c].code);
                values.push(&taxonomy.colors[c]);
            }
            variants.push(batch, rng, sku, position, price, &values);
            position += 1;
        }
    }
}

/// Up to three pictures of the product.
fn push_images(spec: &Spec, rng: &mut ChaCha8Rng, product_id: &str, slug: &str, batch: &mut Batch) {
    const ALTS: [&str; 3] = ["", ", detail", ", styled"];
    for (n, suffix) in ALTS.iter().enumerate().take(spec.images) {
        let seed = match n {
            0 => slug.to_owned(),
            _ => format!("{slug}-{}", n + 1),
        };
        batch.images.push(NewImage {
            id: new_id(rng, prefix::IMAGE, spec.created_at),
            product_id: product_id.to_owned(),
            variant_id: None,
            url: format!("https://picsum.photos/seed/{seed}/800/800"),
            alt: Some(format!("{}{suffix}", spec.name)),
            position: n as i32,
            created_at: spec.created_at,
        });
    }
}
