//! Chat in the table (seed 002 ChatMessage): the organization's channel and one per learning module,
//! newest first, and answers confirmed by a mentor of the module. Knows no HTTP.
//!
//! A confirmation writes the message on the version read together with its author's MENTOR_CONFIRMATION
//! XP (`nudge_gamification`'s award writes, with the XP_EARNED notice): racing confirmations all write on
//! the same version, so one commits and the others read again and find it confirmed; the award's guard
//! (per message) keeps a confirmation after an unconfirmation from paying twice. Unconfirming takes back
//! the mark, never the XP: ledger entries are never edited.

use crate::keys;
use crate::model::{AnswerRefusal, Caller, ChatMessage, ChatMessageType, may_confirm};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::queue::Queue;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Tx, Write};
use nudge_gamification::ledger::{ALREADY as XP_ALREADY, Award, Ledger, awarded};
use nudge_gamification::{Subject, XpSource};
use uuid::Uuid;

const EXISTS: &str = "chat message exists";
const MODULE_GONE: &str = "module gone";
/// Fresh reads of a contended confirmation before it gives up.
const TRIES: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("no such chat message")]
    NotFound,
    /// Only a mentor of the message's module, or a moderator, confirms an answer.
    #[error("{0}")]
    Forbidden(String),
    /// A well-formed field that names what the organization does not have, or breaks a rule (its JSON
    /// pointer).
    #[error("{0}: {1}")]
    Rule(&'static str, String),
    /// The request is well formed but the message cannot take it (one's own, not an answer).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Award(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AnswerRefusal> for ChatError {
    fn from(r: AnswerRefusal) -> Self {
        match r {
            AnswerRefusal::OwnMessage => Self::Refused("nobody confirms their own message".into()),
            AnswerRefusal::NotAnswer(kind) => {
                Self::Refused(format!("a {} message is no answer: only a MESSAGE is confirmed", kind.as_str()))
            }
        }
    }
}

impl From<nudge_gamification::LedgerError> for ChatError {
    fn from(e: nudge_gamification::LedgerError) -> Self {
        match e {
            nudge_gamification::LedgerError::Store(e) => Self::Store(e),
            other => Self::Award(other.to_string()),
        }
    }
}

pub struct Chat<'a> {
    pub store: &'a Store,
    /// The notifications queue: an award's XP_EARNED notice goes through it.
    pub notifications: &'a Queue,
}

fn put(tenant: &TenantId, m: &ChatMessage) -> Result<Put, StoreError> {
    Ok(Put::new(&keys::chat_message(tenant, m.id), "ChatMessage", m)?.index(
        Index::Gsi1,
        keys::chat_channel(tenant, m.module_id),
        m.id.to_string(),
    ))
}

/// A short pause before a contended confirmation reads again.
async fn pause() {
    let jitter = u64::from(Uuid::new_v4().as_u128() as u8) % 20;
    tokio::time::sleep(std::time::Duration::from_millis(5 + jitter)).await;
}

impl Chat<'_> {
    /// Posts to the organization's channel, or to `module`'s (a module of the organization: 422 otherwise).
    pub async fn post(
        &self,
        tenant: &TenantId,
        author: Uuid,
        module: Option<Uuid>,
        kind: ChatMessageType,
        body: String,
        now: DateTime<Utc>,
    ) -> Result<ChatMessage, ChatError> {
        let unknown = || ChatError::Rule("/moduleId", "names no module of this organization".into());
        let mut tx = Tx::new();
        if let Some(module) = module {
            if nudge_learning::repo::get_module(self.store, tenant, module).await?.is_none() {
                return Err(unknown());
            }
            tx.push(Write::check(nudge_learning::keys::module(tenant, module), MODULE_GONE));
        }
        let m = ChatMessage::new(Uuid::now_v7(), module, author, kind, body, now);
        tx.push(Write::create(put(tenant, &m)?, EXISTS));
        match self.store.transact_retrying(&tx).await {
            Err(StoreError::Condition(MODULE_GONE)) => return Err(unknown()),
            written => written?,
        }
        Ok(m)
    }

    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<ChatMessage, ChatError> {
        self.store.get(&keys::chat_message(tenant, id)).await?.ok_or(ChatError::NotFound)
    }

    /// A page of a channel, newest first: the organization's, or `module`'s (a module of another
    /// organization, or none, is not found).
    pub async fn list(
        &self,
        scope: &str,
        tenant: &TenantId,
        module: Option<Uuid>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<ChatMessage>, ChatError> {
        if let Some(module) = module
            && nudge_learning::repo::get_module(self.store, tenant, module).await?.is_none()
        {
            return Err(ChatError::NotFound);
        }
        let query = Query::partition(keys::chat_channel(tenant, module)).on(Index::Gsi1).newest_first();
        Ok(self.store.page(scope, &query, limit, cursor).await?)
    }

    /// The message, once `caller` may confirm its answers: a mentor of its module, or a moderator.
    async fn confirmable(&self, tenant: &TenantId, id: Uuid, caller: Caller) -> Result<ChatMessage, ChatError> {
        let m = self.get(tenant, id).await?;
        let mentors = match m.module_id {
            Some(module) => nudge_learning::repo::get_module(self.store, tenant, module).await?.map(|m| m.mentor_ids),
            None => None,
        };
        if !may_confirm(caller.user, mentors.as_deref().unwrap_or_default(), caller.moderator) {
            return Err(ChatError::Forbidden(
                "only a mentor of the message's module, or a holder of community:moderate, confirms answers".into(),
            ));
        }
        Ok(m)
    }

    /// Confirms a message as an answer (again: as it is), paying its author MENTOR_CONFIRMATION XP once, in
    /// the same transaction on the version read.
    pub async fn confirm(
        &self,
        tenant: &TenantId,
        id: Uuid,
        caller: Caller,
        now: DateTime<Utc>,
    ) -> Result<ChatMessage, ChatError> {
        let mut read = self.confirmable(tenant, id, caller).await?;
        let ledger = Ledger { store: self.store, notifications: self.notifications };
        let mut award_xp = true;
        for attempt in 0..TRIES {
            if attempt > 0 {
                read = self.get(tenant, id).await?;
            }
            let Some(next) = read.confirmed(caller.user, now)? else { return Ok(read) };
            let mut tx = Tx::new().with(Write::replace(put(tenant, &next)?, read.version));
            let mut posted = Vec::new();
            let subject = Subject::user(next.author_id);
            let entity = id.to_string();
            if award_xp && awarded(self.store, tenant, &subject, XpSource::MentorConfirmation, &entity).await? {
                award_xp = false;
            }
            if award_xp {
                let amount =
                    nudge_gamification::settings::get(self.store, tenant).await?.amount(XpSource::MentorConfirmation);
                if amount > 0 {
                    let award = Award {
                        subject,
                        source: XpSource::MentorConfirmation,
                        source_entity_id: entity,
                        amount: i64::from(amount),
                        reason: None,
                        by: Some(caller.user),
                    };
                    let a = ledger.award_writes(tenant, &award, now).await?;
                    tx.extend(a.tx);
                    posted = a.posted;
                }
            }
            match self.store.transact(tx).await {
                Ok(()) => {
                    nudge_core::outbox::deliver_all(self.store, posted).await;
                    tracing::info!(message = %id, xp = award_xp, "chat answer confirmed");
                    return Ok(next);
                }
                // Paid before (confirmed, unconfirmed, confirmed again): the mark goes on without it.
                Err(StoreError::Condition(XP_ALREADY)) => award_xp = false,
                Err(e) if e.is_contended() => pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ChatError::Conflict("the message kept changing; try again".into()))
    }

    /// Takes back a confirmation (none: as it is). The XP stays with the author.
    pub async fn unconfirm(
        &self,
        tenant: &TenantId,
        id: Uuid,
        caller: Caller,
        now: DateTime<Utc>,
    ) -> Result<ChatMessage, ChatError> {
        let mut read = self.confirmable(tenant, id, caller).await?;
        for attempt in 0..TRIES {
            if attempt > 0 {
                read = self.get(tenant, id).await?;
            }
            let Some(next) = read.unconfirmed(now) else { return Ok(read) };
            match self.store.write(Write::replace(put(tenant, &next)?, read.version)).await {
                Ok(()) => return Ok(next),
                Err(e) if e.is_contended() => pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ChatError::Conflict("the message kept changing; try again".into()))
    }
}
