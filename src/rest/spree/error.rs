//! `SpreeError`: every failure of a Spree route as Spree's envelope,
//! `{"error":{"code","message","details"}}` (`details` only when there are field errors), with
//! Spree's codes and messages (spree.md section 1). The store's errors convert here once; the
//! few places where Spree names one store error differently by route (a bad refresh token, a bad
//! reset token, a wrong current password) say so with the mapping helpers below.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::GiftCardProblem;
use crate::rest::DialectError;
use crate::store::{Entity, StoreError};

/// An error as a Spree client reads it.
#[derive(Debug)]
pub struct SpreeError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: BTreeMap<String, Vec<String>>,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: &'a BTreeMap<String, Vec<String>>,
}

impl SpreeError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: BTreeMap::new(),
            retry_after: None,
        }
    }

    /// 401 `invalid_token`: no active publishable key in `x-spree-api-key`.
    pub fn invalid_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Valid API key required",
        )
    }

    /// 404 for a path nothing is mounted at.
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "record_not_found", "Route not found")
    }

    /// 405 for a mounted path called with another method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
        )
    }

    /// 401 `authentication_failed` with the strategy's message (login).
    pub fn authentication_failed(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_failed", message)
    }

    /// 400 `parameter_missing` or `invalid_request`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// `POST /auth/refresh`: an unknown, expired or reused refresh token.
    pub fn refresh(e: StoreError) -> Self {
        match e {
            StoreError::InvalidToken(_) | StoreError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_refresh_token",
                "Invalid or expired refresh token",
            ),
            other => other.into(),
        }
    }

    /// `PATCH /password_resets/{token}`: a bad, expired or used reset token.
    pub fn reset(e: StoreError) -> Self {
        match e {
            StoreError::InvalidToken(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "password_reset_token_invalid",
                "Password reset token is invalid or has expired.",
            ),
            other => other.into(),
        }
    }

    /// `PATCH /customers/me`: the current password is wrong or missing for an email or
    /// password change.
    pub fn current_password(e: StoreError) -> Self {
        let about_current = match &e {
            StoreError::InvalidCredentials => true,
            StoreError::InvalidInput { fields, .. } => {
                fields.iter().any(|f| f.field == "current_password")
            }
            _ => false,
        };
        if about_current {
            Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "current_password_invalid",
                "Current password is invalid or missing",
            )
        } else {
            e.into()
        }
    }

    /// Address routes: field errors under the model's attribute names, as Spree reports them
    /// (`firstname`, `lastname`, `zipcode`, `country`, `state`).
    pub fn address(e: StoreError) -> Self {
        Self::invalid_input(e, |field| {
            match field {
                "first_name" => "firstname",
                "last_name" => "lastname",
                "postal_code" => "zipcode",
                "country_code" => "country",
                "province_code" => "state",
                other => other,
            }
            .to_owned()
        })
    }

    /// A validation error with fields named by `name`; other errors as usual.
    fn invalid_input(e: StoreError, name: impl Fn(&str) -> String) -> Self {
        let StoreError::InvalidInput { summary, fields } = e else {
            return e.into();
        };
        let mut details: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &fields {
            details
                .entry(name(&f.field))
                .or_default()
                .push(f.message.clone());
        }
        let message = match summary {
            Some(summary) => capitalize(&summary),
            None => sentence(
                fields
                    .iter()
                    .map(|f| format!("{} {}", humanize(&name(&f.field)), f.message))
                    .collect(),
            ),
        };
        Self {
            details,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                message,
            )
        }
    }
}

impl From<StoreError> for SpreeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => {
                let code = match entity {
                    Entity::Order => "order_not_found",
                    Entity::Cart => "cart_not_found",
                    Entity::GiftCard => "gift_card_not_found",
                    _ => "record_not_found",
                };
                Self::new(
                    StatusCode::NOT_FOUND,
                    code,
                    format!("{} not found", entity.label()),
                )
            }
            StoreError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "authentication_required",
                "Authentication required",
            ),
            StoreError::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, "access_denied", capitalize(&message))
            }
            e @ StoreError::InvalidInput { .. } => Self::invalid_input(e, str::to_owned),
            StoreError::InvalidCredentials => {
                Self::authentication_failed("Invalid email or password")
            }
            StoreError::EmailNotVerified => Self::new(
                StatusCode::FORBIDDEN,
                "email_not_verified",
                "Email is not verified. Open the link in the verification mail.",
            ),
            StoreError::InvalidToken(message) => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                capitalize(&message),
            ),
            StoreError::Conflict {
                field: Some(field), ..
            } if field == "email" => Self {
                details: BTreeMap::from([(
                    "email".to_owned(),
                    vec!["has already been taken".to_owned()],
                )]),
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_error",
                    "Email has already been taken",
                )
            },
            StoreError::Conflict { message, .. } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "processing_error",
                capitalize(&message),
            ),
            StoreError::GiftCardUnusable(problem) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                match problem {
                    GiftCardProblem::Expired => "gift_card_expired",
                    GiftCardProblem::Redeemed => "gift_card_already_redeemed",
                },
                capitalize(problem.message()),
            ),
            StoreError::RateLimited { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit_exceeded",
                    "Too many requests. Please retry later.",
                )
            },
            StoreError::Unavailable(detail) => {
                tracing::error!(error = %detail, "service unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "Service temporarily unavailable",
                )
            }
            StoreError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_server_error",
                    "An internal error occurred",
                )
            }
        }
    }
}

impl DialectError for SpreeError {
    fn bad_body(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::too_large(),
            _ => Self::bad_request("invalid_request", message),
        }
    }
}

impl SpreeError {
    /// 413 `request_too_large`.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            "Request body is too large",
        )
    }

    /// The envelope for a status some layer below the handlers answered without a body we
    /// can use (a body over the limit, a timeout).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::too_large(),
            StatusCode::NOT_FOUND => Self::no_route(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            StatusCode::REQUEST_TIMEOUT => {
                Self::new(status, "request_timeout", "The request took too long")
            }
            StatusCode::URI_TOO_LONG => {
                Self::new(status, "uri_too_long", "Request URL is too long")
            }
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::new(
                status,
                "request_header_fields_too_large",
                "Request headers are too large",
            ),
            s if s.is_client_error() => Self::new(
                s,
                "invalid_request",
                s.canonical_reason().unwrap_or("Invalid request"),
            ),
            s => Self::new(
                s,
                "internal_server_error",
                s.canonical_reason().unwrap_or("An internal error occurred"),
            ),
        }
    }
}

impl IntoResponse for SpreeError {
    fn into_response(self) -> Response {
        let body = Envelope {
            error: Inner {
                code: self.code,
                message: &self.message,
                details: &self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// `first_name` as Rails' `humanize` writes it: `First name`.
fn humanize(field: &str) -> String {
    capitalize(&field.replace(['_', '.'], " "))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Rails' `to_sentence`: "A", "A and B", "A, B, and C".
fn sentence(mut parts: Vec<String>) -> String {
    match parts.len() {
        0 => "Validation failed".into(),
        1 => parts.remove(0),
        2 => format!("{} and {}", parts[0], parts[1]),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{}, and {last}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FieldError;

    #[test]
    fn validation_messages_read_like_rails() {
        let e = SpreeError::address(StoreError::fields(vec![
            FieldError::new("first_name", "is required"),
            FieldError::new("city", "is required"),
            FieldError::new("country_code", "is required"),
        ]));
        assert_eq!(e.code, "validation_error");
        assert_eq!(
            e.message,
            "Firstname is required, City is required, and Country is required"
        );
        assert!(e.details.contains_key("country"));
        assert_eq!(sentence(vec!["A".into(), "B".into()]), "A and B");
    }
}
