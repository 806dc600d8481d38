//! (tests of marks, ranking and publication)
