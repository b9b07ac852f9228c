//! Live segments: a program enrolled "live" follows its segment. Workers who join are enrolled (as the
//! program's re-entry policy allows), and those who leave exit ("left the segment") at once.
//!
//! Every tick reads the registry of live programs (one small platform partition) and each one's segment
//! state; when the segment's `memberChanges` moved since the program last caught up, a `Reconcile`
//! message pages through the members (enrolling who is missing) and then through the program's live
//! enrolments (exiting who is no longer a member), and records the count it caught up to. Work per change
//! is proportional to the segment, paged through the queue with a checkpoint.

use super::{Engine, Message};
use crate::error::JourneyError;
use crate::keys;
use crate::model::{Enrolment, EnrolmentSource, EnrolmentStatus};
use nudge_core::jobs::Outcome;
use nudge_core::queue::Deadline;
use nudge_core::store::{Put, Query, StoreError, Write};
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const MARGIN: std::time::Duration = std::time::Duration::from_secs(10);
const PAGE: u32 = 100;

/// A live program in the platform registry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    pub tenant_id: TenantRef,
    pub program_id: Uuid,
    pub segment_id: Uuid,
    /// The segment's `memberChanges` the program last caught up with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<i64>,
    /// A reconcile is under way for this many changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<i64>,
}

pub fn put(tenant: &TenantId, r: &Registered) -> Result<Put, StoreError> {
    Put::new(&keys::live_program(tenant, r.program_id), "LiveProgram", r)
}

/// Where a reconcile is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Stage {
    /// Enrolling members, from the members' cursor.
    Join { cursor: Option<String>, changes: i64 },
    /// Exiting who left, from the enrolments' cursor.
    Leave { cursor: Option<String>, changes: i64 },
}

/// Sends a `Reconcile` for every live program whose segment changed since; answers how many.
pub(crate) async fn tick(engine: &Engine) -> Result<usize, JourneyError> {
    let registered: Vec<Registered> = engine.store.all(&Query::partition(keys::live_programs_partition())).await?;
    let mut sent = 0;
    for mut r in registered {
        let tenant = r.tenant_id.tenant();
        let state = nudge_segments::repo::state(&engine.store, &tenant, r.segment_id).await?;
        let changes = state.member_changes;
        if r.seen == Some(changes) || r.pending == Some(changes) {
            continue;
        }
        r.pending = Some(changes);
        engine.store.write(Write::upsert(put(&tenant, &r)?)).await?;
        let stage = Stage::Join { cursor: None, changes };
        engine.queue.send_for(&tenant, &Message::Reconcile { program_id: r.program_id, stage: Some(stage) }).await?;
        sent += 1;
    }
    Ok(sent)
}

/// One reconcile, from `stage`.
pub(crate) async fn reconcile(
    engine: &Engine,
    tenant: &TenantId,
    program_id: Uuid,
    stage: Option<Stage>,
    deadline: Deadline,
) -> Result<Outcome<Message>, JourneyError> {
    let Some(program) = crate::repo::get_program(&engine.store, tenant, program_id).await? else {
        engine.store.write(Write::delete(keys::live_program(tenant, program_id))).await?;
        return Ok(Outcome::Settled);
    };
    let Some(segment) = program.live_segment_id else { return Ok(Outcome::Settled) };
    let mut stage = stage.unwrap_or(Stage::Join { cursor: None, changes: 0 });
    loop {
        if deadline.remaining() < MARGIN {
            return Ok(Outcome::Continue(Message::Reconcile { program_id, stage: Some(stage) }));
        }
        stage = match stage {
            Stage::Join { cursor, changes } => {
                let (ids, next) =
                    nudge_segments::repo::member_ids_page(&engine.store, tenant, segment, PAGE, cursor.as_deref())
                        .await?;
                super::enrol::enrol_ids(engine, tenant, &program, &ids, EnrolmentSource::LiveSegment).await?;
                match next {
                    Some(cursor) => Stage::Join { cursor: Some(cursor), changes },
                    None => Stage::Leave { cursor: None, changes },
                }
            }
            Stage::Leave { cursor, changes } => {
                let query = Query::partition(keys::enrolments_partition(tenant, program_id));
                let page: nudge_core::http::Page<Enrolment> =
                    engine.store.page(&tenant.to_string(), &query, PAGE, cursor.as_deref()).await?;
                let live: Vec<&Enrolment> = page
                    .items
                    .iter()
                    .filter(|e| e.source == EnrolmentSource::LiveSegment && !e.status.is_over())
                    .collect();
                let ids: Vec<Uuid> = live.iter().map(|e| e.worker_id).collect();
                let members = nudge_segments::repo::members_among(&engine.store, tenant, segment, &ids).await?;
                for e in live.iter().filter(|e| !members.contains(&e.worker_id)) {
                    crate::enrolments::end_one(
                        &engine.store,
                        tenant,
                        program_id,
                        e.worker_id,
                        EnrolmentStatus::Exited,
                        "left the segment",
                        engine.now(),
                    )
                    .await?;
                }
                match page.next_cursor {
                    Some(cursor) => Stage::Leave { cursor: Some(cursor), changes },
                    None => {
                        caught_up(engine, tenant, &program, segment, changes).await?;
                        return Ok(Outcome::Settled);
                    }
                }
            }
        };
    }
}

async fn caught_up(
    engine: &Engine,
    tenant: &TenantId,
    program: &crate::model::Program,
    segment: Uuid,
    changes: i64,
) -> Result<(), JourneyError> {
    let r = Registered {
        tenant_id: tenant.into(),
        program_id: program.id,
        segment_id: segment,
        seen: Some(changes),
        pending: None,
    };
    engine.store.write(Write::upsert(put(tenant, &r)?)).await?;
    Ok(())
}
