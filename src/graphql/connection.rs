//! What every Relay connection shares.

use async_graphql::SimpleObject;

use crate::store::pagination::Page;

/// Where a page sits in its list. Pagination is forward-only (`first`, `after`):
/// `hasPreviousPage` is true when the page was asked for after a cursor.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.start_cursor().map(str::to_owned),
            end_cursor: page.end_cursor().map(str::to_owned),
        }
    }
}

/// The cost of a connection field for the complexity limit: its selection once per node it may
/// return (`first`, or the default page), so a wide page of a deep selection costs what it
/// will do, and nested connections multiply.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.map_or(crate::store::pagination::DEFAULT_FIRST, i64::from);
    let nodes = first.clamp(1, crate::store::pagination::MAX_FIRST) as usize;
    nodes.saturating_mul(child_complexity).saturating_add(1)
}
