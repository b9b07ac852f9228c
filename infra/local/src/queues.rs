//! The dev server's stand-in for Lambda's SQS event source mapping: long-polls a queue, hands each batch to
//! the consumer as a real SQS event, and deletes only the messages the consumer did not report in
//! `batchItemFailures`. Failed messages come back after the visibility timeout and, past the redrive
//! policy's `maxReceiveCount`, the emulator moves them to the DLQ, as on AWS.

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use nudge_core::queue::{Consumer, Deadline};
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;

/// The deadline Lambda would give each batch: the timeout of a 15-minute function.
const INVOCATION: Duration = Duration::from_secs(900);

pub struct Poller {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub queue_arn: String,
    pub batch_size: i32,
    /// The consumer, as the function's composition root builds it.
    pub handler: Consumer,
}

/// Builds the SQS event Lambda would deliver for these messages.
pub fn event(queue_arn: &str, messages: &[aws_sdk_sqs::types::Message]) -> Result<SqsEvent, serde_json::Error> {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: Map<String, Value> = m
                .attributes()
                .map(|a| a.iter().map(|(k, v)| (k.as_str().to_owned(), json!(v))).collect())
                .unwrap_or_default();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "md5OfBody": m.md5_of_body(),
                "attributes": attributes,
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": crate::emulator::REGION,
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records }))
}

impl Poller {
    /// Polls until `stop` changes. Returns how many messages were consumed successfully.
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> u64 {
        let mut done = 0;
        loop {
            let receive = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(self.batch_size.clamp(1, 10))
                .wait_time_seconds(1)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send();
            let out = tokio::select! {
                _ = stop.changed() => return done,
                out = receive => out,
            };
            let messages = match out {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(err) => {
                    tracing::warn!(queue = %self.queue_url, error = %aws_sdk_sqs::error::DisplayErrorContext(&err), "receive failed");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                continue;
            }
            done += self.consume(&messages).await;
        }
    }

    async fn consume(&self, messages: &[aws_sdk_sqs::types::Message]) -> u64 {
        let started = std::time::Instant::now();
        let failed: HashSet<String> = match event(&self.queue_arn, messages) {
            Ok(event) => {
                let response = (self.handler)(event, Deadline::after(INVOCATION)).await;
                response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
            }
            Err(err) => {
                tracing::error!(error = %err, "could not build the SQS event");
                return 0;
            }
        };
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| m.message_id().is_some_and(|id| !failed.contains(id)))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle().map(str::to_owned))
                    .build()
                    .ok()
            })
            .collect();
        let n = entries.len() as u64;
        let queue = self.queue_url.rsplit('/').next().unwrap_or(&self.queue_url);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(queue, messages = messages.len(), failed = failed.len(), ms, "batch consumed");
        if !entries.is_empty()
            && let Err(err) =
                self.sqs.delete_message_batch().queue_url(&self.queue_url).set_entries(Some(entries)).send().await
        {
            tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&err), "delete failed; messages will be redelivered");
        }
        n
    }
}
