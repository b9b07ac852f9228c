//! Settings from the environment and the AWS clients, built once per cold start. Clients honour
//! `AWS_ENDPOINT_URL` (the local emulator).

use crate::auth::{SessionGate, TokenIssuer, TokenVerifier};
use crate::clock::Clock;
use crate::crypto::DataKey;
use crate::store::{CursorCodec, Store};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Audit entries are kept this many days unless the stack says otherwise (a year and a month).
pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 400;

/// What a function needs from its environment (template.yaml sets these on AWS; the local cloud locally).
#[derive(Clone)]
pub struct Settings {
    pub table: String,
    pub jwt_public_key: String,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub cursor_secret: String,
    /// Base64 256-bit key sealing secrets at rest (functions that hold secrets only).
    pub data_key: Option<String>,
    /// Ed25519 private key PEM that signs access tokens (the auth function only).
    pub jwt_private_key: Option<String>,
    /// The bucket of media assets, imports and exports (functions that touch objects only).
    pub media_bucket: Option<String>,
    /// The web app links in emails point at (`APP_URL`; the functions that send such links only).
    pub app_url: Option<String>,
    /// How long a session's state is trusted before the verifying layer reads it again.
    pub session_cache: std::time::Duration,
    /// How long audit entries are kept (`AUDIT_RETENTION_DAYS`, default 400).
    pub audit_retention: chrono::Duration,
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
            data_key: var("DATA_KEY").ok(),
            jwt_private_key: var("JWT_PRIVATE_KEY").ok().map(|pem| pem.replace("\\n", "\n")),
            media_bucket: var("MEDIA_BUCKET").ok(),
            app_url: var("APP_URL").ok(),
            session_cache: std::time::Duration::from_secs(match var("SESSION_CACHE_SECONDS") {
                Ok(v) => v.parse().map_err(|_| ConfigError::Invalid {
                    name: "SESSION_CACHE_SECONDS",
                    reason: "not a whole number".into(),
                })?,
                Err(_) => 30,
            }),
            audit_retention: chrono::Duration::days(match var("AUDIT_RETENTION_DAYS") {
                Ok(v) => v.parse().ok().filter(|d| *d >= 1).ok_or(ConfigError::Invalid {
                    name: "AUDIT_RETENTION_DAYS",
                    reason: "not a whole number of days, at least 1".into(),
                })?,
                Err(_) => DEFAULT_AUDIT_RETENTION_DAYS,
            }),
        })
    }

    pub fn data_key(&self) -> Result<DataKey, ConfigError> {
        let text = self.data_key.as_deref().ok_or(ConfigError::Missing("DATA_KEY"))?;
        DataKey::from_base64(text).map_err(|e| ConfigError::Invalid { name: "DATA_KEY", reason: e.to_string() })
    }

    pub fn issuer(&self) -> Result<TokenIssuer, ConfigError> {
        let pem = self.jwt_private_key.as_deref().ok_or(ConfigError::Missing("JWT_PRIVATE_KEY"))?;
        TokenIssuer::from_private_pem(pem, &self.jwt_issuer, &self.jwt_audience)
            .map_err(|e| ConfigError::Invalid { name: "JWT_PRIVATE_KEY", reason: e.to_string() })
    }

    pub fn media_bucket(&self) -> Result<String, ConfigError> {
        self.media_bucket.clone().ok_or(ConfigError::Missing("MEDIA_BUCKET"))
    }

    pub fn app_url(&self) -> Result<String, ConfigError> {
        self.app_url.clone().ok_or(ConfigError::Missing("APP_URL"))
    }

    pub fn verifier(&self) -> Result<TokenVerifier, ConfigError> {
        TokenVerifier::from_public_pem(&self.jwt_public_key, &self.jwt_issuer, &self.jwt_audience)
            .map_err(|e| ConfigError::Invalid { name: "JWT_PUBLIC_KEY", reason: e.to_string() })
    }
}

pub use aws_types::SdkConfig;

/// Where the SDK clients send requests and what they sign them with.
#[derive(Clone)]
pub struct AwsEnv {
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// `AWS_ENDPOINT_URL`: the local emulator; unset on AWS.
    pub endpoint_url: Option<String>,
}

impl std::fmt::Debug for AwsEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsEnv").field("region", &self.region).field("endpoint_url", &self.endpoint_url).finish()
    }
}

impl AwsEnv {
    /// What Lambda hands every function in its environment: the region and the execution role's
    /// credentials (fixed for the life of the execution environment).
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            region: var("AWS_REGION").or_else(|_| var("AWS_DEFAULT_REGION"))?,
            access_key_id: var("AWS_ACCESS_KEY_ID")?,
            secret_access_key: var("AWS_SECRET_ACCESS_KEY")?,
            session_token: var("AWS_SESSION_TOKEN").ok(),
            endpoint_url: var("AWS_ENDPOINT_URL").ok(),
        })
    }

    /// The SDK configuration, built without aws-config: its provider chain (profiles, SSO, STS web
    /// identity, IMDS) is never used on Lambda and was a good part of every bootstrap.
    pub fn sdk_config(self) -> SdkConfig {
        use aws_credential_types::Credentials;
        use aws_types::sdk_config::{RetryConfig, SharedCredentialsProvider, TimeoutConfig};
        let credentials =
            Credentials::new(self.access_key_id, self.secret_access_key, self.session_token, None, "environment");
        let mut builder = SdkConfig::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new(self.region))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .http_client(https_client())
            .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
            .time_source(aws_smithy_async::time::SystemTimeSource::new())
            .retry_config(RetryConfig::standard())
            // aws-config's default: fail a connection attempt fast and let the retry take over.
            .timeout_config(TimeoutConfig::builder().connect_timeout(std::time::Duration::from_millis(3100)).build());
        if let Some(url) = self.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        builder.build()
    }
}

/// The SDK's HTTPS client: rustls with ring. aws-lc's first handshake pays ~75 ms of jitter entropy
/// seeding (aws-lambda-rust-runtime#1101); ring does not, and builds smaller.
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// The SDK configuration from the environment (region, credentials, `AWS_ENDPOINT_URL`).
pub fn aws_sdk_config() -> Result<SdkConfig, ConfigError> {
    Ok(AwsEnv::from_env()?.sdk_config())
}

/// Everything a request handler shares: the store, the token verifier and the session gate.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub store: Store,
    pub verifier: Arc<TokenVerifier>,
    pub sessions: SessionGate,
    /// How long the audit log keeps what this function writes to it.
    pub audit_retention: chrono::Duration,
    /// The time time-driven rules read (movable only in the local cloud).
    pub clock: Clock,
}

impl Ctx {
    pub fn new(store: Store, verifier: TokenVerifier, session_cache: std::time::Duration) -> Self {
        Self {
            sessions: SessionGate::new(store.clone(), session_cache),
            store,
            verifier: Arc::new(verifier),
            audit_retention: chrono::Duration::days(DEFAULT_AUDIT_RETENTION_DAYS),
            clock: Clock::system(),
        }
    }

    pub fn from_parts(sdk: &SdkConfig, settings: &Settings) -> Result<Self, ConfigError> {
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(sdk),
            settings.table.as_str(),
            CursorCodec::new(settings.cursor_secret.as_bytes().to_vec()),
        );
        let ctx = Self::new(store, settings.verifier()?, settings.session_cache);
        Ok(Self { audit_retention: settings.audit_retention, ..ctx })
    }
}

/// What a function is composed from: the variables template.yaml gives it, the settings read from them and
/// the SDK configuration. On Lambda the variables are the process environment ([`Env::from_process`]); the
/// local cloud hands each function the same variables resolved against the emulator ([`Env::local`]), so
/// one composition root per function serves `main.rs`, the dev server and the tests alike.
#[derive(Clone)]
pub struct Env {
    pub sdk: SdkConfig,
    pub settings: Settings,
    /// The system clock on AWS; the local cloud's shared, movable one locally.
    pub clock: Clock,
    /// `None`: the process environment.
    vars: Option<Arc<std::collections::BTreeMap<String, String>>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Env {
    /// The environment of a Lambda execution environment, read once per cold start.
    pub fn from_process() -> Result<Self, ConfigError> {
        Ok(Self { sdk: aws_sdk_config()?, settings: Settings::from_env()?, clock: Clock::system(), vars: None })
    }

    /// A function's environment as the local cloud makes it (template.yaml's variables, resolved).
    pub fn local(
        sdk: SdkConfig,
        settings: Settings,
        clock: Clock,
        vars: std::collections::BTreeMap<String, String>,
    ) -> Self {
        Self { sdk, settings, clock, vars: Some(Arc::new(vars)) }
    }

    /// A variable template.yaml sets for this function; unset or empty is [`ConfigError::Missing`].
    pub fn var(&self, name: &'static str) -> Result<String, ConfigError> {
        match &self.vars {
            None => var(name),
            Some(vars) => vars.get(name).filter(|v| !v.is_empty()).cloned().ok_or(ConfigError::Missing(name)),
        }
    }

    /// An optional number (a tuning knob such as rows per invocation); malformed is an error, not a default.
    pub fn number<T: std::str::FromStr>(&self, name: &'static str) -> Result<Option<T>, ConfigError> {
        match self.var(name) {
            Ok(text) => {
                text.parse().map(Some).map_err(|_| ConfigError::Invalid { name, reason: "not a whole number".into() })
            }
            Err(_) => Ok(None),
        }
    }

    /// The request context: store, token verifier, session gate.
    pub fn ctx(&self) -> Result<Ctx, ConfigError> {
        Ok(Ctx { clock: self.clock.clone(), ..Ctx::from_parts(&self.sdk, &self.settings)? })
    }

    /// The queue whose URL the variable `name` holds.
    pub fn queue(&self, name: &'static str) -> Result<crate::queue::Queue, ConfigError> {
        Ok(crate::queue::Queue::new(aws_sdk_sqs::Client::new(&self.sdk), self.var(name)?))
    }

    /// The media bucket (`MEDIA_BUCKET`).
    pub fn objects(&self) -> Result<crate::objects::Objects, ConfigError> {
        crate::objects::Objects::from_settings(&self.sdk, &self.settings)
    }
}

impl axum::extract::FromRef<Ctx> for Store {
    fn from_ref(ctx: &Ctx) -> Store {
        ctx.store.clone()
    }
}
