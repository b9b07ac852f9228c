//! The gamification function's HTTP edge: thin handlers over [`crate::ledger`], [`crate::settings`] and
//! [`crate::rewards`]. Errors become problems only here.

mod rewards;
mod xp;

use crate::input;
use crate::ledger::{Ledger, LedgerError};
use crate::model::{Period, Rank, Subject, SubjectType, XpBalance, XpSource, XpTransaction};
use crate::rewards::{RedemptionStatus, Reward, RewardError, RewardRedemption};
use crate::settings::XpSettings;
use axum::Router;
use nudge_core::Ctx;
use nudge_core::http::ApiError;
use nudge_core::queue::Queue;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Others' XP, the leaderboards' names.
const READ: &str = "xp:read";
/// Manual awards and the amounts per source.
const MANAGE: &str = "xp:manage";
/// One's own XP, the leaderboard, the catalogue and one's redemptions: every member.
const OWN: &str = nudge_core::auth::permissions::PROFILE_READ;
/// Seed 002 MANAGE_REWARDS: the catalogue kept and redemptions reviewed.
const REWARDS: &str = "rewards:manage";

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       XpBalance, XpTransaction, XpSource, Subject, SubjectType, Rank, Period, XpSettings, xp::MyXp,
                       xp::LeaderboardEntry, input::ManualAwardWrite, input::AwardBatchWrite, input::BatchAwardWrite,
                       xp::AwardBatchOutcome, xp::BatchAwardResult, xp::XpStanding, input::XpSettingsWrite,
                       Reward, RewardRedemption, RedemptionStatus, input::RewardWrite, input::RewardPatch,
                       input::RedemptionDecisionWrite)),
    tags((name = "gamification", description = "XP: one ledger per user or worker, balances (lifetime sets the rank, spendable pays rewards), amounts per source and leaderboards"),
         (name = "rewards", description = "The rewards catalogue, bought with spendable XP: redemptions never oversell the stock or pass a monthly limit, and a rejected or cancelled one is refunded once"))
)]
struct ApiDoc;

/// What the gamification API needs beyond the context: the notifications queue (XP and reward notices).
pub struct Deps {
    pub notifications: Queue,
    /// Learning groups' members (group leaderboards).
    pub groups: std::sync::Arc<dyn crate::groups::GroupMembers>,
    /// Told when an award moves a worker's pointsBalance, which segment rules read.
    pub workers: nudge_workers::WorkerEvents,
}

impl Deps {
    fn ledger<'a>(&'a self, ctx: &'a Ctx) -> Ledger<'a> {
        Ledger { store: &ctx.store, notifications: &self.notifications }
    }
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, axum::extract::FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) deps: std::sync::Arc<Deps>,
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::NotEnoughXp => ApiError::rule("/amount", "is more than the spendable XP"),
            LedgerError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            LedgerError::Notify(why) => ApiError::Internal(why),
            LedgerError::Store(e) => e.into(),
        }
    }
}

impl From<RewardError> for ApiError {
    fn from(e: RewardError) -> Self {
        match e {
            RewardError::NotFound => ApiError::NotFound,
            RewardError::Store(e) => e.into(),
            RewardError::Ledger(e) => e.into(),
            other => ApiError::Conflict(other.to_string(), Vec::new()),
        }
    }
}

fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(xp::routes()).merge(rewards::routes()).split_for_parts()
}

pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, deps: std::sync::Arc::new(deps) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
