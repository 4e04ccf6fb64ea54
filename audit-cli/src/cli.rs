//! The command line.

use crate::render::Format;
use clap::{Args, Parser, Subcommand};

/// Audits Wire end-to-end-identity enrolment: DPoP proofs, access tokens,
/// certificate chains and whole captured flows. Exit code 0: nothing failed;
/// 1: a check failed; 2: the input could not be read or the command was misused.
#[derive(Debug, Parser)]
#[command(name = "e2ei-audit", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to audit.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify a DPoP proof (dpop+jwt).
    Dpop(DpopArgs),
    /// Verify a Wire access token (at+jwt) and the proof it embeds.
    AccessToken(AccessTokenArgs),
    /// Verify a certificate chain (leaf first) to trust anchors, and its leaf's profile.
    Chain(ChainArgs),
    /// Verify a certificate signing request (PKCS#10).
    Csr(CsrArgs),
    /// Audit captured enrolment flows (Markdown transcripts): every step, cross-checked.
    Flow(FlowArgs),
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct Common {
    /// Verify as of this time: `now`, RFC 3339 or epoch seconds.
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub at: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `e2ei-audit dpop`.
#[derive(Debug, Args)]
pub struct DpopArgs {
    /// The compact JWS, or `-` to read it from standard input.
    pub token: String,
    /// The HTTP method of the request the proof came with.
    #[arg(long, value_name = "M")]
    pub htm: Option<String>,
    /// The URL of the request the proof came with.
    #[arg(long, value_name = "URL")]
    pub htu: Option<String>,
    /// The nonce the server issued.
    #[arg(long, value_name = "N")]
    pub nonce: Option<String>,
    /// The ACME challenge token.
    #[arg(long, value_name = "C")]
    pub chal: Option<String>,
    /// The expected client id (any era's spelling).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The expected audience.
    #[arg(long, value_name = "URL")]
    pub aud: Option<String>,
    /// The expected handle (`wireapp://%40alice@wire.com`).
    #[arg(long, value_name = "URI")]
    pub handle: Option<String>,
    /// The expected team.
    #[arg(long)]
    pub team: Option<String>,
    /// The expected display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Tolerated clock skew in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub max_skew: u64,
    /// How old `iat` may be, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub max_age: u64,
    /// Longest accepted lifetime (`exp - iat`) in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub max_lifetime: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: Common,
}

/// `e2ei-audit access-token`.
#[derive(Debug, Args)]
pub struct AccessTokenArgs {
    /// The compact JWS, or `-` to read it from standard input.
    pub token: String,
    /// Pinned wire-server key(s): JWK, JWKS or PEM file (repeatable).
    #[arg(long, value_name = "FILE", conflicts_with = "trust_embedded_key")]
    pub issuer_key: Vec<String>,
    /// Verify with the key in the token's header instead (reported as a warning).
    #[arg(long)]
    pub trust_embedded_key: bool,
    /// The expected issuer (the wire-server access-token URL).
    #[arg(long, value_name = "URL")]
    pub iss: Option<String>,
    /// The expected audience.
    #[arg(long, value_name = "URL")]
    pub aud: Option<String>,
    /// The expected client id (any era's spelling).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The ACME challenge token.
    #[arg(long, value_name = "C")]
    pub chal: Option<String>,
    /// The nonce wire-server issued.
    #[arg(long, value_name = "N")]
    pub nonce: Option<String>,
    /// Longest accepted token lifetime in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub max_lifetime: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: Common,
}

/// `e2ei-audit flow`.
#[derive(Debug, Args)]
pub struct FlowArgs {
    /// Transcript files (`-`: standard input), or directories (every `.md` or `.markdown` below, sorted; none is an error).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Judge as of `capture` (each flow at its own capture time), `now`,
    /// RFC 3339 or epoch seconds.
    #[arg(long, value_name = "TIME", default_value = "capture")]
    pub at: String,
    /// Trust anchor: a root or pinned intermediate certificate, PEM or DER (repeatable).
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Vec<String>,
    /// Pinned wire-server key(s): JWK, JWKS or PEM file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub issuer_key: Vec<String>,
    /// The identity provider's key(s) for id tokens (repeatable).
    #[arg(long, value_name = "FILE")]
    pub idp_key: Vec<String>,
    /// Trust keys and roots printed in the transcript (reported as such).
    #[arg(long)]
    pub trust_transcript_keys: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Wire identities expected in a certificate or CSR.
#[derive(Debug, Args)]
pub struct Identities {
    /// Expected client-id URI SAN, in the spelling of the era
    /// (`wireapp://…!…@dom`, `im:wireapp=…`); `%21` and `!` compare equal.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Expected handle URI SAN (`wireapp://%40alice@dom`).
    #[arg(long, value_name = "URI")]
    pub handle: Option<String>,
    /// Expected DNS SAN (2023-01 flows); repeatable.
    #[arg(long, value_name = "NAME")]
    pub dns: Vec<String>,
}

/// `e2ei-audit chain`.
#[derive(Debug, Args)]
pub struct ChainArgs {
    /// PEM blocks, a JSON string holding PEM, a JSON array of base64 DER, or DER;
    /// `-` for standard input.
    pub file: String,
    /// A trusted root or pinned intermediate (PEM or DER); repeatable. Without
    /// one the chain is verified link by link and `cert.chain` is at best `warn`.
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Vec<String>,
    /// The expected step-ca provisioner name (requires the extension).
    #[arg(long, value_name = "NAME")]
    pub provisioner: Option<String>,
    /// The CSR whose key the leaf must carry (`cert.key_binding`).
    #[arg(long, value_name = "FILE")]
    pub csr: Option<String>,
    /// Expected leaf subject organisation, the Wire domain (`cert.subject`).
    #[arg(long, value_name = "O")]
    pub org: Option<String>,
    /// Expected leaf display name: its subject `displayName`, else `CN`
    /// (`cert.subject`).
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub identities: Identities,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: Common,
}

/// `e2ei-audit csr`.
#[derive(Debug, Args)]
pub struct CsrArgs {
    /// PEM, base64url DER (as in the ACME finalize payload), `{"csr": …}` or DER;
    /// `-` for standard input.
    pub file: String,
    /// Expected subject organisation (the Wire domain).
    #[arg(long, value_name = "O")]
    pub org: Option<String>,
    /// Expected subject displayName.
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub identities: Identities,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
