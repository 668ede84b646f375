//! Where a product stands in the merchant's workflow (column `products.status`).

use diesel::backend::Backend as DieselBackend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::db::text_enum::{self, TextEnum};

/// A product's status. Only `Active` products can be visible to shoppers (see
/// [`super::visibility`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum ProductStatus {
    /// On sale (subject to its availability dates).
    Active,
    /// Being prepared, not yet shown (the default).
    #[default]
    Draft,
    /// Withdrawn; kept for the orders that name it.
    Archived,
}

impl TextEnum for ProductStatus {
    const ALL: &'static [Self] = &[Self::Active, Self::Draft, Self::Archived];

    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Draft => "draft",
            Self::Archived => "archived",
        }
    }
}

impl ProductStatus {
    /// The text stored in the column (and shown to callers).
    pub fn as_str(self) -> &'static str {
        TextEnum::as_str(self)
    }
}

impl std::fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the stored text, so `product.status == "draft"` reads as before.
impl PartialEq<&str> for ProductStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<DB: DieselBackend> ToSql<Text, DB> for ProductStatus
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        text_enum::to_sql(self, out)
    }
}

impl<DB: DieselBackend> FromSql<Text, DB> for ProductStatus
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        text_enum::from_sql::<Self, DB>(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for status in ProductStatus::ALL {
            assert_eq!(ProductStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(ProductStatus::parse("deleted"), None);
        assert!(ProductStatus::Draft == "draft");
    }
}
