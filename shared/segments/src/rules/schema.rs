//! The OpenAPI schema of a rule: recursive, so written by hand as a `oneOf` of the four node shapes whose
//! groups refer back to `SegmentRule`.

use super::node::Rule;
use super::op::Op;
use serde_json::json;
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

const NAME: &str = "SegmentRule";

const DESCRIPTION: &str = "A segment rule: a node is exactly one of {\"all\": [node, ...]} (every child matches), \
{\"any\": [node, ...]} (at least one matches), {\"not\": node} (the child does not match), or a condition \
{\"field\": path, \"op\": operator, \"value\": ...}. GET /segments/fields lists the fields, their types and \
operators. Values: eq/neq one value; in/notIn a non-empty array of at most 500; between [low, high], inclusive; \
withinLastDays/olderThanDays whole days, 1 to 36500; hasAny/hasAll an array of strings; contains/startsWith a \
non-blank string; exists/missing no value. Text compares without regard to case or spacing. A condition on a \
field the worker does not have is false, except missing, neq and notIn, which are true. Groups nest at most 6 \
deep; a rule has at most 100 conditions.";

fn open_object() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(AdditionalProperties::FreeForm(false)))
}

fn group(key: &str) -> ObjectBuilder {
    let children = ArrayBuilder::new().items(RefOr::from(Ref::from_schema_name(NAME))).min_items(Some(1));
    open_object().property(key, children).required(key)
}

impl PartialSchema for Rule {
    fn schema() -> RefOr<Schema> {
        let ops: Vec<&str> = Op::ALL.iter().map(|op| op.name()).collect();
        let condition = open_object()
            .property("field", ObjectBuilder::new().schema_type(Type::String).examples(["employment.department"]))
            .property("op", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(ops)))
            .property(
                "value",
                ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .description(Some("The operand; its shape depends on op.")),
            )
            .required("field")
            .required("op");
        let not = open_object().property("not", Ref::from_schema_name(NAME)).required("not");
        OneOfBuilder::new()
            .item(group("all"))
            .item(group("any"))
            .item(not)
            .item(condition)
            .description(Some(DESCRIPTION))
            .examples([json!({"all": [
                {"field": "employment.department", "op": "eq", "value": "Sales"},
                {"field": "contact.whatsappOptInStatus", "op": "eq", "value": "opted_in"},
                {"not": {"field": "tags", "op": "contains", "value": "on-leave"}},
            ]})])
            .into()
    }
}

impl ToSchema for Rule {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_refer_back_to_the_rule() {
        let schema = serde_json::to_value(Rule::schema()).unwrap_or_default();
        let text = schema.to_string();
        assert!(text.contains("#/components/schemas/SegmentRule"));
        assert_eq!(schema["oneOf"].as_array().map(Vec::len), Some(4));
        assert!(schema["description"].as_str().is_some_and(|d| d.contains("exactly one of")));
        assert_eq!(Rule::name(), "SegmentRule");
    }
}
