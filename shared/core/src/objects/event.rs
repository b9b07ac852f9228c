//! S3 ObjectCreated notifications as they arrive in SQS message bodies (S3 → SQS → Lambda).

use serde::Deserialize;

// The notification's shape, reduced to what a consumer reads: other emitters (the local emulator among
// them) leave out fields such as `userIdentity` that a full model would require.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    #[serde(rename = "Records")]
    records: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_name: Option<String>,
    s3: Entity,
}

#[derive(Deserialize)]
struct Entity {
    bucket: Bucket,
    object: Object,
}

#[derive(Deserialize)]
struct Bucket {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    key: Option<String>,
    size: Option<u64>,
    e_tag: Option<String>,
    sequencer: Option<String>,
}

/// One created object, its key decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectCreated {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    pub etag: Option<String>,
    /// Orders events for the same key: a later write has a greater sequencer.
    pub sequencer: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("not an S3 event: {0}")]
pub struct NotAnS3Event(String);

/// The objects an SQS message body announces. S3's `s3:TestEvent` (sent once when a notification is
/// configured) announces none. Keys arrive form-encoded (`+` for a space) and are decoded here.
pub fn object_created(body: &str) -> Result<Vec<ObjectCreated>, NotAnS3Event> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| NotAnS3Event(e.to_string()))?;
    if value.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    let event: Notification = serde_json::from_value(value).map_err(|e| NotAnS3Event(e.to_string()))?;
    event
        .records
        .into_iter()
        .filter(|r| r.event_name.as_deref().is_some_and(|n| n.starts_with("ObjectCreated:")))
        .map(|r| {
            let raw = r.s3.object.key.ok_or_else(|| NotAnS3Event("a record without a key".into()))?;
            let plus_decoded = raw.replace('+', " ");
            let key = percent_encoding::percent_decode_str(&plus_decoded)
                .decode_utf8()
                .map_err(|e| NotAnS3Event(format!("key is not UTF-8: {e}")))?
                .into_owned();
            Ok(ObjectCreated {
                bucket: r.s3.bucket.name.unwrap_or_default(),
                key,
                size: r.s3.object.size.unwrap_or(0),
                etag: r.s3.object.e_tag,
                sequencer: r.s3.object.sequencer,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &str, name: &str) -> String {
        serde_json::json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-22T10:00:00.000Z", "eventName": name,
            "userIdentity": {"principalId": "x"}, "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "c",
                   "bucket": {"name": "b", "ownerIdentity": {"principalId": "x"}, "arn": "arn:aws:s3:::b"},
                   "object": {"key": key, "size": 42, "eTag": "abc", "sequencer": "0055"}}
        }]})
        .to_string()
    }

    #[test]
    fn keys_are_form_decoded() {
        let out = object_created(&body("tenants/t/my+file%2B1.csv", "ObjectCreated:Put")).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].key, "tenants/t/my file+1.csv");
        assert_eq!((out[0].size, out[0].bucket.as_str()), (42, "b"));
    }

    #[test]
    fn test_events_and_other_event_types_announce_nothing() {
        assert!(object_created(r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}"#).unwrap().is_empty());
        assert!(object_created(&body("k", "ObjectRemoved:Delete")).unwrap().is_empty());
    }

    #[test]
    fn other_messages_are_errors() {
        assert!(object_created("not json").is_err());
        assert!(object_created(r#"{"jobId": "x"}"#).is_err());
    }
}
