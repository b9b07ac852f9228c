//! Workers' replies to a message we sent (a WhatsApp button tapped under it, or text answering it), handed
//! to the domain that sent it through the [`Replies`] port: journeys complete a touchpoint so. The
//! notifications function composes the port; notifications knows no domain that sends.

use nudge_core::TenantId;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// One reply, to the message of request `request_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub request_id: Uuid,
    pub worker_id: Uuid,
    /// `button`, `interactive`, `text`, …
    pub kind: String,
    pub text: Option<String>,
    /// A button's payload or an interactive reply's id.
    pub payload: Option<String>,
}

pub type Handled<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Who is told of replies. An error makes the webhook answer 500, so the provider sends the batch again
/// (what was applied is not applied twice).
pub trait Replies: Send + Sync {
    fn replied<'a>(&'a self, tenant: &'a TenantId, reply: &'a Reply) -> Handled<'a>;
}

/// No domain listens.
pub struct Ignored;

impl Replies for Ignored {
    fn replied<'a>(&'a self, _tenant: &'a TenantId, _reply: &'a Reply) -> Handled<'a> {
        Box::pin(async { Ok(()) })
    }
}
