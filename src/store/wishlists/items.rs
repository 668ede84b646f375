//! Items of a wishlist: add (raising the quantity of a variant already there), set the
//! quantity, remove. Only the owner changes them; rules in the parent module's notes.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::{WishlistItem, get_item, item_not_found, not_found};
use crate::db::Backend;
use crate::db::schema::{products, variants, wishlist_items, wishlists};
use crate::db_run;
use crate::store::catalog::{self, Product, Variant};
use crate::store::events::{self, WishlistItemChange, WishlistItemChanged};
use crate::store::{Entity, Store, StoreError, ids, now};

fn valid_quantity(store: &Store, quantity: i64) -> Result<i32, StoreError> {
    let max = store.config().wishlists.max_quantity;
    if quantity < 1 {
        return Err(StoreError::invalid("quantity", "must be at least 1"));
    }
    if quantity > i64::from(max) {
        return Err(StoreError::invalid(
            "quantity",
            format!("must be at most {max}"),
        ));
    }
    Ok(quantity as i32)
}

/// Puts `quantity` of a variant on the customer's wishlist; a variant already there gets its
/// quantity raised. Returns the item.
pub async fn add_item(
    store: &Store,
    customer_id: &str,
    wishlist_id: &str,
    variant_id: &str,
    quantity: i64,
) -> Result<WishlistItem, StoreError> {
    let quantity = valid_quantity(store, quantity)?;
    let limits = store.config().wishlists.clone();
    let mut conn = store.db().write_conn().await?;
    let item_id = db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_wishlist(c, customer_id, wishlist_id).await?;
            let existing: Option<(String, i32)> = db_run!(c, |c| wishlist_items::table
                .filter(wishlist_items::wishlist_id.eq(wishlist_id))
                .filter(wishlist_items::variant_id.eq(variant_id))
                .select((wishlist_items::id, wishlist_items::quantity))
                .first(c)
                .await
                .optional())?;
            let at = now();
            let (item_id, total) = match existing {
                Some((item_id, had)) => {
                    let total = i64::from(had) + i64::from(quantity);
                    if total > i64::from(limits.max_quantity) {
                        return Err(StoreError::invalid(
                            "quantity",
                            format!("must be at most {}", limits.max_quantity),
                        ));
                    }
                    let total = total as i32;
                    db_run!(c, |c| diesel::update(wishlist_items::table.find(&item_id))
                        .set((
                            wishlist_items::quantity.eq(total),
                            wishlist_items::updated_at.eq(at),
                        ))
                        .execute(c)
                        .await)?;
                    (item_id, total)
                }
                None => {
                    check_addable(c, variant_id).await?;
                    let count: i64 = db_run!(c, |c| wishlist_items::table
                        .filter(wishlist_items::wishlist_id.eq(wishlist_id))
                        .count()
                        .get_result(c)
                        .await)?;
                    if count >= limits.max_items {
                        return Err(StoreError::invalid(
                            "base",
                            format!("a wishlist holds at most {} items", limits.max_items),
                        ));
                    }
                    let item_id = ids::new(ids::prefix::WISHLIST_ITEM);
                    db_run!(c, |c| diesel::insert_into(wishlist_items::table)
                        .values((
                            wishlist_items::id.eq(&item_id),
                            wishlist_items::wishlist_id.eq(wishlist_id),
                            wishlist_items::variant_id.eq(variant_id),
                            wishlist_items::quantity.eq(quantity),
                            wishlist_items::created_at.eq(at),
                            wishlist_items::updated_at.eq(at),
                        ))
                        .execute(c)
                        .await)?;
                    (item_id, quantity)
                }
            };
            let change = WishlistItemChanged {
                kind: WishlistItemChange::Added,
                wishlist_id: wishlist_id.to_owned(),
                item_id: item_id.clone(),
                variant_id: variant_id.to_owned(),
                quantity: total,
            };
            events::insert(c, &change.event(customer_id)).await?;
            Ok(item_id)
        })
        .await)?;
    drop(conn);
    get_item(store, customer_id, wishlist_id, &item_id).await
}

/// Sets the quantity of the customer's wishlist item.
pub async fn update_item(
    store: &Store,
    customer_id: &str,
    wishlist_id: &str,
    item_id: &str,
    quantity: i64,
) -> Result<WishlistItem, StoreError> {
    let quantity = valid_quantity(store, quantity)?;
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_wishlist(c, customer_id, wishlist_id)
                .await
                .map_err(|_| item_not_found())?;
            let variant_id = item_variant(c, wishlist_id, item_id).await?;
            db_run!(c, |c| diesel::update(wishlist_items::table.find(item_id))
                .set((
                    wishlist_items::quantity.eq(quantity),
                    wishlist_items::updated_at.eq(now()),
                ))
                .execute(c)
                .await)?;
            let change = WishlistItemChanged {
                kind: WishlistItemChange::Updated,
                wishlist_id: wishlist_id.to_owned(),
                item_id: item_id.to_owned(),
                variant_id,
                quantity,
            };
            events::insert(c, &change.event(customer_id)).await
        })
        .await)?;
    drop(conn);
    get_item(store, customer_id, wishlist_id, item_id).await
}

/// Removes an item from the customer's wishlist.
pub async fn remove_item(
    store: &Store,
    customer_id: &str,
    wishlist_id: &str,
    item_id: &str,
) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_wishlist(c, customer_id, wishlist_id)
                .await
                .map_err(|_| item_not_found())?;
            let variant_id = item_variant(c, wishlist_id, item_id).await?;
            let quantity: i32 = db_run!(c, |c| wishlist_items::table
                .find(item_id)
                .select(wishlist_items::quantity)
                .first(c)
                .await)?;
            db_run!(c, |c| diesel::delete(wishlist_items::table.find(item_id))
                .execute(c)
                .await)?;
            let change = WishlistItemChanged {
                kind: WishlistItemChange::Removed,
                wishlist_id: wishlist_id.to_owned(),
                item_id: item_id.to_owned(),
                variant_id,
                quantity,
            };
            events::insert(c, &change.event(customer_id)).await
        })
        .await)
}

/// Locks the customer's wishlist row, proving it is theirs.
async fn lock_wishlist(
    c: &mut Backend<'_>,
    customer_id: &str,
    wishlist_id: &str,
) -> Result<(), StoreError> {
    let touched = db_run!(c, |c| diesel::update(
        wishlists::table
            .filter(wishlists::id.eq(wishlist_id))
            .filter(wishlists::customer_id.eq(customer_id))
    )
    .set(wishlists::updated_at.eq(now()))
    .execute(c)
    .await)?;
    if touched == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// The variant of item `item_id` of wishlist `wishlist_id` (already proven the caller's).
async fn item_variant(
    c: &mut Backend<'_>,
    wishlist_id: &str,
    item_id: &str,
) -> Result<String, StoreError> {
    let found: Option<String> = db_run!(c, |c| wishlist_items::table
        .filter(wishlist_items::id.eq(item_id))
        .filter(wishlist_items::wishlist_id.eq(wishlist_id))
        .select(wishlist_items::variant_id)
        .first(c)
        .await
        .optional())?;
    found.ok_or_else(item_not_found)
}

/// A variant may be added while shoppers can see its product and it is not discontinued;
/// any other id (unknown, draft, archived) is `NOT_FOUND`, so drafts do not leak.
async fn check_addable(c: &mut Backend<'_>, variant_id: &str) -> Result<(), StoreError> {
    let found: Option<(Variant, Product)> = db_run!(c, |c| variants::table
        .inner_join(products::table)
        .filter(variants::id.eq(variant_id))
        .select((Variant::as_select(), Product::as_select()))
        .first(c)
        .await
        .optional())?;
    let Some((variant, product)) = found.filter(|(_, p)| p.is_visible(now())) else {
        return Err(StoreError::not_found(Entity::Variant));
    };
    if variant.discontinued_at.is_some() {
        return Err(StoreError::invalid("variant_id", "is no longer sold"));
    }
    // As in a cart: a product with options sells those, not its default variant.
    let siblings: Vec<Variant> = db_run!(c, |c| variants::table
        .filter(variants::product_id.eq(&product.id))
        .select(Variant::as_select())
        .load(c)
        .await)?;
    if !catalog::sellable_variants(&siblings)
        .iter()
        .any(|v| v.id == variant.id)
    {
        return Err(StoreError::invalid(
            "variant_id",
            "is not sold on its own: choose one of the product's options",
        ));
    }
    Ok(())
}
