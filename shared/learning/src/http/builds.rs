//! `/module-builds`: a document made a draft module on the learning queue ([`crate::builder`]); thin
//! handlers over [`crate::builder::Builds`].

use super::Deps;
use super::modules::{READ, WRITE};
use crate::builder::{Builds, ModuleBuild, service};
use crate::input;
use crate::keys;
use crate::schedule::Message;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, JsonBody, ListQuery, Page, path_id, tagged};
use nudge_core::store::{Query, Tx, Write};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one))
}

#[utoipa::path(post, path = "/module-builds", tag = "modules",
    request_body = input::ModuleBuildWrite,
    description = "Builds a draft module from a document of the media library (a ready PDF or DOCX asset of at most 20 MB; 422 names `/mediaAssetId` otherwise): its text split into sections by its headings (what comes before the first one is an Introduction), each section's paragraphs as simple HTML. A configured language model may shape the outline (`aiStructured`); without one, or when it fails, the document's own structure is kept. Made in the background; poll Location until `COMPLETED` (then `moduleId` is the draft) or `FAILED` (`error` says why).",
    responses((status = 202, description = "The build (pending), queued", body = ModuleBuild, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let input = input::read_module_build(body)?;
    let now = ctx.clock.now();
    let build = Builds { store: &ctx.store }.prepare(&tenant, input, principal.user_id, now).await?;
    let (entry, posted) =
        deps.queue.post_for(&tenant, &Message::Build { build_id: build.id }, now).map_err(ApiError::internal)?;
    let tx = Tx::new().with(Write::create(service::put(&tenant, &build)?, "module build exists")).with(entry);
    ctx.store.transact(tx).await?;
    posted.deliver(&ctx.store).await;
    tracing::info!(build_id = %build.id, source = ?build.source_type, "module build queued");
    let mut response = tagged(StatusCode::ACCEPTED, &build, build.version);
    if let Ok(location) = HeaderValue::from_str(&format!("/module-builds/{}", build.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/module-builds", tag = "modules",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "The organization's module builds, newest first", body = Page<ModuleBuild>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Page<ModuleBuild>>> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let q = Query::partition(keys::module_builds_partition(&tenant)).newest_first();
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

#[utoipa::path(get, path = "/module-builds/{id}", tag = "modules",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The build; a completed one names its draft module", body = ModuleBuild, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_one(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let build = Builds { store: &ctx.store }.get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &build, build.version))
}
