//! `exec`'s edges: the command's environment, its secret files, finding the command, and
//! either replacing ourselves with it or supervising it as a child (output masked, signals
//! forwarded, orphans reaped); [`launch`] decides which.

mod environment;
mod launch;
mod locate;
mod options;
mod replace;
mod secret_files;
mod supervise;

pub use environment::PRISTINE_VARIABLES;
pub use launch::launch;
pub use options::{Options, RenderTemplate, RenderedFile};
