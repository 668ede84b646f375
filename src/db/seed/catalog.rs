//! The catalogue: the category tree, the option types, and which products to add.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;
use diesel::insert_into;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rand_chacha::ChaCha8Rng;

use super::data::{self, COLORS, SIZES};
use super::product_rows::{Batch, build, generated, generated_name, hand_written};
use super::rows::*;
use super::*;
use crate::db::schema::{categories, option_types, option_values, products};
use crate::store::ids::prefix;

/// Products inserted per transaction.
const PRODUCTS_PER_TRANSACTION: usize = 1000;

/// A leaf category as stored.
pub(super) struct LeafCategory {
    pub id: String,
    pub permalink: String,
    pub name: &'static str,
    pub root: String,
    pub def: &'static data::Leaf,
    /// The leaf with the same slug under the other parent (men's and women's sweaters).
    pub twin: Option<usize>,
}

/// The ids products link to.
pub(super) struct Taxonomy {
    pub leaves: Vec<LeafCategory>,
    pub size_type: String,
    pub color_type: String,
    /// Option value ids in the order of [`SIZES`] and [`COLORS`].
    pub sizes: Vec<String>,
    pub colors: Vec<String>,
}

/// Adds what is missing of the catalogue, up to `target` products in all.
pub(super) async fn seed(
    conn: &mut DbConn,
    target: usize,
    report: &mut SeedReport,
) -> Result<(), StoreError> {
    begin(conn).await?;
    let result = taxonomy(conn).await;
    let (taxonomy, created) = finish(conn, result).await?;
    report.categories += created;

    let slugs: Vec<String> = db_run!(conn, |c| products::table
        .select(products::slug)
        .load(c)
        .await)?;
    let mut missing = target.saturating_sub(slugs.len());
    let mut taken: HashSet<String> = slugs.into_iter().collect();
    let mut plan = Vec::with_capacity(missing);
    for (j, product) in data::PRODUCTS.iter().enumerate() {
        if missing > 0 && taken.insert(slugify(product.name)) {
            plan.push(Source::HandWritten(j));
            missing -= 1;
        }
    }
    let mut i = 0;
    while missing > 0 {
        if taken.insert(slugify(&generated_name(&taxonomy, i).name)) {
            plan.push(Source::Generated(i));
            missing -= 1;
        }
        i += 1;
    }

    for chunk in plan.chunks(PRODUCTS_PER_TRANSACTION) {
        let mut batch = Batch::default();
        for source in chunk {
            let spec = match *source {
                Source::HandWritten(j) => hand_written(&taxonomy, j)?,
                Source::Generated(i) => generated(&taxonomy, i),
            };
            build(&taxonomy, spec, &mut batch);
        }
        let (products, variants) = (batch.products.len(), batch.variants.len());
        begin(conn).await?;
        let result = batch.insert(conn).await;
        finish(conn, result).await?;
        report.products += products;
        report.variants += variants;
        tracing::debug!(products = report.products, "seed: products inserted");
    }
    Ok(())
}

/// Makes the category tree and option values that are missing; returns the ids and how many
/// categories were created.
pub(super) async fn taxonomy(conn: &mut DbConn) -> Result<(Taxonomy, usize), StoreError> {
    let mut rng = rng_for(Stream::Taxonomy, 0);
    let (leaves, created) = category_tree(conn, &mut rng).await?;
    let (size_type, color_type) = option_types(conn, &mut rng).await?;
    let (sizes, colors) = option_values(conn, &mut rng, &size_type, &color_type).await?;
    let taxonomy = Taxonomy {
        leaves,
        size_type,
        color_type,
        sizes,
        colors,
    };
    Ok((taxonomy, created))
}

/// The category tree's missing categories; returns its leaves and how many were inserted.
async fn category_tree(
    conn: &mut DbConn,
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<LeafCategory>, usize), StoreError> {
    let existing: Vec<(String, String)> = db_run!(conn, |c| categories::table
        .select((categories::permalink, categories::id))
        .load(c)
        .await)?;
    let mut ids: HashMap<String, String> = existing.into_iter().collect();
    let mut new = Vec::new();
    let mut leaves = Vec::new();
    for (position, root) in data::TREE.iter().enumerate() {
        walk(
            root,
            position,
            None,
            root.slug,
            &mut ids,
            rng,
            &mut new,
            &mut leaves,
        );
    }
    let created = insert_rows(conn, new, |rows| {
        insert_into(categories::table).values(rows)
    })
    .await?;
    let twins: Vec<Option<usize>> = (leaves.iter())
        .map(|leaf| {
            let slug = leaf.permalink.rsplit('/').next().unwrap_or_default();
            leaves.iter().position(|other| {
                other.root == leaf.root
                    && other.permalink != leaf.permalink
                    && other.permalink.ends_with(&format!("/{slug}"))
            })
        })
        .collect();
    for (leaf, twin) in leaves.iter_mut().zip(twins) {
        leaf.twin = twin;
    }
    Ok((leaves, created))
}

/// The size and color option types (inserted if missing); returns their ids.
async fn option_types(
    conn: &mut DbConn,
    rng: &mut ChaCha8Rng,
) -> Result<(String, String), StoreError> {
    let existing: Vec<(String, String)> = db_run!(conn, |c| option_types::table
        .select((option_types::name, option_types::id))
        .load(c)
        .await)?;
    let types: HashMap<String, String> = existing.into_iter().collect();
    let at = catalog_start() - TimeDelta::days(7);
    let mut new_types = Vec::new();
    let mut type_id = |name: &str, presentation: &str, position: i32| {
        let id = new_id(rng, prefix::OPTION_TYPE, at);
        if let Some(existing) = types.get(name) {
            return existing.clone();
        }
        new_types.push(NewOptionType {
            id: id.clone(),
            name: name.into(),
            presentation: presentation.into(),
            position,
            created_at: at,
            updated_at: at,
        });
        id
    };
    let size_type = type_id("size", "Size", 1);
    let color_type = type_id("color", "Color", 2);
    insert_rows(conn, new_types, |rows| {
        insert_into(option_types::table).values(rows)
    })
    .await?;
    Ok((size_type, color_type))
}

/// The size and color option values (inserted if missing); returns their ids in order.
async fn option_values(
    conn: &mut DbConn,
    rng: &mut ChaCha8Rng,
    size_type: &str,
    color_type: &str,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let at = catalog_start() - TimeDelta::days(7);
    let existing: Vec<(String, String, String)> = db_run!(conn, |c| option_values::table
        .select((
            option_values::option_type_id,
            option_values::name,
            option_values::id
        ))
        .load(c)
        .await)?;
    let values: HashMap<(String, String), String> = existing
        .into_iter()
        .map(|(ty, name, id)| ((ty, name), id))
        .collect();
    let mut new_values = Vec::new();
    let mut value_id = |ty: &str, name: &str, presentation: &str, position, hex: Option<&str>| {
        let id = new_id(rng, prefix::OPTION_VALUE, at);
        if let Some(existing) = values.get(&(ty.to_owned(), name.to_owned())) {
            return existing.clone();
        }
        new_values.push(NewOptionValue {
            id: id.clone(),
            option_type_id: ty.into(),
            name: name.into(),
            presentation: presentation.into(),
            position,
            color_code: hex.map(str::to_owned),
            created_at: at,
            updated_at: at,
        });
        id
    };
    let sizes = (SIZES.iter().zip(1..))
        .map(|(&(name, shown), pos)| value_id(size_type, name, shown, pos, None))
        .collect();
    let colors = (COLORS.iter().zip(1..))
        .map(|(c, pos)| value_id(color_type, c.name, c.presentation, pos, Some(c.hex)))
        .collect();
    insert_rows(conn, new_values, |rows| {
        insert_into(option_values::table).values(rows)
    })
    .await?;
    Ok((sizes, colors))
}

/// Visits `category` and its descendants in pre-order, so parents are inserted first.
#[allow(clippy::too_many_arguments)]
fn walk(
    category: &'static data::Category,
    position: usize,
    parent: Option<&str>,
    permalink: &str,
    ids: &mut HashMap<String, String>,
    rng: &mut ChaCha8Rng,
    new: &mut Vec<NewCategory>,
    leaves: &mut Vec<LeafCategory>,
) {
    let depth = permalink.matches('/').count();
    let at = catalog_start() - TimeDelta::days(7) + TimeDelta::minutes(new.len() as i64);
    let fresh = new_id(rng, prefix::CATEGORY, at);
    let id = match ids.get(permalink) {
        Some(id) => id.clone(),
        None => {
            let title = match depth {
                0 => category.name.to_owned(),
                _ => format!("{} {}", title_prefix(permalink), category.name),
            };
            new.push(NewCategory {
                id: fresh.clone(),
                parent_id: parent.map(str::to_owned),
                name: category.name.into(),
                permalink: permalink.into(),
                description: Some(category.description.into()),
                position: position as i32,
                depth: depth as i32,
                meta_title: Some(format!("{} | Storefront", title.trim())),
                meta_description: Some(category.description.into()),
                created_at: at,
                updated_at: at,
            });
            ids.insert(permalink.to_owned(), fresh.clone());
            fresh
        }
    };
    if let Some(leaf) = &category.leaf {
        leaves.push(LeafCategory {
            id: id.clone(),
            permalink: permalink.to_owned(),
            name: category.name,
            root: permalink.split('/').next().unwrap_or_default().to_owned(),
            def: leaf,
            twin: None,
        });
    }
    for (position, child) in category.children.iter().enumerate() {
        let path = format!("{permalink}/{}", child.slug);
        walk(child, position, Some(&id), &path, ids, rng, new, leaves);
    }
}

/// "Men's" for `clothing/men/...`, else nothing.
fn title_prefix(permalink: &str) -> &'static str {
    match permalink.split('/').nth(1) {
        Some("men") => "Men's",
        Some("women") => "Women's",
        _ => "",
    }
}

enum Source {
    HandWritten(usize),
    Generated(usize),
}
