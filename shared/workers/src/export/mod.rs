//! Bulk export of workers to a CSV or JSON Lines file in S3, written in checkpointed multipart uploads
//! and downloaded with a presigned URL. The CSV has the import's columns, so an export re-imports as is.

pub mod job;
pub(crate) mod rows;
pub mod run;

pub(crate) use job::ExportView;
pub use job::{ExportFormat, ExportJob, ExportStatus};
pub use run::{ExportMessage, ExportQueue, Exporter};
