//! `exec --file NAME`: a variable's value written to a 0600 file in a private 0700 directory,
//! the variable set to the file's path, and the directory removed when the command ends.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::Error;
use crate::files;
use crate::model::{ChosenBy, EnvVar, SecretValue};

use super::options::RenderedFile;

/// The private directory of a run's secret files; removed, with them, when dropped.
#[derive(Debug)]
pub struct SecretFiles {
    directory: TempDir,
    /// What was written, for the log: `NAME` for --file, `VAR (FILE)` for --render.
    written: Vec<String>,
}

impl SecretFiles {
    /// Writes each named variable's value (a binary secret's bytes, not their base64) to a
    /// file named after it, and sets the variable to that file's path; writes each rendered
    /// template to a file of its own name and sets (or adds) its variable to that path. A
    /// name no variable has, or two files of one name, is a usage error; nothing is written
    /// then.
    pub fn write(
        names: &[String],
        rendered: Vec<RenderedFile>,
        variables: &mut Vec<EnvVar>,
    ) -> Result<SecretFiles, Error> {
        let mut file_names: Vec<&str> = names.iter().map(String::as_str).collect();
        for file in &rendered {
            if file.file_name.is_empty() || file_names.contains(&file.file_name.as_str()) {
                return Err(Error::Usage(format!(
                    "--render {}: another --file or --render writes a file of that name; give \
                     the templates different names",
                    crate::error::shown(&file.file_name)
                )));
            }
            file_names.push(&file.file_name);
        }
        for name in names {
            if !variables.iter().any(|variable| &variable.name == name) {
                let known: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
                return Err(Error::Usage(format!(
                    "--file {name}: no variable {name} among the secrets and env files (they \
                     give: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        let base = private_base(|name| std::env::var_os(name).map(PathBuf::from));
        let directory = tempfile::Builder::new()
            .prefix("awssecrets-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(&base)
            .map_err(|error| {
                Error::Other(format!(
                    "cannot create a private directory for --file in {}: {error}",
                    crate::error::shown_path(&base)
                ))
            })?;
        let mut files = SecretFiles {
            directory,
            written: names.to_vec(),
        };
        for variable in variables
            .iter_mut()
            .filter(|variable| names.contains(&variable.name))
        {
            let path = files.directory.path().join(&variable.name);
            let contents = variable.bytes().ok_or_else(|| {
                Error::Other(format!(
                    "variable {} is not the base64 of a binary secret",
                    variable.name
                ))
            })?;
            files::create_private(&path, &contents).map_err(|error| {
                Error::Other(format!(
                    "cannot write the file of {}: {error}",
                    variable.name
                ))
            })?;
            variable.value = SecretValue::new(path.to_string_lossy().into_owned());
            variable.binary = false;
        }
        for file in rendered {
            let path = files.directory.path().join(&file.file_name);
            files::create_private(&path, &file.contents).map_err(|error| {
                Error::Other(format!(
                    "cannot write the file of {}: {error}",
                    file.variable
                ))
            })?;
            let value = SecretValue::new(path.to_string_lossy().into_owned());
            match variables.iter_mut().find(|v| v.name == file.variable) {
                Some(variable) => {
                    variable.value = value;
                    variable.binary = false;
                    variable.chosen_by = ChosenBy::Pipeline;
                }
                None => variables.push(EnvVar {
                    value,
                    chosen_by: ChosenBy::Pipeline,
                    ..EnvVar::new(file.variable.clone(), String::new())
                }),
            }
            files
                .written
                .push(format!("{} ({})", file.variable, file.file_name));
        }
        Ok(files)
    }

    /// What was written: each --file NAME, each --render as `VAR (FILE)`.
    pub fn written(&self) -> &[String] {
        &self.written
    }

    /// The directory holding the files.
    pub fn directory(&self) -> &Path {
        self.directory.path()
    }
}

/// Where the private directory goes: `$XDG_RUNTIME_DIR` (ours, 0700, in memory, cleared at
/// logout), else `/dev/shm` (in memory), else `$TMPDIR`, else `/tmp`.
fn private_base(variable: impl Fn(&str) -> Option<PathBuf>) -> PathBuf {
    let uid = nix::unistd::getuid().as_raw();
    let runtime = variable("XDG_RUNTIME_DIR").filter(|path| {
        path.is_absolute()
            && std::fs::metadata(path).is_ok_and(|metadata| {
                metadata.is_dir() && metadata.uid() == uid && metadata.mode() & 0o077 == 0
            })
    });
    let shared_memory = Some(PathBuf::from("/dev/shm")).filter(|path| {
        std::fs::metadata(path)
            .is_ok_and(|metadata| metadata.is_dir() && metadata.mode() & 0o1777 == 0o1777)
            && nix::unistd::access(path.as_path(), nix::unistd::AccessFlags::W_OK).is_ok()
    });
    runtime
        .or(shared_memory)
        .or_else(|| variable("TMPDIR").filter(|path| path.is_absolute() && path.is_dir()))
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_hold_the_exact_bytes_and_the_variable_their_path() {
        let mut variables = vec![
            EnvVar::new("KUBECONFIG", "apiVersion: v1\nkind: Config\n"),
            EnvVar::new("OTHER", "stays"),
            EnvVar {
                binary: true,
                ..EnvVar::new(
                    "KEYSTORE",
                    aws_smithy_types::base64::encode([0u8, 1, 0xff, b'\n']),
                )
            },
        ];
        let names = vec!["KUBECONFIG".to_owned(), "KEYSTORE".to_owned()];
        let files = SecretFiles::write(&names, Vec::new(), &mut variables).unwrap();
        let directory = files.directory().to_owned();
        assert_eq!(std::fs::metadata(&directory).unwrap().mode() & 0o777, 0o700);
        let kubeconfig = directory.join("KUBECONFIG");
        assert_eq!(variables[0].value.expose(), kubeconfig.to_str().unwrap());
        assert_eq!(
            std::fs::read(&kubeconfig).unwrap(),
            b"apiVersion: v1\nkind: Config\n"
        );
        assert_eq!(
            std::fs::metadata(&kubeconfig).unwrap().mode() & 0o777,
            0o600
        );
        assert_eq!(variables[1].value.expose(), "stays");
        assert_eq!(
            std::fs::read(directory.join("KEYSTORE")).unwrap(),
            [0u8, 1, 0xff, b'\n']
        );
        drop(files);
        assert!(!directory.exists(), "removed with its files");
    }

    #[test]
    fn an_unknown_name_is_a_usage_error_and_writes_nothing() {
        let mut variables = vec![EnvVar::new("TOKEN", "t")];
        let error =
            SecretFiles::write(&["KUBECONFIG".to_owned()], Vec::new(), &mut variables).unwrap_err();
        assert_eq!(error.exit_code(), crate::error::ExitCode::Usage);
        assert!(
            error.to_string().contains("no variable KUBECONFIG"),
            "{error}"
        );
        assert!(error.to_string().contains("they give: TOKEN"), "{error}");
        assert_eq!(variables[0].value.expose(), "t");
    }

    #[test]
    fn the_directory_goes_where_only_we_can_read_and_memory_first() {
        let ours = tempfile::tempdir().unwrap();
        std::fs::set_permissions(ours.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let runtime = ours.path().to_owned();
        let chosen = private_base(|name| (name == "XDG_RUNTIME_DIR").then(|| runtime.clone()));
        assert_eq!(chosen, runtime);
        std::fs::set_permissions(ours.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let chosen = private_base(|name| (name == "XDG_RUNTIME_DIR").then(|| runtime.clone()));
        assert_ne!(chosen, runtime, "a runtime dir others can read is not used");
    }
}
