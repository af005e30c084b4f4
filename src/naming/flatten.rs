//! JSON objects as variables: members in their own order, duplicate keys refused, nested
//! objects flattened, every copy of a value wiped.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use zeroize::Zeroize;

use crate::model::SecretValue;

/// A JSON object's members in order, with its values still as JSON text.
pub(super) type RawObject = Vec<(String, RawJson)>;

/// A member's JSON text, wiped from memory when dropped (it may be, or hold, a secret value).
pub(super) struct RawJson(Option<Box<RawValue>>);

impl RawJson {
    fn get(&self) -> &str {
        self.0.as_deref().map_or("", RawValue::get)
    }
}

impl Drop for RawJson {
    fn drop(&mut self) {
        if let Some(raw) = self.0.take() {
            let text: Box<str> = raw.into();
            String::from(text).zeroize();
        }
    }
}

/// Objects nested deeper than this are refused (serde_json's own limit for one parse).
const MAX_NESTING: usize = 128;

/// Why text that starts like a JSON object does not give one.
#[derive(Debug)]
pub(super) enum JsonProblem {
    /// Not JSON at all: such a secret is exported whole, as plain text.
    Syntax(String),
    /// JSON, but not usable as variables (duplicate keys, nested too deep): an error.
    Invalid(String),
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonProblem::Syntax(problem) | JsonProblem::Invalid(problem) => f.write_str(problem),
        }
    }
}

/// `None` when the text is not meant as a JSON object (it does not start with `{`); otherwise
/// the object's members in order, or why it is not usable.
pub(super) fn parse_json_object(text: &str) -> Option<Result<RawObject, JsonProblem>> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    Some(parse_raw_object(text))
}

fn parse_raw_object(text: &str) -> Result<RawObject, JsonProblem> {
    serde_json::from_str::<OrderedObject>(text)
        .map(|object| object.0)
        .map_err(|error| {
            let message = error.to_string();
            match error.classify() {
                serde_json::error::Category::Data => JsonProblem::Invalid(message),
                // A key is decoded by serde_json: its bad escape is the same content error as a
                // value's, not a reason to export the whole secret as one variable.
                _ if message.contains("surrogate") || message.contains("hex escape") => {
                    JsonProblem::Invalid(format!(
                        "a key holds an invalid \\u escape (a lone surrogate): {message}"
                    ))
                }
                _ => JsonProblem::Syntax(message),
            }
        })
}

/// Deserialises an object keeping member order and refusing duplicate keys (which serde_json's
/// `Map` would silently collapse).
struct OrderedObject(RawObject);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members: RawObject = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if members.iter().any(|(seen, _)| *seen == key) {
                        return Err(serde::de::Error::custom(format!(
                            "key {key:?} appears twice"
                        )));
                    }
                    let value: Box<RawValue> = map.next_value()?;
                    members.push((key, RawJson(Some(value))));
                }
                Ok(OrderedObject(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Keeps the members named by `#KEY1,KEY2` (in that order), or all of them.
pub(super) fn select_keys(object: RawObject, keys: Option<&[String]>) -> Result<RawObject, String> {
    let Some(keys) = keys else {
        return Ok(object);
    };
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !object.iter().any(|(member, _)| member == *key))
        .collect();
    if !missing.is_empty() {
        let present: Vec<String> = object
            .iter()
            .map(|(key, _)| crate::error::shown(key))
            .collect();
        return Err(format!(
            "{} not in the secret (its keys: {})",
            describe_keys(&missing),
            present.join(", ")
        ));
    }
    let mut object = object;
    Ok(keys
        .iter()
        .map(|key| {
            let index = object.iter().position(|(member, _)| member == key);
            object.swap_remove(index.expect("checked above"))
        })
        .collect())
}

fn describe_keys(keys: &[&String]) -> String {
    let quoted: Vec<String> = keys.iter().map(|key| format!("{key:?}")).collect();
    match quoted.len() {
        1 => format!("key {} is", quoted[0]),
        _ => format!("keys {} are", quoted.join(", ")),
    }
}

/// Walks nested objects, pushing `(key path, value)` leaves. Strings are unquoted, null is empty,
/// an empty object is `{}`, and numbers, booleans and arrays keep their JSON text (arrays
/// without their whitespace).
pub(super) fn flatten(
    path: Vec<String>,
    raw: &RawJson,
    leaves: &mut Vec<(Vec<String>, SecretValue)>,
) -> Result<(), JsonProblem> {
    let text = raw.get();
    let value = match text.as_bytes().first() {
        Some(b'{') => {
            if path.len() >= MAX_NESTING {
                return Err(JsonProblem::Invalid(format!(
                    "key {:?} is nested deeper than {MAX_NESTING} levels",
                    path[0]
                )));
            }
            let members = parse_raw_object(text)?;
            if !members.is_empty() {
                for (key, child) in members {
                    let mut child_path = path.clone();
                    child_path.push(key);
                    flatten(child_path, &child, leaves)?;
                }
                return Ok(());
            }
            "{}".to_owned()
        }
        Some(b'"') => decode_json_string(text)?,
        Some(b'n') => String::new(),
        Some(b'[') => minify_json(text),
        _ => text.to_owned(),
    };
    leaves.push((path, SecretValue::new(value)));
    Ok(())
}

/// The value of a JSON string literal (`raw` includes the quotes), decoded into a buffer sized
/// up front: no reallocation leaves a partial copy of the value behind.
fn decode_json_string(raw: &str) -> Result<String, JsonProblem> {
    let invalid =
        || JsonProblem::Invalid("a string holds an invalid \\u escape (a lone surrogate)".into());
    let inner = &raw[1..raw.len() - 1];
    let mut decoded = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            decoded.push(c);
            continue;
        }
        let escaped = match chars.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let first = hex4(&mut chars).ok_or_else(invalid)?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        let (Some('\\'), Some('u')) = (chars.next(), chars.next()) else {
                            return Err(invalid());
                        };
                        let second = hex4(&mut chars)
                            .filter(|low| (0xDC00..=0xDFFF).contains(low))
                            .ok_or_else(invalid)?;
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(invalid()),
                    code => code,
                };
                char::from_u32(code).ok_or_else(invalid)?
            }
            _ => {
                return Err(JsonProblem::Invalid(
                    "a string holds an invalid escape".into(),
                ));
            }
        };
        decoded.push(escaped);
    }
    Ok(decoded)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut code = 0;
    for _ in 0..4 {
        code = code * 16 + chars.next()?.to_digit(16)?;
    }
    Some(code)
}

/// Valid JSON text without the whitespace between its tokens (string contents untouched).
fn minify_json(raw: &str) -> String {
    let mut minified = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        if in_string {
            minified.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            minified.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            minified.push(c);
        }
    }
    minified
}
