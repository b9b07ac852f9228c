//! The community function's HTTP edge: thin handlers over [`crate::suggestions`], [`crate::radar`],
//! [`crate::chat`] and [`crate::comments`]. Errors become problems only here.

mod activity;
mod chat;
mod comments;
mod radar;
mod suggestions;

use crate::chat::ChatError;
use crate::comments::CommentError;
use crate::input;
use crate::model::{
    Caller, ChatMessage, ChatMessageType, ModuleComment, RadarPost, RadarPostStatus, Suggestion, SuggestionComment,
    SuggestionDecision, SuggestionStatus,
};
use crate::radar::{Radar, RadarError, RadarFeed, RadarFeedItem, RadarSeenState};
use crate::suggestions::{SuggestionError, SuggestionView, Suggestions};
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, FieldError};
use nudge_core::queue::Queue;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Every member: suggesting, voting, commenting, posting to and reading the radar, chatting.
const MEMBER: &str = nudge_core::auth::permissions::PROFILE_READ;
/// Reviewing suggestions (seed 002 MANAGE_SUGGESTIONS).
const MANAGE: &str = crate::suggestions::MANAGE;
/// Moderating the radar, posting SYSTEM chat messages, confirming answers and resolving comments anywhere.
const MODERATE: &str = "community:moderate";

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       Suggestion, SuggestionStatus, SuggestionDecision, SuggestionView, SuggestionComment,
                       RadarPost, RadarPostStatus, RadarFeedItem, RadarFeed, RadarSeenState,
                       ChatMessage, ChatMessageType, ModuleComment,
                       input::SuggestionWrite, input::SuggestionCommentWrite, input::SuggestionStatusWrite,
                       input::RadarPostWrite, input::RadarReviewWrite, input::RadarSeenWrite,
                       input::ChatMessageWrite, input::ModuleCommentWrite,
                       crate::usage::UsageSession, crate::usage::UsageDay, crate::changelog::ChangelogEntry,
                       crate::changelog::ChangelogItem, crate::changelog::ChangelogPage, activity::ChangelogVisit,
                       input::ChangelogEntryWrite, input::ChangelogSeenWrite)),
    tags((name = "community", description = "Knowledge suggestions (one vote per member, threaded comments, review with notices and XP), the mentor radar (moderated links, the members' feed with seen marks and saves), chat (the organization's channel and one per module, answers confirmed by mentors for XP), threaded comments on modules, usage sessions and the platform changelog"))
)]
struct ApiDoc;

impl From<SuggestionError> for ApiError {
    fn from(e: SuggestionError) -> Self {
        match e {
            SuggestionError::NotFound => ApiError::NotFound,
            SuggestionError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            SuggestionError::Rule(pointer, why) => ApiError::rule(pointer, why),
            SuggestionError::Notify(why) => ApiError::internal(why),
            SuggestionError::Store(e) => e.into(),
        }
    }
}

impl From<RadarError> for ApiError {
    fn from(e: RadarError) -> Self {
        match e {
            RadarError::NotFound => ApiError::NotFound,
            RadarError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            RadarError::Notify(why) => ApiError::internal(why),
            RadarError::Store(e) => e.into(),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::NotFound => ApiError::NotFound,
            ChatError::Forbidden(why) => ApiError::Forbidden(why),
            ChatError::Rule(pointer, why) => ApiError::rule(pointer, why),
            ChatError::Refused(why) => ApiError::Unprocessable(why),
            ChatError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            ChatError::Award(why) => ApiError::internal(why),
            ChatError::Store(e) => e.into(),
        }
    }
}

impl From<CommentError> for ApiError {
    fn from(e: CommentError) -> Self {
        match e {
            CommentError::NotFound => ApiError::NotFound,
            CommentError::Forbidden(why) => ApiError::Forbidden(why),
            CommentError::Rule(pointer, why) => ApiError::rule(pointer, why),
            CommentError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            CommentError::Notify(why) => ApiError::internal(why),
            CommentError::Store(e) => e.into(),
        }
    }
}

/// What the handlers take with `State`.
#[derive(Clone, FromRef)]
struct Api {
    ctx: Ctx,
    /// The notifications queue (notices go through the outbox into it).
    notifications: Queue,
}

impl Api {
    fn suggestions(&self) -> Suggestions<'_> {
        Suggestions { store: &self.ctx.store, notifications: &self.notifications }
    }

    fn radar(&self) -> Radar<'_> {
        Radar { store: &self.ctx.store, notifications: &self.notifications }
    }

    fn chat(&self) -> crate::chat::Chat<'_> {
        crate::chat::Chat { store: &self.ctx.store, notifications: &self.notifications }
    }

    fn comments(&self) -> crate::comments::ModuleComments<'_> {
        crate::comments::ModuleComments { store: &self.ctx.store, notifications: &self.notifications }
    }
}

/// The caller with their member right checked: who they are and whether they moderate.
fn member(principal: &Principal) -> Result<(nudge_core::TenantId, Caller), ApiError> {
    let tenant = principal.require(MEMBER)?;
    Ok((tenant, Caller { user: principal.user_id, moderator: principal.has(MODERATE) }))
}

fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(suggestions::routes())
        .merge(radar::routes())
        .merge(chat::routes())
        .merge(comments::routes())
        .merge(activity::routes())
        .split_for_parts()
}

pub fn router(ctx: Ctx, notifications: Queue) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, notifications }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

/// A query parameter naming one of an enum's values.
fn param<T: serde::de::DeserializeOwned>(name: &str, raw: Option<&str>, expected: &str) -> Result<Option<T>, ApiError> {
    raw.map(|v| {
        serde_json::from_value(serde_json::Value::from(v))
            .map_err(|_| ApiError::invalid(vec![FieldError::param(name, format!("must be one of {expected}"))]))
    })
    .transpose()
}
