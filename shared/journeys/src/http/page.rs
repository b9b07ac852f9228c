//! `/t/{token}`: the worker's page for one touchpoint. Public, since workers have no account: the signed,
//! expiring link is the proof, bound to the tenant, the enrolment, the touchpoint and the worker. `GET`
//! shows the content (and records the first open); `POST` takes the form: a quiz's answers (scored here,
//! against the quiz, within its attempts), a reflection, or "done".
//!
//! Every answer is HTML, including refusals (an expired or unknown link): a person reads it. The link is
//! the credential, so nothing caches the page and no referrer carries it on.

use super::Api;
use crate::engine::send::{LINK_PURPOSE, read_payload};
use crate::enrolments::{self, Answer};
use crate::model::{Progress, Touchpoint};
use crate::page::{self, Lang, PageState, PageView, Scored, quiz};
use crate::repo;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use nudge_content::published::{Body, Published};
use nudge_core::crypto::link::{self, LinkError};
use nudge_core::http::{ApiError, ApiResult};
use nudge_core::{Ctx, TenantId};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// How long the page's presigned media stays usable.
const MEDIA_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(show, answer))
}

fn html(status: StatusCode, body: String, media_origin: Option<&str>) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&page::content_security_policy(media_origin)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

fn refusal(lang: Lang, status: StatusCode) -> Response {
    let w = lang.words();
    let (title, text) = match status {
        StatusCode::GONE => (w.expired_title, w.expired_text),
        StatusCode::NOT_FOUND => (w.invalid_title, w.invalid_text),
        _ => (w.unavailable_title, w.unavailable_text),
    };
    html(status, page::message(lang, title, text), None)
}

/// Everything the page shows, read from the link.
struct Opened {
    tenant: TenantId,
    progress: Progress,
    touchpoint: Touchpoint,
    step: (usize, usize),
    content: Published,
    lang: Lang,
    organization: String,
    program: String,
    max_attempts: Option<u32>,
}

/// The link's touchpoint, or the page that refuses it.
async fn open(ctx: &Ctx, deps: &super::Deps, token: &str, lang: Lang) -> ApiResult<Result<Opened, Response>> {
    let now = ctx.clock.now();
    let (tenant, payload) = match link::verify(&deps.key, LINK_PURPOSE, token, now) {
        Ok(opened) => opened,
        Err(LinkError::Expired) => return Ok(Err(refusal(lang, StatusCode::GONE))),
        Err(_) => return Ok(Err(refusal(lang, StatusCode::NOT_FOUND))),
    };
    let Some((enrolment, touchpoint, worker)) = read_payload(&payload) else {
        return Ok(Err(refusal(lang, StatusCode::NOT_FOUND)));
    };
    if !nudge_core::standing::load(&ctx.store, &tenant).await?.is_served() {
        return Ok(Err(refusal(lang, StatusCode::NOT_FOUND)));
    }
    let found = repo::get_progress(&ctx.store, &tenant, enrolment, touchpoint).await?;
    let Some(progress) = found.filter(|p| p.worker_id == worker) else {
        return Ok(Err(refusal(lang, StatusCode::NOT_FOUND)));
    };
    let gone = || Ok(Err(refusal(lang, StatusCode::GONE)));
    let Some(version) = repo::get_version(&ctx.store, &tenant, progress.journey_id, progress.journey_version).await?
    else {
        return gone();
    };
    let Some((p, t)) = version.design.position_of(touchpoint) else { return gone() };
    let Some(tp) = version.design.touchpoint(p, t).cloned() else { return gone() };
    let step = (version.design.ordinal(p, t), version.design.touchpoint_count());
    let content = nudge_content::published::load(&ctx.store, &deps.snapshots, &tenant, tp.content_id)
        .await
        .map_err(ApiError::internal)?;
    let Some(content) = content else { return gone() };
    let worker = nudge_workers::repo::get(&ctx.store, &tenant, worker).await?;
    let lang = worker
        .as_ref()
        .and_then(|w| w.fields.contact.as_ref())
        .map_or(lang, |c| Lang::from_tag(c.preferred_language.as_str()));
    let organization = nudge_organizations::service::find(&ctx.store, &tenant)
        .await
        .map_err(ApiError::internal)?
        .map(|o| o.fields.name)
        .unwrap_or_default();
    let program =
        repo::get_program(&ctx.store, &tenant, progress.program_id).await?.map(|p| p.name).unwrap_or_default();
    let max_attempts = match &content.body {
        Body::Quiz(q) => q.max_attempts,
        _ => None,
    };
    Ok(Ok(Opened { tenant, progress, touchpoint: tp, step, content, lang, organization, program, max_attempts }))
}

/// The media asset a body shows, if any.
fn media_asset(body: &Body) -> Option<Uuid> {
    match body {
        Body::Image(b) => Some(b.media_asset_id),
        Body::Video(b) | Body::Audio(b) => Some(b.media_asset_id),
        Body::Document(b) => Some(b.media_asset_id),
        _ => None,
    }
}

/// The scheme and host of a URL (what the page's policy allows media from).
fn origin(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

async fn render(
    ctx: &Ctx,
    deps: &super::Deps,
    o: &Opened,
    token: &str,
    status: StatusCode,
    last: Option<&Scored>,
    errors: &[String],
) -> ApiResult<Response> {
    let media = match media_asset(&o.content.body) {
        Some(asset) => nudge_media::inline_url(&ctx.store, &deps.objects, &o.tenant, asset, MEDIA_TTL)
            .await
            .map_err(ApiError::internal)?,
        None => None,
    };
    let p = &o.progress;
    let attempts_left = o.max_attempts.map(|m| m.saturating_sub(p.attempts));
    let action = format!("/t/{token}");
    let view = PageView {
        lang: o.lang,
        organization: &o.organization,
        program: &o.program,
        step: o.step,
        title: &o.content.title,
        description: o.content.description.as_deref(),
        body: &o.content.body,
        media_url: media.as_deref(),
        state: PageState {
            completed: p.completed_at.is_some(),
            score: p.score,
            passed: p.passed,
            feedback: p.feedback_text.as_deref(),
            attempts_used: p.attempts,
            attempts_left,
            last,
            errors,
        },
        action: &action,
    };
    let media_origin = media.as_deref().and_then(origin);
    Ok(html(status, page::page(&view), media_origin.as_deref()))
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(Lang::En, Lang::from_accept_language)
}

#[utoipa::path(get, path = "/t/{token}", tag = "touchpoints",
    params(("token" = String, Path, description = "The signed link a touchpoint's message carries")),
    responses(
        (status = 200, description = "The touchpoint's page (HTML, in the worker's language where the page has it); the first open records `startedAt`", content_type = "text/html", body = String),
        (status = "4XX", description = "An unknown, forged (404) or expired (410) link, or content no longer published (410): a page saying so", content(
            (String = "text/html"),
            (nudge_core::http::problem::Problem = "application/problem+json"))),
    ))]
async fn show(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let opened = match open(&ctx, &deps, &token, lang_of(&headers)).await? {
        Ok(o) => o,
        Err(refused) => return Ok(refused),
    };
    let mut o = opened;
    let now = ctx.clock.now();
    if o.progress.started_at.is_none() {
        let answer = Answer { opened: true, ..Answer::default() };
        o.progress =
            enrolments::record(&ctx.store, &o.tenant, o.progress.worker_assignment_id, o.touchpoint.id, &answer, now)
                .await?;
    }
    render(&ctx, &deps, &o, &token, StatusCode::OK, None, &[]).await
}

#[utoipa::path(post, path = "/t/{token}", tag = "touchpoints",
    params(("token" = String, Path, description = "The signed link a touchpoint's message carries")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "The page's form: `action` (`complete` or `answer`), a quiz's `q.<questionId>` (repeated for several options), a reflection's `feedback`"),
    responses(
        (status = 200, description = "The page again, with what was recorded (a quiz's score question by question)", content_type = "text/html", body = String),
        (status = "4XX", description = "A form the page cannot take (422, shown on the page), or an unknown or expired link", content(
            (String = "text/html"),
            (nudge_core::http::problem::Problem = "application/problem+json"))),
    ))]
async fn answer(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let mut o = match open(&ctx, &deps, &token, lang_of(&headers)).await? {
        Ok(o) => o,
        Err(refused) => return Ok(refused),
    };
    let w = o.lang.words();
    let submission = match page::form::read(&body) {
        Ok(s) => s,
        Err(page::FormError::FeedbackTooLong(max)) => {
            let errors = [(w.feedback_too_long)(max)];
            return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
        }
        Err(_) => {
            let errors = [w.invalid_answer.to_owned()];
            return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
        }
    };
    let now = ctx.clock.now();
    let (enrolment, touchpoint) = (o.progress.worker_assignment_id, o.touchpoint.id);
    let mut scored = None;
    let answer = match &o.content.body {
        Body::Quiz(q) => {
            if o.max_attempts.is_some_and(|m| o.progress.attempts >= m) || o.progress.passed == Some(true) {
                let errors = [w.no_attempts_left.to_owned()];
                return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
            }
            if !quiz::invalid(q, &submission.answers).is_empty() {
                let errors = [w.invalid_answer.to_owned()];
                return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
            }
            if !quiz::unanswered(q, &submission.answers).is_empty() {
                let errors = [w.answer_all.to_owned()];
                return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
            }
            let s = quiz::score(q, &submission.answers);
            let answer = Answer {
                completed: true,
                score: Some(s.score),
                passed: Some(s.passed),
                attempt: true,
                ..Answer::default()
            };
            scored = Some(s);
            answer
        }
        Body::Reflection(_) => match submission.feedback.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => Answer { completed: true, feedback: Some(text.to_owned()), ..Answer::default() },
            None => {
                let errors = [w.feedback_empty.to_owned()];
                return render(&ctx, &deps, &o, &token, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
            }
        },
        _ => Answer { completed: true, ..Answer::default() },
    };
    o.progress = enrolments::record(&ctx.store, &o.tenant, enrolment, touchpoint, &answer, now).await?;
    if enrolments::completed_now(&o.progress, now) {
        deps.workers.notify(&o.tenant, &[o.progress.worker_id]).await;
    }
    tracing::info!(enrolment_id = %enrolment, touchpoint_id = %touchpoint, "a worker answered a touchpoint");
    render(&ctx, &deps, &o, &token, StatusCode::OK, scored.as_ref(), &[]).await
}
