//! The edge: the one place a segments error becomes a problem (status, wording, field pointers). Store
//! errors the domain left untyped get the core's mapping.

use crate::error::SegmentError;
use nudge_core::http::{ApiError, FieldError};

impl From<SegmentError> for ApiError {
    fn from(err: SegmentError) -> Self {
        match err {
            SegmentError::Malformed(errors) => ApiError::Invalid(errors),
            SegmentError::BreaksRules(errors) => ApiError::Rejected(errors),
            SegmentError::NotFound => ApiError::NotFound,
            SegmentError::VersionMoved => ApiError::PreconditionFailed,
            SegmentError::TypeFixed => ApiError::rule("/type", "cannot change; create a new segment of the other type"),
            SegmentError::UnknownWorkers(at) => ApiError::Rejected(
                at.into_iter()
                    .map(|i| FieldError::body(format!("/workerIds/{i}"), "is not a worker of this organization"))
                    .collect(),
            ),
            SegmentError::NoRule => ApiError::Conflict(
                "a static segment has no rule to sync; add or remove its members by hand".into(),
                vec![],
            ),
            SegmentError::TooManyRules(max) => ApiError::Conflict(
                format!("the organization has {max} rule-based segments, the most it may; delete one first"),
                vec![],
            ),
            SegmentError::SyncContended => {
                ApiError::Conflict("the segment's sync is changing too fast; retry".into(), vec![])
            }
            SegmentError::MembersContended => {
                ApiError::Conflict("the segment's members are changing too fast; retry".into(), vec![])
            }
            SegmentError::Internal(context) => ApiError::Internal(context),
            SegmentError::Store(e) => e.into(),
            SegmentError::Queue(e) => ApiError::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::store::StoreError;
    use serde_json::json;

    #[test]
    fn each_error_has_its_status() {
        let field = || vec![FieldError::body("/name", "is required")];
        let cases = [
            (SegmentError::Malformed(field()), 400),
            (SegmentError::BreaksRules(field()), 422),
            (SegmentError::NotFound, 404),
            (SegmentError::VersionMoved, 412),
            (SegmentError::TypeFixed, 422),
            (SegmentError::UnknownWorkers(vec![1]), 422),
            (SegmentError::NoRule, 409),
            (SegmentError::SyncContended, 409),
            (SegmentError::TooManyRules(100), 409),
            (SegmentError::MembersContended, 409),
            (SegmentError::Internal("a bug".into()), 500),
            (SegmentError::Store(StoreError::Contended), 409),
            (SegmentError::Store(StoreError::Sdk { op: "Query", message: "timeout".into() }), 500),
        ];
        for (err, status) in cases {
            let shown = format!("{err:?}");
            assert_eq!(ApiError::from(err).status().as_u16(), status, "{shown}");
        }
    }

    #[test]
    fn refusals_point_at_their_fields() {
        let problem = |err| serde_json::to_value(ApiError::from(err).problem()).unwrap_or_default();
        let unknown = problem(SegmentError::UnknownWorkers(vec![0, 3]));
        assert_eq!(
            unknown["errors"],
            json!([
                {"pointer": "/workerIds/0", "message": "is not a worker of this organization"},
                {"pointer": "/workerIds/3", "message": "is not a worker of this organization"}
            ])
        );
        let fixed = problem(SegmentError::TypeFixed);
        assert_eq!(fixed["type"], "https://nudge.dev/problems/rule-violated");
        assert_eq!(fixed["errors"][0]["pointer"], "/type");
        let static_sync = problem(SegmentError::NoRule);
        assert_eq!(static_sync["detail"], "a static segment has no rule to sync; add or remove its members by hand");
    }
}
