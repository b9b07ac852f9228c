//! Segments (seed 000 Segment, SegmentMembership, SegmentSyncJob; seed 003 SEGMENT, WORKER_SEGMENT): groups
//! of workers, static or defined by a rule, kept in sync in the background.

pub mod rules;
