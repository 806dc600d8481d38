//! Grading a whole exam at once from the database: after the board corrects an item (VN-24)
//! every graded sitting is marked again from its stored answers, in parallel, and the results
//! that changed are stored in a few statements. The figures of issue 8 ("offline throughput")
//! are measured on this path.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use question_bank::blueprint::Blueprint;
use question_bank::paper::Paper;
use question_bank::scoring::{Answer, ExamMarking};
use serde::Serialize;

use crate::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sitting::GradedSitting;
use crate::services::exam::blueprint_of;
use crate::services::sitting::{exam_marking, grade_sheet, SubmitResult};
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
    #[serde(skip)]
    pub read: Duration,
    #[serde(skip)]
    pub grade: Duration,
    #[serde(skip)]
    pub write: Duration,
}

/// Marks every graded sitting of the exam again and stores what changed, audited as one
/// `exam.regrade` entry. The audit lock is held throughout, so no hand-in, sanction or
/// correction (all audited) can change a sitting between its read and its write.
pub async fn regrade_exam(state: &AppState, actor: &str, exam_id: i32) -> AppResult<ExamRegrade> {
    let _chain = state.audit_lock.lock().await;
    let started = Instant::now();
    let exam = repo::exam::find_exam(&state.db, exam_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no exam {exam_id}")))?;
    let blueprint = blueprint_of(&exam)?;
    let marking = exam_marking(&state.db, exam_id).await?;
    // Three reads at once: on SQLite (WAL) and PostgreSQL alike they run side by side.
    let (sittings, sheets, texts) = tokio::try_join!(
        repo::sitting::graded_of_exam(&state.db, exam_id),
        repo::sitting::answer_sheets_of_exam(&state.db, exam_id),
        repo::sitting::text_answers_of_exam(&state.db, exam_id),
    )?;
    let mut sheets: HashMap<i32, Sheet> = sheets
        .into_iter()
        .map(|(id, choices)| {
            let sheet = Sheet {
                choices,
                texts: Vec::new(),
            };
            (id, sheet)
        })
        .collect();
    for (sitting_id, no, text) in texts {
        sheets.entry(sitting_id).or_default().texts.push((no, text));
    }
    let read = started.elapsed();

    let started = Instant::now();
    // Papers are parsed first (their text is then dropped: a hundred thousand of them weigh
    // half a gigabyte), so the items they use can be fetched once.
    let (sittings, papers) = blocking(move || {
        let papers = parallel(&sittings, parse_paper)?;
        let sittings: Vec<GradedSitting> = sittings
            .into_iter()
            .map(|s| GradedSitting { paper: None, ..s })
            .collect();
        AppResult::Ok((sittings, papers))
    })
    .await??;
    let jobs: Vec<(GradedSitting, Sheet)> = sittings
        .into_iter()
        .map(|s| {
            let sheet = sheets.remove(&s.id).unwrap_or_default();
            (s, sheet)
        })
        .collect();
    let jobs = Arc::new(jobs);
    let versions: BTreeSet<i32> = papers
        .iter()
        .flat_map(|p| p.items().map(|i| i.version_id))
        .collect();
    let items = state
        .items
        .get_many(&state.db, versions.into_iter().collect())
        .await?;
    let context = Arc::new(Context {
        blueprint,
        marking,
        items,
        papers,
    });
    let outcomes = {
        let (jobs, context) = (jobs.clone(), context.clone());
        blocking(move || {
            let indexed: Vec<usize> = (0..jobs.len()).collect();
            parallel(&indexed, |&k| {
                regrade_one(&jobs[k].0, &jobs[k].1, k, &context)
            })
        })
        .await??
    };
    let answers = outcomes.iter().map(|o| o.answers).sum();
    let changed: Vec<(i32, String)> = outcomes
        .into_iter()
        .filter_map(|o| o.changed.map(|json| (o.sitting_id, json)))
        .collect();
    let grade = started.elapsed();

    let started = Instant::now();
    let summary = ExamRegrade {
        exam_id,
        sittings: jobs.len(),
        changed: changed.len(),
        answers,
        read,
        grade,
        write: Duration::ZERO,
    };
    let txn = crate::db::begin_write(&state.db).await?;
    repo::sitting::set_results(&txn, &changed).await?;
    audit::append(
        &txn,
        state.now(),
        Event {
            actor,
            action: "exam.regrade",
            entity: "exam",
            entity_id: exam_id.to_string(),
            details: serde_json::json!({
                "sittings": summary.sittings,
                "changed": changed.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ExamRegrade {
        write: started.elapsed(),
        ..summary
    })
}

struct Context {
    blueprint: Blueprint,
    marking: ExamMarking,
    items: HashMap<i32, Arc<question_bank::Item>>,
    /// By position in the job list.
    papers: Vec<Paper>,
}

struct Outcome {
    sitting_id: i32,
    answers: usize,
    /// The new stored result when it differs from the old one.
    changed: Option<String>,
}

fn parse_paper(s: &GradedSitting) -> AppResult<Paper> {
    let json = s
        .paper
        .as_deref()
        .ok_or_else(|| AppError::Internal(format!("graded sitting {} has no paper", s.id)))?;
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("paper of sitting {} unreadable: {e}", s.id)))
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
            |what: &str| AppError::Internal(format!("answers of sitting {sitting_id}: {what}"));
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

fn regrade_one(s: &GradedSitting, sheet: &Sheet, k: usize, cx: &Context) -> AppResult<Outcome> {
    let sheet = sheet.answers(s.id)?;
    let answers = sheet.len();
    let result = grade_sheet(
        &s.sanction,
        &cx.papers[k],
        &cx.blueprint,
        &cx.items,
        &cx.marking,
        &sheet,
    )?;
    let previous: SubmitResult = serde_json::from_str(&s.result).map_err(|e| {
        AppError::Internal(format!("stored result of sitting {} unreadable: {e}", s.id))
    })?;
    let changed = if previous.sections == result.sections && previous.passed == result.passed {
        None
    } else {
        let regraded = SubmitResult {
            sections: result.sections,
            passed: result.passed,
            ..previous
        };
        Some(serde_json::to_string(&regraded).map_err(|e| AppError::Internal(e.to_string()))?)
    };
    Ok(Outcome {
        sitting_id: s.id,
        answers,
        changed,
    })
}

/// Runs CPU-bound work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("grading task failed: {e}")))
}

/// `f` over `inputs` on every core, results in input order; the first error wins.
pub(crate) fn parallel<I: Sync, O: Send>(
    inputs: &[I],
    f: impl Fn(&I) -> AppResult<O> + Sync,
) -> AppResult<Vec<O>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let size = inputs.len().div_ceil(threads).max(1);
    let parts: Vec<AppResult<Vec<O>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(size)
            .map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<AppResult<Vec<O>>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(AppError::Internal("a grading thread panicked".into())))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(inputs.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
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
