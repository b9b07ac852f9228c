//! The content library below HTTP: what each route does once its input is read, and nothing of HTTP.
//! Every function answers [`ContentError`](crate::error::ContentError); the routes make it a problem.

pub(crate) mod collections;
pub(crate) mod contents;
pub(crate) mod tags;
pub(crate) mod versions;

use crate::snapshots::Snapshots;
use nudge_core::TenantId;
use nudge_core::store::Store;

/// One tenant's library: the table, and the bucket that keeps large version snapshots.
#[derive(Clone, Copy)]
pub(crate) struct Library<'a> {
    pub(crate) store: &'a Store,
    pub(crate) snapshots: &'a Snapshots,
    pub(crate) tenant: &'a TenantId,
}
