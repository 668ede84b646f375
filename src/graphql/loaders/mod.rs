//! Dataloaders: one `Loader` per file, each answering a batch of keys with one `IN` query
//! through a `store::` function. A fresh set is made for every GraphQL request
//! ([`Loaders::new`]), so nothing is cached across requests.

mod categories;
mod category_children;
mod category_permalinks;
mod images;
mod option_types;
mod option_values;
mod prices;
mod product_categories;
mod variants;

use async_graphql::dataloader::DataLoader;
use async_graphql::{BatchRequest, Context};

pub use categories::CategoriesById;
pub use category_children::ChildrenByCategory;
pub use category_permalinks::CategoriesByPermalink;
pub use images::ImagesByProduct;
pub use option_types::OptionTypesByProduct;
pub use option_values::OptionValuesByVariant;
pub use prices::PricesByVariant;
pub use product_categories::CategoriesByProduct;
pub use variants::VariantsByProduct;

use crate::store::Store;

/// Every dataloader of one request.
pub struct Loaders {
    pub variants: DataLoader<VariantsByProduct>,
    pub prices: DataLoader<PricesByVariant>,
    pub option_values: DataLoader<OptionValuesByVariant>,
    pub option_types: DataLoader<OptionTypesByProduct>,
    pub product_categories: DataLoader<CategoriesByProduct>,
    pub images: DataLoader<ImagesByProduct>,
    pub categories: DataLoader<CategoriesById>,
    pub category_permalinks: DataLoader<CategoriesByPermalink>,
    pub category_children: DataLoader<ChildrenByCategory>,
}

impl Loaders {
    /// A fresh set for one request; prices are in the shop's currency.
    pub fn new(store: &Store) -> Self {
        let s = || store.clone();
        Self {
            variants: DataLoader::new(VariantsByProduct(s()), tokio::spawn),
            prices: DataLoader::new(
                PricesByVariant {
                    store: s(),
                    currency: store.config().currency.clone(),
                },
                tokio::spawn,
            ),
            option_values: DataLoader::new(OptionValuesByVariant(s()), tokio::spawn),
            option_types: DataLoader::new(OptionTypesByProduct(s()), tokio::spawn),
            product_categories: DataLoader::new(CategoriesByProduct(s()), tokio::spawn),
            images: DataLoader::new(ImagesByProduct(s()), tokio::spawn),
            categories: DataLoader::new(CategoriesById(s()), tokio::spawn),
            category_permalinks: DataLoader::new(CategoriesByPermalink(s()), tokio::spawn),
            category_children: DataLoader::new(ChildrenByCategory(s()), tokio::spawn),
        }
    }

    /// The request's loaders.
    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Self> {
        ctx.data::<Self>()
    }
}

/// Gives every operation of a batch its own fresh loaders.
pub fn attach(mut batch: BatchRequest, store: &Store) -> BatchRequest {
    for request in batch.iter_mut() {
        request.data.insert(Loaders::new(store));
    }
    batch
}
