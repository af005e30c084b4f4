//! `exec`'s edges: the command's environment, finding the command, replacing ourselves with
//! it, or supervising it as a child (output masked, signals forwarded, orphans reaped).

mod environment;
mod locate;
mod replace;
mod supervise;

pub use environment::{PRISTINE_VARIABLES, child_environment};
pub use locate::locate;
pub use replace::replace_process;
pub use supervise::{Supervision, supervise};
