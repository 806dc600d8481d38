//! The demo round (`server demo`): staff accounts, a sample Vietnamese bank of approved items,
//! a seal, a round with two positions, 30 candidates, a round-1 exam and one session starting
//! a few minutes after launch with every paper pre-generated. Idempotent: a second run keeps
//! the data and, if nobody has sat the session yet, moves its start to a few minutes ahead.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use question_bank::assembly::{derive_seed, pool_size, Assembler, PoolItem};
use question_bank::blueprint::Blueprint;
use question_bank::format::{import, Format, ImportLimits};
use question_bank::seal::{seal_root, SealEntry};
use question_bank::{Difficulty, ItemStatus};
use std::fmt::Write;

use crate::audit::{self, Event};
use crate::auth::password::hash_password;
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::SittingStatus;
use crate::rules::{priority_points, RuleSet};
use crate::secrets::random_bytes;
use crate::state::AppState;

/// The session access code is a secret like the others; `services::seating` still calls it
/// from here.
pub use crate::secrets::access_code;

const BANK_CSV: &[u8] = include_bytes!("../demo/bank.csv");
const CANDIDATES_CSV: &str = include_str!("../demo/candidates.csv");
pub const ROUND_CODE: &str = "HP-2026-DEMO";
pub const DEMO_PASSWORD: &str = "thituyen-demo";
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

pub async fn seed(state: &AppState) -> AppResult<String> {
    let now = state.now();
    let mut out = String::new();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;

    // Staff accounts (kept if they exist, so a re-run never resets a changed password).
    let mut ids = Vec::new();
    for (username, full_name, role) in STAFF {
        let user = match repo::users::find_by_username(&txn, username).await? {
            Some(u) => u,
            None => {
                let hash = hash_password(DEMO_PASSWORD)?;
                repo::users::insert(&txn, username, &hash, full_name, &[role], now).await?
            }
        };
        ids.push(user.id);
    }
    let (author_id, reviewer_id) = (ids[1], ids[2]);

    if let Some(round) = repo::round::find_round_by_code(&txn, ROUND_CODE).await? {
        // Already seeded: bring the session forward if nobody has started it.
        for exam in repo::exam::exams_of_round(&txn, round.id).await? {
            for session in repo::exam::sessions_of_exam(&txn, exam.id).await? {
                let untouched = repo::exam::sittings_of_session(&txn, session.id)
                    .await?
                    .iter()
                    .all(|s| s.status == SittingStatus::Waiting);
                if session.starts_at < now && untouched {
                    repo::exam::reschedule_session(
                        &txn,
                        session,
                        now + Duration::minutes(MINUTES_TO_START),
                        i64::from(exam.duration_minutes),
                    )
                    .await?;
                }
            }
        }
        txn.commit().await?;
        writeln!(out, "Demo round {ROUND_CODE} already present.").ok();
        out.push_str(&describe(state).await?);
        return Ok(out);
    }

    // The bank: imported through the same CSV importer exam boards use.
    let items = import(
        Format::Csv,
        "demo/bank.csv",
        BANK_CSV,
        &ImportLimits::default(),
    )?;
    let bank = repo::bank::insert_bank(
        &txn,
        "KTC-DEMO",
        "Ngân hàng câu hỏi Kiến thức chung (mẫu)",
        now,
    )
    .await?;
    let mut stored = Vec::with_capacity(items.len());
    for item in items {
        stored.push(
            repo::bank::insert_item(
                &txn,
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
    let seal = repo::bank::insert_seal(&txn, bank.id, &root, &stored, reviewer_id, now).await?;

    // The round, its positions and candidates.
    let round = repo::round::insert_round(
        &txn,
        ROUND_CODE,
        "Kỳ thi tuyển công chức thành phố Hải Phòng năm 2026 (dữ liệu mẫu)",
        RuleSet::Vn2025.code(),
        now,
    )
    .await?;
    let mut position_ids = Vec::new();
    for (code, name, form, agencies) in POSITIONS {
        let p = repo::round::insert_position(
            &txn,
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
        position_ids.push((
            code,
            p.id,
            agencies.iter().map(|a| a.0.to_string()).collect::<Vec<_>>(),
        ));
    }
    let mut application_ids = Vec::new();
    let mut reader = csv::Reader::from_reader(CANDIDATES_CSV.as_bytes());
    for (i, row) in reader.records().enumerate() {
        let row =
            row.map_err(|e| AppError::Internal(format!("demo/candidates.csv row {}: {e}", i + 2)))?;
        let field = |n: usize| row.get(n).unwrap_or("").trim().to_string();
        let (_, position_id, agencies) = position_ids
            .iter()
            .find(|(code, _, _)| *code == field(4))
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "demo/candidates.csv row {}: unknown position",
                    i + 2
                ))
            })?;
        let groups: Vec<String> = field(5)
            .split('|')
            .filter(|g| !g.is_empty())
            .map(String::from)
            .collect();
        let points = priority_points(RuleSet::Vn2025, &groups, &[] as &[&str], now.date_naive())
            .map_err(|e| AppError::Internal(format!("demo/candidates.csv row {}: {e}", i + 2)))?;
        let app = repo::round::insert_application(
            &txn,
            repo::round::NewApplication {
                round_id: round.id,
                position_id: *position_id,
                full_name: field(0),
                date_of_birth: NaiveDate::parse_from_str(&field(1), "%Y-%m-%d").map_err(|e| {
                    AppError::Internal(format!("demo/candidates.csv row {}: {e}", i + 2))
                })?,
                gender: field(2),
                national_id: field(3),
                agency_preferences: agencies.clone(),
                priority_groups: groups,
                priority_points: format!("{:.2}", points),
                eligible: Some(true),
            },
            now,
        )
        .await?;
        application_ids.push(app.id);
    }

    // Round 1 (VN-1): 60 questions in 60 minutes, 4 per topic × difficulty cell, pass at 50 %.
    let topics: Vec<String> = {
        let mut t: Vec<String> = stored.iter().map(|s| s.item.topic.clone()).collect();
        t.sort();
        t.dedup();
        t
    };
    let cells: Vec<serde_json::Value> = topics
        .iter()
        .flat_map(|topic| {
            Difficulty::ALL.map(|d| serde_json::json!({"seal_id": seal.id, "topic": topic, "difficulty": d.level(), "count": 4}))
        })
        .collect();
    let blueprint: Blueprint = serde_json::from_value(serde_json::json!({
        "sections": [{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": cells}]
    }))
    .map_err(|e| AppError::Internal(format!("demo blueprint: {e}")))?;
    let pool: Vec<PoolItem> = stored
        .iter()
        .map(|s| PoolItem::new(seal.id, s.item_id, s.version_id, s.item.clone()))
        .collect();
    blueprint.validate()?;
    blueprint.check_pool(|seal_id, topic, d| pool_size(&pool, seal_id, topic, d))?;
    let exam = repo::exam::insert_exam(
        &txn,
        repo::exam::NewExam {
            round_id: round.id,
            code: "V1-KTC",
            name: "Vòng 1 – Kiến thức chung",
            stage: "round1",
            duration_minutes: DURATION_MINUTES,
            blueprint_json: serde_json::to_string(&blueprint)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        },
        now,
    )
    .await?;

    // One session a few minutes ahead, every paper built now (nothing to compute at Start).
    let starts_at = now + Duration::minutes(MINUTES_TO_START);
    let secret = random_bytes();
    let session = repo::exam::insert_session(
        &txn,
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
    let assembler = Assembler::new(&blueprint, &pool)?;
    for (i, application_id) in application_ids.iter().enumerate() {
        let ticket_no = format!("HP26-{:04}", i + 1);
        let paper = assembler.for_ticket(&secret, &ticket_no)?;
        repo::exam::insert_sitting(
            &txn,
            repo::exam::NewSitting {
                session_id: session.id,
                application_id: *application_id,
                ticket_no: ticket_no.clone(),
                seat: i as i32 + 1,
                seed_hex: hex::encode(derive_seed(&secret, &ticket_no)),
                paper: Some(paper),
                ends_at: starts_at + Duration::minutes(i64::from(DURATION_MINUTES)),
            },
            now,
        )
        .await?;
    }

    audit::append(
        &txn,
        now,
        Event {
            actor: "system:demo",
            action: "demo.seed",
            entity: "round",
            entity_id: round.id.to_string(),
            details: serde_json::json!({
                "round": ROUND_CODE, "bank_items": stored.len(), "seal_sha256": root,
                "candidates": application_ids.len(), "session": session.id,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    writeln!(
        out,
        "Seeded demo round {ROUND_CODE}: {} approved items sealed as {root}.",
        stored.len()
    )
    .ok();
    out.push_str(&describe(state).await?);
    Ok(out)
}

/// What a newcomer needs on screen: accounts, the session and how to sit it.
async fn describe(state: &AppState) -> AppResult<String> {
    let mut out = String::new();
    writeln!(out, "\nStaff accounts (password for all: {DEMO_PASSWORD}):").ok();
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
                    session.code, exam.name, session.room, vietnam_time(session.starts_at), exam.duration_minutes, sittings.len(), session.access_code
                )
                .ok();
                let tickets: Vec<&str> = sittings
                    .iter()
                    .take(5)
                    .map(|s| s.ticket_no.as_str())
                    .collect();
                writeln!(
                    out,
                    "  Ticket numbers (số báo danh): {} … (seats 1–{})",
                    tickets.join(", "),
                    sittings.len()
                )
                .ok();
            }
        }
    }
    Ok(out)
}

fn vietnam_time(t: DateTime<Utc>) -> String {
    match chrono::FixedOffset::east_opt(7 * 3600) {
        Some(tz) => t
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M (UTC+7)")
            .to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
