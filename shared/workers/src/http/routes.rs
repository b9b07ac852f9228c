//! Worker HTTP handlers: thin, they check who may act, read the request and hand over to `crate::service`;
//! its errors become problems through `super::error`.

use super::params;
use crate::accounts::Users;
use crate::events::WorkerEvents;
use crate::hierarchy;
use crate::index::{self, Filter};
use crate::input::{self, Origin};
use crate::model::{DeactivationReason, Worker, WorkerView};
use crate::orphans::WorkerJobs;
use crate::repo;
use crate::service::{self, Updated};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, ListQuery, created, tagged};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) const WORKERS_READ: &str = "workers:read";
pub(super) const WORKERS_WRITE: &str = "workers:write";

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id, delete_by_id))
        .routes(routes!(deactivate))
        .routes(routes!(reactivate))
        .routes(routes!(supervisees))
        .routes(routes!(supervisors))
}

/// A supervisor in a chain.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct SupervisorLink {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub full_name: String,
    pub supervisor_id: Option<Uuid>,
}

/// The chain of supervisors above a worker, direct supervisor first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct SupervisorChain {
    pub items: Vec<SupervisorLink>,
}

fn respond(status: StatusCode, worker: &Worker) -> Response {
    let view = worker.view();
    tagged(status, &view, view.version())
}

#[utoipa::path(post, path = "/workers", tag = "workers",
    request_body = super::bodies::WorkerRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created", body = WorkerView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(events): State<WorkerEvents>,
    State(users): State<Users>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_WRITE)?;
    let fields = input::read(body, chrono::Utc::now().date_naive(), Origin::Whole)?;
    let worker = service::create(&ctx.store, &users, &tenant, fields, None).await?;
    tracing::info!(worker_id = %worker.id, "worker created");
    events.notify(&tenant, &[worker.id]).await;
    let view = worker.view();
    Ok(created(&view, view.version(), &format!("/workers/{}", worker.id)))
}

#[utoipa::path(get, path = "/workers", tag = "workers",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("name" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "Start of the first or last name (any case)"),
        ("tag" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "Has this tag (any case)"),
        ("department" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "In this department (any case)"),
        ("team" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "In this team (any case)"),
        ("employmentStatus" = Option<crate::model::EmploymentStatus>, Query, description = "Only workers in this employment status"),
        ("isActive" = Option<bool>, Query),
        ("supervisorId" = Option<Uuid>, Query, description = "Reports directly to this worker"),
        ("userId" = Option<Uuid>, Query, description = "Linked to this user account (one worker at most)"),
        ("whatsappOptInStatus" = Option<crate::model::OptInStatus>, Query, description = "Only workers with this WhatsApp opt-in status"),
    ),
    responses(
        (status = 200, description = "By last then first name. Each filter is an index; with several, pages may hold fewer than `limit` items while nextCursor says more follow", body = nudge_core::http::Page<WorkerView>),
    ),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let query = ListQuery::parse(uri.query(), params::FILTERS)?;
    let filter = params::filter(&query)?;
    page(&ctx, &principal, &tenant, &filter, &query).await
}

async fn page(
    ctx: &Ctx,
    principal: &Principal,
    tenant: &nudge_core::TenantId,
    filter: &Filter,
    query: &ListQuery,
) -> ApiResult<Response> {
    let plan = index::plan(filter);
    let page = repo::list(&ctx.store, &principal.scope(), tenant, &plan, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.iter().map(Worker::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/workers/{id}", tag = "workers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The worker with its records (one Query)", body = WorkerView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let worker = service::get(&ctx.store, &tenant, path_id(&id)?).await?;
    Ok(respond(StatusCode::OK, &worker))
}

async fn change(
    ctx: &Ctx,
    events: &WorkerEvents,
    users: &Users,
    principal: &Principal,
    id: &str,
    patch: &serde_json::Value,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_WRITE)?;
    let id = path_id(id)?;
    match service::update(&ctx.store, users, &tenant, id, patch, if_match.0, None).await? {
        Updated::Changed(w) => {
            tracing::info!(worker_id = %w.id, version = w.version, "worker updated");
            events.notify(&tenant, &[w.id]).await;
            Ok(respond(StatusCode::OK, &w))
        }
        Updated::Unchanged(w) => Ok(respond(StatusCode::OK, &w)),
        Updated::Replayed(_) => Err(ApiError::internal("an API update replayed an import row")),
    }
}

#[utoipa::path(patch, path = "/workers/{id}", tag = "workers",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = super::bodies::WorkerPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = WorkerView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(events): State<WorkerEvents>,
    State(users): State<Users>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    change(&ctx, &events, &users, &principal, &id, &patch, if_match).await
}

#[utoipa::path(post, path = "/workers/{id}/deactivate", tag = "workers",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body = super::bodies::Deactivation,
    responses(
        (status = 200, description = "Inactive, with the reason", body = WorkerView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn deactivate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(events): State<WorkerEvents>,
    State(users): State<Users>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let mut f = Fields::new(body)?;
    let reason: Option<DeactivationReason> = f.required("deactivationReason");
    f.finish()?;
    let patch = json!({ "isActive": false, "deactivationReason": reason });
    change(&ctx, &events, &users, &principal, &id, &patch, if_match).await
}

#[utoipa::path(post, path = "/workers/{id}/reactivate", tag = "workers",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Active again; the deactivation reason is cleared", body = WorkerView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn reactivate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(events): State<WorkerEvents>,
    State(users): State<Users>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let patch = json!({ "isActive": true, "deactivationReason": null });
    change(&ctx, &events, &users, &principal, &id, &patch, if_match).await
}

#[utoipa::path(delete, path = "/workers/{id}", tag = "workers",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted with its records, index entries and guards; its supervisees are set to report to no one in the background, within seconds"),
    ),
    security(("bearer" = [])))]
async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(events): State<WorkerEvents>,
    State(jobs): State<WorkerJobs>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(WORKERS_WRITE)?;
    let id = path_id(&id)?;
    service::delete(&ctx.store, &jobs, &tenant, id, if_match.0).await?;
    tracing::info!(worker_id = %id, "worker deleted");
    // The deleted worker leaves its segments (its supervisees are cleared, and announced, in the background).
    events.notify(&tenant, &[id]).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/workers/{id}/supervisees", tag = "workers",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "Workers reporting directly to this one, by name", body = nudge_core::http::Page<WorkerView>),
    ),
    security(("bearer" = [])))]
async fn supervisees(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    service::get(&ctx.store, &tenant, id).await?;
    page(&ctx, &principal, &tenant, &Filter { supervisor_id: Some(id), ..Default::default() }, &query).await
}

#[utoipa::path(get, path = "/workers/{id}/supervisors", tag = "workers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The chain up to the top, direct supervisor first", body = SupervisorChain),
    ),
    security(("bearer" = [])))]
async fn supervisors(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<SupervisorChain>> {
    let tenant = principal.require(WORKERS_READ)?;
    let id = path_id(&id)?;
    let links = hierarchy::chain(&ctx.store, &tenant, id).await?;
    let Some((me, above)) = links.split_first() else { return Err(ApiError::NotFound) };
    debug_assert_eq!(me.id, id);
    let items = above
        .iter()
        .map(|l| SupervisorLink {
            id: l.id,
            first_name: l.first_name.clone(),
            last_name: l.last_name.clone(),
            full_name: format!("{} {}", l.first_name, l.last_name),
            supervisor_id: l.supervisor_id,
        })
        .collect();
    Ok(Json(SupervisorChain { items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        assert!(catalogue.contains(&WORKERS_READ) && catalogue.contains(&WORKERS_WRITE));
    }
}
