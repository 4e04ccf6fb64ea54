//! Conformance vectors for Wire E2EI verification.
#![forbid(unsafe_code)]
