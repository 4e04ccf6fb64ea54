use super::PublicKey;

/// Compact JWS whose signatures verified earlier in one audit, by their exact
/// bytes, with the key they verified with.
///
/// A capture shows the same DPoP proof twice: standalone, and embedded in the
/// access token. An audit that shares one memo across both verifies it once.
/// Only tokens whose signature verified are remembered, and the key is part of
/// the bytes (the header `jwk`), so a hit never accepts anything unverified;
/// the key itself is kept so that the second reading does not parse and
/// validate the point again (a P-521 point costs as much as a verification).
///
/// An audit remembers a handful of tokens of a kilobyte or so: a list whose
/// lookup compares lengths, then bytes, costs less than hashing every byte of
/// the token looked up.
#[derive(Debug, Default, Clone)]
pub struct SignatureMemo {
    verified: Vec<(String, PublicKey)>,
}

impl SignatureMemo {
    /// An empty memo.
    pub fn new() -> Self {
        SignatureMemo::default()
    }

    /// Whether `token`'s signature verified before.
    pub fn contains(&self, token: &str) -> bool {
        self.key(token).is_some()
    }

    /// The key `token`'s signature verified with, if it did before.
    pub(crate) fn key(&self, token: &str) -> Option<&PublicKey> {
        self.verified
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, key)| key)
    }

    /// Remembers that `token`'s signature verified with `key`.
    pub(crate) fn insert(&mut self, token: &str, key: &PublicKey) {
        if !self.contains(token) {
            self.verified.push((token.to_owned(), key.clone()));
        }
    }
}
