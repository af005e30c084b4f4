//! Secret values built to break quoting, and helpers to seed and compare them.

use super::TestEnv;
use super::consumers::Pairs;

/// Values that break naive quoting, keyed by variable name.
pub fn tricky_values() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SINGLE_QUOTES", "it's 'quoted'"),
        ("DOUBLE_QUOTES", r#"say "hi""#),
        ("DOLLARS", "$HOME ${HOME} $(id) $1"),
        ("BACKTICKS", "`id` and ``"),
        ("BACKSLASHES", r"C:\path\n \\ \' \"),
        ("TRAILING_BACKSLASH", r"ends with \"),
        ("QUOTE_ESCAPE", r"'\''"),
        ("EQUALS", "a=b==c"),
        ("UNICODE", "héllo wörld ✓ 🦀 日本"),
        ("SPACES", "  leading and trailing  "),
        ("EMPTY", ""),
        ("HASH", "#not a comment"),
        ("TAB", "a\tb"),
        ("NEWLINES", "line 1\nline 2\n\nline 4\n"),
        ("CRLF", "windows\r\nline\r\n"),
        ("JSONISH", r#"{"nested": "json", "x": [1, 2]}"#),
        ("SEMICOLON", "a; rm -rf / & echo | cat > x < y"),
    ]
}

/// Seeds one JSON secret holding `values`.
pub fn seed(env: &TestEnv, name: &str, values: &[(&str, &str)]) {
    let object: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(key, value)| {
            (
                key.to_string(),
                serde_json::Value::String(value.to_string()),
            )
        })
        .collect();
    env.secret(name, &serde_json::to_string(&object).unwrap());
}

/// `values` as owned pairs, to compare with what a consumer read.
pub fn expected(values: &[(&str, &str)]) -> Pairs {
    values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The variable names of `values`.
pub fn names(values: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    values.iter().map(|(name, _)| *name).collect()
}
