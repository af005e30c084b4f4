//! `exec`'s edges: the command's environment, replacing ourselves with the command, or running
//! it with its output masked and signals forwarded.

mod environment;
mod masked;
mod replace;

pub use environment::{PRISTINE_VARIABLES, child_environment};
pub use masked::{exit_code, run_masked};
pub use replace::replace_process;
