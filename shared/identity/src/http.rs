//! The edge both functions share: the one place an [`IdentityError`] becomes a problem (status, wording and
//! field pointers). The handlers live in [`crate::signin`] and [`crate::people`].

use crate::error::{Broken, Conflict, IdentityError, Refusal, Unauthenticated};
use nudge_core::http::{ApiError, FieldError};

fn conflict(why: impl Into<String>) -> ApiError {
    ApiError::Conflict(why.into(), vec![])
}

impl From<IdentityError> for ApiError {
    fn from(err: IdentityError) -> Self {
        match err {
            IdentityError::NotFound => ApiError::NotFound,
            IdentityError::Conflict(c) => match c {
                // Only a retried invitation meets it; should it escape, it reads as the store's own wording.
                Conflict::EmailTaken => conflict("email already exists"),
                Conflict::AlreadyMember => ApiError::Conflict(
                    "this person is already a member of the organization".into(),
                    vec![FieldError::body("/email", "is already a member")],
                ),
                Conflict::RoleNameTaken => ApiError::Conflict(
                    "a role with this name exists".into(),
                    vec![FieldError::body("/name", "is taken")],
                ),
                Conflict::RoleHeld(n) => conflict(format!("{n} member(s) hold this role; give them another first")),
                Conflict::LastOwner => conflict("the organization needs at least one active owner"),
                Conflict::InvitationAccepted => conflict("this invitation was already accepted"),
                Conflict::MfaOn => conflict("MFA is already on; turn it off first to enrol a new device"),
                Conflict::NoEnrolment => conflict("no enrolment is pending; start with /me/mfa/enrol"),
                Conflict::MfaOff => conflict("MFA is off"),
                Conflict::MfaChanged => conflict("MFA settings changed meanwhile; retry"),
            },
            IdentityError::Refused(r) => ApiError::Forbidden(match r {
                Refusal::Suspended => "the account is suspended".into(),
                Refusal::NotMemberOf => "you are not an active member of that organization".into(),
                Refusal::NoMembership => "you are not an active member of any organization".into(),
                Refusal::MfaEnrolmentRequired => nudge_core::auth::layer::MFA_ENROLMENT_REQUIRED.into(),
                Refusal::OwnMembership => "you cannot change or remove your own membership".into(),
                Refusal::NotHeld(missing) => {
                    let names: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
                    format!("you cannot grant permissions you do not hold: {}", names.join(", "))
                }
                Refusal::Outranked => "the member's role ranks as high as yours or higher".into(),
                Refusal::AboveOwnRank => "you cannot give a role that ranks above yours".into(),
                Refusal::SystemRole => "system roles cannot be deleted".into(),
                Refusal::NotServed(standing) => standing.refusal().into(),
            }),
            IdentityError::Broken(b) => match b {
                Broken::UnknownRole(name) => ApiError::rule("/role", format!("`{name}` is not a role here")),
                Broken::InvitationReopened => ApiError::rule("/status", "must be `active` or `suspended`"),
                Broken::InvitationOpen => ApiError::rule("/status", "changes once the invitation is accepted"),
                Broken::WrongCurrentPassword => ApiError::rule("/currentPassword", "is wrong"),
                Broken::WrongPassword => ApiError::rule("/password", "is wrong"),
                Broken::NewPassword(why) => ApiError::rule("/newPassword", why),
                Broken::Password(why) => ApiError::rule("/password", why),
                Broken::CurrentPasswordRequired => {
                    ApiError::rule("/password", "is required: your account's password proves it is yours")
                }
                Broken::PasswordRequired => {
                    ApiError::rule("/password", "is required: choose a password for your new account")
                }
                Broken::NotCurrentCode => ApiError::rule("/code", "is not the current code for this secret"),
                Broken::WrongCode => ApiError::rule("/code", "is wrong or was already used"),
                Broken::BadToken => ApiError::rule("/token", "is invalid, expired or already used"),
                Broken::SameTenant => ApiError::rule("/tenantId", "is the organization this session already acts in"),
            },
            IdentityError::Unauthenticated(u) => ApiError::Unauthorized(match u {
                Unauthenticated::BadCredentials => "the email address or password is wrong",
                Unauthenticated::MfaRequired => "mfa-required: send the code from your authenticator app as mfaCode",
                Unauthenticated::WrongMfaCode => "the MFA code is wrong or was already used",
                Unauthenticated::SessionEnded => "the session has ended; sign in again",
                Unauthenticated::OperatorToken => "an operator token has no session to end",
                Unauthenticated::CannotSignIn => "the account cannot sign in",
            }),
            IdentityError::Locked { retry_after_secs } | IdentityError::Throttled { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            IdentityError::Store(e) => e.into(),
            IdentityError::Organization(e) => e.into(),
            other @ (IdentityError::Mfa(_)
            | IdentityError::Password(_)
            | IdentityError::Random(_)
            | IdentityError::Queue(_)
            | IdentityError::Notification(_)
            | IdentityError::Signing(_)) => ApiError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Permission;
    use nudge_core::store::StoreError;

    fn status(err: IdentityError) -> u16 {
        ApiError::from(err).status().as_u16()
    }

    /// The problem's detail and its one field error's pointer, if any.
    fn shape(err: IdentityError) -> (u16, String, Option<String>) {
        let p = ApiError::from(err).problem();
        (p.status, p.detail, p.errors.first().and_then(|e| e.pointer.clone()))
    }

    #[test]
    fn each_reason_has_its_status() {
        assert_eq!(status(IdentityError::NotFound), 404);
        for c in [
            Conflict::EmailTaken,
            Conflict::AlreadyMember,
            Conflict::RoleNameTaken,
            Conflict::RoleHeld(2),
            Conflict::LastOwner,
            Conflict::InvitationAccepted,
            Conflict::MfaOn,
            Conflict::NoEnrolment,
            Conflict::MfaOff,
            Conflict::MfaChanged,
        ] {
            assert_eq!(status(IdentityError::Conflict(c)), 409);
        }
        for r in [
            Refusal::Suspended,
            Refusal::NotMemberOf,
            Refusal::NoMembership,
            Refusal::MfaEnrolmentRequired,
            Refusal::OwnMembership,
            Refusal::NotHeld(vec![Permission::AuditRead]),
            Refusal::Outranked,
            Refusal::AboveOwnRank,
            Refusal::SystemRole,
            Refusal::NotServed(nudge_core::standing::Standing::Suspended),
        ] {
            assert_eq!(status(IdentityError::Refused(r)), 403);
        }
        for b in [
            Broken::UnknownRole("coach".into()),
            Broken::InvitationReopened,
            Broken::InvitationOpen,
            Broken::WrongCurrentPassword,
            Broken::WrongPassword,
            Broken::NewPassword("is too common"),
            Broken::Password("is too common"),
            Broken::PasswordRequired,
            Broken::CurrentPasswordRequired,
            Broken::SameTenant,
            Broken::NotCurrentCode,
            Broken::WrongCode,
            Broken::BadToken,
        ] {
            assert_eq!(status(IdentityError::Broken(b)), 422);
        }
        for u in [
            Unauthenticated::BadCredentials,
            Unauthenticated::MfaRequired,
            Unauthenticated::WrongMfaCode,
            Unauthenticated::SessionEnded,
            Unauthenticated::OperatorToken,
            Unauthenticated::CannotSignIn,
        ] {
            assert_eq!(status(IdentityError::Unauthenticated(u)), 401);
        }
        assert_eq!(status(IdentityError::Locked { retry_after_secs: 9 }), 429);
        assert_eq!(status(IdentityError::Throttled { retry_after_secs: 9 }), 429);
        assert_eq!(status(IdentityError::Store(StoreError::Condition("version"))), 412);
        assert_eq!(status(IdentityError::Store(StoreError::TransactionConflict)), 409);
        assert_eq!(status(IdentityError::Store(StoreError::Decode("x".into()))), 500);
        let org = nudge_organizations::error::OrganizationError::NotFound;
        assert_eq!(status(IdentityError::Organization(org)), 404);
        assert_eq!(status(IdentityError::Mfa(crate::mfa::MfaError::Totp("x".into()))), 500);
    }

    #[test]
    fn wording_and_pointers_are_those_clients_know() {
        assert_eq!(
            shape(IdentityError::Conflict(Conflict::AlreadyMember)),
            (409, "this person is already a member of the organization".into(), Some("/email".into()))
        );
        assert_eq!(
            shape(IdentityError::Conflict(Conflict::RoleNameTaken)),
            (409, "a role with this name exists".into(), Some("/name".into()))
        );
        assert_eq!(
            shape(IdentityError::Conflict(Conflict::RoleHeld(2))).1,
            "2 member(s) hold this role; give them another first"
        );
        let missing = IdentityError::Refused(Refusal::NotHeld(vec![Permission::AuditRead, Permission::UsersWrite]));
        assert_eq!(shape(missing).1, "you cannot grant permissions you do not hold: audit:read, users:write");
        assert_eq!(shape(IdentityError::Broken(Broken::UnknownRole("coach".into()))).2.as_deref(), Some("/role"));
        assert_eq!(shape(IdentityError::Broken(Broken::NewPassword("x"))).2.as_deref(), Some("/newPassword"));
        assert_eq!(shape(IdentityError::Broken(Broken::Password("x"))).2.as_deref(), Some("/password"));
        assert_eq!(shape(IdentityError::Broken(Broken::WrongCurrentPassword)).2.as_deref(), Some("/currentPassword"));
        assert_eq!(shape(IdentityError::Broken(Broken::BadToken)).2.as_deref(), Some("/token"));
        assert_eq!(
            shape(IdentityError::Unauthenticated(Unauthenticated::BadCredentials)).1,
            "the email address or password is wrong"
        );
        assert_eq!(shape(IdentityError::Locked { retry_after_secs: 9 }).1, "Retry after 9 seconds.");
    }
}
