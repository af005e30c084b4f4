//! What is generated from the command line's own definitions: shell completion scripts and
//! manual pages, so that neither can say something `--help` does not.

use clap::CommandFactory;
use roff::{Roff, roman};

use super::args::{Cli, CompletionShell};

/// The completion script of `shell` for every command and option.
pub fn completions(shell: CompletionShell) -> Vec<u8> {
    let generator = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    let mut cli = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut cli, "awssecrets", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        CompletionShell::Bash => script.into_bytes(),
        CompletionShell::Zsh => repaired_for_zsh(script),
        CompletionShell::Fish => repaired_for_fish(script, &cli),
    }
}

/// clap_complete's zsh script lets the top level take its options anywhere on the line, so
/// `awssecrets whoami --format <TAB>` offered export's formats: the top level stops at the
/// first word that is not an option (the command), whose own options then apply.
fn repaired_for_zsh(script: String) -> Vec<u8> {
    let top_level = "_arguments \"${_arguments_options[@]}\" : \\";
    let until_the_command = "_arguments \"${_arguments_options[@]}\" -A \"-*\" : \\";
    script
        .replacen(top_level, until_the_command, 1)
        .into_bytes()
}

/// What clap_complete's fish script lacks: it offers nothing at the top level while an option
/// waits for its value (`awssecrets --format <TAB>`: its guard runs fish's argparse, which
/// fails on the unfinished line), and no values of positional arguments (`completions
/// <TAB>`). The guard takes an unfinished line for the top level; each positional argument
/// with a set of values gets them.
fn repaired_for_fish(script: String, cli: &clap::Command) -> Vec<u8> {
    let guard = "-- $cmd 2>/dev/null\n    or return\n";
    let relaxed = "-- $cmd 2>/dev/null\n    # An option still waits for its value: the top level.\n    \
                   or return 0\n";
    let mut script = script.replacen(guard, relaxed, 1);
    for command in cli
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
    {
        for positional in command.get_positionals().filter(|arg| !arg.is_hide_set()) {
            let values: Vec<String> = positional
                .get_possible_values()
                .iter()
                .filter(|value| !value.is_hide_set())
                .map(|value| value.get_name().to_owned())
                .collect();
            // Names of clap's values are plain words here; anything else is left unoffered
            // rather than quoted wrong.
            let plain = |name: &String| {
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            };
            if !values.is_empty() && values.iter().all(plain) {
                script.push_str(&format!(
                    "complete -c awssecrets -n \"__fish_awssecrets_using_subcommand {}\" -f -a \"{}\"\n",
                    command.get_name(),
                    values.join(" ")
                ));
            }
        }
    }
    script.into_bytes()
}

/// The commands with a manual page of their own (`awssecrets-exec(1)`), as `man` names them.
fn commands_with_pages() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
        .map(|command| command.get_name().to_owned())
        .collect()
}

/// The manual page (roff) of awssecrets, or of one of its commands: the sections of `--help`,
/// with its examples and exit codes as sections of their own, laid out as written. The same
/// text for every target (the footer names the version and the commit's date).
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => {
            let Some(command) = cli
                .get_subcommands()
                .find(|command| command.get_name() == name && !command.is_hide_set())
            else {
                return Err(format!(
                    "no command {}: awssecrets man takes one of {}",
                    crate::error::quoted(name),
                    commands_with_pages().join(", ")
                ));
            };
            // clap_mangen titles a page by its display name, as `man awssecrets-exec` finds it.
            command
                .clone()
                .display_name(format!("awssecrets-{name}"))
                .bin_name(format!("awssecrets {name}"))
        }
    };
    let man = clap_mangen::Man::new(page.clone())
        .date(env!("AWSSECRETS_COMMIT_DATE"))
        .source(concat!("awssecrets ", env!("CARGO_PKG_VERSION")))
        .manual("awssecrets manual");
    let mut text = Vec::new();
    let mut sections = || -> std::io::Result<()> {
        man.render_title(&mut text)?;
        man.render_name_section(&mut text)?;
        man.render_synopsis_section(&mut text)?;
        man.render_description_section(&mut text)?;
        man.render_options_section(&mut text)?;
        if page.has_subcommands() {
            man.render_subcommands_section(&mut text)?;
        }
        if let Some(after) = page.get_after_long_help() {
            blocks_as_sections(&after.to_string()).to_writer(&mut text)?;
        }
        Ok(())
    };
    sections().map_err(|error| error.to_string())?;
    Ok(text)
}

/// The text after `--help`'s options ("Examples:", "Exit codes:" at the start of a line, each
/// followed by indented lines) as man sections (EXAMPLES, EXIT STATUS) in no-fill mode, so that
/// commands keep their lines and indentation.
fn blocks_as_sections(after: &str) -> Roff {
    let mut roff = Roff::new();
    let mut open = false;
    for line in after.lines() {
        if let Some(heading) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
            if open {
                roff.control("fi", []);
            }
            let heading = match heading {
                "Examples" => "EXAMPLES".to_owned(),
                "Exit codes" => "EXIT STATUS".to_owned(),
                other => other.to_uppercase(),
            };
            roff.control("SH", [heading.as_str()]).control("nf", []);
            open = true;
        } else {
            if !open {
                roff.control("SH", ["NOTES"]).control("nf", []);
                open = true;
            }
            roff.text([roman(line.strip_prefix("  ").unwrap_or(line))]);
        }
    }
    if open {
        roff.control("fi", []);
    }
    roff
}
