//! Segments, the domain (seed 000 Segment, SegmentMembership, SegmentSyncJob; seed 003 SEGMENT,
//! WORKER_SEGMENT): groups of workers, static or defined by a rule, kept in sync in the background. The HTTP
//! routes of the `segments` function are [`http`]; the `segment-sync` consumer is [`consumer`]. Segments
//! read workers and hear of their changes through the workers' port (`impl WorkersChanged for
//! SegmentQueue`); see README.md beside this crate for the layout.

pub mod consumer;
pub mod http;
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
pub mod syncer;

pub use messages::{Message, SegmentQueue};
pub use model::{Membership, Segment, SegmentState, SegmentType, SegmentView};
