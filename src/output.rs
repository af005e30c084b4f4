//! Pure output formats: every quoting and every consumer's limit lives here.

use std::io::{self, Write};

use zeroize::Zeroizing;

use crate::error::Error;
use crate::secret::EnvVar;

/// The consumers awssecrets writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// KEY='value' lines: `set -a; . FILE; set +a` in any POSIX sh, dotenvy, `exec --env-file`.
    Dotenv,
    /// export KEY='value' lines, for `eval "$(awssecrets ...)"`.
    Shell,
    /// Raw KEY=value lines (docker --env-file); refuses multi-line values.
    Env,
    /// A GitLab `artifacts:reports:dotenv` file; refuses what GitLab would reject or misread.
    Gitlab,
    /// Appends to $GITHUB_ENV (or -o) and prints ::add-mask:: for every value first.
    Github,
    /// One JSON object of name -> value.
    Json,
}

/// GitLab refuses a dotenv report of this many bytes or more (`MAX_ACCEPTABLE_DOTENV_SIZE`).
pub const GITLAB_MAX_BYTES: usize = 5 * 1024;
/// GitLab's default variable count limit for a dotenv report (self-managed; GitLab.com: 50-150).
pub const GITLAB_DEFAULT_MAX_VARIABLES: usize = 20;
/// No GitLab.com tier accepts more variables than this in one dotenv report.
pub const GITLAB_HIGHEST_MAX_VARIABLES: usize = 150;
/// GitLab's longest variable name.
pub const GITLAB_MAX_NAME_LENGTH: usize = 255;

/// Renders `variables` in `format` (except `github`, see [`render_github`]), refusing values the
/// consumer cannot carry. Warnings about soft limits are pushed to `warnings`. The buffer is
/// sized up front and wiped when dropped, so no copy of a value is left behind.
pub fn render(
    format: Format,
    variables: &[EnvVar],
    warnings: &mut Vec<String>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut out = Zeroizing::new(Vec::with_capacity(capacity(
        variables,
        expansion(format),
        16,
    )));
    let written = match format {
        Format::Dotenv => write_dotenv(&mut *out, variables),
        Format::Shell => write_shell(&mut *out, variables),
        Format::Env => {
            check_env(variables)?;
            write_env(&mut *out, variables)
        }
        Format::Gitlab => {
            check_gitlab(variables, warnings)?;
            write_env(&mut *out, variables)
        }
        Format::Json => write_json(&mut *out, variables),
        Format::Github => unreachable!("github output is two streams: use render_github"),
    };
    written.expect("writing to a Vec cannot fail");
    if format == Format::Gitlab {
        check_gitlab_size(out.len())?;
    }
    Ok(out)
}

/// How many bytes one byte of a value can become in `format`.
fn expansion(format: Format) -> usize {
    match format {
        // ' -> '\'' and \ -> '\\'
        Format::Dotenv | Format::Shell => 4,
        // a control character -> \u001f
        Format::Json => 6,
        // % -> %25 in masks
        Format::Github => 3,
        Format::Env | Format::Gitlab => 1,
    }
}

/// An upper bound of the rendered size: every value expanded `factor` times, plus `per_line`
/// bytes of syntax per line of each value.
fn capacity(variables: &[EnvVar], factor: usize, per_line: usize) -> usize {
    variables
        .iter()
        .map(|variable| {
            let value = variable.value.expose();
            let lines = value.bytes().filter(|&byte| byte == b'\n').count() + 1;
            variable.name.len() + value.len() * factor + lines * per_line + 16
        })
        .sum::<usize>()
        + 8
}

/// `KEY='value'` lines, `'` written as `'\''` and `\` as `'\\'` so that both POSIX sh and dotenvy
/// read every value back byte for byte (dotenvy treats `\` inside single quotes as an escape
/// when finding where a quoted value ends).
pub fn write_dotenv(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        write!(out, "{}=", variable.name)?;
        write_single_quoted(out, variable.value.expose())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `export KEY='value'` lines, quoted as in [`write_dotenv`].
pub fn write_shell(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        write!(out, "export {}=", variable.name)?;
        write_single_quoted(out, variable.value.expose())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `value` single-quoted, piece by piece (no intermediate copy of the value).
fn write_single_quoted(out: &mut impl Write, value: &str) -> io::Result<()> {
    out.write_all(b"'")?;
    let mut rest = value;
    while let Some(index) = rest.find(['\'', '\\']) {
        out.write_all(&rest.as_bytes()[..index])?;
        out.write_all(if rest.as_bytes()[index] == b'\'' {
            br"'\''"
        } else {
            br"'\\'"
        })?;
        rest = &rest[index + 1..];
    }
    out.write_all(rest.as_bytes())?;
    out.write_all(b"'")
}

/// Raw `KEY=value` lines; call [`check_env`] first.
pub fn write_env(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        writeln!(out, "{}={}", variable.name, variable.value.expose())?;
    }
    Ok(())
}

fn has_line_break(value: &str) -> bool {
    value.contains(['\n', '\r'])
}

/// Raw lines cannot carry a line break: refuse every variable holding one.
pub fn check_env(variables: &[EnvVar]) -> Result<(), Error> {
    let errors = variables
        .iter()
        .filter(|variable| has_line_break(variable.value.expose()))
        .map(|variable| {
            Error::bad_content(
                format!("variable {}", variable.name),
                "its value spans several lines, which the env format (docker --env-file) cannot \
                 carry; use --format dotenv",
            )
        })
        .collect();
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// What GitLab's dotenv report would reject or misread: line breaks, leading or trailing
/// whitespace (its parser strips both), `$` (the runner expands dotenv variables), names over
/// 255 characters, too many variables.
pub fn check_gitlab(variables: &[EnvVar], warnings: &mut Vec<String>) -> Result<(), Error> {
    let mut errors = Vec::new();
    for variable in variables {
        let value = variable.value.expose();
        let subject = || format!("variable {}", variable.name);
        if variable.name.len() > GITLAB_MAX_NAME_LENGTH {
            errors.push(Error::bad_content(
                subject(),
                format!("GitLab variable names have at most {GITLAB_MAX_NAME_LENGTH} characters"),
            ));
        }
        if has_line_break(value) {
            errors.push(Error::bad_content(
                subject(),
                "its value spans several lines, which a GitLab dotenv report cannot carry; use \
                 --format dotenv and load it with `set -a; . ./FILE; set +a`",
            ));
        } else if value != value.trim_matches(is_ruby_strip_whitespace) {
            errors.push(Error::bad_content(
                subject(),
                "its value starts or ends with whitespace, which GitLab's dotenv report parser \
                 strips; use --format dotenv",
            ));
        } else if value.contains('$') {
            errors.push(Error::bad_content(
                subject(),
                "its value holds '$', which GitLab expands in variables from a dotenv report (a \
                 later job would see another value); use --format dotenv",
            ));
        } else if value.contains([' ', '\t']) {
            warnings.push(format!(
                "variable {}: its value holds spaces, which GitLab's documentation says dotenv \
                 reports do not support (current GitLab keeps inner spaces)",
                variable.name
            ));
        }
    }
    if variables.len() > GITLAB_HIGHEST_MAX_VARIABLES {
        errors.push(Error::bad_content(
            "GitLab dotenv report",
            format!(
                "{} variables; no GitLab.com tier accepts more than {GITLAB_HIGHEST_MAX_VARIABLES} \
                 (self-managed default: {GITLAB_DEFAULT_MAX_VARIABLES}); use --format dotenv",
                variables.len()
            ),
        ));
    } else if variables.len() > GITLAB_DEFAULT_MAX_VARIABLES {
        warnings.push(format!(
            "GitLab dotenv report: {} variables; GitLab accepts {GITLAB_DEFAULT_MAX_VARIABLES} by \
             default on self-managed instances and 50 to 150 on GitLab.com depending on the tier",
            variables.len()
        ));
    }
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// Ruby's `String#strip` set: the characters GitLab removes around a dotenv value.
fn is_ruby_strip_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\0')
}

fn check_gitlab_size(size: usize) -> Result<(), Error> {
    if size >= GITLAB_MAX_BYTES {
        return Err(Error::bad_content(
            "GitLab dotenv report",
            format!(
                "it would be {size} bytes; GitLab accepts less than {GITLAB_MAX_BYTES} bytes; \
                 use --format dotenv for large secrets"
            ),
        ));
    }
    Ok(())
}

/// One object of name -> value, pretty-printed, in variable order.
pub fn write_json(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    if variables.is_empty() {
        return writeln!(out, "{{}}");
    }
    writeln!(out, "{{")?;
    for (index, variable) in variables.iter().enumerate() {
        let separator = if index + 1 < variables.len() { "," } else { "" };
        out.write_all(b"  ")?;
        serde_json::to_writer(&mut *out, &variable.name)?;
        out.write_all(b": ")?;
        serde_json::to_writer(&mut *out, variable.value.expose())?;
        writeln!(out, "{separator}")?;
    }
    writeln!(out, "}}")
}

/// GitHub Actions output: `::add-mask::` commands for stdout, and the `$GITHUB_ENV` block.
pub struct GithubOutput {
    /// Printed to stdout before the env block is written, so the runner masks every value.
    pub masks: Zeroizing<Vec<u8>>,
    /// Appended to `$GITHUB_ENV`.
    pub env: Zeroizing<Vec<u8>>,
}

/// Renders GitHub output; `new_delimiter` yields random heredoc delimiters (injected for tests).
pub fn render_github(
    variables: &[EnvVar],
    new_delimiter: &mut dyn FnMut() -> String,
) -> Result<GithubOutput, Error> {
    let mut masks = Zeroizing::new(Vec::with_capacity(capacity(
        variables,
        expansion(Format::Github),
        16,
    )));
    write_github_masks(&mut *masks, variables).expect("writing to a Vec cannot fail");
    // A heredoc adds the name, `<<`, and the delimiter twice (45 bytes each).
    let mut env = Zeroizing::new(Vec::with_capacity(
        capacity(variables, 1, 0) + variables.len() * 100,
    ));
    write_github_env(&mut *env, variables, new_delimiter)?;
    Ok(GithubOutput { masks, env })
}

/// `::add-mask::` for every non-blank line of every value, escaped as workflow command data.
pub fn write_github_masks(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        for line in variable.value.expose().split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.trim().is_empty() {
                out.write_all(b"::add-mask::")?;
                write_command_data(out, line)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// Workflow command data escaping, as the runner unescapes it (`%`, CR, LF), written piece by
/// piece.
fn write_command_data(out: &mut impl Write, data: &str) -> io::Result<()> {
    let mut rest = data;
    while let Some(index) = rest.find(['%', '\r', '\n']) {
        out.write_all(&rest.as_bytes()[..index])?;
        out.write_all(match rest.as_bytes()[index] {
            b'%' => b"%25",
            b'\r' => b"%0D",
            _ => b"%0A",
        })?;
        rest = &rest[index + 1..];
    }
    out.write_all(rest.as_bytes())
}

/// `NAME=value` for single-line values; `NAME<<DELIMITER` / value / `DELIMITER` otherwise,
/// with a delimiter that does not occur anywhere in the value.
pub fn write_github_env(
    out: &mut impl Write,
    variables: &[EnvVar],
    new_delimiter: &mut dyn FnMut() -> String,
) -> Result<(), Error> {
    let write_error = |source| Error::Output {
        target: "GITHUB_ENV".into(),
        source,
    };
    for variable in variables {
        let value = variable.value.expose();
        if !has_line_break(value) {
            writeln!(out, "{}={value}", variable.name).map_err(write_error)?;
            continue;
        }
        let delimiter = unused_delimiter(value, new_delimiter).ok_or_else(|| {
            Error::bad_content(
                format!("variable {}", variable.name),
                "no heredoc delimiter absent from its value could be found",
            )
        })?;
        write!(
            out,
            "{}<<{delimiter}\n{value}\n{delimiter}\n",
            variable.name
        )
        .map_err(write_error)?;
    }
    Ok(())
}

/// A delimiter not contained in `value`; a few random tries suffice (128 random bits each).
fn unused_delimiter(value: &str, new_delimiter: &mut dyn FnMut() -> String) -> Option<String> {
    (0..8)
        .map(|_| new_delimiter())
        .find(|delimiter| !delimiter.is_empty() && !value.contains(delimiter.as_str()))
}

/// `ghadelimiter_` and 32 random hex digits, as GitHub's own toolkit does.
pub fn random_github_delimiter() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("ghadelimiter_{hex}")
}

#[cfg(test)]
mod tests {
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
        String::from_utf8(render(format, variables, &mut Vec::new()).unwrap().to_vec()).unwrap()
    }

    #[test]
    fn dotenv_snapshot() {
        insta::assert_snapshot!(rendered(Format::Dotenv, &tricky()));
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
        let message = render(Format::Env, &variables, &mut Vec::new())
            .unwrap_err()
            .to_string();
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
        let message = render(Format::Gitlab, &variables, &mut Vec::new())
            .unwrap_err()
            .to_string();
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
        let mut variables: Vec<EnvVar> =
            (0..21).map(|i| EnvVar::new(format!("V{i}"), "x")).collect();
        variables.push(EnvVar::new("SPACED", "a b"));
        render(Format::Gitlab, &variables, &mut warnings).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("variable SPACED"));
        assert!(warnings[1].contains("22 variables"));
    }

    #[test]
    fn gitlab_refuses_oversized_files_and_too_many_variables() {
        let big = vec![EnvVar::new("BIG", "x".repeat(GITLAB_MAX_BYTES))];
        let message = render(Format::Gitlab, &big, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("5125 bytes") && message.contains("less than 5120"),
            "{message}"
        );
        let many: Vec<EnvVar> = (0..151)
            .map(|i| EnvVar::new(format!("V{i}"), "x"))
            .collect();
        let message = render(Format::Gitlab, &many, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(message.contains("151 variables"), "{message}");
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
        let output = render_github(&tricky(), &mut counting_delimiters()).unwrap();
        insta::assert_snapshot!(
            "github_masks",
            String::from_utf8(output.masks.to_vec()).unwrap()
        );
        insta::assert_snapshot!(
            "github_env",
            String::from_utf8(output.env.to_vec()).unwrap()
        );
    }

    #[test]
    fn github_delimiter_never_occurs_in_the_value() {
        let variables = vec![EnvVar::new("X", "EOF1\nEOF2 and EOF3\nend")];
        let output = render_github(&variables, &mut counting_delimiters()).unwrap();
        assert_eq!(
            String::from_utf8(output.env.to_vec()).unwrap(),
            "X<<EOF4\nEOF1\nEOF2 and EOF3\nend\nEOF4\n"
        );
    }

    #[test]
    fn github_gives_up_rather_than_loop_forever() {
        let variables = vec![EnvVar::new("X", "a\nb")];
        let error = render_github(&variables, &mut || "a".to_owned())
            .err()
            .unwrap();
        assert!(error.to_string().contains("variable X"));
    }

    #[test]
    fn github_mask_data_is_escaped() {
        let mut out = Vec::new();
        write_github_masks(&mut out, &[EnvVar::new("X", "100%0A\r")]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "::add-mask::100%250A\n");
    }

    #[test]
    fn random_delimiters_differ() {
        let first = random_github_delimiter();
        assert!(first.starts_with("ghadelimiter_") && first.len() == 13 + 32);
        assert_ne!(first, random_github_delimiter());
    }
}
