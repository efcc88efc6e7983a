//! Strict JSON decoding of one line: a key given twice in one object, or an object with too
//! many keys, rejects the line; field names quoted in messages are sanitised.

use serde_json::{Map, Value};

use super::error::{field_err, FieldError};

/// Most fields one JSON object of a record may have: the format has 26 top-level fields, so
/// more is an error, and a line cannot make the parser hold millions of keys.
pub const MAX_FIELDS_PER_OBJECT: usize = 256;

/// Longest field name quoted in a message (longer names are cut, with `…`).
pub const MAX_FIELD_NAME_CHARS: usize = 32;

/// A field name as it may appear in a message: letters, digits and `_-.$@:` as they are,
/// anything else escaped (`\u{1b}`), cut to [`MAX_FIELD_NAME_CHARS`] characters.
pub fn sanitize_field_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX_FIELD_NAME_CHARS {
            out.push('…');
            break;
        }
        if c.is_ascii_alphanumeric() || "_-.$@:".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// A JSON value decoded with the checks `serde_json::Value` does not make: a key given twice
/// in one object is an error (instead of the last one silently winning), and so is an object
/// with more than [`MAX_FIELDS_PER_OBJECT`] keys.
struct Checked(Value);

/// The marker of a duplicate-key error, followed by the sanitised key.
const DUPLICATE: &str = "duplicate key ";

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Checked, D::Error> {
        d.deserialize_any(CheckedVisitor).map(Checked)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d).map(|c: Checked| c.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Checked(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde::de::Error;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let len = out.len();
            match out.entry(key) {
                serde_json::map::Entry::Occupied(e) => {
                    return Err(A::Error::custom(format!(
                        "{DUPLICATE}{}",
                        sanitize_field_name(e.key())
                    )));
                }
                serde_json::map::Entry::Vacant(_) if len == MAX_FIELDS_PER_OBJECT => {
                    return Err(A::Error::custom(format!(
                        "more than {MAX_FIELDS_PER_OBJECT} fields in one object"
                    )));
                }
                serde_json::map::Entry::Vacant(e) => {
                    let Checked(v) = map.next_value()?;
                    e.insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Decodes a line as one checked JSON value (see [`Checked`]).
pub(super) fn parse_json(text: &str) -> Result<Value, FieldError> {
    let value: Checked = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        if let Some(key) = msg.strip_prefix(DUPLICATE) {
            return field_err(
                key,
                "given twice in one object (the line is rejected rather than one value picked)",
            );
        }
        if msg.starts_with("more than ") {
            return field_err("(record)", msg);
        }
        field_err(
            "(record)",
            format!("not valid JSON at column {}: {msg}", e.column()),
        )
    })?;
    Ok(value.0)
}
