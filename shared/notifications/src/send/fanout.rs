//! Fan-out: a request's recipients become deliveries a page at a time (the workers it names, the users it
//! names, then its segment's members), each page followed by `Deliver` messages for what it created. A
//! page redone (a redelivered message, a crash before the continuation) creates nothing twice: a
//! recipient's delivery is keyed by (request, recipient), and one still pending is announced again (the
//! delivery step sends each at most once).

use super::model::{Delivery, NotificationRequest, Recipient};
use super::repo;
use crate::NotificationError;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError};
use serde::{Deserialize, Serialize};

/// Recipients per fan-out page, and per `Deliver` message.
pub(crate) const PAGE: usize = 100;
pub(crate) const PER_MESSAGE: usize = 25;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    Workers,
    Users,
    Segment,
}

/// Where a fan-out goes on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FanoutCursor {
    pub stage: Stage,
    /// Position in the stage's list (workers, users).
    #[serde(default)]
    pub offset: usize,
    /// The segment members' page cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_cursor: Option<String>,
}

/// Pure: the next page of a named list from `offset`, and where to go on after it.
fn list_page(ids: &[uuid::Uuid], offset: usize, stage: Stage) -> (Vec<uuid::Uuid>, Option<FanoutCursor>) {
    let end = (offset + PAGE).min(ids.len());
    let page = ids.get(offset..end).map(<[_]>::to_vec).unwrap_or_default();
    let next = if end < ids.len() {
        FanoutCursor { stage, offset: end, segment_cursor: None }
    } else {
        FanoutCursor { stage: next_stage(stage), offset: 0, segment_cursor: None }
    };
    (page, Some(next))
}

fn next_stage(stage: Stage) -> Stage {
    match stage {
        Stage::Workers => Stage::Users,
        Stage::Users | Stage::Segment => Stage::Segment,
    }
}

/// One page of `request`'s recipients from `cursor`: their deliveries (created now, or pending from a
/// run before), and the cursor of the rest (`None`: done).
pub(crate) async fn page(
    store: &Store,
    tenant: &TenantId,
    request: &NotificationRequest,
    cursor: FanoutCursor,
) -> Result<(Vec<Recipient>, Option<FanoutCursor>), NotificationError> {
    let r = &request.recipients;
    let (recipients, next) = match cursor.stage {
        Stage::Workers => {
            let (ids, next) = list_page(&r.worker_ids, cursor.offset, Stage::Workers);
            (ids.into_iter().map(Recipient::worker).collect::<Vec<_>>(), next)
        }
        Stage::Users => {
            let (ids, next) = list_page(&r.user_ids, cursor.offset, Stage::Users);
            (ids.into_iter().map(Recipient::user).collect(), next)
        }
        Stage::Segment => match r.segment_id {
            None => (Vec::new(), None),
            Some(segment) => {
                let (ids, more) = nudge_segments::repo::member_ids_page(
                    store,
                    tenant,
                    segment,
                    PAGE as u32,
                    cursor.segment_cursor.as_deref(),
                )
                .await?;
                let next = more.map(|c| FanoutCursor { stage: Stage::Segment, offset: 0, segment_cursor: Some(c) });
                (ids.into_iter().map(Recipient::worker).collect(), next)
            }
        },
    };
    let mut pending = Vec::with_capacity(recipients.len());
    for chunk in recipients.chunks(repo::CREATE_BATCH) {
        if create_all(store, tenant, request, chunk).await? {
            pending.extend_from_slice(chunk);
            continue;
        }
        // Some exist already (a page done before): each is created or found on its own.
        for recipient in chunk {
            if let Some(recipient) = ensure(store, tenant, request, *recipient).await? {
                pending.push(recipient);
            }
        }
    }
    Ok((pending, next))
}

/// Creates every delivery of `chunk` in one transaction; `false` when one of them exists already.
async fn create_all(
    store: &Store,
    tenant: &TenantId,
    request: &NotificationRequest,
    chunk: &[Recipient],
) -> Result<bool, NotificationError> {
    let now = Utc::now();
    let deliveries: Vec<Delivery> = chunk.iter().map(|r| Delivery::new(request.id, request.channel, *r, now)).collect();
    let mut tries = 0;
    loop {
        tries += 1;
        match store.transact(repo::create_deliveries(tenant, &deliveries)?).await {
            Ok(()) => return Ok(true),
            Err(StoreError::Condition(repo::EXISTS)) => return Ok(false),
            Err(StoreError::TransactionConflict) if tries < repo::CONFLICT_TRIES => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Creates `recipient`'s delivery of `request`, or finds the one there; the recipient if it is pending.
async fn ensure(
    store: &Store,
    tenant: &TenantId,
    request: &NotificationRequest,
    recipient: Recipient,
) -> Result<Option<Recipient>, NotificationError> {
    let delivery = Delivery::new(request.id, request.channel, recipient, Utc::now());
    let mut tries = 0;
    loop {
        tries += 1;
        match store.transact(repo::create_delivery(tenant, &delivery)?).await {
            Ok(()) => return Ok(Some(recipient)),
            Err(StoreError::Condition(repo::EXISTS)) => {
                let existing = repo::get_delivery(store, tenant, request.id, &recipient).await?;
                return Ok(existing.filter(|d| d.is_free(Utc::now())).map(|_| recipient));
            }
            // A delivery step moved a count of the same shard at that moment: the write is simply again.
            Err(StoreError::TransactionConflict) if tries < repo::CONFLICT_TRIES => {}
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_lists_page_then_move_to_the_next_stage() {
        let ids: Vec<uuid::Uuid> = (0..230).map(|_| uuid::Uuid::now_v7()).collect();
        let (first, next) = list_page(&ids, 0, Stage::Workers);
        assert_eq!((first.len(), next.clone().map(|c| (c.stage, c.offset))), (100, Some((Stage::Workers, 100))));
        let (last, next) = list_page(&ids, 200, Stage::Workers);
        assert_eq!((last.len(), next.map(|c| (c.stage, c.offset))), (30, Some((Stage::Users, 0))));
        let (none, next) = list_page(&[], 0, Stage::Users);
        assert_eq!((none.len(), next.map(|c| c.stage)), (0, Some(Stage::Segment)));
    }
}
