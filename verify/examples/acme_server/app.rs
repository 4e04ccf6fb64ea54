//! The example ACME challenge endpoint: routes, state and handlers, kept apart
//! from `main` so that `tests/http_example.rs` drives the very same router.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use e2ei_verify::acme::{self, Signer};
use e2ei_verify::challenge::{ChallengeType, Identifiers, Validator};
use e2ei_verify::jose::{Jws, Limits, PublicKey};
use e2ei_verify::report::{AcmeProblem, Failure};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// A challenge the server created, with its authorization's identifiers.
#[derive(Clone, Debug)]
pub struct ChallengeRecord {
    /// `wire-dpop-01` or `wire-oidc-01`.
    pub kind: ChallengeType,
    /// The challenge token.
    pub token: String,
    /// The challenge target (wire-server access-token URL, or the IdP).
    pub target: String,
    /// The order's identifiers.
    pub order: Identifiers,
}

/// What the server knows. A real server keeps accounts and challenges in its
/// database; here they are fixtures.
pub struct AcmeState {
    /// The validator, configured once.
    pub validator: Validator,
    /// The public base URL (`https://acme.example.com`): the URLs that JWS
    /// `url` headers and challenge URLs name.
    pub base_url: String,
    /// Account URL (`kid`) → account key.
    pub accounts: HashMap<String, PublicKey>,
    /// `(authz id, challenge id)` → challenge.
    pub challenges: HashMap<(String, String), ChallengeRecord>,
    /// Print each rejection's failed checks to stderr.
    pub log_rejections: bool,
}

/// ACME `Replay-Nonce`s live this long.
const ACME_NONCE_TTL: u64 = 300;

/// The routes: new-nonce and the challenge endpoint.
pub fn router(state: Arc<AcmeState>) -> Router {
    Router::new()
        .route(
            "/acme/{provisioner}/new-nonce",
            get(new_nonce).head(new_nonce),
        )
        .route(
            "/acme/{provisioner}/challenge/{authz}/{challenge}",
            post(challenge),
        )
        .with_state(state)
}

async fn new_nonce(State(state): State<Arc<AcmeState>>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match fresh_nonce(&state).await {
        Some(nonce) => {
            headers.insert("replay-nonce", nonce);
            (StatusCode::OK, headers).into_response()
        }
        None => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            AcmeProblem::Unauthorized,
            "nonces are unavailable; retry later",
            None,
        ),
    }
}

/// A new ACME nonce, recorded in the validator's nonce store under `acme:`
/// (the wire nonces live beside them, unprefixed).
async fn fresh_nonce(state: &Arc<AcmeState>) -> Option<HeaderValue> {
    let state = state.clone();
    let nonce = tokio::task::spawn_blocking(move || {
        let now = state.validator.now();
        let nonce = e2ei_verify::replay::random_nonce().ok()?;
        state
            .validator
            .nonce_store()
            .issue(&format!("acme:{nonce}"), now + ACME_NONCE_TTL, now)
            .ok()?;
        Some(nonce)
    })
    .await
    .ok()??;
    HeaderValue::from_str(&nonce).ok()
}

/// RFC 7807 problem document with the ACME `type` URN and a fresh nonce.
fn problem(
    status: StatusCode,
    kind: AcmeProblem,
    detail: &str,
    nonce: Option<HeaderValue>,
) -> Response {
    let body = json!({ "type": kind.urn(), "detail": detail, "status": status.as_u16() });
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(nonce) = nonce {
        headers.insert("replay-nonce", nonce);
    }
    response
}

fn status_of(kind: AcmeProblem) -> StatusCode {
    match kind {
        AcmeProblem::Unauthorized | AcmeProblem::RejectedIdentifier => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn challenge(
    State(state): State<Arc<AcmeState>>,
    Path((provisioner, authz, challenge_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let nonce = fresh_nonce(&state).await;
    let work = state.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        handle_challenge(&work, &provisioner, &authz, &challenge_id, &body)
    })
    .await;
    match outcome {
        Ok(Ok(object)) => {
            let mut response = (StatusCode::OK, object.to_string()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Some(nonce) = nonce {
                headers.insert("replay-nonce", nonce);
            }
            response
        }
        Ok(Err((status, kind, detail))) => problem(status, kind, &detail, nonce),
        Err(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            AcmeProblem::Unauthorized,
            "internal error",
            nonce,
        ),
    }
}

type Rejected = (StatusCode, AcmeProblem, String);

/// The ACME layer (JWS, account, nonce), then the challenge validator.
fn handle_challenge(
    state: &AcmeState,
    provisioner: &str,
    authz: &str,
    challenge_id: &str,
    body: &[u8],
) -> Result<serde_json::Value, Rejected> {
    let url = format!(
        "{}/acme/{provisioner}/challenge/{authz}/{challenge_id}",
        state.base_url
    );
    let record = state
        .challenges
        .get(&(authz.to_owned(), challenge_id.to_owned()))
        .ok_or_else(|| {
            (
                StatusCode::NOT_FOUND,
                AcmeProblem::Malformed,
                "no such challenge".to_owned(),
            )
        })?;
    // The account named by `kid`; its key must have signed the request.
    let malformed = |detail: &str| {
        (
            StatusCode::BAD_REQUEST,
            AcmeProblem::Malformed,
            detail.to_owned(),
        )
    };
    let jws = Jws::parse_flattened(body, &Limits::default())
        .map_err(|_| malformed("the request is not a flattened JWS"))?;
    let kid = jws
        .header_str("kid")
        .ok_or_else(|| malformed("no kid in the protected header"))?;
    let key = state.accounts.get(kid).ok_or_else(|| {
        (
            StatusCode::FORBIDDEN,
            AcmeProblem::Unauthorized,
            "unknown account".to_owned(),
        )
    })?;
    let request = acme::verify(body, &url, Signer::Account { url: kid, key }).map_err(|e| {
        (
            status_of(e.problem()),
            e.problem(),
            format!("{}: {e}", e.check_id()),
        )
    })?;
    // The ACME nonce: issued by this server, good once.
    let bad_nonce = |detail: &str| {
        (
            StatusCode::BAD_REQUEST,
            AcmeProblem::BadNonce,
            detail.to_owned(),
        )
    };
    let nonce = request
        .nonce
        .as_deref()
        .ok_or_else(|| bad_nonce("no nonce"))?;
    let now = state.validator.now();
    match state
        .validator
        .nonce_store()
        .consume(&format!("acme:{nonce}"), now)
    {
        Ok(true) => {}
        Ok(false) => return Err(bad_nonce("the nonce was not issued, was used, or expired")),
        Err(_) => {
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                AcmeProblem::Unauthorized,
                "nonces are unavailable; retry later".to_owned(),
            ))
        }
    }
    let challenge = e2ei_verify::challenge::Challenge {
        kind: record.kind,
        token: &record.token,
        url: &url,
        target: &record.target,
    };
    match state
        .validator
        .validate(&challenge, key, &record.order, &request.payload)
    {
        // A real server now marks the challenge (and maybe the authorization)
        // valid and stores the identity; this example re-validates every post,
        // so that a replay is visible.
        Ok(_identity) => Ok(json!({
            "type": record.kind.as_str(),
            "url": url,
            "status": "valid",
            "token": record.token,
            "target": record.target,
        })),
        Err(rejection) => {
            if state.log_rejections {
                eprintln!("challenge {url} rejected: {rejection}");
                for check in rejection.report().failures() {
                    eprintln!("  FAIL {} {}", check.id, check.message);
                }
            }
            let status = if rejection.is_unavailable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                status_of(rejection.problem())
            };
            Err((status, rejection.problem(), rejection.detail()))
        }
    }
}
