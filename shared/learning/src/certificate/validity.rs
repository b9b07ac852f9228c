//! When a certificate stops being valid: its module's `validityMonths` after it was issued, unless it was
//! revoked first.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// When a certificate issued at `issued_at` expires: `validity_months` calendar months later, with the day
/// clamped to the month's end (issued Jan 31 with 1 month: Feb 28, or 29 in a leap year). `None`: it
/// does not expire, when the module sets no validity, or 0 months (a certificate void on issue would
/// make no sense), or when the date would lie beyond what chrono represents.
pub fn expires_at(issued_at: DateTime<Utc>, validity_months: Option<u32>) -> Option<DateTime<Utc>> {
    let months = validity_months.filter(|&m| m > 0)?;
    issued_at.checked_add_months(Months::new(months))
}

/// A certificate's status as shown to anyone who verifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Expired,
    Revoked,
}

/// The status at `now`. A revocation wins over everything (it is recorded when it happens, never ahead,
/// so its time is not compared); otherwise expired from the instant of expiry on.
pub fn status(
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CertificateStatus {
    if revoked_at.is_some() {
        CertificateStatus::Revoked
    } else if expires_at.is_some_and(|e| now >= e) {
        CertificateStatus::Expired
    } else {
        CertificateStatus::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 10, 30, 0).unwrap()
    }

    #[test]
    fn adds_calendar_months_keeping_the_time_of_day() {
        assert_eq!(expires_at(at(2025, 3, 15), Some(12)), Some(at(2026, 3, 15)));
        assert_eq!(expires_at(at(2025, 11, 30), Some(3)), Some(at(2026, 2, 28)));
        assert_eq!(expires_at(at(2025, 1, 1), Some(24)), Some(at(2027, 1, 1)));
    }

    #[test]
    fn clamps_to_the_end_of_a_shorter_month() {
        assert_eq!(expires_at(at(2025, 1, 31), Some(1)), Some(at(2025, 2, 28)));
        assert_eq!(expires_at(at(2024, 1, 31), Some(1)), Some(at(2024, 2, 29)));
        assert_eq!(expires_at(at(2025, 8, 31), Some(1)), Some(at(2025, 9, 30)));
        assert_eq!(expires_at(at(2024, 2, 29), Some(12)), Some(at(2025, 2, 28)));
    }

    #[test]
    fn no_validity_or_zero_months_never_expires() {
        assert_eq!(expires_at(at(2025, 1, 31), None), None);
        assert_eq!(expires_at(at(2025, 1, 31), Some(0)), None);
    }

    #[test]
    fn an_unrepresentable_expiry_is_none_not_a_panic() {
        assert_eq!(expires_at(DateTime::<Utc>::MAX_UTC, Some(1)), None);
        assert_eq!(expires_at(at(2025, 1, 1), Some(u32::MAX)), None);
    }

    #[test]
    fn expired_from_the_instant_of_expiry() {
        let expiry = at(2026, 11, 30);
        let second = chrono::TimeDelta::seconds(1);
        assert_eq!(status(Some(expiry), None, expiry - second), CertificateStatus::Valid);
        assert_eq!(status(Some(expiry), None, expiry), CertificateStatus::Expired);
        assert_eq!(status(Some(expiry), None, expiry + second), CertificateStatus::Expired);
        assert_eq!(status(None, None, DateTime::<Utc>::MAX_UTC), CertificateStatus::Valid);
    }

    #[test]
    fn revocation_wins() {
        let expiry = at(2026, 11, 30);
        let revoked = Some(at(2026, 1, 2));
        assert_eq!(status(Some(expiry), revoked, at(2026, 1, 3)), CertificateStatus::Revoked);
        assert_eq!(status(Some(expiry), revoked, at(2027, 1, 1)), CertificateStatus::Revoked);
        assert_eq!(status(None, revoked, at(2026, 1, 3)), CertificateStatus::Revoked);
    }

    #[test]
    fn status_serialises_in_snake_case() {
        let json =
            serde_json::to_string(&[CertificateStatus::Valid, CertificateStatus::Expired, CertificateStatus::Revoked])
                .unwrap();
        assert_eq!(json, r#"["valid","expired","revoked"]"#);
    }
}
