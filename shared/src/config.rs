//! Settings from the environment and the AWS clients, built once per cold start. Clients honour
//! `AWS_ENDPOINT_URL` (the local emulator) through the SDK's own configuration.

use crate::auth::TokenVerifier;
use crate::store::{CursorCodec, Store};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// What a function needs from its environment (template.yaml sets these on AWS; the local cloud locally).
#[derive(Clone)]
pub struct Settings {
    pub table: String,
    pub jwt_public_key: String,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub cursor_secret: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("table", &self.table).field("jwt_issuer", &self.jwt_issuer).finish()
    }
}

fn var(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: var("TABLE_NAME")?,
            // CloudFormation parameters are one line: accept `\n` escapes in the PEM.
            jwt_public_key: var("JWT_PUBLIC_KEY")?.replace("\\n", "\n"),
            jwt_issuer: var("JWT_ISSUER")?,
            jwt_audience: var("JWT_AUDIENCE")?,
            cursor_secret: var("CURSOR_SECRET")?,
        })
    }

    pub fn verifier(&self) -> Result<TokenVerifier, ConfigError> {
        TokenVerifier::from_public_pem(&self.jwt_public_key, &self.jwt_issuer, &self.jwt_audience)
            .map_err(|e| ConfigError::Invalid { name: "JWT_PUBLIC_KEY", reason: e.to_string() })
    }
}

/// The shared SDK configuration: rustls with ring. aws-lc's first TLS handshake pays ~75 ms of jitter
/// entropy seeding (aws-lambda-rust-runtime#1101); ring does not, and builds smaller.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http)
}

/// The SDK configuration from the environment (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    sdk_loader().load().await
}

/// Everything a request handler shares: the store and the token verifier.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub store: Store,
    pub verifier: Arc<TokenVerifier>,
}

impl Ctx {
    pub fn new(store: Store, verifier: TokenVerifier) -> Self {
        Self { store, verifier: Arc::new(verifier) }
    }

    pub fn from_parts(sdk: &aws_config::SdkConfig, settings: &Settings) -> Result<Self, ConfigError> {
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(sdk),
            settings.table.as_str(),
            CursorCodec::new(settings.cursor_secret.as_bytes().to_vec()),
        );
        Ok(Self::new(store, settings.verifier()?))
    }

    /// Builds the context from the environment, once per cold start.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let settings = Settings::from_env()?;
        Self::from_parts(&aws_sdk_config().await, &settings)
    }
}

impl axum::extract::FromRef<Ctx> for Store {
    fn from_ref(ctx: &Ctx) -> Store {
        ctx.store.clone()
    }
}

impl axum::extract::FromRef<Ctx> for Arc<TokenVerifier> {
    fn from_ref(ctx: &Ctx) -> Arc<TokenVerifier> {
        ctx.verifier.clone()
    }
}
