//! The working-day calendar legal periods are counted on (VN-32): what the platform ships for
//! the years it knows, replaced year by year by the notices an operator enters.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::calendar::StoredNotice;
use crate::rules::calendar::{shipped_notices, Calendar, YearNotice};
use crate::state::AppState;

/// The Government's notice of one year as the operator enters it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// Weekdays off beyond the fixed holidays (Tết, the Hùng Kings' day, the day next to
    /// National Day, compensatory days, days given for a working Saturday).
    pub days_off: Vec<NaiveDate>,
    /// Saturdays or Sundays made working days.
    #[serde(default)]
    pub working_weekend_days: Vec<NaiveDate>,
    /// The notice it comes from (number and date), kept with it.
    pub source: String,
}

/// One year's notice and where it comes from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeView {
    pub year: i32,
    pub days_off: Vec<NaiveDate>,
    pub working_weekend_days: Vec<NaiveDate>,
    /// `shipped` with the platform, or `entered` by an operator.
    pub origin: NoticeOrigin,
    pub source: String,
    pub entered_by: Option<String>,
    pub entered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeOrigin {
    Shipped,
    Entered,
}

const SHIPPED_SOURCE: &str = "shipped with thituyen";
const MAX_SOURCE_CHARS: usize = 300;

/// Every year's notice in force: the entered ones, and the shipped ones of the other years.
pub async fn notices<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<NoticeView>> {
    let entered = repo::calendar::notices(conn).await?;
    let mut views: Vec<NoticeView> = shipped_notices()
        .into_iter()
        .filter(|n| !entered.iter().any(|e| e.notice.year == n.year))
        .map(|notice| NoticeView {
            year: notice.year,
            days_off: notice.days_off,
            working_weekend_days: notice.working_weekend_days,
            origin: NoticeOrigin::Shipped,
            source: SHIPPED_SOURCE.into(),
            entered_by: None,
            entered_at: None,
        })
        .collect();
    views.extend(entered.into_iter().map(|e| NoticeView {
        year: e.notice.year,
        days_off: e.notice.days_off,
        working_weekend_days: e.notice.working_weekend_days,
        origin: NoticeOrigin::Entered,
        source: e.source,
        entered_by: Some(e.entered_by),
        entered_at: Some(e.entered_at),
    }));
    views.sort_by_key(|v| v.year);
    Ok(views)
}

/// The calendar in force.
pub async fn calendar<C: ConnectionTrait>(conn: &C) -> AppResult<Calendar> {
    let notices: Vec<YearNotice> = notices(conn)
        .await?
        .into_iter()
        .map(|v| YearNotice {
            year: v.year,
            days_off: v.days_off,
            working_weekend_days: v.working_weekend_days,
        })
        .collect();
    Ok(Calendar::new(&notices))
}

/// Enters (or corrects) the notice of `year`; it replaces what was in force for that year.
pub async fn enter_notice(
    state: &AppState,
    actor: &str,
    year: i32,
    req: NoticeRequest,
) -> AppResult<NoticeView> {
    let notice = YearNotice {
        year,
        days_off: req.days_off,
        working_weekend_days: req.working_weekend_days,
    };
    let mut errors = notice.problems();
    let source = req.source.trim().to_string();
    if source.is_empty() || source.chars().count() > MAX_SOURCE_CHARS {
        errors.push(question_bank::FieldError::new(
            "source",
            format!("the notice's reference, 1 to {MAX_SOURCE_CHARS} characters"),
        ));
    }
    if !(2000..=2100).contains(&year) {
        errors.push(question_bank::FieldError::new(
            "year",
            "a year from 2000 to 2100",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid("the notice is not valid", errors));
    }
    let now = state.now();
    let stored = StoredNotice {
        notice,
        source,
        entered_by: actor.to_string(),
        entered_at: now,
    };
    let w = Audited::begin_at(state, now).await?;
    repo::calendar::save_notice(w.txn(), &stored).await?;
    w.record(
        actor,
        Action::CalendarNotice,
        year,
        serde_json::json!({
            "days_off": stored.notice.days_off,
            "working_weekend_days": stored.notice.working_weekend_days,
            "source": stored.source,
        }),
    );
    w.commit().await?;
    Ok(NoticeView {
        year,
        days_off: stored.notice.days_off,
        working_weekend_days: stored.notice.working_weekend_days,
        origin: NoticeOrigin::Entered,
        source: stored.source,
        entered_by: Some(stored.entered_by),
        entered_at: Some(now),
    })
}
