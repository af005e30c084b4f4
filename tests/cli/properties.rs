//! Property tests over arbitrary unicode: SPEC parsing, flattening and naming, every output
//! format through its consumer, and the streaming masker. A panic is a failure.

use std::collections::BTreeMap;

use awssecrets::mask::{Masker, mask_patterns};
use awssecrets::output::{self, Format};
use awssecrets::secret::{
    EnvVar, FetchedSecret, NamingOptions, SecretPayload, SecretValue, secret_variables,
};
use awssecrets::spec::{SecretSpec, is_valid_variable_name};
use proptest::prelude::*;

use crate::support::consumers::{
    Pairs, docker_env_pairs, dotenvy_pairs, github_env_pairs, gitlab_dotenv_pairs, json_pairs,
    load_in_shell,
};

/// Any string an environment can hold: everything but NUL.
fn value() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|text| text.replace('\0', ""))
}

/// Distinct valid variable names with arbitrary values.
fn variables() -> impl Strategy<Value = Vec<EnvVar>> {
    prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_]{0,12}", value(), 0..8).prop_map(|map| {
        map.into_iter()
            .map(|(name, value)| EnvVar::new(name, value))
            .collect()
    })
}

fn pairs(variables: &[EnvVar]) -> Pairs {
    variables
        .iter()
        .map(|variable| (variable.name.clone(), variable.value.expose().to_owned()))
        .collect()
}

fn render(format: Format, variables: &[EnvVar]) -> Result<String, String> {
    output::render(format, variables, &mut Vec::new())
        .map(|bytes| String::from_utf8(bytes.to_vec()).unwrap())
        .map_err(|error| error.to_string())
}

proptest! {
    #[test]
    fn any_spec_text_parses_or_is_refused_with_a_reason(text in any::<String>()) {
        match SecretSpec::parse(&text) {
            Ok(spec) => {
                prop_assert!(!spec.id.is_empty());
                prop_assert!(!spec.id.contains(['#', ',', '*', ' ']));
            }
            Err(error) => prop_assert!(!error.reason.is_empty()),
        }
    }

    #[test]
    fn any_json_object_gives_valid_names_or_a_clear_error(
        object in prop::collection::btree_map(any::<String>(), prop_oneof![
            value().prop_map(serde_json::Value::String),
            any::<i64>().prop_map(serde_json::Value::from),
            prop::collection::btree_map(any::<String>(), value(), 0..3)
                .prop_map(|inner| serde_json::to_value(inner).unwrap()),
        ], 0..8),
        uppercase in any::<bool>(),
    ) {
        let text = serde_json::to_string(&object).unwrap();
        let spec = SecretSpec::parse("prop/secret").unwrap();
        let secret = FetchedSecret { name: "prop/secret".into(), payload: SecretPayload::Text(SecretValue::new(text)) };
        let naming = NamingOptions { uppercase, ..NamingOptions::default() };
        match secret_variables(&spec, &secret, &naming, &mut Vec::new()) {
            Ok(variables) => {
                for variable in &variables {
                    prop_assert!(is_valid_variable_name(&variable.name), "{:?}", variable.name);
                    prop_assert!(!variable.value.expose().contains('\0'));
                }
                let mut names: Vec<&str> = variables.iter().map(|variable| variable.name.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                prop_assert_eq!(names.len(), variables.len(), "names are unique");
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(
                    message.contains("both become") || message.contains("empty variable name") || message.contains("NUL"),
                    "{}", message
                );
            }
        }
    }

    #[test]
    fn string_values_survive_flattening_exactly(values in prop::collection::vec(value(), 1..6)) {
        let object: BTreeMap<String, String> =
            values.iter().enumerate().map(|(index, value)| (format!("key_{index}"), value.clone())).collect();
        let spec = SecretSpec::parse("prop/secret").unwrap();
        let secret = FetchedSecret {
            name: "prop/secret".into(),
            payload: SecretPayload::Text(SecretValue::new(serde_json::to_string(&object).unwrap())),
        };
        let variables = secret_variables(&spec, &secret, &NamingOptions::default(), &mut Vec::new()).unwrap();
        let expected: Pairs = object.into_iter().collect();
        prop_assert_eq!(pairs(&variables), expected);
    }

    #[test]
    fn dotenv_json_and_github_round_trip_anything(variables in variables()) {
        let expected = pairs(&variables);
        prop_assert_eq!(dotenvy_pairs(&render(Format::Dotenv, &variables).unwrap()), expected.clone());
        prop_assert_eq!(json_pairs(&render(Format::Json, &variables).unwrap()), expected.clone());
        let github = output::render_github(&variables, &mut output::random_github_delimiter).unwrap();
        prop_assert_eq!(github_env_pairs(std::str::from_utf8(&github.env).unwrap()), expected);
    }

    #[test]
    fn env_and_gitlab_round_trip_or_refuse_naming_a_variable(variables in variables()) {
        let expected = pairs(&variables);
        match render(Format::Env, &variables) {
            Ok(text) => prop_assert_eq!(docker_env_pairs(&text), expected.clone()),
            Err(message) => prop_assert!(message.contains("variable "), "{}", message),
        }
        match render(Format::Gitlab, &variables) {
            Ok(text) => prop_assert_eq!(gitlab_dotenv_pairs(&text), expected),
            Err(message) => prop_assert!(message.contains("variable ") || message.contains("GitLab"), "{}", message),
        }
    }

    #[test]
    fn masking_catches_values_however_the_stream_is_cut(
        secret in "[^\n\r]{8,40}",
        before in value(),
        after in value(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let stream = format!("{before}{secret}{after}").into_bytes();
        let mut points: Vec<usize> = cuts.iter().map(|cut| cut.index(stream.len() + 1)).collect();
        points.sort_unstable();
        let mut masker = Masker::new(mask_patterns([secret.as_str()], 8));
        let mut out = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([stream.len()]) {
            masker.feed(&stream[start..point], &mut out);
            start = point;
        }
        masker.finish(&mut out);
        let mut whole = Vec::new();
        let mut one_shot = Masker::new(mask_patterns([secret.as_str()], 8));
        one_shot.feed(&stream, &mut whole);
        one_shot.finish(&mut whole);
        prop_assert_eq!(&out, &whole, "chunking changes nothing");
        let needle = secret.as_bytes();
        prop_assert!(!out.windows(needle.len()).any(|window| window == needle), "the secret went through");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn dotenv_and_shell_round_trip_through_sh(variables in variables()) {
        let directory = tempfile::tempdir().unwrap();
        let names: Vec<&str> = variables.iter().map(|variable| variable.name.as_str()).collect();
        let dotenv = directory.path().join(".env");
        std::fs::write(&dotenv, render(Format::Dotenv, &variables).unwrap()).unwrap();
        let shell = vec!["sh".to_owned()];
        prop_assert_eq!(load_in_shell(&shell, r#"set -a; . "$FILE"; set +a"#, &dotenv, &names), pairs(&variables));
        let exports = directory.path().join("exports.sh");
        std::fs::write(&exports, render(Format::Shell, &variables).unwrap()).unwrap();
        prop_assert_eq!(load_in_shell(&shell, r#"eval "$(cat "$FILE")""#, &exports, &names), pairs(&variables));
    }
}
