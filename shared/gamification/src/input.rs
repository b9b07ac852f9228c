//! Reading gamification requests (edge): every bad field named at once, into the domain's inputs.

use crate::model::{Subject, SubjectType, XpSource};
use nudge_core::http::input::Fields;
use nudge_core::http::{ApiError, FieldError};
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
    }
    f.finish()?;
    Ok(amounts.unwrap_or_default())
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
}
