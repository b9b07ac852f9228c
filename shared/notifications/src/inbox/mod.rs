//! The in-app inbox: each user's notifications in a tenant, read and marked by the user at
//! `/me/notifications`, created by the send pipeline through [`deliver`].
//!
//! Unread first, paginated: the notification's read state is the first letter of its index sort key
//! (`U`, `R`, `A` + its UUIDv7 id, see [`repo`]), so one descending query over one index partition lists
//! unread newest first, then read newest first, with the store's signed cursor as it is. The state is in
//! the notification's own item, so it and its index entry change in one write; no second item to keep in
//! step. Two queries stitched by a cursor were the alternative: a cursor of our own, and a second query on
//! every page that crosses from unread to read, for nothing the index does not already give. The filters
//! (`status`, `type`) are key conditions too (type on a second index), so every page is full.
//!
//! The unread count is an item beside the notifications, moved in the same transaction as every change that
//! moves it; each change is conditioned on the version it read, so a repeated or raced mark, or a
//! redelivered notification, counts once. The count is one read.
//!
//! - `model`: the notification, its type and priority, and the marks (pure; the counter's arithmetic);
//! - `repo`: keys (the layout table), the transactions, the list queries;
//! - `input`: the list's query parameters;
//! - `routes`: the HTTP edge.

mod input;
pub(crate) mod model;
pub(crate) mod repo;
pub(crate) mod routes;

pub(crate) use model::InAppNotification;
pub use model::{Link, MESSAGE_MAX, NewInApp, NotificationPriority, NotificationType, TITLE_MAX};
pub(crate) use repo::InboxStatus;
pub(crate) use routes::{ReadAllOutcome, UnreadCount};

use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError};
use uuid::Uuid;

/// Puts `new` in `user`'s inbox in `tenant`, unread and counted, once: `false` when a notification with its
/// id is there already (a redelivered message), which changes nothing. A `new` that
/// [`NewInApp::check`] refuses is [`StoreError::InvalidQuery`]: the pipeline checks it first.
pub async fn deliver(store: &Store, tenant: &TenantId, user: Uuid, new: NewInApp) -> Result<bool, StoreError> {
    new.check().map_err(StoreError::InvalidQuery)?;
    let item = InAppNotification::new(tenant, user, new, chrono::Utc::now());
    repo::create(store, tenant, &item).await
}
