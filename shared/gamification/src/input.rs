//! Reading gamification requests (edge): every bad field named at once, into the domain's inputs.

use crate::model::{Period, Subject, SubjectType, XpSource};
use nudge_core::http::input::Fields;
use nudge_core::http::{ApiError, FieldError, ListQuery};
use nudge_workers::repo::Unit;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
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
}

pub(crate) struct ManualAward {
    pub subject: Subject,
    pub amount: i64,
    pub reason: String,
}

pub(crate) fn read_manual(body: Value) -> Result<ManualAward, ApiError> {
    let mut f = Fields::new(body)?;
    let kind: Option<SubjectType> = f.required("subjectType");
    let id: Option<Uuid> = f.required("subjectId");
    let amount: Option<i64> = f.required("amount");
    f.check("amount", &amount, |a| {
        if (-MAX_MANUAL..=MAX_MANUAL).contains(a) { Ok(()) } else { Err("must be −100000 to 100000".into()) }
    });
    if amount == Some(0) {
        f.break_rule("amount", "must not be 0");
    }
    let reason = f.text("reason", 500, true);
    f.finish()?;
    Ok(ManualAward {
        subject: Subject { subject_type: kind.unwrap_or(SubjectType::User), subject_id: id.unwrap_or_default() },
        amount: amount.unwrap_or_default(),
        reason: reason.unwrap_or_default(),
    })
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
    let period = match query.filter("period") {
        None | Some("all_time") => Some(Period::AllTime),
        Some("week") => Some(Period::Week),
        Some("month") => Some(Period::Month),
        Some(_) => {
            bad.push(FieldError::param("period", "must be all_time, week or month"));
            None
        }
    };
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
