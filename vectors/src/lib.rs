//! Conformance vectors for Wire E2EI verification: signing keys, token minting,
//! deterministic certificates and CSRs (`pki`),
//! a complete valid enrolment per ciphersuite, and the generator of the
//! conformance cases under `vectors/cases`.
#![forbid(unsafe_code)]

pub mod case;
pub mod cases;
pub mod enrolment;
pub mod eras;
pub mod generate;
pub mod mint;
pub mod pki;
pub mod rfc6979;
