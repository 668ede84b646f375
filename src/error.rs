//! The one business error of the service layer. Every surface converts it once: GraphQL
//! (`extensions.code`), Spree (`{"error":{code,message,details}}`) and Medusa (`{type,message}`).

use std::fmt;

/// A problem with one input field, for `BAD_USER_INPUT` and the dialects' field details.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's name as the service layer knows it (snake_case).
    pub field: String,
    /// What is wrong, readable by a person ("is too short").
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What a not-found error names. Each surface derives its own spelling from [`Entity::name`]
/// (`order` gives Spree's `order_not_found`, GraphQL's "Order not found").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    Customer,
    Identity,
    Address,
    Cart,
    LineItem,
    Order,
    Product,
    Variant,
    Category,
    /// The payment started on a cart.
    Payment,
    Wishlist,
    WishlistItem,
    /// A saved (tokenized) payment method.
    PaymentMethod,
    StoreCredit,
    GiftCard,
    /// A row the code did not name (diesel's `NotFound` from a `.first()` without context).
    Record,
}

impl Entity {
    /// The snake_case name: `line_item`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Identity => "identity",
            Self::Address => "address",
            Self::Cart => "cart",
            Self::LineItem => "line_item",
            Self::Order => "order",
            Self::Product => "product",
            Self::Variant => "variant",
            Self::Category => "category",
            Self::Payment => "payment",
            Self::Wishlist => "wishlist",
            Self::WishlistItem => "wishlist_item",
            Self::PaymentMethod => "payment_method",
            Self::StoreCredit => "store_credit",
            Self::GiftCard => "gift_card",
            Self::Record => "record",
        }
    }

    /// The name as a sentence starts it: `Line item`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::Identity => "Identity",
            Self::Address => "Address",
            Self::Cart => "Cart",
            Self::LineItem => "Line item",
            Self::Order => "Order",
            Self::Product => "Product",
            Self::Variant => "Variant",
            Self::Category => "Category",
            Self::Payment => "Payment",
            Self::Wishlist => "Wishlist",
            Self::WishlistItem => "Wishlist item",
            Self::PaymentMethod => "Payment method",
            Self::StoreCredit => "Store credit",
            Self::GiftCard => "Gift card",
            Self::Record => "Record",
        }
    }
}

/// What can go wrong in `store::`. Messages are safe to show to the user; the detail of an
/// `Internal` error is logged by the surface and never sent.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist, or belongs to someone else (no existence leak).
    #[error("{} not found", entity.label())]
    NotFound { entity: Entity },
    /// The operation needs a signed-in customer and there is none.
    #[error("authentication required")]
    Unauthenticated,
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The input is malformed or breaks a rule. The message names the fields in the service
    /// layer's snake_case; a surface that spells them otherwise builds its own with
    /// [`StoreError::input_message`].
    #[error("{}", input_message(summary.as_deref(), fields, |f| f.to_owned()))]
    InvalidInput {
        /// A sentence for the whole input ("the cart cannot be completed yet"), when the
        /// message should not simply list the fields.
        summary: Option<String>,
        fields: Vec<FieldError>,
    },
    /// Wrong email or password, without saying which.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The email and password are right, but signing in needs a verified email
    /// (`STOREFRONT_REQUIRE_VERIFIED_EMAIL`) and this one is not.
    #[error("the email address is not verified: open the link in the verification mail")]
    EmailNotVerified,
    /// A token (refresh, reset, cart) is unknown, expired or used.
    #[error("{0}")]
    InvalidToken(String),
    /// The change collides with existing data (a taken email, a stale state).
    #[error("{message}")]
    Conflict {
        message: String,
        field: Option<String>,
    },
    /// A gift card code names a card that cannot pay: it expired, or nothing is left on it.
    #[error("{}", .0.message())]
    GiftCardUnusable(GiftCardProblem),
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts, try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// The database is overloaded or unreachable right now.
    #[error("service temporarily unavailable")]
    Unavailable(String),
    /// A bug or an unexpected failure; the string is for logs only.
    #[error("internal error")]
    Internal(String),
}

/// Why a gift card cannot pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiftCardProblem {
    /// Its expiry date has passed.
    Expired,
    /// Nothing is left on it.
    Redeemed,
}

impl GiftCardProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Expired => "this gift card has expired",
            Self::Redeemed => "this gift card has already been redeemed",
        }
    }
}

impl StoreError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(field, message)])
    }

    /// Several invalid fields, reported together.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        Self::InvalidInput {
            summary: None,
            fields,
        }
    }

    /// The object is absent or not the caller's.
    pub fn not_found(entity: Entity) -> Self {
        Self::NotFound { entity }
    }

    /// The message of an `InvalidInput` with each field named by `name` (a surface's case);
    /// `None` for other errors.
    pub fn input_message(&self, name: impl Fn(&str) -> String) -> Option<String> {
        match self {
            Self::InvalidInput { summary, fields } => {
                Some(input_message(summary.as_deref(), fields, name))
            }
            _ => None,
        }
    }

    /// A stable machine code, the GraphQL `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::InvalidInput { .. } => "BAD_USER_INPUT",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Self::InvalidToken(_) => "INVALID_TOKEN",
            Self::Conflict { .. } => "CONFLICT",
            Self::GiftCardUnusable(GiftCardProblem::Expired) => "GIFT_CARD_EXPIRED",
            Self::GiftCardUnusable(GiftCardProblem::Redeemed) => "GIFT_CARD_REDEEMED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// Whether the cause must be logged because the user sees only a generic message.
    pub fn is_server_error(&self) -> bool {
        matches!(self, Self::Internal(_) | Self::Unavailable(_))
    }

    /// The detail to log for a server error.
    pub fn log_detail(&self) -> Option<&str> {
        match self {
            Self::Internal(detail) | Self::Unavailable(detail) => Some(detail),
            _ => None,
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound {
                entity: Entity::Record,
            },
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Self::Conflict {
                message: "already exists".into(),
                field: info.column_name().map(str::to_owned),
            },
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Unavailable(format!("serialization failure: {}", info.message()))
            }
            Error::DatabaseError(kind, info) if database_unavailable(&kind, info.message()) => {
                Self::Unavailable(format!("database unavailable: {}", info.message()))
            }
            // A commit that failed is judged by why it failed (a full disk, a lost connection).
            Error::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            // What diesel reports once a connection died inside a transaction.
            Error::BrokenTransactionManager => {
                Self::Unavailable("database: the connection broke inside a transaction".into())
            }
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

/// Whether a database error says the database cannot serve right now (its disk is full, it is
/// shutting down or restarting, the connection is gone) rather than that the statement or the
/// code is wrong: the caller gets a 503 to retry, not a 500.
fn database_unavailable(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    use diesel::result::DatabaseErrorKind::{ClosedConnection, UnableToSendCommand};
    // diesel passes SQLite's and PostgreSQL's own messages, without their codes (SQLite's
    // result codes and PostgreSQL's class 57P/08 SQLSTATEs are not exposed), so the stable
    // messages of those codes identify them.
    const MESSAGES: &[&str] = &[
        // SQLITE_FULL: the disk (or the file system's quota) is full.
        "database or disk is full",
        // SQLITE_IOERR: what a full disk gives while writing the journal or the WAL.
        "disk I/O error",
        // SQLITE_BUSY after busy_timeout: another process holds the write lock.
        "database is locked",
        // 57P01 admin_shutdown: `pg_ctl stop -m fast`, or a terminated backend.
        "terminating connection due to administrator command",
        // 57P02 crash_shutdown.
        "terminating connection because of crash of another server process",
        // 57P03 cannot_connect_now.
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
    ];
    matches!(kind, ClosedConnection | UnableToSendCommand)
        || MESSAGES.iter().any(|known| message.starts_with(known))
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for StoreError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {e}"))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("json: {e}"))
    }
}

/// "first_name is too long; city is required", or the summary when there is one.
fn input_message(
    summary: Option<&str>,
    fields: &[FieldError],
    name: impl Fn(&str) -> String,
) -> String {
    match summary {
        Some(summary) => summary.to_owned(),
        None => fields
            .iter()
            .map(|f| format!("{} {}", name(&f.field), f.message))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A value that must never be printed: its `Debug` and `Display` say `[redacted]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorKind, Error};

    use super::StoreError;

    fn database(kind: DatabaseErrorKind, message: &str) -> StoreError {
        Error::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    #[test]
    fn a_database_that_cannot_serve_is_unavailable_not_internal() {
        for (kind, message) in [
            (DatabaseErrorKind::Unknown, "database or disk is full"),
            (DatabaseErrorKind::Unknown, "disk I/O error"),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (
                DatabaseErrorKind::Unknown,
                "the database system is shutting down",
            ),
            (DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            (
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
        ] {
            let e = database(kind, message);
            assert_eq!(e.code(), "UNAVAILABLE", "{message}");
        }
        let commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(Error::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new("database or disk is full".to_owned()),
            )),
        };
        assert_eq!(StoreError::from(commit).code(), "UNAVAILABLE");
    }

    #[test]
    fn a_wrong_statement_stays_internal() {
        let e = database(DatabaseErrorKind::Unknown, "no such column: nmae");
        assert_eq!(e.code(), "INTERNAL");
        let e = database(DatabaseErrorKind::CheckViolation, "CHECK constraint failed");
        assert_eq!(e.code(), "INTERNAL");
    }
}
