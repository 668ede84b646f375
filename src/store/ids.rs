//! Public ids: a type prefix and a ULID (`cus_01JD...`), made by the application and used as
//! primary keys, so ids sort by creation time and leak no counts.

/// Prefixes, short and lower case, one per kind of record.
pub mod prefix {
    pub const CUSTOMER: &str = "cus";
    pub const IDENTITY: &str = "ident";
    pub const SESSION: &str = "sess";
    pub const PASSWORD_RESET: &str = "pwr";
    pub const ADDRESS: &str = "addr";
    pub const API_KEY: &str = "apk";
    pub const ORDER: &str = "or";
    pub const LINE_ITEM: &str = "li";
    pub const PRODUCT: &str = "prod";
    pub const VARIANT: &str = "variant";
    pub const PRICE: &str = "price";
    pub const CATEGORY: &str = "ctg";
    pub const OPTION_TYPE: &str = "opt";
    pub const OPTION_VALUE: &str = "optval";
    pub const IMAGE: &str = "media";
    pub const EVENT: &str = "evt";
    pub const EMAIL_TOKEN: &str = "emt";
    pub const DATA_EXPORT: &str = "dex";
    pub const MAIL: &str = "mail";
    pub const SHIPPING_METHOD: &str = "sm";
    pub const PAYMENT_SESSION: &str = "payses";
    pub const WISHLIST: &str = "wl";
    pub const WISHLIST_ITEM: &str = "wi";
    /// A saved payment method (a card, mostly).
    pub const PAYMENT_METHOD: &str = "card";
    /// A store credit granted to a customer.
    pub const STORE_CREDIT: &str = "credit";
    /// A gift card.
    pub const GIFT_CARD: &str = "gc";
    /// A payment of a cart or order with a store credit or a gift card.
    pub const PAYMENT: &str = "py";
    /// A row of a balance's ledger.
    pub const BALANCE_MOVEMENT: &str = "bal";
}

/// A new id with this prefix.
pub fn new(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

/// A new id whose time part and randomness come from the caller (deterministic seeding).
pub fn from_parts(prefix: &str, millis: u64, random: u128) -> String {
    format!("{prefix}_{}", ulid::Ulid::from_parts(millis, random))
}

/// Whether `id` has the given prefix and a well-formed ULID after it.
pub fn is_valid(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|ulid| ulid::Ulid::from_string(ulid).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_sort_by_time() {
        let a = new(prefix::CUSTOMER);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new(prefix::CUSTOMER);
        assert!(a.starts_with("cus_") && a.len() == 30);
        assert!(a < b);
        assert!(is_valid("cus", &a));
        assert!(!is_valid("addr", &a));
        assert!(!is_valid("cus", "cus_nope"));
    }
}
