//! The local cloud: the AWS emulator with the resources of template.yaml, dev signing keys, the dev
//! server that serves every function's routes on one port and feeds every queue to its consumer, and a fake
//! WhatsApp Cloud API.

pub mod bench;
pub mod bootstrap;
pub mod control;
pub mod devkeys;
pub mod emulator;
pub mod logs;
pub mod mailbox;
pub mod queues;
pub mod server;
pub mod tls;
pub mod whatsapp;

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

/// `infra/check_template.py`, which `make lint` runs: it must pass template.yaml and catch what cfn-lint
/// lets through (a reference to a parameter the template never declares).
#[cfg(test)]
mod template_check {
    use std::process::Command;

    fn check(template: &std::path::Path) -> (bool, String) {
        let root = super::root();
        let out = Command::new(crate::emulator::venv(&root).join("bin/python"))
            .arg(root.join("infra/check_template.py"))
            .arg(template)
            .output()
            .unwrap_or_else(|e| panic!("python of the venv (make venv): {e}"));
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn the_template_refers_only_to_what_it_declares() {
        let (ok, out) = check(&super::root().join("template.yaml"));
        assert!(ok, "{out}");
    }

    #[test]
    fn an_undeclared_reference_fails_the_check() {
        let template = std::fs::read_to_string(super::root().join("template.yaml")).unwrap_or_default();
        let broken = template.replace("APP_URL: !Ref AppUrl", "APP_URL: !Ref AppAddress");
        assert_ne!(broken, template, "the template sets APP_URL from AppUrl");
        let dir = std::env::temp_dir().join(format!("template-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("template.yaml");
        std::fs::write(&path, broken).unwrap_or_else(|e| panic!("{e}"));
        let (ok, out) = check(&path);
        assert!(!ok, "the check passed a template with an undeclared reference");
        assert!(out.contains("Ref AppAddress names no parameter or resource"), "{out}");
    }
}
