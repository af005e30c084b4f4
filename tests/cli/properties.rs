//! Property tests over arbitrary unicode: SPEC parsing, flattening and naming, every output
//! format through its consumer, and the streaming masker. A panic is a failure.

use std::collections::BTreeMap;

use awssecrets::mask::{Masker, mask_patterns};
use awssecrets::model::{Entry, EnvVar, Payload, SecretValue};
use awssecrets::naming::{
    NamingOptions, Shape, is_valid_variable_name, variables as name_variables,
};
use awssecrets::render::{self, Format};
use awssecrets::source::Spec;
use proptest::prelude::*;

use crate::support::consumers::{Pairs, format_name, formats, readers};

/// Any string an environment can hold: everything but NUL.
fn value() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|text| text.replace('\0', ""))
}

/// Distinct valid variable names with arbitrary values (never `_`, which shells overwrite and
/// awssecrets refuses before rendering).
fn variables() -> impl Strategy<Value = Vec<EnvVar>> {
    prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_]{0,12}", value(), 0..8).prop_map(|map| {
        map.into_iter()
            .filter(|(name, _)| name != "_")
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

/// The body `format` renders for `variables`, or why it refuses them.
fn render(format: Format, variables: &[EnvVar]) -> Result<Vec<u8>, String> {
    render::render(
        format,
        variables,
        &render::Options::default(),
        &mut Vec::new(),
        &mut render::random_delimiter,
    )
    .map(|rendered| rendered.body.to_vec())
    .map_err(|error| error.to_string())
}

/// A secret `prop/secret` holding `text`.
fn entry(text: String) -> Entry {
    Entry {
        subject: "secret prop/secret".into(),
        name: "prop/secret".into(),
        stem: "prop/secret".into(),
        relative: false,
        found_by_listing: false,
        payload: Payload::Text(SecretValue::new(text)),
        region: "eu-west-1".into(),
        elapsed: std::time::Duration::ZERO,
    }
}

/// Whether `format` may refuse `variables` as `message` does: sh, shell and json carry every
/// value; the GitHub formats refuse only names the runner refuses or confuses; the others
/// refuse naming one of the variables (or the whole GitLab report).
fn may_refuse(format: Format, variables: &[EnvVar], message: &str) -> bool {
    let names_one = variables
        .iter()
        .any(|variable| message.contains(&format!("variable {}: ", variable.name)));
    match format {
        Format::Sh | Format::Shell | Format::Json => false,
        Format::Github => names_one && message.contains("the Actions runner refuses it"),
        Format::GithubOutput => {
            let mut lower: Vec<String> = variables
                .iter()
                .map(|variable| variable.name.to_ascii_lowercase())
                .collect();
            let count = lower.len();
            lower.sort();
            lower.dedup();
            names_one && lower.len() < count
        }
        Format::Dotenv | Format::Env => names_one,
        Format::Gitlab => names_one || message.contains("GitLab dotenv report"),
    }
}

/// Every format's readers get `variables` exactly, or the format refuses them naming a
/// variable or the whole file; `in_process` picks the fast readers or the others.
fn round_trip_every_format(variables: &[EnvVar], in_process: bool) -> Result<(), TestCaseError> {
    let expected = pairs(variables);
    let names: Vec<&str> = variables
        .iter()
        .map(|variable| variable.name.as_str())
        .collect();
    let directory = tempfile::tempdir().unwrap();
    for format in formats() {
        let format_readers = readers(format);
        prop_assert!(!format_readers.is_empty(), "{:?} has no reader", format);
        match render(format, variables) {
            Ok(body) => {
                for reader in format_readers
                    .iter()
                    .filter(|reader| reader.in_process() == in_process)
                {
                    let read = reader.read(&body, directory.path(), &names);
                    prop_assert_eq!(
                        &read,
                        &expected,
                        "{} read by {:?}",
                        format_name(format),
                        reader
                    );
                }
            }
            Err(message) => prop_assert!(
                may_refuse(format, variables, &message),
                "{} refused what it must carry: {}",
                format_name(format),
                message
            ),
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_spec_text_parses_or_is_refused_with_a_reason(text in any::<String>()) {
        match Spec::parse(&text) {
            Ok(spec) => {
                prop_assert!(!spec.text.is_empty());
                let subject = spec.target.subject();
                let (_, selected) = subject.split_once(' ').expect("`secret ID`-like");
                prop_assert!(!selected.is_empty());
                prop_assert!(!selected.contains(['#', ',', ' ']), "{}", selected);
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
        let naming = NamingOptions { uppercase, ..NamingOptions::default() };
        match name_variables(&entry(text), &Shape::default(), &naming, &mut Vec::new()) {
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
        let entry = entry(serde_json::to_string(&object).unwrap());
        let variables = name_variables(&entry, &Shape::default(), &NamingOptions::default(), &mut Vec::new()).unwrap();
        let expected: Pairs = object.into_iter().collect();
        prop_assert_eq!(pairs(&variables), expected);
    }

    #[test]
    fn every_format_round_trips_anything_through_its_readers_or_refuses_naming_it(variables in variables()) {
        round_trip_every_format(&variables, true)?;
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
        let mut masker = Masker::new(&mask_patterns([secret.as_str()], 8));
        let mut out = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([stream.len()]) {
            masker.feed(&stream[start..point], &mut out);
            start = point;
        }
        masker.finish(&mut out);
        let mut whole = Vec::new();
        let mut one_shot = Masker::new(&mask_patterns([secret.as_str()], 8));
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
    fn every_format_round_trips_through_its_out_of_process_readers(variables in variables()) {
        round_trip_every_format(&variables, false)?;
    }
}
