//! `/users`: the people of the caller's organization. Inviting, listing, reading, changing role, status and
//! scoped grants, and removing a membership (the global account stays).

use crate::membership::{Membership, MembershipStatus};
use crate::people::service::{self, MemberChange};
use crate::people::views::Member;
use crate::people::{Deps, rules};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::store::Attempt;
use nudge_core::values::Email;
use nudge_core::{Ctx, validate};
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;

const READ: &str = "users:read";
const WRITE: &str = "users:write";

fn respond(status: StatusCode, member: Member, version: u64) -> Response {
    tagged(status, &member, version)
}

/// The longest role name read (custom role names are at most 64 characters, system ones shorter).
pub(crate) const ROLE_NAME_MAX: usize = 64;

/// `POST /users`: an invitation.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `create` reads the body")]
pub(crate) struct InviteRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// A role name of this organization (422 for one that names none): the default role when absent. Only a
    /// role whose permissions you hold (403 otherwise).
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub role: Option<String>,
    /// The account's name, for a new account.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
}

/// `PATCH /users/{id}` (a merge patch).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `read_patch` reads the merged document")]
pub(crate) struct MemberPatch {
    /// A role name of this organization (422 for one that names none).
    #[schema(required = false, min_length = 1, max_length = 64, pattern = r"\S")]
    pub role: String,
    /// `invited` only while the invitation is open, and the other two only once it is accepted (422).
    #[schema(required = false)]
    pub status: MembershipStatus,
    /// Replaces every scoped grant; `null` removes them all.
    #[schema(max_items = 50)]
    pub grants: Option<Vec<rules::ScopedGrantRequest>>,
}

fn read_role_name(f: &mut Fields, required: bool) -> Option<String> {
    let role: Option<String> = if required { f.required("role") } else { f.optional("role") };
    f.check("role", &role, |r| validate::text(r, 1, ROLE_NAME_MAX));
    role
}

#[utoipa::path(post, path = "/users", tag = "users",
    request_body(content = InviteRequest, description = "Who to invite, and as what"),
    responses(
        (status = 201, description = "Invited; the email is queued", body = Member, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let mut f = Fields::new(body)?;
    let email: Option<Email> = f.parse("email", true);
    let role_name = read_role_name(&mut f, false);
    let name: Option<String> = f.optional("name");
    f.check("name", &name, |n| validate::text(n, 1, 200));
    f.finish()?;
    let email = email.ok_or_else(|| ApiError::internal("email missing after validation"))?;
    let name = name.map(|n| n.trim().to_owned());
    let member = service::invite(&ctx.store, &deps, &tenant, &principal, &email, role_name, name.as_deref()).await?;
    let version = member.version;
    let location = format!("/users/{}", member.user_id);
    Ok(created(&Member::of(member, None), version, &location))
}

#[utoipa::path(get, path = "/users", tag = "users",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Members of the organization", body = nudge_core::http::Page<Member>),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page = service::members(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.into_iter().map(|m| Member::of(m, None)).collect();
    Ok(axum::Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The member, with account status and last sign-in", body = Member, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let (member, account) = service::member_and_account(&ctx.store, &tenant, path_id(&id)?).await?;
    let version = member.version;
    Ok(respond(StatusCode::OK, Member::of(member, account.as_ref()), version))
}

/// The writable fields of a membership, read from the merged document.
fn read_patch(doc: Value) -> ApiResult<MemberChange> {
    let mut f = Fields::new(doc)?;
    let role = read_role_name(&mut f, true);
    let status: Option<MembershipStatus> = f.required("status");
    let grants = rules::read_grants(&mut f, "grants");
    f.finish()?;
    match (role, status) {
        (Some(role), Some(status)) => Ok(MemberChange { role, status, grants }),
        _ => Err(ApiError::internal("membership patch incomplete after validation")),
    }
}

#[utoipa::path(patch, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = MemberPatch, content_type = "application/merge-patch+json", description = "The role, status and scoped grants to change"),
    responses(
        (status = 200, description = "Updated; a suspension or role change reaches the member's sessions within a minute", body = Member, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn patch(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    rules::not_self(principal.user_id, id)?;
    let load = || async { Ok(service::member(&ctx.store, &tenant, id).await?) };
    let (before, after) = update::patch(if_match, &patch, load, |current: Membership, doc| async {
        let change = read_patch(doc)?;
        Ok(match service::revise_member(&ctx.store, &tenant, &principal, current, change).await? {
            Attempt::Done(both) => Step::Done(both),
            Attempt::Retry => Step::Moved,
        })
    })
    .await?;
    service::member_changed(&ctx.store, &tenant, &before, &after).await?;
    let version = after.version;
    Ok(respond(StatusCode::OK, Member::of(after, None), version))
}

#[utoipa::path(delete, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Membership removed and its sessions ended; the account remains"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn remove(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(WRITE)?;
    service::remove_member(&ctx.store, &tenant, &principal, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
