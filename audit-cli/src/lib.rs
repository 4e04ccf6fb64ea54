//! `e2ei-audit`: reads captured Wire E2EI enrolment flows and reports what holds.
#![forbid(unsafe_code)]

pub mod transcript;
