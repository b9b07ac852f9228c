//! Segments (seed 000 Segment, SegmentMembership, SegmentSyncJob; seed 003 SEGMENT, WORKER_SEGMENT): groups
//! of workers, static or defined by a rule, kept in sync in the background.

pub mod consumer;
pub mod incremental;
pub mod input;
pub mod jobs;
pub mod membership;
pub mod messages;
pub mod model;
pub mod preview;
pub mod repo;
pub mod rules;
pub mod service;
pub mod sync;

pub use messages::{Message, SegmentQueue};
pub use model::{Membership, Segment, SegmentState, SegmentType, SegmentView};
