//! Wishlists of a signed-in customer: many per customer, exactly one default, each private or
//! shared by a token link; items are variants with a quantity.
//!
//! Rules, all here:
//! - The first list a customer creates is the default; making another the default unsets the
//!   old one (a partial unique index makes two defaults impossible); `is_default: false` on the
//!   default is ignored (as `false` is on default addresses); deleting the default promotes the
//!   oldest remaining list.
//! - Every function takes the caller's customer id and filters on it: another customer's list or
//!   item is `NOT_FOUND`, exactly like a missing id, and nothing is read or changed.
//! - The share token is not stored. It is `<wishlist id>.<HMAC-SHA256 of the id>`, keyed with a
//!   key derived from the JWT secret (`auth::JwtKeys::share_key`): the owner can be shown it at
//!   any time (every surface shows the token to the owner), nothing secret sits in the database,
//!   and it opens the list only while the list is shared. A private list's token, a forged or
//!   altered token, and a token of a deleted list all give `NOT_FOUND`. Making a list private
//!   again is how its owner takes the link back (rotating the JWT secret revokes every link).
//! - A variant is added only while shoppers can see its product and it is not discontinued;
//!   once on a list it stays there when its product becomes a draft, is archived or
//!   discontinued, shown with `available: false`. Adding a variant already on the list raises
//!   its quantity.
//! - Bounds (`STOREFRONT_WISHLIST_MAX_*`): lists per customer, items per list, quantity per
//!   item; exceeding one is a validation error.
//! - Every change writes its event (`wishlist.*`) in the same transaction.

mod items;

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::catalog::{Product, Variant};
use super::events::{self, WishlistChange, WishlistChanged};
use super::{Entity, Store, StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::{customers, products, variants, wishlist_items, wishlists};
use crate::db_run;

pub use items::{add_item, remove_item, update_item};

/// Longest wishlist name, in characters.
pub const MAX_NAME: usize = 100;

/// A wishlist with its items, oldest item first.
#[derive(Clone, Debug)]
pub struct Wishlist {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub is_default: bool,
    pub is_private: bool,
    /// The share token: opens the list to anyone while it is shared (see the module's notes).
    pub token: String,
    pub items: Vec<WishlistItem>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// A variant on a wishlist, with its product as they are now in the catalogue.
#[derive(Clone, Debug)]
pub struct WishlistItem {
    pub id: String,
    pub wishlist_id: String,
    pub quantity: i32,
    /// Whether shoppers can buy it now: its product is visible and the variant not
    /// discontinued. An unavailable item stays on the list.
    pub available: bool,
    pub variant: Variant,
    pub product: Product,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// What a new wishlist is: a name, private unless said otherwise, and whether it becomes the
/// default (the first list always does).
#[derive(Clone, Debug, Default)]
pub struct NewWishlist {
    pub name: Option<String>,
    pub is_private: Option<bool>,
    pub is_default: Option<bool>,
}

/// What an update changes; `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct WishlistChanges {
    pub name: Option<String>,
    pub is_private: Option<bool>,
    pub is_default: Option<bool>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = wishlists, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct WishlistRow {
    id: String,
    customer_id: String,
    name: String,
    is_default: bool,
    is_private: bool,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = wishlist_items, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ItemRow {
    id: String,
    wishlist_id: String,
    variant_id: String,
    quantity: i32,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::Wishlist)
}

fn item_not_found() -> StoreError {
    StoreError::not_found(Entity::WishlistItem)
}

/// The share token of wishlist `id`.
pub fn share_token(store: &Store, id: &str) -> String {
    format!("{id}.{}", signature(store, id))
}

fn signature(store: &Store, id: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(store.jwt().share_key())
        .expect("HMAC takes keys of any length");
    mac.update(b"wishlist\0");
    mac.update(id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The wishlist id a token names, when its signature is right (compared in constant time).
fn verify_token(store: &Store, token: &str) -> Option<String> {
    let (id, given) = token.trim().split_once('.')?;
    if !ids::is_valid(ids::prefix::WISHLIST, id) {
        return None;
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(store.jwt().share_key())
        .expect("HMAC takes keys of any length");
    mac.update(b"wishlist\0");
    mac.update(id.as_bytes());
    let given = hex::decode(given).ok()?;
    mac.verify_slice(&given).ok()?;
    Some(id.to_owned())
}

fn valid_name(name: Option<&str>) -> Result<String, StoreError> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "can't be blank"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(StoreError::invalid(
            "name",
            format!("is too long (at most {MAX_NAME} characters)"),
        ));
    }
    Ok(name.to_owned())
}

/// Each customer's wishlists, oldest first, with their items: three queries for the batch.
/// Every key asked has an entry, possibly empty.
pub async fn list_for_customers(
    store: &Store,
    customer_ids: &[String],
) -> Result<HashMap<String, Vec<Wishlist>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<WishlistRow> = db_run!(conn, |c| wishlists::table
        .filter(wishlists::customer_id.eq_any(customer_ids))
        .order((wishlists::created_at, wishlists::id))
        .select(WishlistRow::as_select())
        .load(c)
        .await)?;
    drop(conn);
    let mut lists = with_items(store, rows).await?;
    let mut map: HashMap<String, Vec<Wishlist>> = customer_ids
        .iter()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    for list in lists.drain(..) {
        map.entry(list.customer_id.clone()).or_default().push(list);
    }
    Ok(map)
}

/// The customer's wishlists, oldest first.
pub async fn list(store: &Store, customer_id: &str) -> Result<Vec<Wishlist>, StoreError> {
    let mut map = list_for_customers(store, &[customer_id.to_owned()]).await?;
    Ok(map.remove(customer_id).unwrap_or_default())
}

/// The customer's wishlist `id`.
pub async fn get(store: &Store, customer_id: &str, id: &str) -> Result<Wishlist, StoreError> {
    let mut conn = store.db().conn().await?;
    let row: Option<WishlistRow> = db_run!(conn, |c| wishlists::table
        .filter(wishlists::id.eq(id))
        .filter(wishlists::customer_id.eq(customer_id))
        .select(WishlistRow::as_select())
        .first(c)
        .await
        .optional())?;
    drop(conn);
    let row = row.ok_or_else(not_found)?;
    with_items(store, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)
}

/// The wishlist a share token opens: anyone may read a shared list; a private list's token,
/// or a token that is not one of ours, is `NOT_FOUND`.
pub async fn by_token(store: &Store, token: &str) -> Result<Wishlist, StoreError> {
    let id = verify_token(store, token).ok_or_else(not_found)?;
    let mut conn = store.db().conn().await?;
    let row: Option<WishlistRow> = db_run!(conn, |c| wishlists::table
        .filter(wishlists::id.eq(&id))
        .filter(wishlists::is_private.eq(false))
        .select(WishlistRow::as_select())
        .first(c)
        .await
        .optional())?;
    drop(conn);
    let row = row.ok_or_else(not_found)?;
    with_items(store, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)
}

/// The customer's item `item_id` of wishlist `wishlist_id`.
pub async fn get_item(
    store: &Store,
    customer_id: &str,
    wishlist_id: &str,
    item_id: &str,
) -> Result<WishlistItem, StoreError> {
    let list = get(store, customer_id, wishlist_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound { .. } => item_not_found(),
            other => other,
        })?;
    list.items
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or_else(item_not_found)
}

/// Rows made whole: their items with variant and product, and the share token.
async fn with_items(store: &Store, rows: Vec<WishlistRow>) -> Result<Vec<Wishlist>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut items = items_of(store, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Wishlist {
            token: share_token(store, &r.id),
            items: items.remove(&r.id).unwrap_or_default(),
            id: r.id,
            customer_id: r.customer_id,
            name: r.name,
            is_default: r.is_default,
            is_private: r.is_private,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The items of these wishlists, oldest first, whatever their product's status now.
async fn items_of(
    store: &Store,
    wishlist_ids: &[String],
) -> Result<HashMap<String, Vec<WishlistItem>>, StoreError> {
    if wishlist_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut conn = store.db().conn().await?;
    let rows: Vec<(ItemRow, Variant, Product)> = db_run!(conn, |c| wishlist_items::table
        .inner_join(variants::table.inner_join(products::table))
        .filter(wishlist_items::wishlist_id.eq_any(wishlist_ids))
        .order((wishlist_items::created_at, wishlist_items::id))
        .select((
            ItemRow::as_select(),
            Variant::as_select(),
            Product::as_select()
        ))
        .load(c)
        .await)?;
    let at = now();
    let mut map: HashMap<String, Vec<WishlistItem>> = HashMap::new();
    for (row, variant, product) in rows {
        debug_assert_eq!(row.variant_id, variant.id);
        let item = WishlistItem {
            available: product.is_visible(at) && variant.discontinued_at.is_none(),
            id: row.id,
            wishlist_id: row.wishlist_id,
            quantity: row.quantity,
            variant,
            product,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        map.entry(item.wishlist_id.clone()).or_default().push(item);
    }
    Ok(map)
}

/// Creates a wishlist. The customer's first list is their default whatever `input` says.
pub async fn create(
    store: &Store,
    customer_id: &str,
    input: &NewWishlist,
) -> Result<Wishlist, StoreError> {
    let name = valid_name(input.name.as_deref())?;
    let is_private = input.is_private.unwrap_or(true);
    let max = store.config().wishlists.max_lists;
    let id = ids::new(ids::prefix::WISHLIST);
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let count: i64 = db_run!(c, |c| wishlists::table
                .filter(wishlists::customer_id.eq(customer_id))
                .count()
                .get_result(c)
                .await)?;
            if count >= max {
                return Err(StoreError::invalid(
                    "base",
                    format!("a customer keeps at most {max} wishlists"),
                ));
            }
            let is_default = count == 0 || input.is_default == Some(true);
            if is_default {
                unset_default(c, customer_id).await?;
            }
            db_run!(c, |c| diesel::insert_into(wishlists::table)
                .values((
                    wishlists::id.eq(&id),
                    wishlists::customer_id.eq(customer_id),
                    wishlists::name.eq(&name),
                    wishlists::is_default.eq(is_default),
                    wishlists::is_private.eq(is_private),
                    wishlists::created_at.eq(at),
                    wishlists::updated_at.eq(at),
                ))
                .execute(c)
                .await)?;
            let change = WishlistChanged {
                kind: WishlistChange::Created,
                wishlist_id: id.clone(),
                name: name.clone(),
                is_default,
                is_private,
                changed: Vec::new(),
            };
            events::insert(c, &change.event(customer_id)).await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, &id).await
}

/// Renames, shares or makes private, or makes the default the customer's wishlist `id`.
pub async fn update(
    store: &Store,
    customer_id: &str,
    id: &str,
    changes: &WishlistChanges,
) -> Result<Wishlist, StoreError> {
    let name = changes
        .name
        .as_deref()
        .map(|n| valid_name(Some(n)))
        .transpose()?;
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            let mut changed = Vec::new();
            let name = name.clone().unwrap_or(current.name.clone());
            if name != current.name {
                changed.push("name".to_owned());
            }
            let is_private = changes.is_private.unwrap_or(current.is_private);
            if is_private != current.is_private {
                changed.push("is_private".to_owned());
            }
            let is_default = current.is_default || changes.is_default == Some(true);
            if is_default && !current.is_default {
                unset_default(c, customer_id).await?;
                changed.push("is_default".to_owned());
            }
            db_run!(c, |c| diesel::update(wishlists::table.find(id))
                .set((
                    wishlists::name.eq(&name),
                    wishlists::is_private.eq(is_private),
                    wishlists::is_default.eq(is_default),
                    wishlists::updated_at.eq(now()),
                ))
                .execute(c)
                .await)?;
            if !changed.is_empty() {
                let change = WishlistChanged {
                    kind: WishlistChange::Updated,
                    wishlist_id: id.to_owned(),
                    name,
                    is_default,
                    is_private,
                    changed,
                };
                events::insert(c, &change.event(customer_id)).await?;
            }
            Ok::<_, StoreError>(())
        })
        .await)?;
    drop(conn);
    get(store, customer_id, id).await
}

/// Deletes the customer's wishlist `id` and its items; when it was the default, the oldest
/// remaining list becomes the default.
pub async fn delete(store: &Store, customer_id: &str, id: &str) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            db_run!(c, |c| diesel::delete(wishlists::table.find(id))
                .execute(c)
                .await)?;
            if current.is_default {
                let oldest: Option<String> = db_run!(c, |c| wishlists::table
                    .filter(wishlists::customer_id.eq(customer_id))
                    .order((wishlists::created_at, wishlists::id))
                    .select(wishlists::id)
                    .first(c)
                    .await
                    .optional())?;
                if let Some(oldest) = oldest {
                    db_run!(c, |c| diesel::update(wishlists::table.find(&oldest))
                        .set(wishlists::is_default.eq(true))
                        .execute(c)
                        .await)?;
                }
            }
            let change = WishlistChanged {
                kind: WishlistChange::Deleted,
                wishlist_id: id.to_owned(),
                name: current.name,
                is_default: current.is_default,
                is_private: current.is_private,
                changed: Vec::new(),
            };
            events::insert(c, &change.event(customer_id)).await
        })
        .await)
}

/// Inside the transaction that erases an account: deletes every wishlist of the customer and
/// their items (the customer row may stay as a tombstone, so the cascade alone would not).
/// Writes no event: the erasure records its own.
pub async fn erase_for_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::delete(
        wishlists::table.filter(wishlists::customer_id.eq(customer_id))
    )
    .execute(c)
    .await)?;
    Ok(())
}

/// Locks the customer row (PostgreSQL), so that two changes of one customer's lists take
/// turns: counts and the single default stay right under concurrency.
async fn lock_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    let touched = db_run!(c, |c| diesel::update(customers::table.find(customer_id))
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(c)
        .await)?;
    if touched == 0 {
        return Err(StoreError::not_found(Entity::Customer));
    }
    Ok(())
}

async fn read(c: &mut Backend<'_>, customer_id: &str, id: &str) -> Result<WishlistRow, StoreError> {
    let row = db_run!(c, |c| wishlists::table
        .filter(wishlists::id.eq(id))
        .filter(wishlists::customer_id.eq(customer_id))
        .select(WishlistRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.ok_or_else(not_found)
}

async fn unset_default(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::update(
        wishlists::table
            .filter(wishlists::customer_id.eq(customer_id))
            .filter(wishlists::is_default.eq(true))
    )
    .set(wishlists::is_default.eq(false))
    .execute(c)
    .await)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(super::valid_name(Some("  Gifts ")).unwrap(), "Gifts");
        assert!(super::valid_name(Some("   ")).is_err());
        assert!(super::valid_name(None).is_err());
        assert!(super::valid_name(Some(&"x".repeat(101))).is_err());
    }
}
