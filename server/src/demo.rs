//! The demo round (`server demo`): staff accounts, a sample Vietnamese bank, two positions,
//! 30 candidates and one session starting a few minutes after launch. Idempotent.

use crate::error::AppResult;
use crate::state::AppState;

pub async fn seed(_state: &AppState) -> AppResult<String> {
    Ok(String::from("demo: nothing seeded yet"))
}
