//! Lambda entry point of the provider-events function: SES events from its queue (an SQS batch) and SNS
//! SMS delivery status logs from a CloudWatch Logs subscription (`{"awslogs": {"data": …}}`), both applied
//! to deliveries. One function, as both are the same work: a provider's word about a message of ours.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use nudge_core::queue::Deadline;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let env = nudge_core::config::Env::from_process()?;
    let consumer = notifications::provider_events(&env)?;
    let (store, clock) = (env.ctx()?.store, env.clock.clone());
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (consumer, store, clock) = (consumer.clone(), store.clone(), clock.clone());
        async move {
            if let Some(data) = event.payload.pointer("/awslogs/data").and_then(Value::as_str) {
                // A failure fails the invocation: CloudWatch Logs retries it.
                let moved = nudge_notifications::provider_events::sms_logs(&store, &clock, data).await?;
                tracing::info!(moved, "SMS delivery logs applied");
                return Ok::<Value, lambda_runtime::Error>(Value::Null);
            }
            let batch: SqsEvent = serde_json::from_value(event.payload)?;
            let response: SqsBatchResponse = consumer(batch, Deadline::at(event.context.deadline())).await;
            Ok(serde_json::to_value(response)?)
        }
    }))
    .await
}
