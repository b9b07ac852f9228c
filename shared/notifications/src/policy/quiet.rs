//! Quiet hours: a daily local window (`21:00`–`07:00`, or `12:00`–`14:00`) in which a worker is not
//! messaged. Pure; the time zone is the worker's own, else the organization's.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A window of local time, start inclusive and end exclusive; it wraps midnight when `end` is earlier than
/// `start`. The two differ (checked on input).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    /// `HH:MM`, local.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "21:00")]
    pub start: NaiveTime,
    /// `HH:MM`, local; the first minute messages go again.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "07:00")]
    pub end: NaiveTime,
}

impl QuietHours {
    /// When the quiet hours that hold `now` in `tz` end, or `None` when `now` is outside them.
    pub fn ends_after(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz).naive_local();
        let (time, today) = (local.time(), local.date());
        let end_day = if self.start < self.end {
            (self.start <= time && time < self.end).then_some(today)?
        } else if time >= self.start {
            today.succ_opt()?
        } else if time < self.end {
            today
        } else {
            return None;
        };
        Some(instant(tz, end_day.and_time(self.end)))
    }
}

/// The instant a local wall time names. In a DST gap (02:30 on a spring-forward night) it is the first
/// instant after the gap; in an overlap, the earlier of the two.
fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        // Gaps are at most an hour or two; step past in half hours (Lord Howe moves 30 minutes).
        probe += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

/// The local calendar day of `now` in `tz`: the day a daily cap counts.
pub fn local_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// `HH:MM` on the wire.
pub(crate) mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    /// `HH:MM`, 00:00 to 23:59.
    pub fn parse(text: &str) -> Result<NaiveTime, String> {
        let well_formed = text.len() == 5 && text.as_bytes()[2] == b':';
        match NaiveTime::parse_from_str(text, "%H:%M") {
            Ok(t) if well_formed => Ok(t),
            _ => Err("must be a local time `HH:MM` from 00:00 to 23:59".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn hours(start: &str, end: &str) -> QuietHours {
        QuietHours { start: hh_mm::parse(start).unwrap(), end: hh_mm::parse(end).unwrap() }
    }

    #[test]
    fn a_window_across_midnight_ends_the_next_morning_in_the_worker_s_zone() {
        let night = hours("21:00", "07:00");
        // 22:30 in Ljubljana (CET, UTC+1) on 15 January: quiet until 07:00 local on the 16th = 06:00 UTC.
        assert_eq!(night.ends_after(at("2026-01-15T21:30:00Z"), Europe::Ljubljana), Some(at("2026-01-16T06:00:00Z")));
        // 05:00 local on the 16th: quiet until 07:00 the same day.
        assert_eq!(night.ends_after(at("2026-01-16T04:00:00Z"), Europe::Ljubljana), Some(at("2026-01-16T06:00:00Z")));
        // 07:00 exactly and midday: not quiet.
        assert_eq!(night.ends_after(at("2026-01-16T06:00:00Z"), Europe::Ljubljana), None);
        assert_eq!(night.ends_after(at("2026-01-16T11:00:00Z"), Europe::Ljubljana), None);
        // The same instant is 18:30 in São Paulo (UTC-3): not quiet there.
        assert_eq!(night.ends_after(at("2026-01-15T21:30:00Z"), America::Sao_Paulo), None);
    }

    #[test]
    fn a_window_within_a_day() {
        let lunch = hours("12:00", "14:00");
        assert_eq!(lunch.ends_after(at("2026-06-01T12:30:00Z"), Tz::UTC), Some(at("2026-06-01T14:00:00Z")));
        assert_eq!(lunch.ends_after(at("2026-06-01T14:00:00Z"), Tz::UTC), None);
        assert_eq!(lunch.ends_after(at("2026-06-01T11:59:59Z"), Tz::UTC), None);
    }

    #[test]
    fn an_end_inside_a_dst_gap_is_the_first_instant_after_it() {
        // Europe moves 02:00 → 03:00 on 29 March 2026: a window ending at 02:30 ends at 03:00 CEST (01:00 UTC).
        let q = hours("22:00", "02:30");
        assert_eq!(q.ends_after(at("2026-03-28T22:00:00Z"), Europe::Ljubljana), Some(at("2026-03-29T01:00:00Z")));
        // Autumn: 02:30 happens twice on 25 October; the earlier (CEST, 00:30 UTC) ends it.
        assert_eq!(q.ends_after(at("2026-10-24T22:00:00Z"), Europe::Ljubljana), Some(at("2026-10-25T00:30:00Z")));
    }

    #[test]
    fn local_days_and_times() {
        assert_eq!(
            local_day(at("2026-01-15T23:30:00Z"), Europe::Ljubljana),
            NaiveDate::from_ymd_opt(2026, 1, 16).unwrap()
        );
        assert_eq!(local_day(at("2026-01-15T23:30:00Z"), Tz::UTC), NaiveDate::from_ymd_opt(2026, 1, 15).unwrap());
        for bad in ["24:00", "7:00", "07:60", "07:00:00", "", "ab:cd"] {
            assert!(hh_mm::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_value(hours("21:00", "07:05")).unwrap();
        assert_eq!(json, serde_json::json!({"start": "21:00", "end": "07:05"}));
    }
}
