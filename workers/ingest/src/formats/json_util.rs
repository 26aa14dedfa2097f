//! Small lookups over `serde_json::Value` shared by the JSON formats (ninjs, AP, dpa).

use serde_json::Value;

/// The first present, non-null key (case-insensitive: ninjs 1.x `versioncreated`, 2.x `versionCreated`).
pub fn get<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    let obj = v.as_object()?;
    keys.iter().find_map(|k| {
        obj.get(*k)
            .or_else(|| obj.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)).map(|(_, v)| v))
            .filter(|v| !v.is_null())
    })
}

/// A string (numbers are rendered) under the first present key; empty strings are `None`.
pub fn string(v: &Value, keys: &[&str]) -> Option<String> {
    match get(v, keys)? {
        Value::String(s) => crate::text::clean_opt(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An unsigned number, accepting `"4"` as well as `4`.
pub fn number(v: &Value, keys: &[&str]) -> Option<u64> {
    match get(v, keys)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The array under the first present key (a lone object counts as a one-element array).
pub fn array<'a>(v: &'a Value, keys: &[&str]) -> Vec<&'a Value> {
    match get(v, keys) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// Strings from an array of strings or of objects with a `name`/`value` field.
pub fn names(v: &Value, keys: &[&str]) -> Vec<String> {
    array(v, keys)
        .into_iter()
        .filter_map(|x| match x {
            Value::String(s) => crate::text::clean_opt(s),
            obj => string(obj, &["name", "value", "literal"]),
        })
        .collect()
}
