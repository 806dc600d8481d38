//! Staff accounts: created by an admin or the `user create` command, listed, disabled and
//! enabled, their password reset and roles changed by an admin. Every change is audited and
//! ends the account's current sign-ins (its token version moves on). No change may leave the
//! platform without an active administrator.

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::auth::password::{hash_password, weakness};
use crate::auth::{Role, StaffUser};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::users::AccountChange;
use crate::services::paging::Page;
use crate::state::AppState;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub full_name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    /// A disabled account cannot sign in.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<repo::users::User> for UserView {
    fn from(u: repo::users::User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            roles: u.roles,
            active: u.active,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    pub total: u64,
}

/// Why an admin disables or enables an account (kept in the audit log).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountReason {
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub roles: Vec<Role>,
}

fn validate(new: &NewUser) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = new.username.trim();
    if name.len() < 3
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        errors.push(FieldError::new(
            "username",
            "3 to 64 characters among a-z, 0-9, '.', '_' and '-'",
        ));
    }
    if let Some(why) = weakness(&new.password) {
        errors.push(FieldError::new("password", why));
    }
    if new.roles.is_empty() {
        errors.push(FieldError::new("roles", "at least one role"));
    }
    errors
}

#[tracing::instrument(skip_all, fields(actor = actor))]
pub async fn create_user(state: &AppState, actor: &str, new: NewUser) -> AppResult<UserView> {
    let errors = validate(&new);
    if !errors.is_empty() {
        return Err(AppError::invalid("the account is not valid", errors));
    }
    let username = new.username.trim().to_string();
    let hash = hash_password(&new.password)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    if repo::users::find_by_username(txn, &username)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "the username '{username}' is taken"
        )));
    }
    let user =
        repo::users::insert(txn, &username, &hash, new.full_name.trim(), &new.roles, now).await?;
    w.record(
        actor,
        Action::UserCreate,
        user.id,
        serde_json::json!({"username": user.username, "roles": user.roles}),
    );
    w.commit().await?;
    Ok(user.into())
}

pub async fn list_users(state: &AppState, page: Page) -> AppResult<UserList> {
    let (users, total) = repo::users::list(&state.db, page.limit, page.offset).await?;
    Ok(UserList {
        items: users.into_iter().map(UserView::from).collect(),
        total,
    })
}

/// Disables (`active` false) or enables an account, with the admin's reason.
pub async fn set_active(
    state: &AppState,
    admin: &StaffUser,
    user_id: i32,
    active: bool,
    reason: AccountReason,
) -> AppResult<UserView> {
    let reason = reason.reason.trim().to_string();
    if reason.is_empty() {
        return Err(AppError::field("reason", "say why the account is changed"));
    }
    let action = if active {
        Action::UserEnable
    } else {
        Action::UserDisable
    };
    let change = AccountChange {
        active: Some(active),
        ..AccountChange::default()
    };
    let details = serde_json::json!({"active": active, "reason": reason});
    apply(state, admin, user_id, action, change, details).await
}

/// Sets a new password chosen by an admin (the staff member changes it on first use).
pub async fn reset_password(
    state: &AppState,
    admin: &StaffUser,
    user_id: i32,
    reset: PasswordReset,
) -> AppResult<UserView> {
    if let Some(why) = weakness(&reset.password) {
        return Err(AppError::field("password", why));
    }
    let password = reset.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::internal(format!("password hashing: {e}")))??;
    let change = AccountChange {
        password_hash: Some(&hash),
        ..AccountChange::default()
    };
    let details = serde_json::json!({"password": "reset"});
    apply(
        state,
        admin,
        user_id,
        Action::UserPasswordReset,
        change,
        details,
    )
    .await
}

pub async fn change_roles(
    state: &AppState,
    admin: &StaffUser,
    user_id: i32,
    roles: RoleChange,
) -> AppResult<UserView> {
    let mut unique: Vec<Role> = Vec::new();
    for role in roles.roles {
        if !unique.contains(&role) {
            unique.push(role);
        }
    }
    let roles = unique;
    if roles.is_empty() {
        return Err(AppError::field("roles", "at least one role"));
    }
    let change = AccountChange {
        roles: Some(&roles),
        ..AccountChange::default()
    };
    let details = serde_json::json!({"roles": roles});
    apply(state, admin, user_id, Action::UserRoles, change, details).await
}

/// One audited account change: refused (409) when it would leave no active administrator.
async fn apply(
    state: &AppState,
    admin: &StaffUser,
    user_id: i32,
    action: Action,
    change: AccountChange<'_>,
    details: serde_json::Value,
) -> AppResult<UserView> {
    let w = Audited::begin(state).await?;
    let txn = w.txn();
    let before = repo::users::find(txn, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account {user_id}")))?;
    let stays_admin = change.active.unwrap_or(before.active)
        && change
            .roles
            .map_or(before.roles.contains(&Role::Admin), |r| {
                r.contains(&Role::Admin)
            });
    if before.active && before.roles.contains(&Role::Admin) && !stays_admin {
        let others = repo::users::active_with_role(txn, Role::Admin)
            .await?
            .into_iter()
            .filter(|u| u.id != user_id)
            .count();
        if others == 0 {
            return Err(AppError::Conflict(format!(
                "'{}' is the last active administrator: appoint another before disabling \
                 this account or taking its admin role",
                before.username
            )));
        }
    }
    repo::users::change(txn, user_id, change).await?;
    let mut details = details;
    details["username"] = serde_json::json!(before.username);
    w.record(&admin.actor(), action, user_id, details);
    w.commit().await?;
    state.accounts.forget(user_id);
    let after = repo::users::find(&state.db, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account {user_id}")))?;
    Ok(after.into())
}
