//! `e2ei-verify`: verification of Wire end-to-end-identity (E2EI) enrolment.
//!
//! Every artefact of an enrolment (DPoP proof, access token, ACME requests, CSR,
//! certificate chain) has a module that checks it against what the verifier knows,
//! and every check has a stable id from the catalogue (see the README). Each
//! module offers a fail-fast entry point for servers (`verify`) and an audit
//! entry point that runs every check and returns a [`report::Report`] (`audit`).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]

pub mod access_token;
pub mod acme;
pub mod challenge;
pub mod dpop;
pub mod identity;
pub mod jose;
pub mod oidc;
pub mod replay;
pub mod report;
pub mod time;
pub mod url;
pub mod x509;

mod claims;

/// The README's Rust examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
