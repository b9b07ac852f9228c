//! What AWS's providers report after a send, applied to deliveries ([`crate::send::status`]):
//!
//! - [`ses_consumer`]: the provider-events queue, which SES event publishing fills through an SNS topic
//!   (the configuration set `EMAIL_CONFIGURATION_SET` every email is sent with);
//! - [`sms_logs`]: SNS SMS delivery status logs, handed over by a CloudWatch Logs subscription.
//!
//! A body that is not an SES event (a subscription confirmation, a malformed one) is logged and dropped:
//! retrying it cannot make it readable. A store failure fails the record, which SQS retries.

use crate::NotificationError;
use crate::channels::ChannelKind;
use crate::providers::{ses, sns_sms};
use crate::send::status::{self, Applied};
use nudge_core::clock::Clock;
use nudge_core::queue::{Consumer, each_record};
use nudge_core::store::Store;
use std::sync::Arc;

/// The consumer of the provider-events queue.
pub fn ses_consumer(store: Store, clock: Clock) -> Consumer {
    let state = Arc::new((store, clock));
    Arc::new(move |event, _deadline| {
        let state = state.clone();
        Box::pin(async move {
            each_record(event, |record| {
                let state = state.clone();
                async move { ses_record(&state.0, &state.1, record.body.as_deref().unwrap_or_default()).await }
            })
            .await
        })
    })
}

async fn ses_record(store: &Store, clock: &Clock, body: &str) -> Result<(), NotificationError> {
    let event = match ses::parse_sqs_body(body) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "an SES event that cannot be read; dropped");
            return Ok(());
        }
    };
    let Some(progress) = event.status else { return Ok(()) };
    let applied = status::apply(store, ChannelKind::Email, &progress, None, false, clock.now()).await?;
    tracing::info!(event = %event.event_type, applied = ?applied, "SES event");
    Ok(())
}

/// Applies one CloudWatch Logs delivery (`awslogs.data`, base64 of gzip) of SNS SMS delivery status
/// records; answers how many moved a delivery. A record that cannot be read is logged and skipped.
pub async fn sms_logs(store: &Store, clock: &Clock, awslogs_data: &str) -> Result<u32, NotificationError> {
    let records = match sns_sms::parse_logs_event(awslogs_data) {
        Ok(records) => records,
        Err(e) => {
            tracing::warn!(error = %e, "SMS delivery logs that cannot be read; dropped");
            return Ok(0);
        }
    };
    let mut moved = 0;
    for record in records {
        match record {
            Ok(event) => {
                if let Applied::Moved(_) =
                    status::apply(store, ChannelKind::Sms, &event, None, false, clock.now()).await?
                {
                    moved += 1;
                }
            }
            Err(e) => tracing::warn!(error = %e, "an SMS delivery record that cannot be read; skipped"),
        }
    }
    Ok(moved)
}
