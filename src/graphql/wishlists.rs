//! Wishlists over GraphQL: the `Wishlist` and `WishlistItem` types, the `wishlist(id | token)`
//! query and the mutations createWishlist, updateWishlist, deleteWishlist, addWishlistItem,
//! updateWishlistItem and removeWishlistItem. Every rule is in `store::wishlists`;
//! `Customer.wishlists` (in `accounts.rs`) calls [`of_customer`].

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::ToGraphql;
use super::catalog::{Product, Variant};
use super::session;
use crate::store::{Store, StoreError, wishlists};

/// A list of variants a customer wants, private or shared by its token.
pub struct Wishlist(pub wishlists::Wishlist);

#[Object]
impl Wishlist {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The customer's default list (exactly one is).
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    /// Only its owner can read it. A shared list can be read by anyone with its `token`.
    async fn is_private(&self) -> bool {
        self.0.is_private
    }

    /// The share token: `wishlist(token:)` opens the list to anyone while it is shared
    /// (`isPrivate: false`). Making the list private again takes the link back.
    async fn token(&self) -> &str {
        &self.0.token
    }

    /// Oldest first. Items whose product is no longer sold stay, with `available: false`.
    async fn items(&self) -> Vec<WishlistItem> {
        self.0.items.iter().cloned().map(WishlistItem).collect()
    }

    /// The number of items (distinct variants).
    async fn item_count(&self) -> usize {
        self.0.items.len()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.and_utc()
    }
}

/// A variant on a wishlist, with the quantity wanted.
pub struct WishlistItem(pub wishlists::WishlistItem);

#[Object]
impl WishlistItem {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn quantity(&self) -> i32 {
        self.0.quantity
    }

    /// Whether it can be bought now: false once its product became a draft, was archived or
    /// discontinued, or the variant was discontinued.
    async fn available(&self) -> bool {
        self.0.available
    }

    async fn variant(&self) -> Variant {
        self.0.variant.clone().into()
    }

    /// The product as it is now in the catalogue.
    async fn product(&self) -> Product {
        self.0.product.clone().into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.and_utc()
    }
}

/// A new wishlist.
#[derive(InputObject)]
pub struct CreateWishlistInput {
    /// Required; at most 100 characters.
    name: String,
    /// Private (the default) or shared by its token.
    is_private: Option<bool>,
    /// Make it the default list (the customer's first list always is).
    is_default: Option<bool>,
}

/// Changes to a wishlist; an omitted field keeps its value.
#[derive(InputObject)]
pub struct UpdateWishlistInput {
    name: Option<String>,
    is_private: Option<bool>,
    /// `true` makes it the default and unsets the previous one; `false` is ignored (make
    /// another list the default instead).
    is_default: Option<bool>,
}

/// The signed-in customer's lists, for `Customer.wishlists`.
pub async fn of_customer(ctx: &Context<'_>, customer_id: &str) -> Result<Vec<Wishlist>> {
    let store = ctx.data::<Store>()?;
    let lists = wishlists::list(store, customer_id).await.gql()?;
    Ok(lists.into_iter().map(Wishlist).collect())
}

async fn caller<'a>(ctx: &'a Context<'_>) -> Result<(&'a Store, String)> {
    let store = ctx.data::<Store>()?;
    let principal = session::auth(ctx).require(store).await.gql()?;
    Ok((store, principal.customer_id))
}

#[derive(Default)]
pub struct WishlistsQuery;

#[Object]
impl WishlistsQuery {
    /// A wishlist by `id` (its owner only) or by share `token` (anyone, while it is shared).
    /// Someone else's list, a private list's token and a missing list are all `NOT_FOUND`.
    async fn wishlist(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        token: Option<String>,
    ) -> Result<Wishlist> {
        match (id, token) {
            (Some(id), None) => {
                let (store, customer_id) = caller(ctx).await?;
                wishlists::get(store, &customer_id, &id)
                    .await
                    .gql()
                    .map(Wishlist)
            }
            (None, Some(token)) => {
                let store = ctx.data::<Store>()?;
                wishlists::by_token(store, &token).await.gql().map(Wishlist)
            }
            _ => Err(StoreError::invalid("id", "give either id or token")).gql(),
        }
    }
}

#[derive(Default)]
pub struct WishlistsMutation;

#[Object]
impl WishlistsMutation {
    /// Creates a wishlist for the signed-in customer (at most `STOREFRONT_WISHLIST_MAX_LISTS`).
    async fn create_wishlist(
        &self,
        ctx: &Context<'_>,
        input: CreateWishlistInput,
    ) -> Result<Wishlist> {
        let (store, customer_id) = caller(ctx).await?;
        let new = wishlists::NewWishlist {
            name: Some(input.name),
            is_private: input.is_private,
            is_default: input.is_default,
        };
        wishlists::create(store, &customer_id, &new)
            .await
            .gql()
            .map(Wishlist)
    }

    /// Renames a wishlist, shares it or makes it private, or makes it the default.
    async fn update_wishlist(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWishlistInput,
    ) -> Result<Wishlist> {
        let (store, customer_id) = caller(ctx).await?;
        let changes = wishlists::WishlistChanges {
            name: input.name,
            is_private: input.is_private,
            is_default: input.is_default,
        };
        wishlists::update(store, &customer_id, &id, &changes)
            .await
            .gql()
            .map(Wishlist)
    }

    /// Deletes a wishlist and its items; when it was the default, the oldest remaining list
    /// becomes the default. Returns its id.
    async fn delete_wishlist(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let (store, customer_id) = caller(ctx).await?;
        wishlists::delete(store, &customer_id, &id).await.gql()?;
        Ok(id)
    }

    /// Puts a variant on a wishlist (quantity 1 unless given); a variant already there gets
    /// its quantity raised. Returns the wishlist.
    async fn add_wishlist_item(
        &self,
        ctx: &Context<'_>,
        wishlist_id: ID,
        variant_id: ID,
        quantity: Option<i32>,
    ) -> Result<Wishlist> {
        let (store, customer_id) = caller(ctx).await?;
        let quantity = i64::from(quantity.unwrap_or(1));
        wishlists::add_item(store, &customer_id, &wishlist_id, &variant_id, quantity)
            .await
            .gql()?;
        wishlists::get(store, &customer_id, &wishlist_id)
            .await
            .gql()
            .map(Wishlist)
    }

    /// Sets the quantity of a wishlist item. Returns the wishlist.
    async fn update_wishlist_item(
        &self,
        ctx: &Context<'_>,
        wishlist_id: ID,
        item_id: ID,
        quantity: i32,
    ) -> Result<Wishlist> {
        let (store, customer_id) = caller(ctx).await?;
        wishlists::update_item(
            store,
            &customer_id,
            &wishlist_id,
            &item_id,
            i64::from(quantity),
        )
        .await
        .gql()?;
        wishlists::get(store, &customer_id, &wishlist_id)
            .await
            .gql()
            .map(Wishlist)
    }

    /// Removes an item from a wishlist. Returns the wishlist.
    async fn remove_wishlist_item(
        &self,
        ctx: &Context<'_>,
        wishlist_id: ID,
        item_id: ID,
    ) -> Result<Wishlist> {
        let (store, customer_id) = caller(ctx).await?;
        wishlists::remove_item(store, &customer_id, &wishlist_id, &item_id)
            .await
            .gql()?;
        wishlists::get(store, &customer_id, &wishlist_id)
            .await
            .gql()
            .map(Wishlist)
    }
}
