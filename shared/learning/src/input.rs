//! Reading authoring requests (edge): every bad field named at once, into the domain's inputs. Rules that
//! need the table (an asset that is ready, a category, tag, mentor or module of the organization, a cycle of
//! prerequisites) are the service's.

use crate::html;
use crate::model::{Difficulty, FileType, ModuleStatus, SectionType, VideoSource};
use nudge_core::http::ApiError;
use nudge_core::http::input::Fields;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_LINKS: usize = 20;
pub const MAX_ATTACHMENTS: usize = 10;
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 5000;

/// `POST /modules` and `PATCH /modules/{id}` (merge patch: each field given replaces the stored one).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ModuleWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(max_length = 5000)]
    description: Option<String>,
    difficulty: Option<Difficulty>,
    /// A ready image asset of the organization.
    cover_image: Option<Uuid>,
    category_id: Option<Uuid>,
    /// 1–120: how long a certificate stays valid.
    #[schema(minimum = 1, maximum = 120)]
    validity_months: Option<u32>,
    #[schema(max_items = 20)]
    tag_ids: Option<Vec<Uuid>>,
    /// Users of the organization.
    #[schema(max_items = 20)]
    mentor_ids: Option<Vec<Uuid>>,
    /// Modules to complete first; a cycle is refused with the cycle named.
    #[schema(max_items = 20)]
    prerequisite_ids: Option<Vec<Uuid>>,
    /// `DRAFT` or `ARCHIVED` (publishing is `POST /modules/{id}/publish`).
    status: Option<ModuleStatus>,
}

/// A module's fields as read; `None`: not given (for a patch, unchanged).
#[derive(Default)]
pub(crate) struct ModuleInput {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub difficulty: Option<Difficulty>,
    pub cover_image: Option<Option<Uuid>>,
    pub category_id: Option<Option<Uuid>>,
    pub validity_months: Option<Option<u32>>,
    pub tag_ids: Option<Vec<Uuid>>,
    pub mentor_ids: Option<Vec<Uuid>>,
    pub prerequisite_ids: Option<Vec<Uuid>>,
    pub status: Option<ModuleStatus>,
}

/// A list of distinct ids, at most [`MAX_LINKS`].
fn ids(f: &mut Fields, name: &str) -> Option<Vec<Uuid>> {
    let list: Option<Vec<Uuid>> = f.optional(name);
    f.check(name, &list, |l| {
        if l.len() > MAX_LINKS { Err(format!("must have at most {MAX_LINKS} items")) } else { Ok(()) }
    });
    if let Some(l) = &list {
        for (i, id) in l.iter().enumerate() {
            if l[..i].contains(id) {
                f.break_rule_at(format!("{}/{i}", f.pointer(name)), "repeats an earlier item");
            }
        }
    }
    list
}

/// Reads a module; `create` requires its title.
pub(crate) fn read_module(body: Value, create: bool) -> Result<ModuleInput, ApiError> {
    let present = |name: &str| body.get(name).is_some();
    let mut input = ModuleInput {
        description: present("description").then_some(None),
        cover_image: present("coverImage").then_some(None),
        category_id: present("categoryId").then_some(None),
        validity_months: present("validityMonths").then_some(None),
        ..ModuleInput::default()
    };
    let mut f = Fields::new(body)?;
    input.title = f.text("title", TITLE_MAX, create);
    let description = f.text("description", DESCRIPTION_MAX, false);
    if let Some(d) = &mut input.description {
        *d = description;
    }
    input.difficulty = f.optional("difficulty");
    let cover: Option<Uuid> = f.optional("coverImage");
    if let Some(c) = &mut input.cover_image {
        *c = cover;
    }
    let category: Option<Uuid> = f.optional("categoryId");
    if let Some(c) = &mut input.category_id {
        *c = category;
    }
    let months: Option<u32> = f.optional("validityMonths");
    f.check("validityMonths", &months, |m| {
        if (1..=120).contains(m) { Ok(()) } else { Err("must be from 1 to 120".into()) }
    });
    if let Some(m) = &mut input.validity_months {
        *m = months;
    }
    input.tag_ids = ids(&mut f, "tagIds");
    input.mentor_ids = ids(&mut f, "mentorIds");
    input.prerequisite_ids = ids(&mut f, "prerequisiteIds");
    input.status = f.optional("status");
    if input.status == Some(ModuleStatus::Published) {
        f.break_rule("status", "a module is published with POST /modules/{id}/publish");
    }
    f.finish()?;
    Ok(input)
}

/// `POST /modules/{id}/publish`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct PublishWrite {
    /// What changed, for learners who saw the earlier version (required after the first publication).
    #[schema(max_length = 2000)]
    change_summary: Option<String>,
}

pub(crate) fn read_publish(body: Value) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new(body)?;
    let summary = f.text("changeSummary", 2000, false);
    f.finish()?;
    Ok(summary)
}

/// `POST /modules/{id}/sections` and `PATCH /modules/{id}/sections/{sectionId}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SectionWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// HTML; kept to an allow-list (no script, no event handler, web links only).
    #[schema(max_length = 200000)]
    content: Option<String>,
    #[serde(rename = "type")]
    section_type: Option<SectionType>,
    /// Where to put the section (0: first; default for a new one: last; past the end: last).
    #[schema(minimum = 0, maximum = 1000)]
    position: Option<u32>,
    media_asset_id: Option<Uuid>,
    video_source: Option<VideoSource>,
    /// An https URL (one of this form that does not parse is a 422).
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$")]
    video_url: Option<String>,
    #[schema(max_items = 10)]
    attachments: Option<Vec<AttachmentWrite>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AttachmentWrite {
    /// Keep an attachment by naming its id.
    id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    file_name: String,
    /// A ready asset of the organization.
    asset_id: Uuid,
    file_type: FileType,
}

pub(crate) struct AttachmentInput {
    pub id: Option<Uuid>,
    pub file_name: String,
    pub asset_id: Uuid,
    pub file_type: FileType,
}

#[derive(Default)]
pub(crate) struct SectionInput {
    pub title: Option<String>,
    /// Sanitised already.
    pub content: Option<String>,
    pub section_type: Option<SectionType>,
    pub position: Option<u32>,
    pub media_asset_id: Option<Option<Uuid>>,
    pub video_source: Option<Option<VideoSource>>,
    pub video_url: Option<Option<String>>,
    pub attachments: Option<Vec<AttachmentInput>>,
}

/// Reads a section; `create` requires its title.
pub(crate) fn read_section(body: Value, create: bool) -> Result<SectionInput, ApiError> {
    let present = |name: &str| body.get(name).is_some();
    let mut input = SectionInput {
        media_asset_id: present("mediaAssetId").then_some(None),
        video_source: present("videoSource").then_some(None),
        video_url: present("videoUrl").then_some(None),
        ..SectionInput::default()
    };
    let mut f = Fields::new(body)?;
    input.title = f.text("title", TITLE_MAX, create);
    let content: Option<String> = f.optional("content");
    f.check("content", &content, |c| {
        if c.len() > html::MAX_BYTES { Err(format!("must be at most {} bytes", html::MAX_BYTES)) } else { Ok(()) }
    });
    input.content = content.map(|c| html::sanitise(&c).html);
    input.section_type = f.optional("type");
    input.position = f.optional("position");
    f.check("position", &input.position, |p| if *p <= 1000 { Ok(()) } else { Err("must be from 0 to 1000".into()) });
    let asset: Option<Uuid> = f.optional("mediaAssetId");
    if let Some(a) = &mut input.media_asset_id {
        *a = asset;
    }
    let source: Option<VideoSource> = f.optional("videoSource");
    if let Some(s) = &mut input.video_source {
        *s = source;
    }
    let url = f.web_url("videoUrl", true);
    if let Some(u) = &mut input.video_url {
        *u = url;
    }
    let raw: Option<Vec<Value>> = f.optional("attachments");
    if let Some(raw) = raw {
        if raw.len() > MAX_ATTACHMENTS {
            f.reject("attachments", format!("must have at most {MAX_ATTACHMENTS} items"));
        }
        let mut out = Vec::new();
        for (i, value) in raw.into_iter().enumerate().take(MAX_ATTACHMENTS) {
            let mut af = match Fields::at(&format!("/attachments/{i}"), value) {
                Ok(af) => af,
                Err(e) => {
                    f.extend(vec![e]);
                    continue;
                }
            };
            let id: Option<Uuid> = af.optional("id");
            let name = af.text("fileName", 255, true);
            let asset: Option<Uuid> = af.required("assetId");
            let kind: Option<FileType> = af.required("fileType");
            f.absorb(af);
            if let (Some(file_name), Some(asset_id), Some(file_type)) = (name, asset, kind) {
                out.push(AttachmentInput { id, file_name, asset_id, file_type });
            }
        }
        input.attachments = Some(out);
    }
    f.finish()?;
    Ok(input)
}

/// `PUT /modules/{id}/sections/order`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct OrderWrite {
    /// Every section of the module, once each, in the new order.
    #[schema(max_items = 50)]
    section_ids: Vec<Uuid>,
}

pub(crate) fn read_order(body: Value) -> Result<Vec<Uuid>, ApiError> {
    let mut f = Fields::new(body)?;
    let ids: Option<Vec<Uuid>> = f.required("sectionIds");
    f.finish()?;
    Ok(ids.unwrap_or_default())
}

/// `POST /module-categories`, `PATCH /module-categories/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct CategoryWrite {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    name: String,
    /// Its place in the list (default for a new one: last).
    #[schema(minimum = 0, maximum = 100000)]
    sort_order: Option<u32>,
}

pub(crate) fn read_category(body: Value, create: bool) -> Result<(Option<String>, Option<u32>), ApiError> {
    let mut f = Fields::new(body)?;
    let name = f.text("name", 100, create);
    let order: Option<u32> = f.optional("sortOrder");
    f.check("sortOrder", &order, |o| if *o <= 100_000 { Ok(()) } else { Err("must be from 0 to 100000".into()) });
    f.finish()?;
    Ok((name, order))
}

/// `POST /modules/{id}/quizzes` and `PUT /modules/{id}/quizzes/{quizId}` (the whole quiz).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct QuizWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// The score (percent of the points) that passes, 0–100.
    #[schema(minimum = 0, maximum = 100)]
    passing_score: u32,
    /// 1–100; none: unlimited.
    #[schema(minimum = 1, maximum = 100)]
    max_attempts: Option<u32>,
    /// 1–1440 minutes; none: untimed.
    #[schema(minimum = 1, maximum = 1440)]
    time_limit_minutes: Option<u32>,
    /// What a submission after the time limit gets: `{"kind": "auto_submit"}` (default: scored from what was
    /// saved in time) or `{"kind": "grace_period", "minutes": 1–1440}`.
    overdue: Option<crate::quiz::OverdueHandling>,
    shuffle_questions: Option<bool>,
    shuffle_options: Option<bool>,
    #[schema(max_items = 200)]
    questions: Vec<QuestionWrite>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct QuestionWrite {
    /// Keep a question's id (and its statistics) by naming it.
    id: Option<Uuid>,
    question_type: crate::quiz::QuestionType,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    text: String,
    /// SINGLE_CHOICE and MULTIPLE_CHOICE: 2–10; TRUE_FALSE: 2. Exactly one correct, except MULTIPLE_CHOICE:
    /// at least one.
    #[schema(max_items = 10)]
    options: Vec<OptionWrite>,
    #[schema(minimum = 1, maximum = 1000)]
    points: u32,
    /// Shown after submission.
    #[schema(max_length = 2000)]
    explanation: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct OptionWrite {
    id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    text: String,
    correct: bool,
}

/// Reads a whole quiz of `module` (its id `id`, at `version`), then checks its rules.
pub(crate) fn read_quiz(body: Value, id: Uuid, module: Uuid, version: u64) -> Result<crate::quiz::Quiz, ApiError> {
    use crate::quiz::{OverdueHandling, Question, Quiz, QuizOption};
    let mut f = Fields::new(body)?;
    let title = f.text("title", TITLE_MAX, true);
    let passing: Option<u32> = f.required("passingScore");
    f.check("passingScore", &passing, |p| if *p <= 100 { Ok(()) } else { Err("must be from 0 to 100".into()) });
    let max_attempts: Option<u32> = f.optional("maxAttempts");
    f.check("maxAttempts", &max_attempts, |n| {
        if (1..=100).contains(n) { Ok(()) } else { Err("must be from 1 to 100".into()) }
    });
    let limit: Option<u32> = f.optional("timeLimitMinutes");
    f.check("timeLimitMinutes", &limit, |n| {
        if (1..=1440).contains(n) { Ok(()) } else { Err("must be from 1 to 1440".into()) }
    });
    let overdue: Option<OverdueHandling> = f.optional("overdue");
    let shuffle_questions: Option<bool> = f.optional("shuffleQuestions");
    let shuffle_options: Option<bool> = f.optional("shuffleOptions");
    let raw: Option<Vec<Value>> = f.required("questions");
    let mut questions = Vec::new();
    for (i, value) in raw.unwrap_or_default().into_iter().enumerate().take(crate::quiz::MAX_QUESTIONS + 1) {
        let mut qf = match Fields::at(&format!("/questions/{i}"), value) {
            Ok(qf) => qf,
            Err(e) => {
                f.extend(vec![e]);
                continue;
            }
        };
        let qid: Option<Uuid> = qf.optional("id");
        let kind: Option<crate::quiz::QuestionType> = qf.required("questionType");
        let qtext = qf.text("text", 2000, true);
        let points: Option<u32> = qf.required("points");
        let explanation = qf.text("explanation", 2000, false);
        let raw_options: Option<Vec<Value>> = qf.required("options");
        let mut options = Vec::new();
        for (j, value) in raw_options.unwrap_or_default().into_iter().enumerate().take(crate::quiz::MAX_OPTIONS + 1) {
            let mut of = match Fields::at(&format!("/questions/{i}/options/{j}"), value) {
                Ok(of) => of,
                Err(e) => {
                    qf.extend(vec![e]);
                    continue;
                }
            };
            let oid: Option<Uuid> = of.optional("id");
            let otext = of.text("text", 500, true);
            let correct: Option<bool> = of.required("correct");
            qf.absorb(of);
            if let (Some(text), Some(correct)) = (otext, correct) {
                options.push(QuizOption { id: oid.unwrap_or_else(Uuid::now_v7), text, correct });
            }
        }
        f.absorb(qf);
        if let (Some(question_type), Some(text), Some(points)) = (kind, qtext, points) {
            questions.push(Question {
                id: qid.unwrap_or_else(Uuid::now_v7),
                question_type,
                text,
                options,
                points,
                explanation,
            });
        }
    }
    let quiz = Quiz {
        id,
        module_id: module,
        title: title.unwrap_or_default(),
        passing_score: passing.unwrap_or_default(),
        max_attempts,
        time_limit_minutes: limit,
        overdue: overdue.unwrap_or_default(),
        shuffle_questions: shuffle_questions.unwrap_or(false),
        shuffle_options: shuffle_options.unwrap_or(false),
        questions,
        version,
    };
    if !f.has_errors()
        && let Err(problems) = crate::quiz::check(&quiz)
    {
        for (at, message) in problems {
            f.break_rule_at(at, message);
        }
    }
    f.finish()?;
    Ok(quiz)
}

/// `PUT …/attempts/{number}/answers` and the optional body of `…/submit`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AnswersWrite {
    /// By question id, the ids of the options chosen.
    #[schema(value_type = Option<std::collections::BTreeMap<String, Vec<String>>>)]
    answers: Option<crate::quiz::Answers>,
}

/// Reads answers; a key or an option that is no id names nothing in the attempt (a rule, 422, like an id
/// of another quiz).
pub(crate) fn read_answers(body: Value) -> Result<Option<crate::quiz::Answers>, ApiError> {
    let mut f = Fields::new(body)?;
    let raw: Option<std::collections::BTreeMap<String, Vec<String>>> = f.optional("answers");
    let mut answers = crate::quiz::Answers::new();
    for (key, chosen) in raw.iter().flatten() {
        let at = format!("/answers/{}", nudge_core::http::input::pointer_token(key));
        let Ok(question) = Uuid::parse_str(key) else {
            f.break_rule_at(at, "names no question of this attempt");
            continue;
        };
        let mut options = Vec::new();
        for (i, o) in chosen.iter().enumerate() {
            match Uuid::parse_str(o) {
                Ok(o) => options.push(o),
                Err(_) => f.break_rule_at(format!("{at}/{i}"), "names no option of this question"),
            }
        }
        answers.insert(question, options);
    }
    f.finish()?;
    Ok(raw.map(|_| answers))
}

/// `POST /groups`, `PATCH /groups/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct GroupWrite {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    name: String,
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    color: Option<String>,
}

/// A group's name (required to create) and colour (`Some(None)`: cleared), read.
pub(crate) fn read_group(body: Value, create: bool) -> Result<(Option<String>, Option<Option<String>>), ApiError> {
    let color_given = body.get("color").is_some();
    let mut f = Fields::new(body)?;
    let name = f.text("name", 100, create);
    let color: Option<String> = f.optional("color");
    f.check("color", &color, |c| {
        let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if ok { Ok(()) } else { Err("must be a colour like #1a2b3c".into()) }
    });
    f.finish()?;
    Ok((name, color_given.then(|| color.map(|c| c.to_lowercase()))))
}

/// `POST /groups/{id}/members`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct MembersWrite {
    /// Users of the organization, 1–100.
    #[schema(min_items = 1, max_items = 100)]
    user_ids: Vec<Uuid>,
}

pub(crate) fn read_members(body: Value) -> Result<Vec<Uuid>, ApiError> {
    let mut f = Fields::new(body)?;
    let ids: Option<Vec<Uuid>> = f.required("userIds");
    f.check("userIds", &ids, |l| {
        if (1..=100).contains(&l.len()) { Ok(()) } else { Err("must have 1 to 100 items".into()) }
    });
    f.finish()?;
    Ok(ids.unwrap_or_default())
}

/// `PUT /groups/{id}/modules/{moduleId}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AssignmentWrite {
    /// Days each member has (1–3650) from the later of joining the group and this assignment; none: no
    /// deadline.
    #[schema(minimum = 1, maximum = 3650)]
    deadline_days: Option<u32>,
    /// Default false.
    is_mandatory: Option<bool>,
}

pub(crate) fn read_assignment(body: Value) -> Result<(Option<u32>, bool), ApiError> {
    let mut f = Fields::new(body)?;
    let days: Option<u32> = f.optional("deadlineDays");
    f.check(
        "deadlineDays",
        &days,
        |d| if (1..=3650).contains(d) { Ok(()) } else { Err("must be from 1 to 3650".into()) },
    );
    let mandatory: Option<bool> = f.optional("isMandatory");
    f.finish()?;
    Ok((days, mandatory.unwrap_or(false)))
}

/// `PUT /me/modules/{id}/self-assessment`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AssessmentWrite {
    #[schema(minimum = 1, maximum = 5)]
    rating: u8,
    #[schema(max_length = 2000)]
    note: Option<String>,
}

pub(crate) fn read_assessment(body: Value) -> Result<(u8, Option<String>), ApiError> {
    let mut f = Fields::new(body)?;
    let rating: Option<u8> = f.required("rating");
    f.check("rating", &rating, |r| if (1..=5).contains(r) { Ok(()) } else { Err("must be from 1 to 5".into()) });
    let note = f.text("note", 2000, false);
    f.finish()?;
    Ok((rating.unwrap_or(1), note))
}

/// `POST /modules/{id}/learners/{userId}/override`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct OverrideWrite {
    /// Why (kept with the progress and in the audit log).
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    reason: String,
    /// Issue the certificate too (default false).
    allow_certificate: Option<bool>,
}

pub(crate) fn read_override(body: Value) -> Result<(String, bool), ApiError> {
    let mut f = Fields::new(body)?;
    let reason = f.text("reason", 2000, true);
    let allow: Option<bool> = f.optional("allowCertificate");
    f.finish()?;
    Ok((reason.unwrap_or_default(), allow.unwrap_or(false)))
}

/// `POST /live-events` and `PATCH /live-events/{id}` (merge patch: each field given replaces the stored one).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct LiveEventWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(max_length = 5000)]
    description: Option<String>,
    /// In the future, at most two years ahead.
    starts_at: chrono::DateTime<chrono::Utc>,
    /// 5–720; 60 when absent.
    #[schema(minimum = 5, maximum = 720)]
    duration_minutes: Option<u32>,
    /// Where it is held: an https link (one of this form that does not parse is a 422).
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$")]
    meet_url: String,
    /// The mentor hosting it, a user of the organization; the caller when absent.
    host_id: Option<Uuid>,
    /// The groups whose members attend: 1–20.
    #[schema(min_items = 1, max_items = 20)]
    group_ids: Vec<Uuid>,
}

/// A live event's fields, read (`create`: title, startsAt, meetUrl and groupIds are required); `now`
/// bounds the start.
pub(crate) fn read_live_event(
    body: Value,
    create: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::live::LiveEventDraft, ApiError> {
    let description_given = body.get("description").is_some();
    let meet_missing = body.get("meetUrl").is_none_or(Value::is_null);
    let mut f = Fields::new(body)?;
    let title = f.text("title", TITLE_MAX, create);
    let description = f.text("description", DESCRIPTION_MAX, false);
    let starts_at: Option<chrono::DateTime<chrono::Utc>> =
        if create { f.required("startsAt") } else { f.optional("startsAt") };
    let duration: Option<u32> = f.optional("durationMinutes");
    f.check("durationMinutes", &duration, |d| {
        if (5..=720).contains(d) { Ok(()) } else { Err("must be 5 to 720 minutes".into()) }
    });
    let meet_url = f.web_url("meetUrl", true);
    if create && meet_missing {
        f.reject("meetUrl", "is required");
    }
    let host_id: Option<Uuid> = f.optional("hostId");
    let group_ids: Option<Vec<Uuid>> = if create { f.required("groupIds") } else { f.optional("groupIds") };
    f.check("groupIds", &group_ids, |g| {
        if (1..=crate::live::MAX_GROUPS).contains(&g.len()) { Ok(()) } else { Err("must have 1 to 20 items".into()) }
    });
    if let Some(at) = starts_at {
        if at <= now {
            f.break_rule("startsAt", "must be in the future");
        } else if at > now + chrono::Duration::days(731) {
            f.break_rule("startsAt", "must be at most two years ahead");
        }
    }
    f.finish()?;
    Ok(crate::live::LiveEventDraft {
        title,
        description: description_given.then_some(description),
        starts_at,
        duration_minutes: duration,
        meet_url,
        host_id,
        group_ids,
    })
}

/// `POST /module-builds`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ModuleBuildWrite {
    /// A ready document asset of the organization: a PDF or a DOCX of at most 20 MB (422 otherwise).
    media_asset_id: Uuid,
    /// The module's title; default: the document's title or first heading, else its file name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: Option<String>,
    /// Whether the language-model step may shape the outline (default true; without a configured model
    /// the document's own structure is kept either way).
    structure_with_ai: Option<bool>,
}

pub(crate) fn read_module_build(body: Value) -> Result<crate::builder::service::BuildInput, ApiError> {
    let mut f = Fields::new(body)?;
    let media_asset_id = f.required::<Uuid>("mediaAssetId");
    let title = f.text("title", TITLE_MAX, false);
    let structure_with_ai = f.optional::<bool>("structureWithAi").unwrap_or(true);
    f.finish()?;
    // A missing id was recorded, so `finish` answered it.
    Ok(crate::builder::service::BuildInput {
        media_asset_id: media_asset_id.unwrap_or_default(),
        title,
        structure_with_ai,
    })
}
