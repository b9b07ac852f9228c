//! The auth function: sign-in, token refresh and logout, tenant switching, password reset and invitation
//! acceptance. It is the only function holding the token signing key.
//!
//! `input` reads requests (edge), `routes` are the handlers (edge: audit notes, problems), `service` and
//! `grant` (sessions and tokens) do the work, `lockout` keeps the failed sign-ins per address.

mod grant;
mod input;
pub(crate) mod lockout;
mod routes;
mod service;

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::auth::TokenIssuer;
use nudge_core::crypto::DataKey;
use nudge_notifications::Notifier;
use std::sync::Arc;
use utoipa::OpenApi;

/// What the sign-in routes need beyond the shared context.
pub struct Deps {
    pub issuer: TokenIssuer,
    /// Opens MFA secrets.
    pub key: DataKey,
    pub notifier: Notifier,
    /// The web app that links in emails lead to.
    pub app_url: String,
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(grant::Tokens, grant::UserSummary, grant::TenantChoice,
                       input::LoginRequest, input::RefreshRequest, input::LogoutRequest, input::SwitchTenantRequest,
                       input::PasswordResetRequest, input::PasswordResetConfirmRequest, input::InviteAcceptRequest,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "auth", description = "Sign-in, sessions, password reset and invitations"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    deps: Arc<Deps>,
}

/// The function's routes: public (they authenticate by password or token themselves), audited.
pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::public(routes, Api { ctx, deps: Arc::new(deps) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
