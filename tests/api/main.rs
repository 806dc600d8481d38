//! Black-box API tests, one module per feature. Each test reads as the rule it checks.
#![allow(clippy::unwrap_used)] // a failed unwrap in a test helper is a failed test

mod audit;
mod auth;
mod bank;
mod decree;
mod demo;
mod errors;
mod exam;
mod headers;
mod hostile_files;
mod limits;
mod publication;
mod results;
mod round;
mod seating;
mod sitting;
mod ui;
mod voiding;
