//! The demo round (`server demo`): staff accounts, a sample Vietnamese bank of approved items,
//! a seal, a round with two positions, 30 candidates, a round-1 exam and one session starting
//! a few minutes after launch with every paper pre-generated. Idempotent: a second run keeps
//! the data and, if nobody has sat the session yet, moves its start to a few minutes ahead.

use chrono::{DateTime, Duration, Utc};
use question_bank::assembly::{derive_seed, pool_size, Assembler, PoolItem};
use question_bank::blueprint::Blueprint;
use question_bank::format::{import, Format, ImportLimits};
use question_bank::seal::{seal_root, SealEntry};
use question_bank::{Difficulty, ItemStatus};
use sea_orm::ConnectionTrait;
use std::fmt::Write;

use crate::audit::{Action, Audited};
use crate::auth::password::hash_password;
use crate::auth::Role;
use crate::entities::{exams, rounds, seals, sessions};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::bank::StoredItem;
use crate::rules::sitting::SittingStatus;
use crate::rules::{priority_points, two_places, RuleSet};
use crate::secrets::random_bytes;
use crate::services::fields::parse_date;
use crate::state::AppState;
use crate::vietnam_time::vietnam_time_short;

/// The session access code is a secret like the others; `services::seating` still calls it
/// from here.
use crate::secrets::access_code;

const BANK_CSV: &[u8] = include_bytes!("../demo/bank.csv");
const CANDIDATES_CSV: &str = include_str!("../demo/candidates.csv");
pub const ROUND_CODE: &str = "HP-2026-DEMO";
/// Known to everyone who reads the README: for a demonstration database only.
pub const DEMO_PASSWORD: &str = "thituyen-demo";
const BANK_CODE: &str = "KTC-DEMO";
const MINUTES_TO_START: i64 = 5;
const DURATION_MINUTES: i32 = 60;

pub const STAFF: [(&str, &str, Role); 7] = [
    ("quantri", "Quản trị hệ thống", Role::Admin),
    ("tacgia", "Nguyễn Văn Soạn (Ban đề thi)", Role::Author),
    ("phanbien", "Trần Thị Duyệt (Ban đề thi)", Role::Reviewer),
    ("tochuc", "Phòng Tổ chức cán bộ", Role::Hr),
    ("giamthi", "Lê Văn Coi (Ban coi thi)", Role::Supervisor),
    ("chamthi", "Phạm Thị Chấm (Ban chấm thi)", Role::Marker),
    ("chutich", "Chủ tịch Hội đồng tuyển dụng", Role::Chair),
];

/// Positions of the demo round: (code, name, round-2 form, agencies (code, name, quota)).
type DemoPosition = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, i32)],
);
const POSITIONS: [DemoPosition; 2] = [
    (
        "CV-TCKT",
        "Chuyên viên tài chính – kế toán",
        "written_interview",
        &[("STC", "Sở Tài chính", 2), ("SXD", "Sở Xây dựng", 1)],
    ),
    (
        "CV-VP",
        "Chuyên viên hành chính – văn phòng",
        "written",
        &[("VP-UBND", "Văn phòng UBND thành phố", 2)],
    ),
];

/// Seeds the demo round. Refused (409) when the database holds staff accounts, rounds or
/// banks the demo did not create, unless `force`: the demo accounts share one published
/// password, and planting them in a real database would open it to anyone.
pub async fn seed(state: &AppState, force: bool) -> AppResult<String> {
    let mut out = String::new();
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    if !force {
        let foreign = foreign_data(txn).await?;
        if !foreign.is_empty() {
            return Err(AppError::Conflict(format!(
                "this database holds data the demo did not create ({}); `server demo` seeds \
                 accounts with a published password and is meant for an empty database. Use a \
                 fresh --data-dir or DATABASE_URL, or pass --force to seed it anyway",
                foreign.join("; ")
            )));
        }
    }

    let ids = staff_accounts(txn, now).await?;
    let (author_id, reviewer_id) = (ids[1], ids[2]);
    if let Some(round) = repo::round::find_round_by_code(txn, ROUND_CODE).await? {
        bring_sessions_forward(txn, &round, now).await?;
        w.commit().await?;
        writeln!(out, "Demo round {ROUND_CODE} already present.").ok();
        out.push_str(&describe(state).await?);
        return Ok(out);
    }

    let bank = sealed_bank(txn, author_id, reviewer_id, now).await?;
    let (round, application_ids) = round_with_candidates(txn, now).await?;
    let (exam, blueprint, pool) = round1_exam(txn, round.id, &bank, now).await?;
    let session =
        session_with_papers(state, txn, &exam, &blueprint, &pool, &application_ids, now).await?;

    w.record(
        "system:demo",
        Action::DemoSeed,
        round.id,
        serde_json::json!({
            "round": ROUND_CODE, "bank_items": bank.items.len(), "seal_sha256": bank.root,
            "candidates": application_ids.len(), "session": session.id,
        }),
    );
    w.commit().await?;
    writeln!(
        out,
        "Seeded demo round {ROUND_CODE}: {} approved items sealed as {}.",
        bank.items.len(),
        bank.root
    )
    .ok();
    out.push_str(&describe(state).await?);
    Ok(out)
}

/// What the database holds that the demo did not create: other staff accounts, rounds and
/// banks (a few names of each).
async fn foreign_data<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<String>> {
    use crate::entities::{banks, users};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let demo_users: Vec<&str> = STAFF.iter().map(|(u, _, _)| *u).collect();
    let users: Vec<String> = users::Entity::find()
        .filter(users::Column::Username.is_not_in(demo_users))
        .select_only()
        .column(users::Column::Username)
        .limit(5)
        .into_tuple()
        .all(conn)
        .await?;
    let rounds: Vec<String> = rounds::Entity::find()
        .filter(rounds::Column::Code.ne(ROUND_CODE))
        .select_only()
        .column(rounds::Column::Code)
        .limit(5)
        .into_tuple()
        .all(conn)
        .await?;
    let banks: Vec<String> = banks::Entity::find()
        .filter(banks::Column::Code.ne(BANK_CODE))
        .select_only()
        .column(banks::Column::Code)
        .limit(5)
        .into_tuple()
        .all(conn)
        .await?;
    let mut found = Vec::new();
    for (what, names) in [("accounts", users), ("rounds", rounds), ("banks", banks)] {
        if !names.is_empty() {
            found.push(format!("{what}: {}", names.join(", ")));
        }
    }
    Ok(found)
}

/// The staff accounts, in the order of [`STAFF`] (kept if they exist, so a re-run never resets
/// a changed password).
async fn staff_accounts<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> AppResult<Vec<i32>> {
    let mut ids = Vec::new();
    for (username, full_name, role) in STAFF {
        let user = match repo::users::find_by_username(conn, username).await? {
            Some(u) => u,
            None => {
                let hash = hash_password(DEMO_PASSWORD)?;
                repo::users::insert(conn, username, &hash, full_name, &[role], now).await?
            }
        };
        ids.push(user.id);
    }
    Ok(ids)
}

/// Already seeded: brings each session nobody has started a few minutes ahead.
async fn bring_sessions_forward<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for exam in repo::exam::exams_of_round(conn, round.id).await? {
        for session in repo::exam::sessions_of_exam(conn, exam.id).await? {
            let untouched = repo::exam::sittings_of_session(conn, session.id)
                .await?
                .iter()
                .all(|s| s.status == SittingStatus::Waiting);
            if session.starts_at < now && untouched {
                repo::exam::reschedule_session(
                    conn,
                    session,
                    now + Duration::minutes(MINUTES_TO_START),
                    i64::from(exam.duration_minutes),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The demo bank, approved and sealed.
struct SealedBank {
    items: Vec<StoredItem>,
    seal: seals::Model,
    root: String,
}

/// The bank, imported through the same CSV importer exam boards use, approved and sealed.
async fn sealed_bank<C: ConnectionTrait>(
    conn: &C,
    author_id: i32,
    reviewer_id: i32,
    now: DateTime<Utc>,
) -> AppResult<SealedBank> {
    let items = import(
        Format::Csv,
        "demo/bank.csv",
        BANK_CSV,
        &ImportLimits::default(),
    )?;
    let bank = repo::bank::insert_bank(
        conn,
        BANK_CODE,
        "Ngân hàng câu hỏi Kiến thức chung (mẫu)",
        now,
    )
    .await?;
    let mut stored = Vec::with_capacity(items.len());
    for item in items {
        stored.push(
            repo::bank::insert_item(
                conn,
                bank.id,
                item,
                ItemStatus::Approved,
                author_id,
                Some(reviewer_id),
                now,
            )
            .await?,
        );
    }
    let entries: Vec<SealEntry> = stored
        .iter()
        .map(|s| SealEntry::new(s.item_id, s.version, &s.item))
        .collect();
    let root = seal_root(&entries);
    let seal = repo::bank::insert_seal(conn, bank.id, &root, &stored, reviewer_id, now).await?;
    Ok(SealedBank {
        items: stored,
        seal,
        root,
    })
}

/// The round, its positions, and the candidates of `demo/candidates.csv`, all eligible.
async fn round_with_candidates<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> AppResult<(rounds::Model, Vec<i32>)> {
    let round = repo::round::insert_round(
        conn,
        ROUND_CODE,
        "Kỳ thi tuyển công chức thành phố Hải Phòng năm 2026 (dữ liệu mẫu)",
        RuleSet::Vn2025.code(),
        now,
    )
    .await?;
    let mut positions = Vec::new();
    for (code, name, form, agencies) in POSITIONS {
        let p = repo::round::insert_position(
            conn,
            round.id,
            &repo::round::NewPosition {
                code,
                name,
                grade: "chuyen_vien",
                round2_form: form,
                agencies,
            },
        )
        .await?;
        let agency_codes = agencies.iter().map(|a| a.0.to_string()).collect();
        positions.push((code, p.id, agency_codes));
    }
    let mut application_ids = Vec::new();
    let mut reader = csv::Reader::from_reader(CANDIDATES_CSV.as_bytes());
    for (i, row) in reader.records().enumerate() {
        let at = |e: &dyn std::fmt::Display| {
            AppError::internal(format!("demo/candidates.csv row {}: {e}", i + 2))
        };
        let row = row.map_err(|e| at(&e))?;
        let new = candidate(&row, &positions, round.id, now).map_err(|e| at(&e))?;
        application_ids.push(repo::round::insert_application(conn, new, now).await?.id);
    }
    Ok((round, application_ids))
}

/// A position of the demo round: (code, id, agency codes in plan order).
type SeededPosition = (&'static str, i32, Vec<String>);

/// The application of one row of `demo/candidates.csv`: name, date of birth, gender, national
/// id, position code, priority groups separated by `|`.
fn candidate(
    row: &csv::StringRecord,
    positions: &[SeededPosition],
    round_id: i32,
    now: DateTime<Utc>,
) -> Result<repo::round::NewApplication, String> {
    let field = |n: usize| row.get(n).unwrap_or("").trim().to_string();
    let (_, position_id, agencies) = positions
        .iter()
        .find(|(code, _, _)| *code == field(4))
        .ok_or("unknown position")?;
    let groups: Vec<String> = field(5)
        .split('|')
        .filter(|g| !g.is_empty())
        .map(String::from)
        .collect();
    let points = priority_points(RuleSet::Vn2025, &groups, &[] as &[&str], now.date_naive())
        .map_err(|e| e.to_string())?;
    Ok(repo::round::NewApplication {
        round_id,
        position_id: *position_id,
        full_name: field(0),
        date_of_birth: parse_date(&field(1))
            .ok_or_else(|| format!("'{}' is not a date", field(1)))?,
        gender: field(2),
        national_id: field(3),
        agency_preferences: agencies.clone(),
        priority_groups: groups,
        priority_points: two_places(points),
        eligible: Some(true),
    })
}

/// Round 1 (VN-1): 60 questions in 60 minutes, 4 per topic × difficulty cell, pass at 50 %.
async fn round1_exam<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    bank: &SealedBank,
    now: DateTime<Utc>,
) -> AppResult<(exams::Model, Blueprint, Vec<PoolItem>)> {
    let seal_id = bank.seal.id;
    let mut topics: Vec<String> = bank.items.iter().map(|s| s.item.topic.clone()).collect();
    topics.sort();
    topics.dedup();
    let cells: Vec<serde_json::Value> = topics
        .iter()
        .flat_map(|topic| {
            Difficulty::ALL.map(|d| serde_json::json!({"seal_id": seal_id, "topic": topic, "difficulty": d.level(), "count": 4}))
        })
        .collect();
    let blueprint: Blueprint = serde_json::from_value(serde_json::json!({
        "sections": [{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": cells}]
    }))
    .map_err(|e| AppError::internal_from("demo blueprint", e))?;
    let pool: Vec<PoolItem> = bank
        .items
        .iter()
        .map(|s| PoolItem::new(seal_id, s.item_id, s.version_id, s.item.clone()))
        .collect();
    blueprint.validate()?;
    blueprint.check_pool(|seal_id, topic, d| pool_size(&pool, seal_id, topic, d))?;
    let exam = repo::exam::insert_exam(
        conn,
        repo::exam::NewExam {
            round_id,
            code: "V1-KTC",
            name: "Vòng 1 – Kiến thức chung",
            stage: "round1",
            duration_minutes: DURATION_MINUTES,
            blueprint_json: serde_json::to_string(&blueprint)
                .map_err(|e| AppError::internal(e.to_string()))?,
        },
        now,
    )
    .await?;
    Ok((exam, blueprint, pool))
}

/// One session a few minutes ahead, every paper built now (nothing to compute at Start).
async fn session_with_papers<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    exam: &exams::Model,
    blueprint: &Blueprint,
    pool: &[PoolItem],
    application_ids: &[i32],
    now: DateTime<Utc>,
) -> AppResult<sessions::Model> {
    let starts_at = now + Duration::minutes(MINUTES_TO_START);
    let secret = random_bytes();
    let session = repo::exam::insert_session(
        conn,
        repo::exam::NewSession {
            exam_id: exam.id,
            code: "CA-01",
            room: "Phòng máy 01 – Trung tâm sát hạch",
            starts_at,
            access_code: access_code(),
            secret_hex: hex::encode(secret),
            seats: None,
        },
        now,
    )
    .await?;
    let assembler = Assembler::new(blueprint, pool)?;
    for (i, application_id) in application_ids.iter().enumerate() {
        let ticket_no = format!("HP26-{:04}", i + 1);
        let paper = assembler.for_ticket(&secret, &ticket_no)?;
        repo::exam::insert_sitting(
            conn,
            repo::exam::NewSitting {
                session_id: session.id,
                application_id: *application_id,
                ticket_no: ticket_no.clone(),
                seat: i as i32 + 1,
                seed_hex: hex::encode(derive_seed(&secret, &ticket_no)),
                pin_hash: state.issue_pin(&ticket_no).1,
                paper: Some(paper),
                ends_at: starts_at + Duration::minutes(i64::from(DURATION_MINUTES)),
            },
            now,
        )
        .await?;
    }
    Ok(session)
}

/// What a newcomer needs on screen: accounts, the session and how to sit it.
async fn describe(state: &AppState) -> AppResult<String> {
    let mut out = String::new();
    writeln!(
        out,
        "\nStaff accounts (DEMO ONLY: the password for all is {DEMO_PASSWORD}, published in the \
         README; never use this database for a real round):"
    )
    .ok();
    for (username, full_name, role) in STAFF {
        writeln!(out, "  {username:<10} {:<11} {full_name}", role.code()).ok();
    }
    if let Some(round) = repo::round::find_round_by_code(&state.db, ROUND_CODE).await? {
        for exam in repo::exam::exams_of_round(&state.db, round.id).await? {
            for session in repo::exam::sessions_of_exam(&state.db, exam.id).await? {
                let sittings = repo::exam::sittings_of_session(&state.db, session.id).await?;
                writeln!(
                    out,
                    "\nSession {} ({}), {}: starts {}, {} min, {} candidates.\n  Session access code (mã ca thi): {}",
                    session.code, exam.name, session.room, vietnam_time_short(session.starts_at), exam.duration_minutes, sittings.len(), session.access_code
                )
                .ok();
                let tickets: Vec<String> = sittings
                    .iter()
                    .take(5)
                    .map(|s| format!("{} PIN {}", s.ticket_no, state.issue_pin(&s.ticket_no).0))
                    .collect();
                writeln!(
                    out,
                    "  Ticket numbers (số báo danh) and PINs: {} … (seats 1–{})\n  \
                     Every candidate's PIN is on their admission ticket: sign in as HR and open \
                     /api/v1/sessions/{}/admission-tickets",
                    tickets.join(", "),
                    sittings.len(),
                    session.id
                )
                .ok();
            }
        }
    }
    Ok(out)
}
