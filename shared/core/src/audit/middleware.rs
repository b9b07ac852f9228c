//! The audit layer. It sits inside authentication (to see the `Principal`) and inside idempotency (so a
//! replayed response, which never reaches it, is not recorded twice).

use super::derive::{self, Derived};
use super::log::{self, Entry, Log, time_text};
use super::note::AuditNote;
use crate::auth::Principal;
use crate::config::Ctx;
use crate::http::input::MAX_BODY_BYTES;
use crate::http::problem::ApiError;
use crate::telemetry::RequestId;
use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, header};
use lambda_http::request::RequestContext;
use serde_json::Value;
use std::net::IpAddr;

/// Largest response body read for the new entity's `id`; ours are small JSON documents.
const MAX_PEEK_BYTES: u64 = 256 * 1024;
/// Longest user agent kept.
const MAX_USER_AGENT_CHARS: usize = 512;

/// What the entry needs from the request, taken before the handler consumes it.
struct Facts {
    method: http::Method,
    route: String,
    params: Vec<(String, String)>,
    principal: Option<Principal>,
    ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    body: Bytes,
}

/// The middleware: `from_fn_with_state(ctx, audit::record)` as a route layer.
pub async fn record(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    if !derive::is_mutation(req.method()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // A JSON body is read whole to keep it as metadata, and the handler gets the same bytes back; past the
    // limit the handler's own JSON reader would refuse it too. Any other body (an upload, a form) streams
    // through untouched: the audit layer must not put limits on what a function accepts.
    let (body, kept) = if is_json(&parts.headers) {
        match to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => (Body::from(bytes.clone()), bytes),
            Err(_) => return ApiError::PayloadTooLarge.into_response(),
        }
    } else {
        (body, Bytes::new())
    };
    let facts = facts(&mut parts, kept).await;
    let mut response = next.run(Request::from_parts(parts, body)).await;

    let (log, entry) = match response.extensions_mut().remove::<AuditNote>() {
        Some(note) => noted(&facts, note, response.status().as_u16()),
        None if response.status().is_success() => {
            // Only when the route names no id does the response body have to say which entity was made.
            let response_body = if derive::entity_id(&facts.params, None).is_none() {
                let (rebuilt, body) = peek_json(response).await;
                response = rebuilt;
                body
            } else {
                None
            };
            derived(&facts, response.status().as_u16(), response_body.as_ref())
        }
        // A refused mutation changed nothing: nothing to record.
        None => return response,
    };
    // The mutation is done: a failed audit write must not turn it into an error for the client, who would
    // retry something that happened. `append` already tried a few times; what is left is an alarm for a
    // human (the error log line), with the entry's coordinates but never its metadata, which may hold data
    // an operator's log must not.
    if let Err(err) = log::append(&ctx.store, &log, &entry, ctx.audit_retention).await {
        tracing::error!(
            error = %err,
            audit_action = %entry.action,
            audit_entity_type = %entry.entity_type,
            audit_entity_id = entry.entity_id.as_deref().unwrap_or(""),
            audit_actor_id = ?entry.actor_id,
            audit_tenant_id = ?log.tenant_id().map(|t| t.to_string()),
            audit_entry_id = %entry.id,
            "audit entry could not be written"
        );
    }
    response
}

async fn facts(parts: &mut Parts, body: Bytes) -> Facts {
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned());
    let params = match RawPathParams::from_request_parts(parts, &()).await {
        Ok(raw) => raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        Err(_) => Vec::new(),
    };
    Facts {
        method: parts.method.clone(),
        route,
        params,
        principal: parts.extensions.get::<Principal>().cloned(),
        ip: client_ip(parts),
        user_agent: header_text(&parts.headers, header::USER_AGENT.as_str())
            .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect()),
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        body,
    }
}

/// `application/json` or any `+json` type, as `JsonBody` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    header_text(headers, header::CONTENT_TYPE.as_str()).is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    })
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// API Gateway's view of the caller (`requestContext.http.sourceIp`), which a client cannot forge; else the
/// first `X-Forwarded-For` hop (the dev server, a proxy). Only a well-formed address is kept.
fn client_ip(parts: &Parts) -> Option<String> {
    let from_gateway = match parts.extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    };
    let forwarded = || header_text(&parts.headers, "x-forwarded-for")?.split(',').next().map(|s| s.trim().to_owned());
    from_gateway.or_else(forwarded).and_then(|ip| ip.parse::<IpAddr>().ok()).map(|ip| ip.to_string())
}

/// Reads a small JSON response body (to learn a created entity's id) and puts it back.
async fn peek_json(response: Response) -> (Response, Option<Value>) {
    let small = response.body().size_hint().exact().is_some_and(|n| n <= MAX_PEEK_BYTES);
    if !is_json(response.headers()) || !small {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_PEEK_BYTES as usize).await {
        Ok(bytes) => {
            let value = serde_json::from_slice(&bytes).ok();
            (Response::from_parts(parts, Body::from(bytes)), value)
        }
        // The handler's body failed while being read: the client would have got a broken response anyway.
        Err(err) => {
            (ApiError::internal(format!("reading the response body for the audit log: {err}")).into_response(), None)
        }
    }
}

/// The log an entry belongs to: the caller's tenant, else the note's, else the platform's.
fn log_for(principal: Option<&Principal>, note_tenant: Option<crate::TenantId>) -> Log {
    match principal.and_then(Principal::tenant_opt).or(note_tenant) {
        Some(t) => Log::tenant(t),
        None => Log::platform_for_writes(),
    }
}

fn entry(facts: &Facts, actor: Option<uuid::Uuid>, status: u16, described: Described) -> Entry {
    Entry {
        id: uuid::Uuid::now_v7(),
        time: time_text(chrono::Utc::now()),
        actor_id: actor,
        action: derive::bounded(described.action),
        entity_type: derive::bounded(described.entity_type),
        entity_id: described.entity_id.map(derive::bounded),
        metadata: derive::metadata(described.metadata),
        status,
        ip: facts.ip.clone(),
        user_agent: facts.user_agent.clone(),
        request_id: facts.request_id.clone(),
    }
}

struct Described {
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    metadata: Value,
}

fn noted(facts: &Facts, note: AuditNote, status: u16) -> (Log, Entry) {
    let principal = facts.principal.as_ref();
    let log = log_for(principal, note.tenant);
    let actor = principal.map(|p| p.user_id).or(note.actor);
    let described = Described {
        action: note.action,
        entity_type: note.entity_type,
        entity_id: note.entity_id,
        metadata: note.metadata,
    };
    (log, entry(facts, actor, status, described))
}

fn derived(facts: &Facts, status: u16, response: Option<&Value>) -> (Log, Entry) {
    let principal = facts.principal.as_ref();
    let Derived { entity_type, action } = derive::derive(&facts.method, &facts.route);
    // The request body as sent (for a PATCH, the merge patch: exactly what changed); a body that is not
    // JSON is not kept.
    let metadata =
        if facts.body.is_empty() { Value::Null } else { serde_json::from_slice(&facts.body).unwrap_or(Value::Null) };
    let described = Described { action, entity_type, entity_id: derive::entity_id(&facts.params, response), metadata };
    (log_for(principal, None), entry(facts, principal.map(|p| p.user_id), status, described))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut req = http::Request::builder().method("POST").uri("/workers/w1/deactivate");
        for (k, v) in headers {
            req = req.header(*k, HeaderValue::from_str(v).unwrap());
        }
        req.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_client_address_prefers_the_gateway_and_is_validated() {
        assert_eq!(
            client_ip(&parts(&[("x-forwarded-for", "198.51.100.1, 10.0.0.1")])).as_deref(),
            Some("198.51.100.1")
        );
        assert_eq!(client_ip(&parts(&[("x-forwarded-for", "<script>")])), None);
        assert_eq!(client_ip(&parts(&[])), None);
        let mut p = parts(&[("x-forwarded-for", "198.51.100.1")]);
        let mut ctx = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        ctx.http.source_ip = Some("203.0.113.7".into());
        p.extensions.insert(RequestContext::ApiGatewayV2(ctx));
        assert_eq!(client_ip(&p).as_deref(), Some("203.0.113.7"));
    }

    #[test]
    fn only_json_bodies_are_kept() {
        let json = |ct: &str| is_json(&parts(&[("content-type", ct)]).headers);
        assert!(json("application/json") && json("application/merge-patch+json; charset=utf-8"));
        assert!(!json("multipart/form-data; boundary=x") && !json("text/plain") && !is_json(&parts(&[]).headers));
    }

    fn facts(method: &str, route: &str, params: &[(&str, &str)], body: &str) -> Facts {
        Facts {
            method: method.parse().unwrap(),
            route: route.into(),
            params: params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            principal: None,
            ip: None,
            user_agent: Some("test".into()),
            request_id: Some("req-1".into()),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn derived_entries_carry_route_ids_and_redacted_bodies() {
        let f = facts("PATCH", "/users/{id}", &[("id", "u1")], r#"{"name":"Ann","password":"x"}"#);
        let (log, e) = derived(&f, 200, None);
        assert_eq!(log, Log::platform_for_writes(), "no principal, no tenant");
        assert_eq!(
            (e.action.as_str(), e.entity_type.as_str(), e.entity_id.as_deref()),
            ("user.updated", "user", Some("u1"))
        );
        assert_eq!(e.metadata, serde_json::json!({"name": "Ann", "password": derive::REDACTED}));
        assert_eq!((e.status, e.request_id.as_deref(), e.user_agent.as_deref()), (200, Some("req-1"), Some("test")));

        let created = facts("POST", "/organizations", &[], "not json");
        let (_, e) = derived(&created, 201, Some(&serde_json::json!({"id": "o1"})));
        assert_eq!(
            (e.action.as_str(), e.entity_id.as_deref(), &e.metadata),
            ("organization.created", Some("o1"), &Value::Null)
        );
    }

    #[test]
    fn notes_name_the_actor_and_tenant_when_there_is_no_principal() {
        let tenant = crate::TenantId::new(uuid::Uuid::from_u128(1));
        let user = uuid::Uuid::from_u128(2);
        let note = AuditNote::new("auth.signed_in", "user", Some(user.to_string()))
            .actor(user)
            .tenant(tenant)
            .metadata(serde_json::json!({"email": "a@b.c", "password": "x"}));
        let (log, e) = noted(&facts("POST", "/auth/sign-in", &[], "{}"), note, 401);
        assert_eq!(log, Log::tenant(tenant));
        assert_eq!((e.actor_id, e.status), (Some(user), 401));
        assert_eq!(e.metadata["password"], derive::REDACTED);
        assert_eq!(e.metadata["email"], "a•••@b.c", "a note's personal fields are masked too");
    }
}
