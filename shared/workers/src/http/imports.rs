//! Import jobs over HTTP: declare an import and get a presigned upload for its rows; watch it progress.
//! The rows are applied by the import consumer when S3 announces the upload.

use super::routes::{WORKERS_READ, WORKERS_WRITE};
use crate::import::job;
use crate::import::{ImportFormat, ImportJob, ImportView};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, Fields, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::objects::Objects;
use nudge_core::validate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The largest file an import takes (about a million rows).
const MAX_BYTES: u64 = 256 * 1024 * 1024;
const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_by_id))
}

/// The new import and where to upload its rows: `PUT uploadUrl` with exactly `uploadHeaders`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImportCreated {
    #[serde(flatten)]
    pub import: ImportView,
    pub upload_url: String,
    pub upload_method: String,
    pub upload_headers: BTreeMap<String, String>,
    pub upload_expires_at: chrono::DateTime<Utc>,
}

#[utoipa::path(post, path = "/worker-imports", tag = "workers",
    request_body = super::bodies::ImportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "The import (pending) and a presigned upload bound to the declared size and format", body = ImportCreated, headers(("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Objects>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_WRITE)?;
    let mut f = Fields::new(body)?;
    let format: Option<ImportFormat> = f.optional("format");
    let file_name: Option<String> = f.optional("fileName");
    f.check("fileName", &file_name, |n| validate::text(n, 1, 255));
    let size: Option<u64> = f.required("size");
    f.check("size", &size, |s| {
        if (1..=MAX_BYTES).contains(s) { Ok(()) } else { Err(format!("must be from 1 to {MAX_BYTES} bytes")) }
    });
    f.finish()?;
    let (format, size) = (format.unwrap_or_default(), size.unwrap_or(0));
    let job = ImportJob::new(Uuid::now_v7(), format, file_name, size, principal.user_id, Utc::now());
    let object = ImportJob::object(&tenant, job.id);
    let upload = objects.presign_put_tagged(&object, format.content_type(), size, UPLOAD_TTL, job::TAGGING).await?;
    job::create(&ctx.store, &tenant, &job).await?;
    tracing::info!(import_id = %job.id, size, "worker import declared");
    let body = ImportCreated {
        import: job.view(),
        upload_url: upload.url,
        upload_method: upload.method,
        upload_headers: upload.headers,
        upload_expires_at: upload.expires_at,
    };
    Ok(created(&body, job.version, &format!("/worker-imports/{}", job.id)))
}

#[utoipa::path(get, path = "/worker-imports/{id}", tag = "workers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Status, counts and the refused rows (row, field, message)", body = ImportView),
    ),
    security(("bearer" = [])))]
async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let job = job::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    Ok(tagged(http::StatusCode::OK, &job.view(), job.version))
}

#[utoipa::path(get, path = "/worker-imports", tag = "workers",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "Newest first", body = nudge_core::http::Page<ImportView>),
    ),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page: Page<ImportJob> =
        ctx.store.page(&principal.scope(), &job::list_query(&tenant), query.limit, query.cursor.as_deref()).await?;
    let items = page.items.iter().map(ImportJob::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}
