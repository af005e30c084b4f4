//! Pure core: a fetched secret becomes ordered environment variables (naming, flattening, checks).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

use crate::error::Error;
use crate::spec::{SecretSpec, is_valid_variable_name};

/// A secret value: wiped from memory when dropped, and never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretValue(Zeroizing<String>);

impl SecretValue {
    /// Wraps a value; the `String` moves in, so no copy is left behind.
    pub fn new(value: String) -> Self {
        SecretValue(Zeroizing::new(value))
    }

    /// The value itself: only output writers and the child environment call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One environment variable produced from a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: SecretValue,
}

impl EnvVar {
    /// A variable from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        EnvVar {
            name: name.into(),
            value: SecretValue::new(value.into()),
        }
    }
}

/// What Secrets Manager returned: `SecretString` or `SecretBinary`.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretPayload {
    Text(SecretValue),
    Binary(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for SecretPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretPayload::Text(_) => f.write_str("Text(***)"),
            SecretPayload::Binary(bytes) => write!(f, "Binary(*** {} bytes)", bytes.len()),
        }
    }
}

/// One secret as fetched.
#[derive(Debug, Clone)]
pub struct FetchedSecret {
    /// The secret's name as Secrets Manager reports it (not the ARN).
    pub name: String,
    pub payload: SecretPayload,
}

/// How variable names are built, shared by every secret of a run.
#[derive(Debug, Clone, Default)]
pub struct NamingOptions {
    /// `--prefix`: put before every variable name.
    pub prefix: String,
    /// `--uppercase`: upper-case the names that come from JSON keys.
    pub uppercase: bool,
    /// `--strict`: refuse keys that are not valid variable names instead of sanitising them.
    pub strict: bool,
}

/// Turns one fetched secret into variables, in the secret's own key order (or the `#KEY` order).
/// Warnings (names sanitised, JSON-looking plain text) are pushed to `warnings`.
pub fn secret_variables(
    spec: &SecretSpec,
    secret: &FetchedSecret,
    naming: &NamingOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<EnvVar>, Error> {
    // A prefix spec matches many secrets: name the one at hand.
    let subject = format!(
        "secret {}",
        if spec.prefix { &secret.name } else { &spec.id }
    );
    let content_error = |problem: String| Error::bad_content(&subject, problem);
    let text = match &secret.payload {
        SecretPayload::Binary(bytes) => {
            if spec.keys.is_some() {
                return Err(content_error(
                    "it is a binary secret (SecretBinary), so #KEY cannot select from it".into(),
                ));
            }
            // Bytes are never guessed at: always base64, documented, so nothing is mangled.
            let encoded = aws_smithy_types::base64::encode(&bytes[..]);
            let name = plain_variable_name(spec, secret, naming);
            return Ok(vec![checked(name, SecretValue::new(encoded))?]);
        }
        SecretPayload::Text(text) => text.expose(),
    };

    let object = match parse_json_object(text) {
        Some(Ok(object)) => object,
        Some(Err(JsonProblem::Invalid(problem))) => return Err(content_error(problem)),
        Some(Err(JsonProblem::Syntax(json_error))) => {
            if spec.keys.is_some() {
                return Err(content_error(format!(
                    "it is not valid JSON ({json_error}), so #KEY cannot select from it"
                )));
            }
            let name = plain_variable_name(spec, secret, naming);
            warnings.push(format!(
                "{subject} starts with '{{' but is not valid JSON ({json_error}); exporting it whole as {name}"
            ));
            return Ok(vec![checked(name, SecretValue::new(text.to_owned()))?]);
        }
        None => {
            if spec.keys.is_some() {
                return Err(content_error(
                    "it is plain text, not a JSON object, so #KEY cannot select from it".into(),
                ));
            }
            let name = plain_variable_name(spec, secret, naming);
            return Ok(vec![checked(name, SecretValue::new(text.to_owned()))?]);
        }
    };

    let selected = select_keys(object, spec.keys.as_deref()).map_err(content_error)?;
    let mut leaves = Vec::new();
    for (key, value) in selected {
        flatten(vec![key], &value, &mut leaves)
            .map_err(|problem| content_error(problem.to_string()))?;
    }
    if leaves.is_empty() {
        warnings.push(format!("{subject} is an empty JSON object: no variables"));
    }

    let mut variables: Vec<EnvVar> = Vec::with_capacity(leaves.len());
    let mut sources: Vec<String> = Vec::with_capacity(leaves.len());
    for (path, value) in leaves {
        let key = path.join(".");
        let name = json_variable_name(spec, &path, naming, &key, &subject, warnings)
            .map_err(content_error)?;
        if let Some(index) = variables.iter().position(|variable| variable.name == name) {
            return Err(content_error(format!(
                "keys {:?} and {key:?} both become variable {name}",
                sources[index]
            )));
        }
        variables.push(checked(name, value)?);
        sources.push(key);
    }
    Ok(variables)
}

/// Refuses values that cannot live in an environment.
fn checked(name: String, value: SecretValue) -> Result<EnvVar, Error> {
    if value.expose().contains('\0') {
        return Err(Error::bad_content(
            format!("variable {name}"),
            "its value holds a NUL byte, which no environment variable can carry",
        ));
    }
    Ok(EnvVar { name, value })
}

/// The single variable of a plain or binary secret: `--prefix` + alias, else the secret's name
/// sanitised and upper-cased (`ci/npm-token` -> `CI_NPM_TOKEN`).
fn plain_variable_name(
    spec: &SecretSpec,
    secret: &FetchedSecret,
    naming: &NamingOptions,
) -> String {
    let base = match &spec.alias {
        Some(alias) => alias.clone(),
        None => sanitize(&secret.name).to_ascii_uppercase(),
    };
    leading_digit_guard(format!("{}{base}", naming.prefix))
}

/// `--prefix` + `ALIAS_` + the key path joined with `_`; warns (or, under `--strict`, fails)
/// when the key is not a valid name as written.
fn json_variable_name(
    spec: &SecretSpec,
    path: &[String],
    naming: &NamingOptions,
    key: &str,
    subject: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let mut written = path.join("_");
    if naming.uppercase {
        written = written.to_uppercase();
    }
    let head = match &spec.alias {
        Some(alias) => format!("{}{alias}_", naming.prefix),
        None => naming.prefix.clone(),
    };
    let raw = format!("{head}{written}");
    if raw.is_empty() {
        return Err(format!("key {key:?} gives an empty variable name"));
    }
    if is_valid_variable_name(&raw) {
        return Ok(raw);
    }
    let name = leading_digit_guard(format!("{head}{}", sanitize(&written)));
    if naming.strict {
        return Err(format!(
            "key {key:?} is not a valid variable name (would be exported as {name}; --strict refuses it)"
        ));
    }
    warnings.push(format!(
        "{subject}: key {key:?} is not a valid variable name; exported as {name}"
    ));
    Ok(name)
}

/// Every character outside `[A-Za-z0-9_]` becomes `_`.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn leading_digit_guard(name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// A JSON object's members in order, with its values still as JSON text.
type RawObject = Vec<(String, RawJson)>;

/// A member's JSON text, wiped from memory when dropped (it may be, or hold, a secret value).
struct RawJson(Option<Box<RawValue>>);

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
enum JsonProblem {
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
fn parse_json_object(text: &str) -> Option<Result<RawObject, JsonProblem>> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    Some(parse_raw_object(text))
}

fn parse_raw_object(text: &str) -> Result<RawObject, JsonProblem> {
    serde_json::from_str::<OrderedObject>(text)
        .map(|object| object.0)
        .map_err(|error| match error.classify() {
            serde_json::error::Category::Data => JsonProblem::Invalid(error.to_string()),
            _ => JsonProblem::Syntax(error.to_string()),
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
fn select_keys(object: RawObject, keys: Option<&[String]>) -> Result<RawObject, String> {
    let Some(keys) = keys else {
        return Ok(object);
    };
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !object.iter().any(|(member, _)| member == *key))
        .collect();
    if !missing.is_empty() {
        let present: Vec<&str> = object.iter().map(|(key, _)| key.as_str()).collect();
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
fn flatten(
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

/// Variables from one source (a secret, an env file), named for warnings.
#[derive(Debug, Clone)]
pub struct Layer {
    /// e.g. `secret ci/prod` or `env file .ci-secrets`.
    pub origin: String,
    pub variables: Vec<EnvVar>,
}

/// Layers variables: a later layer's variable replaces an earlier one of the same name
/// (keeping its place), with a warning naming the variable and both origins.
pub fn merge_layers(layers: Vec<Layer>, warnings: &mut Vec<String>) -> Vec<EnvVar> {
    let mut merged: Vec<EnvVar> = Vec::new();
    let mut origins: Vec<String> = Vec::new();
    for layer in layers {
        for variable in layer.variables {
            match merged.iter().position(|seen| seen.name == variable.name) {
                Some(index) => {
                    warnings.push(format!(
                        "variable {} from {} overrides the one from {}",
                        variable.name, layer.origin, origins[index]
                    ));
                    merged[index] = variable;
                    origins[index] = layer.origin.clone();
                }
                None => {
                    merged.push(variable);
                    origins.push(layer.origin.clone());
                }
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_secret(name: &str, text: &str) -> FetchedSecret {
        FetchedSecret {
            name: name.into(),
            payload: SecretPayload::Text(SecretValue::new(text.into())),
        }
    }

    fn convert(
        spec: &str,
        text: &str,
        naming: &NamingOptions,
    ) -> (Result<Vec<EnvVar>, Error>, Vec<String>) {
        let spec = SecretSpec::parse(spec).unwrap();
        let secret = text_secret(&spec.id.clone(), text);
        let mut warnings = Vec::new();
        let result = secret_variables(&spec, &secret, naming, &mut warnings);
        (result, warnings)
    }

    fn pairs(spec: &str, text: &str) -> Vec<(String, String)> {
        pairs_with(spec, text, &NamingOptions::default())
    }

    fn pairs_with(spec: &str, text: &str, naming: &NamingOptions) -> Vec<(String, String)> {
        let (result, _) = convert(spec, text, naming);
        result
            .unwrap()
            .into_iter()
            .map(|variable| (variable.name, variable.value.expose().to_owned()))
            .collect()
    }

    fn problem(spec: &str, text: &str) -> String {
        convert(spec, text, &NamingOptions::default())
            .0
            .unwrap_err()
            .to_string()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.into(), value.into())
    }

    #[test]
    fn secret_value_debug_never_shows_the_value() {
        let variable = EnvVar::new("TOKEN", "hunter2");
        assert_eq!(
            format!("{variable:?}"),
            r#"EnvVar { name: "TOKEN", value: *** }"#
        );
        let payload = SecretPayload::Binary(Zeroizing::new(vec![1, 2, 3]));
        assert_eq!(format!("{payload:?}"), "Binary(*** 3 bytes)");
    }

    #[test]
    fn object_keys_in_the_secrets_order() {
        assert_eq!(
            pairs("ci/npm", r#"{"z":"1","a":"2","M":"3"}"#),
            vec![pair("z", "1"), pair("a", "2"), pair("M", "3")]
        );
    }

    #[test]
    fn nested_objects_flatten_with_underscores() {
        assert_eq!(
            pairs(
                "app",
                r#"{"db":{"host":"h","port":5432,"opts":{"tls":true}},"x":"y"}"#
            ),
            vec![
                pair("db_host", "h"),
                pair("db_port", "5432"),
                pair("db_opts_tls", "true"),
                pair("x", "y"),
            ]
        );
    }

    #[test]
    fn uppercase_applies_to_key_names() {
        let naming = NamingOptions {
            uppercase: true,
            prefix: "ci_".into(),
            ..NamingOptions::default()
        };
        assert_eq!(
            pairs_with("Db,app", r#"{"db":{"host":"h"}}"#, &naming),
            vec![pair("ci_Db_DB_HOST", "h")]
        );
    }

    #[test]
    fn scalars_keep_their_json_text() {
        assert_eq!(
            pairs(
                "app",
                r#"{"n":1.50,"big":123456789012345678901234567890,"e":1e3,"t":false,"null":null,
                    "list":[1, "two", {"three": 3.0}],"empty":{},"s":"\"quoted\" \\ \u00e9\n"}"#
            ),
            vec![
                pair("n", "1.50"),
                pair("big", "123456789012345678901234567890"),
                pair("e", "1e3"),
                pair("t", "false"),
                pair("null", ""),
                pair("list", r#"[1,"two",{"three":3.0}]"#),
                pair("empty", "{}"),
                pair("s", "\"quoted\" \\ é\n"),
            ]
        );
    }

    #[test]
    fn escapes_are_decoded_exactly() {
        assert_eq!(
            pairs("app", r#"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83e\udd80 plain"}"#),
            vec![pair("s", "\"\\/\u{8}\u{c}\n\r\té🦀 plain")]
        );
        assert!(problem("app", r#"{"s":"\ud83e"}"#).contains("lone surrogate"));
        assert!(problem("app", r#"{"s":"\udd80x"}"#).contains("lone surrogate"));
    }

    #[test]
    fn arrays_lose_only_their_whitespace() {
        assert_eq!(
            pairs("app", "{\"a\": [ 1 , \"x y\\\" ]\" ,\n {\"k\" : null} ]}"),
            vec![pair("a", r#"[1,"x y\" ]",{"k":null}]"#)]
        );
    }

    #[test]
    fn plain_text_is_one_variable_named_after_the_secret() {
        assert_eq!(
            pairs("ci/npm-token", "abc"),
            vec![pair("CI_NPM_TOKEN", "abc")]
        );
        assert_eq!(pairs("NPM,ci/npm-token", "abc"), vec![pair("NPM", "abc")]);
        assert_eq!(pairs("9lives", ""), vec![pair("_9LIVES", "")]);
    }

    #[test]
    fn json_that_is_not_an_object_is_plain_text_kept_verbatim() {
        assert_eq!(
            pairs("s", r#" "quoted" "#),
            vec![pair("S", r#" "quoted" "#)]
        );
        assert_eq!(pairs("s", "[1, 2]"), vec![pair("S", "[1, 2]")]);
        assert_eq!(pairs("s", "42"), vec![pair("S", "42")]);
    }

    #[test]
    fn invalid_json_object_is_exported_whole_with_a_warning() {
        let (result, warnings) = convert("ci/x", "{not json", &NamingOptions::default());
        assert_eq!(result.unwrap()[0].value.expose(), "{not json");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("not valid JSON"), "{warnings:?}");
        assert!(
            !warnings[0].contains("not json"),
            "the value leaked: {warnings:?}"
        );
    }

    #[test]
    fn alias_prefixes_json_keys() {
        assert_eq!(
            pairs("DB,ci/db", r#"{"user":"u","password":"p"}"#),
            vec![pair("DB_user", "u"), pair("DB_password", "p")]
        );
    }

    #[test]
    fn key_selection_in_the_listed_order() {
        assert_eq!(
            pairs(
                "ci/db#password,user",
                r#"{"user":"u","host":"h","password":"p"}"#
            ),
            vec![pair("password", "p"), pair("user", "u")]
        );
    }

    #[test]
    fn missing_selected_keys_are_named_with_the_keys_present() {
        assert_eq!(
            problem("ci/db#pass,user,x", r#"{"user":"u","password":"p"}"#),
            r#"secret ci/db: keys "pass", "x" are not in the secret (its keys: user, password)"#
        );
        assert!(problem("ci/db#user", "plain").contains("plain text"));
        assert!(problem("ci/db#user", "{oops").contains("not valid JSON"));
    }

    #[test]
    fn invalid_keys_are_sanitised_with_a_warning() {
        let (result, warnings) = convert(
            "app",
            r#"{"a-b":"1","2x":"2","é":"3","ok":"4"}"#,
            &NamingOptions::default(),
        );
        let names: Vec<String> = result.unwrap().into_iter().map(|v| v.name).collect();
        assert_eq!(names, vec!["a_b", "_2x", "_", "ok"]);
        assert_eq!(warnings.len(), 3);
        assert!(warnings[0].contains(r#"key "a-b""#) && warnings[0].contains("a_b"));
    }

    #[test]
    fn strict_refuses_invalid_keys() {
        let naming = NamingOptions {
            strict: true,
            ..NamingOptions::default()
        };
        let (result, _) = convert("app", r#"{"a-b":"1"}"#, &naming);
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains(r#"key "a-b""#) && message.contains("--strict"),
            "{message}"
        );
    }

    #[test]
    fn keys_colliding_after_sanitising_or_flattening_are_an_error() {
        assert_eq!(
            problem("app", r#"{"a-b":"1","a_b":"2"}"#),
            r#"secret app: keys "a-b" and "a_b" both become variable a_b"#
        );
        assert!(problem("app", r#"{"db":{"host":"1"},"db_host":"2"}"#).contains("both become"));
    }

    #[test]
    fn duplicate_json_keys_are_an_error() {
        assert!(problem("app", r#"{"a":"1","a":"2"}"#).contains(r#"key "a" appears twice"#));
    }

    #[test]
    fn empty_key_without_prefix_is_an_error() {
        assert!(problem("app", r#"{"":"1"}"#).contains("empty variable name"));
        assert_eq!(pairs("P,app", r#"{"":"1"}"#), vec![pair("P_", "1")]);
    }

    #[test]
    fn nul_bytes_are_refused() {
        assert!(problem("app", r#"{"a":"x\u0000y"}"#).contains("NUL"));
        assert!(problem("app", "x\0y").contains("NUL"));
    }

    #[test]
    fn empty_object_gives_no_variables_and_a_warning() {
        let (result, warnings) = convert("app", "{}", &NamingOptions::default());
        assert!(result.unwrap().is_empty());
        assert!(warnings[0].contains("empty JSON object"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert!(
            problem("app", &deep).contains("nested deeper than 128 levels"),
            "{}",
            problem("app", &deep)
        );
        let fine = format!("{}1{}", r#"{"a":"#.repeat(128), "}".repeat(128));
        assert_eq!(pairs("app", &fine)[0].1, "1");
        let huge = format!("{}1{}", "[".repeat(30_000), "]".repeat(30_000));
        assert_eq!(
            pairs("app", &format!(r#"{{"a":{huge}}}"#))[0].1,
            huge,
            "arrays are text"
        );
    }

    #[test]
    fn binary_secrets_are_base64() {
        let spec = SecretSpec::parse("ci/keystore").unwrap();
        let secret = FetchedSecret {
            name: "ci/keystore".into(),
            payload: SecretPayload::Binary(Zeroizing::new(vec![0, 1, 0xff, b'a'])),
        };
        let variables =
            secret_variables(&spec, &secret, &NamingOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(variables, vec![EnvVar::new("CI_KEYSTORE", "AAH/YQ==")]);
    }

    #[test]
    fn later_layers_override_earlier_ones_in_place() {
        let mut warnings = Vec::new();
        let merged = merge_layers(
            vec![
                Layer {
                    origin: "secret ci/common".into(),
                    variables: vec![EnvVar::new("A", "1"), EnvVar::new("B", "2")],
                },
                Layer {
                    origin: "secret ci/prod".into(),
                    variables: vec![EnvVar::new("B", "3"), EnvVar::new("C", "4")],
                },
            ],
            &mut warnings,
        );
        assert_eq!(
            merged,
            vec![
                EnvVar::new("A", "1"),
                EnvVar::new("B", "3"),
                EnvVar::new("C", "4")
            ]
        );
        assert_eq!(
            warnings,
            vec!["variable B from secret ci/prod overrides the one from secret ci/common"]
        );
    }
}
