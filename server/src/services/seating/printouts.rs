//! What HR prints for a session: the admission tickets and the room's seat list, as pages for
//! the browser's print dialog or, for the seat list, a workbook. The layouts are the pure
//! [`crate::seating::print`]; this module loads the data.

use question_bank::format::Format;

use crate::download::Download;
use crate::entities::sittings;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::seating::print::{PrintedSeat, PrintedSession};
use crate::state::AppState;

use super::candidates_of;

/// The data of a session's admission tickets and seat list (the access code is never printed:
/// it is read out in the room, VN-21; the PIN goes on the candidate's own ticket only).
#[tracing::instrument(skip_all, fields(session_id = session_id))]
pub async fn printable(state: &AppState, session_id: i32) -> AppResult<PrintedSession> {
    let session = repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let exam = repo::exam::find_exam(&state.db, session.exam_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("session {session_id} has no exam")))?;
    let round = repo::round::find_round(&state.db, exam.round_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("exam {} has no round", exam.id)))?;
    let sittings: Vec<sittings::Model> = repo::exam::sittings_of_session(&state.db, session_id)
        .await?
        .into_iter()
        .filter(|s| s.status != repo::sitting::VOID)
        .collect();
    let (apps, positions) = candidates_of(&state.db, exam.round_id, &sittings).await?;
    let mut seats: Vec<PrintedSeat> = sittings
        .iter()
        .filter_map(|s| {
            let a = apps.get(&s.application_id)?;
            let (code, name) = positions.get(&a.position_id).cloned().unwrap_or_default();
            Some(PrintedSeat {
                seat: s.seat,
                ticket_no: s.ticket_no.clone(),
                full_name: a.full_name.clone(),
                date_of_birth: a.date_of_birth,
                position_code: code,
                position_name: name,
                pin: printable_pin(state, s),
            })
        })
        .collect();
    seats.sort_by(|a, b| (a.seat, &a.ticket_no).cmp(&(b.seat, &b.ticket_no)));
    Ok(PrintedSession {
        round_name: round.name,
        exam_name: exam.name,
        session_code: session.code,
        room: session.room,
        starts_at: session.starts_at,
        duration_minutes: exam.duration_minutes,
        late_minutes: crate::services::sitting::late_limit(exam.duration_minutes).num_minutes(),
        seats,
    })
}

/// The PIN issued with the ticket, while it is still the sitting's PIN (a re-issued one is
/// random and shown once, to the supervisor who re-issued it).
fn printable_pin(state: &AppState, s: &sittings::Model) -> Option<String> {
    let (pin, digest) = state.issue_pin(&s.ticket_no);
    match s.pin_hash.as_deref() {
        // Seated before every sitting had a stored PIN: its PIN is the one issued.
        None => Some(pin),
        Some(stored) => {
            crate::secrets::constant_time_eq(stored.as_bytes(), digest.as_bytes()).then_some(pin)
        }
    }
}

/// The name `services::results` still builds published documents under; the type is
/// [`Download`], the one file type of the API.
pub use crate::download::Download as Printout;

fn print_format<'a>(given: Option<&str>, allowed: &[&'a str]) -> AppResult<&'a str> {
    let given = given
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or("html");
    allowed
        .iter()
        .find(|f| f.eq_ignore_ascii_case(given))
        .copied()
        .ok_or_else(|| {
            AppError::field(
                "format",
                format!(
                    "unknown format '{given}': expected {}",
                    allowed.join(" or ")
                ),
            )
        })
}

/// The admission tickets of a session (`format`: `html`, the default).
#[tracing::instrument(skip_all, fields(session_id = session_id))]
pub async fn admission_tickets(
    state: &AppState,
    session_id: i32,
    format: Option<&str>,
) -> AppResult<Download> {
    print_format(format, &["html"])?;
    let printed = printable(state, session_id).await?;
    Ok(Download::html(
        format!("admission-tickets-{session_id}.html"),
        crate::seating::print::admission_tickets_html(&printed),
    ))
}

/// The seat list of a session's room (`format`: `html`, the default, or `xlsx`).
#[tracing::instrument(skip_all, fields(session_id = session_id))]
pub async fn seat_list(
    state: &AppState,
    session_id: i32,
    format: Option<&str>,
) -> AppResult<Download> {
    let format = print_format(format, &["html", "xlsx"])?;
    let printed = printable(state, session_id).await?;
    if format == "xlsx" {
        let bytes = crate::seating::print::seat_list_xlsx(&printed)
            .map_err(|e| AppError::internal_from("seat list workbook", e))?;
        return Ok(Download::attachment(
            format!("seat-list-{session_id}.xlsx"),
            Format::Xlsx.content_type(),
            bytes,
        ));
    }
    Ok(Download::html(
        format!("seat-list-{session_id}.html"),
        crate::seating::print::seat_list_html(&printed),
    ))
}
