//! Reading gamification requests (edge): every bad field named at once, into the domain's inputs.

use crate::ledger::Award;
use crate::model::{AwardReference, Period, Subject, SubjectType, XpSource};
use nudge_core::http::input::Fields;
use nudge_core::http::{ApiError, FieldError, ListQuery};
use nudge_workers::repo::Unit;
use serde::Deserialize;
use serde_json::Value;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// The largest single manual award or correction.
pub const MAX_MANUAL: i64 = 100_000;

/// `POST /xp/awards`: XP given (or, negative, taken back from the spendable balance) by hand.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ManualAwardWrite {
    subject_type: SubjectType,
    subject_id: Uuid,
    /// Not 0; −100000 to 100000. A negative one lowers the spendable XP only (never below 0).
    #[schema(minimum = -100000, maximum = 100000)]
    amount: i64,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    reason: String,
    /// Your own id for this award: the same reference gives the same person XP once (a repeat is a 409).
    #[schema(min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9._:-]+$")]
    reference: Option<String>,
}

/// `POST /xp/awards/batch`: many awards at once, each with its reference.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AwardBatchWrite {
    #[schema(min_items = 1, max_items = 100)]
    awards: Vec<BatchAwardWrite>,
}

/// One award of a batch: XP given, never taken back (corrections are one at a time).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct BatchAwardWrite {
    subject_type: SubjectType,
    subject_id: Uuid,
    #[schema(minimum = 1, maximum = 100000)]
    amount: i64,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    reason: String,
    /// Your own id for this award, unique per person: sending it again gives nothing twice.
    #[schema(min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9._:-]+$")]
    reference: String,
}

/// The most awards in one batch.
pub const MAX_BATCH: usize = 100;

pub(crate) struct ManualAward {
    pub subject: Subject,
    pub amount: i64,
    pub reason: String,
    pub reference: Option<AwardReference>,
}

impl ManualAward {
    /// The ledger's award, given by `by`: its reference is the entry's source id, else a new one.
    pub(crate) fn award(&self, by: Uuid) -> Award {
        Award {
            subject: self.subject,
            source: XpSource::Manual,
            source_entity_id: self
                .reference
                .as_ref()
                .map_or_else(|| Uuid::now_v7().to_string(), |r| r.as_str().to_owned()),
            amount: self.amount,
            reason: Some(self.reason.clone()),
            by: Some(by),
        }
    }
}

pub(crate) fn read_manual(body: Value) -> Result<ManualAward, ApiError> {
    let mut f = Fields::new(body)?;
    let award = read_award(&mut f, false);
    f.finish()?;
    Ok(award)
}

/// The awards of a batch, in order. The same reference twice for one person is a 422 on the second.
pub(crate) fn read_batch(body: Value) -> Result<Vec<ManualAward>, ApiError> {
    let mut f = Fields::new(body)?;
    let items: Option<Vec<Value>> = f.required("awards");
    let mut awards = Vec::new();
    match items {
        Some(items) if items.is_empty() || items.len() > MAX_BATCH => {
            f.reject("awards", format!("must hold 1 to {MAX_BATCH} awards"));
        }
        Some(items) => {
            let mut first: HashMap<(Subject, AwardReference), usize> = HashMap::new();
            for (i, value) in items.into_iter().enumerate() {
                let mut item = match Fields::at(&format!("/awards/{i}"), value) {
                    Ok(item) => item,
                    Err(e) => {
                        f.extend(vec![e]);
                        continue;
                    }
                };
                let award = read_award(&mut item, true);
                let whole = !item.has_errors();
                f.absorb(item);
                if let (true, Some(reference)) = (whole, award.reference.clone()) {
                    match first.entry((award.subject, reference)) {
                        Entry::Occupied(seen) => f.break_rule_at(
                            format!("/awards/{i}/reference"),
                            format!("repeats /awards/{} for the same person", seen.get()),
                        ),
                        Entry::Vacant(slot) => {
                            slot.insert(i);
                        }
                    }
                }
                awards.push(award);
            }
        }
        None => {}
    }
    f.finish()?;
    Ok(awards)
}

/// One award's fields. In a batch the amount is positive and the reference required.
fn read_award(f: &mut Fields, batch: bool) -> ManualAward {
    let kind: Option<SubjectType> = f.required("subjectType");
    let id: Option<Uuid> = f.required("subjectId");
    let amount: Option<i64> = f.required("amount");
    let least = if batch { 1 } else { -MAX_MANUAL };
    f.check("amount", &amount, |a| {
        if (least..=MAX_MANUAL).contains(a) { Ok(()) } else { Err(format!("must be {least} to {MAX_MANUAL}")) }
    });
    if amount == Some(0) && !batch {
        f.break_rule("amount", "must not be 0");
    }
    let reason = f.text("reason", 500, true);
    let reference = f.parse::<AwardReference>("reference", batch);
    ManualAward {
        subject: Subject { subject_type: kind.unwrap_or(SubjectType::User), subject_id: id.unwrap_or_default() },
        amount: amount.unwrap_or_default(),
        reason: reason.unwrap_or_default(),
        reference,
    }
}

/// `PUT /xp-settings`: the amounts to change.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct XpSettingsWrite {
    /// XP per source (0–10000; 0 turns it off); sources not named keep theirs.
    amounts: BTreeMap<XpSource, u32>,
}

pub(crate) fn read_settings(body: Value) -> Result<BTreeMap<XpSource, u32>, ApiError> {
    let mut f = Fields::new(body)?;
    let amounts: Option<BTreeMap<XpSource, u32>> = f.required("amounts");
    if let Some(a) = &amounts {
        let too_big = a
            .iter()
            .filter(|(_, v)| **v > 10_000)
            .map(|(source, _)| FieldError::body(format!("/amounts/{}", source.as_str()), "must be 0 to 10000"))
            .collect();
        f.extend_rules(too_big);
        let spends = a
            .keys()
            .filter(|s| !s.earns())
            .map(|s| FieldError::body(format!("/amounts/{}", s.as_str()), "is the reward's cost, not a setting"))
            .collect();
        f.extend_rules(spends);
    }
    f.finish()?;
    Ok(amounts.unwrap_or_default())
}

/// The largest cost, stock and monthly limit of a reward.
pub const MAX_COST: u32 = 1_000_000;
pub const MAX_QUANTITY: u32 = 1_000_000;
pub const MAX_MONTHLY: u32 = 1_000;

/// `POST /rewards`: a catalogue item.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RewardWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
    /// An https URL of its picture (one of this form that does not parse is a 422).
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$")]
    image_url: Option<String>,
    #[schema(minimum = 1, maximum = 1000000)]
    cost_xp: u32,
    /// Redemptions per person in a calendar month (the organization's time zone); absent: no limit.
    #[schema(minimum = 1, maximum = 1000)]
    monthly_limit: Option<u32>,
    /// Stock; absent: unlimited.
    #[schema(minimum = 0, maximum = 1000000)]
    quantity_available: Option<u32>,
    /// Default false: redemptions are approved at once.
    approval_required: Option<bool>,
    /// Default true.
    active: Option<bool>,
}

/// `PATCH /rewards/{id}`: the fields named change; `null` clears an optional one (no limit, unlimited).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RewardPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", nullable = false)]
    title: Option<String>,
    #[schema(max_length = 2000, nullable)]
    description: Option<String>,
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$", nullable)]
    image_url: Option<String>,
    #[schema(minimum = 1, maximum = 1000000, nullable = false)]
    cost_xp: Option<u32>,
    #[schema(minimum = 1, maximum = 1000, nullable)]
    monthly_limit: Option<u32>,
    #[schema(minimum = 0, maximum = 1000000, nullable)]
    quantity_available: Option<u32>,
    approval_required: Option<bool>,
    active: Option<bool>,
}

/// A reward's fields as read: `None` not named; `Some(None)` cleared (PATCH only).
#[derive(Default)]
pub(crate) struct RewardFields {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub image_url: Option<Option<String>>,
    pub cost_xp: Option<u32>,
    pub monthly_limit: Option<Option<u32>>,
    pub quantity_available: Option<Option<u32>>,
    pub approval_required: Option<bool>,
    pub active: Option<bool>,
}

fn bounded(min: u32, max: u32) -> impl Fn(&u32) -> Result<(), String> {
    move |v| if (min..=max).contains(v) { Ok(()) } else { Err(format!("must be {min} to {max}")) }
}

/// Reads a new reward (`creating`: title and cost required) or a patch.
pub(crate) fn read_reward(body: Value, creating: bool) -> Result<RewardFields, ApiError> {
    let nulled = |name: &str| matches!(body.get(name), Some(Value::Null));
    let cleared: Vec<bool> =
        ["description", "imageUrl", "monthlyLimit", "quantityAvailable"].iter().map(|n| nulled(n)).collect();
    let null_required: Vec<&str> = ["title", "costXp"].into_iter().filter(|n| !creating && nulled(n)).collect();
    let mut f = Fields::new(body)?;
    for name in null_required {
        f.reject(name, "must not be null");
    }
    // A patch's title, when named, is a title: blank is refused, not read as "unchanged".
    let title = if creating {
        f.text("title", 200, true)
    } else {
        let t: Option<String> = f.optional("title");
        f.check("title", &t, |v| nudge_core::validate::text(v, 1, 200));
        t.map(|v| v.trim_matches(nudge_core::validate::is_blank).to_owned())
    };
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |d| {
        if d.chars().count() <= 2000 { Ok(()) } else { Err("must be at most 2000 characters".into()) }
    });
    let image_url = f.web_url("imageUrl", true);
    let cost_xp: Option<u32> = if creating { f.required("costXp") } else { f.optional("costXp") };
    f.check("costXp", &cost_xp, bounded(1, MAX_COST));
    let monthly_limit: Option<u32> = f.optional("monthlyLimit");
    f.check("monthlyLimit", &monthly_limit, bounded(1, MAX_MONTHLY));
    let quantity: Option<u32> = f.optional("quantityAvailable");
    f.check("quantityAvailable", &quantity, bounded(0, MAX_QUANTITY));
    let approval_required: Option<bool> = f.optional("approvalRequired");
    let active: Option<bool> = f.optional("active");
    f.finish()?;
    // A patch names what changes (a null clears); a creation's absent optional fields are simply unset.
    let named = |value: Option<String>, null: bool| match (value, null) {
        (Some(v), _) => Some(Some(v.trim().to_owned()).filter(|v| !v.is_empty())),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let named_n = |value: Option<u32>, null: bool| match (value, null) {
        (Some(v), _) => Some(Some(v)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    Ok(RewardFields {
        title,
        description: named(description, cleared[0]),
        image_url: named(image_url, cleared[1]),
        cost_xp,
        monthly_limit: named_n(monthly_limit, cleared[2]),
        quantity_available: named_n(quantity, cleared[3]),
        approval_required,
        active,
    })
}

/// `POST /redemptions/{id}/approve|reject|cancel`: an optional note to the redeemer.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RedemptionDecisionWrite {
    #[schema(max_length = 500)]
    note: Option<String>,
}

pub(crate) fn read_decision(body: Value) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new(body)?;
    let note = f.text("note", 500, false);
    f.finish()?;
    Ok(note)
}

/// A team's or department's name on a leaderboard's query, at most (as the worker list's filters).
pub const UNIT_MAX: usize = 100;

/// Whose places a leaderboard holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    Tenant,
    /// A learning group's members (users).
    Group(Uuid),
    /// A team's or department's workers.
    Unit(Unit<'a>),
}

/// `GET /leaderboard`'s parameters.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Board<'a> {
    pub kind: SubjectType,
    pub period: Period,
    pub scope: Scope<'a>,
}

/// `?period=` (all time when absent), or a bad parameter recorded.
fn read_period(query: &ListQuery, bad: &mut Vec<FieldError>) -> Option<Period> {
    match query.filter("period") {
        None | Some("all_time") => Some(Period::AllTime),
        Some("week") => Some(Period::Week),
        Some("month") => Some(Period::Month),
        Some(_) => {
            bad.push(FieldError::param("period", "must be all_time, week or month"));
            None
        }
    }
}

/// A standing's `?period=`.
pub(crate) fn read_standing(query: &ListQuery) -> Result<Period, ApiError> {
    let mut bad = Vec::new();
    read_period(query, &mut bad).ok_or_else(|| ApiError::invalid(bad))
}

pub(crate) fn read_board(query: &ListQuery) -> Result<Board<'_>, ApiError> {
    let mut bad = Vec::new();
    let kind = match query.filter("subjectType") {
        None | Some("user") => Some(SubjectType::User),
        Some("worker") => Some(SubjectType::Worker),
        Some(_) => {
            bad.push(FieldError::param("subjectType", "must be user or worker"));
            None
        }
    };
    let period = read_period(query, &mut bad);
    let mut scope = Scope::Tenant;
    // Well formed, but asking for what cannot be: refused (422) once the parameters read.
    let mut rules = Vec::new();
    let mut narrowed = false;
    for name in ["groupId", "team", "department"] {
        let Some(value) = query.filter(name) else { continue };
        let read = match name {
            "groupId" => Uuid::parse_str(value).map(Scope::Group).map_err(|_| "must be a UUID".to_owned()),
            _ if value.trim().is_empty() => Err("must not be blank".to_owned()),
            _ if value.chars().count() > UNIT_MAX => Err(format!("at most {UNIT_MAX} characters")),
            "team" => Ok(Scope::Unit(Unit::Team(value))),
            _ => Ok(Scope::Unit(Unit::Department(value))),
        };
        match read {
            Err(why) => bad.push(FieldError::param(name, why)),
            Ok(_) if narrowed => rules.push(FieldError::param(name, "narrow by one of groupId, team or department")),
            Ok(read) => scope = read,
        }
        narrowed = true;
    }
    let (Some(kind), Some(period), true) = (kind, period, bad.is_empty()) else {
        return Err(ApiError::invalid(bad));
    };
    let mismatch = match (kind, scope) {
        (SubjectType::Worker, Scope::Group(_)) => Some(("groupId", "groups are of users, not workers")),
        (SubjectType::User, Scope::Unit(Unit::Team(_))) => Some(("team", "teams are of workers, not users")),
        (SubjectType::User, Scope::Unit(Unit::Department(_))) => {
            Some(("department", "departments are of workers, not users"))
        }
        _ => None,
    };
    rules.extend(mismatch.map(|(name, why)| FieldError::param(name, why)));
    if !rules.is_empty() {
        return Err(ApiError::Rejected(rules));
    }
    Ok(Board { kind, period, scope })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_manual_award_names_every_bad_field() {
        let Err(ApiError::Invalid(errors)) =
            read_manual(json!({"subjectType": "robot", "amount": 200000, "reason": " "}))
        else {
            panic!("accepted")
        };
        let mut at: Vec<&str> = errors.iter().filter_map(|e| e.pointer.as_deref()).collect();
        at.sort();
        assert_eq!(at, ["/amount", "/reason", "/subjectId", "/subjectType"]);
        let ok = read_manual(
            json!({"subjectType": "worker", "subjectId": Uuid::from_u128(1), "amount": -5, "reason": "typo"}),
        );
        let ok = ok.unwrap_or_else(|_| panic!("refused"));
        assert_eq!((ok.subject, ok.amount), (Subject::worker(Uuid::from_u128(1)), -5));
    }

    fn pointers(e: ApiError) -> (u16, Vec<String>) {
        let (status, errors) = match e {
            ApiError::Invalid(errors) => (400, errors),
            ApiError::Rejected(errors) => (422, errors),
            other => panic!("{other:?}"),
        };
        let mut at: Vec<String> = errors.into_iter().filter_map(|e| e.pointer).collect();
        at.sort();
        (status, at)
    }

    #[test]
    fn a_manual_award_may_carry_a_reference() {
        let one = |reference: Value| {
            read_manual(
                json!({"subjectType": "user", "subjectId": Uuid::from_u128(1), "amount": 5, "reason": "r", "reference": reference}),
            )
        };
        let ok = one(json!("import:42")).unwrap_or_else(|e| panic!("{e:?}"));
        let award = ok.award(Uuid::from_u128(9));
        assert_eq!((award.source_entity_id.as_str(), award.by), ("import:42", Some(Uuid::from_u128(9))));
        // Without one, each award is new.
        let plain = one(Value::Null).unwrap_or_else(|e| panic!("{e:?}"));
        assert_ne!(plain.award(Uuid::nil()).source_entity_id, plain.award(Uuid::nil()).source_entity_id);
        let bad = one(json!("a#b")).err().map(pointers);
        assert_eq!(bad, Some((400, vec!["/reference".to_owned()])));
    }

    #[test]
    fn a_batch_names_every_bad_award_and_a_reference_repeated_for_one_person() {
        let who = Uuid::from_u128(1);
        let award = |amount: i64, reference: &str| json!({"subjectType": "worker", "subjectId": who, "amount": amount, "reason": "Opening balance", "reference": reference});
        let read = read_batch(json!({"awards": [award(10, "a"), award(20, "b"), award(30, "c")]}));
        let awards = read.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(awards.iter().map(|a| a.amount).collect::<Vec<_>>(), [10, 20, 30]);

        // Schema breaks are a 400 naming each, inside its award; a batch is never a correction.
        let bad = read_batch(
            json!({"awards": [award(0, "a"), {"subjectType": "robot", "amount": 5, "reason": " ", "colour": 1}, award(5, "")]}),
        );
        let at = [
            "/awards/0/amount",
            "/awards/1/colour",
            "/awards/1/reason",
            "/awards/1/reference",
            "/awards/1/subjectId",
            "/awards/1/subjectType",
            "/awards/2/reference",
        ];
        assert_eq!(bad.err().map(pointers), Some((400, at.map(String::from).to_vec())));
        // The same reference for the same person twice is a 422 on the second; for another person it is fine.
        let twice = read_batch(json!({"awards": [award(1, "a"), award(2, "b"), award(3, "a")]}));
        assert_eq!(twice.err().map(pointers), Some((422, vec!["/awards/2/reference".to_owned()])));
        let other = json!({"subjectType": "user", "subjectId": who, "amount": 1, "reason": "r", "reference": "a"});
        assert!(read_batch(json!({"awards": [award(1, "a"), other]})).is_ok());
        // 1 to 100 awards.
        for n in [0, MAX_BATCH + 1] {
            let awards: Vec<Value> = (0..n).map(|i| award(1, &i.to_string())).collect();
            assert_eq!(
                read_batch(json!({"awards": awards})).err().map(pointers),
                Some((400, vec!["/awards".to_owned()]))
            );
        }
        let full: Vec<Value> = (0..MAX_BATCH).map(|i| award(1, &i.to_string())).collect();
        assert_eq!(read_batch(json!({"awards": full})).map(|a| a.len()).ok(), Some(MAX_BATCH));
    }

    #[test]
    fn a_reward_names_every_bad_field_and_a_patch_clears_with_null() {
        let Err(ApiError::Invalid(errors)) = read_reward(
            json!({"title": "", "costXp": 0, "monthlyLimit": 0, "imageUrl": "ftp://x", "quantityAvailable": -1}),
            true,
        ) else {
            panic!("accepted")
        };
        let mut at: Vec<&str> = errors.iter().filter_map(|e| e.pointer.as_deref()).collect();
        at.sort();
        assert_eq!(at, ["/costXp", "/imageUrl", "/monthlyLimit", "/quantityAvailable", "/title"]);
        let patch = read_reward(json!({"monthlyLimit": null, "quantityAvailable": 3, "active": false}), false)
            .unwrap_or_else(|_| panic!("refused"));
        assert_eq!(
            (patch.monthly_limit, patch.quantity_available, patch.active),
            (Some(None), Some(Some(3)), Some(false))
        );
        assert_eq!((patch.title, patch.cost_xp, patch.description), (None, None, None));
        assert!(read_reward(json!({"title": null}), false).is_err());
        assert!(read_reward(json!({"title": "\u{1d}"}), false).is_err(), "a blank title is refused, not ignored");
    }

    fn board(query: &str) -> Result<(SubjectType, Period, String), (u16, Vec<String>)> {
        let query = ListQuery::parse(Some(query), &["subjectType", "period", "groupId", "team", "department"])
            .unwrap_or_else(|_| panic!("unparsed"));
        match read_board(&query) {
            Ok(b) => Ok((b.kind, b.period, format!("{:?}", b.scope))),
            Err(ApiError::Invalid(e)) => Err((400, e.into_iter().filter_map(|e| e.parameter).collect())),
            Err(ApiError::Rejected(e)) => Err((422, e.into_iter().filter_map(|e| e.parameter).collect())),
            Err(_) => panic!("another error"),
        }
    }

    #[test]
    fn a_board_is_narrowed_by_one_group_team_or_department_of_its_kind() {
        assert_eq!(board(""), Ok((SubjectType::User, Period::AllTime, "Tenant".into())));
        assert_eq!(
            board("subjectType=worker&period=week&team=Night%20A"),
            Ok((SubjectType::Worker, Period::Week, r#"Unit(Team("Night A"))"#.into()))
        );
        assert_eq!(
            board("subjectType=worker&department=Ops&period=month"),
            Ok((SubjectType::Worker, Period::Month, r#"Unit(Department("Ops"))"#.into()))
        );
        let group = Uuid::from_u128(7);
        assert_eq!(
            board(&format!("groupId={group}")),
            Ok((SubjectType::User, Period::AllTime, format!("Group({group})")))
        );
        // Every bad parameter at once.
        let long = "d".repeat(UNIT_MAX + 1);
        assert_eq!(
            board(&format!("subjectType=robot&period=decade&groupId=x&team=%20&department={long}")),
            Err((
                400,
                vec!["subjectType".into(), "period".into(), "groupId".into(), "team".into(), "department".into()]
            ))
        );
        // A second narrowing is refused as a rule, with a mismatched first.
        assert_eq!(board("subjectType=worker&team=A&department=B"), Err((422, vec!["department".into()])));
        assert_eq!(board("team=A&department=B"), Err((422, vec!["department".into(), "team".into()])));
        // Well formed but of the other kind.
        assert_eq!(board("team=A"), Err((422, vec!["team".into()])));
        assert_eq!(board("department=A"), Err((422, vec!["department".into()])));
        assert_eq!(board(&format!("subjectType=worker&groupId={group}")), Err((422, vec!["groupId".into()])));
    }
}
