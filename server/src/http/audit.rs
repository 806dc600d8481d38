use axum::extract::State;

use crate::audit::VerifyReport;
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::state::AppState;

/// The supervision board (VN-29) may see everything; here admin, chair and hr may check the chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerifyReport), (status = 403)))]
pub async fn verify_audit(
    State(state): State<AppState>,
    user: StaffUser,
) -> AppResult<axum::Json<VerifyReport>> {
    user.require(&[Role::Admin, Role::Chair, Role::Hr])?;
    Ok(axum::Json(crate::audit::verify(&state.db).await?))
}
