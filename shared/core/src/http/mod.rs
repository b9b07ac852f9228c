//! HTTP plumbing shared by every function.

pub mod client;
pub mod conditional;
pub mod contract;
pub mod idempotency;
pub mod input;
pub mod merge_patch;
pub mod pagination;
pub mod problem;
pub mod shapes;
pub mod update;

pub use client::{ClientInfo, SourceIp};
pub use conditional::{IfMatch, created, etag, tagged};
pub use input::{Fields, JsonBody, path_id};
pub use pagination::{ListQuery, Page};
pub use problem::{ApiError, ApiResult, FieldError};
