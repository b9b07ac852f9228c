//! Programs: journeys run in order, and the status that says whether they run.
//!
//! `draft` → `active` ⇄ `paused` → `completed`. Activating needs at least one journey and every journey
//! published. The journeys and their order are fixed once the program left draft (enrolments hold their
//! place by index). Resuming puts every enrolment that has a next step back on the engine's schedule.

use crate::engine::Message;
use crate::error::JourneyError;
use crate::input::ProgramInput;
use crate::model::{Program, ProgramJourney, ProgramStatus, Reentry};
use crate::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::queue::Queue;
use nudge_core::store::{Store, Tx, Write};
use uuid::Uuid;

pub struct Programs<'a> {
    pub store: &'a Store,
    pub queue: &'a Queue,
}

fn allowed(from: ProgramStatus, to: ProgramStatus) -> bool {
    use ProgramStatus::*;
    from == to
        || matches!((from, to), (Draft, Active) | (Active, Paused) | (Paused, Active) | (Active | Paused, Completed))
}

impl Programs<'_> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Program, JourneyError> {
        repo::get_program(self.store, tenant, id).await?.ok_or(JourneyError::NotFound)
    }

    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        input: ProgramInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Program, JourneyError> {
        let draft = Program {
            id: Uuid::now_v7(),
            name: input.name.clone().unwrap_or_default(),
            description: None,
            start_date: None,
            end_date: None,
            status: ProgramStatus::Draft,
            journeys: Vec::new(),
            reentry: Reentry::Never,
            live_segment_id: None,
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let program = self.apply(tenant, draft, input, by, now).await?;
        let program = Program { version: 1, ..program };
        self.store.write(Write::create(repo::put_program(tenant, &program)?, "program exists")).await?;
        Ok(program)
    }

    pub(crate) async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        input: ProgramInput,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Program, JourneyError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(JourneyError::VersionMoved);
        }
        let resumed = current.status == ProgramStatus::Paused && input.status == Some(ProgramStatus::Active);
        let next = self.apply(tenant, current.clone(), input, by, now).await?;
        let mut tx = Tx::new().with(Write::replace(repo::put_program(tenant, &next)?, current.version));
        let mut posted = None;
        if resumed {
            let (entry, p) = self.queue.post_for(tenant, &Message::Resume { program_id: id, cursor: None }, now)?;
            tx.push(entry);
            posted = Some(p);
        }
        match self.store.transact(tx).await {
            Ok(()) => {}
            Err(e) if e.is_version_conflict() => return Err(JourneyError::VersionMoved),
            Err(e) => return Err(e.into()),
        }
        if let Some(p) = posted {
            p.deliver(self.store).await;
        }
        Ok(next)
    }

    /// `input` over `current`, checked (journeys of the tenant, published before activation).
    async fn apply(
        &self,
        tenant: &TenantId,
        current: Program,
        input: ProgramInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Program, JourneyError> {
        let mut problems = Vec::new();
        let mut next = current.clone();
        if let Some(name) = input.name {
            next.name = name;
        }
        if let Some(d) = input.description {
            next.description = d;
        }
        if let Some(d) = input.start_date {
            next.start_date = d;
        }
        if let Some(d) = input.end_date {
            next.end_date = d;
        }
        if let (Some(s), Some(e)) = (next.start_date, next.end_date)
            && e < s
        {
            problems.push(FieldError::body("/endDate", "must not be before startDate"));
        }
        if let Some(r) = input.reentry {
            next.reentry = r;
        }
        if let Some(ids) = input.journey_ids {
            if current.status != ProgramStatus::Draft
                && ids != current.journeys.iter().map(|j| j.journey_id).collect::<Vec<_>>()
            {
                problems.push(FieldError::body("/journeyIds", "can change only while the program is a draft"));
            }
            for (i, id) in ids.iter().enumerate() {
                if repo::get_journey(self.store, tenant, *id).await?.is_none() {
                    problems
                        .push(FieldError::body(format!("/journeyIds/{i}"), "names no journey of this organization"));
                }
            }
            next.journeys = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let kept = current.journeys.iter().find(|j| j.journey_id == *id).map(|j| j.id);
                    ProgramJourney {
                        id: kept.unwrap_or_else(Uuid::now_v7),
                        journey_id: *id,
                        order_in_program: i as u32 + 1,
                    }
                })
                .collect();
        }
        if let Some(status) = input.status {
            if !allowed(current.status, status) {
                return Err(JourneyError::Conflict(format!(
                    "a {} program cannot become {}",
                    current.status.as_str(),
                    status.as_str()
                )));
            }
            if status == ProgramStatus::Active && current.status == ProgramStatus::Draft {
                if next.journeys.is_empty() {
                    problems.push(FieldError::body("/status", "a program needs at least one journey to be activated"));
                }
                for (i, j) in next.journeys.iter().enumerate() {
                    let published = repo::get_journey(self.store, tenant, j.journey_id)
                        .await?
                        .is_some_and(|j| j.published_version.is_some());
                    if !published {
                        problems.push(FieldError::body(
                            format!("/journeyIds/{i}"),
                            "names a journey that has no published version",
                        ));
                    }
                }
            }
            next.status = status;
        }
        if !problems.is_empty() {
            return Err(JourneyError::Rejected(problems));
        }
        next.updated_by = by;
        next.updated_at = now;
        next.version = current.version + 1;
        Ok(next)
    }

    /// Makes `segment` the program's live segment (one per program), and registers it for the tick.
    pub(crate) fn go_live(
        &self,
        tenant: &TenantId,
        program: &Program,
        segment: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(Program, Tx), JourneyError> {
        let next = Program {
            live_segment_id: Some(segment),
            updated_at: now,
            version: program.version + 1,
            ..program.clone()
        };
        let entry = crate::engine::live::Registered {
            tenant_id: tenant.into(),
            program_id: program.id,
            segment_id: segment,
            seen: None,
            pending: None,
        };
        let tx = Tx::new()
            .with(Write::replace(repo::put_program(tenant, &next)?, program.version))
            .with(Write::upsert(crate::engine::live::put(tenant, &entry)?));
        Ok((next, tx))
    }
}
