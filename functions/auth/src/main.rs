//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_notifications::Notifier;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    let deps = nudge_identity::signin::Deps {
        issuer: settings.issuer()?,
        key: settings.data_key()?,
        notifier: Notifier::from_env(&sdk)?,
        app_url: settings.app_url.clone(),
    };
    nudge_core::app::run_lambda(nudge_identity::signin::router(ctx, deps)).await
}
