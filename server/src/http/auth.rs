use axum::extract::State;

use super::extract::ApiJson;
use crate::auth::StaffUser;
use crate::error::AppResult;
use crate::services::auth::{LoginRequest, LoginResponse};
use crate::services::sign_in::Client;
use crate::services::users::UserView;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff",
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong username or password"),
        (status = 429, description = "too many failures for this username or address")))]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<axum::Json<LoginResponse>> {
    let resp = crate::services::auth::login(&state, req, &client).await?;
    Ok(axum::Json(resp))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401)))]
pub async fn me(user: StaffUser) -> axum::Json<UserView> {
    axum::Json(UserView {
        id: user.id,
        username: user.username,
        full_name: String::new(),
        roles: user.roles,
    })
}
