//! SES event publishing: a configuration set publishes each email's events to an SNS topic, and an SQS
//! queue subscribed to it receives them. With raw message delivery off (the default) the queue's body is
//! SNS's envelope and the SES event is its `Message`, a JSON string; with it on, the body is the event
//! itself. Both are read.
//!
//! Each email is tagged `send_id=<uuid>` when sent (`crate::channels::email`), so an event joins back to
//! what we sent by the tag as well as by SES's message id. Only final or forward news becomes a
//! [`StatusEvent`]: a delivery, an open or click (read), a permanent bounce, a complaint, a rejection or a
//! rendering failure. A transient or undetermined bounce is not final (SES retries, and reports a
//! permanent bounce if it gives up), nor are `Send`, `DeliveryDelay` and `Subscription`.
//!
//! A reason never holds an email address: diagnostic codes often quote the recipient, and a reason is kept
//! on the delivery and shown to senders.

use super::{Progress, StatusEvent};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The tag each email carries (`crate::channels::email`).
const SEND_ID_TAG: &str = "send_id";

/// One SES event, as far as we care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SesEvent {
    /// What it tells about our message, if anything final or forward.
    pub status: Option<StatusEvent>,
    /// The email's `send_id` tag.
    pub send_id: Option<Uuid>,
    /// SES's `eventType` as sent (`Delivery`, `Bounce`, `Rendering Failure`, ...).
    pub event_type: String,
}

/// Why a body or event could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or not the shape SNS or SES sends.
    #[error("not valid JSON of the expected shape: {0}")]
    Json(String),
    /// An SNS envelope of another type (a `SubscriptionConfirmation`, an `UnsubscribeConfirmation`).
    #[error("an SNS {0} message, not a Notification")]
    NotANotification(String),
    /// A field the event needs is absent (its JSON path).
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{field} is not an RFC 3339 time: {value}")]
    BadTimestamp { field: &'static str, value: String },
    /// The `send_id` tag is there but is not one of ours.
    #[error("the {SEND_ID_TAG} tag is not a UUID: {0}")]
    BadSendId(String),
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e.to_string())
    }
}

/// The SNS envelope's fields we read (`Type`, `Message`).
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Message")]
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    /// Identity feedback notifications (not event publishing) name it `notificationType`.
    #[serde(alias = "notificationType")]
    event_type: Option<String>,
    mail: Option<Mail>,
    delivery: Option<Timed>,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
    reject: Option<Reject>,
    open: Option<Timed>,
    click: Option<Timed>,
    failure: Option<Failure>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: Option<String>,
    timestamp: Option<String>,
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct Timed {
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: Option<String>,
    bounce_sub_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<BouncedRecipient>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BouncedRecipient {
    diagnostic_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complaint_feedback_type: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Reject {
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Failure {
    error_message: Option<String>,
}

/// An SQS message's body: SNS's envelope around the event, or (raw delivery) the event itself.
pub fn parse_sqs_body(body: &str) -> Result<SesEvent, ParseError> {
    let value: serde_json::Value = serde_json::from_str(body)?;
    // An SES event has no `Type`; SNS's envelope always has one.
    if value.get("Type").is_none() {
        return read(serde_json::from_value(value)?);
    }
    let envelope: Envelope = serde_json::from_value(value)?;
    if envelope.kind != "Notification" {
        return Err(ParseError::NotANotification(envelope.kind));
    }
    parse_event(&envelope.message.ok_or(ParseError::Missing("Message"))?)
}

/// One SES event's JSON.
pub fn parse_event(json: &str) -> Result<SesEvent, ParseError> {
    read(serde_json::from_str(json)?)
}

fn read(record: Record) -> Result<SesEvent, ParseError> {
    let event_type = record.event_type.clone().ok_or(ParseError::Missing("eventType"))?;
    let mail = record.mail.as_ref().ok_or(ParseError::Missing("mail"))?;
    let message_id = mail.message_id.clone().ok_or(ParseError::Missing("mail.messageId"))?;
    let send_id = send_id(&mail.tags)?;
    let status = progress(&event_type, &record)?.map(|(progress, at)| StatusEvent {
        provider_message_id: message_id,
        progress,
        at,
    });
    Ok(SesEvent { status, send_id, event_type })
}

/// The first `send_id` tag value; none when the email was not tagged (sent before tagging, or by hand).
fn send_id(tags: &HashMap<String, Vec<String>>) -> Result<Option<Uuid>, ParseError> {
    match tags.get(SEND_ID_TAG).and_then(|values| values.first()) {
        None => Ok(None),
        Some(value) => Uuid::parse_str(value).map(Some).map_err(|_| ParseError::BadSendId(value.clone())),
    }
}

/// What the event means for the message, and when; `None` when it is not final or forward news.
fn progress(event_type: &str, record: &Record) -> Result<Option<(Progress, DateTime<Utc>)>, ParseError> {
    let found = match event_type {
        "Delivery" => {
            let at = time("delivery.timestamp", record.delivery.as_ref().and_then(|d| d.timestamp.as_deref()))?;
            (Progress::Delivered, at)
        }
        "Open" => (Progress::Read, time("open.timestamp", record.open.as_ref().and_then(|o| o.timestamp.as_deref()))?),
        "Click" => {
            (Progress::Read, time("click.timestamp", record.click.as_ref().and_then(|c| c.timestamp.as_deref()))?)
        }
        "Bounce" => {
            let bounce = record.bounce.as_ref().ok_or(ParseError::Missing("bounce"))?;
            // Only a permanent bounce is final: SES retries a transient one, and an undetermined one gives
            // no reason to stop; if SES gives up, a permanent bounce follows.
            if bounce.bounce_type.as_deref() != Some("Permanent") {
                return Ok(None);
            }
            let at = time("bounce.timestamp", bounce.timestamp.as_deref())?;
            let diagnostic = bounce
                .bounced_recipients
                .iter()
                .filter_map(|r| r.diagnostic_code.as_deref())
                .find(|code| !code.trim().is_empty())
                .or(bounce.bounce_sub_type.as_deref())
                .unwrap_or("no reason given");
            (failed(format!("bounced (permanent): {}", without_addresses(diagnostic))), at)
        }
        "Complaint" => {
            let complaint = record.complaint.as_ref().ok_or(ParseError::Missing("complaint"))?;
            let at = time("complaint.timestamp", complaint.timestamp.as_deref())?;
            // Most mailbox providers send no feedback type: the recipient pressed "spam".
            let kind = complaint.complaint_feedback_type.as_deref().unwrap_or("marked as spam");
            (failed(format!("complaint: {}", without_addresses(kind))), at)
        }
        "Reject" => {
            let reason = record.reject.as_ref().and_then(|r| r.reason.as_deref()).unwrap_or("no reason given");
            (failed(format!("rejected: {}", without_addresses(reason))), mail_time(record)?)
        }
        // SES sends it with a space; the API's enum spells it without.
        "Rendering Failure" | "RenderingFailure" => {
            let message = record.failure.as_ref().and_then(|f| f.error_message.as_deref()).unwrap_or("no reason given");
            (failed(format!("rendering failed: {}", without_addresses(message))), mail_time(record)?)
        }
        // Send, DeliveryDelay, Subscription and any type SES adds later say nothing final.
        _ => return Ok(None),
    };
    Ok(Some(found))
}

fn failed(reason: String) -> Progress {
    Progress::Failed { reason }
}

/// A rejection or rendering failure carries no time of its own: it happened when SES took the email.
fn mail_time(record: &Record) -> Result<DateTime<Utc>, ParseError> {
    time("mail.timestamp", record.mail.as_ref().and_then(|m| m.timestamp.as_deref()))
}

fn time(field: &'static str, value: Option<&str>) -> Result<DateTime<Utc>, ParseError> {
    let value = value.ok_or(ParseError::Missing(field))?;
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ParseError::BadTimestamp { field, value: value.to_owned() })
}

/// The text with each word that holds an address (`<ana@example.com>:`, `ana%40example.com`) replaced.
/// Whole words go, so no part of an address is left; runs of whitespace become one space.
fn without_addresses(text: &str) -> String {
    text.split_whitespace()
        .map(|word| if word.contains('@') || word.to_ascii_lowercase().contains("%40") { "[address]" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MESSAGE_ID: &str = "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000";
    const SEND_ID: &str = "0190f6a4-3c1e-7b2a-9d4f-5e6a7b8c9d0e";

    // AWS's documented examples ("Examples of event data that Amazon SES publishes to Amazon SNS"), with
    // long header lists shortened and, where noted, our `send_id` tag added.

    const BOUNCE: &str = r#"{
      "eventType":"Bounce",
      "bounce":{
        "bounceType":"Permanent",
        "bounceSubType":"General",
        "bouncedRecipients":[
          {"emailAddress":"recipient@example.com","action":"failed","status":"5.1.1",
           "diagnosticCode":"smtp; 550 5.1.1 user unknown"}
        ],
        "timestamp":"2017-08-05T00:41:02.669Z",
        "feedbackId":"01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "reportingMTA":"dsn; mta.example.com"
      },
      "mail":{
        "timestamp":"2017-08-05T00:40:02.012Z",
        "source":"Sender Name <sender@example.com>",
        "sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId":"123456789012",
        "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination":["recipient@example.com"],
        "headersTruncated":false,
        "headers":[
          {"name":"From","value":"Sender Name <sender@example.com>"},
          {"name":"To","value":"recipient@example.com"},
          {"name":"Subject","value":"Message sent from Amazon SES"},
          {"name":"MIME-Version","value":"1.0"},
          {"name":"Content-Type","value":"multipart/alternative; boundary=\"----=_Part_7307378_1629847660.1516840721503\""}
        ],
        "commonHeaders":{
          "from":["Sender Name <sender@example.com>"],
          "to":["recipient@example.com"],
          "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
          "subject":"Message sent from Amazon SES"
        },
        "tags":{
          "ses:configuration-set":["ConfigSet"],
          "ses:source-ip":["192.0.2.0"],
          "ses:from-domain":["example.com"],
          "ses:caller-identity":["ses_user"]
        }
      }
    }"#;

    const COMPLAINT: &str = r#"{
      "eventType":"Complaint",
      "complaint": {
        "complainedRecipients":[{"emailAddress":"recipient@example.com"}],
        "timestamp":"2017-08-05T00:41:02.669Z",
        "feedbackId":"01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36",
        "complaintFeedbackType":"abuse",
        "arrivalDate":"2017-08-05T00:41:02.669Z"
      },
      "mail":{
        "timestamp":"2017-08-05T00:40:01.123Z",
        "source":"Sender Name <sender@example.com>",
        "sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId":"123456789012",
        "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination":["recipient@example.com"],
        "headersTruncated":false,
        "commonHeaders":{
          "from":["Sender Name <sender@example.com>"],
          "to":["recipient@example.com"],
          "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
          "subject":"Message sent from Amazon SES"
        },
        "tags":{
          "ses:configuration-set":["ConfigSet"],
          "ses:source-ip":["192.0.2.0"],
          "ses:from-domain":["example.com"],
          "ses:caller-identity":["ses_user"]
        }
      }
    }"#;

    /// With our `send_id` tag added beside AWS's custom ones.
    const DELIVERY: &str = r#"{
      "eventType": "Delivery",
      "mail": {
        "timestamp": "2016-10-19T23:20:52.240Z",
        "source": "sender@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination": ["recipient@example.com"],
        "headersTruncated": false,
        "headers": [
          {"name": "From", "value": "sender@example.com"},
          {"name": "To", "value": "recipient@example.com"},
          {"name": "Subject", "value": "Message sent from Amazon SES"},
          {"name": "MIME-Version", "value": "1.0"},
          {"name": "Content-Type", "value": "text/html; charset=UTF-8"},
          {"name": "Content-Transfer-Encoding", "value": "7bit"}
        ],
        "commonHeaders": {
          "from": ["sender@example.com"],
          "to": ["recipient@example.com"],
          "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
          "subject": "Message sent from Amazon SES"
        },
        "tags": {
          "ses:configuration-set": ["ConfigSet"],
          "ses:source-ip": ["192.0.2.0"],
          "ses:from-domain": ["example.com"],
          "ses:caller-identity": ["ses_user"],
          "ses:outgoing-ip": ["192.0.2.0"],
          "myCustomTag1": ["myCustomTagValue1"],
          "myCustomTag2": ["myCustomTagValue2"],
          "send_id": ["0190f6a4-3c1e-7b2a-9d4f-5e6a7b8c9d0e"]
        }
      },
      "delivery": {
        "timestamp": "2016-10-19T23:21:04.133Z",
        "processingTimeMillis": 11893,
        "recipients": ["recipient@example.com"],
        "smtpResponse": "250 2.6.0 Message received",
        "reportingMTA": "mta.example.com"
      }
    }"#;

    const SEND: &str = r#"{
      "eventType": "Send",
      "mail": {
        "timestamp": "2016-10-14T05:02:16.645Z",
        "source": "sender@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination": ["recipient@example.com"],
        "headersTruncated": false,
        "headers": [
          {"name": "X-SES-MESSAGE-TAGS", "value": "myCustomTag1=myCustomTagValue1, myCustomTag2=myCustomTagValue2"}
        ],
        "tags": {
          "ses:configuration-set": ["ConfigSet"],
          "ses:source-ip": ["192.0.2.0"],
          "ses:from-domain": ["example.com"],
          "ses:caller-identity": ["ses_user"],
          "myCustomTag1": ["myCustomTagValue1"],
          "myCustomTag2": ["myCustomTagValue2"]
        }
      },
      "send": {}
    }"#;

    const REJECT: &str = r#"{
      "eventType": "Reject",
      "mail": {
        "timestamp": "2016-10-14T17:38:15.211Z",
        "source": "sender@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination": ["sender@example.com"],
        "headersTruncated": false,
        "tags": {
          "ses:configuration-set": ["ConfigSet"],
          "ses:source-ip": ["192.0.2.0"],
          "ses:from-domain": ["example.com"],
          "ses:caller-identity": ["ses_user"],
          "myCustomTag1": ["myCustomTagValue1"],
          "myCustomTag2": ["myCustomTagValue2"]
        }
      },
      "reject": {
        "reason": "Bad content"
      }
    }"#;

    const OPEN: &str = r#"{
      "eventType": "Open",
      "mail": {
        "commonHeaders": {
          "from": ["sender@example.com"],
          "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
          "subject": "Message sent from Amazon SES",
          "to": ["recipient@example.com"]
        },
        "destination": ["recipient@example.com"],
        "headers": [
          {"name": "X-SES-CONFIGURATION-SET", "value": "ConfigSet"},
          {"name":"X-SES-MESSAGE-TAGS", "value":"myCustomTag1=myCustomValue1, myCustomTag2=myCustomValue2"}
        ],
        "headersTruncated": false,
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "sendingAccountId": "123456789012",
        "source": "sender@example.com",
        "tags": {
          "myCustomTag1":["myCustomValue1"],
          "myCustomTag2":["myCustomValue2"],
          "ses:caller-identity": ["IAM_user_or_role_name"],
          "ses:configuration-set": ["ConfigSet"],
          "ses:from-domain": ["example.com"],
          "ses:source-ip": ["192.0.2.0"]
        },
        "timestamp": "2017-08-09T21:59:49.927Z"
      },
      "open": {
        "ipAddress": "192.0.2.1",
        "timestamp": "2017-08-09T22:00:19.652Z",
        "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60"
      }
    }"#;

    const CLICK: &str = r#"{
      "eventType": "Click",
      "click": {
        "ipAddress": "192.0.2.1",
        "link": "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html",
        "linkTags": {
          "samplekey0": ["samplevalue0"],
          "samplekey1": ["samplevalue1"]
        },
        "timestamp": "2017-08-09T23:51:25.570Z",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36"
      },
      "mail": {
        "destination": ["recipient@example.com"],
        "headersTruncated": false,
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "sendingAccountId": "123456789012",
        "source": "sender@example.com",
        "tags": {
          "myCustomTag1":["myCustomValue1"],
          "myCustomTag2":["myCustomValue2"],
          "ses:caller-identity": ["ses_user"],
          "ses:configuration-set": ["ConfigSet"],
          "ses:from-domain": ["example.com"],
          "ses:source-ip": ["192.0.2.0"]
        },
        "timestamp": "2017-08-09T23:50:05.795Z"
      }
    }"#;

    const RENDERING_FAILURE: &str = r#"{
      "eventType":"Rendering Failure",
      "mail":{
        "timestamp":"2018-01-22T18:43:06.197Z",
        "source":"sender@example.com",
        "sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId":"123456789012",
        "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination":["recipient@example.com"],
        "headersTruncated":false,
        "tags":{"ses:configuration-set":["ConfigSet"]}
      },
      "failure":{
        "errorMessage":"Attribute 'attributeName' is not present in the rendering data.",
        "templateName":"MyTemplate"
      }
    }"#;

    const DELIVERY_DELAY: &str = r#"{
      "eventType": "DeliveryDelay",
      "mail":{
        "timestamp":"2020-06-16T00:15:40.641Z",
        "source":"sender@example.com",
        "sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId":"123456789012",
        "messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "destination":["recipient@example.com"],
        "headersTruncated":false,
        "tags":{"ses:configuration-set":["ConfigSet"]}
      },
      "deliveryDelay": {
        "timestamp": "2020-06-16T00:25:40.095Z",
        "delayType": "TransientCommunicationFailure",
        "expirationTime": "2020-06-16T00:25:40.914Z",
        "delayedRecipients": [{
          "emailAddress": "recipient@example.com",
          "status": "4.4.1",
          "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host"
        }]
      }
    }"#;

    const SUBSCRIPTION: &str = r#"{
      "eventType": "Subscription",
      "mail": {
        "timestamp": "2022-01-12T01:00:14.340Z",
        "source": "sender@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000",
        "destination": ["recipient@example.com"],
        "headersTruncated": false,
        "tags": {
          "ses:operation": ["SendEmail"],
          "ses:configuration-set": ["ConfigSet"],
          "ses:source-ip": ["192.0.2.0"],
          "ses:from-domain": ["example.com"],
          "ses:caller-identity": ["ses_user"],
          "myCustomTag1": ["myCustomValue1"],
          "myCustomTag2": ["myCustomValue2"]
        }
      },
      "subscription": {
        "contactList": "ContactListName",
        "timestamp": "2022-01-12T01:00:17.910Z",
        "source": "UnsubscribeHeader",
        "newTopicPreferences": {
          "unsubscribeAll": true,
          "topicSubscriptionStatus": [{"topicName": "ExampleTopicName", "subscriptionStatus": "OptOut"}]
        },
        "oldTopicPreferences": {
          "unsubscribeAll": false,
          "topicSubscriptionStatus": [{"topicName": "ExampleTopicName", "subscriptionStatus": "OptOut"}]
        }
      }
    }"#;

    /// The body SQS receives from an SNS subscription without raw message delivery.
    fn sns(event: &str) -> String {
        json!({
            "Type": "Notification",
            "MessageId": "b5a5c6d2-1f3e-5a7b-9c8d-0e1f2a3b4c5d",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events",
            "Message": event,
            "Timestamp": "2017-08-05T00:41:03.012Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLEpH+..",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ses-events:0000"
        })
        .to_string()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn status(event: &str) -> Option<StatusEvent> {
        let wrapped = parse_sqs_body(&sns(event)).unwrap();
        // Wrapped or raw, the same event.
        assert_eq!(parse_sqs_body(event).unwrap(), wrapped);
        assert_eq!(parse_event(event).unwrap(), wrapped);
        wrapped.status
    }

    fn failed(reason: &str, when: &str) -> Option<StatusEvent> {
        let progress = Progress::Failed { reason: reason.into() };
        Some(StatusEvent { provider_message_id: MESSAGE_ID.into(), progress, at: at(when) })
    }

    #[test]
    fn delivery_open_and_click_move_forward() {
        let delivered = parse_sqs_body(&sns(DELIVERY)).unwrap();
        assert_eq!(delivered.event_type, "Delivery");
        assert_eq!(delivered.send_id, Some(Uuid::parse_str(SEND_ID).unwrap()));
        assert_eq!(
            delivered.status,
            Some(StatusEvent {
                provider_message_id: MESSAGE_ID.into(),
                progress: Progress::Delivered,
                at: at("2016-10-19T23:21:04.133Z"),
            })
        );
        let read = |when: &str| {
            Some(StatusEvent { provider_message_id: MESSAGE_ID.into(), progress: Progress::Read, at: at(when) })
        };
        assert_eq!(status(OPEN), read("2017-08-09T22:00:19.652Z"));
        assert_eq!(status(CLICK), read("2017-08-09T23:51:25.570Z"));
    }

    #[test]
    fn final_failures_say_why() {
        assert_eq!(
            status(BOUNCE),
            failed("bounced (permanent): smtp; 550 5.1.1 user unknown", "2017-08-05T00:41:02.669Z")
        );
        assert_eq!(status(COMPLAINT), failed("complaint: abuse", "2017-08-05T00:41:02.669Z"));
        assert_eq!(status(REJECT), failed("rejected: Bad content", "2016-10-14T17:38:15.211Z"));
        assert_eq!(
            status(RENDERING_FAILURE),
            failed(
                "rendering failed: Attribute 'attributeName' is not present in the rendering data.",
                "2018-01-22T18:43:06.197Z"
            )
        );
        assert_eq!(parse_event(RENDERING_FAILURE).unwrap().event_type, "Rendering Failure");
    }

    #[test]
    fn what_is_not_final_has_no_status() {
        for event in [SEND, DELIVERY_DELAY, SUBSCRIPTION] {
            let parsed = parse_sqs_body(&sns(event)).unwrap();
            assert_eq!(parsed.status, None, "{}", parsed.event_type);
            assert_eq!(parsed.send_id, None);
        }
        for kind in ["Transient", "Undetermined"] {
            let bounce = BOUNCE.replace("\"Permanent\"", &format!("\"{kind}\""));
            assert_eq!(status(&bounce), None, "{kind}");
        }
        // A type SES adds later is passed over, not refused.
        let later = SEND.replace("\"Send\"", "\"Teleport\"");
        assert_eq!(parse_event(&later).unwrap().status, None);
    }

    #[test]
    fn a_bounce_without_a_diagnostic_names_its_subtype() {
        let bounce = BOUNCE.replace(r#""diagnosticCode":"smtp; 550 5.1.1 user unknown""#, r#""status":"5.1.1""#);
        let bounce = bounce.replace("\"General\"", "\"NoEmail\"");
        assert_eq!(status(&bounce), failed("bounced (permanent): NoEmail", "2017-08-05T00:41:02.669Z"));
    }

    #[test]
    fn a_complaint_without_a_feedback_type_was_marked_as_spam() {
        let complaint = COMPLAINT.replace(r#""complaintFeedbackType":"abuse","#, "");
        assert_eq!(status(&complaint), failed("complaint: marked as spam", "2017-08-05T00:41:02.669Z"));
    }

    #[test]
    fn reasons_never_hold_an_address() {
        let quoted = r#"smtp; 550 5.1.1 <recipient@example.com>: Recipient address rejected:\n user recipient%40example.com unknown"#;
        let bounce = BOUNCE.replace("smtp; 550 5.1.1 user unknown", quoted);
        let Some(StatusEvent { progress: Progress::Failed { reason }, .. }) = status(&bounce) else {
            panic!("a permanent bounce fails");
        };
        assert_eq!(
            reason,
            "bounced (permanent): smtp; 550 5.1.1 [address] Recipient address rejected: user [address] unknown"
        );
        assert!(!reason.contains("recipient"));
    }

    #[test]
    fn the_send_id_tag_joins_back() {
        let tagged = SEND.replace(r#""ses:operation""#, r#""x""#).replace(
            r#""myCustomTag1": ["myCustomTagValue1"]"#,
            &format!(r#""send_id": ["{SEND_ID}"], "myCustomTag1": ["myCustomTagValue1"]"#),
        );
        assert_eq!(parse_event(&tagged).unwrap().send_id, Some(Uuid::parse_str(SEND_ID).unwrap()));
        let foreign = DELIVERY.replace(SEND_ID, "not-a-uuid");
        assert_eq!(parse_event(&foreign), Err(ParseError::BadSendId("not-a-uuid".into())));
    }

    #[test]
    fn identity_notifications_are_read_too() {
        // Feedback notifications set on the identity (no configuration set) name the type differently.
        let legacy = DELIVERY.replace("\"eventType\"", "\"notificationType\"");
        assert_eq!(parse_event(&legacy).unwrap().status.map(|s| s.progress), Some(Progress::Delivered));
    }

    #[test]
    fn what_is_wrong_is_named() {
        assert!(matches!(parse_sqs_body("not json"), Err(ParseError::Json(_))));
        assert!(matches!(parse_event("{\"eventType\":"), Err(ParseError::Json(_))));
        // The envelope's Message is not an SES event.
        assert!(matches!(
            parse_sqs_body(&json!({"Type": "Notification", "Message": "hello"}).to_string()),
            Err(ParseError::Json(_))
        ));
        assert_eq!(parse_sqs_body(r#"{"Type":"Notification"}"#), Err(ParseError::Missing("Message")));
        let confirm = json!({"Type": "SubscriptionConfirmation", "Message": "You have chosen to subscribe..."});
        assert_eq!(
            parse_sqs_body(&confirm.to_string()),
            Err(ParseError::NotANotification("SubscriptionConfirmation".into()))
        );
        let no_id = DELIVERY.replace(&format!(r#""messageId": "{MESSAGE_ID}","#), "");
        assert_eq!(parse_sqs_body(&sns(&no_id)), Err(ParseError::Missing("mail.messageId")));
        assert_eq!(parse_event(r#"{"mail":{"messageId":"m"}}"#), Err(ParseError::Missing("eventType")));
        assert_eq!(parse_event(r#"{"eventType":"Delivery"}"#), Err(ParseError::Missing("mail")));
        assert_eq!(
            parse_event(r#"{"eventType":"Delivery","mail":{"messageId":"m"}}"#),
            Err(ParseError::Missing("delivery.timestamp"))
        );
        assert_eq!(
            parse_event(r#"{"eventType":"Bounce","mail":{"messageId":"m"}}"#),
            Err(ParseError::Missing("bounce"))
        );
        let late = DELIVERY.replace("2016-10-19T23:21:04.133Z", "yesterday");
        assert_eq!(
            parse_event(&late),
            Err(ParseError::BadTimestamp { field: "delivery.timestamp", value: "yesterday".into() })
        );
    }
}
