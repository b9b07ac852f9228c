//! Journey blueprints: a draft edited whole (`PUT`), published as immutable numbered versions. Publishing
//! checks what only the table knows: every touchpoint's content exists and is published and fits its
//! channel, and every named template may go out on its channel.

use crate::error::JourneyError;
use crate::input::{DesignInput, settle};
use crate::model::{Design, Journey, JourneyVersion};
use crate::repo;
use crate::rules::RuleLogic;
use chrono::{DateTime, Utc};
use nudge_content::published::{self, Body};
use nudge_content::snapshots::Snapshots;
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Query, Store, StoreError, Tx, Write};
use uuid::Uuid;

pub struct Journeys<'a> {
    pub store: &'a Store,
    pub snapshots: &'a Snapshots,
}

impl Journeys<'_> {
    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        input: DesignInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Journey, JourneyError> {
        let id = Uuid::now_v7();
        let design = settle(input, None, id, now).map_err(JourneyError::Rejected)?;
        let journey = Journey {
            id,
            design,
            published_version: None,
            published_at: None,
            draft_changed: true,
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.store.write(Write::create(repo::put_journey(tenant, &journey)?, repo::JOURNEY_EXISTS)).await?;
        Ok(journey)
    }

    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Journey, JourneyError> {
        repo::get_journey(self.store, tenant, id).await?.ok_or(JourneyError::NotFound)
    }

    /// Replaces the draft; running enrolments are on published versions and do not see it.
    pub(crate) async fn replace(
        &self,
        tenant: &TenantId,
        id: Uuid,
        input: DesignInput,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Journey, JourneyError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(JourneyError::VersionMoved);
        }
        let design = settle(input, Some(&current.design), id, now).map_err(JourneyError::Rejected)?;
        let next = Journey {
            draft_changed: true,
            design,
            updated_by: by,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        match self.store.write(Write::replace(repo::put_journey(tenant, &next)?, current.version)).await {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(JourneyError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// Publishes the draft as the next version, after checking its content against the table.
    pub(crate) async fn publish(
        &self,
        tenant: &TenantId,
        id: Uuid,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Journey, JourneyVersion), JourneyError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(JourneyError::VersionMoved);
        }
        let problems = self.check(tenant, &current.design).await?;
        if !problems.is_empty() {
            return Err(JourneyError::Rejected(problems));
        }
        let n = current.published_version.unwrap_or(0) + 1;
        let version = JourneyVersion {
            journey_id: id,
            version_number: n,
            design: current.design.clone(),
            published_by: by,
            published_at: now,
        };
        let next = Journey {
            published_version: Some(n),
            published_at: Some(now),
            draft_changed: false,
            updated_by: by,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let tx = Tx::new()
            .with(Write::replace(repo::put_journey(tenant, &next)?, current.version))
            .with(Write::create(repo::put_version(tenant, &version)?, repo::VERSION_EXISTS));
        match self.store.transact(tx).await {
            Ok(()) => Ok((next, version)),
            Err(e) if e.is_version_conflict() || matches!(e, StoreError::Condition(repo::VERSION_EXISTS)) => {
                Err(JourneyError::VersionMoved)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// What keeps `design` from being published, by the JSON pointer of its draft (as `GET` answers it).
    async fn check(&self, tenant: &TenantId, design: &Design) -> Result<Vec<FieldError>, JourneyError> {
        let mut problems = Vec::new();
        if design.touchpoint_count() == 0 {
            problems.push(FieldError::body("/phases", "a journey needs at least one touchpoint to be published"));
        }
        for (p, phase) in design.phases.iter().enumerate() {
            for (t, tp) in phase.touchpoints.iter().enumerate() {
                let at = format!("/phases/{p}/touchpoints/{t}");
                let content = published::load(self.store, self.snapshots, tenant, tp.content_id)
                    .await
                    .map_err(|e| JourneyError::Content(e.to_string()))?;
                match content {
                    None => problems.push(FieldError::body(
                        format!("{at}/contentId"),
                        "names no published content item of this organization",
                    )),
                    Some(c) => {
                        if let Body::Template(body) = &c.body
                            && template_channel(body.channel) != tp.channel.as_str()
                        {
                            problems.push(FieldError::body(
                                format!("{at}/contentId"),
                                format!(
                                    "is a template for {}, not {}",
                                    template_channel(body.channel),
                                    tp.channel.as_str()
                                ),
                            ));
                        }
                    }
                }
                if let Some(experiment) = tp.experiment_id {
                    match nudge_experiments::repo::get_experiment(self.store, tenant, experiment).await? {
                        None => problems.push(FieldError::body(
                            format!("{at}/experimentId"),
                            "names no experiment of this organization",
                        )),
                        Some(found) => {
                            // A variant branch must name one of the experiment's variants.
                            let logic = RuleLogic::parse(&tp.rule_logic, "").unwrap_or_default();
                            for (b, name) in logic.variants() {
                                if !found.variants.iter().any(|v| v.variant_name == name) {
                                    problems.push(FieldError::body(
                                        format!("{at}/ruleLogic/branch/{b}/variant"),
                                        format!("names no variant of experiment {experiment}"),
                                    ));
                                }
                            }
                        }
                    }
                }
                if let Some(template) = tp.template_id {
                    let found = nudge_content::message_template::load(self.store, tenant, template)
                        .await
                        .map_err(|e| JourneyError::Content(e.to_string()))?;
                    match found {
                        None => problems.push(FieldError::body(
                            format!("{at}/templateId"),
                            "names no message template of this organization",
                        )),
                        Some(m) => {
                            if let Err(why) = m.usable_on(tp.channel.as_str()) {
                                problems.push(FieldError::body(format!("{at}/templateId"), why.to_string()));
                            }
                        }
                    }
                }
            }
        }
        Ok(problems)
    }

    /// The published versions, newest first.
    pub async fn versions(&self, tenant: &TenantId, id: Uuid) -> Result<Vec<JourneyVersion>, JourneyError> {
        self.get(tenant, id).await?;
        let q = Query::partition(crate::keys::versions_partition(tenant, id)).newest_first();
        Ok(self.store.all(&q).await?)
    }

    pub async fn version(&self, tenant: &TenantId, id: Uuid, n: u32) -> Result<JourneyVersion, JourneyError> {
        repo::get_version(self.store, tenant, id, n).await?.ok_or(JourneyError::NotFound)
    }
}

fn template_channel(c: published::Channel) -> &'static str {
    match c {
        published::Channel::Whatsapp => "whatsapp",
        published::Channel::Sms => "sms",
        published::Channel::Email => "email",
    }
}
