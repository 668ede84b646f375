//! Which products shoppers see: active, available (`available_on` empty or past) and not
//! discontinued (`discontinue_on` empty or future). The rule is written here once in its two
//! renderings, side by side: [`is_visible`] for a product in hand and [`push_sql`] for the
//! listing's `WHERE`; a test inserts products on every edge and checks that they agree.

use chrono::NaiveDateTime;

use crate::db::sql::{Bind, Sql};

/// The status of a product on sale (others: `draft`, `archived`).
pub const ACTIVE: &str = "active";

/// Whether a product with these columns is shown at `now`.
pub fn is_visible(
    status: &str,
    available_on: Option<NaiveDateTime>,
    discontinue_on: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    status == ACTIVE
        && available_on.is_none_or(|on| on <= now)
        && discontinue_on.is_none_or(|off| off > now)
}

/// The same rule as SQL over `products p`, every value bound.
pub(super) fn push_sql(sql: &mut Sql, now: NaiveDateTime) {
    // On SQLite the unary `+` keeps the planner off the (status, available_on) index, which
    // nearly every row passes, so that it walks the index of the sort order instead and stops
    // after one page (0.1 ms instead of 12 ms on 10,000 products).
    // The status is spliced, not bound: a constant of ours, and a literal lets the planner use
    // the column's statistics.
    let status = if sql.is_postgres() {
        "p.status"
    } else {
        "+p.status"
    };
    sql.push(&format!("{status} = '{ACTIVE}'"))
        .push(" AND (p.available_on IS NULL OR p.available_on <= ")
        .bind(Bind::Time(now))
        .push(") AND (p.discontinue_on IS NULL OR p.discontinue_on > ")
        .bind(Bind::Time(now))
        .push(")");
}
