//! Black-box API tests, one module per feature. Each test reads as the rule it checks.

mod audit;
mod auth;
mod demo;
mod errors;
mod ui;
