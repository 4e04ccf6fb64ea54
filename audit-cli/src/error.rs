use thiserror::Error;

/// Why a command could not produce a report (exit code 2).
#[derive(Debug, Error)]
pub enum CliError {
    /// An input could not be read.
    #[error("cannot read {what}: {detail}")]
    Read {
        /// What was being read.
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// An argument is not valid.
    #[error("invalid {arg}: {detail}")]
    Argument {
        /// The argument.
        arg: &'static str,
        /// Why it is invalid.
        detail: String,
    },
    /// The artefact is not even structurally what the command reads.
    #[error("{check}: {detail}")]
    Unreadable {
        /// The `*.format` check id.
        check: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}
