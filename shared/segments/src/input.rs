//! Reading a segment from a request: what a client may write, checked field by field, every error at once,
//! as a [`SegmentError::Malformed`] or [`SegmentError::BreaksRules`] (a patch is read inside the service's
//! read-modify-write, so the refusal is the domain's; the edge words it).

use super::error::SegmentError;
use super::model::SegmentType;
use super::rules::Rule;
use nudge_core::http::{ApiError, FieldError, Fields};
use serde_json::{Map, Value};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2000;

/// The writable fields of a segment, checked.
#[derive(Clone, Debug)]
pub(crate) struct SegmentInput {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) kind: SegmentType,
    /// The rule as written, and parsed.
    pub(crate) rule: Option<(Value, Rule)>,
}

/// The refusal of the core's field reader, which only ever answers a schema error (400) or a broken rule
/// (422), as the domain's.
fn refused(err: ApiError) -> SegmentError {
    match err {
        ApiError::Invalid(errors) => SegmentError::Malformed(errors),
        ApiError::Rejected(errors) => SegmentError::BreaksRules(errors),
        other => SegmentError::Malformed(vec![FieldError::body("", other.to_string())]),
    }
}

/// Reads a whole segment document (a create, or a patch applied to the stored one).
pub(crate) fn read(doc: Value) -> Result<SegmentInput, SegmentError> {
    let mut f = Fields::new(doc).map_err(refused)?;
    let name: Option<String> = f.required("name");
    f.check("name", &name, |n| nudge_core::validate::text(n, 1, NAME_MAX));
    let name = name.map(|n| n.trim().to_owned());
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |d| {
        if d.chars().count() > DESCRIPTION_MAX {
            Err(format!("must be at most {DESCRIPTION_MAX} characters"))
        } else {
            Ok(())
        }
    });
    let kind: Option<SegmentType> = f.required("type");
    let raw: Option<Value> = f.optional("ruleDefinition");
    let pointer = f.pointer("ruleDefinition");
    let rule = match (kind, raw) {
        (Some(SegmentType::RuleBased), None) => {
            f.break_rule("ruleDefinition", "is required for a rule_based segment");
            None
        }
        (Some(SegmentType::Static), Some(_)) => {
            f.break_rule("ruleDefinition", "a static segment has no rule; its members are added by hand");
            None
        }
        // A rule is stored as written: a number the table cannot hold would fail the write.
        (_, Some(ref raw)) if let Some(n) = nudge_core::validate::unstorable_number(raw) => {
            let message = format!("holds {n}, a number the table cannot store (magnitudes from 1e-130 to 9.9e125)");
            f.break_rule("ruleDefinition", message);
            None
        }
        (_, Some(raw)) => match Rule::parse(&raw, &pointer) {
            Ok(rule) => Some((raw, rule)),
            Err(errors) => {
                // The schema states the node shapes; fields, operators and operands only in words.
                f.extend_rules(errors);
                None
            }
        },
        (_, None) => None,
    };
    f.finish().map_err(refused)?;
    match (name, kind) {
        (Some(name), Some(kind)) => Ok(SegmentInput { name, description, kind, rule }),
        _ => Err(SegmentError::Internal("segment input passed without a name or type".into())),
    }
}

/// A patch over the stored document: each top-level field given replaces the stored one (`null` removes
/// it). `ruleDefinition` is replaced whole: merging two rule trees key by key would mix their groups.
pub(crate) fn patched(mut current: Map<String, Value>, patch: Value) -> Result<Value, SegmentError> {
    let Value::Object(patch) = patch else {
        return Err(SegmentError::Malformed(vec![FieldError::body("", "must be a JSON object")]));
    };
    if let Some(kind) = patch.get("type")
        && Some(kind) != current.get("type")
    {
        return Err(SegmentError::TypeFixed);
    }
    for (name, value) in patch {
        if value.is_null() {
            current.remove(&name);
        } else {
            current.insert(name, value);
        }
    }
    Ok(Value::Object(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(err: SegmentError) -> Vec<String> {
        match err {
            SegmentError::Malformed(errors) | SegmentError::BreaksRules(errors) => {
                errors.into_iter().filter_map(|e| e.pointer).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_rule_based_segment_needs_a_valid_rule_and_a_static_one_none() {
        let ok = read(json!({"name": " Sales ", "type": "rule_based",
            "ruleDefinition": {"field": "employment.department", "op": "eq", "value": "Sales"}}))
        .unwrap();
        assert_eq!(ok.name, "Sales");
        assert!(ok.rule.is_some());
        assert_eq!(pointers(read(json!({"name": "x", "type": "rule_based"})).unwrap_err()), ["/ruleDefinition"]);
        assert_eq!(
            pointers(read(json!({"name": "x", "type": "static", "ruleDefinition": {}})).unwrap_err()),
            ["/ruleDefinition"]
        );
        let bad = read(json!({"name": "", "type": "rule_based", "extra": 1,
            "ruleDefinition": {"all": [{"field": "nope", "op": "eq", "value": 1}]}}))
        .unwrap_err();
        let p = pointers(bad);
        assert!(p.contains(&"/name".to_owned()) && p.contains(&"/extra".to_owned()), "{p:?}");
        assert!(p.iter().any(|p| p.starts_with("/ruleDefinition/all/0")), "{p:?}");
        assert_eq!(pointers(read(json!({"type": "bogus"})).unwrap_err()), ["/name", "/type"]);
        let rule_only = read(json!({"name": "x", "type": "rule_based",
            "ruleDefinition": {"field": "employment.department", "op": "gt", "value": "Sales"}}));
        assert!(
            matches!(rule_only, Err(SegmentError::BreaksRules(_))),
            "a rule of the documented shape that breaks its language: 422"
        );
        assert!(matches!(
            read(json!({"name": "x", "type": "static", "ruleDefinition": {}})),
            Err(SegmentError::BreaksRules(_))
        ));
        let tiny = read(json!({"name": "x", "type": "rule_based",
            "ruleDefinition": {"field": "performanceMetric", "op": "gt", "value": 2.69e-192}}));
        assert!(matches!(&tiny, Err(SegmentError::BreaksRules(_))), "a number the table cannot store: 422");
        assert_eq!(pointers(tiny.unwrap_err()), ["/ruleDefinition"]);
    }

    #[test]
    fn a_patch_replaces_fields_whole_and_keeps_the_type() {
        let current = json!({"name": "a", "type": "rule_based", "ruleDefinition": {"any": [1]}});
        let Value::Object(current) = current else { unreachable!() };
        let out = patched(current.clone(), json!({"ruleDefinition": {"all": []}, "description": null})).unwrap();
        assert_eq!(out["ruleDefinition"], json!({"all": []}));
        assert!(matches!(patched(current.clone(), json!({"type": "static"})), Err(SegmentError::TypeFixed)));
        assert!(matches!(patched(current.clone(), json!([1])), Err(SegmentError::Malformed(_))));
        assert!(patched(current, json!({"type": "rule_based"})).is_ok());
    }
}
