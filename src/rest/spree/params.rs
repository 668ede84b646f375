//! Spree's spellings of the store's catalogue parameters: the `sort` of `GET /products`, and
//! the `{id}` of `/products/{id}` and `/categories/{id}` that is an id or a slug/permalink.

use crate::store::StoreError;
use crate::store::catalog::categories::CategoryKey;
use crate::store::catalog::products::{ProductKey, ProductSort};
use crate::store::ids::prefix;

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
    }
}
