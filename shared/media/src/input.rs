//! Reading asset input and list filters. No I/O.

use crate::sniff;
use crate::{MediaStatus, MediaType};
use nudge_core::http::{ApiError, FieldError, Fields};
use nudge_core::validate;
use serde_json::Value;

/// A declared upload.
#[derive(Debug, PartialEq)]
pub struct Declared {
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
pub fn declared(body: Value) -> Result<Declared, ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("fileName");
    f.check("fileName", &name, |v| file_name(v));
    let kind: Option<MediaType> = f.required("type");
    let mime: Option<String> = f.required("mimeType");
    let size: Option<u64> = f.required("size");
    let alt_text: Option<String> = f.optional("altText");
    f.check("altText", &alt_text, |v| validate::text(v, 0, 1_000));
    if let Some(kind) = kind {
        let accepted = sniff::accepted(kind);
        f.check("mimeType", &mime, |m| {
            let m = m.to_ascii_lowercase();
            if accepted.contains(&m.as_str()) {
                Ok(())
            } else {
                Err(format!("a {} asset must be one of {}", kind.as_str(), accepted.join(", ")))
            }
        });
        let max = sniff::max_size(kind);
        f.check("size", &size, |s| {
            if (1..=max).contains(s) {
                Ok(())
            } else {
                Err(format!("must be 1 to {max} bytes for a {}", kind.as_str()))
            }
        });
    }
    f.finish()?;
    match (name, mime, size, kind) {
        (Some(file_name), Some(mime), Some(size), Some(kind)) => Ok(Declared {
            file_name: file_name.trim().to_owned(),
            mime_type: mime.to_ascii_lowercase(),
            size,
            kind,
            alt_text,
        }),
        _ => Err(ApiError::internal("asset input incomplete without a reported error")),
    }
}

/// What a PATCH may change: `{fileName, altText}` as a merged document.
pub fn editable(doc: Value) -> Result<(String, Option<String>), ApiError> {
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
pub struct Filter {
    pub status: Option<MediaStatus>,
    pub kind: Option<MediaType>,
}

pub fn filter(status: Option<&str>, kind: Option<&str>) -> Result<Filter, ApiError> {
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

    #[test]
    fn uploads_are_declared_within_their_type() {
        let ok =
            declared(json!({"fileName": "team.png", "mimeType": "Image/PNG", "size": 1024, "type": "image"})).unwrap();
        assert_eq!((ok.mime_type.as_str(), ok.kind), ("image/png", MediaType::Image));
        let err = declared(
            json!({"fileName": "../x", "mimeType": "application/pdf", "size": 0, "type": "image", "url": "x"}),
        );
        assert_eq!(pointers(err.unwrap_err()), ["/fileName", "/mimeType", "/size", "/url"]);
        let big =
            declared(json!({"fileName": "a.png", "mimeType": "image/png", "size": 21 * 1024 * 1024, "type": "image"}));
        assert_eq!(pointers(big.unwrap_err()), ["/size"]);
        assert_eq!(pointers(declared(json!({})).unwrap_err()), ["/fileName", "/type", "/mimeType", "/size"]);
    }

    #[test]
    fn edits_and_filters() {
        assert_eq!(editable(json!({"fileName": " b.png ", "altText": "Team"})).unwrap().0, "b.png");
        assert_eq!(pointers(editable(json!({"fileName": "a", "status": "ready"})).unwrap_err()), ["/status"]);
        assert_eq!(filter(Some("ready"), Some("image")).unwrap().status, Some(MediaStatus::Ready));
        assert_eq!(pointers(filter(Some("x"), Some("y")).unwrap_err()), ["status", "type"]);
    }
}
