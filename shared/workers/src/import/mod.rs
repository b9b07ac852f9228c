//! Bulk import of workers from a CSV or JSON Lines file uploaded to S3 with a presigned URL.

pub mod chunk;
pub mod job;
pub mod rows;
pub mod run;

pub use job::{ImportFormat, ImportJob, ImportStatus, ImportView};
pub use run::Importer;
