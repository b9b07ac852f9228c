//! Reading requests (edge): every bad field named at once, into domain types. Rules that need the table
//! (content that exists and is published, a segment of the tenant) are the services'.

use crate::model::{Design, Phase, ProgramStatus, Reentry, Touchpoint, TouchpointChannel};
use crate::rules::{ExitRules, GoTo, RuleLogic};
use chrono::{DateTime, NaiveDate, Utc};
use nudge_core::http::ApiError;
use nudge_core::http::input::Fields;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_PHASES: usize = 20;
pub const MAX_TOUCHPOINTS: usize = 100;
pub const MAX_JOURNEYS_IN_PROGRAM: usize = 20;
pub const MAX_WORKER_IDS: usize = 1000;
const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 2000;

/// `POST /journeys` and `PUT /journeys/{id}` (the whole draft).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct JourneyWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(max_length = 2000)]
    purpose: Option<String>,
    /// In order: a phase's `sequenceOrder` is its place (1, 2, …). At most 20 phases and 100 touchpoints.
    #[schema(max_items = 20)]
    phases: Option<Vec<PhaseWrite>>,
    /// `{"rule": <segment rule>, "onDeactivation": true}`.
    #[schema(value_type = Option<Object>)]
    exit_rules: Option<Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PhaseWrite {
    /// Keep a phase's id by naming it; a phase without one is new.
    id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[schema(max_items = 100)]
    touchpoints: Option<Vec<TouchpointWrite>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct TouchpointWrite {
    /// Keep a touchpoint's id (and its progress figures) by naming it; one without is new.
    id: Option<Uuid>,
    content_id: Uuid,
    channel: TouchpointChannel,
    template_id: Option<Uuid>,
    /// An experiment of this organization whose variants' content the touchpoint sends.
    experiment_id: Option<Uuid>,
    #[schema(value_type = Option<Object>)]
    rule_logic: Option<Value>,
}

/// A design as read, before ids are settled against the draft.
pub(crate) struct DesignInput {
    pub title: String,
    pub purpose: Option<String>,
    pub phases: Vec<PhaseInput>,
    pub exit_rules: Option<Value>,
}

pub(crate) struct PhaseInput {
    pub id: Option<Uuid>,
    pub name: String,
    pub touchpoints: Vec<TouchpointInput>,
}

pub(crate) struct TouchpointInput {
    pub id: Option<Uuid>,
    pub content_id: Uuid,
    pub channel: TouchpointChannel,
    pub template_id: Option<Uuid>,
    pub experiment_id: Option<Uuid>,
    pub rule_logic: Value,
    pub logic: RuleLogic,
}

pub(crate) fn read_design(body: Value) -> Result<DesignInput, ApiError> {
    let mut f = Fields::new(body)?;
    let title = f.text("title", TITLE_MAX, true);
    let purpose = f.text("purpose", TEXT_MAX, false);
    let exit_rules: Option<Value> = f.optional("exitRules");
    if let Some(doc) = &exit_rules
        && let Err(errors) = ExitRules::parse(doc, &f.pointer("exitRules"))
    {
        f.extend_rules(errors);
    }
    let raw: Option<Vec<Value>> = f.optional("phases");
    let raw = raw.unwrap_or_default();
    if raw.len() > MAX_PHASES {
        f.reject("phases", format!("must have at most {MAX_PHASES} phases"));
    }
    let mut phases = Vec::new();
    let mut total = 0;
    for (p, value) in raw.into_iter().enumerate().take(MAX_PHASES) {
        let at = format!("{}/{p}", f.pointer("phases"));
        let mut pf = match Fields::at(&at, value) {
            Ok(pf) => pf,
            Err(e) => {
                f.extend(vec![e]);
                continue;
            }
        };
        let id: Option<Uuid> = pf.optional("id");
        let name = pf.text("name", TITLE_MAX, true);
        let raw_tps: Option<Vec<Value>> = pf.optional("touchpoints");
        let mut touchpoints = Vec::new();
        for (t, value) in raw_tps.unwrap_or_default().into_iter().enumerate() {
            total += 1;
            let at = format!("{}/{t}", pf.pointer("touchpoints"));
            let mut tf = match Fields::at(&at, value) {
                Ok(tf) => tf,
                Err(e) => {
                    pf.extend(vec![e]);
                    continue;
                }
            };
            let id: Option<Uuid> = tf.optional("id");
            let content_id: Option<Uuid> = tf.required("contentId");
            let channel: Option<TouchpointChannel> = tf.required("channel");
            let template_id: Option<Uuid> = tf.optional("templateId");
            let experiment_id: Option<Uuid> = tf.optional("experimentId");
            let rule_logic: Value = tf.optional("ruleLogic").unwrap_or_else(|| Value::Object(Default::default()));
            let logic = match RuleLogic::parse(&rule_logic, &tf.pointer("ruleLogic")) {
                Ok(logic) => Some(logic),
                Err(errors) => {
                    tf.extend_rules(errors);
                    None
                }
            };
            if let Some(logic) = &logic {
                if logic.wait_for.is_some() && total == 1 {
                    tf.break_rule_at(
                        format!("{}/waitFor", tf.pointer("ruleLogic")),
                        "the journey's first touchpoint has nothing before it to wait for",
                    );
                }
                for (b, branch) in logic.branch.iter().enumerate() {
                    if let GoTo::Phase(n) = branch.go_to
                        && (n as usize <= p + 1 || n as usize > MAX_PHASES)
                    {
                        tf.break_rule_at(
                            format!("{}/branch/{b}/goTo", tf.pointer("ruleLogic")),
                            "must name a later phase by its sequenceOrder (branches only go forward)",
                        );
                    }
                }
                if experiment_id.is_none() {
                    for (b, _) in logic.variants() {
                        tf.break_rule_at(
                            format!("{}/branch/{b}/variant", tf.pointer("ruleLogic")),
                            "splits by variant: the touchpoint must name an experimentId",
                        );
                    }
                }
            }
            pf.absorb(tf);
            if let (Some(content_id), Some(channel), Some(logic)) = (content_id, channel, logic) {
                touchpoints.push(TouchpointInput {
                    id,
                    content_id,
                    channel,
                    template_id,
                    experiment_id,
                    rule_logic,
                    logic,
                });
            }
        }
        f.absorb(pf);
        if let Some(name) = name {
            phases.push(PhaseInput { id, name, touchpoints });
        }
    }
    if total > MAX_TOUCHPOINTS {
        f.reject("phases", format!("must have at most {MAX_TOUCHPOINTS} touchpoints in all"));
    }
    // Branches name phases by place: one naming a phase the journey does not have breaks a rule.
    let count = phases.len() as u32;
    for (p, phase) in phases.iter().enumerate() {
        for (t, tp) in phase.touchpoints.iter().enumerate() {
            for (b, branch) in tp.logic.branch.iter().enumerate() {
                if let GoTo::Phase(n) = branch.go_to
                    && n > count
                    && n as usize > p + 1
                {
                    f.break_rule_at(
                        format!("/phases/{p}/touchpoints/{t}/ruleLogic/branch/{b}/goTo"),
                        format!("the journey has {count} phases"),
                    );
                }
            }
        }
    }
    f.finish()?;
    let title = title.ok_or_else(|| ApiError::internal("a read journey has no title"))?;
    Ok(DesignInput { title, purpose, phases, exit_rules })
}

/// Settles the ids of `input` against the draft `previous`: a named id must be one of the draft's
/// (else a broken rule at its pointer); a new phase or touchpoint gets a new id.
pub(crate) fn settle(
    input: DesignInput,
    previous: Option<&Design>,
    journey: Uuid,
    now: DateTime<Utc>,
) -> Result<Design, Vec<nudge_core::http::FieldError>> {
    let mut unknown = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut phases = Vec::with_capacity(input.phases.len());
    for (p, phase) in input.phases.into_iter().enumerate() {
        let id = match phase.id {
            Some(id) if previous.is_some_and(|d| d.phases.iter().any(|x| x.id == id)) && seen.insert(id) => id,
            Some(_) => {
                unknown.push(nudge_core::http::FieldError::body(
                    format!("/phases/{p}/id"),
                    "names no phase of this journey's draft (or names one twice)",
                ));
                continue;
            }
            None => Uuid::now_v7(),
        };
        let id_of_phase = id;
        let mut touchpoints = Vec::with_capacity(phase.touchpoints.len());
        for (t, tp) in phase.touchpoints.into_iter().enumerate() {
            let old = tp.id.and_then(|id| previous.and_then(|d| d.touchpoints().map(|(_, x)| x).find(|x| x.id == id)));
            let (id, created_at) = match (tp.id, old) {
                (Some(id), Some(old)) if seen.insert(id) => (id, old.created_at),
                (Some(_), _) => {
                    unknown.push(nudge_core::http::FieldError::body(
                        format!("/phases/{p}/touchpoints/{t}/id"),
                        "names no touchpoint of this journey's draft (or names one twice)",
                    ));
                    continue;
                }
                (None, _) => (Uuid::now_v7(), now),
            };
            let unchanged = old.is_some_and(|o| {
                o.content_id == tp.content_id
                    && o.channel == tp.channel
                    && o.template_id == tp.template_id
                    && o.experiment_id == tp.experiment_id
                    && o.rule_logic == tp.rule_logic
            });
            let updated_at = if unchanged { old.map_or(now, |o| o.updated_at) } else { now };
            touchpoints.push(Touchpoint {
                id,
                phase_id: id_of_phase,
                content_id: tp.content_id,
                channel: tp.channel,
                template_id: tp.template_id,
                experiment_id: tp.experiment_id,
                rule_logic: tp.rule_logic,
                created_at,
                updated_at,
            });
        }
        phases.push(Phase {
            id,
            journey_blueprint_id: journey,
            name: phase.name,
            sequence_order: p as u32 + 1,
            touchpoints,
        });
    }
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(Design { title: input.title, purpose: input.purpose, phases, exit_rules: input.exit_rules })
}

/// `POST /programs` and `PATCH /programs/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ProgramWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    /// The journeys in the order they run (at most 20, each once); each must be published to activate.
    #[schema(max_items = 20)]
    journey_ids: Option<Vec<Uuid>>,
    reentry: Option<Reentry>,
    /// `draft` → `active` ⇄ `paused` → `completed`.
    status: Option<ProgramStatus>,
}

/// A program as read (every field optional: a patch names only what changes).
#[derive(Default)]
pub(crate) struct ProgramInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    pub journey_ids: Option<Vec<Uuid>>,
    pub reentry: Option<Reentry>,
    pub status: Option<ProgramStatus>,
}

/// Reads a program; `create` requires its name.
pub(crate) fn read_program(body: Value, create: bool) -> Result<ProgramInput, ApiError> {
    let mut f = Fields::new(body.clone())?;
    let present = |name: &str| body.get(name).is_some();
    let name = f.text("name", TITLE_MAX, create);
    let description = f.text("description", TEXT_MAX, false);
    let start_date: Option<NaiveDate> = f.optional("startDate");
    let end_date: Option<NaiveDate> = f.optional("endDate");
    if let (Some(s), Some(e)) = (start_date, end_date)
        && e < s
    {
        f.break_rule("endDate", "must not be before startDate");
    }
    let journey_ids: Option<Vec<Uuid>> = f.optional("journeyIds");
    if let Some(ids) = &journey_ids {
        if ids.len() > MAX_JOURNEYS_IN_PROGRAM {
            f.reject("journeyIds", format!("must have at most {MAX_JOURNEYS_IN_PROGRAM} journeys"));
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                f.break_rule_at(format!("/journeyIds/{i}"), "names a journey already in the list");
            }
        }
    }
    let reentry: Option<Reentry> = f.optional("reentry");
    let status: Option<ProgramStatus> = f.optional("status");
    f.finish()?;
    Ok(ProgramInput {
        name,
        description: present("description").then_some(description),
        start_date: present("startDate").then_some(start_date),
        end_date: present("endDate").then_some(end_date),
        journey_ids,
        reentry,
        status,
    })
}

/// `POST /programs/{id}/enrolments`: named workers, or a segment's members.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct EnrolWrite {
    /// At most 1000 workers of this organization.
    #[schema(max_items = 1000)]
    worker_ids: Option<Vec<Uuid>>,
    segment_id: Option<Uuid>,
    /// With a segment: `snapshot` enrols its members now; `live` also enrols those who join later, and
    /// exits those who leave.
    mode: Option<EnrolMode>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolMode {
    Snapshot,
    Live,
}

/// Who to enrol.
#[derive(Clone, Debug, PartialEq, serde::Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Audience {
    Workers { worker_ids: Vec<Uuid> },
    Segment { segment_id: Uuid, mode: EnrolMode },
}

pub(crate) fn read_enrol(body: Value) -> Result<Audience, ApiError> {
    let mut f = Fields::new(body)?;
    let ids: Option<Vec<Uuid>> = f.optional("workerIds");
    let segment: Option<Uuid> = f.optional("segmentId");
    let mode: Option<EnrolMode> = f.optional("mode");
    if ids.as_ref().is_some_and(|ids| ids.len() > MAX_WORKER_IDS) {
        f.reject("workerIds", format!("must have at most {MAX_WORKER_IDS} workers"));
    }
    match (&ids, segment) {
        (Some(_), Some(_)) => f.break_rule("segmentId", "name workers or a segment, not both"),
        (None, None) => f.break_rule("workerIds", "name workers (workerIds) or a segment (segmentId)"),
        (Some(ids), None) if ids.is_empty() => f.break_rule("workerIds", "must name at least one worker"),
        _ => {}
    }
    if mode.is_some() && segment.is_none() {
        f.break_rule("mode", "applies to a segment only");
    }
    f.finish()?;
    match (ids, segment) {
        (Some(mut worker_ids), None) => {
            let mut seen = std::collections::HashSet::new();
            worker_ids.retain(|id| seen.insert(*id));
            Ok(Audience::Workers { worker_ids })
        }
        (None, Some(segment_id)) => Ok(Audience::Segment { segment_id, mode: mode.unwrap_or(EnrolMode::Snapshot) }),
        _ => Err(ApiError::internal("an enrolment passed without an audience")),
    }
}
