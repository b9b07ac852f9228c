//! Groups, their members and their modules, applied. Knows no HTTP.

use super::{
    Group, GroupMember, ModuleAssignment, assignment_key, group_key, group_partition, groups_partition, member_key,
    user_group_key, user_groups_partition,
};
use crate::schedule::Subject;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Put, Query, Store, StoreError, Tx, Write};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a group change is refused.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("not found")]
    NotFound,
    #[error("it changed meanwhile")]
    VersionMoved,
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The user's side of a membership (their list of groups).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserGroup {
    group_id: Uuid,
    joined_at: DateTime<Utc>,
}

pub struct Groups<'a> {
    pub store: &'a Store,
}

impl Groups<'_> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Group, GroupError> {
        self.store.get(&group_key(tenant, id)).await?.ok_or(GroupError::NotFound)
    }

    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<Group>, GroupError> {
        let mut all: Vec<Group> = self.store.all(&Query::partition(groups_partition(tenant))).await?;
        all.sort_by_key(|g| g.name.to_lowercase());
        Ok(all)
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        name: String,
        color: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Group, GroupError> {
        let g = Group { id: Uuid::now_v7(), name, color, created_at: now, updated_at: now, version: 1 };
        self.store.write(Write::create(Put::new(&group_key(tenant, g.id), "Group", &g)?, "group exists")).await?;
        Ok(g)
    }

    pub async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        name: Option<String>,
        color: Option<Option<String>>,
        if_match: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Group, GroupError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(GroupError::VersionMoved);
        }
        let next = Group {
            name: name.unwrap_or_else(|| current.name.clone()),
            color: color.unwrap_or_else(|| current.color.clone()),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        match self.store.write(Write::replace(Put::new(&group_key(tenant, id), "Group", &next)?, current.version)).await
        {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(GroupError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the group with its memberships (both sides) and its assignments.
    pub async fn delete(&self, tenant: &TenantId, id: Uuid) -> Result<(), GroupError> {
        self.get(tenant, id).await?;
        let members = self.members(tenant, id).await?;
        let mut keys: Vec<_> = members.iter().map(|m| user_group_key(tenant, m.user_id, id)).collect();
        keys.extend(
            self.store
                .all_items(&Query::partition(group_partition(tenant, id)))
                .await?
                .iter()
                .filter_map(nudge_core::store::item_key),
        );
        self.store.batch_delete(&keys).await?;
        self.store.write(Write::delete(group_key(tenant, id))).await?;
        Ok(())
    }

    pub async fn members(&self, tenant: &TenantId, id: Uuid) -> Result<Vec<GroupMember>, GroupError> {
        let query = Query { sort_prefix: Some("MEMBER#".into()), ..Query::partition(group_partition(tenant, id)) };
        Ok(self.store.all(&query).await?)
    }

    /// Adds `users` (of the organization: 422 names the others); one already in the group keeps the day
    /// they joined.
    pub async fn add_members(
        &self,
        tenant: &TenantId,
        id: Uuid,
        users: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<Vec<GroupMember>, GroupError> {
        self.get(tenant, id).await?;
        let known = nudge_identity::members_among(self.store, tenant, users).await?;
        let unknown: Vec<FieldError> = users
            .iter()
            .enumerate()
            .filter(|(_, u)| !known.contains(u))
            .map(|(i, _)| FieldError::body(format!("/userIds/{i}"), "names no user of this organization"))
            .collect();
        if !unknown.is_empty() {
            return Err(GroupError::Rejected(unknown));
        }
        let present: Vec<Uuid> = self.members(tenant, id).await?.iter().map(|m| m.user_id).collect();
        let mut fresh: Vec<Uuid> = users.iter().copied().filter(|u| !present.contains(u)).collect();
        fresh.sort();
        fresh.dedup();
        // Three writes a member, and the check: within a transaction's 100.
        for chunk in fresh.chunks(30) {
            let mut tx = Tx::new();
            for user in chunk {
                let m = GroupMember { group_id: id, user_id: *user, joined_at: now };
                tx.push(Write::upsert(Put::new(&member_key(tenant, id, *user), "GroupMember", &m)?));
                let mine = UserGroup { group_id: id, joined_at: now };
                tx.push(Write::upsert(Put::new(&user_group_key(tenant, *user, id), "UserGroup", &mine)?));
                // The group's deadlines are now theirs: their reminders are scheduled.
                tx.push(Subject::Learner(*user).at(tenant, now)?);
            }
            // The group must still be there: members of a deleted group would be orphans.
            tx.push(Write::check(group_key(tenant, id), "group gone"));
            match self.store.transact(tx).await {
                Ok(()) => {}
                Err(StoreError::Condition("group gone")) => return Err(GroupError::NotFound),
                Err(e) => return Err(e.into()),
            }
        }
        self.members(tenant, id).await
    }

    pub async fn remove_member(&self, tenant: &TenantId, id: Uuid, user: Uuid) -> Result<(), GroupError> {
        self.get(tenant, id).await?;
        let tx = Tx::new()
            .with(Write::delete(member_key(tenant, id, user)))
            .with(Write::delete(user_group_key(tenant, user, id)));
        Ok(self.store.transact(tx).await?)
    }

    pub async fn assignments(&self, tenant: &TenantId, id: Uuid) -> Result<Vec<ModuleAssignment>, GroupError> {
        let query = Query { sort_prefix: Some("MODULE#".into()), ..Query::partition(group_partition(tenant, id)) };
        Ok(self.store.all(&query).await?)
    }

    /// Assigns `module` to the group (again: changes the deadline and whether it is mandatory, keeping when
    /// it was first assigned).
    pub async fn assign(
        &self,
        tenant: &TenantId,
        id: Uuid,
        module: Uuid,
        deadline_days: Option<u32>,
        is_mandatory: bool,
        now: DateTime<Utc>,
    ) -> Result<ModuleAssignment, GroupError> {
        self.get(tenant, id).await?;
        if crate::repo::get_module(self.store, tenant, module).await?.is_none() {
            return Err(GroupError::NotFound);
        }
        let key = assignment_key(tenant, id, module);
        let current: Option<ModuleAssignment> = self.store.get(&key).await?;
        let read = current.as_ref().map_or(0, |a| a.version);
        let next = ModuleAssignment {
            group_id: id,
            module_id: module,
            deadline_days,
            is_mandatory,
            assigned_at: current.as_ref().map_or(now, |a| a.assigned_at),
            version: read + 1,
        };
        // The members' due dates changed: the group's timer schedules their reminders.
        let tx = Tx::new()
            .with(Write::versioned(Put::new(&key, "ModuleGroup", &next)?, read))
            .with(Subject::Group(id).at(tenant, now)?);
        match self.store.transact(tx).await {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(GroupError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn unassign(&self, tenant: &TenantId, id: Uuid, module: Uuid) -> Result<(), GroupError> {
        self.get(tenant, id).await?;
        Ok(self.store.write(Write::delete(assignment_key(tenant, id, module))).await?)
    }

    /// The groups `user` is a member of.
    pub async fn groups_of(&self, tenant: &TenantId, user: Uuid) -> Result<Vec<Uuid>, GroupError> {
        let mine: Vec<UserGroup> = self.store.all(&Query::partition(user_groups_partition(tenant, user))).await?;
        Ok(mine.into_iter().map(|g| g.group_id).collect())
    }

    /// Every module assigned to `user` through their groups, with when they joined each group.
    pub async fn assigned_to(
        &self,
        tenant: &TenantId,
        user: Uuid,
    ) -> Result<Vec<(ModuleAssignment, DateTime<Utc>)>, GroupError> {
        let mine: Vec<UserGroup> = self.store.all(&Query::partition(user_groups_partition(tenant, user))).await?;
        let mut out = Vec::new();
        for g in mine {
            for a in self.assignments(tenant, g.group_id).await? {
                out.push((a, g.joined_at));
            }
        }
        Ok(out)
    }
}
