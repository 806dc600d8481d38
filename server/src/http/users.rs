use axum::extract::State;
use axum::http::StatusCode;

use super::extract::ApiJson;
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::users::{NewUser, UserView};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/users", tag = "staff", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, description = "not an admin"),
        (status = 409, description = "username taken"), (status = 422, description = "invalid fields")))]
pub async fn create_user(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, axum::Json<UserView>)> {
    user.require(&[Role::Admin])?;
    let created = crate::services::users::create_user(&state, &user.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}
