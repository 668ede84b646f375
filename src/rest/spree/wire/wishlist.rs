//! Spree's `Wishlist`, `WishlistItem` and `CreditCard` (spree.md section 9), and the bodies
//! their routes take.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::catalog::Variant;
use crate::store::catalog::{OptionValue as OptionValueRow, Price as PriceRow};
use crate::store::{payment_methods, wishlists};

/// Spree's `Wishlist`; `items` only when expanded (`expand=items`).
#[derive(Clone, Debug, Serialize)]
pub struct Wishlist {
    pub id: String,
    pub name: String,
    pub token: String,
    pub is_default: bool,
    pub is_private: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<WishlistItem>>,
}

/// Spree's `WishlistItem` (a wished item), plus `available`: false once its product is no
/// longer sold (it stays on the list).
#[derive(Clone, Debug, Serialize)]
pub struct WishlistItem {
    pub id: String,
    pub variant_id: String,
    pub product_id: String,
    pub wishlist_id: String,
    pub quantity: i32,
    pub available: bool,
    pub variant: Variant,
}

/// What a wishlist's items need besides themselves: each variant's price and option values.
#[derive(Default)]
pub struct ItemParts {
    pub prices: HashMap<String, PriceRow>,
    pub values: HashMap<String, Vec<OptionValueRow>>,
}

impl WishlistItem {
    pub fn new(item: &wishlists::WishlistItem, parts: &ItemParts) -> Self {
        let v = &item.variant;
        Self {
            id: item.id.clone(),
            variant_id: v.id.clone(),
            product_id: v.product_id.clone(),
            wishlist_id: item.wishlist_id.clone(),
            quantity: item.quantity,
            available: item.available,
            variant: Variant::new(
                v,
                parts.prices.get(&v.id),
                parts.values.get(&v.id).map_or(&[][..], Vec::as_slice),
                &[],
            ),
        }
    }
}

impl Wishlist {
    /// The list, with its items when `parts` is given (expanded).
    pub fn new(list: &wishlists::Wishlist, parts: Option<&ItemParts>) -> Self {
        Self {
            id: list.id.clone(),
            name: list.name.clone(),
            token: list.token.clone(),
            is_default: list.is_default,
            is_private: list.is_private,
            items: parts.map(|parts| {
                list.items
                    .iter()
                    .map(|i| WishlistItem::new(i, parts))
                    .collect()
            }),
        }
    }
}

/// `POST /wishlists` and `PATCH /wishlists/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WishlistBody {
    pub name: Option<String>,
    pub is_private: Option<bool>,
    pub is_default: Option<bool>,
}

/// `POST /wishlists/{id}/items` and `PATCH /wishlists/{id}/items/{item_id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WishlistItemBody {
    pub variant_id: Option<String>,
    pub quantity: Option<i64>,
}

/// Spree's `CreditCard`. `gateway_payment_profile_id` (the provider's token) is always null:
/// customers never see it.
#[derive(Clone, Debug, Serialize)]
pub struct CreditCard {
    pub id: String,
    pub brand: String,
    pub last4: String,
    pub month: i32,
    pub year: i32,
    pub name: Option<String>,
    pub default: bool,
    pub gateway_payment_profile_id: Option<String>,
}

impl From<payment_methods::PaymentMethod> for CreditCard {
    fn from(m: payment_methods::PaymentMethod) -> Self {
        Self {
            id: m.id,
            brand: m.brand,
            last4: m.last4,
            month: m.exp_month,
            year: m.exp_year,
            name: m.holder_name,
            default: m.is_default,
            gateway_payment_profile_id: None,
        }
    }
}
