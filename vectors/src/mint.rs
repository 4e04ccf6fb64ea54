//! Minting Wire tokens: keys derived from seeds, DPoP proofs and access tokens,
//! and a complete valid flow per ciphersuite.
//!
//! Everything is deterministic, so that the conformance generator writes the
//! same bytes on every run: keys are derived from a seed (a case names its
//! keys), Ed25519 is deterministic by design, and ECDSA signs with RFC 6979
//! nonces through the RustCrypto `p256`/`p384`/`p521` crates (aws-lc-rs draws a
//! random nonce and ignores any RNG it is given). Those crates sign only; every
//! signature is checked by the library, with aws-lc-rs.

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_verify::jose::{Algorithm, Jwk, KeyType, PublicKey};
use p256::ecdsa::signature::Signer;
use serde_json::{json, Value};

/// A Wire ciphersuite's signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suite {
    /// Ed25519 with SHA-256 thumbprints.
    Ed25519,
    /// ECDSA P-256 with SHA-256.
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
    /// ECDSA P-521 with SHA-512.
    P521,
}

impl Suite {
    /// All four, in order.
    pub const ALL: [Suite; 4] = [Suite::Ed25519, Suite::P256, Suite::P384, Suite::P521];

    /// The JOSE algorithm.
    pub fn alg(self) -> Algorithm {
        self.key_type().algorithm()
    }

    /// The key type.
    pub fn key_type(self) -> KeyType {
        match self {
            Suite::Ed25519 => KeyType::Ed25519,
            Suite::P256 => KeyType::P256,
            Suite::P384 => KeyType::P384,
            Suite::P521 => KeyType::P521,
        }
    }

    /// Short lower-case name (`ed25519`, `p256`, …).
    pub fn name(self) -> &'static str {
        match self {
            Suite::Ed25519 => "ed25519",
            Suite::P256 => "p256",
            Suite::P384 => "p384",
            Suite::P521 => "p521",
        }
    }
}

/// The private half, per curve. ECDSA keys are RustCrypto keys so that
/// signatures are deterministic (RFC 6979).
enum Pair {
    /// The key pair and its seed (aws-lc-rs key pairs cannot be cloned).
    Ed(Ed25519KeyPair, [u8; 32]),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    /// The key (for its public half) and its secret scalar, since P-521
    /// signing is spelled out in [`crate::rfc6979`].
    P521(p521::ecdsa::SigningKey, Vec<u8>),
}

impl Clone for Pair {
    fn clone(&self) -> Self {
        match self {
            Pair::Ed(_, seed) => Pair::Ed(
                Ed25519KeyPair::from_seed_unchecked(seed).expect("32-byte seed"),
                *seed,
            ),
            Pair::P256(k) => Pair::P256(k.clone()),
            Pair::P384(k) => Pair::P384(k.clone()),
            Pair::P521(k, secret) => Pair::P521(k.clone(), secret.clone()),
        }
    }
}

/// A private key of one suite.
#[derive(Clone)]
pub struct SigningKey {
    suite: Suite,
    pair: Pair,
}

impl SigningKey {
    /// The key derived from `seed` (same seed, same key).
    ///
    /// # Panics
    /// Never for the four suites: the derived scalar is reduced below the order.
    pub fn from_seed(suite: Suite, seed: &str) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, seed.as_bytes());
        let bytes = digest.as_ref();
        let n = suite.key_type().coordinate_len();
        let mut scalar = vec![0u8; n];
        // Top byte small keeps the scalar below every curve order; the second
        // byte's low bit keeps it non-zero.
        for (i, b) in scalar.iter_mut().enumerate() {
            *b = bytes[i % 64] ^ (i as u8);
        }
        scalar[0] &= 0x01;
        scalar[1] |= 0x01;
        let pair = match suite {
            Suite::Ed25519 => {
                let mut seed = [0u8; 32];
                seed.copy_from_slice(&bytes[..32]);
                let pair = Ed25519KeyPair::from_seed_unchecked(&seed).expect("32-byte seed");
                Pair::Ed(pair, seed)
            }
            Suite::P256 => {
                Pair::P256(p256::ecdsa::SigningKey::from_slice(&scalar).expect("scalar"))
            }
            Suite::P384 => {
                Pair::P384(p384::ecdsa::SigningKey::from_slice(&scalar).expect("scalar"))
            }
            Suite::P521 => Pair::P521(
                p521::ecdsa::SigningKey::from_slice(&scalar).expect("scalar"),
                scalar,
            ),
        };
        SigningKey { suite, pair }
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// Raw public key: Ed25519 bytes or the uncompressed point.
    pub fn public_raw(&self) -> Vec<u8> {
        match &self.pair {
            Pair::Ed(k, _) => k.public_key().as_ref().to_vec(),
            Pair::P256(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            Pair::P384(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            Pair::P521(k, _) => p521::ecdsa::VerifyingKey::from(k)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }

    /// The public key as a verifier's JWK.
    pub fn jwk(&self) -> Jwk {
        Jwk::from_raw(self.suite.key_type(), &self.public_raw()).expect("own public key")
    }

    /// The public key ready for verification.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::new(self.jwk()).expect("own public key")
    }

    /// The public JWK as JSON (RFC 7517 members only).
    pub fn public_jwk_json(&self) -> Value {
        serde_json::from_str(&self.jwk().canonical_json()).expect("canonical JSON")
    }

    /// Signs `message` deterministically (JOSE form: `r || s` for ECDSA).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.pair {
            Pair::Ed(k, _) => k.sign(message).as_ref().to_vec(),
            Pair::P256(k) => Signer::<p256::ecdsa::Signature>::sign(k, message)
                .to_bytes()
                .to_vec(),
            Pair::P384(k) => Signer::<p384::ecdsa::Signature>::sign(k, message)
                .to_bytes()
                .to_vec(),
            Pair::P521(_, secret) => crate::rfc6979::sign_p521(secret, message),
        }
    }

    /// A compact JWS of `header` and `claims` as given (no member added).
    pub fn compact(&self, header: &Value, claims: &Value) -> String {
        compact_raw(
            self,
            header.to_string().as_bytes(),
            claims.to_string().as_bytes(),
        )
    }
}

/// A compact JWS of the exact header and payload bytes given, signed by `key`.
pub fn compact_raw(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

/// Unpadded base64url.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Everything of one valid 2026-style enrolment step: the proof, the access
/// token that embeds it, the keys, and what a verifier knows.
#[derive(Clone)]
pub struct Flow {
    /// The suite.
    pub suite: Suite,
    /// When the tokens were made (`iat`).
    pub now: u64,
    /// The client's DPoP key.
    pub client: SigningKey,
    /// wire-server's signing key.
    pub issuer: SigningKey,
    /// Client id (`wireapp://…`).
    pub client_id: String,
    /// Handle URI.
    pub handle: String,
    /// The wire-server access-token URL (`htu` of the proof, `iss` of the token).
    pub htu: String,
    /// The ACME challenge URL (`aud`).
    pub aud: String,
    /// The ACME challenge token.
    pub chal: String,
    /// The wire-server nonce.
    pub nonce: String,
    /// DPoP proof claims.
    pub proof_claims: Value,
    /// The DPoP proof.
    pub dpop: String,
    /// Access token claims.
    pub token_claims: Value,
    /// The access token.
    pub access_token: String,
}

impl Flow {
    /// A valid flow for `suite` at time `now`, keys derived from `seed`.
    pub fn new(suite: Suite, seed: &str, now: u64) -> Self {
        let client = SigningKey::from_seed(suite, &format!("{seed}/client"));
        let issuer = SigningKey::from_seed(suite, &format!("{seed}/wire-server"));
        let client_id =
            "wireapp://WqEqc9dIRoKh3VyUJ8k6QA!9e4ef7e72ec9e5b9@wire.example.com".to_owned();
        let handle = "wireapp://%40alice_wire@wire.example.com".to_owned();
        let htu = "https://wire.example.com/clients/9e4ef7e72ec9e5b9/access-token".to_owned();
        let aud = "https://acme.example.com/acme/wire/challenge/oJt5oJAsPPlkT2Xi6S0TqQGnVXc0yNMI/RNPuq3ItJAva2y1ugBQ5YRUghLBsp7ex".to_owned();
        let chal = "Eo2Mdrb6PiUVEUO9Va2VekSfnEmChQIz".to_owned();
        let nonce = "xLrz9ZBKRem4U0fMVbtNcQ".to_owned();
        let proof_claims = json!({
            "iat": now, "exp": now + 7200, "nbf": now,
            "sub": client_id, "aud": aud, "jti": format!("{seed}-proof"),
            "nonce": nonce, "htm": "POST", "htu": htu, "chal": chal,
            "handle": handle, "team": "wire", "name": "Alice Smith",
        });
        let mut flow = Flow {
            suite,
            now,
            client,
            issuer,
            client_id,
            handle,
            htu,
            aud,
            chal,
            nonce,
            proof_claims,
            dpop: String::new(),
            token_claims: Value::Null,
            access_token: String::new(),
        };
        flow.resign();
        flow
    }

    /// The default DPoP header: `dpop+jwt` with the client's key.
    pub fn proof_header(&self) -> Value {
        json!({"alg": self.suite.alg().name(), "typ": "dpop+jwt", "jwk": self.client.public_jwk_json()})
    }

    /// The default access-token header: `at+jwt` with the issuer's key.
    pub fn token_header(&self) -> Value {
        json!({"alg": self.suite.alg().name(), "typ": "at+jwt", "jwk": self.issuer.public_jwk_json()})
    }

    /// Re-signs the proof from `proof_claims`, then rebuilds and re-signs the
    /// token around it, so that a change to one claim breaks nothing else.
    pub fn resign(&mut self) {
        self.dpop = self
            .client
            .compact(&self.proof_header(), &self.proof_claims);
        let thumbprint = self.client.jwk().thumbprint(self.suite.alg().suite_hash());
        self.token_claims = json!({
            "iat": self.now, "exp": self.now + 3960, "nbf": self.now,
            "iss": self.htu, "sub": self.client_id, "aud": self.aud,
            "jti": "5cb79534-bf0e-4372-9fc1-6736cad319e7", "nonce": self.nonce, "chal": self.chal,
            "cnf": {"kid": thumbprint}, "proof": self.dpop, "client_id": self.client_id,
            "api_version": 5, "scope": "wire_client_id",
        });
        self.access_token = self
            .issuer
            .compact(&self.token_header(), &self.token_claims);
    }

    /// Re-signs only the access token from `token_claims`.
    pub fn resign_token(&mut self) {
        self.access_token = self
            .issuer
            .compact(&self.token_header(), &self.token_claims);
    }

    /// What an ACME server knows when the proof arrives at wire-server.
    pub fn dpop_expectations(&self) -> e2ei_verify::dpop::Expectations {
        e2ei_verify::dpop::Expectations {
            htm: Some("POST".into()),
            htu: Some(self.htu.clone()),
            nonce: Some(self.nonce.clone()),
            chal: Some(self.chal.clone()),
            client_id: e2ei_verify::identity::ClientId::parse(&self.client_id).ok(),
            aud: Some(self.aud.clone()),
            handle: e2ei_verify::identity::Handle::parse(&self.handle).ok(),
            team: Some("wire".into()),
            name: Some("Alice Smith".into()),
            ..Default::default()
        }
    }

    /// What an ACME server knows when the access token arrives, pinned issuer.
    pub fn token_expectations(&self) -> e2ei_verify::access_token::Expectations {
        use e2ei_verify::access_token::{Expectations, IssuerTrust};
        let mut e = Expectations::new(IssuerTrust::Pinned(vec![self.issuer.public_key()]));
        e.iss = Some(self.htu.clone());
        e.aud = Some(self.aud.clone());
        e.client_id = e2ei_verify::identity::ClientId::parse(&self.client_id).ok();
        e.chal = Some(self.chal.clone());
        e.nonce = Some(self.nonce.clone());
        e.proof.aud = Some(self.aud.clone());
        e.proof.handle = e2ei_verify::identity::Handle::parse(&self.handle).ok();
        e.proof.team = Some("wire".into());
        e.proof.name = Some("Alice Smith".into());
        e
    }
}
