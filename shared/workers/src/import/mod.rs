//! Bulk import of workers from a CSV or JSON Lines file uploaded to S3 with a presigned URL.

pub mod chunk;
pub mod job;
pub mod rows;
pub(crate) mod run;

pub(crate) use job::ImportView;
pub use job::{ImportFormat, ImportJob, ImportStatus};
pub use run::Importer;
