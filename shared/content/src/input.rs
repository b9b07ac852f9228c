//! Reading and checking request input: content fields (with the typed body, see [`crate::body`]), tags,
//! collections and list filters. No I/O; every bad field of a request is named in one problem.
//!
//! The `…Request` and `…Patch` types are the OpenAPI schemas of the bodies these readers accept. What a
//! schema states is a 400 when broken; rules it cannot state (a body under another type's key, repeated
//! tags, ids that name nothing) are a 422.

use crate::body::{
    self, DocumentBodyPatch, DocumentBodyRequest, ImageBodyPatch, ImageBodyRequest, PlayableBodyPatch,
    PlayableBodyRequest, QuizBodyPatch, QuizBodyRequest, ReflectionBodyPatch, ReflectionBodyRequest, TemplateBodyPatch,
    TemplateBodyRequest, TextBodyPatch, TextBodyRequest,
};
use crate::model::{CollectionFields, ContentFields, ContentType, MAX_ENTRIES, TagFields};
use crate::values::TagName;
use crate::workflow::ContentStatus;
use nudge_core::http::{ApiError, FieldError, Fields};
use nudge_core::validate;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

pub(crate) const TAGS_PER_CONTENT: usize = 20;
const NOTE_MAX: usize = 1_000;
/// The last position in a collection: it holds at most [`MAX_ENTRIES`].
pub(crate) const LAST_POSITION: usize = MAX_ENTRIES - 1;

/// `POST /contents`: the fields every item has, and the body under the key its `type` names (`"quiz":
/// {…}` for a quiz). That key is required and the other types' keys are refused: both are a 422.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct ContentRequest {
    #[serde(rename = "type")]
    pub kind: ContentType,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// A link to the content elsewhere: an http(s) URL (one of this form that does not parse is a 422).
    #[schema(max_length = 2048, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    pub media_url: Option<String>,
    /// License information.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub license_type: Option<String>,
    /// Tags of this organization, each once (a repeat, or an id naming no tag, is a 422).
    #[schema(max_items = 20)]
    pub tag_ids: Option<Vec<Uuid>>,
    /// A note for the version this makes (default `Created`).
    #[schema(max_length = 1000)]
    pub change_note: Option<String>,
    /// The body of `text` content.
    pub text: Option<TextBodyRequest>,
    /// The body of `image` content.
    pub image: Option<ImageBodyRequest>,
    /// The body of `video` content.
    pub video: Option<PlayableBodyRequest>,
    /// The body of `audio` content.
    pub audio: Option<PlayableBodyRequest>,
    /// The body of `document` content.
    pub document: Option<DocumentBodyRequest>,
    /// The body of `quiz` content.
    pub quiz: Option<QuizBodyRequest>,
    /// The body of `reflection` content.
    pub reflection: Option<ReflectionBodyRequest>,
    /// The body of `template` content.
    pub template: Option<TemplateBodyRequest>,
}

/// `PATCH /contents/{id}`: JSON Merge Patch over the writable fields as read (the type does not change), and
/// a `changeNote` for the version it makes. The body is merged under the key of the item's type; another
/// type's key is a 422, and so is removing the body (`null` under the item's own key).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: the readers below read it")]
pub(crate) struct ContentPatch {
    #[schema(required = false, min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// A link to the content elsewhere: an http(s) URL (one of this form that does not parse is a 422).
    #[schema(max_length = 2048, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    pub media_url: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub license_type: Option<String>,
    /// Replaces the tags: tags of this organization, each once (a repeat, or an id naming no tag, is a 422).
    #[schema(max_items = 20)]
    pub tag_ids: Option<Vec<Uuid>>,
    /// A note for the version this makes.
    #[schema(max_length = 1000)]
    pub change_note: Option<String>,
    pub text: Option<TextBodyPatch>,
    pub image: Option<ImageBodyPatch>,
    pub video: Option<PlayableBodyPatch>,
    pub audio: Option<PlayableBodyPatch>,
    pub document: Option<DocumentBodyPatch>,
    pub quiz: Option<QuizBodyPatch>,
    pub reflection: Option<ReflectionBodyPatch>,
    pub template: Option<TemplateBodyPatch>,
}

/// `POST /contents/{id}/status`: draft → review (content:write), review → approved (content:approve) or
/// back to draft, approved → published (content:publish), published → archived (content:publish), archived
/// → draft (content:write). A step that does not exist from the item's status is a 409.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct StatusChangeRequest {
    pub status: ContentStatus,
    /// A note for the version this makes (default `<from> → <to>`).
    #[schema(max_length = 1000)]
    pub change_note: Option<String>,
}

/// `POST /contents/{id}/render`: a value for every variable the template uses (a missing or blank one is a
/// 422, and so is rendering content that is not a template).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct RenderRequest {
    pub variables: BTreeMap<String, String>,
}

/// `POST /contents/{id}/versions/{number}/restore`: an optional note (the body itself may be left out).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct RestoreRequest {
    #[schema(max_length = 1000)]
    pub change_note: Option<String>,
}

/// `POST /tags`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct TagRequest {
    /// Unique within the organization, case-insensitively (a taken name is a 409).
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// A `#rrggbb` colour for display (stored in lower case).
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    pub color: Option<String>,
}

/// `PATCH /tags/{id}`: JSON Merge Patch over `name` and `color`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: the readers below read it")]
pub(crate) struct TagPatch {
    /// Unique within the organization, case-insensitively (a taken name is a 409).
    #[schema(required = false, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// A `#rrggbb` colour for display (stored in lower case).
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    pub color: Option<String>,
}

/// `POST /collections`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct CollectionRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// `PATCH /collections/{id}`: JSON Merge Patch over `name` and `description`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: the readers below read it")]
pub(crate) struct CollectionPatch {
    #[schema(required = false, min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// `POST /collections/{id}/items`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct CollectionItemRequest {
    /// Content of this organization (an id naming none is a 422).
    pub content_id: Uuid,
    /// The 0-based position, at most the number of items (a 422 beyond); last when left out.
    #[schema(value_type = Option<u64>, maximum = 499)]
    pub order: Option<usize>,
}

/// `PATCH /collections/{id}/items/{contentId}`: the item's new position; the others keep their relative
/// order.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct ItemMoveRequest {
    /// The 0-based position, less than the number of items (a 422 beyond).
    #[schema(value_type = u64, maximum = 499)]
    pub order: usize,
}

/// A new content item as posted.
#[derive(Debug)]
pub(crate) struct NewContent {
    pub kind: ContentType,
    pub fields: ContentFields,
    pub change_note: Option<String>,
}

fn note(f: &mut Fields) -> Option<String> {
    let note: Option<String> = f.optional("changeNote");
    f.check("changeNote", &note, |v| validate::text(v, 0, NOTE_MAX));
    note
}

/// The keys a content document may hold besides the bodies.
pub(crate) const COMMON: [&str; 5] = ["title", "description", "mediaUrl", "licenseType", "tagIds"];

/// Reads the fields every content item has, and the body under the key of `kind` (when the type is known).
/// Every type's key is read: the body of `kind` is required and the others are refused (rules: 422).
fn read_fields(f: &mut Fields, kind: Option<ContentType>) -> Option<ContentFields> {
    let title: Option<String> = f.required("title");
    f.check("title", &title, |v| validate::text(v, 1, 200));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 2_000));
    let media_url = f.web_url("mediaUrl", false);
    let license_type: Option<String> = f.optional("licenseType");
    f.check("licenseType", &license_type, |v| validate::text(v, 1, 200));
    let tag_ids: Vec<Uuid> = f.optional("tagIds").unwrap_or_default();
    if tag_ids.len() > TAGS_PER_CONTENT {
        f.reject("tagIds", format!("must name at most {TAGS_PER_CONTENT} tags"));
    }
    let mut seen = BTreeSet::new();
    for (i, id) in tag_ids.iter().enumerate() {
        if !seen.insert(id) {
            body::break_item(f, "tagIds", i, "repeats a tag");
        }
    }
    let mut body = None;
    for t in ContentType::ALL {
        let name = t.as_str();
        let value: Option<Value> = f.optional(name);
        match (value, kind) {
            (None, Some(k)) if k == t => f.break_rule(name, format!("is required: the body of {name} content")),
            (None, _) => {}
            (Some(value), kind) => match Fields::at(&f.pointer(name), value) {
                Err(_) => f.reject(name, "must be a JSON object"),
                Ok(mut nested) if kind == Some(t) => {
                    body = body::read(t, &mut nested);
                    f.absorb(nested);
                }
                Ok(_) => {
                    if let Some(k) = kind {
                        f.break_rule(name, format!("is not the body of {} content", k.as_str()));
                    }
                }
            },
        }
    }
    Some(ContentFields { title: title?.trim().to_owned(), description, media_url, license_type, tag_ids, body: body? })
}

/// Reads a POST body: `type`, the common fields, the body under the type's key and an optional `changeNote`.
pub(crate) fn create(body: Value) -> Result<NewContent, ApiError> {
    let mut f = Fields::new(body)?;
    let kind: Option<ContentType> = f.required("type");
    let change_note = note(&mut f);
    let fields = read_fields(&mut f, kind);
    f.finish()?;
    match (kind, fields) {
        (Some(kind), Some(fields)) => Ok(NewContent { kind, fields, change_note }),
        _ => Err(ApiError::internal("content input incomplete without a reported error")),
    }
}

/// Reads a merged PATCH document of content whose type is `kind` (the type does not change).
pub(crate) fn fields(doc: Value, kind: ContentType) -> Result<ContentFields, ApiError> {
    let mut f = Fields::new(doc)?;
    let fields = read_fields(&mut f, Some(kind));
    f.finish()?;
    fields.ok_or_else(|| ApiError::internal("content input incomplete without a reported error"))
}

/// Checks that a merge patch names only fields of `allowed`, before it is applied: merging a `null` under
/// an unknown name removes nothing, so the merged document would not show it.
pub(crate) fn known_fields(patch: &Value, allowed: &[&str]) -> Result<(), ApiError> {
    let errors = unknown(patch, "", allowed);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

fn unknown(patch: &Value, base: &str, allowed: &[&str]) -> Vec<FieldError> {
    let Some(object) = patch.as_object() else { return Vec::new() };
    object
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            FieldError::body(
                format!("{base}/{}", nudge_core::http::input::pointer_token(k)),
                "is not a known or writable field",
            )
        })
        .collect()
}

/// [`known_fields`] for a content merge patch on an item of type `kind`: the common fields, `changeNote`,
/// each type's key, and within the item's own body the fields of its type.
pub(crate) fn known_content_fields(patch: &Value, kind: ContentType) -> Result<(), ApiError> {
    let mut allowed: Vec<&str> = COMMON.to_vec();
    allowed.push("changeNote");
    allowed.extend(ContentType::ALL.iter().map(|t| t.as_str()));
    let mut errors = unknown(patch, "", &allowed);
    if let Some(own) = patch.get(kind.as_str()) {
        errors.extend(unknown(own, &format!("/{}", kind.as_str()), body::keys(kind)));
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// Takes the PATCH-only `changeNote` out of a merge patch before it is applied to the stored fields.
pub(crate) fn take_note(patch: &mut Value) -> Result<Option<String>, ApiError> {
    match patch.as_object_mut().and_then(|o| o.remove("changeNote")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => match validate::text(&s, 0, NOTE_MAX) {
            Ok(()) => Ok(Some(s)),
            Err(message) => Err(ApiError::field("/changeNote", message)),
        },
        Some(_) => Err(ApiError::field("/changeNote", "must be a string")),
    }
}

/// A status change: `{status, changeNote?}`.
pub(crate) fn transition(body: Value) -> Result<(ContentStatus, Option<String>), ApiError> {
    let mut f = Fields::new(body)?;
    let status: Option<ContentStatus> = f.required("status");
    let change_note = note(&mut f);
    f.finish()?;
    status.map(|s| (s, change_note)).ok_or_else(|| ApiError::internal("status missing without a reported error"))
}

/// A restore: `{changeNote?}`; no body, or `null`, is fine.
pub(crate) fn restore(body: Option<Value>) -> Result<Option<String>, ApiError> {
    let Some(body) = body.filter(|b| !b.is_null()) else { return Ok(None) };
    let mut f = Fields::new(body)?;
    let change_note = note(&mut f);
    f.finish()?;
    Ok(change_note)
}

/// Variables to render a template with: `{variables: {name: value}}`.
pub(crate) fn render(body: Value) -> Result<BTreeMap<String, String>, ApiError> {
    let mut f = Fields::new(body)?;
    let values: Option<BTreeMap<String, String>> = f.required("variables");
    f.finish()?;
    Ok(values.unwrap_or_default())
}

/// `#rrggbb`.
fn color(value: &str) -> Result<(), String> {
    let ok = value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok { Ok(()) } else { Err("must be a colour like `#1a2b3c`".into()) }
}

pub(crate) fn tag(body: Value) -> Result<TagFields, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<TagName> = f.parse("name", true);
    let color_value: Option<String> = f.optional("color");
    f.check("color", &color_value, |v| color(v));
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("tag name missing without a reported error"))?;
    Ok(TagFields { name, color: color_value.map(|c| c.to_ascii_lowercase()) })
}

pub(crate) fn collection(body: Value) -> Result<CollectionFields, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("name");
    f.check("name", &name, |v| validate::text(v, 1, 200));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 2_000));
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("collection name missing without a reported error"))?;
    Ok(CollectionFields { name: name.trim().to_owned(), description })
}

/// A position a collection may have: beyond the collection's end is a rule (422), beyond any collection's a
/// schema error.
fn position(order: &usize) -> Result<(), String> {
    if *order <= LAST_POSITION { Ok(()) } else { Err(format!("must be from 0 to {LAST_POSITION}")) }
}

/// Adding to a collection: `{contentId, order?}`.
pub(crate) fn add_item(body: Value) -> Result<(Uuid, Option<usize>), ApiError> {
    let mut f = Fields::new(body)?;
    let content: Option<Uuid> = f.required("contentId");
    let order: Option<usize> = f.optional("order");
    f.check("order", &order, position);
    f.finish()?;
    content.map(|c| (c, order)).ok_or_else(|| ApiError::internal("contentId missing without a reported error"))
}

/// Moving within a collection: `{order}`.
pub(crate) fn move_item(body: Value) -> Result<usize, ApiError> {
    let mut f = Fields::new(body)?;
    let order: Option<usize> = f.required("order");
    f.check("order", &order, position);
    f.finish()?;
    order.ok_or_else(|| ApiError::internal("order missing without a reported error"))
}

/// Which content a list asks for. Each combination is one key condition (a tag with a status narrows the
/// tag's partition with a filter; see repo).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub kind: Option<ContentType>,
    pub status: Option<ContentStatus>,
    pub tag: Option<Uuid>,
}

pub(crate) fn filter(kind: Option<&str>, status: Option<&str>, tag: Option<&str>) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let kind = kind.and_then(|k| {
        let parsed = ContentType::parse(k);
        if parsed.is_none() {
            let names: Vec<&str> = ContentType::ALL.iter().map(|t| t.as_str()).collect();
            errors.push(FieldError::param("type", format!("must be one of {}", names.join(", "))));
        }
        parsed
    });
    let status = status.and_then(|s| {
        let parsed = ContentStatus::parse(s);
        if parsed.is_none() {
            errors.push(FieldError::param("status", "must be draft, review, approved, published or archived"));
        }
        parsed
    });
    let tag = tag.and_then(|t| {
        // The hyphenated form only, as the parameter's `format: uuid` says.
        let parsed = Uuid::parse_str(t).ok().filter(|_| t.len() == 36);
        if parsed.is_none() {
            errors.push(FieldError::param("tag", "must be a tag id"));
        }
        parsed
    });
    if errors.is_empty() { Ok(Filter { kind, status, tag }) } else { Err(ApiError::invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Body;
    use serde_json::json;

    fn pointers(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Invalid(errors) => {
                errors.into_iter().map(|e| e.pointer.or(e.parameter).unwrap_or_default()).collect()
            }
            other => panic!("expected 400, got {other:?}"),
        }
    }

    /// The pointers of a 422.
    fn broken(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Rejected(errors) => errors.into_iter().map(|e| e.pointer.unwrap_or_default()).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn a_post_reads_the_body_under_its_type() {
        let tag = Uuid::now_v7();
        let new =
            create(json!({"type": "reflection", "title": "  Think ", "tagIds": [tag], "licenseType": "CC-BY-4.0",
                                "reflection": {"promptText": "What went well?"}, "changeNote": "first"}))
            .unwrap();
        assert_eq!(
            (new.kind, new.fields.title.as_str(), new.change_note.as_deref()),
            (ContentType::Reflection, "Think", Some("first"))
        );
        assert!(matches!(new.fields.body, Body::Reflection(_)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let tag = Uuid::now_v7();
        let err = create(json!({"type": "text", "title": "", "mediaUrl": "ftp://x", "tagIds": [tag, tag],
                                "text": {"text": ""}, "quiz": {}, "organizationId": "o"}))
        .unwrap_err();
        let mut got = pointers(err);
        got.sort();
        assert_eq!(got, ["/mediaUrl", "/organizationId", "/quiz", "/tagIds/1", "/text/text", "/title"]);
        assert_eq!(pointers(create(json!({"type": "poem", "title": "x"})).unwrap_err()), ["/type"]);
        assert_eq!(pointers(create(json!({"type": "quiz", "title": "x", "quiz": []})).unwrap_err()), ["/quiz"]);
    }

    #[test]
    fn rules_the_schema_cannot_state_are_422() {
        // The body of the type is required, another type's is refused, a tag is named once.
        assert_eq!(broken(create(json!({"type": "quiz", "title": "x"})).unwrap_err()), ["/quiz"]);
        assert_eq!(broken(create(json!({"type": "quiz", "title": "x", "quiz": null})).unwrap_err()), ["/quiz"]);
        let text = json!({"text": "x"});
        let foreign = create(json!({"type": "text", "title": "x", "text": text, "reflection": {"promptText": "?"}}));
        assert_eq!(broken(foreign.unwrap_err()), ["/reflection"]);
        let tag = Uuid::now_v7();
        let repeated = create(json!({"type": "text", "title": "x", "text": text, "tagIds": [tag, tag]}));
        assert_eq!(broken(repeated.unwrap_err()), ["/tagIds/1"]);
        // Null is absent for every other type's key, and for the optional fields.
        let nulls = json!({"type": "text", "title": "x", "text": text, "quiz": null, "description": null,
                           "mediaUrl": null, "licenseType": null, "tagIds": null, "changeNote": null});
        assert!(create(nulls).is_ok());
        // A URL of the documented form that does not parse breaks a rule; one of another form is invalid.
        let url = |u: &str| create(json!({"type": "text", "title": "x", "text": text, "mediaUrl": u}));
        assert_eq!(broken(url("http://exa[mple").unwrap_err()), ["/mediaUrl"]);
        assert_eq!(pointers(url("HTTP://example.com").unwrap_err()), ["/mediaUrl"]);
        assert!(url("https://example.com/a?b#c").is_ok());
    }

    #[test]
    fn merge_patches_name_only_known_fields() {
        let ok = json!({"title": "T", "tagIds": null, "quiz": {"timeLimit": null}, "text": null});
        assert!(known_content_fields(&ok, ContentType::Quiz).is_ok());
        let err = known_content_fields(&json!({"type": null, "quiz": {"smsSegments": null}}), ContentType::Quiz);
        assert_eq!(pointers(err.unwrap_err()), ["/type", "/quiz/smsSegments"]);
        // Another type's body is the reader's to refuse (422), whatever it holds.
        assert!(known_content_fields(&json!({"template": {"x": 1}}), ContentType::Quiz).is_ok());
        assert_eq!(pointers(known_fields(&json!({"name": "a", "a/b": null}), &["name"]).unwrap_err()), ["/a~1b"]);
        let doc = json!({"title": "T", "text": null, "quiz": {"questions": []}});
        let err = fields(doc, ContentType::Text).unwrap_err();
        assert_eq!(broken(err), ["/text", "/quiz"], "a removed body, and a body of another type");
    }

    #[test]
    fn patch_documents_keep_their_type() {
        let doc = json!({"title": "T", "text": {"text": "x"}, "type": "quiz"});
        assert_eq!(pointers(fields(doc, ContentType::Text).unwrap_err()), ["/type"]);
        let mut patch = json!({"changeNote": "why", "title": "New"});
        assert_eq!(take_note(&mut patch).unwrap().as_deref(), Some("why"));
        assert_eq!(patch, json!({"title": "New"}));
        assert!(take_note(&mut json!({"changeNote": 3})).is_err());
    }

    #[test]
    fn tags_collections_and_filters() {
        let safety = tag(json!({"name": " Safety ", "color": "#A0B1C2"})).unwrap();
        assert_eq!((safety.name.to_string().as_str(), safety.color.as_deref()), ("Safety", Some("#a0b1c2")));
        assert_eq!(pointers(tag(json!({"name": "", "color": "red"})).unwrap_err()), ["/name", "/color"]);
        assert_eq!(pointers(tag(json!({"color": "#000000"})).unwrap_err()), ["/name"]);
        assert_eq!(pointers(collection(json!({"name": 1})).unwrap_err()), ["/name"]);
        assert_eq!(add_item(json!({"contentId": Uuid::nil(), "order": 2})).unwrap().1, Some(2));
        assert_eq!(pointers(move_item(json!({"order": -1})).unwrap_err()), ["/order"]);
        assert_eq!(move_item(json!({"order": LAST_POSITION})).unwrap(), LAST_POSITION);
        assert_eq!(pointers(move_item(json!({"order": LAST_POSITION + 1})).unwrap_err()), ["/order"]);
        assert_eq!(pointers(add_item(json!({"contentId": Uuid::nil(), "order": 500})).unwrap_err()), ["/order"]);
        assert_eq!(restore(Some(Value::Null)).unwrap(), None);
        assert_eq!(restore(Some(json!({"changeNote": "why"}))).unwrap().as_deref(), Some("why"));
        assert_eq!(pointers(restore(Some(json!([]))).unwrap_err()), [""]);
        assert_eq!(filter(Some("quiz"), Some("draft"), None).unwrap().kind, Some(ContentType::Quiz));
        assert_eq!(pointers(filter(Some("poem"), Some("gone"), Some("x")).unwrap_err()), ["type", "status", "tag"]);
        let tag = Uuid::now_v7();
        assert_eq!(filter(None, None, Some(&tag.to_string())).unwrap().tag, Some(tag));
        assert_eq!(pointers(filter(None, None, Some(&tag.simple().to_string())).unwrap_err()), ["tag"]);
    }
}
