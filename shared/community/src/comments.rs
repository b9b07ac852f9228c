//! Comments on learning modules in the table (seed 002 Comment): threaded by `parentId`, resolved and
//! reopened. Knows no HTTP.
//!
//! Only a published module of the organization takes and shows comments (any other is not found). A
//! reply is written together with its COMMENT_REPLY notice to the parent's author (none to oneself) and
//! checks of the module (still published) and the parent, in one transaction: the notice's request id is
//! derived from the reply, so it is sent once. Resolving writes on the version read.

use crate::keys;
use crate::model::{Caller, ModuleComment, may_resolve};
use crate::notices;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::queue::Queue;
use nudge_core::store::{Put, Query, Store, StoreError, Tx, Write};
use nudge_learning::model::{Module, ModuleStatus};
use nudge_notifications::send::direct::direct;
use uuid::Uuid;

const EXISTS: &str = "module comment exists";
const MODULE_GONE: &str = "module not published";
const PARENT_GONE: &str = "parent comment gone";
/// Fresh reads of a contended resolution before it gives up.
const TRIES: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    #[error("no such module or comment")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// A well-formed field that names what the module does not have (its JSON pointer).
    #[error("{0}: {1}")]
    Rule(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Notify(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct ModuleComments<'a> {
    pub store: &'a Store,
    /// The notifications queue: replies are told through it.
    pub notifications: &'a Queue,
}

fn put(tenant: &TenantId, c: &ModuleComment) -> Result<Put, StoreError> {
    Put::new(&keys::module_comment(tenant, c.module_id, c.id), "ModuleComment", c)
}

fn no_parent() -> CommentError {
    CommentError::Rule("/parentId", "names no comment of this module".into())
}

impl ModuleComments<'_> {
    /// A published module of the organization.
    async fn module(&self, tenant: &TenantId, id: Uuid) -> Result<Module, CommentError> {
        match nudge_learning::repo::get_module(self.store, tenant, id).await? {
            Some(m) if m.status == ModuleStatus::Published => Ok(m),
            _ => Err(CommentError::NotFound),
        }
    }

    async fn load(&self, tenant: &TenantId, module: Uuid, id: Uuid) -> Result<Option<ModuleComment>, StoreError> {
        self.store.get(&keys::module_comment(tenant, module, id)).await
    }

    /// A module's comments, oldest first (threads are rebuilt from `parentId`).
    pub async fn list(
        &self,
        scope: &str,
        tenant: &TenantId,
        module: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<ModuleComment>, CommentError> {
        self.module(tenant, module).await?;
        let query = Query::partition(keys::module_comments(tenant, module));
        Ok(self.store.page(scope, &query, limit, cursor).await?)
    }

    /// A comment on a published module, answering `parent` (a comment of the same module) when given; the
    /// parent's author is told (COMMENT_REPLY) in the same transaction, unless they answer themselves.
    pub async fn create(
        &self,
        tenant: &TenantId,
        module: Uuid,
        author: Uuid,
        body: String,
        parent: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<ModuleComment, CommentError> {
        let m = self.module(tenant, module).await?;
        let parent = match parent {
            Some(p) => Some(self.load(tenant, module, p).await?.ok_or_else(no_parent)?),
            None => None,
        };
        let c = ModuleComment::new(Uuid::now_v7(), module, author, body, parent.as_ref(), now);
        let published = Write::check(nudge_learning::keys::module(tenant, module), MODULE_GONE).and_equals(
            "status",
            &ModuleStatus::Published,
            MODULE_GONE,
        )?;
        let mut tx = Tx::new().with(Write::create(put(tenant, &c)?, EXISTS)).with(published);
        let mut posted = None;
        if let Some(p) = &parent {
            tx.push(Write::check(keys::module_comment(tenant, module, p.id), PARENT_GONE));
            if p.author_id != author {
                let (told, sent) =
                    direct(tenant, self.notifications, notices::module_comment_reply(&c, p.author_id, &m.title), now)?;
                tx.extend(told);
                posted = Some(sent);
            }
        }
        match self.store.transact_retrying(&tx).await {
            Err(StoreError::Condition(MODULE_GONE)) => return Err(CommentError::NotFound),
            Err(StoreError::Condition(PARENT_GONE)) => return Err(no_parent()),
            written => written?,
        }
        if let Some(p) = posted {
            p.deliver(self.store).await;
        }
        Ok(c)
    }

    /// Resolves (or, `false`, reopens) a comment; again: as it is. By the author of its thread's first
    /// comment, a mentor of the module, or a moderator (403 otherwise).
    pub async fn resolve(
        &self,
        tenant: &TenantId,
        module: Uuid,
        id: Uuid,
        caller: Caller,
        resolved: bool,
        now: DateTime<Utc>,
    ) -> Result<ModuleComment, CommentError> {
        let m = self.module(tenant, module).await?;
        let mut read = self.load(tenant, module, id).await?.ok_or(CommentError::NotFound)?;
        let root_author = if read.is_root() {
            Some(read.author_id)
        } else {
            self.load(tenant, module, read.root_id).await?.map(|r| r.author_id)
        };
        // Comments are never deleted: a thread without its first comment has no author to resolve it.
        if !may_resolve(caller.user, root_author.unwrap_or(Uuid::nil()), &m.mentor_ids, caller.moderator) {
            return Err(CommentError::Forbidden(
                "only the thread's author, a mentor of the module, or a holder of community:moderate resolves it"
                    .into(),
            ));
        }
        for attempt in 0..TRIES {
            if attempt > 0 {
                read = self.load(tenant, module, id).await?.ok_or(CommentError::NotFound)?;
            }
            let Some(next) = read.resolved_as(resolved, caller.user, now) else { return Ok(read) };
            match self.store.write(Write::replace(put(tenant, &next)?, read.version)).await {
                Ok(()) => return Ok(next),
                Err(e) if e.is_version_conflict() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CommentError::Conflict("the comment kept changing; try again".into()))
    }
}
