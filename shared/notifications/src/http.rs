//! The notifications function's HTTP edge: each area's routes, declared once with their OpenAPI, behind
//! the shared layers. Areas add their `routes()` to [`parts`].

use crate::send::UserDirectory;
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::queue::Queue;
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
                       crate::channels::ChannelKind, crate::send::input::SendRequest, crate::send::input::RecipientsRequest)),
    tags((name = "notifications", description = "What the platform says to people, on every channel, and each delivery's status"),
         (name = "inbox", description = "Your in-app notifications: unread first, read, seen and archived, and an exact unread count"))
)]
struct ApiDoc;

/// What sending needs beyond the context: the notifications queue (fan-outs go through its outbox) and
/// identity's directory of the tenant's users.
pub struct Deps {
    pub queue: Queue,
    pub users: Arc<dyn UserDirectory>,
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) deps: Arc<Deps>,
}

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::inbox::routes::routes())
        .merge(crate::send::routes::routes())
        .split_for_parts()
}

pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, deps: Arc::new(deps) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
