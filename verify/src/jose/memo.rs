use std::collections::HashSet;

/// Compact JWS whose signatures verified earlier in one audit, by their exact
/// bytes.
///
/// A capture shows the same DPoP proof twice: standalone, and embedded in the
/// access token. An audit that shares one memo across both verifies it once.
/// Only tokens whose signature verified are remembered, and the key is part of
/// the bytes (the header `jwk`), so a hit never accepts anything unverified.
#[derive(Debug, Default, Clone)]
pub struct SignatureMemo {
    verified: HashSet<String>,
}

impl SignatureMemo {
    /// An empty memo.
    pub fn new() -> Self {
        SignatureMemo::default()
    }

    /// Whether `token`'s signature verified before.
    pub fn contains(&self, token: &str) -> bool {
        self.verified.contains(token)
    }

    pub(crate) fn insert(&mut self, token: &str) {
        self.verified.insert(token.to_owned());
    }
}
