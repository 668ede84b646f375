//! A faster read of `TIMESTAMP` columns on SQLite, for the rows read by the hundred (variants).
//!
//! SQLite stores timestamps as text, and diesel reads them with `NaiveDateTime::parse_from_str`
//! over a list of formats, interpreting each format string anew for every value: about 4% of a
//! product page's instructions went there. [`Timestamp`] reads the one shape our writes produce
//! (`YYYY-MM-DD HH:MM:SS[.fffffffff]`, diesel's own encoding; `T` accepted as the separator)
//! directly and hands anything else to diesel's reader, so every value diesel reads still reads.
//! On PostgreSQL it is diesel's binary reader unchanged.
//!
//! Used as `#[diesel(deserialize_as = Timestamp)]` on a `NaiveDateTime` field.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types;
use diesel::sqlite::Sqlite;

#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct Timestamp(NaiveDateTime);

impl From<Timestamp> for NaiveDateTime {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl FromSql<sql_types::Timestamp, Sqlite> for Timestamp {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if let Some(parsed) = parse(value.read_text().as_bytes()) {
            return Ok(Self(parsed));
        }
        <NaiveDateTime as FromSql<sql_types::Timestamp, Sqlite>>::from_sql(value).map(Self)
    }
}

impl FromSql<sql_types::Timestamp, Pg> for Timestamp {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<sql_types::Timestamp, Pg>>::from_sql(value).map(Self)
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1 to 9 digits; `None` for anything else.
fn parse(text: &[u8]) -> Option<NaiveDateTime> {
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    }
    if text.len() < 19
        || text[4] != b'-'
        || text[7] != b'-'
        || !matches!(text[10], b' ' | b'T')
        || text[13] != b':'
        || text[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(&text[0..4])?).ok()?,
        number(&text[5..7])?,
        number(&text[8..10])?,
    )?;
    let nanos = match &text[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            number(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        number(&text[11..13])?,
        number(&text[14..16])?,
        number(&text[17..19])?,
        nanos,
    )?;
    Some(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use chrono::NaiveDateTime;

    /// What diesel's own reader makes of the same text (its first format covers these).
    fn diesel(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
    }

    #[test]
    fn reads_what_diesel_writes_exactly_as_diesel_reads_it() {
        for text in [
            "2026-12-07 14:32:53",
            "2026-12-07 14:32:53.733656",
            "2026-12-07 14:32:53.7",
            "2026-12-07 14:32:53.123456789",
            "1999-01-31 00:00:00.000001",
            "2024-02-29 23:59:59",
        ] {
            assert_eq!(parse(text.as_bytes()), diesel(text), "{text}");
            assert!(parse(text.as_bytes()).is_some(), "{text}");
        }
        assert_eq!(
            parse(b"2026-12-07T14:32:53.5"),
            diesel("2026-12-07 14:32:53.5")
        );
    }

    #[test]
    fn leaves_every_other_shape_to_diesel() {
        for text in [
            "",
            "2026-12-07",
            "2026-12-07 14:32",
            "2026-02-30 10:00:00",
            "2026-12-07 24:00:00",
            "2026-12-07 14:32:53.",
            "2026-12-07 14:32:53.1234567891",
            "2026-12-07 14:32:53+00:00",
            "2026-12-07 14:32:53 UTC",
            "2460000.5",
            "２026-12-07 14:32:53",
            "2026-1a-07 14:32:53",
        ] {
            assert_eq!(parse(text.as_bytes()), None, "{text}");
        }
    }
}
