//! Medusa's query strings: `limit`/`offset`, `fields` (replace or modify the default fields,
//! medusa.md section 2.6), `order`, and filters given once, repeated or as `qs` arrays
//! (`city=a&city=b`, `city[]=a`, `city[0]=a`, `city=a,b`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::MedusaError;

/// A parsed query string.
#[derive(Clone, Debug, Default)]
pub struct Params {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub fields: Option<String>,
    pub order: Option<String>,
    values: BTreeMap<String, Vec<String>>,
}

impl Params {
    /// Parses a raw query string; `limit` and `offset` must be whole numbers.
    pub fn parse(raw: Option<&str>) -> Result<Self, MedusaError> {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            // `a[]` and `a[0]` are arrays of `a`.
            let key = match key.find('[') {
                Some(at)
                    if key[at..]
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .chars()
                        .all(|c| c.is_ascii_digit()) =>
                {
                    key[..at].to_owned()
                }
                _ => key.into_owned(),
            };
            let value = value.into_owned();
            match key.as_str() {
                "limit" => params.limit = Some(number("limit", &value)?),
                "offset" => params.offset = Some(number("offset", &value)?),
                "fields" => params.fields = Some(value),
                "order" => params.order = Some(value),
                _ => params.values.entry(key).or_default().extend(
                    value
                        .split(',')
                        .map(str::to_owned)
                        .filter(|v| !v.is_empty()),
                ),
            }
        }
        Ok(params)
    }

    /// Every value given for a filter.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.values.get(key).cloned().unwrap_or_default()
    }

    /// The first value given for a filter.
    pub fn one(&self, key: &str) -> Option<String> {
        self.values.get(key).and_then(|v| v.first().cloned())
    }

    /// Offset and limit with the route's default limit.
    pub fn page(&self, default_limit: i64) -> (i64, i64) {
        (
            self.offset.unwrap_or(0),
            self.limit.unwrap_or(default_limit),
        )
    }
}

fn number(field: &str, value: &str) -> Result<i64, MedusaError> {
    value.trim().parse().map_err(|_| {
        MedusaError::invalid_request(format!(
            "Expected type: 'number' for field '{field}', got: '{value}'"
        ))
    })
}

/// Which keys of an object to keep: all, or some (each with its own selection).
#[derive(Clone, Debug, Default)]
struct Selection {
    all: bool,
    keys: BTreeMap<String, Selection>,
}

impl Selection {
    fn add(&mut self, path: &[&str]) {
        match path.split_first() {
            None => self.all = true,
            Some((first, rest)) => self.keys.entry((*first).to_owned()).or_default().add(rest),
        }
    }

    fn apply(&self, value: &mut Value) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|item| self.apply(item)),
            Value::Object(map) if !self.all => {
                map.retain(|k, _| k == "id" || self.keys.contains_key(k));
                for (key, selection) in &self.keys {
                    if let Some(inner) = map.get_mut(key) {
                        selection.apply(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Removes the field at `path` (and everything under it).
fn remove(value: &mut Value, path: &[&str]) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| remove(item, path)),
        Value::Object(map) => match path {
            [] => {}
            [last] => {
                map.remove(*last);
            }
            [first, rest @ ..] => {
                if let Some(inner) = map.get_mut(*first) {
                    remove(inner, rest);
                }
            }
        },
        _ => {}
    }
}

/// Whether a `fields` parameter changes the default shape (an empty one does not).
pub fn projects(fields: Option<&str>) -> bool {
    fields.is_some_and(|f| !f.trim().is_empty())
}

/// Applies a `fields` parameter to a response object holding every default field. An entry
/// without a modifier replaces the defaults by the list; `+x` (or ` x`, as `+` decodes), `*rel`
/// and `rel.*` otherwise add (what is not a default of ours is not known and left out, as
/// Medusa 2.21 drops fields outside a route's list), `-x` removes. `id` always stays.
pub fn project(mut value: Value, fields: Option<&str>) -> Value {
    let Some(fields) = fields.filter(|f| projects(Some(f))) else {
        return value;
    };
    let entries: Vec<&str> = fields.split(',').filter(|e| !e.is_empty()).collect();
    let modifier = |e: &str| e.starts_with(['+', '-', ' ', '*']) || e.ends_with(".*");
    let replace = entries.iter().any(|e| !modifier(e));
    let mut selection = Selection {
        all: !replace,
        ..Selection::default()
    };
    let mut removals = Vec::new();
    for entry in &entries {
        let entry = entry.trim_start_matches(['+', ' ']);
        if let Some(removed) = entry.strip_prefix('-') {
            removals.push(removed.to_owned());
            continue;
        }
        let entry = entry.trim_start_matches('*').trim_end_matches(".*");
        let path: Vec<&str> = entry.split('.').filter(|p| !p.is_empty()).collect();
        if !path.is_empty() {
            selection.add(&path);
        }
    }
    selection.apply(&mut value);
    for removed in removals {
        let path: Vec<&str> = removed.split('.').collect();
        if path != ["id"] {
            remove(&mut value, &path);
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Value {
        json!({"id": "c", "email": "e", "first_name": "f", "addresses": [{"id": "a", "city": "x", "phone": "p"}]})
    }

    #[test]
    fn fields_replace_or_modify_the_defaults() {
        assert_eq!(
            project(customer(), Some("email,first_name")),
            json!({"id": "c", "email": "e", "first_name": "f"})
        );
        assert_eq!(
            project(customer(), Some("email,*addresses")),
            json!({"id": "c", "email": "e", "addresses": [{"id": "a", "city": "x", "phone": "p"}]})
        );
        assert_eq!(
            project(customer(), Some("email,addresses.city")),
            json!({"id": "c", "email": "e", "addresses": [{"id": "a", "city": "x"}]})
        );
        assert_eq!(
            project(customer(), Some("-first_name,-addresses.phone, bogus")),
            json!({"id": "c", "email": "e", "addresses": [{"id": "a", "city": "x"}]})
        );
        assert_eq!(project(customer(), None), customer());
    }

    #[test]
    fn query_strings_take_arrays_and_numbers() {
        let p = Params::parse(Some(
            "limit=2&city[0]=a&city[]=b&country_code=de,fr&fields=id",
        ))
        .unwrap();
        assert_eq!(p.limit, Some(2));
        assert_eq!(p.all("city"), ["a", "b"]);
        assert_eq!(p.all("country_code"), ["de", "fr"]);
        assert_eq!(p.fields.as_deref(), Some("id"));
        assert!(Params::parse(Some("limit=abc")).is_err());
    }
}
