//! JSON Merge Patch (RFC 7396). A PATCH is applied to the resource's writable document, and the result is
//! validated as a whole, so errors point at the same paths the client sent.

use crate::http::problem::ApiError;
use serde_json::Value;

pub const MERGE_PATCH_JSON: &str = "application/merge-patch+json";

/// Applies `patch` to `document`. The patch must be an object: a bare value would replace the resource.
pub fn apply(document: &mut Value, patch: &Value) -> Result<(), ApiError> {
    if !patch.is_object() {
        return Err(ApiError::field("", "a merge patch must be a JSON object"));
    }
    json_patch::merge(document, patch);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7396_semantics() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        apply(&mut doc, &json!({"a": "z", "c": {"f": null}})).unwrap();
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        assert!(apply(&mut doc, &json!([1])).is_err());
    }
}
