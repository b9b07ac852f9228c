//! Running the entity modules' writes. Each module labels its own write conditions and says what a failed
//! one means (`failed`); a failed write becomes that typed error here, anything else stays the store's.

use crate::error::IdentityError;
use crate::{email_token, membership, role, user};
use nudge_core::store::{Store, StoreError, Tx, Write};

fn typed(err: StoreError) -> IdentityError {
    let known = match &err {
        StoreError::Condition(label) => user::failed(label)
            .or_else(|| membership::failed(label))
            .or_else(|| role::failed(label))
            .or_else(|| email_token::failed(label)),
        _ => None,
    };
    known.unwrap_or(IdentityError::Store(err))
}

pub(crate) async fn write(store: &Store, write: Write) -> Result<(), IdentityError> {
    store.write(write).await.map_err(typed)
}

pub(crate) async fn transact(store: &Store, tx: Tx) -> Result<(), IdentityError> {
    store.transact(tx).await.map_err(typed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Broken, Conflict};

    #[test]
    fn each_modules_labels_are_typed_and_the_rest_stays_the_stores() {
        let typed_label = |label| typed(StoreError::Condition(label));
        assert!(matches!(typed_label("email"), IdentityError::Conflict(Conflict::EmailTaken)));
        assert!(matches!(typed_label("membership"), IdentityError::Conflict(Conflict::AlreadyMember)));
        assert!(matches!(typed_label("role"), IdentityError::Conflict(Conflict::RoleNameTaken)));
        assert!(matches!(typed_label("email token used"), IdentityError::Broken(Broken::BadToken)));
        assert!(nudge_core::store::optimistic::VersionConflict::is_version_conflict(&typed_label("version")));
        assert!(matches!(typed_label("user"), IdentityError::Store(StoreError::Condition("user"))));
        assert!(matches!(typed(StoreError::TransactionConflict), IdentityError::Store(_)));
    }
}
