//! The only place a journeys error becomes a problem.

use crate::error::JourneyError;
use nudge_core::http::ApiError;

impl From<JourneyError> for ApiError {
    fn from(e: JourneyError) -> Self {
        match e {
            JourneyError::NotFound => ApiError::NotFound,
            JourneyError::VersionMoved => ApiError::PreconditionFailed,
            JourneyError::Rejected(errors) => ApiError::Rejected(errors),
            JourneyError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            JourneyError::Store(nudge_core::store::StoreError::Contended) => {
                ApiError::Conflict("the resource kept changing; try again".into(), Vec::new())
            }
            other => ApiError::internal(other),
        }
    }
}
