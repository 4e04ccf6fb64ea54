//! `e2ei-verify`: verification of Wire end-to-end-identity (E2EI) enrolment.
//!
//! Every artefact of an enrolment (DPoP proof, access token, ACME requests, CSR,
//! certificate chain) has a module that checks it against what the verifier knows,
//! and every check has a stable id from the catalogue (see the README). Each
//! module offers a fail-fast entry point for servers and an audit entry point that
//! runs every check and returns a [`report::Report`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod report;
pub mod x509;
