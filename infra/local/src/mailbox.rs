//! The local mailbox: the emails the notifications function sent through the emulator's SES (read from
//! the emulator's `/_local/ses/sent`), handed to each caller by address and kind. The dev server and the
//! tests read invitations and reset links from here, as a person would from their inbox.

use crate::LocalError;
use nudge_notifications::NotificationKind;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// One email as SES sent it.
#[derive(Clone, Debug, Deserialize)]
pub struct Sent {
    pub id: String,
    pub source: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// An account email, with the link it carries and the single-use token in that link.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub link: String,
    pub token: String,
}

/// Where each kind's link goes in the web app.
fn path_of(kind: &NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Invite => "/accept-invite?token=",
        NotificationKind::PasswordReset => "/reset-password?token=",
    }
}

/// The link of `kind` in `text` and its token: the link runs to the next white space.
fn link_in(text: &str, kind: &NotificationKind) -> Option<(String, String)> {
    let path = path_of(kind);
    let at = text.find(path)?;
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = text[at..].find(char::is_whitespace).map_or(text.len(), |i| at + i);
    let link = text[start..end].to_owned();
    let token = link.split_once("token=")?.1.to_owned();
    Some((link, token))
}

pub struct Mailbox {
    endpoint: String,
    /// Sent emails already handed out.
    taken: Mutex<HashSet<String>>,
}

impl Mailbox {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self { endpoint: endpoint.into(), taken: Mutex::default() }
    }

    /// Everything SES has sent so far.
    pub async fn sent(&self) -> Result<Vec<Sent>, LocalError> {
        let url = format!("{}/_local/ses/sent", self.endpoint);
        let reply = reqwest::get(&url).await.map_err(|e| LocalError::Setup(format!("reading {url}: {e}")))?;
        reply.json().await.map_err(|e| LocalError::Setup(format!("reading {url}: {e}")))
    }

    /// The first email of `kind` to `to` not handed out before, waiting up to a minute for it (as the tests
    /// wait for any background effect: a full suite on two cores can keep the delivery queue busy for tens
    /// of seconds).
    pub async fn take(&self, to: &str, kind: NotificationKind) -> Result<Mail, LocalError> {
        for _ in 0..600 {
            for sent in self.sent().await? {
                if !sent.to.iter().any(|t| t.eq_ignore_ascii_case(to)) {
                    continue;
                }
                let Some((link, token)) = link_in(&sent.body, &kind) else { continue };
                let mut taken = self.taken.lock().map_err(|_| LocalError::Setup("mailbox poisoned".into()))?;
                if taken.insert(sent.id.clone()) {
                    return Ok(Mail {
                        to: to.to_owned(),
                        from: sent.source,
                        subject: sent.subject,
                        text: sent.body,
                        link,
                        token,
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(LocalError::Setup(format!("no {kind:?} email for {to} arrived")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_link_and_token_of_its_kind() {
        let text = "Hi. Open https://app.example/reset-password?token=abc123 within the hour.";
        let (link, token) = link_in(text, &NotificationKind::PasswordReset).unwrap();
        assert_eq!((link.as_str(), token.as_str()), ("https://app.example/reset-password?token=abc123", "abc123"));
        assert!(link_in(text, &NotificationKind::Invite).is_none());
    }
}
