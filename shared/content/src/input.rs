//! Reading and checking request input: content fields (with the typed body, see [`crate::body`]), tags,
//! collections and list filters. No I/O; every bad field of a request is named in one problem.

use crate::body;
use crate::model::{CollectionFields, ContentFields, ContentType, TagFields};
use crate::workflow::ContentStatus;
use nudge_core::http::{ApiError, FieldError, Fields};
use nudge_core::validate;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub const TAGS_PER_CONTENT: usize = 20;
const NOTE_MAX: usize = 1_000;

/// A new content item as posted.
#[derive(Debug)]
pub struct NewContent {
    pub kind: ContentType,
    pub fields: ContentFields,
    pub change_note: Option<String>,
}

fn note(f: &mut Fields) -> Option<String> {
    let note: Option<String> = f.optional("changeNote");
    f.check("changeNote", &note, |v| validate::text(v, 0, NOTE_MAX));
    note
}

/// Reads the fields every content item has, and the body under the key of `kind` (when the type is known).
fn read_fields(f: &mut Fields, kind: Option<ContentType>) -> Option<ContentFields> {
    let title: Option<String> = f.required("title");
    f.check("title", &title, |v| validate::text(v, 1, 200));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 2_000));
    let media_url: Option<String> = f.optional("mediaUrl");
    f.check("mediaUrl", &media_url, |v| validate::web_url(v, false));
    let license_type: Option<String> = f.optional("licenseType");
    f.check("licenseType", &license_type, |v| validate::text(v, 1, 200));
    let tag_ids: Vec<Uuid> = f.optional("tagIds").unwrap_or_default();
    if tag_ids.len() > TAGS_PER_CONTENT {
        f.reject("tagIds", format!("must name at most {TAGS_PER_CONTENT} tags"));
    }
    let mut seen = BTreeSet::new();
    for (i, id) in tag_ids.iter().enumerate() {
        if !seen.insert(id) {
            f.reject_item("tagIds", i, "repeats a tag");
        }
    }
    let kind = kind?;
    let name = kind.as_str();
    let at = f.pointer(name);
    let body = match f.required::<Value>(name) {
        Some(value) => match Fields::at(&at, value) {
            Ok(mut nested) => {
                let body = body::read(kind, &mut nested);
                f.absorb(nested);
                body
            }
            Err(_) => {
                f.reject(name, "must be a JSON object");
                None
            }
        },
        None => None,
    };
    Some(ContentFields { title: title?.trim().to_owned(), description, media_url, license_type, tag_ids, body: body? })
}

/// Reads a POST body: `type`, the common fields, the body under the type's key and an optional `changeNote`.
pub fn create(body: Value) -> Result<NewContent, ApiError> {
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
pub fn fields(doc: Value, kind: ContentType) -> Result<ContentFields, ApiError> {
    let mut f = Fields::new(doc)?;
    let fields = read_fields(&mut f, Some(kind));
    f.finish()?;
    fields.ok_or_else(|| ApiError::internal("content input incomplete without a reported error"))
}

/// Takes the PATCH-only `changeNote` out of a merge patch before it is applied to the stored fields.
pub fn take_note(patch: &mut Value) -> Result<Option<String>, ApiError> {
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
pub fn transition(body: Value) -> Result<(ContentStatus, Option<String>), ApiError> {
    let mut f = Fields::new(body)?;
    let status: Option<ContentStatus> = f.required("status");
    let change_note = note(&mut f);
    f.finish()?;
    status.map(|s| (s, change_note)).ok_or_else(|| ApiError::internal("status missing without a reported error"))
}

/// A restore: `{changeNote?}` (an empty body is fine).
pub fn restore(body: Option<Value>) -> Result<Option<String>, ApiError> {
    let Some(body) = body else { return Ok(None) };
    let mut f = Fields::new(body)?;
    let change_note = note(&mut f);
    f.finish()?;
    Ok(change_note)
}

/// Variables to render a template with: `{variables: {name: value}}`.
pub fn render(body: Value) -> Result<BTreeMap<String, String>, ApiError> {
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

pub fn tag(body: Value) -> Result<TagFields, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("name");
    f.check("name", &name, |v| validate::text(v, 1, 50));
    let color_value: Option<String> = f.optional("color");
    f.check("color", &color_value, |v| color(v));
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("tag name missing without a reported error"))?;
    Ok(TagFields { name: name.trim().to_owned(), color: color_value.map(|c| c.to_ascii_lowercase()) })
}

/// The key a tag name is unique under: trimmed, case-folded, inner whitespace collapsed.
pub fn tag_name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

pub fn collection(body: Value) -> Result<CollectionFields, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("name");
    f.check("name", &name, |v| validate::text(v, 1, 200));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 2_000));
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("collection name missing without a reported error"))?;
    Ok(CollectionFields { name: name.trim().to_owned(), description })
}

/// Adding to a collection: `{contentId, order?}`.
pub fn add_item(body: Value) -> Result<(Uuid, Option<usize>), ApiError> {
    let mut f = Fields::new(body)?;
    let content: Option<Uuid> = f.required("contentId");
    let order: Option<usize> = f.optional("order");
    f.finish()?;
    content.map(|c| (c, order)).ok_or_else(|| ApiError::internal("contentId missing without a reported error"))
}

/// Moving within a collection: `{order}`.
pub fn move_item(body: Value) -> Result<usize, ApiError> {
    let mut f = Fields::new(body)?;
    let order: Option<usize> = f.required("order");
    f.finish()?;
    order.ok_or_else(|| ApiError::internal("order missing without a reported error"))
}

/// Which content a list asks for. Each combination is one key condition (a tag with a status narrows the
/// tag's partition with a filter; see repo).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<ContentType>,
    pub status: Option<ContentStatus>,
    pub tag: Option<Uuid>,
}

pub fn filter(kind: Option<&str>, status: Option<&str>, tag: Option<&str>) -> Result<Filter, ApiError> {
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
        let parsed = Uuid::parse_str(t).ok();
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
        assert_eq!(pointers(create(json!({"type": "quiz", "title": "x"})).unwrap_err()), ["/quiz"]);
        assert_eq!(pointers(create(json!({"type": "quiz", "title": "x", "quiz": []})).unwrap_err()), ["/quiz"]);
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
        assert_eq!(tag(json!({"name": " Safety ", "color": "#A0B1C2"})).unwrap().color.as_deref(), Some("#a0b1c2"));
        assert_eq!(pointers(tag(json!({"name": "", "color": "red"})).unwrap_err()), ["/name", "/color"]);
        assert_eq!(tag_name_key("  Fire   Safety "), "fire safety");
        assert_eq!(pointers(collection(json!({"name": 1})).unwrap_err()), ["/name"]);
        assert_eq!(add_item(json!({"contentId": Uuid::nil(), "order": 2})).unwrap().1, Some(2));
        assert_eq!(pointers(move_item(json!({"order": -1})).unwrap_err()), ["/order"]);
        assert_eq!(filter(Some("quiz"), Some("draft"), None).unwrap().kind, Some(ContentType::Quiz));
        assert_eq!(pointers(filter(Some("poem"), Some("gone"), Some("x")).unwrap_err()), ["type", "status", "tag"]);
    }
}
