//! How `exec` runs its command, as the command line asked: built once by the CLI, read here
//! alone (a new option touches the CLI, this folder and its test).

use std::ffi::OsString;

/// `exec`'s own options (the selection of values and the env files are the command's).
#[derive(Debug, Clone)]
pub struct Options {
    /// The command and its arguments, after `--`.
    pub command: Vec<OsString>,
    /// `--pristine`: only a minimal inherited environment.
    pub pristine: bool,
    /// `--mask`: mask values in the command's output (the default in CI).
    pub mask: bool,
    /// `--mask-min-length`: values shorter than this are not masked.
    pub mask_min_length: usize,
    /// `--file NAME`: variables whose values go to private files, set to their paths.
    pub files: Vec<String>,
}
