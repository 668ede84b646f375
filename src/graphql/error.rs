//! `StoreError` as a GraphQL error: a message and `extensions.code`, plus `fields` for bad input
//! and `retryAfter` for throttling. Server errors are logged here and sent as a plain message.

use async_graphql::{Error, ErrorExtensions};

use crate::error::StoreError;

/// Converts a service-layer result into a resolver result.
pub trait ToGraphql<T> {
    fn gql(self) -> Result<T, Error>;
}

impl<T> ToGraphql<T> for Result<T, StoreError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(to_error)
    }
}

fn to_error(e: StoreError) -> Error {
    if let Some(detail) = e.log_detail() {
        tracing::error!(code = e.code(), detail, "request failed");
    }
    let code = e.code();
    let message = e.input_message(camel_case).unwrap_or_else(|| e.to_string());
    let base = Error::new(message);
    match e {
        StoreError::InvalidInput { fields, .. } => base.extend_with(|_, ext| {
            ext.set("code", code);
            let list: Vec<async_graphql::Value> = fields
                .iter()
                .map(|f| {
                    let mut map = async_graphql::indexmap::IndexMap::new();
                    map.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(camel_case(&f.field)),
                    );
                    map.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(f.message.clone()),
                    );
                    async_graphql::Value::Object(map)
                })
                .collect();
            ext.set("fields", list);
        }),
        StoreError::RateLimited { retry_after_secs } => base.extend_with(|_, ext| {
            ext.set("code", code);
            ext.set("retryAfter", retry_after_secs);
        }),
        StoreError::Conflict {
            field: Some(field), ..
        } => base.extend_with(|_, ext| {
            ext.set("code", code);
            ext.set("field", camel_case(&field));
        }),
        _ => base.extend_with(|_, ext| ext.set("code", code)),
    }
}

/// `first_name` -> `firstName`: field names as the GraphQL schema spells them.
fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for ch in field.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}
