//! How `exec` runs its command, as the command line asked: built once by the CLI, read here
//! alone (a new option touches the CLI, this folder and its test).

use std::ffi::OsString;
use std::path::PathBuf;

use zeroize::Zeroizing;

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
    /// `--render TEMPLATE=VAR`: templates rendered into private files, VAR set to the path.
    pub renders: Vec<RenderTemplate>,
}

/// One `--render TEMPLATE=VAR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderTemplate {
    pub template: PathBuf,
    pub variable: String,
}

/// A template rendered for `exec`: its file goes into the private directory, its variable
/// is set to the file's path.
pub struct RenderedFile {
    /// The variable set to the file's path (the pipeline's choice).
    pub variable: String,
    /// The file's name: the template's, without a `.tmpl`, `.tpl` or `.template` suffix.
    pub file_name: String,
    pub contents: Zeroizing<Vec<u8>>,
    /// How values were written into it, to mask in those forms too: (the value's variable
    /// index, the escape's name, the written text).
    pub written: Vec<(usize, &'static str, Zeroizing<String>)>,
}
