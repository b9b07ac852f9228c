//! What can go wrong in identity, below HTTP: every entity module, service and rule returns an
//! [`IdentityError`]. It names the reason (a taken name, a refused grant, a wrong code); the status code and
//! the problem's wording are the edge's (`impl From<IdentityError> for ApiError` in `http.rs`).

use crate::mfa::MfaError;
use crate::permission::Permission;
use nudge_core::auth::tokens::KeyError;
use nudge_core::crypto::password::HashError;
use nudge_core::crypto::random::RandomError;
use nudge_core::queue::QueueError;
use nudge_core::standing::Standing;
use nudge_core::store::StoreError;
use nudge_organizations::error::OrganizationError;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// No such account, membership, role or session in reach.
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The caller may not do this (beyond the permission the route needs).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A well-formed request that breaks a rule only the stored state can tell.
    #[error("rule broken: {0}")]
    Broken(Broken),
    /// A sign-in, refresh or logout that proves no one.
    #[error("not authenticated: {0}")]
    Unauthenticated(Unauthenticated),
    /// Too many failed sign-ins for the address (see `signin::lockout`).
    #[error("sign-in locked for {retry_after_secs} s")]
    Locked { retry_after_secs: u64 },
    /// Too many attempts from the request's source address (see `signin::lockout`).
    #[error("source address throttled for {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Password(#[from] HashError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// An email could not be made or posted (its link sealed, its outbox entry written).
    #[error(transparent)]
    Notification(#[from] nudge_notifications::NotificationError),
    #[error(transparent)]
    Signing(#[from] KeyError),
}

/// A conditional write found another version stored: someone else wrote first.
impl nudge_core::store::optimistic::VersionConflict for IdentityError {
    fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}

/// What is already there, or not yet there.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// The address has an account already (a concurrent invitation made it).
    #[error("the email address has an account")]
    EmailTaken,
    #[error("already a member")]
    AlreadyMember,
    #[error("a role with this name exists")]
    RoleNameTaken,
    /// Members still hold the role (how many).
    #[error("{0} member(s) hold the role")]
    RoleHeld(usize),
    /// The change would leave the tenant without an active owner.
    #[error("the last active owner")]
    LastOwner,
    #[error("the invitation was already accepted")]
    InvitationAccepted,
    #[error("MFA is already on")]
    MfaOn,
    #[error("no MFA enrolment is pending")]
    NoEnrolment,
    #[error("MFA is off")]
    MfaOff,
    /// The MFA setting moved under the write.
    #[error("the MFA setting changed meanwhile")]
    MfaChanged,
}

/// Who may not do what.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the account is suspended")]
    Suspended,
    /// A sign-in asked for a tenant the user is no active member of.
    #[error("not an active member of that organization")]
    NotMemberOf,
    /// A sign-in found no tenant the user is an active member of.
    #[error("not an active member of any organization")]
    NoMembership,
    /// A session that must enrol MFA first asked for more (a tenant switch).
    #[error("MFA enrolment required first")]
    MfaEnrolmentRequired,
    #[error("one's own membership")]
    OwnMembership,
    /// Granting (or taking away) permissions the caller does not hold: which ones.
    #[error("permissions not held: {0:?}")]
    NotHeld(Vec<Permission>),
    /// Acting on a member whose role ranks as high as the caller's, or higher.
    #[error("the member's role ranks as high as yours")]
    Outranked,
    /// Giving a role that ranks above the caller's.
    #[error("the role ranks above yours")]
    AboveOwnRank,
    /// System roles are not deleted.
    #[error("a system role")]
    SystemRole,
    /// The organization is suspended or deleted: nobody signs in to it or enters it.
    #[error("{}", .0.refusal())]
    NotServed(Standing),
}

/// A rule a well-formed request breaks, named by what it is about.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    /// The role name names no role of the tenant.
    #[error("no role `{0}` here")]
    UnknownRole(String),
    /// A member's status set back to `invited`.
    #[error("an accepted invitation reopened")]
    InvitationReopened,
    /// An invited member's status changed before the invitation is accepted.
    #[error("the invitation is not accepted yet")]
    InvitationOpen,
    /// The current password given to change it.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// The password given to confirm a change (turning MFA off).
    #[error("the password is wrong")]
    WrongPassword,
    /// The new password of a change, refused (why).
    #[error("the new password is refused: {0}")]
    NewPassword(&'static str),
    /// The password set by a reset or an invitation's acceptance, refused (why).
    #[error("the password is refused: {0}")]
    Password(&'static str),
    /// An invitation accepted for an account without a password, and none chosen.
    #[error("a password is required")]
    PasswordRequired,
    /// An invitation accepted for an existing account without its password.
    #[error("the account's password is required")]
    CurrentPasswordRequired,
    /// The code does not confirm the MFA secret being enrolled.
    #[error("not the current code")]
    NotCurrentCode,
    /// A TOTP or backup code that is wrong or spent.
    #[error("the code is wrong or spent")]
    WrongCode,
    /// An email token unknown, expired or already used.
    #[error("the token is invalid, expired or used")]
    BadToken,
    /// A switch to the tenant the session already acts in (it would only mint another session).
    #[error("the session already acts in that organization")]
    SameTenant,
}

/// Why a sign-in, a refresh or a logout proves no one.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unauthenticated {
    /// The email address or the password is wrong (the same for both).
    #[error("wrong email or password")]
    BadCredentials,
    #[error("an MFA code is required")]
    MfaRequired,
    #[error("the MFA code is wrong or spent")]
    WrongMfaCode,
    /// The refresh token names no live session (ended, rotated out, or its account or membership gone).
    #[error("the session has ended")]
    SessionEnded,
    /// A logout with an operator token, which has no session.
    #[error("an operator token has no session")]
    OperatorToken,
    /// The account behind a token can no longer sign in.
    #[error("the account cannot sign in")]
    CannotSignIn,
}
