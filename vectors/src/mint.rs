//! Minting Wire tokens: keys derived from seeds, DPoP proofs and access tokens
//! signed with aws-lc-rs, and a complete valid flow per ciphersuite.
//!
//! Keys are derived from a seed so that a case names its keys; ECDSA signatures
//! from aws-lc-rs are randomised, so tokens differ from run to run while every
//! verdict stays the same.

use aws_lc_rs::agreement;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
    ECDSA_P384_SHA384_FIXED_SIGNING, ECDSA_P521_SHA512_FIXED_SIGNING,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_verify::jose::{Algorithm, Jwk, KeyType, PublicKey};
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

    fn ecdsa(
        self,
    ) -> Option<(
        &'static EcdsaSigningAlgorithm,
        &'static agreement::Algorithm,
    )> {
        match self {
            Suite::Ed25519 => None,
            Suite::P256 => Some((&ECDSA_P256_SHA256_FIXED_SIGNING, &agreement::ECDH_P256)),
            Suite::P384 => Some((&ECDSA_P384_SHA384_FIXED_SIGNING, &agreement::ECDH_P384)),
            Suite::P521 => Some((&ECDSA_P521_SHA512_FIXED_SIGNING, &agreement::ECDH_P521)),
        }
    }
}

enum Pair {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key of one suite.
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
        let pair = match suite.ecdsa() {
            None => {
                Pair::Ed(Ed25519KeyPair::from_seed_unchecked(&bytes[..32]).expect("32-byte seed"))
            }
            Some((signing, ecdh)) => {
                let n = suite.key_type().coordinate_len();
                let mut scalar = vec![0u8; n];
                // Top byte small keeps the scalar below every curve order.
                for (i, b) in scalar.iter_mut().enumerate() {
                    *b = bytes[i % 64] ^ (i as u8);
                }
                scalar[0] &= 0x01;
                scalar[1] |= 0x01;
                let private = agreement::PrivateKey::from_private_key(ecdh, &scalar)
                    .expect("scalar below the order");
                let public = private.compute_public_key().expect("public key");
                Pair::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(
                        signing,
                        &scalar,
                        public.as_ref(),
                    )
                    .expect("consistent key pair"),
                )
            }
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
            Pair::Ed(k) => k.public_key().as_ref().to_vec(),
            Pair::Ec(k) => k.public_key().as_ref().to_vec(),
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

    /// Signs `message` (JOSE form: `r || s` for ECDSA).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.pair {
            Pair::Ed(k) => k.sign(message).as_ref().to_vec(),
            Pair::Ec(k) => k
                .sign(&SystemRandom::new(), message)
                .expect("ECDSA signing")
                .as_ref()
                .to_vec(),
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
