//! What every Spree handler extracts first: the caller, once its publishable key has been
//! checked (Spree checks `x-spree-api-key` before anything else), and the query string read
//! Spree's way (`q[name_cont]=...`, `q[in_categories][]=...`, comma lists).

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::SpreeError;
use crate::http::auth::{self, Auth, PublishableKey, RequestAuth};
use crate::rest::PageRequest;
use crate::state::AppState;

/// The request's credentials, after the publishable key was found active.
pub struct Shopper(pub RequestAuth);

impl std::ops::Deref for Shopper {
    type Target = RequestAuth;

    fn deref(&self) -> &RequestAuth {
        &self.0
    }
}

impl FromRequestParts<AppState> for Shopper {
    type Rejection = SpreeError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, SpreeError> {
        let Ok(found) = Auth::<auth::Spree>::from_request_parts(parts, state).await;
        let auth = found.into_inner();
        match auth.publishable_key(&state.store).await? {
            PublishableKey::Valid => Ok(Self(auth)),
            PublishableKey::Missing | PublishableKey::Invalid => Err(SpreeError::invalid_api_key()),
        }
    }
}

/// The query string as name/value pairs, in order. Never fails: a parameter Spree does not
/// know is ignored, as Spree ignores it.
#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Self(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

/// Spree's default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

impl Params {
    /// From pairs (tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The last non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// `q[name]`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.get(&format!("q[{name}]"))
    }

    /// Every value of `q[name][]` (and of a comma list in `q[name]`).
    pub fn q_list(&self, name: &str) -> Vec<String> {
        let many = format!("q[{name}][]");
        let one = format!("q[{name}]");
        self.0
            .iter()
            .filter(|(k, _)| *k == many || *k == one)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `q[name]` read as a boolean flag (`true`, `1`).
    pub fn q_flag(&self, name: &str) -> bool {
        matches!(self.q(name), Some("true" | "1"))
    }

    /// A comma list parameter (`expand`, `fields`).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `page` and `limit` as Pagy reads them: page at least 1 (default 1), limit 1 to 100
    /// (default 25, larger values clamped); anything unreadable takes the default.
    pub fn page(&self) -> PageRequest {
        let number = |name: &str| self.get(name).and_then(|v| v.trim().parse::<i64>().ok());
        let page = number("page").filter(|p| *p >= 1).unwrap_or(1);
        let limit = number("limit")
            .filter(|l| *l >= 1)
            .map_or(DEFAULT_LIMIT, |l| l.min(MAX_LIMIT));
        PageRequest::numbered(page, limit)
    }
}

/// A JSON body; a malformed, oversized or non-JSON one fails in Spree's envelope
/// (through [`crate::rest::Body`]).
pub struct In<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for In<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = SpreeError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, SpreeError> {
        crate::rest::Body::<T, SpreeError>::from_request(req, state)
            .await
            .map(|body| Self(body.into_inner()))
    }
}

/// `fields=a,b`: keeps only those top-level keys of each record (`id` always, and any
/// expanded association), on a record or on each record of a `{data, meta}` list. Customers,
/// orders and products all answer `fields` this way (spree.md §1).
///
/// Without `fields` the record is serialized straight into the body: going through a `Value`
/// cost a map insert and a key allocation per field of every product and variant of a page.
pub fn pick<T: Serialize>(value: T, params: &Params) -> Result<Response, SpreeError> {
    let fields = params.list("fields");
    if fields.is_empty() {
        return Ok(Json(value).into_response());
    }
    let mut value = serde_json::to_value(value).map_err(crate::store::StoreError::from)?;
    let expand = params.list("expand");
    let keep = |key: &str| {
        key == "id"
            || fields.iter().any(|f| f == key)
            || expand.iter().any(|e| e.split('.').next() == Some(key))
    };
    let trim = |record: &mut Value| {
        if let Some(map) = record.as_object_mut() {
            map.retain(|k, _| keep(k));
        }
    };
    match value.get_mut("data").and_then(Value::as_array_mut) {
        Some(records) => records.iter_mut().for_each(trim),
        None => trim(&mut value),
    }
    Ok(Json(value).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spree_query_strings() {
        let p = Params::from_pairs(&[
            ("q[in_categories][]", "ctg_a"),
            ("q[in_categories][]", "ctg_b"),
            ("q[in_stock]", "true"),
            ("limit", "500"),
            ("page", "0"),
            ("expand", "variants, option_types"),
        ]);
        assert_eq!(p.q_list("in_categories"), ["ctg_a", "ctg_b"]);
        assert!(p.q_flag("in_stock"));
        assert_eq!(p.page(), PageRequest::numbered(1, 100));
        assert_eq!(p.list("expand"), ["variants", "option_types"]);
    }
}
