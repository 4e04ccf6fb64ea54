/// Compact JWS whose signatures verified earlier in one audit, by their exact
/// bytes.
///
/// A capture shows the same DPoP proof twice: standalone, and embedded in the
/// access token. An audit that shares one memo across both verifies it once.
/// Only tokens whose signature verified are remembered, and the key is part of
/// the bytes (the header `jwk`), so a hit never accepts anything unverified.
///
/// An audit remembers a handful of tokens of a kilobyte or so: a list whose
/// lookup compares lengths, then bytes, costs less than hashing every byte of
/// the token looked up.
#[derive(Debug, Default, Clone)]
pub struct SignatureMemo {
    verified: Vec<String>,
}

impl SignatureMemo {
    /// An empty memo.
    pub fn new() -> Self {
        SignatureMemo::default()
    }

    /// Whether `token`'s signature verified before.
    pub fn contains(&self, token: &str) -> bool {
        self.verified.iter().any(|t| t == token)
    }

    pub(crate) fn insert(&mut self, token: &str) {
        if !self.contains(token) {
            self.verified.push(token.to_owned());
        }
    }
}
