//! `exec`'s edges: the command's environment, its secret files, finding the command,
//! replacing ourselves with it, or supervising it as a child (output masked, signals
//! forwarded, orphans reaped).

mod environment;
mod locate;
mod replace;
mod secret_files;
mod supervise;

pub use environment::{PRISTINE_VARIABLES, child_environment};
pub use locate::locate;
pub use replace::replace_process;
pub use secret_files::{SecretFiles, secret_bytes};
pub use supervise::{Supervision, supervise};
