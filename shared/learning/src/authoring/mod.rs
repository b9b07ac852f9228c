//! Authoring: modules, their sections, categories and tags. Every change of a module's body (its fields
//! or any section) is written in one transaction conditioned on the module's version, which makes the
//! module the lock of its body: two authors never interleave a renumbering, and a published module's
//! `draftChanged` is set by the change that makes it true.

mod catalogue;
mod modules;
mod quizzes;
mod refs;
mod sections;

pub use catalogue::Catalogue;
pub use modules::Modules;
pub use quizzes::Quizzes;
pub use sections::{MAX_SECTIONS, Sections};

use nudge_core::http::FieldError;
use nudge_core::store::StoreError;

/// Why an authoring request is refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    #[error("not found")]
    NotFound,
    #[error("it changed meanwhile")]
    VersionMoved,
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthoringError {
    fn settle(e: StoreError) -> Self {
        if e.is_version_conflict() {
            Self::VersionMoved
        } else if nudge_media::asset::no_longer_ready(&e) {
            Self::Conflict("a media asset it names stopped being ready meanwhile".into())
        } else {
            Self::Store(e)
        }
    }
}
