//! The HTTP edge: thin handlers (who may act, the input readers, one call to a service) and the one mapping
//! of [`ContentError`] to a problem, the only place a status or a problem's wording is decided.

pub(crate) mod collections;
pub(crate) mod contents;
pub(crate) mod tags;
pub(crate) mod versions;

use crate::error::{Conflict, ContentError, Unusable};
use crate::model::{Collection, Content, Tag};
use crate::template::RenderError;
use crate::workflow::{CONTENT_PUBLISH, CONTENT_WRITE, WorkflowError};
use nudge_core::http::update::{Patchable, Step, document_of};
use nudge_core::http::{ApiError, ApiResult, FieldError};
use nudge_core::store::Attempt;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(crate) fn routes() -> OpenApiRouter<crate::Api> {
    OpenApiRouter::new()
        .routes(routes!(contents::list, contents::create))
        .routes(routes!(contents::get_by_id, contents::patch_by_id, contents::delete_by_id))
        .routes(routes!(contents::transition))
        .routes(routes!(contents::render))
        .routes(routes!(versions::list))
        .routes(routes!(versions::get_one))
        .routes(routes!(versions::restore))
        .routes(routes!(tags::list, tags::create))
        .routes(routes!(tags::get_by_id, tags::patch_by_id, tags::delete_by_id))
        .routes(routes!(collections::list, collections::create))
        .routes(routes!(collections::get_by_id, collections::patch_by_id, collections::delete_by_id))
        .routes(routes!(collections::items, collections::add_item))
        .routes(routes!(collections::move_item, collections::remove_item))
}

impl From<ContentError> for ApiError {
    fn from(err: ContentError) -> Self {
        match err {
            ContentError::NotFound => ApiError::NotFound,
            ContentError::Stale => ApiError::PreconditionFailed,
            ContentError::Workflow(e @ WorkflowError::Forbidden(_)) => ApiError::Forbidden(e.to_string()),
            ContentError::Workflow(e) => ApiError::Conflict(e.to_string(), vec![]),
            ContentError::Unusable(what) => ApiError::Rejected(unusable(what)),
            ContentError::Outdated { version, what } => ApiError::Conflict(
                format!("version {version} names tags or media that are no longer usable"),
                unusable(what),
            ),
            ContentError::Conflict(why @ Conflict::TagNameTaken) => {
                ApiError::Conflict(why.to_string(), vec![FieldError::body("/name", "is already taken")])
            }
            ContentError::Conflict(why) => ApiError::Conflict(why.to_string(), vec![]),
            // A position the schema allows (it bounds every collection) beyond this collection's end.
            ContentError::Order(e) => ApiError::rule("/order", e.to_string()),
            ContentError::NoSuchContent => ApiError::rule("/contentId", "is not content of this organization"),
            ContentError::NotATemplate => ApiError::rule("", "only template content renders"),
            ContentError::Render(RenderError::Missing(names)) => ApiError::Rejected(
                names
                    .into_iter()
                    .map(|n| {
                        FieldError::body(format!("/variables/{n}"), "is used by the template and must not be blank")
                    })
                    .collect(),
            ),
            ContentError::Render(RenderError::Template(e)) => {
                ApiError::internal(format!("a stored template does not parse: {e}"))
            }
            ContentError::DeletionForbidden => {
                ApiError::Forbidden(format!("this needs the `{CONTENT_WRITE}` or `{CONTENT_PUBLISH}` permission"))
            }
            ContentError::Store(e) => e.into(),
            ContentError::Objects(e) => e.into(),
            other @ (ContentError::NoBucket
            | ContentError::SnapshotKept { .. }
            | ContentError::Snapshot(_)
            | ContentError::ProviderStatus { .. }
            | ContentError::Invariant(_)) => ApiError::internal(other),
        }
    }
}

/// The fields naming what cannot be used.
fn unusable(what: Unusable) -> Vec<FieldError> {
    match what {
        Unusable::Tags(positions) => positions
            .into_iter()
            .map(|i| FieldError::body(format!("/tagIds/{i}"), "is not a tag of this organization"))
            .collect(),
        Unusable::Asset(kind, problem) => {
            vec![FieldError::body(format!("/{}/mediaAssetId", kind.as_str()), problem.to_string())]
        }
    }
}

/// A service's attempt as a step of the PATCH frame: another try is a moved version.
fn step<T>(attempt: Attempt<T>) -> Step<T> {
    match attempt {
        Attempt::Done(value) => Step::Done(value),
        Attempt::Retry => Step::Moved,
    }
}

/// A PATCH applies to the writable fields as read (derived parts, like a template's SMS segments, left out).
impl Patchable for Content {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        self.writable().map_err(ApiError::internal)
    }
}

impl Patchable for Collection {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        document_of(&self.fields)
    }
}

impl Patchable for Tag {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        document_of(&self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AssetProblem;
    use crate::model::ContentType;
    use crate::order::OrderError;
    use crate::template::TemplateError;
    use crate::workflow::ContentStatus;
    use nudge_core::objects::ObjectError;
    use nudge_core::store::StoreError;
    use nudge_media::asset::{MediaStatus, Unfit};

    /// Status, detail, and each field error as `pointer: message`.
    fn problem(err: ContentError) -> (u16, String, Vec<String>) {
        let p = ApiError::from(err).problem();
        let fields =
            p.errors.into_iter().map(|e| format!("{}: {}", e.pointer.unwrap_or_default(), e.message)).collect();
        (p.status, p.detail, fields)
    }

    fn status(err: ContentError) -> u16 {
        problem(err).0
    }

    #[test]
    fn each_content_error_answers_its_status() {
        assert_eq!(status(ContentError::NotFound), 404);
        assert_eq!(status(ContentError::Stale), 412);
        assert_eq!(
            problem(WorkflowError::Forbidden(vec![CONTENT_PUBLISH]).into()),
            (403, "this step needs the `content:publish` permission".into(), vec![])
        );
        let step = WorkflowError::NotAllowed(ContentStatus::Draft, ContentStatus::Published);
        assert_eq!(problem(step.into()), (409, "content in draft cannot move to published".into(), vec![]));
        assert_eq!(status(WorkflowError::Archived.into()), 409);
        assert_eq!(status(WorkflowError::Live.into()), 409);
        assert_eq!(
            problem(ContentError::DeletionForbidden),
            (403, "this needs the `content:write` or `content:publish` permission".into(), vec![])
        );
    }

    #[test]
    fn what_cannot_be_used_is_named_field_by_field() {
        let tags = || Unusable::Tags(vec![0, 2]);
        let named = vec![
            "/tagIds/0: is not a tag of this organization".to_owned(),
            "/tagIds/2: is not a tag of this organization".to_owned(),
        ];
        assert_eq!(problem(tags().into()).0, 422);
        assert_eq!(problem(tags().into()).2, named);
        let (status, detail, fields) = problem(ContentError::Outdated { version: 3, what: tags() });
        assert_eq!(
            (status, detail, fields),
            (409, "version 3 names tags or media that are no longer usable".into(), named)
        );
        for (problem_of, message) in [
            (AssetProblem::Missing, "is not a media asset of this organization"),
            (AssetProblem::Gone, "is no longer a ready media asset of this organization"),
            (
                AssetProblem::Unfit(Unfit::Status(MediaStatus::Processing)),
                "is processing; only a ready asset can be used",
            ),
        ] {
            let (status, _, fields) = problem(Unusable::Asset(ContentType::Video, problem_of).into());
            assert_eq!((status, fields), (422, vec![format!("/video/mediaAssetId: {message}")]));
        }
    }

    #[test]
    fn conflicts_and_rules_keep_their_wording() {
        assert_eq!(
            problem(Conflict::TagNameTaken.into()),
            (409, "another tag already has this name".into(), vec!["/name: is already taken".into()])
        );
        assert_eq!(
            problem(Conflict::TagInUse.into()),
            (409, "content still has this tag; remove it from that content first".into(), vec![])
        );
        assert_eq!(problem(Conflict::AlreadyInCollection.into()).1, "the content is already in this collection");
        assert_eq!(problem(Conflict::CollectionFull.into()).1, "a collection holds at most 500 items");
        assert_eq!(problem(OrderError::OutOfRange(4).into()).2, ["/order: must be from 0 to 4"]);
        assert_eq!(
            problem(ContentError::NoSuchContent),
            (
                422,
                "The request is well-formed but breaks a rule; see errors.".into(),
                vec!["/contentId: is not content of this organization".into()]
            )
        );
        assert_eq!(problem(ContentError::NotATemplate).2, [": only template content renders"]);
        let missing = RenderError::Missing(vec!["name".into(), "site".into()]);
        assert_eq!(
            problem(missing.into()).2,
            [
                "/variables/name: is used by the template and must not be blank",
                "/variables/site: is used by the template and must not be blank"
            ]
        );
    }

    #[test]
    fn the_stores_answers_and_failures_keep_the_cores_mapping() {
        assert_eq!(status(StoreError::Condition("version").into()), 412);
        assert_eq!(status(StoreError::TransactionConflict.into()), 409);
        assert_eq!(status(StoreError::Contended.into()), 409);
        assert_eq!(status(StoreError::Cursor.into()), 400);
        let s3 = || ObjectError::Sdk { op: "GetObject", message: "timeout".into() };
        let json = serde_json::from_str::<u8>("x").map(|_| ()).unwrap_err();
        for internal in [
            RenderError::Template(TemplateError::Unclosed(1)).into(),
            ContentError::NoBucket,
            ContentError::SnapshotKept { key: "k".into(), source: s3() },
            ContentError::Snapshot(json),
            ContentError::Invariant("added item missing"),
            ContentError::ProviderStatus { name: "n".into(), content: None, source: Box::new(ContentError::NoBucket) },
            ContentError::Objects(s3()),
            StoreError::Decode("x".into()).into(),
        ] {
            assert_eq!(problem(internal), (500, "An unexpected error occurred.".into(), vec![]));
        }
    }
}
