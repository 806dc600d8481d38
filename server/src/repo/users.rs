//! Staff accounts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

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
    /// Tokens signed under another version are refused (signed out, disabled, password reset,
    /// roles changed).
    pub token_version: i32,
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
            token_version: m.token_version,
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
        token_version: Set(0),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(model.into())
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<User>> {
    Ok(users::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(User::from))
}

/// A page of accounts by username, and how many there are.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
    offset: u64,
) -> AppResult<(Vec<User>, u64)> {
    let total = users::Entity::find().count(conn).await?;
    let rows = users::Entity::find()
        .order_by_asc(users::Column::Username)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows.into_iter().map(User::from).collect(), total))
}

/// The active accounts holding `role` (roles are stored comma-separated).
pub async fn active_with_role<C: ConnectionTrait>(conn: &C, role: Role) -> AppResult<Vec<User>> {
    let rows = users::Entity::find()
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::Roles.contains(role.code()))
        .all(conn)
        .await?;
    // `contains` is a substring match: keep only exact role codes.
    Ok(rows
        .into_iter()
        .map(User::from)
        .filter(|u| u.roles.contains(&role))
        .collect())
}

/// What an account change sets; every change also ends the account's current sign-ins.
#[derive(Debug, Default)]
pub struct AccountChange<'a> {
    pub active: Option<bool>,
    pub password_hash: Option<&'a str>,
    pub roles: Option<&'a [Role]>,
}

/// Applies `change` and increases the token version in one statement, so a token signed before
/// the change can never pass after it.
pub async fn change<C: ConnectionTrait>(
    conn: &C,
    id: i32,
    change: AccountChange<'_>,
) -> AppResult<()> {
    let mut update = users::Entity::update_many()
        .col_expr(
            users::Column::TokenVersion,
            Expr::col(users::Column::TokenVersion).add(1),
        )
        .filter(users::Column::Id.eq(id));
    if let Some(active) = change.active {
        update = update.col_expr(users::Column::Active, Expr::value(active));
    }
    if let Some(hash) = change.password_hash {
        update = update.col_expr(users::Column::PasswordHash, Expr::value(hash));
    }
    if let Some(roles) = change.roles {
        update = update.col_expr(users::Column::Roles, Expr::value(join_roles(roles)));
    }
    update.exec(conn).await?;
    Ok(())
}
