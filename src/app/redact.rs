//! `awssecrets redact`: stdin to stdout with every value (and every form the masker knows)
//! replaced by `***`, as `exec --mask` masks a command's output: for output not run under
//! `exec`.

use std::io::{Read, Write};

use crate::error::Error;
use crate::log::Log;
use crate::mask::{Masker, variable_patterns};

use super::collect::{collect_variables, require_values};
use super::request::Redact;

/// How much of stdin is read at once; complete lines go out as soon as they are read.
const CHUNK: usize = 64 * 1024;

pub fn redact(request: Redact) -> Result<u8, Error> {
    let log = Log::new(request.selection.verbosity, request.selection.wording);
    require_values(&request.selection, &request.env_files, "nothing to redact")?;
    let variables = collect_variables(&request.selection, &request.env_files, log)?;
    let patterns = variable_patterns(&variables, request.min_length);
    log.info(format!(
        "masking {} strings: every form of {} values",
        patterns.len(),
        variables.len()
    ));
    drop(variables);
    let mut masker = Masker::new(&patterns);
    drop(patterns);
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut chunk = zeroize::Zeroizing::new(vec![0u8; CHUNK]);
    let mut out = masker.output_buffer(CHUNK);
    // A reader that stops reading (`| head`) ends the run, as it ends any filter.
    let written = |stdout: &mut std::io::StdoutLock, out: &mut Vec<u8>| {
        let result = stdout.write_all(out).and_then(|()| stdout.flush());
        out.clear();
        result
    };
    loop {
        let read = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(Error::Other(format!("cannot read stdin: {error}"))),
        };
        masker.feed(&chunk[..read], &mut out);
        if let Err(error) = written(&mut stdout, &mut out) {
            return stopped(error);
        }
    }
    masker.finish(&mut out);
    match written(&mut stdout, &mut out) {
        Ok(()) => Ok(0),
        Err(error) => stopped(error),
    }
}

/// A closed pipe ends the run quietly; any other write failure is exit 8.
fn stopped(error: std::io::Error) -> Result<u8, Error> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(0)
    } else {
        Err(Error::output("stdout", error))
    }
}
