//! Enums stored as text columns (order, payment and shipment states): each implements
//! [`TextEnum`] and maps itself with [`to_sql`]/[`from_sql`] in its `ToSql`/`FromSql` impls,
//! so queries compare typed values and no state is spelled as a string literal in a query.

use diesel::backend::Backend as DieselBackend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// A closed set of values stored as their text names.
pub trait TextEnum: Sized + Copy + 'static {
    /// Every value, to parse from.
    const ALL: &'static [Self];

    /// The text stored in the column.
    fn as_str(self) -> &'static str;

    /// The value whose text is `text`.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

/// Writes `value` as its text.
pub fn to_sql<'b, T, DB>(value: &T, out: &mut Output<'b, '_, DB>) -> serialize::Result
where
    T: TextEnum,
    DB: DieselBackend,
    str: ToSql<Text, DB>,
{
    value.as_str().to_sql(out)
}

/// Reads a value from its text; text naming no value is an error (never a silent default).
pub fn from_sql<T, DB>(bytes: DB::RawValue<'_>) -> deserialize::Result<T>
where
    T: TextEnum,
    DB: DieselBackend,
    String: FromSql<Text, DB>,
{
    let text = String::from_sql(bytes)?;
    T::parse(&text).ok_or_else(|| {
        format!(
            "unknown {} `{text}` in the database",
            std::any::type_name::<T>()
        )
        .into()
    })
}
