//! Shared fixtures for the criterion benches, and the reader that turns
//! criterion's estimates into the Markdown table of `RESULTS.md`.
//!
//! Every bench figure stands beside its *floor*: the raw aws-lc-rs signature
//! verifications the checked operation performs, on the same messages and
//! signatures, measured in the same run.

use aws_lc_rs::signature::{UnparsedPublicKey, VerificationAlgorithm};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2ei_verify::challenge::{Challenge, ChallengeType, Identifiers, Validator};
use e2ei_verify::identity::{ClientId, Handle};
use e2ei_verify::jose::{Algorithm, PublicKey};
use e2ei_verify::oidc::IdpKey;
use e2ei_verify::replay::{MemoryStore, NonceStore, ReplayStore};
use e2ei_verify::{access_token, dpop};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vectors::mint::{Flow, SigningKey, Suite};

pub mod chain;
pub mod flow;
pub mod pair;
pub mod table;

/// When the fixtures' tokens are issued (2026-01-01T00:00:00Z).
pub const ISSUED_AT: u64 = 1_767_225_600;

/// One raw signature check: what `UnparsedPublicKey::verify` gets.
pub struct RawCheck {
    /// The aws-lc-rs algorithm (JOSE fixed-size `r || s` for ECDSA).
    pub alg: &'static dyn VerificationAlgorithm,
    /// Raw public key: Ed25519 bytes or the uncompressed SEC1 point.
    pub key: Vec<u8>,
    /// The signing input, `BASE64URL(header) . BASE64URL(payload)`.
    pub message: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

impl RawCheck {
    /// The signature check of a compact JWS signed by the holder of `key`.
    ///
    /// # Panics
    /// When `token` is not a compact JWS with a base64url signature.
    pub fn of_compact(alg: Algorithm, key: Vec<u8>, token: &str) -> Self {
        let (input, sig) = token.rsplit_once('.').expect("a compact JWS");
        RawCheck {
            alg: verification(alg),
            key,
            message: input.as_bytes().to_vec(),
            signature: URL_SAFE_NO_PAD.decode(sig).expect("base64url signature"),
        }
    }

    /// Parses the key and verifies, as the floor does on every iteration.
    pub fn verify(&self) -> bool {
        UnparsedPublicKey::new(self.alg, &self.key)
            .verify(&self.message, &self.signature)
            .is_ok()
    }
}

/// The aws-lc-rs algorithm of a JOSE algorithm.
pub fn verification(alg: Algorithm) -> &'static dyn VerificationAlgorithm {
    use aws_lc_rs::signature as s;
    match alg {
        Algorithm::EdDSA => &s::ED25519,
        Algorithm::ES256 => &s::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &s::ECDSA_P384_SHA384_FIXED,
        Algorithm::ES512 => &s::ECDSA_P521_SHA512_FIXED,
    }
}

/// A valid minted flow of one suite, with everything a bench needs prepared
/// outside the timed loop.
pub struct Fixture {
    /// The suite.
    pub suite: Suite,
    /// The verification time (ten seconds after issue).
    pub now: u64,
    /// The access token (embedding the proof).
    pub access_token: String,
    /// The DPoP proof alone.
    pub dpop: String,
    /// Every expectation set, issuer key pinned.
    pub token_expectations: access_token::Expectations,
    /// Every expectation of the proof set.
    pub dpop_expectations: dpop::Expectations,
    /// The access token's own signature (wire-server key).
    pub token_signature: RawCheck,
    /// The embedded proof's signature (client key).
    pub proof_signature: RawCheck,
}

impl Fixture {
    /// Mints the flow of `suite` and checks that it verifies, fully and raw.
    ///
    /// # Panics
    /// When the minted flow does not verify: a bench of a failing path would
    /// measure the wrong thing.
    pub fn new(suite: Suite) -> Self {
        let flow = Flow::new(suite, "bench", ISSUED_AT);
        let alg = suite.alg();
        let fixture = Fixture {
            suite,
            now: ISSUED_AT + 10,
            token_signature: RawCheck::of_compact(
                alg,
                flow.issuer.public_raw(),
                &flow.access_token,
            ),
            proof_signature: RawCheck::of_compact(alg, flow.client.public_raw(), &flow.dpop),
            token_expectations: flow.token_expectations(),
            dpop_expectations: flow.dpop_expectations(),
            access_token: flow.access_token,
            dpop: flow.dpop,
        };
        fixture.assert_valid();
        fixture
    }

    /// Every suite's fixture, in suite order.
    pub fn all() -> Vec<Self> {
        Suite::ALL.into_iter().map(Fixture::new).collect()
    }

    /// The floor of the full access-token check: both signatures, raw.
    pub fn floor(&self) -> bool {
        self.token_signature.verify() & self.proof_signature.verify()
    }

    /// The full fail-fast check.
    pub fn full(&self) -> Result<access_token::VerifiedAccessToken, access_token::Error> {
        access_token::verify(&self.access_token, &self.token_expectations, self.now)
    }

    /// The audit: every check, every message.
    pub fn audit(&self) -> access_token::Audit {
        access_token::audit(&self.access_token, &self.token_expectations, self.now)
    }

    /// The DPoP proof alone, fail fast, no replay store.
    pub fn dpop(&self) -> Result<dpop::VerifiedProof, dpop::Error> {
        dpop::verify(&self.dpop, &self.dpop_expectations, self.now, None)
    }

    fn assert_valid(&self) {
        let name = self.suite.name();
        assert!(self.floor(), "{name}: raw signatures do not verify");
        let verified = self
            .full()
            .unwrap_or_else(|e| panic!("{name}: access token rejected: {e}"));
        assert!(verified.proof.is_some(), "{name}: no embedded proof");
        let audit = self.audit();
        assert!(
            !audit.report.has_failures() && audit.token.is_some(),
            "{name}: the audit fails"
        );
        self.dpop()
            .unwrap_or_else(|e| panic!("{name}: DPoP proof rejected: {e}"));
    }
}

/// What an ACME server knows of a minted flow's `wire-dpop-01` submission,
/// and how it validates one: the order, the account key (parsed once) and
/// the IdP key it is configured with.
pub struct AcmeServer {
    order: Identifiers,
    account: PublicKey,
    idp: IdpKey,
}

impl AcmeServer {
    /// The server side of `flow`'s enrolment.
    ///
    /// # Panics
    /// When the minted handle does not parse (a bug of the minter).
    pub fn of(flow: &Flow) -> Self {
        let order = Identifiers::new(
            ClientId::parse(&flow.client_id).ok(),
            Handle::parse(&flow.handle).expect("minted handle"),
            "Alice Smith",
            "wire.example.com",
        )
        .with_team("wire");
        AcmeServer {
            order,
            account: flow.client.public_key(),
            idp: IdpKey::Wire(SigningKey::from_seed(Suite::P256, "idp").public_key()),
        }
    }

    /// A validator trusting `flow`'s wire-server key, with `store` for both
    /// replay and nonces and a clock fixed at `now`.
    ///
    /// # Panics
    /// When the configuration is incomplete (a bug of this fixture).
    pub fn validator<S: ReplayStore + NonceStore + 'static>(
        &self,
        flow: &Flow,
        store: Arc<S>,
        now: u64,
    ) -> Validator {
        Validator::builder()
            .wire_server_key(flow.issuer.public_key())
            .idp("https://idp.example.com", "wireapp", [self.idp.clone()])
            .replay_store(store.clone())
            .nonce_store(store)
            .clock(move || now)
            .build()
            .expect("complete configuration")
    }

    /// `Validator::validate` of `payload` posted to `flow`'s `wire-dpop-01`
    /// challenge: whether it was accepted.
    pub fn validate(&self, validator: &Validator, flow: &Flow, payload: &[u8]) -> bool {
        let challenge = Challenge {
            kind: ChallengeType::WireDpop01,
            token: &flow.chal,
            url: &flow.aud,
            target: &flow.htu,
        };
        validator
            .validate(&challenge, &self.account, &self.order, payload)
            .is_ok()
    }
}

/// Fresh `wire-dpop-01` submissions of one suite for a long-lived validator,
/// as an ACME server sees them: same keys and order as [`Fixture`], a new
/// proof `jti` and wire-server nonce each (proof and token re-signed).
///
/// Minting is the untimed setup of a validation bench; the validator and its
/// store live for the whole run, so the figure is a server's steady state
/// (configuration warm, store growing), every submission accepted.
pub struct Minter {
    base: Flow,
    server: AcmeServer,
    prefix: String,
    next: AtomicU64,
    /// The validation time.
    pub now: u64,
}

/// One minted submission: the nonce wire-server issued, the posted payload,
/// and the two raw signature checks its validation performs (its floor).
pub struct Submission {
    /// The wire-server nonce, to issue into the nonce store before use.
    pub nonce: String,
    /// `{"access_token": …}`.
    pub payload: Vec<u8>,
    /// The access token's signature, then the embedded proof's.
    pub floor: [RawCheck; 2],
}

impl Submission {
    /// The floor of this submission: its two raw signature checks.
    pub fn floor(&self) -> bool {
        self.floor[0].verify() & self.floor[1].verify()
    }
}

impl Minter {
    /// Submissions of `suite`, with nonces and `jti`s that start with `prefix`
    /// (a shared store, such as Redis, tells runs apart by it).
    ///
    /// # Panics
    /// When the minted identities do not parse (a bug of the minter).
    pub fn new(suite: Suite, prefix: &str) -> Self {
        let base = Flow::new(suite, "bench", ISSUED_AT);
        Minter {
            server: AcmeServer::of(&base),
            base,
            prefix: format!("{prefix}{}-", suite.name()),
            next: AtomicU64::new(0),
            now: ISSUED_AT + 10,
        }
    }

    /// A fresh submission, not yet issued.
    pub fn submission(&self) -> Submission {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut flow = self.base.clone();
        flow.nonce = format!("{}nonce-{n}", self.prefix);
        flow.proof_claims["nonce"] = flow.nonce.clone().into();
        flow.proof_claims["jti"] = format!("{}jti-{n}", self.prefix).into();
        flow.resign();
        let alg = flow.suite.alg();
        Submission {
            floor: [
                RawCheck::of_compact(alg, flow.issuer.public_raw(), &flow.access_token),
                RawCheck::of_compact(alg, flow.client.public_raw(), &flow.dpop),
            ],
            payload: serde_json::json!({ "access_token": flow.access_token })
                .to_string()
                .into_bytes(),
            nonce: flow.nonce,
        }
    }

    /// A fresh submission whose nonce `store` has issued.
    ///
    /// # Panics
    /// When the store refuses the nonce: a bench of a rejected path would
    /// time the wrong thing.
    pub fn issued(&self, store: &dyn NonceStore) -> Submission {
        let s = self.submission();
        store
            .issue(&s.nonce, self.now + 300, self.now)
            .unwrap_or_else(|e| panic!("issuing a nonce: {e}"));
        s
    }

    /// The validator an ACME server would build once, over `store`.
    pub fn validator<S: ReplayStore + NonceStore + 'static>(&self, store: Arc<S>) -> Validator {
        self.server.validator(&self.base, store, self.now)
    }

    /// `Validator::validate` of `s`: whether it was accepted.
    pub fn validate(&self, validator: &Validator, s: &Submission) -> bool {
        self.server.validate(validator, &self.base, &s.payload)
    }

    /// One in-memory store and its validator, checked: a fresh submission is
    /// accepted once and its replay rejected.
    ///
    /// # Panics
    /// When either does not hold.
    pub fn memory_validator(&self) -> (Arc<MemoryStore>, Validator) {
        let store = Arc::new(MemoryStore::new(1 << 22));
        let validator = self.validator(store.clone());
        let s = self.issued(&*store);
        assert!(self.validate(&validator, &s), "submission rejected");
        assert!(!self.validate(&validator, &s), "replay accepted");
        (store, validator)
    }
}

/// Distinct submissions minted ahead, validated by one long-lived validator,
/// beside their own floor: a server's steady state.
///
/// Every validation in a block is of a submission not seen before (its own
/// proof, token, signatures, `jti` and nonce), and the floor of a block runs
/// the raw checks of the same submissions, so neither side gains from
/// verifying one signature again and again (ECDSA's precomputed tables stay
/// hot for a repeated scalar). When the pool is used up, a new store and
/// validator take over and every nonce is issued again, outside the timing.
pub struct Pool {
    minter: Minter,
    submissions: Vec<Submission>,
    validator: Validator,
    used: usize,
    floor_at: usize,
}

impl Pool {
    /// `size` submissions of `suite`, minted now.
    ///
    /// # Panics
    /// When a submission is rejected or a replay accepted.
    pub fn new(suite: Suite, size: usize) -> Self {
        let minter = Minter::new(suite, "");
        let submissions: Vec<_> = (0..size.max(1)).map(|_| minter.submission()).collect();
        let validator = fresh(&minter, &submissions);
        Pool {
            minter,
            submissions,
            validator,
            used: 0,
            floor_at: 0,
        }
    }

    /// The time of `n` validations of unused submissions, each accepted.
    ///
    /// # Panics
    /// When one is rejected: a bench of a failing path times the wrong thing.
    pub fn validations(&mut self, n: u64) -> Duration {
        let mut total = Duration::ZERO;
        let mut left = usize::try_from(n).unwrap_or(usize::MAX);
        while left > 0 {
            if self.used == self.submissions.len() {
                self.validator = fresh(&self.minter, &self.submissions);
                self.used = 0;
            }
            let end = self.submissions.len().min(self.used + left);
            let batch = &self.submissions[self.used..end];
            let start = Instant::now();
            for s in batch {
                assert!(self.minter.validate(&self.validator, black_box(s)));
            }
            total += start.elapsed();
            left -= batch.len();
            self.used = end;
        }
        total
    }

    /// The time of the raw signature checks of `n` pooled submissions, in turn.
    ///
    /// # Panics
    /// When a signature does not verify.
    pub fn floor(&mut self, n: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            let s = &self.submissions[self.floor_at];
            assert!(black_box(s).floor());
            self.floor_at = (self.floor_at + 1) % self.submissions.len();
        }
        start.elapsed()
    }

    /// The pool size that keeps minting time reasonable for `suite` (P-384
    /// and P-521 signatures are slow to make) and still spans many blocks.
    pub fn default_size(suite: Suite) -> usize {
        match suite {
            Suite::Ed25519 | Suite::P256 => 4000,
            Suite::P384 | Suite::P521 => 600,
        }
    }
}

/// A validator over a new store in which every submission's nonce is issued.
fn fresh(minter: &Minter, submissions: &[Submission]) -> Validator {
    let (store, validator) = minter.memory_validator();
    for s in submissions {
        store
            .issue(&s.nonce, minter.now + 300, minter.now)
            .unwrap_or_else(|e| panic!("issuing a nonce: {e}"));
    }
    validator
}

/// Where criterion writes: `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`,
/// else `target/criterion` (relative to the workspace root, where `cargo bench`
/// runs the benches from the package directory: both are tried).
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    ["target/criterion", "../target/criterion"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}
