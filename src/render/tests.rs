//! Every format, snapshot-tested on values built to break quoting, with its limits.

use super::*;

fn tricky() -> Vec<EnvVar> {
    vec![
        EnvVar::new("PLAIN", "abc"),
        EnvVar::new("EMPTY", ""),
        EnvVar::new("QUOTES", r#"it's "quoted""#),
        EnvVar::new("SHELLY", r"$HOME `id` $(id) \n \\ \"),
        EnvVar::new("SPACES", "  padded  "),
        EnvVar::new("EQUALS", "a=b=="),
        EnvVar::new("UNICODE", "héllo ✓ 🦀"),
        EnvVar::new("MULTI", "line 1\nline 2\r\n"),
    ]
}

fn rendered(format: Format, variables: &[EnvVar]) -> String {
    let output = render(
        format,
        variables,
        &Options::default(),
        &mut Vec::new(),
        &mut counting_delimiters(),
    )
    .unwrap();
    String::from_utf8(output.body.to_vec()).unwrap()
}

/// Why rendering `variables` in `format` fails.
fn refusal(format: Format, variables: &[EnvVar]) -> String {
    match render(
        format,
        variables,
        &Options::default(),
        &mut Vec::new(),
        &mut counting_delimiters(),
    ) {
        Ok(_) => panic!("{format:?} accepted it"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn sh_snapshot() {
    insta::assert_snapshot!(rendered(Format::Sh, &tricky()));
}

#[test]
fn dotenv_snapshot() {
    let agreeable: Vec<EnvVar> = tricky()
        .into_iter()
        .filter(|variable| !matches!(variable.name.as_str(), "SHELLY" | "MULTI" | "QUOTES"))
        .chain([
            EnvVar::new("MULTI", "line 1\nline 2\n"),
            EnvVar::new("SINGLE", "it's"),
            EnvVar::new("DOUBLE", r#"say "hi" $HOME `id`"#),
        ])
        .collect();
    insta::assert_snapshot!(rendered(Format::Dotenv, &agreeable));
    let message = refusal(Format::Dotenv, &tricky());
    for refused in [
        "variable SHELLY: its value holds",
        "variable QUOTES: its value holds a single quote",
        "variable MULTI: its value holds a carriage return",
        "use --format sh",
    ] {
        assert!(message.contains(refused), "{message}");
    }
}

#[test]
fn shell_snapshot() {
    insta::assert_snapshot!(rendered(Format::Shell, &tricky()));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(rendered(Format::Json, &tricky()));
    assert_eq!(rendered(Format::Json, &[]), "{}\n");
}

#[test]
fn env_snapshot() {
    let single_line: Vec<EnvVar> = tricky().into_iter().filter(|v| v.name != "MULTI").collect();
    insta::assert_snapshot!(rendered(Format::Env, &single_line));
}

#[test]
fn env_refuses_every_multi_line_value() {
    let variables = vec![
        EnvVar::new("A", "x\ny"),
        EnvVar::new("B", "ok"),
        EnvVar::new("C", "x\r"),
    ];
    let message = refusal(Format::Env, &variables);
    assert!(
        message.contains("variable A:") && message.contains("variable C:"),
        "{message}"
    );
    assert!(!message.contains("variable B"), "{message}");
}

#[test]
fn gitlab_snapshot() {
    let variables = vec![
        EnvVar::new("PLAIN", "abc"),
        EnvVar::new("EMPTY", ""),
        EnvVar::new("QUOTES", r#"it's "quoted""#),
        EnvVar::new("EQUALS", "a=b=="),
        EnvVar::new("UNICODE", "héllo✓"),
        EnvVar::new("HASH", "#not-a-comment"),
    ];
    insta::assert_snapshot!(rendered(Format::Gitlab, &variables));
}

#[test]
fn gitlab_refuses_what_it_would_misread() {
    let long_name = "N".repeat(256);
    let variables = vec![
        EnvVar::new("MULTI", "a\nb"),
        EnvVar::new("PADDED", " a"),
        EnvVar::new("TRAILING_TAB", "a\t"),
        EnvVar::new(long_name.clone(), "x"),
        EnvVar::new("DOLLAR", "pa$word"),
    ];
    let message = refusal(Format::Gitlab, &variables);
    assert!(message.starts_with("5 failures:"), "{message}");
    assert!(
        message.contains("variable DOLLAR: its value holds '$'"),
        "{message}"
    );
    assert!(
        message.contains("variable MULTI: its value spans several lines"),
        "{message}"
    );
    assert!(message.contains("variable PADDED: its value starts or ends with whitespace"));
    assert!(message.contains("variable TRAILING_TAB"));
    assert!(message.contains(&format!("variable {long_name}: GitLab variable names")));
}

#[test]
fn gitlab_warns_about_inner_spaces_and_counts() {
    let mut warnings = Vec::new();
    let mut variables: Vec<EnvVar> = (0..21).map(|i| EnvVar::new(format!("V{i}"), "x")).collect();
    variables.push(EnvVar::new("SPACED", "a b"));
    render(
        Format::Gitlab,
        &variables,
        &Options::default(),
        &mut warnings,
        &mut counting_delimiters(),
    )
    .unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("variable SPACED"));
    assert!(warnings[1].contains("22 variables"));
}

#[test]
fn gitlab_measures_the_compressed_report_and_counts_variables() {
    // Repetitive text compresses far below GitLab's limit; noise does not.
    let repetitive = vec![EnvVar::new("BIG", "x".repeat(20_000))];
    rendered(Format::Gitlab, &repetitive);
    let mut state: u32 = 7;
    let noise: String = (0..10_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'A' + ((state >> 16) % 26) as u8)
        })
        .collect();
    let message = refusal(Format::Gitlab, &[EnvVar::new("NOISE", noise)]);
    assert!(
        message.contains("10007 bytes") && message.contains("compressed as GitLab stores it"),
        "{message}"
    );
    assert!(
        message.contains("(--gitlab-max-bytes: your instance's dotenv_size limit)"),
        "{message}"
    );
    let many: Vec<EnvVar> = (0..151)
        .map(|i| EnvVar::new(format!("V{i}"), "x"))
        .collect();
    let message = refusal(Format::Gitlab, &many);
    assert!(message.contains("151 variables"), "{message}");
    let strict = Options {
        gitlab_max_variables: 20,
        gitlab_limits_given: true,
        ..Options::default()
    };
    let error = render(
        Format::Gitlab,
        &many[..21],
        &strict,
        &mut Vec::new(),
        &mut counting_delimiters(),
    )
    .err()
    .unwrap();
    assert!(
        error
            .to_string()
            .contains("21 variables; GitLab accepts at most 20 here"),
        "{error}"
    );
}

#[test]
fn gitlab_refuses_percent_references_and_env_refuses_docker_long_lines() {
    let message = refusal(Format::Gitlab, &[EnvVar::new("P", "x%CI_JOB_TOKEN%y")]);
    assert!(message.contains("%NAME% reference"), "{message}");
    rendered(Format::Gitlab, &[EnvVar::new("P", "100%")]);
    let long = EnvVar::new("L", "y".repeat(65_536 - 2));
    let message = refusal(Format::Env, &[long]);
    assert!(message.contains("65536 bytes"), "{message}");
    rendered(Format::Env, &[EnvVar::new("L", "y".repeat(65_536 - 3))]);
}

#[test]
fn github_refuses_what_the_runner_drops() {
    for name in ["NODE_OPTIONS", "node_options"] {
        let message = refusal(Format::Github, &[EnvVar::new(name, "--require x")]);
        assert!(
            message.contains("Can't store NODE_OPTIONS output parameter"),
            "{message}"
        );
        assert!(message.contains("awssecrets exec"), "{message}");
    }
}

fn counting_delimiters() -> impl FnMut() -> String {
    let mut count = 0;
    move || {
        count += 1;
        format!("EOF{count}")
    }
}

#[test]
fn github_snapshot() {
    let output = render(
        Format::Github,
        &tricky(),
        &Options::default(),
        &mut Vec::new(),
        &mut counting_delimiters(),
    )
    .unwrap();
    insta::assert_snapshot!(
        "github_masks",
        String::from_utf8(output.commands.to_vec()).unwrap()
    );
    insta::assert_snapshot!(
        "github_env",
        String::from_utf8(output.body.to_vec()).unwrap()
    );
}

#[test]
fn github_delimiter_never_occurs_in_the_value() {
    let variables = vec![EnvVar::new("X", "EOF1\nEOF2 and EOF3\nend")];
    assert_eq!(
        rendered(Format::Github, &variables),
        "X<<EOF4\nEOF1\nEOF2 and EOF3\nend\nEOF4\n"
    );
}

#[test]
fn github_gives_up_rather_than_loop_forever() {
    let variables = vec![EnvVar::new("X", "a\nb")];
    let error = render(
        Format::Github,
        &variables,
        &Options::default(),
        &mut Vec::new(),
        &mut || "a".to_owned(),
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("variable X"), "{error}");
    assert_eq!(error.exit_code(), crate::error::ExitCode::BadContent);
}

#[test]
fn github_mask_data_is_escaped() {
    let mut out = Vec::new();
    super::github::write_github_masks(&mut out, &[EnvVar::new("X", "100%0A\r")]).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "::add-mask::100%250A\n");
}

#[test]
fn random_delimiters_differ() {
    let first = random_delimiter();
    assert!(first.starts_with("ghadelimiter_") && first.len() == 13 + 32);
    assert_ne!(first, random_delimiter());
}
