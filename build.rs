//! Tells `--version` which commit and target it was built from, and the man pages the commit's
//! date: $AWSSECRETS_COMMIT and $AWSSECRETS_COMMIT_DATE when set (scripts/build-static sets
//! them, so that a copy of the sources without .git builds the same bytes), else what
//! scripts/source-commit finds in git, else no commit and "undated".

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=AWSSECRETS_COMMIT");
    println!("cargo::rerun-if-env-changed=AWSSECRETS_COMMIT_DATE");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=scripts/source-commit");
    let given = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let (commit, date) = match (given("AWSSECRETS_COMMIT"), given("AWSSECRETS_COMMIT_DATE")) {
        (Some(commit), date) => (Some(commit), date),
        (None, _) => match source_commit() {
            Some((commit, date)) => (Some(commit), Some(date)),
            None => (None, None),
        },
    };
    let target = std::env::var("TARGET").unwrap_or_default();
    let build = match commit {
        Some(commit) => format!("commit {commit}, {target}"),
        None => target,
    };
    println!("cargo::rustc-env=AWSSECRETS_BUILD={build}");
    let date = date.unwrap_or_else(|| "undated".to_owned());
    println!("cargo::rustc-env=AWSSECRETS_COMMIT_DATE={date}");
}

/// The commit of the sources and its date, from scripts/source-commit; a new commit (or
/// checkout) runs this again.
fn source_commit() -> Option<(String, String)> {
    let output = Command::new("sh")
        .arg("scripts/source-commit")
        .output()
        .ok()?;
    let line = String::from_utf8(output.stdout).ok()?;
    let (commit, date) = line.trim().split_once(' ')?;
    for path in ["HEAD", "packed-refs"]
        .into_iter()
        .map(str::to_owned)
        .chain(git(&["symbolic-ref", "-q", "HEAD"]))
    {
        // A file that does not exist would run this on every build.
        if let Some(file) = git(&["rev-parse", "--git-path", &path])
            .filter(|file| std::path::Path::new(file).exists())
        {
            println!("cargo::rerun-if-changed={file}");
        }
    }
    output
        .status
        .success()
        .then(|| (commit.to_owned(), date.to_owned()))
}

/// What git prints for `args`, trimmed; none when git fails or prints nothing.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}
