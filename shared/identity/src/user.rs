//! Global user accounts. An email address belongs to one account across the platform (case-insensitively),
//! held by a guard item written in the same transaction as the account.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | user | `P#USER#<uid>` | `PROFILE` |
//! | email guard | `P#EMAIL#<email>` | `EMAIL` |

use crate::error::{Conflict, IdentityError};
use chrono::{DateTime, Utc};
use nudge_core::crypto::password;
use nudge_core::http::ApiResult;
use nudge_core::http::update::Patchable;
use nudge_core::keys::Key;
use nudge_core::store::{Changes, Put, Store, StoreError, Write};
use nudge_core::values::Email;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The label of a taken email address.
const EMAIL_TAKEN: &str = "email";

/// What a failed condition labelled here means.
pub(crate) fn failed(label: &str) -> Option<IdentityError> {
    (label == EMAIL_TAKEN).then_some(IdentityError::Conflict(Conflict::EmailTaken))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Suspended,
    Deactivated,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub status: UserStatus,
    /// Operators of the platform itself: their sessions act across tenants, not within one.
    #[serde(default)]
    pub platform_admin: bool,
    /// argon2id PHC string; none until an invited user sets a password. Never returned or logged.
    #[serde(default)]
    pub password_hash: Option<String>,
    #[serde(default)]
    pub last_login_at: Option<DateTime<Utc>>,
    /// The tenant the user last signed in to: where a sign-in without a tenant lands.
    #[serde(default)]
    pub last_tenant_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// `PATCH /me` edits the names; email and password have their own routes.
impl Patchable for User {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<serde_json::Value> {
        Ok(serde_json::json!({"name": self.name, "firstName": self.first_name, "lastName": self.last_name}))
    }
}

impl User {
    pub fn new(email: Email, name: Option<String>, password_hash: Option<String>, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            email,
            name,
            first_name: None,
            last_name: None,
            status: UserStatus::Active,
            platform_admin: false,
            password_hash,
            last_login_at: None,
            last_tenant_id: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
        }
    }

    /// The next version of the account after `change`.
    pub(crate) fn revised(&self, now: DateTime<Utc>, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.updated_at = now;
        next.version = self.version + 1;
        next
    }

    pub(crate) fn can_sign_in(&self) -> bool {
        self.status == UserStatus::Active && self.deleted_at.is_none() && self.password_hash.is_some()
    }

    /// A name to show: the display name, else first and last name, else the email address.
    pub(crate) fn display_name(&self) -> String {
        if let Some(name) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.to_owned();
        }
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()].into_iter().flatten().collect();
        if parts.is_empty() { self.email.to_string() } else { parts.join(" ") }
    }

    /// Why `new` cannot be this account's password, if it cannot: the account's own email address, or
    /// anything else the core's check refuses (in the words a client reads).
    pub(crate) fn check_new_password(&self, new: &str) -> Result<(), &'static str> {
        if new.eq_ignore_ascii_case(&self.email) {
            return Err("must not be your email address");
        }
        password::check_new(new, &self.email)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailGuard {
    user_id: Uuid,
}

fn key(id: Uuid) -> Key {
    Key::platform(&format!("USER#{id}"), "PROFILE")
}

fn email_key(email: &str) -> Key {
    Key::platform(&format!("EMAIL#{email}"), "EMAIL")
}

/// The name a person is shown by to the public (a certificate's holder): their name, else first and last
/// name, else their email address reduced to its first character and domain; `None` for no such account.
pub async fn public_name(store: &Store, id: Uuid) -> Result<Option<String>, StoreError> {
    let Some(user) = store.get::<User>(&key(id)).await? else { return Ok(None) };
    if let Some(name) = user.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return Ok(Some(name.to_owned()));
    }
    let parts: Vec<&str> = [user.first_name.as_deref(), user.last_name.as_deref()].into_iter().flatten().collect();
    if !parts.is_empty() {
        return Ok(Some(parts.join(" ")));
    }
    let email = user.email.to_string();
    let (local, domain) = email.split_once('@').unwrap_or((email.as_str(), ""));
    let first: String = local.chars().take(1).collect();
    Ok(Some(format!("{first}…@{domain}")))
}

/// The writes that create an account and claim its email address (a taken one fails with [`EMAIL_TAKEN`]).
pub fn create(user: &User) -> Result<[Write; 2], IdentityError> {
    Ok([
        Write::create(Put::new(&key(user.id), "User", user)?, "user"),
        Write::create(Put::new(&email_key(&user.email), "EmailGuard", &EmailGuard { user_id: user.id })?, EMAIL_TAKEN),
    ])
}

/// The write replacing `current` with `next` if nobody changed it meanwhile (the email never changes here).
/// Sets the password hash alone, whatever else changed meanwhile: a password change or reset never fails
/// because a sign-in or a name change wrote the account first (the version still moves, so a concurrent
/// replace of the whole account reads again instead of writing the old hash back).
pub(crate) fn set_password(id: Uuid, hash: &str, now: DateTime<Utc>) -> Result<Write, IdentityError> {
    let changes = Changes::new().set("passwordHash", &hash)?.set("updatedAt", &now)?.add("version", 1);
    Ok(Write::update(key(id), changes, "user"))
}

/// Records a sign-in on the account (when, and in which tenant), touching nothing else.
pub(crate) fn signed_in(id: Uuid, tenant: Option<Uuid>, now: DateTime<Utc>) -> Result<Write, IdentityError> {
    let mut changes = Changes::new().set("lastLoginAt", &now)?.add("version", 1);
    if let Some(tenant) = tenant {
        changes = changes.set("lastTenantId", &tenant)?;
    }
    Ok(Write::update(key(id), changes, "user"))
}

pub(crate) fn replace(current: &User, next: &User) -> Result<Write, IdentityError> {
    Ok(Write::replace(Put::new(&key(next.id), "User", next)?, current.version))
}

pub(crate) async fn load(store: &Store, id: Uuid) -> Result<Option<User>, IdentityError> {
    Ok(store.get(&key(id)).await?)
}

/// The account holding an email address.
pub(crate) async fn by_email(store: &Store, email: &Email) -> Result<Option<User>, IdentityError> {
    match store.get::<EmailGuard>(&email_key(email)).await? {
        Some(guard) => load(store, guard.user_id).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::values::Parse;

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    #[test]
    fn only_active_accounts_with_a_password_sign_in() {
        let now = Utc::now();
        let user = User::new(email("a@b.co"), None, Some("$argon2id$...".into()), now);
        assert!(user.can_sign_in());
        assert!(!User::new(email("a@b.co"), None, None, now).can_sign_in(), "invited, no password yet");
        let suspended = user.revised(now, |u| u.status = UserStatus::Suspended);
        assert!(!suspended.can_sign_in());
        assert_eq!(suspended.version, 2);
    }

    #[test]
    fn display_names_fall_back() {
        let mut user = User::new(email("ana@b.co"), None, None, Utc::now());
        assert_eq!(user.display_name(), "ana@b.co");
        user.first_name = Some("Ana".into());
        user.last_name = Some("Novak".into());
        assert_eq!(user.display_name(), "Ana Novak");
        user.name = Some("Ana N.".into());
        assert_eq!(user.display_name(), "Ana N.");
    }

    #[test]
    fn the_email_address_is_no_password() {
        let user = User::new(email("ana@example.com"), None, None, Utc::now());
        assert_eq!(user.check_new_password("Ana@Example.com"), Err("must not be your email address"));
        assert!(user.check_new_password("a fine passphrase").is_ok());
    }
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let id = Uuid::from_u128(7);
        let k = key(id);
        assert_eq!((k.pk, k.sk.as_str()), (format!("P#USER#{id}"), "PROFILE"));
        let g = email_key("ana@example.com");
        assert_eq!((g.pk.as_str(), g.sk.as_str()), ("P#EMAIL#ana@example.com", "EMAIL"));
    }
}
