use axum::extract::State;

use super::extract::ApiJson;
use crate::auth::StaffUser;
use crate::error::AppResult;
use axum::http::StatusCode;

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
        active: true,
    })
}

/// Signs out: every token of the account stops working (other tabs and devices too).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", security(("bearer" = [])),
    responses((status = 204, description = "signed out"), (status = 401)))]
pub async fn logout(State(state): State<AppState>, user: StaffUser) -> AppResult<StatusCode> {
    crate::services::auth::logout(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A fresh token: the idle limit starts again, the absolute limit from the sign-in stays.
/// (Every staff request also renews its token in the `x-staff-token` response header.)
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = LoginResponse), (status = 401)))]
pub async fn refresh(
    State(state): State<AppState>,
    user: StaffUser,
) -> AppResult<axum::Json<LoginResponse>> {
    Ok(axum::Json(
        crate::services::auth::refresh(&state, &user).await?,
    ))
}
