//! One module per subcommand; each turns arguments into a report.

pub mod access_token;
pub mod chain;
pub mod csr;
pub mod dpop;
pub mod flow;
