//! Readers of one field of a JSON object, each with the rejection that names the field: an
//! absent or null field is `None`, a value of the wrong kind an error.

use serde_json::{Map, Value};

use super::error::{count_hint, describe, describe_text, field_err, month_hint, FieldError};
use super::{YearMonth, MAX_ACCOUNT_AGE_DAYS, MAX_COUNT};

/// Where a field is, written out only for a rejection: a top-level field (`about`), an item of
/// an array (`experience[2]`) or a field of one (`experience[2].start`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Path<'a> {
    item: Option<(&'a str, usize)>,
    key: Option<&'a str>,
}

impl<'a> Path<'a> {
    pub(super) fn top(key: &'a str) -> Self {
        Path {
            item: None,
            key: Some(key),
        }
    }

    pub(super) fn item(array: &'a str, i: usize) -> Self {
        Path {
            item: Some((array, i)),
            key: None,
        }
    }

    /// The field `key` of this item.
    pub(super) fn field(self, key: &'a str) -> Self {
        Path {
            key: Some(key),
            ..self
        }
    }

    pub(super) fn text(&self) -> String {
        match (self.item, self.key) {
            (Some((a, i)), Some(k)) => format!("{a}[{i}].{k}"),
            (Some((a, i)), None) => format!("{a}[{i}]"),
            (None, k) => k.unwrap_or_default().to_owned(),
        }
    }
}

/// A string field, taken out of the object (each field is read once).
pub(super) fn opt_string(
    obj: &mut Map<String, Value>,
    key: &str,
    path: Path,
) -> Result<Option<String>, FieldError> {
    match obj.get_mut(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(std::mem::take(s))),
        Some(v) => Err(field_err(
            path.text(),
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

pub(super) fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(field_err(
            key,
            format!("must be true or false, got {}", describe(v)),
        )),
    }
}

pub(super) fn opt_count(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, FieldError> {
    let max = if key == "account_age_days" {
        MAX_ACCOUNT_AGE_DAYS
    } else {
        MAX_COUNT
    };
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= max => Ok(Some(v)),
            Some(v) => Err(field_err(
                key,
                format!("out of range (at most {max}), got {v}"),
            )),
            None => Err(field_err(
                key,
                format!("must be a non-negative integer, got {n}"),
            )),
        },
        Some(Value::String(s)) => Err(field_err(
            key,
            format!(
                "must be a non-negative integer, got {}{}",
                describe_text(s),
                count_hint(s)
            ),
        )),
        Some(v) => Err(field_err(
            key,
            format!("must be a non-negative integer, got {}", describe(v)),
        )),
    }
}

pub(super) fn opt_array<'a>(
    obj: &'a mut Map<String, Value>,
    key: &str,
) -> Result<Option<&'a mut Vec<Value>>, FieldError> {
    match obj.get_mut(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(v) => Err(field_err(
            key,
            format!("must be an array, got {}", describe(v)),
        )),
    }
}

/// A list of strings, taken out of the object.
pub(super) fn string_list(
    obj: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<String>>, FieldError> {
    let Some(items) = opt_array(obj, key)? else {
        return Ok(None);
    };
    items
        .iter_mut()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(std::mem::take(s)),
            v => Err(field_err(
                format!("{key}[{i}]"),
                format!("must be a string, got {}", describe(v)),
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

pub(super) fn item_object<'a>(
    v: &'a mut Value,
    path: Path,
) -> Result<&'a mut Map<String, Value>, FieldError> {
    match v {
        Value::Object(o) => Ok(o),
        v => Err(field_err(
            path.text(),
            format!("must be an object, got {}", describe(v)),
        )),
    }
}

pub(super) fn year_month(
    obj: &Map<String, Value>,
    key: &str,
    path: Path,
) -> Result<Option<YearMonth>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => YearMonth::parse(s).map(Some).ok_or_else(|| {
            field_err(
                path.text(),
                format!(
                    "must be a month \"YYYY-MM\" (1900-2100), got {}{}",
                    describe_text(s),
                    month_hint(s, key == "end")
                ),
            )
        }),
        Some(v) => Err(field_err(
            path.text(),
            format!("must be a month \"YYYY-MM\", got {}", describe(v)),
        )),
    }
}

pub(super) fn year(
    o: &Map<String, Value>,
    key: &str,
    path: Path,
) -> Result<Option<u16>, FieldError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(y) if (1900..=2100).contains(&y) => Ok(Some(y as u16)),
            _ => Err(field_err(
                path.text(),
                format!("must be a year between 1900 and 2100, got {n}"),
            )),
        },
        Some(v) => Err(field_err(
            path.text(),
            format!("must be an integer year, got {}", describe(v)),
        )),
    }
}

pub(super) fn enum_value<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
    allowed: &str,
) -> Result<Option<T>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::String(s)) => T::deserialize(v).map(Some).map_err(|_| {
            field_err(
                key,
                format!("must be one of {allowed}, got {}", describe_text(s)),
            )
        }),
        Some(v) => Err(field_err(
            key,
            format!("must be one of {allowed}, got {}", describe(v)),
        )),
    }
}
