//! Starts the AWS emulator (infra/emulator.py: moto plus template.yaml's resources) on a loopback port. It
//! ends when the [`Emulator`] is dropped or this process ends.

use crate::LocalError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

pub const REGION: &str = "us-east-1";

#[derive(Clone, Debug, Deserialize)]
pub struct Queue {
    pub url: String,
    pub arn: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consumer {
    pub function: String,
    pub binary: String,
    pub queue: String,
    pub batch_size: i32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Route {
    pub function: String,
    pub binary: String,
    pub method: String,
    pub path: String,
}

/// What provision.py created, by template logical id.
#[derive(Clone, Debug, Deserialize)]
pub struct Resources {
    pub table: String,
    pub bucket: String,
    pub queues: BTreeMap<String, Queue>,
    /// SNS topic ARNs by logical id.
    #[serde(default)]
    pub topics: BTreeMap<String, String>,
    pub consumers: Vec<Consumer>,
    pub routes: Vec<Route>,
    /// Each function's environment by binary: template.yaml's variables, resolved to what was made here.
    #[serde(default)]
    pub environments: BTreeMap<String, BTreeMap<String, String>>,
}

impl Resources {
    /// The variables of the function built as `binary`, with local values for the stack parameters that
    /// have no default (the sender address provisioning verified in SES) or whose AWS default is off here
    /// (the module builder's language-model step is the deterministic fake: there is no Bedrock locally).
    pub fn environment(&self, binary: &str) -> BTreeMap<String, String> {
        let mut vars = self.environments.get(binary).cloned().unwrap_or_default();
        vars.entry("EMAIL_FROM".into()).or_insert_with(|| crate::server::EMAIL_FROM.into());
        if binary == "learning-schedule" {
            vars.entry("MODULE_BUILDER_MODEL".into()).or_insert_with(|| "fake".into());
        }
        vars
    }
}

pub struct Emulator {
    _child: Child,
    /// Held open: when it closes (this process ends, however), the emulator exits.
    _stdin: ChildStdin,
    pub endpoint: String,
    pub resources: Resources,
}

/// The smallest multipart part (but the last) the emulator's S3 accepts: S3's 5 MiB rule, scaled down so
/// tests can cross part boundaries with a few kilobytes.
pub const S3_PART_MIN_BYTES: usize = 8 * 1024;

/// The venv made by `make venv` (override with NUDGE_VENV).
pub fn venv(root: &Path) -> PathBuf {
    std::env::var_os("NUDGE_VENV").map(PathBuf::from).unwrap_or_else(|| root.join(".venv"))
}

impl Emulator {
    /// Starts the emulator on `port` (0: any free port, which the emulator binds itself, so parallel
    /// test binaries cannot race for one) with template.yaml's resources.
    pub async fn start(root: &Path, port: u16) -> Result<Self, LocalError> {
        if port != 0 && std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            return Err(LocalError::Setup(format!(
                "port {port} is taken (another `make dev`?); stop it or choose another with MOTO_PORT"
            )));
        }
        let python = venv(root).join("bin/python");
        let mut child = Command::new(&python)
            .arg(root.join("infra/emulator.py"))
            .args(["--port", &port.to_string(), "--template"])
            .arg(root.join("template.yaml"))
            .current_dir(root.join("infra"))
            .env("S3_UPLOAD_PART_MIN_SIZE", S3_PART_MIN_BYTES.to_string())
            // moto derives its in-memory object buffer from the part minimum: keep it at its usual size.
            .env("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", (5 * 1024 * 1024 - 1024).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(LocalError::io(format!(
                "starting {} infra/emulator.py (run `make venv` first)",
                python.display()
            )))?;
        let stdin = child.stdin.take().ok_or_else(|| LocalError::Setup("emulator stdin unavailable".into()))?;
        let stdout = child.stdout.take().ok_or_else(|| LocalError::Setup("emulator stdout unavailable".into()))?;
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        let read = reader.read_line(&mut line);
        match tokio::time::timeout(Duration::from_secs(60), read).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return Err(LocalError::Setup("the emulator did not start; see its output above".into())),
        }
        let description: Description = serde_json::from_str(&line)
            .map_err(|e| LocalError::Setup(format!("infra/emulator.py printed unexpected output: {e}")))?;
        Ok(Self { _child: child, _stdin: stdin, endpoint: description.endpoint, resources: description.resources })
    }

    pub async fn sdk_config(&self) -> nudge_core::config::SdkConfig {
        sdk_config(&self.endpoint).await
    }
}

/// SDK configuration for an emulator at `endpoint`: a fixed region and dummy credentials. (Async like the
/// SDK's own loaders, so callers need not change if it ever reads anything.)
pub async fn sdk_config(endpoint: &str) -> nudge_core::config::SdkConfig {
    nudge_core::config::AwsEnv {
        region: REGION.into(),
        access_key_id: "local".into(),
        secret_access_key: "local".into(),
        session_token: None,
        endpoint_url: Some(endpoint.into()),
    }
    .sdk_config()
}

#[derive(Deserialize)]
struct Description {
    endpoint: String,
    #[serde(flatten)]
    resources: Resources,
}
