//! Marks, head decisions and publications.
