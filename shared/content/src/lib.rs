//! The content function: the content library. Typed content (text, image, video, audio, document, quiz,
//! reflection, message template) with a publishing workflow and a version per change, tags, and ordered
//! collections. Media bodies reference media assets of the same tenant (see `nudge_media::asset`).
//!
//! Where things live, and the layering (`routes` → `service` → `repo` → the store; errors become problems
//! only in `routes`):
//! - `model` and `body` (the eight typed bodies, read and checked), `values` (`TagName`), `workflow` (the
//!   statuses, their steps and who may take them), `template`, `sms` and `order`: the domain, pure.
//! - `input`: the request readers and their OpenAPI schemas (edge code: they answer problems).
//! - [`message_template`]: templates as the notifications pipeline sends them, and (from `provider_status`)
//!   the WhatsApp provider's reports of their approval.
//! - `service`: what each route does (contents, versions, tags, collections), over one tenant's
//!   `Library`; `removal` deletes content end to end; [`snapshots`] keeps large versions in the bucket.
//! - [`repo`]: keys and access patterns (the table at its top), and the only reader of the store's
//!   condition labels: a failed condition becomes a typed `ContentError` there.
//! - `routes`: the handlers and their OpenAPI, and `impl From<ContentError> for ApiError`, the only place a
//!   status or a problem's wording is decided.
//! - `error`: `ContentError` and its reasons (`Unusable`, `AssetProblem`, `Conflict`), what everything below
//!   `routes` answers.
//!
//! Everything is crate-private but `router`, `openapi`, `Snapshots::new` and the few `repo` functions the
//! end-to-end tests call; the types those signatures carry are `pub` inside private modules, so they cannot
//! be named outside.

mod body;
mod error;
mod input;
pub mod message_template;
mod model;
mod order;
mod provider_status;
pub mod published;
mod removal;
pub mod repo;
mod routes;
mod service;
mod sms;
pub mod snapshots;
mod template;
mod values;
mod workflow;

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use snapshots::Snapshots;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        model::Content, model::ContentSummary, model::ContentType, model::Body, model::ContentVersion,
        model::Tag, model::TagFields, model::CollectionView, model::CollectionFields, model::CollectionItem,
        workflow::ContentStatus, model::Rendered,
        routes::collections::ItemList, nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
        input::ContentRequest, input::ContentPatch, input::StatusChangeRequest, input::RenderRequest,
        input::RestoreRequest, input::TagRequest, input::TagPatch, input::CollectionRequest, input::CollectionPatch,
        input::CollectionItemRequest, input::ItemMoveRequest,
        body::TextBodyRequest, body::TextBodyPatch, body::ImageBodyRequest, body::ImageBodyPatch,
        body::PlayableBodyRequest, body::PlayableBodyPatch, body::DocumentBodyRequest, body::DocumentBodyPatch,
        body::QuizBodyRequest, body::QuizBodyPatch, body::QuestionRequest, body::QuizOptionRequest,
        body::ReflectionBodyRequest, body::ReflectionBodyPatch, body::TemplateBodyRequest, body::TemplateBodyPatch,
        body::VariableRequest, model::QuestionType, model::ScoringType, model::Channel, model::ApprovalStatus
    )),
    tags((name = "content", description = "The content library: typed content, workflow, versions, tags and collections"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub(crate) struct Api {
    ctx: Ctx,
    snapshots: Arc<Snapshots>,
}

/// The function's routes behind the shared layers; `snapshots` keeps large version snapshots.
pub fn router(ctx: Ctx, snapshots: Snapshots) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, snapshots: Arc::new(snapshots) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        for p in [workflow::CONTENT_READ, workflow::CONTENT_WRITE, workflow::CONTENT_APPROVE, workflow::CONTENT_PUBLISH]
        {
            assert!(catalogue.contains(&p), "{p}");
        }
    }

    #[test]
    fn the_document_names_every_route() {
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        for path in [
            "/contents",
            "/contents/{id}/versions/{number}/restore",
            "/tags/{id}",
            "/collections/{id}/items/{contentId}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        for method in ["get", "patch", "delete"] {
            assert!(doc["paths"]["/contents/{id}"][method].is_object(), "{method} /contents/{{id}}");
        }
    }

    fn schema<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
        &doc["components"]["schemas"][name]
    }

    fn properties(doc: &serde_json::Value, name: &str) -> std::collections::BTreeSet<String> {
        schema(doc, name)["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn every_request_body_is_a_closed_schema() {
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        let mut bodies = 0;
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                for (media, content) in op["requestBody"]["content"].as_object().into_iter().flatten() {
                    let schema_ref = content["schema"]["$ref"]
                        .as_str()
                        .or_else(|| content["schema"]["oneOf"][1]["$ref"].as_str())
                        .unwrap_or_else(|| panic!("{method} {path} {media}: not a named schema"));
                    let name = schema_ref.trim_start_matches("#/components/schemas/");
                    assert_eq!(schema(&doc, name)["additionalProperties"], false, "{name}");
                    assert_eq!(media == "application/merge-patch+json", name.ends_with("Patch"), "{method} {path}");
                    bodies += 1;
                }
            }
        }
        assert_eq!(bodies, 11);
    }

    #[test]
    fn the_schemas_state_the_readers_rules() {
        use model::ContentType;
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        for name in ["ContentRequest", "ContentPatch"] {
            assert_eq!(schema(&doc, name)["properties"]["mediaUrl"]["pattern"], nudge_core::validate::HTTP_URL);
            let mut want: std::collections::BTreeSet<String> =
                input::COMMON.iter().chain(&["changeNote"]).map(|k| (*k).to_owned()).collect();
            want.extend(ContentType::ALL.iter().map(|t| t.as_str().to_owned()));
            if name == "ContentRequest" {
                want.insert("type".into());
            }
            assert_eq!(properties(&doc, name), want, "{name}");
        }
        for (kind, request, patch) in [
            (ContentType::Text, "TextBodyRequest", "TextBodyPatch"),
            (ContentType::Image, "ImageBodyRequest", "ImageBodyPatch"),
            (ContentType::Video, "PlayableBodyRequest", "PlayableBodyPatch"),
            (ContentType::Audio, "PlayableBodyRequest", "PlayableBodyPatch"),
            (ContentType::Document, "DocumentBodyRequest", "DocumentBodyPatch"),
            (ContentType::Quiz, "QuizBodyRequest", "QuizBodyPatch"),
            (ContentType::Reflection, "ReflectionBodyRequest", "ReflectionBodyPatch"),
            (ContentType::Template, "TemplateBodyRequest", "TemplateBodyPatch"),
        ] {
            let keys: std::collections::BTreeSet<String> = body::keys(kind).iter().map(|k| (*k).to_owned()).collect();
            assert_eq!(properties(&doc, request), keys, "{request}");
            assert_eq!(properties(&doc, patch), keys, "{patch}");
            assert!(schema(&doc, patch)["required"].is_null(), "{patch}: every field of a merge patch is optional");
            let content = schema(&doc, "ContentRequest")["properties"][kind.as_str()]["oneOf"][1]["$ref"].clone();
            assert_eq!(content, format!("#/components/schemas/{request}"));
        }
        for (name, field) in [("QuestionRequest", "id"), ("QuizOptionRequest", "id")] {
            assert_eq!(schema(&doc, name)["properties"][field]["pattern"], body::ID_PATTERN);
        }
        assert_eq!(schema(&doc, "VariableRequest")["properties"]["name"]["pattern"], body::VARIABLE_PATTERN);
        for name in ["TemplateBodyRequest", "TemplateBodyPatch"] {
            let reason = &schema(&doc, name)["properties"]["approvalReason"];
            assert_eq!(reason["maxLength"], body::APPROVAL_REASON_MAX, "{name}");
        }
        assert!(schema(&doc, "TemplateBody")["properties"]["approvalReason"].is_object(), "served with the item");
        for name in ["CollectionItemRequest", "ItemMoveRequest"] {
            assert_eq!(schema(&doc, name)["properties"]["order"]["maximum"], input::LAST_POSITION, "{name}");
        }
        assert_eq!(schema(&doc, "ContentRequest")["properties"]["tagIds"]["maxItems"], input::TAGS_PER_CONTENT);
    }
}
