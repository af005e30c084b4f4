//! Naming and flattening, value by value: names, order, scalars, escapes, collisions, limits.

use zeroize::Zeroizing;

use super::*;

/// `ALIAS,ID#K1,K2` split the way a SPEC is (enough for these tests).
fn shape_of(spec: &str) -> (String, Shape) {
    let (head, keys) = match spec.split_once('#') {
        Some((head, keys)) => (head, Some(keys.split(',').map(str::to_owned).collect())),
        None => (spec, None),
    };
    let (alias, id) = match head.split_once(',') {
        Some((alias, id)) => (Some(alias.to_owned()), id),
        None => (None, head),
    };
    (id.to_owned(), Shape { alias, keys })
}

fn entry(id: &str, payload: Payload) -> Entry {
    Entry {
        subject: format!("secret {id}"),
        name: id.to_owned(),
        stem: id.to_owned(),
        relative: false,
        found_by_listing: false,
        payload,
        region: "eu-west-1".into(),
        elapsed: std::time::Duration::ZERO,
    }
}

fn convert(
    spec: &str,
    text: &str,
    naming: &NamingOptions,
) -> (Result<Vec<EnvVar>, Error>, Vec<String>) {
    let (id, shape) = shape_of(spec);
    let entry = entry(&id, Payload::Text(SecretValue::new(text.into())));
    let mut warnings = Vec::new();
    let result = variables(&entry, &shape, naming, &mut warnings);
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
    // A leading `/` is dropped, for a secret as for a parameter.
    assert_eq!(
        pairs("/ci/npm/token", "abc"),
        vec![pair("CI_NPM_TOKEN", "abc")]
    );
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
    let entry = entry(
        "ci/keystore",
        Payload::Binary(Zeroizing::new(vec![0, 1, 0xff, b'a'])),
    );
    let variables = variables(
        &entry,
        &Shape::default(),
        &NamingOptions::default(),
        &mut Vec::new(),
    )
    .unwrap();
    let mut expected = EnvVar::new("CI_KEYSTORE", "AAH/YQ==");
    expected.binary = true;
    expected.chosen_by = crate::model::ChosenBy::Id;
    assert_eq!(
        variables,
        vec![expected],
        "base64, marked as a binary secret's"
    );
}

#[test]
fn a_lone_surrogate_in_a_key_is_an_error_like_in_a_value() {
    assert!(problem("app", r#"{"\ud83e":"x"}"#).contains("lone surrogate"));
    assert!(problem("app", r#"{"\udd80":"x"}"#).contains("lone surrogate"));
    assert!(problem("app", r#"{"ok":"x","\ud83ey":"x"}"#).contains("lone surrogate"));
}

#[test]
fn variable_names() {
    assert!(is_valid_variable_name("_"));
    assert!(is_valid_variable_name("A_1"));
    assert!(!is_valid_variable_name(""));
    assert!(!is_valid_variable_name("1A"));
    assert!(!is_valid_variable_name("A-B"));
    assert!(!is_valid_variable_name("É"));
}
