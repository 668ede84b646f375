//! Serde types in Spree's exact shape (spree.md section 9): every key always present, `null`
//! where Spree has nothing, money as `BigDecimal#to_s` strings with `display_*` twins.

pub mod account;
pub mod balances;
pub mod catalog;
pub mod order;
pub mod wishlist;

use serde::Serialize;

use crate::rest::PageRequest;
use crate::store::money::Money;

/// A page of a list with Pagy's `meta` (spree.md section 1).
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub meta: Meta,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Meta {
    pub page: i64,
    pub limit: i64,
    pub count: i64,
    pub pages: i64,
    pub from: i64,
    pub to: i64,
    #[serde(rename = "in")]
    pub in_page: i64,
    pub previous: Option<i64>,
    pub next: Option<i64>,
}

impl Meta {
    /// The meta of page `request` showing `shown` of `count` records.
    pub fn new(request: PageRequest, count: i64, shown: usize) -> Self {
        let page = request.page();
        let pages = request.pages(count);
        let shown = shown as i64;
        let (from, to) = if shown == 0 {
            (0, 0)
        } else {
            (request.offset + 1, request.offset + shown)
        };
        Self {
            page,
            limit: request.limit,
            count,
            pages,
            from,
            to,
            in_page: shown,
            previous: (page > 1).then(|| (page - 1).min(pages)),
            next: (page < pages).then_some(page + 1),
        }
    }
}

impl<T> List<T> {
    pub fn new(data: Vec<T>, request: PageRequest, count: i64) -> Self {
        let meta = Meta::new(request, count, data.len());
        Self { data, meta }
    }
}

/// An amount as Ruby's `BigDecimal#to_s` writes it: `"19.99"`, `"10.0"`, `"0.0"`.
pub fn amount(money: &Money) -> String {
    let decimal = money.decimal();
    match decimal.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            let fraction = if fraction.is_empty() { "0" } else { fraction };
            format!("{whole}.{fraction}")
        }
        None => format!("{decimal}.0"),
    }
}

/// An amount with its currency's symbol: `"$19.99"`.
pub fn display(money: &Money) -> String {
    money.formatted()
}

/// A timestamp as Rails writes it in JSON: ISO 8601 with milliseconds and `Z`.
pub fn time(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_ruby_does() {
        assert_eq!(amount(&Money::new(1999, "USD")), "19.99");
        assert_eq!(amount(&Money::new(1000, "USD")), "10.0");
        assert_eq!(amount(&Money::new(1050, "USD")), "10.5");
        assert_eq!(amount(&Money::new(0, "USD")), "0.0");
        assert_eq!(display(&Money::new(0, "USD")), "$0.00");
    }

    #[test]
    fn meta_follows_pagy() {
        let m = Meta::new(PageRequest::numbered(2, 10), 85, 10);
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"page":2,"limit":10,"count":85,"pages":9,"from":11,"to":20,"in":10,"previous":1,"next":3})
        );
        let empty = Meta::new(PageRequest::numbered(1, 25), 0, 0);
        assert_eq!(
            (empty.pages, empty.from, empty.to, empty.next),
            (1, 0, 0, None)
        );
    }
}
