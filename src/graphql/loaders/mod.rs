//! Dataloaders: one `Loader` per file, each answering a batch of keys with one `IN` query
//! through a `store::` function. A fresh set is made for every GraphQL operation
//! (`graphql::engine`), so nothing is cached across requests.

mod addresses;
mod categories;
mod category_children;
mod category_permalinks;
mod images;
mod line_items;
mod option_types;
mod option_values;
mod orders;
mod prices;
mod product_categories;
mod products;
mod variants;
mod variants_by_id;

use async_graphql::dataloader::{DataLoader, HashMapCache};

use async_graphql::Context;

pub use addresses::AddressesByCustomer;
pub use categories::CategoriesById;
pub use category_children::ChildrenByCategory;
pub use category_permalinks::CategoriesByPermalink;
pub use images::ImagesByProduct;
pub use line_items::LineItemsByOrder;
pub use option_types::OptionTypesByProduct;
pub use option_values::OptionValuesByVariant;
pub use orders::{OrdersByCustomer, OrdersKey};
pub use prices::PricesByVariant;
pub use product_categories::CategoriesByProduct;
pub use products::ProductsById;
pub use variants::VariantsByProduct;
pub use variants_by_id::VariantsById;

use crate::store::Store;

/// A dataloader whose answers are kept for the rest of the request, so that a listing can
/// load a whole page's parts in one batch up front and the fields then read them (see
/// `graphql::catalog::product::prefetch`): batches then do not depend on timing.
pub type Cached<T> = DataLoader<T, HashMapCache>;

/// Every dataloader of one request.
pub struct Loaders {
    pub addresses: Cached<AddressesByCustomer>,
    pub orders: Cached<OrdersByCustomer>,
    pub line_items: Cached<LineItemsByOrder>,
    pub variants: Cached<VariantsByProduct>,
    pub prices: Cached<PricesByVariant>,
    pub option_values: Cached<OptionValuesByVariant>,
    pub option_types: Cached<OptionTypesByProduct>,
    pub product_categories: Cached<CategoriesByProduct>,
    pub images: Cached<ImagesByProduct>,
    pub categories: Cached<CategoriesById>,
    pub category_permalinks: Cached<CategoriesByPermalink>,
    pub category_children: Cached<ChildrenByCategory>,
    pub products: Cached<ProductsById>,
    pub variants_by_id: Cached<VariantsById>,
}

impl Loaders {
    /// A fresh set for one request; prices are in the shop's currency.
    pub fn new(store: &Store) -> Self {
        let s = || store.clone();
        Self {
            addresses: cached(AddressesByCustomer(s())),
            orders: cached(OrdersByCustomer(s())),
            line_items: cached(LineItemsByOrder(s())),
            variants: cached(VariantsByProduct(s())),
            prices: cached(PricesByVariant {
                store: s(),
                currency: store.config().currency.clone(),
            }),
            option_values: cached(OptionValuesByVariant(s())),
            option_types: cached(OptionTypesByProduct(s())),
            product_categories: cached(CategoriesByProduct(s())),
            images: cached(ImagesByProduct(s())),
            categories: cached(CategoriesById(s())),
            category_permalinks: cached(CategoriesByPermalink(s())),
            category_children: cached(ChildrenByCategory(s())),
            products: cached(ProductsById(s())),
            variants_by_id: cached(VariantsById(s())),
        }
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Self> {
        ctx.data::<Self>()
    }
}

fn cached<K, T>(loader: T) -> Cached<T>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    T: async_graphql::dataloader::Loader<K>,
{
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}
