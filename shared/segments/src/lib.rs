//! Segments, the domain (seed 000 Segment, SegmentMembership, SegmentSyncJob; seed 003 SEGMENT,
//! WORKER_SEGMENT): groups of workers, static or defined by a rule, kept in sync in the background. Segments
//! read workers and hear of their changes through the workers' port (`impl WorkersChanged for
//! SegmentQueue`).
//!
//! Where things live, layered http → service → repo → store (errors become problems only in `http`):
//! - model: [`model`] (segments, their state, memberships), [`rules`] (the rule language: parse → typed
//!   AST → compile → explain);
//! - input: `input` reads a segment document, every bad field by its pointer;
//! - service: `service` (create, patch, delete, members by hand, starting syncs), `membership` (exact
//!   membership writes that keep `workerCount` true), `preview`;
//! - keys and storage: [`repo`] (the key table at its top; claims and releases of a segment's sync, whose
//!   write conditions are read back only there), [`jobs`] (sync job records);
//! - background: [`sync`] (a sync job's pages and checkpoints), [`incremental`] (re-evaluating changed
//!   workers), [`syncer`] (every message of the segment sync queue, a `nudge_core::jobs::Job`
//!   that `functions/segment-sync` composes);
//!   [`messages`] is what travels on that queue;
//! - http: [`http`] (routes, request bodies as documented, and `http::error`, the `From<SegmentError> for
//!   ApiError` that decides every status and problem);
//! - errors: [`error`] ([`SegmentError`], and [`error::SyncError`] for what fails a queue message).

pub mod error;
pub mod http;
pub mod incremental;
mod input;
pub mod jobs;
mod membership;
pub mod messages;
pub mod model;
mod preview;
pub mod repo;
pub mod rules;
mod service;
pub mod sync;
pub mod syncer;

pub use error::SegmentError;
pub use messages::{Message, SegmentQueue};
pub use model::{Segment, SegmentState, SegmentType};
