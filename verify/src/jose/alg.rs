use super::{HashAlg, JoseError, KeyType};
use aws_lc_rs::signature::{self, VerificationAlgorithm};

/// The JWS algorithms of the Wire ciphersuites. Nothing else is ever accepted:
/// not `none`, not HMAC (whose "key" an attacker could take from a public key),
/// not RSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Ed25519 (RFC 8037).
    EdDSA,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
}

impl Algorithm {
    /// Every accepted algorithm, in ciphersuite order.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
    ];

    /// Parses a JOSE `alg` name.
    pub fn from_name(name: &str) -> Result<Self, JoseError> {
        match name {
            "EdDSA" => Ok(Algorithm::EdDSA),
            "ES256" => Ok(Algorithm::ES256),
            "ES384" => Ok(Algorithm::ES384),
            "ES512" => Ok(Algorithm::ES512),
            other => Err(JoseError::UnsupportedAlgorithm(other.to_owned())),
        }
    }

    /// The JOSE `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
        }
    }

    /// The only key type this algorithm may be used with.
    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::EdDSA => KeyType::Ed25519,
            Algorithm::ES256 => KeyType::P256,
            Algorithm::ES384 => KeyType::P384,
            Algorithm::ES512 => KeyType::P521,
        }
    }

    /// The hash of the Wire ciphersuite, used for `cnf` thumbprints: SHA-384 for
    /// ES384, SHA-512 for ES512, SHA-256 otherwise.
    pub fn suite_hash(self) -> HashAlg {
        match self {
            Algorithm::EdDSA | Algorithm::ES256 => HashAlg::Sha256,
            Algorithm::ES384 => HashAlg::Sha384,
            Algorithm::ES512 => HashAlg::Sha512,
        }
    }

    /// Fails unless the key is of this algorithm's type.
    pub fn check_key(self, key: KeyType) -> Result<(), JoseError> {
        if self.key_type() == key {
            Ok(())
        } else {
            Err(JoseError::AlgorithmKeyMismatch {
                alg: self.name(),
                key: key.name(),
            })
        }
    }

    /// The aws-lc-rs verification algorithm (JOSE ECDSA signatures are the fixed
    /// `r || s` form, not DER).
    pub(crate) fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Algorithm::EdDSA => &signature::ED25519,
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::ES512 => &signature::ECDSA_P521_SHA512_FIXED,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
