//! `GET /certificates/verify/{code}`: public. Anyone holding a certificate's code learns whether it is
//! valid, and nothing else of the organization: the holder's name, the module's title, the dates and the
//! status. JSON by default; the small HTML page when the caller asks for `text/html` (a browser).

use crate::certificate::{self, Code, Verification};
use crate::learner::repo;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::http::{ApiError, ApiResult};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(verify))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

fn language(headers: &HeaderMap) -> String {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("en").to_owned()
}

fn page(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(certificate::PAGE_CSP));
    response
}

/// The certificate a code names, as the public may see it.
async fn lookup(ctx: &Ctx, code: &str) -> ApiResult<Option<Verification>> {
    let Some(code) = Code::parse(code) else { return Ok(None) };
    let Some(owner) = repo::code_owner(&ctx.store, code.as_str()).await? else { return Ok(None) };
    let tenant = owner.tenant.tenant();
    if !nudge_core::standing::load(&ctx.store, &tenant).await?.is_served() {
        return Ok(None);
    }
    let Some(c) = repo::certificate(&ctx.store, &tenant, owner.user_id, owner.certificate_id).await? else {
        return Ok(None);
    };
    Ok(Some(Verification {
        code: code.to_string(),
        holder_name: c.holder_name,
        module_title: c.module_title,
        issued_at: c.issued_at,
        expires_at: c.expires_at,
        status: certificate::status(c.expires_at, c.revoked_at, ctx.clock.now()),
    }))
}

#[utoipa::path(get, path = "/certificates/verify/{code}", tag = "learning",
    params(("code" = String, Path, max_length = 64, description = "The certificate's code as printed (`XXXX-XXXX-XXXX`; case, hyphens and spaces do not matter)")),
    description = "Public: whether a certificate is valid, expired or revoked, with its holder's name, the module, and its dates; nothing else. `Accept: text/html` answers a small page.",
    responses(
        (status = 200, description = "The certificate", content(
            (Verification = "application/json"), (String = "text/html"))),
        (status = "4XX", description = "No certificate has this code (404)", content(
            (nudge_core::http::problem::Problem = "application/problem+json"), (String = "text/html"))),
    ))]
async fn verify(State(ctx): State<Ctx>, Path(code): Path<String>, headers: HeaderMap) -> ApiResult<Response> {
    let found = lookup(&ctx, &code).await?;
    let lang = language(&headers);
    match (found, wants_html(&headers)) {
        (Some(v), true) => Ok(page(StatusCode::OK, certificate::page(&v, &lang).into_string())),
        (None, true) => Ok(page(StatusCode::NOT_FOUND, certificate::not_found_page(&lang).into_string())),
        (Some(v), false) => Ok(Json(v).into_response()),
        (None, false) => Err(ApiError::NotFound),
    }
}
