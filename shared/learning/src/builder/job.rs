//! A build on the learning queue (`Message::Build`): the document read from the media bucket, its text
//! extracted and outlined, shaped by the language-model step when there is one, and the draft module
//! written with its sections and the completed build in one transaction.
//!
//! Redelivery changes nothing twice: a finished build is left alone, and the module's id is derived from
//! the build's and created only if absent, in the same transaction that completes the build, so a crash at
//! any point and a retry never make two modules. What the document makes impossible (not a DOCX, no text,
//! too large) fails the build with that reason at once; what may pass (the table, the bucket) is retried by
//! the queue, and a build whose message keeps failing is failed by [`fail`] on its last receive.

use super::model::{self, DraftSection, ModuleBuild, ModuleBuildSource, ModuleBuildStatus, Outline};
use super::{extract, service, structure};
use crate::model::{Module, Section, SectionType};
use crate::repo;
use crate::schedule::{ScheduleError, Scheduler};
use nudge_core::TenantId;
use nudge_core::store::{Tx, Write};
use uuid::Uuid;

/// The time a build may take: reading and writing take seconds; a language model's answer up to its own
/// timeout (25 s on Bedrock).
pub(crate) fn time_needed(s: &Scheduler) -> std::time::Duration {
    std::time::Duration::from_secs(if s.structurer.enabled() { 35 } else { 10 })
}

/// What the document makes: the module's title and sections, and whether the model shaped them.
struct Plan {
    title: String,
    sections: Vec<DraftSection>,
    ai_structured: bool,
}

pub(crate) async fn run(s: &Scheduler, tenant: &TenantId, id: Uuid) -> Result<(), ScheduleError> {
    let Some(current): Option<ModuleBuild> = s.store.get(&crate::keys::module_build(tenant, id)).await? else {
        return Ok(());
    };
    if current.status.is_finished() {
        return Ok(());
    }
    let build = if current.status == ModuleBuildStatus::Pending {
        let next = current.revised(s.clock.now(), |b| b.status = ModuleBuildStatus::Processing);
        s.store.write(Write::replace(service::put(tenant, &next)?, current.version)).await?;
        next
    } else {
        current
    };
    match plan(s, tenant, &build).await? {
        Ok(plan) => complete(s, tenant, &build, plan).await,
        Err(reason) => settle_failed(s, tenant, &build, &reason).await,
    }
}

fn unreadable(e: nudge_core::objects::ObjectError) -> ScheduleError {
    ScheduleError::Conflict(format!("reading the document: {e}"))
}

/// The module the build's document makes; `Ok(Err(reason))` when the document cannot make one.
async fn plan(s: &Scheduler, tenant: &TenantId, build: &ModuleBuild) -> Result<Result<Plan, String>, ScheduleError> {
    let Some(asset) = service::asset(&s.store, tenant, build.media_asset_id).await? else {
        return Ok(Err("the document's media asset no longer exists".into()));
    };
    if let Err(why) = asset.source() {
        return Ok(Err(format!("the document {why}")));
    }
    let too_large = || format!("the document is larger than {} MB", extract::MAX_DOCUMENT_BYTES / 1024 / 1024);
    let object = nudge_media::asset::original_object(tenant, asset.id);
    match s.objects.head(&object).await.map_err(unreadable)? {
        None => return Ok(Err("the document's file is no longer stored".into())),
        Some(head) if head.size > extract::MAX_DOCUMENT_BYTES => return Ok(Err(too_large())),
        Some(_) => {}
    }
    let bytes = s.objects.get(&object).await.map_err(unreadable)?;
    if bytes.len() as u64 > extract::MAX_DOCUMENT_BYTES {
        return Ok(Err(too_large()));
    }
    let blocks = match build.source_type {
        ModuleBuildSource::Docx => extract::docx(&bytes),
        ModuleBuildSource::Pdf => extract::pdf(&bytes),
    };
    let blocks = match blocks {
        Ok(blocks) => blocks,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let outline = model::outline(&blocks, build.title.as_deref(), &asset.file_name);
    if !outline.has_text() {
        return Ok(Err(extract::ExtractError::NoText.to_string()));
    }
    let (outline, ai_structured) = shape(s, build, outline).await;
    let sections = model::draft_sections(&outline);
    Ok(Ok(Plan { title: model::clip(&outline.title, model::MAX_TITLE), sections, ai_structured }))
}

/// The outline after the language-model step, and whether the step shaped it (a failed or unusable step
/// keeps the document's own outline).
async fn shape(s: &Scheduler, build: &ModuleBuild, outline: Outline) -> (Outline, bool) {
    if !build.structure_with_ai || !s.structurer.enabled() {
        return (outline, false);
    }
    match s.structurer.structure(&outline).await.and_then(structure::accept) {
        Ok(mut better) => {
            // A title the author asked for is theirs to keep.
            if let Some(asked) = &build.title {
                better.title.clone_from(asked);
            }
            (better, true)
        }
        Err(e) => {
            tracing::warn!(build_id = %build.id, structurer = s.structurer.name(), error = %e,
                "the language-model step failed; the document's own structure is kept");
            (outline, false)
        }
    }
}

async fn complete(s: &Scheduler, tenant: &TenantId, build: &ModuleBuild, plan: Plan) -> Result<(), ScheduleError> {
    let now = s.clock.now();
    let module_id = build.module_id();
    let mut tx = Tx::new();
    let section_count = match repo::get_module(&s.store, tenant, module_id).await? {
        // Made by an earlier run whose completion of the build was lost: it is the draft, as it is now.
        Some(_) => repo::sections(&s.store, tenant, module_id).await?.len(),
        None => {
            let module =
                Module { version: 1, ..Module::draft(module_id, plan.title.clone(), Some(build.created_by_id), now) };
            tx.push(Write::create(repo::put_module(tenant, &module)?, repo::MODULE_EXISTS));
            for (n, d) in plan.sections.iter().enumerate() {
                let section = Section {
                    id: model::draft_section_id(module_id, n),
                    module_id,
                    title: d.title.clone(),
                    content: d.content.clone(),
                    section_type: SectionType::Text,
                    sort_order: u32::try_from(n + 1).unwrap_or(u32::MAX),
                    media_asset_id: None,
                    video_source: None,
                    video_url: None,
                    video_status: None,
                    attachments: Vec::new(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                tx.push(Write::create(repo::put_section(tenant, &section)?, "section exists"));
            }
            plan.sections.len()
        }
    };
    let done = build.revised(now, |b| {
        b.status = ModuleBuildStatus::Completed;
        b.module_id = Some(module_id);
        b.section_count = u32::try_from(section_count).unwrap_or(u32::MAX);
        b.ai_structured = plan.ai_structured;
        b.error = None;
        b.completed_at = Some(now);
    });
    tx.push(Write::replace(service::put(tenant, &done)?, build.version));
    s.store.transact(tx).await?;
    tracing::info!(build_id = %build.id, module_id = %module_id, sections = section_count,
        ai_structured = plan.ai_structured, "module built");
    Ok(())
}

async fn settle_failed(
    s: &Scheduler,
    tenant: &TenantId,
    build: &ModuleBuild,
    reason: &str,
) -> Result<(), ScheduleError> {
    let failed = build.revised(s.clock.now(), |b| {
        b.status = ModuleBuildStatus::Failed;
        b.error = Some(reason.chars().take(500).collect());
    });
    s.store.write(Write::replace(service::put(tenant, &failed)?, build.version)).await?;
    tracing::info!(build_id = %build.id, reason, "module build failed");
    Ok(())
}

/// Records the build failed (its message kept failing); a finished build is left as it is.
pub(crate) async fn fail(s: &Scheduler, tenant: &TenantId, id: Uuid, reason: &str) -> Result<(), ScheduleError> {
    let Some(current): Option<ModuleBuild> = s.store.get(&crate::keys::module_build(tenant, id)).await? else {
        return Ok(());
    };
    if current.status.is_finished() {
        return Ok(());
    }
    settle_failed(s, tenant, &current, reason).await
}
