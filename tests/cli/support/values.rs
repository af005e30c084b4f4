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

/// The consumer matrix's corpus: every kind of value a consumer may misread, and values that
/// try to inject a variable named `INJECTED` into each grammar.
pub fn corpus() -> Vec<(&'static str, String)> {
    let mut values: Vec<(&'static str, String)> = [
        ("PLAIN", "abc"),
        ("EMPTY", ""),
        ("SINGLE_QUOTE", "it's"),
        ("DOUBLE_QUOTE", r#"say "hi""#),
        ("BOTH_QUOTES", r#"it's "quoted""#),
        ("BACKSLASH", r"C:\path\new"),
        ("DOUBLE_BACKSLASH", r"a\\b"),
        ("TRAILING_BACKSLASH", r"ends\"),
        ("DOLLAR", "$HOME and $1"),
        ("DOLLAR_BRACE", "${HOME}"),
        ("SUBSTITUTION", "$(id) `id`"),
        ("BACKTICK", "`id`"),
        ("HASH_START", "#not a comment"),
        ("HASH_AFTER_SPACE", "value #not a comment"),
        ("EQUALS", "a=b==c"),
        ("CR_LF", "line 1\r\nline 2\r\n"),
        ("LONE_CR", "a\rb"),
        ("TRAILING_CR", "ab\r"),
        ("LONE_DOLLAR_BRACE", "costs ${ 5"),
        ("LF", "line 1\nline 2\n\nline 4\n"),
        ("TAB", "a\tb"),
        ("SPACES", "  padded  "),
        ("UNICODE", "héllo wörld ✓ 🦀 日本"),
        ("PERCENT", "100% %PATH% %"),
        (
            "HEREDOC_LINE",
            "before\nEOF\nghadelimiter_0123456789abcdef\nafter",
        ),
        ("INJECT_SH", "x'\nexport INJECTED=1\n'"),
        ("INJECT_DOUBLE", "x\"\nINJECTED=1\n\""),
        ("INJECT_LINE", "x\nINJECTED=1"),
        ("INJECT_HEREDOC", "EOF\nINJECTED<<EOF\n1\nEOF"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect();
    // 60 KB of varied text (so that it does not compress to nothing).
    let mut state: u32 = 42;
    let large: String = (0..60 * 1024)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    values.push(("LARGE", large));
    values
}
