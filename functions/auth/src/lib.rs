//! The auth function's composition root: sign-in, tokens and recovery, with the signing key, the data key
//! and the notifications queue, and whether platform admins must enrol MFA.

use nudge_core::config::{ConfigError, Env};
use nudge_notifications::Notifier;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let key = env.settings.data_key()?;
    let deps = nudge_identity::signin::Deps {
        issuer: env.settings.issuer()?,
        notifier: Notifier::new(env.queue("NOTIFICATIONS_QUEUE_URL")?, key.clone()),
        key,
        app_url: env.settings.app_url()?,
        require_platform_admin_mfa: nudge_identity::signin::platform_admin_mfa_required(
            env.var("REQUIRE_PLATFORM_ADMIN_MFA").ok().as_deref(),
        )?,
    };
    Ok(nudge_identity::signin::router(env.ctx()?, deps))
}
