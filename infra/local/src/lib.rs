//! The local cloud: the AWS emulator with the resources of template.yaml, dev signing keys, and the dev
//! server that serves every function's routes on one port and feeds every queue to its consumer.

pub mod bootstrap;
pub mod devkeys;
pub mod emulator;
pub mod logs;
pub mod mailbox;
pub mod queues;
pub mod server;
pub mod tls;

use std::path::PathBuf;

/// The workspace root (template.yaml, infra/, .venv, .local).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("{0}")]
    Setup(String),
}

impl LocalError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}
