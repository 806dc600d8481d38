//! Staff accounts (admin only): create, list, disable and enable, reset a password, change
//! roles. Every change is audited and ends the account's current sign-ins.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::paging::Page;
use crate::services::users::{
    self as service, AccountReason, NewUser, PasswordReset, RoleChange, UserList, UserView,
};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/users", tag = "staff", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, description = "not an admin"),
        (status = 409, description = "username taken"),
        (status = 422, description = "invalid fields, or a password shorter than 12 characters or among the common ones")))]
pub async fn create_user(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, axum::Json<UserView>)> {
    user.require(&[Role::Admin])?;
    let created = service::create_user(&state, &user.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserPage {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// Every account by username, with its roles and whether it is active.
#[utoipa::path(get, path = "/api/v1/users", tag = "staff", security(("bearer" = [])),
    params(UserPage),
    responses((status = 200, body = UserList), (status = 403, description = "not an admin")))]
pub async fn list_users(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(page): ApiQuery<UserPage>,
) -> AppResult<axum::Json<UserList>> {
    user.require(&[Role::Admin])?;
    let page = Page::new(page.limit, page.offset);
    Ok(axum::Json(service::list_users(&state, page).await?))
}

/// The account can no longer sign in, and its tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/disable", tag = "staff", security(("bearer" = [])),
    params(("user_id" = i32, Path)), request_body = AccountReason,
    responses((status = 200, body = UserView), (status = 403, description = "not an admin"), (status = 404),
        (status = 409, description = "the last active administrator"), (status = 422, description = "no reason")))]
pub async fn disable_user(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(user_id): ApiPath<i32>,
    ApiJson(reason): ApiJson<AccountReason>,
) -> AppResult<axum::Json<UserView>> {
    user.require(&[Role::Admin])?;
    let view = service::set_active(&state, &user, user_id, false, reason).await?;
    Ok(axum::Json(view))
}

#[utoipa::path(post, path = "/api/v1/users/{user_id}/enable", tag = "staff", security(("bearer" = [])),
    params(("user_id" = i32, Path)), request_body = AccountReason,
    responses((status = 200, body = UserView), (status = 403, description = "not an admin"), (status = 404),
        (status = 422, description = "no reason")))]
pub async fn enable_user(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(user_id): ApiPath<i32>,
    ApiJson(reason): ApiJson<AccountReason>,
) -> AppResult<axum::Json<UserView>> {
    user.require(&[Role::Admin])?;
    let view = service::set_active(&state, &user, user_id, true, reason).await?;
    Ok(axum::Json(view))
}

/// Sets a new password; the account's current tokens stop working.
#[utoipa::path(put, path = "/api/v1/users/{user_id}/password", tag = "staff", security(("bearer" = [])),
    params(("user_id" = i32, Path)), request_body = PasswordReset,
    responses((status = 200, body = UserView), (status = 403, description = "not an admin"), (status = 404),
        (status = 422, description = "a password shorter than 12 characters or among the common ones")))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(user_id): ApiPath<i32>,
    ApiJson(reset): ApiJson<PasswordReset>,
) -> AppResult<axum::Json<UserView>> {
    user.require(&[Role::Admin])?;
    let view = service::reset_password(&state, &user, user_id, reset).await?;
    Ok(axum::Json(view))
}

/// Replaces the account's roles; its current tokens stop working, so the next request of that
/// staff member signs in again under the new roles.
#[utoipa::path(put, path = "/api/v1/users/{user_id}/roles", tag = "staff", security(("bearer" = [])),
    params(("user_id" = i32, Path)), request_body = RoleChange,
    responses((status = 200, body = UserView), (status = 403, description = "not an admin"), (status = 404),
        (status = 409, description = "would leave no active administrator"), (status = 422, description = "no role")))]
pub async fn change_roles(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(user_id): ApiPath<i32>,
    ApiJson(roles): ApiJson<RoleChange>,
) -> AppResult<axum::Json<UserView>> {
    user.require(&[Role::Admin])?;
    let view = service::change_roles(&state, &user, user_id, roles).await?;
    Ok(axum::Json(view))
}
