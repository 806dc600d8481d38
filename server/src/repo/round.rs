//! Rounds, positions with their agencies, applications.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entities::{agencies, applications, exams, positions, rounds, sessions};
use crate::error::{AppError, AppResult};

pub async fn find_round_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> AppResult<Option<rounds::Model>> {
    Ok(rounds::Entity::find()
        .filter(rounds::Column::Code.eq(code))
        .one(conn)
        .await?)
}

pub async fn insert_round<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name: &str,
    rule_set: &str,
    now: DateTime<Utc>,
) -> AppResult<rounds::Model> {
    create_round(
        conn,
        &RoundRecord {
            code: code.to_string(),
            name: name.to_string(),
            rule_set: rule_set.to_string(),
            one_application_per_candidate: true,
            applications_open_on: Some(now.date_naive()),
            round1_on: None,
            round2_on: None,
            plan_approved_on: None,
            recruiting_authority: String::new(),
        },
        now,
    )
    .await
}

/// Everything HR sets on a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    pub code: String,
    pub name: String,
    pub rule_set: String,
    pub one_application_per_candidate: bool,
    pub applications_open_on: Option<NaiveDate>,
    pub round1_on: Option<NaiveDate>,
    pub round2_on: Option<NaiveDate>,
    /// VN-0: the day the round's plan was approved.
    pub plan_approved_on: Option<NaiveDate>,
    /// VN-16: the authority whose next round a fraud bar reaches.
    pub recruiting_authority: String,
}

impl From<&rounds::Model> for RoundRecord {
    fn from(m: &rounds::Model) -> Self {
        RoundRecord {
            code: m.code.clone(),
            name: m.name.clone(),
            rule_set: m.rule_set.clone(),
            one_application_per_candidate: m.one_application_per_candidate,
            applications_open_on: m.applications_open_on,
            round1_on: m.round1_on,
            round2_on: m.round2_on,
            plan_approved_on: m.plan_approved_on,
            recruiting_authority: m.recruiting_authority.clone(),
        }
    }
}

pub async fn create_round<C: ConnectionTrait>(
    conn: &C,
    r: &RoundRecord,
    now: DateTime<Utc>,
) -> AppResult<rounds::Model> {
    Ok(rounds::ActiveModel {
        code: Set(r.code.clone()),
        name: Set(r.name.clone()),
        rule_set: Set(r.rule_set.clone()),
        one_application_per_candidate: Set(r.one_application_per_candidate),
        applications_open_on: Set(r.applications_open_on),
        round1_on: Set(r.round1_on),
        round2_on: Set(r.round2_on),
        plan_approved_on: Set(r.plan_approved_on),
        recruiting_authority: Set(r.recruiting_authority.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Writes the settings of `r` over the stored round (the code never changes).
pub async fn update_round<C: ConnectionTrait>(
    conn: &C,
    round: rounds::Model,
    r: &RoundRecord,
) -> AppResult<rounds::Model> {
    let mut active: rounds::ActiveModel = round.into();
    active.name = Set(r.name.clone());
    active.rule_set = Set(r.rule_set.clone());
    active.one_application_per_candidate = Set(r.one_application_per_candidate);
    active.applications_open_on = Set(r.applications_open_on);
    active.round1_on = Set(r.round1_on);
    active.round2_on = Set(r.round2_on);
    active.plan_approved_on = Set(r.plan_approved_on);
    active.recruiting_authority = Set(r.recruiting_authority.clone());
    Ok(active.update(conn).await?)
}

pub async fn find_round<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<rounds::Model>> {
    Ok(rounds::Entity::find_by_id(id).one(conn).await?)
}

/// A page of rounds, newest first, and how many there are.
pub async fn list_rounds<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
    offset: u64,
) -> AppResult<(Vec<rounds::Model>, u64)> {
    let total = rounds::Entity::find().count(conn).await?;
    let items = rounds::Entity::find()
        .order_by_desc(rounds::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((items, total))
}

/// The start of the earliest session of the round's exams that has started by `now`, if any
/// (VN-0: from then on the rules of the round are fixed).
pub async fn first_started_session<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let exam_ids: Vec<i32> = exams::Entity::find()
        .select_only()
        .column(exams::Column::Id)
        .filter(exams::Column::RoundId.eq(round_id))
        .into_tuple()
        .all(conn)
        .await?;
    if exam_ids.is_empty() {
        return Ok(None);
    }
    Ok(sessions::Entity::find()
        .filter(sessions::Column::ExamId.is_in(exam_ids))
        .filter(sessions::Column::StartsAt.lte(now))
        .order_by_asc(sessions::Column::StartsAt)
        .one(conn)
        .await?
        .map(|s| s.starts_at))
}

pub struct NewPosition<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub grade: &'a str,
    pub round2_form: &'a str,
    /// (code, name, quota) per employing agency; the position's quota is their sum (VN-13).
    pub agencies: &'a [(&'a str, &'a str, i32)],
}

pub async fn insert_position<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    p: &NewPosition<'_>,
) -> AppResult<positions::Model> {
    let position = positions::ActiveModel {
        round_id: Set(round_id),
        code: Set(p.code.to_string()),
        name: Set(p.name.to_string()),
        grade: Set(p.grade.to_string()),
        round2_form: Set(p.round2_form.to_string()),
        quota: Set(p.agencies.iter().map(|a| a.2).sum()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (code, name, quota) in p.agencies {
        agencies::ActiveModel {
            position_id: Set(position.id),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            quota: Set(*quota),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(position)
}

pub async fn find_position<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<positions::Model>> {
    Ok(positions::Entity::find_by_id(id).one(conn).await?)
}

pub async fn find_position_by_code<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    code: &str,
) -> AppResult<Option<positions::Model>> {
    Ok(positions::Entity::find()
        .filter(positions::Column::RoundId.eq(round_id))
        .filter(positions::Column::Code.eq(code))
        .one(conn)
        .await?)
}

/// The positions of a round in the order they were created, each with its agencies in the
/// order of the plan.
pub async fn positions_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<(positions::Model, Vec<agencies::Model>)>> {
    let positions = positions::Entity::find()
        .filter(positions::Column::RoundId.eq(round_id))
        .order_by_asc(positions::Column::Id)
        .all(conn)
        .await?;
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    let mut agencies = agencies::Entity::find()
        .filter(agencies::Column::PositionId.is_in(positions.iter().map(|p| p.id)))
        .order_by_asc(agencies::Column::Id)
        .all(conn)
        .await?;
    Ok(positions
        .into_iter()
        .map(|p| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                agencies.drain(..).partition(|a| a.position_id == p.id);
            agencies = rest;
            (p, mine)
        })
        .collect())
}

pub struct NewApplication {
    pub round_id: i32,
    pub position_id: i32,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub national_id: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub priority_points: String,
    pub eligible: Option<bool>,
}

pub async fn insert_application<C: ConnectionTrait>(
    conn: &C,
    a: NewApplication,
    now: DateTime<Utc>,
) -> AppResult<applications::Model> {
    insert_application_record(
        conn,
        ApplicationRecord {
            round_id: a.round_id,
            position_id: a.position_id,
            full_name: a.full_name,
            date_of_birth: a.date_of_birth,
            gender: a.gender,
            national_id: a.national_id,
            agency_preferences: a.agency_preferences,
            priority_groups: a.priority_groups,
            exemptions: Vec::new(),
            priority_points: a.priority_points,
            eligible: a.eligible,
            linked_national_id: None,
        },
        now,
    )
    .await
}

/// An application (Form 01) as HR records it.
pub struct ApplicationRecord {
    pub round_id: i32,
    pub position_id: i32,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub national_id: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub exemptions: Vec<String>,
    pub priority_points: String,
    pub eligible: Option<bool>,
    /// An old 9-digit ID card of the same person (VN-16).
    pub linked_national_id: Option<String>,
}

/// What `q` is matched against: the name folded (no diacritics, lower case) and the id.
pub fn search_key(full_name: &str, national_id: &str) -> String {
    format!("{} {}", question_bank::text::fold(full_name), national_id)
}

fn json_list(values: &[String]) -> AppResult<String> {
    serde_json::to_string(values).map_err(|e| AppError::internal_from("json list", e))
}

/// Reads a JSON list of codes as stored in an application row.
pub fn parse_list(stored: &str) -> AppResult<Vec<String>> {
    serde_json::from_str(stored).map_err(|e| {
        AppError::internal_from(format!("stored list {stored:?} is not a JSON list"), e)
    })
}

pub async fn insert_application_record<C: ConnectionTrait>(
    conn: &C,
    a: ApplicationRecord,
    now: DateTime<Utc>,
) -> AppResult<applications::Model> {
    Ok(applications::ActiveModel {
        round_id: Set(a.round_id),
        position_id: Set(a.position_id),
        search_key: Set(search_key(&a.full_name, &a.national_id)),
        full_name: Set(a.full_name),
        date_of_birth: Set(a.date_of_birth),
        gender: Set(a.gender),
        national_id: Set(a.national_id),
        agency_preferences: Set(json_list(&a.agency_preferences)?),
        priority_groups: Set(json_list(&a.priority_groups)?),
        unproven_groups: Set("[]".into()),
        exemptions: Set(json_list(&a.exemptions)?),
        priority_points: Set(a.priority_points),
        eligible: Set(a.eligible),
        eligibility_reason: Set(None),
        linked_national_id: Set(a.linked_national_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn find_application<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<applications::Model>> {
    Ok(applications::Entity::find_by_id(id).one(conn).await?)
}

/// The first application of `national_id` in the round, if any (VN-16).
pub async fn application_of_candidate<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    national_id: &str,
) -> AppResult<Option<applications::Model>> {
    Ok(applications::Entity::find()
        .filter(applications::Column::RoundId.eq(round_id))
        .filter(applications::Column::NationalId.eq(national_id))
        .order_by_asc(applications::Column::Id)
        .one(conn)
        .await?)
}

/// (national id, application id) of every application of the round, oldest first.
pub async fn national_ids_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<(String, i32)>> {
    Ok(applications::Entity::find()
        .select_only()
        .column(applications::Column::NationalId)
        .column(applications::Column::Id)
        .filter(applications::Column::RoundId.eq(round_id))
        .order_by_asc(applications::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn applications_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<applications::Model>> {
    Ok(applications::Entity::find()
        .filter(applications::Column::RoundId.eq(round_id))
        .order_by_asc(applications::Column::Id)
        .all(conn)
        .await?)
}

/// What a ranking reads of an application: six columns of the eighteen, since a round of a
/// hundred thousand applications is ranked at once (issue 8).
#[derive(Debug, Clone)]
pub struct RankedApplication {
    pub id: i32,
    pub position_id: i32,
    pub eligible: Option<bool>,
    pub full_name: String,
    pub priority_points: String,
    /// JSON list of agency codes.
    pub agency_preferences: String,
}

/// The applications of the round as a ranking reads them, in id order. The database joins
/// each position's applications into one text (as it does the graded results): a hundred
/// thousand rows cross the driver as a few hundred values. A name may hold any character, so
/// it travels as the hex of its UTF-8 bytes; the other fields cannot hold a separator (numbers,
/// a decimal, a JSON list).
pub async fn ranked_applications_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<RankedApplication>> {
    use crate::repo::sitting::{RECORD, UNIT};
    use sea_orm::{DbBackend, Statement};
    let backend = conn.get_database_backend();
    let (aggregate, chr, hex, param) = match backend {
        DbBackend::Postgres => (
            "string_agg",
            "chr",
            "encode(convert_to(a.full_name, 'UTF8'), 'hex')",
            "$1",
        ),
        _ => ("group_concat", "char", "hex(a.full_name)", "?"),
    };
    let unit = format!("{chr}({})", UNIT as u32);
    let sql = format!(
        "SELECT {aggregate}(a.id || {unit} || a.position_id || {unit} || \
         CASE WHEN a.eligible IS NULL THEN '' WHEN a.eligible THEN '1' ELSE '0' END || {unit} || \
         a.priority_points || {unit} || a.agency_preferences || {unit} || {hex}, {chr}({})) \
         FROM applications a WHERE a.round_id = {param} GROUP BY a.position_id",
        RECORD as u32
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [round_id.into()],
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let text: String = row.try_get_by_index(0)?;
        for record in text.split(RECORD) {
            out.push(ranked_application(record)?);
        }
    }
    out.sort_unstable_by_key(|a| a.id);
    Ok(out)
}

/// One record of [`ranked_applications_of_round`].
fn ranked_application(record: &str) -> AppResult<RankedApplication> {
    use crate::repo::sitting::{unit_fields, unreadable_record};
    let unreadable = |why: &str| unreadable_record(record, "application", why);
    let [id, position_id, eligible, priority_points, agency_preferences, name] =
        unit_fields(record, "application")?;
    let number = |v: &str| {
        v.parse::<i32>()
            .map_err(|_| unreadable(&format!("'{v}' is not an id")))
    };
    let full_name = hex::decode(name)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| unreadable("the name is not hex of UTF-8"))?;
    Ok(RankedApplication {
        id: number(id)?,
        position_id: number(position_id)?,
        eligible: match eligible {
            "" => None,
            "1" => Some(true),
            "0" => Some(false),
            other => return Err(unreadable(&format!("eligible is '{other}'"))),
        },
        full_name,
        priority_points: priority_points.to_string(),
        agency_preferences: agency_preferences.to_string(),
    })
}

#[derive(Debug, Default, Clone)]
pub struct ApplicationFilter {
    pub position_id: Option<i32>,
    /// `Some(None)` selects the applications not yet checked.
    pub eligible: Option<Option<bool>>,
    /// Already folded (see [`search_key`]).
    pub q: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

pub async fn list_applications<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    f: &ApplicationFilter,
) -> AppResult<(Vec<applications::Model>, u64)> {
    let mut query = applications::Entity::find().filter(applications::Column::RoundId.eq(round_id));
    if let Some(position_id) = f.position_id {
        query = query.filter(applications::Column::PositionId.eq(position_id));
    }
    match f.eligible {
        Some(Some(e)) => query = query.filter(applications::Column::Eligible.eq(e)),
        Some(None) => query = query.filter(applications::Column::Eligible.is_null()),
        None => {}
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        query = query.filter(applications::Column::SearchKey.contains(q));
    }
    let total = query.clone().count(conn).await?;
    let items = query
        .order_by_asc(applications::Column::Id)
        .limit(f.limit)
        .offset(f.offset)
        .all(conn)
        .await?;
    Ok((items, total))
}

/// Stores the claims found unproven and the points recomputed from what remains (VN-9).
pub async fn update_priority<C: ConnectionTrait>(
    conn: &C,
    application: applications::Model,
    unproven_groups: &[String],
    priority_points: &str,
) -> AppResult<applications::Model> {
    let mut active: applications::ActiveModel = application.into();
    active.unproven_groups = Set(json_list(unproven_groups)?);
    active.priority_points = Set(priority_points.to_string());
    Ok(active.update(conn).await?)
}

pub async fn set_eligibility<C: ConnectionTrait>(
    conn: &C,
    application: applications::Model,
    eligible: bool,
    reason: Option<String>,
) -> AppResult<applications::Model> {
    let mut active: applications::ActiveModel = application.into();
    active.eligible = Set(Some(eligible));
    active.eligibility_reason = Set(reason);
    Ok(active.update(conn).await?)
}

/// Counts of the round's applications per (position id, eligibility).
pub async fn count_applications<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<(i32, Option<bool>, i64)>> {
    Ok(applications::Entity::find()
        .select_only()
        .column(applications::Column::PositionId)
        .column(applications::Column::Eligible)
        .column_as(
            Expr::from(Func::count(Expr::col(applications::Column::Id))),
            "n",
        )
        .filter(applications::Column::RoundId.eq(round_id))
        .group_by(applications::Column::PositionId)
        .group_by(applications::Column::Eligible)
        .into_tuple()
        .all(conn)
        .await?)
}
