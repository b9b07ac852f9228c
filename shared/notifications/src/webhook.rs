//! The WhatsApp Cloud API's webhook, one URL per integration: `/webhooks/whatsapp/{integrationId}`. Public
//! (Meta calls it), so every call proves itself: the subscription check answers only with the
//! integration's `verifyToken`, and each event batch must carry `X-Hub-Signature-256`, the HMAC of its
//! body under the integration's `appSecret` (both sealed secrets of its config).
//!
//! What an accepted batch does, each part idempotent (Meta delivers at least once, in any order):
//! - a status (`sent`, `delivered`, `read`, `failed`) moves the delivery forward only ([`crate::send::status`]);
//! - a worker's message opens the 24-hour window ([`crate::send::window`]), sets their
//!   `engagement.lastInteractionDate`, and an opt-out keyword (STOP, PARAR, …) sets their
//!   `whatsappOptInStatus` to `opted_out` (START and the like opt back in);
//! - a worker's reply to one of our messages (a button tapped under it) goes to the domain that sent it
//!   ([`crate::send::replies`]);
//! - a template status update moves the approval of the tenant's template items of that name.
//!
//! A batch that fails part way answers 500, so Meta sends it again; what was applied is not applied twice.

use crate::channels::ChannelKind;
use crate::http::Api;
use crate::providers::whatsapp::{self, Event, Inbound, Keyword, TemplateEvent, TemplateStatus};
use crate::send::replies::Reply;
use crate::send::{status, window};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};
use nudge_content::message_template::ApprovalStatus;
use nudge_core::http::{ApiError, ApiResult};
use nudge_core::store::StoreError;
use nudge_core::{Ctx, TenantId};
use nudge_integrations::connect::Connection;
use nudge_workers::model::OptInStatus;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(subscribe, receive))
}

/// The subscription check's query, named as Meta sends it.
#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// What an accepted batch did.
#[derive(Debug, Default, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub statuses: u32,
    pub messages: u32,
    pub templates: u32,
}

/// The integration a webhook URL names, with its tenant and opened config; `None` when there is none of
/// type whatsapp (or the id is malformed), which the caller answers as it answers a wrong token or
/// signature, so the endpoint tells nobody which integrations exist.
async fn integration(ctx: &Ctx, deps: &crate::http::Deps, id: &str) -> ApiResult<Option<(TenantId, Connection)>> {
    let Ok(id) = Uuid::parse_str(id) else { return Ok(None) };
    let found =
        nudge_integrations::connect::by_id(&ctx.store, &deps.key, id, "whatsapp").await.map_err(ApiError::internal)?;
    Ok(found.map(|(tenant, connection, _)| (tenant, connection)))
}

fn secret<'a>(c: &'a Connection, name: &str) -> Option<&'a str> {
    c.config.get(name).and_then(|v| v.as_str()).filter(|s| !s.is_empty())
}

#[utoipa::path(get, path = "/webhooks/whatsapp/{integrationId}", tag = "webhooks",
    params(
        ("integrationId" = Uuid, Path, description = "The tenant's WhatsApp integration"),
        ("hub.mode" = Option<String>, Query, description = "`subscribe`"),
        ("hub.verify_token" = Option<String>, Query, description = "The integration's `verifyToken`"),
        ("hub.challenge" = Option<String>, Query, description = "Echoed back when the token matches"),
    ),
    responses(
        (status = 200, description = "The challenge, echoed: the subscription is confirmed", content_type = "text/plain", body = String),
    ))]
async fn subscribe(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<crate::http::Deps>>,
    Path(id): Path<String>,
    Query(query): Query<Challenge>,
) -> ApiResult<Response> {
    let refused = || ApiError::Forbidden("the verify token does not match".into());
    let connection = integration(&ctx, &deps, &id).await?.map(|(_, c)| c).ok_or_else(refused)?;
    let expected = secret(&connection, "verifyToken").ok_or_else(refused)?;
    let answer =
        whatsapp::challenge(query.mode.as_deref(), query.token.as_deref(), query.challenge.as_deref(), expected);
    match answer {
        Some(challenge) => Ok(([(header::CONTENT_TYPE, "text/plain")], challenge).into_response()),
        None => Err(refused()),
    }
}

#[utoipa::path(post, path = "/webhooks/whatsapp/{integrationId}", tag = "webhooks",
    params(
        ("integrationId" = Uuid, Path, description = "The tenant's WhatsApp integration"),
        ("X-Hub-Signature-256" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of the body under the integration's `appSecret`"),
    ),
    request_body(content = Object, description = "A Cloud API webhook batch (`object`: `whatsapp_business_account`)"),
    responses(
        (status = 200, description = "Applied (statuses, worker messages, template updates); a repeat changes nothing", body = Received),
    ))]
async fn receive(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<crate::http::Deps>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let refused = ApiError::Unauthorized("X-Hub-Signature-256 does not sign this body");
    let Some((tenant, connection)) = integration(&ctx, &deps, &id).await? else { return Err(refused) };
    let signature = headers.get(whatsapp::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let signed = secret(&connection, "appSecret").is_some_and(|s| whatsapp::verify_signature(s, &body, signature));
    if !signed {
        return Err(refused);
    }
    let events = whatsapp::parse(&body).map_err(|e| ApiError::field("", e.to_string()))?;
    let mut received = Received::default();
    let now = ctx.clock.now();
    for event in events {
        match event {
            Event::Status { event, .. } => {
                status::apply(&ctx.store, ChannelKind::Whatsapp, &event, Some(&tenant), true, now)
                    .await
                    .map_err(ApiError::internal)?;
                received.statuses += 1;
            }
            Event::Inbound(message) => {
                inbound(&ctx, &deps, &tenant, &message).await?;
                received.messages += 1;
            }
            Event::TemplateStatus(update) => {
                template(&ctx, &tenant, &update).await?;
                received.templates += 1;
            }
        }
    }
    Ok(axum::Json(received).into_response())
}

/// A worker's message: the window, their engagement and a keyword's opt-in status. A number no worker
/// has is acknowledged and left alone.
async fn inbound(ctx: &Ctx, deps: &crate::http::Deps, tenant: &TenantId, m: &Inbound) -> ApiResult<()> {
    let phone = format!("+{}", m.from);
    let Some(worker) = nudge_workers::service::by_phone(&ctx.store, tenant, &phone).await? else {
        tracing::info!(wamid = %m.wamid, "a WhatsApp message from a number no worker has");
        return Ok(());
    };
    match ctx.store.write(window::opened(tenant, worker, m.at)?).await {
        Ok(()) | Err(StoreError::Condition(window::NEWER)) => {}
        Err(e) => return Err(e.into()),
    }
    let opt_in = m.keyword.map(|k| match k {
        Keyword::OptOut => OptInStatus::OptedOut,
        Keyword::OptIn => OptInStatus::OptedIn,
    });
    if nudge_workers::service::engaged(&ctx.store, tenant, worker, m.at, opt_in).await?
        && let Err(e) = deps.events.changed(tenant, &[worker]).await
    {
        // The write landed; a scheduled sync repairs segment membership a lost message leaves behind.
        tracing::error!(error = %e, "could not announce the changed worker");
    }
    // An answer to one of our messages goes to the domain that sent it.
    if let Some(context) = &m.context
        && let Some(request_id) = status::request_of(&ctx.store, ChannelKind::Whatsapp, context, tenant).await?
    {
        let reply = Reply {
            request_id,
            worker_id: worker,
            kind: m.kind.clone(),
            text: m.text.clone(),
            payload: m.payload.clone(),
        };
        deps.replies.replied(tenant, &reply).await.map_err(ApiError::internal)?;
    }
    Ok(())
}

/// A template's approval as the provider decided it.
async fn template(ctx: &Ctx, tenant: &TenantId, update: &TemplateStatus) -> ApiResult<()> {
    let status = match &update.event {
        TemplateEvent::Approved => ApprovalStatus::Approved,
        TemplateEvent::Rejected => ApprovalStatus::Rejected,
        TemplateEvent::Pending => ApprovalStatus::Pending,
        TemplateEvent::Paused => ApprovalStatus::Paused,
        TemplateEvent::Disabled => ApprovalStatus::Disabled,
        TemplateEvent::Other(event) => {
            tracing::info!(event = %event, "a template event that changes no approval");
            return Ok(());
        }
    };
    nudge_content::message_template::provider_status(
        &ctx.store,
        tenant,
        &update.name,
        update.language.as_deref(),
        status,
        update.reason.as_deref(),
        ctx.clock.now(),
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(())
}
