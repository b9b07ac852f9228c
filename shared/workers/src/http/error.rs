//! The edge: the one place a workers error becomes a problem (status, wording, field pointers). Store
//! errors the domain left untyped get the core's mapping.

use crate::error::{TAKEN, UNKNOWN_USER, Unique, WorkerError};
use nudge_core::http::{ApiError, FieldError};

impl From<WorkerError> for ApiError {
    fn from(err: WorkerError) -> Self {
        match err {
            WorkerError::Malformed(errors) => ApiError::Invalid(errors),
            WorkerError::BreaksRules(errors) => ApiError::Rejected(errors),
            WorkerError::NotFound => ApiError::NotFound,
            WorkerError::VersionMoved => ApiError::PreconditionFailed,
            WorkerError::Taken(unique) => {
                let detail = match unique {
                    Unique::PrimaryPhoneNumber => "another worker has this phone number",
                    Unique::ExternalId => "another worker has this external id",
                    Unique::UserId => "another worker is linked to this user",
                };
                ApiError::Conflict(detail.into(), vec![FieldError::body(unique.pointer(), TAKEN)])
            }
            WorkerError::Supervisor(why) => ApiError::rule("/supervisorId", why.to_string()),
            WorkerError::UnknownUser => ApiError::rule("/userId", UNKNOWN_USER),
            WorkerError::ChainMoved => {
                ApiError::Conflict("the supervisor chain changed meanwhile; retry".into(), vec![])
            }
            WorkerError::Internal(context) => ApiError::Internal(context),
            WorkerError::Store(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SupervisorRefusal;
    use nudge_core::store::StoreError;
    use serde_json::json;

    fn problem(err: WorkerError) -> serde_json::Value {
        serde_json::to_value(ApiError::from(err).problem()).unwrap_or_default()
    }

    #[test]
    fn each_error_has_its_status() {
        let field = || vec![FieldError::body("/firstName", "is required")];
        let cases = [
            (WorkerError::Malformed(field()), 400),
            (WorkerError::BreaksRules(field()), 422),
            (WorkerError::NotFound, 404),
            (WorkerError::VersionMoved, 412),
            (WorkerError::Taken(Unique::ExternalId), 409),
            (WorkerError::Supervisor(SupervisorRefusal::Cycle), 422),
            (WorkerError::Taken(Unique::UserId), 409),
            (WorkerError::UnknownUser, 422),
            (WorkerError::ChainMoved, 409),
            (WorkerError::Internal("a bug".into()), 500),
            (WorkerError::Store(StoreError::TransactionConflict), 409),
            (WorkerError::Store(StoreError::Decode("bad item".into())), 500),
        ];
        for (err, status) in cases {
            let shown = format!("{err:?}");
            assert_eq!(ApiError::from(err).status().as_u16(), status, "{shown}");
        }
    }

    #[test]
    fn conflicts_and_refusals_name_their_field() {
        let taken = problem(WorkerError::Taken(Unique::PrimaryPhoneNumber));
        assert_eq!(taken["detail"], "another worker has this phone number");
        assert_eq!(
            taken["errors"],
            json!([{"pointer": "/contact/primaryPhoneNumber", "message": "is already another worker's"}])
        );
        let unknown = problem(WorkerError::Supervisor(SupervisorRefusal::Unknown));
        assert_eq!(unknown["type"], "https://nudge.dev/problems/rule-violated");
        assert_eq!(
            unknown["errors"],
            json!([{"pointer": "/supervisorId", "message": "names no worker of this organization"}])
        );
        let linked = problem(WorkerError::Taken(Unique::UserId));
        assert_eq!(linked["detail"], "another worker is linked to this user");
        assert_eq!(linked["errors"], json!([{"pointer": "/userId", "message": "is already another worker's"}]));
        let stranger = problem(WorkerError::UnknownUser);
        assert_eq!(stranger["type"], "https://nudge.dev/problems/rule-violated");
        assert_eq!(
            stranger["errors"],
            json!([{"pointer": "/userId", "message": "names no user of this organization"}])
        );
        let deep = problem(WorkerError::Supervisor(SupervisorRefusal::TooDeep));
        assert_eq!(deep["errors"][0]["message"], "would make the chain of supervisors longer than 20");
    }

    /// An import row refused by the store reads as the API would answer the same refusal.
    #[test]
    fn the_import_words_store_refusals_as_the_api_does() {
        let refusals = [
            StoreError::Condition("worker"),
            StoreError::Condition("version"),
            StoreError::TransactionConflict,
            StoreError::Contended,
        ];
        for e in refusals {
            let row = crate::import::run::store_refusal(&e);
            assert_eq!(row, Some(ApiError::from(e).problem().detail));
        }
        assert_eq!(crate::import::run::store_refusal(&StoreError::Decode("x".into())), None);
    }
}
