//! Grading a whole exam at once from the database: after the board corrects an item (VN-24)
//! every graded sitting is marked again from its stored answers, in parallel, and the results
//! that changed are stored in a few statements. The figures of issue 8 ("offline throughput")
//! are measured on this path.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use question_bank::blueprint::Blueprint;
use question_bank::compact::{grade_compact, paper_from_compact, sheet_from_compact};
use question_bank::paper::Paper;
use question_bank::scoring::{
    normalized_accepted, Answer, ExamMarking, PaperResult, Sanction, Sealed, SectionResult,
};
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited, Locked};
use crate::error::{AppError, AppResult};
use crate::parallel::{blocking, parallel};
use crate::repo;
use crate::repo::sitting::GradedSitting;
use crate::services::exam::{blueprint_of, seal_ids};
use crate::services::sitting::dto::SubmitResult;
use crate::services::sitting::grade::{candidate_terms, exam_marking, grade_sheet};
use crate::state::AppState;

/// What a whole-exam regrade did, with the time of each phase.
#[derive(Debug, Clone, Serialize)]
pub struct ExamRegrade {
    pub exam_id: i32,
    /// Graded sittings marked again.
    pub sittings: usize,
    /// Sittings whose sections or verdict changed (only these are written).
    pub changed: usize,
    /// Answers read.
    pub answers: usize,
    /// Reading the compact forms and marking them, side by side.
    #[serde(skip)]
    pub read_and_grade: Duration,
    /// Sittings the first pass could not mark (stored before the compact forms were kept, or
    /// naming an item outside the exam's seals), and collating the outcomes.
    #[serde(skip)]
    pub second_pass: Duration,
    #[serde(skip)]
    pub write: Duration,
}

/// Marks every graded sitting of the exam again and stores what changed, audited as one
/// `exam.regrade` entry. The audit lock is held throughout, so no hand-in, sanction or
/// correction (all audited) can change a sitting between its read and its write.
#[tracing::instrument(skip_all, fields(actor = actor, exam_id = exam_id))]
pub async fn regrade_exam(state: &AppState, actor: &str, exam_id: i32) -> AppResult<ExamRegrade> {
    let locked = Audited::lock(state).await;
    let started = Instant::now();
    let (context, session_ids) = prepare(state, exam_id).await?;
    let first = read_and_mark(state, &session_ids, &context).await?;
    let read_and_grade = started.elapsed();

    let started = Instant::now();
    let mut outcomes = second_pass(state, first, &context).await?;
    outcomes.sort_unstable_by_key(|o| o.sitting_id);
    let answers = outcomes.iter().map(|o| o.answers).sum();
    let sittings = outcomes.len();
    let changed: Vec<(i32, String)> = outcomes
        .into_iter()
        .filter_map(|o| o.changed.map(|json| (o.sitting_id, json)))
        .collect();
    let second_pass = started.elapsed();

    let started = Instant::now();
    let summary = ExamRegrade {
        exam_id,
        sittings,
        changed: changed.len(),
        answers,
        read_and_grade,
        second_pass,
        write: Duration::ZERO,
    };
    store(locked, actor, &summary, &changed).await?;
    Ok(ExamRegrade {
        write: started.elapsed(),
        ..summary
    })
}

/// What marking the exam needs (its blueprint, marking terms and the items of its seals),
/// and its sessions in id order.
async fn prepare(state: &AppState, exam_id: i32) -> AppResult<(Arc<Context>, Vec<i32>)> {
    let exam = repo::exam::find_exam(&state.db, exam_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no exam {exam_id}")))?;
    let blueprint = blueprint_of(&exam)?;
    let seals = seal_ids(&blueprint);
    let (marking, sessions, seal_versions) = tokio::try_join!(
        exam_marking(&state.db, exam_id),
        repo::exam::sessions_of_exam(&state.db, exam_id),
        repo::exam::seal_version_ids(&state.db, &seals),
    )?;
    // The items of the exam's seals are fetched first; a paper naming any other version (none
    // is expected) waits for a second pass, as do sittings stored before their compact forms.
    let items = state.items.get_many(&state.db, seal_versions).await?;
    let context = Arc::new(Context::new(blueprint, marking, items));
    let mut session_ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
    session_ids.sort_unstable();
    Ok((context, session_ids))
}

/// The outcomes of the first pass, with the sittings it left marked now: those naming items
/// outside the exam's seals once these are fetched, and those stored before the compact
/// forms from their canonical data.
async fn second_pass(
    state: &AppState,
    first: Vec<Pass>,
    context: &Context,
) -> AppResult<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(first.len());
    let mut later = Vec::new();
    let mut old_ids = Vec::new();
    for pass in first {
        match pass {
            Pass::Done(outcome) => outcomes.push(outcome),
            Pass::Later(job) => later.push(*job),
            Pass::Old(id) => old_ids.push(id),
        }
    }
    if !old_ids.is_empty() {
        later.extend(read_old(state, old_ids).await?);
    }
    if !later.is_empty() {
        let mut items = context.items.clone();
        items.extend(
            state
                .items
                .get_many(&state.db, distinct_versions(&later))
                .await?,
        );
        let context = Context::new(context.blueprint.clone(), context.marking.clone(), items);
        outcomes
            .extend(blocking(move || parallel(&later, |job| regrade_one(job, &context))).await??);
    }
    Ok(outcomes)
}

/// Sittings stored before their compact forms were kept, decoded from their canonical data.
async fn read_old(state: &AppState, mut ids: Vec<i32>) -> AppResult<Vec<Job>> {
    ids.sort_unstable();
    let (sittings, sheets, texts) = tokio::try_join!(
        repo::sitting::graded_sittings(&state.db, &ids),
        repo::sitting::answer_sheets_of(&state.db, &ids),
        repo::sitting::text_answers_of(&state.db, &ids),
    )?;
    let mut old: HashMap<i32, Sheet> = sheets
        .into_iter()
        .map(|s| {
            let sheet = Sheet {
                choices: s.choices,
                texts: Vec::new(),
            };
            (s.sitting_id, sheet)
        })
        .collect();
    for t in texts {
        old.entry(t.sitting_id)
            .or_default()
            .texts
            .push((t.item_no, t.text));
    }
    sittings.iter().map(|s| decode_old(s, &old)).collect()
}

/// Stores the results that changed and audits the regrade.
async fn store(
    locked: Locked<'_>,
    actor: &str,
    summary: &ExamRegrade,
    changed: &[(i32, String)],
) -> AppResult<()> {
    let w = locked.begin().await?;
    repo::sitting::set_results(w.txn(), changed).await?;
    w.record(
        actor,
        Action::ExamRegrade,
        summary.exam_id,
        serde_json::json!({
            "sittings": summary.sittings,
            "changed": changed.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        }),
    );
    w.commit().await?;
    Ok(())
}

struct Context {
    blueprint: Blueprint,
    marking: ExamMarking,
    items: HashMap<i32, Arc<question_bank::Item>>,
    /// The same items indexed by version id (six million lookups by index instead of by
    /// hash), each with its accepted answers normalized under the exam's text match.
    by_version: Vec<Option<(Arc<question_bank::Item>, Vec<String>)>>,
}

impl Context {
    fn new(
        blueprint: Blueprint,
        marking: ExamMarking,
        items: HashMap<i32, Arc<question_bank::Item>>,
    ) -> Self {
        // Version ids are a table's serial ids; an index up to the largest one is a few
        // hundred kilobytes even for a bank of a hundred thousand versions.
        let mut by_version = Vec::new();
        for (&v, item) in &items {
            if let Ok(v) = usize::try_from(v) {
                if v >= by_version.len() {
                    by_version.resize(v + 1, None);
                }
                let accepted = normalized_accepted(item, marking.text_match);
                by_version[v] = Some((item.clone(), accepted));
            }
        }
        Context {
            blueprint,
            marking,
            items,
            by_version,
        }
    }

    fn sealed(&self, version_id: i32) -> Option<Sealed<'_>> {
        let v = usize::try_from(version_id).ok()?;
        let (item, accepted) = self.by_version.get(v)?.as_ref()?;
        Some(Sealed {
            item,
            accepted: Some(accepted),
        })
    }
}

/// What the first pass made of a sitting.
enum Pass {
    Done(Outcome),
    /// Graded once the items it names are fetched.
    Later(Box<Job>),
    /// Stored before its compact forms were kept: graded from its canonical data.
    Old(i32),
}

/// The first pass: the exam's sessions in a few groups, each read as compact forms and marked
/// as soon as it arrives, so that reading (a database connection's thread) and marking (a
/// blocking thread) keep every core busy. No more groups are in flight than there are cores
/// and one, so at most that many groups of texts are held at once.
async fn read_and_mark(
    state: &AppState,
    session_ids: &[i32],
    context: &Arc<Context>,
) -> AppResult<Vec<Pass>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let groups = (cores * 4).max(1);
    let size = session_ids.len().div_ceil(groups).max(1);
    let turns = Arc::new(tokio::sync::Semaphore::new(cores + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for group in session_ids.chunks(size) {
        let (db, group, context, turns) = (
            state.db.clone(),
            group.to_vec(),
            context.clone(),
            turns.clone(),
        );
        tasks.spawn(async move {
            let _turn = turns
                .acquire_owned()
                .await
                .map_err(|e| AppError::internal_from("regrade", e))?;
            let forms = repo::sitting::compact_forms_of_sessions(&db, &group).await?;
            blocking(move || {
                forms
                    .iter()
                    .flat_map(|f| f.split(repo::sitting::RECORD))
                    .map(|r| regrade_record(r, &context))
                    .collect::<AppResult<Vec<Pass>>>()
            })
            .await?
        });
    }
    let mut passes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        passes.extend(done.map_err(|e| AppError::internal_from("regrade task", e))??);
    }
    Ok(passes)
}

/// One graded sitting, decoded and ready to be marked again.
struct Job {
    id: i32,
    sanction: Sanction,
    /// The stored `SubmitResult` JSON.
    result: String,
    paper: Paper,
    sheet: BTreeMap<u32, Answer>,
}

struct Outcome {
    sitting_id: i32,
    answers: usize,
    /// The new stored result when it differs from the old one.
    changed: Option<String>,
}

/// One record of [`repo::sitting::compact_forms_of_sessions`], split into its fields.
struct Record<'a> {
    id: i32,
    sanction: Sanction,
    paper: &'a str,
    sheet: &'a str,
    result: &'a str,
}

impl<'a> Record<'a> {
    fn split(record: &'a str) -> AppResult<Self> {
        const WHAT: &str = "compact sitting";
        let [id, sanction, paper, sheet, result] = repo::sitting::unit_fields(record, WHAT)?;
        let unreadable = |why: &str| repo::sitting::unreadable_record(record, WHAT, why);
        let id: i32 = id
            .parse()
            .map_err(|_| unreadable(&format!("'{id}' is not a sitting id")))?;
        let sanction = sanction.parse().map_err(|e| unreadable(&format!("{e}")))?;
        Ok(Record {
            id,
            sanction,
            paper,
            sheet,
            result,
        })
    }

    /// Paper and sheet decoded, for a sitting the first pass cannot mark.
    fn decode(&self) -> AppResult<Job> {
        let id = self.id;
        Ok(Job {
            id,
            sanction: self.sanction,
            result: self.result.to_string(),
            paper: paper_from_compact(self.paper)
                .map_err(|e| AppError::internal_from(format!("paper of sitting {id}"), e))?,
            sheet: sheet_from_compact(self.sheet)
                .map_err(|e| AppError::internal_from(format!("answer sheet of sitting {id}"), e))?,
        })
    }
}

/// The first pass over one record: marked straight from its compact forms, or, when its paper
/// names an item version outside the exam's seals, decoded for the second pass.
fn regrade_record(record: &str, cx: &Context) -> AppResult<Pass> {
    let r = Record::split(record)?;
    if r.paper.is_empty() || r.sheet.is_empty() {
        return Ok(Pass::Old(r.id));
    }
    let missing = std::cell::Cell::new(false);
    let graded = grade_compact(
        &cx.blueprint,
        r.paper,
        r.sheet,
        |v| {
            let sealed = cx.sealed(v);
            missing.set(missing.get() || sealed.is_none());
            sealed
        },
        &cx.marking,
        &candidate_terms(r.sanction),
    );
    match graded {
        Ok((result, answers)) => Ok(Pass::Done(outcome(r.id, r.result, result, answers)?)),
        Err(_) if missing.get() => Ok(Pass::Later(Box::new(r.decode()?))),
        Err(e) => Err(AppError::internal(format!("sitting {}: {e}", r.id))),
    }
}

/// A sitting stored before its compact forms were kept, decoded from what it has.
fn decode_old(s: &GradedSitting, old: &HashMap<i32, Sheet>) -> AppResult<Job> {
    let sheet = match &s.answer_sheet {
        Some(compact) => sheet_from_compact(compact)
            .map_err(|e| AppError::internal_from(format!("answer sheet of sitting {}", s.id), e))?,
        None => old
            .get(&s.id)
            .map(|o| o.answers(s.id))
            .transpose()?
            .unwrap_or_default(),
    };
    Ok(Job {
        id: s.id,
        sanction: s.sanction.0,
        result: s.result.clone(),
        paper: paper_of(s)?,
        sheet,
    })
}

/// The item versions the papers use, each once. Six million paper items name a few hundred
/// versions: a bit per version id is far cheaper than a set of them.
fn distinct_versions(jobs: &[Job]) -> Vec<i32> {
    let mut seen: Vec<u64> = Vec::new();
    let mut out = Vec::new();
    for item in jobs.iter().flat_map(|j| j.paper.items()) {
        let Ok(v) = usize::try_from(item.version_id) else {
            continue; // never stored: ids are positive
        };
        let (word, bit) = (v / 64, 1u64 << (v % 64));
        if word >= seen.len() {
            seen.resize(word + 1, 0);
        }
        if seen[word] & bit == 0 {
            seen[word] |= bit;
            out.push(item.version_id);
        }
    }
    out
}

/// The sitting's paper, from its compact form or, for a sitting stored before that form was
/// kept, from its canonical JSON.
fn paper_of(s: &GradedSitting) -> AppResult<Paper> {
    if let Some(compact) = &s.paper_compact {
        return paper_from_compact(compact)
            .map_err(|e| AppError::internal_from(format!("paper of sitting {}", s.id), e));
    }
    let json = s
        .paper
        .as_deref()
        .ok_or_else(|| AppError::internal(format!("graded sitting {} has no paper", s.id)))?;
    serde_json::from_str(json)
        .map_err(|e| AppError::internal_from(format!("paper of sitting {} unreadable", s.id), e))
}

/// One sitting's answers as read for a regrade: the aggregated choices
/// (`no:["A"];no:["B","C"]…`) and the typed answers by question number.
#[derive(Debug, Default)]
struct Sheet {
    choices: String,
    texts: Vec<(i32, String)>,
}

impl Sheet {
    /// The answers by question number, as grading takes them.
    fn answers(&self, sitting_id: i32) -> AppResult<BTreeMap<u32, Answer>> {
        let unreadable =
            |what: &str| AppError::internal(format!("answers of sitting {sitting_id}: {what}"));
        let mut out = BTreeMap::new();
        for part in self.choices.split(';').filter(|p| !p.is_empty()) {
            let (no, choices) = part
                .split_once(':')
                .ok_or_else(|| unreadable(&format!("'{part}' has no question number")))?;
            let no: u32 = no
                .parse()
                .map_err(|_| unreadable(&format!("'{no}' is not a question number")))?;
            let letters: Vec<String> = serde_json::from_str(choices)
                .map_err(|e| unreadable(&format!("choices of question {no}: {e}")))?;
            let choices = letters.iter().filter_map(|c| c.chars().next()).collect();
            out.insert(
                no,
                Answer {
                    choices,
                    text: None,
                },
            );
        }
        for (no, text) in &self.texts {
            let no = u32::try_from(*no)
                .map_err(|_| unreadable(&format!("'{no}' is not a question number")))?;
            out.entry(no).or_insert_with(Answer::default).text = Some(text.clone());
        }
        Ok(out)
    }
}

fn regrade_one(job: &Job, cx: &Context) -> AppResult<Outcome> {
    let result = grade_sheet(
        job.sanction,
        &job.paper,
        &cx.blueprint,
        &cx.items,
        &cx.marking,
        &job.sheet,
    )?;
    outcome(job.id, &job.result, result, job.sheet.len())
}

/// What a stored result compares on: the marks and the verdict, not the receipt or the time.
#[derive(Deserialize)]
struct Marks {
    sections: Vec<SectionResult>,
    passed: bool,
}

/// Whether the stored result begins with exactly the JSON of `result`'s marks, as a
/// [`SubmitResult`] is written (`{"sections":…,"passed":…,` then the rest): then they are
/// equal, read in a tenth of the time of parsing. `false` proves nothing (the same decimals
/// may be written differently): the caller then compares the parsed values.
fn same_text(previous: &str, result: &PaperResult) -> Option<bool> {
    #[derive(Serialize)]
    struct MarksText<'a> {
        sections: &'a [SectionResult],
        passed: bool,
    }
    let fresh = serde_json::to_string(&MarksText {
        sections: &result.sections,
        passed: result.passed,
    })
    .ok()?;
    let open = fresh.strip_suffix('}')?;
    let rest = previous.strip_prefix(open)?;
    Some(rest.starts_with(',') || rest.starts_with('}'))
}

/// The sitting's new result, compared with the stored `previous` JSON: only a change is
/// written, and it keeps the receipt, the time and who closed the sitting.
fn outcome(
    sitting_id: i32,
    previous: &str,
    result: PaperResult,
    answers: usize,
) -> AppResult<Outcome> {
    let unreadable = |e: serde_json::Error| {
        AppError::internal_from(
            format!("stored result of sitting {sitting_id} unreadable"),
            e,
        )
    };
    let unchanged = same_text(previous, &result).unwrap_or(false) || {
        let marks: Marks = serde_json::from_str(previous).map_err(unreadable)?;
        marks.sections == result.sections && marks.passed == result.passed
    };
    let changed = if unchanged {
        None
    } else {
        let previous: SubmitResult = serde_json::from_str(previous).map_err(unreadable)?;
        let regraded = SubmitResult {
            sections: result.sections,
            passed: result.passed,
            ..previous
        };
        Some(serde_json::to_string(&regraded).map_err(|e| AppError::internal(e.to_string()))?)
    };
    Ok(Outcome {
        sitting_id,
        answers,
        changed,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn a_sheet_reads_back_choices_and_typed_answers_in_any_order() {
        let sheet = Sheet {
            choices: r#"3:["B","D"];1:["A"];2:[]"#.into(),
            texts: vec![(2, "Hà Nội".into())],
        };
        let answers = sheet.answers(7).unwrap();
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[&1].choices, vec!['A']);
        assert_eq!(answers[&3].choices, vec!['B', 'D']);
        assert_eq!(answers[&2].text.as_deref(), Some("Hà Nội"));
        assert!(answers[&2].choices.is_empty());
    }

    #[test]
    fn an_unreadable_sheet_names_the_sitting_and_the_question() {
        let sheet = Sheet {
            choices: r#"1:["A"];x:["B"]"#.into(),
            texts: vec![],
        };
        let e = sheet.answers(42).unwrap_err().to_string();
        assert!(e.contains("sitting 42") && e.contains("'x'"), "{e}");
        let sheet = Sheet {
            choices: "5:not json".into(),
            texts: vec![],
        };
        let e = sheet.answers(42).unwrap_err().to_string();
        assert!(e.contains("question 5"), "{e}");
    }
}
