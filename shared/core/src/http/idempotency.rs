//! `Idempotency-Key` on POST. The first request with a key takes a lock (a record written with
//! `attribute_not_exists`), runs, and stores its response; a retry with the same key and body replays that
//! response, a different body answers 422, and a retry while the first still runs answers 409. Records are
//! per caller (user, within the tenant) and expire after a day. A lock left by a crashed invocation
//! expires after a minute; a 5xx releases the key so the client may retry.

use crate::auth::Principal;
use crate::http::input::MAX_BODY_BYTES;
use crate::http::problem::ApiError;
use crate::keys::Key;
use crate::store::{Put, Store, StoreError, Write};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Method, StatusCode, header};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const HEADER: &str = "idempotency-key";
const RECORD_TTL_SECS: i64 = 24 * 3600;
const LOCK_SECS: i64 = 60;
/// Responses larger than this are not kept (an item holds 400 KB); the key is released instead.
const MAX_STORED_BODY: usize = 300 * 1024;
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::ETAG, header::LOCATION];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Record {
    state: RecordState,
    fingerprint: String,
    version: u64,
    locked_until: i64,
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RecordState {
    InProgress,
    Completed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct StoredResponse {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// What to do with a request whose key already has a record.
#[derive(Debug, PartialEq)]
enum Decision {
    Replay(StoredResponse),
    /// The record is stale (expired, or a lock past its time): take it over at this version.
    TakeOver(u64),
    InFlight,
    Mismatch,
}

fn decide(record: &Record, fingerprint: &str, now: i64) -> Decision {
    if record.expires_at <= now {
        return Decision::TakeOver(record.version);
    }
    if record.fingerprint != fingerprint {
        return Decision::Mismatch;
    }
    match (&record.state, &record.response) {
        (RecordState::Completed, Some(r)) => Decision::Replay(r.clone()),
        _ if record.locked_until <= now => Decision::TakeOver(record.version),
        _ => Decision::InFlight,
    }
}

/// A key is the caller's own: in the tenant, per user too, so one member's key never replays another's
/// response (which the replay would answer before the handler checks the second member's permissions).
fn record_key(principal: &Principal, key: &str) -> Key {
    match principal.tenant_opt() {
        Some(t) => Key::tenant(&t, &format!("IDEM#{key}"), format!("USER#{}", principal.user_id)),
        None => Key::platform(&format!("USER#{}#IDEM#{key}", principal.user_id), "IDEM"),
    }
}

/// What identifies a request: method, path and query, body. Keyed (HMAC under the deployment secret), since
/// a body may hold a password and the record outlives the request by a day.
fn fingerprint(digest: impl Fn(&[u8]) -> String, method: &Method, uri: &http::Uri, body: &[u8]) -> String {
    let mut data = Vec::with_capacity(body.len() + 64);
    data.extend_from_slice(method.as_str().as_bytes());
    data.push(0);
    data.extend_from_slice(uri.path_and_query().map(|p| p.as_str()).unwrap_or("").as_bytes());
    data.push(0);
    data.extend_from_slice(body);
    digest(&data)
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn idempotent(State(store): State<Store>, req: Request, next: Next) -> Response {
    match run(&store, req, next).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn run(store: &Store, req: Request, next: Next) -> Result<Response, ApiError> {
    let key = match req.headers().get(HEADER) {
        Some(v) if req.method() == Method::POST => v
            .to_str()
            .ok()
            .filter(|k| valid_key(k))
            .map(str::to_owned)
            .ok_or_else(|| ApiError::param("Idempotency-Key", "must be 1 to 255 visible ASCII characters"))?,
        _ => return Ok(next.run(req).await),
    };
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        return Ok(next.run(req).await);
    };
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let print = fingerprint(|d| store.digest("idempotency", d), &parts.method, &parts.uri, &bytes);
    let rkey = record_key(&principal, &key);
    let now = chrono::Utc::now().timestamp();
    let mut record = Record {
        state: RecordState::InProgress,
        fingerprint: print.clone(),
        version: 1,
        locked_until: now + LOCK_SECS,
        expires_at: now + RECORD_TTL_SECS,
        response: None,
    };
    let put = |r: &Record| Put::new(&rkey, "Idempotency", r).map(|p| p.ttl(r.expires_at));
    match store.write(Write::create(put(&record)?, "idempotency key")).await {
        Ok(()) => {}
        Err(StoreError::Condition(_)) => {
            let existing: Record = store
                .get(&rkey)
                .await?
                .ok_or_else(|| ApiError::Conflict("the idempotency key was just released; retry".into(), vec![]))?;
            match decide(&existing, &print, now) {
                Decision::Replay(stored) => return Ok(replay(stored)),
                Decision::Mismatch => {
                    return Err(ApiError::Unprocessable(
                        "this Idempotency-Key was used with a different request; use a new key".into(),
                    ));
                }
                Decision::InFlight => {
                    return Err(ApiError::Conflict(
                        "a request with this Idempotency-Key is still in progress; retry later".into(),
                        vec![],
                    ));
                }
                Decision::TakeOver(version) => {
                    record.version = version + 1;
                    store.write(Write::replace(put(&record)?, version)).await.map_err(|_| {
                        ApiError::Conflict("a request with this Idempotency-Key is in progress".into(), vec![])
                    })?;
                }
            }
        }
        Err(other) => return Err(other.into()),
    }

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (rparts, rbody) = response.into_parts();
    let body = to_bytes(rbody, usize::MAX).await.map_err(ApiError::internal)?;
    // Secrets shown once (`Cache-Control: no-store`: MFA secrets, backup codes) are never kept for replay.
    let no_store = rparts
        .headers
        .get(http::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    let stored = (!rparts.status.is_server_error() && !no_store && body.len() <= MAX_STORED_BODY)
        .then(|| String::from_utf8(body.to_vec()).ok())
        .flatten()
        .map(|text| StoredResponse {
            status: rparts.status.as_u16(),
            headers: KEPT_HEADERS
                .iter()
                .filter_map(|h| Some((h.as_str().to_owned(), rparts.headers.get(h)?.to_str().ok()?.to_owned())))
                .collect(),
            body: text,
        });
    let expected = record.version;
    let outcome = match stored {
        Some(stored) => {
            record.state = RecordState::Completed;
            record.response = Some(stored);
            record.version += 1;
            match put(&record) {
                Ok(p) => store.write(Write::replace(p, expected)).await,
                Err(e) => Err(e),
            }
        }
        // Not kept: release the key so a retry runs again.
        None => store.write(Write::delete(rkey.clone())).await,
    };
    if let Err(err) = outcome {
        tracing::warn!(error = %err, "could not record the idempotent response");
    }
    Ok(Response::from_parts(rparts, Body::from(body)))
}

fn replay(stored: StoredResponse) -> Response {
    let mut response = (StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), stored.body).into_response();
    for (name, value) in stored.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(n, v);
        }
    }
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: RecordState, locked_until: i64, expires_at: i64) -> Record {
        Record {
            state,
            fingerprint: "f".into(),
            version: 3,
            locked_until,
            expires_at,
            response: (state == RecordState::Completed).then(|| StoredResponse {
                status: 201,
                headers: BTreeMap::new(),
                body: "{}".into(),
            }),
        }
    }

    #[test]
    fn decisions() {
        let now = 1000;
        assert!(matches!(decide(&record(RecordState::Completed, 0, 2000), "f", now), Decision::Replay(_)));
        assert_eq!(decide(&record(RecordState::Completed, 0, 2000), "g", now), Decision::Mismatch);
        assert_eq!(decide(&record(RecordState::InProgress, 1060, 2000), "f", now), Decision::InFlight);
        assert_eq!(decide(&record(RecordState::InProgress, 999, 2000), "f", now), Decision::TakeOver(3));
        assert_eq!(decide(&record(RecordState::Completed, 0, 900), "g", now), Decision::TakeOver(3));
    }

    #[test]
    fn fingerprints_cover_method_path_and_body() {
        let uri: http::Uri = "/a?b=1".parse().unwrap();
        let codec = crate::store::CursorCodec::new(b"k".to_vec());
        let digest = |d: &[u8]| codec.digest("idempotency", d);
        let base = fingerprint(digest, &Method::POST, &uri, b"{}");
        assert_eq!(base, fingerprint(digest, &Method::POST, &uri, b"{}"));
        assert_ne!(base, fingerprint(digest, &Method::POST, &"/b".parse().unwrap(), b"{}"));
        assert_ne!(base, fingerprint(digest, &Method::POST, &uri, b"{ }"));
        let other = crate::store::CursorCodec::new(b"other".to_vec());
        assert_ne!(base, fingerprint(|d: &[u8]| other.digest("idempotency", d), &Method::POST, &uri, b"{}"), "keyed");
        assert!(valid_key("abc-123") && !valid_key("") && !valid_key("a b"));
    }
}
