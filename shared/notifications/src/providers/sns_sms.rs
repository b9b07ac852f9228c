//! SNS SMS delivery status logs. SNS writes one JSON record per SMS to CloudWatch Logs
//! (`sns/<region>/<account>/DirectPublishToPhoneNumber`, and `.../Failure` for failures), and a Logs
//! subscription filter hands them to a Lambda as `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`. The
//! record's `notification.messageId` is the id `Publish` answered (`crate::channels::sms`).
//!
//! `SUCCESS` is [`Progress::Delivered`] (the carrier accepted it), `FAILURE` is [`Progress::Failed`] with
//! the carrier's `providerResponse`. The destination number is never read, so it can reach neither a
//! reason nor an error; a reason is masked of anything that looks like a phone number all the same.

use super::{Progress, StatusEvent};
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;
use std::io::Read;

/// At most this much JSON from one logs event. A subscription batch is about a megabyte of log text
/// (CloudWatch Logs' batch limit); far more means a damaged or hostile payload, not logs.
const MAX_INFLATED: u64 = 16 * 1024 * 1024;

/// SNS's `notification.timestamp`: UTC, milliseconds, no zone (`2016-06-28 00:40:34.558`).
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Why a logs event or a record could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("awslogs data is not base64: {0}")]
    Base64(String),
    #[error("awslogs data is not gzip: {0}")]
    Gzip(String),
    #[error("awslogs data inflates past {MAX_INFLATED} bytes")]
    TooLarge,
    /// Not JSON, or not the shape CloudWatch Logs or SNS sends.
    #[error("not valid JSON of the expected shape: {0}")]
    Json(String),
    /// A field the record needs is absent (its JSON path).
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("notification.timestamp is not `YYYY-MM-DD HH:MM:SS.mmm`: {0}")]
    BadTimestamp(String),
    #[error("delivery.dwellTimeMs is out of range: {0}")]
    BadDwellTime(u64),
    /// A `status` other than `SUCCESS` or `FAILURE`.
    #[error("unknown status {0}")]
    UnknownStatus(String),
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e.to_string())
    }
}

/// A subscription's payload, as far as we read it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogsData {
    message_type: Option<String>,
    #[serde(default)]
    log_events: Vec<LogEvent>,
}

#[derive(Deserialize)]
struct LogEvent {
    message: String,
}

/// One delivery status record. `delivery.destination` (the phone number) is deliberately not a field.
#[derive(Deserialize)]
struct Record {
    notification: Option<Notification>,
    delivery: Option<Delivery>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    message_id: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    provider_response: Option<String>,
    dwell_time_ms: Option<u64>,
}

/// One log event's message: an SNS SMS delivery status record.
pub fn parse_record(message: &str) -> Result<StatusEvent, ParseError> {
    let record: Record = serde_json::from_str(message)?;
    let notification = record.notification.ok_or(ParseError::Missing("notification"))?;
    let provider_message_id = notification.message_id.ok_or(ParseError::Missing("notification.messageId"))?;
    let published = notification.timestamp.ok_or(ParseError::Missing("notification.timestamp"))?;
    let published = NaiveDateTime::parse_from_str(&published, TIMESTAMP_FORMAT)
        .map_err(|_| ParseError::BadTimestamp(published.clone()))?
        .and_utc();
    let delivery = record.delivery.unwrap_or(Delivery { provider_response: None, dwell_time_ms: None });
    // The timestamp is when we published; the dwell time is how long SNS held it before the carrier
    // answered, so together they say when it was delivered or failed.
    let at = match delivery.dwell_time_ms {
        None => published,
        Some(ms) => after(published, ms).ok_or(ParseError::BadDwellTime(ms))?,
    };
    let progress = match record.status.as_deref() {
        Some("SUCCESS") => Progress::Delivered,
        Some("FAILURE") => {
            let response = delivery.provider_response.as_deref().unwrap_or("no provider response");
            Progress::Failed { reason: without_numbers(response) }
        }
        Some(other) => return Err(ParseError::UnknownStatus(other.to_owned())),
        None => return Err(ParseError::Missing("status")),
    };
    Ok(StatusEvent { provider_message_id, progress, at })
}

/// A Logs subscription's `awslogs.data`: each log event's record, parsed on its own so one bad record does
/// not lose the others. The outer error is for a payload that cannot be opened at all.
pub fn parse_logs_event(awslogs_data_base64: &str) -> Result<Vec<Result<StatusEvent, ParseError>>, ParseError> {
    let gzipped = base64::engine::general_purpose::STANDARD
        .decode(awslogs_data_base64.trim())
        .map_err(|e| ParseError::Base64(e.to_string()))?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut json)
        .map_err(|e| ParseError::Gzip(e.to_string()))?;
    if json.len() as u64 > MAX_INFLATED {
        return Err(ParseError::TooLarge);
    }
    let data: LogsData = serde_json::from_slice(&json)?;
    // CloudWatch Logs checks that a destination is reachable with a control message; it holds no records.
    if data.message_type.as_deref() == Some("CONTROL_MESSAGE") {
        return Ok(Vec::new());
    }
    Ok(data.log_events.iter().map(|event| parse_record(&event.message)).collect())
}

fn after(at: DateTime<Utc>, ms: u64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(TimeDelta::try_milliseconds(i64::try_from(ms).ok()?)?)
}

/// The text with each run of seven or more digits (and a `+` before it) replaced: carriers' responses
/// quote no number today, but a reason is kept and shown to senders, and a phone number is personal data.
fn without_numbers(text: &str) -> String {
    fn flush(out: &mut String, run: &mut String) {
        if run.chars().filter(char::is_ascii_digit).count() >= 7 {
            out.push_str("[number]");
        } else {
            out.push_str(run);
        }
        run.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut out, &mut run);
            out.push(c);
        }
    }
    flush(&mut out, &mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;
    use std::io::Write;

    // AWS's documented examples ("How do I monitor SMS messages sent with Amazon SNS?", the
    // DirectPublishToPhoneNumber and DirectPublishToPhoneNumber/Failure log groups).

    const SUCCESS: &str = r#"{
      "notification": {
        "messageId": "34d9b400-c6dd-5444-820d-fbeb0f1f54cf",
        "timestamp": "2016-06-28 00:40:34.558"
      },
      "delivery": {
        "phoneCarrier": "My Phone Carrier",
        "mnc": 270,
        "destination": "+1XXX5550100",
        "priceInUSD": 0.00645,
        "smsType": "Transactional",
        "mcc": 310,
        "providerResponse": "Message has been accepted by phone carrier",
        "dwellTimeMs": 599,
        "dwellTimeMsUntilDeviceAck": 1344
      },
      "status": "SUCCESS"
    }"#;

    const FAILURE: &str = r#"{
      "notification": {
        "messageId": "1077257a-92f3-5ca3-bc97-6a915b310625",
        "timestamp": "2016-06-28 00:40:34.559"
      },
      "delivery": {
        "mnc": 0,
        "destination": "+1XXX5550100",
        "priceInUSD": 0.00645,
        "smsType": "Transactional",
        "mcc": 0,
        "providerResponse": "Unknown error attempting to reach phone",
        "dwellTimeMs": 1420,
        "dwellTimeMsUntilDeviceAck": 1692
      },
      "status": "FAILURE"
    }"#;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn failed(id: &str, reason: &str, when: &str) -> StatusEvent {
        StatusEvent {
            provider_message_id: id.into(),
            progress: Progress::Failed { reason: reason.into() },
            at: at(when),
        }
    }

    /// `awslogs.data` as CloudWatch Logs sends it to a Lambda subscription.
    fn awslogs(messages: &[&str]) -> String {
        let events: Vec<_> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| json!({"id": format!("3195310660696698337880902507980421114328961542429EXAMPLE{i}"), "timestamp": 1467074434558_i64 + i as i64, "message": m}))
            .collect();
        let data = json!({
            "messageType": "DATA_MESSAGE",
            "owner": "123456789012",
            "logGroup": "sns/us-east-1/123456789012/DirectPublishToPhoneNumber",
            "logStream": "4cf8c2f5-2f3a-4e7b-9c1d-8e2f6a7b3c4d",
            "subscriptionFilters": ["sms-delivery-status"],
            "logEvents": events,
        });
        gzip_base64(data.to_string().as_bytes())
    }

    fn gzip_base64(bytes: &[u8]) -> String {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(bytes).unwrap();
        base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap())
    }

    #[test]
    fn success_is_delivered_when_the_carrier_took_it() {
        assert_eq!(
            parse_record(SUCCESS).unwrap(),
            StatusEvent {
                provider_message_id: "34d9b400-c6dd-5444-820d-fbeb0f1f54cf".into(),
                progress: Progress::Delivered,
                // 00:40:34.558 plus 599 ms of dwell time.
                at: at("2016-06-28T00:40:35.157Z"),
            }
        );
        let no_dwell = SUCCESS.replace(r#""dwellTimeMs": 599,"#, "");
        assert_eq!(parse_record(&no_dwell).unwrap().at, at("2016-06-28T00:40:34.558Z"));
    }

    #[test]
    fn failure_says_what_the_carrier_said() {
        assert_eq!(
            parse_record(FAILURE).unwrap(),
            failed(
                "1077257a-92f3-5ca3-bc97-6a915b310625",
                "Unknown error attempting to reach phone",
                "2016-06-28T00:40:35.979Z"
            )
        );
        let unreachable =
            FAILURE.replace("Unknown error attempting to reach phone", "Phone is currently unreachable/unavailable");
        assert_eq!(
            parse_record(&unreachable).unwrap().progress,
            Progress::Failed { reason: "Phone is currently unreachable/unavailable".into() }
        );
        let silent = FAILURE.replace(r#""providerResponse": "Unknown error attempting to reach phone","#, "");
        assert_eq!(parse_record(&silent).unwrap().progress, Progress::Failed { reason: "no provider response".into() });
    }

    #[test]
    fn a_reason_never_holds_the_number() {
        let quoting = FAILURE
            .replace("+1XXX5550100", "+14155550100")
            .replace("Unknown error attempting to reach phone", "Invalid destination +14155550100 (code 30006)");
        let event = parse_record(&quoting).unwrap();
        assert_eq!(event.progress, Progress::Failed { reason: "Invalid destination [number] (code 30006)".into() });
        // Nor does an error: the destination is never read.
        let broken = quoting.replace(r#""status": "FAILURE""#, r#""status": 7"#);
        let err = parse_record(&broken).unwrap_err().to_string();
        assert!(!err.contains("4155550100"), "{err}");
    }

    #[test]
    fn a_logs_event_gives_each_record() {
        let data = awslogs(&[SUCCESS, FAILURE]);
        let events = parse_logs_event(&data).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].as_ref().unwrap().progress, Progress::Delivered);
        assert_eq!(
            events[1],
            Ok(failed(
                "1077257a-92f3-5ca3-bc97-6a915b310625",
                "Unknown error attempting to reach phone",
                "2016-06-28T00:40:35.979Z"
            ))
        );
    }

    #[test]
    fn a_bad_record_does_not_lose_the_good_ones() {
        let bad_time = SUCCESS.replace("2016-06-28 00:40:34.558", "28/06/2016");
        let events = parse_logs_event(&awslogs(&[SUCCESS, "not json", bad_time.as_str(), FAILURE])).unwrap();
        assert_eq!(events.len(), 4);
        assert!(events[0].is_ok());
        assert!(matches!(events[1], Err(ParseError::Json(_))));
        assert_eq!(events[2], Err(ParseError::BadTimestamp("28/06/2016".into())));
        assert!(events[3].is_ok());
    }

    #[test]
    fn a_control_message_holds_no_records() {
        let control = json!({
            "messageType": "CONTROL_MESSAGE",
            "owner": "CloudwatchLogs",
            "logGroup": "",
            "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [{"id": "", "timestamp": 1467074434558_i64, "message": "CWL CONTROL MESSAGE: Checking health of destination"}],
        });
        assert_eq!(parse_logs_event(&gzip_base64(control.to_string().as_bytes())), Ok(vec![]));
    }

    #[test]
    fn what_is_wrong_is_named() {
        assert!(matches!(parse_logs_event("not base64!"), Err(ParseError::Base64(_))));
        let plain = base64::engine::general_purpose::STANDARD.encode(b"{\"logEvents\":[]}");
        assert!(matches!(parse_logs_event(&plain), Err(ParseError::Gzip(_))));
        assert!(matches!(parse_logs_event(&gzip_base64(b"[1,2")), Err(ParseError::Json(_))));
        assert_eq!(parse_record("{}"), Err(ParseError::Missing("notification")));
        assert_eq!(
            parse_record(r#"{"notification":{"timestamp":"2016-06-28 00:40:34.558"},"status":"SUCCESS"}"#),
            Err(ParseError::Missing("notification.messageId"))
        );
        assert_eq!(
            parse_record(&SUCCESS.replace(r#""status": "SUCCESS""#, r#""status": "PENDING""#)),
            Err(ParseError::UnknownStatus("PENDING".into()))
        );
        let mut no_status: serde_json::Value = serde_json::from_str(SUCCESS).unwrap();
        no_status.as_object_mut().unwrap().remove("status");
        assert_eq!(parse_record(&no_status.to_string()), Err(ParseError::Missing("status")));
        let forever = SUCCESS.replace("\"dwellTimeMs\": 599", &format!("\"dwellTimeMs\": {}", u64::MAX));
        assert_eq!(parse_record(&forever), Err(ParseError::BadDwellTime(u64::MAX)));
    }

    #[test]
    fn a_gzip_bomb_is_refused() {
        let huge = vec![b' '; usize::try_from(MAX_INFLATED).unwrap() + 1];
        assert_eq!(parse_logs_event(&gzip_base64(&huge)), Err(ParseError::TooLarge));
    }
}
