//! Conformance vectors for Wire E2EI verification: signing keys, token minting
//! and valid flows per ciphersuite, for tests, benches and the generator.
#![forbid(unsafe_code)]

pub mod mint;
