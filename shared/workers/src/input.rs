//! Reading and checking a worker document (the body of `POST /workers`, a merge-patched worker, an import
//! row). Pure: no I/O. Every bad field is reported by its JSON pointer in one answer, as a
//! [`WorkerError::Malformed`] or [`WorkerError::BreaksRules`]: the API and the importer read documents
//! alike, and each words the refusal its own way.

use super::error::WorkerError;
use super::model::*;
use super::phone;
use chrono::{DateTime, NaiveDate, Utc};
use nudge_core::http::{ApiError, FieldError, Fields, merge_patch};
use nudge_core::validate;
use nudge_core::values::{Email, Locale, Parse};
use serde_json::{Map, Value};
use uuid::Uuid;

const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 50;
const CUSTOM_FIELDS_MAX_BYTES: usize = 8 * 1024;
const CUSTOM_FIELDS_MAX_DEPTH: usize = 4;
const NAME_MAX: usize = 100;
/// A contact record's language when none is given.
const DEFAULT_LANGUAGE: &str = "en";

/// Where a worker document comes from, which decides what a missing contact phone number means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A whole document (`POST /workers`, an import row creating a worker): its schema requires the number.
    Whole,
    /// A worker merge-patched (`PATCH`, an import row updating one): a patch may start a contact record
    /// without a number, which only the worker's state makes wrong (422).
    Merged,
}

/// The refusal of the core's field reader, which only ever answers a schema error (400) or a broken rule
/// (422), as the domain's.
fn refused(err: ApiError) -> WorkerError {
    match err {
        ApiError::Invalid(errors) => WorkerError::Malformed(errors),
        ApiError::Rejected(errors) => WorkerError::BreaksRules(errors),
        other => WorkerError::Malformed(vec![FieldError::body("", other.to_string())]),
    }
}

/// The document a merge patch (RFC 7396) makes of `current`: the fields a client reads, patched. A patch
/// that is not a JSON object is refused at the root.
pub(crate) fn merged(current: &WorkerFields, patch: &Value) -> Result<Value, WorkerError> {
    let mut doc = serde_json::to_value(current).map_err(|e| WorkerError::Internal(e.to_string()))?;
    merge_patch::apply(&mut doc, patch).map_err(refused)?;
    Ok(doc)
}

/// Reads a whole worker document; `today` bounds dates of birth and hire dates.
pub fn read(doc: Value, today: NaiveDate, origin: Origin) -> Result<WorkerFields, WorkerError> {
    let reason_given = doc.get("deactivationReason").is_some_and(|v| !v.is_null());
    let mut f = Fields::new(doc).map_err(refused)?;
    let first_name = text(&mut f, "firstName", true, NAME_MAX);
    let last_name = text(&mut f, "lastName", true, NAME_MAX);
    let external_id = text(&mut f, "externalId", false, NAME_MAX);
    let date_of_birth: Option<NaiveDate> = f.optional("dateOfBirth");
    f.check_rule("dateOfBirth", &date_of_birth, |d| past_date(*d, today));
    let gender: Option<Gender> = f.optional("gender");
    let tags: Option<Vec<String>> = f.optional("tags");
    let tags = tags.map(|t| read_tags(&mut f, t)).unwrap_or_default();
    let custom_fields: Option<Map<String, Value>> = f.optional("customFields");
    f.check_rule("customFields", &custom_fields, |m| {
        validate::json_object(&Value::Object(m.clone()), CUSTOM_FIELDS_MAX_BYTES, CUSTOM_FIELDS_MAX_DEPTH)
    });
    let is_active: Option<bool> = f.optional("isActive");
    let is_active = is_active.unwrap_or(true);
    let reason: Option<DeactivationReason> = f.optional("deactivationReason");
    if !is_active && !reason_given {
        f.break_rule("deactivationReason", "is required when isActive is false");
    }
    let supervisor_id: Option<Uuid> = f.optional("supervisorId");
    let user_id: Option<Uuid> = f.optional("userId");
    let performance_metric: Option<f64> = f.optional("performanceMetric");
    f.check("performanceMetric", &performance_metric, |v| score(*v));
    let performance_metric = performance_metric.map(precise);

    let contact = f.object("contact").map(|mut c| {
        let out = read_contact(&mut c, origin);
        f.absorb(c);
        out
    });
    let employment = f.object("employment").map(|mut c| {
        let out = read_employment(&mut c, today);
        f.absorb(c);
        out
    });
    let engagement = f.object("engagement").map(|mut c| {
        let out = Engagement {
            last_active_at: c.optional::<DateTime<Utc>>("lastActiveAt"),
            last_interaction_date: c.optional::<DateTime<Utc>>("lastInteractionDate"),
        };
        f.absorb(c);
        out
    });
    let wellbeing = f.object("wellbeing").map(|mut c| {
        let score_value: Option<f64> = c.optional("overallWellbeingScore");
        c.check("overallWellbeingScore", &score_value, |v| score(*v));
        let out = Wellbeing {
            last_wellbeing_assessment_date: c.optional("lastWellbeingAssessmentDate"),
            overall_wellbeing_score: score_value.map(precise),
        };
        f.absorb(c);
        out
    });
    let gamification = f.object("gamification").map(|mut c| {
        let points: Option<i64> = c.optional("pointsBalance");
        c.check("pointsBalance", &points, |v| non_negative(*v));
        let badges: Option<i64> = c.optional("badgesEarnedCount");
        c.check("badgesEarnedCount", &badges, |v| non_negative(*v));
        let out = Gamification { points_balance: points.unwrap_or(0), badges_earned_count: badges.unwrap_or(0) };
        f.absorb(c);
        out
    });
    let has_errors = f.has_errors();
    f.finish().map_err(refused)?;
    match (first_name, last_name, contact) {
        // A contact object read into no record without an error recorded would drop it silently.
        (_, _, Some(None)) => Err(WorkerError::Internal("a contact record read without its fields".into())),
        (Some(first_name), Some(last_name), contact) if !has_errors => Ok(WorkerFields {
            external_id,
            first_name,
            last_name,
            date_of_birth,
            gender,
            tags,
            custom_fields,
            is_active,
            // An active worker has no deactivation reason: reactivating clears it.
            deactivation_reason: if is_active { None } else { reason },
            supervisor_id,
            user_id,
            performance_metric,
            contact: contact.flatten(),
            employment: employment.flatten().unwrap_or_default(),
            engagement: engagement.unwrap_or_default(),
            wellbeing: wellbeing.unwrap_or_default(),
            gamification: gamification.unwrap_or_default(),
        }),
        _ => Err(WorkerError::Internal("worker input incomplete without a reported error".into())),
    }
}

/// Trimmed text of 1..=max characters; `None` when absent (a missing required one is recorded).
fn text(f: &mut Fields, name: &str, required: bool, max: usize) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| validate::text(v, 1, max));
    value.map(|v| v.trim().to_owned())
}

fn read_tags(f: &mut Fields, tags: Vec<String>) -> Vec<String> {
    if tags.len() > MAX_TAGS {
        f.reject("tags", format!("must have at most {MAX_TAGS} tags"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        if let Err(message) = validate::text(tag, 1, MAX_TAG_CHARS) {
            f.reject_item("tags", i, message);
            continue;
        }
        let tag = tag.trim();
        if !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            // Tags are matched without regard to case: keep the first spelling of each.
            out.push(tag.to_owned());
        }
    }
    out
}

fn read_contact(c: &mut Fields, origin: Origin) -> Option<Contact> {
    let raw_phone: Option<String> = match origin {
        Origin::Whole => c.required("primaryPhoneNumber"),
        Origin::Merged => {
            let phone = c.optional("primaryPhoneNumber");
            if phone.is_none() {
                c.break_rule("primaryPhoneNumber", "is required: a contact record holds the worker's phone number");
            }
            phone
        }
    };
    // Not `Fields::parse`: a number of the documented form that is no number of its country breaks a rule
    // (422), where a bad form breaks the schema (400).
    let phone = raw_phone.and_then(|p| match phone::normalize(&p) {
        Ok(p) => Some(p),
        Err(e) if e.is_rule() => {
            c.break_rule("primaryPhoneNumber", e.to_string());
            None
        }
        Err(e) => {
            c.reject("primaryPhoneNumber", e.to_string());
            None
        }
    });
    let opt_in: Option<OptInStatus> = c.optional("whatsappOptInStatus");
    let language: Option<Locale> = c.parse("preferredLanguage", false);
    let time_zone = c.time_zone("timeZone", false);
    let consent: Option<bool> = c.optional("communicationConsent");
    let email: Option<Email> = c.parse("emailAddress", false);
    let city = text(c, "locationCity", false, NAME_MAX);
    let state = text(c, "locationStateProvince", false, NAME_MAX);
    let country = text(c, "locationCountry", false, NAME_MAX);
    Some(Contact {
        location_city: city,
        location_state_province: state,
        location_country: country,
        primary_phone_number: phone?,
        whatsapp_opt_in_status: opt_in.unwrap_or_default(),
        preferred_language: language.or_else(|| Locale::parse(DEFAULT_LANGUAGE).ok())?,
        time_zone,
        communication_consent: consent.unwrap_or(false),
        email_address: email,
    })
}

fn read_employment(c: &mut Fields, today: NaiveDate) -> Option<Employment> {
    let hire_date: Option<NaiveDate> = c.optional("hireDate");
    c.check_rule("hireDate", &hire_date, |d| {
        // A hire date may be ahead (an accepted offer), but not absurdly so.
        let limit = today + chrono::Days::new(366);
        if *d > limit { Err("must be at most a year ahead".into()) } else { past_date(*d, limit) }
    });
    Some(Employment {
        job_title: text(c, "jobTitle", false, NAME_MAX),
        department: text(c, "department", false, NAME_MAX),
        team: text(c, "team", false, NAME_MAX),
        hire_date,
        employment_status: c.optional("employmentStatus").unwrap_or_default(),
        employment_type: c.optional("employmentType"),
    })
}

fn past_date(date: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < earliest {
        Err("must be on or after 1900-01-01".into())
    } else if date > today {
        Err("must not be in the future".into())
    } else {
        Ok(())
    }
}

fn score(value: f64) -> Result<(), String> {
    let (lo, hi) = SCORE_RANGE;
    if value.is_finite() && (lo..=hi).contains(&value) { Ok(()) } else { Err(format!("must be from {lo} to {hi}")) }
}

/// A 0–100 score kept to a millionth: finer is noise, and DynamoDB cannot store a magnitude under 1e-130
/// (a schema-valid 2.7e-192 would fail the write).
fn precise(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

fn non_negative(value: i64) -> Result<(), String> {
    if value >= 0 { Ok(()) } else { Err("must not be negative".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn pointers(err: WorkerError) -> Vec<String> {
        match err {
            WorkerError::Malformed(errors) => errors.into_iter().filter_map(|e| e.pointer).collect(),
            other => panic!("expected a malformed document, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_worker_gets_the_seed_defaults() {
        let w = read(json!({"firstName": " Ana ", "lastName": "Silva"}), today(), Origin::Whole).unwrap();
        assert_eq!((w.first_name.as_str(), w.full_name().as_str()), ("Ana", "Ana Silva"));
        assert!(w.is_active && w.tags.is_empty() && w.contact.is_none());
        assert_eq!(w.employment.employment_status, EmploymentStatus::Active);
        assert_eq!(w.gamification, Gamification { points_balance: 0, badges_earned_count: 0 });
    }

    #[test]
    fn contact_is_normalised_with_defaults() {
        let w = read(
            json!({"firstName": "A", "lastName": "B", "contact": {"primaryPhoneNumber": "+1 415-555-2671",
                   "emailAddress": "Ana@Example.com"}}),
            today(),
            Origin::Whole,
        )
        .unwrap();
        let c = w.contact.unwrap();
        assert_eq!(c.primary_phone_number.as_str(), "+14155552671");
        assert_eq!((c.whatsapp_opt_in_status, c.preferred_language.as_str()), (OptInStatus::Pending, "en"));
        assert_eq!(c.email_address.as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn every_bad_field_is_named_by_its_pointer() {
        let err = read(
            json!({
                "lastName": "", "gender": "robot", "dateOfBirth": "2030-01-01", "isActive": false,
                "tags": ["ok", " "], "performanceMetric": 101, "unknown": 1,
                "contact": {"primaryPhoneNumber": "555", "preferredLanguage": "english!", "extra": true},
                "employment": {"employmentStatus": "retired"},
                "wellbeing": {"overallWellbeingScore": -1},
                "gamification": {"pointsBalance": -5}
            }),
            today(),
            Origin::Whole,
        )
        .unwrap_err();
        let mut got = pointers(err);
        got.sort();
        let mut want = vec![
            "/firstName",
            "/lastName",
            "/gender",
            "/dateOfBirth",
            "/deactivationReason",
            "/tags/1",
            "/performanceMetric",
            "/unknown",
            "/contact/primaryPhoneNumber",
            "/contact/preferredLanguage",
            "/contact/extra",
            "/employment/employmentStatus",
            "/wellbeing/overallWellbeingScore",
            "/gamification/pointsBalance",
        ];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn reactivating_clears_the_reason_and_tags_dedupe_by_case() {
        let w = read(
            json!({"firstName": "A", "lastName": "B", "isActive": true, "deactivationReason": "retirement",
                   "tags": ["Night", "night", "Day"]}),
            today(),
            Origin::Whole,
        )
        .unwrap();
        assert_eq!(w.deactivation_reason, None);
        assert_eq!(w.tags, ["Night", "Day"]);
        let w = read(
            json!({"firstName": "A", "lastName": "B", "isActive": false, "deactivationReason": "retirement"}),
            today(),
            Origin::Whole,
        )
        .unwrap();
        assert_eq!((w.is_active, w.deactivation_reason), (false, Some(DeactivationReason::Retirement)));
    }

    #[test]
    fn rules_the_schema_cannot_state_are_422() {
        let broken = |doc: Value, origin| match read(doc, today(), origin) {
            Err(WorkerError::BreaksRules(errors)) => errors.into_iter().filter_map(|e| e.pointer).collect::<Vec<_>>(),
            other => panic!("expected 422, got {other:?}"),
        };
        let name = json!({"firstName": "A", "lastName": "B"});
        let with = |extra: Value| {
            let mut doc = name.clone();
            doc.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            doc
        };
        assert_eq!(broken(with(json!({"isActive": false})), Origin::Whole), ["/deactivationReason"]);
        assert_eq!(broken(with(json!({"dateOfBirth": "2030-01-01"})), Origin::Whole), ["/dateOfBirth"]);
        assert_eq!(
            broken(with(json!({"contact": {"primaryPhoneNumber": "+1 555"}})), Origin::Whole),
            ["/contact/primaryPhoneNumber"],
            "a number of the documented form that is not a number of its country"
        );
        assert_eq!(
            broken(with(json!({"contact": {"locationCity": "Lisbon"}})), Origin::Merged),
            ["/contact/primaryPhoneNumber"],
            "a patch starting a contact record without a number"
        );
        assert_eq!(
            pointers(read(with(json!({"contact": {}})), today(), Origin::Whole).unwrap_err()),
            ["/contact/primaryPhoneNumber"]
        );
    }

    #[test]
    fn a_user_link_is_read_and_a_null_in_a_patch_clears_it() {
        let user = Uuid::parse_str("01a228c0-9996-7567-b935-a88edab1da1c").unwrap();
        let linked = read(json!({"firstName": "A", "lastName": "B", "userId": user}), today(), Origin::Whole).unwrap();
        assert_eq!(linked.user_id, Some(user));
        let doc = merged(&linked, &json!({"userId": null})).unwrap();
        assert_eq!(read(doc, today(), Origin::Merged).unwrap().user_id, None);
        let doc = merged(&linked, &json!({"lastName": "C"})).unwrap();
        assert_eq!(read(doc, today(), Origin::Merged).unwrap().user_id, Some(user), "a patch without it keeps it");
        let bad = read(json!({"firstName": "A", "lastName": "B", "userId": "me"}), today(), Origin::Whole);
        assert_eq!(pointers(bad.unwrap_err()), ["/userId"]);
    }

    #[test]
    fn the_stored_document_reads_back_unchanged() {
        let doc = json!({"firstName": "A", "lastName": "B", "externalId": "E1", "tags": ["x"],
            "userId": "01a228c0-9996-7567-b935-a88edab1da1c",
            "customFields": {"shift": "night"}, "contact": {"primaryPhoneNumber": "+14155552671"},
            "employment": {"department": "Ops", "hireDate": "2020-02-03", "employmentType": "part_time"},
            "wellbeing": {"overallWellbeingScore": 71.5}, "gamification": {"pointsBalance": 10}});
        let w = read(doc, today(), Origin::Whole).unwrap();
        let again = read(serde_json::to_value(&w).unwrap(), today(), Origin::Whole).unwrap();
        assert_eq!(w, again);
    }
}
