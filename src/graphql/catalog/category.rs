//! `Category` and its connection.

use async_graphql::{Context, ID, Object, Result};

use super::ProductFilterInput;
use super::ProductSortInput;
use super::product::ProductConnection;
use crate::graphql::ToGraphql;
use crate::graphql::connection::PageInfo;
use crate::graphql::loaders::Loaders;
use crate::store::Store;
use crate::store::catalog::categories::CategoryFilter;
use crate::store::catalog::products::{ProductFilter, ProductQuery};
use crate::store::catalog::{self, Category as CategoryRow};
use crate::store::pagination::Page;

/// A node of the category tree.
pub struct Category(pub CategoryRow);

#[Object]
impl Category {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The full slug path, `clothing/men/shirts`.
    async fn permalink(&self) -> &str {
        &self.0.permalink
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// 0 for a root.
    async fn depth(&self) -> i32 {
        self.0.depth
    }

    /// Order among its siblings.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn meta_title(&self) -> Option<&str> {
        self.0.meta_title.as_deref()
    }

    async fn meta_description(&self) -> Option<&str> {
        self.0.meta_description.as_deref()
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(parent) = self.0.parent_id.clone() else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?
            .categories
            .load_one(parent)
            .await?
            .map(Category))
    }

    /// The direct children, in order.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        Ok(self
            .children_of(ctx)
            .await?
            .into_iter()
            .map(Category)
            .collect())
    }

    /// The categories above this one, root first.
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let permalinks = self.0.ancestor_permalinks();
        let mut found = Loaders::of(ctx)?
            .category_permalinks
            .load_many(permalinks.clone())
            .await?;
        Ok(permalinks
            .iter()
            .filter_map(|p| found.remove(p))
            .map(Category)
            .collect())
    }

    /// Has no children.
    async fn is_leaf(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.children_of(ctx).await?.is_empty())
    }

    /// The visible products of this category and its descendants.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProductFilterInput>,
        sort: Option<ProductSortInput>,
    ) -> Result<ProductConnection> {
        let mut filter: ProductFilter = filter.map(Into::into).unwrap_or_default();
        filter.category_ids = vec![self.0.id.clone()];
        let query = ProductQuery {
            filter,
            sort: sort.unwrap_or_default().into(),
            first: first.map(i64::from),
            after,
            ..ProductQuery::default()
        };
        super::products_connection(ctx, query).await
    }
}

impl Category {
    async fn children_of(&self, ctx: &Context<'_>) -> Result<Vec<CategoryRow>> {
        Ok(Loaders::of(ctx)?
            .category_children
            .load_one(self.0.id.clone())
            .await?
            .unwrap_or_default())
    }
}

/// A page of categories.
pub struct CategoryConnection {
    pub page: Page<CategoryRow>,
    pub filter: CategoryFilter,
}

/// A category and its cursor.
pub struct CategoryEdge {
    cursor: String,
    node: CategoryRow,
}

#[Object]
impl CategoryEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> Category {
        Category(self.node.clone())
    }
}

#[Object]
impl CategoryConnection {
    async fn edges(&self) -> Vec<CategoryEdge> {
        self.page
            .items
            .iter()
            .map(|(cursor, node)| CategoryEdge {
                cursor: cursor.clone(),
                node: node.clone(),
            })
            .collect()
    }

    async fn nodes(&self) -> Vec<Category> {
        self.page
            .items
            .iter()
            .map(|(_, node)| Category(node.clone()))
            .collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.page)
    }

    /// How many categories match the filter, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        catalog::categories::count(ctx.data::<Store>()?, &self.filter)
            .await
            .gql()
    }
}
