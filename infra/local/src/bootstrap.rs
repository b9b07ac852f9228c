//! The first platform admin. No API can create one (a platform admin is who creates organizations), so an
//! operator holding the table's credentials makes it: `make dev` does so locally, and the `platform-admin`
//! binary does it against any table (AWS included).

use crate::LocalError;
use chrono::Utc;
use nudge_core::crypto::password;
use nudge_core::store::{Store, Tx};
use nudge_core::values::{Email, Parse};
use nudge_identity::user::{self, User};

/// Creates an active platform-admin account with `password` (409-like error if the email is taken).
pub async fn platform_admin(store: &Store, email: &str, pw: &str) -> Result<User, LocalError> {
    let email = Email::parse(email).map_err(|m| LocalError::Setup(format!("email {m}")))?;
    password::check_new(pw, &email).map_err(|m| LocalError::Setup(format!("password {m}")))?;
    let hash = password::hash(pw).map_err(|e| LocalError::Setup(e.to_string()))?;
    let mut admin = User::new(email, Some("Platform admin".into()), Some(hash), Utc::now());
    admin.platform_admin = true;
    let [account, guard] = user::create(&admin).map_err(|e| LocalError::Setup(e.to_string()))?;
    store
        .transact(Tx::new().with(account).with(guard))
        .await
        .map_err(|e| LocalError::Setup(format!("creating the platform admin: {e}")))?;
    Ok(admin)
}
