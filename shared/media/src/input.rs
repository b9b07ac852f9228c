//! Reading asset input and list filters. No I/O.
//!
//! [`MediaAssetRequest`] and [`MediaAssetPatch`] are the OpenAPI schemas of the bodies these readers
//! accept. What a schema states is a 400 when broken; what it cannot (a content type or size another
//! field's type does not allow) is a 422.

use crate::sniff;
use crate::{MediaStatus, MediaType};
use nudge_core::http::{ApiError, FieldError, Fields};
use nudge_core::validate;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

/// The largest upload of any type (each type has its own limit, see [`sniff::max_size`]).
pub(crate) const SIZE_MAX: u64 = 500 * 1024 * 1024;

/// `POST /media-assets`: declares an upload. The content type and the size must suit the type: an image is
/// one of `image/png`, `image/jpeg`, `image/gif` and `image/webp` of at most 20 MiB; a video `video/mp4`,
/// `video/quicktime` or `video/webm` of at most 500 MiB; audio `audio/mpeg`, `audio/mp4`, `audio/wav`,
/// `audio/ogg` or `audio/webm` of at most 100 MiB; a document a PDF or an Office Open XML word document,
/// workbook or presentation of at most 50 MiB. A pair that does not suit is a 422.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `declared` reads the body")]
pub(crate) struct MediaAssetRequest {
    /// The file's name, without path separators or control characters.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x1f\x7f-\x9f/\\]*[^\s\x00-\x1f\x7f-\x9f/\\][^\x00-\x1f\x7f-\x9f/\\]*$"
    )]
    pub file_name: String,
    /// The file's content type, in lower case.
    #[schema(schema_with = mime_types)]
    pub mime_type: String,
    /// Bytes.
    #[schema(minimum = 1, maximum = 524288000)]
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: MediaType,
    #[schema(max_length = 1000)]
    pub alt_text: Option<String>,
}

/// `PATCH /media-assets/{id}`: JSON Merge Patch over `fileName` and `altText`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `editable` reads the merged document")]
pub(crate) struct MediaAssetPatch {
    /// The file's name, without path separators or control characters.
    #[schema(
        required = false,
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x1f\x7f-\x9f/\\]*[^\s\x00-\x1f\x7f-\x9f/\\][^\x00-\x1f\x7f-\x9f/\\]*$"
    )]
    pub file_name: String,
    #[schema(max_length = 1000)]
    pub alt_text: Option<String>,
}

/// The schema of `mimeType`: every content type some media type accepts.
fn mime_types() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(sniff::all_accepted()))
        .description(Some("The file's content type, in lower case."))
}

/// A declared upload.
#[derive(Debug, PartialEq)]
pub(crate) struct Declared {
    pub file_name: String,
    pub mime_type: String,
    pub size: u64,
    pub kind: MediaType,
    pub alt_text: Option<String>,
}

fn file_name(value: &str) -> Result<(), String> {
    validate::text(value, 1, 255)?;
    if value.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err("must not contain control characters or path separators".into());
    }
    Ok(())
}

/// `{fileName, mimeType, size, type, altText?}`: the type must accept the content type, and the size its
/// limit.
pub(crate) fn declared(body: Value) -> Result<Declared, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("fileName");
    f.check("fileName", &name, |v| file_name(v));
    let kind: Option<MediaType> = f.required("type");
    let mime: Option<String> = f.required("mimeType");
    f.check("mimeType", &mime, |m| {
        if sniff::all_accepted().contains(&m.as_str()) {
            Ok(())
        } else {
            Err(format!("must be one of {}", sniff::all_accepted().join(", ")))
        }
    });
    let size: Option<u64> = f.required("size");
    f.check("size", &size, |s| {
        if (1..=SIZE_MAX).contains(s) { Ok(()) } else { Err(format!("must be 1 to {SIZE_MAX} bytes")) }
    });
    let alt_text: Option<String> = f.optional("altText");
    f.check("altText", &alt_text, |v| validate::text(v, 0, 1_000));
    if let Some(kind) = kind {
        let accepted = sniff::accepted(kind);
        if let Some(m) = &mime
            && sniff::all_accepted().contains(&m.as_str())
            && !accepted.contains(&m.as_str())
        {
            f.break_rule("mimeType", format!("a {} asset must be one of {}", kind.as_str(), accepted.join(", ")));
        }
        let max = sniff::max_size(kind);
        if let Some(s) = size
            && (max + 1..=SIZE_MAX).contains(&s)
        {
            f.break_rule("size", format!("must be 1 to {max} bytes for a {}", kind.as_str()));
        }
    }
    f.finish()?;
    match (name, mime, size, kind) {
        (Some(file_name), Some(mime_type), Some(size), Some(kind)) => {
            Ok(Declared { file_name: file_name.trim().to_owned(), mime_type, size, kind, alt_text })
        }
        _ => Err(ApiError::internal("asset input incomplete without a reported error")),
    }
}

/// Checks that a merge patch names only `fileName` and `altText`, before it is applied: merging a `null`
/// under an unknown name removes nothing, so the merged document would not show it.
pub(crate) fn known_fields(patch: &Value) -> Result<(), ApiError> {
    let Some(object) = patch.as_object() else { return Ok(()) };
    let errors: Vec<FieldError> = object
        .keys()
        .filter(|k| !["fileName", "altText"].contains(&k.as_str()))
        .map(|k| {
            FieldError::body(
                format!("/{}", nudge_core::http::input::pointer_token(k)),
                "is not a known or writable field",
            )
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// What a PATCH may change: `{fileName, altText}` as a merged document.
pub(crate) fn editable(doc: Value) -> Result<(String, Option<String>), ApiError> {
    let mut f = Fields::new(doc)?;
    let name: Option<String> = f.required("fileName");
    f.check("fileName", &name, |v| file_name(v));
    let alt_text: Option<String> = f.optional("altText");
    f.check("altText", &alt_text, |v| validate::text(v, 0, 1_000));
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("fileName missing without a reported error"))?;
    Ok((name.trim().to_owned(), alt_text))
}

/// Which assets a list asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub status: Option<MediaStatus>,
    pub kind: Option<MediaType>,
}

pub(crate) fn filter(status: Option<&str>, kind: Option<&str>) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let status = status.and_then(|s| {
        let parsed = MediaStatus::parse(s);
        if parsed.is_none() {
            errors.push(FieldError::param(
                "status",
                "must be processing, ready, failed, delete_pending or delete_failed",
            ));
        }
        parsed
    });
    let kind = kind.and_then(|k| {
        let parsed = MediaType::parse(k);
        if parsed.is_none() {
            errors.push(FieldError::param("type", "must be image, video, audio or document"));
        }
        parsed
    });
    if errors.is_empty() { Ok(Filter { status, kind }) } else { Err(ApiError::invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn uploads_are_declared_within_their_type() {
        let ok =
            declared(json!({"fileName": "team.png", "mimeType": "image/png", "size": 1024, "type": "image"})).unwrap();
        assert_eq!((ok.mime_type.as_str(), ok.kind), ("image/png", MediaType::Image));
        let upper = declared(json!({"fileName": "a.png", "mimeType": "Image/PNG", "size": 1, "type": "image"}));
        assert_eq!(pointers(upper.unwrap_err()), ["/mimeType"], "the schema's enum is lower case");
        // A content type or size of another media type breaks a rule; with schema errors, all are a 400.
        let err = declared(
            json!({"fileName": "../x", "mimeType": "application/pdf", "size": 0, "type": "image", "url": "x"}),
        );
        assert_eq!(pointers(err.unwrap_err()), ["/fileName", "/size", "/url", "/mimeType"]);
        let pdf = declared(json!({"fileName": "a.pdf", "mimeType": "application/pdf", "size": 1, "type": "image"}));
        assert_eq!(broken(pdf.unwrap_err()), ["/mimeType"]);
        let big =
            declared(json!({"fileName": "a.png", "mimeType": "image/png", "size": 21 * 1024 * 1024, "type": "image"}));
        assert_eq!(broken(big.unwrap_err()), ["/size"]);
        let huge =
            declared(json!({"fileName": "a.mp4", "mimeType": "video/mp4", "size": SIZE_MAX + 1, "type": "video"}));
        assert_eq!(pointers(huge.unwrap_err()), ["/size"]);
        let largest =
            declared(json!({"fileName": "a.mp4", "mimeType": "video/mp4", "size": SIZE_MAX, "type": "video"}));
        assert!(largest.is_ok());
        assert_eq!(MediaType::ALL.iter().map(|k| sniff::max_size(*k)).max(), Some(SIZE_MAX));
        assert_eq!(pointers(declared(json!({})).unwrap_err()), ["/fileName", "/type", "/mimeType", "/size"]);
    }

    #[test]
    fn edits_and_filters() {
        assert_eq!(editable(json!({"fileName": " b.png ", "altText": "Team"})).unwrap().0, "b.png");
        assert_eq!(pointers(editable(json!({"fileName": "a", "status": "ready"})).unwrap_err()), ["/status"]);
        assert!(known_fields(&json!({"fileName": "a", "altText": null})).is_ok());
        assert_eq!(pointers(known_fields(&json!({"status": null})).unwrap_err()), ["/status"]);
        assert_eq!(filter(Some("ready"), Some("image")).unwrap().status, Some(MediaStatus::Ready));
        assert_eq!(pointers(filter(Some("x"), Some("y")).unwrap_err()), ["status", "type"]);
    }

    /// The document's `fileName` pattern, with `\s` as the server reads white space (regex_lite's is ASCII).
    fn file_name_pattern() -> regex_lite::Regex {
        let doc = serde_json::to_value(crate::openapi()).unwrap_or_default();
        let pattern = doc["components"]["schemas"]["MediaAssetRequest"]["properties"]["fileName"]["pattern"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(doc["components"]["schemas"]["MediaAssetPatch"]["properties"]["fileName"]["pattern"], pattern);
        let blanks: String = (0..=0x3000u32)
            .chain([0xfeff])
            .filter_map(char::from_u32)
            .filter(|c| validate::is_blank(*c))
            .map(|c| format!("\\x{{{:x}}}", c as u32))
            .collect();
        regex_lite::Regex::new(&pattern.replace(r"\s", &blanks)).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    #[test]
    fn the_schema_states_the_readers_rules() {
        let doc = serde_json::to_value(crate::openapi()).unwrap_or_default();
        let request = &doc["components"]["schemas"]["MediaAssetRequest"];
        assert_eq!(request["properties"]["size"]["maximum"], SIZE_MAX);
        assert_eq!(request["properties"]["mimeType"]["enum"], json!(sniff::all_accepted()));
        assert_eq!(request["additionalProperties"], false);
        let pattern = file_name_pattern();
        for (name, ok) in [
            ("a.png", true),
            (" a ", true),
            ("", false),
            ("  ", false),
            ("a/b", false),
            ("a\\b", false),
            ("a\u{7f}", false),
            ("\u{a0}", false),
            ("é", true),
            ("a\u{85}", false),
        ] {
            assert_eq!(pattern.is_match(name), ok, "{name:?}");
            assert_eq!(file_name(name).is_ok(), ok, "{name:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn file_names_are_what_the_pattern_says(name in "[a-z/\\\\ .\u{0}-\u{2}\u{7f}-\u{a0}\u{2000}\u{feff}é]{0,6}") {
            proptest::prop_assert_eq!(file_name_pattern().is_match(&name), file_name(&name).is_ok(), "{:?}", name);
        }
    }
}
