//! Medusa's error bodies: `{type, message}`, plus `code` where Medusa sends one (duplicates,
//! conflicts, unknown errors), and the bare `{"message": "Unauthorized"}` of its authentication
//! middleware. Every store error converts here once; a few routes name the same error in
//! their own words (`Identity with email already exists`), through the helpers below.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::Entity;
use crate::rest::DialectError;
use crate::store::StoreError;

/// An error answered in Medusa's shape.
#[derive(Debug)]
pub struct MedusaError {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
}

/// Medusa's `MedusaError.Types`, as they go over the wire.
pub mod kind {
    pub const INVALID_DATA: &str = "invalid_data";
    pub const NOT_ALLOWED: &str = "not_allowed";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const NOT_FOUND: &str = "not_found";
    pub const DUPLICATE: &str = "duplicate_error";
    pub const CONFLICT: &str = "conflict";
    pub const FORBIDDEN: &str = "forbidden";
    pub const UNKNOWN: &str = "unknown_error";
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";
}

/// The message of a publishable key that was not sent.
pub const KEY_MISSING: &str = "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard.";
/// The message of a publishable key that is unknown or revoked.
pub const KEY_INVALID: &str = "A valid publishable key is required to proceed with the request";

impl MedusaError {
    /// `{type, message}` with this status.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "type": kind, "message": message.into() }),
            retry_after: None,
        }
    }

    /// `{code, type, message}` with this status.
    pub fn coded(status: StatusCode, code: &str, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "code": code, "type": kind, "message": message.into() }),
            retry_after: None,
        }
    }

    /// Medusa's authentication middleware: 401 `{"message": "Unauthorized"}`.
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            body: json!({ "message": "Unauthorized" }),
            retry_after: None,
        }
    }

    /// 401 `{type: "unauthorized", message}`, as the auth routes answer.
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, kind::UNAUTHORIZED, message)
    }

    /// 400 `invalid_data` with zod's prefix, as route validation answers.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            kind::INVALID_DATA,
            format!("Invalid request: {}", message.into()),
        )
    }

    /// 400 `invalid_data` with a message of its own.
    pub fn invalid_data(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind::INVALID_DATA, message)
    }

    /// 400 `not_allowed`.
    pub fn not_allowed(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind::NOT_ALLOWED, message)
    }

    /// 404 `<Entity> with id: <id> was not found`.
    pub fn not_found(entity: Entity, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            format!("{} with id: {id} was not found", entity.label()),
        )
    }

    /// 422 duplicate, Medusa's answer to a taken email.
    pub fn duplicate(message: &str) -> Self {
        Self::coded(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request_error",
            kind::DUPLICATE,
            message,
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// Names the id in a not-found error (`Address with id: addr_1 was not found`); other errors
/// convert as usual.
pub fn with_id(id: &str) -> impl Fn(StoreError) -> MedusaError + '_ {
    move |e| match e {
        StoreError::NotFound { entity } => MedusaError::not_found(entity, id),
        other => other.into(),
    }
}

impl From<StoreError> for MedusaError {
    fn from(e: StoreError) -> Self {
        if let Some(detail) = e.log_detail() {
            tracing::error!(code = e.code(), detail, "medusa request failed");
        }
        match e {
            StoreError::NotFound { entity } => Self::new(
                StatusCode::NOT_FOUND,
                kind::NOT_FOUND,
                format!("{} was not found", entity.label()),
            ),
            StoreError::Unauthenticated => Self::unauthorized(),
            StoreError::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, kind::FORBIDDEN, message)
            }
            StoreError::InvalidInput { .. } => {
                let message = e.input_message(str::to_owned).unwrap_or_default();
                Self::new(StatusCode::BAD_REQUEST, kind::INVALID_DATA, message)
            }
            StoreError::InvalidCredentials => Self::auth("Invalid email or password"),
            StoreError::InvalidToken(_) => Self::auth("Invalid token"),
            StoreError::EmailNotVerified => Self::auth("Email is not verified"),
            StoreError::Conflict {
                field: Some(field),
                message,
            } if field == "email" => {
                let _ = message;
                Self::duplicate("Customer with this email already has an account")
            }
            StoreError::Conflict { message, .. } => Self::coded(
                StatusCode::CONFLICT,
                "invalid_state_error",
                kind::CONFLICT,
                capitalised(&message),
            ),
            StoreError::GiftCardUnusable(problem) => Self::new(
                StatusCode::BAD_REQUEST,
                kind::NOT_ALLOWED,
                capitalised(problem.message()),
            ),
            StoreError::RateLimited { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    kind::TOO_MANY_REQUESTS,
                    format!("Too many attempts, try again in {retry_after_secs} seconds"),
                )
            },
            StoreError::Unavailable(_) => Self {
                retry_after: Some(1),
                ..Self::coded(
                    StatusCode::SERVICE_UNAVAILABLE,
                    kind::UNKNOWN,
                    kind::UNKNOWN,
                    "Service temporarily unavailable",
                )
            },
            StoreError::Internal(_) => Self::coded(
                StatusCode::INTERNAL_SERVER_ERROR,
                kind::UNKNOWN,
                kind::UNKNOWN,
                "An unknown error occurred.",
            ),
        }
    }
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl DialectError for MedusaError {
    fn bad_body(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                kind::INVALID_DATA,
                "request entity too large",
            ),
            // body-parser's answer to JSON it cannot parse: `{message, type}`.
            StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::new(StatusCode::BAD_REQUEST, kind::INVALID_DATA, message)
            }
            // JSON of the wrong shape: zod's 400 `Invalid request: ...`.
            _ => Self::invalid_request(shape_message(&message)),
        }
    }
}

/// serde's message without axum's prefix and the position suffix.
fn shape_message(message: &str) -> String {
    let message = message
        .strip_prefix("invalid request body: ")
        .unwrap_or(message);
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    let quoted = |rest: &str| rest.split('`').nth(1).unwrap_or_default().to_owned();
    if let Some(at) = message.find("unknown field ") {
        format!("Unrecognized fields: '{}'", quoted(&message[at..]))
    } else if let Some(at) = message.find("missing field ") {
        format!("Field '{}' is required", quoted(&message[at..]))
    } else {
        message.to_owned()
    }
}

impl IntoResponse for MedusaError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = secs.to_string().parse()
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_like_zod() {
        assert_eq!(
            shape_message(
                "invalid request body: unknown field `bogus`, expected one of `a`, `b` at line 1 column 30"
            ),
            "Unrecognized fields: 'bogus'"
        );
        assert_eq!(
            shape_message("missing field `identifier` at line 1 column 2"),
            "Field 'identifier' is required"
        );
    }
}
