//! Staff accounts.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::role::{join_roles, parse_roles, Role};
use crate::entities::users;
use crate::error::AppResult;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub active: bool,
}

impl From<users::Model> for User {
    fn from(m: users::Model) -> Self {
        User {
            id: m.id,
            username: m.username,
            full_name: m.full_name,
            roles: parse_roles(&m.roles),
            password_hash: m.password_hash,
            active: m.active,
        }
    }
}

pub async fn find_by_username<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> AppResult<Option<User>> {
    Ok(users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(conn)
        .await?
        .map(User::from))
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    username: &str,
    password_hash: &str,
    full_name: &str,
    roles: &[Role],
    now: DateTime<Utc>,
) -> AppResult<User> {
    let model = users::ActiveModel {
        username: Set(username.to_string()),
        password_hash: Set(password_hash.to_string()),
        full_name: Set(full_name.to_string()),
        roles: Set(join_roles(roles)),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(model.into())
}
