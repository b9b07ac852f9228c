//! The composition roots of the notifications functions. `notifications`: the API (sending, delivery
//! status, the inbox), with identity's directory of users. `notification-delivery`: the notifications
//! queue's consumer: account emails through SES from `EMAIL_FROM` (identity's reset mails behind the
//! notifications' port), fan-outs, and deliveries on email (SES), SMS (SNS), WhatsApp (the tenant's Cloud
//! API integration) and in-app.

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_identity::people::Directory;
use nudge_identity::signin::ResetMailer;
use nudge_notifications::channels::{EmailChannel, SmsChannel, SmsType};
use nudge_notifications::send::Senders;
use nudge_notifications::{Mailer, NotificationJob};
use nudge_segments::SegmentQueue;
use nudge_workers::WorkerEvents;
use std::sync::Arc;
use std::time::Duration;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let events = WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    let deps = nudge_notifications::http::Deps {
        queue: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        users: Arc::new(Directory { store: ctx.store.clone() }),
        key: env.settings.data_key()?,
        events: events.clone(),
        replies: Arc::new(nudge_journeys::replies::TouchpointReplies {
            store: ctx.store.clone(),
            clock: env.clock.clone(),
            workers: events,
        }),
    };
    Ok(nudge_notifications::http::router(ctx, deps))
}

pub fn deliver(env: &Env) -> Result<Consumer, ConfigError> {
    let store = env.ctx()?.store;
    let key = env.settings.data_key()?;
    let resets = ResetMailer { store: store.clone(), key: key.clone(), app_url: env.settings.app_url()? };
    let email = EmailChannel::new(aws_sdk_sesv2::Client::new(&env.sdk), env.var("EMAIL_FROM")?)
        .with_configuration_set(env.var("EMAIL_CONFIGURATION_SET").ok());
    let mailer = Mailer::new(store.clone(), email.clone(), key.clone(), Arc::new(resets));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ConfigError::Invalid { name: "WHATSAPP_HTTP", reason: e.to_string() })?;
    let senders = Senders {
        email: Arc::new(email),
        sms: Arc::new(SmsChannel::new(aws_sdk_sns::Client::new(&env.sdk), SmsType::Transactional)),
        http,
        key,
        users: Arc::new(Directory { store: store.clone() }),
        email_per_second: per_second(env, "EMAIL_SENDS_PER_SECOND", 14)?,
        sms_per_second: per_second(env, "SMS_SENDS_PER_SECOND", 20)?,
    };
    let queue = env.queue("NOTIFICATIONS_QUEUE_URL")?;
    Ok(job(NotificationJob::new(store, queue, mailer, senders, env.clock.clone())))
}

/// The provider-events queue's consumer: SES events applied to deliveries.
pub fn provider_events(env: &Env) -> Result<Consumer, ConfigError> {
    Ok(nudge_notifications::provider_events::ses_consumer(env.ctx()?.store, env.clock.clone()))
}

/// A send rate from the environment (the AWS account's SES or SNS quota), `default` when unset.
fn per_second(env: &Env, name: &'static str, default: u32) -> Result<u32, ConfigError> {
    match env.number::<u32>(name)? {
        None => Ok(default),
        Some(0) => Err(ConfigError::Invalid { name, reason: "must be above 0".into() }),
        Some(n) => Ok(n),
    }
}
