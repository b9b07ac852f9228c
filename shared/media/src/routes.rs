//! The HTTP edge of `/media-assets`: thin handlers (who may act, the input readers, one call to the service
//! or the repository), and the one mapping of [`MediaError`] to a problem. No file passes through them:
//! clients upload and download with presigned URLs.

use crate::MediaStatus;
use crate::error::MediaError;
use crate::input::{self, MediaAssetPatch, MediaAssetRequest};
use crate::model::{Created, MediaAsset, MediaView};
use crate::{repo, service};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::problem::Problem;
use nudge_core::http::update::{self, Patchable, Step};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::objects::Objects;
use nudge_core::store::Attempt;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) const MEDIA_READ: &str = "media:read";
pub(crate) const MEDIA_WRITE: &str = "media:write";

/// The one place a media error becomes a problem: its status and wording.
impl From<MediaError> for ApiError {
    fn from(err: MediaError) -> Self {
        match err {
            MediaError::NotFound => ApiError::NotFound,
            MediaError::Stale => ApiError::PreconditionFailed,
            MediaError::InUse => {
                ApiError::Conflict("content uses this media asset; change that content first".into(), vec![])
            }
            MediaError::Store(e) => e.into(),
            MediaError::Objects(e) => e.into(),
            other @ (MediaError::FilesKept { .. }
            | MediaError::Read { .. }
            | MediaError::Stopped { .. }
            | MediaError::Event(_)) => ApiError::internal(other),
        }
    }
}

/// A PATCH edits the name and the alternative text; the rest is the upload's.
impl Patchable for MediaAsset {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<serde_json::Value> {
        Ok(serde_json::json!({"fileName": self.file_name, "altText": self.alt_text}))
    }
}

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(crate) fn routes() -> OpenApiRouter<crate::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_by_id, patch_by_id, delete_by_id))
}

#[utoipa::path(post, path = "/media-assets", tag = "media",
    request_body(content = MediaAssetRequest, description = "The upload being declared: name, content type, size and media type"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "The asset, `processing` until its upload is verified, and a presigned PUT limited to the declared type and size", body = Created, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_WRITE)?;
    let declared = input::declared(body)?;
    let body = service::declare(&ctx.store, &objects, &tenant, principal.user_id, declared).await?;
    Ok(created(&body, body.asset.version, &format!("/media-assets/{}", body.asset.id)))
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
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_READ)?;
    let query = ListQuery::parse(uri.query(), &["status", "type"])?;
    let filter = input::filter(query.filter("status"), query.filter("type"))?;
    let page =
        repo::list(&ctx.store, &principal.scope(), &tenant, &filter, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/media-assets/{id}", tag = "media",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The asset; when ready, `url` and `thumbnailUrl` are presigned downloads valid for five minutes", body = MediaView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_READ)?;
    let asset = service::find(&ctx.store, &tenant, path_id(&id)?).await?;
    let version = asset.version;
    Ok(tagged(StatusCode::OK, &service::view(&objects, &tenant, asset).await?, version))
}

#[utoipa::path(patch, path = "/media-assets/{id}", tag = "media",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = MediaAssetPatch, content_type = "application/merge-patch+json", description = "JSON Merge Patch over `fileName` and `altText`"),
    responses(
        (status = 200, description = "Updated", body = MediaAsset, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEDIA_WRITE)?;
    let id = path_id(&id)?;
    input::known_fields(&patch)?;
    let load = || async { Ok(service::find(&ctx.store, &tenant, id).await?) };
    let asset = update::patch(if_match, &patch, load, |current: MediaAsset, doc| async {
        let (file_name, alt_text) = input::editable(doc)?;
        Ok(match service::edit(&ctx.store, &tenant, current, file_name, alt_text).await? {
            Attempt::Done(asset) => Step::Done(asset),
            Attempt::Retry => Step::Moved,
        })
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
pub(crate) async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Arc<Objects>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(MEDIA_WRITE)?;
    service::delete(&ctx.store, &objects, &tenant, path_id(&id)?, if_match.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::objects::ObjectError;
    use nudge_core::store::StoreError;
    use uuid::Uuid;

    fn problem(err: MediaError) -> (u16, String) {
        let problem = ApiError::from(err).problem();
        (problem.status, problem.detail)
    }

    #[tokio::test]
    async fn each_media_error_answers_its_status() {
        let s3 = || ObjectError::Sdk { op: "DeleteObject", message: "timeout".into() };
        assert_eq!(problem(MediaError::NotFound).0, 404);
        assert_eq!(problem(MediaError::Stale).0, 412);
        assert_eq!(
            problem(MediaError::InUse),
            (409, "content uses this media asset; change that content first".to_owned())
        );
        // The store's own: a moved version is a 412, a failed call a 500.
        assert_eq!(problem(MediaError::Store(StoreError::Condition("version"))).0, 412);
        assert_eq!(problem(MediaError::Store(StoreError::Decode("x".into()))).0, 500);
        let cancelled = tokio::spawn(std::future::pending::<()>());
        cancelled.abort();
        let Err(join) = cancelled.await else { panic!("an aborted task finished") };
        let event = nudge_core::objects::object_created("not json").map(|_| ()).unwrap_err();
        for internal in [
            MediaError::Objects(s3()),
            MediaError::FilesKept { asset: Uuid::nil(), source: s3() },
            MediaError::Read { what: "reading the upload", source: s3() },
            MediaError::Stopped { what: "image", source: join },
            MediaError::Event(event),
        ] {
            assert_eq!(problem(internal), (500, "An unexpected error occurred.".to_owned()));
        }
    }
}
