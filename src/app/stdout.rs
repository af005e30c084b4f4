//! The one async runtime a command uses, and writing to stdout (made private first when it is
//! a file others could read).

use std::io::Write;

use crate::error::Error;
use crate::files;
use crate::log::Log;

/// A runtime on this thread: one run's calls need no more.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Other(format!("cannot start the async runtime: {error}")))
}

/// Writes bytes to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::output("stdout", source))
}

/// Writes secret-bearing output to stdout, first making a redirected file private; when that
/// cannot be done, writes nothing (exit 8).
pub fn write_private_stdout(bytes: &[u8], log: Log) -> Result<(), Error> {
    if files::make_stdout_private().map_err(|source| Error::output("stdout", source))? {
        log.info("stdout is a file others could read: made it 0600");
    }
    write_stdout(bytes)
}
