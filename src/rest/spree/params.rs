//! Spree's spellings of the store's catalogue parameters: the `sort` of `GET /products`, and
//! the `{id}` of `/products/{id}` and `/categories/{id}` that is an id or a slug/permalink.

use super::extract::Params;
use crate::store::StoreError;
use crate::store::catalog::categories::{CategoryFilter, CategoryKey};
use crate::store::catalog::products::{ProductFilter, ProductKey, ProductSort};
use crate::store::ids::prefix;
use crate::store::money::Money;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use crate::store::orders::history::{OrderFilter, OrderSort};
use crate::store::orders::{FulfillmentStatus, OrderStatus, PaymentStatus};

/// Parses Spree's `sort` parameter (`price`, `-price`, `name`, `-name`, `available_on`,
/// `-available_on`, `best_selling`, `manual`).
pub fn product_sort(sort: &str) -> Result<ProductSort, StoreError> {
    Ok(match sort {
        "manual" | "position" => ProductSort::Manual,
        "name" => ProductSort::NameAsc,
        "-name" => ProductSort::NameDesc,
        "price" => ProductSort::PriceAsc,
        "-price" => ProductSort::PriceDesc,
        "-available_on" | "newest" => ProductSort::Newest,
        "available_on" => ProductSort::Oldest,
        "best_selling" => ProductSort::BestSelling,
        _ => return Err(StoreError::invalid("sort", "is not a known order")),
    })
}

/// `/products/{id}`: an id when it carries the product prefix, else a slug.
pub fn product_key(value: &str) -> ProductKey {
    if value.starts_with(&format!("{}_", prefix::PRODUCT)) {
        ProductKey::Id(value.to_owned())
    } else {
        ProductKey::Slug(value.to_owned())
    }
}

/// `/categories/{id}`: an id when it carries the category prefix, else a permalink (slashes
/// included, surrounding ones ignored).
pub fn category_key(value: &str) -> CategoryKey {
    if value.starts_with(&format!("{}_", prefix::CATEGORY)) {
        CategoryKey::Id(value.to_owned())
    } else {
        CategoryKey::Permalink(value.trim_matches('/').to_owned())
    }
}

/// The `q[...]` filters of `GET /products` and `GET /products/filters`. Prices are read in
/// `currency`; an unreadable one is a validation error naming its parameter.
pub fn product_filter(params: &Params, currency: &str) -> Result<ProductFilter, StoreError> {
    let price = |name: &str| {
        params
            .q(name)
            .map(|v| {
                Money::parse_decimal(v, currency)
                    .ok_or_else(|| StoreError::invalid(&format!("q[{name}]"), "is not a price"))
            })
            .transpose()
    };
    let mut category_ids = params.q_list("in_categories");
    category_ids.extend(params.q("in_category").map(str::to_owned));
    category_ids.extend(params.get("category_id").map(str::to_owned));
    Ok(ProductFilter {
        name: params.q("name_cont").map(str::to_owned),
        search: params.q("search").map(str::to_owned),
        category_ids,
        price_min: price("price_gte")?,
        price_max: price("price_lte")?,
        option_value_ids: params.q_list("with_option_value_ids"),
        in_stock: if params.q_flag("in_stock") {
            Some(true)
        } else if params.q_flag("out_of_stock") {
            Some(false)
        } else {
            None
        },
    })
}

/// The `q[...]` filters of `GET /categories`.
pub fn category_filter(params: &Params) -> Result<CategoryFilter, StoreError> {
    let depth = params
        .q("depth_eq")
        .map(|d| {
            d.trim()
                .parse::<i32>()
                .map_err(|_| StoreError::invalid("q[depth_eq]", "is not a number"))
        })
        .transpose()?;
    Ok(CategoryFilter {
        name: params.q("name_cont").map(str::to_owned),
        parent_id: params.q("parent_id_eq").map(str::to_owned),
        depth,
    })
}

/// Parses the `sort` of `GET /customers/me/orders` (`completed_at`, `-completed_at`, `total`,
/// `-total`, `number`, `-number`).
pub fn order_sort(sort: &str) -> Result<OrderSort, StoreError> {
    Ok(match sort {
        "-completed_at" => OrderSort::Newest,
        "completed_at" => OrderSort::Oldest,
        "total" => OrderSort::TotalAsc,
        "-total" => OrderSort::TotalDesc,
        "number" => OrderSort::NumberAsc,
        "-number" => OrderSort::NumberDesc,
        _ => return Err(StoreError::invalid("sort", "is not a known order")),
    })
}

/// An instant as ransack reads one: ISO 8601 with an offset, or a bare date (midnight UTC).
fn instant(params: &Params, name: &str) -> Result<Option<NaiveDateTime>, StoreError> {
    params
        .q(name)
        .map(|v| {
            let v = v.trim();
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.naive_utc())
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
                .or_else(|_| {
                    NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN))
                })
                .map_err(|_| StoreError::invalid(&format!("q[{name}]"), "is not a time"))
        })
        .transpose()
}

/// The `q[...]` filters of `GET /customers/me/orders` (spree.md §7): `state_eq`,
/// `payment_state_eq`, `shipment_state_eq`, `completed_at_gt|gteq|lt|lteq`, `number_eq|cont`,
/// `total_gteq|lteq` (in `currency`). A state value the store has no such state for matches
/// nothing, as ransack's comparison does; an unreadable time or amount is a validation error.
pub fn order_filter(params: &Params, currency: &str) -> Result<OrderFilter, StoreError> {
    let mut unmatched = false;
    let status = match params.q("state_eq") {
        None => None,
        Some("complete") => Some(OrderStatus::Placed),
        Some("canceled") => Some(OrderStatus::Canceled),
        Some(_) => {
            unmatched = true;
            None
        }
    };
    let payment = match params.q("payment_state_eq") {
        None => None,
        Some("paid") => Some(PaymentStatus::Paid),
        Some("balance_due") => Some(PaymentStatus::BalanceDue),
        Some("void") => Some(PaymentStatus::Void),
        Some(_) => {
            unmatched = true;
            None
        }
    };
    let fulfillment = match params.q("shipment_state_eq") {
        None => None,
        Some("pending" | "ready") => Some(FulfillmentStatus::Unfulfilled),
        Some("shipped") => Some(FulfillmentStatus::Fulfilled),
        Some("canceled") => Some(FulfillmentStatus::Canceled),
        Some(_) => {
            unmatched = true;
            None
        }
    };
    let total = |name: &str| {
        params
            .q(name)
            .map(|v| {
                Money::parse_decimal(v, currency)
                    .ok_or_else(|| StoreError::invalid(&format!("q[{name}]"), "is not an amount"))
            })
            .transpose()
    };
    Ok(OrderFilter {
        status,
        payment,
        fulfillment,
        unmatched,
        placed_after: instant(params, "completed_at_gt")?,
        placed_from: instant(params, "completed_at_gteq")?,
        placed_before: instant(params, "completed_at_lt")?,
        placed_until: instant(params, "completed_at_lteq")?,
        number: params.q("number_eq").map(str::to_owned),
        number_contains: params.q("number_cont").map(str::to_owned),
        total_min: total("total_gteq")?,
        total_max: total("total_lteq")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spree_sorts_and_keys() {
        assert_eq!(product_sort("-price").unwrap(), ProductSort::PriceDesc);
        assert_eq!(
            product_sort("best_selling").unwrap(),
            ProductSort::BestSelling
        );
        assert!(product_sort("cheapest").is_err());
        assert!(matches!(product_key("prod_01J"), ProductKey::Id(_)));
        assert!(matches!(product_key("red-shirt"), ProductKey::Slug(_)));
        assert!(
            matches!(category_key("/clothing/men/"), CategoryKey::Permalink(p) if p == "clothing/men")
        );
        assert!(matches!(category_key("ctg_01J"), CategoryKey::Id(_)));
        assert_eq!(order_sort("-total").unwrap(), OrderSort::TotalDesc);
        assert_eq!(order_sort("completed_at").unwrap(), OrderSort::Oldest);
        assert!(order_sort("price").is_err());
    }
}
