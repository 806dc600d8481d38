//! The yearly notices of days off an operator entered (VN-32).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

use crate::entities::calendar_notices;
use crate::error::{AppError, AppResult};
use crate::rules::calendar::YearNotice;

/// A notice as stored, with who entered it.
#[derive(Debug, Clone)]
pub struct StoredNotice {
    pub notice: YearNotice,
    pub source: String,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

fn dates(json: &str) -> AppResult<Vec<NaiveDate>> {
    serde_json::from_str(json).map_err(|e| {
        AppError::internal(format!("a stored calendar notice is not a date list: {e}"))
    })
}

fn to_json(days: &[NaiveDate]) -> AppResult<String> {
    serde_json::to_string(days).map_err(|e| AppError::internal(format!("calendar notice: {e}")))
}

impl TryFrom<calendar_notices::Model> for StoredNotice {
    type Error = AppError;

    fn try_from(m: calendar_notices::Model) -> AppResult<StoredNotice> {
        Ok(StoredNotice {
            notice: YearNotice {
                year: m.year,
                days_off: dates(&m.days_off)?,
                working_weekend_days: dates(&m.working_weekend_days)?,
            },
            source: m.source,
            entered_by: m.entered_by,
            entered_at: m.entered_at,
        })
    }
}

/// Every entered notice, by year.
pub async fn notices<C: sea_orm::ConnectionTrait>(conn: &C) -> AppResult<Vec<StoredNotice>> {
    calendar_notices::Entity::find()
        .order_by_asc(calendar_notices::Column::Year)
        .all(conn)
        .await?
        .into_iter()
        .map(StoredNotice::try_from)
        .collect()
}

/// Stores the notice of its year, replacing an earlier one.
pub async fn save_notice<C: sea_orm::ConnectionTrait>(
    conn: &C,
    stored: &StoredNotice,
) -> AppResult<()> {
    let row = calendar_notices::ActiveModel {
        year: Set(stored.notice.year),
        days_off: Set(to_json(&stored.notice.days_off)?),
        working_weekend_days: Set(to_json(&stored.notice.working_weekend_days)?),
        source: Set(stored.source.clone()),
        entered_by: Set(stored.entered_by.clone()),
        entered_at: Set(stored.entered_at),
    };
    let exists = calendar_notices::Entity::find_by_id(stored.notice.year)
        .one(conn)
        .await?
        .is_some();
    if exists {
        row.update(conn).await?;
    } else {
        row.insert(conn).await?;
    }
    Ok(())
}
