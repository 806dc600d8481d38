//! `server bench offline`: the offline-throughput benchmark of issue 8, item 3. Not a test and
//! not part of serving: it seeds a recruitment round of N candidates on the configured
//! database, pre-generating their papers through the real service, then times grading every
//! sitting again from the database after a correction (VN-24) and ranking every position.
//!
//! The data are drawn from a fixed seed, so two runs (SQLite and PostgreSQL) hold the same
//! candidates, papers and answers; the printed ranking digest must then be equal.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use question_bank::assembly::{derive_seed, pool_size, rng_from_seed, PaperRng};
use question_bank::blueprint::{Cell, PassRule, Section};
use question_bank::paper::{answer_key, Paper};
use question_bank::{Difficulty, ItemKind};
use rand::Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::entities::{agencies, answers, applications, positions, rounds, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::SittingStatus;
use crate::services;
use crate::services::sitting::dto::SubmitResult;
use crate::services::sitting::grade::{exam_marking, grade_loaded};
use crate::services::sitting::papers::paper_of;
use crate::state::AppState;

const ACTOR: &str = "bench";
const TOPIC: &str = "Kiến thức chung";
/// Candidates per position (its quota is a tenth of that).
const PER_POSITION: usize = 1_000;
const SESSION_SIZE: usize = 999;

/// Options of `server bench offline`.
#[derive(Debug, Clone)]
pub struct OfflineOptions {
    pub candidates: usize,
    /// Papers timed separately through the real pre-generation service.
    pub papers: usize,
    /// Time again on a database this benchmark already seeded, instead of seeding.
    pub again: bool,
}

/// Seeds, then measures; returns the report to print.
pub async fn offline(state: &AppState, o: &OfflineOptions) -> AppResult<String> {
    let mut out = String::new();
    let backend = if state.config.is_sqlite() {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    writeln!(
        out,
        "offline benchmark: {} candidates, {backend}",
        o.candidates
    )
    .ok();
    if o.again {
        let (round_id, exam_id, session_id) = seeded(state).await?;
        writeln!(out, "again on round {round_id}, exam {exam_id}").ok();
        // Back to the results before the correction, untimed, so the timed run does the same
        // work as the first one.
        withdraw_voids(state, exam_id).await?;
        services::grading::regrade_exam(state, ACTOR, exam_id).await?;
        measure(state, &mut out, round_id, exam_id, session_id).await?;
        return Ok(out);
    }
    let seal_id = demo_seal(state).await?;
    let mut rng = rng_from_seed([42; 32]);

    let t = Instant::now();
    let (round_id, application_ids) = seed_round(state, o.candidates, &mut rng).await?;
    let exam_id = create_exam(state, round_id, seal_id).await?;
    let mut session_ids = Vec::new();
    for (k, chunk) in application_ids.chunks(SESSION_SIZE).enumerate() {
        let view = services::exam::create_session(
            state,
            ACTOR,
            exam_id,
            services::exam::NewSession {
                code: format!("BENCH-{k:03}"),
                room: format!("P{k:03}"),
                starts_at: state.now() + chrono::Duration::days(1),
                application_ids: chunk.to_vec(),
                require_pin: false,
            },
        )
        .await?;
        fixed_secret(state, view.id, k).await?;
        session_ids.push((view.id, view.tickets.len()));
    }
    writeln!(
        out,
        "seed: round, {} applications, {} sessions: {}",
        application_ids.len(),
        session_ids.len(),
        secs(t.elapsed())
    )
    .ok();

    // Paper pre-generation through the service the API calls (`POST /sessions/{id}/papers`).
    let t = Instant::now();
    let mut timed_papers = 0;
    let mut timed_for = Duration::ZERO;
    for (id, size) in &session_ids {
        services::exam::generate_papers(state, ACTOR, *id).await?;
        if timed_papers < o.papers {
            timed_papers += size;
            timed_for = t.elapsed();
        }
    }
    writeln!(
        out,
        "paper pre-generation: {timed_papers} papers in {} ({:.0} papers/s); all {} in {}",
        secs(timed_for),
        timed_papers as f64 / timed_for.as_secs_f64().max(1e-9),
        application_ids.len(),
        secs(t.elapsed())
    )
    .ok();

    let t = Instant::now();
    let mut answer_count = 0;
    for (id, _) in &session_ids {
        answer_count += sit_session(state, *id, &mut rng).await?;
    }
    writeln!(
        out,
        "seed: {answer_count} answers saved and graded at hand-in: {}",
        secs(t.elapsed())
    )
    .ok();

    // Fresh statistics after a bulk load, as an operator would after an import.
    state.db.execute_unprepared("ANALYZE").await?;

    measure(state, &mut out, round_id, exam_id, session_ids[0].0).await?;
    Ok(out)
}

/// The timed part: the board voids one question (VN-24); everyone is graded again and ranked.
async fn measure(
    state: &AppState,
    out: &mut String,
    round_id: i32,
    exam_id: i32,
    first_session_id: i32,
) -> AppResult<()> {
    void_one_item(state, exam_id, first_session_id).await?;
    let t = Instant::now();
    let regrade = services::grading::regrade_exam(state, ACTOR, exam_id).await?;
    let regraded_in = t.elapsed();
    let t = Instant::now();
    let rankings = services::results::rank_round(state, round_id).await?;
    let ranked_in = t.elapsed();
    let ranked: usize = rankings.iter().map(|(_, r)| r.entries.len()).sum();
    let winners: usize = rankings.iter().map(|(_, r)| r.winners().count()).sum();
    writeln!(
        out,
        "regrade from the database: {} sittings, {} answers, {} results changed: read and grade {}, second pass {}, write {}, total {}",
        regrade.sittings,
        regrade.answers,
        regrade.changed,
        secs(regrade.read_and_grade),
        secs(regrade.second_pass),
        secs(regrade.write),
        secs(regraded_in)
    )
    .ok();
    writeln!(
        out,
        "ranking from the database: {} positions, {ranked} candidates, {winners} winners: {}",
        rankings.len(),
        secs(ranked_in)
    )
    .ok();
    writeln!(
        out,
        "grading and ranking: {}",
        secs(regraded_in + ranked_in)
    )
    .ok();
    writeln!(out, "ranking digest: {}", digest(&rankings)).ok();
    Ok(())
}

/// The newest round this benchmark seeded: (round, its exam, the exam's first session).
async fn seeded(state: &AppState) -> AppResult<(i32, i32, i32)> {
    let none = || AppError::NotFound("no round seeded by `bench offline` here".into());
    let round = rounds::Entity::find()
        .filter(rounds::Column::Code.starts_with("BENCH-"))
        .order_by_desc(rounds::Column::Id)
        .one(&state.db)
        .await?
        .ok_or_else(none)?;
    let exam = crate::entities::exams::Entity::find()
        .filter(crate::entities::exams::Column::RoundId.eq(round.id))
        .one(&state.db)
        .await?
        .ok_or_else(none)?;
    let session = sessions::Entity::find()
        .filter(sessions::Column::ExamId.eq(exam.id))
        .order_by_asc(sessions::Column::Id)
        .one(&state.db)
        .await?
        .ok_or_else(none)?;
    Ok((round.id, exam.id, session.id))
}

async fn withdraw_voids(state: &AppState, exam_id: i32) -> AppResult<()> {
    crate::entities::voided_items::Entity::delete_many()
        .filter(crate::entities::voided_items::Column::ExamId.eq(exam_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Replaces the random secret of bench session `k` by one derived from `k` (and each seat's
/// paper seed with it), so the SQLite and PostgreSQL runs draw the same papers.
async fn fixed_secret(state: &AppState, session_id: i32, k: usize) -> AppResult<()> {
    let secret: [u8; 32] = Sha256::digest(format!("thituyen bench session {k}")).into();
    let txn = state.db.begin().await?;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::Secret, hex::encode(secret).into())
        .filter(sessions::Column::Id.eq(session_id))
        .exec(&txn)
        .await?;
    for s in repo::exam::sittings_of_session(&txn, session_id).await? {
        let seed = hex::encode(derive_seed(&secret, &s.ticket_no));
        sittings::Entity::update_many()
            .col_expr(sittings::Column::Seed, seed.into())
            .filter(sittings::Column::Id.eq(s.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The demo seal (seeding the demo if needed): it has 20 items of each difficulty.
async fn demo_seal(state: &AppState) -> AppResult<i32> {
    crate::demo::seed(state, true).await?;
    let seal = crate::entities::seals::Entity::find()
        .order_by_asc(crate::entities::seals::Column::Id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("the demo has no seal"))?;
    Ok(seal.id)
}

/// A round of `n / 1000` positions, each with one agency and a quota of 100, and `n`
/// eligible applications with priority points spread over 0, 2.5 and 5.
async fn seed_round(state: &AppState, n: usize, rng: &mut PaperRng) -> AppResult<(i32, Vec<i32>)> {
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let round = rounds::Entity::insert(rounds::ActiveModel {
        code: Set(format!("BENCH-{}", now.timestamp())),
        name: Set("Kỳ tuyển dụng đo hiệu năng".into()),
        rule_set: Set("vn-2025".into()),
        one_application_per_candidate: Set(true),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let positions = n.div_ceil(PER_POSITION);
    let mut position_ids = Vec::with_capacity(positions);
    for p in 0..positions {
        let id = positions::Entity::insert(positions::ActiveModel {
            round_id: Set(round),
            code: Set(format!("VT-{p:03}")),
            name: Set(format!("Vị trí {p}")),
            grade: Set("chuyen_vien".into()),
            round2_form: Set("written_cbt".into()),
            quota: Set((PER_POSITION / 10) as i32),
            ..Default::default()
        })
        .exec(&txn)
        .await?
        .last_insert_id;
        agencies::Entity::insert(agencies::ActiveModel {
            position_id: Set(id),
            code: Set(format!("CQ-{p:03}")),
            name: Set(format!("Cơ quan {p}")),
            quota: Set((PER_POSITION / 10) as i32),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        position_ids.push(id);
    }
    let birth =
        chrono::NaiveDate::from_ymd_opt(1995, 1, 1).ok_or_else(|| AppError::internal("date"))?;
    let mut batch = Vec::new();
    for i in 0..n {
        let points = ["0.00", "0.00", "0.00", "2.50", "5.00"][below(rng, 5)];
        let name = format!("Thí sinh {i:06}");
        batch.push(applications::ActiveModel {
            round_id: Set(round),
            position_id: Set(position_ids[i / PER_POSITION]),
            search_key: Set(question_bank::text::fold(&name)),
            full_name: Set(name),
            date_of_birth: Set(birth),
            gender: Set(if i % 2 == 0 { "nam" } else { "nu" }.into()),
            national_id: Set(format!("031{i:09}")),
            agency_preferences: Set("[]".into()),
            priority_groups: Set("[]".into()),
            unproven_groups: Set("[]".into()),
            exemptions: Set("[]".into()),
            priority_points: Set(points.into()),
            eligible: Set(Some(true)),
            created_at: Set(now),
            ..Default::default()
        });
        if batch.len() == 1_000 {
            applications::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&txn)
                .await?;
        }
    }
    if !batch.is_empty() {
        applications::Entity::insert_many(batch).exec(&txn).await?;
    }
    let ids: Vec<i32> = applications::Entity::find()
        .select_only()
        .column(applications::Column::Id)
        .filter(applications::Column::RoundId.eq(round))
        .order_by_asc(applications::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok((round, ids))
}

/// A round-2 computer test of 60 questions, 20 of each difficulty, pass at 50 %.
async fn create_exam(state: &AppState, round_id: i32, seal_id: i32) -> AppResult<i32> {
    let pool = repo::exam::load_pool(&state.db, &[seal_id]).await?;
    let mut cells = Vec::new();
    for level in 1..=3 {
        let difficulty = Difficulty::new(level).map_err(|e| AppError::internal(e.to_string()))?;
        let available = pool_size(&pool, seal_id, TOPIC, difficulty);
        cells.push(Cell {
            seal_id,
            topic: TOPIC.into(),
            difficulty,
            count: u32::try_from(available.min(20)).unwrap_or(20),
            points: None,
        });
    }
    let view = services::exam::create_exam(
        state,
        ACTOR,
        round_id,
        services::exam::NewExam {
            code: format!("BENCH-{}", Utc::now().timestamp()),
            name: "Thi môn nghiệp vụ chuyên ngành trên máy vi tính".into(),
            stage: "round2_cbt".into(),
            duration_minutes: 60,
            sections: vec![Section {
                code: "NV".into(),
                name: "Nghiệp vụ chuyên ngành".into(),
                duration_minutes: None,
                pass_rule: PassRule::default(),
                cells,
            }],
        },
    )
    .await?;
    Ok(view.id)
}

/// Every candidate of the session answers every question (right with a probability that is
/// their own ability) and hands in; their answers and graded results are stored.
async fn sit_session(state: &AppState, session_id: i32, rng: &mut PaperRng) -> AppResult<usize> {
    let sittings = repo::exam::sittings_of_session(&state.db, session_id).await?;
    let exam_id = repo::exam::find_session(&state.db, session_id)
        .await?
        .map(|s| s.exam_id)
        .ok_or_else(|| AppError::internal(format!("no session {session_id}")))?;
    let exam = repo::exam::find_exam(&state.db, exam_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("no exam {exam_id}")))?;
    let blueprint = services::exam::blueprint_of(&exam)?;
    let marking = exam_marking(&state.db, exam_id).await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut results = Vec::new();
    for s in &sittings {
        let paper: Paper = paper_of(&state.db, s).await?;
        let items = state
            .items
            .get_many(&state.db, paper.items().map(|i| i.version_id).collect())
            .await?;
        let ability = 0.35 + 0.6 * (below(rng, 1_000) as f64 / 1_000.0);
        let mut stored = Vec::new();
        for pi in paper.items() {
            let item = items
                .get(&pi.version_id)
                .ok_or_else(|| AppError::internal(format!("version {}", pi.version_id)))?;
            let key = answer_key(pi, item)?;
            let right = (below(rng, 1_000) as f64) < ability * 1_000.0;
            let (choices, text) = match key.kind {
                ItemKind::FillBlank => {
                    let text = if right {
                        key.accepted.first().cloned().unwrap_or_default()
                    } else {
                        "không biết".to_string()
                    };
                    (Vec::new(), Some(text))
                }
                _ if right => (key.correct_letters(), None),
                _ => {
                    let wrong: Vec<char> = key
                        .options
                        .iter()
                        .filter(|(_, c)| !c)
                        .map(|(l, _)| *l)
                        .collect();
                    let pick = wrong.get(below(rng, wrong.len().max(1))).copied();
                    (pick.into_iter().collect(), None)
                }
            };
            let choices: Vec<String> = choices.iter().map(char::to_string).collect();
            stored.push(answers::Model {
                id: 0,
                sitting_id: s.id,
                item_no: pi.no as i32,
                choices: serde_json::to_string(&choices)
                    .map_err(|e| AppError::internal(e.to_string()))?,
                text,
                seq: 1,
                saved_at: now,
            });
        }
        let graded = grade_loaded(s, &paper, &blueprint, &items, &marking, &stored)?;
        let submitted = SubmitResult {
            sections: graded.result.sections,
            passed: graded.result.passed,
            receipt_sha256: graded.receipt,
            submitted_at: now,
            closed_by: "candidate".into(),
        };
        results.push(repo::sitting::FinishRow {
            sitting_id: s.id,
            status: SittingStatus::Submitted,
            result: serde_json::to_string(&submitted)
                .map_err(|e| AppError::internal(e.to_string()))?,
            sheet: graded.sheet,
        });
        rows.extend(stored);
    }
    let count = rows.len();
    let txn = state.db.begin().await?;
    for chunk in rows.chunks(4_000) {
        answers::Entity::insert_many(chunk.iter().map(|a| answers::ActiveModel {
            sitting_id: Set(a.sitting_id),
            item_no: Set(a.item_no),
            choices: Set(a.choices.clone()),
            text: Set(a.text.clone()),
            seq: Set(a.seq),
            saved_at: Set(a.saved_at),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    sittings::Entity::update_many()
        .col_expr(sittings::Column::FirstLoginAt, Some(now).into())
        .col_expr(sittings::Column::LoginCount, 1.into())
        .filter(sittings::Column::SessionId.eq(session_id))
        .exec(&txn)
        .await?;
    repo::sitting::finish_rows(&txn, &results, now).await?;
    txn.commit().await?;
    Ok(count)
}

/// Voids the first question of the exam's pool (VN-24), as the council would record it.
async fn void_one_item(state: &AppState, exam_id: i32, session_id: i32) -> AppResult<()> {
    let sitting = repo::exam::sittings_of_session(&state.db, session_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("no sitting"))?;
    let paper: Paper = paper_of(&state.db, &sitting).await?;
    let first = paper
        .items()
        .next()
        .ok_or_else(|| AppError::internal("empty paper"))?;
    repo::exam::insert_voided_item(
        &state.db,
        repo::exam::VoidRecord {
            exam_id,
            item_id: first.item_id,
            version_ids: format!("[{}]", first.version_id),
            accepted_options: None,
            reason: "Câu hỏi có hai đáp án đúng (đo hiệu năng)",
            voided_by: ACTOR,
        },
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// SHA-256 over every ranking line (position, candidate, rank, total, outcome): equal on two
/// backends exactly when the rankings are.
fn digest(rankings: &[(String, crate::rules::Ranking)]) -> String {
    let mut h = Sha256::new();
    for (code, ranking) in rankings {
        for e in &ranking.entries {
            h.update(format!(
                "{code}|{}|{:?}|{:?}|{:?}\n",
                e.full_name, e.rank, e.total, e.outcome
            ));
        }
    }
    hex::encode(h.finalize())
}

/// Uniform in `0..n` (the bench needs no cryptographic care, only reproducibility).
fn below(rng: &mut PaperRng, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}
