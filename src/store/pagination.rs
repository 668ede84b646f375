//! Forward pagination shared by every list: `first` (at most [`MAX_FIRST`]) and an opaque
//! `after` cursor.
//!
//! A cursor is URL-safe base64 (no padding) of a small JSON object `{"s": order, "k": key,
//! "id": id}`: the name of the order it was made for, the row's sort key and its id. Lists use
//! keyset pagination (`WHERE (key, id) > (k, id)`), so a cursor stays valid while rows are added
//! or removed, and a page costs the same however deep it is. A cursor that does not decode, or
//! was made for another order, is `BAD_USER_INPUT` (field `after`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;

/// Most items a page may hold. Asking for more is `BAD_USER_INPUT`, not silently clamped: a
/// client that asked for 500 and got 100 might conclude the list has 100 items.
pub const MAX_FIRST: i64 = 100;
/// Items a page holds when `first` is not given.
pub const DEFAULT_FIRST: i64 = 20;

/// One page of a list: items with their cursors, and whether more follow.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next_page: bool,
    /// True when the page starts after a cursor (forward-only pagination, as Relay allows).
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `first + 1` rows: the extra row only says that more follow.
    pub fn from_rows(
        mut rows: Vec<T>,
        first: usize,
        has_previous_page: bool,
        cursor: impl Fn(&T) -> String,
    ) -> Self {
        let has_next_page = rows.len() > first;
        rows.truncate(first);
        Self {
            items: rows.into_iter().map(|row| (cursor(&row), row)).collect(),
            has_next_page,
            has_previous_page,
        }
    }

    /// A page with nothing on it.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
        }
    }

    /// Converts the items, keeping cursors and flags.
    pub fn map<U>(self, f: impl Fn(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(c, t)| (c, f(t))).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
        }
    }

    pub fn start_cursor(&self) -> Option<&str> {
        self.items.first().map(|(cursor, _)| cursor.as_str())
    }

    pub fn end_cursor(&self) -> Option<&str> {
        self.items.last().map(|(cursor, _)| cursor.as_str())
    }
}

/// Checks `first`: absent means [`DEFAULT_FIRST`]; negative or above [`MAX_FIRST`] is refused.
pub fn first(first: Option<i64>) -> Result<usize, StoreError> {
    match first.unwrap_or(DEFAULT_FIRST) {
        n if n < 0 => Err(StoreError::invalid("first", "must not be negative")),
        n if n > MAX_FIRST => Err(StoreError::invalid(
            "first",
            format!("must be at most {MAX_FIRST}"),
        )),
        n => Ok(n as usize),
    }
}

/// Checks an offset (rows skipped before a page): not negative.
pub fn offset(offset: i64) -> Result<i64, StoreError> {
    if offset < 0 {
        return Err(StoreError::invalid("offset", "must not be negative"));
    }
    Ok(offset)
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    s: String,
    k: Value,
    id: String,
}

/// A decoded cursor: the sort key of the last row seen and its id.
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub key: Value,
    pub id: String,
}

impl Cursor {
    /// Encodes the position of a row in the list ordered by `order`.
    pub fn encode(order: &str, key: Value, id: &str) -> String {
        let body = CursorBody {
            s: order.to_owned(),
            k: key,
            id: id.to_owned(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
    }

    /// Decodes a cursor made by [`Cursor::encode`] for the same `order`.
    pub fn decode(order: &str, cursor: &str) -> Result<Self, StoreError> {
        let invalid = || StoreError::invalid("after", "is not a valid cursor for this list");
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .map_err(|_| invalid())?;
        let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if body.s != order || body.id.is_empty() {
            return Err(invalid());
        }
        Ok(Self {
            key: body.k,
            id: body.id,
        })
    }

    /// The key as an integer, or `BAD_USER_INPUT`.
    pub fn int_key(&self) -> Result<i64, StoreError> {
        self.key.as_i64().ok_or_else(Self::invalid)
    }

    /// The key as text, or `BAD_USER_INPUT`.
    pub fn text_key(&self) -> Result<String, StoreError> {
        self.key
            .as_str()
            .map(str::to_owned)
            .ok_or_else(Self::invalid)
    }

    /// The key as a timestamp (written as `%Y-%m-%dT%H:%M:%S%.f`), or `BAD_USER_INPUT`.
    pub fn time_key(&self) -> Result<chrono::NaiveDateTime, StoreError> {
        self.key
            .as_str()
            .and_then(|s| chrono::NaiveDateTime::parse_from_str(s, TIME_FORMAT).ok())
            .ok_or_else(Self::invalid)
    }

    fn invalid() -> StoreError {
        StoreError::invalid("after", "is not a valid cursor for this list")
    }
}

/// How timestamps are written into cursors.
pub const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_orders() {
        let c = Cursor::encode("name", Value::from("Shirt"), "prod_1");
        assert_eq!(
            Cursor::decode("name", &c).unwrap(),
            Cursor {
                key: Value::from("Shirt"),
                id: "prod_1".into()
            }
        );
        assert!(Cursor::decode("price", &c).is_err());
        assert!(Cursor::decode("name", "not base64!").is_err());
        assert!(Cursor::decode("name", &URL_SAFE_NO_PAD.encode("{}")).is_err());
    }

    #[test]
    fn first_is_bounded() {
        assert_eq!(first(None).unwrap(), 20);
        assert_eq!(first(Some(100)).unwrap(), 100);
        assert!(first(Some(101)).is_err());
        assert!(first(Some(-1)).is_err());
    }
}
