//! Field validators shared by every input of the store: trimmed texts with a length limit,
//! required texts, email addresses, and [`Problems`], which collects every field problem of one
//! input so the client sees them all at once.

use super::{FieldError, StoreError};

/// Collects the field problems of one input.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// The value of a field check, or `None` after noting its problem.
    pub fn field<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                self.0.push(problem);
                None
            }
        }
    }

    /// The value of a check that reports through [`StoreError::InvalidInput`], or `None` after
    /// noting its problems (any other error is dropped: field checks raise none).
    pub fn check<T>(&mut self, result: Result<T, StoreError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(StoreError::InvalidInput { fields, .. }) => {
                self.0.extend(fields);
                None
            }
            Err(_) => None,
        }
    }

    /// `InvalidInput` naming every problem noted, if any.
    pub fn finish(self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(StoreError::fields(self.0))
    }
}

/// A trimmed optional text of at most `max` characters; blank means none.
pub fn text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// Like [`text`], and without control characters.
pub fn printable(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let value = text(field, value, max)?;
    if value
        .as_deref()
        .is_some_and(|v| v.chars().any(char::is_control))
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

/// Longest metadata object, serialized.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// A metadata value as stored: a JSON object (null means empty) of bounded size.
pub fn metadata(value: &serde_json::Value) -> Result<String, StoreError> {
    let text = match value {
        serde_json::Value::Null => "{}".to_owned(),
        serde_json::Value::Object(_) => value.to_string(),
        _ => return Err(StoreError::invalid("metadata", "must be an object")),
    };
    if text.len() > MAX_METADATA_BYTES {
        return Err(StoreError::invalid(
            "metadata",
            format!("must be at most {MAX_METADATA_BYTES} bytes"),
        ));
    }
    Ok(text)
}

/// The keys of a stored metadata text, `None` when it holds none.
pub fn metadata_object(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(map)) if !map.is_empty() => Some(map),
        _ => None,
    }
}

/// A required [`printable`] text: absent or blank is a problem.
pub fn required(field: &str, value: Option<&str>, max: usize) -> Result<String, FieldError> {
    printable(field, value, max)?.ok_or_else(|| FieldError::new(field, "is required"))
}

/// A field an update may leave out (`None`), clear (blank) or set: a [`text`].
pub fn change(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<Option<String>>, FieldError> {
    value.map(|v| text(field, Some(v), max)).transpose()
}

/// An email address as stored: trimmed, checked, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, StoreError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if valid {
            Ok(Self(email))
        } else {
            Err(StoreError::invalid(field, "is not a valid email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_blank_means_none() {
        assert_eq!(text("f", Some("  a "), 1).unwrap().as_deref(), Some("a"));
        assert_eq!(text("f", Some("   "), 1).unwrap(), None);
        assert_eq!(text("f", None, 1).unwrap(), None);
        let long = text("f", Some("éé"), 1).unwrap_err();
        assert_eq!(long.message, "must be at most 1 characters");
        assert_eq!(
            text("f", Some("a\u{7}"), 5).unwrap().as_deref(),
            Some("a\u{7}")
        );
        assert!(printable("f", Some("a\u{7}"), 5).is_err());
        assert_eq!(
            required("f", Some(" "), 5).unwrap_err().message,
            "is required"
        );
        assert_eq!(change("f", Some(" "), 5).unwrap(), Some(None));
        assert_eq!(change("f", None, 5).unwrap(), None);
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("e", " Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "ada@example",
            "@example.com",
            "a b@example.com",
            "a@b..c",
        ] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn problems_collect_every_field() {
        let mut problems = Problems::default();
        assert_eq!(
            problems.field(text("a", Some("x"), 5)),
            Some(Some("x".into()))
        );
        assert_eq!(problems.field(required("b", None, 5)), None);
        assert_eq!(problems.check(Email::parse("c", "nope")), None);
        let Err(StoreError::InvalidInput { fields, .. }) = problems.finish() else {
            panic!("two problems");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
    }
}
