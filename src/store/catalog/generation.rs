//! The catalogue's generation: a counter this instance bumps whenever what shoppers see of the
//! catalogue may have changed (its own stock-moving writes, and any instance's events that
//! tell of one). Whatever keeps copies of catalogue answers (the GraphQL micro-cache) tags them
//! with the generation they were read at and drops a copy whose generation is no longer
//! current, so a change is visible to the next read.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::events::kind;

/// A monotonic counter of catalogue changes seen by this instance.
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    /// The current generation: read it before reading the catalogue, and keep a copy of the
    /// answer only under that value.
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Says that the catalogue (or stock) changed: every copy read before is stale.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Whether an event (from any instance) implies a change of stock or of the catalogue. No
/// event reports stock itself; placing and canceling an order move stock and units sold.
pub fn changes_catalog(event_type: &str) -> bool {
    matches!(event_type, kind::ORDER_PLACED | kind::ORDER_CANCELED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_placed_and_canceled_change_the_catalogue() {
        assert!(changes_catalog("order.placed") && changes_catalog("order.canceled"));
        assert!(!changes_catalog("order.paid") && !changes_catalog("customer.created"));
        let g = Generation::default();
        let before = g.current();
        g.bump();
        assert!(g.current() > before);
    }
}
