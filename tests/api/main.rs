//! Black-box API tests, one module per feature. Each test reads as the rule it checks.
#![allow(clippy::unwrap_used)] // a failed unwrap in a test helper is a failed test

mod accounts;
mod audit;
mod auth;
mod bank;
mod calendar;
mod decree;
mod demo;
mod disclosure;
mod errors;
mod exam;
mod headers;
mod hostile_files;
mod limits;
mod publication;
mod results;
mod round;
mod seating;
mod sign_in;
mod sitting;
mod telemetry;
mod ui;
mod voiding;
