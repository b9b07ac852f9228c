//! Starts moto on a free loopback port and creates template.yaml's resources in it (infra/provision.py).
//! The process is killed when the [`Emulator`] is dropped.

use crate::LocalError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

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
    pub consumers: Vec<Consumer>,
    pub routes: Vec<Route>,
}

pub struct Emulator {
    _child: Child,
    pub endpoint: String,
    pub resources: Resources,
}

/// The venv made by `make venv` (override with NUDGE_VENV).
pub fn venv(root: &Path) -> PathBuf {
    std::env::var_os("NUDGE_VENV").map(PathBuf::from).unwrap_or_else(|| root.join(".venv"))
}

fn free_port() -> Result<u16, LocalError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(LocalError::io("finding a free port"))?;
    listener.local_addr().map(|a| a.port()).map_err(LocalError::io("finding a free port"))
}

impl Emulator {
    /// Starts the emulator on `port` (0: any free port) and provisions it.
    pub async fn start(root: &Path, port: u16) -> Result<Self, LocalError> {
        let venv = venv(root);
        let port = if port == 0 { free_port()? } else { port };
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            return Err(LocalError::Setup(format!(
                "port {port} is taken (another `make dev`?); stop it or choose another with MOTO_PORT"
            )));
        }
        let moto = venv.join("bin/moto_server");
        let child = Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(LocalError::io(format!("starting {} (run `make venv` first)", moto.display())))?;
        let endpoint = format!("http://127.0.0.1:{port}");
        wait_for(port).await?;
        let output = Command::new(venv.join("bin/python"))
            .arg(root.join("infra/provision.py"))
            .args(["--endpoint", &endpoint, "--template"])
            .arg(root.join("template.yaml"))
            .output()
            .await
            .map_err(LocalError::io("running infra/provision.py"))?;
        if !output.status.success() {
            return Err(LocalError::Setup(format!(
                "infra/provision.py failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let resources = serde_json::from_slice(&output.stdout)
            .map_err(|e| LocalError::Setup(format!("infra/provision.py printed unexpected output: {e}")))?;
        Ok(Self { _child: child, endpoint, resources })
    }

    /// SDK configuration for the emulator: its endpoint, a fixed region, dummy credentials.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let creds = aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "nudge-local");
        nudge::config::sdk_loader()
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new(REGION))
            .credentials_provider(creds)
            .load()
            .await
    }
}

async fn wait_for(port: u16) -> Result<(), LocalError> {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(LocalError::Setup(format!("the emulator did not listen on port {port} within 30 s")))
}
