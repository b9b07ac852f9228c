//! The auth function: sign-in, token refresh and logout, tenant switching, password reset and invitation
//! acceptance. It is the only function holding the token signing key.
//!
//! `input` reads requests (edge), `routes` are the handlers (edge: audit notes, problems), `service` and
//! `grant` (sessions and tokens) do the work, `lockout` keeps the failed sign-ins per address, `throttle`
//! the attempts per source address.

pub use reset_mails::ResetMailer;

mod grant;
mod input;
pub(crate) mod lockout;
mod reset_mails;
mod routes;
mod service;
mod throttle;

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
    /// A platform admin without MFA gets sessions that can only enrol it (`REQUIRE_PLATFORM_ADMIN_MFA`,
    /// the stack's `RequirePlatformAdminMfa`; see [`platform_admin_mfa_required`]).
    pub require_platform_admin_mfa: bool,
}

/// `REQUIRE_PLATFORM_ADMIN_MFA` read: `true` or `false`; unset is `true`, the safe side (a stack that
/// forgot the variable still guards its admins). Anything else is a configuration error, not a guess.
pub fn platform_admin_mfa_required(text: Option<&str>) -> Result<bool, nudge_core::config::ConfigError> {
    match text {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(nudge_core::config::ConfigError::Invalid {
            name: "REQUIRE_PLATFORM_ADMIN_MFA",
            reason: "must be `true` or `false`".into(),
        }),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_admin_mfa_setting_defaults_to_required_and_refuses_other_words() {
        assert!(platform_admin_mfa_required(None).unwrap());
        assert!(platform_admin_mfa_required(Some("true")).unwrap());
        assert!(!platform_admin_mfa_required(Some("false")).unwrap());
        assert!(platform_admin_mfa_required(Some("no")).is_err());
        assert!(platform_admin_mfa_required(Some("TRUE")).is_err(), "the template allows exactly two words");
    }

    #[test]
    fn the_documented_token_pair_names_no_internal_field() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let tokens = &doc["components"]["schemas"]["Tokens"];
        assert!(tokens["properties"]["accessToken"].is_object(), "{tokens}");
        assert!(!tokens.to_string().contains("mfaEnrol") && !tokens.to_string().contains("mfa_enrol"), "{tokens}");
    }
}
