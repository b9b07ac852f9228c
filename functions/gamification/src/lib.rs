//! The composition root of the gamification function: its API over the table, with the notifications
//! queue (XP and reward notices), learning's groups (group leaderboards) and segment sync (told of a
//! worker's points).

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::config::{ConfigError, Env};
use nudge_core::store::{Store, StoreError};
use nudge_gamification::groups::GroupMembers;
use nudge_learning::groups::{GroupError, Groups};
use nudge_segments::SegmentQueue;
use nudge_workers::WorkerEvents;
use std::sync::Arc;
use uuid::Uuid;

/// Learning's groups, answering gamification's port.
struct LearningGroups(Store);

impl GroupMembers for LearningGroups {
    fn members<'a>(
        &'a self,
        tenant: &'a TenantId,
        group: Uuid,
    ) -> BoxFuture<'a, Result<Option<Vec<Uuid>>, StoreError>> {
        Box::pin(async move {
            let groups = Groups { store: &self.0 };
            let found = match groups.get(tenant, group).await {
                Ok(_) => groups.members(tenant, group).await,
                Err(e) => Err(e),
            };
            match found {
                Ok(members) => Ok(Some(members.into_iter().map(|m| m.user_id).collect())),
                Err(GroupError::NotFound) => Ok(None),
                Err(GroupError::Store(e)) => Err(e),
                Err(other) => Err(StoreError::Decode(other.to_string())),
            }
        })
    }
}

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let deps = nudge_gamification::http::Deps {
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        groups: Arc::new(LearningGroups(ctx.store.clone())),
        workers: WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?)),
    };
    Ok(nudge_gamification::http::router(ctx, deps))
}
