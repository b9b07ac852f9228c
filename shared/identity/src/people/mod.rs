//! The users function: the caller's own account (`/me`, preferences, MFA) and, for tenant admins, the
//! organization's people (`/users`: invitations, roles, suspension) and roles (`/roles`).
//!
//! The handlers, with their request schemas and readers (edge), are `me`, `mfa`, `preferences` (which also
//! keeps the preferences item), `members` and `roles`; `views` are the answers. `service` does the work,
//! `invite` sends invitations, and `rules` says who may grant what (with the role and grant readers).

mod directory;
mod invite;
mod me;
pub(crate) mod members;
mod mfa;
pub(crate) mod preferences;
mod roles;
pub(crate) mod rules;
mod service;
mod views;

pub use directory::Directory;

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::crypto::DataKey;
use nudge_notifications::Notifier;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the routes need beyond the shared context.
pub struct Deps {
    /// Seals MFA secrets and keys backup-code digests.
    pub key: DataKey,
    pub notifier: Notifier,
    /// The web app that invitation links lead to.
    pub app_url: String,
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(views::Me, views::MembershipSummary, views::Member,
                       preferences::Preferences, preferences::EmailPreference, preferences::Theme, preferences::Frequency,
                       preferences::DateFormat, preferences::PreferencesRequest, preferences::EmailPreferenceRequest,
                       me::MePatch, me::PasswordChangeRequest, mfa::MfaCodeRequest, mfa::MfaDisableRequest,
                       members::InviteRequest, members::MemberPatch, rules::ScopedGrantRequest, crate::permission::Permission,
                       rules::RoleRequest, rules::RolePatch,
                       mfa::MfaStatus, mfa::Enrolment, mfa::BackupCodes, roles::RoleList,
                       crate::role::Role, crate::membership::MembershipStatus,
                       crate::membership::ScopedGrant, crate::user::UserStatus,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "me", description = "Your own account, preferences and MFA"),
         (name = "users", description = "The people of your organization"),
         (name = "roles", description = "Roles and their permissions"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes()).split_for_parts()
}

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(me::get_me, me::patch_me))
        .routes(routes!(me::change_password))
        .routes(routes!(preferences::get_preferences, preferences::put_preferences))
        .routes(routes!(mfa::status))
        .routes(routes!(mfa::enrol))
        .routes(routes!(mfa::activate))
        .routes(routes!(mfa::regenerate))
        .routes(routes!(mfa::disable))
        .routes(routes!(members::list, members::create))
        .routes(routes!(members::get_one, members::patch, members::remove))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::get_one, roles::patch, roles::remove))
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    deps: Arc<Deps>,
}

/// The function's routes behind the shared layers.
pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, deps: Arc::new(deps) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
