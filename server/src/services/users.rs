//! Creating staff accounts (admin, or the `user create` command).

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::auth::password::hash_password;
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::repo;
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
}

impl From<repo::users::User> for UserView {
    fn from(u: repo::users::User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            roles: u.roles,
        }
    }
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
    if new.password.chars().count() < 8 {
        errors.push(FieldError::new("password", "at least 8 characters"));
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
