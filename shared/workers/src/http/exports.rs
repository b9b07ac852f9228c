//! Export jobs over HTTP: ask for an export (queued for the export consumer), watch it, and download the
//! finished file with a presigned URL. The work is `crate::export`.

use super::routes::WORKERS_READ;
use crate::export::job;
use crate::export::{ExportFormat, ExportJob, ExportQueue, ExportStatus, ExportView};
use crate::filters;
use crate::import::rows::{MAX_CUSTOM_KEY_BYTES, custom_key_fits};
use crate::index::Filter;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::{HeaderValue, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, Fields, JsonBody, ListQuery, Page, path_id, tagged};
use nudge_core::objects::Objects;
use serde_json::Value;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const DOWNLOAD_TTL: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = crate::export::run::MAX_CUSTOM_COLUMNS;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_by_id))
}

/// The request's parts, checked together.
fn read_request(body: Value) -> Result<(ExportFormat, Filter, Option<Vec<String>>), ApiError> {
    let mut f = Fields::new(body)?;
    let format: Option<ExportFormat> = f.optional("format");
    let mut filter = Filter::default();
    match f.optional::<Value>("filters") {
        None => {}
        Some(Value::Object(object)) => match filters::from_json(&object, &f.pointer("filters")) {
            Ok(read) => filter = read,
            Err(errors) => f.extend(errors),
        },
        Some(_) => f.reject("filters", "must be a JSON object"),
    }
    let keys: Option<Vec<String>> = f.optional("customFieldKeys");
    if let Some(keys) = &keys {
        if keys.len() > MAX_KEYS {
            f.reject("customFieldKeys", format!("must have at most {MAX_KEYS} keys"));
        } else if format == Some(ExportFormat::Jsonl) {
            f.break_rule("customFieldKeys", "applies to CSV exports only (a JSON Lines row has every custom field)");
        }
        for (i, key) in keys.iter().enumerate() {
            let at = format!("{}/{i}", f.pointer("customFieldKeys"));
            if key.is_empty() {
                f.reject_item("customFieldKeys", i, "must not be empty");
            } else if !custom_key_fits(key) {
                f.break_rule_at(at, format!("must be at most {MAX_CUSTOM_KEY_BYTES} bytes"));
            } else if keys[..i].contains(key) {
                f.break_rule_at(at, "appears twice");
            }
        }
    }
    f.finish()?;
    Ok((format.unwrap_or_default(), filter, keys))
}

#[utoipa::path(post, path = "/worker-exports", tag = "workers",
    request_body = super::bodies::ExportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 202, description = "The export (pending), queued; poll Location", body = ExportView, headers(("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<ExportQueue>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let (format, filter, keys) = read_request(body)?;
    if job::running(&ctx.store, &tenant).await? >= job::MAX_RUNNING {
        // A whole-directory read per export: a tenant waits for one to finish before asking for more.
        return Err(ApiError::TooManyRequests { retry_after_secs: 30 });
    }
    let now = Utc::now();
    let job = ExportJob::new(Uuid::now_v7(), format, filter, keys, principal.user_id, now);
    let (start, posted) = queue.post(&tenant, job.id, now).map_err(ApiError::internal)?;
    job::create(&ctx.store, &tenant, &job, start).await?;
    posted.deliver(&ctx.store).await;
    tracing::info!(export_id = %job.id, format = ?format, "worker export queued");
    let mut response = tagged(StatusCode::ACCEPTED, &job.view(), job.version);
    if let Ok(location) = HeaderValue::from_str(&format!("/worker-exports/{}", job.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/worker-exports/{id}", tag = "workers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Status and counts; once completed, a presigned `downloadUrl` valid 15 minutes", body = ExportView),
    ),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(objects): State<Objects>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let job = job::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    if job.is_expired(Utc::now()) {
        return Err(ApiError::NotFound);
    }
    let mut view = job.view();
    if job.status == ExportStatus::Completed {
        let download = objects.presign_get(&job.object(&tenant), DOWNLOAD_TTL, Some(job.file_name())).await?;
        view.download_url = Some(download.url);
        view.download_expires_at = Some(download.expires_at);
    }
    let mut response = tagged(StatusCode::OK, &view, job.version);
    // A presigned URL is a credential for 15 minutes: no shared cache keeps it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[utoipa::path(get, path = "/worker-exports", tag = "workers",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "Newest first, without download URLs (ask for one export for that); expired ones are left out", body = nudge_core::http::Page<ExportView>),
    ),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(WORKERS_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page: Page<ExportJob> =
        ctx.store.page(&principal.scope(), &job::list_query(&tenant), query.limit, query.cursor.as_deref()).await?;
    let now = Utc::now();
    let items = page.items.iter().filter(|j| !j.is_expired(now)).map(ExportJob::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(body: Value) -> Vec<String> {
        match read_request(body) {
            Err(ApiError::Invalid(errors) | ApiError::Rejected(errors)) => {
                let mut p: Vec<String> = errors.into_iter().filter_map(|e| e.pointer).collect();
                p.sort();
                p
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_request_reads_format_filters_and_columns() {
        let (format, filter, keys) =
            read_request(json!({"filters": {"department": "Ops", "isActive": true}, "customFieldKeys": ["badge"]}))
                .unwrap();
        assert_eq!(
            (format, filter.department.as_deref(), filter.is_active),
            (ExportFormat::Csv, Some("Ops"), Some(true))
        );
        assert_eq!(keys, Some(vec!["badge".to_owned()]));
        assert!(read_request(json!({})).unwrap().1.is_empty());
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(
            pointers(json!({"format": "xlsx", "filters": {"isActive": "maybe", "colour": "red"}, "extra": 1})),
            ["/extra", "/filters/colour", "/filters/isActive", "/format"]
        );
        assert_eq!(pointers(json!({"customFieldKeys": ["a", "a", ""]})), ["/customFieldKeys/1", "/customFieldKeys/2"]);
        assert_eq!(pointers(json!({"format": "jsonl", "customFieldKeys": ["a"]})), ["/customFieldKeys"]);
        let rules = read_request(json!({"format": "jsonl", "customFieldKeys": ["a", "a", "é".repeat(33)]}));
        assert!(
            matches!(&rules, Err(ApiError::Rejected(errors)) if errors.len() == 3),
            "CSV-only keys, a key twice and one over 64 bytes fit the schema: a 422 ({:?})",
            rules.map(|_| ())
        );
        assert_eq!(pointers(json!({"filters": "ops"})), ["/filters"]);
    }
}
