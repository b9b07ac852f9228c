//! Schemas of values that field attributes cannot describe: the items of an array. Use them with
//! `#[schema(inline)]` on the field (`tags: Option<Vec<NonBlank<50>>>`), so the document states each item's
//! constraints where the array is.

use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// Text of at most `MAX` characters with a character that is not white space ([`crate::validate::text`]
/// with a minimum of 1).
pub struct NonBlank<const MAX: usize>(pub String);

impl<const MAX: usize> PartialSchema for NonBlank<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).max_length(Some(MAX)).pattern(Some(r"\S")).into()
    }
}

impl<const MAX: usize> ToSchema for NonBlank<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("NonBlank{MAX}"))
    }
}

/// Text of `MIN` to `MAX` characters, any characters.
pub struct Sized<const MIN: usize, const MAX: usize>(pub String);

impl<const MIN: usize, const MAX: usize> PartialSchema for Sized<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).min_length(Some(MIN)).max_length(Some(MAX)).into()
    }
}

impl<const MIN: usize, const MAX: usize> ToSchema for Sized<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Text{MIN}To{MAX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_state_their_constraints() {
        let json = serde_json::to_value(NonBlank::<50>::schema()).unwrap();
        assert_eq!(json, serde_json::json!({"type": "string", "maxLength": 50, "pattern": r"\S"}));
        let json = serde_json::to_value(Sized::<1, 64>::schema()).unwrap();
        assert_eq!(json, serde_json::json!({"type": "string", "minLength": 1, "maxLength": 64}));
    }
}
