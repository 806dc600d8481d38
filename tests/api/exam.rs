//! (tests of this feature)
