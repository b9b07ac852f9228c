//! The notifications function's HTTP edge: each area's routes, declared once with their OpenAPI, behind
//! the shared layers. Areas add their `routes()` to [`parts`].

use crate::send::UserDirectory;
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::crypto::DataKey;
use nudge_core::queue::Queue;
use nudge_workers::WorkerEvents;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       crate::inbox::InAppNotification, crate::inbox::NotificationType, crate::inbox::NotificationPriority,
                       crate::inbox::InboxStatus, crate::inbox::UnreadCount, crate::inbox::ReadAllOutcome,
                       crate::send::model::RequestView, crate::send::model::NotificationRequest, crate::send::model::Delivery,
                       crate::send::model::DeliveryCounts, crate::send::model::Recipients, crate::send::model::Recipient,
                       crate::send::model::DeliveryState, crate::send::model::RequestStatus, crate::send::model::RecipientType,
                       crate::channels::ChannelKind, crate::send::input::SendRequest,
                       crate::policy::NotificationSettings, crate::webhook::Received, crate::policy::QuietHours,
                       crate::policy::settings::SettingsRequest, crate::policy::settings::QuietHoursRequest, crate::send::input::RecipientsRequest)),
    tags((name = "notifications", description = "What the platform says to people, on every channel, and each delivery's status"),
         (name = "webhooks", description = "Providers' callbacks: delivery statuses, workers' replies, template approvals"),
         (name = "inbox", description = "Your in-app notifications: unread first, read, seen and archived, and an exact unread count"))
)]
struct ApiDoc;

/// What sending needs beyond the context: the notifications queue (fan-outs go through its outbox) and
/// identity's directory of the tenant's users.
pub struct Deps {
    pub queue: Queue,
    pub users: Arc<dyn UserDirectory>,
    /// Opens the integrations' secrets (the webhook's app secret and verify token).
    pub key: DataKey,
    /// Told when a worker's own message changed them (segments re-evaluate).
    pub events: WorkerEvents,
    /// Told when a worker replies to one of our messages (journeys complete a touchpoint).
    pub replies: Arc<dyn crate::send::replies::Replies>,
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) deps: Arc<Deps>,
}

/// The routes behind a bearer token and the public ones (the providers' webhooks), each with its
/// document, from one declaration of each route.
fn parts() -> ((axum::Router<Api>, axum::Router<Api>), utoipa::openapi::OpenApi) {
    let (protected, mut doc) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::inbox::routes::routes())
        .merge(crate::send::routes::routes())
        .merge(crate::policy::routes::routes())
        .split_for_parts();
    let (public, hooks) = crate::webhook::routes().split_for_parts();
    doc.merge(hooks);
    ((protected, public), doc)
}

pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let ((protected, public), doc) = parts();
    let state = Api { ctx, deps: Arc::new(deps) };
    nudge_core::app::protected(protected, state.clone(), &doc).merge(nudge_core::app::public(public, state, &doc))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
