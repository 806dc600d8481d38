//! Sittings and answers.
