//! The HTTP handlers of `/media-assets`: thin, they check who may act, then call the input rules, the
//! repository and the bucket. No file passes through them: clients upload and download with presigned URLs.

use crate::MediaStatus;
use crate::input::{self, MediaAssetPatch, MediaAssetRequest};
use crate::model::{Created, MediaAsset, MediaView, Provider, original_key};
use crate::repo;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::problem::Problem;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::objects::Objects;
use nudge_core::{Ctx, TenantId};
use std::sync::Arc;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub const MEDIA_READ: &str = "media:read";
pub const MEDIA_WRITE: &str = "media:write";
/// How long an upload URL works: long enough for a large file on a slow line, short enough that an
/// abandoned one is soon useless.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a download URL works: a page showing the asset reads it again.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(5 * 60);

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<crate::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_by_id, patch_by_id, delete_by_id))
}

#[utoipa::path(post, path = "/media-assets", tag = "media",
    request_body(content = MediaAssetRequest, description = "The upload being declared: name, content type, size and media type"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "The asset, `processing` until its upload is verified, and a presigned PUT limited to the declared type and size", body = Created, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_WRITE)?;
    let declared = input::declared(body)?;
    let now = Utc::now();
    let asset = MediaAsset {
        id: Uuid::now_v7(),
        file_name: declared.file_name,
        file_size: declared.size,
        mime_type: declared.mime_type,
        kind: declared.kind,
        status: MediaStatus::Processing,
        provider: Provider::S3,
        alt_text: declared.alt_text,
        metadata: None,
        has_thumbnail: false,
        failure_reason: None,
        uploaded_by_id: Some(principal.user_id),
        etag: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    // The record exists before the URL does, so every upload event finds its asset.
    repo::create(&ctx.store, &tenant, &asset).await?;
    let upload =
        objects.presign_put(&original_key(&tenant, asset.id), &asset.mime_type, asset.file_size, UPLOAD_TTL).await?;
    tracing::info!(asset_id = %asset.id, media_type = asset.kind.as_str(), size = asset.file_size, "media asset declared");
    let (id, version) = (asset.id, asset.version);
    let body = Created { asset, upload_url: upload.url.clone(), upload };
    Ok(created(&body, version, &format!("/media-assets/{id}")))
}

#[utoipa::path(get, path = "/media-assets", tag = "media",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("status" = Option<MediaStatus>, Query, description = "Only assets in this state"),
        ("type" = Option<crate::MediaType>, Query, description = "Only assets of this type"),
    ),
    responses(
        (status = 200, description = "Oldest first (by status: by type, then oldest first); no download links", body = nudge_core::http::Page<MediaAsset>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_READ)?;
    let query = ListQuery::parse(uri.query(), &["status", "type"])?;
    let filter = input::filter(query.filter("status"), query.filter("type"))?;
    let page =
        repo::list(&ctx.store, &principal.scope(), &tenant, &filter, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }).into_response())
}

/// The asset with presigned downloads of its file and thumbnail, when it is ready.
async fn view(objects: &Objects, tenant: &TenantId, asset: MediaAsset) -> ApiResult<MediaView> {
    if asset.status != MediaStatus::Ready {
        return Ok(MediaView { asset, url: None, thumbnail_url: None, url_expires_at: None });
    }
    let file = objects.presign_get(&asset.original(tenant), DOWNLOAD_TTL, Some(&asset.file_name)).await?;
    let thumbnail = match asset.has_thumbnail {
        true => Some(objects.presign_get(&asset.thumbnail(tenant), DOWNLOAD_TTL, None).await?.url),
        false => None,
    };
    Ok(MediaView { asset, url: Some(file.url), thumbnail_url: thumbnail, url_expires_at: Some(file.expires_at) })
}

#[utoipa::path(get, path = "/media-assets/{id}", tag = "media",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The asset; when ready, `url` and `thumbnailUrl` are presigned downloads valid for five minutes", body = MediaView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_READ)?;
    let asset = repo::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    let version = asset.version;
    Ok(tagged(StatusCode::OK, &view(&objects, &tenant, asset).await?, version))
}

#[utoipa::path(patch, path = "/media-assets/{id}", tag = "media",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = MediaAssetPatch, content_type = "application/merge-patch+json", description = "JSON Merge Patch over `fileName` and `altText`"),
    responses(
        (status = 200, description = "Updated", body = MediaAsset, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_WRITE)?;
    let id = path_id(&id)?;
    input::known_fields(&patch)?;
    let load = || async { repo::get(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound) };
    let asset = update::patch(if_match, &patch, load, |current: MediaAsset, doc| async {
        let (file_name, alt_text) = input::editable(doc)?;
        if file_name == current.file_name && alt_text == current.alt_text {
            return Ok(Step::Done(current));
        }
        let next = current.revised(|a| {
            a.file_name = file_name;
            a.alt_text = alt_text;
        });
        Step::written(repo::replace(&ctx.store, &tenant, &current, &next).await, next, ApiError::from)
    })
    .await?;
    Ok(tagged(StatusCode::OK, &asset, asset.version))
}

#[utoipa::path(delete, path = "/media-assets/{id}", tag = "media",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "The file, its thumbnail and the record are gone"),
        (status = 500, description = "The objects could not be deleted: the asset is `delete_failed`; DELETE again to retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(MEDIA_WRITE)?;
    let current = repo::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    if_match.check(current.version)?;
    crate::removal::remove(&ctx.store, &objects, &tenant, current).await?;
    Ok(StatusCode::NO_CONTENT)
}
