//! The users function: the caller's own account (`/me`, preferences, MFA) and, for tenant admins, the
//! organization's people (`/users`: invitations, roles, suspension) and roles (`/roles`).

pub mod invite;
pub mod me;
pub mod members;
pub mod mfa;
pub mod preferences;
pub mod roles;
pub mod rules;
pub mod views;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use nudge_core::Ctx;
use nudge_core::crypto::DataKey;
use nudge_notifications::Notifier;
use std::sync::Arc;
use utoipa::OpenApi;

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
    paths(me::get_me, me::patch_me, me::change_password, preferences::get_preferences, preferences::put_preferences,
          mfa::status, mfa::enrol, mfa::activate, mfa::regenerate, mfa::disable,
          members::create, members::list, members::get_one, members::patch, members::remove,
          roles::list, roles::create, roles::get_one, roles::patch, roles::remove),
    components(schemas(views::Me, views::MembershipSummary, views::Member, views::MemberPage,
                       preferences::Preferences, preferences::EmailPreference, preferences::Theme, preferences::Frequency,
                       preferences::DateFormat, preferences::PreferencesRequest, preferences::EmailPreferenceRequest,
                       me::MePatch, me::PasswordChangeRequest, mfa::MfaCodeRequest, mfa::MfaDisableRequest,
                       members::InviteRequest, members::MemberPatch, rules::ScopedGrantRequest, rules::Permission,
                       rules::RoleRequest, rules::RolePatch,
                       mfa::MfaStatus, mfa::Enrolment, mfa::BackupCodes, roles::RoleList,
                       crate::role::Role, crate::membership::MembershipStatus,
                       crate::membership::ScopedGrant, crate::user::UserStatus,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "me", description = "Your own account, preferences and MFA"),
         (name = "users", description = "The people of your organization"),
         (name = "roles", description = "Roles and their permissions"))
)]
pub struct ApiDoc;

pub fn routes() -> Router<Api> {
    Router::new()
        .route("/me", get(me::get_me).patch(me::patch_me))
        .route("/me/password", post(me::change_password))
        .route("/me/preferences", get(preferences::get_preferences).put(preferences::put_preferences))
        .route("/me/mfa", get(mfa::status))
        .route("/me/mfa/enrol", post(mfa::enrol))
        .route("/me/mfa/activate", post(mfa::activate))
        .route("/me/mfa/backup-codes", post(mfa::regenerate))
        .route("/me/mfa/disable", post(mfa::disable))
        .route("/users", get(members::list).post(members::create))
        .route("/users/{id}", get(members::get_one).patch(members::patch).delete(members::remove))
        .route("/roles", get(roles::list).post(roles::create))
        .route("/roles/{name}", get(roles::get_one).patch(roles::patch).delete(roles::remove))
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    deps: Arc<Deps>,
}

/// The function's routes behind the shared layers.
pub fn router(ctx: Ctx, deps: Deps) -> Router {
    nudge_core::app::protected(routes(), Api { ctx, deps: Arc::new(deps) }, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
