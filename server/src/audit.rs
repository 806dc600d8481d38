//! The audit log: every state change that matters appends an entry, and entries are chained by
//! SHA-256 so that editing, deleting or reordering any row breaks verification from that row on.
//!
//! Hash of entry n = SHA-256 over a length-prefixed encoding of
//! (domain tag, id, time to the microsecond, actor, action, entity, entity id, details text,
//! hash of entry n-1). The details are hashed exactly as stored, so verification never depends
//! on how a JSON library orders keys. The action and entity are hashed as their stored texts
//! ([`Action::as_str`], [`Entity::as_str`]), which never change once entries carry them.
//!
//! Every audited change goes through [`Audited`]: the audit lock and the write transaction held
//! together, so the chain never forks and an entry is stored exactly when its change is.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entities::audit_log;
use crate::error::AppResult;
use crate::state::AppState;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    buf.extend_from_slice(&(field.len() as u64).to_be_bytes());
    buf.extend_from_slice(field);
}

fn format_at(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn entry_hash(e: &audit_log::Model) -> String {
    let mut buf = Vec::with_capacity(256 + e.details.len());
    for field in [
        "thituyen-audit-v1",
        &e.id.to_string(),
        &format_at(&e.at),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.details,
        &e.prev_hash,
    ] {
        push_field(&mut buf, field.as_bytes());
    }
    hex::encode(Sha256::digest(&buf))
}

/// What a change is, as the log names it. Each action has one stored string ([`Action::as_str`])
/// and one kind of thing it is about ([`Action::entity`]): call sites name a variant and cannot
/// misspell either. The strings are part of every stored entry's hash, so a variant's string
/// never changes once entries carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ApplicationCreate,
    ApplicationEligibility,
    ApplicationImport,
    ApplicationPriorityUnproven,
    BankCreate,
    BankImport,
    BankSeal,
    CalendarNotice,
    DemoSeed,
    ExamAcceptOption,
    ExamCreate,
    ExamRegrade,
    ExamVoidItem,
    ItemApprove,
    ItemCreate,
    ItemReject,
    ItemRetire,
    ItemSubmit,
    ItemUpdate,
    MarksEnter,
    MarksHeadSettle,
    MarksReplace,
    PositionCreate,
    RankingHeadDecision,
    RankingStrikeOff,
    ResultsPublish,
    ReviewDecide,
    ReviewMarks,
    ReviewRequest,
    RoundCreate,
    RoundUpdate,
    SessionAssign,
    SessionCreate,
    SessionIncident,
    SessionOpen,
    SessionPapers,
    SittingAdmitLate,
    SittingClose,
    SittingExtend,
    SittingLoginElsewhere,
    SittingResitting,
    SittingSanction,
    SittingSeat,
    SittingSubmit,
    UserCreate,
    RoundRuleSetSwitch,
    SessionLabLock,
    SittingPinReissue,
    SittingDeviceMove,
    UserDisable,
    UserEnable,
    UserLogout,
    UserPasswordReset,
    UserRoles,
    ItemRead,
    BankItemsRead,
    BankExport,
    SessionAdmissionTickets,
    SessionSeatList,
}

/// What kind of thing an entry is about; `entity_id` says which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Application,
    Bank,
    CalendarNotice,
    Exam,
    HeadDecision,
    Item,
    Mark,
    Position,
    Publication,
    Review,
    Round,
    Seal,
    Session,
    Sitting,
    StrikeOff,
    User,
    VoidedItem,
}

impl Action {
    pub const ALL: [Action; 59] = [
        Action::ApplicationCreate,
        Action::ApplicationEligibility,
        Action::ApplicationImport,
        Action::ApplicationPriorityUnproven,
        Action::BankCreate,
        Action::BankImport,
        Action::BankSeal,
        Action::CalendarNotice,
        Action::DemoSeed,
        Action::ExamAcceptOption,
        Action::ExamCreate,
        Action::ExamRegrade,
        Action::ExamVoidItem,
        Action::ItemApprove,
        Action::ItemCreate,
        Action::ItemReject,
        Action::ItemRetire,
        Action::ItemSubmit,
        Action::ItemUpdate,
        Action::MarksEnter,
        Action::MarksHeadSettle,
        Action::MarksReplace,
        Action::PositionCreate,
        Action::RankingHeadDecision,
        Action::RankingStrikeOff,
        Action::ResultsPublish,
        Action::ReviewDecide,
        Action::ReviewMarks,
        Action::ReviewRequest,
        Action::RoundCreate,
        Action::RoundUpdate,
        Action::SessionAssign,
        Action::SessionCreate,
        Action::SessionIncident,
        Action::SessionOpen,
        Action::SessionPapers,
        Action::SittingAdmitLate,
        Action::SittingClose,
        Action::SittingExtend,
        Action::SittingLoginElsewhere,
        Action::SittingResitting,
        Action::SittingSanction,
        Action::SittingSeat,
        Action::SittingSubmit,
        Action::UserCreate,
        Action::RoundRuleSetSwitch,
        Action::SessionLabLock,
        Action::SittingPinReissue,
        Action::SittingDeviceMove,
        Action::UserDisable,
        Action::UserEnable,
        Action::UserLogout,
        Action::UserPasswordReset,
        Action::UserRoles,
        Action::ItemRead,
        Action::BankItemsRead,
        Action::BankExport,
        Action::SessionAdmissionTickets,
        Action::SessionSeatList,
    ];

    /// The text stored in (and hashed with) each entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ApplicationCreate => "application.create",
            Action::ApplicationEligibility => "application.eligibility",
            Action::ApplicationImport => "application.import",
            Action::ApplicationPriorityUnproven => "application.priority_unproven",
            Action::BankCreate => "bank.create",
            Action::BankImport => "bank.import",
            Action::BankSeal => "bank.seal",
            Action::DemoSeed => "demo.seed",
            Action::ExamAcceptOption => "exam.accept_option",
            Action::ExamCreate => "exam.create",
            Action::ExamRegrade => "exam.regrade",
            Action::ExamVoidItem => "exam.void_item",
            Action::ItemApprove => "item.approve",
            Action::ItemCreate => "item.create",
            Action::ItemReject => "item.reject",
            Action::ItemRetire => "item.retire",
            Action::ItemSubmit => "item.submit",
            Action::ItemUpdate => "item.update",
            Action::MarksEnter => "marks.enter",
            Action::MarksHeadSettle => "marks.head_settle",
            Action::MarksReplace => "marks.replace",
            Action::PositionCreate => "position.create",
            Action::RankingHeadDecision => "ranking.head_decision",
            Action::RankingStrikeOff => "ranking.strike_off",
            Action::ResultsPublish => "results.publish",
            Action::ReviewDecide => "review.decide",
            Action::ReviewMarks => "review.marks",
            Action::ReviewRequest => "review.request",
            Action::RoundCreate => "round.create",
            Action::RoundUpdate => "round.update",
            Action::SessionAssign => "session.assign",
            Action::SessionCreate => "session.create",
            Action::SessionIncident => "session.incident",
            Action::SessionOpen => "session.open",
            Action::SessionPapers => "session.papers",
            Action::SittingAdmitLate => "sitting.admit_late",
            Action::SittingClose => "sitting.close",
            Action::SittingExtend => "sitting.extend",
            Action::SittingLoginElsewhere => "sitting.login_elsewhere",
            Action::SittingResitting => "sitting.resitting",
            Action::SittingSanction => "sitting.sanction",
            Action::SittingSeat => "sitting.seat",
            Action::SittingSubmit => "sitting.submit",
            Action::UserCreate => "user.create",
            Action::RoundRuleSetSwitch => "round.rule_set_switch",
            Action::SessionLabLock => "session.lab_lock",
            Action::SittingPinReissue => "sitting.pin_reissue",
            Action::SittingDeviceMove => "sitting.device_move",
            Action::UserDisable => "user.disable",
            Action::UserEnable => "user.enable",
            Action::UserLogout => "user.logout",
            Action::UserPasswordReset => "user.password_reset",
            Action::UserRoles => "user.roles",
            Action::ItemRead => "item.read",
            Action::BankItemsRead => "bank.items_read",
            Action::BankExport => "bank.export",
            Action::SessionAdmissionTickets => "session.admission_tickets",
            Action::SessionSeatList => "session.seat_list",
            Action::CalendarNotice => "calendar.notice",
        }
    }

    /// What the action is about. A few are recorded against the larger thing they change: a
    /// seating plan against its exam, an application import and the demo seed against their
    /// round.
    pub fn entity(self) -> Entity {
        match self {
            Action::ApplicationCreate
            | Action::ApplicationEligibility
            | Action::ApplicationPriorityUnproven => Entity::Application,
            Action::ApplicationImport | Action::DemoSeed => Entity::Round,
            Action::RoundCreate | Action::RoundUpdate => Entity::Round,
            Action::BankCreate | Action::BankImport => Entity::Bank,
            Action::BankSeal => Entity::Seal,
            Action::ExamAcceptOption | Action::ExamVoidItem => Entity::VoidedItem,
            Action::ExamCreate | Action::ExamRegrade | Action::SessionAssign => Entity::Exam,
            Action::ItemApprove
            | Action::ItemCreate
            | Action::ItemReject
            | Action::ItemRetire
            | Action::ItemSubmit
            | Action::ItemUpdate => Entity::Item,
            Action::MarksEnter | Action::MarksHeadSettle | Action::MarksReplace => Entity::Mark,
            Action::PositionCreate => Entity::Position,
            Action::RankingHeadDecision => Entity::HeadDecision,
            Action::RankingStrikeOff => Entity::StrikeOff,
            Action::ResultsPublish => Entity::Publication,
            Action::ReviewDecide | Action::ReviewMarks | Action::ReviewRequest => Entity::Review,
            Action::SessionCreate
            | Action::SessionIncident
            | Action::SessionOpen
            | Action::SessionPapers => Entity::Session,
            Action::SittingAdmitLate
            | Action::SittingClose
            | Action::SittingExtend
            | Action::SittingLoginElsewhere
            | Action::SittingResitting
            | Action::SittingSanction
            | Action::SittingSeat
            | Action::SittingSubmit => Entity::Sitting,
            Action::UserCreate => Entity::User,
            Action::RoundRuleSetSwitch => Entity::Round,
            Action::SessionLabLock => Entity::Session,
            Action::SittingPinReissue => Entity::Sitting,
            Action::SittingDeviceMove => Entity::Sitting,
            Action::UserDisable => Entity::User,
            Action::UserEnable => Entity::User,
            Action::UserLogout => Entity::User,
            Action::UserPasswordReset => Entity::User,
            Action::UserRoles => Entity::User,
            Action::ItemRead => Entity::Item,
            Action::BankItemsRead => Entity::Bank,
            Action::BankExport => Entity::Bank,
            Action::SessionAdmissionTickets => Entity::Session,
            Action::SessionSeatList => Entity::Session,
            Action::CalendarNotice => Entity::CalendarNotice,
        }
    }
}

impl Entity {
    /// The text stored in (and hashed with) each entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Application => "application",
            Entity::Bank => "bank",
            Entity::Exam => "exam",
            Entity::HeadDecision => "head_decision",
            Entity::Item => "item",
            Entity::Mark => "mark",
            Entity::Position => "position",
            Entity::Publication => "publication",
            Entity::Review => "review",
            Entity::Round => "round",
            Entity::Seal => "seal",
            Entity::Session => "session",
            Entity::Sitting => "sitting",
            Entity::StrikeOff => "strike_off",
            Entity::User => "user",
            Entity::CalendarNotice => "calendar_notice",
            Entity::VoidedItem => "voided_item",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audited change: the audit lock and the write transaction, held together.
///
/// ```text
/// let w = Audited::begin(state).await?;
/// repo::…(w.txn(), …).await?;                      // the data writes
/// w.record(actor, Action::RoundCreate, id, details); // one entry or many
/// w.commit().await?;
/// ```
///
/// The lock is what keeps the chain from forking: two appends never read the same head. The
/// head is read when the change begins and its entries are inserted at the commit, in the same
/// transaction as the data, so either both are stored or neither. Dropped without `commit` (an
/// early `?`), the transaction rolls back and then the lock is released.
pub struct Audited<'s> {
    // Fields drop in declaration order: the transaction ends before the lock and the turn are
    // released, so the next change never sees this one half-done.
    txn: DatabaseTransaction,
    // A mutex, not a RefCell, so the guard stays `Sync` and `&Audited` may cross an await.
    chain: std::sync::Mutex<Chain>,
    at: DateTime<Utc>,
    _turn: Option<tokio::sync::MutexGuard<'s, ()>>,
    _lock: tokio::sync::MutexGuard<'s, ()>,
}

impl<'s> Audited<'s> {
    /// Takes the audit lock and begins a write transaction. Its time ([`Audited::now`]) is the
    /// clock's when the change was asked for, before waiting for the lock.
    pub async fn begin(state: &'s AppState) -> AppResult<Audited<'s>> {
        Self::open(state, false).await
    }

    /// The same, for a change that already read the clock to decide (a deadline, a date
    /// check): its entries carry that time, as its data does.
    pub async fn begin_at(state: &'s AppState, at: DateTime<Utc>) -> AppResult<Audited<'s>> {
        Audited::lock(state).await.open(at, false).await
    }

    /// The same for a group-commit writer: it also takes its turn at SQLite's single write
    /// lock (after the audit lock, as every writer does, so no two wait on each other).
    pub async fn begin_in_turn(state: &'s AppState) -> AppResult<Audited<'s>> {
        Self::open(state, true).await
    }

    /// Only the audit lock, for a change that must read under it before it writes: no audited
    /// change can slip in between, yet no write transaction is held while it reads.
    pub async fn lock(state: &'s AppState) -> Locked<'s> {
        Locked {
            state,
            lock: state.audit_lock.lock().await,
        }
    }

    async fn open(state: &'s AppState, in_turn: bool) -> AppResult<Audited<'s>> {
        let at = state.now();
        let locked = Self::lock(state).await;
        locked.open(at, in_turn).await
    }

    /// The transaction the change writes its data in.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The time of the change: its entries carry it, and its data writes should too.
    pub fn now(&self) -> DateTime<Utc> {
        self.at
    }

    /// Chains one entry; it is stored at [`Audited::commit`], with the data.
    pub fn record(
        &self,
        actor: &str,
        action: Action,
        entity_id: impl ToString,
        details: serde_json::Value,
    ) {
        let mut chain = self.chain.lock().unwrap_or_else(|e| e.into_inner());
        chain.push(self.at, actor, action, entity_id.to_string(), details);
    }

    /// Ends the change without writing anything (a request that turns out to change nothing),
    /// then releases the lock.
    pub async fn rollback(self) -> AppResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    /// Stores the chained entries and commits them with the data, then releases the lock.
    pub async fn commit(self) -> AppResult<()> {
        let chain = self.chain.into_inner().unwrap_or_else(|e| e.into_inner());
        chain.write(&self.txn).await?;
        crate::write_queue::commit_timed(self.txn).await?;
        Ok(())
    }
}

/// The audit lock, held before its change begins ([`Audited::lock`]).
pub struct Locked<'s> {
    state: &'s AppState,
    lock: tokio::sync::MutexGuard<'s, ()>,
}

impl<'s> Locked<'s> {
    /// Begins the write transaction under the lock already held.
    pub async fn begin(self) -> AppResult<Audited<'s>> {
        let at = self.state.now();
        self.open(at, false).await
    }

    async fn open(self, at: DateTime<Utc>, in_turn: bool) -> AppResult<Audited<'s>> {
        let turn = if in_turn {
            self.state.write_turns.take().await
        } else {
            None
        };
        let txn = crate::db::begin_write(&self.state.db).await?;
        let chain = Chain::open(&txn).await?;
        Ok(Audited {
            txn,
            chain: std::sync::Mutex::new(chain),
            at,
            _turn: turn,
            _lock: self.lock,
        })
    }
}

/// Entries appended in one transaction: the head is read once, entries are chained in memory
/// and inserted together. Only [`Audited`] holds one, so the audit lock is always held from the
/// head's read to the commit.
struct Chain {
    next_id: i32,
    prev_hash: String,
    pending: Vec<audit_log::Model>,
}

impl Chain {
    async fn open<C: ConnectionTrait>(conn: &C) -> AppResult<Chain> {
        let last = audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .limit(1)
            .one(conn)
            .await?;
        let (next_id, prev_hash) = match last {
            Some(l) => (l.id + 1, l.hash),
            None => (1, GENESIS.to_string()),
        };
        Ok(Chain {
            next_id,
            prev_hash,
            pending: Vec::new(),
        })
    }

    fn push(
        &mut self,
        at: DateTime<Utc>,
        actor: &str,
        action: Action,
        entity_id: String,
        details: serde_json::Value,
    ) {
        let mut model = audit_log::Model {
            id: self.next_id,
            // PostgreSQL keeps microseconds; hash what every backend stores.
            at: at.trunc_subsecs(6),
            actor: actor.to_string(),
            action: action.as_str().to_string(),
            entity: action.entity().as_str().to_string(),
            entity_id,
            details: details.to_string(),
            prev_hash: std::mem::take(&mut self.prev_hash),
            hash: String::new(),
        };
        model.hash = entry_hash(&model);
        self.next_id += 1;
        self.prev_hash.clone_from(&model.hash);
        self.pending.push(model);
    }

    async fn write<C: ConnectionTrait>(self, conn: &C) -> AppResult<()> {
        // 9 columns a row: 100 rows stay far below every backend's limit on bound values.
        for chunk in self.pending.chunks(100) {
            audit_log::Entity::insert_many(chunk.iter().map(|m| audit_log::ActiveModel {
                id: Set(m.id),
                at: Set(m.at),
                actor: Set(m.actor.clone()),
                action: Set(m.action.clone()),
                entity: Set(m.entity.clone()),
                entity_id: Set(m.entity_id.clone()),
                details: Set(m.details.clone()),
                prev_hash: Set(m.prev_hash.clone()),
                hash: Set(m.hash.clone()),
            }))
            .exec_without_returning(conn)
            .await?;
        }
        Ok(())
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub intact: bool,
    pub entries: u64,
    /// Hash of the last entry: publications carry it.
    pub head: String,
    /// The first entry that does not match, with why.
    pub first_broken: Option<BrokenEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BrokenEntry {
    pub id: i32,
    pub action: String,
    pub reason: String,
}

pub async fn verify<C: ConnectionTrait>(conn: &C) -> AppResult<VerifyReport> {
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut count = 0u64;
    let mut after = 0;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let reason = if e.id != expected_id {
                Some(format!("expected entry {expected_id}, found {}", e.id))
            } else if e.prev_hash != prev {
                Some("its link to the previous entry does not match".to_string())
            } else if entry_hash(e) != e.hash {
                Some("its content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(VerifyReport {
                    intact: false,
                    entries: count,
                    head: prev,
                    first_broken: Some(BrokenEntry {
                        id: e.id,
                        action: e.action.clone(),
                        reason,
                    }),
                });
            }
            prev = e.hash.clone();
            expected_id += 1;
            count += 1;
            after = e.id;
        }
    }
    Ok(VerifyReport {
        intact: true,
        entries: count,
        head: prev,
        first_broken: None,
    })
}

/// The current head of the chain (hash of the newest entry).
pub async fn head<C: ConnectionTrait>(conn: &C) -> AppResult<String> {
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(conn)
        .await?
        .map(|e| e.hash)
        .unwrap_or_else(|| GENESIS.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The stored strings are hashed into every entry: a renamed variant must keep its text,
    /// or the chains already stored stop verifying.
    #[test]
    fn every_action_keeps_its_stored_text_and_entity() {
        let stored: Vec<(&str, &str)> = Action::ALL
            .iter()
            .map(|a| (a.as_str(), a.entity().as_str()))
            .collect();
        let texts: HashSet<&str> = stored.iter().map(|(a, _)| *a).collect();
        assert_eq!(texts.len(), Action::ALL.len(), "two actions share a text");
        for (action, entity) in [
            ("sitting.submit", "sitting"),
            ("sitting.close", "sitting"),
            ("sitting.login_elsewhere", "sitting"),
            ("session.assign", "exam"),
            ("application.import", "round"),
            ("demo.seed", "round"),
            ("exam.void_item", "voided_item"),
            ("exam.accept_option", "voided_item"),
            ("ranking.head_decision", "head_decision"),
            ("ranking.strike_off", "strike_off"),
            ("results.publish", "publication"),
            ("marks.head_settle", "mark"),
            ("bank.seal", "seal"),
        ] {
            assert!(stored.contains(&(action, entity)), "{action} on {entity}");
        }
    }

    #[test]
    fn an_entry_hashes_the_stored_texts() {
        let mut chain = Chain {
            next_id: 1,
            prev_hash: GENESIS.to_string(),
            pending: Vec::new(),
        };
        let at = DateTime::parse_from_rfc3339("2026-06-01T08:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        chain.push(
            at,
            "hr",
            Action::RoundCreate,
            "7".into(),
            serde_json::json!({"a": 1}),
        );
        chain.push(
            at,
            "hr",
            Action::RoundUpdate,
            "7".into(),
            serde_json::json!({}),
        );
        let [first, second] = &chain.pending[..] else {
            panic!("two entries");
        };
        assert_eq!(
            (first.action.as_str(), first.entity.as_str()),
            ("round.create", "round")
        );
        assert_eq!(first.at.timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(first.hash, entry_hash(first));
        assert_eq!(second.prev_hash, first.hash);
        assert_eq!(second.id, 2);
    }
}
